/*
 * sched.c - the scheduler: Ms, Ps, run queues, schedule/execute/
 * findrunnable with work stealing, park and ready, newproc and goexit,
 * system calls with P hand-off, sysmon, stop-the-world, and rt_run.
 *
 * It follows Go 1.4's proc.c. Locking: sched.lock guards the global run
 * queue, the idle M and P lists, the free G list and stopwait. A P's
 * local run queue is lock-free (owner puts, anyone takes by CAS on head).
 * P status is atomic: sysmon and stop-the-world CAS it out of Psyscall.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

rt_runtime rt__rt;

/* sysmon: retake a P in a syscall or preempt a G after this long. */
enum { FORCE_PREEMPT_NS = 10 * 1000 * 1000 };
/* Every 61st schedule takes from the global queue first (Go's fairness
 * rule; a prime so it does not resonate with program loops). */
enum { GLOBAL_FAIRNESS = 61 };

static void schedule(void);
static void stopm(void);
static void startm(rt_p *p, bool spinning);
static void wakep(void);

/* rt__getm returns the calling M (its TLS word). */
rt_m *rt__getm(void)
{
    return rt__tls_get();
}

static rt_g *curg(rt_m *mp)
{
    return rt__loadp((void *_Atomic const *)&mp->curg, memory_order_acquire);
}

static void setcurg(rt_m *mp, rt_g *gp)
{
    rt__storep((void *_Atomic *)&mp->curg, gp, memory_order_release);
}

static rt_m *pm(rt_p *p)
{
    return rt__loadp((void *_Atomic const *)&p->m, memory_order_acquire);
}

static void setpm(rt_p *p, rt_m *mp)
{
    rt__storep((void *_Atomic *)&p->m, mp, memory_order_release);
}

/* rt__fastrand returns the next value of mp's xorshift generator: per M
 * and seeded from the run's seed, so sim runs stay deterministic. */
uint32_t rt__fastrand(rt_m *mp)
{
    uint64_t x = mp->rand;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    mp->rand = x;
    return (uint32_t)(x >> 32);
}

/* allgs ------------------------------------------------------------- */

uint32_t rt__allglen(void)
{
    return rt__load32(&rt__rt.allglen, memory_order_acquire);
}

rt_g *rt__allg(uint32_t i)
{
    return rt__rt.allgchunk[i >> 10][i & 1023];
}

_Static_assert(RT_SPAWN_BUDGET <=
                   sizeof rt__rt.allgchunk / sizeof rt__rt.allgchunk[0] * 1024,
               "the default spawn budget ends a run before allgs is full");

/* allgadd publishes gp in allgs. The entry is written before allglen's
 * release store, which readers pair with their acquire load. */
static void allgadd(rt_g *gp)
{
    rt_runtime *r = &rt__rt;
    uint32_t n;

    if (rt__readgstatus(gp) == RT_G_IDLE)
        rt__throw(RT_RULE_STATUS_ALLGADD, gp, "allgadd: bad status Gidle");
    rt__lock(&r->allglock);
    n = rt__load32(&r->allglen, memory_order_relaxed);
    if ((n >> 10) >= sizeof r->allgchunk / sizeof r->allgchunk[0])
        rt__throw(RT_RULE_RT_TOOMANYG, gp, "more than %u goroutines", n);
    if (r->allgchunk[n >> 10] == NULL) {
        r->allgchunk[n >> 10] = calloc(1024, sizeof(rt_g *));
        if (r->allgchunk[n >> 10] == NULL)
            rt__throw(RT_RULE_RT_NOMEM, gp, "out of memory for allgs");
    }
    r->allgchunk[n >> 10][n & 1023] = gp;
    gp->index = n;
    rt__store32(&r->allglen, n + 1, memory_order_release);
    rt__unlock(&r->allglock);
}

/* run queues -------------------------------------------------------- */

/* globrunqput puts gp on the global queue. */
static void globrunqput(rt_g *gp)
{
    rt_runtime *r = &rt__rt;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    gp->schedlink = NULL;
    if (r->sched.runqtail != NULL)
        r->sched.runqtail->schedlink = gp;
    else
        r->sched.runqhead = gp;
    r->sched.runqtail = gp;
    rt__xadd32(&r->sched.runqsize, 1);
}

/* runqput puts gp on p's local queue; when full, half of it moves to the
 * global queue. Called only by p's owner. */
static void runqput(rt_p *p, rt_g *gp)
{
    uint32_t h, t, n, i;
    rt_g *batch[RT_RUNQ / 2 + 1];

    for (;;) {
        /* Acquire pairs with the release CAS of consumers on runqhead. */
        h = rt__load32(&p->runqhead, memory_order_acquire);
        t = rt__load32(&p->runqtail, memory_order_relaxed);
        if (t - h < RT_RUNQ) {
            rt__storep((void *_Atomic *)&p->runq[t % RT_RUNQ], gp,
                       memory_order_relaxed);
            /* Release: consumers that acquire the tail see the entry. */
            rt__store32(&p->runqtail, t + 1, memory_order_release);
            return;
        }
        /* Full: move half and gp to the global queue (runqputslow). */
        n = (t - h) / 2;
        for (i = 0; i < n; i++)
            batch[i] =
                rt__loadp((void *_Atomic const *)&p->runq[(h + i) % RT_RUNQ],
                          memory_order_relaxed);
        if (!rt__cas32(&p->runqhead, h, h + n))
            continue;
        batch[n] = gp;
        rt__lock(&rt__rt.sched.lock);
        for (i = 0; i <= n; i++)
            globrunqput(batch[i]);
        rt__unlock(&rt__rt.sched.lock);
        return;
    }
}

/* runqget takes the next G from p's local queue. Owner only. */
static rt_g *runqget(rt_p *p)
{
    uint32_t h, t;
    rt_g *gp;

    for (;;) {
        h = rt__load32(&p->runqhead, memory_order_acquire);
        t = rt__load32(&p->runqtail, memory_order_relaxed);
        if (t == h)
            return NULL;
        gp = rt__loadp((void *_Atomic const *)&p->runq[h % RT_RUNQ],
                       memory_order_relaxed);
        if (rt__cas32(&p->runqhead, h, h + 1))
            return gp;
    }
}

static bool runqempty(rt_p *p)
{
    return rt__load32(&p->runqhead, memory_order_acquire) ==
           rt__load32(&p->runqtail, memory_order_acquire);
}

/* runqsteal takes half of p2's queue into p's (empty) queue and returns
 * one of the Gs, or NULL. */
static rt_g *runqsteal(rt_p *p, rt_p *p2)
{
    rt_g *batch[RT_RUNQ / 2];
    uint32_t h, t, n, i;

    for (;;) {
        h = rt__load32(&p2->runqhead, memory_order_acquire);
        t = rt__load32(&p2->runqtail, memory_order_acquire);
        n = t - h;
        n = n - n / 2;
        if (n == 0)
            return NULL;
        if (n > RT_RUNQ / 2)
            continue; /* read inconsistent h and t */
        for (i = 0; i < n; i++)
            batch[i] =
                rt__loadp((void *_Atomic const *)&p2->runq[(h + i) % RT_RUNQ],
                          memory_order_relaxed);
        if (rt__cas32(&p2->runqhead, h, h + n))
            break;
    }
    for (i = 0; i + 1 < n; i++)
        runqput(p, batch[i]);
    return batch[n - 1];
}

/* globrunqsize is the length of the global queue: exact under
 * sched.lock, a hint without it (relaxed: nothing is read through it). */
static uint32_t globrunqsize(void)
{
    return rt__load32(&rt__rt.sched.runqsize, memory_order_relaxed);
}

/* globrunqget takes a share of the global queue for p: returns one G and
 * puts up to max-1 more on p's queue. */
static rt_g *globrunqget(rt_p *p, uint32_t max)
{
    rt_runtime *r = &rt__rt;
    uint32_t n, size;
    rt_g *gp, *g2;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    size = rt__load32(&r->sched.runqsize, memory_order_relaxed);
    if (size == 0)
        return NULL;
    n = size / r->nprocs + 1;
    if (n > size)
        n = size;
    if (max > 0 && n > max)
        n = max;
    if (n > RT_RUNQ / 2)
        n = RT_RUNQ / 2;
    rt__xadd32(&r->sched.runqsize, -(int32_t)n);
    gp = r->sched.runqhead;
    r->sched.runqhead = gp->schedlink;
    while (--n > 0) {
        g2 = r->sched.runqhead;
        r->sched.runqhead = g2->schedlink;
        runqput(p, g2);
    }
    if (r->sched.runqhead == NULL)
        r->sched.runqtail = NULL;
    return gp;
}

/* idle Ps and Ms ----------------------------------------------------- */

/* sysmonwake wakes sysmon if it sleeps because everything was idle. */
static void sysmonwake(void)
{
    rt_runtime *r = &rt__rt;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    if (rt__load32(&r->sched.sysmonwait, memory_order_relaxed)) {
        rt__store32(&r->sched.sysmonwait, 0, memory_order_relaxed);
        rt__notewakeup(&r->sched.sysmonnote);
    }
}

/* pidleput puts p on the idle list. */
static void pidleput(rt_p *p)
{
    rt_runtime *r = &rt__rt;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    rt__store32(&p->status, RT_P_IDLE, memory_order_release);
    p->link = r->sched.pidle;
    r->sched.pidle = p;
    rt__xadd32(&r->sched.npidle, 1);
}

/* pstopped records that p is stopped for the stop-the-world in progress
 * (status Pgcstop) and wakes its initiator after the last one. */
static void pstopped(rt_p *p)
{
    rt_runtime *r = &rt__rt;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    rt__store32(&p->status, RT_P_GCSTOP, memory_order_seq_cst);
    if (r->sched.stopwait == 0)
        rt__throw(RT_RULE_SCHED_STOPWAIT, NULL, "P %u stopped twice", p->id);
    rt__event(RT_EV_PSTOP, NULL, p->id, r->sched.stopwait - 1, "pstopped");
    /* Fault stw.nowake: the last P stops and nobody is told. */
    if (--r->sched.stopwait == 0 && !rt__faulton(RT_FAULT_STW_NOWAKE))
        rt__notewakeup(&r->sched.stopnote);
}

/* pidlestop parks a P that no M will run: on the idle list, or, when a
 * stop-the-world is waiting for it (it counted every P not already idle
 * or in a syscall), stopped and counted. */
static void pidlestop(rt_p *p)
{
    rt_runtime *r = &rt__rt;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    if (!rt__load32(&r->sched.gcwaiting, memory_order_acquire)) {
        pidleput(p);
        return;
    }
    pstopped(p);
}

/* pidleget takes an idle P, or NULL. */
static rt_p *pidleget(void)
{
    rt_runtime *r = &rt__rt;
    rt_p *p = r->sched.pidle;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    if (p != NULL) {
        r->sched.pidle = p->link;
        rt__xadd32(&r->sched.npidle, -1);
        sysmonwake();
    }
    return p;
}

/* acquirep attaches p to the calling M and makes it Prunning. */
static void acquirep(rt_p *p)
{
    rt_m *mp = rt__getm();

    if (mp->p != NULL || pm(p) != NULL)
        rt__throw(RT_RULE_SCHED_ACQUIREP, NULL, "acquirep: P %u already in use",
                  p->id);
    mp->p = p;
    setpm(p, mp);
    rt__store32(&p->status, RT_P_RUNNING, memory_order_release);
}

/* releasep detaches the calling M's P (left in Pidle) and returns it. */
static rt_p *releasep(void)
{
    rt_m *mp = rt__getm();
    rt_p *p = mp->p;

    if (p == NULL || pm(p) != mp)
        rt__throw(RT_RULE_SCHED_RELEASEP, NULL,
                  "releasep: invalid P state (M %u, P %d, P's M %d)", mp->id,
                  p ? (int)p->id : -1, p && pm(p) ? (int)pm(p)->id : -1);
    setpm(p, NULL);
    mp->p = NULL;
    rt__store32(&p->status, RT_P_IDLE, memory_order_release);
    return p;
}

static void wakeall(void);

/* checkdead reports a deadlock: no M is running, yet goroutines live.
 * Called from mput and from sysmon's retake. */
static void checkdead(void)
{
    rt_runtime *r = &rt__rt;
    uint32_t i, blocked;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    if (r->sched.mcount + r->sched.nsysbusy > r->sched.nmidle)
        return; /* some M still runs: it will make progress or come here */
    if (rt__load32(&r->sched.ngalive, memory_order_acquire) == 0 ||
        rt__load32(&r->sched.shutdown, memory_order_acquire))
        return;
    if (globrunqsize() > 0)
        rt__throw(RT_RULE_SCHED_LOSTWAKEUP, r->sched.runqhead,
                  "every M is idle but %u goroutines are on the global "
                  "run queue",
                  globrunqsize());
    for (i = 0; i < r->nprocs; i++)
        if (!runqempty(r->allp[i]))
            rt__throw(RT_RULE_SCHED_LOSTWAKEUP, NULL,
                      "every M is idle but P %u has runnable goroutines", i);
    /* Every live G parked on a wait list, queues consistent: the
     * scenario's own BLOCKs deadlocked it ("all goroutines are asleep"),
     * which is not a runtime violation. End the run and say so. */
    blocked = rt__programdeadlock();
    if (blocked == 0)
        rt__throw(RT_RULE_LIVENESS_DEADLOCK, NULL,
                  "every M is idle but %u goroutines are alive and not all "
                  "of them are parked",
                  rt__load32(&r->sched.ngalive, memory_order_acquire));
    r->out.deadlocked = blocked;
    if (!r->opt.quiet) {
        fprintf(stderr,
                "gstorm: all goroutines are asleep: the scenario deadlocked "
                "itself (%u blocked forever on its own BLOCKs; not a runtime "
                "violation):\n",
                blocked);
        rt__dumpallg(stderr);
    }
    rt__store32(&r->sched.shutdown, 1, memory_order_release);
    wakeall();
}

/* mput puts mp on the idle list. */
static void mput(rt_m *mp)
{
    rt_runtime *r = &rt__rt;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    mp->schedlink = r->sched.midle;
    r->sched.midle = mp;
    r->sched.nmidle++;
    checkdead();
}

/* mget takes an idle M, or NULL. */
static rt_m *mget(void)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = r->sched.midle;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    if (mp != NULL) {
        r->sched.midle = mp->schedlink;
        r->sched.nmidle--;
    }
    return mp;
}

/* wakeall wakes every idle M with no P and sysmon, at the end of the run. */
static void wakeall(void)
{
    rt_m *mp;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    while ((mp = mget()) != NULL) {
        mp->nextp = NULL;
        rt__notewakeup(&mp->park);
    }
    sysmonwake();
}

/* mexit: the run is over for this M. Give up its P the way gcstopm or
 * findrunnable would, so that a mark termination still in progress on
 * another M can stop the world. */
static void mexit(void)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();
    rt_p *p;

    if (mp->p == NULL)
        return;
    p = releasep();
    rt__lock(&r->sched.lock);
    pidlestop(p);
    rt__unlock(&r->sched.lock);
}

/* mstart is the body of every M but M0: run the scheduler until the run
 * ends. */
static void mstart(void *arg)
{
    rt_m *mp = arg;

    rt__tls_set(mp);
    if (mp->nextp != NULL) {
        rt_p *p = mp->nextp;
        mp->nextp = NULL;
        acquirep(p);
    }
    schedule();
    mexit();
}

/* allocm makes an M (not started). */
static rt_m *allocm(void)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = calloc(1, sizeof *mp);

    RT__ASSERT_HELD(&rt__rt.mlock);
    if (mp == NULL)
        rt__throw(RT_RULE_RT_NOMEM, NULL, "out of memory for an M");
    mp->id = r->sched.mcount;
    /* A fixed, distinct, nonzero seed per M: deterministic in sim. */
    mp->rand = (r->opt.seed + 1) * 0x9E3779B97F4A7C15ull + mp->id * 2 + 1;
    r->allm[mp->id] = mp;
    return mp;
}

/* newm starts a new M that will run with p (spinning if asked). Returns
 * false when the thread limit is reached. */
static bool newm(rt_p *p, bool spinning)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    if (r->sched.mcount >= r->maxmcount ||
        rt__load32(&r->sched.shutdown, memory_order_acquire))
        return false;
    rt__lock(&r->mlock);
    mp = allocm();
    r->sched.mcount++;
    mp->nextp = p;
    mp->spinning = spinning;
    mp->thread = rt__thread_start(mstart, mp);
    if (mp->thread == NULL)
        rt__throw(RT_RULE_RT_THREAD, NULL, "cannot start a thread for M %u",
                  mp->id);
    rt__unlock(&r->mlock);
    return true;
}

/* startm runs p (or an idle P if p is NULL) on an idle or new M. */
static void startm(rt_p *p, bool spinning)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp;

    rt__lock(&r->sched.lock);
    if (p == NULL) {
        p = pidleget();
        if (p == NULL) {
            rt__unlock(&r->sched.lock);
            if (spinning)
                rt__xadd32(&r->sched.nmspinning, -1);
            return;
        }
    }
    mp = mget();
    if (mp == NULL) {
        if (!newm(p, spinning)) {
            pidlestop(p); /* no thread to run it: it stays idle */
            if (spinning)
                rt__xadd32(&r->sched.nmspinning, -1);
        }
        rt__unlock(&r->sched.lock);
        return;
    }
    rt__unlock(&r->sched.lock);
    mp->spinning = spinning;
    mp->nextp = p;
    rt__notewakeup(&mp->park);
}

/* handoffp finds an M for p, whose M is leaving it (syscall, retake). */
static void handoffp(rt_p *p)
{
    rt_runtime *r = &rt__rt;

    if (!runqempty(p) || globrunqsize() > 0) {
        startm(p, false);
        return;
    }
    if (rt__load32(&r->sched.nmspinning, memory_order_acquire) +
                rt__load32(&r->sched.npidle, memory_order_acquire) ==
            0 &&
        rt__cas32(&r->sched.nmspinning, 0, 1)) {
        startm(p, true);
        return;
    }
    rt__lock(&r->sched.lock);
    if (!rt__load32(&r->sched.gcwaiting, memory_order_acquire) &&
        globrunqsize() > 0) {
        rt__unlock(&r->sched.lock);
        startm(p, false);
        return;
    }
    pidlestop(p);
    rt__unlock(&r->sched.lock);
}

/* wakep starts a spinning M if there is an idle P and nobody spins. */
static void wakep(void)
{
    if (!rt__cas32(&rt__rt.sched.nmspinning, 0, 1))
        return;
    startm(NULL, true);
}

/* queuedwork reports whether a G waits on the global queue or on an
 * idle P's local queue. */
static bool queuedwork(void)
{
    rt_p *p;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    if (globrunqsize() > 0)
        return true;
    for (p = rt__rt.sched.pidle; p != NULL; p = p->link)
        if (!runqempty(p))
            return true;
    return false;
}

/* stopm parks the calling M until it is given a P. Returns with a P, or
 * without one when the run is over. */
static void stopm(void)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();

    if (mp->p != NULL)
        rt__throw(RT_RULE_SCHED_STOPM, NULL, "stopm holding a P");
    rt__lock(&r->sched.lock);
    if (rt__load32(&r->sched.shutdown, memory_order_acquire) &&
        !rt__load32(&r->sched.gcwaiting, memory_order_acquire)) {
        rt__unlock(&r->sched.lock);
        return;
    }
    /* Work queued and a P idle, but no M to pair them: that happens when
     * the thread limit stopped startm from making one (handoffp while we
     * were in a syscall). Take the P rather than sleep beside it. */
    if (!rt__load32(&r->sched.gcwaiting, memory_order_acquire) &&
        r->sched.pidle != NULL && queuedwork()) {
        rt_p *p = pidleget();
        rt__unlock(&r->sched.lock);
        acquirep(p);
        return;
    }
    mput(mp);
    rt__unlock(&r->sched.lock);
    rt__notesleep(&mp->park);
    rt__noteclear(&mp->park);
    if (mp->nextp != NULL) {
        rt_p *p = mp->nextp;
        mp->nextp = NULL;
        acquirep(p);
    }
}

/* gcstopm gives up the M's P (if any) for a stop-the-world and parks. */
static void gcstopm(void)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();
    rt_p *p;

    if (mp->spinning) {
        mp->spinning = 0;
        rt__xadd32(&r->sched.nmspinning, -1);
    }
    if (mp->p == NULL) {
        stopm(); /* no P to give: just park */
        return;
    }
    p = releasep();
    rt__lock(&r->sched.lock);
    pstopped(p);
    rt__unlock(&r->sched.lock);
    stopm();
}

/* resetspinning: this M found work; if it was the last spinner and Ps
 * are idle, start another spinner so no work is left waiting. */
static void resetspinning(void)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();

    if (!mp->spinning)
        return;
    mp->spinning = 0;
    if (rt__xadd32(&r->sched.nmspinning, -1) == 0 &&
        rt__load32(&r->sched.npidle, memory_order_acquire) > 0)
        wakep();
}

/* findrunnable finds a G to run: local queue, global queue, stealing;
 * otherwise parks the M. Returns NULL only when the run is over. */
static rt_g *findrunnable(void)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();
    rt_g *gp;
    rt_p *p, *p2;
    uint32_t i;

top:
    if (rt__load32(&r->sched.gcwaiting, memory_order_acquire)) {
        gcstopm();
        goto top;
    }
    if (rt__load32(&r->sched.shutdown, memory_order_acquire))
        return NULL;
    if (mp->p == NULL) {
        stopm();
        goto top;
    }
    p = mp->p;
    if ((gp = runqget(p)) != NULL)
        return gp;
    rt__lock(&r->sched.lock);
    gp = globrunqget(p, 0);
    rt__unlock(&r->sched.lock);
    if (gp != NULL)
        return gp;
    /* Steal, unless too many Ms spin already (they would fight). */
    if (!mp->spinning) {
        if (2 * rt__load32(&r->sched.nmspinning, memory_order_acquire) >=
            r->nprocs - rt__load32(&r->sched.npidle, memory_order_acquire))
            goto stop;
        mp->spinning = 1;
        rt__xadd32(&r->sched.nmspinning, 1);
    }
    for (i = 0; i < 4 * r->nprocs; i++) {
        if (rt__load32(&r->sched.gcwaiting, memory_order_acquire))
            goto top;
        p2 = r->allp[rt__fastrand(mp) % r->nprocs];
        if (p2 == p)
            continue;
        if ((gp = runqsteal(p, p2)) != NULL) {
            mp->steals++;
            return gp;
        }
    }
stop:
    rt__lock(&r->sched.lock);
    if (rt__load32(&r->sched.gcwaiting, memory_order_acquire)) {
        rt__unlock(&r->sched.lock);
        goto top;
    }
    if (globrunqsize() > 0) {
        gp = globrunqget(p, 0);
        rt__unlock(&r->sched.lock);
        return gp;
    }
    p = releasep();
    pidleput(p);
    rt__unlock(&r->sched.lock);
    if (mp->spinning) {
        mp->spinning = 0;
        rt__xadd32(&r->sched.nmspinning, -1);
    }
    /* Look at every queue once more: work may have arrived after we
     * looked and before our P went idle, with nobody woken for it. Take
     * it here: going back to the top is not enough, since a spinner we
     * may not outnumber (nmspinning) can be one that has not run yet,
     * and we would loop without ever stealing (the sim's PCT found this
     * livelock). */
    for (i = 0; i < r->nprocs; i++) {
        p2 = r->allp[i];
        if (!runqempty(p2)) {
            rt__lock(&r->sched.lock);
            p = pidleget();
            rt__unlock(&r->sched.lock);
            if (p != NULL) {
                acquirep(p);
                if ((gp = runqsteal(p, p2)) != NULL) {
                    mp->steals++;
                    return gp;
                }
                goto top;
            }
            break;
        }
    }
    stopm();
    goto top;
}

/* dropg detaches the current G from the M. */
static void dropg(rt_m *mp, rt_g *gp)
{
    gp->m = NULL;
    setcurg(mp, NULL);
}

/*
 * checkstale checks invariant 4 on gp at an exit or a reuse (where says
 * which): a scan request (preemptscan) may not outlive the incarnation it
 * was posted to, since nothing can post one to a dead G (stopg posts only
 * under the Gscanrunning claim, which goexit0 waits out); with work true
 * (newproc, about to make gp runnable) gcworkdone must be clear too, or
 * the new goroutine counts as done and is never scanned (defect S7). A
 * plain preempt and its StackPreempt guard are best effort: preemptone
 * may post one to a G that has just exited, as Go's does, and newproc
 * resets both; they are not checked. The checkers' reads: no yield point.
 */
static void checkstale(rt_g *gp, const char *where, bool work)
{
    uint32_t ps = rt__load32_noyield(&gp->preemptscan, memory_order_acquire);
    uint32_t wd = rt__load32_noyield(&gp->gcworkdone, memory_order_acquire);

    if (ps || (work && wd))
        rt__throw(RT_RULE_STATUS_STALE, gp,
                  "%s: G %u carries a stale preemptscan %u or gcworkdone %u",
                  where, rt__goid(gp), ps, work ? wd : 0);
}

/* gfput puts a dead G on the free list. */
static void gfput(rt_g *gp)
{
    rt_runtime *r = &rt__rt;

    if (rt__readgstatus(gp) != RT_G_DEAD)
        rt__throw(RT_RULE_STATUS_GFPUT, gp, "gfput: bad status (not Gdead)");
    checkstale(gp, "gfput", false);
    rt__lock(&r->sched.lock);
    gp->schedlink = r->sched.gfree;
    r->sched.gfree = gp;
    r->sched.ngfree++;
    rt__unlock(&r->sched.lock);
}

/* gfget takes a dead G from the free list, or NULL. */
static rt_g *gfget(void)
{
    rt_runtime *r = &rt__rt;
    rt_g *gp;

    rt__lock(&r->sched.lock);
    gp = r->sched.gfree;
    if (gp != NULL) {
        r->sched.gfree = gp->schedlink;
        r->sched.ngfree--;
        gp->schedlink = NULL;
    }
    rt__unlock(&r->sched.lock);
    if (gp != NULL)
        checkstale(gp, "gfget", false);
    return gp;
}

/*
 * rt__newproc starts a goroutine running program prog with slot 0 = arg:
 * a dead G from the free list, or a new one (Gidle -> Gdead, published
 * in allgs). Every per-G GC flag is reset before it becomes runnable, so
 * nothing stale survives reuse (invariant 4; defect S7 otherwise).
 */
void rt__newproc(uint16_t prog, rt_slot arg)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();
    const rt_prog *pr = &r->sc->progs[prog];
    uint32_t frame = pr->frame < 1              ? 1
                     : pr->frame > RT_MAX_FRAME ? RT_MAX_FRAME
                                                : pr->frame;
    rt_g *gp;

    /* The spawn budget bounds a program that spawns itself forever, on
     * every backend. The count is a statistic: no yield point. */
    if (rt__xadd64_noyield(&r->stats[ST_SPAWNS], 1, memory_order_relaxed) >
        r->opt.spawn_budget)
        rt__throw(RT_RULE_LIVENESS_BUDGET, NULL,
                  "the run started more than %llu goroutines (its spawn "
                  "budget, rt_options.spawn_budget)",
                  (unsigned long long)r->opt.spawn_budget);
    gp = gfget();
    if (gp != NULL) {
        gp->gen++;
        rt__statadd(&r->stats[ST_GREUSE], 1);
    } else {
        gp = calloc(1, sizeof *gp);
        if (gp == NULL)
            rt__throw(RT_RULE_RT_NOMEM, NULL, "out of memory for a G");
        rt__store32(&gp->atomicstatus, RT_G_IDLE, memory_order_relaxed);
        rt__casgstatus(gp, RT_G_IDLE, RT_G_DEAD);
        allgadd(gp);
    }
    rt__stackinit(gp, frame);
    rt__slotset(gp, gp->sp, arg);
    /* The arg leaves a possibly grey stack for this one: shade it, as Go
     * 1.8's newproc does for a grey source stack. */
    rt__writebarrier(0, arg);
    gp->prog = prog;
    gp->pc = 0;
    gp->spin = 0;
    rt__store32(&gp->goid, rt__xadd32(&r->goidgen, 1), memory_order_relaxed);
    gp->m = NULL;
    gp->scancount = 0;
    rt__store32(&gp->preempt, 0, memory_order_relaxed);
    if (!rt__faulton(RT_FAULT_S7)) { /* the seed kept them stale */
        rt__store32(&gp->preemptscan, 0, memory_order_relaxed);
        rt__store32(&gp->gcworkdone, 0, memory_order_relaxed);
    }
    rt__store32_noyield(&gp->qvisit, 0, memory_order_relaxed);
    rt__xadd32(&r->sched.ngalive, 1);
    checkstale(gp, "newproc", true);
    rt__casgstatus(gp, RT_G_DEAD, RT_G_RUNNABLE);
    /* Where quiesce is now that gp is live (RT_QC_*): read after the CAS,
     * so that a pass that has not stored a cursor past gp's slot will
     * find gp live when it looks. */
    rt__store64_noyield(&gp->qborn,
                        rt__load64_noyield(&r->qcursor, memory_order_seq_cst),
                        memory_order_relaxed);
    if (mp != NULL && mp->p != NULL) {
        runqput(mp->p, gp);
        if (rt__load32(&r->sched.npidle, memory_order_acquire) != 0 &&
            rt__load32(&r->sched.nmspinning, memory_order_acquire) == 0)
            wakep();
    } else {
        rt__lock(&r->sched.lock);
        globrunqput(gp);
        rt__unlock(&r->sched.lock);
    }
}

/* rt__ready makes a parked gp runnable on the caller's P. It accepts
 * Gwaiting or Gscanwaiting; in the latter case casgstatus waits for the
 * scanner to let go. */
void rt__ready(rt_g *gp)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();
    uint32_t s = rt__readgstatus(gp);

    if ((s & ~(uint32_t)RT_G_SCAN) != RT_G_WAITING)
        rt__throw(RT_RULE_STATUS_READY, gp, "ready: bad status %s",
                  rt__gstatusname(s));
    rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNABLE);
    rt__event(RT_EV_READY, gp, 0, 0, "ready");
    rt__statadd(&r->stats[ST_READIES], 1);
    runqput(mp->p, gp);
    if (rt__load32(&r->sched.npidle, memory_order_acquire) != 0 &&
        rt__load32(&r->sched.nmspinning, memory_order_acquire) == 0)
        wakep();
}

/* syscalls ----------------------------------------------------------- */

/*
 * rt__entersyscall: gp (running) enters a blocking system call. Its P
 * goes to Psyscall, free for sysmon to retake and hand off while we
 * block; stackguard0 = StackPreempt traps any stack growth in the
 * syscall path, as in Go.
 */
void rt__entersyscall(rt_g *gp)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();
    rt_p *p = mp->p;

    rt__xadd32(&p->syscalltick, 1);
    rt__casgstatus(gp, RT_G_RUNNING, RT_G_SYSCALL);
    rt__store64(&gp->stackguard0, RT_STACK_PREEMPT, memory_order_relaxed);
    mp->oldp = p;
    mp->p = NULL;
    setpm(p, NULL);
    rt__store32(&p->status, RT_P_SYSCALL, memory_order_seq_cst);
    if (rt__load32(&r->sched.gcwaiting, memory_order_seq_cst)) {
        /* A stop-the-world is waiting for our P: give it now. */
        /* Re-check under the lock: that stop-the-world may be over by
         * now, and a P stopped outside one would be lost for good. */
        rt__lock(&r->sched.lock);
        if (rt__load32(&r->sched.gcwaiting, memory_order_acquire) &&
            r->sched.stopwait > 0 &&
            rt__cas32(&p->status, RT_P_SYSCALL, RT_P_IDLE))
            pstopped(p);
        rt__unlock(&r->sched.lock);
    }
}

/*
 * rt__exitsyscall: the call returned. Fast path: take back our P if it is
 * still in Psyscall, or any idle P; then Gsyscall -> Grunning (waiting if
 * a GC actor holds Gscansyscall) and return true. Otherwise return false:
 * the caller switches to exitsyscall0 on g0.
 */
bool rt__exitsyscall(rt_g *gp)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();
    rt_p *p = mp->oldp;

    mp->oldp = NULL;
    if (p != NULL && rt__cas32(&p->status, RT_P_SYSCALL, RT_P_RUNNING)) {
        mp->p = p;
        setpm(p, mp);
        rt__xadd32(&p->syscalltick, 1);
    } else {
        rt__statadd(&r->stats[ST_HANDOFFS], 1);
        p = NULL;
        rt__lock(&r->sched.lock);
        if (!rt__load32(&r->sched.gcwaiting, memory_order_acquire))
            p = pidleget();
        rt__unlock(&r->sched.lock);
        if (p == NULL)
            return false;
        acquirep(p);
    }
    /* Fault exitsyscall.store: a blind store over a scanner's claim. */
    if (rt__faulton(RT_FAULT_EXITSYSCALL_STORE))
        rt__store32(&gp->atomicstatus, RT_G_RUNNING, memory_order_seq_cst);
    else
        rt__casgstatus(gp, RT_G_SYSCALL, RT_G_RUNNING);
    rt__event(RT_EV_SYSEXIT, gp, 1, 0, "exitsyscall");
    rt__store64(&gp->stackguard0,
                rt__load32(&gp->preempt, memory_order_acquire)
                    ? RT_STACK_PREEMPT
                    : gp->stackguard,
                memory_order_relaxed);
    return true;
}

/* exitsyscall0 (on g0): no P for gp. Make it runnable on the global queue
 * (or run it at once if a P turned up) and park the M. */
static void exitsyscall0(rt_m *mp, rt_g *gp)
{
    rt_runtime *r = &rt__rt;
    rt_p *p;

    /* No P: gp is Grunnable on no queue until globrunqput. Record the
     * hand-off for the queue checker. */
    rt__store32_noyield(&gp->handoff, 1, memory_order_relaxed);
    rt__casgstatus(gp, RT_G_SYSCALL, RT_G_RUNNABLE);
    rt__event(RT_EV_SYSEXIT, gp, 0, 0, "exitsyscall0");
    dropg(mp, gp);
    rt__lock(&r->sched.lock);
    p = NULL;
    if (!rt__load32(&r->sched.gcwaiting, memory_order_acquire))
        p = pidleget();
    globrunqput(gp);
    rt__store32_noyield(&gp->handoff, 0, memory_order_relaxed);
    rt__unlock(&r->sched.lock);
    if (p != NULL) {
        acquirep(p);
        return;
    }
    stopm();
}

/* preemption and stop-the-world ------------------------------------- */

/* preemptone asks the G running on p to stop at its next prologue;
 * best effort: the G may already have switched. */
static bool preemptone(rt_p *p)
{
    rt_m *mp = pm(p), *self = rt__getm();
    rt_g *gp;

    if (mp == NULL || mp == self)
        return false;
    gp = curg(mp);
    if (gp == NULL)
        return false;
    if (rt__faulton(RT_FAULT_PREEMPT_PLAIN)) {
        /* Fault preempt.plain: the seed's plain flags, written from
         * another M (a yield point still, as the stores below are). */
        RT__YP(RT_YP_ATOMIC);
        *(volatile uint32_t *)&gp->preempt = 1;
        *(volatile uint64_t *)&gp->stackguard0 = RT_STACK_PREEMPT;
    } else {
        rt__store32(&gp->preempt, 1, memory_order_release);
        rt__store64(&gp->stackguard0, RT_STACK_PREEMPT, memory_order_release);
    }
    rt__statadd(&rt__rt.stats[ST_PREEMPTREQS], 1);
    rt__event(RT_EV_PREEMPTREQ, gp, 0, 0, "preemptone");
    return true;
}

/* rt__preemptall posts a preemption request to every running G. */
void rt__preemptall(void)
{
    uint32_t i;

    for (i = 0; i < rt__rt.nprocs; i++)
        if (rt__load32(&rt__rt.allp[i]->status, memory_order_acquire) ==
            RT_P_RUNNING)
            preemptone(rt__rt.allp[i]);
}

/*
 * rt__stoptheworld stops every P but the caller's: idle and in-syscall Ps
 * directly, running ones by preemption (their Ms park in gcstopm). The
 * caller holds a P and is not running a G (its G is in Gwaiting, or it is
 * on g0). A G that never reaches a preemption point within the liveness
 * bound is reported rather than waited on forever.
 */
void rt__stoptheworld(void)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();
    int64_t start = rt__nanotime();
    uint32_t i;
    bool wait;
    rt_p *p;

    rt__lock(&r->worldsema);
    rt__lock(&r->sched.lock);
    r->sched.stopwait = r->nprocs;
    /* seq_cst, against entersyscall's store of Psyscall and load of
     * gcwaiting: one of the two sides sees the other (Dekker). */
    rt__store32(&r->sched.gcwaiting, 1, memory_order_seq_cst);
    rt__preemptall();
    pstopped(mp->p);
    for (i = 0; i < r->nprocs; i++) {
        p = r->allp[i];
        if (rt__load32(&p->status, memory_order_seq_cst) == RT_P_SYSCALL &&
            rt__cas32(&p->status, RT_P_SYSCALL, RT_P_IDLE))
            pstopped(p);
    }
    while ((p = pidleget()) != NULL)
        pstopped(p);
    wait = r->sched.stopwait > 0;
    if (!wait) /* our own pstopped woke the note: nobody else will */
        rt__noteclear(&r->sched.stopnote);
    rt__unlock(&r->sched.lock);
    if (wait) {
        for (;;) {
            /* Wait 100 µs, then re-post preemption requests: a G may
             * have been between prologues when we first asked. */
            if (rt__notetsleep(&r->sched.stopnote, 100 * 1000)) {
                rt__noteclear(&r->sched.stopnote);
                break;
            }
            /* A stop-the-world waits for running Gs to reach a prologue,
             * as quiesce does for one: it gets RT_STW_BOUND_FACTOR times
             * quiesce's bound, so that a G that holds up quiesce is
             * reported there, where it is the finding. */
            if ((uint64_t)(rt__nanotime() - start) >
                RT_STW_BOUND_FACTOR * r->opt.quiesce_bound_ns) {
                rt__lock(&r->sched.lock);
                i = r->sched.stopwait;
                rt__unlock(&r->sched.lock);
                rt__throw(RT_RULE_LIVENESS_STW, NULL,
                          "stop-the-world still waits for %u Ps after "
                          "%llu ns",
                          i,
                          (unsigned long long)(RT_STW_BOUND_FACTOR *
                                               r->opt.quiesce_bound_ns));
            }
            rt__preemptall();
        }
    }
    for (i = 0; i < r->nprocs; i++)
        if (rt__load32(&r->allp[i]->status, memory_order_acquire) !=
            RT_P_GCSTOP)
            rt__throw(RT_RULE_SCHED_STW, NULL,
                      "stoptheworld: P %u not stopped (status %u)", i,
                      rt__load32(&r->allp[i]->status, memory_order_acquire));
    rt__statadd(&r->stats[ST_STW], 1);
    r->stwstart = rt__nanotime(); /* not a yield point in sim either */
    /* From here to starttheworld no other M runs Go code: the checkers'
     * "stopped world" that exempts a scan from the scan bit. */
    rt__store32_noyield(&r->sched.stopped, 1, memory_order_release);
    rt__event(RT_EV_STW, NULL, 1, 0, "stoptheworld");
    RT__HOOK(RT_HOOK_STW, NULL);
    rt__checkqueues(false);
}

/* rt__starttheworld restarts every P stopped by rt__stoptheworld: Ps with
 * work get an M, the others go idle. */
void rt__starttheworld(void)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm(), *m2;
    rt_p *withwork[RT_MAX_PROCS], *p;
    uint32_t i, n = 0;

    rt__event(RT_EV_STW, NULL, 0, 0, "starttheworld");
    rt__statmax(ST_STWNS, ST_STWMAX, rt__nanotime() - r->stwstart);
    rt__store32_noyield(&r->sched.stopped, 0, memory_order_release);
    rt__lock(&r->sched.lock);
    rt__store32(&r->sched.gcwaiting, 0, memory_order_release);
    for (i = r->nprocs; i-- > 0;) {
        p = r->allp[i];
        if (p == mp->p)
            continue;
        if (!runqempty(p)) {
            rt__store32(&p->status, RT_P_IDLE, memory_order_release);
            withwork[n++] = p;
        } else {
            pidleput(p);
        }
    }
    rt__store32(&mp->p->status, RT_P_RUNNING, memory_order_release);
    sysmonwake();
    if (rt__load32(&r->sched.shutdown, memory_order_acquire))
        wakeall();
    for (i = 0; i < n; i++) {
        m2 = mget();
        if (m2 != NULL) {
            m2->nextp = withwork[i];
            rt__notewakeup(&m2->park);
        } else if (!newm(withwork[i], false)) {
            pidleput(withwork[i]);
        }
    }
    rt__unlock(&r->sched.lock);
    rt__unlock(&r->worldsema);
    /* The caller goes on with GC work: let an idle P take what waits on
     * its queue or the global one. */
    if (rt__load32(&r->sched.npidle, memory_order_acquire) > 0)
        wakep();
}

/* the scheduler ------------------------------------------------------ */

/* goexit0 (on g0): gp finished. Gdead, flags cleared, onto the free
 * list; the last one ends the run. */
static void goexit0(rt_m *mp, rt_g *gp)
{
    rt_runtime *r = &rt__rt;

    if (rt__test_exit_hook != NULL)
        rt__test_exit_hook(gp);
    rt__casgstatus(gp, RT_G_RUNNING, RT_G_DEAD);
    rt__store32(&gp->preempt, 0, memory_order_relaxed);
    if (!rt__faulton(RT_FAULT_S7)) /* the seed left a request pending */
        rt__store32(&gp->preemptscan, 0, memory_order_relaxed);
    rt__store64(&gp->stackguard0, gp->stackguard, memory_order_relaxed);
    dropg(mp, gp);
    gfput(gp);
    rt__statadd(&r->stats[ST_EXITS], 1);
    if (rt__xadd32(&r->sched.ngalive, -1) == 0) {
        rt__lock(&r->sched.lock);
        rt__store32(&r->sched.shutdown, 1, memory_order_release);
        wakeall();
        rt__unlock(&r->sched.lock);
    }
}

/* rt__newslice starts gp's time slice (Go's execute): stale preemption
 * requests are dropped; a pending preemptscan stays, since the GC still
 * wants gp's work. */
void rt__newslice(rt_g *gp)
{
    rt__store32(&gp->preempt, 0, memory_order_relaxed);
    rt__store64(&gp->stackguard0,
                rt__load32(&gp->preemptscan, memory_order_acquire) &&
                        !rt__load32(&gp->gcworkdone, memory_order_acquire)
                    ? RT_STACK_PREEMPT
                    : gp->stackguard,
                memory_order_relaxed);
}

/*
 * execute runs gp on the calling M until it switches out, then does the
 * switch's g0 half: park_m, gosched_m, gopreempt_m, goexit0, mquiesce or
 * exitsyscall0.
 */
static void execute(rt_m *mp, rt_g *gp)
{
    rt_runtime *r = &rt__rt;
    rt_switch why;

    rt__casgstatus(gp, RT_G_RUNNABLE, RT_G_RUNNING);
    gp->m = mp;
    setcurg(mp, gp);
    rt__xadd32(&mp->p->schedtick, 1);
    rt__newslice(gp);
    why = rt__vmrun(gp);
    switch (why) {
    case RT_SW_PARK:
        /* Fault park.unlockfirst: a waker may now find gp running. */
        if (rt__faulton(RT_FAULT_PARK_UNLOCKFIRST))
            rt__unlock(gp->waitlock);
        rt__casgstatus(gp, RT_G_RUNNING, RT_G_WAITING);
        gp->parked = 1;
        rt__event(RT_EV_PARK, gp, 0, 0, "park_m");
        dropg(mp, gp);
        /* The G parked holding its wait list's lock (rt__vmrun's BLOCK,
         * rt__gcwaitpark); park_m drops it now that gp is Gwaiting. */
        if (!rt__faulton(RT_FAULT_PARK_UNLOCKFIRST)) {
            RT__ASSERT_HELD(gp->waitlock);
            rt__unlock(gp->waitlock);
        }
        break;
    case RT_SW_GOSCHED:
        mp->yields++;
        /* fall through */
    case RT_SW_PREEMPT:
        rt__casgstatus(gp, RT_G_RUNNING, RT_G_RUNNABLE);
        dropg(mp, gp);
        rt__lock(&r->sched.lock);
        globrunqput(gp);
        rt__unlock(&r->sched.lock);
        break;
    case RT_SW_EXIT:
        goexit0(mp, gp);
        break;
    case RT_SW_QUIESCE:
        rt__quiesce(gp);
        break;
    case RT_SW_SYSEXIT:
        exitsyscall0(mp, gp);
        break;
    }
}

/* schedule is every M's loop: find a runnable G and execute it, until
 * the run is over. */
static void schedule(void)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();
    rt_g *gp;

    for (;;) {
        if (rt__load32(&r->sched.gcwaiting, memory_order_acquire)) {
            gcstopm();
            continue;
        }
        if (rt__load32(&r->sched.shutdown, memory_order_acquire))
            return;
        if (mp->p == NULL) {
            stopm();
            continue;
        }
        gp = NULL;
        if (rt__load32(&mp->p->schedtick, memory_order_relaxed) %
                GLOBAL_FAIRNESS ==
            0) {
            rt__lock(&r->sched.lock);
            gp = globrunqget(mp->p, 1);
            rt__unlock(&r->sched.lock);
        }
        if (gp == NULL)
            gp = runqget(mp->p);
        if (gp == NULL)
            gp = findrunnable();
        if (gp == NULL)
            return; /* the run is over */
        resetspinning();
        execute(mp, gp);
    }
}

/* sysmon ------------------------------------------------------------- */

/* retake takes Ps from long syscalls (handing them off) and preempts Gs
 * that have run for FORCE_PREEMPT_NS. */
static void retake(int64_t now)
{
    rt_runtime *r = &rt__rt;
    uint32_t i, t, s;
    rt_p *p;

    for (i = 0; i < r->nprocs; i++) {
        p = r->allp[i];
        s = rt__load32(&p->status, memory_order_acquire);
        if (s == RT_P_SYSCALL) {
            t = rt__load32(&p->syscalltick, memory_order_acquire);
            if (p->sysmonsyscalltick != t) {
                p->sysmonsyscalltick = t;
                p->sysmonsyscallwhen = now;
                continue;
            }
            /* Same syscall as our last look. Leave the P if there is
             * nothing else to run and somebody is free to look. */
            if (runqempty(p) &&
                rt__load32(&r->sched.nmspinning, memory_order_acquire) +
                        rt__load32(&r->sched.npidle, memory_order_acquire) >
                    0 &&
                now - p->sysmonsyscallwhen < FORCE_PREEMPT_NS)
                continue;
            /* While the P is ours, count as a running M: the M whose
             * syscall we retake may exit it, find no P, go idle and,
             * being the last, report a lost wake-up that handoffp is
             * about to prevent (Go's incidlelocked(-1) in retake). */
            rt__lock(&r->sched.lock);
            r->sched.nsysbusy++;
            rt__unlock(&r->sched.lock);
            if (rt__cas32(&p->status, RT_P_SYSCALL, RT_P_IDLE)) {
                rt__statadd(&r->stats[ST_HANDOFFS], 1);
                handoffp(p);
            }
            rt__lock(&r->sched.lock);
            r->sched.nsysbusy--;
            if (r->sched.nmidle > 0)
                checkdead();
            rt__unlock(&r->sched.lock);
        } else if (s == RT_P_RUNNING) {
            t = rt__load32(&p->schedtick, memory_order_acquire);
            if (p->sysmontick != t) {
                p->sysmontick = t;
                p->sysmonwhen = now;
                continue;
            }
            if (now - p->sysmonwhen >= FORCE_PREEMPT_NS)
                preemptone(p);
        }
    }
}

/* sysmon watches the Ps from its own M (no P): 20 µs naps, growing to
 * 10 ms when idle, and a full sleep when every P is idle (so that a
 * deadlock leaves nothing pending in sim). */
static void sysmon(void *arg)
{
    rt_runtime *r = &rt__rt;
    uint32_t delay = 0, idle = 0;

    rt__tls_set(arg);
    for (;;) {
        if (idle == 0)
            delay = 20;
        else if (idle > 50)
            delay *= 2;
        if (delay > 10 * 1000)
            delay = 10 * 1000;
        rt__usleep(delay);
        if (rt__load32(&r->sched.shutdown, memory_order_acquire))
            return;
        if (rt__load32(&r->sched.gcwaiting, memory_order_acquire) ||
            rt__load32(&r->sched.npidle, memory_order_acquire) == r->nprocs) {
            rt__lock(&r->sched.lock);
            if (!rt__load32(&r->sched.shutdown, memory_order_acquire) &&
                (rt__load32(&r->sched.gcwaiting, memory_order_acquire) ||
                 rt__load32(&r->sched.npidle, memory_order_acquire) ==
                     r->nprocs)) {
                rt__store32(&r->sched.sysmonwait, 1, memory_order_relaxed);
                rt__unlock(&r->sched.lock);
                rt__notesleep(&r->sched.sysmonnote);
                rt__noteclear(&r->sched.sysmonnote);
                idle = 0;
                continue;
            }
            rt__unlock(&r->sched.lock);
        }
        retake(rt__nanotime());
        idle++;
    }
}

/* rt_run ------------------------------------------------------------- */

/* rtmain is M0: it starts the scenario's goroutines and sysmon, runs the
 * scheduler, and when the run is over joins every other thread. */
static void rtmain(void *arg)
{
    rt_runtime *r = &rt__rt;
    rt_m *m0, *sm;
    uint32_t i;

    int64_t t0 = rt__nanotime();

    (void)arg;
    rt__lock(&r->mlock);
    m0 = allocm();
    r->sched.mcount = 1;
    rt__unlock(&r->mlock);
    rt__tls_set(m0);
    acquirep(r->allp[0]);
    for (i = 0; i < r->sc->nstart; i++)
        rt__newproc((uint16_t)(r->sc->start[i] % r->sc->nprogs), 0);
    sm = calloc(1, sizeof *sm);
    if (sm == NULL)
        rt__throw(RT_RULE_RT_NOMEM, NULL, "out of memory for sysmon");
    sm->id = RT_MAX_THREADS;
    r->sysmon = rt__thread_start(sysmon, sm);
    if (r->sysmon == NULL)
        rt__throw(RT_RULE_RT_THREAD, NULL, "cannot start sysmon");
    schedule();
    mexit();
    rt__thread_join(r->sysmon);
    free(sm);
    /* No M starts after shutdown (newm checks it), so allm is final. */
    for (i = 1; i < r->sched.mcount; i++)
        rt__thread_join(r->allm[i]->thread);
    r->out.wall_ns = (uint64_t)(rt__nanotime() - t0);
}

/* rt__os_deadlock is called by the sim when every fiber is blocked and
 * no timer is pending. Never returns. */
void rt__os_deadlock(void)
{
    rt__throw(RT_RULE_LIVENESS_DEADLOCK, NULL,
              "every M is blocked and no timer is pending (%u goroutines "
              "alive)",
              rt__load32(&rt__rt.sched.ngalive, memory_order_acquire));
}

/* rt__os_budget_exhausted is called by the sim when a run takes more
 * yield points than its budget. Never returns. */
void rt__os_budget_exhausted(uint64_t steps)
{
    rt__throw(RT_RULE_LIVENESS_BUDGET, NULL,
              "the run took more than %llu yield points (its step budget)",
              (unsigned long long)(steps - 1));
}

/* statget reads counter i of rt__rt.stats. Relaxed: every M has stopped
 * and been joined, which orders their adds before this read. */
static uint64_t statget(uint32_t i)
{
    return rt__load64_noyield(&rt__rt.stats[i], memory_order_relaxed);
}

/* sumstats fills *st from the global counters and every M's own. */
static void sumstats(rt_stats *st)
{
    rt_runtime *r = &rt__rt;
    uint32_t i;
    rt_m *mp;

    memset(st, 0, sizeof *st);
    for (i = 0; i < r->sched.mcount; i++) {
        mp = r->allm[i];
        st->ops += mp->ops;
        st->preemptions += mp->preemptions;
        st->selfscans += mp->selfscans;
        st->stack_grows += mp->grows;
        st->syscalls += mp->syscalls;
        st->parks += mp->parks;
        st->steals += mp->steals;
        st->yields += mp->yields;
        st->objs_alloc += mp->allocs;
        st->alloc_fails += mp->allocfails;
    }
    st->spawns = statget(ST_SPAWNS);
    st->greuse = statget(ST_GREUSE);
    st->exits = statget(ST_EXITS);
    st->gc_cycles = statget(ST_GCCYCLES);
    st->gc_coalesced = statget(ST_GCCOALESCED);
    st->preempt_reqs = statget(ST_PREEMPTREQS);
    st->stack_shrinks = statget(ST_SHRINKS);
    st->stack_scans = statget(ST_SCANS);
    st->syscall_handoffs = statget(ST_HANDOFFS);
    st->readies = statget(ST_READIES);
    st->objs_freed = statget(ST_FREED);
    st->stw = statget(ST_STW);
    st->quiesces = statget(ST_QUIESCES);
    st->quiesce_ns_total = statget(ST_QUIESCENS);
    st->quiesce_ns_max = statget(ST_QUIESCEMAX);
    st->stragglers = statget(ST_STRAGGLERS);
    st->stw_ns_total = statget(ST_STWNS);
    st->stw_ns_max = statget(ST_STWMAX);
    st->mark_ns_total = statget(ST_MARKNS);
    st->mark_ns_max = statget(ST_MARKMAX);
    for (i = 0; i < 4; i++)
        st->claims[i] = statget(ST_CLAIMS + i);
    st->max_gs = rt__allglen();
    st->max_threads = r->sched.mcount;
    st->wall_ns = r->out.wall_ns;
    st->heap_bytes = r->out.heap_bytes;
    st->events = rt__tracecount();
    st->trace_hash = r->opt.backend == RT_BACKEND_SIM ? rt_trace_hash() : 0;
    st->sim_steps = r->opt.backend == RT_BACKEND_SIM ? rt__sim_steps() : 0;
    st->deadlocked = r->out.deadlocked;
}

/* teardown frees every G, M and P of the run. */
static void teardown(void)
{
    rt_runtime *r = &rt__rt;
    uint32_t i, n = rt__load32_noyield(&r->allglen, memory_order_seq_cst);

    for (i = 0; i < n; i++) {
        free(rt__allg(i)->stack);
        free(rt__allg(i)->shadow);
        free(rt__allg(i));
    }
    for (i = 0; i < sizeof r->allgchunk / sizeof r->allgchunk[0]; i++)
        free(r->allgchunk[i]);
    for (i = 0; i < r->sched.mcount; i++)
        free(r->allm[i]);
    for (i = 0; i < r->nprocs; i++)
        free(r->allp[i]);
    rt__heapfree();
}

/* validate checks a scenario and options before anything runs. */
static int validate(const rt_scenario *sc, const rt_options *opt)
{
    uint32_t i;

    if (sc == NULL || opt == NULL || sc->nprogs == 0 ||
        sc->nprogs > RT_MAX_PROGS || sc->nstart > RT_MAX_START ||
        sc->gcmode > RT_GC_CONC || opt->backend > RT_BACKEND_SIM)
        return RT_EINVAL;
    for (i = 0; i < sc->nprogs; i++)
        if (sc->progs[i].nins > RT_MAX_INSTRS)
            return RT_EINVAL;
    if (opt->backend == RT_BACKEND_SIM && opt->sim == NULL)
        return RT_EINVAL;
    return RT_OK;
}

int rt_run(const rt_scenario *sc, const rt_options *opt, rt_stats *stats)
{
    rt_runtime *r = &rt__rt;
    uint32_t i;
    size_t base;
    int rc;

    if ((rc = validate(sc, opt)) != RT_OK)
        return rc;
    memset(r, 0, sizeof *r);
    rt__traceinit(opt);
    r->sc = sc;
    r->opt = *opt;
    r->nprocs = opt->nprocs ? opt->nprocs : sc->nprocs ? sc->nprocs : 2;
    r->maxmcount = opt->nthreads  ? opt->nthreads
                   : sc->nthreads ? sc->nthreads
                                  : 4;
    if (r->nprocs > RT_MAX_PROCS || r->maxmcount > RT_MAX_THREADS)
        return RT_EINVAL;
    if (r->maxmcount < r->nprocs)
        r->maxmcount = r->nprocs; /* every P needs an M to run on */
    if (r->opt.quiesce_bound_ns == 0)
        r->opt.quiesce_bound_ns = 10ull * 1000 * 1000 * 1000;
    if (r->opt.tick_ns == 0)
        r->opt.tick_ns = 10 * 1000;
    if (r->opt.spawn_budget == 0)
        r->opt.spawn_budget = RT_SPAWN_BUDGET;
    if ((rc = rt__heapinit(sc->heapcap ? sc->heapcap : 4096)) != RT_OK)
        return rc;
    for (i = 0; i < r->nprocs; i++) {
        r->allp[i] = calloc(1, sizeof *r->allp[i]);
        if (r->allp[i] == NULL) {
            teardown();
            return RT_ENOMEM;
        }
        r->allp[i]->id = i;
    }
    /* P0 goes to M0; the others start idle. Push in reverse so that
     * pidleget hands out P1 first. */
    rt__store32(&r->allp[0]->status, RT_P_IDLE, memory_order_relaxed);
    /* No M runs yet (and the sim has not started: these are no yield
     * points), but pidleput's rule holds here too. */
    rt__lock(&r->sched.lock);
    for (i = r->nprocs; i-- > 1;)
        pidleput(r->allp[i]);
    rt__unlock(&r->sched.lock);
    base = rt__os_heapbytes();
    rc = rt__os_run((int)opt->backend, opt->sim, rtmain, NULL);
    r->out.heap_bytes = rt__os_heapbytes() - base;
    if (rc == RT_OK && stats != NULL)
        sumstats(stats);
    teardown();
    return rc;
}
