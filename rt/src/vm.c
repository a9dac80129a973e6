/*
 * vm.c - the goroutine VM: runs a G's program on its M until the G must
 * switch out (park, yield, preemption, exit, quiesce, a slow syscall
 * exit), and returns why, as Go's mcall hands a function to g0.
 *
 * Every operand is taken modulo its range, so every program runs. The
 * boundary between two instructions is a yield point in sim.
 */
#include "runtime.h"

/* Work of one SPIN iteration: a short pause, so that a long SPIN really
 * keeps its M busy (threads) and is a yield point (sim). */
enum { SPIN_PAUSES = 16 };

/* get reads slot s of gp's current frame for op `what`; it must hold what
 * the program wrote there (rule stack.content). */
static inline rt_slot get(rt_g *gp, uint32_t s, const char *what)
{
    return rt__slotget(gp, gp->sp + s % gp->framen, what);
}

/* set writes v into slot s of gp's current frame (and its shadow). */
static inline void set(rt_g *gp, uint32_t s, rt_slot v)
{
    rt__slotset(gp, gp->sp + s % gp->framen, v);
}

/* rt__vmcall pushes a frame of n slots after the prologue's stack check.
 * Returns false when gp must yield first (a preemption was taken). */
bool rt__vmcall(rt_g *gp, uint32_t n)
{
    uint32_t size = n % RT_MAX_FRAME + 1, need = size + 1, i;
    uint64_t guard;

    for (;;) {
        guard = rt__load64(&gp->stackguard0, memory_order_relaxed);
        /* Fault S14: a prologue blind to StackPreempt (no safepoint). */
        if (guard == RT_STACK_PREEMPT && rt__faulton(RT_FAULT_S14))
            guard = gp->stackguard;
        if (gp->sp >= need && gp->sp - need >= guard)
            break;
        if (!rt__morestack(gp, need))
            return false;
    }
    gp->sp -= need;
    rt__slotset(gp, gp->sp + size, (rt_slot)gp->framen << 1); /* header */
    for (i = 0; i < size; i++)
        rt__slotset(gp, gp->sp + i, 0);
    gp->framen = size;
    gp->depth++;
    return true;
}

/* rt__vmret pops the current frame; in the base frame it does nothing. */
void rt__vmret(rt_g *gp)
{
    uint32_t prev;

    if (gp->depth == 0)
        return;
    prev = (uint32_t)(rt__slotget(gp, gp->sp + gp->framen, "RET") >> 1);
    gp->sp += gp->framen + 1;
    gp->framen = prev;
    gp->depth--;
}

/* block acquires semaphore c or queues gp on it. Returns true when gp
 * must park: the semaphore's lock is then held, and park_m drops it once
 * gp is in Gwaiting, so that a WAKE never sees gp half-parked. */
static bool block(rt_g *gp, uint32_t c)
{
    rt_sema *s = &rt__rt.sema[c % RT_NSEMA];

    rt__lock(&s->lock);
    if (s->count > 0) {
        s->count--;
        rt__unlock(&s->lock);
        return false;
    }
    gp->schedlink = NULL;
    if (s->tail != NULL)
        s->tail->schedlink = gp;
    else
        s->head = gp;
    s->tail = gp;
    gp->waitlock = &s->lock;
    gp->waitsema = (int32_t)(c % RT_NSEMA);
    return true;
}

/* wake releases semaphore c: readies its first waiter, or counts. */
static void wake(uint32_t c)
{
    rt_sema *s = &rt__rt.sema[c % RT_NSEMA];
    rt_g *gp;

    rt__lock(&s->lock);
    gp = s->head;
    /* Fault sema.lostwake: the count goes up past a parked waiter. */
    if (gp == NULL || rt__faulton(RT_FAULT_SEMA_LOSTWAKE)) {
        s->count++;
        rt__unlock(&s->lock);
        return;
    }
    s->head = gp->schedlink;
    if (s->head == NULL)
        s->tail = NULL;
    gp->schedlink = NULL;
    gp->parked = 0;
    rt__unlock(&s->lock);
    rt__ready(gp);
}

/* rt__vmrun runs gp (Grunning, on this M) until it must switch out. */
rt_switch rt__vmrun(rt_g *gp)
{
    rt_runtime *r = &rt__rt;
    rt_m *mp = rt__getm();
    const rt_prog *pr = &r->sc->progs[gp->prog];
    rt_instr in;
    rt_obj *o;
    rt_slot v, old;

    for (;;) {
        RT__YP(RT_YP_OP);
        /* After a GC op: wait for the cycle to end, as runtime.GC does. */
        if (gp->gcwait != 0 && rt__gcwaitpark(gp)) {
            mp->parks++;
            return RT_SW_PARK;
        }
        /* Past a GC op: check that it waited for a whole cycle. */
        if (gp->gcneed != 0 && gp->pc != gp->gcpc)
            rt__gcwaited(gp);
        /* A SPIN in progress: no preemption point inside it. */
        while (gp->spin > 0) {
            gp->spin--;
            rt__procyield(SPIN_PAUSES);
        }
        RT__HOOK(RT_HOOK_OP, gp);
        /* Scan ownership: no instruction runs while a scan of this G is in
         * progress. A plain relaxed load: a check, not a yield point. */
        if (rt__load32_noyield(&gp->scanning, memory_order_relaxed))
            rt__throw(RT_RULE_SCAN_RUNNING, gp,
                      "G %u runs pc %u while its stack is being scanned",
                      rt__goid(gp), gp->pc);
        if (gp->pc >= pr->nins)
            return RT_SW_EXIT;
        in = pr->ins[gp->pc];
        mp->ops++;
        rt__coverop(in.op);
        switch (in.op % RT_OP__COUNT) {
        case RT_OP_NOP:
            break;
        case RT_OP_CALL:
            if (!rt__vmcall(gp, in.a))
                return RT_SW_PREEMPT; /* pc stays: the CALL runs again */
            break;
        case RT_OP_RET:
            rt__vmret(gp);
            break;
        case RT_OP_NEW:
            /* An allocation is a call in Go, and its prologue a
             * preemption point: a G that only allocates cannot hold off
             * a stop-the-world or quiesce. */
            if (!rt__preemptcheck(gp))
                return RT_SW_PREEMPT; /* pc stays: the NEW runs again */
            v = rt__alloc(gp, mp->p);
            set(gp, in.a, v);
            v != 0 ? mp->allocs++ : mp->allocfails++;
            break;
        case RT_OP_MOV:
            set(gp, in.a, get(gp, in.b, "MOV"));
            break;
        case RT_OP_LOAD:
            o = rt__deref(gp, get(gp, in.b, "LOAD"), "LOAD");
            if (o != NULL)
                set(gp, in.a,
                    rt__load64(&o->fields[in.c % RT_NFIELDS],
                               memory_order_relaxed));
            break;
        case RT_OP_STORE:
            o = rt__deref(gp, get(gp, in.a, "STORE"), "STORE");
            if (o != NULL) {
                v = get(gp, in.c, "STORE");
                old = rt__load64(&o->fields[in.b % RT_NFIELDS],
                                 memory_order_relaxed);
                rt__writebarrier(old, v);
                rt__store64(&o->fields[in.b % RT_NFIELDS], v,
                            memory_order_relaxed);
            }
            break;
        case RT_OP_USE:
            o = rt__deref(gp, get(gp, in.a, "USE"), "USE");
            if (o != NULL) /* touch it: ASan sees a swept object here */
                (void)rt__load64(&o->fields[0], memory_order_relaxed);
            break;
        case RT_OP_BLOCK:
            if (block(gp, in.a)) {
                gp->pc++;
                mp->parks++;
                return RT_SW_PARK;
            }
            break;
        case RT_OP_WAKE:
            wake(in.a);
            break;
        case RT_OP_SYSCALL:
            gp->pc++;
            mp->syscalls++;
            rt__event(RT_EV_SYSCALL, gp, in.a, 0, "entersyscall");
            rt__entersyscall(gp);
            rt__syscall_block((int64_t)in.a * (int64_t)r->opt.tick_ns);
            if (!rt__exitsyscall(gp))
                return RT_SW_SYSEXIT;
            continue;
        case RT_OP_YIELD:
            gp->pc++;
            return RT_SW_GOSCHED;
        case RT_OP_SPIN:
            gp->spin = in.a;
            break;
        case RT_OP_GO:
            rt__newproc((uint16_t)(in.a % r->sc->nprogs), get(gp, in.b, "GO"));
            break;
        case RT_OP_GC:
            /* The op needs a cycle that starts after this point: the
             * first number not yet taken (kept across retries). */
            if (gp->gcneed == 0) {
                gp->gcneed = rt__load32(&r->gccycle, memory_order_acquire) + 1;
                gp->gcpc = gp->pc;
            }
            switch (rt__gc(gp)) {
            case RT_GCOP_QUIESCE:
                gp->pc++;
                return RT_SW_QUIESCE;
            case RT_GCOP_DONE:
                gp->pc++;
                continue; /* the loop's top waits for gp->gcwait */
            case RT_GCOP_RETRY:
                /* Wait, then the same GC op again. The cycle seen may be
                 * over already (its starter has not published its
                 * number yet, or has not cleared gcrunning): then nothing
                 * parks us, and without a spin hint PCT would run this
                 * loop forever ahead of the starter. */
                rt__osyield();
                continue;
            }
            continue;
        case RT_OP_EXIT:
            return RT_SW_EXIT;
        case RT_OP_GSET:
            v = get(gp, in.b, "GSET");
            old = rt__load64(&r->globals[in.a % RT_NGLOBALS],
                             memory_order_relaxed);
            rt__writebarrier(old, v);
            rt__store64(&r->globals[in.a % RT_NGLOBALS], v,
                        memory_order_relaxed);
            break;
        case RT_OP_GGET:
            set(gp, in.a,
                rt__load64(&r->globals[in.b % RT_NGLOBALS],
                           memory_order_relaxed));
            break;
        }
        gp->pc++;
    }
}
