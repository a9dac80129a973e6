/*
 * test_child.c - one run in a child (child.c): every outcome class made
 * for real (clean, a rule, a rule of the resource checker, a timeout, a
 * refused run), the sanitizer-report keys, and the contract that a child
 * never outlives its parent, whether the parent is killed or asked to
 * stop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
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

    if (cur == NULL)
        atexit(freecur);
    free(cur);
    cur = sc;
    char err[256];

    if (rt_scenario_parse(text, strlen(text), sc, err, sizeof err) != RT_OK)
        test__fail(__FILE__, __LINE__, "scenario: %s", err);
    return sc;
}

/* A scenario that runs to its end on every schedule. */
static const char *clean = "prog main frame 2\n NEW 0\n GO w 0\n GC\n USE 0\n"
                           "end\nprog w frame 1\n CALL 3\n RET\nend\n"
                           "start main\n";

/* simopts fills a sim run with a seeded random schedule. */
static void simopts(rt_sim_source *src, rt_options *opt, uint64_t budget)
{
    memset(src, 0, sizeof *src);
    memset(opt, 0, sizeof *opt);
    src->kind = RT_SIM_RANDOM;
    src->seed = 3;
    src->step_budget = budget;
    opt->backend = RT_BACKEND_SIM;
    opt->sim = src;
}

TEST(child, clean_run_returns_its_stats)
{
    gs_childcfg cfg = {.quiet = true};
    rt_sim_source src;
    rt_options opt;
    gs_outcome o;
    char err[GS_ERRLEN];

    simopts(&src, &opt, 0);
    CHECK(gs_child_run(parse(clean), &opt, &cfg, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_CLEAN);
    CHECK_EQ(o.key[0], 0);
    CHECK_GE(o.st.gc_cycles, 1);
    CHECK_GT(o.st.ops, 0);
    CHECK(!gs_outcome_finding(&o));
}

TEST(child, a_violated_rule_is_a_finding_keyed_by_the_rule)
{
    gs_childcfg cfg = {.quiet = true};
    rt_sim_source src;
    rt_options opt;
    gs_outcome o;
    char err[GS_ERRLEN];

    /* The sim's step budget is the cheapest real violation: a run that
     * needs more yield points than allowed breaks liveness.budget. */
    simopts(&src, &opt, 50);
    CHECK(gs_child_run(parse(clean), &opt, &cfg, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_RULE);
    CHECK(strcmp(o.key, "liveness.budget") == 0);
    CHECK(gs_outcome_finding(&o));
}

TEST(child, a_refused_run_is_an_error_not_a_finding)
{
    gs_childcfg cfg = {.quiet = true};
    rt_options opt;
    gs_outcome o;
    char err[GS_ERRLEN];

    memset(&opt, 0, sizeof opt);
    opt.backend = RT_BACKEND_SIM; /* and no schedule source: refused */
    CHECK(gs_child_run(parse(clean), &opt, &cfg, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_ERROR);
    CHECK_EQ(o.code, RT_EINVAL);
    CHECK(!gs_outcome_finding(&o));
}

/* Whether address-space bounds apply (not under ASan or TSan, whose
 * shadow memory needs terabytes of address space). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BOUNDED_AS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define BOUNDED_AS 0
#endif
#endif
#ifndef BOUNDED_AS
#define BOUNDED_AS 1
#endif

TEST(child, running_out_of_memory_is_a_resource_not_a_finding)
{
    gs_childcfg cfg = {.quiet = true, .mem_mb = 32};
    char text[16384], err[GS_ERRLEN];
    rt_sim_source src;
    rt_options opt;
    gs_outcome o;
    size_t n;
    int i;

    if (!BOUNDED_AS) {
        printf("skipped: a sanitizer build applies no address-space bound\n");
        return;
    }
    /* 64 goroutines that each recurse 1000 frames of 64 slots (512 KiB
     * of stack each, copied as it doubles) and then park forever, keeping
     * their stacks: 32 MiB of stacks, past the bound with the program. */
    n = (size_t)snprintf(text, sizeof text, "prog deep frame 1\n");
    for (i = 0; i < 1000; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, " CALL 63\n");
    snprintf(text + n, sizeof text - n, " BLOCK 0\nend\nstart deep x64\n");
    simopts(&src, &opt, 0);
    CHECK(gs_child_run(parse(text), &opt, &cfg, &o, err, sizeof err));
    if (o.kind != GS_OUT_RESOURCE)
        test__fail(__FILE__, __LINE__, "outcome %d [%s], want a resource",
                   (int)o.kind, o.key);
    CHECK(!gs_outcome_finding(&o));
}

/* A run on real threads that sleeps in a system call for 15 ticks. */
static void sleeper(rt_options *opt, uint64_t tick_ns)
{
    memset(opt, 0, sizeof *opt);
    opt->backend = RT_BACKEND_THREADS;
    opt->tick_ns = tick_ns;
}
static const char *sleeps = "prog main\n SYSCALL 15\nend\nstart main\n";

TEST(child, a_run_past_its_bound_is_killed_as_a_timeout)
{
    gs_childcfg cfg = {.quiet = true, .timeout_s = 1};
    rt_options opt;
    gs_outcome o;
    char err[GS_ERRLEN];
    double t0 = gs_now();

    sleeper(&opt, 1000ull * 1000 * 1000); /* 15 s */
    CHECK(gs_child_run(parse(sleeps), &opt, &cfg, &o, err, sizeof err));
    CHECK_EQ(o.kind, GS_OUT_TIMEOUT);
    CHECK(strcmp(o.key, "timeout") == 0);
    /* The child's own watchdog ended it (at 1 s, with a dump), not the
     * parent's kill, which comes 5 s later. */
    CHECK_LT(gs_now() - t0, 4);
}

TEST(child, sanitizer_reports_give_their_keys)
{
    static const struct {
        const char *text, *key;
    } cases[] = {
        {"==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x6\n",
         "asan.heap-use-after-free"},
        {"x\nWARNING: ThreadSanitizer: data race (pid=5)\n  Write of size 4",
         "tsan.data-race"},
        {"g.c:12:3: runtime error: signed integer overflow: 1 + 2147483647",
         "ubsan.signed-integer-overflow"},
        {"==9==ERROR: LeakSanitizer: detected memory leaks\n", "lsan.leak"},
    };
    char key[GS_MAX_RULE];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK(gs_sanitizer_key(cases[i].text, key, sizeof key));
        if (strcmp(key, cases[i].key) != 0)
            test__fail(__FILE__, __LINE__, "case %zu: key '%s', want '%s'", i,
                       key, cases[i].key);
    }
    CHECK(
        !gs_sanitizer_key("gstorm: violation [scan.unowned]", key, sizeof key));
}

TEST(child, outcome_key_adds_a_hash_of_the_frames)
{
    gs_outcome a = {.kind = GS_OUT_SANITIZER}, b;
    char ka[GS_MAX_KEY], kb[GS_MAX_KEY];

    snprintf(a.key, sizeof a.key, "asan.heap-use-after-free");
    gs_outcome_key(&a, ka, sizeof ka);
    CHECK(strcmp(ka, "asan.heap-use-after-free") == 0); /* no frames */
    snprintf(a.frames, sizeof a.frames, "scanstack;markroot;gcmark");
    b = a;
    snprintf(b.frames, sizeof b.frames, "scanstack;markroot;quiesce");
    gs_outcome_key(&a, ka, sizeof ka);
    gs_outcome_key(&b, kb, sizeof kb);
    /* The key, '@', eight hex digits of the frames' FNV-1a hash. */
    CHECK(strncmp(ka, "asan.heap-use-after-free@", 25) == 0);
    CHECK_EQ(strlen(ka), 25 + 8);
    CHECK(strcmp(ka, kb) != 0); /* other frames, another group */
    gs_outcome_key(&a, kb, sizeof kb);
    CHECK(strcmp(ka, kb) == 0); /* and the same frames, the same */
}

/* runsleeper is the middle process of fs_orphan: the sleeper in a
 * child through gs_child_run. */
static void runsleeper(void)
{
    gs_childcfg cfg = {.quiet = true, .timeout_s = 60};
    rt_options opt;
    gs_outcome o;
    char err[GS_ERRLEN];

    sleeper(&opt, 1000ull * 1000 * 1000);
    gs_child_run(parse(sleeps), &opt, &cfg, &o, err, sizeof err);
}

/* orphan checks that the sleeper's child dies with its parent (fs_orphan). */
static void orphan(int sig)
{
    fs_orphan(sig, runsleeper);
}

TEST(child, dies_when_its_parent_is_killed)
{
    orphan(SIGKILL);
}

TEST(child, dies_before_its_parent_on_sigterm)
{
    orphan(SIGTERM);
}

TEST(child, dies_before_its_parent_on_sigint)
{
    orphan(SIGINT);
}
