/*
 * os.h - rt's platform layer: atomics, locks, notes, threads, time, system
 * calls, spin hints, and the allocator's and sanitizers' interfaces. No
 * other rt file calls pthreads, futexes, clocks, sanitizer interfaces or
 * <stdatomic.h> operations directly (ci/check-seam enforces it);
 * everything shared between Ms goes through here, so that one runtime runs
 * on two backends:
 *
 *   threads  (os_threads.c)  real pthreads, real atomics, real blocking.
 *   sim      (os_sim.c)      every M is a fiber on the calling OS thread;
 *                            every operation below is a yield point where
 *                            the schedule source may switch to another M,
 *                            except the explicitly named _noyield family
 *                            and what says otherwise; time is virtual.
 *
 * The backend is chosen per run (rt__os_run). Every inline helper below
 * tests rt__sim_on once; when it is false the cost is one predictable
 * branch on a global that never changes during a run.
 */
#ifndef RT_OS_H
#define RT_OS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kinds of yield point, reported to the sim's schedule source. */
typedef enum rt_yp {
    RT_YP_ATOMIC = 0, /* an atomic load, store, CAS or add */
    RT_YP_LOCK,       /* lock or unlock */
    RT_YP_NOTE,       /* note sleep, wakeup or clear */
    RT_YP_SPIN,       /* a spin hint: procyield, osyield, usleep */
    RT_YP_OP,         /* the boundary between two VM instructions */
    RT_YP_SYSCALL,    /* entering a blocking system call */
    RT_YP_SCAN,       /* a stack slot scanned (scanstack) */
    RT_YP__COUNT
} rt_yp;

/* True while a sim run is in progress; set before any M starts. */
extern bool rt__sim_on;

/* rt__sim_yield is the sim's yield point: it may switch to another M. */
void rt__sim_yield(rt_yp kind);

#define RT__YP(kind)                                                           \
    do {                                                                       \
        if (__builtin_expect(rt__sim_on, 0))                                   \
            rt__sim_yield(kind);                                               \
    } while (0)

/*
 * Atomics. Every call names its memory order; a caller using anything
 * weaker than seq_cst says in a comment what the order pairs with.
 */
static inline uint32_t rt__load32(const _Atomic uint32_t *p, memory_order mo)
{
    RT__YP(RT_YP_ATOMIC);
    return atomic_load_explicit(p, mo);
}

static inline void rt__store32(_Atomic uint32_t *p, uint32_t v, memory_order mo)
{
    RT__YP(RT_YP_ATOMIC);
    atomic_store_explicit(p, v, mo);
}

/* rt__cas32 is a strong compare-and-swap, seq_cst on both outcomes. */
static inline bool rt__cas32(_Atomic uint32_t *p, uint32_t old, uint32_t new_)
{
    RT__YP(RT_YP_ATOMIC);
    return atomic_compare_exchange_strong(p, &old, new_);
}

static inline uint32_t rt__xadd32(_Atomic uint32_t *p, int32_t d)
{
    RT__YP(RT_YP_ATOMIC);
    return atomic_fetch_add(p, (uint32_t)d) + (uint32_t)d;
}

static inline uint32_t rt__xchg32(_Atomic uint32_t *p, uint32_t v)
{
    RT__YP(RT_YP_ATOMIC);
    return atomic_exchange(p, v);
}

static inline uint64_t rt__load64(const _Atomic uint64_t *p, memory_order mo)
{
    RT__YP(RT_YP_ATOMIC);
    return atomic_load_explicit(p, mo);
}

static inline void rt__store64(_Atomic uint64_t *p, uint64_t v, memory_order mo)
{
    RT__YP(RT_YP_ATOMIC);
    atomic_store_explicit(p, v, mo);
}

static inline bool rt__cas64(_Atomic uint64_t *p, uint64_t old, uint64_t new_)
{
    RT__YP(RT_YP_ATOMIC);
    return atomic_compare_exchange_strong(p, &old, new_);
}

static inline uint64_t rt__xadd64(_Atomic uint64_t *p, int64_t d)
{
    RT__YP(RT_YP_ATOMIC);
    return atomic_fetch_add(p, (uint64_t)d) + (uint64_t)d;
}

static inline void *rt__loadp(void *_Atomic const *p, memory_order mo)
{
    RT__YP(RT_YP_ATOMIC);
    return atomic_load_explicit((void *_Atomic *)p, mo);
}

static inline void rt__storep(void *_Atomic *p, void *v, memory_order mo)
{
    RT__YP(RT_YP_ATOMIC);
    atomic_store_explicit(p, v, mo);
}

static inline bool rt__casp(void *_Atomic *p, void *old, void *new_)
{
    RT__YP(RT_YP_ATOMIC);
    return atomic_compare_exchange_strong(p, &old, new_);
}

/*
 * The non-yielding family: the same atomics, but NOT schedule points in
 * the sim. They are for the observers of the protocol, not its actors:
 * checkers (which must not perturb the schedule they judge), statistics,
 * the trace and reports, and the lock-held assertion. A runtime path
 * whose interleaving matters uses the yielding functions above; changing
 * one into the other changes every sim schedule (and trace hash) after
 * it. The suffix makes the choice visible at the call site.
 */
static inline uint8_t rt__load8_noyield(const _Atomic uint8_t *p,
                                        memory_order mo)
{
    return atomic_load_explicit(p, mo);
}

static inline void rt__store8_noyield(_Atomic uint8_t *p, uint8_t v,
                                      memory_order mo)
{
    atomic_store_explicit(p, v, mo);
}

static inline uint32_t rt__load32_noyield(const _Atomic uint32_t *p,
                                          memory_order mo)
{
    return atomic_load_explicit(p, mo);
}

static inline void rt__store32_noyield(_Atomic uint32_t *p, uint32_t v,
                                       memory_order mo)
{
    atomic_store_explicit(p, v, mo);
}

/* rt__xchg32_noyield is a seq_cst exchange; returns the old value. */
static inline uint32_t rt__xchg32_noyield(_Atomic uint32_t *p, uint32_t v)
{
    return atomic_exchange(p, v);
}

static inline uint64_t rt__load64_noyield(const _Atomic uint64_t *p,
                                          memory_order mo)
{
    return atomic_load_explicit(p, mo);
}

static inline void rt__store64_noyield(_Atomic uint64_t *p, uint64_t v,
                                       memory_order mo)
{
    atomic_store_explicit(p, v, mo);
}

/* rt__xadd64_noyield adds d and returns the new value, as rt__xadd64. */
static inline uint64_t rt__xadd64_noyield(_Atomic uint64_t *p, int64_t d,
                                          memory_order mo)
{
    return atomic_fetch_add_explicit(p, (uint64_t)d, mo) + (uint64_t)d;
}

static inline void *rt__loadp_noyield(void *_Atomic const *p, memory_order mo)
{
    return atomic_load_explicit((void *_Atomic *)p, mo);
}

static inline void rt__storep_noyield(void *_Atomic *p, void *v,
                                      memory_order mo)
{
    atomic_store_explicit(p, v, mo);
}

/*
 * Statistics counters: relaxed adds with no yield point (of the family
 * above). They order nothing and are read only after every M has
 * stopped.
 */
static inline void rt__statadd(_Atomic uint64_t *p, uint64_t d)
{
    atomic_fetch_add_explicit(p, d, memory_order_relaxed);
}

/*
 * A runtime lock (Go's Mutex). key: 0 unlocked, 1 locked, 2 locked with
 * sleepers (threads backend: a futex word). owner: who holds it, for
 * rt__lockheld only (0: nobody; else the holder's identity: its sim fiber,
 * or its thread), written by the holder right after it takes the lock and
 * cleared right before it lets go; relaxed, since only the holder ever
 * compares it with itself. Zero-initialized is unlocked.
 */
typedef struct rt_mutex {
    _Atomic uint32_t key;
    _Atomic uintptr_t owner;
} rt_mutex;

void rt__lock(rt_mutex *l);
void rt__unlock(rt_mutex *l);

/*
 * rt__lockheld reports whether the calling M holds l (SQLite's
 * mutex_held). Not a yield point in the sim: asserting a lock never moves
 * the schedule. Use it through RT__ASSERT_HELD (runtime.h).
 */
bool rt__lockheld(rt_mutex *l);

/*
 * A note (Go's Note): a one-shot event. noteclear resets it; notewakeup
 * may be called once per clear; notesleep waits for the wakeup;
 * notetsleep waits at most ns nanoseconds (ns < 0: forever) and returns
 * whether the note was woken. Zero-initialized is cleared.
 */
typedef struct rt_note {
    _Atomic uint32_t key;
} rt_note;

void rt__noteclear(rt_note *n);
void rt__notewakeup(rt_note *n);
void rt__notesleep(rt_note *n);
bool rt__notetsleep(rt_note *n, int64_t ns);

/*
 * Threads. rt__thread_start starts fn(arg) on a new M (an OS thread, or a
 * fiber in sim) and returns a handle, or NULL when it cannot. Each thread
 * has one TLS word (the runtime keeps its M there).
 */
typedef struct rt_thread rt_thread;

rt_thread *rt__thread_start(void (*fn)(void *), void *arg);
void rt__thread_join(rt_thread *t);
void *rt__tls_get(void);
void rt__tls_set(void *v);

/* Time: monotonic nanoseconds (virtual in sim). */
int64_t rt__nanotime(void);
void rt__usleep(uint32_t us);

/* Spin hints: procyield spins n pause instructions; osyield yields. */
void rt__procyield(uint32_t n);
void rt__osyield(void);

/* rt__syscall_block blocks the calling M for ns nanoseconds, as a system
 * call would (a real nanosleep in threads; virtual time in sim). */
void rt__syscall_block(int64_t ns);

/*
 * The allocator and the sanitizers, behind the seam; none of these is a
 * yield point.
 *
 * rt__os_heapbytes returns the bytes the C allocator has handed out and
 * not taken back (glibc's in-use bytes, mallinfo2). A sanitizer's
 * allocator bypasses it: then the count does not move.
 *
 * rt__os_poison marks n bytes at p unusable: under ASan any access to
 * them is reported; rt__os_unpoison makes them usable again. Without ASan
 * both do nothing (the heap's generation check still catches a stale
 * reference).
 */
size_t rt__os_heapbytes(void);
void rt__os_poison(const volatile void *p, size_t n);
void rt__os_unpoison(const volatile void *p, size_t n);

/*
 * rt__os_run runs mainfn(arg) as the first M on the chosen backend and
 * returns when it has returned and every thread it started has been joined
 * (threads), or when every fiber has finished (sim). For sim, src is the
 * schedule source. Returns 0, or a negative RT_E* code.
 *
 * In sim, if every fiber is blocked and no timer is pending, the backend
 * calls rt__os_deadlock() (provided by the runtime), which throws.
 */
struct rt_sim_source;
int rt__os_run(int backend, const struct rt_sim_source *src,
               void (*mainfn)(void *), void *arg);
_Noreturn void rt__os_deadlock(void);
/* Sim only: a run took more yield points than its budget (the runtime
 * provides it; it throws). */
_Noreturn void rt__os_budget_exhausted(uint64_t steps);

/* rt__os_curid returns a small stable id of the calling M (0 for the
 * first), for traces; in threads it is assigned in start order. */
uint32_t rt__os_curid(void);

/* Sim only: called at every switch from M `from` to M `to`, before it
 * happens (the runtime's trace records it). NULL: nothing. */
extern void (*rt__sim_switch_hook)(uint32_t from, uint32_t to);

/* Sim only: stop switching for good (a violation report is printing);
 * yield points become no-ops and a blocking call aborts. */
void rt__sim_halt(void);

/* Sim only: the number of yield points taken so far (0 in threads). */
uint64_t rt__sim_steps(void);

#endif /* RT_OS_H */
