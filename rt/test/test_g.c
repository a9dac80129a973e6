/*
 * test_g.c - the status word: the legality table, the CAS helpers on
 * every legal and illegal pair, stopg on every status, restartg on every
 * scan state, gcphasework's ownership rule.
 */
#include <string.h>

#include "testutil.h"

/* Every status value a G can hold, base and scan forms. */
static const uint32_t all[] = {
    RT_G_IDLE,         RT_G_RUNNABLE,    RT_G_RUNNING,     RT_G_SYSCALL,
    RT_G_WAITING,      RT_G_DEAD,        RT_G_ENQUEUE,     RT_G_COPYSTACK,
    RT_G_SCANRUNNABLE, RT_G_SCANRUNNING, RT_G_SCANSYSCALL, RT_G_SCANWAITING,
    RT_G_SCANENQUEUE,
};
enum { NALL = sizeof all / sizeof all[0] };

TEST(g, table_matches_protocol)
{
    size_t k;
    int i, j, n = 0;

    /* Every row left out is a row of the spec, every extra row is not,
     * and each says why. */
    for (k = 0; k < tu_nleftout; k++) {
        CHECK(tu_inspec(tu_leftout[k].from, tu_leftout[k].to));
        CHECK(tu_leftout[k].why != NULL && tu_leftout[k].why[0] != 0);
    }
    for (k = 0; k < tu_nextra; k++) {
        CHECK(!tu_inspec(tu_extra[k].from, tu_extra[k].to));
        CHECK(tu_extra[k].why != NULL && tu_extra[k].why[0] != 0);
    }
    /* g.c's table is the spec's, less what is left out, plus the extras:
     * a row of PROTOCOL.md that g.c lacks unexplained, or a row g.c has
     * that neither the spec nor the extras list, fails. */
    for (i = 0; i < NALL; i++)
        for (j = 0; j < NALL; j++) {
            if (rt__gstatus_legal(all[i], all[j]) != tu_inrt(all[i], all[j]))
                test__fail(__FILE__, __LINE__,
                           "%s -> %s: g.c says %d, PROTOCOL.md %d (left "
                           "out or extra rows need a line in testutil.c)",
                           rt__gstatusname(all[i]), rt__gstatusname(all[j]),
                           rt__gstatus_legal(all[i], all[j]),
                           tu_inspec(all[i], all[j]));
            n += tu_inrt(all[i], all[j]);
        }
    CHECK_EQ(n, (int)(tu_nprotocol - tu_nleftout + tu_nextra));
}

/* Which helper makes a pair's move: casgstatus for base -> base,
 * castogscanstatus into a scan state, casfromgscanstatus out of one. */
static void domove(uint32_t from, uint32_t to)
{
    rt_g *gp = tu_fakeg(from);

    if (rt__isscanstatus(from))
        rt__casfromgscanstatus(gp, from, to);
    else if (rt__isscanstatus(to))
        CHECK(rt__castogscanstatus(gp, from, to));
    else
        rt__casgstatus(gp, from, to);
    CHECK_EQ(rt__readgstatus(gp), to);
}

static void movechild(void *arg)
{
    const uint32_t *pair = arg;

    domove(pair[0], pair[1]);
}

TEST(g, legal_pairs_move)
{
    int i, j;

    for (i = 0; i < NALL; i++)
        for (j = 0; j < NALL; j++)
            if (tu_inrt(all[i], all[j]))
                domove(all[i], all[j]);
}

/* illegal runs every illegal pair whose source satisfies sel, each in a
 * child that must throw "status.illegal" or "status.casgstatus". */
static int illegal(bool (*sel)(uint32_t from, uint32_t to))
{
    int i, j, n = 0;
    uint32_t pair[2];

    for (i = 0; i < NALL; i++)
        for (j = 0; j < NALL; j++) {
            if (tu_inrt(all[i], all[j]) || !sel(all[i], all[j]))
                continue;
            pair[0] = all[i];
            pair[1] = all[j];
            EXPECT_THROW("status.", movechild, pair);
            n++;
        }
    return n;
}

static bool basebase(uint32_t f, uint32_t t)
{
    return !rt__isscanstatus(f) && !rt__isscanstatus(t);
}
static bool toscan(uint32_t f, uint32_t t)
{
    return !rt__isscanstatus(f) && rt__isscanstatus(t);
}
static bool fromscan(uint32_t f, uint32_t t)
{
    return rt__isscanstatus(f);
}

TEST(g, casgstatus_illegal_pairs_throw)
{
    CHECK_GT(illegal(basebase), 50);
}

TEST(g, castogscanstatus_illegal_pairs_throw)
{
    CHECK_GT(illegal(toscan), 30);
}

TEST(g, casfromgscanstatus_illegal_pairs_throw)
{
    CHECK_GT(illegal(fromscan), 30);
}

static void casscanarg(void *arg)
{
    rt_g *gp = tu_fakeg(RT_G_WAITING);

    (void)arg;
    rt__casgstatus(gp, RT_G_SCANWAITING, RT_G_WAITING);
}

TEST(g, casgstatus_rejects_scan_values)
{
    EXPECT_THROW("bad incoming values", casscanarg, NULL);
}

static void casnontransient(void *arg)
{
    rt_g *gp = tu_fakeg(RT_G_DEAD);

    (void)arg;
    rt__casgstatus(gp, RT_G_RUNNABLE, RT_G_RUNNING);
}

TEST(g, casgstatus_throws_on_non_transient_mismatch)
{
    EXPECT_THROW("status.casgstatus", casnontransient, NULL);
}

/*
 * A race of two Ms, made deterministic on the sim: the waiter calls
 * wait(gp), which must spin while the holder keeps gp; the holder lets go
 * (release) only after the waiter has taken HOLD_STEPS yield points of its
 * own, a state it observes through the sim's step count: in sim one M runs
 * at a time, so the steps the holder did not take were the waiter's.
 */
enum { HOLD_STEPS = 20, HOLD_TRIES = 10000 };

typedef struct holdcase {
    rt_g *gp;
    void (*wait)(rt_g *gp);
    void (*release)(rt_g *gp);
    _Atomic uint32_t released;   /* set by the holder before release */
    _Atomic uint32_t sawrelease; /* the waiter, once wait returned */
    _Atomic uint64_t spun;       /* the waiter's steps while held */
} holdcase;

static void holder(void *arg)
{
    holdcase *c = arg;
    uint64_t start = rt__sim_steps(), mine = 0, spun = 0;

    while (spun < HOLD_STEPS && mine < HOLD_TRIES) {
        rt__osyield(); /* one yield point of ours */
        mine++;
        spun = rt__sim_steps() - start - mine;
    }
    atomic_store(&c->spun, spun);
    atomic_store(&c->released, 1);
    c->release(c->gp);
}

static void waiter(void *arg)
{
    holdcase *c = arg;
    rt_thread *t = rt__thread_start(holder, c);

    CHECK(t != NULL);
    c->wait(c->gp);
    atomic_store(&c->sawrelease, atomic_load(&c->released));
    rt__thread_join(t);
}

/* holdrace runs the race on the sim (round-robin) with a G in status,
 * checks that wait returned only after the release, having spun
 * meanwhile, and returns the G. */
static rt_g *holdrace(uint32_t status, void (*wait)(rt_g *),
                      void (*release)(rt_g *))
{
    static holdcase c;
    rt_sim_source src;

    memset(&c, 0, sizeof c);
    c.gp = tu_fakeg(status);
    c.wait = wait;
    c.release = release;
    memset(&src, 0, sizeof src);
    src.kind = RT_SIM_RR;
    CHECK_EQ(rt__os_run(RT_BACKEND_SIM, &src, waiter, &c), 0);
    CHECK_EQ(atomic_load(&c.sawrelease), 1);
    CHECK_GE(atomic_load(&c.spun), HOLD_STEPS);
    return c.gp;
}

static void readyg(rt_g *gp)
{
    rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNABLE); /* ready's move */
}

static void releasescan(rt_g *gp)
{
    rt__casfromgscanstatus(gp, RT_G_SCANWAITING, RT_G_WAITING);
}

TEST(g, casgstatus_spins_while_scan_bit_held)
{
    rt_g *gp = holdrace(RT_G_SCANWAITING, readyg, releasescan);

    CHECK_EQ(rt__readgstatus(gp), RT_G_RUNNABLE);
}

/* A second claim of a claimed G fails and changes nothing: not the
 * status, not the trace (no claim event), for every claimable status. */
TEST(g, castogscanstatus_fails_when_already_claimed)
{
    static const uint32_t base[][2] = {
        {RT_G_RUNNABLE, RT_G_SCANRUNNABLE}, {RT_G_WAITING, RT_G_SCANWAITING},
        {RT_G_SYSCALL, RT_G_SCANSYSCALL},   {RT_G_RUNNING, RT_G_SCANRUNNING},
        {RT_G_RUNNING, RT_G_SCANENQUEUE},
    };
    uint64_t events;
    size_t i, j;

    for (i = 0; i < sizeof base / sizeof base[0]; i++) {
        rt_g *gp = tu_fakeg(base[i][0]);
        CHECK(rt__castogscanstatus(gp, base[i][0], base[i][1])); /* first */
        for (j = 0; j < sizeof base / sizeof base[0]; j++) {
            if (base[j][0] != base[i][0])
                continue;
            events = rt__tracecount();
            CHECK(!rt__castogscanstatus(gp, base[j][0], base[j][1]));
            CHECK_EQ(rt__readgstatus(gp), base[i][1]);
            CHECK_EQ(rt__tracecount(), events);
        }
    }
}

static void releasenotheld(void *arg)
{
    rt_g *gp = tu_fakeg(RT_G_WAITING);

    (void)arg;
    rt__casfromgscanstatus(gp, RT_G_SCANWAITING, RT_G_WAITING);
}

TEST(g, casfromgscanstatus_throws_when_not_held)
{
    EXPECT_THROW("scan.release", releasenotheld, NULL);
}

/* stopg ------------------------------------------------------------- */

static void stopg_claims(uint32_t s)
{
    rt_g *gp = tu_fakeg(s);

    CHECK(rt__stopg(gp));
    CHECK_EQ(rt__readgstatus(gp), s | RT_G_SCAN);
    CHECK_EQ(atomic_load(&gp->gcworkdone), 1);
    rt__restartg(gp);
    CHECK_EQ(rt__readgstatus(gp), s);
}

TEST(g, stopg_runnable_claims_and_works)
{
    stopg_claims(RT_G_RUNNABLE);
}

TEST(g, stopg_waiting_claims_and_works)
{
    stopg_claims(RT_G_WAITING);
}

TEST(g, stopg_syscall_claims_and_works)
{
    stopg_claims(RT_G_SYSCALL);
}

TEST(g, stopg_dead_returns_false)
{
    rt_g *gp = tu_fakeg(RT_G_DEAD);

    CHECK(!rt__stopg(gp));
    CHECK_EQ(rt__readgstatus(gp), RT_G_DEAD);
    CHECK_EQ(atomic_load(&gp->gcworkdone), 0);
}

TEST(g, stopg_running_posts_preemption_request)
{
    rt_g *gp = tu_fakeg(RT_G_RUNNING);

    rt__transreset();
    CHECK(!rt__stopg(gp));
    CHECK_EQ(rt__readgstatus(gp), RT_G_RUNNING);
    CHECK_EQ(atomic_load(&gp->preemptscan), 1);
    CHECK_EQ(atomic_load(&gp->preempt), 1);
    CHECK(atomic_load(&gp->stackguard0) == RT_STACK_PREEMPT);
    CHECK_EQ(atomic_load(&gp->gcworkdone), 0);
    /* It went through Gscanrunning and back. */
    CHECK(rt__transseen(RT_G_RUNNING, RT_G_SCANRUNNING));
    CHECK(rt__transseen(RT_G_SCANRUNNING, RT_G_RUNNING));
}

TEST(g, stopg_claimed_by_another_returns_false)
{
    static const uint32_t held[] = {RT_G_SCANRUNNABLE, RT_G_SCANWAITING,
                                    RT_G_SCANSYSCALL, RT_G_SCANENQUEUE,
                                    RT_G_SCANRUNNING};
    size_t i;

    for (i = 0; i < sizeof held / sizeof held[0]; i++) {
        rt_g *gp = tu_fakeg(held[i]);
        CHECK(!rt__stopg(gp)); /* waited on, never thrown on (S6) */
        CHECK_EQ(rt__readgstatus(gp), held[i]);
        CHECK_EQ(atomic_load(&gp->gcworkdone), 0);
    }
}

TEST(g, stopg_work_already_done_returns_false)
{
    rt_g *gp = tu_fakeg(RT_G_WAITING);

    atomic_store(&gp->gcworkdone, 1);
    CHECK(!rt__stopg(gp));
    CHECK_EQ(rt__readgstatus(gp), RT_G_WAITING);
}

static void stopgclaims(rt_g *gp)
{
    CHECK(rt__stopg(gp));
}

static void copydone(rt_g *gp)
{
    rt__casgstatus(gp, RT_G_COPYSTACK, RT_G_WAITING);
}

TEST(g, stopg_copystack_retries_until_stack_moved)
{
    rt_g *gp = holdrace(RT_G_COPYSTACK, stopgclaims, copydone);

    CHECK_EQ(rt__readgstatus(gp), RT_G_SCANWAITING);
    rt__restartg(gp);
}

static void stopgstatus(void *arg)
{
    rt__stopg(tu_fakeg(*(uint32_t *)arg));
}

TEST(g, stopg_invalid_status_throws)
{
    uint32_t idle = RT_G_IDLE, enq = RT_G_ENQUEUE;

    EXPECT_THROW("status.stopg", stopgstatus, &idle);
    EXPECT_THROW("status.stopg", stopgstatus, &enq);
}

/* restartg ---------------------------------------------------------- */

TEST(g, restartg_every_scan_state_returns_to_base)
{
    static const uint32_t scan[] = {RT_G_SCANRUNNABLE, RT_G_SCANWAITING,
                                    RT_G_SCANSYSCALL};
    size_t i;

    for (i = 0; i < sizeof scan / sizeof scan[0]; i++) {
        rt_g *gp = tu_fakeg(scan[i]);
        rt__restartg(gp);
        CHECK_EQ(rt__readgstatus(gp), scan[i] & ~(uint32_t)RT_G_SCAN);
    }
}

TEST(g, restartg_scanenqueue_readies_the_master)
{
    rt_g *gp = tu_fakeg(RT_G_SCANENQUEUE);
    rt_p *p = tu_fakep();

    gp->m = rt__getm();
    atomic_store(&rt__getm()->curg, gp);
    rt__restartg(gp);
    CHECK_EQ(rt__readgstatus(gp), RT_G_RUNNABLE);
    CHECK(gp->m == NULL);
    CHECK(atomic_load(&rt__getm()->curg) == NULL);
    CHECK_EQ(atomic_load(&p->runqtail) - atomic_load(&p->runqhead), 1);
    CHECK(atomic_load(&p->runq[atomic_load(&p->runqhead) % RT_RUNQ]) == gp);
}

static void enqueuewrongm(void *arg)
{
    rt_g *gp = tu_fakeg(RT_G_SCANENQUEUE);

    (void)arg;
    gp->m = NULL; /* not the M that runs it */
    rt__restartg(gp);
}

TEST(g, restartg_scanenqueue_on_wrong_m_throws)
{
    EXPECT_THROW("quiesce.wrongm", enqueuewrongm, NULL);
}

TEST(g, restartg_dead_is_a_noop)
{
    rt_g *gp = tu_fakeg(RT_G_DEAD);

    rt__restartg(gp);
    CHECK_EQ(rt__readgstatus(gp), RT_G_DEAD);
}

static void restartbase(void *arg)
{
    rt__restartg(tu_fakeg(*(uint32_t *)arg));
}

TEST(g, restartg_unclaimed_status_throws)
{
    static uint32_t base[] = {RT_G_RUNNABLE, RT_G_RUNNING, RT_G_WAITING,
                              RT_G_SYSCALL, RT_G_SCANRUNNING};
    size_t i;

    for (i = 0; i < sizeof base / sizeof base[0]; i++)
        EXPECT_THROW("status.restartg", restartbase, &base[i]);
}

static void workunclaimed(void *arg)
{
    (void)arg;
    rt__gcphasework(tu_fakeg(RT_G_WAITING));
}

TEST(g, gcphasework_without_claim_throws)
{
    EXPECT_THROW("scan.unowned", workunclaimed, NULL);
}

TEST(g, gcphasework_in_mark_scans_the_stack)
{
    rt_g *gp = tu_fakeg(RT_G_WAITING);

    CHECK(rt__castogscanstatus(gp, RT_G_WAITING, RT_G_SCANWAITING));
    atomic_store(&rt__rt.gcphase, RT_PH_MARK);
    rt__gcphasework(gp);
    CHECK_EQ(gp->scancount, 1);
    CHECK_EQ(atomic_load(&gp->gcworkdone), 1);
    atomic_store(&rt__rt.gcphase, RT_PH_QUIESCE);
    gp->scancount = 0;
    rt__gcphasework(gp);
    CHECK_EQ(gp->scancount, 0); /* GCquiesce: no scan */
}

TEST(g, stopscanstart_leaves_g_released_and_done)
{
    rt_g *gp = tu_fakeg(RT_G_RUNNABLE);

    rt__stopscanstart(gp);
    CHECK_EQ(rt__readgstatus(gp), RT_G_RUNNABLE);
    CHECK_EQ(atomic_load(&gp->gcworkdone), 1);
}
