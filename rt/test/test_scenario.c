/*
 * test_scenario.c - the text form of scenarios (scenario.c): the mnemonic
 * table, exact parse results, every kind of error with its position,
 * format/parse round trips, the corpus files, and parsing of random and
 * mutated text, which must never crash or read past its length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rt.h"
#include "testutil.h"

/* below returns a pseudo-random number in 0..n-1. */
static uint32_t below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(tu_rnd(s) % n);
}

/*
 * parse parses text from an exactly sized heap copy, so ASan sees any
 * read past len (there is no NUL after it).
 */
static int parse(const char *text, size_t len, rt_scenario *sc, char *err,
                 size_t errlen)
{
    char *copy = malloc(len ? len : 1);
    int rc;

    CHECK(copy != NULL);
    memcpy(copy, text, len);
    rc = rt_scenario_parse(copy, len, sc, err, errlen);
    free(copy);
    return rc;
}

/* zero says whether n bytes at p are zero. */
static int zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    /* Each byte equals the next and the first is 0: libc does the loop. */
    return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/* valid checks every field of a parsed scenario against the limits. */
static void valid(const rt_scenario *sc)
{
    uint32_t i, j;

    CHECK(sc->nthreads >= 1 && sc->nthreads <= RT_MAX_THREADS);
    CHECK(sc->nprocs >= 1 && sc->nprocs <= RT_MAX_PROCS);
    CHECK_LE(sc->gcmode, RT_GC_CONC);
    CHECK(sc->heapcap >= 16 && sc->heapcap <= 1048576);
    CHECK(sc->nprogs >= 1 && sc->nprogs <= RT_MAX_PROGS);
    CHECK(sc->nstart >= 1 && sc->nstart <= RT_MAX_START);
    for (i = 0; i < sc->nstart; i++)
        CHECK_LT(sc->start[i], sc->nprogs);
    CHECK(zero(&sc->start[sc->nstart],
               (RT_MAX_START - sc->nstart) * sizeof sc->start[0]));
    for (i = 0; i < sc->nprogs; i++) {
        const rt_prog *pr = &sc->progs[i];
        CHECK(pr->frame >= 1 && pr->frame <= RT_MAX_FRAME);
        CHECK_LE(pr->nins, RT_MAX_INSTRS);
        for (j = 0; j < pr->nins; j++) {
            const rt_instr *in = &pr->ins[j];
            int n = rt_opnargs(in->op);
            CHECK_GE(n, 0);
            CHECK_EQ(in->pad, 0);
            CHECK(n >= 1 || in->a == 0);
            CHECK(n >= 2 || in->b == 0);
            CHECK(n >= 3 || in->c == 0);
        }
        CHECK(zero(&pr->ins[pr->nins],
                   (RT_MAX_INSTRS - pr->nins) * sizeof(rt_instr)));
    }
    CHECK(zero(&sc->progs[sc->nprogs],
               (RT_MAX_PROGS - sc->nprogs) * sizeof(rt_prog)));
}

/* roundtrip checks parse(format(sc)) == sc, byte for byte. */
static void roundtrip(const rt_scenario *sc)
{
    rt_scenario *back = tu_newsc();
    size_t n = rt_scenario_format(sc, NULL, 0);
    char *buf = malloc(n + 1), err[256];
    int rc;

    CHECK(buf != NULL);
    CHECK_EQ(rt_scenario_format(sc, buf, n + 1), n);
    CHECK_EQ(strlen(buf), n);
    rc = parse(buf, n, back, err, sizeof err);
    if (rc != RT_OK)
        test__fail(__FILE__, __LINE__,
                   "format output does not parse: %s\n"
                   "%s",
                   err, buf);
    CHECK(memcmp(sc, back, sizeof *sc) == 0);
    free(buf);
    free(back);
}

TEST(scenario, opnames)
{
    static const char *const names[] = {
        "NOP",   "CALL", "RET",   "NEW",  "MOV",     "LOAD",
        "STORE", "USE",  "BLOCK", "WAKE", "SYSCALL", "YIELD",
        "SPIN",  "GO",   "GC",    "EXIT", "GSET",    "GGET"};
    static const int nargs[] = {0, 1, 0, 1, 2, 3, 3, 1, 1,
                                1, 1, 0, 1, 2, 0, 0, 2, 2};
    unsigned op;

    CHECK_EQ(sizeof names / sizeof names[0], RT_OP__COUNT);
    for (op = 0; op < RT_OP__COUNT; op++) {
        CHECK(rt_opname(op) != NULL);
        CHECK(strcmp(rt_opname(op), names[op]) == 0);
        CHECK_EQ(rt_opnargs(op), nargs[op]);
    }
    CHECK(rt_opname(RT_OP__COUNT) == NULL);
    CHECK(rt_opname(~0u) == NULL);
    CHECK_EQ(rt_opnargs(RT_OP__COUNT), -1);
}

TEST(scenario, defaults)
{
    rt_scenario *sc = tu_newsc();

    memset(sc, 0xAB, sizeof *sc);
    rt_scenario_default(sc);
    CHECK_EQ(sc->nthreads, 4);
    CHECK_EQ(sc->nprocs, 2);
    CHECK_EQ(sc->gcmode, RT_GC_CONC);
    CHECK_EQ(sc->heapcap, 4096);
    CHECK_EQ(sc->nprogs, 0);
    CHECK_EQ(sc->nstart, 0);
    CHECK(zero(sc->start, sizeof sc->start));
    CHECK(zero(sc->progs, sizeof sc->progs));
    free(sc);
}

/* Every feature of the grammar; the last line has no newline. */
static const char good[] =
    "# a scenario with every feature\n"
    "THREADS 3\r\n"
    "procs\t2\n"
    "\n"
    "Gc Stw   # the collector\n"
    "heap 100\n"
    "prog main frame 8  # forward reference to worker below\n"
    "    new 1\n"
    "    GO worker 1\n"
    "    Call 5\n"
    "    ret\n"
    "    store 1 0 1\n"
    "    load 2 1 1\n"
    "    GSET 3 1\n"
    "    GGET 2 3\n"
    "    go 0 65535\n"
    "end\n"
    "prog worker\n"
    "    BLOCK 0\n"
    "    wake 0\n"
    "    SYSCALL 3\n"
    "    yield\n"
    "    spin 100\n"
    "    GC\n"
    "    EXIT\n"
    "    USE 0\n"
    "    MOV 0 1\n"
    "    NOP\n"
    "end\n"
    "prog empty frame 64\n"
    "END\n"
    "start main x2\n"
    "start worker\n"
    "Start main";

/* expect_good builds the struct that `good` must parse to. */
static void expect_good(rt_scenario *sc)
{
    static const rt_instr m[] = {
        {RT_OP_NEW, 0, 1, 0, 0},   {RT_OP_GO, 0, 1, 1, 0},
        {RT_OP_CALL, 0, 5, 0, 0},  {RT_OP_RET, 0, 0, 0, 0},
        {RT_OP_STORE, 0, 1, 0, 1}, {RT_OP_LOAD, 0, 2, 1, 1},
        {RT_OP_GSET, 0, 3, 1, 0},  {RT_OP_GGET, 0, 2, 3, 0},
        {RT_OP_GO, 0, 0, 65535, 0}};
    static const rt_instr w[] = {
        {RT_OP_BLOCK, 0, 0, 0, 0},   {RT_OP_WAKE, 0, 0, 0, 0},
        {RT_OP_SYSCALL, 0, 3, 0, 0}, {RT_OP_YIELD, 0, 0, 0, 0},
        {RT_OP_SPIN, 0, 100, 0, 0},  {RT_OP_GC, 0, 0, 0, 0},
        {RT_OP_EXIT, 0, 0, 0, 0},    {RT_OP_USE, 0, 0, 0, 0},
        {RT_OP_MOV, 0, 0, 1, 0},     {RT_OP_NOP, 0, 0, 0, 0}};

    memset(sc, 0, sizeof *sc);
    sc->nthreads = 3;
    sc->nprocs = 2;
    sc->gcmode = RT_GC_STW;
    sc->heapcap = 100;
    sc->nprogs = 3;
    sc->progs[0].frame = 8;
    sc->progs[0].nins = sizeof m / sizeof m[0];
    memcpy(sc->progs[0].ins, m, sizeof m);
    sc->progs[1].frame = 4;
    sc->progs[1].nins = sizeof w / sizeof w[0];
    memcpy(sc->progs[1].ins, w, sizeof w);
    sc->progs[2].frame = 64;
    sc->nstart = 4;
    sc->start[0] = 0;
    sc->start[1] = 0;
    sc->start[2] = 1;
    sc->start[3] = 0;
}

TEST(scenario, parse_good)
{
    rt_scenario *sc = tu_newsc(), *want = tu_newsc();
    char err[256] = "untouched";
    uint32_t i, j;

    CHECK_EQ(parse(good, strlen(good), sc, err, sizeof err), RT_OK);
    CHECK_EQ(err[0], 0);
    expect_good(want);
    CHECK_EQ(sc->nthreads, 3);
    CHECK_EQ(sc->gcmode, RT_GC_STW);
    CHECK_EQ(sc->heapcap, 100);
    CHECK_EQ(sc->nprogs, 3);
    CHECK_EQ(sc->nstart, 4);
    for (i = 0; i < 3; i++) {
        CHECK_EQ(sc->progs[i].frame, want->progs[i].frame);
        CHECK_EQ(sc->progs[i].nins, want->progs[i].nins);
        for (j = 0; j < sc->progs[i].nins; j++) {
            CHECK_EQ(sc->progs[i].ins[j].op, want->progs[i].ins[j].op);
            CHECK_EQ(sc->progs[i].ins[j].a, want->progs[i].ins[j].a);
            CHECK_EQ(sc->progs[i].ins[j].b, want->progs[i].ins[j].b);
            CHECK_EQ(sc->progs[i].ins[j].c, want->progs[i].ins[j].c);
        }
    }
    CHECK(memcmp(sc, want, sizeof *sc) == 0);
    valid(sc);
    roundtrip(sc);
    free(sc);
    free(want);
}

TEST(scenario, parse_defaults)
{
    static const char text[] = "prog a\nend\nstart a\n";
    rt_scenario *sc = tu_newsc();

    CHECK_EQ(parse(text, strlen(text), sc, NULL, 0), RT_OK);
    CHECK_EQ(sc->nthreads, 4);
    CHECK_EQ(sc->nprocs, 2);
    CHECK_EQ(sc->gcmode, RT_GC_CONC);
    CHECK_EQ(sc->heapcap, 4096);
    CHECK_EQ(sc->nprogs, 1);
    CHECK_EQ(sc->progs[0].frame, 4);
    CHECK_EQ(sc->progs[0].nins, 0);
    CHECK_EQ(sc->nstart, 1);
    free(sc);
}

/* One bad text and its exact message. */
static const struct {
    const char *text;
    const char *msg;
} bad[] = {
    {"prog main\n  FOO 1\nend\nstart main\n", "2:3: unknown instruction 'FOO'"},
    {"prog main\n  NEW x\nend\nstart main\n", "2:7: expected a number"},
    {"prog main\n  NEW -1\nend\n", "2:7: expected a number"},
    {"end\n", "1:1: 'end' without 'prog'"},
    {"prog main\n    CALL 1 2\nend\nstart main\n",
     "2:5: too many operands for CALL (takes 1)"},
    {"prog main\n    MOV 1\nend\nstart main\n",
     "2:5: too few operands for MOV (takes 2)"},
    {"prog main\n GO nothere 0\nend\nstart main\n",
     "2:5: program 'nothere' is not defined"},
    {"prog main\nend\nstart nothere\n",
     "3:7: program 'nothere' is not defined"},
    {"prog main\nend\n", "1:1: no 'start' line"},
    {"", "1:1: no 'start' line"},
    {"threads 2\nprog main\n NOP\n",
     "2:1: prog 'main' without 'end' at end of file"},
    {"prog a\nend\nprog a\nend\nstart a\n",
     "3:6: program 'a' is already defined at line 1"},
    {"threads 0\n", "1:9: threads must be 1..128 (RT_MAX_THREADS)"},
    {"threads 129\n", "1:9: threads must be 1..128 (RT_MAX_THREADS)"},
    {"threads 99999999999999999999999\n",
     "1:9: threads must be 1..128 (RT_MAX_THREADS)"},
    {"threads\n", "1:8: expected a number"},
    {"threads 4 5\n", "1:11: unexpected '5' after the value"},
    {"threads 4\nthreads 5\n", "2:1: 'threads' is already set at line 1"},
    {"procs 65\n", "1:7: procs must be 1..64 (RT_MAX_PROCS)"},
    {"heap 15\n", "1:6: heap must be 16..1048576"},
    {"heap 1048577\n", "1:6: heap must be 16..1048576"},
    {"gc fast\n", "1:4: unknown gc mode 'fast' (stw, quiesce or conc)"},
    {"gc\n", "1:3: expected a gc mode (stw, quiesce or conc)"},
    {"prog a frame 65\n", "1:14: frame must be 1..64 (RT_MAX_FRAME)"},
    {"prog a frame 0\n", "1:14: frame must be 1..64 (RT_MAX_FRAME)"},
    {"prog a size 3\n",
     "1:8: expected 'frame' or the end of the line, not 'size'"},
    {"prog 9a\n", "1:6: expected a program name, not '9a'"},
    {"prog\n", "1:5: expected a program name"},
    {"prog a\n NEW 65536\nend\n", "2:6: number out of range (0..65535)"},
    {"prog a\nend\nstart a x257\n", "3:9: count must be 1..256 (RT_MAX_START)"},
    {"prog a\nend\nstart a x0\n", "3:9: count must be 1..256 (RT_MAX_START)"},
    {"prog a\nend\nstart a 3\n",
     "3:9: expected a count 'xN' or the end of the line, not '3'"},
    {"prog a\nend\nstart a x200\nstart a x57\n",
     "4:7: too many started goroutines (RT_MAX_START is 256)"},
    {"prog a\nend x\n", "2:5: unexpected 'x' after 'end'"},
    {"NEW 1\n", "1:1: instruction 'NEW' outside a program (missing 'prog'?)"},
    {"bogus\n", "1:1: unknown keyword 'bogus'"},
    {"prog a\nprog b\n", "2:1: 'prog' inside program 'a' (missing 'end'?)"},
    {"prog a\n  start a\n", "2:3: 'start' inside program 'a' (missing 'end'?)"},
    {"# caf\xe9\n", "1:6: invalid UTF-8"},
    {"# \xc0\xaf overlong\n", "1:3: invalid UTF-8"},
    {"# \xed\xa0\x80 surrogate\n", "1:3: invalid UTF-8"},
    {"# \xe2\x82", "1:3: invalid UTF-8"},
    {"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\n",
     "1:1: unknown keyword 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...'"},
};

TEST(scenario, errors)
{
    rt_scenario *sc = tu_newsc();
    char err[256];
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(err, 0, sizeof err);
        CHECK_EQ(parse(bad[i].text, strlen(bad[i].text), sc, err, sizeof err),
                 RT_EINVAL);
        if (strcmp(err, bad[i].msg) != 0)
            test__fail(__FILE__, __LINE__, "case %zu: got '%s', want '%s'", i,
                       err, bad[i].msg);
    }
    free(sc);
}

TEST(scenario, error_nul_byte)
{
    static const char text[] = "prog a\n N\0P\nend\nstart a\n";
    rt_scenario *sc = tu_newsc();
    char err[64];

    CHECK_EQ(parse(text, sizeof text - 1, sc, err, sizeof err), RT_EINVAL);
    CHECK(strcmp(err, "2:3: NUL byte") == 0);
    free(sc);
}

/* A valid UTF-8 comment parses; errors never split a character. */
TEST(scenario, utf8_comments)
{
    static const char ok[] = "# caf\xc3\xa9 \xf0\x9f\x98\x80\nprog a\nend\n"
                             "start a\n";
    static const char cut[] = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                              "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                              "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                              "a\xc3\xa9 1\n";
    rt_scenario *sc = tu_newsc();
    char err[128];

    CHECK_EQ(parse(ok, strlen(ok), sc, err, sizeof err), RT_OK);
    CHECK_EQ(parse(cut, strlen(cut), sc, err, sizeof err), RT_EINVAL);
    /* 15 two-byte characters and 'a' are 31 bytes; the next would pass
     * the 32-byte quote limit, so the quote stops before it. */
    CHECK(strcmp(err, "1:1: unknown keyword '\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
                      "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                      "a...'") == 0);
    free(sc);
}

TEST(scenario, error_buffer_small)
{
    rt_scenario *sc = tu_newsc();
    char err[8];

    memset(err, 'x', sizeof err);
    CHECK_EQ(parse("bogus\n", 6, sc, err, sizeof err), RT_EINVAL);
    CHECK(strcmp(err, "1:1: un") == 0);
    CHECK_EQ(parse("bogus\n", 6, sc, NULL, 0), RT_EINVAL);
    CHECK_EQ(rt_scenario_parse(NULL, 0, sc, err, sizeof err), RT_EINVAL);
    free(sc);
}

/* gen fills sc with a random scenario within the text form's limits. */
static void gen(rt_scenario *sc, uint64_t *s, uint32_t maxprogs,
                uint32_t maxins)
{
    uint32_t i, j;

    memset(sc, 0, sizeof *sc);
    sc->nthreads = 1 + below(s, RT_MAX_THREADS);
    sc->nprocs = 1 + below(s, RT_MAX_PROCS);
    sc->gcmode = below(s, 3);
    sc->heapcap = 16 + below(s, 1048576 - 15);
    sc->nprogs = 1 + below(s, maxprogs);
    for (i = 0; i < sc->nprogs; i++) {
        rt_prog *pr = &sc->progs[i];
        pr->frame = (uint16_t)(1 + below(s, RT_MAX_FRAME));
        pr->nins = (uint16_t)below(s, maxins + 1);
        for (j = 0; j < pr->nins; j++) {
            rt_instr *in = &pr->ins[j];
            int n;
            in->op = (uint8_t)below(s, RT_OP__COUNT);
            n = rt_opnargs(in->op);
            /* Mostly small operands, as real programs have. */
            in->a =
                n >= 1 ? (uint16_t)(tu_rnd(s) >> (tu_rnd(s) & 1 ? 60 : 48)) : 0;
            in->b = n >= 2 ? (uint16_t)below(s, 70) : 0;
            in->c = n >= 3 ? (uint16_t)below(s, 3) : 0;
        }
    }
    sc->nstart = 1 + below(s, RT_MAX_START);
    for (i = 0; i < sc->nstart; i++)
        sc->start[i] = (uint16_t)(tu_rnd(s) & 1 ? 0 : below(s, sc->nprogs));
}

TEST(scenario, roundtrip_random)
{
    rt_scenario *sc = tu_newsc();
    uint64_t s = 0x9E3779B97F4A7C15ull;
    int i;

    for (i = 0; i < 300; i++) {
        gen(sc, &s, 8, 40);
        valid(sc);
        roundtrip(sc);
    }
    free(sc);
}

/* The largest scenario: every limit at its maximum. */
TEST(scenario, roundtrip_max)
{
    rt_scenario *sc = tu_newsc();
    uint64_t s = 42;
    uint32_t i;

    gen(sc, &s, 1, 1);
    sc->nthreads = RT_MAX_THREADS;
    sc->nprocs = RT_MAX_PROCS;
    sc->heapcap = 1048576;
    sc->nprogs = RT_MAX_PROGS;
    for (i = 0; i < RT_MAX_PROGS; i++) {
        rt_prog *pr = &sc->progs[i];
        pr->frame = RT_MAX_FRAME;
        pr->nins = RT_MAX_INSTRS;
        for (uint32_t j = 0; j < RT_MAX_INSTRS; j++)
            pr->ins[j] = (rt_instr){RT_OP_LOAD, 0, 65535, (uint16_t)j, 1};
    }
    sc->nstart = RT_MAX_START;
    for (i = 0; i < RT_MAX_START; i++)
        sc->start[i] = (uint16_t)(i % RT_MAX_PROGS);
    valid(sc);
    roundtrip(sc);
    free(sc);
}

/* format returns the length it needs, like snprintf, when cut short. */
TEST(scenario, format_truncates)
{
    rt_scenario *sc = tu_newsc();
    char full[4096], part[20];
    size_t n;

    expect_good(sc);
    n = rt_scenario_format(sc, full, sizeof full);
    CHECK_LT(n, sizeof full);
    CHECK_EQ(strlen(full), n);
    memset(part, 'x', sizeof part);
    CHECK_EQ(rt_scenario_format(sc, part, sizeof part), n);
    CHECK_EQ(strlen(part), sizeof part - 1);
    CHECK(memcmp(part, full, sizeof part - 1) == 0);
    CHECK_EQ(rt_scenario_format(sc, NULL, 0), n);
    /* GO to a defined program is written by name, others by number. */
    CHECK(strstr(full, "    GO p1 1\n") != NULL);
    CHECK(strstr(full, "    GO p0 65535\n") != NULL);
    CHECK(strstr(full, "start p0 x2\nstart p1\nstart p0\n") != NULL);
    free(sc);
}

/* Lines of any length parse; nothing is copied into fixed buffers. */
TEST(scenario, long_lines)
{
    size_t pad = 1 << 20, name = 100000, n, i;
    char *text = malloc(pad + 2 * name + 64), err[256];
    rt_scenario *sc = tu_newsc();

    CHECK(text != NULL);
    memset(text, ' ', pad);
    n = pad;
    n += (size_t)sprintf(text + n, "prog ");
    for (i = 0; i < name; i++)
        text[n++] = 'q';
    n += (size_t)sprintf(text + n, "\nend\nstart ");
    for (i = 0; i < name; i++)
        text[n++] = 'q';
    CHECK_EQ(parse(text, n, sc, err, sizeof err), RT_OK);
    CHECK_EQ(sc->nprogs, 1);
    CHECK_EQ(sc->nstart, 1);
    text[n - 1] = 'r'; /* now start names an undefined program */
    CHECK_EQ(parse(text, n, sc, err, sizeof err), RT_EINVAL);
    CHECK(strncmp(err, "3:7: program 'qqqq", 18) == 0);
    free(text);
    free(sc);
}

TEST(scenario, limits_progs_and_instrs)
{
    size_t cap = 64 * 1024, n = 0;
    char *text = malloc(cap), err[256];
    rt_scenario *sc = tu_newsc();
    int i;

    CHECK(text != NULL);
    for (i = 0; i <= RT_MAX_PROGS; i++)
        n += (size_t)snprintf(text + n, cap - n, "prog p%d\nend\n", i);
    CHECK_EQ(parse(text, n, sc, err, sizeof err), RT_EINVAL);
    CHECK(strcmp(err, "129:1: too many programs (RT_MAX_PROGS is 64)") == 0);

    n = (size_t)snprintf(text, cap, "prog a\n");
    for (i = 0; i <= RT_MAX_INSTRS; i++)
        n += (size_t)snprintf(text + n, cap - n, "NOP\n");
    CHECK_EQ(parse(text, n, sc, err, sizeof err), RT_EINVAL);
    CHECK(strcmp(err, "1026:1: too many instructions in program 'a' "
                      "(RT_MAX_INSTRS is 1024)") == 0);
    free(text);
    free(sc);
}

/*
 * check_err checks that a failed parse wrote "L:C: message" with L within
 * the text's lines and a non-empty message.
 */
static void check_err(const char *err, const char *text, size_t len)
{
    unsigned long line, col;
    size_t i, lines = 1;
    int used = 0;

    for (i = 0; i < len; i++)
        lines += text[i] == '\n';
    if (sscanf(err, "%lu:%lu: %n", &line, &col, &used) != 2 || used == 0 ||
        err[used] == 0)
        test__fail(__FILE__, __LINE__, "malformed error '%s'", err);
    CHECK(line >= 1 && line <= lines);
    CHECK_GE(col, 1);
}

/* Words that steer random text towards the grammar. */
static const char *const words[] = {
    "threads", "procs", "gc",      "heap",  "prog",  "end",         "start",
    "frame",   "stw",   "quiesce", "conc",  "x3",    "x0",          "a",
    "b",       "main",  "NOP",     "CALL",  "RET",   "NEW",         "MOV",
    "LOAD",    "STORE", "USE",     "BLOCK", "WAKE",  "SYSCALL",     "YIELD",
    "SPIN",    "GO",    "GC",      "EXIT",  "GSET",  "GGET",        "0",
    "1",       "7",     "64",      "65535", "65536", "99999999999", "#",
    "\n",      "\n",    "\n",      " ",     "\t",    "\r\n",        "\xc3\xa9",
    "\xff",    "",
};

/* mutate applies one random edit to buf (len bytes, capacity cap). */
static size_t mutate(char *buf, size_t len, size_t cap, uint64_t *s)
{
    size_t at = len ? below(s, (uint32_t)len + 1) : 0, n;
    const char *w;

    switch (below(s, 5)) {
    case 0: /* flip a byte */
        if (len)
            buf[below(s, (uint32_t)len)] ^= (char)(1 << below(s, 8));
        return len;
    case 1: /* delete a run */
        n = below(s, 16);
        if (at + n > len)
            n = len - at;
        memmove(buf + at, buf + at + n, len - at - n);
        return len - n;
    case 2: /* insert a word */
        w = words[below(s, sizeof words / sizeof words[0])];
        n = strlen(w);
        if (len + n + 1 > cap)
            return len;
        memmove(buf + at + n + 1, buf + at, len - at);
        memcpy(buf + at, w, n);
        buf[at + n] = ' ';
        return len + n + 1;
    case 3: /* truncate */
        return at;
    default: /* a random byte */
        if (len + 1 > cap)
            return len;
        memmove(buf + at + 1, buf + at, len - at);
        buf[at] = (char)tu_rnd(s);
        return len + 1;
    }
}

TEST(scenario, fuzz_text)
{
    enum { CAP = 8192, ROUNDS = 20000 };
    char *buf = malloc(CAP), *seed = malloc(CAP), err[256];
    rt_scenario *sc = tu_newsc();
    uint64_t s = 0x123456789ABCDEFull;
    size_t len, seedlen;
    int i, k, ok = 0;

    CHECK(buf != NULL && seed != NULL);
    for (i = 0; i < ROUNDS; i++) {
        switch (i % 3) {
        case 0: /* random bytes of a random length */
            len = below(&s, 4097);
            for (size_t j = 0; j < len; j++)
                buf[j] = (char)tu_rnd(&s);
            break;
        case 1: /* random words */
            len = 0;
            for (k = below(&s, 200); k > 0 && len + 40 < CAP; k--)
                len += (size_t)snprintf(
                    buf + len, CAP - len, "%s ",
                    words[below(&s, sizeof words / sizeof words[0])]);
            break;
        default: /* a few edits of a valid text */
            if (i % 2) {
                seedlen = strlen(good);
                memcpy(seed, good, seedlen);
            } else {
                gen(sc, &s, 3, 8);
                seedlen = rt_scenario_format(sc, seed, CAP);
                if (seedlen >= CAP)
                    seedlen = CAP - 1;
            }
            memcpy(buf, seed, seedlen);
            len = seedlen;
            for (k = 1 + below(&s, 4); k > 0; k--)
                len = mutate(buf, len, CAP, &s);
        }
        memset(err, 0, sizeof err);
        if (parse(buf, len, sc, err, sizeof err) == RT_OK) {
            ok++;
            valid(sc);
            roundtrip(sc);
        } else {
            check_err(err, buf, len);
        }
    }
    /* Some mutated texts must still parse, or the success path (and the
     * round trip behind it) went untested: about 1.7% do. */
    CHECK_GT(ok, ROUNDS / 100);
    free(buf);
    free(seed);
    free(sc);
}

/*
 * srcdir returns the project root from this file's path, which CMake
 * passes absolute and the manual build relative to the root.
 */
static void srcdir(char *dir, size_t n)
{
    const char *f = __FILE__, *end = strstr(f, "rt/test/test_scenario.c");

    snprintf(dir, n, "%.*s", end ? (int)(end - f) : 0, f);
}

/* readfile reads a whole file; returns NULL if it cannot. */
static char *readfile(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL)
        *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

/*
 * balanced checks that a scenario cannot deadlock on its semaphores for
 * lack of wake-ups: counting each program once per goroutine that runs
 * it (started, or spawned by a GO that runs), every semaphore gets at
 * least as many WAKEs as BLOCKs.
 */
static void balanced(const rt_scenario *sc, const char *name)
{
    uint64_t runs[RT_MAX_PROGS] = {0}, block[RT_NSEMA] = {0},
             wake[RT_NSEMA] = {0};
    uint32_t i, j, pass;

    for (i = 0; i < sc->nstart; i++)
        runs[sc->start[i]]++;
    /* Spawns: iterate to a fixed point; the corpus has no spawn cycles. */
    for (pass = 0; pass < RT_MAX_PROGS; pass++) {
        uint64_t next[RT_MAX_PROGS] = {0};
        for (i = 0; i < sc->nstart; i++)
            next[sc->start[i]]++;
        for (i = 0; i < sc->nprogs; i++)
            for (j = 0; j < sc->progs[i].nins; j++)
                if (sc->progs[i].ins[j].op == RT_OP_GO)
                    next[sc->progs[i].ins[j].a % sc->nprogs] += runs[i];
        memcpy(runs, next, sizeof runs);
    }
    for (i = 0; i < sc->nprogs; i++)
        for (j = 0; j < sc->progs[i].nins; j++) {
            const rt_instr *in = &sc->progs[i].ins[j];
            if (in->op == RT_OP_BLOCK)
                block[in->a % RT_NSEMA] += runs[i];
            if (in->op == RT_OP_WAKE)
                wake[in->a % RT_NSEMA] += runs[i];
        }
    for (i = 0; i < RT_NSEMA; i++)
        if (wake[i] < block[i])
            test__fail(__FILE__, __LINE__,
                       "%s: semaphore %u: %llu BLOCKs, "
                       "%llu WAKEs",
                       name, i, (unsigned long long)block[i],
                       (unsigned long long)wake[i]);
}

TEST(scenario, corpus_files)
{
    static const char *const files[] = {"demo.gs", "stw.gs", "quiesce.gs",
                                        "syscall.gs", "growth.gs"};
    char dir[512], path[1024], err[256], why[256];
    rt_scenario *sc = tu_newsc();
    size_t i, len = 0;

    srcdir(dir, sizeof dir);
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *text;
        snprintf(path, sizeof path, "%scorpus/scenarios/%s", dir, files[i]);
        text = readfile(path, &len);
        if (text == NULL)
            test__fail(__FILE__, __LINE__, "cannot read %s", path);
        if (parse(text, len, sc, err, sizeof err) != RT_OK)
            test__fail(__FILE__, __LINE__, "%s:%s", path, err);
        valid(sc);
        roundtrip(sc);
        balanced(sc, files[i]);
        /* Every corpus file also fits the binary format (gstorm asm). */
        if (!gs_input_representable(sc, why, sizeof why))
            test__fail(__FILE__, __LINE__, "%s: %s", files[i], why);
        free(text);
    }
    free(sc);
}
