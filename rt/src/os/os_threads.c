/*
 * os_threads.c - the threads backend of the platform layer: pthreads,
 * futexes and the monotonic clock.
 *
 * Locks and notes are Go's lock_futex.c: a 32-bit key, changed with
 * atomics that TSan understands, and a futex to sleep on when contended.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "os/os_threads.h"
#include "rt.h"

/* Lock states; see rt_mutex in os.h. */
enum { MUTEX_UNLOCKED = 0, MUTEX_LOCKED = 1, MUTEX_SLEEPING = 2 };

/* Spins before a contended lock sleeps: Go's active_spin (4 rounds of 30
 * pause instructions) then one passive osyield round. */
enum { ACTIVE_SPIN = 4, ACTIVE_SPIN_CNT = 30, PASSIVE_SPIN = 1 };

struct rt_thread {
    pthread_t tid;
    void (*fn)(void *);
    void *arg;
    uint32_t id;
};

static _Thread_local void *tls_word;
static _Thread_local uint32_t tls_id;
static _Atomic uint32_t next_id;

/* futexsleep blocks while *addr == val, for at most ns (ns < 0: forever).
 * Spurious wakeups are allowed; callers re-check. */
static void futexsleep(_Atomic uint32_t *addr, uint32_t val, int64_t ns)
{
    struct timespec ts, *tsp = NULL;

    if (ns >= 0) {
        ts.tv_sec = ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        tsp = &ts;
    }
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val, tsp, NULL, 0);
}

/* futexwakeup wakes at most cnt threads sleeping on addr. */
static void futexwakeup(_Atomic uint32_t *addr, int cnt)
{
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, cnt, NULL, NULL,
            0);
}

/* acquire takes l, spinning briefly and then sleeping on the futex. The
 * exchange is seq_cst; it pairs with the unlock's exchange. */
static void acquire(rt_mutex *l)
{
    uint32_t v, wait;
    int i;

    v = atomic_exchange(&l->key, MUTEX_LOCKED);
    if (v == MUTEX_UNLOCKED)
        return;
    /* We may have overwritten SLEEPING with LOCKED; remember to put
     * SLEEPING back so that the unlocker wakes the sleepers. */
    wait = v;
    for (;;) {
        for (i = 0; i < ACTIVE_SPIN; i++) {
            while (atomic_load_explicit(&l->key, memory_order_relaxed) ==
                   MUTEX_UNLOCKED) {
                uint32_t old = MUTEX_UNLOCKED;
                if (atomic_compare_exchange_strong(&l->key, &old, wait))
                    return;
            }
            rt__thr_procyield(ACTIVE_SPIN_CNT);
        }
        for (i = 0; i < PASSIVE_SPIN; i++) {
            while (atomic_load_explicit(&l->key, memory_order_relaxed) ==
                   MUTEX_UNLOCKED) {
                uint32_t old = MUTEX_UNLOCKED;
                if (atomic_compare_exchange_strong(&l->key, &old, wait))
                    return;
            }
            sched_yield();
        }
        v = atomic_exchange(&l->key, MUTEX_SLEEPING);
        if (v == MUTEX_UNLOCKED)
            return;
        wait = MUTEX_SLEEPING;
        futexsleep(&l->key, MUTEX_SLEEPING, -1);
    }
}

/* self is the calling thread's identity in rt_mutex.owner: the address
 * of one of its thread-locals, distinct among live threads and never 0. */
static uintptr_t self(void)
{
    return (uintptr_t)&tls_id;
}

/* rt__thr_lock acquires l and records the calling thread as its owner. */
void rt__thr_lock(rt_mutex *l)
{
    acquire(l);
    atomic_store_explicit(&l->owner, self(), memory_order_relaxed);
}

/* rt__thr_unlock releases l and wakes one sleeper if there may be any. */
void rt__thr_unlock(rt_mutex *l)
{
    uint32_t v;

    atomic_store_explicit(&l->owner, 0, memory_order_relaxed);
    v = atomic_exchange(&l->key, MUTEX_UNLOCKED);

    if (v == MUTEX_UNLOCKED)
        abort(); /* unlock of an unlocked lock: a runtime bug */
    if (v == MUTEX_SLEEPING)
        futexwakeup(&l->key, 1);
}

/* rt__thr_lockheld reports whether the calling thread holds l. Relaxed:
 * only our own writes can make owner equal self(), and we see those in
 * program order; another thread's writes never do. */
bool rt__thr_lockheld(rt_mutex *l)
{
    return atomic_load_explicit(&l->owner, memory_order_relaxed) == self();
}

/* rt__thr_noteclear resets n; no sleeper or waker may be active. */
void rt__thr_noteclear(rt_note *n)
{
    atomic_store(&n->key, 0);
}

/* rt__thr_notewakeup wakes every sleeper of n; once per clear. */
void rt__thr_notewakeup(rt_note *n)
{
    uint32_t old = atomic_exchange(&n->key, 1);

    if (old != 0)
        abort(); /* notewakeup - double wakeup */
    futexwakeup(&n->key, INT_MAX);
}

/* rt__thr_notesleep waits until n is woken. */
void rt__thr_notesleep(rt_note *n)
{
    while (atomic_load(&n->key) == 0)
        futexsleep(&n->key, 0, -1);
}

/* rt__thr_notetsleep waits at most ns for n; returns whether it woke. */
bool rt__thr_notetsleep(rt_note *n, int64_t ns)
{
    int64_t deadline, now;

    if (ns < 0) {
        rt__thr_notesleep(n);
        return true;
    }
    deadline = rt__thr_nanotime() + ns;
    while (atomic_load(&n->key) == 0) {
        now = rt__thr_nanotime();
        if (now >= deadline)
            return false;
        futexsleep(&n->key, 0, deadline - now);
    }
    return true;
}

/* tramp is the pthread start routine: it sets up the TLS id, then runs
 * the M's function. */
static void *tramp(void *p)
{
    rt_thread *t = p;

    tls_id = t->id;
    t->fn(t->arg);
    return NULL;
}

/* rt__thr_thread_start starts fn(arg) on a new pthread with a small
 * stack: Ms run the scheduler and the VM interpreter, never user code. */
rt_thread *rt__thr_thread_start(void (*fn)(void *), void *arg)
{
    enum { STACK_BYTES = 256 * 1024 }; /* deep enough for sanitizers */
    pthread_attr_t attr;
    rt_thread *t = calloc(1, sizeof *t);

    if (t == NULL)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    t->id = atomic_fetch_add(&next_id, 1);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, STACK_BYTES);
    if (pthread_create(&t->tid, &attr, tramp, t) != 0) {
        pthread_attr_destroy(&attr);
        free(t);
        return NULL;
    }
    pthread_attr_destroy(&attr);
    return t;
}

/* rt__thr_thread_join waits for t to finish and frees it. */
void rt__thr_thread_join(rt_thread *t)
{
    pthread_join(t->tid, NULL);
    free(t);
}

void *rt__thr_tls_get(void)
{
    return tls_word;
}

void rt__thr_tls_set(void *v)
{
    tls_word = v;
}

/* rt__thr_nanotime returns CLOCK_MONOTONIC in nanoseconds. */
int64_t rt__thr_nanotime(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void rt__thr_usleep(uint32_t us)
{
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* rt__thr_procyield spins n pause instructions: the CPU's spin-wait
 * hint, which frees pipeline resources for the other hyperthread. */
void rt__thr_procyield(uint32_t n)
{
    while (n-- > 0) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ volatile("yield");
#endif
    }
}

void rt__thr_osyield(void)
{
    sched_yield();
}

/* rt__thr_syscall_block really blocks the thread in the kernel for ns. */
void rt__thr_syscall_block(int64_t ns)
{
    struct timespec ts = {ns / 1000000000, ns % 1000000000};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

uint32_t rt__thr_curid(void)
{
    return tls_id;
}

/* rt__thr_run runs mainfn on the calling thread (M0); mainfn itself
 * joins the threads it started before it returns. */
int rt__thr_run(void (*mainfn)(void *), void *arg)
{
    atomic_store(&next_id, 1);
    tls_id = 0;
    tls_word = NULL;
    mainfn(arg);
    return RT_OK;
}
