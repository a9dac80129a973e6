/*
 * test_oracle.c - the oracles that used to be blind, and the contracts rt
 * used to break (issue 7): each checker here fires on a violation made by
 * a test-only hook or variant, and each contract is checked on the
 * correct runtime. Violations run in forked children (EXPECT_THROW).
 */
#include <string.h>

#include "testutil.h"

/* simopt fills sim options: seeded random schedule, quiet, and a liveness
 * bound of bound_ns (0: the default). */
static void simopt(rt_options *opt, rt_sim_source *src, uint64_t seed,
                   uint64_t bound_ns)
{
    memset(src, 0, sizeof *src);
    src->kind = RT_SIM_RANDOM;
    src->seed = seed;
    src->step_budget = 5 * 1000 * 1000;
    memset(opt, 0, sizeof *opt);
    opt->backend = RT_BACKEND_SIM;
    opt->sim = src;
    opt->seed = seed;
    opt->quiet = true;
    opt->quiesce_bound_ns = bound_ns;
}

/* simrun runs sc on the sim with seed and returns its statistics. */
static rt_stats simrun(const rt_scenario *sc, uint64_t seed, uint64_t bound)
{
    rt_sim_source src;
    rt_options opt;

    simopt(&opt, &src, seed, bound);
    return tu_runopt(sc, &opt);
}

/* seeds runs sc under seeds 1..n (a child expecting a throw stops at the
 * first violating seed). */
static void seeds(const rt_scenario *sc, uint64_t n)
{
    uint64_t s;

    for (s = 1; s <= n; s++)
        simrun(sc, s, 0);
}

/* findg returns the first G in allgs running program prog in a status
 * whose base is base, or NULL. */
static rt_g *findg(uint16_t prog, uint32_t base)
{
    uint32_t i, n = atomic_load(&rt__rt.allglen); /* no yield point */
    rt_g *gp;

    for (i = 0; i < n; i++) {
        gp = rt__allg(i);
        if (gp->prog == prog &&
            (atomic_load(&gp->atomicstatus) & ~(uint32_t)RT_G_SCAN) == base)
            return gp;
    }
    return NULL;
}

/* quiesce.missed: S11's shape -------------------------------------- */

/* A spawner makes eight goroutines while main's collection quiesces;
 * they stay parked until main wakes them after the GC. */
static const char *spawning =
    "gc %s\nprocs 2\nthreads 4\n"
    "prog main\n GO sp 0\n GC\n"
    " WAKE 0\n WAKE 0\n WAKE 0\n WAKE 0\n"
    " WAKE 0\n WAKE 0\n WAKE 0\n WAKE 0\nend\n"
    "prog sp\n GO blk 0\n GO blk 0\n GO blk 0\n GO blk 0\n"
    " GO blk 0\n GO blk 0\n GO blk 0\n GO blk 0\nend\n"
    "prog blk\n BLOCK 0\nend\n"
    "start main\n";

static rt_scenario *spawnsc(const char *mode)
{
    char text[1024];

    snprintf(text, sizeof text, spawning, mode);
    return tu_parse(text);
}

/* oncelen keeps the allgs length of each quiesce's first pass: S11's
 * quiesce, which read it once before its passes. */
static uint32_t oncelen(uint32_t n)
{
    static uint32_t first;

    if (rt__rt.qpasses == 1)
        first = n;
    return first;
}

static void spawnrun(void *arg);

TEST(oracle, quiesce_missed_catches_a_length_read_once)
{
    /* Before: a G born during the cycle passed as a straggler. */
    EXPECT_THROW("quiesce.missed", spawnrun, "once conc");
    EXPECT_THROW("quiesce.missed", spawnrun, "once quiesce");
}

TEST(oracle, quiesce_stragglers_behind_the_pass_are_no_violation)
{
    /* The correct quiesce, same seeds: Gs born behind its passes are
     * stragglers, none is called missed. */
    rt_scenario *conc = spawnsc("conc"), *qui = spawnsc("quiesce");
    uint64_t s, stragglers = 0, spawns = 0;
    rt_stats st;

    for (s = 1; s <= 40; s++) {
        st = simrun(conc, s, 0);
        stragglers += st.stragglers;
        spawns += st.spawns;
        st = simrun(qui, s, 0);
        stragglers += st.stragglers;
    }
    CHECK_EQ(spawns, 40 * 10);
    printf("%llu stragglers in 80 runs\n", (unsigned long long)stragglers);
    CHECK_GT(stragglers, 0); /* the classification was exercised */
}

/* quiesce.post before the stragglers ------------------------------- */

/* undovisited plays a quiesce that let its visited Gs go without their
 * work (S13's shape): every G it visited that is live loses gcworkdone. */
static void undovisited(rt_hook where, rt_g *gp)
{
    uint32_t i, n = atomic_load(&rt__rt.allglen); /* no yield point */

    (void)gp;
    if (where != RT_HOOK_QUIESCED)
        return;
    for (i = 0; i < n; i++)
        if (atomic_load(&rt__allg(i)->qvisit) &&
            atomic_load(&rt__allg(i)->atomicstatus) != RT_G_DEAD)
            atomic_store(&rt__allg(i)->gcworkdone, 0);
}

/* spawnrun runs the spawning scenario (arg: "conc" or "quiesce") under
 * S11's quiesce ("once") or with undovisited. */
static void spawnrun(void *arg)
{
    bool once = strstr(arg, "once") != NULL;

    if (once)
        rt__test_quiesce_len = oncelen;
    else
        rt__test_hook = undovisited;
    seeds(spawnsc(strstr(arg, "conc") ? "conc" : "quiesce"), once ? 40 : 5);
}

TEST(oracle, quiesce_post_is_checked_before_the_stragglers)
{
    /* Before: stragglers() redid the work (born Gs) or called it missed
     * (the others); quiesce.post in quiesce mode could not fire. */
    EXPECT_THROW("quiesce.post", spawnrun, "quiesce");
    EXPECT_THROW("quiesce.post", spawnrun, "conc");
}

/* scan.unowned: the owner, and a stop only requested ---------------- */

static rt_m otherm = {.id = 9};

static void scanbyother(void *arg)
{
    rt_g *gp = tu_fakeg(RT_G_WAITING);

    CHECK(rt__castogscanstatus(gp, RT_G_WAITING, RT_G_SCANWAITING));
    /* Another M holds the claim; this one scans. */
    atomic_store(&gp->scanowner, &otherm);
    if (arg != NULL)
        rt__gcphasework(gp);
    else
        rt__scanstack(gp);
}

static void scanwhilerequested(void *arg)
{
    rt_g *gp = tu_fakeg(RT_G_WAITING);

    (void)arg;
    atomic_store(&rt__rt.sched.gcwaiting, 1); /* requested, not stopped */
    rt__scanstack(gp);
}

TEST(oracle, scan_unowned_names_a_claim_held_by_another_m)
{
    EXPECT_THROW("scan.unowned", scanbyother, NULL);
    EXPECT_THROW("held by M 9", scanbyother, "gcphasework");
}

TEST(oracle, scan_unowned_is_not_exempt_while_a_stop_is_only_requested)
{
    EXPECT_THROW("scan.unowned", scanwhilerequested, NULL);
}

TEST(oracle, scan_by_the_owner_or_in_a_stopped_world_passes)
{
    rt_g *gp = tu_fakeg(RT_G_WAITING);

    CHECK(rt__castogscanstatus(gp, RT_G_WAITING, RT_G_SCANWAITING));
    CHECK(atomic_load(&gp->scanowner) == rt__getm());
    rt__scanstack(gp);
    CHECK_EQ(gp->scancount, 1);
    rt__casfromgscanstatus(gp, RT_G_SCANWAITING, RT_G_WAITING);
    CHECK(atomic_load(&gp->scanowner) == NULL);
    atomic_store(&rt__rt.sched.stopped, 1);
    rt__scanstack(gp); /* unclaimed, but the world is stopped */
    atomic_store(&rt__rt.sched.stopped, 0);
    CHECK_EQ(gp->scancount, 2);
}

/* liveness.spin: every wait on another actor is bounded ------------- */

static void bound1ms(void)
{
    rt__rt.opt.quiesce_bound_ns = 1000 * 1000;
}

static void casgstatusspin(void *arg)
{
    rt_g *gp = tu_fakeg(RT_G_SCANWAITING); /* a claim nobody drops */

    (void)arg;
    bound1ms();
    rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNABLE);
}

static void stopgcopystack(void *arg)
{
    rt_g *gp = tu_fakeg(RT_G_COPYSTACK); /* a stack move that never ends */

    (void)arg;
    bound1ms();
    rt__stopg(gp);
}

/* claimself takes gp's scan bit at its self-scan and never lets go. */
static void claimself(rt_hook where, rt_g *gp)
{
    if (where == RT_HOOK_SELFSCAN)
        CHECK(rt__castogscanstatus(gp, RT_G_WAITING, RT_G_SCANWAITING));
}

static void selfscanspin(void *arg)
{
    rt_g *gp = tu_fakeg(RT_G_RUNNING);

    (void)arg;
    bound1ms();
    atomic_store(&gp->preemptscan, 1);
    atomic_store(&gp->preempt, 1);
    atomic_store(&gp->stackguard0, RT_STACK_PREEMPT);
    rt__test_hook = claimself;
    rt__morestack(gp, 1);
}

TEST(oracle, liveness_spin_bounds_casgstatus)
{
    EXPECT_THROW("casgstatus: waited", casgstatusspin, NULL);
}

TEST(oracle, liveness_spin_bounds_stopg_on_gcopystack)
{
    EXPECT_THROW("stopg: waited", stopgcopystack, NULL);
}

TEST(oracle, liveness_spin_bounds_the_self_scans_wait)
{
    EXPECT_THROW("selfscan: waited", selfscanspin, NULL);
}

/*
 * busysc builds: main starts a busy G (program 1: 300 calls, each a
 * preemption point, so that stop-the-world does not wait for it) and a G
 * (program 2, base frame of `frame` integer slots) that parks, then runs
 * a concurrent collection and wakes the parked G.
 */
static rt_scenario *busysc(int frame)
{
    static char text[8192];
    size_t n = 0;
    int i;

    n += snprintf(text + n, sizeof text - n,
                  "gc conc\nprocs 2\nthreads 4\n"
                  "prog main\n GO busy 0\n GO v 0\n YIELD\n GC\n WAKE 0\n"
                  "end\nprog busy\n");
    for (i = 0; i < 300; i++)
        n += snprintf(text + n, sizeof text - n, " CALL 0\n RET\n");
    snprintf(text + n, sizeof text - n,
             "end\nprog v frame %d\n BLOCK 0\nend\nstart main\n", frame);
    return tu_parse(text);
}

/* claimblk: the busy G takes the scan bit of a parked G during
 * quiesce and never drops it. */
static void claimblk(rt_hook where, rt_g *gp)
{
    rt_g *v;

    if (where != RT_HOOK_OP || gp->prog != 1 ||
        atomic_load(&rt__rt.gcphase) != RT_PH_MARK)
        return;
    v = findg(2, RT_G_WAITING);
    if (v != NULL && atomic_load(&v->atomicstatus) == RT_G_WAITING &&
        !atomic_load(&v->gcworkdone))
        rt__castogscanstatus(v, RT_G_WAITING, RT_G_SCANWAITING);
}

static void mquiescespin(void *arg)
{
    rt_scenario *sc = busysc(40);
    uint64_t s;

    (void)arg;
    rt__test_hook = claimblk;
    for (s = 1; s <= 40; s++)
        simrun(sc, s, 1000 * 1000);
}

TEST(oracle, liveness_spin_bounds_quiesce_on_a_claim_held_elsewhere)
{
    /* Before: the spin-hint branch spun until the step budget. */
    EXPECT_THROW("mquiesce: waited", mquiescespin, NULL);
}

/* a yield point per slot scanned ------------------------------------ */

/* writemidscan: the busy G writes into another G's stack while a
 * scan of it is in progress (a mutator that ignores the claim). */
static void writemidscan(rt_hook where, rt_g *gp)
{
    uint32_t i, n;
    rt_g *v;

    /* No yield point here (the hook also runs inside scanstack). */
    if (where != RT_HOOK_OP || gp->prog != 1)
        return;
    n = atomic_load(&rt__rt.allglen);
    for (i = 0; i < n; i++) {
        v = rt__allg(i);
        if (v != gp && atomic_load(&v->scanning))
            v->stack[v->stacksize - 1] ^= 2;
    }
}

static void midscanrun(void *arg)
{
    (void)arg;
    rt__test_hook = writemidscan;
    seeds(busysc(64), 40);
}

TEST(oracle, a_scan_of_a_stack_without_references_can_be_interleaved)
{
    /* v's stack holds no reference: before, its scan had no yield point
     * and w never saw it in progress. */
    EXPECT_THROW("scan.stackchanged", midscanrun, NULL);
}

/* invariant 4, the free list, the GC wait list ---------------------- */

/* A G exits before main's collection and is reused after it. */
static const char *reuse = "gc stw\nprocs 1\nthreads 3\n"
                           "prog main\n GO x 0\n YIELD\n YIELD\n GC\n"
                           " GO x 0\n YIELD\nend\n"
                           "prog x\n NOP\nend\nstart main\n";

static void stalescan(rt_hook where, rt_g *gp)
{
    rt_g *f;

    (void)gp;
    if (where == RT_HOOK_STW)
        for (f = rt__rt.sched.gfree; f != NULL; f = f->schedlink)
            atomic_store(&f->preemptscan, 1); /* a request on a dead G */
}

static void dropfree(rt_hook where, rt_g *gp)
{
    (void)gp;
    if (where == RT_HOOK_STW && rt__rt.sched.gfree != NULL) {
        rt__rt.sched.gfree = rt__rt.sched.gfree->schedlink;
        rt__rt.sched.ngfree--;
    }
}

static void miscount(rt_hook where, rt_g *gp)
{
    (void)gp;
    if (where == RT_HOOK_STW)
        rt__rt.sched.ngfree++;
}

static void reuserun(void *arg)
{
    const char *how = arg;

    rt__test_hook = strstr(how, "stale")  ? stalescan
                    : strstr(how, "drop") ? dropfree
                                          : miscount;
    seeds(tu_parse(reuse), 3);
}

TEST(oracle, status_stale_request_on_a_free_g)
{
    EXPECT_THROW("status.stale", reuserun, "stale");
}

TEST(oracle, queue_freelist_is_checked)
{
    EXPECT_THROW("queue.freelist", reuserun, "drop");
    EXPECT_THROW("queue.freelist", reuserun, "count");
}

/* waitforever: main waits for a GC cycle that never comes, parked on the
 * GC wait list (a lost GC-waiter wake-up). */
static void waitforever(rt_hook where, rt_g *gp)
{
    if (where == RT_HOOK_OP && gp->prog == 0 && gp->pc == 0)
        gp->gcwait = 1000;
}

static void gcwaiterrun(void *arg)
{
    rt__test_hook = waitforever;
    if (arg != NULL)
        seeds(tu_parse("prog main\n NOP\n NOP\nend\nstart main\n"), 1);
    else
        tu_run(tu_parse("prog main\n NOP\n NOP\nend\nstart main\n"), 1);
}

TEST(oracle, a_g_left_on_the_gc_wait_list_is_a_runtime_deadlock)
{
    /* Before: counted as blocked on its own BLOCKs, the run ended clean. */
    EXPECT_THROW("liveness.deadlock", gcwaiterrun, NULL);
    EXPECT_THROW("liveness.deadlock", gcwaiterrun, "sim");
}

/* m->locks: a preemption point with a runtime lock held -------------- */

static int lockedseen, lockedlocks, selfscanlocked;

static void postinlock(rt_hook where, rt_g *gp)
{
    if (where == RT_HOOK_LOCKED && lockedseen++ == 0) {
        lockedlocks = rt__getm()->locks;
        /* A stopg's request arrives while the heap lock is held. */
        atomic_store(&gp->preemptscan, 1);
        atomic_store(&gp->preempt, 1);
        atomic_store(&gp->stackguard0, RT_STACK_PREEMPT);
    }
    if (where == RT_HOOK_SELFSCAN &&
        (rt__getm()->locks != 0 || rt__lockheld(&rt__rt.heaplock)))
        selfscanlocked++;
}

TEST(oracle, newstack_does_not_preempt_while_a_runtime_lock_is_held)
{
    rt_stats st;

    rt__test_hook = postinlock;
    st = simrun(tu_parse("heap 64\nprog a frame 2\n NEW 0\n NEW 1\n NEW 0\n"
                         " NEW 1\n USE 0\nend\nstart a\n"),
                1, 0);
    rt__test_hook = NULL;
    CHECK_GE(lockedseen, 1);     /* NEW's slow path holds the heap lock ... */
    CHECK_EQ(lockedlocks, 1);    /* ... counted in m->locks */
    CHECK_EQ(st.selfscans, 1);   /* the request was taken afterwards */
    CHECK_EQ(selfscanlocked, 0); /* and not with the lock held */
}

/* the GC op waits for a whole cycle that started after it ----------- */

static uint32_t gcat[RT_MAX_START];
static int gcviolations;

/* gcwatch records the cycles started before each G's GC op (at its
 * YIELD, pc 0) and checks, at the op after it, that a later cycle has
 * finished. */
static void gcwatch(rt_hook where, rt_g *gp)
{
    uint32_t id;

    if (where != RT_HOOK_OP || gp->prog != 0)
        return;
    id = rt__goid(gp) % RT_MAX_START;
    if (gp->pc == 0)
        gcat[id] = atomic_load(&rt__rt.gccycle);
    if (gp->pc == 2 && atomic_load(&rt__rt.gcdone) <= gcat[id])
        gcviolations++;
}

TEST(oracle, gc_op_waits_for_a_cycle_that_started_after_it)
{
    const char *modes[] = {"stw", "quiesce", "conc"};
    char text[256];
    uint64_t coalesced = 0, s;
    rt_stats st;
    int m;

    rt__test_hook = gcwatch;
    for (m = 0; m < 3; m++) {
        snprintf(text, sizeof text,
                 "gc %s\nprocs 2\nthreads 4\n"
                 "prog g\n YIELD\n GC\n NOP\nend\nstart g\nstart g\n"
                 "start g\n",
                 modes[m]);
        for (s = 1; s <= 20; s++) {
            st = simrun(tu_parse(text), s, 0);
            coalesced += st.gc_coalesced;
        }
    }
    rt__test_hook = NULL;
    CHECK_GT(coalesced, 0); /* ops did find a cycle running */
    CHECK_EQ(gcviolations, 0);
}

/* needmore: the G's GC op asks for a cycle that never comes. */
static void needmore(rt_hook where, rt_g *gp)
{
    if (where == RT_HOOK_OP && gp->prog == 0 && gp->pc == 1) {
        gp->gcneed = 1000;
        gp->gcpc = gp->pc;
    }
}

static void gcwaitedrun(void *arg)
{
    char text[128];

    rt__test_hook = needmore;
    snprintf(text, sizeof text,
             "gc %s\nprog g\n NOP\n GC\n NOP\nend\n"
             "start g\n",
             (const char *)arg);
    seeds(tu_parse(text), 1);
}

TEST(oracle, gc_waited_fires_when_an_op_goes_on_too_early)
{
    EXPECT_THROW("gc.waited", gcwaitedrun, "stw");
    EXPECT_THROW("gc.waited", gcwaitedrun, "conc");
}

/* NEW is a preemption point ------------------------------------------ */

TEST(oracle, an_allocating_g_is_preempted_at_its_new)
{
    /* a only allocates (no CALL); b's collection stops the world (stw)
     * or asks a to scan itself (conc) while a runs. */
    const char *text = "gc %s\nprocs 2\nthreads 4\nheap 4096\n"
                       "prog a frame 2\n"
                       " NEW 0\n NEW 1\n NEW 0\n NEW 1\n NEW 0\n NEW 1\n"
                       " NEW 0\n NEW 1\n NEW 0\n NEW 1\n NEW 0\n NEW 1\n"
                       " NEW 0\n NEW 1\n NEW 0\n NEW 1\n NEW 0\n NEW 1\n"
                       "end\nprog b\n YIELD\n GC\nend\nstart a\nstart b\n";
    char buf[1024];
    uint64_t preempt = 0, selfscans = 0, s;
    rt_stats st;

    snprintf(buf, sizeof buf, text, "stw");
    for (s = 1; s <= 20; s++)
        preempt += simrun(tu_parse(buf), s, 0).preemptions;
    snprintf(buf, sizeof buf, text, "conc");
    for (s = 1; s <= 20; s++) {
        st = simrun(tu_parse(buf), s, 0);
        selfscans += st.selfscans;
    }
    CHECK_GT(preempt, 0);
    CHECK_GT(selfscans, 0);
}
