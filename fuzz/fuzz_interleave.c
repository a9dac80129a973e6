/*
 * fuzz_interleave.c - the whole runtime on the sim backend: the input is
 * the raw format of harness.h (configuration, programs, the goroutines to
 * start, then the schedule decisions), or a gstorm file, every checker
 * on. A violation
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
    int form;

    /* A raw input (what the engines make) is decoded clearing only what
     * the last decoding wrote; a gstorm file (a minimized reproducer in
     * corpus/.../regress) is read as gstorm reads it, its metadata aside.
     * A damaged gstorm file runs nothing. */
    if (gs_input_form(data, size, &form, NULL, 0) == RT_OK &&
        form == GS_INPUT_RAW)
        gs_input_redecode(data, size, &sc, &sched, &nsched);
    else if (gs_input_load(data, size, &sc, &sched, &nsched, NULL, 0) !=
             RT_OK) {
        fuzz_ranrt = 0;
        fuzz_lasthash = 0;
        return -1; /* not worth keeping in a corpus */
    }
    fuzz_runsim(&sc, sched, nsched);
    return 0;
}
