/*
 * test_check.c - every checker fires on a hand-made violation. The
 * violations are made by test-only hooks (rt__test_hook), never by a
 * fault switch that ships; each test runs in a forked child and expects
 * the report to name the checker's rule id. Several run on both backends.
 */
#include <string.h>

#include "testutil.h"

/* The replay hint of the runs below (the report test sets it). */
static const char *hint;

/* run runs text on threads (arg "threads") or in sim (seeded random). */
static void run(const char *text, bool sim)
{
    rt_sim_source src;
    rt_options opt;

    tu_opts(&opt, &src, sim, 7, 1, 3);
    opt.replay_hint = hint;
    tu_runopt(tu_parse(text), &opt);
}

/* A scenario that scans a parked G with a reference on its stack. */
static const char *scanned = "gc %s\n"
                             "prog main\n GO w 0\n YIELD\n GC\n WAKE 1\nend\n"
                             "prog w frame 2\n NEW 0\n BLOCK 1\n USE 0\nend\n"
                             "start main\n";

static void runscanned(const char *mode, bool sim)
{
    char text[256];

    snprintf(text, sizeof text, scanned, mode);
    run(text, sim);
}

/* scan.stackchanged ------------------------------------------------- */

static void writestack(rt_hook where, rt_g *gp)
{
    if (where == RT_HOOK_SCAN)
        gp->stack[gp->sp] ^= 2; /* a mutator write during the scan */
}

static void stackchanged(void *arg)
{
    rt__test_hook = writestack;
    runscanned("conc", arg != NULL);
}

TEST(check, scan_stack_changed_during_scan_threads)
{
    EXPECT_THROW("scan.stackchanged", stackchanged, NULL);
}

TEST(check, scan_stack_changed_during_scan_sim)
{
    EXPECT_THROW("scan.stackchanged", stackchanged, "sim");
}

/* scan.running ------------------------------------------------------ */

static void pretendscan(rt_hook where, rt_g *gp)
{
    /* A scanner that claimed nothing starts scanning a running G. */
    if (where == RT_HOOK_OP && gp->pc == 1)
        atomic_store(&gp->scanning, 1);
}

static void runningduringscan(void *arg)
{
    rt__test_hook = pretendscan;
    run("prog a\n NOP\n NOP\nend\nstart a\n", arg != NULL);
}

TEST(check, scan_g_runs_an_op_during_its_scan)
{
    EXPECT_THROW("scan.running", runningduringscan, NULL);
    EXPECT_THROW("scan.running", runningduringscan, "sim");
}

/* scan.concurrent --------------------------------------------------- */

static void secondscanner(rt_hook where, rt_g *gp)
{
    if (where == RT_HOOK_SCAN)
        rt__scanstack(gp); /* a second actor scans the same G */
}

static void concurrentscan(void *arg)
{
    rt__test_hook = secondscanner;
    runscanned("stw", arg != NULL);
}

TEST(check, scan_two_scanners_at_once)
{
    EXPECT_THROW("scan.concurrent", concurrentscan, NULL);
}

/* scan.unowned ------------------------------------------------------ */

static void scanunowned(void *arg)
{
    (void)arg;
    rt__scanstack(tu_fakeg(RT_G_WAITING));
}

TEST(check, scan_without_the_scan_bit)
{
    EXPECT_THROW("scan.unowned", scanunowned, NULL);
}

/* quiesce.post and markroot.post ------------------------------------- */

static void undowork(rt_hook where, rt_g *gp)
{
    uint32_t i, n = rt__allglen();

    (void)gp;
    if (where != RT_HOOK_TERMINATION)
        return;
    for (i = 0; i < n; i++)
        if (rt__readgstatus(rt__allg(i)) != RT_G_DEAD) {
            atomic_store(&rt__allg(i)->gcworkdone, 0);
            return;
        }
}

static void doublescan(rt_hook where, rt_g *gp)
{
    uint32_t i, n = rt__allglen();

    (void)gp;
    if (where != RT_HOOK_TERMINATION)
        return;
    for (i = 0; i < n; i++)
        if (rt__readgstatus(rt__allg(i)) != RT_G_DEAD) {
            rt__allg(i)->scancount = 2;
            return;
        }
}

static void postrun(void *arg)
{
    const char *mode = arg;

    rt__test_hook = strstr(mode, "double") ? doublescan : undowork;
    runscanned(strncmp(mode, "conc", 4) == 0 ? "conc" : "stw",
               strstr(mode, "sim") != NULL);
}

TEST(check, quiesce_post_missing_work)
{
    EXPECT_THROW("quiesce.post", postrun, "conc");
    EXPECT_THROW("quiesce.post", postrun, "conc sim");
}

TEST(check, quiesce_post_double_scan)
{
    EXPECT_THROW("scanned 2 times", postrun, "conc double");
}

TEST(check, markroot_post_missing_work)
{
    EXPECT_THROW("markroot.post", postrun, "stw");
    EXPECT_THROW("markroot.post", postrun, "stw double sim");
}

/* queue.* ------------------------------------------------------------ */

/* Three Gs wait on P0's queue when main stops the world (one P). */
static const char *queued = "gc stw\nprocs 1\n"
                            "prog main\n GO x 0\n GO x 0\n GO x 0\n GC\nend\n"
                            "prog x\n NOP\nend\nstart main\n";

static void dropfromrunq(rt_hook where, rt_g *gp)
{
    rt_p *p = rt__rt.allp[0];

    (void)gp;
    if (where == RT_HOOK_STW &&
        atomic_load(&p->runqhead) != atomic_load(&p->runqtail))
        atomic_fetch_add(&p->runqhead, 1); /* a G falls off its queue */
}

static void duplicateinrunq(rt_hook where, rt_g *gp)
{
    rt_p *p = rt__rt.allp[0];
    uint32_t h = atomic_load(&p->runqhead), t = atomic_load(&p->runqtail);

    (void)gp;
    if (where == RT_HOOK_STW && h != t) {
        atomic_store(&p->runq[t % RT_RUNQ], atomic_load(&p->runq[h % RT_RUNQ]));
        atomic_store(&p->runqtail, t + 1); /* queued twice */
    }
}

static void queuerun(void *arg)
{
    rt__test_hook = strstr(arg, "dup") ? duplicateinrunq : dropfromrunq;
    run(queued, strstr(arg, "sim") != NULL);
}

TEST(check, queue_runnable_g_lost_from_its_run_queue)
{
    EXPECT_THROW("queue.runnable", queuerun, "drop");
    EXPECT_THROW("queue.runnable", queuerun, "drop sim");
}

TEST(check, queue_runnable_g_on_two_run_queues)
{
    EXPECT_THROW("queue.runnable", queuerun, "dup");
}

/* A parked G on semaphore 1 when main stops the world. */
static const char *parked = "gc stw\nprocs 1\n"
                            "prog main\n GO w 0\n YIELD\n GC\n WAKE 1\nend\n"
                            "prog w\n BLOCK 1\nend\nstart main\n";

static void unlinkwaiter(rt_hook where, rt_g *gp)
{
    rt_sema *s = &rt__rt.sema[1];

    (void)gp;
    if (where == RT_HOOK_STW && s->head != NULL) {
        s->head = s->head->schedlink; /* the waiter is forgotten */
        if (s->head == NULL)
            s->tail = NULL;
    }
}

static void countwithwaiter(rt_hook where, rt_g *gp)
{
    (void)gp;
    if (where == RT_HOOK_STW && rt__rt.sema[1].head != NULL)
        rt__rt.sema[1].count++; /* a WAKE counted, not delivered */
}

static void forgetwaiter(rt_hook where, rt_g *gp)
{
    rt_sema *s = &rt__rt.sema[1];
    rt_g *w = s->head;

    (void)gp;
    if (where == RT_HOOK_STW && w != NULL) {
        s->head = s->tail = NULL;
        w->parked = 0; /* consistent queues, but nobody will ready it */
    }
}

static void staleonqueue(rt_hook where, rt_g *gp)
{
    uint32_t i, n = rt__allglen();
    rt_sema *s = &rt__rt.sema[2];

    (void)gp;
    if (where != RT_HOOK_STW || s->head != NULL)
        return;
    /* A G that is not parked (the GC caller, waiting in Gwaiting for the
     * stop-the-world) shows up on a wait list. */
    for (i = 0; i < n; i++)
        if (rt__readgstatus(rt__allg(i)) == RT_G_WAITING &&
            !rt__allg(i)->parked) {
            s->head = s->tail = rt__allg(i);
            rt__allg(i)->schedlink = NULL;
            return;
        }
}

static void parkrun(void *arg)
{
    const char *how = arg;

    rt__test_hook = strstr(how, "unlink")  ? unlinkwaiter
                    : strstr(how, "count") ? countwithwaiter
                    : strstr(how, "stale") ? staleonqueue
                                           : forgetwaiter;
    run(parked, strstr(how, "sim") != NULL);
}

TEST(check, queue_parked_g_on_no_wait_list)
{
    EXPECT_THROW("queue.parked", parkrun, "unlink");
    EXPECT_THROW("queue.parked", parkrun, "unlink sim");
}

TEST(check, queue_lost_wakeup)
{
    EXPECT_THROW("queue.lostwakeup", parkrun, "count");
}

TEST(check, queue_stale_g_on_a_wait_list)
{
    EXPECT_THROW("queue.stale", parkrun, "stale");
}

TEST(check, liveness_runtime_deadlock_is_not_a_program_deadlock)
{
    /* w is Gwaiting on no list: all Ms go idle with it alive. */
    EXPECT_THROW("liveness.deadlock", parkrun, "forget");
    EXPECT_THROW("liveness.deadlock", parkrun, "forget sim");
}

/* gc.checkmark ------------------------------------------------------ */

static void unmark(rt_hook where, rt_g *gp)
{
    uint32_t i;

    (void)gp;
    if (where != RT_HOOK_CHECKMARK)
        return;
    for (i = 0; i < rt__rt.heapcap; i++) /* the marker missed them all */
        atomic_store(&rt__rt.objs[i].mark, 0);
}

static void checkmarkrun(void *arg)
{
    rt__test_hook = unmark;
    runscanned(strstr(arg, "conc") ? "conc" : "stw", strstr(arg, "sim"));
}

TEST(check, gc_checkmark_finds_a_reachable_unmarked_object)
{
    EXPECT_THROW("gc.checkmark", checkmarkrun, "stw");
    EXPECT_THROW("gc.checkmark", checkmarkrun, "conc sim");
}

/* liveness.budget (sim) --------------------------------------------- */

static void budgetrun(void *arg)
{
    rt_sim_source src;
    rt_options opt;

    (void)arg;
    memset(&src, 0, sizeof src);
    src.kind = RT_SIM_RR;
    src.step_budget = 1000;
    memset(&opt, 0, sizeof opt);
    opt.backend = RT_BACKEND_SIM;
    opt.sim = &src;
    tu_runopt(tu_parse("prog a\n SPIN 5000\nend\nstart a\n"), &opt);
}

TEST(check, liveness_step_budget_cuts_a_long_sim_run)
{
    EXPECT_THROW("liveness.budget", budgetrun, NULL);
}

/* the report -------------------------------------------------------- */

TEST(check, report_has_rule_events_timeline_and_replay_hint)
{
    int fds[2];

    (void)fds;
    hint = "gstorm replay crash.gsr";
    EXPECT_THROW("last events:", stackchanged, "sim");
    EXPECT_THROW("timeline by M:", stackchanged, "sim");
    EXPECT_THROW("replay: gstorm replay crash.gsr", stackchanged, "sim");
    EXPECT_THROW("the goroutine:", stackchanged, "sim");
}
