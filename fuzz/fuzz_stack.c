/*
 * fuzz_stack.c - stacks alone (rt_wb_stack in rt.h): growth by copying,
 * shrinking at scan time and scans (by GC actors, and by a G at its own
 * preemption point) racing on 2-4 Ms on the sim backend, in GCmark.
 * Every checker is on; a violation aborts, and the input is the finding
 * (replay it with fuzz_stack_replay FILE, GSTORM_FAULT set as when it
 * was found).
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
    fuzz_runwb(rt_wb_stack, data, size);
    return 0;
}
