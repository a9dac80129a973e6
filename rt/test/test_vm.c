/*
 * test_vm.c - each VM op, run on real threads, observed through the
 * goroutine's frame at exit (tu_capture) and the run's counters.
 */
#include "testutil.h"

/* run1 runs a one-program scenario on one P and captures exits. */
static rt_stats run1(const char *text)
{
    tu_capture();
    return tu_run(tu_parse(text), 1);
}

TEST(vm, nop_and_exit_count_ops)
{
    rt_stats st = run1("prog a\n NOP\n NOP\n EXIT\n NOP\n NOP\nend\n"
                       "start a\n");

    CHECK_EQ(st.ops, 3); /* NOP NOP EXIT; nothing after EXIT */
    CHECK_EQ(st.exits, 1);
}

TEST(vm, falling_off_the_end_exits)
{
    rt_stats st = run1("prog a\n NOP\nend\nstart a x3\n");

    CHECK_EQ(st.ops, 3);
    CHECK_EQ(st.exits, 3);
    CHECK_EQ(tu_nexits(), 3);
}

TEST(vm, call_pushes_a_frame_and_ret_pops_it)
{
    const tu_exit *e;

    run1("prog a frame 4\n CALL 9\n NEW 0\n CALL 1\nend\nstart a\n");
    e = tu_exitof(0);
    CHECK_EQ(e->depth, 2);
    CHECK_EQ(e->framen, 2); /* CALL n takes n % 64 + 1 slots */
    CHECK_EQ(e->stacksize - e->sp, 4 + (10 + 1) + (2 + 1));
    run1("prog a frame 4\n CALL 9\n CALL 1\n RET\n RET\n RET\nend\n"
         "start a\n");
    e = tu_exitof(0);
    CHECK_EQ(e->depth, 0);
    CHECK_EQ(e->framen, 4);
    CHECK_EQ(e->stacksize - e->sp, 4); /* RET in the base frame: no-op */
}

TEST(vm, call_grows_the_stack_by_copying)
{
    rt_stats st = run1("prog a frame 2\n NEW 0\n CALL 63\n CALL 63\n"
                       " CALL 63\n RET\n RET\n RET\n USE 0\nend\n"
                       "start a\n");
    const tu_exit *e = tu_exitof(0);

    CHECK_GE(st.stack_grows, 2); /* 32 -> 128 -> 256 slots at least */
    CHECK_GE(e->stacksize, 3 * 65 + 2);
    CHECK(rt__isref(e->slots[0])); /* the frame survived the copies */
}

TEST(vm, new_puts_a_reference_in_the_slot)
{
    rt_stats st = run1("prog a frame 4\n NEW 2\nend\nstart a\n");
    const tu_exit *e = tu_exitof(0);

    CHECK(rt__isref(e->slots[2]));
    CHECK(!rt__isref(e->slots[1]));
    CHECK_EQ(st.objs_alloc, 1);
}

TEST(vm, mov_copies_a_slot)
{
    const tu_exit *e;

    run1("prog a frame 4\n NEW 0\n MOV 3 0\n MOV 0 1\nend\nstart a\n");
    e = tu_exitof(0);
    CHECK(rt__isref(e->slots[3]));
    CHECK_EQ(e->slots[0], 0);
}

TEST(vm, slot_operands_wrap_modulo_the_frame)
{
    const tu_exit *e;

    run1("prog a frame 4\n NEW 6\nend\nstart a\n");
    e = tu_exitof(0);
    CHECK(rt__isref(e->slots[2])); /* 6 % 4 */
}

TEST(vm, store_then_load_round_trips_a_field)
{
    const tu_exit *e;

    run1("prog a frame 4\n NEW 0\n NEW 1\n STORE 0 1 1\n LOAD 2 0 1\n"
         " LOAD 3 0 0\nend\nstart a\n");
    e = tu_exitof(0);
    CHECK(rt__isref(e->slots[2]));
    CHECK_EQ(e->slots[2], e->slots[1]);
    CHECK_EQ(e->slots[3], 0); /* field 0 was never written */
}

TEST(vm, load_and_store_through_an_integer_do_nothing)
{
    const tu_exit *e;

    run1("prog a frame 4\n NEW 1\n STORE 0 0 1\n LOAD 2 0 0\n USE 0\nend\n"
         "start a\n");
    e = tu_exitof(0);
    CHECK_EQ(e->slots[2], 0);
}

TEST(vm, gset_gget_share_a_reference_between_goroutines)
{
    const tu_exit *a, *b;

    run1("procs 1\nprog a frame 4\n NEW 0\n GSET 5 0\n GO b 1\nend\n"
         "prog b frame 4\n GGET 2 5\n USE 2\nend\nstart a\n");
    a = tu_exitof(0);
    b = tu_exitof(1);
    CHECK(rt__isref(b->slots[2]));
    CHECK_EQ(b->slots[2], a->slots[0]);
}

TEST(vm, go_starts_a_goroutine_with_the_argument)
{
    rt_stats st;
    const tu_exit *a, *b;

    st = run1("prog a frame 4\n NEW 3\n GO b 3\nend\n"
              "prog b frame 2\n USE 0\nend\nstart a\n");
    a = tu_exitof(0);
    b = tu_exitof(1);
    CHECK_EQ(st.spawns, 2);
    CHECK_EQ(b->slots[0], a->slots[3]);
}

TEST(vm, dead_goroutines_are_reused)
{
    rt_stats st = run1("procs 1\nprog a\n GO b 0\n YIELD\n GO b 0\n YIELD\n"
                       " GO b 0\nend\nprog b\n NOP\nend\nstart a\n");

    CHECK_EQ(st.spawns, 4);
    CHECK_GE(st.greuse, 1); /* b exited during a's YIELD */
    CHECK_LE(st.max_gs, 3);
}

TEST(vm, block_parks_until_wake)
{
    rt_stats st = run1("procs 1\nprog w\n BLOCK 3\nend\n"
                       "prog k\n WAKE 3\nend\nstart w\nstart k\n");

    CHECK_EQ(st.parks, 1); /* w ran first (FIFO) and parked */
    CHECK_GE(st.readies, 1);
    CHECK_EQ(st.exits, 2);
}

TEST(vm, wake_before_block_is_counted)
{
    rt_stats st = run1("procs 1\nprog w\n BLOCK 3\nend\n"
                       "prog k\n WAKE 3\nend\nstart k\nstart w\n");

    CHECK_EQ(st.parks, 0); /* the semaphore had a count */
    CHECK_EQ(st.exits, 2);
}

TEST(vm, block_without_wake_is_a_program_deadlock)
{
    /* The scenario's own fault, not the runtime's: the run ends, clean,
     * and says how many goroutines it left blocked forever. */
    rt_stats st = tu_run(tu_parse("prog w\n BLOCK 1\nend\n"
                                  "prog k\n WAKE 1\nend\n"
                                  "start w x3\nstart k\n"),
                         2);

    CHECK_EQ(st.deadlocked, 2);
    CHECK_EQ(st.exits, 2);
}

TEST(vm, syscall_blocks_and_returns)
{
    rt_stats st = run1("prog a\n SYSCALL 100\n NOP\nend\nstart a\n");

    CHECK_EQ(st.syscalls, 1);
    CHECK_GE(st.wall_ns, 100 * 10 * 1000); /* 100 ticks of 10 us */
    CHECK_EQ(st.ops, 2);
}

TEST(vm, syscall_hands_off_the_p_to_other_work)
{
    /* One P: while a blocks 20 ms in a syscall, sysmon retakes the P so
     * that b runs; without the hand-off b would wait for a. */
    rt_stats st = run1("procs 1\nthreads 3\nprog a\n SYSCALL 2000\nend\n"
                       "prog b\n SPIN 1000\nend\nstart a\nstart b\n");

    CHECK_GE(st.syscall_handoffs, 1);
}

TEST(vm, yield_requeues_the_goroutine)
{
    rt_stats st = run1("procs 1\nprog a\n YIELD\n YIELD\nend\nstart a x2\n");

    CHECK_EQ(st.yields, 4);
    CHECK_EQ(st.exits, 2);
}

TEST(vm, spin_runs_without_preemption_point)
{
    rt_stats st = run1("prog a\n SPIN 5000\n NOP\nend\nstart a\n");

    CHECK_EQ(st.ops, 2);
    CHECK_EQ(st.preemptions, 0);
}

TEST(vm, gc_op_runs_a_cycle_in_each_mode)
{
    static const char *modes[] = {"stw", "quiesce", "conc"};
    char text[256];
    rt_stats st;
    int i;

    for (i = 0; i < 3; i++) {
        snprintf(text, sizeof text,
                 "gc %s\nprog a\n NEW 0\n GC\n USE 0\nend\nstart a\n",
                 modes[i]);
        st = run1(text);
        CHECK_EQ(st.gc_cycles, 1);
        CHECK_EQ(st.objs_freed, 0);
        CHECK_GE(st.stack_scans, 1);
    }
}

TEST(vm, opcodes_wrap_modulo_the_op_count)
{
    rt_scenario *sc = tu_parse("prog a\n NOP\nend\nstart a\n");
    rt_stats st;

    sc->progs[0].ins[0].op = RT_OP__COUNT + RT_OP_NEW; /* decodes as NEW */
    tu_capture();
    st = tu_run(sc, 1);
    CHECK_EQ(st.objs_alloc, 1);
}

static void staleref(void *arg)
{
    rt_g *gp = tu_fakeg(RT_G_RUNNING);
    rt_slot s;

    (void)arg;
    CHECK_EQ(rt__heapinit(16), RT_OK);
    s = rt__alloc(gp, tu_fakep());
    CHECK(rt__deref(gp, s, "USE") != NULL);
    /* Nothing marked it: a sweep frees it and bumps its generation. */
    CHECK_EQ(rt__sweep(), 1);
    rt__deref(gp, s, "USE");
}

TEST(vm, use_of_a_swept_object_is_reported)
{
    EXPECT_THROW("gc.use_after_free", staleref, NULL);
}
