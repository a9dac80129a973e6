/*
 * fuzz.c - the pieces every fuzz target shares (fuzz.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

uint64_t fuzz_faults;
uint64_t fuzz_lasthash;
int fuzz_ranrt;
bool fuzz_nocover;

/*
 * Interleaving coverage (rt_cover_map) reaches the engine after every run
 * of rt. libFuzzer reads every byte of the __libfuzzer_extra_counters
 * section as one more counter, so the map is copied there. AFL++ 4.04c
 * ignores that section, so the afl build writes the map into AFL++'s own
 * map: a constructor that runs before the instrumentation numbers its
 * edges (priority 1 < the sancov constructor's 2) moves __afl_final_loc
 * past RT_COVER_SIZE slots, so edges start above them and map byte 1 + i
 * is feature counter i alone (if the edges were numbered first after
 * all, the features are folded onto the edges' bytes instead). Outside
 * afl-fuzz, AFL++'s runtime points the map at a dummy of its own.
 * GSTORM_NOCOVER=1 turns feeding off, to measure what the features
 * bring.
 */
#if defined(GSTORM_FUZZ_LIBFUZZER)
__attribute__((section("__libfuzzer_extra_counters"),
               used)) static uint8_t extra[RT_COVER_SIZE];
#elif defined(GSTORM_FUZZ_AFL)
/* AFL++'s runtime, which afl-clang-fast links into every binary, defines
 * these. The instrumentation pass adds its own declaration of
 * __afl_area_ptr to every module and would rename ours apart, so the map
 * pointer is reached under another name that the link makes an alias
 * (--defsym, fuzz/CMakeLists.txt). */
extern uint8_t *gs_afl_area_ptr;
extern uint32_t __afl_final_loc;
extern uint32_t __afl_map_size;
static bool aflreserved;

/* aflreserve reserves map bytes 1..RT_COVER_SIZE for the features before
 * the instrumentation numbers its edges (see above). Priority 1 is below
 * 101, the range the compilers reserve: on purpose, to run first. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunknown-warning-option"
#pragma clang diagnostic ignored "-Wprio-ctor-dtor"
__attribute__((constructor(1))) static void aflreserve(void)
{
    if (__afl_final_loc == 0) {
        __afl_final_loc = RT_COVER_SIZE;
        aflreserved = true;
    }
}
#pragma clang diagnostic pop
#endif

/* feed hands the map of the run that just ended to the engine. */
static void feed(void)
{
    uint8_t *map;
    size_t n = rt_cover_map(&map);

    if (fuzz_nocover)
        return;
#if defined(GSTORM_FUZZ_LIBFUZZER)
    memcpy(extra, map, n < sizeof extra ? n : sizeof extra);
#elif defined(GSTORM_FUZZ_AFL)
    if (gs_afl_area_ptr == NULL)
        return;
    if (aflreserved) {
        size_t i;
        for (i = 0; i < n; i++)
            gs_afl_area_ptr[1 + i] += map[i];
    } else if (__afl_map_size > 1) {
        /* No reserved room: fold the features onto the edges' bytes. */
        size_t i;
        for (i = 0; i < n; i++)
            if (map[i] != 0)
                gs_afl_area_ptr[1 + i % (__afl_map_size - 1)] += map[i];
    }
#else
    (void)map;
    (void)n;
#endif
}

/* fuzz_init is in fuzz.h. */
int fuzz_init(void)
{
    gs_strlist none = {0};
    char err[GS_ERRLEN];
    bool given;
    const char *nocover = getenv("GSTORM_NOCOVER");

    fuzz_nocover =
        nocover != NULL && nocover[0] != '\0' && strcmp(nocover, "0") != 0;

    if (gs_faults_select(&none, &fuzz_faults, &given, err, sizeof err) !=
        RT_OK) {
        fprintf(stderr, "gstorm fuzz: %s\n", err);
        exit(GS_EXIT_USAGE);
    }
    return 0;
}

/* fuzz_runsim is in fuzz.h. */
void fuzz_runsim(const rt_scenario *sc, const uint8_t *sched, size_t nsched)
{
    rt_stats st;
    gs_spec spec;

    gs_spec_default(&spec);
    spec.faults = fuzz_faults;
    fuzz_ranrt = 1;
    fuzz_lasthash = 0;
    /* The one in-process run (harness.h), as explore's worker makes it. */
    if (gs_spec_run(sc, &spec, sched, nsched, &st) != RT_OK) {
        /* The decoder gives only valid scenarios: a refusal is a bug. */
        fprintf(stderr, "gstorm fuzz: rt_run refused a decoded scenario\n");
        abort();
    }
    fuzz_lasthash = st.trace_hash;
    feed();
}

/* fuzz_runwb is in fuzz.h. */
void fuzz_runwb(fuzz_wbfn wb, const uint8_t *data, size_t size)
{
    rt_wb_options opt = {0};
    rt_wb_result res;

    opt.faults = fuzz_faults;
    fuzz_ranrt = 1;
    fuzz_lasthash = 0;
    if (wb(data, size, &opt, &res) != RT_OK) {
        /* Every byte string is an input: only memory can run out. */
        fprintf(stderr, "gstorm fuzz: the workbench could not run\n");
        abort();
    }
    fuzz_lasthash = res.trace_hash;
    feed();
}
