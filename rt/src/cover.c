/*
 * cover.c - interleaving coverage: a small map of one-byte counters, one
 * per hashed feature, that says which concurrent situations a run reached
 * (rt_cover_map in rt.h). Code coverage sees that casgstatus ran; these
 * features see against what: the transition and the status another M
 * wrote last, the claim and its target status in each GC phase, who held
 * the scan bit while whom waited, and each op in each phase. The fuzz
 * targets feed the map to libFuzzer as extra counters and to AFL++ through
 * its own map (fuzz/fuzz.c).
 *
 * Recording happens only on the sim backend, where one fiber runs at a
 * time: the state below is plain (no atomics), every value hashed is a
 * status, a phase, an opcode or a small count (never an address), so the
 * same input gives the same map. Nothing here is a yield point: recording
 * must not move the sim's schedule (the trace hash stays the same).
 */
#include <string.h>

#include "runtime.h"

_Static_assert((RT_COVER_SIZE & (RT_COVER_SIZE - 1)) == 0,
               "the map's size is a power of two (the hash is masked)");

/* Tags keep the feature families apart in the hash. */
enum {
    F_TRANS = 1,   /* kind, from, to, status another M wrote last */
    F_TRANSPH,     /* kind, from, to, GC phase */
    F_TRANSCLAIM,  /* kind, from, to, Gs claimed at that moment (0..3) */
    F_CLAIM,       /* claim from -> to, phase, claimer's role */
    F_EVENT,       /* other event kinds: kind, phase, log2 of from */
    F_OP,          /* op, phase, write barrier, a G claimed */
    F_WAIT,        /* a waiter's wanted transition, the holder's role */
    NONE = 31,     /* "no status": folded statuses are 0..17 */
    ROLE_SELF = 0, /* the M runs gp itself (newstack's self-scan) */
    ROLE_NOG,      /* an M running no G (sysmon, the scheduler) */
    ROLE_OTHERG,   /* an M running another G (a GC op, the master) */
    ROLE_NONE,     /* no holder recorded */
};

/* The map and the state the features are computed from; reset at the
 * start of every run (rt__coverreset). */
static uint8_t map[RT_COVER_SIZE];
static uint32_t lastm = UINT32_MAX; /* M of the last status event */
static uint32_t lastto = NONE;      /* its new status, folded */
static uint32_t otherto = NONE;     /* the last one by another M */
static uint32_t nclaimed;           /* Gs whose scan bit is set */

/* fold maps a status word value to 0..17 (base, then scan forms). */
static uint32_t fold(uint32_t s)
{
    uint32_t b = s & ~(uint32_t)RT_G_SCAN;

    if (b >= RT_G_NSTATUS)
        b = RT_G_NSTATUS - 1;
    return rt__isscanstatus(s) ? RT_G_NSTATUS + b : b;
}

/* hit counts one feature: tag and up to four small values, mixed by
 * murmur3's finalizer and masked to the map. Saturates at 255. */
__attribute__((no_sanitize("thread"))) static void
hit(uint32_t tag, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    uint32_t h = tag * 0x9e3779b1u ^
                 (a << 24 | (b & 0xff) << 16 | (c & 0xff) << 8 | (d & 0xff));

    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    h &= RT_COVER_SIZE - 1;
    if (map[h] != UINT8_MAX)
        map[h]++;
}

/* phase reads the GC phase without a yield point. */
static uint32_t phase(void)
{
    return rt__load32_noyield(&rt__rt.gcphase, memory_order_relaxed);
}

/* role says what M mp is doing with respect to gp: running it, running
 * no G, or running another G. */
static uint32_t role(rt_m *mp, rt_g *gp)
{
    rt_g *cur;

    if (mp == NULL)
        return ROLE_NONE;
    cur = rt__loadp_noyield((void *_Atomic const *)&mp->curg,
                            memory_order_relaxed);
    if (cur == NULL)
        return ROLE_NOG;
    return cur == gp ? ROLE_SELF : ROLE_OTHERG;
}

/* log2b buckets a count: 0, 1, 2-3, 4-7, ... up to 15. */
static uint32_t log2b(uint32_t v)
{
    uint32_t n = 0;

    while (v != 0 && n < 15) {
        v >>= 1;
        n++;
    }
    return n;
}

/* rt__coverreset empties the map and the features' state for a new run
 * (called by rt__traceinit at the start of rt_run). */
void rt__coverreset(void)
{
    memset(map, 0, sizeof map);
    lastm = UINT32_MAX;
    lastto = otherto = NONE;
    nclaimed = 0;
}

/* rt__coverevent records the features of one trace event by M m (called
 * by rt__event for every event). Sim only. */
__attribute__((no_sanitize("thread"))) void
rt__coverevent(rt_evkind kind, rt_g *gp, uint32_t m, uint32_t from, uint32_t to)
{
    uint32_t seen, f, t, ph;

    if (!rt__sim_on || kind == RT_EV_SWITCH)
        return;
    ph = phase();
    if (kind != RT_EV_STATUS && kind != RT_EV_CLAIM && kind != RT_EV_RELEASE) {
        hit(F_EVENT, kind, ph, log2b(from), 0);
        return;
    }
    f = fold(from);
    t = fold(to);
    seen = m != lastm ? lastto : otherto;
    hit(F_TRANS, kind, f, t, seen);
    hit(F_TRANSPH, kind, f, t, ph);
    hit(F_TRANSCLAIM, kind, f, t, nclaimed < 3 ? nclaimed : 3);
    if (kind == RT_EV_CLAIM) {
        hit(F_CLAIM, f, t, ph, role(rt__getm(), gp));
        nclaimed++;
    } else if (kind == RT_EV_RELEASE && nclaimed > 0) {
        nclaimed--;
    }
    if (m != lastm) {
        otherto = lastto;
        lastm = m;
    }
    lastto = t;
}

/* rt__coverop records that gp is about to run op (vm.c). Sim only. */
__attribute__((no_sanitize("thread"))) void rt__coverop(uint32_t op)
{
    if (!rt__sim_on)
        return;
    hit(F_OP, op % RT_OP__COUNT, phase(),
        rt__load32_noyield(&rt__rt.writebarrier, memory_order_relaxed),
        nclaimed != 0);
}

/* rt__coverwait records that the calling M wants gp to go from -> to
 * (to == from: stopg, which only wants a claim) and found its scan bit
 * held: the waiter's transition against the holder's role. Sim only. */
__attribute__((no_sanitize("thread"))) void
rt__coverwait(rt_g *gp, uint32_t from, uint32_t to)
{
    rt_m *holder;

    if (!rt__sim_on)
        return;
    holder = rt__loadp_noyield((void *_Atomic const *)&gp->scanowner,
                               memory_order_relaxed);
    hit(F_WAIT, fold(from), fold(to), role(holder, gp),
        role(rt__getm(), gp) << 4 | phase());
}

/* rt_cover_map is in rt.h. */
size_t rt_cover_map(uint8_t **out)
{
    *out = map;
    return sizeof map;
}
