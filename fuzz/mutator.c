/*
 * mutator.c - the structure-aware mutator of fuzz_interleave's raw inputs
 * (mutator.h): one implementation, two engines' entry points.
 *
 * Why it works on the raw bytes' parts rather than on a decoded
 * rt_scenario: the raw format stores a GO's target relative to its
 * program and folds every operand at decode time, so a program, an
 * instruction or a schedule moved between places stays meaningful, and
 * whatever bytes come out decode (the format is total). The input is
 * split as the decoder reads it (decoding it first would cost a decode
 * and an encode of a 530 KiB scenario per mutation for nothing); only
 * the output goes through gs_input_decode and gs_input_encode, so that
 * it is canonical whenever the encoder can represent it.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mutator.h"

enum {
    MAXRAW = 1 << 16, /* bytes of one input handled; beyond is cut */
    NCFG = 4,         /* threads, procs, gcmode, heapcap bytes */
    INSW = 4,         /* bytes per instruction: op, x, y, z */
    TRIES = 8,        /* mutations tried before forcing a change */
    SLOTBIAS = 8,     /* new operands favour slots 0..7: frames are small */
    SCHEDRUN = 16,    /* schedule bytes one mutation may add */
    SCHEDMAX = MAXRAW / 2,
};

/* A raw input split into its parts (the layout in harness.h). */
typedef struct rawin {
    uint8_t cfg[NCFG];
    unsigned nprogs; /* 1..GS_INPUT_MAX_PROGS */
    struct {
        unsigned nins; /* 0..GS_INPUT_MAX_INSTRS */
        uint8_t frame;
        uint8_t ins[GS_INPUT_MAX_INSTRS][INSW];
    } prog[GS_INPUT_MAX_PROGS];
    unsigned nstart; /* 1..GS_INPUT_MAX_START */
    uint8_t start[GS_INPUT_MAX_START];
    size_t nsched;
    uint8_t sched[SCHEDMAX];
} rawin;

/* The working state: one call at a time per process (both engines call
 * the mutator from one thread). rt_scenario is about 530 KiB. */
static rt_scenario sc;
static rawin ra, rb;
static uint8_t canon[MAXRAW], joined[MAXRAW];

/* rng is a xorshift64* generator: deterministic from the seed. */
typedef struct rng {
    uint64_t s;
} rng;

/* next returns the next 32 random bits of g. */
static uint32_t next(rng *g)
{
    g->s ^= g->s >> 12;
    g->s ^= g->s << 25;
    g->s ^= g->s >> 27;
    return (uint32_t)((g->s * 0x2545f4914f6cdd1dull) >> 32);
}

/* below returns a random number in [0, n), n > 0. */
static unsigned below(rng *g, unsigned n)
{
    return next(g) % n;
}

/* canonicalize decodes data and encodes it again into out (at most
 * maxout bytes). Returns the length, or 0 if it did not fit. */
static size_t canonicalize(const uint8_t *data, size_t size, uint8_t *out,
                           size_t maxout)
{
    const uint8_t *sched;
    size_t nsched, n;

    gs_input_redecode(data, size, &sc, &sched, &nsched);
    if (nsched > SCHEDMAX)
        nsched = SCHEDMAX;
    n = gs_input_encode(&sc, sched, nsched, out, maxout);
    return n <= maxout ? n : 0;
}

/* split parses raw bytes into *r, reading as gs_input_decode does: a
 * byte past the end reads as the layout's default (harness.h), and a
 * program ends early where the data ends. */
static void split(const uint8_t *p, size_t n, rawin *r)
{
    static const uint8_t cfgdefault[NCFG] = {3, 1, 2, 255};
    size_t i = 0;
    unsigned k, j;

#define GETD(d) (i < n ? p[i++] : (d))
#define GET() GETD(0)
    for (k = 0; k < NCFG; k++)
        r->cfg[k] = GETD(cfgdefault[k]);
    r->nprogs = 1 + GET() % GS_INPUT_MAX_PROGS;
    for (k = 0; k < r->nprogs; k++) {
        unsigned want = GET() % (GS_INPUT_MAX_INSTRS + 1);
        r->prog[k].frame = GETD(3);
        r->prog[k].nins = 0;
        for (j = 0; j < want && i < n; j++) {
            unsigned b;
            for (b = 0; b < INSW; b++)
                r->prog[k].ins[j][b] = GET();
            r->prog[k].nins++;
        }
    }
    r->nstart = 1 + GET() % GS_INPUT_MAX_START;
    for (k = 0; k < r->nstart; k++)
        r->start[k] = GET();
#undef GET
#undef GETD
    r->nsched = n > i ? n - i : 0;
    if (r->nsched > SCHEDMAX)
        r->nsched = SCHEDMAX;
    memcpy(r->sched, p + i, r->nsched);
}

/* join writes *r's raw bytes into out (at most maxout); a schedule that
 * does not fit is cut (a prefix of raw bytes still decodes). Returns the
 * length written. */
static size_t join(const rawin *r, uint8_t *out, size_t maxout)
{
    size_t n = 0, i;
    unsigned k;

#define PUT(b)                                                                 \
    do {                                                                       \
        if (n < maxout)                                                        \
            out[n++] = (uint8_t)(b);                                           \
    } while (0)
    for (k = 0; k < NCFG; k++)
        PUT(r->cfg[k]);
    PUT(r->nprogs - 1);
    for (k = 0; k < r->nprogs; k++) {
        PUT(r->prog[k].nins);
        PUT(r->prog[k].frame);
        for (i = 0; i < r->prog[k].nins * INSW; i++)
            PUT(r->prog[k].ins[i / INSW][i % INSW]);
    }
    PUT(r->nstart - 1);
    for (k = 0; k < r->nstart; k++)
        PUT(r->start[k]);
    for (i = 0; i < r->nsched; i++)
        PUT(r->sched[i]);
#undef PUT
    return n;
}

/* randins fills in with a random instruction whose operands favour the
 * small values a program uses (slots, semaphores). */
static void randins(rng *g, uint8_t *in)
{
    unsigned k;

    in[0] = (uint8_t)below(g, RT_OP__COUNT);
    for (k = 1; k < INSW; k++)
        in[k] =
            (uint8_t)(below(g, 4) == 0 ? below(g, 256) : below(g, SLOTBIAS));
}

/* mutprog inserts, deletes, duplicates, swaps or rewrites instructions
 * of one program of r. */
static void mutprog(rng *g, rawin *r)
{
    unsigned p = below(g, r->nprogs), n = r->prog[p].nins, i, j;
    uint8_t(*ins)[INSW] = r->prog[p].ins;
    uint8_t tmp[INSW];

    switch (below(g, 6)) {
    case 0: /* insert a new instruction */
        if (n == GS_INPUT_MAX_INSTRS)
            break;
        i = below(g, n + 1);
        memmove(ins[i + 1], ins[i], (n - i) * INSW);
        randins(g, ins[i]);
        r->prog[p].nins++;
        break;
    case 1: /* delete one */
        if (n == 0)
            break;
        i = below(g, n);
        memmove(ins[i], ins[i + 1], (n - i - 1) * INSW);
        r->prog[p].nins--;
        break;
    case 2: /* duplicate one (a loop unrolled by hand) */
        if (n == 0 || n == GS_INPUT_MAX_INSTRS)
            break;
        i = below(g, n);
        memmove(ins[i + 1], ins[i], (n - i) * INSW);
        r->prog[p].nins++;
        break;
    case 3: /* swap two */
        if (n < 2)
            break;
        i = below(g, n);
        j = below(g, n);
        memcpy(tmp, ins[i], INSW);
        memcpy(ins[i], ins[j], INSW);
        memcpy(ins[j], tmp, INSW);
        break;
    case 4: /* change one opcode or operand */
        if (n == 0)
            break;
        i = below(g, n);
        j = below(g, INSW);
        ins[i][j] = j == 0 ? (uint8_t)below(g, RT_OP__COUNT)
                           : (uint8_t)(ins[i][j] + 1 + below(g, 7));
        break;
    default: /* the frame size */
        r->prog[p].frame = (uint8_t)below(g, GS_INPUT_MAX_FRAME);
        break;
    }
}

/* mutsched perturbs the schedule decisions: one byte changed, a run of
 * bytes inserted, deleted or appended. */
static void mutsched(rng *g, rawin *r)
{
    size_t n = r->nsched, i, k, len;

    switch (n == 0 ? 2 : below(g, 4)) {
    case 0: /* one decision */
        r->sched[below(g, (unsigned)n)] = (uint8_t)below(g, 256);
        break;
    case 1: /* delete a run */
        i = below(g, (unsigned)n);
        len = 1 + below(g, (unsigned)(n - i < SCHEDRUN ? n - i : SCHEDRUN));
        memmove(r->sched + i, r->sched + i + len, n - i - len);
        r->nsched -= len;
        break;
    default: /* insert (or append) a run of small decisions */
        len = 1 + below(g, SCHEDRUN);
        if (n + len > SCHEDMAX)
            break;
        i = below(g, (unsigned)n + 1);
        memmove(r->sched + i + len, r->sched + i, n - i);
        for (k = 0; k < len; k++)
            r->sched[i + k] =
                (uint8_t)(below(g, 2) ? below(g, 4) : below(g, 256));
        r->nsched += len;
        break;
    }
}

/* mutconfig changes the configuration: a configuration byte, the number
 * of programs, or the goroutines started. */
static void mutconfig(rng *g, rawin *r)
{
    unsigned k;

    switch (below(g, 4)) {
    case 0:
        k = below(g, NCFG);
        r->cfg[k] = (uint8_t)(r->cfg[k] + 1 + below(g, 255));
        break;
    case 1: /* one program more (a copy or empty) or fewer */
        if (r->nprogs < GS_INPUT_MAX_PROGS && below(g, 2)) {
            k = r->nprogs++;
            r->prog[k] = r->prog[below(g, k)];
        } else if (r->nprogs > 1) {
            r->nprogs--;
        }
        break;
    case 2: /* one goroutine more or fewer */
        if (r->nstart < GS_INPUT_MAX_START && below(g, 2))
            r->start[r->nstart++] = (uint8_t)below(g, r->nprogs);
        else if (r->nstart > 1)
            r->nstart--;
        break;
    default: /* start another program */
        r->start[below(g, r->nstart)] = (uint8_t)below(g, r->nprogs);
        break;
    }
}

/* mutone applies one random structural mutation to r. */
static void mutone(rng *g, rawin *r)
{
    unsigned w = below(g, 10);

    if (w < 5)
        mutprog(g, r);
    else if (w < 8)
        mutsched(g, r);
    else
        mutconfig(g, r);
}

/* finish joins r into out (maxout bytes) and canonicalizes it (decode,
 * encode) when the encoding fits; returns the length. If orig is given
 * and the joined bytes equal it (olen bytes: the mutation changed no
 * part), it returns 0 instead so that the caller tries again. */
static size_t finish(const rawin *r, uint8_t *out, size_t maxout,
                     const uint8_t *orig, size_t olen)
{
    size_t n = join(r, joined, sizeof joined < maxout ? sizeof joined : maxout);
    size_t c;

    if (orig != NULL && n == olen && memcmp(joined, orig, n) == 0)
        return 0;
    c = canonicalize(joined, n, canon, sizeof canon);
    if (c > 0 && c <= maxout) {
        memcpy(out, canon, c);
        return c;
    }
    memcpy(out, joined, n);
    return n;
}

/* force changes data (size bytes, room for maxsize) when no structural
 * mutation did: one schedule byte appended, or the last byte bumped. */
static size_t force(rng *g, uint8_t *data, size_t size, size_t maxsize)
{
    if (size < maxsize) {
        data[size] = (uint8_t)below(g, 256);
        return size + 1;
    }
    if (size > 0)
        data[size - 1] = (uint8_t)(data[size - 1] + 1 + below(g, 255));
    return size;
}

/* gs_mutate is in mutator.h. */
size_t gs_mutate(uint8_t *data, size_t size, size_t maxsize, unsigned seed)
{
    static uint8_t orig[MAXRAW];
    rng g = {0x9e3779b97f4a7c15ull ^ seed};
    size_t olen, m;
    int t;

    if (maxsize == 0)
        return 0;
    /* The input is split as it is (decoding it first would cost a
     * decode and an encode per mutation, for nothing: split reads as the
     * decoder does); each try is compared with its parts joined. */
    split(data, size, &ra);
    olen = join(&ra, orig, maxsize < sizeof orig ? maxsize : sizeof orig);
    for (t = 0; t < TRIES; t++) {
        unsigned k, rounds = below(&g, 4) == 0 ? 3 : 1;
        for (k = 0; k < rounds; k++)
            mutone(&g, &ra);
        m = finish(&ra, data, maxsize, orig, olen);
        if (m > 0)
            return m;
    }
    return force(&g, data, size < maxsize ? size : maxsize, maxsize);
}

/* gs_crossover is in mutator.h. */
size_t gs_crossover(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
                    uint8_t *out, size_t maxout, unsigned seed)
{
    rng g = {0x7f4a7c159e3779b9ull ^ seed};
    size_t m, i;

    if (maxout == 0)
        return 0;
    /* Split as they are, as gs_mutate does: only the child is encoded. */
    split(d2, s2, &rb);
    split(d1, s1, &ra);
    switch (below(&g, 4)) {
    case 0: /* a program of d2 replaces one of d1 */
        ra.prog[below(&g, ra.nprogs)] = rb.prog[below(&g, rb.nprogs)];
        break;
    case 1: /* a program of d2 added to d1, and started */
        if (ra.nprogs < GS_INPUT_MAX_PROGS) {
            ra.prog[ra.nprogs] = rb.prog[below(&g, rb.nprogs)];
            if (ra.nstart < GS_INPUT_MAX_START)
                ra.start[ra.nstart++] = (uint8_t)ra.nprogs;
            ra.nprogs++;
        }
        break;
    case 2: /* d1's scenario with d2's schedule */
        ra.nsched = rb.nsched;
        memcpy(ra.sched, rb.sched, rb.nsched);
        break;
    default: /* d1's schedule up to a point, then d2's from there */
        i = below(&g, (unsigned)ra.nsched + 1);
        m = rb.nsched > i ? rb.nsched - i : 0;
        memcpy(ra.sched + i, rb.sched + (rb.nsched - m), m);
        ra.nsched = i + m;
        break;
    }
    if (below(&g, 2))
        mutone(&g, &ra);
    return finish(&ra, out, maxout, NULL, 0);
}

/* libFuzzer's entry points: only in the libFuzzer build of the target
 * (GSTORM_MUTATOR_LIBFUZZER), where fuzz/CMakeLists.txt defines it. */
#if defined(GSTORM_MUTATOR_LIBFUZZER)
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t maxsize,
                               unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1,
                                 const uint8_t *d2, size_t s2, uint8_t *out,
                                 size_t maxout, unsigned int seed);

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxsize);

/* nomutator says whether GSTORM_NOMUTATOR asks for libFuzzer's own
 * mutations only (to measure what this mutator brings); read once. */
static bool nomutator(void)
{
    static int v = -1;
    const char *e;

    if (v < 0) {
        e = getenv("GSTORM_NOMUTATOR");
        v = e != NULL && e[0] != '\0' && strcmp(e, "0") != 0;
    }
    return v;
}

/* LLVMFuzzerCustomMutator: libFuzzer's hook. gs_mutate three times in
 * four, libFuzzer's own byte-level mutations the fourth (they find what
 * no structure knows, a dictionary word, a compared value); only the
 * latter under GSTORM_NOMUTATOR. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t maxsize,
                               unsigned int seed)
{
    if (nomutator() || seed % 4 == 3)
        return LLVMFuzzerMutate(data, size, maxsize);
    return gs_mutate(data, size, maxsize, seed);
}

/* LLVMFuzzerCustomCrossOver: libFuzzer's hook, gs_crossover; under
 * GSTORM_NOMUTATOR a plain byte splice (d1's head, d2's tail), as
 * libFuzzer's own crossover does. */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1,
                                 const uint8_t *d2, size_t s2, uint8_t *out,
                                 size_t maxout, unsigned int seed)
{
    size_t h, t;

    if (!nomutator())
        return gs_crossover(d1, s1, d2, s2, out, maxout, seed);
    h = s1 > 0 ? seed % (s1 + 1) : 0;
    h = h < maxout ? h : maxout;
    t = s2 > 0 ? seed / 7 % (s2 + 1) : 0;
    t = t < maxout - h ? t : maxout - h;
    memcpy(out, d1, h);
    memcpy(out + h, d2 + (s2 - t), t);
    return h + t;
}
#endif

/* AFL++'s custom mutator interface: only in the shared library
 * (GSTORM_MUTATOR_AFL), which afl-fuzz loads with AFL_CUSTOM_MUTATOR_
 * LIBRARY. */
#if defined(GSTORM_MUTATOR_AFL)

/* The mutator's state: its seed and its output buffer. */
typedef struct aflmut {
    unsigned seed;
    uint8_t *buf;
    size_t cap;
} aflmut;

/* The library is built with hidden visibility (nothing of rt or the
 * harness may clash with afl-fuzz's own names): these three are its only
 * exports. */
#define AFLAPI __attribute__((visibility("default")))
AFLAPI void *afl_custom_init(void *afl, unsigned int seed);
AFLAPI size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
                              uint8_t **out_buf, uint8_t *add_buf,
                              size_t add_buf_size, size_t max_size);
AFLAPI void afl_custom_deinit(void *data);

/* afl_custom_init makes the mutator's state; NULL if out of memory. */
void *afl_custom_init(void *afl, unsigned int seed)
{
    aflmut *m = calloc(1, sizeof *m);

    (void)afl;
    if (m != NULL)
        m->seed = seed;
    return m;
}

/* afl_custom_fuzz mutates buf (or crosses it with add_buf, when AFL++
 * gives one, a third of the time) into the state's own buffer, which
 * *out_buf points at. Returns the output's size (0: skip this one). */
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
                       uint8_t **out_buf, uint8_t *add_buf, size_t add_buf_size,
                       size_t max_size)
{
    aflmut *m = data;
    size_t cap = max_size < MAXRAW ? max_size : MAXRAW;
    unsigned seed = m->seed = m->seed * 1103515245u + 12345u;

    if (m->cap < MAXRAW) {
        uint8_t *b = realloc(m->buf, MAXRAW);
        if (b == NULL)
            return 0;
        m->buf = b;
        m->cap = MAXRAW;
    }
    *out_buf = m->buf;
    if (add_buf != NULL && add_buf_size > 0 && seed % 3 == 0)
        return gs_crossover(buf, buf_size, add_buf, add_buf_size, m->buf, cap,
                            seed);
    if (buf_size > cap)
        buf_size = cap;
    memcpy(m->buf, buf, buf_size);
    return gs_mutate(m->buf, buf_size, cap, seed);
}

/* afl_custom_deinit frees the mutator's state. */
void afl_custom_deinit(void *data)
{
    aflmut *m = data;

    if (m != NULL)
        free(m->buf);
    free(m);
}
#endif
