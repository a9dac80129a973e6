/*
 * gen.c - the stress runner's workloads: one scenario per iteration,
 * generated from a seed.
 *
 * Layout of a generated scenario (program indices in this order):
 *
 *   0             the collector driver: GC ops back to back (a few other
 *                 ops between them), started 1..3 times
 *   1..nw         workers: random programs over every op, started from
 *                 the start list or spawned by an earlier program
 *   nw+1..nl      leaves: short programs that only workers spawn (they
 *                 exit at once: spawn storms and the reuse of dead Gs)
 *   the rest      feeders: WAKEs, paced, started once each
 *
 * Why it cannot deadlock itself: GO only names a later program, so the
 * spawns form a DAG and every goroutine's program is straight-line code;
 * the number of goroutines that run program p is then bounded by
 * inst[p] = starts[p] + sum over q < p of inst[q] * (GOs of p in q), and
 * at most inst[p] * (BLOCK c in p) BLOCKs on semaphore c ever run. The
 * feeders never BLOCK and are started from the start list, so they all
 * run to the end, and their WAKEs on c are at least that sum. A G parked
 * on c forever would then leave c's count positive at the end, which a
 * correct semaphore does not allow: every BLOCK is released (only a lost
 * wake-up, a runtime bug, can leave one parked).
 */
#include <string.h>

#include "stress.h"

/* The --shape names, indexed by st_shape. */
const char *const st_shapenames[] = {"mixed",  "spawn",     "syscall", "deep",
                                     "parked", "tightloop", NULL};
_Static_assert(ST_SHAPE__COUNT == 6, "st_shapenames lists every shape");

enum {
    /* Goroutines one scenario may start in all (spawns included): enough
     * for a storm, few enough that an iteration stays well under a
     * second on real threads without sanitizers. */
    MAX_GS = 3000,
    MAX_WAKES = 1000, /* WAKEs in one feeder (RT_MAX_INSTRS leaves room) */
    MAX_DEPTH = 32,   /* frames a worker pushes: 32 frames of 64 slots
                         grow a stack several times, and scanning it
                         stays cheap enough for many cycles a second */
    NSLOTS = 16,      /* slot operands are drawn below this; frames of
                         4..16 slots keep most of them distinct */
};

/* The generator's state for one scenario. */
typedef struct gen {
    uint64_t s;                  /* PRNG state (splitmix64) */
    rt_scenario *sc;             /* the scenario being built */
    int shape;                   /* an st_shape */
    uint64_t inst[RT_MAX_PROGS]; /* goroutines that may run program p */
    uint64_t blocks[RT_NSEMA];   /* BLOCKs that may run, per semaphore */
    uint64_t total;              /* goroutines that may start in all */
    uint32_t nworkers, nleaves;  /* programs 1..nworkers, then leaves */
} gen;

/* st_mix is splitmix64's finalizer (stress.h). */
uint64_t st_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* rnd returns a number in [0, n) (n > 0) from g's PRNG. */
static uint32_t rnd(gen *g, uint32_t n)
{
    g->s += 0x9e3779b97f4a7c15ull;
    return (uint32_t)(st_mix(g->s) % n);
}

/* chance returns true with probability pct percent. */
static bool chance(gen *g, uint32_t pct)
{
    return rnd(g, 100) < pct;
}

/* emit appends one instruction to program p if it has room; operands an
 * op does not take must be 0 (the text form has no place for them). */
static void emit(gen *g, uint32_t p, unsigned op, uint16_t a, uint16_t b,
                 uint16_t c)
{
    rt_prog *pr = &g->sc->progs[p];
    int n = rt_opnargs(op);

    if (pr->nins >= RT_MAX_INSTRS)
        return;
    pr->ins[pr->nins].op = (uint8_t)op;
    pr->ins[pr->nins].a = n > 0 ? a : 0;
    pr->ins[pr->nins].b = n > 1 ? b : 0;
    pr->ins[pr->nins].c = n > 2 ? c : 0;
    pr->nins++;
}

/* room says how many instructions program p may still take. */
static uint32_t room(gen *g, uint32_t p)
{
    return RT_MAX_INSTRS - g->sc->progs[p].nins;
}

/* slotop returns a slot operand. */
static uint16_t slotop(gen *g)
{
    return (uint16_t)rnd(g, NSLOTS);
}

/* spawn emits a GO from program q to a random later worker or leaf, if
 * the goroutine budget allows; target picks leaves when leafonly. */
static void spawn(gen *g, uint32_t q, bool leafonly)
{
    uint32_t first = q + 1, last = g->nworkers + g->nleaves, p;

    if (leafonly && first <= g->nworkers)
        first = g->nworkers + 1;
    if (first > last || g->total + g->inst[q] > MAX_GS)
        return;
    p = first + rnd(g, last - first + 1);
    emit(g, q, RT_OP_GO, (uint16_t)p, slotop(g), 0);
    g->inst[p] += g->inst[q];
    g->total += g->inst[q];
}

/* block emits a BLOCK on a random semaphore from program q, counted for
 * the feeders. */
static void block(gen *g, uint32_t q)
{
    uint32_t c = rnd(g, RT_NSEMA);

    emit(g, q, RT_OP_BLOCK, (uint16_t)c, 0, 0);
    g->blocks[c] += g->inst[q];
}

/* heapop emits one of the ops that move references: NEW, MOV, LOAD,
 * STORE, USE, GSET, GGET. */
static void heapop(gen *g, uint32_t p)
{
    switch (rnd(g, 8)) {
    case 0:
    case 1:
        emit(g, p, RT_OP_NEW, slotop(g), 0, 0);
        break;
    case 2:
        emit(g, p, RT_OP_MOV, slotop(g), slotop(g), 0);
        break;
    case 3:
        emit(g, p, RT_OP_LOAD, slotop(g), slotop(g), (uint16_t)rnd(g, 2));
        break;
    case 4:
        emit(g, p, RT_OP_STORE, slotop(g), (uint16_t)rnd(g, 2), slotop(g));
        break;
    case 5:
        emit(g, p, RT_OP_USE, slotop(g), 0, 0);
        break;
    case 6:
        emit(g, p, RT_OP_GSET, (uint16_t)rnd(g, RT_NGLOBALS), slotop(g), 0);
        break;
    default:
        emit(g, p, RT_OP_GGET, slotop(g), (uint16_t)rnd(g, RT_NGLOBALS), 0);
        break;
    }
}

/* Per-shape weights of the worker ops (out of their sum). */
typedef struct weights {
    uint32_t heap, call, ret, syscall, yield, spin, go, gc, block, wake, nop,
        exit;
    uint32_t ticks;   /* SYSCALL t below this */
    uint32_t spinmax; /* SPIN n below this */
    uint32_t len;     /* a worker has len..2*len instructions */
} weights;

static const weights shapeweights[ST_SHAPE__COUNT] = {
    [ST_SHAPE_MIXED] = {40, 8, 6, 5, 4, 2, 4, 1, 3, 3, 1, 1, 16, 400, 40},
    [ST_SHAPE_SPAWN] = {20, 3, 2, 1, 2, 0, 30, 1, 1, 1, 0, 1, 4, 50, 40},
    [ST_SHAPE_SYSCALL] = {20, 3, 2, 40, 4, 0, 2, 1, 2, 2, 0, 0, 16, 50, 50},
    [ST_SHAPE_DEEP] = {25, 30, 10, 2, 2, 0, 2, 1, 1, 1, 0, 0, 8, 50, 60},
    [ST_SHAPE_PARKED] = {30, 4, 3, 2, 2, 0, 4, 1, 12, 2, 0, 0, 8, 50, 25},
    /* Tight loops: long SPINs between CALLs, the only preemption points
     * (no NEW, YIELD, SYSCALL or BLOCK): a quiesce waits for one SPIN
     * on a correct runtime, for the whole program without preemption. */
    [ST_SHAPE_TIGHTLOOP] = {0, 10, 5, 0, 0, 30, 0, 0, 0, 0, 0, 0, 4, 2000, 50},
};

/* workerop emits one random op of program p under weights w; *depth is
 * the frames pushed so far (RET pops one). */
static void workerop(gen *g, uint32_t p, const weights *w, uint32_t *depth)
{
    uint32_t sum = w->heap + w->call + w->ret + w->syscall + w->yield +
                   w->spin + w->go + w->gc + w->block + w->wake + w->nop +
                   w->exit;
    uint32_t r = rnd(g, sum);

#define PICK(field)                                                            \
    if (r < w->field)                                                          \
        goto field;                                                            \
    r -= w->field
    PICK(heap);
    PICK(call);
    PICK(ret);
    PICK(syscall);
    PICK(yield);
    PICK(spin);
    PICK(go);
    PICK(gc);
    PICK(block);
    PICK(wake);
    PICK(nop);
    goto exit;
#undef PICK
heap:
    heapop(g, p);
    return;
call:
    if (*depth >= MAX_DEPTH)
        return;
    /* Deep shape: whole frames (64 slots) to grow the stack fast. */
    emit(g, p, RT_OP_CALL,
         (uint16_t)(g->shape == ST_SHAPE_DEEP && chance(g, 70) ? 63
                                                               : rnd(g, 64)),
         0, 0);
    ++*depth;
    return;
ret:
    if (*depth > 0) {
        emit(g, p, RT_OP_RET, 0, 0, 0);
        --*depth;
    }
    return;
syscall:
    emit(g, p, RT_OP_SYSCALL, (uint16_t)rnd(g, w->ticks), 0, 0);
    return;
yield:
    emit(g, p, RT_OP_YIELD, 0, 0, 0);
    return;
spin:
    emit(g, p, RT_OP_SPIN, (uint16_t)rnd(g, w->spinmax), 0, 0);
    return;
go:
    spawn(g, p, false);
    return;
gc:
    emit(g, p, RT_OP_GC, 0, 0, 0);
    return;
block:
    block(g, p);
    return;
wake:
    emit(g, p, RT_OP_WAKE, (uint16_t)rnd(g, RT_NSEMA), 0, 0);
    return;
nop:
    emit(g, p, RT_OP_NOP, 0, 0, 0);
    return;
exit:
    /* An early EXIT: the rest of the program is dead code, and the G
     * exits with frames still pushed. Rare. */
    if (chance(g, 20))
        emit(g, p, RT_OP_EXIT, 0, 0, 0);
}

/*
 * tight fills program p (a tight-loop worker): short SPINs (about a
 * millisecond each) between CALLs and RETs, the only preemption points.
 * A correct runtime preempts it within one SPIN; one that misses the
 * preemption request in the prologue (fault S14) runs the whole program,
 * a few hundred milliseconds, before a quiesce or a stop-the-world gets
 * it.
 */
static void tight(gen *g, uint32_t p)
{
    uint32_t n = 150 + rnd(g, 100), i;

    for (i = 0; i < n; i++) {
        emit(g, p, RT_OP_SPIN, (uint16_t)(200 + rnd(g, 400)), 0, 0);
        emit(g, p, i % 2 == 0 ? RT_OP_CALL : RT_OP_RET, (uint16_t)rnd(g, 8), 0,
             0);
    }
}

/* worker fills program p (a worker) under its shape's weights. */
static void worker(gen *g, uint32_t p)
{
    const weights *w = &shapeweights[g->shape];
    uint32_t n = w->len + rnd(g, w->len + 1), depth = 0, i;

    g->sc->progs[p].frame = (uint16_t)(4 + rnd(g, 13));
    if (g->shape == ST_SHAPE_TIGHTLOOP) {
        tight(g, p);
        return;
    }
    /* Something in slot 0 beside the parent's argument. */
    emit(g, p, RT_OP_NEW, 1, 0, 0);
    if (g->shape == ST_SHAPE_PARKED)
        block(g, p); /* park at once: many Gs parked during collections */
    for (i = 0; i < n && room(g, p) > 2; i++)
        workerop(g, p, w, &depth);
    /* Unwind most of the time: shrinking at scan time needs it. */
    while (depth > 0 && chance(g, 90) && room(g, p) > 1) {
        emit(g, p, RT_OP_RET, 0, 0, 0);
        depth--;
    }
}

/* leaf fills program p (a leaf): a few heap ops, maybe a call, exit. */
static void leaf(gen *g, uint32_t p)
{
    uint32_t n = 2 + rnd(g, 8), i;

    g->sc->progs[p].frame = (uint16_t)(2 + rnd(g, 6));
    for (i = 0; i < n; i++) {
        if (chance(g, 15))
            emit(g, p, RT_OP_CALL, (uint16_t)rnd(g, 64), 0, 0);
        else if (chance(g, 5))
            emit(g, p, RT_OP_SYSCALL, (uint16_t)rnd(g, 4), 0, 0);
        else
            heapop(g, p);
    }
    if (chance(g, 50))
        emit(g, p, RT_OP_EXIT, 0, 0, 0);
}

/* driver fills program 0: collections back to back. */
static void driver(gen *g)
{
    uint32_t n = 5 + rnd(g, 16), i;

    g->sc->progs[0].frame = 4;
    emit(g, 0, RT_OP_NEW, 0, 0, 0);
    for (i = 0; i < n; i++) {
        emit(g, 0, RT_OP_GC, 0, 0, 0);
        if (chance(g, 30))
            heapop(g, 0);
        if (chance(g, 10))
            emit(g, 0, RT_OP_YIELD, 0, 0, 0);
    }
}

/* start appends n goroutines of program p to the start list (as many as
 * fit); returns how many it added. */
static uint32_t start(gen *g, uint32_t p, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n && g->sc->nstart < RT_MAX_START; i++)
        g->sc->start[g->sc->nstart++] = (uint16_t)p;
    return i;
}

/*
 * feeders appends the feeder programs after the others: for each
 * semaphore, WAKEs at least as many as its BLOCKs may run, paced by
 * syscalls and yields so that parked Gs stay parked across collections.
 * A feeder too big for one program is started several times.
 */
static void feeders(gen *g)
{
    rt_scenario *sc = g->sc;
    uint32_t c, p, k, i, per, runs;

    for (c = 0; c < RT_NSEMA; c++) {
        if (g->blocks[c] == 0 || sc->nprogs >= RT_MAX_PROGS)
            continue;
        p = sc->nprogs++;
        sc->progs[p].frame = 1;
        per = g->blocks[c] < MAX_WAKES ? (uint32_t)g->blocks[c] : MAX_WAKES;
        runs = (uint32_t)((g->blocks[c] + per - 1) / per);
        for (k = 0; k < per; k++) {
            if (g->shape == ST_SHAPE_PARKED && k % 8 == 0)
                emit(g, p, RT_OP_SYSCALL, (uint16_t)rnd(g, 16), 0, 0);
            else if (chance(g, 5))
                emit(g, p, RT_OP_YIELD, 0, 0, 0);
            emit(g, p, RT_OP_WAKE, (uint16_t)c, 0, 0);
        }
        i = start(g, p, runs);
        (void)i; /* the start list has room: MAX_GS keeps it short */
    }
}

/* st_generate builds one iteration's scenario (stress.h). */
void st_generate(uint64_t seed, int shape, uint32_t gcmode, uint32_t threads,
                 uint32_t procs, rt_scenario *sc)
{
    gen g;
    uint32_t p, nw, nl, ngc, q;

    memset(&g, 0, sizeof g);
    g.s = seed;
    g.sc = sc;
    g.shape = shape >= 0 && shape < ST_SHAPE__COUNT ? shape : 0;
    rt_scenario_default(sc);
    sc->nthreads = threads;
    sc->nprocs = procs;
    sc->gcmode = gcmode;
    /* A small heap sometimes: allocation failures and frequent sweeps. */
    sc->heapcap = chance(&g, 20) ? 512 : 4096 + 1024 * rnd(&g, 12);
    nw = g.shape == ST_SHAPE_SPAWN ? 6 + rnd(&g, 10) : 6 + rnd(&g, 15);
    if (g.shape == ST_SHAPE_TIGHTLOOP)
        nw = 2 + rnd(&g, 3); /* long programs: a few of them */
    nl = g.shape == ST_SHAPE_SPAWN ? 8 + rnd(&g, 8) : 2 + rnd(&g, 6);
    g.nworkers = nw;
    g.nleaves = nl;
    sc->nprogs = 1 + nw + nl;
    /* Programs 0 (the collector driver) and about half of the workers
     * start from the start list; the others only if something spawns
     * them. Parked and tight-loop shapes want many Gs at once. */
    ngc = 1 + rnd(&g, 3);
    g.inst[0] = start(&g, 0, ngc);
    for (p = 1; p <= nw; p++) {
        uint32_t n = chance(&g, 60) ? 1 + rnd(&g, 3) : 0;
        if (g.shape == ST_SHAPE_PARKED)
            n += 2 + rnd(&g, 6);
        if (g.shape == ST_SHAPE_TIGHTLOOP)
            n = 1 + rnd(&g, 2);
        g.inst[p] = start(&g, p, n);
    }
    g.total = sc->nstart;
    driver(&g);
    /* In index order: a program's inst[] is final before it is filled,
     * since only earlier programs spawn it. */
    for (p = 1; p <= nw; p++)
        worker(&g, p);
    for (q = 0; q < nl; q++)
        leaf(&g, nw + 1 + q);
    /* Spawn storm: the workers' GOs already point at leaves mostly;
     * add bursts of GOs to leaves in the first workers. */
    if (g.shape == ST_SHAPE_SPAWN)
        for (p = 1; p <= nw; p++)
            for (q = 0; q < 20 && room(&g, p) > 0; q++)
                spawn(&g, p, true);
    feeders(&g);
}
