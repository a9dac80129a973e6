/*
 * wb.h - the workbenches' shared engine (wb.c) and what each workbench
 * adds to it: the owner-M side of the status word (wb_gstatus.c) and the
 * stack ops (wb_stack.c). The public side is rt_wb_gstatus and
 * rt_wb_stack in rt.h, which also describes the input.
 */
#ifndef RT_WB_H
#define RT_WB_H

#include "runtime.h"

enum {
    RT_WB_MAXM = 4,        /* Ms of a run: 2..4 */
    RT_WB_MAXG = 4,        /* Gs of a run: 1..4 */
    RT_WB_MAXOPS = 32,     /* ops per M */
    RT_WB_HDR = 3,         /* header bytes before the ops */
    RT_WB_MAXSCHED = 2048, /* schedule bytes read: 2048 bytes of at most
                              128 yield points each stay far below the
                              liveness bound (RT_WB_BOUND_NS) */
    RT_WB_HEAPCAP = 64,    /* heap objects: four refills of one P */
};

/* The liveness bound of every wait (rt_options.quiesce_bound_ns): 100 ms
 * of virtual time, 1,000,000 yield points of 100 ns. A correct run takes
 * at most about 262,144 points of adversarial schedule (RT_WB_MAXSCHED
 * bytes) plus its ops' work (a scan of at most a few thousand slots per
 * op), so only a G that never lets go reaches it. */
#define RT_WB_BOUND_NS (100ull * 1000 * 1000)
/* The step budget: above the bound, so a hang reports the wait first. */
#define RT_WB_BUDGET (4ull * 1000 * 1000)

/* The run in progress (one per process, as rt_run's). */
typedef struct rt_wb {
    const uint8_t *data; /* the input */
    size_t size;
    bool stack;          /* rt_wb_stack: the stack ops, always GCmark */
    uint32_t nm;         /* Ms */
    uint32_t ng;         /* Gs; G i belongs to M i % nm */
    uint32_t nops;       /* ops per M */
    uint32_t phase;      /* the GC phase of the run */
    rt_m *m[RT_WB_MAXM]; /* &ms[i] for the run's Ms, else NULL */
    rt_p *p[RT_WB_MAXM];
    rt_g *g[RT_WB_MAXG];
    _Atomic uint64_t ops; /* ops run (by every M: a non-yielding atomic) */
    /* The structures themselves: cleared per run, never allocated (an
     * allocation under ASan costs more than a short run's protocol). */
    rt_m ms[RT_WB_MAXM];
    rt_p ps[RT_WB_MAXM];
    rt_g gs[RT_WB_MAXG];
    rt_g *allg[RT_WB_MAXG]; /* allgs' first chunk (rt__allg reads only
                               below allglen) */
} rt_wb;

extern rt_wb rt__wb;

/* rt__wb_run runs one input (rt.h); stack selects rt_wb_stack. */
int rt__wb_run(const uint8_t *data, size_t size, bool stack,
               const rt_wb_options *opt, rt_wb_result *res);

/* rt__wb_cur returns the G that mp runs (Grunning) or that is in a
 * system call on it, or NULL. Only mp reads and writes it: no yield
 * point. rt__wb_setcur sets it. */
static inline rt_g *rt__wb_cur(rt_m *mp)
{
    return rt__loadp_noyield((void *_Atomic const *)&mp->curg,
                             memory_order_relaxed);
}
static inline void rt__wb_setcur(rt_m *mp, rt_g *gp)
{
    rt__storep_noyield((void *_Atomic *)&mp->curg, gp, memory_order_relaxed);
}

/* rt__wb_base returns gp's base status (without the scan bit) as its
 * owner sees it: only the owner changes the base, so the owner's plain
 * look needs no yield point. */
static inline uint32_t rt__wb_base(rt_g *gp)
{
    return rt__load32_noyield(&gp->atomicstatus, memory_order_relaxed) &
           ~(uint32_t)RT_G_SCAN;
}

/* wb_gstatus.c: the owner M's moves of its Gs (op kinds 0-3), and the
 * end of an M's ops: its running G reaches a preemption point and
 * yields (rt__wb_finish). */
void rt__wb_mutate(rt_m *mp, uint32_t arg);
void rt__wb_finish(rt_m *mp);
/* rt__wb_drop: gp (Grunning on mp) has just left Grunning.
 * rt__wb_yield ends gp's time slice (gosched_m, gopreempt_m): Grunning
 * -> Grunnable. */
void rt__wb_drop(rt_m *mp, rt_g *gp);
void rt__wb_yield(rt_m *mp, rt_g *gp);

/* wb_stack.c: a running G's stack op (CALL n, RET, a reference stored in
 * a slot) for arg; returns false when arg selects none (the caller then
 * makes a status move with arg >> 2). */
bool rt__wb_stackop(rt_m *mp, rt_g *gp, uint32_t arg);

#endif /* RT_WB_H */
