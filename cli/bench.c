/*
 * bench.c - `gstorm bench`: measured numbers for rt, printed as Markdown
 * tables. It is a command, not a test: it prints what it measured and
 * whether each target is met, and fails only when a run fails.
 *
 *   quiesce  cost of one quiesce pass per goroutine, 1k to 100k parked Gs
 *   vm       VM instructions per second on 1 and 2 Ps
 *   mem      bytes malloc'd per goroutine (G, stack, allgs entry)
 *   switch   the sim's context switch vs swapcontext vs a thread baton
 *            (rt/bench/switch.c)
 *
 * Every scenario is built here in memory, so the benchmark needs no files
 * and its shape is fixed by the code below.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "harness.h"
#include "rtbench.h"

/* Sanitizers, as GCC (__SANITIZE_*__) and clang (__has_feature) say. */
#if defined(__SANITIZE_ADDRESS__)
#define BENCH_ASAN 1
#elif defined(__SANITIZE_THREAD__)
#define BENCH_TSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_ASAN 1
#elif __has_feature(thread_sanitizer)
#define BENCH_TSAN 1
#endif
#endif
#ifndef BENCH_ASAN
#define BENCH_ASAN 0
#endif
#ifndef BENCH_TSAN
#define BENCH_TSAN 0
#endif

enum {
    /* Runs per measured size; the median is reported, so that one run
     * disturbed by the machine does not move the figure. */
    REPS = 3,
    REPS_QUICK = 1,
    /* A quiesce pass over 1k Gs takes well under a millisecond, so a
     * size gets at least REPS_GS / n runs (made odd, at most MAX_REPS):
     * about as many Gs measured for a small size as for a large one. */
    REPS_GS = 10000,
    MAX_REPS = 11,
    /* Threads backend shape of every run: 2 Ps (the default scenario's)
     * and spare Ms for Ps handed off while an M blocks. */
    BENCH_PROCS = 2,
    BENCH_THREADS = 4,
    /* The quiesce scenario allocates nothing: the parser's minimum heap
     * keeps mark termination's sweep out of the picture. */
    QUIESCE_HEAP = 16,
    /* Goroutines one helper program spawns, counts or releases: one
     * instruction each, and a helper may need one more (WAKE 1). */
    PER_HELPER = 1000,
    /* Semaphores of the quiesce scenario (see buildquiesce). */
    SEMA_RELEASE = 0, /* blockers park here until the releasers run */
    SEMA_DONE = 1,    /* a counter saw all of its blockers arrive */
    SEMA_ARRIVED = 2, /* a blocker is about to park */
    /* The VM scenario: each started G spawns this many workers: 10240
     * Gs of ~1000 ops, long enough (~0.1 s) that starting the Ms is
     * noise. */
    VM_STARTERS = RT_MAX_START,
    VM_FANOUT = 39,
    VM_FANOUT_QUICK = 3,
    VM_FRAME = 4,  /* base frame: slots 0..3 are used by vmbody */
    VM_BLOCK = 12, /* instructions in vmbody's block, one of them a NEW */
    /* The heap of the VM scenario: larger than the NEWs it makes (one
     * per VM_BLOCK ops of vmbody: ~870k for 10240 Gs), so no NEW fails and
     * each one takes the allocation path; the parser's maximum. */
    VM_HEAP = 1 << 20,
    /* Round trips of the raw switch benchmark; it scales the others. */
    SWITCH_ITERS = 10 * 1000 * 1000,
    SWITCH_ITERS_QUICK = 1000 * 1000,
};
_Static_assert(REPS <= MAX_REPS, "median arrays hold REPS");
_Static_assert(PER_HELPER + 1 <= RT_MAX_INSTRS, "a helper fits a program");
_Static_assert(VM_FANOUT + 1 < RT_MAX_INSTRS, "starters have room left");
_Static_assert((uint64_t)VM_STARTERS *(VM_FANOUT + 1) * RT_MAX_INSTRS /
                       VM_BLOCK <
                   VM_HEAP,
               "every NEW of the VM scenario finds a free object");

/* The quiesce pass should cost at most this per goroutine. */
#define TARGET_QUIESCE_NS 200.0
/* Memory per goroutine should be at most this, plus its stack. */
#define TARGET_G_BYTES 1024.0

/* Sizes (goroutines parked) of the quiesce and memory benchmarks. The
 * first is the base of the linearity ratios. */
static const uint32_t sizes[] = {1000, 10000, 100000};
static const uint32_t sizes_quick[] = {1000, 10000};

/* A benchmark run's settings, from the command line. */
typedef struct benchcfg {
    bool quick;
    const uint32_t *sizes;
    size_t nsizes;
    int reps;
} benchcfg;

/* benchusage prints the subcommand's usage to f. */
static void benchusage(FILE *f)
{
    fprintf(f,
            "usage: gstorm bench [quiesce|vm|mem|switch|pause|all] [--quick]\n"
            "                    [--fault ID[,ID...]]\n\n"
            "Measures rt and prints Markdown tables (default: all):\n"
            "  quiesce  ns per G of one quiesce pass, 1k/10k/100k parked Gs\n"
            "  vm       VM ops per second on 1 and 2 Ps\n"
            "  mem      bytes malloc'd per G, with and without its stack\n"
            "  switch   sim context switch vs swapcontext vs thread baton\n"
            "  pause    collector pauses (stw, quiesce, conc), 1k/10k Gs and\n"
            "           a live heap of 100k objects\n"
            "--quick runs smaller sizes and one repetition (CI smoke).\n"
            "--fault (also GSTORM_FAULT) runs every workload with faults on.\n"
            "Numbers mean something only in an optimized build without\n"
            "sanitizers (the release preset).\n"
            "Exit: 0 done, 1 a run failed a check, 2 bad usage, 3 internal "
            "error.\n");
}

/* emit appends one instruction to p; returns false when p is full. */
static bool emit(rt_prog *p, unsigned op, unsigned a, unsigned b, unsigned c)
{
    if (p->nins >= RT_MAX_INSTRS)
        return false;
    p->ins[p->nins++] = (rt_instr){.op = (uint8_t)op,
                                   .a = (uint16_t)a,
                                   .b = (uint16_t)b,
                                   .c = (uint16_t)c};
    return true;
}

/* emitn appends n copies of one instruction to p; false when it is full. */
static bool emitn(rt_prog *p, uint32_t n, unsigned op, unsigned a, unsigned b)
{
    uint32_t i;
    bool ok = true;

    for (i = 0; i < n; i++)
        ok &= emit(p, op, a, b, 0);
    return ok;
}

/* Programs of the quiesce scenario. Each helper kind has a full program
 * (PER_HELPER) and a last one for the remainder. */
enum {
    Q_COLLECTOR,
    Q_BLOCKER,
    Q_SPAWN_FULL,
    Q_SPAWN_LAST,
    Q_COUNT_FULL,
    Q_COUNT_LAST,
    Q_REL_FULL,
    Q_REL_LAST,
    Q_HOLDER,     /* builds a chain of HOLD_OBJS objects, then parks */
    Q_HOLD_SPAWN, /* GO holder, once per holder */
    Q_HOLD_COUNT, /* counts the holders' arrivals */
    Q_HOLD_REL,   /* releases the holders */
    Q_NPROGS
};

enum {
    /* Objects one holder keeps live: NEW 1; STORE 1 0 0; MOV 0 1 each
     * (3 instructions), and its two last instructions, fit a program. */
    HOLD_OBJS = 330,
    /* The pause benchmark's live heap: HOLD_OBJS per holder. */
    PAUSE_OBJS = 100000,
};
_Static_assert(3 * HOLD_OBJS + 2 <= RT_MAX_INSTRS, "a holder fits");

/*
 * buildquiesce fills sc with a scenario in which n goroutines are parked
 * on SEMA_RELEASE while one goroutine runs a collection in gcmode, with a
 * live heap of about objs objects (0: none) kept by holders:
 *
 *   spawner  GO blocker, PER_HELPER times (the last one: the remainder)
 *   blocker  WAKE SEMA_ARRIVED; BLOCK SEMA_RELEASE
 *   counter  BLOCK SEMA_ARRIVED once per blocker of a spawner; WAKE
 *            SEMA_DONE
 *   collector BLOCK SEMA_DONE once per counter; GC; GO releaser for each
 *   releaser WAKE SEMA_RELEASE, PER_HELPER times (or the remainder)
 *   holder   builds a chain of HOLD_OBJS objects rooted in its slot 0,
 *            then arrives and parks as a blocker does (spawned, counted
 *            and released by the holder helpers, like the blockers)
 *
 * So when GC starts every blocker has passed its WAKE SEMA_ARRIVED: it is
 * parked, or (at most one per P) one instruction away from parking, and
 * every BLOCK has its WAKE, so the run ends. Returns false when n needs
 * more started goroutines than a scenario has.
 */
static bool buildquiesce(rt_scenario *sc, uint32_t n, uint32_t gcmode,
                         uint32_t objs)
{
    uint32_t nhelp = (n + PER_HELPER - 1) / PER_HELPER;
    uint32_t last = n - (nhelp - 1) * PER_HELPER, i;
    uint32_t holders = (objs + HOLD_OBJS - 1) / HOLD_OBJS;
    rt_prog *p = sc->progs;
    bool ok = true;

    /* The collector and a spawner and a counter per helper start (two
     * more for the holders). */
    if (n == 0 || 1 + 2 * nhelp + 2 > RT_MAX_START ||
        holders > RT_MAX_INSTRS - 1)
        return false;
    rt_scenario_default(sc);
    sc->nthreads = BENCH_THREADS;
    sc->nprocs = BENCH_PROCS;
    sc->gcmode = gcmode;
    /* Room for the live heap and as much again: no NEW fails. */
    sc->heapcap = holders ? 2 * holders * HOLD_OBJS : QUIESCE_HEAP;
    sc->nprogs = Q_NPROGS;
    for (i = 0; i < Q_NPROGS; i++)
        p[i].frame = 1;
    p[Q_HOLDER].frame = 2;

    ok &= emitn(&p[Q_COLLECTOR], nhelp + (holders > 0), RT_OP_BLOCK, SEMA_DONE,
                0);
    ok &= emit(&p[Q_COLLECTOR], RT_OP_GC, 0, 0, 0);
    ok &= emitn(&p[Q_COLLECTOR], nhelp - 1, RT_OP_GO, Q_REL_FULL, 0);
    ok &= emit(&p[Q_COLLECTOR], RT_OP_GO, Q_REL_LAST, 0, 0);
    if (holders > 0) {
        ok &= emit(&p[Q_COLLECTOR], RT_OP_GO, Q_HOLD_REL, 0, 0);
        for (i = 0; i < HOLD_OBJS; i++) {
            ok &= emit(&p[Q_HOLDER], RT_OP_NEW, 1, 0, 0);
            ok &= emit(&p[Q_HOLDER], RT_OP_STORE, 1, 0, 0); /* new.f0 = head */
            ok &= emit(&p[Q_HOLDER], RT_OP_MOV, 0, 1, 0);   /* head = new */
        }
        ok &= emit(&p[Q_HOLDER], RT_OP_WAKE, SEMA_ARRIVED, 0, 0);
        ok &= emit(&p[Q_HOLDER], RT_OP_BLOCK, SEMA_RELEASE, 0, 0);
        ok &= emitn(&p[Q_HOLD_SPAWN], holders, RT_OP_GO, Q_HOLDER, 0);
        ok &= emitn(&p[Q_HOLD_COUNT], holders, RT_OP_BLOCK, SEMA_ARRIVED, 0);
        ok &= emit(&p[Q_HOLD_COUNT], RT_OP_WAKE, SEMA_DONE, 0, 0);
        ok &= emitn(&p[Q_HOLD_REL], holders, RT_OP_WAKE, SEMA_RELEASE, 0);
    }

    ok &= emit(&p[Q_BLOCKER], RT_OP_WAKE, SEMA_ARRIVED, 0, 0);
    ok &= emit(&p[Q_BLOCKER], RT_OP_BLOCK, SEMA_RELEASE, 0, 0);

    ok &= emitn(&p[Q_SPAWN_FULL], PER_HELPER, RT_OP_GO, Q_BLOCKER, 0);
    ok &= emitn(&p[Q_SPAWN_LAST], last, RT_OP_GO, Q_BLOCKER, 0);

    ok &= emitn(&p[Q_COUNT_FULL], PER_HELPER, RT_OP_BLOCK, SEMA_ARRIVED, 0);
    ok &= emit(&p[Q_COUNT_FULL], RT_OP_WAKE, SEMA_DONE, 0, 0);
    ok &= emitn(&p[Q_COUNT_LAST], last, RT_OP_BLOCK, SEMA_ARRIVED, 0);
    ok &= emit(&p[Q_COUNT_LAST], RT_OP_WAKE, SEMA_DONE, 0, 0);

    ok &= emitn(&p[Q_REL_FULL], PER_HELPER, RT_OP_WAKE, SEMA_RELEASE, 0);
    ok &= emitn(&p[Q_REL_LAST], last, RT_OP_WAKE, SEMA_RELEASE, 0);

    sc->start[sc->nstart++] = Q_COLLECTOR;
    for (i = 0; i < nhelp; i++) {
        sc->start[sc->nstart++] = i + 1 < nhelp ? Q_SPAWN_FULL : Q_SPAWN_LAST;
        sc->start[sc->nstart++] = i + 1 < nhelp ? Q_COUNT_FULL : Q_COUNT_LAST;
    }
    if (holders > 0) {
        sc->start[sc->nstart++] = Q_HOLD_SPAWN;
        sc->start[sc->nstart++] = Q_HOLD_COUNT;
    }
    return ok;
}

/* Programs of the VM scenario. */
enum { V_STARTER, V_WORKER, V_NPROGS };

/*
 * vmbody fills the rest of p with blocks of straight-line work on an
 * object graph rooted in slot 0: allocate, link, load, use, call and
 * return. Every reference it uses is live (slot 0 keeps the root, the
 * root keeps the newest object), so the program is valid with or without
 * a collection.
 */
static void vmbody(rt_prog *p)
{
    static const rt_instr block[] = {
        {.op = RT_OP_NEW, .a = 1},                   /* slot 1 = new */
        {.op = RT_OP_STORE, .a = 0, .b = 0, .c = 1}, /* root.f0 = new */
        {.op = RT_OP_LOAD, .a = 2, .b = 0, .c = 0},  /* slot 2 = root.f0 */
        {.op = RT_OP_USE, .a = 2},
        {.op = RT_OP_STORE, .a = 2, .b = 1, .c = 0}, /* new.f1 = root */
        {.op = RT_OP_MOV, .a = 3, .b = 2},
        {.op = RT_OP_CALL, .a = 3},        /* a frame of 4 slots */
        {.op = RT_OP_MOV, .a = 0, .b = 1}, /* callee slots: integers */
        {.op = RT_OP_RET},
        {.op = RT_OP_LOAD, .a = 1, .b = 3, .c = 1}, /* slot 1 = root */
        {.op = RT_OP_USE, .a = 1},
        {.op = RT_OP_USE, .a = 3},
    };
    size_t i = 0;

    _Static_assert(sizeof block / sizeof block[0] == VM_BLOCK,
                   "VM_BLOCK sizes the VM scenario's heap");
    while (p->nins < RT_MAX_INSTRS) {
        p->ins[p->nins++] = block[i];
        i = (i + 1) % (sizeof block / sizeof block[0]);
    }
}

/* buildvm fills sc with VM_STARTERS starters, each spawning fanout
 * workers; every G runs a full program of straight-line work. */
static void buildvm(rt_scenario *sc, uint32_t nprocs, uint32_t fanout)
{
    uint32_t i;

    rt_scenario_default(sc);
    sc->nthreads = BENCH_THREADS;
    sc->nprocs = nprocs;
    sc->gcmode = RT_GC_CONC;
    sc->heapcap = VM_HEAP;
    sc->nprogs = V_NPROGS;
    sc->progs[V_STARTER].frame = VM_FRAME;
    sc->progs[V_WORKER].frame = VM_FRAME;
    emit(&sc->progs[V_STARTER], RT_OP_NEW, 0, 0, 0);
    emitn(&sc->progs[V_STARTER], fanout, RT_OP_GO, V_WORKER, 0);
    vmbody(&sc->progs[V_STARTER]);
    emit(&sc->progs[V_WORKER], RT_OP_NEW, 0, 0, 0);
    vmbody(&sc->progs[V_WORKER]);
    for (i = 0; i < VM_STARTERS; i++)
        sc->start[sc->nstart++] = V_STARTER;
}

/* The faults of every run (--fault, GSTORM_FAULT): none unless asked. */
static uint64_t benchfaults;

/* runone runs sc on the threads backend with nprocs Ps. Returns
 * GS_EXIT_OK, or GS_EXIT_INTERNAL with a message (a violation exits
 * through the throw hook). */
static int runone(const rt_scenario *sc, uint32_t nprocs, rt_stats *st)
{
    rt_options opt;
    int rc;

    memset(&opt, 0, sizeof opt);
    opt.faults = benchfaults;
    opt.backend = RT_BACKEND_THREADS;
    opt.nprocs = nprocs;
    opt.nthreads = BENCH_THREADS;
    rc = rt_run(sc, &opt, st);
    if (rc != RT_OK) {
        fprintf(stderr, "gstorm bench: rt_run failed (error %d)\n", rc);
        return GS_EXIT_INTERNAL;
    }
    return GS_EXIT_OK;
}

/* cmpdbl orders doubles for qsort. */
static int cmpdbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* median returns the median of v[0..n) (n >= 1), sorting v. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmpdbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A median over the repetitions of one quiesce size and mode. */
typedef struct qresult {
    double ns_per_g; /* quiesce pass ns / max_gs */
    double pass_us;  /* the pass itself */
    int reps;        /* runs it is the median of */
    uint64_t max_gs; /* of the last run (the same in each, give or take a
                        reused G) */
} qresult;

/* quiesceone measures n parked Gs in gcmode, cfg->reps times. */
static int quiesceone(const benchcfg *cfg, rt_scenario *sc, uint32_t n,
                      uint32_t gcmode, qresult *res)
{
    double per[MAX_REPS], us[MAX_REPS];
    int reps = (int)(REPS_GS / n) | 1, i, rc;
    rt_stats st;

    if (reps < cfg->reps)
        reps = cfg->reps;
    if (reps > MAX_REPS)
        reps = MAX_REPS;
    if (!buildquiesce(sc, n, gcmode, 0)) {
        fprintf(stderr, "gstorm bench: %u goroutines do not fit\n", n);
        return GS_EXIT_INTERNAL;
    }
    for (i = 0; i < reps; i++) {
        if ((rc = runone(sc, BENCH_PROCS, &st)) != GS_EXIT_OK)
            return rc;
        if (st.quiesces != 1 || st.max_gs == 0) {
            fprintf(stderr,
                    "gstorm bench: expected one quiesce pass, got %llu\n",
                    (unsigned long long)st.quiesces);
            return GS_EXIT_INTERNAL;
        }
        per[i] = (double)st.quiesce_ns_max / (double)st.max_gs;
        us[i] = (double)st.quiesce_ns_max / 1e3;
        res->max_gs = st.max_gs;
    }
    res->ns_per_g = median(per, reps);
    res->pass_us = median(us, reps);
    res->reps = reps;
    return GS_EXIT_OK;
}

/* benchquiesce prints the quiesce table. */
static int benchquiesce(FILE *out, const benchcfg *cfg, rt_scenario *sc)
{
    qresult q[sizeof sizes / sizeof sizes[0]];
    qresult c[sizeof sizes / sizeof sizes[0]];
    double worst = 0;
    size_t i;
    int rc;

    for (i = 0; i < cfg->nsizes; i++) {
        if ((rc = quiesceone(cfg, sc, cfg->sizes[i], RT_GC_QUIESCE, &q[i])))
            return rc;
        if ((rc = quiesceone(cfg, sc, cfg->sizes[i], RT_GC_CONC, &c[i])))
            return rc;
        if (q[i].ns_per_g > worst)
            worst = q[i].ns_per_g;
    }
    fprintf(out, "### quiesce: cost per goroutine\n\n");
    fprintf(out,
            "| parked Gs | allgs | runs | gc quiesce: pass (us) | ns per G "
            "| ratio vs %uk | gc conc: pass (us) | ns per G "
            "| ratio vs %uk |\n",
            cfg->sizes[0] / 1000, cfg->sizes[0] / 1000);
    fprintf(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (i = 0; i < cfg->nsizes; i++)
        fprintf(out,
                "| %u | %llu | %d | %.0f | %.1f | %.2f | %.0f | %.1f | %.2f "
                "|\n",
                cfg->sizes[i], (unsigned long long)q[i].max_gs, q[i].reps,
                q[i].pass_us, q[i].ns_per_g, q[i].ns_per_g / q[0].ns_per_g,
                c[i].pass_us, c[i].ns_per_g, c[i].ns_per_g / c[0].ns_per_g);
    fprintf(out,
            "\nEach figure is the median of `runs` runs (more for small "
            "sizes, whose pass is short); threads backend, %d Ps, %d Ms. "
            "The time is rt_stats.quiesce_ns of the one quiesce pass "
            "(stop-work-restart over allgs) divided by allgs (every G "
            "ever made: the parked ones and ~%u helpers). It does not "
            "include the stop-the-world markroot that gc quiesce runs "
            "afterwards, nor conc's mark termination; gc conc's pass also "
            "scans each stack. A ratio near 1 means the pass is linear "
            "in the number of Gs.\n\n",
            BENCH_PROCS, BENCH_THREADS,
            2 * ((cfg->sizes[cfg->nsizes - 1] + PER_HELPER - 1) / PER_HELPER));
    fprintf(out, "| target | measured | met |\n|---|---:|---|\n");
    fprintf(out,
            "| gc quiesce <= %.0f ns per G | %.1f ns (worst size) | %s "
            "|\n\n",
            TARGET_QUIESCE_NS, worst,
            worst <= TARGET_QUIESCE_NS ? "yes" : "NO");
    return GS_EXIT_OK;
}

/* benchvm prints the VM throughput table: 1 P and BENCH_PROCS Ps. */
static int benchvm(FILE *out, const benchcfg *cfg, rt_scenario *sc)
{
    static const uint32_t procs[] = {1, BENCH_PROCS};
    uint32_t fanout = cfg->quick ? VM_FANOUT_QUICK : VM_FANOUT;
    double rate[REPS], ms[REPS];
    rt_stats st;
    size_t k;
    int i, rc;

    fprintf(out, "### vm: instructions per second\n\n");
    fprintf(out, "| Ps | goroutines | vm ops | run (ms) | ops/s |\n");
    fprintf(out, "|---:|---:|---:|---:|---:|\n");
    for (k = 0; k < sizeof procs / sizeof procs[0]; k++) {
        buildvm(sc, procs[k], fanout);
        for (i = 0; i < cfg->reps; i++) {
            if ((rc = runone(sc, procs[k], &st)) != GS_EXIT_OK)
                return rc;
            rate[i] = (double)st.ops / ((double)st.wall_ns / 1e9);
            ms[i] = (double)st.wall_ns / 1e6;
        }
        fprintf(out, "| %u | %llu | %llu | %.1f | %.3g |\n", procs[k],
                (unsigned long long)st.spawns, (unsigned long long)st.ops,
                median(ms, cfg->reps), median(rate, cfg->reps));
    }
    fprintf(out,
            "\nMedian of %d run%s; %d started Gs each spawn %u more; every "
            "G runs %d instructions of NEW/STORE/LOAD/USE/MOV/CALL/RET "
            "(NEW takes the heap lock, STORE runs the write barrier check); "
            "no GC. ops/s = rt_stats.ops / wall time of the run, which "
            "includes starting and exiting the Gs and the Ms.\n\n",
            cfg->reps, cfg->reps == 1 ? "" : "s", VM_STARTERS, fanout,
            RT_MAX_INSTRS);
    return GS_EXIT_OK;
}

/* benchmem prints bytes per G, from the quiesce scenario's heap_bytes:
 * at the end of a run every G is dead on the free list, with its stack. */
static int benchmem(FILE *out, const benchcfg *cfg, rt_scenario *sc)
{
    const rtbench_gsize gs = rtbench_sizes();
    const double stackb = (double)gs.stack_slots * (double)gs.slot_bytes;
    double per, worst = 0;
    bool measured = true;
    rt_stats st;
    size_t i;
    int rc;

    fprintf(out, "### mem: bytes per goroutine\n\n");
    fprintf(out, "| allgs | heap bytes | per G | of it stack | per G "
                 "without stack |\n");
    fprintf(out, "|---:|---:|---:|---:|---:|\n");
    for (i = 0; i < cfg->nsizes; i++) {
        if (!buildquiesce(sc, cfg->sizes[i], RT_GC_QUIESCE, 0))
            return GS_EXIT_INTERNAL;
        if ((rc = runone(sc, BENCH_PROCS, &st)) != GS_EXIT_OK)
            return rc;
        if (st.heap_bytes == 0) {
            /* A sanitizer's allocator bypasses the malloc that mallinfo2
             * reports on: nothing was measured. */
            fprintf(out, "| %llu | n/a | n/a | %.0f | n/a |\n",
                    (unsigned long long)st.max_gs, stackb);
            measured = false;
            continue;
        }
        per = (double)st.heap_bytes / (double)st.max_gs;
        if (per - stackb > worst)
            worst = per - stackb;
        fprintf(out, "| %llu | %llu | %.0f | %.0f | %.0f |\n",
                (unsigned long long)st.max_gs,
                (unsigned long long)st.heap_bytes, per, stackb, per - stackb);
    }
    fprintf(out,
            "\nheap bytes is rt_stats.heap_bytes: mallinfo2's in-use bytes "
            "at the end of the run minus at its start, so it counts the "
            "Gs, their stacks (%u slots of %zu bytes at first), the allgs "
            "chunks, the Ms and malloc's own headers; the object heap is "
            "made before the start. sizeof(rt_g) = %zu bytes.\n\n",
            gs.stack_slots, gs.slot_bytes, gs.g_bytes);
    if (!measured) {
        fprintf(out, "mallinfo2 saw no allocations (a sanitizer's "
                     "allocator?): use the release build.\n\n");
        return GS_EXIT_OK;
    }
    fprintf(out, "| target | measured | met |\n|---|---:|---|\n");
    fprintf(out,
            "| <= %.0f bytes per G plus its stack | %.0f bytes (worst "
            "size) | %s |\n\n",
            TARGET_G_BYTES, worst, worst <= TARGET_G_BYTES ? "yes" : "NO");
    return GS_EXIT_OK;
}

static int benchsimrun(FILE *out, const benchcfg *cfg);

/* benchswitch prints the switch tables of rt/bench/switch.c. */
static int benchswitch(FILE *out, const benchcfg *cfg)
{
    int rc;

    fprintf(out, "### switch: sim context switch\n\n");
    rc = rtbench_switch(out, cfg->quick ? SWITCH_ITERS_QUICK : SWITCH_ITERS);
    fprintf(out, "\n");
    if (rc == RT_EINVAL) /* under TSan: said so, nothing measured */
        return GS_EXIT_OK;
    if (rc != 0) {
        fprintf(stderr, "gstorm bench: switch benchmark failed (%d)\n", rc);
        return GS_EXIT_INTERNAL;
    }
    if ((rc = rtbench_sim_steps(out)) != 0) {
        fprintf(stderr, "gstorm bench: sim steps benchmark failed (%d)\n", rc);
        return GS_EXIT_INTERNAL;
    }
    fprintf(out, "\n");
    return benchsimrun(out, cfg);
}

/* A typical scenario for the whole-runtime sim numbers: the demo's
 * shape (spawns, heap writes, stack growth, syscalls, semaphores, GCs). */
static const char simscenario[] =
    "threads 4\nprocs 2\ngc conc\nheap 1024\n"
    "prog main frame 8\n NEW 0\n NEW 1\n STORE 0 0 1\n GSET 0 0\n"
    " GO w 0\n GO w 0\n GO w 0\n GC\n YIELD\n GC\n BLOCK 2\n BLOCK 2\n"
    " BLOCK 2\n USE 0\n GC\nend\n"
    "prog w frame 4\n NEW 1\n STORE 1 0 0\n STORE 0 1 1\n CALL 7\n"
    " NEW 0\n CALL 15\n NEW 3\n YIELD\n USE 3\n RET\n RET\n SYSCALL 3\n"
    " SPIN 64\n GC\n GGET 2 0\n USE 2\n WAKE 2\nend\n"
    "start main\n";

/* benchsimrun prints runs and yield points per second of the whole
 * runtime on the sim backend (seeded random schedules), beside the same
 * scenario on real threads, measured in one run. */
static int benchsimrun(FILE *out, const benchcfg *cfg)
{
    enum { RUNS = 400, RUNS_QUICK = 40 };
    int runs = cfg->quick ? RUNS_QUICK : RUNS, i, rc;
    rt_scenario *sc = malloc(sizeof *sc);
    char err[GS_ERRLEN];
    rt_sim_source src;
    rt_options opt;
    rt_stats st;
    double t0, tsim, tthr;
    uint64_t steps = 0, events = 0;

    if (sc == NULL || rt_scenario_parse(simscenario, strlen(simscenario), sc,
                                        err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm bench: sim scenario: %s\n", err);
        free(sc);
        return GS_EXIT_INTERNAL;
    }
    memset(&opt, 0, sizeof opt);
    opt.backend = RT_BACKEND_SIM;
    opt.sim = &src;
    opt.quiet = true;
    opt.faults = benchfaults;
    t0 = gs_now();
    for (i = 0; i < runs; i++) {
        memset(&src, 0, sizeof src);
        src.kind = RT_SIM_RANDOM;
        src.seed = (uint64_t)i + 1;
        if ((rc = rt_run(sc, &opt, &st)) != RT_OK)
            break;
        steps += st.sim_steps;
        events += st.events;
    }
    tsim = gs_now() - t0;
    opt.backend = RT_BACKEND_THREADS;
    opt.sim = NULL;
    t0 = gs_now();
    for (i = 0; i < runs && rc == RT_OK; i++)
        rc = rt_run(sc, &opt, &st);
    tthr = gs_now() - t0;
    free(sc);
    if (rc != RT_OK) {
        fprintf(stderr, "gstorm bench: sim run failed (%d)\n", rc);
        return GS_EXIT_INTERNAL;
    }
    fprintf(out, "| typical scenario (demo-like: 4 Gs, 6 GCs) | runs | yield "
                 "points/run | events/run | runs/s | yield points/s |\n"
                 "|---|---:|---:|---:|---:|---:|\n");
    fprintf(out,
            "| sim, seeded random schedule | %d | %.0f | %.0f | %.0f | "
            "%.3g |\n",
            runs, (double)steps / runs, (double)events / runs, runs / tsim,
            steps / tsim);
    fprintf(out,
            "| threads (real Ms), same scenario | %d | - | - | %.0f | - "
            "|\n\n",
            runs, runs / tthr);
    return GS_EXIT_OK;
}

/* cpumodel copies the first "model name" of /proc/cpuinfo into buf, or
 * "unknown CPU". Reads a bounded number of lines. */
static void cpumodel(char *buf, size_t len)
{
    enum { MAX_LINES = 64 }; /* the name is on one of the first lines */
    char line[256], *v;
    FILE *f = fopen("/proc/cpuinfo", "r");
    int i;

    snprintf(buf, len, "unknown CPU");
    if (f == NULL)
        return;
    for (i = 0; i < MAX_LINES && fgets(line, sizeof line, f) != NULL; i++) {
        if (strncmp(line, "model name", 10) != 0 ||
            (v = strchr(line, ':')) == NULL)
            continue;
        v += strspn(v + 1, " \t") + 1;
        v[strcspn(v, "\n")] = 0;
        snprintf(buf, len, "%s", v);
        break;
    }
    fclose(f);
}

/* machine prints what the numbers were measured on and with. */
static void machine(FILE *out)
{
    char cpu[128];
    struct utsname u;
    const char *san = "";

#if BENCH_ASAN
    san = ", ASan (numbers are not representative)";
#elif BENCH_TSAN
    san = ", TSan (numbers are not representative)";
#endif
    cpumodel(cpu, sizeof cpu);
    if (uname(&u) != 0)
        snprintf(u.machine, sizeof u.machine, "?");
    fprintf(out, "machine: %ld CPUs online (%s, %s); build: %s, %s%s\n\n",
            sysconf(_SC_NPROCESSORS_ONLN), cpu, u.machine,
#ifdef __OPTIMIZE__
            "optimized",
#else
            "NOT optimized (use the release preset)",
#endif
#ifdef NDEBUG
            "NDEBUG",
#else
            "asserts on",
#endif
            san);
}

/*
 * benchpause prints the collector pauses on real threads: for 1k and 10k
 * parked goroutines and a live heap of PAUSE_OBJS objects, in each
 * collector, the mark time (cycle start to the end of mark termination)
 * and the world-stopped time (all pauses, and the longest), medians of
 * cfg->reps runs by the longest pause. The point of conc is a pause that
 * does not grow with the goroutines: the last table says whether it does.
 */
static int benchpause(FILE *out, const benchcfg *cfg, rt_scenario *sc)
{
    static const uint32_t gs[] = {1000, 10000};
    static const char *const names[] = {"stw", "quiesce", "conc"};
    enum { NG = sizeof gs / sizeof gs[0], NM = 3 };
    double longest[NG][NM];
    double mark[MAX_REPS], total[MAX_REPS], pause[MAX_REPS];
    uint64_t stws = 0;
    rt_stats st;
    size_t g, m;
    int i, rc;

    fprintf(out, "### pause: collector pauses on real threads\n\n");
    fprintf(out, "| parked Gs | live objects | collector | mark (ms) | world "
                 "stopped, all pauses (ms) | longest pause (ms) | pauses |\n");
    fprintf(out, "|---:|---:|---|---:|---:|---:|---:|\n");
    for (g = 0; g < NG; g++) {
        for (m = 0; m < NM; m++) {
            if (!buildquiesce(sc, gs[g], (uint32_t)m, PAUSE_OBJS)) {
                fprintf(stderr, "gstorm bench: the pause scenario does not "
                                "fit\n");
                return GS_EXIT_INTERNAL;
            }
            for (i = 0; i < cfg->reps; i++) {
                if ((rc = runone(sc, BENCH_PROCS, &st)) != GS_EXIT_OK)
                    return rc;
                if (st.gc_cycles != 1) {
                    fprintf(stderr,
                            "gstorm bench: expected one GC cycle, "
                            "got %llu\n",
                            (unsigned long long)st.gc_cycles);
                    return GS_EXIT_INTERNAL;
                }
                mark[i] = st.mark_ns_total / 1e6;
                total[i] = st.stw_ns_total / 1e6;
                pause[i] = st.stw_ns_max / 1e6;
                stws = st.stw;
            }
            longest[g][m] = median(pause, cfg->reps);
            fprintf(out, "| %u | %u | %s | %.2f | %.2f | %.2f | %llu |\n",
                    gs[g], (PAUSE_OBJS + HOLD_OBJS - 1) / HOLD_OBJS * HOLD_OBJS,
                    names[m], median(mark, cfg->reps), median(total, cfg->reps),
                    longest[g][m], (unsigned long long)stws);
        }
    }
    fprintf(out, "\n| collector | longest pause at 10k / at 1k Gs |\n"
                 "|---|---:|\n");
    for (m = 0; m < NM; m++)
        fprintf(out, "| %s | %.2f |\n", names[m],
                longest[0][m] > 0 ? longest[1][m] / longest[0][m] : 0.0);
    fprintf(out,
            "\nMedians of %d runs; threads backend, %d Ps, %d Ms. The live "
            "heap is chains of %d objects held by parked goroutines. A "
            "pause is the time from the end of a stop-the-world to the "
            "start of the next start-the-world (rt_stats.stw_ns_*): it "
            "includes what rt does with the world stopped besides marking "
            "- the queue-consistency check of every G at each "
            "stop-the-world, quiesce's postcondition check and the "
            "independent checkmark traversal of the heap before sweep - "
            "so it is gstorm's pause, checkers on, not a production "
            "collector's.\n\n",
            cfg->reps, BENCH_PROCS, BENCH_THREADS, HOLD_OBJS);
    return GS_EXIT_OK;
}

/* Which benchmarks to run: bits of a mask. */
enum {
    B_QUIESCE = 1,
    B_VM = 2,
    B_MEM = 4,
    B_SWITCH = 8,
    B_PAUSE = 16,
    B_ALL = 31,
};

static const struct {
    const char *name;
    unsigned bits;
} which[] = {
    {"quiesce", B_QUIESCE}, {"vm", B_VM},       {"mem", B_MEM},
    {"switch", B_SWITCH},   {"pause", B_PAUSE}, {"all", B_ALL},
};

/* cli_bench is `gstorm bench`: parse the arguments, run the chosen
 * benchmarks in order, and print their tables to stdout. */
int cli_bench(int argc, char **argv)
{
    enum { MAX_NAMES = 8 }; /* benchmark names on one command line */
    benchcfg cfg = {false, sizes, sizeof sizes / sizeof sizes[0], REPS};
    const char *names[MAX_NAMES];
    unsigned mask = 0, bits;
    rt_scenario *sc;
    size_t k, n, npos;
    bool help, fgiven;
    gs_strlist faults = {0};
    char err[GS_ERRLEN];
    int rc;
    const gs_flag flags[] = {
        {"--quick", NULL, GS_FLAG_BOOL, 0, 0, NULL, &cfg.quick, NULL},
        {"--fault", NULL, GS_FLAG_LIST, 0, 0, NULL, &faults, NULL},
    };

    rc =
        gs_flags_parse("bench", argc, argv, flags, sizeof flags / sizeof *flags,
                       names, MAX_NAMES, &npos, &help);
    if (rc != GS_EXIT_OK || help) {
        if (help)
            benchusage(stdout);
        return rc;
    }
    if (gs_faults_select(&faults, &benchfaults, &fgiven, err, sizeof err) !=
        RT_OK) {
        fprintf(stderr, "gstorm bench: %s\n", err);
        return GS_EXIT_USAGE;
    }
    for (n = 0; n < npos; n++) {
        bits = 0;
        for (k = 0; k < sizeof which / sizeof which[0]; k++)
            if (strcmp(names[n], which[k].name) == 0)
                bits = which[k].bits;
        if (bits == 0) {
            fprintf(stderr, "gstorm bench: unknown benchmark '%s'\n", names[n]);
            benchusage(stderr);
            return GS_EXIT_USAGE;
        }
        mask |= bits;
    }
    if (mask == 0)
        mask = B_ALL;
    if (cfg.quick) {
        cfg.sizes = sizes_quick;
        cfg.nsizes = sizeof sizes_quick / sizeof sizes_quick[0];
        cfg.reps = REPS_QUICK;
    }
    /* ~530 KB: too big for the stack. */
    if ((sc = malloc(sizeof *sc)) == NULL) {
        fprintf(stderr, "gstorm bench: out of memory\n");
        return GS_EXIT_INTERNAL;
    }
    rt_set_throw_hook(gs_throw_exit);
    printf("## gstorm bench%s\n\n", cfg.quick ? " --quick" : "");
    machine(stdout);
    fflush(stdout);
    if (rc == GS_EXIT_OK && (mask & B_QUIESCE))
        rc = benchquiesce(stdout, &cfg, sc);
    fflush(stdout);
    if (rc == GS_EXIT_OK && (mask & B_VM))
        rc = benchvm(stdout, &cfg, sc);
    fflush(stdout);
    if (rc == GS_EXIT_OK && (mask & B_MEM))
        rc = benchmem(stdout, &cfg, sc);
    fflush(stdout);
    if (rc == GS_EXIT_OK && (mask & B_SWITCH))
        rc = benchswitch(stdout, &cfg);
    fflush(stdout);
    if (rc == GS_EXIT_OK && (mask & B_PAUSE))
        rc = benchpause(stdout, &cfg, sc);
    fflush(stdout);
    free(sc);
    return rc;
}
