/*
 * test_g.c - the status word: the legality table, the CAS helpers on
 * every legal and illegal pair, stopg on every status, restartg on every
 * scan state, gcphasework's ownership rule.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* Every status value a G can hold, base and scan forms. */
static const uint32_t all[] = {
    RT_G_IDLE,         RT_G_RUNNABLE,    RT_G_RUNNING,     RT_G_SYSCALL,
    RT_G_WAITING,      RT_G_DEAD,        RT_G_ENQUEUE,     RT_G_COPYSTACK,
    RT_G_SCANRUNNABLE, RT_G_SCANRUNNING, RT_G_SCANSYSCALL, RT_G_SCANWAITING,
    RT_G_SCANENQUEUE,
};
enum { NALL = sizeof all / sizeof all[0] };

static bool inprotocol(uint32_t from, uint32_t to)
{
    size_t i;

    for (i = 0; i < tu_nprotocol; i++)
        if (tu_protocol[i][0] == from && tu_protocol[i][1] == to)
            return true;
    return false;
}

TEST(g, table_matches_protocol)
{
    int i, j, n = 0;

    for (i = 0; i < NALL; i++)
        for (j = 0; j < NALL; j++) {
            if (rt__gstatus_legal(all[i], all[j]) != inprotocol(all[i], all[j]))
                test__fail(__FILE__, __LINE__, "%s -> %s: g.c says %d",
                           rt__gstatusname(all[i]), rt__gstatusname(all[j]),
                           rt__gstatus_legal(all[i], all[j]));
            n += inprotocol(all[i], all[j]);
        }
    CHECK_EQ(n, (int)tu_nprotocol);
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
    size_t i;

    for (i = 0; i < tu_nprotocol; i++)
        domove(tu_protocol[i][0], tu_protocol[i][1]);
}

/* illegal runs every illegal pair whose source satisfies sel, each in a
 * child that must throw "status.illegal" or "status.casgstatus". */
static int illegal(bool (*sel)(uint32_t from, uint32_t to))
{
    int i, j, n = 0;
    uint32_t pair[2];

    for (i = 0; i < NALL; i++)
        for (j = 0; j < NALL; j++) {
            if (inprotocol(all[i], all[j]) || !sel(all[i], all[j]))
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

static void *releaser(void *arg)
{
    rt_g *gp = arg;
    struct timespec ts = {0, 20 * 1000 * 1000};

    nanosleep(&ts, NULL);
    rt__casfromgscanstatus(gp, RT_G_SCANWAITING, RT_G_WAITING);
    return NULL;
}

TEST(g, casgstatus_spins_while_scan_bit_held)
{
    rt_g *gp = tu_fakeg(RT_G_SCANWAITING);
    pthread_t t;
    int64_t t0, t1;

    pthread_create(&t, NULL, releaser, gp);
    t0 = rt__nanotime();
    rt__casgstatus(gp, RT_G_WAITING, RT_G_RUNNABLE); /* ready's move */
    t1 = rt__nanotime();
    pthread_join(t, NULL);
    CHECK_EQ(rt__readgstatus(gp), RT_G_RUNNABLE);
    CHECK_GE(t1 - t0, 10 * 1000 * 1000); /* it waited for the holder */
}

TEST(g, castogscanstatus_fails_when_already_claimed)
{
    rt_g *gp = tu_fakeg(RT_G_SCANWAITING);

    CHECK(!rt__castogscanstatus(gp, RT_G_WAITING, RT_G_SCANWAITING));
    CHECK_EQ(rt__readgstatus(gp), RT_G_SCANWAITING);
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

static void *copydone(void *arg)
{
    rt_g *gp = arg;
    struct timespec ts = {0, 20 * 1000 * 1000};

    nanosleep(&ts, NULL);
    rt__casgstatus(gp, RT_G_COPYSTACK, RT_G_WAITING);
    return NULL;
}

TEST(g, stopg_copystack_retries_until_stack_moved)
{
    rt_g *gp = tu_fakeg(RT_G_COPYSTACK);
    pthread_t t;

    pthread_create(&t, NULL, copydone, gp);
    CHECK(rt__stopg(gp));
    pthread_join(t, NULL);
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
    rt_g *gp = tu_fakeg(RT_G_SCANWAITING);

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
