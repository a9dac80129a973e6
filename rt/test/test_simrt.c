/*
 * test_simrt.c - the runtime on the sim backend: runs complete under
 * every schedule source, and the same source gives the same run.
 */
#include <string.h>

#include "harness.h"
#include "os/sanitizer.h"
#include "testutil.h"

static rt_stats simrun(const rt_scenario *sc, uint32_t kind, uint64_t seed)
{
    rt_sim_source src;
    rt_options opt;

    memset(&src, 0, sizeof src);
    src.kind = kind;
    src.seed = seed;
    src.depth = 3;
    memset(&opt, 0, sizeof opt);
    opt.backend = RT_BACKEND_SIM;
    opt.sim = &src;
    opt.seed = seed;
    return tu_runopt(sc, &opt);
}

TEST(simrt, demo_runs_clean_under_every_source)
{
    FILE *f = fopen(GSTORM_SOURCE_DIR "/corpus/scenarios/demo.gs", "rb");
    char *text = calloc(1, 1 << 16);
    rt_scenario *sc;
    rt_stats st;
    uint32_t kind;
    uint64_t seed;

    CHECK(f != NULL && text != NULL);
    CHECK_GT(fread(text, 1, (1 << 16) - 1, f), 0);
    fclose(f);
    sc = tu_parse(text);
    free(text);
    for (kind = RT_SIM_RANDOM; kind <= RT_SIM_RR; kind++)
        for (seed = 1; seed <= 10; seed++) {
            st = simrun(sc, kind, seed);
            CHECK_GE(st.gc_cycles, 1);
            CHECK_EQ(st.exits, st.spawns);
        }
}

static rt_scenario *demo(void)
{
    FILE *f = fopen(GSTORM_SOURCE_DIR "/corpus/scenarios/demo.gs", "rb");
    char *text = calloc(1, 1 << 16);
    rt_scenario *sc;

    CHECK(f != NULL && text != NULL);
    CHECK_GT(fread(text, 1, (1 << 16) - 1, f), 0);
    fclose(f);
    sc = tu_parse(text);
    free(text);
    return sc;
}

TEST(simrt, same_input_gives_the_same_trace_hash_three_times)
{
    rt_scenario *sc = demo();
    uint32_t kind;
    rt_stats a, b, c;

    for (kind = RT_SIM_RANDOM; kind <= RT_SIM_RR; kind++) {
        a = simrun(sc, kind, 42);
        b = simrun(sc, kind, 42);
        c = simrun(sc, kind, 42);
        CHECK_NE(a.trace_hash, 0);
        CHECK(a.trace_hash == b.trace_hash && b.trace_hash == c.trace_hash);
        CHECK_EQ(a.events, c.events);
        CHECK_EQ(a.sim_steps, c.sim_steps);
        CHECK_EQ(a.ops, c.ops);
    }
}

TEST(simrt, different_seeds_explore_different_schedules)
{
    rt_scenario *sc = demo();
    uint64_t h[10];
    int i, j, distinct = 0;

    for (i = 0; i < 10; i++) {
        h[i] = simrun(sc, RT_SIM_RANDOM, (uint64_t)i + 1).trace_hash;
        for (j = 0; j < i && h[j] != h[i]; j++)
            ;
        distinct += j == i;
    }
    CHECK_GE(distinct, 8);
}

TEST(simrt, no_false_positive_on_generated_inputs)
{
    /* Random byte strings decode to random scenarios and schedules; the
     * correct runtime must run every one of them without a violation.
     * 10,000 in the plain builds; fewer under TSan, whose runs cost
     * about ten times more (the ThreadSanitizer build is there for
     * races, which the sim backend does not have). */
#ifdef RT_TSAN
    enum { N = 1000 };
#else
    enum { N = 10000 };
#endif
    static uint8_t buf[2048];
    rt_scenario *sc = malloc(sizeof *sc);
    const uint8_t *sched;
    size_t schedlen, len, k;
    uint64_t seed = 1, cycles = 0, deadlocked = 0;
    rt_sim_source src;
    rt_options opt;
    rt_stats st;
    int i;

    CHECK(sc != NULL);
    for (i = 0; i < N; i++) {
        len = tu_rnd(&seed) % sizeof buf;
        for (k = 0; k < len; k++)
            buf[k] = (uint8_t)tu_rnd(&seed);
        CHECK_EQ(gs_input_decode(buf, len, sc, &sched, &schedlen), RT_OK);
        memset(&src, 0, sizeof src);
        src.kind = RT_SIM_BYTES;
        src.bytes = sched;
        src.nbytes = schedlen;
        memset(&opt, 0, sizeof opt);
        opt.backend = RT_BACKEND_SIM;
        opt.sim = &src;
        opt.seed = (uint64_t)i;
        opt.quiet = true;
        st = tu_runopt(sc, &opt);
        cycles += st.gc_cycles;
        deadlocked += st.deadlocked > 0;
    }
    free(sc);
    printf("%d inputs: %llu GC cycles, %llu program deadlocks\n", N,
           (unsigned long long)cycles, (unsigned long long)deadlocked);
    CHECK_GT(cycles, (uint64_t)N / 10); /* the inputs do collect */
}
