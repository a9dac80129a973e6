/*
 * wb_gstatus.c - the status-word workbench (rt_wb_gstatus in rt.h): the
 * owner M's side of the protocol, each move through the real functions
 * (casgstatus, castogscanstatus, casfromgscanstatus, the prologue's
 * rt__preemptcheck into newstack, rt__entersyscall, rt__exitsyscall, the
 * allocator's locked slow path), racing the GC actors of wb.c (stopg,
 * restartg, stopscanstart, quiesce's wait).
 *
 * The moves mirror the scheduler's (sched.c) without its queues: execute
 * and goexit0 reset what they reset there, and a reused G is made live
 * as newproc makes it.
 */
#include "wb.h"

/* Moves of a running G (kind 0-3 ops), chosen by arg % M__COUNT. */
enum {
    M_PROLOGUE, /* a call's prologue: takes a pending request */
    M_PARK,     /* park_m: Grunning -> Gwaiting */
    M_GOSCHED,  /* gosched_m: Grunning -> Grunnable */
    M_SYSCALL,  /* entersyscall */
    M_NEW,      /* allocate: the heap's locked refill is a prologue */
    M_EXIT,     /* goexit0: Grunning -> Gdead */
    M_ENQUEUE,  /* the quiesce master's self-claim, Gscanenqueue */
    M__COUNT
};

/* rt__wb_drop is in wb.h. */
void rt__wb_drop(rt_m *mp, rt_g *gp)
{
    gp->m = NULL;
    rt__wb_setcur(mp, NULL);
}

/* execute runs gp (Grunnable, mp's) on mp, dropping a stale request but
 * keeping a pending preemptscan (sched.c's execute). */
static void execute(rt_m *mp, rt_g *gp)
{
    rt__casgstatus(gp, RT_G_RUNNABLE, RT_G_RUNNING);
    gp->m = mp;
    rt__wb_setcur(mp, gp);
    rt__newslice(gp);
}

/* reuse makes dead gp live again as newproc does: a new incarnation with
 * every per-G GC flag reset (and, on the stack bench, a fresh stack). */
static void reuse(rt_g *gp, uint32_t arg)
{
    gp->gen++;
    if (rt__wb.stack)
        rt__stackinit(gp, 1 + arg % 8);
    rt__store32(&gp->goid, rt__xadd32(&rt__rt.goidgen, 1),
                memory_order_relaxed);
    gp->scancount = 0;
    rt__store32(&gp->preempt, 0, memory_order_relaxed);
    rt__store32(&gp->preemptscan, 0, memory_order_relaxed);
    rt__store32(&gp->gcworkdone, 0, memory_order_relaxed);
    rt__casgstatus(gp, RT_G_DEAD, RT_G_RUNNABLE);
}

/* rt__wb_yield is in wb.h. */
void rt__wb_yield(rt_m *mp, rt_g *gp)
{
    rt__casgstatus(gp, RT_G_RUNNING, RT_G_RUNNABLE);
    rt__wb_drop(mp, gp);
}

/* enqueue: gp claims itself as the quiesce master (Grunning ->
 * Gscanenqueue), and is released to Gwaiting, as mquiesce's restartg
 * does; its owner readies it later. The claim fails only while a stopg
 * holds Gscanrunning to post a request: retry, within the bound. */
static void enqueue(rt_m *mp, rt_g *gp)
{
    int64_t since = -1;

    while (!rt__castogscanstatus(gp, RT_G_RUNNING, RT_G_SCANENQUEUE)) {
        rt__spinwait(&since, gp, "enqueue");
        rt__procyield(10);
    }
    rt__wb_drop(mp, gp);
    rt__casfromgscanstatus(gp, RT_G_SCANENQUEUE, RT_G_WAITING);
}

/* running makes move arg % M__COUNT of gp, running on mp. */
static void running(rt_m *mp, rt_g *gp, uint32_t arg)
{
    switch (arg % M__COUNT) {
    case M_PROLOGUE:
        if (!rt__preemptcheck(gp))
            rt__wb_yield(mp, gp);
        break;
    case M_PARK:
        rt__casgstatus(gp, RT_G_RUNNING, RT_G_WAITING);
        rt__wb_drop(mp, gp);
        break;
    case M_GOSCHED:
        rt__wb_yield(mp, gp);
        break;
    case M_SYSCALL:
        rt__entersyscall(gp);
        break;
    case M_NEW: {
        rt_slot ref = rt__alloc(gp, mp->p);
        /* The stack bench keeps it in the base frame's first slot: a
         * root its scans must find. */
        if (rt__wb.stack)
            rt__slotset(gp, gp->stacksize - 1, ref);
        break;
    }
    case M_EXIT:
        rt__casgstatus(gp, RT_G_RUNNING, RT_G_DEAD);
        rt__store32(&gp->preempt, 0, memory_order_relaxed);
        rt__store32(&gp->preemptscan, 0, memory_order_relaxed);
        rt__store64(&gp->stackguard0, gp->stackguard, memory_order_relaxed);
        rt__wb_drop(mp, gp);
        break;
    default:
        enqueue(mp, gp);
        break;
    }
}

/* idle makes a move of one of mp's Gs while mp runs none: execute a
 * runnable G, ready a waiting one, bring a dead one back. */
static void idle(rt_m *mp, uint32_t arg)
{
    const rt_wb *w = &rt__wb;
    uint32_t nown = (w->ng - mp->id + w->nm - 1) / w->nm, k;
    rt_g *gp;

    if (mp->id >= w->ng)
        return; /* an M with no G of its own: a GC actor only */
    k = arg % nown;
    gp = w->g[mp->id + k * w->nm];
    switch (rt__wb_base(gp)) {
    case RT_G_RUNNABLE:
        execute(mp, gp);
        break;
    case RT_G_WAITING:
        rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNABLE);
        rt__event(RT_EV_READY, gp, 0, 0, "ready");
        break;
    case RT_G_DEAD:
        reuse(gp, arg / nown);
        break;
    default:
        break;
    }
}

/* rt__wb_mutate is in wb.h: a mutator op of mp. */
void rt__wb_mutate(rt_m *mp, uint32_t arg)
{
    rt_g *gp = rt__wb_cur(mp);

    if (gp == NULL) {
        idle(mp, arg);
        return;
    }
    if (rt__wb_base(gp) == RT_G_SYSCALL) {
        if (!rt__exitsyscall(gp))
            rt__throw(RT_RULE_SCHED_ACQUIREP, gp,
                      "exitsyscall lost its P, which nothing retakes here");
        return;
    }
    /* Scan ownership: no op of a G runs while its stack is scanned (the
     * VM loop's check). A check, not a yield point. */
    if (rt__load32_noyield(&gp->scanning, memory_order_relaxed))
        rt__throw(RT_RULE_SCAN_RUNNING, gp,
                  "G %u runs an op while its stack is being scanned",
                  rt__goid(gp));
    if (rt__wb.stack && rt__wb_stackop(mp, gp, arg))
        return;
    running(mp, gp, rt__wb.stack ? arg >> 2 : arg);
}

/*
 * rt__wb_finish ends mp's ops: its G in a syscall returns from it; its
 * running G keeps making calls until it has taken any request pending
 * (a preemption point within the liveness bound, or liveness.spin),
 * then yields. No G is left running on an M that has stopped.
 */
void rt__wb_finish(rt_m *mp)
{
    rt_g *gp = rt__wb_cur(mp);
    int64_t since = -1;

    if (gp == NULL)
        return;
    if (rt__wb_base(gp) == RT_G_SYSCALL && !rt__exitsyscall(gp))
        rt__throw(RT_RULE_SCHED_ACQUIREP, gp,
                  "exitsyscall lost its P, which nothing retakes here");
    while (rt__load64(&gp->stackguard0, memory_order_relaxed) ==
           RT_STACK_PREEMPT) {
        if (!rt__preemptcheck(gp)) {
            rt__wb_yield(mp, gp);
            return;
        }
        rt__spinwait(&since, gp, "a running G's next preemption point");
    }
    rt__wb_yield(mp, gp);
}

/* rt_wb_gstatus is in rt.h. */
int rt_wb_gstatus(const uint8_t *data, size_t size, const rt_wb_options *opt,
                  rt_wb_result *res)
{
    return rt__wb_run(data, size, false, opt, res);
}
