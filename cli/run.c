/*
 * run.c - `gstorm run`: run a text scenario on real threads.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void runusage(FILE *f)
{
    fprintf(
        f, "usage: gstorm run SCENARIO [--threads N] [--procs P] [--seed S]\n"
           "                  [--gc stw|quiesce|conc] [--bound-ms MS] "
           "[--repeat N]\n\n"
           "Runs SCENARIO (the text form, see README.md) on real threads and\n"
           "prints a summary. --threads and --procs override the scenario's\n"
           "threads/procs lines, --gc its gc line; --bound-ms is the liveness\n"
           "bound of one quiesce or stop-the-world (default 10000);\n"
           "--repeat runs it N times (default 1), stopping at a violation.\n"
           "Exit: 0 clean, 1 violation, 2 bad usage or scenario.\n");
}

/* parsegc maps a gc mode name to rt_gcmode, or -1. */
static int parsegc(const char *s)
{
    if (s == NULL)
        return -1;
    if (strcmp(s, "stw") == 0)
        return RT_GC_STW;
    if (strcmp(s, "quiesce") == 0)
        return RT_GC_QUIESCE;
    if (strcmp(s, "conc") == 0)
        return RT_GC_CONC;
    return -1;
}

int cli_run(int argc, char **argv)
{
    const char *path = NULL;
    rt_options opt;
    rt_scenario *sc;
    rt_stats st;
    uint64_t v, repeat = 1, i;
    int gc = -1, rc, a;

    memset(&opt, 0, sizeof opt);
    opt.backend = RT_BACKEND_THREADS;
    for (a = 1; a < argc; a++) {
        const char *f = argv[a], *val = a + 1 < argc ? argv[a + 1] : NULL;
        if (strcmp(f, "--help") == 0 || strcmp(f, "-h") == 0) {
            runusage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(f, "--threads") == 0) {
            if (!cli_parseu64(f, val, 1, RT_MAX_THREADS, &v))
                return CLI_EXIT_USAGE;
            opt.nthreads = (uint32_t)v;
            a++;
        } else if (strcmp(f, "--procs") == 0) {
            if (!cli_parseu64(f, val, 1, RT_MAX_PROCS, &v))
                return CLI_EXIT_USAGE;
            opt.nprocs = (uint32_t)v;
            a++;
        } else if (strcmp(f, "--seed") == 0) {
            if (!cli_parseu64(f, val, 0, UINT64_MAX, &opt.seed))
                return CLI_EXIT_USAGE;
            a++;
        } else if (strcmp(f, "--bound-ms") == 0) {
            if (!cli_parseu64(f, val, 1, 3600 * 1000, &v))
                return CLI_EXIT_USAGE;
            opt.quiesce_bound_ns = v * 1000 * 1000;
            a++;
        } else if (strcmp(f, "--repeat") == 0) {
            if (!cli_parseu64(f, val, 1, 1000000, &repeat))
                return CLI_EXIT_USAGE;
            a++;
        } else if (strcmp(f, "--gc") == 0) {
            if ((gc = parsegc(val)) < 0) {
                fprintf(stderr,
                        "gstorm: --gc: '%s' is not stw, quiesce or "
                        "conc\n",
                        val ? val : "");
                return CLI_EXIT_USAGE;
            }
            a++;
        } else if (f[0] == '-' && f[1] != 0) {
            fprintf(stderr, "gstorm run: unknown flag '%s'\n", f);
            runusage(stderr);
            return CLI_EXIT_USAGE;
        } else if (path == NULL) {
            path = f;
        } else {
            fprintf(stderr, "gstorm run: more than one scenario ('%s')\n", f);
            return CLI_EXIT_USAGE;
        }
    }
    if (path == NULL) {
        runusage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (opt.nthreads != 0 && opt.nprocs != 0 && opt.nthreads < opt.nprocs) {
        fprintf(stderr, "gstorm: --threads %u is fewer than --procs %u\n",
                opt.nthreads, opt.nprocs);
        return CLI_EXIT_USAGE;
    }
    sc = cli_loadscenario(path);
    if (sc == NULL)
        return CLI_EXIT_USAGE;
    if (gc >= 0)
        sc->gcmode = (uint32_t)gc;
    rt_set_throw_hook(cli_exit_violation);
    for (i = 0; i < repeat; i++) {
        rc = rt_run(sc, &opt, &st);
        if (rc != RT_OK) {
            fprintf(stderr, "gstorm: %s: cannot run (error %d)\n", path, rc);
            free(sc);
            return rc == RT_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
        }
    }
    printf("gstorm run %s: clean (%llu run%s)%s\n", path,
           (unsigned long long)repeat, repeat == 1 ? "" : "s",
           st.deadlocked ? "; the scenario deadlocked itself (see stderr)"
                         : "");
    cli_printstats(stdout, &st);
    free(sc);
    return CLI_EXIT_OK;
}
