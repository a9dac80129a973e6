/*
 * test_lock.c - the lock-held assertion: rt__lockheld on both backends
 * (held by the caller, by another M, by nobody; no yield point in the
 * sim), and RT__ASSERT_HELD throwing sched.lockheld when a function that
 * needs a runtime lock runs without it.
 */
#include <string.h>

#include "testutil.h"

/* What one test shares with the M it starts. */
typedef struct lockcase {
    rt_mutex lock;
    rt_note held;    /* the other M holds lock */
    rt_note release; /* the other M may let go */
    bool sawheld;    /* the other M saw rt__lockheld true while holding */
} lockcase;

/* holder takes the lock, checks that it holds it, says so, and keeps it
 * until told to let go. */
static void holder(void *arg)
{
    lockcase *c = arg;

    rt__lock(&c->lock);
    c->sawheld = rt__lockheld(&c->lock);
    rt__notewakeup(&c->held);
    rt__notesleep(&c->release);
    rt__unlock(&c->lock);
}

/* checkowners runs on the first M of a backend: the lock held by us, by
 * nobody, and by another M. */
static void checkowners(void *arg)
{
    lockcase *c = arg;
    rt_thread *t;

    CHECK(!rt__lockheld(&c->lock));
    rt__lock(&c->lock);
    CHECK(rt__lockheld(&c->lock));
    rt__unlock(&c->lock);
    CHECK(!rt__lockheld(&c->lock));

    t = rt__thread_start(holder, c);
    CHECK(t != NULL);
    rt__notesleep(&c->held);
    CHECK(c->sawheld);
    CHECK(!rt__lockheld(&c->lock)); /* held, but not by us */
    rt__notewakeup(&c->release);
    rt__thread_join(t);
    CHECK(!rt__lockheld(&c->lock));
}

static void runowners(int backend)
{
    static lockcase c;
    rt_sim_source src;

    memset(&c, 0, sizeof c);
    memset(&src, 0, sizeof src);
    src.kind = RT_SIM_RANDOM;
    src.seed = 3;
    CHECK_EQ(rt__os_run(backend, &src, checkowners, &c), 0);
    CHECK(c.sawheld);
}

TEST(lock, lockheld_threads)
{
    runowners(RT_BACKEND_THREADS);
}

TEST(lock, lockheld_sim)
{
    runowners(RT_BACKEND_SIM);
}

/* noyield checks, inside a sim run, that rt__lockheld takes no yield
 * point: the step count does not move however often it is asked. */
static void noyield(void *arg)
{
    rt_mutex *l = arg;
    uint64_t before;
    int i;

    rt__lock(l);
    before = rt__sim_steps();
    for (i = 0; i < 100; i++)
        CHECK(rt__lockheld(l));
    CHECK_EQ(rt__sim_steps(), before);
    rt__unlock(l);
    CHECK_GT(rt__sim_steps(), before); /* an unlock is one */
}

TEST(lock, lockheld_is_no_yield_point)
{
    static rt_mutex l;
    rt_sim_source src;

    memset(&src, 0, sizeof src);
    src.kind = RT_SIM_RR;
    CHECK_EQ(rt__os_run(RT_BACKEND_SIM, &src, noyield, &l), 0);
}

/* deadlockcheck calls rt__programdeadlock, which needs sched.lock, with
 * the lock (arg non-NULL) or without it. Outside a run there are no Gs:
 * with the lock it finds none blocked. */
static void deadlockcheck(void *arg)
{
    if (arg != NULL)
        rt__lock(&rt__rt.sched.lock);
    CHECK_EQ(rt__programdeadlock(), 0);
    if (arg != NULL)
        rt__unlock(&rt__rt.sched.lock);
}

TEST(lock, assert_held_passes_with_the_lock)
{
    deadlockcheck(&rt__rt);
}

TEST(lock, assert_held_throws_without_the_lock)
{
    EXPECT_THROW("violation [sched.lockheld]: rt__programdeadlock needs "
                 "&rt__rt.sched.lock held",
                 deadlockcheck, NULL);
}

/* otherholds asserts a lock that another thread holds: locked is not
 * enough, it must be held by the caller. */
static void otherholds(void *arg)
{
    static lockcase c;
    rt_thread *t;

    (void)arg;
    memset(&c, 0, sizeof c);
    t = rt__thread_start(holder, &c);
    CHECK(t != NULL);
    rt__notesleep(&c.held);
    RT__ASSERT_HELD(&c.lock); /* locked, but by holder */
}

TEST(lock, assert_held_throws_when_another_m_holds_it)
{
    EXPECT_THROW("violation [sched.lockheld]: otherholds needs &c.lock held",
                 otherholds, NULL);
}
