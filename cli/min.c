/*
 * min.c - `gstorm min`: shrink a failing input while the same finding
 * key keeps firing (the passes: harness/shrink.c).
 *
 * A run whose schedule came from a seed (random, PCT, round-robin) is
 * first turned into an explicit schedule: one child run records the
 * sim's decisions as bytes-source bytes (rt_sim_source.record, into a
 * shared mapping the child writes and the parent reads), and the bytes
 * are checked to give the same finding. From then on every candidate is
 * a scenario plus schedule bytes, run in a bounded, quiet child; it is
 * kept only if its key equals the input's. The result is saved with
 * strategy=bytes and replayed from the file for its timeline.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "harness.h"

enum {
    DEFAULT_BUDGET_S = 60,  /* wall time of one minimization */
    DEFAULT_RUNS = 20000,   /* candidate runs of one minimization: a
                               sim run of a small scenario takes about
                               a millisecond, so the budget comes first
                               only for long runs */
    DEFAULT_TIMEOUT_S = 20, /* one candidate run: a sim run that takes
                               longer has left the input's neighbourhood */
    RECORD_CAP = 16 << 20,  /* bytes of a recorded schedule: a byte per
                               switch, so millions of switches fit; pages
                               are touched only as written */
    TIMELINE_EVENTS = 200,  /* events of the printed timeline */
    CANDIDATE_SLACK = 10,   /* a candidate may take this many times the
                               input's own run ... */
    MIN_TIMEOUT_S = 2,      /* ... plus this (a fork and a short run) */
    RESCHED_SEEDS = 48,     /* seeds resched tries for a changed program:
                               enough to find most short windows again,
                               few enough that a failing candidate costs
                               at most 48 more runs */
};

/* minusage prints `gstorm min --help` to f. */
static void minusage(FILE *f)
{
    fprintf(
        f, "%s",
        "usage: gstorm min FILE -o OUT [--budget-s S] [--runs N]\n"
        "                  [--timeout S] [--fault ID[,ID...]] [--regress]\n\n"
        "Shrinks a failing input (a gstorm file, e.g. from explore, or a raw\n"
        "fuzzer input) while the same finding key (rule or sanitizer key)\n"
        "keeps firing: fewer goroutines and ops first (starts, GO and other\n"
        "instructions, ranges and pairs, program tails, unused programs,\n"
        "ranges folded into one SPIN, CALL/SPIN/SYSCALL operands), then\n"
        "fewer preemptions (never more than the input's own run), then a\n"
        "shorter schedule with fewer switches, then smaller bytes; again\n"
        "until nothing shrinks. A seeded schedule\n"
        "(random, pct) is first recorded as explicit schedule bytes, and\n"
        "again for a changed program that no longer fails with them. Each\n"
        "candidate runs in a bounded child; with faults on, a candidate must\n"
        "also run clean with them off (if the input does).\n"
        "  -o OUT       where to write the result (atomically; "
        "strategy=bytes,\n"
        "               rule=KEY, found-by=min)\n"
        "  --budget-s S stop after S seconds (default 60; a cut by time makes\n"
        "               the result depend on the machine's speed)\n"
        "  --runs N     at most N candidates (default 20000; a candidate\n"
        "               whose schedule broke may take up to 48 more runs to\n"
        "               re-search it, and with faults one more clean run)\n"
        "  --timeout S  wall time of one candidate run (default 20, and at\n"
        "               most 10 times the input's own run + 2 s)\n"
        "  --fault      faults to switch on (also GSTORM_FAULT=ID,...); they\n"
        "               replace the file's faults= metadata\n"
        "  --regress    write OUT as a regression reproducer: faults off\n"
        "               (it replays clean), fault=IDS and expect=KEY instead\n"
        "               (gstorm replay OUT --fault IDS gives KEY)\n"
        "Prints the minimized scenario, its timeline and a one-line summary.\n"
        "The same input and --runs give the same OUT.\n"
        "Exit: 0 minimized (OUT written), 1 the input does not fail, 2 bad\n"
        "usage or file, 3 internal error.\n");
}

/* One minimization: the finding to keep and how candidates run. */
typedef struct minctx {
    gs_spec spec;          /* how candidates run: bytes, the input's seed */
    char key[GS_MAX_RULE]; /* the finding key every candidate must give */
    uint64_t timeout_s;    /* one run's bound */
    bool failed;           /* a child could not be started */
    char err[GS_ERRLEN];   /* why */
    rt_sim_record *record; /* a shared recording, or NULL */
    gs_spec seeded;        /* the input's own seeded spec (resched) */
    rt_sim_record *shared; /* the recording buffer, in a mapping shared
                              with the children that fill it */
    bool cleancheck;       /* a candidate must also run clean with its
                              faults off */
    uint64_t lastp;        /* preemptions of the last run that failed */
    uint64_t laststeps;    /* ... and its yield points to the failure */
    uint64_t inputp;       /* ... of the input's own run (the search's) */
} minctx;

/* runspec runs sc under spec s with schedule sched[0..n) in a quiet,
 * bounded child into *o (recording the schedule if m->record is set).
 * Returns false if the child could not be started (m->err says why). */
static bool runspec(minctx *m, const gs_spec *s, const rt_scenario *sc,
                    const uint8_t *sched, size_t n, gs_outcome *o)
{
    gs_childcfg cfg = {.quiet = true, .timeout_s = (uint32_t)m->timeout_s};
    rt_sim_source src;
    rt_options opt;

    gs_spec_options(s, sched, n, &src, &opt);
    src.record = m->record;
    opt.quiet = true;
    if (!gs_child_run(sc, &opt, &cfg, o, m->err, sizeof m->err)) {
        m->failed = true;
        return false;
    }
    return true;
}

/*
 * stillfails is the shrinker's test: does the candidate give the same
 * finding key (its preemptions, counted by a recording, into m->lastp)?
 * With m->cleancheck it must also run clean with the faults off: a
 * reproducer of a fault must not fail on the correct runtime. A child
 * that cannot start counts as no (and is noted).
 */
static bool stillfails(const rt_scenario *sc, const uint8_t *sched, size_t n,
                       void *arg)
{
    minctx *m = arg;
    gs_spec off = m->spec;
    gs_outcome o;
    bool ok;

    m->record = m->shared;
    ok = runspec(m, &m->spec, sc, sched, n, &o);
    m->record = NULL;
    if (!ok || !gs_outcome_finding(&o) || strcmp(o.key, m->key) != 0)
        return false;
    m->lastp = m->shared->preemptions;
    m->laststeps = 0;
    for (size_t i = 0; i < m->shared->len; i++) /* each byte's slice */
        m->laststeps += 1u << (m->shared->buf[i] >> 5);
    off.faults = 0;
    return !m->cleancheck ||
           (runspec(m, &off, sc, sched, n, &o) && o.kind == GS_OUT_CLEAN);
}

/* preempts is the shrinker's count of preemptions of the last run its
 * test passed. */
static uint64_t preempts(void *arg)
{
    return ((const minctx *)arg)->lastp;
}

/*
 * resched is the shrinker's second chance for a changed scenario whose
 * recorded schedule no longer fits it: run it under the input's own
 * seeded source, recording, with the input's seed and the next
 * RESCHED_SEEDS - 1 (a smaller program steers differently: a short
 * search), and at the first that gives the key, check the recording as
 * bytes. Returns whether sched[0..*n) now makes sc fail.
 */
static bool resched(const rt_scenario *sc, uint8_t *sched, size_t *n,
                    size_t cap, void *arg)
{
    minctx *m = arg;
    rt_sim_record *r = m->shared;
    gs_spec s = m->seeded;
    gs_outcome o;
    uint32_t k;
    bool ok;

    /* PCT's change points fall in [1, k]: k the yield points of the
     * last failing run, not the input's (a shrunk program runs fewer),
     * so they land before the failure as often as in the search. */
    if (s.kind == RT_SIM_PCT && m->laststeps > 0)
        s.steps_hint = m->laststeps;
    for (k = 0; k < RESCHED_SEEDS; k++, s.seed++) {
        m->record = r;
        ok = runspec(m, &s, sc, NULL, 0, &o);
        m->record = NULL;
        if (!ok)
            return false;
        if (!gs_outcome_finding(&o) || strcmp(o.key, m->key) != 0 ||
            r->overflow || r->len > cap)
            continue;
        memcpy(sched, r->buf, r->len);
        *n = r->len;
        return stillfails(sc, sched, *n, m);
    }
    return false;
}

/* safekey copies key into out keeping the characters that are safe in a
 * file name and a metadata line (as explore does). */
static void safekey(const char *key, char *out, size_t cap)
{
    size_t i;

    for (i = 0; key[i] != 0 && i + 1 < cap; i++) {
        char c = key[i];
        out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                         c == '-'
                     ? c
                     : '_';
    }
    out[i] = 0;
}

/* The rule replayed for the timeline, for timelinehook. */
static char wantrule[GS_MAX_RULE];

/* timelinehook is the throw hook of the timeline child: print the
 * timeline of the run up to the violation and whether it is the rule
 * minimized for, then exit 1. Never returns. */
static _Noreturn void timelinehook(const char *rule)
{
    rt_trace_timeline(stdout, TIMELINE_EVENTS);
    printf("min: the saved file violates rule %s%s\n", rule,
           strcmp(rule, wantrule) == 0 ? " (reproduced)" : " (NOT the key)");
    fflush(stdout);
    _exit(GS_EXIT_VIOLATION);
}

/*
 * timeline replays the saved file outp in a forked child (its stderr,
 * the violation report, dropped) and prints its timeline. Returns
 * whether the child ended as a violation of the rule key.
 */
static bool timeline(const char *outp, const char *key, uint64_t faults)
{
    char err[GS_ERRLEN];
    rt_sim_source src;
    rt_options opt;
    rt_stats st;
    gs_loaded l;
    gs_spec s;
    int status = 0;
    pid_t pid;

    if (gs_load(outp, &l, err, sizeof err) != GS_EXIT_OK) {
        fprintf(stderr, "gstorm min: %s\n", err);
        return false;
    }
    if (gs_spec_from_meta(l.meta, l.mlen, &s, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm min: %s: %s\n", outp, err);
        gs_unload(&l);
        return false;
    }
    s.faults = faults;
    snprintf(wantrule, sizeof wantrule, "%s", key);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        FILE *null = freopen("/dev/null", "w", stderr);
        (void)null;
        gs_spec_options(&s, l.sched, l.nsched, &src, &opt);
        opt.quiet = true;
        rt_set_throw_hook(timelinehook);
        if (rt_run(l.sc, &opt, &st) == RT_OK) {
            rt_trace_timeline(stdout, TIMELINE_EVENTS);
            printf("min: the saved file ran clean\n");
        }
        fflush(stdout);
        _exit(GS_EXIT_OK);
    }
    gs_unload(&l);
    if (pid < 0)
        return false;
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == GS_EXIT_VIOLATION;
}

/* printscenario prints sc's text form on stdout. Returns false when out
 * of memory. */
static bool printscenario(const rt_scenario *sc)
{
    size_t n = rt_scenario_format(sc, NULL, 0);
    char *text = malloc(n + 1);

    if (text == NULL)
        return false;
    rt_scenario_format(sc, text, n + 1);
    fwrite(text, 1, n, stdout);
    free(text);
    return true;
}

/*
 * explicitsched makes m->spec a bytes spec whose schedule *sched (a
 * malloc'd copy, *n bytes) gives the same finding as the input's: the
 * input's own bytes for a bytes spec, else the decisions of the input's
 * run recorded. Returns an exit code after a message on failure.
 */
static int explicitsched(minctx *m, const gs_loaded *l, uint8_t **sched,
                         size_t *n)
{
    rt_sim_record *r = m->shared;
    gs_outcome o;
    bool same;

    *sched = NULL;
    *n = 0;
    if (m->spec.kind == RT_SIM_BYTES) {
        *sched = malloc(l->nsched + 1);
        if (*sched == NULL)
            return GS_EXIT_INTERNAL;
        if (l->nsched > 0) /* no schedule: l->sched is NULL */
            memcpy(*sched, l->sched, l->nsched);
        *n = l->nsched;
        if (!stillfails(l->sc, *sched, *n, m)) {
            fprintf(stderr, "gstorm min: the input did not give %s again\n",
                    m->key);
            return GS_EXIT_INTERNAL;
        }
        m->inputp = m->lastp;
        return GS_EXIT_OK;
    }
    m->record = r;
    same = runspec(m, &m->spec, l->sc, NULL, 0, &o);
    m->record = NULL;
    m->inputp = r->preemptions;
    /* Room for a longer schedule from resched later: the recording's
     * own cap. */
    if (same && !r->overflow && (*sched = malloc(RECORD_CAP)) != NULL) {
        memcpy(*sched, r->buf, r->len);
        *n = r->len;
    }
    same = same && !r->overflow && *sched != NULL && strcmp(o.key, m->key) == 0;
    if (!same) {
        fprintf(stderr,
                "gstorm min: cannot record the %s schedule as bytes "
                "(the run changed, or its schedule is too long)\n",
                gs_strategy_name(m->spec.kind));
        return GS_EXIT_INTERNAL;
    }
    m->seeded = m->spec;
    m->spec.kind = RT_SIM_BYTES;
    m->spec.steps_hint = 0;
    if (!stillfails(l->sc, *sched, *n, m)) {
        fprintf(stderr,
                "gstorm min: the recorded schedule (%zu bytes) does not "
                "give %s again: a determinism bug in the sim's recording\n",
                *n, m->key);
        return GS_EXIT_INTERNAL;
    }
    return GS_EXIT_OK;
}

/*
 * save writes sc and sched to outp with the metadata of m->spec (rule=
 * the key, found-by=min; with regress, fault= and expect= instead of
 * faults= and rule=). Returns an exit code after a message on
 * failure.
 */
static int save(const minctx *m, const char *outp, const rt_scenario *sc,
                const uint8_t *sched, size_t n, bool regress)
{
    char meta[1024], err[GS_ERRLEN];
    gs_spec s = m->spec;

    safekey(m->key, s.rule, sizeof s.rule);
    if (regress) {
        /* A regression reproducer replays clean; --fault brings back
         * the finding it records as fault= and expect=. */
        s.regress = s.faults;
        s.faults = 0;
        memcpy(s.expect, s.rule, sizeof s.expect);
        s.rule[0] = 0;
    }
    snprintf(s.foundby, sizeof s.foundby, "min");
    s.run = 0;
    if (gs_spec_to_meta(&s, meta, sizeof meta) >= sizeof meta) {
        fprintf(stderr, "gstorm min: the metadata is too long\n");
        return GS_EXIT_INTERNAL;
    }
    if (gs_input_save(outp, sc, sched, n, meta, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm min: cannot save: %s\n", err);
        return GS_EXIT_INTERNAL;
    }
    return GS_EXIT_OK;
}

/* The settings of one `gstorm min`. */
typedef struct minflags {
    const char *path, *outp;
    uint64_t budget_s, runs, timeout_s, faults;
    bool fgiven, regress;
} minflags;

/* minparse parses min's arguments into *f. Returns GS_EXIT_OK, or
 * GS_EXIT_USAGE after a message; *help for --help. */
static int minparse(int argc, char **argv, minflags *f, bool *help)
{
    gs_strlist faults = {0};
    char err[GS_ERRLEN];
    size_t npos = 0;
    const gs_flag flags[] = {
        {"--output", "-o", GS_FLAG_STR, 0, 0, NULL, &f->outp, NULL},
        {"--budget-s", NULL, GS_FLAG_U64, 1, 7 * 24 * 3600, NULL, &f->budget_s,
         NULL},
        {"--runs", NULL, GS_FLAG_U64, 1, UINT32_MAX, NULL, &f->runs, NULL},
        {"--timeout", NULL, GS_FLAG_U64, 1, 24 * 3600, NULL, &f->timeout_s,
         NULL},
        {"--fault", NULL, GS_FLAG_LIST, 0, 0, NULL, &faults, NULL},
        {"--regress", NULL, GS_FLAG_BOOL, 0, 0, NULL, &f->regress, NULL},
    };
    int rc =
        gs_flags_parse("min", argc, argv, flags, sizeof flags / sizeof flags[0],
                       &f->path, 1, &npos, help);

    if (rc != GS_EXIT_OK || *help)
        return rc;
    if (gs_faults_select(&faults, &f->faults, &f->fgiven, err, sizeof err) !=
        RT_OK) {
        fprintf(stderr, "gstorm min: %s\n", err);
        return GS_EXIT_USAGE;
    }
    if (f->path == NULL || f->outp == NULL) {
        fprintf(stderr, "gstorm min: %s\n",
                f->path == NULL ? "no FILE given" : "no -o OUT given");
        minusage(stderr);
        return GS_EXIT_USAGE;
    }
    return GS_EXIT_OK;
}

/*
 * baseline runs the input as it is and sets m->key to its finding.
 * Returns -1 if it fails (go on), else min's exit code after saying why
 * there is nothing to minimize.
 */
static int baseline(minctx *m, const gs_loaded *l, const char *path)
{
    double t = gs_now();
    uint64_t bound;
    gs_outcome o;

    if (!runspec(m, &m->spec, l->sc, l->sched, l->nsched, &o)) {
        fprintf(stderr, "gstorm min: cannot start a run: %s\n", m->err);
        return GS_EXIT_INTERNAL;
    }
    if (o.kind == GS_OUT_ERROR) {
        fprintf(stderr, "gstorm min: %s: cannot run (error %d)\n", path,
                o.code);
        return GS_EXIT_USAGE;
    }
    if (!gs_outcome_finding(&o)) {
        printf("min: %s does not fail (%s): nothing to minimize\n", path,
               o.kind == GS_OUT_CLEAN ? "the run is clean"
                                      : "it only runs out of a resource");
        if (m->spec.rule[0] != 0)
            printf("min: note: its metadata records rule %s\n", m->spec.rule);
        return GS_EXIT_VIOLATION;
    }
    snprintf(m->key, sizeof m->key, "%s", o.key);
    if (m->spec.faults != 0) {
        /* With its faults off the input should run clean: then every
         * candidate must too (else the result could fail without the
         * fault, e.g. a SPIN long enough for a liveness bound alone). */
        gs_spec off = m->spec;
        gs_outcome c;
        off.faults = 0;
        if (!runspec(m, &off, l->sc, l->sched, l->nsched, &c)) {
            fprintf(stderr, "gstorm min: cannot start a run: %s\n", m->err);
            return GS_EXIT_INTERNAL;
        }
        m->cleancheck = c.kind == GS_OUT_CLEAN;
        if (!m->cleancheck)
            printf("min: note: %s fails without its faults too (%s); "
                   "candidates are not checked clean\n",
                   path, c.key[0] ? c.key : "not clean");
    }
    /* A candidate that runs far longer than the input has wandered off
     * (a spin under round-robin, a long cut): bound it by the input's
     * own time, so one such candidate cannot eat the budget. */
    bound = (uint64_t)(CANDIDATE_SLACK * (gs_now() - t)) + MIN_TIMEOUT_S;
    if (bound < m->timeout_s)
        m->timeout_s = bound;
    if (m->spec.rule[0] != 0 && strcmp(m->spec.rule, o.key) != 0)
        printf("min: note: the file records rule %s, the run gives %s; "
               "minimizing for %s\n",
               m->spec.rule, o.key, o.key);
    return -1;
}

/* cli_min is `gstorm min`: shrink a failing input. */
int cli_min(int argc, char **argv)
{
    minflags f = {.budget_s = DEFAULT_BUDGET_S,
                  .runs = DEFAULT_RUNS,
                  .timeout_s = DEFAULT_TIMEOUT_S};
    minctx *m = NULL;
    gs_shrinker sh = {0};
    gs_size before, recorded, after;
    uint8_t *sched = NULL;
    char err[GS_ERRLEN], how[96];
    double start = gs_now();
    size_t n = 0;
    gs_loaded l;
    bool help = false, loaded = false;
    int rc;

    rc = minparse(argc, argv, &f, &help);
    if (rc != GS_EXIT_OK || help) {
        if (help)
            minusage(stdout);
        return rc;
    }
    if ((m = calloc(1, sizeof *m)) == NULL)
        goto oom;
    rc = gs_load(f.path, &l, err, sizeof err);
    if (rc != GS_EXIT_OK) {
        fprintf(stderr, "gstorm: %s\n", err);
        goto out;
    }
    loaded = true;
    if (gs_spec_from_meta(l.meta, l.mlen, &m->spec, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm: %s: %s\n", f.path, err);
        rc = GS_EXIT_USAGE;
        goto out;
    }
    if (f.fgiven)
        m->spec.faults = f.faults;
    if (f.regress && m->spec.faults == 0) {
        fprintf(stderr, "gstorm min: --regress needs faults (--fault, "
                        "GSTORM_FAULT or the file's faults=)\n");
        rc = GS_EXIT_USAGE;
        goto out;
    }
    m->timeout_s = f.timeout_s;
    gs_size_of(l.sc, l.sched, l.nsched, &before);
    if (m->spec.kind == RT_SIM_BYTES)
        snprintf(how, sizeof how, "the input's schedule bytes");
    else
        snprintf(how, sizeof how, "recorded from %s seed %" PRIu64,
                 gs_strategy_name(m->spec.kind), m->spec.seed);
    m->shared = mmap(NULL, sizeof(rt_sim_record) + RECORD_CAP,
                     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m->shared == MAP_FAILED) {
        m->shared = NULL;
        fprintf(stderr, "gstorm min: cannot map a recording buffer\n");
        rc = GS_EXIT_INTERNAL;
        goto out;
    }
    m->shared->buf = (uint8_t *)(m->shared + 1);
    m->shared->cap = RECORD_CAP;
    if ((rc = baseline(m, &l, f.path)) >= 0)
        goto out;
    if ((rc = explicitsched(m, &l, &sched, &n)) != GS_EXIT_OK)
        goto out;
    gs_size_of(l.sc, sched, n, &recorded);
    sh.test = stillfails;
    sh.arg = m;
    if (m->seeded.kind != RT_SIM_BYTES) {
        sh.resched = resched;
        sh.sched_cap = RECORD_CAP;
    }
    sh.preempts = preempts;
    /* No more preemptions than the search's own run: a smaller program
     * that needs more of them is not simpler to understand. */
    sh.cap_preempts = true;
    sh.max_preempts = m->inputp;
    sh.max_tests = f.runs;
    sh.deadline = start + (double)f.budget_s;
    if (gs_shrink(&sh, l.sc, sched, &n) != RT_OK)
        goto oom;
    if (m->failed) {
        fprintf(stderr, "gstorm min: cannot start a run: %s\n", m->err);
        rc = GS_EXIT_INTERNAL;
        goto out;
    }
    if ((rc = save(m, f.outp, l.sc, sched, n, f.regress)) != GS_EXIT_OK)
        goto out;
    gs_size_of(l.sc, sched, n, &after);
    printf("# minimized: %s [%s]\n", f.outp, m->key);
    if (!printscenario(l.sc))
        goto oom;
    printf("# schedule: %zu bytes:", n);
    for (size_t i = 0; i < n; i++)
        printf(" %02x", sched[i]);
    printf("\n");
    printf("# timeline of %s replayed (the last %d events, one column "
           "per M):\n",
           f.outp, TIMELINE_EVENTS);
    if (!timeline(f.outp, m->key, m->spec.faults))
        printf("min: WARNING: %s did not reproduce %s when replayed\n", f.outp,
               m->key);
    printf("min: %s [%s]: goroutines %" PRIu64 " -> %" PRIu64 ", ops %" PRIu64
           " -> %" PRIu64 ", schedule bytes %" PRIu64 " -> %" PRIu64
           ", switches %" PRIu64 " -> %" PRIu64 ", preemptions %" PRIu64
           " -> %" PRIu64 " (schedule %s; %" PRIu64 " runs, %.1f s%s%s)\n",
           f.path, m->key, before.gs, after.gs, before.ops, after.ops,
           recorded.sched, after.sched, recorded.switches, after.switches,
           m->inputp, sh.best_preempts, how, sh.tests, gs_now() - start,
           sh.cut ? ", cut by a bound" : "",
           m->cleancheck ? ", clean without the faults" : "");
    printf("replay: gstorm replay %s --timeline\n", f.outp);
    rc = GS_EXIT_OK;
    goto out;
oom:
    fprintf(stderr, "gstorm min: out of memory\n");
    rc = GS_EXIT_INTERNAL;
out:
    if (loaded)
        gs_unload(&l);
    if (m != NULL && m->shared != NULL)
        munmap(m->shared, sizeof(rt_sim_record) + RECORD_CAP);
    free(sched);
    free(m);
    return rc;
}
