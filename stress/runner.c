/*
 * runner.c - `gstorm stress`: workloads from a seed (gen.c), run on real
 * threads iteration after iteration, each in a bounded child.
 *
 * Why a child per iteration: a violation ends the process that ran it
 * (rt's throw), a sanitizer report is only known from the text it prints,
 * and a hang never returns. gs_child_run classifies all three, and its
 * time bound is the watchdog of last resort: rt's own liveness bounds
 * (rt_options.quiesce_bound_ns: a quiesce 1x, a stop-the-world 2x, a GC
 * cycle 4x) catch a quiesce, a stop-the-world or a cycle that makes no
 * progress first, and dump every G, M and P when they fire.
 *
 * ThreadSanitizer reads TSAN_OPTIONS when a process starts, so under TSan
 * the runner sets it (exitcode=66 and the suppressions file, after what
 * the user gave) and executes itself again once; its children, forked,
 * inherit the runtime's options.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "stress.h"

/* Whether this is a ThreadSanitizer build (a compiler macro, no
 * sanitizer interface: the runner only sets the runtime's options). */
#if defined(__SANITIZE_THREAD__)
#define TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN_BUILD 1
#endif
#endif
#ifndef TSAN_BUILD
#define TSAN_BUILD 0
#endif

#ifndef GSTORM_SOURCE_DIR
#define GSTORM_SOURCE_DIR "."
#endif

/* Exit codes of `gstorm stress` (README.md, Stress). */
enum {
    ST_EXIT_CLEAN = 0,
    ST_EXIT_VIOLATION = 1,
    ST_EXIT_USAGE = 2,
    ST_EXIT_HANG = 3, /* also an internal error (GS_EXIT_INTERNAL) */
    ST_EXIT_TSAN = 66,
};

enum {
    DEFAULT_SECONDS = 10,
    DEFAULT_BOUND_MS = 10000, /* rt's own default: a loaded machine (or
                                 TSan) stretches a quiesce to tens of
                                 milliseconds, never to seconds */
    DEFAULT_TIMEOUT_S = 120,  /* a whole iteration: past the GC cycle
                                 bound (4x), far past a clean run */
    MAX_ITERS_KEPT = 1 << 20  /* per-iteration latencies kept */
};

/* The --gc names: the rt_gcmode values, then all (rotate). */
static const char *const gcnames[] = {"stw", "quiesce", "conc", "all", NULL};
enum { GC_ALL = 3 };
/* The --shape names: st_shapenames, then all (rotate). */
static const char *const shapeflags[] = {
    "mixed", "spawn", "syscall", "deep", "parked", "tightloop", "all", NULL};
enum { SHAPE_ALL = ST_SHAPE__COUNT };

/* The run's configuration and totals. */
typedef struct runner {
    uint64_t threads, procs, seconds, iterations, seed, boundms, timeout;
    int gc, shape;
    uint64_t faults;
    const char *json, *outdir, *faultlist;
    bool progress;
    /* totals over clean iterations */
    uint64_t iters, resource, ops, gc_cycles, preemptions, preempt_reqs,
        selfscans, grows, shrinks, scans, spawns, greuse, syscalls, handoffs,
        parks, stw, quiesces, maxq, wall_ns;
    uint64_t *qmax; /* each clean iteration's longest quiesce, ns */
    size_t nq;
    uint64_t *pmax; /* each clean iteration's longest pause, ns */
    size_t np;
    uint64_t maxp, stwns, claims[4];
    double elapsed;
    /* the finding, if any */
    char key[GS_MAX_RULE];
    char file[PATH_MAX];
    uint64_t findseed;
    int exitcode;
} runner;

/* usage prints `gstorm stress --help` to f. */
static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: gstorm stress [--threads N] [--procs P]\n"
        "                     [--seconds S | --iterations K] [--seed X]\n"
        "                     [--gc stw|quiesce|conc|all] [--fault ID]\n"
        "                     [--shape mixed|spawn|syscall|deep|parked|"
        "tightloop|all]\n"
        "                     [--json FILE] [--out DIR] [--bound-ms MS]\n"
        "                     [--timeout S]\n\n"
        "Runs workloads generated from the seed on real threads, one\n"
        "scenario per iteration (iteration i uses seed X+i), each in a\n"
        "child bounded by --timeout (default 120 s), every checker on, until\n"
        "S seconds have passed (default 10) or K iterations are done, or a\n"
        "finding. --threads is the Ms (default 4), --procs the Ps (default\n"
        "threads/2, at least 1); --gc all (default) rotates the collectors\n"
        "and --shape all the shapes (default mixed); --bound-ms is rt's\n"
        "liveness bound of one quiesce (default 10000; a stop-the-world gets\n"
        "2x, a GC cycle 4x). --fault (repeatable; also GSTORM_FAULT) turns\n"
        "on injectable faults (gstorm faults). A finding's workload is saved\n"
        "in DIR (default .) as stress-KEY-SEED.gsr, with the command that\n"
        "searches the sim for a deterministic reproducer. --json writes the\n"
        "summary as JSON. Under ThreadSanitizer the children run with\n"
        "TSAN_OPTIONS=exitcode=66 and suppressions=stress/tsan.supp added.\n"
        "Exit: 0 clean, 1 checker violation (or a crash), 2 bad usage,\n"
        "3 hang (a liveness bound or the timeout; or an internal error),\n"
        "66 ThreadSanitizer report.\n");
}

/*
 * tsanreexec sets TSAN_OPTIONS for this process and its children and
 * executes gstorm again with the same arguments, once (GSTORM_STRESS_TSAN
 * marks the second start). Only in a TSan build; returns if there is
 * nothing to do or the exec failed (then the run goes on with the
 * options it has).
 */
static void tsanreexec(int argc, char **argv)
{
    const char *user = getenv("TSAN_OPTIONS");
    char opts[8192], supp[PATH_MAX], *args[260];
    const char *cands[] = {"stress/tsan.supp",
                           GSTORM_SOURCE_DIR "/stress/tsan.supp"};
    size_t i;
    int n;

    if (!TSAN_BUILD || getenv("GSTORM_STRESS_TSAN") != NULL || argc > 256)
        return;
    n = snprintf(opts, sizeof opts, "%s%sexitcode=66", user != NULL ? user : "",
                 user != NULL && user[0] != 0 ? ":" : "");
    for (i = 0; i < sizeof cands / sizeof cands[0]; i++)
        if (access(cands[i], R_OK) == 0 && realpath(cands[i], supp) != NULL) {
            n += snprintf(opts + n, sizeof opts - (size_t)n, ":suppressions=%s",
                          supp);
            break;
        }
    if (n <= 0 || (size_t)n >= sizeof opts)
        return;
    setenv("TSAN_OPTIONS", opts, 1);
    setenv("GSTORM_STRESS_TSAN", "1", 1);
    args[0] = "gstorm";
    for (i = 0; i < (size_t)argc; i++)
        args[i + 1] = argv[i];
    args[argc + 1] = NULL;
    fflush(stdout);
    fflush(stderr);
    execv("/proc/self/exe", args);
    fprintf(stderr,
            "gstorm stress: cannot re-execute for TSAN_OPTIONS (%s); "
            "going on without them\n",
            strerror(errno));
}

/* hangrule says whether a rule is a liveness bound that means no
 * progress (a hang), as opposed to a violation. */
static bool hangrule(const char *key)
{
    static const char *const hang[] = {"liveness.quiesce", "liveness.stw",
                                       "liveness.gc", "liveness.spin",
                                       "liveness.lockedscan"};
    size_t i;

    for (i = 0; i < sizeof hang / sizeof hang[0]; i++)
        if (strcmp(key, hang[i]) == 0)
            return true;
    return false;
}

/* exitfor maps a finding to the runner's exit code. */
static int exitfor(const gs_outcome *o)
{
    switch (o->kind) {
    case GS_OUT_TIMEOUT:
        return ST_EXIT_HANG;
    case GS_OUT_RULE:
        return hangrule(o->key) ? ST_EXIT_HANG : ST_EXIT_VIOLATION;
    case GS_OUT_SANITIZER:
        return strncmp(o->key, "tsan.", 5) == 0 ? ST_EXIT_TSAN
                                                : ST_EXIT_VIOLATION;
    default:
        return ST_EXIT_VIOLATION;
    }
}

/* faultids writes the ids of the faults in bits, comma-separated, into
 * buf (cap bytes). */
static void faultids(uint64_t bits, char *buf, size_t cap)
{
    size_t i, n = 0;

    buf[0] = 0;
    for (i = 0; i < 64 && n < cap; i++) {
        const rt_fault_info *f = rt_fault(i);
        if ((bits >> i & 1) == 0 || f == NULL)
            continue;
        n +=
            (size_t)snprintf(buf + n, cap - n, "%s%s", n > 0 ? "," : "", f->id);
    }
}

/*
 * savefinding writes the workload of a finding as a gstorm file in the
 * output directory, with metadata that says where it came from, and
 * prints how to search the sim for a reproducer. Returns false if it
 * could not be saved (the message says why).
 */
static bool savefinding(runner *r, const rt_scenario *sc, uint64_t seed,
                        uint32_t gcmode, int shape, const gs_outcome *o)
{
    char meta[1024], err[GS_ERRLEN], ids[512];
    gs_spec spec;
    size_t n;

    gs_spec_default(&spec);
    spec.seed = seed;
    spec.faults = r->faults;
    snprintf(spec.rule, sizeof spec.rule, "%s", o->key);
    snprintf(spec.foundby, sizeof spec.foundby, "stress");
    spec.run = r->iters + 1;
    n = gs_spec_to_meta(&spec, meta, sizeof meta);
    snprintf(meta + n, sizeof meta - n,
             "\ngc=%s\nshape=%s\nthreads=%" PRIu64 "\nprocs=%" PRIu64
             "\nbound_ms=%" PRIu64,
             gcnames[gcmode], st_shapenames[shape], r->threads, r->procs,
             r->boundms);
    snprintf(r->file, sizeof r->file, "%s/stress-%s-%016" PRIx64 ".gsr",
             r->outdir, o->key, seed);
    if (gs_input_save(r->file, sc, NULL, 0, meta, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm stress: cannot save the finding: %s\n", err);
        r->file[0] = 0;
        return false;
    }
    faultids(r->faults, ids, sizeof ids);
    fprintf(stderr,
            "gstorm stress: finding %s in iteration %" PRIu64
            " (seed 0x%016" PRIx64 ", gc %s, shape %s)\n"
            "  workload saved: %s\n"
            "  again on threads:  gstorm run %s%s%s --bound-ms %" PRIu64 "\n"
            "  search the sim for a deterministic reproducer:\n"
            "                     gstorm explore %s%s%s\n",
            o->key, r->iters + 1, seed, gcnames[gcmode], st_shapenames[shape],
            r->file, r->file, ids[0] ? " --fault " : "", ids, r->boundms,
            r->file, ids[0] ? " --fault " : "", ids);
    return true;
}

/* cmpu64 orders uint64_t values for qsort. */
static int cmpu64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* pct returns the p-th percentile (nearest rank) of the sorted v[0..n). */
static uint64_t pct(const uint64_t *v, size_t n, double p)
{
    size_t k;

    if (n == 0)
        return 0;
    k = (size_t)ceil(p / 100.0 * (double)n);
    return v[k > 0 ? k - 1 : 0];
}

/* keep appends v to the array *a of *n values (at most MAX_ITERS_KEPT;
 * a failed allocation drops the value: percentiles of the rest). */
static void keep(uint64_t **a, size_t *n, uint64_t v)
{
    uint64_t *q;

    if (*n >= MAX_ITERS_KEPT || (q = realloc(*a, (*n + 1) * sizeof *q)) == NULL)
        return;
    *a = q;
    q[(*n)++] = v;
}

/* add folds one clean iteration's stats into the totals. */
static void add(runner *r, const rt_stats *st)
{
    r->ops += st->ops;
    r->gc_cycles += st->gc_cycles;
    r->preemptions += st->preemptions;
    r->preempt_reqs += st->preempt_reqs;
    r->selfscans += st->selfscans;
    r->grows += st->stack_grows;
    r->shrinks += st->stack_shrinks;
    r->scans += st->stack_scans;
    r->spawns += st->spawns;
    r->greuse += st->greuse;
    r->syscalls += st->syscalls;
    r->handoffs += st->syscall_handoffs;
    r->parks += st->parks;
    r->stw += st->stw;
    r->quiesces += st->quiesces;
    r->wall_ns += st->wall_ns;
    if (st->quiesce_ns_max > r->maxq)
        r->maxq = st->quiesce_ns_max;
    if (st->quiesces > 0)
        keep(&r->qmax, &r->nq, st->quiesce_ns_max);
    if (st->stw > 0)
        keep(&r->pmax, &r->np, st->stw_ns_max);
    if (st->stw_ns_max > r->maxp)
        r->maxp = st->stw_ns_max;
    r->stwns += st->stw_ns_total;
    for (int i = 0; i < 4; i++)
        r->claims[i] += st->claims[i];
}

/* progress rewrites the progress line on stderr (a terminal). */
static void progress(const runner *r, double t0)
{
    fprintf(stderr,
            "\r\033[K[%6.1fs] iterations %" PRIu64 "  ops %" PRIu64
            "  gc cycles %" PRIu64 "  findings %d",
            gs_now() - t0, r->iters, r->ops, r->gc_cycles, r->key[0] != 0);
    fflush(stderr);
}

/* rate returns n per second of run time (0 if none). */
static double rate(uint64_t n, uint64_t ns)
{
    return ns > 0 ? (double)n / ((double)ns / 1e9) : 0.0;
}

/* summary prints the end-of-run summary on stdout. */
static void summary(runner *r)
{
    uint64_t p50, p99;

    /* qsort's array must not be NULL, even for no elements (UBSan). */
    if (r->nq > 0)
        qsort(r->qmax, r->nq, sizeof *r->qmax, cmpu64);
    if (r->np > 0)
        qsort(r->pmax, r->np, sizeof *r->pmax, cmpu64);
    p50 = pct(r->qmax, r->nq, 50);
    p99 = pct(r->qmax, r->nq, 99);
    printf("gstorm stress: %s after %" PRIu64 " iteration%s in %.1f s "
           "(seed 0x%016" PRIx64 ", gc %s, shape %s, %" PRIu64
           " threads, %" PRIu64 " procs)\n",
           r->key[0] ? r->key : "clean", r->iters, r->iters == 1 ? "" : "s",
           r->elapsed, r->seed, gcnames[r->gc], shapeflags[r->shape],
           r->threads, r->procs);
#define ROW(label, v) printf("  %-30s %14" PRIu64 "\n", label, (uint64_t)(v))
#define RATE(label, v) printf("  %-30s %14.0f\n", label, v)
    ROW("iterations (clean)", r->iters);
    ROW("iterations out of a resource", r->resource);
    ROW("vm ops", r->ops);
    RATE("vm ops/s (run time)", rate(r->ops, r->wall_ns));
    ROW("gc cycles", r->gc_cycles);
    RATE("gc cycles/s (run time)", rate(r->gc_cycles, r->wall_ns));
    ROW("stop-the-world pauses", r->stw);
    ROW("quiesce passes", r->quiesces);
    printf("  %-30s %9.1f %9.1f %9.1f\n", "quiesce us p50 / p99 / max",
           p50 / 1e3, p99 / 1e3, r->maxq / 1e3);
    printf("  %-30s %9.1f %9.1f %9.1f\n", "pause us p50 / p99 / max",
           pct(r->pmax, r->np, 50) / 1e3, pct(r->pmax, r->np, 99) / 1e3,
           r->maxp / 1e3);
    printf("  %-30s %14.1f\n", "world stopped (ms, total)", r->stwns / 1e6);
    ROW("claims of Grunnable", r->claims[0]);
    ROW("claims of Grunning", r->claims[1]);
    ROW("claims of Gsyscall", r->claims[2]);
    ROW("claims of Gwaiting", r->claims[3]);
    ROW("stack scans", r->scans);
    ROW("preemption requests", r->preempt_reqs);
    ROW("preemptions taken", r->preemptions);
    ROW("self-scans (preemptscan)", r->selfscans);
    ROW("stack copies (grow)", r->grows);
    ROW("stack copies (shrink)", r->shrinks);
    ROW("goroutines started", r->spawns);
    ROW("  of them reused", r->greuse);
    ROW("syscalls", r->syscalls);
    ROW("P hand-offs in syscalls", r->handoffs);
    ROW("parks", r->parks);
    printf("  %-30s %14.1f\n", "run time in rt (s)", r->wall_ns / 1e9);
#undef ROW
#undef RATE
    printf("  (quiesce and pause p50/p99 are over the iterations' longest "
           "quiesce and longest stop-the-world pause)\n");
    if (r->file[0])
        printf("finding: %s saved in %s\n", r->key, r->file);
}

/* writejson writes the summary as JSON to r->json atomically. Returns
 * false (after a message) if it could not. */
static bool writejson(runner *r)
{
    char buf[4096], err[GS_ERRLEN], ids[512];
    int n;

    faultids(r->faults, ids, sizeof ids);
    n = snprintf(
        buf, sizeof buf,
        "{\n  \"result\": \"%s\",\n  \"exit\": %d,\n  \"seed\": %" PRIu64
        ",\n  \"gc\": \"%s\",\n  \"shape\": \"%s\",\n  \"threads\": %" PRIu64
        ",\n  \"procs\": %" PRIu64 ",\n  \"faults\": \"%s\",\n"
        "  \"elapsed_s\": %.3f,\n  \"iterations\": %" PRIu64
        ",\n  \"resource_iterations\": %" PRIu64 ",\n  \"ops\": %" PRIu64
        ",\n  \"ops_per_s\": %.0f,\n  \"gc_cycles\": %" PRIu64
        ",\n  \"gc_cycles_per_s\": %.1f,\n  \"stw\": %" PRIu64
        ",\n  \"quiesces\": %" PRIu64
        ",\n  \"quiesce_us\": {\"p50\": %.1f, \"p99\": %.1f, \"max\": %.1f},\n"
        "  \"preemptions\": %" PRIu64 ",\n  \"stack_grows\": %" PRIu64
        ",\n  \"stack_shrinks\": %" PRIu64 ",\n  \"spawns\": %" PRIu64
        ",\n  \"syscalls\": %" PRIu64 ",\n  \"finding\": \"%s\",\n"
        "  \"finding_file\": \"%s\"\n}\n",
        r->key[0] ? "finding" : "clean", r->exitcode, r->seed, gcnames[r->gc],
        shapeflags[r->shape], r->threads, r->procs, ids, r->elapsed, r->iters,
        r->resource, r->ops, rate(r->ops, r->wall_ns), r->gc_cycles,
        rate(r->gc_cycles, r->wall_ns), r->stw, r->quiesces,
        pct(r->qmax, r->nq, 50) / 1e3, pct(r->qmax, r->nq, 99) / 1e3,
        r->maxq / 1e3, r->preemptions, r->grows, r->shrinks, r->spawns,
        r->syscalls, r->key, r->file);
    if (n < 0 || (size_t)n >= sizeof buf ||
        gs_writefile(r->json, buf, (size_t)n, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm stress: --json: %s\n",
                n < 0 || (size_t)n >= sizeof buf ? "too long" : err);
        return false;
    }
    return true;
}

/*
 * loop runs the iterations until the time or count bound or a finding;
 * sets r->exitcode.
 */
static void loop(runner *r)
{
    rt_scenario *sc = malloc(sizeof *sc);
    char err[GS_ERRLEN];
    double t0 = gs_now();
    gs_childcfg cfg = {(uint32_t)r->timeout, 0, false};
    rt_options opt;
    gs_outcome o;
    uint64_t i, seed;
    uint32_t gcmode;
    int shape;

    r->exitcode = ST_EXIT_CLEAN;
    if (sc == NULL) {
        fprintf(stderr, "gstorm stress: out of memory\n");
        r->exitcode = GS_EXIT_INTERNAL;
        return;
    }
    for (i = 0;; i++) {
        if (r->iterations != 0 ? i >= r->iterations
                               : gs_now() - t0 >= (double)r->seconds)
            break;
        seed = st_mix(r->seed + i);
        gcmode = r->gc == GC_ALL ? (uint32_t)(i % 3) : (uint32_t)r->gc;
        shape =
            r->shape == SHAPE_ALL ? (int)(i / 3 % ST_SHAPE__COUNT) : r->shape;
        st_generate(seed, shape, gcmode, (uint32_t)r->threads,
                    (uint32_t)r->procs, sc);
        memset(&opt, 0, sizeof opt);
        opt.backend = RT_BACKEND_THREADS;
        opt.seed = seed;
        opt.faults = r->faults;
        opt.quiesce_bound_ns = r->boundms * 1000000ull;
        opt.quiet = true;
        if (!gs_child_run(sc, &opt, &cfg, &o, err, sizeof err)) {
            fprintf(stderr, "\ngstorm stress: %s\n", err);
            r->exitcode = GS_EXIT_INTERNAL;
            break;
        }
        if (o.kind == GS_OUT_CLEAN) {
            add(r, &o.st);
            r->iters++;
        } else if (o.kind == GS_OUT_RESOURCE) {
            r->resource++; /* not a finding: the machine ran short */
        } else if (o.kind == GS_OUT_ERROR) {
            fprintf(stderr,
                    "\ngstorm stress: rt refused a generated "
                    "workload (error %d): a bug in the generator\n",
                    o.code);
            r->exitcode = GS_EXIT_INTERNAL;
            break;
        } else {
            if (r->progress)
                fputc('\n', stderr);
            snprintf(r->key, sizeof r->key, "%s", o.key);
            r->findseed = seed;
            r->exitcode = exitfor(&o);
            if (o.kind == GS_OUT_TIMEOUT)
                fprintf(stderr,
                        "gstorm stress: iteration %" PRIu64
                        " made no progress for %" PRIu64
                        " s (the watchdog's bound): killed\n",
                        i + 1, r->timeout);
            savefinding(r, sc, seed, gcmode, shape, &o);
            break;
        }
        if (r->progress)
            progress(r, t0);
    }
    if (r->progress && r->key[0] == 0)
        fputc('\n', stderr);
    r->elapsed = gs_now() - t0;
    free(sc);
}

/* stress_cli is `gstorm stress` (stress.h). */
int stress_cli(int argc, char **argv)
{
    runner r;
    char err[GS_ERRLEN];
    gs_strlist faults = {0};
    bool help, fgiven, secgiven = false, itgiven = false, seedgiven = false,
                       procsgiven = false, quiet = false;
    size_t npos;
    const char *pos[1];
    int rc;

    const gs_flag flags[] = {
        {"--threads", NULL, GS_FLAG_U64, 1, RT_MAX_THREADS, NULL, &r.threads,
         NULL},
        {"--procs", NULL, GS_FLAG_U64, 1, RT_MAX_PROCS, NULL, &r.procs,
         &procsgiven},
        {"--seconds", NULL, GS_FLAG_U64, 1, 30 * 86400, NULL, &r.seconds,
         &secgiven},
        {"--iterations", NULL, GS_FLAG_U64, 1, UINT32_MAX, NULL, &r.iterations,
         &itgiven},
        {"--seed", NULL, GS_FLAG_U64, 0, UINT64_MAX, NULL, &r.seed, &seedgiven},
        {"--gc", NULL, GS_FLAG_CHOICE, 0, 0, gcnames, &r.gc, NULL},
        {"--shape", NULL, GS_FLAG_CHOICE, 0, 0, shapeflags, &r.shape, NULL},
        {"--fault", NULL, GS_FLAG_LIST, 0, 0, NULL, &faults, NULL},
        {"--json", NULL, GS_FLAG_STR, 0, 0, NULL, &r.json, NULL},
        {"--out", "-o", GS_FLAG_STR, 0, 0, NULL, &r.outdir, NULL},
        {"--bound-ms", NULL, GS_FLAG_U64, 1, 3600 * 1000, NULL, &r.boundms,
         NULL},
        {"--timeout", NULL, GS_FLAG_U64, 1, 86400, NULL, &r.timeout, NULL},
        {"--quiet", "-q", GS_FLAG_BOOL, 0, 0, NULL, &quiet, NULL},
    };
    struct stat sb;

    memset(&r, 0, sizeof r);
    r.threads = 4;
    r.seconds = DEFAULT_SECONDS;
    r.boundms = DEFAULT_BOUND_MS;
    r.timeout = DEFAULT_TIMEOUT_S;
    r.gc = GC_ALL;
    r.outdir = ".";
    rc = gs_flags_parse("stress", argc, argv, flags,
                        sizeof flags / sizeof *flags, pos, 0, &npos, &help);
    if (rc != GS_EXIT_OK || help) {
        if (help)
            usage(stdout);
        return rc;
    }
    if (secgiven && itgiven) {
        fprintf(stderr, "gstorm stress: --seconds and --iterations exclude "
                        "each other\n");
        return ST_EXIT_USAGE;
    }
    if (itgiven)
        r.seconds = 0;
    if (!procsgiven)
        r.procs = r.threads > 1 ? r.threads / 2 : 1;
    if (r.procs > r.threads) {
        fprintf(stderr,
                "gstorm stress: --threads %" PRIu64 " is fewer than --procs "
                "%" PRIu64 "\n",
                r.threads, r.procs);
        return ST_EXIT_USAGE;
    }
    if (gs_faults_select(&faults, &r.faults, &fgiven, err, sizeof err) !=
        RT_OK) {
        fprintf(stderr, "gstorm stress: %s\n", err);
        return ST_EXIT_USAGE;
    }
    if (stat(r.outdir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "gstorm stress: --out %s: not a directory\n", r.outdir);
        return ST_EXIT_USAGE;
    }
    if (!seedgiven)
        r.seed = st_mix((uint64_t)time(NULL) ^ (uint64_t)getpid() << 32);
    tsanreexec(argc, argv);
    r.progress = !quiet && isatty(2);
    rt_set_throw_hook(gs_throw_exit);
    loop(&r);
    summary(&r);
    if (r.json != NULL && !writejson(&r) && r.exitcode == ST_EXIT_CLEAN)
        r.exitcode = GS_EXIT_INTERNAL;
    free(r.qmax);
    free(r.pmax);
    return r.exitcode;
}
