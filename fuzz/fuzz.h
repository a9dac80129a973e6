/*
 * fuzz.h - what the fuzz targets share (fuzz.c) and what each target
 * provides to the drivers: libFuzzer's own main, AFL++'s persistent loop
 * (main_afl.c) and the plain replay driver (main_replay.c) that ctest
 * uses to replay the seed and regression corpora without any engine.
 *
 * Every target defines LLVMFuzzerTestOneInput and LLVMFuzzerInitialize
 * (the latter calls fuzz_init). A target that runs rt also records the
 * trace hash of its last run in fuzz_lasthash, so that the replay driver
 * can check that an input gives the same trace in-process whatever ran
 * before it (the determinism contract).
 */
#ifndef GSTORM_FUZZ_H
#define GSTORM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The faults every run switches on: GSTORM_FAULT=ID,... read once by
 * fuzz_init (an unknown id ends the process with exit code 2). */
extern uint64_t fuzz_faults;

/* The trace hash of the last run of rt (0 before any, or for a target
 * that does not run rt); fuzz_ranrt says whether the last input ran rt. */
extern uint64_t fuzz_lasthash;
extern int fuzz_ranrt;

/* GSTORM_NOCOVER set (and not "0"): the interleaving coverage of each
 * run (rt_cover_map) is not fed to the engine. */
extern bool fuzz_nocover;

/* fuzz_init reads GSTORM_FAULT and GSTORM_NOCOVER. Returns 0. */
int fuzz_init(void);

/*
 * fuzz_runsim runs sc on the sim backend, its schedule the bytes sched
 * (then round-robin), with every checker on and fuzz_faults switched on;
 * a violation aborts the process (the finding). Records fuzz_lasthash,
 * and feeds the run's interleaving coverage to the engine (libFuzzer's
 * extra counters, AFL++'s map) unless fuzz_nocover.
 */
void fuzz_runsim(const rt_scenario *sc, const uint8_t *sched, size_t nsched);

/*
 * fuzz_runwb runs one input through a workbench of rt.h (rt_wb_gstatus,
 * rt_wb_stack) with fuzz_faults switched on; as fuzz_runsim, a violation
 * aborts, and the run's trace hash and coverage are kept and fed.
 */
typedef int (*fuzz_wbfn)(const uint8_t *data, size_t size,
                         const rt_wb_options *opt, rt_wb_result *res);
void fuzz_runwb(fuzz_wbfn wb, const uint8_t *data, size_t size);

#endif /* GSTORM_FUZZ_H */
