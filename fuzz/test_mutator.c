/*
 * test_mutator.c - the structure-aware mutator (mutator.h): every output
 * decodes within the raw format's bounds, mutations change their inputs,
 * crossover takes from both parents, and the same seed gives the same
 * output. Run by fuzz_tests (rt/test's runner).
 */
#include <string.h>

#include "harness.h"
#include "mutator.h"
#include "test.h"

enum {
    N = 3000,   /* mutations per test: enough to reach every mutation */
    MAX = 4096, /* libFuzzer's -max_len default for small corpora */
};

static rt_scenario sc1, sc2;
static uint8_t buf[MAX], in[MAX], c1[1 << 16], c2[1 << 16];

/* lcg is the tests' own input generator: deterministic. */
static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* randinput fills p with n bytes from s. */
static void randinput(uint32_t *s, uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = (uint8_t)lcg(s);
}

/* checkbounds decodes p and checks the scenario against the raw bounds. */
static void checkbounds(const uint8_t *p, size_t n)
{
    const uint8_t *sched;
    size_t ns;
    uint32_t i;

    /* The bounds hold for the scenario without its waker (version 1
     * decodes the same bytes without it); the whole one, waker and all,
     * must encode. */
    CHECK_EQ(gs_input_decode_version(p, n, 1, &sc1, &sched, &ns), RT_OK);
    CHECK(gs_input_representable(&sc1, NULL, 0));
    CHECK_EQ(gs_input_decode(p, n, &sc1, &sched, &ns), RT_OK);
    CHECK(gs_input_representable(&sc1, NULL, 0));
    CHECK_EQ(gs_input_decode_version(p, n, 1, &sc1, &sched, &ns), RT_OK);
    CHECK(sc1.nprogs >= 1 && sc1.nprogs <= GS_INPUT_MAX_PROGS);
    CHECK(sc1.nstart >= 1 && sc1.nstart <= GS_INPUT_MAX_START);
    CHECK(sc1.nthreads <= GS_INPUT_MAX_THREADS);
    for (i = 0; i < sc1.nprogs; i++)
        CHECK_LE(sc1.progs[i].nins, GS_INPUT_MAX_INSTRS);
}

/* canonical encodes the decoding of p into out; returns its length. */
static size_t canonical(const uint8_t *p, size_t n, uint8_t *out, size_t cap)
{
    const uint8_t *sched;
    size_t ns;

    gs_input_decode(p, n, &sc2, &sched, &ns);
    return gs_input_encode(&sc2, sched, ns, out, cap);
}

TEST(mutator, outputs_decode_and_differ)
{
    uint32_t s = 1;
    int i, changed = 0;

    for (i = 0; i < N; i++) {
        size_t n = 1 + lcg(&s) % 300, m, k1, k2;
        randinput(&s, in, n);
        memcpy(buf, in, n);
        m = gs_mutate(buf, n, MAX, (unsigned)i);
        CHECK(m >= 1 && m <= MAX);
        checkbounds(buf, m);
        k1 = canonical(in, n, c1, sizeof c1);
        k2 = canonical(buf, m, c2, sizeof c2);
        changed += k1 != k2 || memcmp(c1, c2, k1) != 0;
    }
    /* A mutation that changes no decoded part is rare (a schedule byte
     * past the decisions the run reads still changes the bytes). */
    CHECK_GE(changed, N * 9 / 10);
}

TEST(mutator, respects_maxsize)
{
    uint32_t s = 2;
    size_t max;
    int i;

    for (i = 0; i < N; i++) {
        size_t n, m;
        max = 1 + lcg(&s) % 64;
        n = 1 + lcg(&s) % max;
        randinput(&s, buf, n);
        m = gs_mutate(buf, n, max, (unsigned)i);
        CHECK(m >= 1 && m <= max);
        checkbounds(buf, m);
    }
}

TEST(mutator, same_seed_same_output)
{
    uint32_t s = 3;
    size_t n = 200, m1, m2;
    uint8_t a[MAX];

    randinput(&s, in, n);
    memcpy(a, in, n);
    memcpy(buf, in, n);
    m1 = gs_mutate(a, n, MAX, 42);
    m2 = gs_mutate(buf, n, MAX, 42);
    CHECK_EQ(m1, m2);
    CHECK(memcmp(a, buf, m1) == 0);
}

TEST(mutator, crossover_takes_from_both)
{
    uint32_t s = 4;
    uint8_t d1[4096], d2[4096];
    int i, fromd2 = 0, notd1 = 0;

    for (i = 0; i < N / 3; i++) {
        size_t n1, n2, m, k1, k2;
        /* Parents with schedules: a scenario's canonical bytes, then 32
         * schedule bytes. */
        randinput(&s, in, 1 + lcg(&s) % 200);
        n1 = canonical(in, 1 + lcg(&s) % 200, d1, sizeof d1 - 32);
        randinput(&s, d1 + n1, 32);
        n1 += 32;
        randinput(&s, in, 200);
        n2 = canonical(in, 1 + lcg(&s) % 200, d2, sizeof d2 - 32);
        randinput(&s, d2 + n2, 32);
        n2 += 32;
        CHECK(n1 > 32 && n2 > 32);
        m = gs_crossover(d1, n1, d2, n2, buf, MAX, (unsigned)i);
        CHECK(m >= 1 && m <= MAX);
        checkbounds(buf, m);
        k1 = canonical(d1, n1, c1, sizeof c1);
        k2 = canonical(buf, m, c2, sizeof c2);
        notd1 += k1 != k2 || memcmp(c1, c2, k1) != 0;
        /* d2's schedule, whole, at the end of the child. */
        {
            const uint8_t *sched2, *schedc;
            size_t ns2, nsc;
            gs_input_decode(d2, n2, &sc2, &sched2, &ns2);
            gs_input_decode(buf, m, &sc1, &schedc, &nsc);
            fromd2 += ns2 > 0 && nsc >= ns2 &&
                      memcmp(schedc + nsc - ns2, sched2, ns2) == 0;
        }
    }
    CHECK_GE(notd1, N / 3 / 2);
    CHECK_GE(fromd2, N / 3 / 10);
}
