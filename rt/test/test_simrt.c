/*
 * test_simrt.c - the runtime on the sim backend: runs complete under
 * every schedule source, and the same source gives the same run.
 */
#include <string.h>

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
