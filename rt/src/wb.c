/*
 * wb.c - the workbenches' engine: a run of 2-4 Ms (sim fibers), 1-4 Gs
 * and one P per M, each M playing its ops from the input (rt.h, "Work-
 * benches"), with the real protocol functions and every checker on.
 *
 * An M is two actors, as in Go: the mutator of its own Gs (kinds 0-3,
 * wb_gstatus.c and wb_stack.c), and a GC actor on g0 for any G (kinds
 * 4-7, here). Only the owner moves a G between base states; GC actors
 * only set and clear the scan bit (castogscanstatus, casfromgscanstatus)
 * and post preemption requests, so every wait is on an actor that makes
 * progress:
 *   1. a scan-bit holder never waits (it scans and lets go);
 *   2. a G in Gcopystack is its owner's, inside one op;
 *   3. waitwork (quiesce's wait) runs only on an M whose own G is not
 *      running, so two waiters never wait on each other's Gs; a running
 *      G with a request reaches its prologue within its owner's ops or
 *      at the owner's end (rt__wb_finish).
 * Hence a run of the correct runtime ends within the liveness bound, and
 * any wait over it is a finding.
 */
#include <stdlib.h>
#include <string.h>

#include "wb.h"

rt_wb rt__wb;

/* The GC ops' kinds (the low 3 bits of an op); 0-3 are the mutator's. */
enum { K_STOPG = 4, K_STOPSCANSTART, K_WAITWORK, K_REQUEST };

/* done reports whether gp needs nothing more from a waiter (gc.c's). */
static bool done(rt_g *gp)
{
    return rt__load32(&gp->gcworkdone, memory_order_acquire) ||
           rt__readgstatus(gp) == RT_G_DEAD;
}

/*
 * waitwork waits until gp's work is done, as mquiesce does for each G:
 * stop-work-restart, or, while gp runs with a request posted, wait for
 * it to reach its preemption point, within the liveness bound. The
 * calling M runs no G of its own (invariant 3 above).
 */
static void waitwork(rt_g *gp)
{
    int64_t start = rt__nanotime(), since = -1;

    while (!done(gp)) {
        uint32_t s = rt__readgstatus(gp);
        if (s == RT_G_RUNNING &&
            rt__load64(&gp->stackguard0, memory_order_relaxed) ==
                RT_STACK_PREEMPT) {
            if ((uint64_t)(rt__nanotime() - start) > RT_WB_BOUND_NS)
                rt__throw(RT_RULE_LIVENESS_QUIESCE, gp,
                          "waitwork: G %u still running after %llu ns (no "
                          "preemption point)",
                          rt__goid(gp), (unsigned long long)RT_WB_BOUND_NS);
            rt__usleep(10); /* let it reach its prologue */
        } else if (rt__stopscanstart(gp)) {
            break;
        } else if (!done(gp)) {
            rt__spinwait(&since, gp, "waitwork");
            rt__procyield(10);
        }
    }
}

/* request posts a plain preemption request to gp if it runs, as
 * preemptone does (best effort: gp may leave Grunning meanwhile, and
 * execute drops a stale request). */
static void request(rt_g *gp)
{
    if (rt__readgstatus(gp) != RT_G_RUNNING)
        return;
    rt__store32(&gp->preempt, 1, memory_order_release);
    rt__store64(&gp->stackguard0, RT_STACK_PREEMPT, memory_order_relaxed);
}

/* reset claims gp, if it is claimable, and clears its work for this
 * cycle, so that another actor scans it again (gcworkdone and scancount
 * belong to the scan bit's holder). */
static void reset(rt_g *gp)
{
    uint32_t s = rt__readgstatus(gp);

    if (s != RT_G_RUNNABLE && s != RT_G_WAITING && s != RT_G_SYSCALL)
        return;
    if (!rt__castogscanstatus(gp, s, s | RT_G_SCAN))
        return;
    rt__store32(&gp->gcworkdone, 0, memory_order_release);
    gp->scancount = 0;
    rt__casfromgscanstatus(gp, s | RT_G_SCAN, s);
}

/* gcop runs GC op kind (K_*) of mp on the G arg names. */
static void gcop(rt_m *mp, uint32_t kind, uint32_t arg)
{
    rt_g *gp = rt__wb.g[arg % rt__wb.ng];
    uint32_t sel = arg / rt__wb.ng;

    switch (kind) {
    case K_STOPG:
        if (rt__stopg(gp))
            rt__restartg(gp);
        break;
    case K_STOPSCANSTART:
        /* From g0: never on the G this M runs (quiesce.ong). */
        if (rt__wb_cur(mp) != gp)
            (void)rt__stopscanstart(gp);
        else if (rt__stopg(gp))
            rt__restartg(gp);
        break;
    case K_WAITWORK:
        if (rt__wb_cur(mp) == NULL)
            waitwork(gp);
        else if (rt__stopg(gp))
            rt__restartg(gp);
        break;
    default:
        if (sel & 1)
            request(gp);
        else
            reset(gp);
        break;
    }
}

/* mrun plays mp's ops, then ends its running G's time slice. */
static void mrun(rt_m *mp)
{
    const rt_wb *w = &rt__wb;
    uint32_t j;

    for (j = 0; j < w->nops; j++) {
        size_t pos = RT_WB_HDR + (size_t)j * w->nm + mp->id;
        uint8_t b;
        if (pos >= w->size)
            break;
        b = w->data[pos];
        rt__xadd64_noyield(&rt__wb.ops, 1, memory_order_relaxed);
        if ((b & 7) < K_STOPG)
            rt__wb_mutate(mp, b >> 3);
        else
            gcop(mp, b & 7u, b >> 3);
    }
    rt__wb_finish(mp);
}

/* mstart is the bottom of Ms 1..nm-1. */
static void mstart(void *arg)
{
    rt__tls_set(arg);
    mrun(arg);
}

/*
 * post checks the end of the run, every M done (the world is as good as
 * stopped, and says so for the checkers): no G left claimed or in
 * Gcopystack, no G running; in GCmark, every G whose work is done was
 * scanned exactly once (a request counted as the work, or two scans,
 * break it).
 */
static void post(void)
{
    const rt_wb *w = &rt__wb;
    uint32_t i, s, wd;
    rt_g *gp;

    rt__store32_noyield(&rt__rt.sched.stopped, 1, memory_order_seq_cst);
    for (i = 0; i < w->ng; i++) {
        gp = w->g[i];
        s = rt__load32_noyield(&gp->atomicstatus, memory_order_seq_cst);
        wd = rt__load32_noyield(&gp->gcworkdone, memory_order_seq_cst);
        if (rt__isscanstatus(s) || s == RT_G_COPYSTACK || s == RT_G_RUNNING)
            rt__throw(RT_RULE_QUIESCE_POST, gp,
                      "workbench end: G %u left in %s", rt__goid(gp),
                      rt__gstatusname(s));
        if (gp->scancount > 1 ||
            (w->phase == RT_PH_MARK && wd && gp->scancount != 1))
            rt__throw(RT_RULE_QUIESCE_POST, gp,
                      "workbench end: G %u's work is %s, its stack scanned "
                      "%u times",
                      rt__goid(gp), wd ? "done" : "not done", gp->scancount);
    }
}

/* wbmain is M0: it starts the other Ms, plays its own ops, joins them
 * and checks the end. */
static void wbmain(void *arg)
{
    rt_thread *t[RT_WB_MAXM] = {0};
    uint32_t i;

    (void)arg;
    rt__tls_set(rt__wb.m[0]);
    for (i = 1; i < rt__wb.nm; i++) {
        t[i] = rt__thread_start(mstart, rt__wb.m[i]);
        if (t[i] == NULL)
            rt__throw(RT_RULE_RT_THREAD, NULL, "cannot start M %u", i);
    }
    mrun(rt__wb.m[0]);
    for (i = 1; i < rt__wb.nm; i++)
        rt__thread_join(t[i]);
    post();
}

/* teardown frees the run's stacks and heap; the rest is static. */
static void teardown(void)
{
    rt_runtime *r = &rt__rt;
    uint32_t i;

    for (i = 0; i < RT_WB_MAXG; i++) {
        free(rt__wb.gs[i].stack);
        free(rt__wb.gs[i].shadow);
    }
    r->allgchunk[0] = NULL;
    rt__store32_noyield(&r->allglen, 0, memory_order_seq_cst);
    r->sched.mcount = 0;
    r->nprocs = 0;
    rt__heapfree();
    memset(&rt__wb, 0, sizeof rt__wb);
}

/* initg gives G i its initial status (input byte 1) on its M. */
static void initg(uint32_t i, uint32_t pick)
{
    rt_g *gp = rt__wb.g[i];
    rt_m *mp = rt__wb.m[i % rt__wb.nm];
    bool busy = rt__wb_cur(mp) != NULL; /* an M runs one G at a time */
    static const uint32_t st[4] = {RT_G_RUNNABLE, RT_G_RUNNING, RT_G_WAITING,
                                   RT_G_SYSCALL};
    uint32_t s = st[pick & 3];

    if (busy && s == RT_G_RUNNING)
        s = RT_G_RUNNABLE;
    if (busy && s == RT_G_SYSCALL)
        s = RT_G_WAITING;
    rt__store32_noyield(&gp->atomicstatus, s, memory_order_relaxed);
    if (s == RT_G_RUNNING || s == RT_G_SYSCALL) {
        gp->m = mp;
        rt__wb_setcur(mp, gp);
    }
    if (s == RT_G_SYSCALL) {
        /* As rt__entersyscall left it: the P in Psyscall, kept in oldp,
         * and stack growth trapped. */
        rt__store64_noyield(&gp->stackguard0, RT_STACK_PREEMPT,
                            memory_order_relaxed);
        mp->oldp = mp->p;
        rt__store32_noyield(&mp->p->status, RT_P_SYSCALL, memory_order_relaxed);
        rt__storep_noyield((void *_Atomic *)&mp->p->m, NULL,
                           memory_order_relaxed);
        mp->p = NULL;
    }
}

/* setup builds the run's runtime from the input's header. Returns RT_OK
 * or RT_ENOMEM. */
static int setup(const uint8_t *data, size_t size, bool stack)
{
    rt_runtime *r = &rt__rt;
    rt_wb *w = &rt__wb;
    uint8_t cfg = size > 0 ? data[0] : 0, init = size > 1 ? data[1] : 0;
    uint32_t i;

    w->data = data;
    w->size = size;
    w->stack = stack;
    w->nm = 2 + cfg % 3;
    w->ng = 1 + (cfg / 3) % 4;
    w->nops = 1 + (size > 2 ? data[2] : 0) % RT_WB_MAXOPS;
    w->phase = stack ? RT_PH_MARK : (uint32_t)(cfg / 12) % 5;
    r->nprocs = r->maxmcount = w->nm;
    r->allgchunk[0] = w->allg;
    for (i = 0; i < w->nm; i++) {
        w->m[i] = &w->ms[i];
        w->p[i] = &w->ps[i];
        w->m[i]->id = i;
        w->m[i]->rand = 0x9e3779b97f4a7c15ull * (i + 1);
        w->m[i]->p = w->p[i];
        w->p[i]->id = i;
        rt__store32_noyield(&w->p[i]->status, RT_P_RUNNING,
                            memory_order_relaxed);
        rt__storep_noyield((void *_Atomic *)&w->p[i]->m, w->m[i],
                           memory_order_relaxed);
        r->allp[i] = w->p[i];
        r->allm[i] = w->m[i];
    }
    r->sched.mcount = w->nm;
    for (i = 0; i < w->ng; i++) {
        rt_g *gp = &w->gs[i];
        w->g[i] = gp;
        rt__stackinit(gp, stack ? 4 : 1);
        rt__store32_noyield(&gp->goid, i + 1, memory_order_relaxed);
        gp->index = i;
        r->allgchunk[0][i] = gp;
        initg(i, init >> (2 * i));
    }
    rt__store32_noyield(&r->goidgen, w->ng, memory_order_relaxed);
    rt__store32_noyield(&r->allglen, w->ng, memory_order_seq_cst);
    rt__store32_noyield(&r->gcphase, w->phase, memory_order_relaxed);
    rt__store32_noyield(&r->writebarrier, w->phase == RT_PH_MARK,
                        memory_order_relaxed);
    return rt__heapinit(RT_WB_HEAPCAP);
}

/* rt__wb_run is in wb.h. */
int rt__wb_run(const uint8_t *data, size_t size, bool stack,
               const rt_wb_options *opt, rt_wb_result *res)
{
    rt_runtime *r = &rt__rt;
    rt_sim_source src;
    size_t sched;
    uint32_t i;
    int rc;

    if ((data == NULL && size > 0) || opt == NULL || res == NULL)
        return RT_EINVAL;
    memset(r, 0, sizeof *r);
    memset(&rt__wb, 0, sizeof rt__wb);
    r->opt.backend = RT_BACKEND_SIM;
    r->opt.faults = opt->faults;
    r->opt.quiesce_bound_ns = RT_WB_BOUND_NS;
    r->opt.tick_ns = 10 * 1000;
    r->opt.spawn_budget = RT_SPAWN_BUDGET;
    r->opt.quiet = true;
    r->opt.replay_hint = opt->replay_hint;
    r->opt.trace = opt->trace;
    rt__traceinit(&r->opt);
    rc = setup(data, size, stack);
    if (rc != RT_OK) {
        teardown();
        return rc;
    }
    sched = RT_WB_HDR + (size_t)rt__wb.nops * rt__wb.nm;
    memset(&src, 0, sizeof src);
    src.kind = RT_SIM_BYTES;
    src.step_budget = RT_WB_BUDGET;
    src.bytes = sched < size ? data + sched : NULL;
    src.nbytes = sched < size ? size - sched : 0;
    if (src.nbytes > RT_WB_MAXSCHED)
        src.nbytes = RT_WB_MAXSCHED;
    r->opt.sim = &src;
    rc = rt__os_run(RT_BACKEND_SIM, &src, wbmain, NULL);
    memset(res, 0, sizeof *res);
    res->trace_hash = rt_trace_hash();
    res->sim_steps = rt__sim_steps();
    res->events = rt__tracecount();
    res->ops = rt__load64_noyield(&rt__wb.ops, memory_order_relaxed);
    for (i = 0; i < 4; i++)
        res->claims +=
            rt__load64_noyield(&r->stats[ST_CLAIMS + i], memory_order_relaxed);
    res->stack_scans =
        rt__load64_noyield(&r->stats[ST_SCANS], memory_order_relaxed);
    res->stack_shrinks =
        rt__load64_noyield(&r->stats[ST_SHRINKS], memory_order_relaxed);
    res->preempt_reqs =
        rt__load64_noyield(&r->stats[ST_PREEMPTREQS], memory_order_relaxed);
    for (i = 0; i < rt__wb.nm; i++) {
        res->selfscans += rt__wb.m[i]->selfscans;
        res->stack_grows += rt__wb.m[i]->grows;
    }
    r->opt.sim = NULL;
    teardown();
    return rc;
}
