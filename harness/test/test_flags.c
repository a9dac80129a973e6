/*
 * test_flags.c - the flag parser (flags.c): every kind of flag, its
 * refusals and their messages, positionals, "--" and --help.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

/* What one parse set: the outputs of the flags below. */
typedef struct got {
    uint64_t n;
    int gc;
    const char *out, *sched;
    gs_strlist meta;
    bool quick, nseen;
    const char *pos[2];
    size_t npos;
    bool help;
    char msg[1024]; /* what it printed on stderr */
} got;

static const char *const gcs[] = {"stw", "quiesce", "conc", NULL};

/*
 * parsev runs gs_flags_parse("cmd", argc, argv) (argv[0] is the
 * command's name) with at most maxpos positionals into *g; stderr is
 * caught into g->msg. Returns the exit code.
 */
static int parsev(got *g, size_t maxpos, int argc, char **argv)
{
    const gs_flag flags[] = {
        {"--n", NULL, GS_FLAG_U64, 1, 10, NULL, &g->n, &g->nseen},
        {"--gc", NULL, GS_FLAG_CHOICE, 0, 0, gcs, &g->gc, NULL},
        {"--output", "-o", GS_FLAG_STR, 0, 0, NULL, &g->out, NULL},
        {"--schedule", NULL, GS_FLAG_TEXT, 0, 0, NULL, &g->sched, NULL},
        {"--meta", NULL, GS_FLAG_LIST, 0, 0, NULL, &g->meta, NULL},
        {"--quick", "-q", GS_FLAG_BOOL, 0, 0, NULL, &g->quick, NULL},
    };
    FILE *cap = tmpfile();
    int saved, rc;
    size_t n;

    memset(g, 0, sizeof *g);
    CHECK(cap != NULL);
    fflush(stderr);
    saved = dup(2);
    CHECK(saved >= 0 && dup2(fileno(cap), 2) == 2);
    rc = gs_flags_parse("cmd", argc, argv, flags, sizeof flags / sizeof *flags,
                        g->pos, maxpos, &g->npos, &g->help);
    fflush(stderr);
    CHECK(dup2(saved, 2) == 2);
    close(saved);
    rewind(cap);
    n = fread(g->msg, 1, sizeof g->msg - 1, cap);
    g->msg[n] = 0;
    fclose(cap);
    return rc;
}

/* parse is parsev over the NULL-ended arguments after the command. */
static int parse(got *g, size_t maxpos, ...)
{
    char *argv[16] = {"cmd"};
    int argc = 1;
    va_list ap;

    va_start(ap, maxpos);
    while ((argv[argc] = va_arg(ap, char *)) != NULL) {
        argc++;
        CHECK_LT(argc, 16);
    }
    va_end(ap);
    return parsev(g, maxpos, argc, argv);
}

/* refused checks that the last parse was refused with a message line
 * equal to "gstorm cmd: " + want. */
#define REFUSED(rc, g, want)                                                   \
    do {                                                                       \
        char line_[1100];                                                      \
        snprintf(line_, sizeof line_, "gstorm cmd: %s\n", (want));             \
        CHECK_EQ((rc), GS_EXIT_USAGE);                                         \
        if (strcmp((g)->msg, line_) != 0)                                      \
            test__fail(__FILE__, __LINE__, "got '%s', want '%s'", (g)->msg,    \
                       line_);                                                 \
    } while (0)

TEST(flags, u64_takes_its_range_and_refuses_the_rest)
{
    static const char *const bad[] = {
        "0", "11", "-1", "abc", "5x", "", " 5", "+5", "99999999999999999999"};
    char want[200];
    size_t i;
    got g;

    CHECK_EQ(parse(&g, 0, "--n", "10", NULL), GS_EXIT_OK);
    CHECK_EQ(g.n, 10);
    CHECK(g.nseen);
    CHECK_EQ(parse(&g, 0, "--n=1", NULL), GS_EXIT_OK);
    CHECK_EQ(g.n, 1);
    CHECK(g.msg[0] == 0);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(&g, 0, "--n", bad[i], NULL);
        snprintf(want, sizeof want, "--n: '%s' is not a number from 1 to 10",
                 bad[i]);
        REFUSED(rc, &g, want);
    }
}

TEST(flags, choice_ignores_case)
{
    got g;
    int rc;

    CHECK_EQ(parse(&g, 0, "--gc", "STW", NULL), GS_EXIT_OK);
    CHECK_EQ(g.gc, 0);
    CHECK_EQ(parse(&g, 0, "--gc", "Quiesce", NULL), GS_EXIT_OK);
    CHECK_EQ(g.gc, 1);
    CHECK_EQ(parse(&g, 0, "--gc=conc", NULL), GS_EXIT_OK);
    CHECK_EQ(g.gc, 2);
    rc = parse(&g, 0, "--gc", "st w", NULL);
    REFUSED(rc, &g, "--gc: 'st w' is not stw, quiesce or conc");
}

TEST(flags, str_refuses_an_empty_value_text_takes_it)
{
    got g;
    int rc;

    rc = parse(&g, 0, "-o", "", NULL);
    REFUSED(rc, &g, "-o: the value is empty");
    rc = parse(&g, 0, "--output=", NULL);
    REFUSED(rc, &g, "--output: the value is empty");
    CHECK_EQ(parse(&g, 0, "-o", "x.gsr", NULL), GS_EXIT_OK);
    CHECK(strcmp(g.out, "x.gsr") == 0);
    CHECK_EQ(parse(&g, 0, "--schedule", "", NULL), GS_EXIT_OK);
    CHECK(g.sched != NULL && g.sched[0] == 0);
    /* A value may start with '-': it is the flag's, not a flag. */
    CHECK_EQ(parse(&g, 0, "-o", "-x", NULL), GS_EXIT_OK);
    CHECK(strcmp(g.out, "-x") == 0);
}

TEST(flags, a_missing_value_or_an_unknown_flag_is_named)
{
    static const struct {
        char *args[3]; /* NULL-ended */
        const char *want;
    } bad[] = {
        {{"--n", NULL}, "--n needs a value"},
        {{"-q", "-o", NULL}, "-o needs a value"},
        {{"--quick=yes", NULL}, "--quick takes no value"},
        {{"--frob", NULL}, "unknown flag '--frob' (gstorm cmd --help)"},
        {{"--frob=1", NULL}, "unknown flag '--frob' (gstorm cmd --help)"},
        /* A terminal escape is shown, not obeyed. */
        {{"-\x1b[2J", NULL}, "unknown flag '-\\x1b[2J' (gstorm cmd --help)"},
    };
    char *argv[4] = {"cmd"};
    size_t i;
    int argc, rc;
    got g;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (argc = 1; bad[i].args[argc - 1] != NULL; argc++)
            argv[argc] = bad[i].args[argc - 1];
        rc = parsev(&g, 0, argc, argv);
        REFUSED(rc, &g, bad[i].want);
    }
}

TEST(flags, positionals_are_counted)
{
    got g;
    int rc;

    CHECK_EQ(parse(&g, 2, "a", "-q", "-", NULL), GS_EXIT_OK);
    CHECK_EQ(g.npos, 2);
    CHECK(strcmp(g.pos[0], "a") == 0 && strcmp(g.pos[1], "-") == 0);
    CHECK(g.quick);
    rc = parse(&g, 1, "a", "b", NULL);
    REFUSED(rc, &g, "too many arguments ('b')");
    rc = parse(&g, 0, "a", NULL);
    REFUSED(rc, &g, "takes no arguments ('a')");
    /* After "--" everything is positional. */
    CHECK_EQ(parse(&g, 2, "--", "--n", NULL), GS_EXIT_OK);
    CHECK_EQ(g.npos, 1);
    CHECK(strcmp(g.pos[0], "--n") == 0);
    CHECK(!g.nseen);
}

TEST(flags, help_stops_the_parse)
{
    got g;

    CHECK_EQ(parse(&g, 0, "--help", "--frob", NULL), GS_EXIT_OK);
    CHECK(g.help);
    CHECK(g.msg[0] == 0);
    CHECK_EQ(parse(&g, 0, "--n", "3", "-h", NULL), GS_EXIT_OK);
    CHECK(g.help);
    CHECK_EQ(g.n, 3);
    CHECK_EQ(parse(&g, 0, "--n", "3", NULL), GS_EXIT_OK);
    CHECK(!g.help);
}

TEST(flags, a_list_keeps_every_value_in_order)
{
    char *many[70];
    got g;
    int rc;
    size_t i;

    CHECK_EQ(parse(&g, 0, "--meta", "a=1", "--meta", "", "--meta=b=2", NULL),
             GS_EXIT_OK);
    CHECK_EQ(g.meta.n, 3);
    CHECK(strcmp(g.meta.v[0], "a=1") == 0 && g.meta.v[1][0] == 0 &&
          strcmp(g.meta.v[2], "b=2") == 0);
    /* 65 values: one past the list's room. */
    many[0] = "cmd";
    for (i = 1; i <= 65; i++)
        many[i] = "--meta=x=1";
    rc = parsev(&g, 0, 66, many);
    REFUSED(rc, &g, "--meta: more than 64 of them");
}
