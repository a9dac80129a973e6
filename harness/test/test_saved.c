/*
 * test_saved.c - saved runs (saved.c): the metadata <-> spec codec both
 * ways and for every key, refusals that name the key and show the value,
 * CRLF metadata, the options a spec gives, and loading files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "hutil.h"
#include "test.h"

/* frommeta parses the metadata text m into *s and returns the code. */
static int frommeta(const char *m, gs_spec *s, char *err, size_t errlen)
{
    return gs_spec_from_meta(m, strlen(m), s, err, errlen);
}

/* roundtrip checks from_meta(to_meta(*s)) == *s. */
static void roundtrip(const gs_spec *s)
{
    char meta[1024], err[GS_ERRLEN];
    size_t n = gs_spec_to_meta(s, meta, sizeof meta);
    gs_spec back;

    CHECK_LT(n, sizeof meta);
    CHECK_EQ(strlen(meta), n);
    if (gs_spec_from_meta(meta, n, &back, err, sizeof err) != RT_OK)
        test__fail(__FILE__, __LINE__, "%s (metadata '%s')", err, meta);
    CHECK(memcmp(s, &back, sizeof back) == 0);
}

TEST(saved, spec_meta_roundtrip_every_key)
{
    gs_spec s;
    uint32_t k;

    gs_spec_default(&s);
    roundtrip(&s);
    for (k = RT_SIM_BYTES; k <= RT_SIM_RR; k++) {
        gs_spec_default(&s);
        s.kind = k;
        s.depth = GS_MAX_DEPTH;
        s.seed = UINT64_MAX;
        s.steps_hint = 12345;
        s.step_budget = 1000;
        s.bound_ns = 1000000;
        snprintf(s.rule, sizeof s.rule, "liveness.quiesce");
        snprintf(s.foundby, sizeof s.foundby, "explore");
        s.run = 77;
        if (rt_fault_count() > 0)
            s.faults = 1ull << (rt_fault_count() - 1) | 1;
        roundtrip(&s);
        /* A regression reproducer's keys (min --regress). */
        s.regress = s.faults | 2;
        snprintf(s.expect, sizeof s.expect, "scan.unowned");
        roundtrip(&s);
    }
}

TEST(saved, spec_to_meta_keeps_explores_layout)
{
    static const char want[] = "strategy=random\nseed=9\ndepth=3\n"
                               "steps_hint=0\nstep_budget=0\nbound_ns=5\n"
                               "rule=liveness.quiesce\nfound-by=explore\n"
                               "run=4";
    char meta[256], small[8];
    gs_spec s;

    gs_spec_default(&s);
    s.kind = RT_SIM_RANDOM;
    s.seed = 9;
    s.bound_ns = 5;
    snprintf(s.rule, sizeof s.rule, "liveness.quiesce");
    snprintf(s.foundby, sizeof s.foundby, "explore");
    s.run = 4;
    CHECK_EQ(gs_spec_to_meta(&s, meta, sizeof meta), strlen(want));
    if (strcmp(meta, want) != 0)
        test__fail(__FILE__, __LINE__, "got '%s'", meta);
    /* Like snprintf: the length needed, and a cut, terminated buffer. */
    CHECK_EQ(gs_spec_to_meta(&s, small, sizeof small), strlen(want));
    CHECK_EQ(strlen(small), sizeof small - 1);
    CHECK_EQ(gs_spec_to_meta(&s, NULL, 0), strlen(want));
}

TEST(saved, each_bad_value_is_refused_naming_its_key)
{
    static const struct {
        const char *meta, *want;
    } bad[] = {
        {"strategy=fast", "metadata strategy='fast' is not bytes, random, "
                          "pct or rr"},
        {"strategy=PCT", "metadata strategy='PCT'"},
        {"seed=-1", "metadata seed='-1' is not a number from 0 to"},
        {"seed=abc", "metadata seed='abc'"},
        {"seed=18446744073709551616", "metadata seed='18446744073709551616'"},
        {"seed= 5", "metadata seed=' 5'"},
        {"seed=", "metadata seed=''"},
        {"depth=0", "metadata depth='0' is not a number from 1 to 8"},
        {"depth=9", "metadata depth='9'"},
        {"steps_hint=1e3", "metadata steps_hint='1e3'"},
        {"step_budget=x", "metadata step_budget='x'"},
        {"bound_ns=+5", "metadata bound_ns='+5'"},
        {"faults=nosuch", "metadata faults='nosuch' is not a list of fault "
                          "ids ('nosuch' is not one"},
        {"faults=,", "metadata faults=','"},
        {"fault=nosuch", "metadata fault='nosuch' is not a list of fault "
                         "ids ('nosuch' is not one"},
        {"seed=1\nseed=x", "metadata seed='x'"}, /* the later line wins */
    };
    char err[GS_ERRLEN], rule[GS_MAX_RULE + 8];
    gs_spec s;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        if (frommeta(bad[i].meta, &s, err, sizeof err) != RT_EINVAL ||
            strstr(err, bad[i].want) == NULL)
            test__fail(__FILE__, __LINE__, "'%s': got '%s', want '%s'",
                       bad[i].meta, err, bad[i].want);
    }
    memset(rule, 'r', sizeof rule - 1);
    memcpy(rule, "rule=", 5);
    rule[sizeof rule - 1] = 0;
    CHECK_EQ(frommeta(rule, &s, err, sizeof err), RT_EINVAL);
    CONTAINS(err, "metadata rule='rrr");
    memcpy(rule, "expect=", 7);
    CHECK_EQ(frommeta(rule, &s, err, sizeof err), RT_EINVAL);
    CONTAINS(err, "metadata expect='rrr");
}

TEST(saved, a_refused_value_shows_invisible_characters)
{
    char err[GS_ERRLEN];
    gs_spec s;

    CHECK_EQ(frommeta("seed=5\x01", &s, err, sizeof err), RT_EINVAL);
    CONTAINS(err, "metadata seed='5\\x01' is not a number");
    CHECK_EQ(frommeta("strategy=pct\x7f", &s, err, sizeof err), RT_EINVAL);
    CONTAINS(err, "metadata strategy='pct\\x7f'");
    CHECK_EQ(frommeta("depth=2\r3", &s, err, sizeof err), RT_EINVAL);
    CONTAINS(err, "metadata depth='2\\r3'");
}

TEST(saved, crlf_metadata_is_read_without_its_cr)
{
    static const char m[] = "strategy=pct\r\nseed=5\r\ndepth=2\r\n"
                            "rule=gc.mark\r\nfound-by=hand\r\nrun=3\r\n";
    char err[GS_ERRLEN], val[16];
    gs_spec s;

    if (frommeta(m, &s, err, sizeof err) != RT_OK)
        test__fail(__FILE__, __LINE__, "%s", err);
    CHECK_EQ(s.kind, RT_SIM_PCT);
    CHECK_EQ(s.seed, 5);
    CHECK_EQ(s.depth, 2);
    CHECK(strcmp(s.rule, "gc.mark") == 0);
    CHECK(strcmp(s.foundby, "hand") == 0);
    CHECK_EQ(s.run, 3);
    CHECK(gs_metaget(m, strlen(m), "seed", val, sizeof val));
    CHECK(strcmp(val, "5") == 0);
}

TEST(saved, notes_and_unknown_keys_are_never_refused)
{
    char err[GS_ERRLEN], m[200];
    gs_spec s;

    snprintf(m, sizeof m,
             "note=hand-made\nrun=abc\nfound-by=%060d\n\nchecker=x", 0);
    if (frommeta(m, &s, err, sizeof err) != RT_OK)
        test__fail(__FILE__, __LINE__, "%s", err);
    CHECK_EQ(s.run, 0);
    CHECK_EQ(strlen(s.foundby), sizeof s.foundby - 1); /* kept, cut */
    CHECK_EQ(s.kind, RT_SIM_BYTES);
    CHECK_EQ(s.depth, GS_DEFAULT_DEPTH);
    CHECK_EQ(gs_spec_from_meta(NULL, 0, &s, err, sizeof err), RT_OK);
    CHECK_EQ(frommeta("faults=", &s, err, sizeof err), RT_OK);
    CHECK_EQ(s.faults, 0);
}

TEST(saved, metaget_matches_whole_keys_and_the_last_line)
{
    static const char m[] = "seedx=1\nseed=2\nxseed=3\nseed=4\nseed";
    char val[4];

    CHECK(gs_metaget(m, strlen(m), "seed", val, sizeof val));
    CHECK(strcmp(val, "4") == 0);
    CHECK(!gs_metaget(m, strlen(m), "see", val, sizeof val));
    CHECK(gs_metaget("k=12345", 7, "k", val, sizeof val));
    CHECK(strcmp(val, "123") == 0); /* cut to cap */
    CHECK(!gs_metaget(NULL, 0, "k", val, sizeof val));
}

TEST(saved, spec_options_fill_the_sim_source)
{
    static const uint8_t sched[] = {1, 2, 3};
    rt_sim_source src;
    rt_options opt;
    gs_spec s;

    gs_spec_default(&s);
    s.seed = 11;
    s.steps_hint = 12;
    s.step_budget = 13000;
    s.bound_ns = 14;
    s.faults = 0;
    gs_spec_options(&s, sched, sizeof sched, &src, &opt);
    CHECK_EQ(opt.backend, RT_BACKEND_SIM);
    CHECK(opt.sim == &src);
    CHECK_EQ(opt.seed, 11);
    CHECK_EQ(opt.quiesce_bound_ns, 14);
    CHECK_EQ(src.kind, RT_SIM_BYTES);
    CHECK_EQ(src.depth, GS_DEFAULT_DEPTH);
    CHECK_EQ(src.steps_hint, 12);
    CHECK_EQ(src.step_budget, 13000);
    CHECK(src.bytes == sched && src.nbytes == sizeof sched);
    s.kind = RT_SIM_RANDOM; /* the schedule bytes drive only `bytes` */
    gs_spec_options(&s, sched, sizeof sched, &src, &opt);
    CHECK(src.bytes == NULL && src.nbytes == 0);
}

TEST(saved, strategy_names_both_ways)
{
    uint32_t k;

    for (k = RT_SIM_BYTES; k <= RT_SIM_RR; k++)
        CHECK_EQ(gs_strategy_parse(gs_strategy_name(k)), (int)k);
    CHECK(strcmp(gs_strategy_name(RT_SIM_RR + 1), "?") == 0);
    CHECK_EQ(gs_strategy_parse("fast"), -1);
    CHECK_EQ(gs_strategy_parse(NULL), -1);
}

/* writetext writes text to dir/name and its path into path. */
static void writetext(const char *dir, const char *name, const char *text,
                      char *path, size_t cap)
{
    char err[GS_ERRLEN];

    snprintf(path, cap, "%s/%s", dir, name);
    if (gs_writefile(path, text, strlen(text), err, sizeof err) != RT_OK)
        test__fail(__FILE__, __LINE__, "%s", err);
}

TEST(saved, load_and_loadscenario_read_both_forms)
{
    static const char text[] = "threads 2\nprog m\n    GC\nend\nstart m\n";
    char dir[64], src[128], gsr[128], bad[128], err[GS_ERRLEN];
    rt_scenario *sc, *sc2;
    gs_loaded l;
    int code;

    fs_tmpdir(dir, sizeof dir);
    writetext(dir, "a.gs", text, src, sizeof src);
    writetext(dir, "bad.gs", "prog m\n    FROB\nend\n", bad, sizeof bad);
    sc = gs_loadscenario(src, err, sizeof err, &code);
    CHECK(sc != NULL);
    CHECK_EQ(sc->nthreads, 2);
    snprintf(gsr, sizeof gsr, "%s/a.gsr", dir);
    CHECK_EQ(gs_input_save(gsr, sc, (const uint8_t *)"\x05", 1, "seed=3", err,
                           sizeof err),
             RT_OK);
    CHECK_EQ(gs_load(gsr, &l, err, sizeof err), GS_EXIT_OK);
    CHECK_EQ(l.form, GS_INPUT_FILE);
    CHECK(l.mlen == 6 && memcmp(l.meta, "seed=3", 6) == 0);
    CHECK(l.nsched == 1 && l.sched[0] == 5);
    CHECK(memcmp(l.sc, sc, sizeof *sc) == 0);
    gs_unload(&l);
    sc2 = gs_loadscenario(gsr, err, sizeof err, &code); /* a gstorm file */
    CHECK(sc2 != NULL && memcmp(sc2, sc, sizeof *sc) == 0);
    free(sc2);

    CHECK(gs_loadscenario(bad, err, sizeof err, &code) == NULL);
    CHECK_EQ(code, GS_EXIT_USAGE);
    CHECK(strncmp(err, bad, strlen(bad)) == 0 && err[strlen(bad)] == ':');
    CONTAINS(err, ":2:5: unknown instruction 'FROB'");
    CHECK_EQ(gs_load(src, &l, err, sizeof err), GS_EXIT_OK); /* raw */
    CHECK_EQ(l.form, GS_INPUT_RAW);
    CHECK(l.meta == NULL);
    gs_unload(&l);
    fs_rmdir(dir);
    CHECK_EQ(gs_load(gsr, &l, err, sizeof err), GS_EXIT_USAGE);
    CHECK(strncmp(err, gsr, strlen(gsr)) == 0);
    CONTAINS(err, "No such file or directory");
    CHECK(gs_loadscenario(gsr, err, sizeof err, &code) == NULL);
    CHECK_EQ(code, GS_EXIT_USAGE);
    free(sc);
}

TEST(saved, load_refuses_a_damaged_file_naming_it)
{
    char dir[64], path[128], err[GS_ERRLEN];
    gs_loaded l;

    fs_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/trunc.gsr", dir);
    CHECK_EQ(gs_writefile(path, "GSTORM\0\x1a\x01\0\0\0", 12, err, sizeof err),
             RT_OK);
    CHECK_EQ(gs_load(path, &l, err, sizeof err), GS_EXIT_USAGE);
    CHECK(strncmp(err, path, strlen(path)) == 0);
    CONTAINS(err, "truncated at offset 12");
    fs_rmdir(dir);
}
