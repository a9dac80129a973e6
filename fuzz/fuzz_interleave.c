/*
 * fuzz_interleave.c - the whole runtime on the sim backend: the input is
 * the raw format of harness.h (configuration, programs, the goroutines to
 * start, then the schedule decisions), every checker on. A violation
 * aborts: the input is the finding, and `gstorm replay FILE` replays it
 * as it is (with GSTORM_FAULT set as when it was found).
 */
#include "fuzz.h"

/* The decoded scenario: about 530 KiB, so not on the stack; one run at a
 * time in a process. */
static rt_scenario sc;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return fuzz_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sched;
    size_t nsched;

    gs_input_redecode(data, size, &sc, &sched, &nsched);
    fuzz_runsim(&sc, sched, nsched);
    return 0;
}
