/*
 * test_shrink.c - the minimizer's passes (shrink.c) on synthetic tests
 * that need no run, the top-frames parser, and the sim's recording of a
 * schedule as bytes (rt_sim_source.record), which `gstorm min` relies on
 * to turn a seeded run into an explicit one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test.h"

/* parse parses a text scenario; the test fails if it does not. */
static rt_scenario *parse(const char *text)
{
    rt_scenario *sc = tu_newsc();
    char err[256];

    if (rt_scenario_parse(text, strlen(text), sc, err, sizeof err) != RT_OK)
        test__fail(__FILE__, __LINE__, "%s", err);
    return sc;
}

/*
 * busy builds a scenario of three programs: main does a bit of
 * everything, spawns the other two, and has one SPIN 100 in the middle;
 * the others are filler. It starts main, a, main.
 */
static rt_scenario *busy(void)
{
    return parse("prog main frame 4\n"
                 "    NEW 0\n    GO a 0\n    CALL 7\n    SPIN 100\n"
                 "    RET\n    GO b 0\n    GC\n    USE 0\n"
                 "end\n"
                 "prog a frame 4\n    NEW 1\n    SYSCALL 3\n    WAKE 2\nend\n"
                 "prog b frame 4\n    YIELD\n    GC\nend\n"
                 "start main\nstart a\nstart main\n");
}

/* hasspin is a test: program 0 still has a SPIN. */
static bool hasspin(const rt_scenario *sc, const uint8_t *sched, size_t n,
                    void *arg)
{
    uint32_t i;

    (void)sched;
    (void)n;
    (void)arg;
    for (i = 0; i < sc->progs[0].nins; i++)
        if (sc->progs[0].ins[i].op == RT_OP_SPIN)
            return true;
    return false;
}

TEST(shrink, a_test_on_one_op_shrinks_to_that_op_alone)
{
    rt_scenario *sc = busy();
    gs_shrinker s = {.test = hasspin};
    uint8_t sched[4] = {0x21, 0x03, 0x40, 0x05};
    size_t n = sizeof sched;
    gs_size z;

    CHECK_EQ(gs_shrink(&s, sc, sched, &n), RT_OK);
    CHECK_EQ(sc->nstart, 1);
    CHECK_EQ(sc->start[0], 0);
    CHECK_EQ(sc->nprogs, 1); /* p1 and p2: their GOs and starts went */
    CHECK_EQ(sc->progs[0].nins, 1);
    CHECK_EQ(sc->progs[0].ins[0].op, RT_OP_SPIN);
    CHECK_EQ(sc->progs[0].ins[0].a, 0); /* SPIN 100 lowered to 0 */
    CHECK_EQ(n, 0);                     /* the test ignores the schedule */
    gs_size_of(sc, sched, n, &z);
    CHECK_EQ(z.gs, 1);
    CHECK_EQ(z.ops, 1);
    CHECK(!s.cut);
    CHECK_GT(s.tests, 0);
    free(sc);
}

TEST(shrink, the_result_is_canonical_and_saves)
{
    rt_scenario *sc = busy();
    gs_shrinker s = {.test = hasspin};
    uint8_t sched[1] = {7}, *file = NULL;
    size_t n = 1, len;
    char err[GS_ERRLEN];

    CHECK_EQ(gs_shrink(&s, sc, sched, &n), RT_OK);
    /* gs_input_file refuses a scenario whose unused fields are not zero:
     * every deleted instruction, start and program must be cleared. */
    CHECK_EQ(
        gs_input_file(sc, sched, n, "rule=x", &file, &len, err, sizeof err),
        RT_OK);
    free(file);
    free(sc);
}

/* always is a test that counts its calls (in *arg) and always passes. */
static bool always(const rt_scenario *sc, const uint8_t *sched, size_t n,
                   void *arg)
{
    (void)sc;
    (void)sched;
    (void)n;
    ++*(int *)arg;
    return true;
}

TEST(shrink, max_tests_bounds_the_candidates_tried)
{
    rt_scenario *sc = busy();
    int calls = 0;
    gs_shrinker s = {.test = always, .arg = &calls, .max_tests = 5};
    uint8_t sched[2] = {1, 2};
    size_t n = 2;

    CHECK_EQ(gs_shrink(&s, sc, sched, &n), RT_OK);
    CHECK_EQ(calls, 5);
    CHECK_EQ(s.tests, 5);
    CHECK(s.cut);
    free(sc);
}

/* offset3 is a test: some schedule byte switches 3 places on. */
static bool offset3(const rt_scenario *sc, const uint8_t *sched, size_t n,
                    void *arg)
{
    size_t i;

    (void)sc;
    (void)arg;
    for (i = 0; i < n; i++)
        if ((sched[i] & 31) == 3)
            return true;
    return false;
}

TEST(shrink, a_schedule_shrinks_to_the_one_decision_that_matters)
{
    rt_scenario *sc = busy();
    gs_shrinker s = {.test = offset3};
    uint8_t sched[64];

    uint64_t r = 99;
    size_t n = sizeof sched, i;

    for (i = 0; i < n; i++)
        sched[i] = (uint8_t)(tu_rnd(&r) & ~31u) | 1; /* offset 1 */
    sched[40] = 0xe3; /* offset 3, a slice of 128 */
    CHECK(gs_shrink_sched(&s, sc, sched, &n));
    CHECK_EQ(n, 1);
    CHECK_EQ(sched[0], 0x03); /* the slice lowered to one point */
    free(sc);
}

/* switches is a preemption count for tests: the schedule bytes of the
 * last test that switch (every switch taken for a preemption). */
static uint64_t lastswitches;
static uint64_t switches(void *arg)
{
    (void)arg;
    return lastswitches;
}

/* offset3counted is offset3 that also counts the switches. */
static bool offset3counted(const rt_scenario *sc, const uint8_t *sched,
                           size_t n, void *arg)
{
    size_t i;

    lastswitches = 0;
    for (i = 0; i < n; i++)
        lastswitches += (sched[i] & 31) != 0;
    return offset3(sc, sched, n, arg);
}

TEST(shrink, preemptions_go_in_their_own_step_keeping_the_slices)
{
    rt_scenario *sc = busy();
    gs_shrinker s = {.test = offset3counted, .preempts = switches};
    uint8_t sched[5] = {0x21, 0x43, 0x02, 0x01, 0x00};
    size_t n = sizeof sched;

    s.best_preempts = 4;
    CHECK(gs_shrink_preempts(&s, sc, sched, &n));
    CHECK_EQ(s.best_preempts, 1);
    CHECK_EQ(n, 5); /* offsets zeroed, slices and length kept */
    CHECK_EQ(sched[0], 0x20);
    CHECK_EQ(sched[1], 0x43);
    CHECK_EQ(sched[2], 0x00);
    CHECK_EQ(sched[3], 0x00);
    /* No candidate with as many preemptions is kept: nothing to do. */
    CHECK(!gs_shrink_preempts(&s, sc, sched, &n));
    free(sc);
}

/* spin60 is a test: program 0 spins 60 or more in all and has a GC. */
static bool spin60(const rt_scenario *sc, const uint8_t *sched, size_t n,
                   void *arg)
{
    uint32_t i, sum = 0;
    bool gc = false;

    (void)sched;
    (void)n;
    (void)arg;
    for (i = 0; i < sc->progs[0].nins; i++) {
        sum += sc->progs[0].ins[i].op == RT_OP_SPIN ? sc->progs[0].ins[i].a : 0;
        gc |= sc->progs[0].ins[i].op == RT_OP_GC;
    }
    return gc && sum >= 60;
}

TEST(shrink, ranges_fold_into_one_spin_of_the_same_length)
{
    rt_scenario *sc = parse("prog main frame 4\n"
                            "    SPIN 20\n    CALL 1\n    RET\n"
                            "    SPIN 20\n    CALL 1\n    RET\n"
                            "    SPIN 20\n    GC\n"
                            "end\nstart main\n");
    gs_shrinker s = {.test = spin60};
    size_t n = 0;

    CHECK_EQ(gs_shrink(&s, sc, NULL, &n), RT_OK);
    CHECK_EQ(sc->progs[0].nins, 2);
    CHECK_EQ(sc->progs[0].ins[0].op, RT_OP_SPIN);
    CHECK_EQ(sc->progs[0].ins[0].a, 60);
    CHECK_EQ(sc->progs[0].ins[1].op, RT_OP_GC);
    free(sc);
}

/* paired is a test: program 0 has a GC and as many CALLs as RETs. */
static bool paired(const rt_scenario *sc, const uint8_t *sched, size_t n,
                   void *arg)
{
    uint32_t i;
    int depth = 0;
    bool gc = false;

    (void)sched;
    (void)n;
    (void)arg;
    for (i = 0; i < sc->progs[0].nins; i++) {
        depth += sc->progs[0].ins[i].op == RT_OP_CALL;
        depth -= sc->progs[0].ins[i].op == RT_OP_RET;
        gc |= sc->progs[0].ins[i].op == RT_OP_GC;
    }
    return gc && depth == 0;
}

TEST(shrink, a_call_and_its_ret_go_together)
{
    rt_scenario *sc = parse("prog main frame 4\n"
                            "    CALL 1\n    GC\n    RET\n"
                            "end\nstart main\n");
    gs_shrinker s = {.test = paired};
    size_t n = 0;

    /* Alone, no single deletion, range or truncation keeps the test. */
    CHECK_EQ(gs_shrink(&s, sc, NULL, &n), RT_OK);
    CHECK_EQ(sc->progs[0].nins, 1);
    CHECK_EQ(sc->progs[0].ins[0].op, RT_OP_GC);
    free(sc);
}

/* gowake is a test: program 0 has a GO whose target (modulo nprogs, as
 * the VM reads it) has a WAKE. */
static bool gowake(const rt_scenario *sc, const uint8_t *sched, size_t n,
                   void *arg)
{
    uint32_t i, j;

    (void)sched;
    (void)n;
    (void)arg;
    for (i = 0; i < sc->progs[0].nins; i++) {
        const rt_prog *t;
        if (sc->progs[0].ins[i].op != RT_OP_GO)
            continue;
        t = &sc->progs[sc->progs[0].ins[i].a % sc->nprogs];
        for (j = 0; j < t->nins; j++)
            if (t->ins[j].op == RT_OP_WAKE)
                return true;
    }
    return false;
}

TEST(shrink, removing_a_program_renumbers_the_gos_after_it)
{
    rt_scenario *sc = parse("prog main frame 2\n    GO c 0\nend\n"
                            "prog b frame 2\n    YIELD\nend\n"
                            "prog c frame 2\n    WAKE 1\nend\n"
                            "start main\n"); /* nothing starts b */
    gs_shrinker s = {.test = gowake};
    size_t n = 0;

    s.cand = tu_newsc();
    CHECK(gs_shrink_progs(&s, sc, NULL, &n));
    CHECK_EQ(sc->nprogs, 2);
    CHECK_EQ(sc->progs[0].ins[0].a, 1); /* GO p2 is now GO p1 */
    CHECK_EQ(sc->progs[1].ins[0].op, RT_OP_WAKE);
    CHECK_EQ(sc->progs[2].nins, 0); /* the old last program is cleared */
    CHECK(gowake(sc, NULL, 0, NULL));
    free(s.cand);
    free(sc);
}

/* spinat is a test tied to its schedule, as a recorded one is: program
 * 0 has a SPIN, and the schedule's one byte is its length. */
static bool spinat(const rt_scenario *sc, const uint8_t *sched, size_t n,
                   void *arg)
{
    return hasspin(sc, sched, n, arg) && n == 1 &&
           sched[0] == sc->progs[0].nins;
}

/* rechoose is spinat's resched: the schedule that fits sc. */
static bool rechoose(const rt_scenario *sc, uint8_t *sched, size_t *n,
                     size_t cap, void *arg)
{
    if (cap < 1)
        return false;
    sched[0] = (uint8_t)sc->progs[0].nins;
    *n = 1;
    return spinat(sc, sched, *n, arg);
}

TEST(shrink, resched_lets_a_change_that_broke_the_schedule_through)
{
    rt_scenario *sc = busy();
    uint8_t sched[1] = {8}; /* main's 8 instructions */
    size_t n = 1;
    gs_shrinker plain = {.test = spinat};
    gs_shrinker re = {.test = spinat, .resched = rechoose};

    /* Without resched no instruction can go: each deletion breaks the
     * schedule. With it, main shrinks to its SPIN, the schedule to 1. */
    CHECK_EQ(gs_shrink(&plain, sc, sched, &n), RT_OK);
    CHECK_EQ(sc->progs[0].nins, 8);
    CHECK_EQ(gs_shrink(&re, sc, sched, &n), RT_OK);
    CHECK_EQ(sc->progs[0].nins, 1);
    CHECK_EQ(sc->progs[0].ins[0].op, RT_OP_SPIN);
    CHECK_EQ(n, 1);
    CHECK_EQ(sched[0], 1);
    free(sc);
}

TEST(shrink, the_same_input_gives_the_same_result)
{
    rt_scenario *a = busy(), *b = busy();
    uint8_t sa[16], sb[16];
    size_t na = 16, nb = 16, i;

    for (i = 0; i < 16; i++)
        sa[i] = sb[i] = (uint8_t)(i * 37);
    CHECK_EQ(gs_shrink(&(gs_shrinker){.test = offset3}, a, sa, &na), RT_OK);
    CHECK_EQ(gs_shrink(&(gs_shrinker){.test = offset3}, b, sb, &nb), RT_OK);
    CHECK_EQ(na, nb);
    CHECK(memcmp(sa, sb, na) == 0);
    CHECK(memcmp(a, b, sizeof *a) == 0);
    free(a);
    free(b);
}

TEST(shrink, top_frames_names_the_first_three_functions)
{
    const char *report =
        "==1==ERROR: AddressSanitizer: heap-use-after-free on address\n"
        "READ of size 8 at 0x602 thread T0\n"
        "    #0 0x4f1a2b in scanframe /src/rt/src/stack.c:120:5\n"
        "    #1 0x4f1c00 in scanstack /src/rt/src/gc.c:88\n"
        "    #2 0x4f2000 in markroot (/bin/gstorm+0x4f2000)\n"
        "    #3 0x4f3000 in gcmark /src/rt/src/gc.c:300\n";
    char buf[GS_MAX_RULE];

    CHECK_EQ(gs_top_frames(report, buf, sizeof buf), 3);
    CHECK(strcmp(buf, "scanframe;scanstack;markroot") == 0);
    CHECK_EQ(gs_top_frames("no stack here\n#x in y\n", buf, sizeof buf), 0);
    CHECK_EQ(buf[0], 0);
}

/* demo loads corpus/scenarios/demo.gs (clean under every schedule). */
static rt_scenario *demo(void)
{
    char err[GS_ERRLEN];
    int rc;
    rt_scenario *sc = gs_loadscenario(
        GSTORM_SOURCE_DIR "/corpus/scenarios/demo.gs", err, sizeof err, &rc);

    if (sc == NULL)
        test__fail(__FILE__, __LINE__, "%s", err);
    return sc;
}

TEST(shrink, a_recorded_random_schedule_replays_as_bytes)
{
    rt_scenario *sc = demo();
    static uint8_t buf[1 << 20], copy[1 << 20];
    rt_sim_record rec = {buf, sizeof buf, 0, false, 0};
    uint64_t seed, p;

    for (seed = 1; seed <= 6; seed++) {
        gs_spec s;
        rt_sim_source src;
        rt_options opt;
        rt_stats a, b;
        gs_spec_default(&s);
        s.kind = seed % 3 == 0 ? RT_SIM_PCT : RT_SIM_RANDOM;
        s.seed = seed;
        gs_spec_options(&s, NULL, 0, &src, &opt);
        opt.quiet = true;
        src.record = &rec;
        CHECK_EQ(rt_run(sc, &opt, &a), RT_OK);
        CHECK(!rec.overflow);
        CHECK_GT(rec.len, 0);
        CHECK_GT(rec.preemptions, 0); /* random and PCT do preempt */
        p = rec.preemptions;
        s.kind = RT_SIM_BYTES;
        gs_spec_options(&s, copy, rec.len, &src, &opt);
        memcpy(copy, buf, rec.len);
        opt.quiet = true;
        src.record = &rec; /* the bytes replay records the same choices */
        CHECK_EQ(rt_run(sc, &opt, &b), RT_OK);
        CHECK_EQ(b.sim_steps, a.sim_steps);
        CHECK_EQ(b.trace_hash, a.trace_hash);
        CHECK_EQ(rec.preemptions, p);
    }
    free(sc);
}

TEST(shrink, a_recording_too_long_for_its_buffer_says_so)
{
    rt_scenario *sc = demo();
    uint8_t buf[4];
    rt_sim_record rec = {buf, sizeof buf, 0, false, 0};
    gs_spec s;
    rt_sim_source src;
    rt_options opt;
    rt_stats st;

    gs_spec_default(&s);
    s.kind = RT_SIM_RANDOM;
    s.seed = 1;
    gs_spec_options(&s, NULL, 0, &src, &opt);
    opt.quiet = true;
    src.record = &rec;
    CHECK_EQ(rt_run(sc, &opt, &st), RT_OK);
    CHECK(rec.overflow);
    CHECK_LE(rec.len, sizeof buf);
    free(sc);
}
