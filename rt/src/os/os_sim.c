/*
 * os_sim.c - the sim backend of the platform layer: every M is a fiber on
 * the OS thread that called rt__sim_run, switched by rt__ctx_switch
 * (arch/<arch>/switch.S) at yield points chosen by a schedule source.
 *
 * Model. A fiber is runnable, blocked, or done. Blocked fibers wait on an
 * object (a lock, a note or a thread, matched by address equality only),
 * on a virtual deadline, or on both (notetsleep). Exactly one fiber runs;
 * it gives up the CPU only inside this file: at a yield point
 * (rt__sim_yield, every atomic, lock and note operation, spin hints) when
 * the source says so, or when it blocks or exits.
 *
 * Virtual time. The clock (ns) advances by STEP_NS at every yield point,
 * so that spin loops with timeouts make progress, and jumps to the
 * earliest deadline when no fiber is runnable. Nothing reads a real clock.
 *
 * Determinism. Every decision depends only on the source (bytes, seed) and
 * on fiber ids, which are sequential from 0 and never reused in a run.
 * The run list and the live list are kept in id order; objects are only
 * compared for equality. Nothing depends on addresses, wall time or
 * thread timing, so one source gives one sequence of switches in every
 * build. Invariants:
 *
 *   1. S.cur is the running fiber (S.host between runs and at the end).
 *   2. S.run holds exactly the runnable fibers, in increasing id order;
 *      the running fiber is in it except while it blocks or exits.
 *   3. S.live holds exactly the fibers not done, in increasing id order.
 *   4. A fiber with a deadline >= 0 is blocked; S.next_dl <= the earliest
 *      such deadline (it may be early: timers are then re-scanned).
 *   5. At most one done fiber (S.dying) still owns its stack; the next
 *      context to run frees it.
 *   6. Once S.halted (a deadlock or the budget handed to the runtime,
 *      which throws), no yield point counts or switches and nothing
 *      blocks.
 *
 * Sanitizers. Under ASan every switch is announced with
 * __sanitizer_start_switch_fiber / __sanitizer_finish_switch_fiber. Under
 * TSan each fiber is a TSan fiber, switched to without synchronization so
 * that TSan reports races between Ms as it would between threads; the
 * sim's own bookkeeping, which every fiber touches, is hidden from TSan
 * (ENTER/LEAVE), and the happens-before edges of locks, notes, thread
 * start and join are announced explicitly (ACQ/REL).
 */
#include "os/os_sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/switch.h"
#include "os/sanitizer.h"
#include "rt.h"

#ifdef RT_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef RT_TSAN
#include <sanitizer/tsan_interface.h>
/* TSan's dynamic annotations; its runtime defines them, no header does. */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
#define ENTER()                                                                \
    (AnnotateIgnoreReadsBegin(__FILE__, __LINE__),                             \
     AnnotateIgnoreWritesBegin(__FILE__, __LINE__))
#define LEAVE()                                                                \
    (AnnotateIgnoreWritesEnd(__FILE__, __LINE__),                              \
     AnnotateIgnoreReadsEnd(__FILE__, __LINE__))
#define ACQ(p) __tsan_acquire((void *)(p))
#define REL(p) __tsan_release((void *)(p))
#else
#define ENTER() ((void)0)
#define LEAVE() ((void)0)
#define ACQ(p) ((void)(p))
#define REL(p) ((void)(p))
#endif

/*
 * Provided by the runtime, which prints the goroutines and throws. The
 * weak definitions at the end of this file serve tests that link the sim
 * without the runtime.
 */
_Noreturn void rt__os_budget_exhausted(uint64_t steps);

enum {
    /* Usable stack of a fiber. An M runs only the scheduler, the VM's
       dispatch loop and the collector's iterative mark, a few KiB deep;
       the rest is room for printf in reports and for ASan's redzones. A
       guard page below catches an overflow. */
    STACK_SIZE = 256 * 1024,
    /* RT_SIM_RR, and RT_SIM_BYTES once its bytes run out: yield points a
       fiber runs before the next one gets its turn. Long enough for a
       short critical section (lock, a few atomics, unlock) to finish
       without a switch, as with an OS time slice; short enough that a
       spin loop without a spin hint wastes little. */
    RR_QUANTUM = 16,
    /* RT_SIM_BYTES: choices are relative offsets in the run list modulo
       its length, read from the low 5 bits of a byte. */
    BYTE_CHOICE_BITS = 5,
    /* ... and the high 3 bits a slice of 2^(b >> 5) yield points: at
       most 2^7 = 128 (the recording's chunk). */
    BYTE_SLICE_MAX = 7,
    /* RT_SIM_PCT: the largest depth accepted, as documented in rt.h. */
    PCT_MAX_DEPTH = 8,
};

/* Virtual nanoseconds that one yield point takes. */
#define STEP_NS 100

/* The step budget when rt_sim_source.step_budget is 0. */
#define DEFAULT_BUDGET UINT64_C(100000000)

/* PCT's k when rt_sim_source.steps_hint is 0: about the yield points of a
   small scenario. A caller that wants k learned passes the rt__sim_steps()
   of an earlier run with the same scenario. */
#define PCT_DEFAULT_K UINT64_C(10000)

/* PCT base priorities are drawn above this bound, so that the change-point
   priorities (1..depth-1) and the spin demotions (negative) are below all
   of them. */
#define PCT_BASE (INT64_C(1) << 40)

/* Fiber states (invariants 2 and 3). */
enum { F_RUNNABLE, F_BLOCKED, F_DONE };

/* What a blocked fiber waits for; W_NONE with a deadline is a sleep. */
enum { W_NONE, W_LOCK, W_NOTE, W_JOIN };

/* A fiber: one M of the sim. The runtime sees it as an rt_thread handle,
   valid until rt__sim_run returns. */
struct rt_thread {
    uint32_t id;      /* 0, 1, 2... in start order; always valid */
    uint8_t state;    /* F_*; changed only through setrun / block */
    uint8_t wait;     /* W_*: valid while F_BLOCKED */
    const void *obj;  /* lock, note or thread waited on, while F_BLOCKED
                         with wait != W_NONE; compared for equality only */
    int64_t deadline; /* virtual ns at which a timed wait ends, else -1 */
    void *sp;         /* saved stack pointer while not running */
    void *map;        /* mmap'd region: guard page and stack; NULL for the
                         host and after the stack is freed */
    size_t maplen;
    void *lo;           /* lowest usable stack byte (for ASan) */
    size_t len;         /* usable stack bytes */
    void (*fn)(void *); /* what the fiber runs; valid until it starts */
    void *arg;
    void *tls;    /* the M's TLS word */
    int64_t prio; /* RT_SIM_PCT: priority, higher runs first */
#ifdef RT_ASAN
    void *fake; /* ASan's fake stack, saved across a switch */
#endif
#ifdef RT_TSAN
    void *tsan; /* TSan's fiber; NULL for the host until a run starts */
#endif
};

/* The state of the one run in progress (one per process). */
static struct {
    bool active;             /* a run is in progress */
    bool halted;             /* deadlock or budget: the runtime is throwing */
    rt_sim_source src;       /* the run's source (bytes not copied) */
    uint64_t budget;         /* step budget in force */
    uint64_t steps;          /* yield points taken (rt__sim_steps) */
    int64_t now;             /* the virtual clock, ns */
    int64_t next_dl;         /* invariant 4; INT64_MAX: no timer */
    uint64_t rng;            /* splitmix64 state (RANDOM, PCT) */
    struct rt_thread host;   /* the context that called rt__sim_run */
    struct rt_thread *cur;   /* invariant 1 */
    struct rt_thread *prev;  /* the context that switched to cur */
    struct rt_thread *dying; /* invariant 5 */
    struct rt_thread **all;  /* every fiber of the run, indexed by id */
    uint32_t nall, capall;
    struct rt_thread **live; /* invariant 3 (capacity capall) */
    uint32_t nlive;
    struct rt_thread **run; /* invariant 2 (capacity capall) */
    uint32_t nrun;
    uint32_t slice;              /* yield points since the last switch (RR) */
    size_t bpos;                 /* BYTES: next byte to read */
    uint32_t bleft;              /* BYTES: yield points before the next read */
    uint64_t chg[PCT_MAX_DEPTH]; /* PCT: change points, ascending */
    uint32_t nchg, ichg;         /* PCT: count, next one to apply */
    int64_t spinlow;             /* PCT: the last spin-demotion priority */
    size_t rpos;                 /* record: where the open chunk starts */
    uint32_t roff, rn;           /* record: its first offset, its points
                                    (0: no chunk open) */
#ifdef RT_TSAN
    char done_sync; /* TSan: every exit releases, the host acquires */
#endif
} S;

/* fatal reports a misuse of the platform layer (the runtime's bug) and
   aborts. Never returns. */
static _Noreturn void fatal(const char *what)
{
    fprintf(stderr, "sim: fatal: %s (fiber %u, step %llu)\n", what,
            S.cur ? S.cur->id : 0u, (unsigned long long)S.steps);
    abort();
}

/* rnd returns the next splitmix64 output (Steele, Lea, Flood 2014): a
   tiny generator that passes BigCrush, with no state beyond 64 bits. */
static uint64_t rnd(void)
{
    uint64_t z = (S.rng += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* below returns a uniform number in [0, n) for n >= 1 (Lemire's multiply
   and shift; its bias is below 2^-32 for the small n used here). */
static uint32_t below(uint32_t n)
{
    return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

/* lbound returns the index of the first fiber of list a (n entries, in id
   order) whose id is at least id. */
static uint32_t lbound(struct rt_thread **a, uint32_t n, uint32_t id)
{
    uint32_t i = 0;

    while (i < n && a[i]->id < id)
        i++;
    return i;
}

/* ins inserts f into list a (n entries, id order); del removes it. */
static void ins(struct rt_thread **a, uint32_t *n, struct rt_thread *f)
{
    uint32_t i = lbound(a, *n, f->id);

    memmove(a + i + 1, a + i, (*n - i) * sizeof *a);
    a[i] = f;
    (*n)++;
}

static void del(struct rt_thread **a, uint32_t *n, struct rt_thread *f)
{
    uint32_t i = lbound(a, *n, f->id);

    if (i == *n || a[i] != f)
        fatal("fiber missing from its list");
    memmove(a + i, a + i + 1, (*n - i - 1) * sizeof *a);
    (*n)--;
}

/* setrun makes a blocked fiber runnable, ending any wait and timer. */
static void setrun(struct rt_thread *f)
{
    f->state = F_RUNNABLE;
    f->wait = W_NONE;
    f->obj = NULL;
    f->deadline = -1;
    ins(S.run, &S.nrun, f);
}

/* wakeall makes runnable, in id order, every fiber blocked on (wait, obj). */
static void wakeall(int wait, const void *obj)
{
    uint32_t i;

    for (i = 0; i < S.nlive; i++) {
        struct rt_thread *f = S.live[i];
        if (f->state == F_BLOCKED && f->wait == wait && f->obj == obj)
            setrun(f);
    }
}

/* fire makes runnable every fiber whose deadline has passed, in id order,
   and recomputes S.next_dl exactly. */
static void fire(void)
{
    uint32_t i;

    S.next_dl = INT64_MAX;
    for (i = 0; i < S.nlive; i++) {
        struct rt_thread *f = S.live[i];
        if (f->deadline < 0)
            continue;
        if (f->deadline <= S.now)
            setrun(f);
        else if (f->deadline < S.next_dl)
            S.next_dl = f->deadline;
    }
}

/*
 * Fiber stacks are kept across runs: a fuzz target runs rt thousands of
 * times a second, and a fresh mapping per fiber per run cost page faults
 * and mmap/mprotect/munmap calls (about a tenth of a short run). A kept
 * stack's old bytes are never read (a fiber's frames are written before
 * they are read); under ASan its shadow is cleared before reuse, as a
 * fresh mapping's would be. At most STACK_KEEP are kept.
 */
enum { STACK_KEEP = 32 };
static void *keptmap[STACK_KEEP];
static uint32_t nkept;

/* stackget returns a mapping of maplen bytes with its guard page (the
   lowest) protected: a kept one, else a new one. NULL when out of
   memory. */
static void *stackget(size_t maplen, size_t page)
{
    void *map;

    if (nkept > 0)
        return keptmap[--nkept];
    map = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    /* The guard page: stacks grow down, so it is the lowest page. */
    if (mprotect(map, page, PROT_NONE) != 0) {
        munmap(map, maplen);
        return NULL;
    }
    return map;
}

/* stackput keeps f's mapping for a later fiber, or unmaps it. */
static void stackput(struct rt_thread *f)
{
#ifdef RT_ASAN
    /* Frames that never returned leave poisoned redzones behind; the next
       fiber on this stack must start clean. */
    __asan_unpoison_memory_region(f->lo, f->len);
#endif
    if (nkept < STACK_KEEP)
        keptmap[nkept++] = f->map;
    else
        munmap(f->map, f->maplen);
    f->map = NULL;
}

/* reap frees the stack of the fiber that exited last, if any: it could
   not free it while running on it (invariant 5). */
static void reap(void)
{
    struct rt_thread *f = S.dying;

    if (f == NULL)
        return;
    S.dying = NULL;
#ifdef RT_TSAN
    __tsan_destroy_fiber(f->tsan);
    f->tsan = NULL;
#endif
    stackput(f);
}

/* swap switches from the running context to fiber to and returns when
   some context switches back. A done fiber never comes back. */
void (*rt__sim_switch_hook)(uint32_t from, uint32_t to);

static void swap(struct rt_thread *to)
{
    struct rt_thread *from = S.cur;
    void *sp = to->sp;

    if (to == from)
        return;
    if (rt__sim_switch_hook != NULL && from->state != F_DONE)
        rt__sim_switch_hook(from->id, to->id);
    S.slice = 0;
    S.prev = from;
    S.cur = to;
#ifdef RT_ASAN
    /* A fiber leaving for good passes NULL so that ASan frees its fake
       stack. */
    __sanitizer_start_switch_fiber(from->state == F_DONE ? NULL : &from->fake,
                                   to->lo, to->len);
#endif
#ifdef RT_TSAN
    {
        void *tf = to->tsan;
        /* A fiber leaving for good ends its ignores (ENTER) first: TSan
           refuses to destroy a fiber with ignores on. Nothing from here
           to the switch touches memory but the two locals. */
        if (from->state == F_DONE)
            LEAVE();
        __tsan_switch_to_fiber(tf, __tsan_switch_to_fiber_no_sync);
    }
#endif
    rt__ctx_switch(&from->sp, sp);
#ifdef RT_ASAN
    __sanitizer_finish_switch_fiber(from->fake, NULL, NULL);
#endif
    reap();
}

/* next_rr returns the first runnable fiber after the running one in id
   order, wrapping around (the running one if it is alone). */
static struct rt_thread *next_rr(void)
{
    uint32_t i = lbound(S.run, S.nrun, S.cur->id + 1);

    return S.run[i == S.nrun ? 0 : i];
}

/*
 * pick_bytes is RT_SIM_BYTES's decision while bytes remain. Each byte b is
 * one scheduling decision:
 *
 *   b & 31   which fiber runs: the fiber that many places after the
 *            running one in the run list (id order, wrapping around); 0
 *            keeps the running fiber. When the running fiber blocks or
 *            exits, 0 means the next runnable fiber after it in id order.
 *   b >> 5   for how long: the chosen fiber runs 2^(b >> 5) yield points
 *            (1..128) before the next byte is read, unless it blocks or
 *            exits first, which reads the next byte at once.
 *
 * So an all-zero input is "no preemption", shrinking a byte toward zero
 * removes a preemption or shortens a slice, and one mutated byte changes
 * one decision while those after it keep their meaning.
 */
static struct rt_thread *pick_bytes(bool forced)
{
    uint8_t b;
    uint32_t i;

    if (!forced && S.bleft > 0) {
        S.bleft--;
        return S.cur;
    }
    b = S.src.bytes[S.bpos++];
    S.bleft = (1u << (b >> BYTE_CHOICE_BITS)) - 1;
    i = lbound(S.run, S.nrun, S.cur->id);
    return S.run[(i + (b & ((1u << BYTE_CHOICE_BITS) - 1))) % S.nrun];
}

/* pick_rr is fair round-robin: RR_QUANTUM yield points each, in id order;
   a spin hint ends the slice at once, since the spinner waits for
   another fiber. */
static struct rt_thread *pick_rr(rt_yp kind, bool forced)
{
    if (!forced && kind != RT_YP_SPIN && ++S.slice < RR_QUANTUM)
        return S.cur;
    S.slice = 0;
    return next_rr();
}

/*
 * pick_pct is PCT (Burckhardt et al., ASPLOS 2010): the runnable fiber
 * with the highest priority runs. At the i-th change point (a yield point
 * count drawn uniformly in [1, k] at the start of the run) the running
 * fiber drops to priority depth - i, below every base priority.
 *
 * Spin hints: a fiber spinning in a wait loop would, under strict
 * priorities, starve forever the lower-priority fiber it waits for. So a
 * spin hint demotes the spinner below every fiber (a fresh priority
 * below all others). Spinners thus rotate to the bottom one after another,
 * and the fibers that are not spinning run; this is an extra,
 * schedule-independent change point, which PCT's bound does not count.
 */
static struct rt_thread *pick_pct(rt_yp kind, bool forced)
{
    struct rt_thread *best;
    uint32_t i;

    if (!forced) {
        while (S.ichg < S.nchg && S.chg[S.ichg] <= S.steps) {
            S.cur->prio = (int64_t)(S.src.depth - 1 - S.ichg);
            S.ichg++;
        }
        if (kind == RT_YP_SPIN)
            S.cur->prio = --S.spinlow;
    }
    best = S.run[0];
    for (i = 1; i < S.nrun; i++)
        if (S.run[i]->prio > best->prio)
            best = S.run[i];
    return best;
}

/*
 * record appends decision `to` (forced as for choose) to the recording
 * as pick_bytes would read it. A chunk is a run of decisions that keep
 * one fiber: its first decision's offset, then up to 128 yield points,
 * written as bytes of 2^e points each (largest first), with offset 0
 * after the first. Each call rewrites only the open chunk (at most 8
 * bytes), so the recording is complete at every point.
 */
static void record(struct rt_thread *to, bool forced)
{
    rt_sim_record *r = S.src.record;
    uint32_t i = lbound(S.run, S.nrun, S.cur->id);
    uint32_t off = (lbound(S.run, S.nrun, to->id) + S.nrun - i) % S.nrun;
    uint32_t left, e, first = 1;
    size_t pos;

    if (r->overflow)
        return;
    if (!forced && off == 0 && S.rn > 0 && S.rn < (1u << BYTE_SLICE_MAX)) {
        S.rn++;
    } else {
        if (off >= (1u << BYTE_CHOICE_BITS)) {
            r->overflow = true;
            return;
        }
        S.rpos = r->len;
        S.roff = off;
        S.rn = 1;
    }
    pos = S.rpos;
    for (left = S.rn; left > 0; left -= 1u << e, first = 0) {
        for (e = 0; (2u << e) <= left && e < BYTE_SLICE_MAX; e++)
            ;
        if (pos >= r->cap) {
            r->overflow = true;
            return;
        }
        r->buf[pos++] =
            (uint8_t)((first ? S.roff : 0) | (e << BYTE_CHOICE_BITS));
    }
    r->len = pos;
}

/* choose asks the source who runs next. forced: the running fiber has
   blocked or exited and is not in the run list, which is not empty. */
static struct rt_thread *choose(rt_yp kind, bool forced)
{
    struct rt_thread *to;
    bool rr = false; /* the default time slice decided, not the source */

    switch (S.src.kind) {
    case RT_SIM_BYTES:
        if (S.bpos < S.src.nbytes || (!forced && S.bleft > 0)) {
            to = pick_bytes(forced);
        } else {
            to = pick_rr(kind, forced);
            rr = true;
        }
        break;
    case RT_SIM_RANDOM:
        to = S.run[below(S.nrun)];
        break;
    case RT_SIM_PCT:
        to = pick_pct(kind, forced);
        break;
    default:
        to = pick_rr(kind, forced);
        rr = true;
        break;
    }
    if (S.src.record != NULL) {
        if (!forced && !rr && to != S.cur)
            S.src.record->preemptions++;
        record(to, forced);
    }
    return to;
}

/* deadlock reports the fibers that can never run again and hands over to
   the runtime's rt__os_deadlock. Never returns. */
static _Noreturn void deadlock(void)
{
    static const char *const what[] = {"a timer", "a lock", "a note",
                                       "a thread"};
    uint32_t i;

    for (i = 0; i < S.nlive; i++)
        fprintf(stderr, "sim: deadlock: fiber %u blocked on %s\n",
                S.live[i]->id, what[S.live[i]->wait]);
    fprintf(stderr, "sim: deadlock at step %llu, virtual time %lld ns\n",
            (unsigned long long)S.steps, (long long)S.now);
    fflush(stderr);
    S.halted = true;
    LEAVE(); /* as for the budget: the runtime reports as the fiber */
    rt__os_deadlock();
}

/* resched runs another fiber after the running one has blocked or exited
   (it is off the run list). When none is runnable, virtual time jumps to
   the earliest deadline; when there is none either, the run deadlocks. */
static void resched(void)
{
    while (S.nrun == 0) {
        fire();
        if (S.nrun > 0)
            break;
        if (S.next_dl == INT64_MAX)
            deadlock();
        S.now = S.next_dl;
    }
    swap(choose(RT_YP__COUNT, true));
}

/* block takes the running fiber off the run list, waiting for (wait, obj)
   and/or until virtual time deadline (< 0: none), and runs another one.
   Returns when the fiber has been made runnable and chosen again. */
static void block(int wait, const void *obj, int64_t deadline)
{
    struct rt_thread *f = S.cur;

    if (S.halted)
        fatal("a blocking call while the runtime reports a deadlock or an "
              "exhausted budget");
    del(S.run, &S.nrun, f);
    f->state = F_BLOCKED;
    f->wait = (uint8_t)wait;
    f->obj = obj;
    f->deadline = deadline;
    if (deadline >= 0 && deadline < S.next_dl)
        S.next_dl = deadline;
    resched();
}

/* after returns the virtual time ns from now, saturating. */
static int64_t after(int64_t ns)
{
    return ns > INT64_MAX - S.now ? INT64_MAX - 1 : S.now + ns;
}

/* yieldpt is one yield point of the running (runnable) fiber: count it,
   enforce the budget, advance the clock, fire timers, and let the source
   switch fibers. */
static void yieldpt(rt_yp kind)
{
    /* The runtime's report of a deadlock or an exhausted budget takes
       yield points too (its atomics); it must run to its end on this
       fiber without counting or switching. */
    if (S.halted)
        return;
    S.steps++;
    if (S.steps > S.budget) {
        fprintf(stderr, "sim: step budget %llu exhausted\n",
                (unsigned long long)S.budget);
        fflush(stderr);
        S.halted = true;
        /* The runtime's report and exit run as the fiber's own code: end
           the sim's TSan ignores first (a thread may not exit in one). */
        LEAVE();
        rt__os_budget_exhausted(S.steps);
    }
    S.now += STEP_NS;
    if (S.now >= S.next_dl)
        fire();
    swap(choose(kind, false));
}

/* fiber_main is the bottom frame of every fiber: it runs the fiber's
   function, then retires the fiber. Never returns. */
static void fiber_main(void *p)
{
    struct rt_thread *f = p;

    ENTER();
#ifdef RT_ASAN
    {
        const void *lo;
        size_t len;
        __sanitizer_finish_switch_fiber(NULL, &lo, &len);
        if (S.prev == &S.host) {
            /* Only now can ASan say where the host's stack is. */
            S.host.lo = (void *)lo;
            S.host.len = len;
        }
    }
#endif
    reap();
    ACQ(f); /* pairs with REL in start: the creator's writes are visible */
    LEAVE();
    f->fn(f->arg);
    ENTER();
    f->state = F_DONE;
    del(S.run, &S.nrun, f);
    del(S.live, &S.nlive, f);
    wakeall(W_JOIN, f);
    REL(f); /* pairs with ACQ in rt__sim_thread_join */
#ifdef RT_TSAN
    REL(&S.done_sync); /* pairs with ACQ in rt__sim_run */
#endif
    if (S.dying != NULL)
        fatal("two fibers exiting at once");
    S.dying = f;
    if (S.nlive == 0)
        swap(&S.host);
    else
        resched();
    fatal("a done fiber was resumed");
}

/* start creates a runnable fiber running fn(arg), with the next id and a
   PCT priority. Returns NULL when memory runs out. */
static struct rt_thread *start(void (*fn)(void *), void *arg)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    struct rt_thread *f;
    int64_t prio;
    uint32_t i;

    if (S.nall == S.capall) {
        uint32_t cap = S.capall ? 2 * S.capall : 16;
        struct rt_thread **a = realloc(S.all, cap * sizeof *a);
        struct rt_thread **l, **r;
        if (a == NULL)
            return NULL;
        S.all = a;
        l = realloc(S.live, cap * sizeof *l);
        if (l == NULL)
            return NULL;
        S.live = l;
        r = realloc(S.run, cap * sizeof *r);
        if (r == NULL)
            return NULL;
        S.run = r;
        S.capall = cap;
    }
    f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->maplen = STACK_SIZE + page;
    f->map = stackget(f->maplen, page);
    if (f->map == NULL) {
        free(f);
        return NULL;
    }
#ifdef RT_TSAN
    f->tsan = __tsan_create_fiber(0);
#endif
    f->lo = (char *)f->map + page;
    f->len = STACK_SIZE;
    f->sp = rt__ctx_make((char *)f->lo + f->len, fiber_main, f);
    f->id = S.nall;
    f->fn = fn;
    f->arg = arg;
    f->deadline = -1;
    f->state = F_RUNNABLE;
    /* A fresh, distinct base priority (PCT); drawn for every source so
       that all sources consume the generator alike. */
    do {
        prio = PCT_BASE + (int64_t)(rnd() >> 2);
        for (i = 0; i < S.nall && S.all[i]->prio != prio; i++)
            ;
    } while (i < S.nall);
    f->prio = prio;
    S.all[S.nall++] = f;
    ins(S.live, &S.nlive, f);
    ins(S.run, &S.nrun, f);
    REL(f); /* pairs with ACQ in fiber_main */
    return f;
}

/* rt__sim_yield: see os.h. */
void rt__sim_yield(rt_yp kind)
{
    ENTER();
    yieldpt(kind);
    LEAVE();
}

/* rt__sim_steps returns the yield points of the run in progress, or of
   the last one once it has ended (0 before any). */
/* rt__sim_halt stops scheduling for good: the runtime is reporting a
 * violation, and its report must run to the end on this fiber. */
void rt__sim_halt(void)
{
    S.halted = true;
}

uint64_t rt__sim_steps(void)
{
    return S.steps;
}

/* rt__sim_lock: a yield point, then take the lock or block until an
   unlock and retry. Not FIFO: a woken fiber competes again, as in Go. */
void rt__sim_lock(rt_mutex *l)
{
    ENTER();
    yieldpt(RT_YP_LOCK);
    while (atomic_load_explicit(&l->key, memory_order_relaxed) != 0)
        block(W_LOCK, l, -1);
    atomic_store_explicit(&l->key, 1, memory_order_relaxed);
    atomic_store_explicit(&l->owner, (uintptr_t)S.cur, memory_order_relaxed);
    ACQ(l); /* pairs with REL in rt__sim_unlock */
    LEAVE();
}

/* rt__sim_unlock: a yield point, then release and wake every waiter (the
   source then decides which one takes the lock). */
void rt__sim_unlock(rt_mutex *l)
{
    ENTER();
    yieldpt(RT_YP_LOCK);
    if (atomic_load_explicit(&l->key, memory_order_relaxed) != 1)
        fatal("unlock of an unlocked lock");
    REL(l);
    atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
    atomic_store_explicit(&l->key, 0, memory_order_relaxed);
    wakeall(W_LOCK, l);
    LEAVE();
}

/* rt__sim_lockheld reports whether the running fiber holds l; not a
   yield point. */
bool rt__sim_lockheld(rt_mutex *l)
{
    bool held;

    ENTER();
    held = atomic_load_explicit(&l->owner, memory_order_relaxed) ==
           (uintptr_t)S.cur;
    LEAVE();
    return held;
}

/* rt__sim_noteclear: a yield point, then reset the note. */
void rt__sim_noteclear(rt_note *n)
{
    ENTER();
    yieldpt(RT_YP_NOTE);
    atomic_store_explicit(&n->key, 0, memory_order_relaxed);
    LEAVE();
}

/* rt__sim_notewakeup: a yield point, then wake every sleeper. A second
   wakeup without a clear is the caller's bug, as in Go. */
void rt__sim_notewakeup(rt_note *n)
{
    ENTER();
    yieldpt(RT_YP_NOTE);
    if (atomic_load_explicit(&n->key, memory_order_relaxed) != 0)
        fatal("notewakeup: double wakeup");
    REL(n); /* pairs with ACQ in notesleep and notetsleep */
    atomic_store_explicit(&n->key, 1, memory_order_relaxed);
    wakeall(W_NOTE, n);
    LEAVE();
}

/* rt__sim_notesleep: a yield point, then block until the note is woken. */
void rt__sim_notesleep(rt_note *n)
{
    ENTER();
    yieldpt(RT_YP_NOTE);
    while (atomic_load_explicit(&n->key, memory_order_relaxed) == 0)
        block(W_NOTE, n, -1);
    ACQ(n);
    LEAVE();
}

/* rt__sim_notetsleep: as notesleep, but for at most ns virtual
   nanoseconds (ns < 0: forever). Returns whether the note was woken. */
bool rt__sim_notetsleep(rt_note *n, int64_t ns)
{
    bool woken;

    ENTER();
    yieldpt(RT_YP_NOTE);
    if (ns < 0) {
        while (atomic_load_explicit(&n->key, memory_order_relaxed) == 0)
            block(W_NOTE, n, -1);
    } else if (ns > 0 &&
               atomic_load_explicit(&n->key, memory_order_relaxed) == 0) {
        /* One wait: a wakeup or the deadline, whichever comes first, makes
           the fiber runnable again. */
        block(W_NOTE, n, after(ns));
    }
    woken = atomic_load_explicit(&n->key, memory_order_relaxed) != 0;
    if (woken)
        ACQ(n);
    LEAVE();
    return woken;
}

/* rt__sim_thread_start: start a fiber, then a yield point, so that the
   source may run the new fiber at once. */
rt_thread *rt__sim_thread_start(void (*fn)(void *), void *arg)
{
    struct rt_thread *f;

    ENTER();
    f = start(fn, arg);
    if (f != NULL)
        yieldpt(RT_YP_NOTE);
    LEAVE();
    return f;
}

/* rt__sim_thread_join: a yield point, then block until t has exited. The
   handle stays valid until the run ends. */
void rt__sim_thread_join(rt_thread *t)
{
    ENTER();
    yieldpt(RT_YP_NOTE);
    while (t->state != F_DONE)
        block(W_JOIN, t, -1);
    ACQ(t); /* pairs with REL in fiber_main: t's writes are visible */
    LEAVE();
}

/* rt__sim_tls_get returns the running fiber's TLS word. */
void *rt__sim_tls_get(void)
{
    void *v;

    ENTER();
    v = S.cur->tls;
    LEAVE();
    return v;
}

/* rt__sim_tls_set sets the running fiber's TLS word. */
void rt__sim_tls_set(void *v)
{
    ENTER();
    S.cur->tls = v;
    LEAVE();
}

/* rt__sim_nanotime returns the virtual clock; not a yield point. */
int64_t rt__sim_nanotime(void)
{
    int64_t t;

    ENTER();
    t = S.now;
    LEAVE();
    return t;
}

/* rt__sim_usleep: a spin yield point, then sleep us virtual
   microseconds. */
void rt__sim_usleep(uint32_t us)
{
    ENTER();
    yieldpt(RT_YP_SPIN);
    if (us > 0)
        block(W_NONE, NULL, after((int64_t)us * 1000));
    LEAVE();
}

/* rt__sim_procyield: one spin yield point, whatever n. */
void rt__sim_procyield(uint32_t n)
{
    (void)n;
    ENTER();
    yieldpt(RT_YP_SPIN);
    LEAVE();
}

/* rt__sim_osyield: one spin yield point. */
void rt__sim_osyield(void)
{
    ENTER();
    yieldpt(RT_YP_SPIN);
    LEAVE();
}

/* rt__sim_syscall_block: a syscall yield point, then sleep ns virtual
   nanoseconds (other fibers run meanwhile). */
void rt__sim_syscall_block(int64_t ns)
{
    ENTER();
    yieldpt(RT_YP_SYSCALL);
    if (ns > 0)
        block(W_NONE, NULL, after(ns));
    LEAVE();
}

/* rt__sim_curid returns the running fiber's id (UINT32_MAX outside a
   fiber). */
uint32_t rt__sim_curid(void)
{
    uint32_t id;

    ENTER();
    id = S.cur != NULL ? S.cur->id : UINT32_MAX;
    LEAVE();
    return id;
}

/* check validates a source: returns 0 or RT_EINVAL. */
static int check(const rt_sim_source *src)
{
    if (src->kind > RT_SIM_RR)
        return RT_EINVAL;
    if (src->kind == RT_SIM_PCT &&
        (src->depth < 1 || src->depth > PCT_MAX_DEPTH))
        return RT_EINVAL;
    if (src->kind == RT_SIM_BYTES && src->bytes == NULL && src->nbytes > 0)
        return RT_EINVAL;
    return 0;
}

/* setup resets the run state for src. The generator is seeded for every
   kind (BYTES and RR use it only for the PCT priorities they ignore). */
static void setup(const rt_sim_source *src)
{
    uint64_t k = src->steps_hint ? src->steps_hint : PCT_DEFAULT_K;
    uint32_t i, j;

    memset(&S, 0, sizeof S);
    S.src = *src;
    if (src->record != NULL) {
        src->record->len = 0;
        src->record->overflow = false;
        src->record->preemptions = 0;
    }
    S.budget = src->step_budget ? src->step_budget : DEFAULT_BUDGET;
    S.next_dl = INT64_MAX;
    S.rng = src->seed;
    S.host.id = UINT32_MAX;
    S.host.deadline = -1;
    S.cur = &S.host;
    if (src->kind == RT_SIM_PCT) {
        /* d - 1 change points uniform in [1, k], sorted (insertion sort:
           at most 7 of them). */
        S.nchg = src->depth - 1;
        for (i = 0; i < S.nchg; i++) {
            uint64_t c = 1 + rnd() % k;
            for (j = i; j > 0 && S.chg[j - 1] > c; j--)
                S.chg[j] = S.chg[j - 1];
            S.chg[j] = c;
        }
    }
}

/* teardown frees every fiber of the run, keeping S.steps for
   rt__sim_steps. */
static void teardown(void)
{
    uint32_t i;

    for (i = 0; i < S.nall; i++) {
        if (S.all[i]->map != NULL) {
#ifdef RT_TSAN
            __tsan_destroy_fiber(S.all[i]->tsan);
#endif
            stackput(S.all[i]);
        }
        free(S.all[i]);
    }
    free(S.all);
    free(S.live);
    free(S.run);
    S.all = S.live = S.run = NULL;
    S.nall = S.nlive = S.nrun = S.capall = 0;
    S.cur = NULL;
    S.active = false;
}

/* rt__sim_run: see rt__os_run in os.h. One run at a time per process. */
int rt__sim_run(const struct rt_sim_source *src, void (*mainfn)(void *),
                void *arg)
{
    int rc;

    if (src == NULL || mainfn == NULL || S.active)
        return RT_EINVAL;
    rc = check(src);
    if (rc != 0)
        return rc;
    ENTER();
    setup(src);
    S.active = true;
#ifdef RT_TSAN
    S.host.tsan = __tsan_get_current_fiber();
#endif
    if (start(mainfn, arg) == NULL) {
        teardown();
        LEAVE();
        return RT_ENOMEM;
    }
    swap(S.all[0]);
    /* Every fiber has exited; the last one switched here. */
    reap();
    S.cur = &S.host;
#ifdef RT_TSAN
    ACQ(&S.done_sync); /* pairs with REL in fiber_main */
#endif
    teardown();
    LEAVE();
    return 0;
}

/* rt__os_deadlock (weak default, for tests without the runtime): the
   sim has already listed the blocked fibers. Never returns. */
__attribute__((weak)) void rt__os_deadlock(void)
{
    fputs("sim: deadlock\n", stderr);
    abort();
}

/* rt__os_budget_exhausted (weak default, for tests without the runtime):
   the sim has already printed the budget message. Never returns. */
__attribute__((weak)) void rt__os_budget_exhausted(uint64_t steps)
{
    (void)steps;
    abort();
}
