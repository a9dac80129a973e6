/*
 * g.c - the G status word and the GC safepoint protocol built on it:
 * readgstatus, casgstatus, castogscanstatus, casfromgscanstatus, stopg,
 * restartg, gcphasework and stopscanstart.
 *
 * Proof sketch. The Gscan bit is a lock on the G. It is set only by
 * castogscanstatus (a CAS from a base state) and cleared only by
 * casfromgscanstatus (a CAS from the scan state that must not fail), so
 * at most one actor holds it. casgstatus never moves a G out of a scan
 * state: it spins until the holder clears the bit. Hence
 *   1. a claimed G does not change status until its claimant releases it;
 *   2. gcworkdone is set only under the scan bit (gcphasework asserts it),
 *      and is re-checked after each claim, so the work is done once;
 *   3. every change of the word is legal by rt__gstatus_legal, or throws.
 */
#include "runtime.h"

/* A row of the legality table: base state -> allowed successors, and the
 * function names that make each move (for reports). */
static const struct {
    uint32_t from, to;
    const char *by;
} legal[] = {
    {RT_G_IDLE, RT_G_DEAD, "newproc"},
    {RT_G_DEAD, RT_G_RUNNABLE, "newproc"},
    {RT_G_RUNNABLE, RT_G_RUNNING, "execute"},
    {RT_G_RUNNING, RT_G_WAITING, "park_m/newstack/gc"},
    {RT_G_WAITING, RT_G_RUNNABLE, "ready"},
    {RT_G_WAITING, RT_G_RUNNING, "newstack/gc"},
    {RT_G_RUNNING, RT_G_RUNNABLE, "gosched_m/gopreempt_m"},
    {RT_G_RUNNING, RT_G_DEAD, "goexit0"},
    {RT_G_RUNNING, RT_G_SYSCALL, "entersyscall"},
    {RT_G_SYSCALL, RT_G_RUNNING, "exitsyscall"},
    {RT_G_SYSCALL, RT_G_RUNNABLE, "exitsyscall0"},
    {RT_G_WAITING, RT_G_COPYSTACK, "copystack"},
    {RT_G_COPYSTACK, RT_G_WAITING, "copystack"},
    {RT_G_RUNNABLE, RT_G_SCANRUNNABLE, "stopg"},
    {RT_G_WAITING, RT_G_SCANWAITING, "stopg/newstack"},
    {RT_G_SYSCALL, RT_G_SCANSYSCALL, "stopg"},
    {RT_G_RUNNING, RT_G_SCANRUNNING, "stopg"},
    {RT_G_RUNNING, RT_G_SCANENQUEUE, "quiesce"},
    {RT_G_SCANRUNNABLE, RT_G_RUNNABLE, "restartg"},
    {RT_G_SCANWAITING, RT_G_WAITING, "restartg/newstack"},
    {RT_G_SCANSYSCALL, RT_G_SYSCALL, "restartg"},
    {RT_G_SCANRUNNING, RT_G_RUNNING, "stopg"},
    {RT_G_SCANENQUEUE, RT_G_WAITING, "restartg"},
};

/* rt__gstatus_legal reports whether from -> to is a row of the table. */
bool rt__gstatus_legal(uint32_t from, uint32_t to)
{
    size_t i;

    for (i = 0; i < sizeof legal / sizeof legal[0]; i++)
        if (legal[i].from == from && legal[i].to == to)
            return true;
    return false;
}

/* rt__isscanstatus reports whether s has the scan bit. */
bool rt__isscanstatus(uint32_t s)
{
    return (s & RT_G_SCAN) != 0;
}

/* rt__gstatusname names a status value ("Gscanwaiting"), or "?". */
const char *rt__gstatusname(uint32_t s)
{
    static const char *const base[RT_G_NSTATUS] = {
        "Gidle",     "Grunnable", "Grunning", "Gsyscall",   "Gwaiting",
        "Gmoribund", "Gdead",     "Genqueue", "Gcopystack",
    };
    static const char *const scan[RT_G_NSTATUS] = {
        "Gscanidle?",   "Gscanrunnable", "Gscanrunning",
        "Gscansyscall", "Gscanwaiting",  "Gscan5?",
        "Gscandead?",   "Gscanenqueue",  "Gscancopystack?",
    };
    uint32_t b = s & ~(uint32_t)RT_G_SCAN;

    if (b >= RT_G_NSTATUS || (s & ~(uint32_t)(RT_G_SCAN | 0xf)) != 0)
        return "G?";
    return rt__isscanstatus(s) ? scan[b] : base[b];
}

/* rt__readgstatus loads the status word. seq_cst: status reads order the
 * reads of the G's fields that follow them in the protocol. */
uint32_t rt__readgstatus(rt_g *gp)
{
    if (rt__faulton(RT_FAULT_S17)) {
        /* Fault S17: a plain load, racing with every CAS of the word;
         * still a yield point, so that the sim's schedule keeps its
         * shape. */
        RT__YP(RT_YP_ATOMIC);
        return *(const volatile uint32_t *)&gp->atomicstatus;
    }
    return rt__load32(&gp->atomicstatus, memory_order_seq_cst);
}

/* badtransition throws for an illegal pair. Never returns. */
static _Noreturn void badtransition(const char *fn, rt_g *gp, uint32_t old,
                                    uint32_t new_)
{
    rt__throw(RT_RULE_STATUS_ILLEGAL, gp, "%s: illegal transition %s -> %s", fn,
              rt__gstatusname(old), rt__gstatusname(new_));
}

/*
 * rt__casgstatus moves gp from oldval to newval, neither a scan state.
 * If the word holds oldval|Gscan, a GC actor owns the G: spin until it
 * lets go. Any other mismatch is a bug (not a transient state) and
 * throws, so a lost update cannot spin forever (invariant 3).
 *
 * The seed's version "helped" the GC while spinning; that is defect S5
 * and is not done here.
 */
void rt__casgstatus_(rt_g *gp, uint32_t oldval, uint32_t newval, const char *by)
{
    int64_t since = -1;
    uint32_t cur;
    int i;

    if (rt__isscanstatus(oldval) || rt__isscanstatus(newval) ||
        oldval == newval)
        rt__throw(RT_RULE_STATUS_CASGSTATUS, gp,
                  "casgstatus: bad incoming values %s -> %s",
                  rt__gstatusname(oldval), rt__gstatusname(newval));
    if (!rt__gstatus_legal(oldval, newval))
        badtransition("casgstatus", gp, oldval, newval);
    for (i = 0; !rt__cas32(&gp->atomicstatus, oldval, newval); i++) {
        cur = rt__readgstatus(gp);
        if (cur != (oldval | RT_G_SCAN) && cur != oldval)
            rt__throw(RT_RULE_STATUS_CASGSTATUS, gp,
                      "casgstatus: expected %s (or its scan form) for "
                      "%s -> %s, found %s",
                      rt__gstatusname(oldval), rt__gstatusname(oldval),
                      rt__gstatusname(newval), rt__gstatusname(cur));
        if (cur == (oldval | RT_G_SCAN))
            rt__coverwait(gp, oldval, newval);
        /* Fault S5: the seed "helped" the GC here, doing gp's work under
         * a claim that another actor holds. */
        if (rt__faulton(RT_FAULT_S5) &&
            (oldval == RT_G_RUNNING || oldval == RT_G_SYSCALL) &&
            rt__load32(&gp->preemptscan, memory_order_acquire) &&
            !rt__load32(&gp->gcworkdone, memory_order_acquire)) {
            rt__store32(&gp->preemptscan, 0, memory_order_release);
            rt__gcphasework(gp);
        }
        /* The holder of the scan bit must let go within the bound: a G
         * left claimed would hang this M with no report. */
        rt__spinwait(&since, gp, "casgstatus");
        /* Back off: a scan takes microseconds, and in sim this spin hint
         * lets the schedule source run the holder. */
        if (i < 16)
            rt__procyield(10);
        else
            rt__osyield();
    }
    rt__event(RT_EV_STATUS, gp, oldval, newval, by);
}

/*
 * rt__castogscanstatus tries to claim gp: oldval -> newval where newval is
 * oldval's scan form (or Gscanenqueue from Grunning). Returns whether the
 * CAS succeeded; a pair outside the table throws.
 */
bool rt__castogscanstatus_(rt_g *gp, uint32_t oldval, uint32_t newval,
                           const char *by)
{
    bool ok;

    switch (oldval) {
    case RT_G_RUNNABLE:
    case RT_G_WAITING:
    case RT_G_SYSCALL:
        if (newval != (oldval | RT_G_SCAN))
            badtransition("castogscanstatus", gp, oldval, newval);
        break;
    case RT_G_RUNNING:
        if (newval != RT_G_SCANRUNNING && newval != RT_G_SCANENQUEUE)
            badtransition("castogscanstatus", gp, oldval, newval);
        break;
    default:
        badtransition("castogscanstatus", gp, oldval, newval);
    }
    ok = rt__cas32(&gp->atomicstatus, oldval, newval);
    if (ok) {
        /* The checkers' record of who holds the bit: no yield point. */
        rt__storep_noyield((void *_Atomic *)&gp->scanowner, rt__getm(),
                           memory_order_relaxed);
        rt__statadd(&rt__rt.stats[ST_CLAIMS + oldval - RT_G_RUNNABLE], 1);
        rt__event(RT_EV_CLAIM, gp, oldval, newval, by);
    }
    return ok;
}

/*
 * rt__casfromgscanstatus releases gp's scan bit: oldval (a scan state) ->
 * newval (its base, or Gwaiting from Gscanenqueue). The caller holds the
 * claim, so the CAS cannot fail; if it does, someone else changed a
 * claimed G, and that throws.
 */
void rt__casfromgscanstatus_(rt_g *gp, uint32_t oldval, uint32_t newval,
                             const char *by)
{
    bool ok = false;

    switch (oldval) {
    case RT_G_SCANRUNNABLE:
    case RT_G_SCANWAITING:
    case RT_G_SCANRUNNING:
    case RT_G_SCANSYSCALL:
        ok = newval == (oldval & ~(uint32_t)RT_G_SCAN);
        break;
    case RT_G_SCANENQUEUE:
        ok = newval == RT_G_WAITING;
        break;
    }
    if (!ok)
        badtransition("casfromgscanstatus", gp, oldval, newval);
    /* Cleared before the release: once the bit is gone another actor may
     * claim the G and record itself. */
    rt__storep_noyield((void *_Atomic *)&gp->scanowner, NULL,
                       memory_order_relaxed);
    if (!rt__cas32(&gp->atomicstatus, oldval, newval))
        rt__throw(RT_RULE_SCAN_RELEASE, gp,
                  "casfromgscanstatus: %s -> %s failed, found %s",
                  rt__gstatusname(oldval), rt__gstatusname(newval),
                  rt__gstatusname(rt__readgstatus(gp)));
    rt__event(RT_EV_RELEASE, gp, oldval, newval, by);
}

/*
 * rt__stopg claims gp for this phase's GC work and does it.
 *
 * Returns true when gp was in Grunnable, Gwaiting or Gsyscall: the caller
 * now holds the scan bit, the work is done, and the caller must call
 * restartg. Returns false when there is nothing for the caller to follow
 * up: gp is dead, its work is already done, another actor holds its claim
 * (the holder does the work), or gp is running (a preemption request has
 * been posted; gp does the work itself at its next preemption point).
 * Gcopystack is transient: retry.
 *
 * Unlike the seed (defect S6), a scan state held by another stopper is
 * waited on only through the retry loop, never thrown on.
 */
bool rt__stopg(rt_g *gp)
{
    int64_t since = -1;
    uint32_t s;
    int tries;

    for (tries = 0;; tries++) {
        /* A retry follows a transient state or a lost CAS: let the other
         * actor run (a spin hint, and a yield point in sim), within the
         * bound: a G left in Gcopystack would hang us with no report. */
        if (tries > 0) {
            rt__spinwait(&since, gp, "stopg");
            rt__procyield(10);
        }
        if (rt__load32(&gp->gcworkdone, memory_order_acquire))
            return false;
        s = rt__readgstatus(gp);
        switch (s) {
        case RT_G_DEAD:
            return false;
        case RT_G_COPYSTACK:
            break; /* a new stack is being put in place: retry */
        case RT_G_RUNNABLE:
        case RT_G_SYSCALL:
        case RT_G_WAITING:
            if (!rt__castogscanstatus(gp, s, s | RT_G_SCAN))
                break;
            /* Re-check under the claim: between the load above and the
             * claim, another actor may have claimed, worked, released. */
            if (!rt__load32(&gp->gcworkdone, memory_order_acquire))
                rt__gcphasework(gp);
            return true;
        case RT_G_SCANRUNNABLE:
        case RT_G_SCANWAITING:
        case RT_G_SCANSYSCALL:
        case RT_G_SCANENQUEUE:
        case RT_G_SCANRUNNING:
            /* Claimed by another actor, which does the work. */
            rt__coverwait(gp, s, s);
            if (rt__faulton(RT_FAULT_S6)) /* the seed threw here */
                rt__throw(RT_RULE_STATUS_STOPG, gp,
                          "stopg: gp->atomicstatus %s is not valid",
                          rt__gstatusname(s));
            return false;
        case RT_G_RUNNING:
            /* Claim, so that gp cannot leave Grunning while we post. */
            if (!rt__castogscanstatus(gp, RT_G_RUNNING, RT_G_SCANRUNNING))
                break;
            if (!rt__load32(&gp->gcworkdone, memory_order_acquire)) {
                rt__store32(&gp->preemptscan, 1, memory_order_release);
                rt__store32(&gp->preempt, 1, memory_order_release);
                rt__store64(&gp->stackguard0, RT_STACK_PREEMPT,
                            memory_order_release);
                rt__statadd(&rt__rt.stats[ST_PREEMPTREQS], 1);
                rt__event(RT_EV_PREEMPTREQ, gp, 1, 0, "stopg");
                /* Fault stopg.donebeforework: the request counted as the
                 * work, so gp's own safepoint finds nothing to do. */
                if (rt__faulton(RT_FAULT_STOPG_DONEBEFOREWORK))
                    rt__store32(&gp->gcworkdone, 1, memory_order_release);
            }
            rt__casfromgscanstatus(gp, RT_G_SCANRUNNING, RT_G_RUNNING);
            return false;
        default:
            rt__throw(RT_RULE_STATUS_STOPG, gp,
                      "stopg: gp->atomicstatus %s is not valid",
                      rt__gstatusname(s));
        }
    }
}

/*
 * rt__restartg drops the claim taken by a stopg that returned true. A
 * Gscanenqueue G (the quiesce master) returns to Gwaiting and is readied;
 * that happens on the M that ran it, as in the seed.
 */
void rt__restartg(rt_g *gp)
{
    uint32_t s = rt__readgstatus(gp);

    switch (s) {
    case RT_G_DEAD:
        break;
    case RT_G_SCANRUNNABLE:
    case RT_G_SCANWAITING:
    case RT_G_SCANSYSCALL:
        rt__casfromgscanstatus(gp, s, s & ~(uint32_t)RT_G_SCAN);
        break;
    case RT_G_SCANENQUEUE:
        rt__casfromgscanstatus(gp, RT_G_SCANENQUEUE, RT_G_WAITING);
        if (gp->m != rt__getm())
            rt__throw(RT_RULE_QUIESCE_WRONGM, gp,
                      "processing Gscanenqueue on wrong m");
        gp->m = NULL;
        /* Was a plain (seq_cst, non-yielding) store to the _Atomic;
         * kept non-yielding. */
        rt__storep_noyield((void *_Atomic *)&rt__getm()->curg, NULL,
                           memory_order_seq_cst);
        rt__ready(gp);
        break;
    default:
        rt__throw(RT_RULE_STATUS_RESTARTG, gp, "restartg: unexpected status %s",
                  rt__gstatusname(s));
    }
}

/*
 * rt__gcphasework does gp's work for the current phase (in GCmark: scan
 * its stack) and marks it done. The caller holds gp's scan bit, or the
 * world is stopped (invariant 1).
 */
void rt__gcphasework(rt_g *gp)
{
    uint32_t phase = rt__load32(&rt__rt.gcphase, memory_order_acquire);
    uint32_t s = rt__readgstatus(gp);

    if (!rt__scanowned(gp, s))
        rt__throw(RT_RULE_SCAN_UNOWNED, gp,
                  "gcphasework on M %u without its scan bit (status %s, "
                  "held by M %d) or a stopped world",
                  rt__getm()->id, rt__gstatusname(s), rt__scanholder(gp));
    switch (phase) {
    case RT_PH_OFF:
    case RT_PH_QUIESCE:
    case RT_PH_STW:
    case RT_PH_SWEEP:
        break;
    case RT_PH_MARK:
        rt__scanstack(gp);
        break;
    default:
        rt__throw(RT_RULE_GC_PHASE, gp, "gcphasework in bad gcphase %u", phase);
    }
    rt__event(RT_EV_WORK, gp, phase, 0, "gcphasework");
    rt__store32(&gp->preemptscan, 0, memory_order_release);
    rt__store32(&gp->gcworkdone, 1, memory_order_release);
}

/* rt__stopscanstart claims gp, has its work done, and releases it.
 * Returns whether it did (stopg returned true): then gp's work is done. */
bool rt__stopscanstart(rt_g *gp)
{
    rt_m *mp = rt__getm();

    if (rt__loadp_noyield((void *_Atomic const *)&mp->curg,
                          memory_order_seq_cst) == gp)
        rt__throw(RT_RULE_QUIESCE_ONG, gp, "GC not moved to g0");
    if (!rt__stopg(gp)) {
        /* Fault S2: in GCmark this pass is the stack roots' scan, and the
         * seed's markroot scanned whatever stopg returned. */
        if (rt__faulton(RT_FAULT_S2) &&
            rt__load32(&rt__rt.gcphase, memory_order_acquire) == RT_PH_MARK)
            rt__scanstack(gp);
        return false;
    }
    if (!rt__isscanstatus(rt__readgstatus(gp)))
        rt__throw(RT_RULE_SCAN_NOTCLAIMED, gp, "GC not in scan state");
    rt__restartg(gp);
    return true;
}
