/*
 * explore.c - `gstorm explore`: schedule search without a fuzzer. Runs go
 * to a worker, a child that runs them one after another on the sim
 * backend and is replaced when one fails (harness/pool.c); a failed run
 * is run again alone in a fresh child (harness/child.c: a violation ends
 * its process, a hang is bounded) for its report. `--isolate run` forks
 * that child for every run instead. The first finding is saved as a
 * replay file and checked to reproduce from it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "harness.h"

enum {
    DEFAULT_RUNS = 1000, /* explore without --runs or --seconds */
    PROGRESS_RUNS = 100, /* a progress line at most this often */
    PROGRESS_SECS = 5,   /* ... or after this long without one */
    MAX_SECONDS = 30 * 24 * 3600,
};

/* exploreusage prints `gstorm explore --help` to f. */
static void exploreusage(FILE *f)
{
    fprintf(
        f, "%s",
        "usage: gstorm explore SCENARIO [--strategy random|pct] [--depth D]\n"
        "           [--runs N | --seconds S] [--seed X] [--bound-ms MS |\n"
        "           --bound-us US] [--budget STEPS] [--mem-mb MB]\n"
        "           [--timeout S] [--isolate worker|run|none] [-o FILE]\n"
        "           [--quiet]\n\n"
        "Searches schedules of SCENARIO (a text scenario or a gstorm file) on\n"
        "the sim backend, one run per seed X, X+1, ... (default X=1),\n"
        "and stops at the first run that violates a rule or crashes.\n"
        "  --strategy  random (default): a seeded random choice at every "
        "yield\n"
        "              point; pct: PCT with depth D (1..8, default 3), k "
        "learned\n"
        "              from one round-robin run\n"
        "  --runs N    at most N runs (default 1000); --seconds S: for S "
        "seconds\n"
        "  --bound-ms  liveness bound of one quiesce, virtual ms (default "
        "rt's,\n"
        "              10 s); --bound-us the same in microseconds\n"
        "  --budget    yield points before a run is cut (default the sim's, "
        "1e8);\n"
        "              with --budget a cut run is counted and skipped, "
        "without\n"
        "              it a run past 1e8 is a livelock (liveness.budget)\n"
        "  --mem-mb    address space of one run, MB (default 4096; not "
        "applied\n"
        "              in sanitizer builds)\n"
        "  --timeout   seconds of wall time one run may take (default 120)\n"
        "  --isolate   worker (default): runs go to a child that runs many "
        "and\n"
        "              is replaced when one fails, and a failed run is run\n"
        "              again alone in a fresh child for its report; run: a\n"
        "              fresh child for every run; none: in this process, as\n"
        "              a fuzz target does (for measuring: a finding ends\n"
        "              explore unsaved)\n"
        "  -o FILE     where to save a finding (default gstorm-RULE-SEED.gsr)\n"
        "A finding is saved with the metadata `gstorm replay` needs, checked "
        "to\n"
        "reproduce, and printed with its replay command. A run that runs out\n"
        "of a resource (memory, goroutines, threads) is not a finding: the\n"
        "search stops with exit 3 and saves nothing. SIGINT or SIGTERM ends\n"
        "the running child first.\n"
        "Exit: 0 no violation, 1 violation found, 2 bad usage or scenario,\n"
        "3 internal error or a resource ran out.\n");
}

/* The settings of one explore, shared by its runs. */
typedef struct explore {
    const char *path; /* the scenario */
    rt_scenario *sc;
    int kind; /* RT_SIM_RANDOM or RT_SIM_PCT */
    uint64_t depth, seed, runs, seconds, bound_ms, bound_us, budget, k;
    uint64_t mem_mb, timeout_s; /* each run's bounds (gs_childcfg) */
    uint64_t faults;            /* --fault, GSTORM_FAULT */
    uint64_t deadlocks;         /* clean runs that ended in a program
                                   deadlock (the scenario's own BLOCKs) */
    uint64_t cuts;              /* runs cut by the step budget (--budget) */
    uint64_t retried;           /* runs that ended a worker, run again
                                   in a fresh child */
    bool budgetset;             /* --budget given: a cut is not a finding */
    int isolate;                /* ISOLATE_* */
    gs_worker w;                /* ISOLATE_WORKER */
    const char *outp;           /* -o, or NULL */
    bool quiet;
} explore;

/* How runs are isolated (--isolate), in the order of its choices. */
enum { ISOLATE_WORKER, ISOLATE_RUN, ISOLATE_NONE };
static const char *const isolations[] = {"worker", "run", "none", NULL};

/* specfor is the spec of the run with seed under strategy kind (the
 * k-learning run passes RT_SIM_RR). */
static gs_spec specfor(const explore *e, int kind, uint64_t seed)
{
    gs_spec s;

    gs_spec_default(&s);
    s.kind = (uint32_t)kind;
    s.depth = (uint32_t)e->depth;
    s.seed = seed;
    s.steps_hint = kind == RT_SIM_PCT ? e->k : 0;
    s.step_budget = e->budget;
    s.bound_ns = e->bound_ms * 1000000 + e->bound_us * 1000;
    s.faults = e->faults;
    return s;
}

/* The replay hint of the current run (rt_options.replay_hint). */
static char replayhint[512];

/*
 * childrun runs the run of spec s alone in a fresh child (quiet: its
 * stderr dropped) and fills *o. Its replay hint is the explore command
 * that repeats just this run: the saved file's name is known only after
 * the report, and the parent prints it then. Returns false after a
 * message if the child could not be started.
 */
static bool childrun(const explore *e, const gs_spec *s, bool quiet,
                     gs_outcome *o)
{
    gs_childcfg cfg = {.quiet = quiet,
                       .mem_mb = (uint32_t)e->mem_mb,
                       .timeout_s = (uint32_t)e->timeout_s};
    char err[GS_ERRLEN];
    rt_sim_source src;
    rt_options opt;
    int n;

    gs_spec_options(s, NULL, 0, &src, &opt);
    n = snprintf(replayhint, sizeof replayhint,
                 "gstorm explore %s --strategy %s --seed %" PRIu64 " --runs 1",
                 e->path, gs_strategy_name((uint32_t)e->kind), s->seed);
    if (n > 0 && (size_t)n < sizeof replayhint && e->kind == RT_SIM_PCT)
        n += snprintf(replayhint + n, sizeof replayhint - (size_t)n,
                      " --depth %" PRIu64, e->depth);
    if (n > 0 && (size_t)n < sizeof replayhint && s->bound_ns)
        n += snprintf(replayhint + n, sizeof replayhint - (size_t)n,
                      " --bound-us %" PRIu64, s->bound_ns / 1000);
    if (n > 0 && (size_t)n < sizeof replayhint && e->budget)
        snprintf(replayhint + n, sizeof replayhint - (size_t)n,
                 " --budget %" PRIu64, e->budget);
    opt.replay_hint = replayhint;
    opt.quiet = true; /* program deadlocks are counted, not printed */
    if (!gs_child_run(e->sc, &opt, &cfg, o, err, sizeof err)) {
        fprintf(stderr, "gstorm explore: cannot start a run: %s\n", err);
        return false;
    }
    return true;
}

/* iscut says whether *o is a run cut by the step budget the user gave
 * (--budget): the search skips it. Without --budget, a run past the
 * sim's 1e8 yield points is a livelock, and a finding. */
static bool iscut(const explore *e, const gs_outcome *o)
{
    return e->budgetset && o->kind == GS_OUT_RULE &&
           strcmp(o->key, "liveness.budget") == 0;
}

/*
 * runone runs the run of spec s as --isolate says and fills *o, counting
 * program deadlocks and budget cuts. next[0..nnext) are the runs that
 * will follow, which a worker gets ahead (gs_worker_run). In a worker, a run
 * that ended the worker (a finding, a crash, a hang, a kill from outside) is
 * run again alone in a fresh child, which prints its report and whose outcome
 * counts; a budget cut needs no report. Returns false after a message
 * if no run could be started.
 */
static bool runone(explore *e, const gs_spec *s, const gs_spec *next,
                   size_t nnext, gs_outcome *o)
{
    char err[GS_ERRLEN];
    gs_outcome first;
    int rc;

    if (e->isolate == ISOLATE_NONE) {
        memset(o, 0, sizeof *o);
        rc = gs_spec_run(e->sc, s, NULL, 0, &o->st);
        o->kind = rc == RT_OK ? GS_OUT_CLEAN : GS_OUT_ERROR;
        o->code = rc;
    } else if (e->isolate == ISOLATE_RUN) {
        if (!childrun(e, s, false, o))
            return false;
    } else {
        if (!gs_worker_run(&e->w, s, NULL, 0, next, nnext, o, err,
                           sizeof err)) {
            fprintf(stderr, "gstorm explore: cannot start a worker: %s\n", err);
            return false;
        }
        if (o->kind != GS_OUT_CLEAN && o->kind != GS_OUT_ERROR &&
            !iscut(e, o)) {
            first = *o;
            e->retried++;
            if (!childrun(e, s, false, o))
                return false;
            if (o->kind != first.kind || strcmp(o->key, first.key) != 0)
                fprintf(stderr,
                        "explore: seed %" PRIu64 " ended its worker [%s] "
                        "but ran %s%s%s in a fresh child; the fresh "
                        "child's outcome counts\n",
                        s->seed, first.key,
                        o->kind == GS_OUT_CLEAN ? "clean" : "[",
                        o->kind == GS_OUT_CLEAN ? "" : o->key,
                        o->kind == GS_OUT_CLEAN ? "" : "]");
        }
    }
    if (o->kind == GS_OUT_CLEAN && o->st.deadlocked > 0)
        e->deadlocks++;
    if (iscut(e, o))
        e->cuts++;
    return true;
}

/*
 * finding saves the run of spec s, found at run `run`, that ended as *o,
 * checks that the saved file reproduces it (honggfuzz keeps only findings
 * that do), and prints where it is and how to replay it. Returns the exit
 * code of explore.
 */
static int finding(const explore *e, gs_spec s, uint64_t run,
                   const gs_outcome *o)
{
    char meta[1024], name[256], err[GS_ERRLEN];
    const char *outp = e->outp;
    rt_sim_source src;
    rt_options opt;
    gs_childcfg cfg = {.quiet = true};
    gs_outcome again;
    gs_loaded l;
    gs_spec ls;
    size_t i;
    bool same;

    /* The key goes into a file name and a metadata line: keep it to
     * characters that are safe in both. */
    for (i = 0; o->key[i] != 0 && i < sizeof s.rule - 1; i++) {
        char c = o->key[i];
        s.rule[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                            c == '-'
                        ? c
                        : '_';
    }
    s.rule[i] = 0;
    snprintf(s.foundby, sizeof s.foundby, "explore");
    s.run = run;
    if (outp == NULL) {
        snprintf(name, sizeof name, "gstorm-%s-%" PRIu64 ".gsr", s.rule,
                 s.seed);
        outp = name;
    }
    if (gs_spec_to_meta(&s, meta, sizeof meta) >= sizeof meta) {
        fprintf(stderr, "gstorm explore: the finding's metadata is too "
                        "long\n");
        return GS_EXIT_INTERNAL;
    }
    if (gs_input_save(outp, e->sc, NULL, 0, meta, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm explore: cannot save the finding: %s\n", err);
        return GS_EXIT_INTERNAL;
    }
    /* Reproduce from the file as saved, through replay's own path. */
    if (gs_load(outp, &l, err, sizeof err) != GS_EXIT_OK ||
        gs_spec_from_meta(l.meta, l.mlen, &ls, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm explore: %s\n", err);
        gs_unload(&l);
        return GS_EXIT_INTERNAL;
    }
    gs_spec_options(&ls, l.sched, l.nsched, &src, &opt);
    if (!gs_child_run(l.sc, &opt, &cfg, &again, err, sizeof err)) {
        fprintf(stderr, "gstorm explore: cannot start a run: %s\n", err);
        gs_unload(&l);
        return GS_EXIT_INTERNAL;
    }
    gs_unload(&l);
    same = again.kind == o->kind && strcmp(again.key, o->key) == 0;
    printf("explore: %s [%s] found at run %" PRIu64 " (seed %" PRIu64 ")\n",
           o->kind == GS_OUT_RULE ? "violation" : "crash", o->key, run, s.seed);
    printf("report: above, on stderr (the run's own output)\n");
    printf("saved: %s (%s)\n", outp,
           same ? "reproduces" : "DOES NOT REPRODUCE from the file");
    printf("replay: gstorm replay %s --trace\n", outp);
    return GS_EXIT_VIOLATION;
}

/* exploreflags parses explore's arguments into *e. Returns GS_EXIT_OK,
 * or GS_EXIT_USAGE after a message. */
static int exploreflags(int argc, char **argv, explore *e, bool *help)
{
    static const char *const strategies[] = {"random", "pct", NULL};
    bool seconds = false, runs = false, ms = false, us = false, fgiven;
    gs_strlist faults = {0};
    char err[GS_ERRLEN];
    int strategy = 0, isolate = ISOLATE_WORKER;
    size_t npos = 0;
    const gs_flag flags[] = {
        {"--strategy", NULL, GS_FLAG_CHOICE, 0, 0, strategies, &strategy, NULL},
        {"--depth", NULL, GS_FLAG_U64, 1, GS_MAX_DEPTH, NULL, &e->depth, NULL},
        {"--runs", NULL, GS_FLAG_U64, 1, UINT32_MAX, NULL, &e->runs, &runs},
        {"--seconds", NULL, GS_FLAG_U64, 1, MAX_SECONDS, NULL, &e->seconds,
         &seconds},
        {"--seed", NULL, GS_FLAG_U64, 0, UINT64_MAX / 2, NULL, &e->seed, NULL},
        {"--bound-ms", NULL, GS_FLAG_U64, 1, 3600000, NULL, &e->bound_ms, &ms},
        {"--bound-us", NULL, GS_FLAG_U64, 1, 3600000000ull, NULL, &e->bound_us,
         &us},
        {"--budget", NULL, GS_FLAG_U64, 1000, UINT64_MAX, NULL, &e->budget,
         &e->budgetset},
        {"--isolate", NULL, GS_FLAG_CHOICE, 0, 0, isolations, &isolate, NULL},
        {"--mem-mb", NULL, GS_FLAG_U64, 16, 1 << 20, NULL, &e->mem_mb, NULL},
        {"--timeout", NULL, GS_FLAG_U64, 1, 24 * 3600, NULL, &e->timeout_s,
         NULL},
        {"--fault", NULL, GS_FLAG_LIST, 0, 0, NULL, &faults, NULL},
        {"-o", NULL, GS_FLAG_STR, 0, 0, NULL, &e->outp, NULL},
        {"--quiet", "-q", GS_FLAG_BOOL, 0, 0, NULL, &e->quiet, NULL},
    };
    int rc = gs_flags_parse("explore", argc, argv, flags,
                            sizeof flags / sizeof flags[0], &e->path, 1, &npos,
                            help);

    if (rc != GS_EXIT_OK || *help)
        return rc;
    e->kind = strategy == 1 ? RT_SIM_PCT : RT_SIM_RANDOM;
    e->isolate = isolate;
    if (gs_faults_select(&faults, &e->faults, &fgiven, err, sizeof err) !=
        RT_OK) {
        fprintf(stderr, "gstorm explore: %s\n", err);
        return GS_EXIT_USAGE;
    }
    if (e->path == NULL) {
        fprintf(stderr, "gstorm explore: no SCENARIO given\n");
        exploreusage(stderr);
        return GS_EXIT_USAGE;
    }
    if (runs && seconds) {
        fprintf(stderr, "gstorm explore: give --runs or --seconds, not "
                        "both\n");
        return GS_EXIT_USAGE;
    }
    if (ms && us) {
        fprintf(stderr, "gstorm explore: give --bound-ms or --bound-us, not "
                        "both\n");
        return GS_EXIT_USAGE;
    }
    if (!runs && !seconds)
        e->runs = DEFAULT_RUNS;
    if (seconds)
        e->runs = UINT64_MAX; /* the clock ends the loop */
    return GS_EXIT_OK;
}

/*
 * outcome acts on the outcome of run `run` (1-based) with spec s: returns
 * -1 to go on (a clean run), else explore's exit code after saying why
 * it stops.
 */
static int outcome(const explore *e, const gs_spec *s, uint64_t run,
                   const gs_outcome *o)
{
    if (iscut(e, o))
        return -1; /* counted by runone */
    switch (o->kind) {
    case GS_OUT_CLEAN:
        return -1;
    case GS_OUT_ERROR:
        fprintf(stderr, "gstorm explore: %s: cannot run (error %d)\n", e->path,
                o->code);
        return o->code == RT_EINVAL ? GS_EXIT_USAGE : GS_EXIT_INTERNAL;
    case GS_OUT_RESOURCE:
        /* Not a protocol violation, so not a finding: nothing is saved. */
        fprintf(stderr,
                "gstorm explore: run %" PRIu64 " (seed %" PRIu64
                ") ran out of a resource [%s]; not a finding, search "
                "stopped\n",
                run, s->seed, o->key);
        return GS_EXIT_INTERNAL;
    default:
        return finding(e, *s, run, o);
    }
}

/* cli_explore is `gstorm explore`: schedule search without a fuzzer. */
int cli_explore(int argc, char **argv)
{
    explore e = {.kind = RT_SIM_RANDOM, .depth = GS_DEFAULT_DEPTH, .seed = 1};
    char err[GS_ERRLEN];
    double start, last, t;
    uint64_t i, lastrun = 0;
    bool help = false;
    gs_outcome o;
    gs_spec s, next[GS_WORKER_AHEAD];
    size_t n;
    int rc;

    rc = exploreflags(argc, argv, &e, &help);
    if (rc != GS_EXIT_OK || help) {
        if (help)
            exploreusage(stdout);
        return rc;
    }
    e.sc = gs_loadscenario(e.path, err, sizeof err, &rc);
    if (e.sc == NULL) {
        cli_fileerror(e.path, err);
        return rc;
    }
    rc = GS_EXIT_OK;
    if (e.isolate == ISOLATE_NONE)
        rt_set_throw_hook(gs_throw_exit);
    else if (e.isolate == ISOLATE_WORKER) {
        gs_childcfg cfg = {.quiet = true,
                           .mem_mb = (uint32_t)e.mem_mb,
                           .timeout_s = (uint32_t)e.timeout_s};
        gs_worker_init(&e.w, e.sc, &cfg);
    }
    start = last = gs_now();
    if (e.kind == RT_SIM_PCT) {
        /* PCT's change points are uniform in [1, k]: learn k from one
         * round-robin run (seed 0, so that it does not depend on X). A
         * run cut by --budget took the whole budget. */
        s = specfor(&e, RT_SIM_RR, 0);
        if (!runone(&e, &s, NULL, 0, &o)) {
            rc = GS_EXIT_INTERNAL;
            goto out;
        }
        if ((rc = outcome(&e, &s, 0, &o)) >= 0)
            goto out;
        rc = GS_EXIT_OK;
        e.k = iscut(&e, &o) ? e.budget : o.st.sim_steps;
        /* The k-learning run is not one of the search's. */
        e.cuts = e.deadlocks = 0;
        if (!e.quiet)
            fprintf(stderr,
                    "explore: pct depth %" PRIu64 ", k = %" PRIu64
                    " yield points (a round-robin run)\n",
                    e.depth, e.k);
    }
    for (i = 0; i < e.runs; i++) {
        double t = gs_now();
        if (e.seconds && t - start >= (double)e.seconds)
            break;
        if (!e.quiet && i > 0 &&
            ((i - lastrun >= PROGRESS_RUNS && t - last >= 1) ||
             t - last >= PROGRESS_SECS)) {
            fprintf(stderr,
                    "explore: %" PRIu64 " runs (seeds %" PRIu64 "..%" PRIu64
                    "), %.1f s, no violation, %" PRIu64
                    " program deadlocks, %" PRIu64 " budget cuts\n",
                    i, e.seed, e.seed + i - 1, t - start, e.deadlocks, e.cuts);
            last = t;
            lastrun = i;
        }
        s = specfor(&e, e.kind, e.seed + i);
        /* The runs after it, for a worker to get ahead. */
        for (n = 0; e.isolate == ISOLATE_WORKER && n < GS_WORKER_AHEAD &&
                    i + 1 + n < e.runs;
             n++)
            next[n] = specfor(&e, e.kind, e.seed + i + 1 + n);
        if (!runone(&e, &s, next, n, &o)) {
            rc = GS_EXIT_INTERNAL;
            goto out;
        }
        if ((rc = outcome(&e, &s, i + 1, &o)) >= 0)
            goto out;
        rc = GS_EXIT_OK;
    }
    t = gs_now() - start;
    printf("explore: %" PRIu64 " runs, no violation (strategy %s, seeds "
           "%" PRIu64 "..%" PRIu64 ", %.1f s, %.1f runs/s, isolate %s)\n",
           i, gs_strategy_name((uint32_t)e.kind), e.seed,
           e.seed + (i ? i - 1 : 0), t, t > 0 ? (double)i / t : 0.0,
           isolations[e.isolate]);
    /* What the search could not look past: a run that deadlocks itself
     * ends before its schedule could reach the rest of the program, and
     * a run cut by the budget never reached its end. */
    printf("explore: %" PRIu64 " of %" PRIu64 " runs ended in a program "
           "deadlock (the scenario's own BLOCKs left goroutines asleep)\n",
           e.deadlocks, i);
    if (e.budgetset)
        printf("explore: %" PRIu64 " of %" PRIu64 " runs were cut by the step "
               "budget (--budget %" PRIu64 " yield points)\n",
               e.cuts, i, e.budget);
    else
        printf("explore: 0 of %" PRIu64 " runs were cut by the step budget "
               "(no --budget: a run past the sim's is a livelock finding)\n",
               i);
    if (e.isolate == ISOLATE_WORKER && !e.quiet)
        fprintf(stderr,
                "explore: %" PRIu64 " worker%s started, %" PRIu64
                " run%s run again in a fresh child\n",
                e.w.started, e.w.started == 1 ? "" : "s", e.retried,
                e.retried == 1 ? "" : "s");
out:
    if (e.isolate == ISOLATE_WORKER)
        gs_worker_stop(&e.w);
    free(e.sc);
    return rc;
}
