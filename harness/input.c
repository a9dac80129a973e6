/*
 * input.c - the raw fuzzer format and the gstorm file format (layouts in
 * harness.h): a total decoder, its inverse, and strict loading and
 * building of files (their atomic save is gs_writefile's, file.c).
 *
 * The decoder and encoder share one table of operand kinds, so the
 * fold applied to each operand byte (decode) and its canonical preimage
 * (encode) cannot drift apart; decode(encode(sc)) == sc is tested.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How an operand byte becomes an operand value (harness.h lists them). */
enum kind {
    K_NONE,
    K_SLOT,
    K_FIELD,
    K_SEMA,
    K_GLOBAL,
    K_CALL,
    K_TICKS,
    K_SPIN,
    K_PROG
};

/* The kinds of each op's operands, in operand order. */
static const uint8_t kinds[RT_OP__COUNT][3] = {
    [RT_OP_CALL] = {K_CALL},
    [RT_OP_NEW] = {K_SLOT},
    [RT_OP_MOV] = {K_SLOT, K_SLOT},
    [RT_OP_LOAD] = {K_SLOT, K_SLOT, K_FIELD},
    [RT_OP_STORE] = {K_SLOT, K_FIELD, K_SLOT},
    [RT_OP_USE] = {K_SLOT},
    [RT_OP_BLOCK] = {K_SEMA},
    [RT_OP_WAKE] = {K_SEMA},
    [RT_OP_SYSCALL] = {K_TICKS},
    [RT_OP_SPIN] = {K_SPIN},
    [RT_OP_GO] = {K_PROG, K_SLOT},
    [RT_OP_GSET] = {K_GLOBAL, K_SLOT},
    [RT_OP_GGET] = {K_SLOT, K_GLOBAL},
};

/* Defaults of missing header bytes: the bytes rt_scenario_default has. */
enum {
    D_THREADS = 3, /* 1 + 3 = 4 threads */
    D_PROCS = 1,   /* 1 + 1 = 2 procs */
    D_GC = RT_GC_CONC,
    D_HEAP = 255, /* 16 * 256 = 4096 objects */
    D_FRAME = 3,  /* 1 + 3 = 4 slots, as `prog NAME` in the text form */
    INSTR_BYTES = 4,
};

/* A reader that yields a default once the data runs out. */
typedef struct rd {
    const uint8_t *p;
    size_t n, i;
} rd;

/* get returns the next byte of r, or dflt past the end. */
static unsigned get(rd *r, unsigned dflt)
{
    return r->i < r->n ? r->p[r->i++] : dflt;
}

/* fold maps operand byte b of kind k in program i to its value. */
static uint16_t fold(unsigned k, unsigned b, unsigned i, unsigned nprogs)
{
    switch (k) {
    case K_SLOT:
        return (uint16_t)b;
    case K_FIELD:
        return (uint16_t)(b % RT_NFIELDS);
    case K_SEMA:
        return (uint16_t)(b % RT_NSEMA);
    case K_GLOBAL:
        return (uint16_t)(b % RT_NGLOBALS);
    case K_CALL:
        return (uint16_t)(b % GS_INPUT_CALL_MOD);
    case K_TICKS:
        return (uint16_t)(b % GS_INPUT_TICKS_MOD);
    case K_SPIN:
        return (uint16_t)(b * GS_INPUT_SPIN_UNIT);
    case K_PROG: /* the caller turns GO in the last program into NOP */
        return i + 1 < nprogs ? (uint16_t)(i + 1 + b % (nprogs - 1 - i)) : 0;
    default:
        return 0;
    }
}

/*
 * unfold is fold's inverse: it returns the canonical byte for value v,
 * or -1 if no byte folds to v.
 */
static int unfold(unsigned k, unsigned v, unsigned i, unsigned nprogs)
{
    switch (k) {
    case K_SLOT:
        return v <= 255 ? (int)v : -1;
    case K_FIELD:
        return v < RT_NFIELDS ? (int)v : -1;
    case K_SEMA:
        return v < RT_NSEMA ? (int)v : -1;
    case K_GLOBAL:
        return v < RT_NGLOBALS ? (int)v : -1;
    case K_CALL:
        return v < GS_INPUT_CALL_MOD ? (int)v : -1;
    case K_TICKS:
        return v < GS_INPUT_TICKS_MOD ? (int)v : -1;
    case K_SPIN:
        return v % GS_INPUT_SPIN_UNIT == 0 && v / GS_INPUT_SPIN_UNIT <= 255
                   ? (int)(v / GS_INPUT_SPIN_UNIT)
                   : -1;
    case K_PROG:
        return v > i && v < nprogs ? (int)(v - i - 1) : -1;
    default:
        return v == 0 ? 0 : -1;
    }
}

/*
 * weigh applies the spawn budget (harness.h) to sc: it computes each
 * program's weight from the last to the first. If fix is sc, it turns a
 * GO that would exceed GS_INPUT_MAX_GS into NOP and drops such started
 * goroutines; if fix is NULL it only looks. Returns 1 if nothing needed
 * (or got) changed. Only programs [0, np) and starts [0, ns) count (the
 * rest is the waker). GO targets must already be later programs.
 */
static int weigh(const rt_scenario *sc, uint32_t np, uint32_t ns,
                 rt_scenario *fix)
{
    uint32_t w[GS_INPUT_MAX_PROGS], total = 0, i, j, n = 0;
    int clean = 1;

    for (i = np; i-- > 0;) {
        const rt_prog *pr = &sc->progs[i];
        w[i] = 1;
        for (j = 0; j < pr->nins; j++) {
            const rt_instr *in = &pr->ins[j];
            if (in->op != RT_OP_GO)
                continue;
            if (w[i] + w[in->a] <= GS_INPUT_MAX_GS) {
                w[i] += w[in->a];
                continue;
            }
            clean = 0;
            if (fix)
                fix->progs[i].ins[j] = (rt_instr){RT_OP_NOP, 0, 0, 0, 0};
        }
    }
    for (i = 0; i < ns; i++) {
        uint16_t s = sc->start[i];
        if (total + w[s] > GS_INPUT_MAX_GS) {
            clean = 0;
            continue;
        }
        total += w[s];
        if (fix)
            fix->start[n++] = s;
    }
    if (fix) {
        for (i = n; i < ns; i++)
            fix->start[i] = 0;
        fix->nstart = n;
    }
    return clean;
}

/*
 * waker computes the waker program of sc (harness.h): for each
 * semaphore, a WAKE and a YIELD per BLOCK of it that sc's goroutines
 * could run (a program's BLOCKs times the goroutines that run it: its
 * starts, plus the goroutines of every earlier program that GOes to it,
 * once per GO). Writes it into *w and returns its number of instructions
 * (0 if sc has no BLOCK a goroutine could reach). Only programs [0, np)
 * and starts [0, ns) count. GO targets must be
 * later programs (the decoder's DAG), so one pass in program order has
 * every count final before it is used.
 */
static uint32_t waker(const rt_scenario *sc, uint32_t np, uint32_t ns,
                      rt_prog *w)
{
    uint32_t inst[RT_MAX_PROGS] = {0}, need[RT_NSEMA] = {0}, i, j, c, k;
    enum { CAP = RT_MAX_INSTRS / 2 };

    for (i = 0; i < ns && i < RT_MAX_START; i++)
        if (sc->start[i] < RT_MAX_PROGS)
            inst[sc->start[i]]++;
    for (i = 0; i < np && i < RT_MAX_PROGS; i++) {
        const rt_prog *pr = &sc->progs[i];
        for (j = 0; j < pr->nins && j < RT_MAX_INSTRS; j++) {
            const rt_instr *in = &pr->ins[j];
            if (in->op == RT_OP_GO && in->a > i && in->a < RT_MAX_PROGS)
                inst[in->a] =
                    inst[in->a] + inst[i] < CAP ? inst[in->a] + inst[i] : CAP;
            else if (in->op == RT_OP_BLOCK)
                need[in->a % RT_NSEMA] = need[in->a % RT_NSEMA] + inst[i] < CAP
                                             ? need[in->a % RT_NSEMA] + inst[i]
                                             : CAP;
        }
    }
    memset(w, 0, sizeof *w);
    w->frame = 1;
    for (c = 0; c < RT_NSEMA; c++)
        for (k = 0; k < need[c] && w->nins + 2 <= RT_MAX_INSTRS; k++) {
            w->ins[w->nins++] = (rt_instr){RT_OP_WAKE, 0, (uint16_t)c, 0, 0};
            w->ins[w->nins++] = (rt_instr){RT_OP_YIELD, 0, 0, 0, 0};
        }
    return w->nins;
}

/* The waker's program, built by waker (one run decodes at a time). */
static rt_prog wakerprog;

/*
 * haswaker says whether sc ends with the waker its other programs call
 * for: the last program, started once as the last start, named by no
 * other start or GO, equal to waker() of the rest.
 */
static int haswaker(const rt_scenario *sc)
{
    uint32_t i, j, last;

    if (sc->nprogs < 2 || sc->nstart < 2 || sc->nprogs > RT_MAX_PROGS ||
        sc->nstart > RT_MAX_START)
        return 0;
    last = sc->nprogs - 1u;
    if (sc->start[sc->nstart - 1] != last || sc->progs[last].frame != 1 ||
        sc->progs[last].nins < 2 || sc->progs[last].ins[0].op != RT_OP_WAKE)
        return 0;
    for (i = 0; i + 1 < sc->nstart; i++)
        if (sc->start[i] == last)
            return 0;
    for (i = 0; i < last; i++)
        for (j = 0; j < sc->progs[i].nins && j < RT_MAX_INSTRS; j++)
            if (sc->progs[i].ins[j].op == RT_OP_GO &&
                sc->progs[i].ins[j].a == last)
                return 0;
    return waker(sc, last, sc->nstart - 1u, &wakerprog) > 0 &&
           memcmp(&wakerprog, &sc->progs[last], sizeof wakerprog) == 0;
}

static int decode(const uint8_t *data, size_t len, unsigned version,
                  rt_scenario *sc, const uint8_t **sched, size_t *schedlen);

/* gs_input_decode decodes a raw fuzzer input (see harness.h). */
int gs_input_decode(const uint8_t *data, size_t len, rt_scenario *sc,
                    const uint8_t **sched, size_t *schedlen)
{
    return gs_input_decode_version(data, len, GS_INPUT_VERSION, sc, sched,
                                   schedlen);
}

/*
 * gs_input_redecode decodes as gs_input_decode does into an sc that holds
 * an earlier decoding (or zeros), clearing only what that one wrote.
 */
int gs_input_redecode(const uint8_t *data, size_t len, rt_scenario *sc,
                      const uint8_t **sched, size_t *schedlen)
{
    uint32_t i, np = sc->nprogs, ns = sc->nstart;

    if (np > RT_MAX_PROGS || ns > RT_MAX_START) { /* not a decoding */
        memset(sc, 0, sizeof *sc);
        np = ns = 0;
    }
    for (i = 0; i < np; i++) {
        rt_prog *pr = &sc->progs[i];
        memset(pr->ins, 0,
               (pr->nins <= RT_MAX_INSTRS ? pr->nins : RT_MAX_INSTRS) *
                   sizeof pr->ins[0]);
        pr->nins = pr->frame = 0;
    }
    memset(sc->start, 0, ns * sizeof sc->start[0]);
    return decode(data, len, GS_INPUT_VERSION, sc, sched, schedlen);
}

/* gs_input_decode_version decodes as format version `version` did. */
int gs_input_decode_version(const uint8_t *data, size_t len, unsigned version,
                            rt_scenario *sc, const uint8_t **sched,
                            size_t *schedlen)
{
    memset(sc, 0, sizeof *sc);
    return decode(data, len, version, sc, sched, schedlen);
}

/* decode decodes into sc, which must be all zeros (harness.h). */
static int decode(const uint8_t *data, size_t len, unsigned version,
                  rt_scenario *sc, const uint8_t **sched, size_t *schedlen)
{
    rd r = {data, data ? len : 0, 0};
    uint32_t i, j, k, nins, b0;

    b0 = get(&r, D_THREADS);
    sc->nthreads = 1 + b0 % GS_INPUT_MAX_THREADS;
    sc->nprocs = 1 + get(&r, D_PROCS) % GS_INPUT_MAX_PROCS;
    sc->gcmode = get(&r, D_GC) % 3;
    sc->heapcap = GS_INPUT_HEAP_UNIT * (get(&r, D_HEAP) + 1);
    sc->nprogs = 1 + get(&r, 0) % GS_INPUT_MAX_PROGS;
    for (i = 0; i < sc->nprogs; i++) {
        rt_prog *pr = &sc->progs[i];
        nins = get(&r, 0) % (GS_INPUT_MAX_INSTRS + 1);
        pr->frame = (uint16_t)(1 + get(&r, D_FRAME) % GS_INPUT_MAX_FRAME);
        for (j = 0; j < nins && r.i < r.n; j++) {
            rt_instr *in = &pr->ins[pr->nins++];
            unsigned op = get(&r, 0) % RT_OP__COUNT;
            uint16_t v[3];
            for (k = 0; k < 3; k++)
                v[k] = fold(kinds[op][k], get(&r, 0), i, sc->nprogs);
            if (op == RT_OP_GO && i + 1 == sc->nprogs)
                op = RT_OP_NOP, v[0] = v[1] = 0; /* no later program */
            *in = (rt_instr){(uint8_t)op, 0, v[0], v[1], v[2]};
        }
    }
    sc->nstart = 1 + get(&r, 0) % GS_INPUT_MAX_START;
    for (i = 0; i < sc->nstart; i++)
        sc->start[i] = (uint16_t)(get(&r, 0) % sc->nprogs);
    weigh(sc, sc->nprogs, sc->nstart, sc);
    if (version >= 2 && (b0 & GS_INPUT_NOWAKER) != GS_INPUT_NOWAKER &&
        waker(sc, sc->nprogs, sc->nstart, &wakerprog) > 0) {
        sc->progs[sc->nprogs] = wakerprog;
        sc->start[sc->nstart++] = (uint16_t)sc->nprogs;
        sc->nprogs++;
    }
    if (sched)
        *sched = r.i < r.n ? data + r.i : NULL;
    if (schedlen)
        *schedlen = r.n - r.i;
    return RT_OK;
}

/*
 * zero says whether n bytes at p are all zero. Comparing the block with
 * itself shifted by one byte lets libc's memcmp do the work: the unused
 * tail of a scenario is about half a megabyte.
 */
static int zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/* gs_input_representable checks sc against the raw format's bounds. */
static int representable(const rt_scenario *sc, uint32_t np, uint32_t ns,
                         char *why, size_t whylen);

int gs_input_representable(const rt_scenario *sc, char *why, size_t whylen)
{
    /* A waker at the end is a flag of byte 0, not a program. */
    uint32_t w = (uint32_t)haswaker(sc);

    return representable(sc, sc->nprogs - w, sc->nstart - w, why, whylen);
}

/* representable checks sc's programs [0, np) and starts [0, ns) against
 * the bounds (those past them are its waker, if any). */
static int representable(const rt_scenario *sc, uint32_t np, uint32_t ns,
                         char *why, size_t whylen)
{
    uint32_t i, j, k;

    if (sc->nthreads < 1 || sc->nthreads > GS_INPUT_MAX_THREADS)
        return gs_fail(0, why, whylen, "threads %u is not in 1..%d",
                       sc->nthreads, GS_INPUT_MAX_THREADS);
    if (sc->nprocs < 1 || sc->nprocs > GS_INPUT_MAX_PROCS)
        return gs_fail(0, why, whylen, "procs %u is not in 1..%d", sc->nprocs,
                       GS_INPUT_MAX_PROCS);
    if (sc->gcmode > RT_GC_CONC)
        return gs_fail(0, why, whylen, "gc mode %u is not a mode", sc->gcmode);
    if (sc->heapcap < GS_INPUT_HEAP_UNIT || sc->heapcap > GS_INPUT_MAX_HEAP ||
        sc->heapcap % GS_INPUT_HEAP_UNIT != 0)
        return gs_fail(0, why, whylen,
                       "heap %u is not a multiple of %d in %d..%d", sc->heapcap,
                       GS_INPUT_HEAP_UNIT, GS_INPUT_HEAP_UNIT,
                       GS_INPUT_MAX_HEAP);
    if (np < 1 || np > GS_INPUT_MAX_PROGS)
        return gs_fail(0, why, whylen, "%u programs is not in 1..%d", np,
                       GS_INPUT_MAX_PROGS);
    for (i = 0; i < np; i++) {
        const rt_prog *pr = &sc->progs[i];
        if (pr->nins > GS_INPUT_MAX_INSTRS)
            return gs_fail(0, why, whylen,
                           "program %u has %u instructions "
                           "(at most %d)",
                           i, pr->nins, GS_INPUT_MAX_INSTRS);
        if (pr->frame < 1 || pr->frame > GS_INPUT_MAX_FRAME)
            return gs_fail(0, why, whylen,
                           "program %u has a frame of %u (not "
                           "1..%d)",
                           i, pr->frame, GS_INPUT_MAX_FRAME);
        for (j = 0; j < pr->nins; j++) {
            const rt_instr *in = &pr->ins[j];
            const uint16_t v[3] = {in->a, in->b, in->c};
            if (in->op >= RT_OP__COUNT || in->pad != 0)
                return gs_fail(0, why, whylen,
                               "program %u instruction %u: "
                               "opcode %u is not an opcode",
                               i, j, in->op);
            if (in->op == RT_OP_GO && i + 1 == np)
                return gs_fail(0, why, whylen,
                               "program %u instruction %u: GO "
                               "in the last program (GO may only start a "
                               "later program)",
                               i, j);
            for (k = 0; k < 3; k++)
                if (unfold(kinds[in->op][k], v[k], i, np) < 0)
                    return gs_fail(0, why, whylen,
                                   "program %u instruction %u: "
                                   "%s operand %u is %u, out of the format's "
                                   "range",
                                   i, j, rt_opname(in->op), k + 1, v[k]);
        }
        if (!zero(&pr->ins[pr->nins],
                  (RT_MAX_INSTRS - pr->nins) * sizeof(rt_instr)))
            return gs_fail(0, why, whylen,
                           "program %u has data past its last "
                           "instruction",
                           i);
    }
    if (!zero(&sc->progs[sc->nprogs],
              (RT_MAX_PROGS - sc->nprogs) * sizeof(rt_prog)))
        return gs_fail(0, why, whylen, "data past the last program");
    if (ns < 1 || ns > GS_INPUT_MAX_START)
        return gs_fail(0, why, whylen, "%u started goroutines is not in 1..%d",
                       ns, GS_INPUT_MAX_START);
    for (i = 0; i < ns; i++)
        if (sc->start[i] >= np)
            return gs_fail(0, why, whylen, "start %u names program %u of %u", i,
                           sc->start[i], np);
    if (!zero(&sc->start[sc->nstart],
              (RT_MAX_START - sc->nstart) * sizeof sc->start[0]))
        return gs_fail(0, why, whylen, "data past the last started goroutine");
    if (!weigh(sc, np, ns, NULL))
        return gs_fail(0, why, whylen,
                       "more than %d goroutines could run (the "
                       "format's spawn budget)",
                       GS_INPUT_MAX_GS);
    return 1;
}

/* gs_input_encode writes sc's canonical raw bytes and the schedule. */
size_t gs_input_encode(const rt_scenario *sc, const uint8_t *sched,
                       size_t schedlen, uint8_t *buf, size_t buflen)
{
    unsigned flag = 0;
    size_t n = 0;
    uint32_t i, j, k, np = sc->nprogs, ns = sc->nstart;

#define PUT(b)                                                                 \
    do {                                                                       \
        if (n < buflen)                                                        \
            buf[n] = (uint8_t)(b);                                             \
        n++;                                                                   \
    } while (0)

    if (!gs_input_representable(sc, NULL, 0))
        return 0;
    /* Byte 0's high bits: the waker is on unless they are all set. A
     * scenario that ends with its waker is written without it, flag on; one
     * with BLOCKs and no waker gets the flag off; one without BLOCKs the
     * bits clear (either way decodes the same). */
    if (haswaker(sc))
        np--, ns--;
    else if (waker(sc, np, ns, &wakerprog) > 0)
        flag = GS_INPUT_NOWAKER;
    PUT((sc->nthreads - 1) | flag);
    PUT(sc->nprocs - 1);
    PUT(sc->gcmode);
    PUT(sc->heapcap / GS_INPUT_HEAP_UNIT - 1);
    PUT(np - 1);
    for (i = 0; i < np; i++) {
        const rt_prog *pr = &sc->progs[i];
        PUT(pr->nins);
        PUT(pr->frame - 1);
        for (j = 0; j < pr->nins; j++) {
            const rt_instr *in = &pr->ins[j];
            const uint16_t v[3] = {in->a, in->b, in->c};
            PUT(in->op);
            for (k = 0; k < 3; k++)
                PUT(unfold(kinds[in->op][k], v[k], i, np));
        }
    }
    PUT(ns - 1);
    for (i = 0; i < ns; i++)
        PUT(sc->start[i]);
    for (i = 0; i < schedlen; i++)
        PUT(sched[i]);
#undef PUT
    return n;
}

static const uint8_t magic[8] = {'G', 'S', 'T', 'O', 'R', 'M', 0x00, 0x1A};

/* The flags at offset 10 (harness.h). */
enum {
    F_META = 1, /* a metadata section follows the payload */
    F_TEXT = 2, /* the payload is the text form, then the schedule */
};

/* crc32 is the IEEE CRC-32 (as zlib's crc32) of n bytes at p. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    int k;

    while (n-- > 0) {
        c ^= *p++;
        for (k = 0; k < 8; k++)
            c = c >> 1 ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

/* le16, le32, put16, put32 read and write little-endian integers. */
static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

/* gs_input_badmeta checks metadata text (harness.h). */
long gs_input_badmeta(const char *s, size_t n)
{
    size_t i = 0, line = 0;
    int inkey = 1;

    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == 0)
            return (long)i;
        if (c == '\n') {
            if (inkey && i != line)
                return (long)i; /* a line without '=' */
            line = i + 1, inkey = 1;
        } else if (inkey && c == '=') {
            if (i == line)
                return (long)i; /* an empty key */
            inkey = 0;
        } else if (inkey &&
                   !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                     c == '-')) {
            return (long)i;
        }
    }
    return inkey && n != line ? (long)n : -1;
}

/*
 * unwrap parses a gstorm file's frame strictly (layout in harness.h): on
 * success *pay, *plen get the payload, *meta, *mlen the metadata (NULL, 0
 * if none) and *form the form (GS_INPUT_*). A byte string without the
 * magic is all payload. A text payload's contents are checked by
 * textload, not here.
 */
static int unwrap(const uint8_t *f, size_t len, const uint8_t **pay,
                  size_t *plen, const char **meta, size_t *mlen, int *form,
                  unsigned *version, char *err, size_t errlen)
{
    uint32_t flags, n;
    size_t off;
    long bad;

    *meta = NULL;
    *mlen = 0;
    *form = GS_INPUT_RAW;
    *version = GS_INPUT_VERSION;
    if (len < sizeof magic || memcmp(f, magic, sizeof magic) != 0) {
        *pay = f;
        *plen = len;
        return RT_OK;
    }
    if (len < 10)
        return gs_fail(RT_EINVAL, err, errlen,
                       "truncated at offset %zu: "
                       "expected the format version",
                       len);
    *version = le16(f + 8);
    if (*version < 1 || *version > GS_INPUT_VERSION)
        return gs_fail(RT_EVERSION, err, errlen,
                       "format version %u is not "
                       "supported (this gstorm reads versions 1..%d)",
                       *version, GS_INPUT_VERSION);
    if (len < 12)
        return gs_fail(RT_EINVAL, err, errlen,
                       "truncated at offset %zu: "
                       "expected the flags",
                       len);
    flags = le16(f + 10);
    if (flags & ~(uint32_t)(F_META | F_TEXT))
        return gs_fail(RT_EINVAL, err, errlen,
                       "unknown flags 0x%x at offset "
                       "10",
                       flags);
    if (len < GS_INPUT_HEADER)
        return gs_fail(RT_EINVAL, err, errlen,
                       "truncated at offset %zu: "
                       "expected the payload length",
                       len);
    n = le32(f + 12);
    off = GS_INPUT_HEADER;
    if (len - off < n)
        return gs_fail(RT_EINVAL, err, errlen,
                       "truncated at offset %zu: the "
                       "payload needs %u bytes from offset %zu",
                       len, n, off);
    *pay = f + off;
    *plen = n;
    off += n;
    if (flags & F_META) {
        if (len - off < 4)
            return gs_fail(RT_EINVAL, err, errlen,
                           "truncated at offset %zu: "
                           "expected the metadata length",
                           len);
        n = le32(f + off);
        off += 4;
        if (len - off < n)
            return gs_fail(RT_EINVAL, err, errlen,
                           "truncated at offset %zu: "
                           "the metadata needs %u bytes from offset %zu",
                           len, n, off);
        *meta = (const char *)f + off;
        *mlen = n;
        bad = gs_input_badmeta(*meta, n);
        if (bad >= 0)
            return gs_fail(RT_EINVAL, err, errlen,
                           "malformed metadata at "
                           "offset %zu (expected key=value lines)",
                           off + (size_t)bad);
        off += n;
    }
    if (len - off < 4)
        return gs_fail(RT_EINVAL, err, errlen,
                       "truncated at offset %zu: "
                       "expected the checksum",
                       len);
    if (len - off > 4)
        return gs_fail(RT_EINVAL, err, errlen,
                       "%zu trailing bytes at offset "
                       "%zu",
                       len - off - 4, off + 4);
    if (le32(f + off) != crc32(f, off))
        return gs_fail(RT_EINVAL, err, errlen,
                       "checksum mismatch at offset "
                       "%zu: the file is damaged",
                       off);
    *form = flags & F_TEXT ? GS_INPUT_FILE_TEXT : GS_INPUT_FILE;
    return RT_OK;
}

/*
 * textload parses a text payload (flag 1; layout in harness.h) of plen
 * bytes at pay, which sits at offset GS_INPUT_HEADER of the file, into
 * *sc and the schedule. The frame's checksum already passed, so a
 * failure here is a file written wrong, not damage: the message names
 * the file offset of the text and the parser's line:col within it.
 */
static int textload(const uint8_t *pay, size_t plen, rt_scenario *sc,
                    const uint8_t **sched, size_t *schedlen, char *err,
                    size_t errlen)
{
    const size_t at = GS_INPUT_HEADER + GS_INPUT_TEXTLEN;
    char perr[200];
    uint32_t t;

    if (plen < GS_INPUT_TEXTLEN)
        return gs_fail(RT_EINVAL, err, errlen,
                       "text payload of %zu bytes at offset %d is too short "
                       "for its text length",
                       plen, GS_INPUT_HEADER);
    t = le32(pay);
    if (t > plen - GS_INPUT_TEXTLEN)
        return gs_fail(RT_EINVAL, err, errlen,
                       "text length %u at offset %d runs past the payload "
                       "(%zu bytes of text and schedule)",
                       t, GS_INPUT_HEADER, plen - GS_INPUT_TEXTLEN);
    if (rt_scenario_parse((const char *)pay + GS_INPUT_TEXTLEN, t, sc, perr,
                          sizeof perr) != RT_OK)
        return gs_fail(RT_EINVAL, err, errlen,
                       "malformed scenario text at offset %zu (text line:col "
                       "%s)",
                       at, perr);
    if (sched)
        *sched =
            t < plen - GS_INPUT_TEXTLEN ? pay + GS_INPUT_TEXTLEN + t : NULL;
    if (schedlen)
        *schedlen = plen - GS_INPUT_TEXTLEN - t;
    return RT_OK;
}

/* gs_input_load reads a gstorm file or a raw input (see harness.h). */
int gs_input_load(const uint8_t *file, size_t len, rt_scenario *sc,
                  const uint8_t **sched, size_t *schedlen, char *err,
                  size_t errlen)
{
    const uint8_t *pay;
    const char *meta;
    size_t plen, mlen;
    unsigned version;
    int rc, form;

    if (err && errlen)
        err[0] = 0;
    rc = unwrap(file, file ? len : 0, &pay, &plen, &meta, &mlen, &form,
                &version, err, errlen);
    if (rc != RT_OK)
        return rc;
    if (form == GS_INPUT_FILE_TEXT)
        return textload(pay, plen, sc, sched, schedlen, err, errlen);
    return gs_input_decode_version(pay, plen, version, sc, sched, schedlen);
}

/* gs_input_form says which form a file's bytes are (see harness.h). */
int gs_input_form(const uint8_t *file, size_t len, int *form, char *err,
                  size_t errlen)
{
    const uint8_t *pay;
    const char *meta;
    size_t plen, mlen;
    unsigned version;

    return unwrap(file, file ? len : 0, &pay, &plen, &meta, &mlen, form,
                  &version, err, errlen);
}

/* gs_input_meta finds a gstorm file's metadata (see harness.h). */
int gs_input_meta(const uint8_t *file, size_t len, const char **meta,
                  size_t *metalen, char *err, size_t errlen)
{
    const uint8_t *pay;
    size_t plen;
    unsigned version;
    int form;

    return unwrap(file, file ? len : 0, &pay, &plen, meta, metalen, &form,
                  &version, err, errlen);
}

/*
 * textpayload builds the text payload of sc (flag 1; layout in harness.h)
 * in a malloc'd *out of *outlen bytes, after checking that the text
 * parses back into exactly sc: a file that saves but replays a different
 * scenario would be worse than no file. Returns RT_OK, RT_EINVAL (err
 * says why) or RT_ENOMEM.
 */
static int textpayload(const rt_scenario *sc, const uint8_t *sched,
                       size_t schedlen, uint8_t **out, size_t *outlen,
                       char *err, size_t errlen)
{
    size_t t = rt_scenario_format(sc, NULL, 0);
    rt_scenario *back = malloc(sizeof *back);
    uint8_t *buf = NULL;
    char perr[200];
    int rc = RT_OK;

    *out = NULL;
    if (t > UINT32_MAX - GS_INPUT_TEXTLEN ||
        schedlen > UINT32_MAX - GS_INPUT_TEXTLEN - t) {
        rc = gs_fail(RT_EINVAL, err, errlen, "the file would be too large");
        goto out;
    }
    /* One byte more for the NUL that rt_scenario_format always writes. */
    buf = malloc(GS_INPUT_TEXTLEN + t + 1 + schedlen);
    if (buf == NULL || back == NULL) {
        rc = gs_fail(RT_ENOMEM, err, errlen, "out of memory");
        goto out;
    }
    put32(buf, (uint32_t)t);
    rt_scenario_format(sc, (char *)buf + GS_INPUT_TEXTLEN, t + 1);
    if (rt_scenario_parse((char *)buf + GS_INPUT_TEXTLEN, t, back, perr,
                          sizeof perr) != RT_OK) {
        rc = gs_fail(RT_EINVAL, err, errlen,
                     "cannot save the scenario: its text form does not parse "
                     "(%s)",
                     perr);
        goto out;
    }
    if (memcmp(back, sc, sizeof *sc) != 0) {
        rc = gs_fail(RT_EINVAL, err, errlen,
                     "cannot save the scenario: its text form parses into a "
                     "different scenario (unused fields not zero?)");
        goto out;
    }
    if (schedlen > 0)
        memcpy(buf + GS_INPUT_TEXTLEN + t, sched, schedlen);
    *out = buf;
    *outlen = GS_INPUT_TEXTLEN + t + schedlen;
    buf = NULL;
out:
    free(buf);
    free(back);
    return rc;
}

/* gs_input_file builds the bytes of a gstorm file (harness.h). */
int gs_input_file(const rt_scenario *sc, const uint8_t *sched, size_t schedlen,
                  const char *meta, uint8_t **out, size_t *outlen, char *err,
                  size_t errlen)
{
    size_t plen, mlen = meta ? strlen(meta) : 0, total, off;
    uint8_t *buf = NULL, *text = NULL;
    long bad;
    int rc;

    *out = NULL;
    *outlen = 0;
    bad = meta ? gs_input_badmeta(meta, mlen) : -1;
    if (bad >= 0)
        return gs_fail(RT_EINVAL, err, errlen,
                       "malformed metadata at byte %ld "
                       "(expected key=value lines)",
                       bad);
    plen = gs_input_encode(sc, sched, schedlen, NULL, 0);
    if (plen == 0) {
        rc = textpayload(sc, sched, schedlen, &text, &plen, err, errlen);
        if (rc != RT_OK)
            return rc;
    }
    if (plen > UINT32_MAX || mlen > UINT32_MAX) {
        free(text);
        return gs_fail(RT_EINVAL, err, errlen, "the file would be too large");
    }
    total = GS_INPUT_HEADER + plen + (meta ? 4 + mlen : 0) + 4;
    if ((buf = malloc(total)) == NULL) {
        free(text);
        return gs_fail(RT_ENOMEM, err, errlen, "out of memory");
    }
    memcpy(buf, magic, sizeof magic);
    put16(buf + 8, GS_INPUT_VERSION);
    put16(buf + 10, (meta ? F_META : 0) | (text ? F_TEXT : 0));
    put32(buf + 12, (uint32_t)plen);
    if (text)
        memcpy(buf + GS_INPUT_HEADER, text, plen);
    else
        gs_input_encode(sc, sched, schedlen, buf + GS_INPUT_HEADER, plen);
    off = GS_INPUT_HEADER + plen;
    if (meta) {
        put32(buf + off, (uint32_t)mlen);
        memcpy(buf + off + 4, meta, mlen);
        off += 4 + mlen;
    }
    put32(buf + off, crc32(buf, off));
    free(text);
    *out = buf;
    *outlen = total;
    return RT_OK;
}

/* gs_input_save writes a gstorm file atomically (harness.h). */
int gs_input_save(const char *path, const rt_scenario *sc, const uint8_t *sched,
                  size_t schedlen, const char *meta, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    int rc;

    rc = gs_input_file(sc, sched, schedlen, meta, &buf, &len, err, errlen);
    if (rc == RT_OK)
        rc = gs_writefile(path, buf, len, err, errlen);
    free(buf);
    return rc;
}
