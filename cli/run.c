/*
 * run.c - `gstorm run`: run a scenario on real threads.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "harness.h"

/* runusage prints `gstorm run --help` to f. */
static void runusage(FILE *f)
{
    fprintf(f,
            "usage: gstorm run SCENARIO [--threads N] [--procs P] [--seed S]\n"
            "                  [--gc stw|quiesce|conc] [--bound-ms MS] "
            "[--repeat N]\n"
            "                  [--fault ID[,ID...]]\n\n"
            "Runs SCENARIO (the text form, see README.md, or a gstorm file's\n"
            "scenario) on real threads and prints a summary. --threads and\n"
            "--procs override the scenario's threads/procs lines, --gc its gc\n"
            "line; --bound-ms is the liveness bound of one quiesce or\n"
            "stop-the-world (default 10000); --repeat runs it N times\n"
            "(default 1), stopping at a violation. --fault (repeatable; also\n"
            "GSTORM_FAULT=ID,...) switches on injectable faults (gstorm\n"
            "faults lists them).\n"
            "Exit: 0 clean, 1 violation, 2 bad usage or scenario, 3 internal "
            "error.\n");
}

/* The --gc names, indexed by rt_gcmode. */
static const char *const gcmodes[] = {"stw", "quiesce", "conc", NULL};
_Static_assert(RT_GC_STW == 0 && RT_GC_QUIESCE == 1 && RT_GC_CONC == 2,
               "gcmodes[] is indexed by rt_gcmode");

/* cli_run is `gstorm run`: a scenario on the threads backend. */
int cli_run(int argc, char **argv)
{
    const char *path = NULL;
    char err[GS_ERRLEN];
    rt_options opt;
    rt_scenario *sc;
    rt_stats st;
    uint64_t threads = 0, procs = 0, boundms = 0, repeat = 1, i;
    uint64_t deadlocked = 0; /* runs that ended in a program deadlock */
    bool help, gcgiven = false, fgiven;
    gs_strlist faults = {0};
    size_t npos;
    int gc = 0, rc;
    const gs_flag flags[] = {
        {"--threads", NULL, GS_FLAG_U64, 1, RT_MAX_THREADS, NULL, &threads,
         NULL},
        {"--procs", NULL, GS_FLAG_U64, 1, RT_MAX_PROCS, NULL, &procs, NULL},
        {"--seed", NULL, GS_FLAG_U64, 0, UINT64_MAX, NULL, &opt.seed, NULL},
        {"--bound-ms", NULL, GS_FLAG_U64, 1, 3600 * 1000, NULL, &boundms, NULL},
        {"--repeat", NULL, GS_FLAG_U64, 1, 1000000, NULL, &repeat, NULL},
        {"--gc", NULL, GS_FLAG_CHOICE, 0, 0, gcmodes, &gc, &gcgiven},
        {"--fault", NULL, GS_FLAG_LIST, 0, 0, NULL, &faults, NULL},
    };

    memset(&opt, 0, sizeof opt);
    opt.backend = RT_BACKEND_THREADS;
    rc = gs_flags_parse("run", argc, argv, flags, sizeof flags / sizeof *flags,
                        &path, 1, &npos, &help);
    if (rc != GS_EXIT_OK || help) {
        if (help)
            runusage(stdout);
        return rc;
    }
    if (path == NULL) {
        runusage(stderr);
        return GS_EXIT_USAGE;
    }
    if (gs_faults_select(&faults, &opt.faults, &fgiven, err, sizeof err) !=
        RT_OK) {
        fprintf(stderr, "gstorm run: %s\n", err);
        return GS_EXIT_USAGE;
    }
    opt.nthreads = (uint32_t)threads;
    opt.nprocs = (uint32_t)procs;
    opt.quiesce_bound_ns = boundms * 1000 * 1000;
    if (opt.nthreads != 0 && opt.nprocs != 0 && opt.nthreads < opt.nprocs) {
        fprintf(stderr, "gstorm: --threads %u is fewer than --procs %u\n",
                opt.nthreads, opt.nprocs);
        return GS_EXIT_USAGE;
    }
    sc = gs_loadscenario(path, err, sizeof err, &rc);
    if (sc == NULL) {
        cli_fileerror(path, err);
        return rc;
    }
    if (gcgiven)
        sc->gcmode = (uint32_t)gc;
    rt_set_throw_hook(gs_throw_exit);
    for (i = 0; i < repeat; i++) {
        rc = rt_run(sc, &opt, &st);
        if (rc != RT_OK) {
            fprintf(stderr, "gstorm: %s: cannot run (error %d)\n", path, rc);
            free(sc);
            return rc == RT_EINVAL ? GS_EXIT_USAGE : GS_EXIT_INTERNAL;
        }
        deadlocked += st.deadlocked > 0;
        if (repeat > 1)
            printf("run %llu: clean, %llu ops, %llu gc cycles, quiesce max "
                   "%.1f us, %llu left blocked, %.1f ms\n",
                   (unsigned long long)i + 1, (unsigned long long)st.ops,
                   (unsigned long long)st.gc_cycles, st.quiesce_ns_max / 1e3,
                   (unsigned long long)st.deadlocked, st.wall_ns / 1e6);
    }
    printf("gstorm run %s: clean (%llu run%s)", path,
           (unsigned long long)repeat, repeat == 1 ? "" : "s");
    if (deadlocked > 0 && repeat == 1)
        printf("; the scenario deadlocked itself (see stderr)");
    else if (deadlocked > 0)
        printf("; %llu of them ended in a program deadlock (see stderr)",
               (unsigned long long)deadlocked);
    printf("\n%s", repeat > 1 ? "the last run's " : "");
    cli_printstats(stdout, &st);
    free(sc);
    return GS_EXIT_OK;
}
