/*
 * deadlock_stats.c - how many decoded random inputs do useful work: runs
 * N random raw inputs (lengths LO..HI bytes, from a fixed seed, so the set
 * is the same on every machine) on the sim as fuzz_interleave does, and
 * counts the runs that end with goroutines deadlocked on their own BLOCKs
 * (rt_stats.deadlocked > 0) and the ops they ran.
 *
 * With --waker it first applies the decoding change proposed for issue 8
 * (not the decoder's today): one more program, started once, that WAKEs
 * every semaphore as often as the scenario's BLOCKs could take it (each
 * BLOCK instruction times the goroutines that may run it, bounded),
 * with a YIELD after each WAKE so that it interleaves with the others.
 *
 * usage: fuzz_deadlock_stats [--waker] [N [SEED]]  (default 2000, seed 1)
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

/* addwaker appends the waker program to sc and starts it (see above);
 * a scenario with no room for it is left as it is. */
static void addwaker(rt_scenario *sc)
{
    uint32_t need[RT_NSEMA] = {0}, p, i, c, k, gs;
    rt_prog *w;

    if (sc->nprogs >= RT_MAX_PROGS || sc->nstart >= RT_MAX_START)
        return;
    gs = sc->nstart;
    for (p = 0; p < sc->nprogs; p++)
        for (i = 0; i < sc->progs[p].nins; i++)
            if (sc->progs[p].ins[i].op % RT_OP__COUNT == RT_OP_BLOCK)
                need[sc->progs[p].ins[i].a % RT_NSEMA] +=
                    gs + 2; /* the started Gs, and some spawned ones */
    w = &sc->progs[sc->nprogs];
    w->frame = 1;
    w->nins = 0;
    for (c = 0; c < RT_NSEMA; c++)
        for (k = 0; k < need[c] && w->nins + 2 <= RT_MAX_INSTRS; k++) {
            w->ins[w->nins++] = (rt_instr){RT_OP_WAKE, 0, (uint16_t)c, 0, 0};
            w->ins[w->nins++] = (rt_instr){RT_OP_YIELD, 0, 0, 0, 0};
        }
    sc->start[sc->nstart++] = (uint16_t)sc->nprogs++;
}

/* main runs the inputs and prints one line: the count and share of
 * deadlocked runs and the ops per run. Exit 0, or 1 if rt refused a
 * decoded scenario (a bug: the decoder gives only valid ones). */
int main(int argc, char **argv)
{
    bool waker = argc > 1 && strcmp(argv[1], "--waker") == 0;
    long n, i;
    uint64_t seed, s;

    if (waker) {
        argc--;
        argv++;
    }
    n = argc > 1 ? atol(argv[1]) : 2000;
    s = seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    long dead = 0;
    uint64_t ops = 0, deadops = 0;

    for (i = 0; i < n; i++) {
        size_t len = LO + lcg(&s) % (HI - LO + 1), k, nsched;
        const uint8_t *sched;
        rt_sim_source src;
        rt_options opt;
        rt_stats st;
        gs_spec spec;

        for (k = 0; k < len; k++)
            buf[k] = (uint8_t)lcg(&s);
        gs_input_decode(buf, len, &sc, &sched, &nsched);
        if (waker)
            addwaker(&sc);
        gs_spec_default(&spec);
        gs_spec_options(&spec, sched, nsched, &src, &opt);
        opt.quiet = true;
        if (rt_run(&sc, &opt, &st) != RT_OK) {
            fprintf(stderr, "input %ld: rt_run refused it\n", i);
            return 1;
        }
        ops += st.ops;
        if (st.deadlocked > 0) {
            dead++;
            deadops += st.ops;
        }
    }
    printf("%s%ld inputs (seed %" PRIu64 ", %d..%d bytes): %ld deadlocked "
           "(%.1f%%); ops per run %.1f, per deadlocked run %.1f\n",
           waker ? "waker: " : "", n, seed, LO, HI, dead,
           n ? 100.0 * (double)dead / (double)n : 0.0,
           n ? (double)ops / (double)n : 0.0,
           dead ? (double)deadops / (double)dead : 0.0);
    return 0;
}
