/*
 * test_faults.c - the catalog of injectable faults (faults.h): every
 * defect of PROTOCOL.md that applies to rt is there under its id, each
 * fault names a checker of rules.h, and a few faults are shown, on the
 * sim with fixed seeds, to make a run violate the rule their canary
 * expects while the same runs with the fault off are clean. (The search
 * for every fault is corpus/canaries.tsv, run by ci/canary.)
 */
#include <string.h>

#include "testutil.h"

/* The checkers of rules.h, read from its X-macro list (not from the
 * catalog, whose checker strings are what is being checked). */
static const char *const rulecheckers[] = {
#define CHECKER(name, text) text,
#include "rules.h"
};

/* The defects of PROTOCOL.md's "Known defects" table that apply to rt,
 * written out independently of faults.h. */
static const char *const defects[] = {
    "S1", "S2",  "S3",  "S4",  "S5",  "S6",  "S7",
    "S8", "S11", "S13", "S14", "S15", "S17", "S18",
};

TEST(faults, catalog_has_every_defect_and_more)
{
    size_t i;

    CHECK_GE(rt_fault_count(), 22);
    for (i = 0; i < sizeof defects / sizeof defects[0]; i++)
        if (rt_fault_find(defects[i]) < 0)
            test__fail(__FILE__, __LINE__, "defect %s is not in the catalog",
                       defects[i]);
    /* At least eight classic mistakes beside the defects. */
    CHECK_GE(rt_fault_count(), sizeof defects / sizeof defects[0] + 8);
}

TEST(faults, each_names_a_checker_of_rules_h)
{
    size_t i, j;
    bool known;

    for (i = 0; i < rt_fault_count(); i++) {
        const rt_fault_info *f = rt_fault(i);

        known = false;
        for (j = 0; j < sizeof rulecheckers / sizeof rulecheckers[0]; j++)
            known = known || strcmp(f->checker, rulecheckers[j]) == 0;
        if (!known)
            test__fail(__FILE__, __LINE__, "fault %s: '%s' is no checker",
                       f->id, f->checker);
        CHECK_GT(strlen(f->description), 20);
        CHECK_GT(strlen(f->source), 5);
    }
}

/* A run of one scenario on the sim: its text (or file), the faults (by
 * id, comma-separated, or NULL), the seeds to try (a throw ends the run
 * of seeds: the caller expects one, or none). */
typedef struct frun {
    const char *text, *file, *faults;
    uint32_t kind;
    uint64_t seed0, nseeds;
} frun;

/* runfaults runs r's scenario with r's faults from each seed in turn. */
static void runfaults(void *arg)
{
    const frun *r = arg;
    rt_scenario *sc;
    rt_sim_source src;
    rt_options opt;
    uint64_t seed;
    char *text = NULL;
    FILE *f;
    int i;

    if (r->file != NULL) {
        f = fopen(r->file, "rb");
        text = calloc(1, 1 << 16);
        CHECK(f != NULL && text != NULL);
        CHECK_GT(fread(text, 1, (1 << 16) - 1, f), 0);
        fclose(f);
        sc = tu_parse(text);
        free(text);
    } else {
        sc = tu_parse(r->text);
    }
    memset(&opt, 0, sizeof opt);
    if (r->faults != NULL) {
        char list[128], *id, *save = NULL;

        snprintf(list, sizeof list, "%s", r->faults);
        for (id = strtok_r(list, ",", &save); id != NULL;
             id = strtok_r(NULL, ",", &save)) {
            i = rt_fault_find(id);
            CHECK_GE(i, 0);
            opt.faults |= (uint64_t)1 << i;
        }
    }
    for (seed = r->seed0; seed < r->seed0 + r->nseeds; seed++) {
        memset(&src, 0, sizeof src);
        src.kind = r->kind;
        src.seed = seed;
        src.depth = 3;
        opt.backend = RT_BACKEND_SIM;
        opt.sim = &src;
        opt.seed = seed;
        opt.quiet = true;
        tu_runopt(sc, &opt);
    }
}

/* A parked waiter, then a WAKE: on one P main parks before the waker
 * runs, whatever the schedule. */
static const char *wakeafter = "procs 1\n"
                               "prog main frame 2\n GO waker 0\n BLOCK 0\n"
                               "end\n"
                               "prog waker frame 1\n WAKE 0\nend\n"
                               "start main\n";

TEST(faults, sema_lostwake_loses_the_wakeup)
{
    frun on = {wakeafter, NULL, "sema.lostwake", RT_SIM_RANDOM, 1, 1};
    frun off = on;

    EXPECT_THROW("violation [queue.lostwakeup]", runfaults, &on);
    off.faults = NULL;
    off.nseeds = 20;
    runfaults(&off);
}

/* A goroutine that runs one collection of the given mode. */
static const char *onegc = "procs 2\ngc %s\n"
                           "prog main frame 2\n NEW 0\n GC\n USE 0\nend\n"
                           "start main\n";

TEST(faults, gc_noresume_fails_the_master_claim)
{
    static char conc[256], stw[256];
    frun on = {conc, NULL, "gc.noresume", RT_SIM_RANDOM, 1, 1};
    frun off = on, stwrun = on;

    snprintf(conc, sizeof conc, onegc, "conc");
    snprintf(stw, sizeof stw, onegc, "stw");
    EXPECT_THROW("violation [quiesce.claim]", runfaults, &on);
    off.faults = NULL;
    off.nseeds = 20;
    runfaults(&off);
    /* The stop-the-world collector's path restores the status. */
    stwrun.text = stw;
    stwrun.nseeds = 20;
    runfaults(&stwrun);
}

TEST(faults, s8_goes_on_with_the_master_unclaimed)
{
    static char text[256];
    frun on = {text, NULL, "S8,gc.noresume", RT_SIM_RANDOM, 1, 1};
    frun alone = on;

    snprintf(text, sizeof text, onegc, "quiesce");
    EXPECT_THROW("violation [status.restartg]", runfaults, &on);
    /* Alone, S8 changes nothing: the master's CAS cannot fail. */
    alone.faults = "S8";
    alone.nseeds = 20;
    runfaults(&alone);
}

/* onoff expects some seed of 1..nseeds to make a run of a shipped
 * scenario with faults on throw rule, and those seeds with offfaults on
 * instead (NULL: none) to give clean runs. */
static void onoff(const char *scenario, const char *faults, const char *rule,
                  const char *offfaults, uint64_t nseeds)
{
    char path[512];
    frun r = {NULL, path, faults, RT_SIM_RANDOM, 1, nseeds};

    snprintf(path, sizeof path, "%s/corpus/scenarios/%s", GSTORM_SOURCE_DIR,
             scenario);
    EXPECT_THROW(rule, runfaults, &r);
    r.faults = offfaults;
    runfaults(&r);
}

TEST(faults, wb_off_loses_an_object_the_barrier_keeps)
{
    /* Explore's first seed found it at the time of writing; fifty give
     * room for rt's schedules to move. */
    onoff("lost-heap-to-stack.gs", "wb.off", "violation [gc.checkmark]", NULL,
          50);
}

TEST(faults, s1_alone_is_silent_and_with_s2_another_rule_fires)
{
    /* S2 alone is scan.unowned; S1 hides that, and the scan of a running
     * G is caught by the next check, on the G's status. */
    onoff("alloc-during-mark.gs", "S1,S2", "violation [scan.badstatus]", "S1",
          20);
}
