/*
 * rtbench.h - rt's own benchmarks, for `gstorm bench`: the parts that must
 * look inside rt (the sim's context switch, the size of a G). Everything
 * else `gstorm bench` measures goes through rt.h like any front end.
 */
#ifndef GSTORM_RTBENCH_H
#define GSTORM_RTBENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * rtbench_switch measures, in one run, the sim's context switch, the
 * same round trip with swapcontext, and a mutex/condvar baton between two
 * threads, iters round trips of the first (fewer of the slower ones), and
 * prints a Markdown table to out. Returns 0; RT_EINVAL under TSan (said
 * so on out, nothing measured); another RT_E* code on failure.
 */
int rtbench_switch(FILE *out, uint64_t iters);

/* rtbench_sim_steps prints the sim's yield points per second of a fixed
 * micro workload of fibers (locks, atomics, spin hints). Returns 0 or an
 * RT_E* code. */
int rtbench_sim_steps(FILE *out);

/* What a goroutine costs at least: the bytes of rt's G structure, the
 * slots of a new G's stack and the bytes of one slot. */
typedef struct rtbench_gsize {
    size_t g_bytes;
    unsigned stack_slots;
    size_t slot_bytes;
} rtbench_gsize;
rtbench_gsize rtbench_sizes(void);

#endif /* GSTORM_RTBENCH_H */
