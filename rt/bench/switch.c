/*
 * switch.c - benchmarks of the sim backend: the raw context switch
 * against swapcontext and a mutex/condvar baton between two threads (the
 * comparison DESIGN.md section 3 quotes), and the yield points per second
 * of a whole sim run. Only this file reads a real clock; os_sim.c never
 * does (the determinism contract).
 *
 * The numbers mean something only in an optimized build without
 * sanitizers; under TSan the raw switches would confuse TSan's view of the
 * stacks, so rtbench_switch refuses to run there.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>

#include "arch/switch.h"
#include "os/os.h"
#include "os/sanitizer.h"
#include "rt.h"
#include "rtbench.h"
#include "runtime.h"

enum {
    /* Stack of the benchmark's fibers: they call nothing deep. */
    BENCH_STACK = 64 * 1024,
    /* swapcontext makes a system call per switch (sigprocmask) and the
       baton two futex calls and a wakeup: run them this many times fewer
       rounds than the raw switch, so that all three take similar time. */
    UCTX_DIV = 64,
    BATON_DIV = 1024,
    /* Fewest rounds of any mechanism, so that a small iters still gives a
       stable figure. */
    MIN_ROUNDS = 1000,
    /* rtbench_sim_steps: fibers and loop iterations per fiber. */
    STEP_FIBERS = 4,
    STEP_ITERS = 100000,
};

/* Targets from DESIGN.md section 3 (about 9 ns, 1 us and 7 us there). */
#define TARGET_SIM_NS 10.0
#define TARGET_UCTX_RATIO 100.0
#define TARGET_BATON_RATIO 500.0

/* now_ns reads CLOCK_MONOTONIC. */
static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* (a) The raw switch: the caller and one fiber hand the CPU back and
   forth; each round is two switches. */
static void *raw_host, *raw_fib;

static void raw_fn(void *arg)
{
    (void)arg;
    for (;;)
        rt__ctx_switch(&raw_fib, raw_host);
}

/* bench_raw returns ns per switch, or a negative value if no stack. */
static double bench_raw(uint64_t rounds)
{
    void *stk = mmap(NULL, BENCH_STACK, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    double t0, t1;
    uint64_t i;

    if (stk == MAP_FAILED)
        return -1;
    raw_fib = rt__ctx_make((char *)stk + BENCH_STACK, raw_fn, NULL);
    rt__ctx_switch(&raw_host, raw_fib); /* warm up: the first entry */
    t0 = now_ns();
    for (i = 0; i < rounds; i++)
        rt__ctx_switch(&raw_host, raw_fib);
    t1 = now_ns();
    /* The fiber is parked inside its loop; dropping its stack is fine. */
    munmap(stk, BENCH_STACK);
    return (t1 - t0) / (2.0 * (double)rounds);
}

/* (b) swapcontext, the same ping-pong. */
static ucontext_t uc_host, uc_fib;

static void uc_fn(void)
{
    for (;;)
        swapcontext(&uc_fib, &uc_host);
}

static double bench_uctx(uint64_t rounds)
{
    void *stk = mmap(NULL, BENCH_STACK, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    double t0, t1;
    uint64_t i;

    if (stk == MAP_FAILED)
        return -1;
    if (getcontext(&uc_fib) != 0) {
        munmap(stk, BENCH_STACK);
        return -1;
    }
    uc_fib.uc_stack.ss_sp = stk;
    uc_fib.uc_stack.ss_size = BENCH_STACK;
    uc_fib.uc_link = NULL;
    makecontext(&uc_fib, uc_fn, 0);
    swapcontext(&uc_host, &uc_fib);
    t0 = now_ns();
    for (i = 0; i < rounds; i++)
        swapcontext(&uc_host, &uc_fib);
    t1 = now_ns();
    munmap(stk, BENCH_STACK);
    return (t1 - t0) / (2.0 * (double)rounds);
}

/* (c) A baton passed between two threads with a mutex and a condition
   variable: each pass is one switch from one thread to the other. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int turn;        /* 0: the main thread's turn, 1: the other's */
    uint64_t rounds; /* passes each way */
} baton = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

/* pass waits for my turn, then hands the baton to the other thread. */
static void pass(int me)
{
    pthread_mutex_lock(&baton.mu);
    while (baton.turn != me)
        pthread_cond_wait(&baton.cv, &baton.mu);
    baton.turn = 1 - me;
    pthread_cond_signal(&baton.cv);
    pthread_mutex_unlock(&baton.mu);
}

static void *baton_fn(void *arg)
{
    uint64_t i;

    (void)arg;
    for (i = 0; i < baton.rounds; i++)
        pass(1);
    return NULL;
}

static double bench_baton(uint64_t rounds)
{
    pthread_t t;
    double t0, t1;
    uint64_t i;

    baton.turn = 0;
    baton.rounds = rounds;
    if (pthread_create(&t, NULL, baton_fn, NULL) != 0)
        return -1;
    t0 = now_ns();
    for (i = 0; i < rounds; i++)
        pass(0);
    pthread_join(t, NULL);
    t1 = now_ns();
    return (t1 - t0) / (2.0 * (double)rounds);
}

/* atleast returns n, or MIN_ROUNDS if n is smaller. */
static uint64_t atleast(uint64_t n)
{
    return n < MIN_ROUNDS ? MIN_ROUNDS : n;
}

/*
 * rtbench_switch measures, in one run, (a) the sim's context switch,
 * (b) swapcontext and (c) a mutex/condvar baton between two threads, and
 * prints a Markdown table of ns per switch with the ratios to (a), then
 * the targets and whether each is met. iters is the number of round trips
 * of (a); (b) and (c) run proportionally fewer. Returns 0, or RT_EINVAL
 * under TSan, RT_ENOMEM when a stack or thread cannot be made.
 */
int rtbench_switch(FILE *out, uint64_t iters)
{
    double sim, uctx, bat;

#ifdef RT_TSAN
    (void)iters;
    fprintf(out, "bench: the switch benchmark does not run under TSan\n");
    return RT_EINVAL;
#endif
    iters = atleast(iters);
    sim = bench_raw(iters);
    uctx = bench_uctx(atleast(iters / UCTX_DIV));
    bat = bench_baton(atleast(iters / BATON_DIV));
    if (sim <= 0 || uctx <= 0 || bat <= 0)
        return RT_ENOMEM;
    fprintf(out, "| mechanism | ns per switch | ratio vs sim |\n");
    fprintf(out, "|---|---:|---:|\n");
    fprintf(out, "| sim (rt__ctx_switch) | %.2f | 1 |\n", sim);
    fprintf(out, "| ucontext swapcontext | %.1f | %.0f |\n", uctx, uctx / sim);
    fprintf(out, "| pthread mutex/condvar baton | %.0f | %.0f |\n", bat,
            bat / sim);
    fprintf(out, "\n| target | measured | met |\n|---|---:|---|\n");
    fprintf(out, "| sim <= %.0f ns per switch | %.2f ns | %s |\n",
            TARGET_SIM_NS, sim, sim <= TARGET_SIM_NS ? "yes" : "NO");
    fprintf(out, "| sim >= %.0fx faster than swapcontext | %.0fx | %s |\n",
            TARGET_UCTX_RATIO, uctx / sim,
            uctx / sim >= TARGET_UCTX_RATIO ? "yes" : "NO");
    fprintf(out, "| sim >= %.0fx faster than the baton | %.0fx | %s |\n",
            TARGET_BATON_RATIO, bat / sim,
            bat / sim >= TARGET_BATON_RATIO ? "yes" : "NO");
    return 0;
}

/* The sim workload: locks, atomics, spin hints and timed note waits. */
static struct {
    rt_mutex mu;
    _Atomic uint32_t a;
    rt_note never; /* never woken: notetsleep times out */
    uint64_t n;    /* guarded by mu */
} W;

static void step_fn(void *arg)
{
    int i;

    (void)arg;
    for (i = 0; i < STEP_ITERS; i++) {
        rt__lock(&W.mu);
        W.n++;
        rt__unlock(&W.mu);
        rt__xadd32(&W.a, 1);
        if (rt__load32(&W.a, memory_order_seq_cst) % 32 == 0)
            rt__notetsleep(&W.never, 1000);
        else if (i % 8 == 0)
            rt__osyield();
    }
}

static void step_main(void *arg)
{
    rt_thread *t[STEP_FIBERS];
    int i;

    for (i = 1; i < STEP_FIBERS; i++)
        t[i] = rt__thread_start(step_fn, arg);
    step_fn(arg);
    for (i = 1; i < STEP_FIBERS; i++)
        if (t[i] != NULL)
            rt__thread_join(t[i]);
}

/*
 * rtbench_sim_steps runs STEP_FIBERS fibers doing locks, atomics, spin
 * hints and timed note waits under RT_SIM_RANDOM and prints the yield
 * points per second of the whole sim (switch, source and bookkeeping) as
 * a Markdown table row. Returns 0, or the rt__os_run error.
 */
int rtbench_sim_steps(FILE *out)
{
    rt_sim_source src;
    double t0, t1;
    int rc;

    memset(&src, 0, sizeof src);
    memset(&W, 0, sizeof W);
    src.kind = RT_SIM_RANDOM;
    src.seed = 1;
    t0 = now_ns();
    rc = rt__os_run(RT_BACKEND_SIM, &src, step_main, NULL);
    t1 = now_ns();
    if (rc != 0)
        return rc;
    fprintf(out, "| workload | yield points | seconds | yield points/s |\n");
    fprintf(out, "|---|---:|---:|---:|\n");
    fprintf(out,
            "| sim micro (%d fibers, locks/atomics/notes, RANDOM) "
            "| %llu | %.3f | %.3g |\n",
            STEP_FIBERS, (unsigned long long)rt__sim_steps(), (t1 - t0) / 1e9,
            (double)rt__sim_steps() / ((t1 - t0) / 1e9));
    return 0;
}

/* rtbench_sizes reports what a goroutine costs at least (rtbench.h). */
rtbench_gsize rtbench_sizes(void)
{
    rtbench_gsize s = {sizeof(rt_g), RT_STACK_MIN, sizeof(rt_slot)};

    return s;
}
