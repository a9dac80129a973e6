/*
 * deadlock_stats.c - how many decoded random inputs do useful work: runs
 * N random raw inputs (lengths LO..HI bytes, from a fixed seed, so the set
 * is the same on every machine) on the sim as fuzz_interleave does, once
 * decoded as format version 1 (no waker) and once as the current version
 * (the decoder's waker, harness.h), and prints a table: per version the
 * runs that ended with goroutines parked on their own BLOCKs
 * (rt_stats.deadlocked > 0), and the ops per run.
 *
 * usage: fuzz_deadlock_stats [N [SEED]]  (default 2000, seed 1)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum {
    LO = 16,
    HI = 512
}; /* a fuzzer's inputs: short, but past the
      scenario into the schedule */

static rt_scenario sc;
static uint8_t buf[HI];

/* lcg is a 64-bit LCG (Knuth's MMIX constants): the inputs' source. */
static uint32_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* The counts of one decoding version. */
typedef struct tally {
    long dead;
    uint64_t ops, deadops;
} tally;

/* runone decodes buf[0..len) as format version v, runs it and counts. */
static int runone(size_t len, unsigned v, tally *t)
{
    const uint8_t *sched;
    size_t nsched;
    rt_stats st;
    gs_spec spec;

    gs_input_decode_version(buf, len, v, &sc, &sched, &nsched);
    gs_spec_default(&spec);
    if (gs_spec_run(&sc, &spec, sched, nsched, &st) != RT_OK)
        return -1;
    t->ops += st.ops;
    if (st.deadlocked > 0) {
        t->dead++;
        t->deadops += st.ops;
    }
    return 0;
}

/* main runs the inputs and prints the table. Exit 0, or 1 if rt refused
 * a decoded scenario (a bug: the decoder gives only valid ones). */
int main(int argc, char **argv)
{
    long n, i;
    uint64_t seed, s;
    tally t[2] = {{0}};
    unsigned v;

    n = argc > 1 ? atol(argv[1]) : 2000;
    s = seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    for (i = 0; i < n; i++) {
        size_t len = LO + lcg(&s) % (HI - LO + 1), k;

        for (k = 0; k < len; k++)
            buf[k] = (uint8_t)lcg(&s);
        for (v = 0; v < 2; v++)
            if (runone(len, v ? GS_INPUT_VERSION : 1, &t[v]) != 0) {
                fprintf(stderr, "input %ld: rt_run refused it\n", i);
                return 1;
            }
    }
    printf("%ld random inputs of %d..%d bytes, seed %" PRIu64 "\n", n, LO, HI,
           seed);
    printf("%-22s %10s %10s %12s %16s\n", "decoding", "deadlocked", "share",
           "ops/run", "ops/deadlocked");
    for (v = 0; v < 2; v++)
        printf("%-22s %10ld %9.1f%% %12.1f %16.1f\n",
               v ? "v2 (with the waker)" : "v1 (no waker)", t[v].dead,
               n ? 100.0 * (double)t[v].dead / (double)n : 0.0,
               n ? (double)t[v].ops / (double)n : 0.0,
               t[v].dead ? (double)t[v].deadops / (double)t[v].dead : 0.0);
    return 0;
}
