/*
 * test_cover.c - interleaving coverage (rt_cover_map): a sim run fills
 * the map, the same input gives the same map (and the same trace hash)
 * whatever ran before it, and inputs that interleave differently reach
 * different features. Run by fuzz_tests.
 */
#include <string.h>

#include "harness.h"
#include "test.h"

static rt_scenario sc;
static uint8_t first[RT_COVER_SIZE];

/* run decodes data and runs it on the sim as fuzz_interleave does;
 * returns the trace hash and leaves the map in rt_cover_map. */
static uint64_t run(const uint8_t *data, size_t len)
{
    const uint8_t *sched;
    size_t nsched;
    rt_sim_source src;
    rt_options opt;
    rt_stats st;
    gs_spec spec;

    gs_input_decode(data, len, &sc, &sched, &nsched);
    gs_spec_default(&spec);
    gs_spec_options(&spec, sched, nsched, &src, &opt);
    opt.quiet = true;
    CHECK_EQ(rt_run(&sc, &opt, &st), RT_OK);
    return st.trace_hash;
}

/* features counts the nonzero counters of the current map. */
static size_t features(void)
{
    uint8_t *map;
    size_t n = rt_cover_map(&map), i, k = 0;

    for (i = 0; i < n; i++)
        k += map[i] != 0;
    return k;
}

/* A program that allocates, blocks, spawns and collects concurrently:
 * 2 threads, 2 procs, the concurrent collector; its bytes are the raw
 * format of harness.h. */
static const uint8_t busy[] = {
    1,  1,  2, 255, 1,          /* 2 Ms, 2 Ps, conc GC, 4096 objects, 2 progs */
    4,  3,                      /* program 0: 4 instructions, frame 4 */
    3,  0,  0, 0,               /* NEW 0 */
    13, 0,  0, 0,               /* GO 1 0 */
    14, 0,  0, 0,               /* GC */
    7,  0,  0, 0,               /* USE 0 */
    3,  3,                      /* program 1: 3 instructions */
    1,  40, 0, 0,               /* CALL 40 (a stack growth) */
    14, 0,  0, 0,               /* GC */
    11, 0,  0, 0,               /* YIELD */
    2,  0,  0, 0,               /* 3 goroutines of program 0 */
    1,  0,  2, 1,   0, 3, 1, 2, /* schedule decisions */
};

TEST(cover, run_fills_map)
{
    uint8_t *map;

    CHECK_EQ(rt_cover_map(&map), RT_COVER_SIZE);
    run(busy, sizeof busy);
    CHECK_GE(features(), 10);
}

TEST(cover, same_input_same_map)
{
    uint8_t *map;
    uint64_t h1, h2;
    static const uint8_t other[] = {0, 0, 0, 0, 0, 1, 0, 5, 0, 0, 0};

    h1 = run(busy, sizeof busy);
    rt_cover_map(&map);
    memcpy(first, map, RT_COVER_SIZE);
    run(other, sizeof other); /* something else in between */
    h2 = run(busy, sizeof busy);
    CHECK_EQ(h1, h2);
    CHECK(memcmp(first, map, RT_COVER_SIZE) == 0);
}

TEST(cover, schedules_reach_different_features)
{
    uint8_t *map;
    uint8_t alt[sizeof busy];
    size_t i;
    int differ = 0;

    run(busy, sizeof busy);
    rt_cover_map(&map);
    memcpy(first, map, RT_COVER_SIZE);
    /* Other schedules of the same scenario: some must reach another
     * situation (a claim seen from another M, a wait on a scan bit). */
    for (i = 0; i < 32 && !differ; i++) {
        memcpy(alt, busy, sizeof busy);
        alt[sizeof busy - 1 - i % 8] = (uint8_t)(i * 7 + 1);
        alt[sizeof busy - 1 - (i + 3) % 8] = (uint8_t)(i * 13 + 2);
        run(alt, sizeof alt);
        differ = memcmp(first, map, RT_COVER_SIZE) != 0;
    }
    CHECK(differ);
}
