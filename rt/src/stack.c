/*
 * stack.c - goroutine stacks: the prologue's slow path (newstack), which
 * takes preemption requests and grows stacks by copying, and shrinking at
 * scan time.
 *
 * A stack is an array of slots; it grows down: slots [sp, stacksize) are
 * in use. The current frame is [sp, sp + framen); above it, at sp +
 * framen, a header slot holds the size of the caller's frame. Copying moves the
 * used part to the top of a new array; indices measured from the top do not
 * change, so no slot needs fixing.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/*
 * The stack.content oracle. The VM records every slot it writes in
 * gp->shadow, indexed by the slot's distance from the stack's top (which
 * a copy keeps), and compares on every read and after every copy. Only
 * the program's writes go to the shadow, never a copy, shrink or scan,
 * so a move that loses, shifts or damages a slot is caught however it
 * went wrong: the check does not trust movestack's arithmetic.
 */

/* shadowroom makes gp->shadow hold distance p (zeros past the old end). */
static void shadowroom(rt_g *gp, uint32_t p)
{
    uint32_t cap;
    rt_slot *s;

    if (p < gp->shadowcap)
        return;
    if (p > RT_STACK_MAX) /* an index past the stack's top: a stale one */
        rt__throw(RT_RULE_STACK_CONTENT, gp,
                  "a slot written %u past the top of a stack of %u slots",
                  0u - p, gp->stacksize);
    cap = gp->shadowcap ? gp->shadowcap : 64;
    while (cap <= p)
        cap *= 2;
    s = realloc(gp->shadow, cap * sizeof *s);
    if (s == NULL)
        rt__throw(RT_RULE_RT_NOMEM, gp, "out of memory for a stack's shadow");
    memset(s + gp->shadowcap, 0, (cap - gp->shadowcap) * sizeof *s);
    gp->shadow = s;
    gp->shadowcap = cap;
}

/* rt__slotset: see runtime.h. */
void rt__slotset(rt_g *gp, uint32_t i, rt_slot v)
{
    uint32_t p = gp->stacksize - i;

    shadowroom(gp, p);
    gp->shadow[p] = v;
    gp->stack[i] = v;
}

/* slotbad throws stack.content for slot i of gp's stack. */
static _Noreturn void slotbad(rt_g *gp, uint32_t i, const char *what)
{
    uint32_t p = gp->stacksize - i;

    rt__throw(RT_RULE_STACK_CONTENT, gp,
              "%s: the slot %u from the stack's top holds %#llx, but the "
              "program wrote %#llx there (stack of %u slots, sp %u)",
              what, p, (unsigned long long)gp->stack[i],
              (unsigned long long)(p < gp->shadowcap ? gp->shadow[p] : 0),
              gp->stacksize, gp->sp);
}

/* rt__slotget: see runtime.h. */
rt_slot rt__slotget(rt_g *gp, uint32_t i, const char *what)
{
    uint32_t p = gp->stacksize - i;
    rt_slot v = gp->stack[i];

    if (v != (p < gp->shadowcap ? gp->shadow[p] : 0))
        slotbad(gp, i, what);
    return v;
}

/* rt__stackcheck: see runtime.h. */
void rt__stackcheck(rt_g *gp, const char *what)
{
    uint32_t i;

    for (i = gp->sp; i < gp->stacksize; i++)
        (void)rt__slotget(gp, i, what);
}

/* rt__stackinit gives a new or reused G an empty stack with a base frame
 * of `frame` slots. */
void rt__stackinit(rt_g *gp, uint32_t frame)
{
    uint32_t size = RT_STACK_MIN;

    while (size < frame + RT_STACK_GUARD + 1)
        size *= 2;
    if (gp->stack == NULL || gp->stacksize != size) {
        free(gp->stack);
        gp->stack = malloc(size * sizeof *gp->stack);
        if (gp->stack == NULL)
            rt__throw(RT_RULE_RT_NOMEM, gp, "out of memory for a stack");
        gp->stacksize = size;
    }
    memset(gp->stack, 0, size * sizeof *gp->stack);
    shadowroom(gp, size);
    memset(gp->shadow, 0, gp->shadowcap * sizeof *gp->shadow);
    gp->sp = size - frame;
    gp->framen = frame;
    gp->depth = 0;
    gp->stackguard = RT_STACK_GUARD;
    rt__store64(&gp->stackguard0, RT_STACK_GUARD, memory_order_relaxed);
}

/*
 * movestack moves gp's stack to a new array of newsize slots. The caller
 * owns the stack: it holds gp's scan bit, or has moved gp to Gcopystack,
 * and read the stack's bounds only after that claim (invariant 6; a read
 * before it races a scanner's shrink: the move of defect S15).
 */
static void movestack(rt_g *gp, uint32_t newsize)
{
    uint32_t used = gp->stacksize - gp->sp, oldsize = gp->stacksize;
    rt_slot *ns;

    if (newsize < used + RT_STACK_GUARD || newsize > RT_STACK_MAX)
        rt__throw(RT_RULE_STACK_SIZE, gp,
                  "copystack: bad new size %u (used %u)", newsize, used);
    ns = malloc(newsize * sizeof *ns);
    if (ns == NULL)
        rt__throw(RT_RULE_RT_NOMEM, gp, "out of memory for a stack");
    memset(ns, 0, (newsize - used) * sizeof *ns);
    /* Fault copystack.dropslot: the newest slot in use is left behind. */
    if (rt__faulton(RT_FAULT_COPYSTACK_DROPSLOT) && used > 0) {
        ns[newsize - used] = 0;
        memcpy(ns + newsize - used + 1, gp->stack + gp->sp + 1,
               (used - 1) * sizeof *ns);
    } else
        memcpy(ns + newsize - used, gp->stack + gp->sp, used * sizeof *ns);
    /* Poison the old contents in every build: a stale reader sees junk
     * rather than a plausible stack. */
    memset(gp->stack, 0xA5, oldsize * sizeof *ns);
    free(gp->stack);
    gp->stack = ns;
    gp->stacksize = newsize;
    gp->sp = newsize - used;
    rt__event(RT_EV_COPY, gp, oldsize, newsize, "copystack");
    rt__stackcheck(gp, "copystack");
}

/*
 * growstack (Go's copystack, from newstack) gives gp (in Gwaiting) room
 * for `need` more slots: claim Gcopystack first, then size and move the
 * stack, then back to Gwaiting. A scanner may have shrunk the stack
 * between newstack's entry and the claim; the size is computed after.
 */
static void growstack(rt_g *gp, uint32_t need)
{
    /* Fault S15: the seed read the status, moved, and only then CASed. */
    bool late = rt__faulton(RT_FAULT_S15);
    uint32_t newsize;

    if (!late)
        rt__casgstatus(gp, RT_G_WAITING, RT_G_COPYSTACK);
    else if ((rt__readgstatus(gp) & ~(uint32_t)RT_G_SCAN) != RT_G_WAITING)
        rt__throw(RT_RULE_STATUS_ILLEGAL, gp,
                  "copystack: bad status, not Gwaiting");
    newsize = gp->stacksize * 2;
    while (newsize - (gp->stacksize - gp->sp) < need + RT_STACK_GUARD)
        newsize *= 2;
    if (newsize > RT_STACK_MAX)
        rt__throw(RT_RULE_STACK_OVERFLOW, gp, "stack overflow: %u slots",
                  newsize);
    movestack(gp, newsize);
    if (late)
        rt__casgstatus(gp, RT_G_WAITING, RT_G_COPYSTACK);
    rt__casgstatus(gp, RT_G_COPYSTACK, RT_G_WAITING);
}

/*
 * rt__shrinkstack halves gp's stack if it uses less than a quarter of it.
 * The caller holds gp's scan bit, gp is not in a system call (Go does not
 * move a stack a syscall may be using), and gp is not the caller's own G.
 */
void rt__shrinkstack(rt_g *gp)
{
    uint32_t used = gp->stacksize - gp->sp;
    uint32_t s = rt__readgstatus(gp);

    if (s != RT_G_SCANRUNNABLE && s != RT_G_SCANWAITING)
        return;
    if (gp->stacksize <= RT_STACK_MIN || used >= gp->stacksize / 4)
        return;
    movestack(gp, gp->stacksize / 2);
    rt__statadd(&rt__rt.stats[ST_SHRINKS], 1);
}

/*
 * selfscan does gp's GC work at its own preemption point (preemptscan),
 * claiming its own scan bit first (the seed did not: defect S3). gp is in
 * Gwaiting. If another actor holds the claim, it does the work; wait for
 * it to finish.
 */
static void selfscan(rt_g *gp)
{
    int64_t since = -1;
    int i;

    RT__HOOK(RT_HOOK_SELFSCAN, gp);
    /* Never with a runtime lock held: a collector that waits for that
     * lock while it waits for this G would deadlock (S4; newstack only
     * comes here with m->locks == 0). */
    if (rt__getm()->locks > 0)
        rt__throw(RT_RULE_LIVENESS_LOCKEDSCAN, gp,
                  "G %u does its own GC work holding %d runtime lock(s)",
                  rt__goid(gp), rt__getm()->locks);
    /* Fault S3: the seed did the work in plain Gwaiting, unclaimed. */
    if (rt__faulton(RT_FAULT_S3)) {
        if (!rt__load32(&gp->gcworkdone, memory_order_acquire))
            rt__gcphasework(gp);
        return;
    }
    for (i = 0;; i++) {
        if (rt__load32(&gp->gcworkdone, memory_order_acquire))
            return;
        if (rt__castogscanstatus(gp, RT_G_WAITING, RT_G_SCANWAITING)) {
            if (!rt__load32(&gp->gcworkdone, memory_order_acquire)) {
                rt__gcphasework(gp);
                rt__getm()->selfscans++;
            }
            rt__casfromgscanstatus(gp, RT_G_SCANWAITING, RT_G_WAITING);
            return;
        }
        /* Another actor holds our claim: it must let go within the
         * bound, or this M hangs with no report. */
        rt__spinwait(&since, gp, "selfscan");
        if (i < 16)
            rt__procyield(10);
        else
            rt__osyield();
    }
}

/*
 * rt__preemptcheck is the prologue of a call that needs no stack, such as
 * NEW's allocation (Go's mallocgc is a call like any other): with a
 * preemption request posted (stackguard0 == StackPreempt) it enters
 * newstack. Returns true when gp may go on, false when it must yield
 * first (the caller returns RT_SW_PREEMPT and runs its op again).
 */
bool rt__preemptcheck(rt_g *gp)
{
    /* Fault S14: this prologue is blind to StackPreempt too. */
    if (rt__load64(&gp->stackguard0, memory_order_relaxed) !=
            RT_STACK_PREEMPT ||
        rt__faulton(RT_FAULT_S14))
        return true;
    return rt__morestack(gp, 0);
}

/* rt__mlock takes runtime lock l and counts it in the M's locks, as Go's
 * lock() does: newstack does not preempt an M that holds one. */
void rt__mlock(rt_mutex *l)
{
    rt__lock(l);
    rt__getm()->locks++;
}

/*
 * rt__munlock drops l, taken by rt__mlock on gp's M. When the M holds no
 * more runtime locks and gp has a preemption request pending, it puts
 * StackPreempt back in stackguard0, which newstack took out while the
 * locks were held (Go's unlock), so that gp's next prologue takes it.
 */
void rt__munlock(rt_mutex *l, rt_g *gp)
{
    rt_m *mp = rt__getm();

    rt__unlock(l);
    if (--mp->locks == 0 && gp != NULL &&
        rt__load32(&gp->preempt, memory_order_acquire))
        rt__store64(&gp->stackguard0, RT_STACK_PREEMPT, memory_order_relaxed);
}

/*
 * rt__morestack is the prologue's slow path (Go's newstack) for a CALL
 * needing `need` slots. Returns true when the CALL may proceed (the stack
 * has room), false when gp must yield (a preemption was taken: the caller
 * returns RT_SW_PREEMPT and the CALL runs again when gp is rescheduled).
 */
bool rt__morestack(rt_g *gp, uint32_t need)
{
    rt_m *mp = rt__getm();
    uint64_t guard = rt__load64(&gp->stackguard0, memory_order_relaxed);

    rt__event(RT_EV_NEWSTACK, gp, guard == RT_STACK_PREEMPT, need, "newstack");
    /* Enter newstack: the G is stopped in the runtime. Gwaiting lets the
     * GC claim it while we decide. */
    rt__casgstatus(gp, RT_G_RUNNING, RT_G_WAITING);
    if (guard == RT_STACK_PREEMPT) {
        /* Be conservative about where we preempt: not while the M holds
         * runtime locks (defect S4 ran the scan before this check). */
        if ((mp->locks > 0 || mp->p == NULL) &&
            !(rt__faulton(RT_FAULT_S4) && /* the seed scanned first */
              rt__load32(&gp->preemptscan, memory_order_acquire))) {
            rt__store64(&gp->stackguard0, gp->stackguard, memory_order_relaxed);
            rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNING);
            return true;
        }
        if (rt__load32(&gp->preemptscan, memory_order_acquire)) {
            selfscan(gp);
            rt__store32(&gp->preemptscan, 0, memory_order_release);
            rt__store32(&gp->preempt, 0, memory_order_release);
            rt__store64(&gp->stackguard0, gp->stackguard, memory_order_relaxed);
            rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNING);
            return true; /* resume: the CALL re-runs its check */
        }
        /* A plain preemption: yield. */
        rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNING);
        mp->preemptions++;
        return false;
    }
    /* A real overflow: grow by copying to twice the size, or more. A
     * scanner may claim gp (Gwaiting) before growstack does. */
    RT__HOOK(RT_HOOK_NEWSTACK, gp);
    growstack(gp, need);
    mp->grows++;
    rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNING);
    return true;
}
