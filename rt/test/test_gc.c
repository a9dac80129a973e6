/*
 * test_gc.c - the collector and quiesce on real threads: exact freeing,
 * quiesce with goroutines in every state, stack growth and shrinking
 * around scans, SPIN delaying quiesce and the liveness bound, and every
 * row of the transition table reached.
 */
#include <string.h>

#include "testutil.h"

static const char *const modes[] = {"stw", "quiesce", "conc"};

/* An object graph: 0 -> 1 reachable from slot 0; 2 unreachable once its
 * slot is cleared; 3 reachable from a global only. Exactly one object
 * (2) is garbage at the GC. */
static const char *graph = "gc %s\nprocs 2\n"
                           "prog a frame 6\n"
                           " NEW 0\n NEW 1\n NEW 2\n NEW 3\n"
                           " STORE 0 0 1\n GSET 4 3\n"
                           " MOV 1 5\n MOV 2 5\n MOV 3 5\n"
                           " GC\n"
                           " USE 0\n LOAD 1 0 0\n USE 1\n GGET 3 4\n USE 3\n"
                           "end\nstart a\n";

static void freesexactly(int mode)
{
    char text[512];
    rt_stats st;

    snprintf(text, sizeof text, graph, modes[mode]);
    tu_capture();
    st = tu_run(tu_parse(text), 2);
    CHECK_EQ(st.objs_alloc, 4);
    CHECK_EQ(st.gc_cycles, 1);
    CHECK_EQ(st.objs_freed, 1);
}

TEST(gc, stw_frees_exactly_the_unreachable)
{
    freesexactly(0);
}

TEST(gc, quiesce_frees_exactly_the_unreachable)
{
    freesexactly(1);
}

TEST(gc, conc_frees_exactly_the_unreachable)
{
    freesexactly(2);
}

TEST(gc, freed_objects_are_reused_with_a_new_generation)
{
    /* heap 16: 40 allocations need the collector to make room. */
    rt_stats st = tu_run(tu_parse("heap 16\ngc stw\nprog a frame 2\n"
                                  " NEW 0\n NEW 0\n NEW 0\n NEW 0\n NEW 0\n"
                                  " NEW 0\n NEW 0\n NEW 0\n NEW 0\n NEW 0\n"
                                  " GC\n"
                                  " NEW 0\n NEW 0\n NEW 0\n NEW 0\n NEW 0\n"
                                  " NEW 0\n NEW 0\n NEW 0\n NEW 0\n NEW 0\n"
                                  " NEW 0\n NEW 0\n NEW 0\n NEW 0\n NEW 0\n"
                                  " USE 0\nend\nstart a\n"),
                         1);

    CHECK_EQ(st.objs_freed, 9);
    CHECK_EQ(st.alloc_fails, 0);
    CHECK_EQ(st.objs_alloc, 25);
}

TEST(gc, full_heap_makes_new_return_nil)
{
    rt_stats st = tu_run(tu_parse("heap 16\nprog a frame 2\n"
                                  " NEW 0\n NEW 0\n NEW 0\n NEW 0\n NEW 0\n"
                                  " NEW 0\n NEW 0\n NEW 0\n NEW 0\n NEW 0\n"
                                  " NEW 0\n NEW 0\n NEW 0\n NEW 0\n NEW 0\n"
                                  " NEW 0\n NEW 0\n NEW 0\nend\nstart a\n"),
                         1);

    CHECK_EQ(st.objs_alloc, 16);
    CHECK_EQ(st.alloc_fails, 2);
}

/* Quiesce with goroutines running (a long SPIN, then a CALL), blocked
 * (BLOCK), in a syscall, and growing their stacks, all at the GC. */
static const char *mix =
    "gc %s\nprocs 2\nthreads 6\n"
    "prog main frame 4\n NEW 0\n GO runner 0\n GO blocked 0\n"
    " GO sys 0\n GO grow 0\n YIELD\n GC\n WAKE 1\n USE 0\nend\n"
    "prog runner frame 4\n SPIN 20000\n CALL 1\n RET\n USE 0\nend\n"
    "prog blocked frame 4\n BLOCK 1\n USE 0\nend\n"
    "prog sys frame 4\n SYSCALL 300\n USE 0\nend\n"
    "prog grow frame 4\n CALL 63\n CALL 63\n CALL 63\n CALL 63\n NEW 1\n"
    " RET\n RET\n RET\n RET\n USE 0\nend\n"
    "start main\n";

static rt_stats runmix(int mode)
{
    char text[1024];

    snprintf(text, sizeof text, mix, modes[mode]);
    return tu_run(tu_parse(text), 2);
}

TEST(gc, quiesce_with_gs_running_blocked_syscall_growing)
{
    rt_stats st;
    int i;

    for (i = 0; i < 5; i++) {
        st = runmix(1);
        CHECK_EQ(st.gc_cycles, 1);
        CHECK_EQ(st.quiesces, 1);
        CHECK_EQ(st.exits, 5);
        CHECK_GE(st.stack_scans, 2); /* markroot after quiesce */
    }
}

TEST(gc, conc_mark_scans_each_stack_once_while_gs_run)
{
    rt_stats st;
    int i;

    for (i = 0; i < 5; i++) {
        st = runmix(2);
        CHECK_EQ(st.gc_cycles, 1);
        CHECK_EQ(st.quiesces, 1);
        /* The postcondition checker (quiesce.post) already asserted
         * exactly one scan per live G; here: somebody was scanned. */
        CHECK_GE(st.stack_scans, 2);
        CHECK_LE(st.objs_freed, 1); /* only grow's NEW 1 may be garbage */
    }
}

TEST(gc, stw_with_gs_running_blocked_syscall_growing)
{
    rt_stats st = runmix(0);

    CHECK_EQ(st.gc_cycles, 1);
    CHECK_EQ(st.quiesces, 0);
    CHECK_GE(st.stw, 1);
}

/*
 * latestarter builds a scenario where a goroutine starts running right
 * after the GC's stop-the-world, while quiesce is still busy with NBLK
 * parked goroutines ahead of it in allgs: quiesce finds it Grunning
 * inside `body` (which has no preemption point) and must wait for it.
 * The phase change itself waits for running Gs, so a G that is running
 * at the GC op cannot be quiesce's running G.
 */
enum { NBLK = 250 };

static rt_scenario *latestarter(const char *mode, const char *body)
{
    static char text[16384];
    size_t n = 0;
    int i;

    n += snprintf(text + n, sizeof text - n,
                  "gc %s\nprocs 2\nthreads 4\nprog main\n", mode);
    for (i = 0; i < NBLK; i++)
        n += snprintf(text + n, sizeof text - n, " GO blk 0\n");
    n += snprintf(text + n, sizeof text - n, " GO runner 0\n WAKE 2\n GC\n");
    for (i = 0; i < NBLK; i++)
        n += snprintf(text + n, sizeof text - n, " WAKE 0\n");
    snprintf(text + n, sizeof text - n,
             "end\nprog blk\n BLOCK 0\nend\n"
             "prog runner\n NEW 0\n BLOCK 2\n %s\n CALL 1\n USE 0\nend\n"
             "start main\n",
             body);
    return tu_parse(text);
}

/* caughtrunning runs latestarter until a run in which quiesce found the
 * runner running (it then did its own work: selfscans) and took at least
 * minns, at most CATCH_TRIES runs: whether the runner is running yet when
 * quiesce gets to it, and how much of its body is left then, is up to the
 * OS's thread wake-up. */
enum { CATCH_TRIES = 100 };

static rt_stats caughtrunning(const char *mode, const char *body,
                              uint64_t minns)
{
    rt_stats st;
    int i;

    for (i = 0; i < CATCH_TRIES; i++) {
        st = tu_run(latestarter(mode, body), 2);
        CHECK_EQ(st.gc_cycles, 1);
        if (st.selfscans > 0 && st.quiesce_ns_max >= minns)
            return st;
    }
    test__fail(__FILE__, __LINE__,
               "quiesce never found the runner running (for %llu ns) in %d "
               "runs",
               (unsigned long long)minns, CATCH_TRIES);
}

TEST(gc, running_g_does_its_own_scan_at_its_prologue)
{
    rt_stats st = caughtrunning("conc", "SPIN 20000", 0);

    CHECK_EQ(st.selfscans, 1);
    CHECK_GE(st.preempt_reqs, 1); /* stopg posted preemptscan */
}

TEST(gc, spin_delays_quiesce_until_it_ends)
{
    /* SPIN has no preemption point: quiesce waits for the rest of it
     * (up to about 10 ms here; a run that catches it early enough waits
     * at least 2 ms), against microseconds without it (the fastest of
     * three runs: a loaded machine can slow any one). */
    rt_stats slow = caughtrunning("quiesce", "SPIN 20000", 2 * 1000 * 1000);
    uint64_t fast = UINT64_MAX;
    int i;

    for (i = 0; i < 3; i++) {
        rt_stats st = tu_run(latestarter("quiesce", "NOP"), 2);
        if (st.quiesce_ns_max < fast)
            fast = st.quiesce_ns_max;
    }
    CHECK_GT(slow.quiesce_ns_max, 4 * fast);
}

/* boundrun runs with a 1 ms liveness bound a G that spins for about
 * 30 ms without a preemption point while the GC's stop-the-world waits
 * for it (on threads: the spinner runs when the GC op starts). */
static void boundrun(void *arg)
{
    rt_scenario *sc = tu_parse("gc stw\nprocs 2\nthreads 4\n"
                               "prog main\n GO runner 0\n SYSCALL 20\n GC\n"
                               "end\nprog runner\n SPIN 60000\n CALL 1\n"
                               "end\nstart main\n");
    rt_options opt;
    int i;

    (void)arg;
    memset(&opt, 0, sizeof opt);
    opt.nprocs = 2;
    opt.nthreads = 4;
    opt.quiesce_bound_ns = 1000 * 1000;
    /* Until a run in which the runner was spinning at the GC op (the OS
     * decides when its M starts). */
    for (i = 0; i < CATCH_TRIES; i++)
        tu_runopt(sc, &opt);
}

/*
 * syscallspinner builds a scenario in which a G is in a 30 us system call
 * while the GC stops the world, then spins `spin` iterations three times
 * (no preemption point) while quiesce works through 200 parked Gs ahead
 * of it in allgs: on the sim, quiesce finds it running.
 */
static rt_scenario *syscallspinner(const char *mode, int spin)
{
    static char text[8192];
    size_t n = 0;
    int i;

    n += snprintf(text + n, sizeof text - n,
                  "gc %s\nprocs 2\nthreads 4\nprog main\n", mode);
    for (i = 0; i < 200; i++)
        n += snprintf(text + n, sizeof text - n, " GO blk 0\n");
    n += snprintf(text + n, sizeof text - n, " GO sys 0\n GC\n");
    for (i = 0; i < 200; i++)
        n += snprintf(text + n, sizeof text - n, " WAKE 0\n");
    snprintf(text + n, sizeof text - n,
             "end\nprog blk\n BLOCK 0\nend\n"
             "prog sys\n SYSCALL 3\n SPIN %d\n SPIN %d\n SPIN %d\n"
             " CALL 1\nend\nstart main\n",
             spin, spin, spin);
    return tu_parse(text);
}

/* simrun runs sc on the sim with a seeded random schedule. */
static void simrun(rt_scenario *sc, uint64_t seed, uint64_t bound_ns)
{
    rt_sim_source src;
    rt_options opt;

    memset(&src, 0, sizeof src);
    src.kind = RT_SIM_RANDOM;
    src.seed = seed;
    memset(&opt, 0, sizeof opt);
    opt.backend = RT_BACKEND_SIM;
    opt.sim = &src;
    opt.seed = seed;
    opt.quiet = true;
    opt.quiesce_bound_ns = bound_ns;
    tu_runopt(sc, &opt);
}

/* quiescebound runs syscallspinner's scenario with a 1.2 ms spin (12000
 * yield points of 100 virtual ns) and a 1 ms bound: quiesce waits past
 * it. The first violating seed throws; the same seeds give the same
 * runs. */
static void quiescebound(void *arg)
{
    rt_scenario *sc = syscallspinner("quiesce", 4000);
    uint64_t seed;

    (void)arg;
    for (seed = 1; seed <= 50; seed++)
        simrun(sc, seed, 1000 * 1000);
}

TEST(gc, liveness_bound_reports_a_quiesce_that_exceeds_it)
{
    EXPECT_THROW("liveness.quiesce", quiescebound, NULL);
}

TEST(gc, liveness_bound_reports_a_stop_the_world_that_exceeds_it)
{
    EXPECT_THROW("liveness.stw", boundrun, NULL);
}

TEST(gc, stacks_shrink_at_scan_time)
{
    /* g grows to 256+ slots and returns before main's GC (semaphore 1),
     * then parks: whoever scans it then claims it (it reaches no CALL, so
     * it never scans itself) and halves its mostly unused stack. */
    const char *text = "gc %s\nprocs 2\n"
                       "prog main\n GO g 0\n BLOCK 1\n GC\n WAKE 0\nend\n"
                       "prog g\n CALL 63\n CALL 63\n CALL 63\n CALL 63\n"
                       " RET\n RET\n RET\n RET\n WAKE 1\n BLOCK 0\nend\n"
                       "start main\n";
    char buf[512];
    rt_stats st;
    int m;

    for (m = 0; m < 3; m++) {
        snprintf(buf, sizeof buf, text, modes[m]);
        st = tu_run(tu_parse(buf), 2);
        CHECK_GE(st.stack_grows, 1);
        CHECK_GE(st.stack_shrinks, 1);
    }
}

TEST(gc, stacks_grow_while_other_stacks_are_scanned)
{
    /* Growers keep copying their stacks while collections run. */
    const char *text = "gc conc\nprocs 2\nthreads 6\n"
                       "prog main\n GO g 0\n GO g 0\n GO c 0\n GO c 0\nend\n"
                       "prog g frame 2\n NEW 0\n CALL 40\n CALL 40\n"
                       " CALL 40\n CALL 40\n CALL 40\n CALL 40\n CALL 40\n"
                       " RET\n RET\n RET\n RET\n RET\n RET\n RET\n USE 0\n"
                       "end\n"
                       "prog c\n GC\n YIELD\n GC\n YIELD\n GC\nend\n"
                       "start main\n";
    rt_stats st;
    uint64_t grows = 0, cycles = 0;
    int i;

    for (i = 0; i < 10; i++) {
        st = tu_run(tu_parse(text), 2);
        grows += st.stack_grows;
        cycles += st.gc_cycles;
    }
    CHECK_GE(grows, 20);
    CHECK_GE(cycles, 10);
}

TEST(gc, every_transition_table_row_is_reached)
{
    /* Gsyscall -> Grunnable needs the P to be gone when the syscall ends:
     * one P, a long syscall, and a spinner that got the P meanwhile. */
    const char *slowexit = "gc quiesce\nprocs 1\nthreads 3\n"
                           "prog a\n SYSCALL 1000\nend\n"
                           "prog b\n SPIN 65535\n SPIN 65535\nend\n"
                           "start a\nstart b\n";
    const char *insyscall = "gc quiesce\nprocs 2\nthreads 4\n"
                            "prog a\n SYSCALL 2000\nend\n"
                            "prog b\n SYSCALL 50\n GC\nend\n"
                            "start a\nstart b\n";
    size_t i;
    int m, k;

    rt__transreset();
    for (k = 0; k < 3; k++) {
        for (m = 0; m < 3; m++)
            runmix(m);
        tu_run(tu_parse(slowexit), 1);
        tu_run(tu_parse(insyscall), 2);
    }
    /* Grunning -> Gscanrunning needs quiesce to find a G running: on the
     * sim that is a matter of the seed, not of the OS's thread wake-up. */
    for (k = 1; k <= 20 && !rt__transseen(RT_G_RUNNING, RT_G_SCANRUNNING); k++)
        simrun(syscallspinner("conc", 4000), (uint64_t)k, 0);
    for (i = 0; i < tu_nprotocol; i++)
        if (tu_inrt(tu_protocol[i][0], tu_protocol[i][1]) &&
            !rt__transseen(tu_protocol[i][0], tu_protocol[i][1]))
            test__fail(__FILE__, __LINE__, "row %s -> %s never reached",
                       rt__gstatusname(tu_protocol[i][0]),
                       rt__gstatusname(tu_protocol[i][1]));
    for (i = 0; i < tu_nextra; i++)
        if (!rt__transseen(tu_extra[i].from, tu_extra[i].to))
            test__fail(__FILE__, __LINE__, "extra row %s -> %s never reached",
                       rt__gstatusname(tu_extra[i].from),
                       rt__gstatusname(tu_extra[i].to));
}

TEST(gc, demo_workload_runs_clean_in_every_mode)
{
    char *text;
    size_t len;
    FILE *f = fopen(GSTORM_SOURCE_DIR "/corpus/scenarios/demo.gs", "rb");
    rt_scenario *sc;
    rt_stats st;
    int m, i;

    CHECK(f != NULL);
    text = calloc(1, 1 << 16);
    len = fread(text, 1, (1 << 16) - 1, f);
    fclose(f);
    CHECK_GT(len, 0);
    sc = tu_parse(text);
    for (m = 0; m < 3; m++) {
        sc->gcmode = (uint32_t)m;
        for (i = 0; i < 10; i++) {
            st = tu_run(sc, 2);
            CHECK_GE(st.gc_cycles, 1);
            CHECK_EQ(st.exits, st.spawns);
        }
    }
    free(text);
}

/* shrinkmidgrow plays a scanner that claims a G in newstack, after it
 * decided to grow and before growstack claims Gcopystack, and shrinks
 * its mostly unused stack. */
static void shrinkmidgrow(rt_hook where, rt_g *gp)
{
    if (where != RT_HOOK_NEWSTACK)
        return;
    CHECK(rt__castogscanstatus(gp, RT_G_WAITING, RT_G_SCANWAITING));
    rt__shrinkstack(gp);
    rt__casfromgscanstatus(gp, RT_G_SCANWAITING, RT_G_WAITING);
}

TEST(gc, stack_shrunk_by_a_scanner_before_growth_claims_it)
{
    /* a's stack grows to 64 slots, returns to 2 in use, then a CALL of
     * 64 slots overflows it; the "scanner" halves it to 32 meanwhile.
     * Growth must size the copy from the stack as it is once claimed
     * (sized from before the claim, it copies and poisons 64 slots of a
     * 32-slot array: defect S15's shape, found by a 100k-input sweep). */
    const tu_exit *e;
    rt_stats st;

    tu_capture();
    rt__test_hook = shrinkmidgrow;
    st = tu_run(tu_parse("prog a frame 2\n NEW 0\n CALL 40\n RET\n"
                         " CALL 63\n NEW 3\n RET\n USE 0\nend\nstart a\n"),
                1);
    rt__test_hook = NULL;
    e = tu_exitof(0);
    CHECK_EQ(st.stack_shrinks, 1); /* the hook, at the second growth */
    CHECK_GE(e->stacksize, 64 + 2);
    CHECK(rt__isref(e->slots[0])); /* the frame survived both copies */
}
