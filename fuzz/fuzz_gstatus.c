/*
 * fuzz_gstatus.c - the status-word protocol alone (rt_wb_gstatus in rt.h):
 * casgstatus, castogscanstatus, casfromgscanstatus, stopg, restartg and
 * stopscanstart driven by 2-4 Ms on the sim backend, the input holding
 * the configuration, each M's ops and the schedule. Every checker is on;
 * a violation aborts, and the input is the finding (replay it with
 * fuzz_gstatus_replay FILE, GSTORM_FAULT set as when it was found).
 */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return fuzz_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_runwb(rt_wb_gstatus, data, size);
    return 0;
}
