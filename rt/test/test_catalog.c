/*
 * test_catalog.c - the catalogs of rules and faults (rt_rule*, rt_fault*
 * in rt.h): well-formed ids, known checkers, lookups that round-trip,
 * every rule id a saved finding may carry still present, and a throw that
 * reports the id its table entry gives.
 */
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* The checkers of DESIGN.md section 4, "resource" (not a protocol
 * violation) and "sanitizer" (the checker of faults only a sanitizer
 * sees), written out independently of rules.h. */
static const char *const checkers[] = {
    "transition legality",
    "scan ownership",
    "quiesce / markroot postconditions",
    "queue consistency",
    "GC safety",
    "liveness",
    "scheduler sanity",
    "resource",
    "sanitizer",
};

/* Every rule id that reports and saved findings used before the catalog
 * existed: ids are recorded in files, so none may disappear or change. */
static const char *const knownids[] = {
    "status.illegal",  "status.casgstatus", "status.stopg",
    "status.restartg", "status.ready",      "status.gfput",
    "status.allgadd",  "scan.unowned",      "scan.running",
    "scan.concurrent", "scan.stackchanged", "scan.release",
    "scan.notclaimed", "scan.badstatus",    "quiesce.post",
    "markroot.post",   "quiesce.missed",    "quiesce.claim",
    "quiesce.wrongm",  "quiesce.ong",       "queue.runnable",
    "queue.parked",    "queue.stale",       "queue.lostwakeup",
    "queue.cycle",     "queue.runq",        "sched.lostwakeup",
    "gc.checkmark",    "gc.use_after_free", "gc.badref",
    "gc.phase",        "liveness.quiesce",  "liveness.stw",
    "liveness.gc",     "liveness.deadlock", "liveness.budget",
    "sched.stw",       "sched.stopwait",    "sched.acquirep",
    "sched.releasep",  "sched.stopm",       "stack.overflow",
    "stack.size",      "rt.nomem",          "rt.toomanyg",
    "rt.thread",
};

/* idok reports whether id matches [a-z]+\.[a-z_]+ exactly. */
static bool idok(const char *id)
{
    const char *p = id;

    if (*p < 'a' || *p > 'z')
        return false;
    while (*p >= 'a' && *p <= 'z')
        p++;
    if (*p++ != '.')
        return false;
    if ((*p < 'a' || *p > 'z') && *p != '_')
        return false;
    while ((*p >= 'a' && *p <= 'z') || *p == '_')
        p++;
    return *p == 0;
}

/* defectidok reports whether id is a defect id of PROTOCOL.md: S and a
 * number without a leading zero. */
static bool defectidok(const char *id)
{
    const char *p = id + 1;

    if (id[0] != 'S' || *p < '1' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    return *p == 0;
}

/* knownchecker reports whether name is one of checkers[]. */
static bool knownchecker(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof checkers / sizeof checkers[0]; i++)
        if (strcmp(checkers[i], name) == 0)
            return true;
    return false;
}

TEST(catalog, id_pattern_matcher_is_strict)
{
    /* The oracle of the tests below must itself reject bad ids. */
    CHECK(idok("status.illegal"));
    CHECK(idok("gc.use_after_free"));
    CHECK(!idok("status"));
    CHECK(!idok("Status.illegal"));
    CHECK(!idok("status.illegal.x"));
    CHECK(!idok(".illegal"));
    CHECK(!idok("status."));
    CHECK(!idok("status.ill-egal"));
    CHECK(!knownchecker("transitions"));
    CHECK(defectidok("S1") && defectidok("S18"));
    CHECK(!defectidok("S") && !defectidok("S01") && !defectidok("s1"));
    CHECK(!defectidok("S1x") && !defectidok("T1"));
}

TEST(catalog, rule_ids_are_well_formed_and_unique)
{
    size_t n = rt_rule_count(), i, j;

    CHECK_GE(n, sizeof knownids / sizeof knownids[0]);
    for (i = 0; i < n; i++) {
        const rt_rule_info *r = rt_rule(i);
        CHECK(r != NULL && r->id != NULL && r->meaning != NULL);
        if (!idok(r->id))
            test__fail(__FILE__, __LINE__, "rule id '%s' is malformed", r->id);
        CHECK_GT(strlen(r->meaning), 10);
        for (j = 0; j < i; j++)
            if (strcmp(rt_rule(j)->id, r->id) == 0)
                test__fail(__FILE__, __LINE__, "rule id '%s' twice", r->id);
    }
    CHECK(rt_rule(n) == NULL);
}

TEST(catalog, rule_checkers_are_known)
{
    size_t i;

    for (i = 0; i < rt_rule_count(); i++)
        if (!knownchecker(rt_rule(i)->checker))
            test__fail(__FILE__, __LINE__, "rule %s: unknown checker '%s'",
                       rt_rule(i)->id, rt_rule(i)->checker);
}

TEST(catalog, rule_find_round_trips)
{
    size_t i;

    for (i = 0; i < rt_rule_count(); i++)
        CHECK(rt_rule_find(rt_rule(i)->id) == rt_rule(i));
    CHECK(rt_rule_find("status.nosuchrule") == NULL);
    CHECK(rt_rule_find("status") == NULL);
    CHECK(rt_rule_find("") == NULL);
    CHECK(rt_rule_find(NULL) == NULL);
}

TEST(catalog, every_known_rule_id_is_present)
{
    size_t i;

    for (i = 0; i < sizeof knownids / sizeof knownids[0]; i++)
        if (rt_rule_find(knownids[i]) == NULL)
            test__fail(__FILE__, __LINE__, "rule id '%s' is gone", knownids[i]);
    CHECK(rt_rule_find("sched.lockheld") != NULL);
}

TEST(catalog, resource_flag_is_the_resource_checker)
{
    size_t i, nres = 0;

    for (i = 0; i < rt_rule_count(); i++) {
        const rt_rule_info *r = rt_rule(i);
        CHECK_EQ(r->resource, strcmp(r->checker, "resource") == 0);
        nres += r->resource;
    }
    /* Running out of memory, goroutine slots or threads. */
    CHECK(rt_rule_find("rt.nomem")->resource);
    CHECK(rt_rule_find("rt.toomanyg")->resource);
    CHECK(rt_rule_find("rt.thread")->resource);
    CHECK_EQ(nres, 3);
    CHECK(!rt_rule_find("liveness.deadlock")->resource);
    CHECK_EQ(
        strcmp(rt_rule_find("status.illegal")->checker, "transition legality"),
        0);
}

TEST(catalog, fault_table_is_well_formed)
{
    size_t n = rt_fault_count(), i, j;

    CHECK_LE(n, 64); /* a bit of rt_options.faults each */
    for (i = 0; i < n; i++) {
        const rt_fault_info *f = rt_fault(i);
        CHECK(f != NULL && f->description != NULL && f->source != NULL);
        /* A defect of PROTOCOL.md keeps its id there ("S1"); the
         * others are "<area>.<what>" as rule ids are. */
        if (!idok(f->id) && !defectidok(f->id))
            test__fail(__FILE__, __LINE__, "fault id '%s' is malformed", f->id);
        if (!knownchecker(f->checker))
            test__fail(__FILE__, __LINE__, "fault %s: unknown checker '%s'",
                       f->id, f->checker);
        CHECK_EQ(rt_fault_find(f->id), (long long)i);
        for (j = 0; j < i; j++)
            CHECK_NE(strcmp(rt_fault(j)->id, f->id), 0);
    }
    CHECK(rt_fault(n) == NULL);
    CHECK_EQ(rt_fault_find("scan.nosuchfault"), -1);
    CHECK_EQ(rt_fault_find(NULL), -1);
}

/* throwrule throws rule *(size_t *)arg, outside any run. */
static void throwrule(void *arg)
{
    rt__throw((rt__rule) * (size_t *)arg, NULL, "thrown by the test");
}

TEST(catalog, a_throw_reports_the_id_of_its_table_entry)
{
    char want[128];
    size_t i;

    for (i = 0; i < rt_rule_count(); i++) {
        /* The report's last line names the rule, with its brackets: the
         * whole id, not a prefix of another. */
        snprintf(want, sizeof want, "gstorm: violation [%s]\n", rt_rule(i)->id);
        EXPECT_THROW(want, throwrule, &i);
    }
}

/* printhook is a throw hook that names the id it was given, then exits as
 * the runner's own hook does (86: "threw"). */
static _Noreturn void printhook(const char *rule)
{
    fprintf(stderr, "hook got [%s]\n", rule);
    fflush(stderr);
    _exit(86);
}

/* throwhooked throws rule *(size_t *)arg with printhook installed. */
static void throwhooked(void *arg)
{
    rt_set_throw_hook(printhook);
    throwrule(arg);
}

TEST(catalog, the_throw_hook_gets_the_id_string)
{
    size_t i = RT_RULE_SCHED_LOCKHELD;
    char want[128];

    snprintf(want, sizeof want, "hook got [%s]", rt_rule(i)->id);
    EXPECT_THROW(want, throwhooked, &i);
    CHECK_EQ(strcmp(rt_rule(i)->id, "sched.lockheld"), 0);
}
