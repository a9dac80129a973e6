/*
 * heap.c - the heap of objects: allocation, references and their checks,
 * shading, the grey queue and the hybrid write barrier.
 *
 * Objects live in one array fixed at the start of the run (heapcap), so
 * an index never moves. A reference carries the object's generation;
 * sweeping bumps the generation and poisons the fields, so a stale
 * reference is caught by the generation check in every build, and by
 * ASan in ASan builds.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/*
 * The heap's arrays are kept from one run to the next (a fuzzer runs
 * thousands of short runs a second in one process, and fresh pages for
 * every run cost more than the runs): a run whose heapcap is at most
 * KEEP_MAX reuses the arrays of an earlier one when they are large
 * enough. Larger heaps are allocated and freed per run, as before. The
 * kept arrays stay reachable from these statics, so LeakSanitizer does
 * not count them.
 */
enum { KEEP_MAX = 1 << 16 }; /* 2 MiB of objects: 16x the default heap */
static rt_obj *keepobjs;
static uint32_t *keepfree, *keepgrey;
static uint32_t keepcap;

/* heapalloc points r's heap arrays at cap objects' worth of memory: the
 * kept arrays (grown if cap is larger), or fresh ones when cap is over
 * KEEP_MAX. Returns false if memory ran out. */
static bool heapalloc(rt_runtime *r, uint32_t cap)
{
    if (cap > KEEP_MAX) {
        r->objs = malloc((size_t)cap * sizeof *r->objs);
        r->freeidx = malloc((size_t)cap * sizeof *r->freeidx);
        r->grey = malloc((size_t)cap * sizeof *r->grey);
        return r->objs != NULL && r->freeidx != NULL && r->grey != NULL;
    }
    if (cap > keepcap) {
        free(keepobjs);
        free(keepfree);
        free(keepgrey);
        keepobjs = malloc((size_t)cap * sizeof *keepobjs);
        keepfree = malloc((size_t)cap * sizeof *keepfree);
        keepgrey = malloc((size_t)cap * sizeof *keepgrey);
        keepcap = cap;
        if (keepobjs == NULL || keepfree == NULL || keepgrey == NULL) {
            free(keepobjs);
            free(keepfree);
            free(keepgrey);
            keepobjs = NULL;
            keepfree = keepgrey = NULL;
            keepcap = 0;
            return false;
        }
    }
    r->objs = keepobjs;
    r->freeidx = keepfree;
    r->grey = keepgrey;
    return true;
}

/* rt__heapinit sets up a heap of cap objects, all free and poisoned: the
 * same state whether its memory is fresh or kept from an earlier run. */
int rt__heapinit(uint32_t cap)
{
    rt_runtime *r = &rt__rt;
    uint32_t i;

    if (!heapalloc(r, cap)) {
        rt__heapfree();
        return RT_ENOMEM;
    }
    memset(r->objs, 0, (size_t)cap * sizeof *r->objs);
    r->heapcap = cap;
    /* Hand out low indices first: deterministic, and readable traces. */
    for (i = 0; i < cap; i++) {
        r->freeidx[i] = cap - 1 - i;
        r->objs[i].gen = 1;
        rt__os_poison(r->objs[i].fields, sizeof r->objs[i].fields);
    }
    r->nfree = cap;
    r->ngrey = 0;
    return RT_OK;
}

/* rt__heapfree releases the heap (every M has stopped): the kept arrays
 * stay for the next run, fresh ones are freed. */
void rt__heapfree(void)
{
    rt_runtime *r = &rt__rt;

    if (r->objs != NULL)
        rt__os_unpoison(r->objs, (size_t)r->heapcap * sizeof *r->objs);
    if (r->objs != keepobjs) {
        free(r->objs);
        free(r->freeidx);
        free(r->grey);
    }
    r->objs = NULL;
    r->freeidx = NULL;
    r->grey = NULL;
}

/*
 * refill moves up to ALLOC_BATCH free object indices from the heap's free
 * list to p's cache, for gp (running NEW). Returns how many it got.
 *
 * Go's allocation slow path makes calls, whose prologues are preemption
 * points, with the heap lock held; so does this one (rt__preemptcheck).
 * The lock is taken through rt__mlock, which counts it in m->locks as
 * Go's lock() does, and newstack must then resume without preempting
 * (defect S4 did the GC work first). It cannot yield here: newstack
 * yields only with no lock held.
 */
static uint32_t refill(rt_g *gp, rt_p *p)
{
    rt_runtime *r = &rt__rt;
    uint32_t n = 0;

    rt__mlock(&r->heaplock);
    RT__HOOK(RT_HOOK_LOCKED, gp);
    (void)rt__preemptcheck(gp);
    while (n < RT_ALLOC_BATCH && r->nfree > 0)
        p->allocache[n++] = r->freeidx[--r->nfree];
    rt__munlock(&r->heaplock, gp);
    p->nallocache = n;
    return n;
}

/*
 * rt__alloc allocates an object for gp, running on p, and returns a
 * reference to it, or nil when the heap is full (the objects still in
 * other Ps' caches are not taken back). Indices come from p's cache,
 * refilled in batches under the heap lock, as Go's mcache does. During
 * mark the object is allocated black (marked), as Go 1.8 does, so this
 * cycle cannot free it.
 */
rt_slot rt__alloc(rt_g *gp, rt_p *p)
{
    rt_runtime *r = &rt__rt;
    rt_obj *o;
    uint32_t idx;

    if (p->nallocache == 0 && refill(gp, p) == 0)
        return 0;
    idx = p->allocache[--p->nallocache];
    o = &r->objs[idx];
    rt__os_unpoison(o->fields, sizeof o->fields);
    /* The object is ours alone until its reference is published: no
     * yield point. */
    rt__store64_noyield(&o->fields[0], 0, memory_order_relaxed);
    rt__store64_noyield(&o->fields[1], 0, memory_order_relaxed);
    /* Fault alloc.white: every new object white, even during mark. */
    rt__store32(&o->mark,
                !rt__faulton(RT_FAULT_ALLOC_WHITE) &&
                        rt__load32(&r->writebarrier, memory_order_acquire)
                    ? 1
                    : 0,
                memory_order_relaxed);
    rt__store32(&o->live, 1, memory_order_release);
    return rt__mkref(idx, o->gen);
}

/*
 * rt__deref returns the object a reference names, or NULL for an
 * integer. A reference to a swept object (its generation moved on) is the
 * GC safety violation "gc.use_after_free": the collector freed an object
 * that a goroutine could still reach.
 */
rt_obj *rt__deref(rt_g *gp, rt_slot s, const char *op)
{
    rt_runtime *r = &rt__rt;
    rt_obj *o;
    uint32_t idx;

    if (!rt__isref(s))
        return NULL;
    idx = rt__refidx(s);
    if (idx >= r->heapcap)
        rt__throw(RT_RULE_GC_BADREF, gp,
                  "%s: reference to object %u outside the "
                  "heap",
                  op, idx);
    o = &r->objs[idx];
    if (!rt__load32(&o->live, memory_order_acquire) || o->gen != rt__refgen(s))
        rt__throw(RT_RULE_GC_USE_AFTER_FREE, gp,
                  "%s: object %u (generation %u) was swept (now generation "
                  "%u, %s)",
                  op, idx, rt__refgen(s), o->gen,
                  rt__load32_noyield(&o->live, memory_order_seq_cst)
                      ? "reallocated"
                      : "free");
    return o;
}

/* rt__shade greys the object s names, if it is not marked yet. Safe from
 * any M: the mark CAS decides who queues it. */
void rt__shade(rt_slot s)
{
    rt_runtime *r = &rt__rt;
    uint32_t idx;

    if (!rt__isref(s))
        return;
    idx = rt__refidx(s);
    if (idx >= r->heapcap)
        return; /* rt__deref reports bad references where they are used */
    if (!rt__cas32(&r->objs[idx].mark, 0, 1))
        return;
    rt__lock(&r->worklock);
    r->grey[r->ngrey++] = idx; /* each object is queued at most once */
    rt__unlock(&r->worklock);
}

/*
 * rt__writebarrier is the hybrid barrier of Go 1.8 on a heap or global
 * write: shade the old pointee (deletion) and the new one (insertion).
 * Shading the new one always, not only when the writer's stack is grey,
 * is conservative and keeps the barrier free of per-G state.
 */
void rt__writebarrier(rt_slot old, rt_slot new_)
{
    /* Fault wb.off: no barrier at all, even in concurrent mark. */
    if (rt__faulton(RT_FAULT_WB_OFF) ||
        !rt__load32(&rt__rt.writebarrier, memory_order_acquire))
        return;
    rt__shade(old);
    rt__shade(new_);
}

/* rt__drain blackens grey objects until none is left: shades what each
 * one's fields reference. */
void rt__drain(void)
{
    rt_runtime *r = &rt__rt;
    uint32_t idx, f;

    for (;;) {
        rt__lock(&r->worklock);
        if (r->ngrey == 0) {
            rt__unlock(&r->worklock);
            return;
        }
        idx = r->grey[--r->ngrey];
        rt__unlock(&r->worklock);
        for (f = 0; f < RT_NFIELDS; f++)
            rt__shade(
                rt__load64(&r->objs[idx].fields[f], memory_order_relaxed));
    }
}

/* rt__sweep frees every unmarked object, bumping its generation and
 * poisoning its fields, and clears the survivors' marks for the next
 * cycle. The world is stopped. Returns how many it freed. */
uint32_t rt__sweep(void)
{
    rt_runtime *r = &rt__rt;
    uint32_t i, freed = 0;
    rt_obj *o;

    rt__lock(&r->heaplock);
    for (i = 0; i < r->heapcap; i++) {
        o = &r->objs[i];
        /* The world is stopped: no M but ours touches the heap, and
         * nothing here is a schedule point. */
        if (!rt__load32_noyield(&o->live, memory_order_relaxed))
            continue;
        if (rt__load32_noyield(&o->mark, memory_order_relaxed)) {
            rt__store32_noyield(&o->mark, 0, memory_order_relaxed);
            continue;
        }
        rt__store32_noyield(&o->live, 0, memory_order_relaxed);
        o->gen++;
        rt__store64_noyield(&o->fields[0], 0, memory_order_relaxed);
        rt__store64_noyield(&o->fields[1], 0, memory_order_relaxed);
        rt__os_poison(o->fields, sizeof o->fields);
        r->freeidx[r->nfree++] = i;
        freed++;
    }
    rt__unlock(&r->heaplock);
    return freed;
}
