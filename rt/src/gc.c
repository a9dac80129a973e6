/*
 * gc.c - the collector: a cycle started by the GC op, stack scanning
 * (scanstack), markroot under stop-the-world, quiesce/mquiesce, mark
 * termination with its postconditions and gccheckmark, and sweep.
 *
 * Three modes (rt_gcmode):
 *   STW      stop the world; markroot claims every G with stopg, scans
 *            it, restartg; mark; check; sweep; start the world.
 *   QUIESCE  stop the world to enter GCquiesce; start it; quiesce brings
 *            every G to a safepoint one at a time (no scan); then mark
 *            termination does the STW collection's markroot.
 *   CONC     as QUIESCE but in GCmark: gcphasework scans each stack
 *            while the other goroutines run, under the hybrid write
 *            barrier with black allocation; mark termination scans only
 *            the Gs born after quiesce finished.
 * gcphase changes only with the world stopped (defect S18 otherwise).
 */
#include <stdlib.h>

#include "runtime.h"

/* Passes of quiesce over allgs before the Gs still not done (reused or
 * born behind us) are left to mark termination. */
enum { QUIESCE_PASSES = 4 };

uint32_t (*rt__test_quiesce_len)(uint32_t n);

static void gcwakewaiters(void);

/* setphase changes gcphase; the world is stopped. */
static void setphase(uint32_t phase)
{
    uint32_t old = rt__load32(&rt__rt.gcphase, memory_order_relaxed);

    rt__store32(&rt__rt.gcphase, phase, memory_order_release);
    rt__event(RT_EV_PHASE, NULL, old, phase, "setgcphase");
}

/* stackhash hashes gp's stack in use (and where it is), so a scan can
 * tell that nothing moved it or wrote it meanwhile. */
static uint64_t stackhash(rt_g *gp)
{
    uint64_t h = ((uint64_t)gp->sp << 32) ^ gp->stacksize;
    uint32_t i;

    for (i = gp->sp; i < gp->stacksize; i++)
        h = (h ^ gp->stack[i]) * 0x100000001b3ull;
    return h;
}

/*
 * rt__scanstack shades every reference on gp's stack. The caller holds
 * gp's scan bit, or the world is stopped (invariant 1; the seed's check
 * for this never fired: defect S1). A claimed G that is not running its
 * own scan gets its stack shrunk first if mostly unused.
 */
void rt__scanstack(rt_g *gp)
{
    uint32_t s = rt__readgstatus(gp), i, n = 0;
    uint64_t before;

    /* Fault S1: the seed's `status & Gscan == 0` was always false. */
    if (!rt__faulton(RT_FAULT_S1) && !rt__scanowned(gp, s))
        rt__throw(RT_RULE_SCAN_UNOWNED, gp,
                  "scanstack: M %u scans G %u (%s) without holding its scan "
                  "bit (held by M %d) or a stopped world",
                  rt__getm()->id, rt__goid(gp), rt__gstatusname(s),
                  rt__scanholder(gp));
    switch (s & ~(uint32_t)RT_G_SCAN) {
    case RT_G_DEAD:
        return;
    case RT_G_RUNNABLE:
    case RT_G_SYSCALL:
    case RT_G_WAITING:
        break;
    default:
        rt__throw(RT_RULE_SCAN_BADSTATUS, gp, "scanstack: bad status %s",
                  rt__gstatusname(s));
    }
    if (gp != rt__loadp((void *_Atomic const *)&rt__getm()->curg,
                        memory_order_relaxed))
        rt__shrinkstack(gp);
    /* gp->scanning is the checkers' own flag: non-yielding, so that
     * checking does not move the schedule. */
    if (rt__xchg32_noyield(&gp->scanning, 1) != 0)
        rt__throw(RT_RULE_SCAN_CONCURRENT, gp, "two scans of G %u at once",
                  rt__goid(gp));
    rt__event(RT_EV_SCANSTART, gp, gp->stacksize - gp->sp, 0, "scanstack");
    before = stackhash(gp);
    for (i = gp->sp; i < gp->stacksize; i++) {
        /* A yield point per slot, as a real scan takes time per word: in
         * sim another M may run mid-scan even when the stack holds no
         * reference (rt__shade's are the only others), so scan.running
         * and scan.stackchanged can see any scan. */
        RT__YP(RT_YP_SCAN);
        if (rt__isref(gp->stack[i])) {
            rt__shade(gp->stack[i]);
            n++;
        }
    }
    RT__HOOK(RT_HOOK_SCAN, gp);
    if (stackhash(gp) != before)
        rt__throw(RT_RULE_SCAN_STACKCHANGED, gp,
                  "G %u's stack changed while it was being scanned",
                  rt__goid(gp));
    rt__store32_noyield(&gp->scanning, 0, memory_order_seq_cst);
    gp->scancount++;
    rt__statadd(&rt__rt.stats[ST_SCANS], 1);
    rt__event(RT_EV_SCAN, gp, gp->stacksize - gp->sp, n, "scanstack");
}

/* resetwork clears every G's per-cycle GC state. World stopped. */
static void resetwork(void)
{
    uint32_t i, n = rt__allglen();
    rt_g *gp;

    for (i = 0; i < n; i++) {
        gp = rt__allg(i);
        gp->scancount = 0;
        rt__store32(&gp->gcworkdone, 0, memory_order_relaxed);
        /* The checkers' quiesce state: no yield point. */
        rt__store64_noyield(&gp->qborn, RT_QC_BEFORE, memory_order_relaxed);
        rt__store32_noyield(&gp->qvisit, 0, memory_order_relaxed);
    }
    rt__store64_noyield(&rt__rt.qcursor, RT_QC_BEFORE, memory_order_seq_cst);
    rt__rt.qpasses = 0;
    rt__rt.qlastlen = 0;
    rt__rt.qexhausted = false;
}

/* shadeglobals greys what the globals reference. */
static void shadeglobals(void)
{
    uint32_t i;

    for (i = 0; i < RT_NGLOBALS; i++)
        rt__shade(rt__load64(&rt__rt.globals[i], memory_order_relaxed));
}

/*
 * rt__markroot scans every root with the world stopped: globals, then
 * each G through stopg / scanstack / restartg. With the world stopped a
 * G that is not dead is always claimable, so stopg returns true; the
 * seed scanned even when it returned false (defect S2).
 */
void rt__markroot(void)
{
    uint32_t i, n = rt__allglen();
    rt_g *gp;

    shadeglobals();
    for (i = 0; i < n; i++) {
        gp = rt__allg(i);
        rt__store32(&gp->gcworkdone, 0, memory_order_relaxed);
        /* Fault markroot.skipsyscall: "a G in a syscall has no roots". */
        if (rt__faulton(RT_FAULT_MARKROOT_SKIPSYSCALL) &&
            rt__readgstatus(gp) == RT_G_SYSCALL)
            continue;
        if (rt__stopg(gp)) {
            rt__scanstack(gp);
            rt__restartg(gp);
        }
    }
}

/* checkpost checks the postconditions of a quiesce or markroot pass
 * (checker 3): no G in a scan state or Gcopystack; every live G has
 * done its work, and in a scanning pass was scanned exactly once. */
static void checkpost(rt__rule rule, bool scanned)
{
    uint32_t i, n = rt__allglen(), s;
    rt_g *gp;

    if (rule == RT_RULE_QUIESCE_POST && rt__faulton(RT_FAULT_S13))
        return; /* fault S13, as in rt__gcmarktermination */
    for (i = 0; i < n; i++) {
        gp = rt__allg(i);
        s = rt__readgstatus(gp);
        if (rt__isscanstatus(s) || s == RT_G_COPYSTACK)
            rt__throw(rule, gp, "G %u left in %s after the pass", rt__goid(gp),
                      rt__gstatusname(s));
        if (s == RT_G_DEAD)
            continue;
        if (!rt__load32(&gp->gcworkdone, memory_order_acquire))
            rt__throw(rule, gp, "G %u (%s): gcworkdone still false",
                      rt__goid(gp), rt__gstatusname(s));
        if (scanned && gp->scancount != 1)
            rt__throw(rule, gp, "G %u scanned %u times in one cycle",
                      rt__goid(gp), gp->scancount);
    }
}

/* checkmark is Go's gccheckmark (checker 5): an independent traversal
 * from every root; each object it reaches must be live and marked. */
static void checkmark(void)
{
    rt_runtime *r = &rt__rt;
    uint32_t *q = malloc(r->heapcap * sizeof *q), nq = 0, i, j, n;
    uint32_t stamp = rt__load32_noyield(&r->gccycle, memory_order_relaxed);
    rt_slot v;
    rt_obj *o;
    rt_g *gp;

    if (q == NULL)
        rt__throw(RT_RULE_RT_NOMEM, NULL, "out of memory for checkmark");
#define VISIT(slotval, where)                                                  \
    do {                                                                       \
        rt_slot v_ = (slotval);                                                \
        if (rt__isref(v_)) {                                                   \
            o = &r->objs[rt__refidx(v_) % r->heapcap];                         \
            if (!rt__load32_noyield(&o->live, memory_order_relaxed) ||         \
                o->gen != rt__refgen(v_))                                      \
                rt__throw(RT_RULE_GC_CHECKMARK, gp,                            \
                          "object %u reachable from %s was freed",             \
                          rt__refidx(v_), where);                              \
            if (!rt__load32_noyield(&o->mark, memory_order_relaxed))           \
                rt__throw(RT_RULE_GC_CHECKMARK, gp,                            \
                          "object %u reachable from %s is not marked",         \
                          rt__refidx(v_), where);                              \
            if (o->checkmark != stamp) {                                       \
                o->checkmark = stamp;                                          \
                q[nq++] = rt__refidx(v_);                                      \
            }                                                                  \
        }                                                                      \
    } while (0)
    gp = NULL;
    for (i = 0; i < RT_NGLOBALS; i++)
        VISIT(rt__load64_noyield(&r->globals[i], memory_order_relaxed),
              "a global");
    n = rt__allglen();
    for (i = 0; i < n; i++) {
        gp = rt__allg(i);
        if (rt__readgstatus(gp) == RT_G_DEAD)
            continue;
        for (j = gp->sp; j < gp->stacksize; j++)
            VISIT(gp->stack[j], "a stack");
    }
    gp = NULL;
    while (nq > 0) {
        i = q[--nq];
        for (j = 0; j < RT_NFIELDS; j++) {
            v = rt__load64_noyield(&r->objs[i].fields[j], memory_order_relaxed);
            VISIT(v, "the heap");
        }
    }
#undef VISIT
    free(q);
}

/*
 * behind reports whether gp, live and not done at mark termination, is a
 * straggler that quiesce could not have brought to its safepoint: made
 * live after quiesce's passes, or in its last pass after that pass looked
 * at its slot, or beyond the allgs length the last pass began with when
 * quiesce had no pass left (see RT_QC_*). World stopped.
 */
static bool behind(rt_g *gp)
{
    rt_runtime *r = &rt__rt;
    uint64_t born = rt__load64_noyield(&gp->qborn, memory_order_relaxed);

    if (born == RT_QC_AFTER)
        return true;
    if (born == RT_QC_BEFORE || (uint32_t)(born >> 32) != r->qpasses)
        return false;
    return (uint32_t)born > gp->index ||
           (r->qexhausted && gp->index >= r->qlastlen);
}

/*
 * checkquiesce checks quiesce's own postcondition (checker 3) at mark
 * termination, before anything else touches the Gs: no G left in a scan
 * state or Gcopystack; every live G whose work is not done is behind
 * quiesce (a straggler), else quiesce skipped it: quiesce.post if it
 * visited the G, quiesce.missed if it never did; and in GCmark every G
 * whose work is done was scanned exactly once. The checkers' reads: no
 * yield point.
 */
static void checkquiesce(bool scanned)
{
    uint32_t i, n = rt__load32_noyield(&rt__rt.allglen, memory_order_acquire);
    uint32_t s;
    rt_g *gp;

    for (i = 0; i < n; i++) {
        gp = rt__allg(i);
        s = rt__load32_noyield(&gp->atomicstatus, memory_order_seq_cst);
        if (rt__isscanstatus(s) || s == RT_G_COPYSTACK)
            rt__throw(RT_RULE_QUIESCE_POST, gp, "G %u left in %s after quiesce",
                      rt__goid(gp), rt__gstatusname(s));
        if (s == RT_G_DEAD)
            continue;
        if (!rt__load32_noyield(&gp->gcworkdone, memory_order_acquire)) {
            if (behind(gp))
                continue;
            if (rt__load32_noyield(&gp->qvisit, memory_order_relaxed))
                rt__throw(RT_RULE_QUIESCE_POST, gp,
                          "quiesce visited G %u (%s) but its work is not "
                          "done",
                          rt__goid(gp), rt__gstatusname(s));
            rt__throw(RT_RULE_QUIESCE_MISSED, gp,
                      "G %u (%s) was live during quiesce but never reached "
                      "a safepoint",
                      rt__goid(gp), rt__gstatusname(s));
        }
        if (scanned && gp->scancount != 1)
            rt__throw(RT_RULE_QUIESCE_POST, gp, "quiesce scanned G %u %u times",
                      rt__goid(gp), gp->scancount);
    }
}

/*
 * stragglers claims, with the world stopped, the Gs that quiesce could not
 * have brought to a safepoint (behind it; checkquiesce has checked that
 * every G not done is one) and has their work done.
 */
static void stragglers(void)
{
    uint32_t i, n = rt__allglen();
    rt_g *gp;

    for (i = 0; i < n; i++) {
        gp = rt__allg(i);
        if (rt__readgstatus(gp) == RT_G_DEAD ||
            rt__load32(&gp->gcworkdone, memory_order_acquire))
            continue;
        rt__statadd(&rt__rt.stats[ST_STRAGGLERS], 1);
        if (rt__stopg(gp))
            rt__restartg(gp);
    }
}

/*
 * rt__gcmarktermination finishes a cycle with the world stopped: after a
 * quiesce (GCquiesce or GCmark), bring the stragglers to their safepoint
 * and check quiesce's postcondition; after GCquiesce, collect as STW does
 * (markroot); in every mode drain, check the scans, gccheckmark, sweep,
 * GCoff.
 */
void rt__gcmarktermination(void)
{
    rt_runtime *r = &rt__rt;
    uint32_t phase = rt__load32(&r->gcphase, memory_order_acquire);

    if (phase == RT_PH_QUIESCE || phase == RT_PH_MARK) {
        /* Fault S13: the seed's final pass only printed what it found. */
        if (!rt__faulton(RT_FAULT_S13))
            checkquiesce(phase == RT_PH_MARK);
        stragglers();
    }
    if (phase == RT_PH_QUIESCE) {
        checkpost(RT_RULE_QUIESCE_POST, false);
        setphase(RT_PH_STW);
        resetwork();
        rt__markroot();
    }
    rt__drain();
    RT__HOOK(RT_HOOK_TERMINATION, NULL);
    checkpost(phase == RT_PH_MARK ? RT_RULE_QUIESCE_POST
                                  : RT_RULE_MARKROOT_POST,
              true);
    RT__HOOK(RT_HOOK_CHECKMARK, NULL);
    checkmark();
    rt__store32(&r->writebarrier, 0, memory_order_release);
    rt__statmax(ST_MARKNS, ST_MARKMAX, rt__nanotime() - r->gcstart);
    setphase(RT_PH_SWEEP);
    rt__statadd(&r->stats[ST_FREED], rt__sweep());
    setphase(RT_PH_OFF);
    rt__statadd(&r->stats[ST_GCCYCLES], 1);
    /* The whole cycle's bound (see RT_GC_BOUND_FACTOR). */
    if ((uint64_t)(rt__nanotime() - r->gcstart) >
        RT_GC_BOUND_FACTOR * r->opt.quiesce_bound_ns)
        rt__throw(
            RT_RULE_LIVENESS_GC, NULL,
            "GC cycle %u took %lld ns, over the bound of %llu",
            rt__load32_noyield(&r->gccycle, memory_order_relaxed),
            (long long)(rt__nanotime() - r->gcstart),
            (unsigned long long)(RT_GC_BOUND_FACTOR * r->opt.quiesce_bound_ns));
}

/*
 * rt__gc is the GC op on gp (running). Like Go's runtime.GC it is over
 * only when a whole cycle that started after the op began has finished:
 * gp->gcneed is the first cycle number that qualifies (set by the op).
 * If no cycle runs, start one; gp->gcwait is then its number. Returns
 * RT_GCOP_QUIESCE when gp must switch to quiesce (its M runs
 * rt__quiesce), RT_GCOP_DONE when gp has only to wait for cycle
 * gp->gcwait (the one it ran, or a running one that qualifies: the
 * request is coalesced), RT_GCOP_RETRY when the running cycle began
 * before the op: wait for it to end, then run the op again.
 */
rt_gcop rt__gc(rt_g *gp)
{
    rt_runtime *r = &rt__rt;
    uint32_t mode = r->sc->gcmode, c;

    if (!rt__cas32(&r->gcrunning, 0, 1)) {
        rt__statadd(&r->stats[ST_GCCOALESCED], 1);
        /* Acquire pairs with the starter's release store of the number;
         * a starter that has not stored it yet shows the previous cycle,
         * which is over or about to be: the op runs again. */
        c = rt__load32(&r->gccycle, memory_order_acquire);
        gp->gcwait = c;
        return c >= gp->gcneed ? RT_GCOP_DONE : RT_GCOP_RETRY;
    }
    /* Only the gcrunning holder writes the cycle number. */
    c = rt__load32(&r->gccycle, memory_order_relaxed) + 1;
    rt__store32(&r->gccycle, c, memory_order_release);
    gp->gcwait = c;
    r->gcstart = rt__nanotime();
    /* The GC caller waits in Gwaiting while the world is stopped. */
    rt__casgstatus(gp, RT_G_RUNNING, RT_G_WAITING);
    rt__stoptheworld();
    resetwork();
    if (mode == RT_GC_STW) {
        setphase(RT_PH_STW);
        rt__markroot();
        rt__gcmarktermination();
        rt__starttheworld();
        rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNING);
        gcwakewaiters(); /* GC ops that joined this cycle */
        return RT_GCOP_DONE;
    }
    if (mode == RT_GC_CONC) {
        rt__store32(&r->writebarrier, 1, memory_order_release);
        shadeglobals();
        setphase(RT_PH_MARK);
    } else {
        setphase(RT_PH_QUIESCE);
    }
    rt__starttheworld();
    /* Fault gc.noresume: this path forgets what the STW one does. */
    if (!rt__faulton(RT_FAULT_GC_NORESUME))
        rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNING);
    return RT_GCOP_QUIESCE;
}

/*
 * rt__gcwaited is the checker of the GC op's contract, called as gp goes
 * past its GC op: a whole cycle that started at or after the op (number
 * gp->gcneed or later) has finished, else it throws gc.waited. Then the
 * op is forgotten. The checkers' read: no yield point.
 */
void rt__gcwaited(rt_g *gp)
{
    uint32_t done = rt__load32_noyield(&rt__rt.gcdone, memory_order_acquire);

    if (done < gp->gcneed)
        rt__throw(RT_RULE_GC_WAITED, gp,
                  "G %u went past its GC op (pc %u) with cycle %u finished; "
                  "the op needs cycle %u, the first to start after it",
                  rt__goid(gp), gp->gcpc, done, gp->gcneed);
    gp->gcneed = 0;
}

/*
 * rt__gcwaitpark: gp ran a GC op whose cycle (gp->gcwait) runs on another
 * M's g0. If it has not finished, queue gp to wait for it and return true
 * with gcwaitlock held (park_m drops it once gp is in Gwaiting);
 * otherwise return false: gp goes on.
 */
bool rt__gcwaitpark(rt_g *gp)
{
    rt_runtime *r = &rt__rt;

    rt__lock(&r->gcwaitlock);
    if (rt__load32(&r->gcdone, memory_order_acquire) >= gp->gcwait) {
        rt__unlock(&r->gcwaitlock);
        gp->gcwait = 0;
        return false;
    }
    gp->schedlink = r->gcwaiters;
    r->gcwaiters = gp;
    gp->waitlock = &r->gcwaitlock;
    gp->waitsema = -1;
    return true;
}

/* gcwakewaiters ends the cycle: records it done and readies every G that
 * waits for it. */
static void gcwakewaiters(void)
{
    rt_runtime *r = &rt__rt;
    rt_g *list, *gp;

    rt__lock(&r->gcwaitlock);
    rt__store32(&r->gcdone, rt__load32(&r->gccycle, memory_order_relaxed),
                memory_order_release);
    list = r->gcwaiters;
    r->gcwaiters = NULL;
    rt__unlock(&r->gcwaitlock);
    rt__store32(&r->gcrunning, 0, memory_order_release);
    while (list != NULL) {
        gp = list;
        list = gp->schedlink;
        gp->schedlink = NULL;
        gp->parked = 0;
        rt__ready(gp);
    }
}

/* done reports whether gp needs nothing more from this quiesce. */
static bool done(rt_g *gp)
{
    return rt__load32(&gp->gcworkdone, memory_order_acquire) ||
           rt__readgstatus(gp) == RT_G_DEAD;
}

/*
 * rt__mquiesce runs on the master's M (g0) after the master claimed
 * itself in Gscanenqueue: ready the master, then bring every G to a
 * safepoint with stop-work-restart until all have done their work. A
 * running G is waited for at its next preemption point, within the
 * liveness bound. allglen is re-read under acquire each pass, so Gs born
 * during the pass are visited (defect S11 read it once, unlocked).
 */
void rt__mquiesce(rt_g *master)
{
    rt_runtime *r = &rt__rt;
    int64_t start = rt__nanotime(), el, since;
    uint32_t i, n, pass, s;
    bool all;
    rt_g *gp;

    rt__restartg(master);
    for (pass = 0; pass < QUIESCE_PASSES; pass++) {
        all = true;
        /* The checkers' cursor (RT_QC_*): a new pass, and the allgs length
         * it begins with, read before the pass reads its own. */
        r->qpasses = pass + 1;
        r->qlastlen = rt__load32_noyield(&r->allglen, memory_order_seq_cst);
        rt__store64_noyield(&r->qcursor, (uint64_t)(pass + 1) << 32,
                            memory_order_seq_cst);
        /* Fault S11: the seed read allglen once, before its passes. */
        if (pass == 0 || !rt__faulton(RT_FAULT_S11))
            n = rt__allglen();
        if (rt__test_quiesce_len != NULL)
            n = rt__test_quiesce_len(n);
        for (i = 0; i < n; i++) {
            /* Cursor first: a G made live after this store, at slot i or
             * below, is behind the pass; one made live before it is seen
             * live by the loads below. */
            rt__store64_noyield(&r->qcursor,
                                ((uint64_t)(pass + 1) << 32) | (i + 1),
                                memory_order_seq_cst);
            gp = rt__allg(i);
            since = -1;
            while (!done(gp)) {
                all = false;
                s = rt__readgstatus(gp);
                if (s == RT_G_RUNNING &&
                    rt__load64(&gp->stackguard0, memory_order_relaxed) ==
                        RT_STACK_PREEMPT) {
                    if ((uint64_t)(rt__nanotime() - start) >
                        r->opt.quiesce_bound_ns)
                        rt__throw(RT_RULE_LIVENESS_QUIESCE, gp,
                                  "quiesce: G %u still running after %llu "
                                  "ns (no preemption point)",
                                  rt__goid(gp),
                                  (unsigned long long)r->opt.quiesce_bound_ns);
                    rt__usleep(10); /* let it reach its prologue */
                } else if (rt__stopscanstart(gp)) {
                    break; /* claimed, worked, released */
                } else if (!done(gp)) {
                    /* Another actor holds its claim (say, gp scanning
                     * itself in newstack): it must let go within the
                     * bound. A spin hint lets that actor run: the sim's
                     * PCT would otherwise keep this loop on top forever. */
                    rt__spinwait(&since, gp, "mquiesce");
                    rt__procyield(10);
                }
            }
            /* The checkers' mark: quiesce saw gp done (or dead). */
            rt__store32_noyield(&gp->qvisit, 1, memory_order_relaxed);
            if (rt__load32(&r->gcphase, memory_order_relaxed) == RT_PH_MARK)
                rt__drain();
        }
        /* The pass is over: a G made live from here on is behind it,
         * unless the check below sees it and makes another pass. */
        rt__store64_noyield(&r->qcursor,
                            ((uint64_t)(pass + 1) << 32) | RT_QC_ALL,
                            memory_order_seq_cst);
        if (all && n == rt__allglen())
            break;
    }
    r->qexhausted = pass == QUIESCE_PASSES;
    rt__store64_noyield(&r->qcursor, RT_QC_AFTER, memory_order_seq_cst);
    RT__HOOK(RT_HOOK_QUIESCED, NULL);
    el = rt__nanotime() - start;
    rt__statadd(&r->stats[ST_QUIESCES], 1);
    /* Only the quiesce master writes the maximum, and only one quiesce
     * runs at a time (gcrunning). */
    rt__statmax(ST_QUIESCENS, ST_QUIESCEMAX, el);
    /* Fault S18: mark ends (GCstw, barrier off) while goroutines run. */
    if (rt__faulton(RT_FAULT_S18) &&
        rt__load32(&r->gcphase, memory_order_acquire) == RT_PH_MARK) {
        rt__store32(&r->writebarrier, 0, memory_order_release);
        setphase(RT_PH_STW);
    }
    /* Mark termination, with the world stopped. */
    rt__stoptheworld();
    rt__gcmarktermination();
    rt__starttheworld();
    gcwakewaiters();
}

/*
 * rt__quiesce: the master G (running, on this M) claims itself in
 * Gscanenqueue and the M runs mquiesce for it. The seed ignored whether
 * the claim succeeded (defect S8); it cannot fail here, since only the
 * G's own M moves it out of Grunning, so a failure is a broken runtime.
 */
void rt__quiesce(rt_g *master)
{
    /* Fault S8: the seed went on with the master still Grunning. */
    if (!rt__castogscanstatus(master, RT_G_RUNNING, RT_G_SCANENQUEUE) &&
        !rt__faulton(RT_FAULT_S8))
        rt__throw(RT_RULE_QUIESCE_CLAIM, master,
                  "quiesce: cannot claim the master (status %s)",
                  rt__gstatusname(rt__readgstatus(master)));
    rt__mquiesce(master);
}
