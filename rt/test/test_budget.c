/*
 * test_budget.c - the spawn budget (rt_options.spawn_budget): a program
 * that spawns itself forever is stopped with liveness.budget on real
 * threads as in the sim, the bound is exact, and the default lets large
 * runs through.
 */
#include <string.h>

#include "testutil.h"

/* A program that starts itself again and exits: without a bound it runs
 * forever on real threads. */
static const char *const selfspawn = "prog p\n GO p 0\n EXIT\nend\n"
                                     "start p\n";

/* One started G that spawns five workers: six goroutines in all. */
static const char *const six = "prog main\n GO w 0\n GO w 0\n GO w 0\n"
                               " GO w 0\n GO w 0\nend\n"
                               "prog w\n YIELD\nend\n"
                               "start main\n";

/* A budget case: a scenario, a budget, a backend. */
typedef struct budgetcase {
    const char *text;
    uint64_t budget;
    bool sim;
} budgetcase;

/* runbudget runs a case; returns the run's statistics. */
static rt_stats runbudget(const budgetcase *c)
{
    rt_sim_source src;
    rt_options opt;

    tu_opts(&opt, &src, c->sim, 11, 2, 4);
    opt.quiet = true;
    opt.spawn_budget = c->budget;
    return tu_runopt(tu_parse(c->text), &opt);
}

static void runcase(void *arg)
{
    runbudget(arg);
}

TEST(budget, self_spawning_program_stops_threads)
{
    budgetcase c = {selfspawn, 1000, false};

    EXPECT_THROW("violation [liveness.budget]: the run started more than "
                 "1000 goroutines",
                 runcase, &c);
}

TEST(budget, self_spawning_program_stops_sim)
{
    budgetcase c = {selfspawn, 1000, true};

    EXPECT_THROW("violation [liveness.budget]: the run started more than "
                 "1000 goroutines",
                 runcase, &c);
}

/* The bound is exact: six goroutines fit a budget of six, not of five. */
TEST(budget, bound_is_exact_threads)
{
    budgetcase ok = {six, 6, false}, over = {six, 5, false};

    CHECK_EQ(runbudget(&ok).spawns, 6);
    EXPECT_THROW("the run started more than 5 goroutines", runcase, &over);
}

TEST(budget, bound_is_exact_sim)
{
    budgetcase ok = {six, 6, true}, over = {six, 5, true};

    CHECK_EQ(runbudget(&ok).spawns, 6);
    EXPECT_THROW("the run started more than 5 goroutines", runcase, &over);
}

/* With the default budget (0), a run may start far more goroutines than
 * any small budget: 256 started Gs that spawn 40 workers each, 10,496 in
 * all, finish. */
TEST(budget, default_admits_large_runs)
{
    char text[1024];
    budgetcase c = {text, 0, true};
    size_t n = 0;
    int i;

    n += (size_t)snprintf(text + n, sizeof text - n, "prog main\n");
    for (i = 0; i < 40; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, " GO w 0\n");
    n += (size_t)snprintf(text + n, sizeof text - n,
                          "end\nprog w\n EXIT\nend\n");
    n += (size_t)snprintf(text + n, sizeof text - n, "start main x256\n");
    CHECK_LT(n, sizeof text);
    CHECK_EQ(runbudget(&c).spawns, 256 * 41);
}
