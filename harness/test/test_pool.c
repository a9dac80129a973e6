/*
 * test_pool.c - the in-process run and the worker (pool.c): many runs in
 * one process, each giving the trace hash it gives in a fresh process; a
 * failed run (a rule, a hang, a crash) ends the worker, is classified as
 * a one-run child's would be, and the next run starts another; and a
 * worker never outlives its parent.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "hutil.h"
#include "test.h"

/* The scenario of the running test, freed by its end (LeakSanitizer). */
static rt_scenario *cur;

static void freecur(void)
{
    free(cur);
}

/* parse parses a scenario text into cur; a parse error fails the test. */
static rt_scenario *parse(const char *text)
{
    rt_scenario *sc = tu_newsc();
    char err[256];

    if (cur == NULL)
        atexit(freecur);
    free(cur);
    cur = sc;
    if (rt_scenario_parse(text, strlen(text), sc, err, sizeof err) != RT_OK)
        test__fail(__FILE__, __LINE__, "scenario: %s", err);
    return sc;
}

/* demo loads corpus/scenarios/demo.gs into cur: a scenario with many
 * interleavings, so that a run that depends on the runs before it shows
 * in its trace hash. */
static rt_scenario *demo(void)
{
    char err[GS_ERRLEN];
    int rc;

    if (cur == NULL)
        atexit(freecur);
    free(cur);
    cur = gs_loadscenario(GSTORM_SOURCE_DIR "/corpus/scenarios/demo.gs", err,
                          sizeof err, &rc);
    if (cur == NULL)
        test__fail(__FILE__, __LINE__, "demo.gs: %s", err);
    return cur;
}

/* A scenario that runs to its end on every schedule. */
static const char *clean = "prog main frame 2\n NEW 0\n GO w 0\n GC\n USE 0\n"
                           "end\nprog w frame 1\n CALL 3\n RET\nend\n"
                           "start main\n";

/* Four goroutines of 200 SPINs of 65535: tens of millions of yield
 * points, seconds of real time on the sim. */
static rt_scenario *longrun(void)
{
    static char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "prog long\n");
    int i;

    for (i = 0; i < 200; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, " SPIN 65535\n");
    snprintf(text + n, sizeof text - n, "end\nstart long x4\n");
    return parse(text);
}

/* spec is a seeded random run. */
static gs_spec spec(uint64_t seed, uint64_t budget)
{
    gs_spec s;

    gs_spec_default(&s);
    s.kind = RT_SIM_RANDOM;
    s.seed = seed;
    s.step_budget = budget;
    return s;
}

/* fresh is the trace hash of s's run in a fresh child (gs_child_run). */
static uint64_t fresh(const rt_scenario *sc, const gs_spec *s)
{
    gs_childcfg cfg = {.quiet = true};
    char err[GS_ERRLEN];
    rt_sim_source src;
    rt_options opt;
    gs_outcome o;

    gs_spec_options(s, NULL, 0, &src, &opt);
    opt.quiet = true;
    CHECK(gs_child_run(sc, &opt, &cfg, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_CLEAN);
    return o.st.trace_hash;
}

TEST(pool, a_worker_runs_many_inputs_in_one_process)
{
    gs_childcfg cfg = {.quiet = true};
    char err[GS_ERRLEN];
    gs_worker w;
    gs_outcome o;
    gs_spec s;
    pid_t pid = 0;
    uint64_t i;

    gs_worker_init(&w, parse(clean), &cfg);
    CHECK_EQ(w.pid, 0); /* nothing starts before the first run */
    for (i = 1; i <= 50; i++) {
        s = spec(i, 0);
        CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
        CHECK_EQ(o.kind, GS_OUT_CLEAN);
        CHECK_GE(o.st.gc_cycles, 1);
        if (i == 1)
            pid = w.pid;
        CHECK_EQ(w.pid, pid);
    }
    CHECK_GT(pid, 0);
    CHECK_EQ(w.started, 1);
    CHECK_EQ(w.served, 50);
    gs_worker_stop(&w);
    CHECK_EQ(w.pid, 0);
    CHECK(kill(pid, 0) != 0); /* reaped: no such process */
}

TEST(pool, a_run_after_others_gives_the_hash_of_a_fresh_process)
{
    gs_childcfg cfg = {.quiet = true};
    const rt_scenario *sc = demo();
    static const uint64_t seeds[] = {7, 30, 1234};
    char err[GS_ERRLEN];
    uint64_t i, k, want, hashes = 0, first = 0;
    gs_worker w;
    gs_outcome o;
    gs_spec s;

    gs_worker_init(&w, sc, &cfg);
    for (k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        s = spec(seeds[k], 0);
        want = fresh(sc, &s);
        /* Forty other runs in the same worker first. */
        for (i = 0; i < 40; i++) {
            gs_spec t = spec(1000 + 40 * k + i, 0);
            CHECK(gs_worker_run(&w, &t, NULL, 0, NULL, 0, &o, err, sizeof err));
            CHECK_EQ(o.kind, GS_OUT_CLEAN);
            hashes ^= o.st.trace_hash;
        }
        CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
        CHECK_EQ(o.kind, GS_OUT_CLEAN);
        if (o.st.trace_hash != want)
            test__fail(__FILE__, __LINE__,
                       "seed %llu: hash %016llx after %llu runs in a worker, "
                       "%016llx in a fresh process",
                       (unsigned long long)seeds[k],
                       (unsigned long long)o.st.trace_hash,
                       (unsigned long long)w.served - 1,
                       (unsigned long long)want);
        if (k == 0)
            first = want;
    }
    CHECK_EQ(w.started, 1);
    /* The check could not pass by accident: seeds give different runs. */
    CHECK(first != want);
    CHECK(hashes != 0);
    gs_worker_stop(&w);
}

TEST(pool, runs_sent_ahead_give_their_own_answers)
{
    gs_childcfg cfg = {.quiet = true};
    const rt_scenario *sc = demo();
    char err[GS_ERRLEN];
    uint64_t want[41], i, j;
    gs_worker w;
    gs_outcome o;
    gs_spec s, next[GS_WORKER_AHEAD], other;
    size_t nnext;

    /* The hashes of seeds 1..40, one request at a time. */
    gs_worker_init(&w, sc, &cfg);
    for (i = 1; i <= 40; i++) {
        s = spec(i, 0);
        CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
        CHECK_EQ(o.kind, GS_OUT_CLEAN);
        want[i] = o.st.trace_hash;
    }
    gs_worker_stop(&w);
    /* The same, each with the runs after it sent ahead: each answer is
     * its own run's, in one worker. */
    gs_worker_init(&w, sc, &cfg);
    for (i = 1; i <= 40; i++) {
        s = spec(i, 0);
        for (nnext = 0, j = i + 1; j <= 40 && nnext < GS_WORKER_AHEAD; j++)
            next[nnext++] = spec(j, 0);
        CHECK(gs_worker_run(&w, &s, NULL, 0, next, nnext, &o, err, sizeof err));
        CHECK_EQ(o.kind, GS_OUT_CLEAN);
        if (o.st.trace_hash != want[i])
            test__fail(__FILE__, __LINE__, "seed %llu: %016llx, want %016llx",
                       (unsigned long long)i,
                       (unsigned long long)o.st.trace_hash,
                       (unsigned long long)want[i]);
        CHECK_EQ(w.nq, nnext);
    }
    CHECK_EQ(w.started, 1);
    CHECK_EQ(w.served, 40);
    /* Asking for another run than the one sent ahead replaces the
     * worker, and the answer is the asked run's. */
    s = spec(3, 0);
    next[0] = spec(4, 0);
    next[1] = spec(5, 0);
    CHECK(gs_worker_run(&w, &s, NULL, 0, next, 2, &o, err, sizeof err));
    other = spec(7, 0);
    CHECK(gs_worker_run(&w, &other, NULL, 0, NULL, 0, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_CLEAN);
    CHECK_EQ(o.st.trace_hash, want[7]);
    CHECK_EQ(w.started, 2);
    /* A run sent ahead that ends the worker: the runs before it are
     * still answered as their own (run again alone if their answers were
     * lost with the worker), and it is found when asked for. */
    for (i = 0; i < 4; i++)
        next[i] = spec(11 + i, 0);
    next[2].step_budget = 50; /* seed 13 breaks liveness.budget */
    s = spec(10, 0);
    CHECK(gs_worker_run(&w, &s, NULL, 0, next, 4, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_CLEAN);
    CHECK_EQ(o.st.trace_hash, want[10]);
    for (i = 0; i < 4; i++) {
        CHECK(gs_worker_run(&w, &next[i], NULL, 0, next + i + 1, 3 - i, &o, err,
                            sizeof err));
        if (i == 2) {
            CHECK_EQ(o.kind, GS_OUT_RULE);
            CHECK(strcmp(o.key, "liveness.budget") == 0);
        } else {
            CHECK_EQ(o.kind, GS_OUT_CLEAN);
            CHECK_EQ(o.st.trace_hash, want[11 + i]);
        }
    }
    gs_worker_stop(&w);
}

TEST(pool, a_violated_rule_ends_the_worker_and_the_next_run_starts_another)
{
    gs_childcfg cfg = {.quiet = true};
    char err[GS_ERRLEN];
    gs_worker w;
    gs_outcome o;
    gs_spec s;
    pid_t pid;

    gs_worker_init(&w, parse(clean), &cfg);
    s = spec(3, 0);
    CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_CLEAN);
    pid = w.pid;
    /* The sim's step budget: the cheapest real violation. */
    s = spec(3, 50);
    CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_RULE);
    CHECK(strcmp(o.key, "liveness.budget") == 0);
    CHECK(gs_outcome_finding(&o));
    CHECK_EQ(w.pid, 0);
    CHECK(kill(pid, 0) != 0);
    s = spec(3, 0);
    CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_CLEAN);
    CHECK_EQ(w.started, 2);
    CHECK(w.pid != pid);
    gs_worker_stop(&w);
}

TEST(pool, a_refused_run_leaves_the_worker_running)
{
    gs_childcfg cfg = {.quiet = true};
    char err[GS_ERRLEN];
    gs_worker w;
    gs_outcome o;
    gs_spec s;

    gs_worker_init(&w, parse(clean), &cfg);
    s = spec(3, 0);
    s.kind = 99; /* no such schedule source: rt_run refuses it */
    CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_ERROR);
    CHECK_EQ(o.code, RT_EINVAL);
    CHECK_GT(w.pid, 0);
    s = spec(3, 0);
    CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_CLEAN);
    CHECK_EQ(w.started, 1);
    gs_worker_stop(&w);
}

TEST(pool, a_run_past_its_bound_is_a_timeout)
{
    gs_childcfg cfg = {.quiet = true, .timeout_s = 1};
    char err[GS_ERRLEN];
    double t0 = gs_now();
    gs_worker w;
    gs_outcome o;
    gs_spec s = spec(1, 1000ull * 1000 * 1000 * 1000);

    gs_worker_init(&w, longrun(), &cfg);
    CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
    if (o.kind != GS_OUT_TIMEOUT)
        test__fail(__FILE__, __LINE__, "outcome %d [%s], want a timeout",
                   (int)o.kind, o.key);
    CHECK(strcmp(o.key, "timeout") == 0);
    /* The worker's own watchdog ended it (at 1 s), not the parent's
     * kill, which comes 5 s later. */
    CHECK_LT(gs_now() - t0, 4);
    CHECK_EQ(w.pid, 0);
    gs_worker_stop(&w);
}

/* signalsiblings is a child's: after 300 ms, send sig to every other
 * child of its parent (the worker). Never returns. */
static _Noreturn void signalsiblings(int sig)
{
    pid_t parent = getppid(), pid;
    char path[64];
    FILE *f;

    usleep(300 * 1000);
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)parent,
             (int)parent);
    f = fopen(path, "r");
    if (f != NULL) {
        while (fscanf(f, "%d", &pid) == 1)
            if (pid != getpid())
                kill(pid, sig);
        fclose(f);
    }
    _exit(0);
}

/* segvrun runs s in a fresh child (gs_child_run) while a sibling sends
 * it SIGSEGV after 300 ms, and fills *o: how a crash of a one-run child
 * is classified in this build (a signal, or a sanitizer's SEGV report). */
static void segvrun(const rt_scenario *sc, const gs_spec *s, gs_outcome *o)
{
    gs_childcfg cfg = {.quiet = true};
    char err[GS_ERRLEN];
    rt_sim_source src;
    rt_options opt;
    pid_t killer;
    int status;

    gs_spec_options(s, NULL, 0, &src, &opt);
    opt.quiet = true;
    killer = fork();
    CHECK_GE(killer, 0);
    if (killer == 0)
        signalsiblings(SIGSEGV);
    CHECK(gs_child_run(sc, &opt, &cfg, o, err, sizeof err));
    CHECK_EQ(waitpid(killer, &status, 0), killer);
}

TEST(pool, a_worker_that_crashes_is_classified_as_a_child_would_be)
{
    gs_childcfg cfg = {.quiet = true};
    const rt_scenario *sc = longrun();
    char err[GS_ERRLEN];
    gs_worker w;
    gs_outcome o, want;
    gs_spec s = spec(1, 1000ull * 1000 * 1000 * 1000);
    pid_t killer;
    int status;

    segvrun(sc, &s, &want);
    CHECK(want.kind == GS_OUT_SIGNAL || want.kind == GS_OUT_SANITIZER);
    gs_worker_init(&w, sc, &cfg);
    /* The same segfault in the middle of a long run in a worker. */
    killer = fork();
    CHECK_GE(killer, 0);
    if (killer == 0)
        signalsiblings(SIGSEGV);
    CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
    CHECK_EQ(waitpid(killer, &status, 0), killer);
    if (o.kind != want.kind || strcmp(o.key, want.key) != 0)
        test__fail(__FILE__, __LINE__,
                   "worker: outcome %d [%s], a fresh child: %d [%s]",
                   (int)o.kind, o.key, (int)want.kind, want.key);
    CHECK(gs_outcome_finding(&o));
    CHECK_EQ(w.pid, 0);
    /* The next run gets a new worker. */
    s.step_budget = 1000;
    CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_RULE);
    CHECK_EQ(w.started, 2);
    gs_worker_stop(&w);
}

TEST(pool, a_silent_worker_is_killed_at_the_parents_deadline)
{
    gs_childcfg cfg = {.quiet = true, .timeout_s = 1};
    char err[GS_ERRLEN];
    double t0 = gs_now(), dt;
    gs_worker w;
    gs_outcome o;
    gs_spec s = spec(1, 1000ull * 1000 * 1000 * 1000);
    pid_t stopper;
    int status;

    /* A stopped worker's watchdog cannot fire: only the parent's
     * deadline (its bound and 5 s of grace) ends it. */
    gs_worker_init(&w, longrun(), &cfg);
    stopper = fork();
    CHECK_GE(stopper, 0);
    if (stopper == 0)
        signalsiblings(SIGSTOP);
    CHECK(gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err));
    CHECK_EQ(waitpid(stopper, &status, 0), stopper);
    dt = gs_now() - t0;
    if (o.kind != GS_OUT_TIMEOUT)
        test__fail(__FILE__, __LINE__, "outcome %d [%s], want a timeout",
                   (int)o.kind, o.key);
    CHECK_GE(dt, 5);
    CHECK_LT(dt, 30);
    CHECK_EQ(w.pid, 0);
    gs_worker_stop(&w);
}

/* runworker is the middle process of fs_orphan: a long run in a worker. */
static void runworker(void)
{
    gs_childcfg cfg = {.quiet = true, .timeout_s = 60};
    char err[GS_ERRLEN];
    gs_worker w;
    gs_outcome o;
    gs_spec s = spec(1, 1000ull * 1000 * 1000 * 1000);

    gs_worker_init(&w, longrun(), &cfg);
    gs_worker_run(&w, &s, NULL, 0, NULL, 0, &o, err, sizeof err);
}

TEST(pool, a_worker_dies_when_its_parent_is_killed)
{
    fs_orphan(SIGKILL, runworker);
}

TEST(pool, a_worker_dies_before_its_parent_on_sigterm)
{
    fs_orphan(SIGTERM, runworker);
}

TEST(pool, a_worker_dies_before_its_parent_on_sigint)
{
    fs_orphan(SIGINT, runworker);
}
