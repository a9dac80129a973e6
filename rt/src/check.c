/*
 * check.c - the queue-consistency checker (checker 4 of DESIGN.md) and the
 * test-only hook points used to hand-make violations.
 *
 * Run with the world stopped (every P stopped, or every M idle): then no
 * M is between taking a G off one queue and putting it on another, except
 * exitsyscall0, which has no P and marks its G as in hand-off.
 *
 *   queue.runnable  a Grunnable G is on no run queue (and not in a
 *                   hand-off), or on more than one
 *   queue.parked    a parked Gwaiting G is on no wait list, or on more
 *                   than one, or also on a run queue
 *   queue.stale     a G on a queue whose status says it should not be
 *   queue.lostwakeup a semaphore has a count and a waiter at once
 *   queue.freelist  the free list holds a G that is not dead, or one
 *                   twice, or misses a dead G, or ngfree is off
 */
#include <stdlib.h>

#include "runtime.h"

void (*rt__test_hook)(rt_hook where, rt_g *gp);

/* Per-G counts, indexed by allgs position. */
typedef struct qcount {
    uint32_t runq, wait, free;
} qcount;

/* countlist counts every G on a schedlink list into c[].field; a list
 * longer than allgs is a cycle (a G queued twice) and throws. */
static void countlist(qcount *c, uint32_t n, rt_g *head, bool wait,
                      const char *what)
{
    uint32_t len = 0;
    rt_g *gp;

    for (gp = head; gp != NULL; gp = gp->schedlink) {
        if (++len > n)
            rt__throw(RT_RULE_QUEUE_CYCLE, gp,
                      "%s has a cycle (a G queued twice)", what);
        if (gp->index >= n || rt__allg(gp->index) != gp)
            rt__throw(RT_RULE_QUEUE_STALE, gp, "%s holds a G not in allgs",
                      what);
        if (wait)
            c[gp->index].wait++;
        else
            c[gp->index].runq++;
    }
}

/*
 * checkfree counts the free list (sched.gfree, sched.lock held) into
 * c[].free: every G on it must be dead and in allgs, and its length must
 * be ngfree (a list longer than allgs has a cycle). That each dead G is on
 * it exactly once is checked with the other counts.
 */
static void checkfree(qcount *c, uint32_t n)
{
    rt_runtime *r = &rt__rt;
    uint32_t len = 0, s;
    rt_g *gp;

    for (gp = r->sched.gfree; gp != NULL; gp = gp->schedlink) {
        if (++len > n)
            rt__throw(RT_RULE_QUEUE_FREELIST, gp,
                      "the free list has a cycle (a G on it twice)");
        if (gp->index >= n || rt__allg(gp->index) != gp)
            rt__throw(RT_RULE_QUEUE_FREELIST, gp,
                      "the free list holds a G not in allgs");
        s = rt__load32_noyield(&gp->atomicstatus, memory_order_seq_cst);
        if (s != RT_G_DEAD)
            rt__throw(RT_RULE_QUEUE_FREELIST, gp,
                      "the free list holds G %u in %s", rt__goid(gp),
                      rt__gstatusname(s));
        c[gp->index].free++;
    }
    if (len != r->sched.ngfree)
        rt__throw(RT_RULE_QUEUE_FREELIST, NULL,
                  "the free list holds %u Gs but ngfree says %u", len,
                  r->sched.ngfree);
}

/*
 * rt__checkqueues checks that every Grunnable G is on exactly one run
 * queue (or in a recorded hand-off), every parked G on exactly one wait
 * list, every dead G on the free list exactly once, nothing else is on a
 * queue, and no semaphore has both a count and a waiter. The world is
 * stopped; locked says whether the caller holds
 * sched.lock (else it is taken here: an M without a P may still be
 * finishing exitsyscall0's hand-off, which it ends under that lock).
 */
void rt__checkqueues(bool locked)
{
    rt_runtime *r = &rt__rt;
    uint32_t n = rt__allglen(), i, h, t, s;
    qcount *c = calloc(n ? n : 1, sizeof *c);
    rt_g *gp;
    rt_p *p;

    if (c == NULL)
        rt__throw(RT_RULE_RT_NOMEM, NULL, "out of memory for the queue check");
    if (locked)
        RT__ASSERT_HELD(&r->sched.lock);
    else
        rt__lock(&r->sched.lock);
    countlist(c, n, r->sched.runqhead, false, "the global run queue");
    for (i = 0; i < r->nprocs; i++) {
        p = r->allp[i];
        /* The world is stopped: these reads race with nothing, and a
         * checker's reads are no schedule points. */
        h = rt__load32_noyield(&p->runqhead, memory_order_acquire);
        t = rt__load32_noyield(&p->runqtail, memory_order_acquire);
        if (t - h > RT_RUNQ)
            rt__throw(RT_RULE_QUEUE_RUNQ, NULL, "P %u: run queue of %u", i,
                      t - h);
        for (; h != t; h++) {
            gp = rt__loadp_noyield((void *_Atomic const *)&p->runq[h % RT_RUNQ],
                                   memory_order_relaxed);
            if (gp == NULL || gp->index >= n || rt__allg(gp->index) != gp)
                rt__throw(RT_RULE_QUEUE_STALE, gp,
                          "P %u's run queue holds a G "
                          "not in allgs",
                          i);
            c[gp->index].runq++;
        }
    }
    for (i = 0; i < RT_NSEMA; i++) {
        countlist(c, n, r->sema[i].head, true, "a semaphore's wait list");
        if (r->sema[i].count > 0 && r->sema[i].head != NULL)
            rt__throw(RT_RULE_QUEUE_LOSTWAKEUP, r->sema[i].head,
                      "semaphore %u has count %u and a parked waiter", i,
                      r->sema[i].count);
    }
    countlist(c, n, r->gcwaiters, true, "the GC wait list");
    checkfree(c, n);
    for (i = 0; i < n; i++) {
        gp = rt__allg(i);
        s = rt__readgstatus(gp);
        if (s == RT_G_RUNNABLE) {
            if (c[i].wait != 0 || c[i].runq > 1 ||
                (c[i].runq == 0 &&
                 !rt__load32_noyield(&gp->handoff, memory_order_relaxed)))
                rt__throw(RT_RULE_QUEUE_RUNNABLE, gp,
                          "Grunnable G %u is on %u run queues and %u wait "
                          "lists",
                          rt__goid(gp), c[i].runq, c[i].wait);
        } else if (s == RT_G_WAITING && gp->parked) {
            if (c[i].wait != 1 || c[i].runq != 0)
                rt__throw(RT_RULE_QUEUE_PARKED, gp,
                          "parked G %u is on %u wait lists and %u run "
                          "queues (a lost wake-up if 0)",
                          rt__goid(gp), c[i].wait, c[i].runq);
        } else if (s == RT_G_DEAD && c[i].free != 1) {
            rt__throw(RT_RULE_QUEUE_FREELIST, gp,
                      "dead G %u is on the free list %u times", rt__goid(gp),
                      c[i].free);
        } else if (c[i].wait != 0 || c[i].runq != 0) {
            rt__throw(RT_RULE_QUEUE_STALE, gp,
                      "G %u in %s is on %u run queues and %u wait lists",
                      rt__goid(gp), rt__gstatusname(s), c[i].runq, c[i].wait);
        }
    }
    if (!locked)
        rt__unlock(&r->sched.lock);
    free(c);
}

/*
 * rt__programdeadlock decides, with every M idle and goroutines alive,
 * whether the scenario deadlocked itself: every live G parked on one of
 * the scenario's semaphores (not the GC wait list) with the queues
 * consistent. Returns how many are blocked, or 0 if
 * something else holds them (then the caller reports a runtime deadlock).
 * The caller holds sched.lock.
 */
uint32_t rt__programdeadlock(void)
{
    uint32_t n, i, blocked = 0, s;
    rt_g *gp;

    RT__ASSERT_HELD(&rt__rt.sched.lock);
    n = rt__allglen();
    rt__checkqueues(true);
    for (i = 0; i < n; i++) {
        gp = rt__allg(i);
        s = rt__readgstatus(gp);
        if (s == RT_G_DEAD)
            continue;
        /* A G on the GC wait list waits for the runtime, not for the
         * scenario: left there with every M idle, a wake-up was lost. */
        if (s != RT_G_WAITING || !gp->parked || gp->waitsema < 0)
            return 0;
        blocked++;
    }
    return blocked;
}
