/*
 * runtime.h - rt's internal declarations shared across its files: the G,
 * M and P structures, the status word and its transition table, the heap,
 * and the functions each file offers the others (rt__ names).
 */
#ifndef RT_RUNTIME_H
#define RT_RUNTIME_H

#include <stdio.h>

#include "os/os.h"
#include "rt.h"

typedef struct rt_g rt_g;
typedef struct rt_m rt_m;
typedef struct rt_p rt_p;

/* The rules a throw can name (rules.h): RT_RULE_STATUS_ILLEGAL, ... */
typedef enum rt__rule {
#define RULE(name, id, checker, meaning) RT_RULE_##name,
#include "rules.h"
    RT_RULE__COUNT
} rt__rule;

/* The injectable faults (faults.h): RT_FAULT_<name> is the fault's bit in
 * rt_options.faults. */
typedef enum rt__faultid {
#define FAULT(name, id, description, source, checker) RT_FAULT_##name,
#include "faults.h"
    RT_FAULT__COUNT
} rt__faultid;

/* rt__ruleid returns a rule's id ("status.illegal"); catalog.c. */
const char *rt__ruleid(rt__rule rule);

/*
 * The status word (G.atomicstatus). Values are Go's of September 2014.
 *
 * Legal transitions (from -> to: function, condition). The executable form
 * is rt__gstatus_legal in g.c; every CAS helper and the checkers use it.
 *
 *   Gidle      -> Gdead        newproc (allocg), before the G is published
 *   Gdead      -> Grunnable    newproc, with per-G GC flags reset
 *   Grunnable  -> Grunning     execute
 *   Grunning   -> Gwaiting     park_m; newstack entry; the GC caller (STW)
 *   Gwaiting   -> Grunnable    ready
 *   Gwaiting   -> Grunning     end of newstack; end of the GC caller
 *   Grunning   -> Grunnable    gosched_m, gopreempt_m
 *   Grunning   -> Gdead        goexit0
 *   Grunning   -> Gsyscall     entersyscall
 *   Gsyscall   -> Grunning     exitsyscall fast path
 *   Gsyscall   -> Grunnable    exitsyscall0 (slow path)
 *   Gwaiting   -> Gcopystack   copystack (growth in newstack)
 *   Gcopystack -> Gwaiting     copystack done
 *   Grunnable|Gwaiting|Gsyscall -> same|Gscan
 *                              stopg claims (castogscanstatus); also
 *                              newstack's self-scan (Gwaiting, S3 fixed)
 *   Gscan{runnable,waiting,syscall} -> base
 *                              restartg, newstack (casfromgscanstatus)
 *   Grunning   -> Gscanrunning stopg, to post a preemption request only
 *   Gscanrunning -> Grunning   stopg, right after posting it
 *   Grunning   -> Gscanenqueue quiesce: the master claims itself
 *   Gscanenqueue -> Gwaiting   restartg (mquiesce), then ready
 *
 * The Gscan bit is a lock: whoever set it owns the G (its stack, its
 * gcworkdone) until it clears it; casgstatus spins while it sees the scan
 * variant of the status it expects.
 */
enum {
    RT_G_IDLE = 0,
    RT_G_RUNNABLE = 1,
    RT_G_RUNNING = 2,
    RT_G_SYSCALL = 3,
    RT_G_WAITING = 4,
    RT_G_MORIBUND_UNUSED = 5,
    RT_G_DEAD = 6,
    RT_G_ENQUEUE = 7,
    RT_G_COPYSTACK = 8,
    RT_G_NSTATUS = 9,
    RT_G_SCAN = 0x1000,
    RT_G_SCANRUNNABLE = RT_G_SCAN + RT_G_RUNNABLE,
    RT_G_SCANRUNNING = RT_G_SCAN + RT_G_RUNNING,
    RT_G_SCANSYSCALL = RT_G_SCAN + RT_G_SYSCALL,
    RT_G_SCANWAITING = RT_G_SCAN + RT_G_WAITING,
    RT_G_SCANENQUEUE = RT_G_SCAN + RT_G_ENQUEUE,
};
_Static_assert(RT_G_SCANENQUEUE == 0x1007, "Go's Gscanenqueue value");
_Static_assert((RT_G_SCAN & (RT_G_SCAN - 1)) == 0, "Gscan is one bit");
_Static_assert(RT_G_NSTATUS <= RT_G_SCAN, "base states below the scan bit");

/* Liveness bounds, as multiples of rt_options.quiesce_bound_ns: one
 * stop-the-world gets twice quiesce's bound; a whole GC cycle (a quiesce
 * and two stop-the-worlds) four times. */
enum { RT_STW_BOUND_FACTOR = 2, RT_GC_BOUND_FACTOR = 4 };

/* rt_options.spawn_budget when 0: ten times the 100,000 goroutines of
 * the largest shipped benchmark, and below the 1,048,576 Gs that allgs
 * can hold (rt.toomanyg). */
enum { RT_SPAWN_BUDGET = 1000000 };

/* P states. */
enum { RT_P_IDLE, RT_P_RUNNING, RT_P_SYSCALL, RT_P_GCSTOP, RT_P_DEAD };

/* GC phases (Go's gcphase). Changed only with the world stopped. */
enum { RT_PH_OFF, RT_PH_QUIESCE, RT_PH_STW, RT_PH_MARK, RT_PH_SWEEP };

/*
 * Stack sentinel: stored in stackguard0 it makes every prologue check
 * fail. Go's (uintptr)-1314: larger than any real stack index.
 */
#define RT_STACK_PREEMPT ((uint64_t)-1314)

enum {
    RT_STACK_MIN = 32,      /* slots in a new G's stack (256 bytes) */
    RT_STACK_GUARD = 2,     /* slots kept free below the lowest frame */
    RT_STACK_MAX = 1 << 20, /* slots: "stack overflow" beyond */
    RT_RUNQ = 256,          /* local run queue of a P (Go's size) */
    RT_ALLOC_BATCH = 16,    /* free objects a P takes at once: few enough
                               that small heaps stay shared */
};

/*
 * A stack slot: an integer (low bit 0, value << 1) or an object reference
 * (low bit 1, object index in bits 1..31, the object's generation in bits
 * 32..63). Zero is the integer 0 and serves as nil.
 */
typedef uint64_t rt_slot;

static inline bool rt__isref(rt_slot s)
{
    return (s & 1) != 0;
}
static inline uint32_t rt__refidx(rt_slot s)
{
    return (uint32_t)(s >> 1) & 0x7fffffffu;
}
static inline uint32_t rt__refgen(rt_slot s)
{
    return (uint32_t)(s >> 32);
}
static inline rt_slot rt__mkref(uint32_t idx, uint32_t gen)
{
    return ((uint64_t)gen << 32) | ((uint64_t)idx << 1) | 1;
}

/*
 * Quiesce's cursor (rt__rt.qcursor), for the checks quiesce.missed and
 * quiesce.post: the checkers' own state, written and read with no yield
 * point. RT_QC_BEFORE from the cycle's start (resetwork, world stopped)
 * until quiesce's first pass; then (pass << 32) | k while pass `pass`
 * (1, 2, ...) has begun on k slots of allgs: k = i + 1 is stored before
 * slot i is looked at, and k = RT_QC_ALL once the pass is over, before
 * quiesce decides whether to make another; RT_QC_AFTER once its passes
 * are over. newproc stores the cursor in G.qborn after it made the G live
 * (new or reused). At mark termination a live G that is not done is
 * *behind* quiesce, a straggler that mark termination brings to its
 * safepoint, only if quiesce could not have seen it live: born after the
 * passes, or in the last pass after that pass looked at its slot (k >
 * index), or in the last pass beyond the allgs length it began with when
 * quiesce ran out of passes. Any other G not done was skipped: quiesce.post
 * if quiesce visited it (G.qvisit), quiesce.missed if it never did.
 */
#define RT_QC_BEFORE ((uint64_t)0)
#define RT_QC_ALL ((uint64_t)UINT32_MAX)
#define RT_QC_AFTER UINT64_MAX

/* Reasons a G's VM loop returns to its M's scheduler (Go's mcall). */
typedef enum rt_switch {
    RT_SW_PARK,    /* park_m: BLOCK; unlock the semaphore after */
    RT_SW_GOSCHED, /* gosched_m: YIELD */
    RT_SW_PREEMPT, /* gopreempt_m: a preemption taken in newstack */
    RT_SW_EXIT,    /* goexit0 */
    RT_SW_QUIESCE, /* mquiesce: the G is the quiesce master */
    RT_SW_SYSEXIT, /* exitsyscall0: the fast path failed */
} rt_switch;

/*
 * A goroutine. Fields say who may touch them: "own" means the M running
 * the G (or the holder of its scan bit while claimed); "sched" means
 * under sched.lock; atomics are marked _Atomic.
 */
struct rt_g {
    _Atomic uint32_t atomicstatus; /* the status word; see above */
    _Atomic uint32_t goid;         /* id of this incarnation (newproc); read by
                                      other Ms' trace events, hence atomic */
    uint32_t index;                /* position in allgs */
    uint32_t gen;                  /* incarnation: bumped on reuse */

    /* Stack: slots [sp, stacksize) are in use; own. */
    rt_slot *stack;
    uint32_t stacksize; /* in slots */
    uint32_t sp;        /* lowest slot in use */
    /* The VM's own record of the slots in use, indexed by distance from
     * the stack's top (stack.c, rule stack.content): written only where
     * the program writes a slot, never by a copy, shrink or scan. */
    rt_slot *shadow;
    uint32_t shadowcap;
    uint32_t framen; /* slots in the current frame */
    uint32_t depth;  /* frames above the base frame */
    /* stackguard0 is written by other Ms (preemption requests) and read
     * by the prologue: relaxed, because a late read only delays the
     * preemption to the next prologue. */
    _Atomic uint64_t stackguard0;
    uint64_t stackguard; /* the real guard: RT_STACK_GUARD */

    /* Protocol flags. Atomics (the seed's plain bools are defect S7). */
    _Atomic uint32_t preempt;     /* mirrors stackguard0 == StackPreempt */
    _Atomic uint32_t preemptscan; /* do own GC work at next preemption */
    _Atomic uint32_t gcworkdone;  /* this cycle's phase work is done */
    uint32_t scancount;           /* scans this cycle; under the scan bit */
    uint32_t scanpass;            /* GC cycle of the last scancount reset */

    /* VM state; own. */
    uint16_t prog; /* program index */
    uint16_t pc;   /* next instruction */
    uint32_t spin; /* SPIN iterations left (resumable) */

    /* Scheduling. */
    rt_g *schedlink;           /* run queue, wait list or free list link */
    rt_m *m;                   /* M running it, or NULL; own */
    rt_mutex *waitlock;        /* RT_SW_PARK: wait list lock, dropped by
                                  park_m once the G is in Gwaiting */
    uint32_t gcwait;           /* GC cycle it waits to finish, or 0 */
    uint32_t parked;           /* on a wait list (park_m); cleared by the
                                  waker that takes it off, under the list's
                                  lock */
    int32_t waitsema;          /* while parked: its semaphore, or -1 for the
                                  GC wait list (reports) */
    _Atomic uint32_t handoff;  /* Grunnable but between queues: an M with
                                  no P is putting it on the global queue */
    _Atomic uint32_t scanning; /* a scan of its stack is in progress */
    _Atomic uint64_t qborn;    /* checkers: quiesce's cursor when newproc
                                  made it live this cycle (RT_QC_*) */
    _Atomic uint32_t qvisit;   /* checkers: quiesce visited it this cycle
                                  (and found its work done) */
    /* checkers: the M that holds its scan bit (castogscanstatus sets it,
     * casfromgscanstatus clears it); the scan-ownership rule compares it
     * with the scanning M. */
    rt_m *_Atomic scanowner;
    uint32_t gcneed;         /* own: a GC op in progress needs cycle
                                gcneed finished (one that started after
                                the op), or 0 */
    uint16_t gcpc;           /* own: pc of that GC op */
    uint32_t syscallpending; /* own: ticks of the syscall it is in */
};

/* An M: an OS thread (or a sim fiber) running the scheduler. */
struct rt_m {
    uint32_t id;
    rt_thread *thread;
    rt_g *_Atomic curg; /* the G it runs, or NULL; read by preemptone */
    rt_p *p;            /* attached P, or NULL */
    rt_p *nextp;        /* P handed to it while it sleeps (sched) */
    rt_p *oldp;         /* P it had when it entered a syscall */
    rt_m *schedlink;    /* idle list (sched) */
    rt_note park;       /* sleeps here when idle */
    int32_t locks;      /* runtime locks held: no preemption */
    uint32_t spinning;  /* looking for work */
    uint64_t rand;      /* fastrand state: deterministic per M */
    rt_switch reason;   /* why the VM loop returned */
    /* Statistics kept plainly by the owning M, summed at the end. */
    uint64_t ops, preemptions, selfscans, grows, syscalls, parks, steals;
    uint64_t yields, allocs, allocfails;
};

/* A P: the right to run Go code, with a local run queue. */
struct rt_p {
    uint32_t id;
    _Atomic uint32_t status;
    rt_m *_Atomic m;           /* M it is attached to; read by sysmon */
    rt_p *link;                /* idle list (sched) */
    _Atomic uint32_t runqhead; /* consumers: owner and stealers (CAS) */
    _Atomic uint32_t runqtail; /* producer: owner only */
    rt_g *_Atomic runq[RT_RUNQ];
    _Atomic uint32_t schedtick;   /* incremented on every execute */
    _Atomic uint32_t syscalltick; /* incremented on every syscall */
    /* Free heap objects for NEW on this P (owner only; read by sweep
     * with the world stopped, where they stay free). */
    uint32_t allocache[RT_ALLOC_BATCH];
    uint32_t nallocache;
    /* sysmon's view: last ticks seen and when. */
    uint32_t sysmontick, sysmonsyscalltick;
    int64_t sysmonwhen, sysmonsyscallwhen;
};

/* A counting semaphore behind BLOCK/WAKE. */
typedef struct rt_sema {
    rt_mutex lock;
    uint32_t count;    /* WAKEs not yet consumed */
    rt_g *head, *tail; /* parked Gs, FIFO */
} rt_sema;

/* A heap object. fields are atomics: goroutines on other Ms load and
 * store them concurrently (relaxed: the VM has no happens-before of its
 * own to preserve; the GC synchronizes through stop-the-world and the
 * status word). */
typedef struct rt_obj {
    _Atomic uint64_t fields[RT_NFIELDS];
    _Atomic uint32_t mark; /* marked in the current cycle */
    uint32_t gen;          /* bumped when swept; references carry it */
    _Atomic uint32_t live; /* allocated and not swept */
    uint32_t checkmark;    /* the checker's own traversal */
} rt_obj;

/* The whole runtime: one per run (the runtime is not reentrant). */
typedef struct rt_runtime {
    const rt_scenario *sc;
    rt_options opt;
    uint32_t nprocs, maxmcount;

    /* Scheduler (Go's Sched). */
    struct {
        rt_mutex lock;
        rt_g *runqhead, *runqtail; /* global run queue */
        _Atomic uint32_t runqsize; /* written under lock, read anywhere */
        rt_m *midle;               /* idle Ms */
        uint32_t nmidle, mcount;
        rt_p *pidle; /* idle Ps */
        _Atomic uint32_t npidle;
        _Atomic uint32_t nmspinning;
        _Atomic uint32_t gcwaiting; /* stop-the-world requested */
        _Atomic uint32_t stopped;   /* checkers: the world is stopped
                                       (every P in Pgcstop), from the end
                                       of stoptheworld to the start of
                                       starttheworld */
        uint32_t stopwait;          /* Ps still to stop */
        rt_note stopnote;
        _Atomic uint32_t sysmonwait;
        rt_note sysmonnote;
        rt_g *gfree; /* dead Gs for reuse */
        uint32_t ngfree;
        _Atomic uint32_t ngalive; /* Gs not dead */
        _Atomic uint32_t shutdown;
        uint32_t nsysbusy; /* sysmon holds a P in transit (it
                              counts as a running M for checkdead,
                              as Go's incidlelocked(-1)) */
    } sched;
    rt_p *allp[RT_MAX_PROCS];
    rt_m *allm[RT_MAX_THREADS + 1];
    rt_mutex mlock; /* allm, thread starts */

    /* allgs: chunks of G pointers that never move, so readers load
     * allglen (acquire, paired with allgadd's release) and then index
     * without the lock. */
    rt_mutex allglock;
    _Atomic uint32_t allglen;
    rt_g **allgchunk[1024];
    _Atomic uint32_t goidgen;

    rt_sema sema[RT_NSEMA];

    /* Heap. */
    rt_mutex heaplock;
    rt_obj *objs;
    uint32_t heapcap;
    uint32_t *freeidx; /* free object indices, a stack; heaplock */
    uint32_t nfree;
    _Atomic uint64_t globals[RT_NGLOBALS];

    /* GC. */
    _Atomic uint32_t gcphase;
    _Atomic uint32_t writebarrier; /* hybrid barrier on (GCmark) */
    _Atomic uint32_t gcrunning;    /* a cycle is in progress */
    _Atomic uint32_t gccycle;      /* cycles started; written by the
                                      gcrunning holder, read by GC ops */
    rt_mutex worklock;             /* grey queue */
    uint32_t *grey;
    uint32_t ngrey;
    rt_mutex worldsema;  /* serializes stop-the-world */
    int64_t gcstart;     /* when the cycle began */
    int64_t stwstart;    /* when the world last stopped (its stopper's) */
    rt_mutex gcwaitlock; /* Gs waiting for a cycle to end */
    rt_g *gcwaiters;
    _Atomic uint32_t gcdone; /* last cycle finished */
    /* Quiesce's progress, for the checkers (see RT_QC_*): the cursor; the
     * passes run, the allgs length the last one began with and whether
     * quiesce ran out of passes (written by mquiesce, read at mark
     * termination with the world stopped). */
    _Atomic uint64_t qcursor;
    uint32_t qpasses, qlastlen;
    bool qexhausted;

    /* sysmon and the end of the run. */
    rt_thread *sysmon;
    _Atomic uint64_t stats[32];
    rt_stats out; /* wall_ns, heap_bytes, deadlocked */
} rt_runtime;

extern rt_runtime rt__rt;

/* rt__faulton reports whether fault f (faults.h) is switched on in this
 * run. The options are fixed before any M starts: a plain read. Built
 * with RT_NO_FAULTS it is constant false and every fault branch folds
 * away: ci/bench-faults measures that build beside the normal one, to
 * show what the seams cost when off. */
static inline bool rt__faulton(rt__faultid f)
{
#ifdef RT_NO_FAULTS
    (void)f;
    return false;
#else
    return (rt__rt.opt.faults >> f) & 1;
#endif
}

/* rt__statmax adds d (a duration, ns) to stats[sum] and raises
 * stats[max] to it: for timings that one actor at a time records (the
 * stop-the-world holder, the quiesce master), so the read-then-store of
 * the maximum races with no one. No yield point. */
#define rt__statmax(sum, max, d)                                               \
    do {                                                                       \
        uint64_t d_ = (uint64_t)(d);                                           \
        rt__statadd(&rt__rt.stats[sum], d_);                                   \
        if (d_ > rt__load64_noyield(&rt__rt.stats[max], memory_order_relaxed)) \
            rt__store64_noyield(&rt__rt.stats[max], d_, memory_order_relaxed); \
    } while (0)

/* Indices into rt__rt.stats for counters bumped from many Ms. */
enum {
    ST_SPAWNS,
    ST_GREUSE,
    ST_EXITS,
    ST_GCCYCLES,
    ST_GCCOALESCED,
    ST_PREEMPTREQS,
    ST_SHRINKS,
    ST_SCANS,
    ST_HANDOFFS,
    ST_READIES,
    ST_FREED,
    ST_STW,
    ST_QUIESCES,
    ST_QUIESCENS,
    ST_QUIESCEMAX,
    ST_STRAGGLERS,
    ST_STWNS,   /* world-stopped time, summed (rt__starttheworld) */
    ST_STWMAX,  /* ... the longest */
    ST_MARKNS,  /* cycle start to the end of mark termination, summed */
    ST_MARKMAX, /* ... the longest */
    ST_CLAIMS,  /* 4 counters: claims of Grunnable, Grunning, Gsyscall and
                   Gwaiting (rt_stats.claims) */
    ST__END = ST_CLAIMS + 4
};
_Static_assert(ST__END <= 32, "rt__rt.stats holds every counter");
_Static_assert(RT_G_WAITING - RT_G_RUNNABLE == 3, "claims are indexed by "
                                                  "status - Grunnable");

/* rt__goid returns gp's goid for a report or a trace event: a relaxed,
 * non-yielding load (the observers must not move the sim's schedule). */
static inline uint32_t rt__goid(rt_g *gp)
{
    return rt__load32_noyield(&gp->goid, memory_order_relaxed);
}

/* g.c: the status word. */
uint32_t rt__readgstatus(rt_g *gp);
bool rt__gstatus_legal(uint32_t from, uint32_t to);
/* The CAS helpers take the calling function's name for the trace: call
 * them through the macros below. */
void rt__casgstatus_(rt_g *gp, uint32_t oldval, uint32_t newval,
                     const char *by);
bool rt__castogscanstatus_(rt_g *gp, uint32_t oldval, uint32_t newval,
                           const char *by);
void rt__casfromgscanstatus_(rt_g *gp, uint32_t oldval, uint32_t newval,
                             const char *by);
#define rt__casgstatus(gp, o, n) rt__casgstatus_(gp, o, n, __func__)
#define rt__castogscanstatus(gp, o, n) rt__castogscanstatus_(gp, o, n, __func__)
#define rt__casfromgscanstatus(gp, o, n)                                       \
    rt__casfromgscanstatus_(gp, o, n, __func__)
bool rt__isscanstatus(uint32_t s);
const char *rt__gstatusname(uint32_t s);
bool rt__stopg(rt_g *gp);
void rt__restartg(rt_g *gp);
void rt__gcphasework(rt_g *gp);
bool rt__stopscanstart(rt_g *gp);

/* Kinds of trace event (trace.c). */
typedef enum rt_evkind {
    RT_EV_STATUS,     /* a status change: from, to, by function */
    RT_EV_CLAIM,      /* scan bit set: from, to */
    RT_EV_RELEASE,    /* scan bit cleared: from, to */
    RT_EV_SCAN,       /* stack scan done: from = slots scanned */
    RT_EV_PREEMPTREQ, /* preemption request posted to a running G */
    RT_EV_NEWSTACK,   /* newstack entered: from = 1 preempt, 0 growth */
    RT_EV_COPY,       /* stack copied: from = old size, to = new size */
    RT_EV_PARK,       /* parked on semaphore from */
    RT_EV_READY,      /* readied */
    RT_EV_SYSCALL,    /* entered a system call of from ticks */
    RT_EV_PHASE,      /* gcphase: from -> to */
    RT_EV_STW,        /* world stopped (from = 1) or started (from = 0) */
    RT_EV_WORK,       /* gcphasework done in phase from */
    RT_EV_SCANSTART,  /* stack scan begins: from = slots in use */
    RT_EV_SYSEXIT,    /* left a system call: from = 1 fast path, 0 slow */
    RT_EV_SWITCH,     /* sim: the schedule switched from M from to M to */
    RT_EV_PSTOP,      /* P from stopped for stop-the-world; to = Ps left */
    RT_EV__COUNT
} rt_evkind;

/* trace.c: the event trace, throw and reports. */
void rt__event(rt_evkind kind, rt_g *gp, uint32_t from, uint32_t to,
               const char *fn);
void rt__traceinit(const rt_options *opt);
/* Status transitions seen (RT_EV_STATUS/CLAIM/RELEASE), cumulative
 * across runs until rt__transreset: the interleaving-coverage features
 * and the tests' "every row reached" oracle. */
bool rt__transseen(uint32_t from, uint32_t to);
void rt__transreset(void);
/* cover.c: the interleaving-coverage map (rt_cover_map). Recording is
 * sim only and no yield point. rt__coverreset empties it (rt__traceinit);
 * rt__coverevent takes every trace event (rt__event); rt__coverop each
 * VM op (vm.c); rt__coverwait a wait on a scan bit another M holds, gp
 * wanted from -> to (stopg: to == from). */
void rt__coverreset(void);
void rt__coverevent(rt_evkind kind, rt_g *gp, uint32_t m, uint32_t from,
                    uint32_t to);
void rt__coverop(uint32_t op);
void rt__coverwait(rt_g *gp, uint32_t from, uint32_t to);
/* Test-only: called by goexit0 with the dying G before it is cleared. */
extern void (*rt__test_exit_hook)(rt_g *gp);

/* Test-only hook points, where a test hand-makes a violation for a
 * checker to find. NULL in every shipped run. */
typedef enum rt_hook {
    RT_HOOK_SCAN,        /* inside scanstack, between its two checks */
    RT_HOOK_OP,          /* before each VM instruction */
    RT_HOOK_TERMINATION, /* mark termination, before the postconditions */
    RT_HOOK_CHECKMARK,   /* before gccheckmark */
    RT_HOOK_STW,         /* world stopped, before the queue check */
    RT_HOOK_NEWSTACK,    /* newstack, G in Gwaiting, before it grows */
    RT_HOOK_QUIESCED,    /* mquiesce: its passes are over, the world not
                            yet stopped for mark termination */
    RT_HOOK_SELFSCAN,    /* newstack, G in Gwaiting, before it claims its
                            own scan bit for its GC work */
    RT_HOOK_LOCKED,      /* NEW's slow path, the heap lock held, before
                            its preemption check */
} rt_hook;
extern void (*rt__test_hook)(rt_hook where, rt_g *gp);
#define RT__HOOK(where, gp)                                                    \
    do {                                                                       \
        if (__builtin_expect(rt__test_hook != NULL, 0))                        \
            rt__test_hook(where, gp);                                          \
    } while (0)

/* check.c */
void rt__checkqueues(bool locked);
uint32_t rt__programdeadlock(void);
uint64_t rt__tracecount(void);
/*
 * rt__throw reports a broken invariant (rt__report) and ends the run. rule
 * is an rt__rule of rules.h; the report and the throw hook get its id. It
 * is a macro and rt__die is always inlined, so that the frames under
 * abort() are the checking function's: crash de-duplication by the top
 * stack frames then groups findings by the rule they broke.
 */
void rt__report(rt__rule rule, rt_g *gp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noinline, cold));
_Noreturn void rt__diehook(rt__rule rule);
static inline __attribute__((always_inline)) _Noreturn void
rt__die(rt__rule rule)
{
    rt__diehook(rule); /* the throw hook (exit 1 in the CLI), or returns */
    __builtin_trap();
}
#define rt__throw(rule, gp, ...)                                               \
    (rt__report(rule, gp, __VA_ARGS__), rt__die(rule))
/*
 * RT__ASSERT_HELD(l) states a locking rule as code: the calling function
 * needs runtime lock l held by its own M, else it throws sched.lockheld
 * (naming the function, which is also the frame under abort()). Not a
 * yield point: it reads the lock's owner without a schedule point.
 */
#define RT__ASSERT_HELD(l)                                                     \
    do {                                                                       \
        if (__builtin_expect(!rt__lockheld(l), 0))                             \
            rt__throw(RT_RULE_SCHED_LOCKHELD, NULL, "%s needs %s held",        \
                      __func__, #l);                                           \
    } while (0)
/*
 * rt__spinwait bounds one round of a wait for another actor to let go of
 * gp (its scan bit, or Gcopystack). *since is -1 before the first round,
 * which records the time; a later round more than quiesce's bound after it
 * throws liveness.spin naming the wait (what); a bound of 0 (no run in
 * progress: unit tests of g.c) bounds nothing. Virtual time in sim, where
 * rt__nanotime is no yield point, so the bound does not move the
 * schedule. Always inlined: the frames under abort() are the waiter's.
 */
static inline __attribute__((always_inline)) void
rt__spinwait(int64_t *since, rt_g *gp, const char *what)
{
    int64_t now = rt__nanotime();

    if (*since < 0) {
        *since = now;
        return;
    }
    if (rt__rt.opt.quiesce_bound_ns != 0 &&
        (uint64_t)(now - *since) > rt__rt.opt.quiesce_bound_ns)
        rt__throw(RT_RULE_LIVENESS_SPIN, gp,
                  "%s: waited %lld ns for G %u (%s) to be let go, over the "
                  "bound of %llu ns",
                  what, (long long)(now - *since), rt__goid(gp),
                  rt__gstatusname(rt__load32_noyield(&gp->atomicstatus,
                                                     memory_order_seq_cst)),
                  (unsigned long long)rt__rt.opt.quiesce_bound_ns);
}
void rt__dumpg(FILE *f, rt_g *gp);
void rt__dumpallg(FILE *f);
void rt__dumpps(FILE *f);

/* sched.c */
rt_m *rt__getm(void);
rt_g *rt__allg(uint32_t i);
uint32_t rt__allglen(void);
void rt__ready(rt_g *gp);
void rt__newproc(uint16_t prog, rt_slot arg);
void rt__stoptheworld(void);
void rt__starttheworld(void);
void rt__preemptall(void);
void rt__newslice(rt_g *gp);
void rt__entersyscall(rt_g *gp);
bool rt__exitsyscall(rt_g *gp);
uint32_t rt__fastrand(rt_m *mp);

/*
 * rt__scanowned reports whether the calling M may scan gp's stack or do
 * its GC work, gp's status being s (invariant 1): the world is stopped,
 * or s has the scan bit and this M set it. A stop-the-world that is only
 * requested (gcwaiting) exempts nothing: other Ms still run. Reads only
 * the checkers' own state: no yield point.
 */
static inline bool rt__scanowned(rt_g *gp, uint32_t s)
{
    if (rt__load32_noyield(&rt__rt.sched.stopped, memory_order_acquire))
        return true;
    return rt__isscanstatus(s) &&
           rt__loadp_noyield((void *_Atomic const *)&gp->scanowner,
                             memory_order_relaxed) == rt__getm();
}
/* rt__scanholder returns the id of the M recorded as holding gp's scan
 * bit, or -1 (reports). */
static inline int rt__scanholder(rt_g *gp)
{
    rt_m *mp = rt__loadp_noyield((void *_Atomic const *)&gp->scanowner,
                                 memory_order_relaxed);

    return mp != NULL ? (int)mp->id : -1;
}

/* stack.c */
bool rt__morestack(rt_g *gp, uint32_t need);
bool rt__preemptcheck(rt_g *gp);
void rt__mlock(rt_mutex *l);
void rt__munlock(rt_mutex *l, rt_g *gp);
void rt__shrinkstack(rt_g *gp);
void rt__stackinit(rt_g *gp, uint32_t frame);
/* The stack.content oracle (stack.c): rt__slotset records that the
 * program wrote v into slot i of gp's stack (and writes it);
 * rt__slotget reads slot i and throws stack.content if it no longer
 * holds what was recorded; rt__stackcheck checks every slot in use. */
void rt__slotset(rt_g *gp, uint32_t i, rt_slot v);
rt_slot rt__slotget(rt_g *gp, uint32_t i, const char *what);
void rt__stackcheck(rt_g *gp, const char *what);

/* vm.c */
rt_switch rt__vmrun(rt_g *gp);
/* CALL's and RET's frame work, for the stack workbench (wb_stack.c). */
bool rt__vmcall(rt_g *gp, uint32_t n);
void rt__vmret(rt_g *gp);

/* heap.c */
int rt__heapinit(uint32_t cap);
void rt__heapfree(void);
rt_slot rt__alloc(rt_g *gp, rt_p *p);
rt_obj *rt__deref(rt_g *gp, rt_slot s, const char *op);
void rt__shade(rt_slot s);
void rt__writebarrier(rt_slot old, rt_slot new_);
void rt__drain(void);
uint32_t rt__sweep(void);

/* gc.c: the collector, quiesce and mark termination */
/* What a GC op does next (rt__gc). */
typedef enum rt_gcop {
    RT_GCOP_DONE,    /* the op is over: wait for cycle gp->gcwait to end */
    RT_GCOP_QUIESCE, /* the op started a cycle: switch to quiesce */
    RT_GCOP_RETRY,   /* a cycle that began before the op is running: wait
                        for it (gp->gcwait), then run the op again */
} rt_gcop;
rt_gcop rt__gc(rt_g *gp);
void rt__gcwaited(rt_g *gp);
/* Test-only: maps the allgs length a quiesce pass read to the one it
 * uses, so a test can play S11's shape (a length read once before the
 * passes). NULL in every shipped run. */
extern uint32_t (*rt__test_quiesce_len)(uint32_t n);
void rt__scanstack(rt_g *gp);
void rt__mquiesce(rt_g *master);
bool rt__gcwaitpark(rt_g *gp);
void rt__quiesce(rt_g *master);
void rt__markroot(void);
void rt__gcmarktermination(void);

#endif /* RT_RUNTIME_H */
