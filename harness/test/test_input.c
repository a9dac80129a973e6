/*
 * test_input.c - the binary forms (input.c): the total decoder on known
 * and random bytes, encode/decode round trips, strict loading of gstorm
 * files (version, truncation, damage) and atomic saving.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "hutil.h"
#include "rt.h"
#include "test.h"

/* zero says whether n bytes at p are zero. */
static int zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    /* Each byte equals the next and the first is 0: libc does the loop. */
    return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/*
 * within checks every field of a decoded scenario against the raw
 * format's bounds (input.h), including the spawn DAG and budget.
 */
static void within(const rt_scenario *sc)
{
    uint32_t w[GS_INPUT_MAX_PROGS], i, j, total = 0;
    uint32_t np = sc->nprogs, ns = sc->nstart;

    /* A waker at the end (version 2): WAKE/YIELD pairs, started once,
     * last; the rest must be within the bounds on its own. */
    if (np >= 2 && ns >= 2 && sc->start[ns - 1] == np - 1 &&
        sc->progs[np - 1].frame == 1 && sc->progs[np - 1].nins >= 2 &&
        sc->progs[np - 1].nins % 2 == 0) {
        const rt_prog *wk = &sc->progs[np - 1];
        bool pairs = true;
        for (j = 0; j < wk->nins; j += 2)
            pairs = pairs && wk->ins[j].op == RT_OP_WAKE &&
                    wk->ins[j].a < RT_NSEMA && wk->ins[j + 1].op == RT_OP_YIELD;
        if (pairs) {
            CHECK(zero(&wk->ins[wk->nins],
                       (RT_MAX_INSTRS - wk->nins) * sizeof(rt_instr)));
            np--, ns--;
        }
    }

    CHECK(sc->nthreads >= 1 && sc->nthreads <= GS_INPUT_MAX_THREADS);
    CHECK(sc->nprocs >= 1 && sc->nprocs <= GS_INPUT_MAX_PROCS);
    CHECK_LE(sc->gcmode, RT_GC_CONC);
    CHECK(sc->heapcap >= 16 && sc->heapcap <= 4096);
    CHECK_EQ(sc->heapcap % 16, 0);
    CHECK(np >= 1 && np <= GS_INPUT_MAX_PROGS);
    CHECK(ns >= 1 && ns <= GS_INPUT_MAX_START);
    for (i = np; i-- > 0;) {
        const rt_prog *pr = &sc->progs[i];
        CHECK(pr->frame >= 1 && pr->frame <= GS_INPUT_MAX_FRAME);
        CHECK_LE(pr->nins, GS_INPUT_MAX_INSTRS);
        w[i] = 1;
        for (j = 0; j < pr->nins; j++) {
            const rt_instr *in = &pr->ins[j];
            int n = rt_opnargs(in->op);
            CHECK_LT(in->op, RT_OP__COUNT);
            CHECK_EQ(in->pad, 0);
            CHECK(n >= 1 || in->a == 0);
            CHECK(n >= 2 || in->b == 0);
            CHECK(n >= 3 || in->c == 0);
            switch (in->op) {
            case RT_OP_CALL:
                CHECK_LT(in->a, 64);
                break;
            case RT_OP_BLOCK:
            case RT_OP_WAKE:
                CHECK_LT(in->a, RT_NSEMA);
                break;
            case RT_OP_SYSCALL:
                CHECK_LT(in->a, 16);
                break;
            case RT_OP_SPIN:
                CHECK_EQ(in->a % 16, 0);
                CHECK_LE(in->a, 255 * 16);
                break;
            case RT_OP_GO:
                CHECK_GT(in->a, i); /* a later program: spawns are a DAG */
                CHECK_LT(in->a, np);
                CHECK_LE(in->b, 255);
                w[i] += w[in->a];
                break;
            case RT_OP_LOAD:
                CHECK_LT(in->c, RT_NFIELDS);
                break;
            case RT_OP_STORE:
                CHECK_LT(in->b, RT_NFIELDS);
                break;
            case RT_OP_GSET:
                CHECK_LT(in->a, RT_NGLOBALS);
                break;
            case RT_OP_GGET:
                CHECK_LT(in->b, RT_NGLOBALS);
                break;
            }
        }
        CHECK_LE(w[i], GS_INPUT_MAX_GS);
        CHECK(zero(&pr->ins[pr->nins],
                   (RT_MAX_INSTRS - pr->nins) * sizeof(rt_instr)));
    }
    for (i = 0; i < ns; i++) {
        CHECK_LT(sc->start[i], np);
        total += w[sc->start[i]];
    }
    CHECK_LE(total, GS_INPUT_MAX_GS);
    CHECK(zero(&sc->start[sc->nstart],
               (RT_MAX_START - sc->nstart) * sizeof sc->start[0]));
    CHECK(zero(&sc->progs[sc->nprogs],
               (RT_MAX_PROGS - sc->nprogs) * sizeof(rt_prog)));
}

/*
 * reencode checks decode(encode(sc, sched)) == (sc, sched) and returns
 * the encoded bytes (caller frees) and their length in *n.
 */
static uint8_t *reencode(const rt_scenario *sc, const uint8_t *sched,
                         size_t schedlen, size_t *n)
{
    rt_scenario *back = tu_newsc();
    const uint8_t *s2;
    size_t len = gs_input_encode(sc, sched, schedlen, NULL, 0), l2;
    uint8_t *buf = malloc(len ? len : 1);
    char why[256] = "";

    if (len == 0) {
        gs_input_representable(sc, why, sizeof why);
        test__fail(__FILE__, __LINE__, "not representable: %s", why);
    }
    CHECK(buf != NULL);
    CHECK_EQ(gs_input_encode(sc, sched, schedlen, buf, len), len);
    CHECK_EQ(gs_input_decode(buf, len, back, &s2, &l2), RT_OK);
    CHECK(memcmp(sc, back, sizeof *sc) == 0);
    CHECK_EQ(l2, schedlen);
    CHECK(schedlen == 0 || memcmp(s2, sched, schedlen) == 0);
    free(back);
    *n = len;
    return buf;
}

TEST(input, decode_empty)
{
    rt_scenario *sc = tu_newsc();
    const uint8_t *sched = (const uint8_t *)"x";
    size_t schedlen = 99;

    memset(sc, 0xEE, sizeof *sc);
    CHECK_EQ(gs_input_decode(NULL, 0, sc, &sched, &schedlen), RT_OK);
    /* The defaults of rt_scenario_default, one empty program started. */
    CHECK_EQ(sc->nthreads, 4);
    CHECK_EQ(sc->nprocs, 2);
    CHECK_EQ(sc->gcmode, RT_GC_CONC);
    CHECK_EQ(sc->heapcap, 4096);
    CHECK_EQ(sc->nprogs, 1);
    CHECK_EQ(sc->progs[0].nins, 0);
    CHECK_EQ(sc->progs[0].frame, 4);
    CHECK_EQ(sc->nstart, 1);
    CHECK_EQ(sc->start[0], 0);
    CHECK_EQ(schedlen, 0);
    CHECK(sched == NULL);
    within(sc);
    free(sc);
}

/* Known bytes give exactly the documented fields. */
TEST(input, decode_known)
{
    static const uint8_t in[] = {
        9,  /* threads 1 + 9 % 8 = 2 */
        6,  /* procs 1 + 6 % 4 = 3 */
        4,  /* gc 4 % 3 = quiesce */
        9,  /* heap 16 * 10 = 160 */
        10, /* nprogs 1 + 10 % 8 = 3 */
        /* program 0 */
        4 + 65, 17, /* 4 instructions (69 % 65), frame 1 + 17 % 16 = 2 */
        RT_OP_GO, 3, 200, 77,     /* GO 1 + 3 % 2 = 2, slot 200 */
        RT_OP_LOAD + 18, 5, 6, 7, /* LOAD 5 6 1 (op 23 % 18) */
        RT_OP_SPIN, 3, 1, 1,      /* SPIN 48 */
        RT_OP_STORE, 1, 3, 2,     /* STORE 1 1 2 */
        /* program 1 */
        3, 0,                    /* 3 instructions, frame 1 */
        RT_OP_CALL, 200, 0, 0,   /* CALL 200 % 64 = 8 */
        RT_OP_SYSCALL, 35, 0, 0, /* SYSCALL 35 % 16 = 3 */
        RT_OP_GGET, 4, 13, 9,    /* GGET 4 5 */
        /* program 2 (the last) */
        2, 15,                 /* 2 instructions, frame 16 */
        RT_OP_GO, 1, 2, 3,     /* no later program: NOP */
        RT_OP_BLOCK, 12, 5, 5, /* BLOCK 4 */
        17,                    /* nstart 1 + 17 % 16 = 2 */
        5, 1,                  /* start 5 % 3 = 2, then 1 */
        0xAA, 0xBB, 0xCC,      /* the schedule */
    };
    rt_scenario *sc = tu_newsc();
    const uint8_t *sched;
    size_t schedlen, n;
    const rt_prog *p;

    CHECK_EQ(gs_input_decode(in, sizeof in, sc, &sched, &schedlen), RT_OK);
    CHECK_EQ(sc->nthreads, 2);
    CHECK_EQ(sc->nprocs, 3);
    CHECK_EQ(sc->gcmode, RT_GC_QUIESCE);
    CHECK_EQ(sc->heapcap, 160);
    p = &sc->progs[0];
    CHECK_EQ(p->nins, 4);
    CHECK_EQ(p->frame, 2);
    CHECK(memcmp(&p->ins[0], &(rt_instr){RT_OP_GO, 0, 2, 200, 0},
                 sizeof(rt_instr)) == 0);
    CHECK(memcmp(&p->ins[1], &(rt_instr){RT_OP_LOAD, 0, 5, 6, 1},
                 sizeof(rt_instr)) == 0);
    CHECK(memcmp(&p->ins[2], &(rt_instr){RT_OP_SPIN, 0, 48, 0, 0},
                 sizeof(rt_instr)) == 0);
    CHECK(memcmp(&p->ins[3], &(rt_instr){RT_OP_STORE, 0, 1, 1, 2},
                 sizeof(rt_instr)) == 0);
    p = &sc->progs[1];
    CHECK_EQ(p->nins, 3);
    CHECK_EQ(p->frame, 1);
    CHECK(memcmp(&p->ins[0], &(rt_instr){RT_OP_CALL, 0, 8, 0, 0},
                 sizeof(rt_instr)) == 0);
    CHECK(memcmp(&p->ins[1], &(rt_instr){RT_OP_SYSCALL, 0, 3, 0, 0},
                 sizeof(rt_instr)) == 0);
    CHECK(memcmp(&p->ins[2], &(rt_instr){RT_OP_GGET, 0, 4, 5, 0},
                 sizeof(rt_instr)) == 0);
    p = &sc->progs[2];
    CHECK_EQ(p->nins, 2);
    CHECK_EQ(p->frame, 16);
    CHECK(memcmp(&p->ins[0], &(rt_instr){RT_OP_NOP, 0, 0, 0, 0},
                 sizeof(rt_instr)) == 0);
    CHECK(memcmp(&p->ins[1], &(rt_instr){RT_OP_BLOCK, 0, 4, 0, 0},
                 sizeof(rt_instr)) == 0);
    /* Byte 0 is 9 (bits 0xF8 not all set): the waker is on. Program 2's
     * BLOCK 4 can run once (program 2 is started once; program 0, which
     * GOes to it, is not started), so the waker, started last, WAKEs
     * semaphore 4 once. */
    CHECK_EQ(sc->nprogs, 4);
    p = &sc->progs[3];
    CHECK_EQ(p->nins, 2);
    CHECK_EQ(p->frame, 1);
    CHECK(memcmp(&p->ins[0], &(rt_instr){RT_OP_WAKE, 0, 4, 0, 0},
                 sizeof(rt_instr)) == 0);
    CHECK(memcmp(&p->ins[1], &(rt_instr){RT_OP_YIELD, 0, 0, 0, 0},
                 sizeof(rt_instr)) == 0);
    CHECK_EQ(sc->nstart, 3);
    CHECK_EQ(sc->start[0], 2);
    CHECK_EQ(sc->start[1], 1);
    CHECK_EQ(sc->start[2], 3);
    CHECK_EQ(schedlen, 3);
    CHECK(sched == in + sizeof in - 3);
    within(sc);
    free(reencode(sc, sched, schedlen, &n));
    free(sc);
}

/* Data that ends inside a program: the rest takes defaults. */
TEST(input, decode_truncated)
{
    static const uint8_t in[] = {0,         0, 0, 0, 1, /* 2 programs */
                                 10,        1,          /* 10 instructions */
                                 RT_OP_NEW, 7, 0, 0, RT_OP_MOV, 3};
    rt_scenario *sc = tu_newsc();
    size_t schedlen;

    CHECK_EQ(gs_input_decode(in, sizeof in, sc, NULL, &schedlen), RT_OK);
    CHECK_EQ(sc->nprogs, 2);
    CHECK_EQ(sc->progs[0].nins, 2); /* the data ends in the second one */
    CHECK(memcmp(&sc->progs[0].ins[1], &(rt_instr){RT_OP_MOV, 0, 3, 0, 0},
                 sizeof(rt_instr)) == 0);
    CHECK_EQ(sc->progs[1].nins, 0);
    CHECK_EQ(sc->progs[1].frame, 4);
    CHECK_EQ(sc->nstart, 1);
    CHECK_EQ(schedlen, 0);
    within(sc);
    free(sc);
}

/* A GO chain past the spawn budget is cut; so are extra starts. */
TEST(input, decode_budget)
{
    uint8_t in[5 + 8 * 66 + 17], *p = in;
    rt_scenario *sc = tu_newsc();
    int i, j;

    *p++ = 0, *p++ = 0, *p++ = 0, *p++ = 0, *p++ = 7; /* 8 programs */
    for (i = 0; i < 8; i++) {
        *p++ = 16, *p++ = 0; /* 16 instructions */
        for (j = 0; j < 16; j++)
            *p++ = RT_OP_GO, *p++ = 0, *p++ = 0, *p++ = 0; /* GO i + 1 */
    }
    *p++ = 15; /* 16 starts of program 0 */
    for (j = 0; j < 16; j++)
        *p++ = 0;
    CHECK_EQ(gs_input_decode(in, (size_t)(p - in), sc, NULL, NULL), RT_OK);
    within(sc);
    /* Program 6 starts program 7 (weight 1) 16 times: weight 17. */
    CHECK_EQ(sc->progs[6].ins[15].op, RT_OP_GO);
    /* Program 5: 1 + 7 * 17 = 120; the 8th GO would make 137. */
    CHECK_EQ(sc->progs[5].ins[6].op, RT_OP_GO);
    CHECK_EQ(sc->progs[5].ins[7].op, RT_OP_NOP);
    CHECK_EQ(sc->progs[7].ins[0].op, RT_OP_NOP); /* the last program */
    CHECK_EQ(sc->nstart, 1); /* program 0 alone fills the budget */
    free(sc);
}

TEST(input, fuzz_decode)
{
    enum { ROUNDS = 20000, MAXLEN = 4096 };
    uint8_t *buf = malloc(MAXLEN);
    rt_scenario *sc = tu_newsc();
    uint64_t s = 0xC0FFEEull;
    const uint8_t *sched;
    size_t len, schedlen, n, j;
    int i;

    CHECK(buf != NULL);
    for (i = 0; i < ROUNDS; i++) {
        len = tu_rnd(&s) % (MAXLEN + 1);
        if (i % 4 == 0)
            len %= 64; /* short inputs end inside the header or a program */
        for (j = 0; j < len; j++)
            buf[j] = (uint8_t)tu_rnd(&s);
        /* An exactly sized copy, so ASan sees a read past the end. */
        uint8_t *copy = malloc(len ? len : 1);
        CHECK(copy != NULL);
        memcpy(copy, buf, len);
        CHECK_EQ(gs_input_decode(copy, len, sc, &sched, &schedlen), RT_OK);
        within(sc);
        CHECK_LE(schedlen, len);
        CHECK(schedlen == 0 || sched + schedlen == copy + len);
        /* Every decoded scenario is representable and round-trips. */
        free(reencode(sc, sched, schedlen, &n));
        free(copy);
    }
    free(buf);
    free(sc);
}

/* A scenario from the text form, within the bounds, round-trips. */
TEST(input, roundtrip_text)
{
    static const char text[] =
        "threads 8\nprocs 4\ngc stw\nheap 4096\n"
        "prog main frame 16\n NEW 0\n GO w 0\n CALL 63\n SPIN 4080\n"
        " SYSCALL 15\n STORE 255 1 3\n GSET 7 0\n GGET 1 7\n WAKE 7\n"
        " LOAD 1 0 1\nend\n"
        "prog w\n BLOCK 7\n USE 0\n EXIT\nend\nstart main x16\n";
    rt_scenario *sc = tu_newsc();
    char err[256];
    size_t n;

    CHECK_EQ(rt_scenario_parse(text, sizeof text - 1, sc, err, sizeof err),
             RT_OK);
    free(reencode(sc, (const uint8_t *)"\x01\x02", 2, &n));
    CHECK_EQ(n, 5 + 2 + 10 * 4 + 2 + 3 * 4 + 1 + 16 + 2);
    free(sc);
}

/* One change to a representable scenario, and the reason it gives. */
static void refuse(void (*change)(rt_scenario *), const char *why)
{
    static const uint8_t base[] = {0, 0,         0, 0, 1, 2, 3, RT_OP_GO,  0, 5,
                                   0, RT_OP_NEW, 1, 0, 0, 1, 0, RT_OP_NOP, 0, 0,
                                   0, 0,         0};
    rt_scenario *sc = tu_newsc();
    char got[256];

    gs_input_decode(base, sizeof base, sc, NULL, NULL);
    CHECK(gs_input_representable(sc, got, sizeof got));
    change(sc);
    CHECK_EQ(gs_input_representable(sc, got, sizeof got), 0);
    CHECK_EQ(gs_input_encode(sc, NULL, 0, NULL, 0), 0);
    if (strcmp(got, why) != 0)
        test__fail(__FILE__, __LINE__, "got '%s', want '%s'", got, why);
    free(sc);
}

/* The changes for refuse(), one per rule of the format. */
static void many_threads(rt_scenario *sc)
{
    sc->nthreads = 9;
}
static void odd_heap(rt_scenario *sc)
{
    sc->heapcap = 100;
}
static void big_frame(rt_scenario *sc)
{
    sc->progs[1].frame = 17;
}
static void go_back(rt_scenario *sc)
{
    sc->progs[1].ins[0] = (rt_instr){RT_OP_GO, 0, 0, 0, 0};
}
static void big_slot(rt_scenario *sc)
{
    sc->progs[0].ins[1].a = 256;
}
static void stray(rt_scenario *sc)
{
    sc->progs[0].ins[1].c = 1;
}
static void tail(rt_scenario *sc)
{
    sc->progs[5].frame = 1;
}
static void bad_start(rt_scenario *sc)
{
    sc->start[0] = 2;
}

TEST(input, not_representable)
{
    refuse(many_threads, "threads 9 is not in 1..8");
    refuse(odd_heap, "heap 100 is not a multiple of 16 in 16..4096");
    refuse(big_frame, "program 1 has a frame of 17 (not 1..16)");
    refuse(go_back, "program 1 instruction 0: GO in the last program (GO "
                    "may only start a later program)");
    refuse(big_slot, "program 0 instruction 1: NEW operand 1 is 256, out "
                     "of the format's range");
    refuse(stray, "program 0 instruction 1: NEW operand 3 is 1, out of the "
                  "format's range");
    refuse(tail, "data past the last program");
    refuse(bad_start, "start 0 names program 2 of 2");
}

/* slurp reads a whole file into a malloc'd buffer. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(1 << 16);

    CHECK(f != NULL && buf != NULL);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

/* sample decodes a fixed random input: a scenario and a schedule. */
static void sample(rt_scenario *sc, const uint8_t **sched, size_t *n)
{
    static uint8_t raw[600];
    uint64_t s = 7;
    size_t i;

    for (i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)tu_rnd(&s);
    gs_input_decode(raw, sizeof raw, sc, sched, n);
}

/* save writes sample() to dir/name and returns the file's bytes. */
static uint8_t *save(const char *dir, const char *name, const char *meta,
                     size_t *len)
{
    rt_scenario *sc = tu_newsc();
    const uint8_t *sched;
    char path[512], err[256];
    size_t n;

    sample(sc, &sched, &n);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (gs_input_save(path, sc, sched, n, meta, err, sizeof err) != RT_OK)
        test__fail(__FILE__, __LINE__, "save: %s", err);
    free(sc);
    return slurp(path, len);
}

/* cleanup removes dir/name and dir. */
static void cleanup(const char *dir, const char *name)
{
    char path[512];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    CHECK_EQ(rmdir(dir), 0);
}

TEST(input, file_roundtrip)
{
    rt_scenario *want = tu_newsc(), *got = tu_newsc();
    const uint8_t *s1, *s2;
    const char *meta;
    char dir[64], err[256];
    size_t n1, n2, len, mlen;
    uint8_t *file;

    fs_tmpdir(dir, sizeof dir);
    file = save(dir, "crash-1.gstorm",
                "checker=scan_owner\nseed=42\n"
                "strategy=pct",
                &len);
    CHECK(memcmp(file, "GSTORM\0\x1a\x02\x00\x01\x00", 12) == 0);
    sample(want, &s1, &n1);
    CHECK_EQ(gs_input_load(file, len, got, &s2, &n2, err, sizeof err), RT_OK);
    CHECK(memcmp(want, got, sizeof *want) == 0);
    CHECK_EQ(n1, n2);
    CHECK(memcmp(s1, s2, n1) == 0);
    CHECK_EQ(gs_input_meta(file, len, &meta, &mlen, err, sizeof err), RT_OK);
    CHECK_EQ(mlen, 39);
    CHECK(memcmp(meta, "checker=scan_owner\nseed=42\nstrategy=pct", 39) == 0);
    free(file);
    cleanup(dir, "crash-1.gstorm");

    /* Without metadata: flag 0 and no section. */
    fs_tmpdir(dir, sizeof dir);
    file = save(dir, "f", NULL, &len);
    CHECK_EQ(file[10], 0);
    CHECK_EQ(gs_input_load(file, len, got, NULL, NULL, err, sizeof err), RT_OK);
    CHECK(memcmp(want, got, sizeof *want) == 0);
    CHECK_EQ(gs_input_meta(file, len, &meta, &mlen, err, sizeof err), RT_OK);
    CHECK(meta == NULL && mlen == 0);
    free(file);
    cleanup(dir, "f");
    free(want);
    free(got);
}

/* crc is the IEEE CRC-32, written independently of input.c. */
static uint32_t crc(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    int k;

    while (n-- > 0) {
        c ^= *p++;
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (c & 1 ? 0xEDB88320u : 0);
    }
    return ~c;
}

/* setcrc rewrites the trailing checksum after a deliberate edit. */
static void setcrc(uint8_t *f, size_t len)
{
    uint32_t c = crc(f, len - 4);

    f[len - 4] = (uint8_t)c, f[len - 3] = (uint8_t)(c >> 8);
    f[len - 2] = (uint8_t)(c >> 16), f[len - 1] = (uint8_t)(c >> 24);
}

TEST(input, version_mismatch)
{
    rt_scenario *sc = tu_newsc();
    char dir[64], err[256];
    size_t len;
    uint8_t *file;

    fs_tmpdir(dir, sizeof dir);
    file = save(dir, "f", "k=v", &len);
    file[8] = 3; /* version 3, checksum fixed: only the version is wrong */
    setcrc(file, len);
    CHECK_EQ(gs_input_load(file, len, sc, NULL, NULL, err, sizeof err),
             RT_EVERSION);
    CHECK(strcmp(err, "format version 3 is not supported (this gstorm "
                      "reads versions 1..2)") == 0);
    file[8] = 0; /* version 0 never existed */
    setcrc(file, len);
    CHECK_EQ(gs_input_load(file, len, sc, NULL, NULL, err, sizeof err),
             RT_EVERSION);
    file[8] = 0, file[9] = 1; /* 256: a byte-order mistake is refused too */
    CHECK_EQ(gs_input_load(file, len, sc, NULL, NULL, err, sizeof err),
             RT_EVERSION);
    CHECK(strstr(err, "version 256 ") != NULL);
    /* Version is checked before anything else, even a bad checksum. */
    file[8] = 7, file[9] = 0, file[len - 1] ^= 1;
    CHECK_EQ(gs_input_load(file, 12, sc, NULL, NULL, err, sizeof err),
             RT_EVERSION);
    free(file);
    cleanup(dir, "f");
    free(sc);
}

TEST(input, truncated_file)
{
    rt_scenario *sc = tu_newsc();
    char dir[64], err[256], want[64];
    size_t len, cut;
    uint8_t *file;

    fs_tmpdir(dir, sizeof dir);
    file = save(dir, "f", "seed=1", &len);
    for (cut = 8; cut < len; cut++) {
        /* Exactly sized, so ASan catches a read past the cut. */
        uint8_t *part = malloc(cut);
        CHECK(part != NULL);
        memcpy(part, file, cut);
        CHECK_EQ(gs_input_load(part, cut, sc, NULL, NULL, err, sizeof err),
                 RT_EINVAL);
        snprintf(want, sizeof want, "truncated at offset %zu: ", cut);
        if (strncmp(err, want, strlen(want)) != 0)
            test__fail(__FILE__, __LINE__, "cut %zu: '%s'", cut, err);
        free(part);
    }
    /* Shorter than the magic: not a gstorm file, a raw input. */
    CHECK_EQ(gs_input_load(file, 7, sc, NULL, NULL, err, sizeof err), RT_OK);
    free(file);
    cleanup(dir, "f");
    free(sc);
}

TEST(input, damaged_file)
{
    rt_scenario *sc = tu_newsc();
    char dir[64], err[256];
    size_t len, i;
    uint8_t *file, *big;

    fs_tmpdir(dir, sizeof dir);
    file = save(dir, "f", "seed=1", &len);
    /* Any flipped bit past the version is refused. */
    for (i = 10; i < len; i++) {
        file[i] ^= 0x10;
        CHECK_EQ(gs_input_load(file, len, sc, NULL, NULL, err, sizeof err),
                 RT_EINVAL);
        file[i] ^= 0x10;
    }
    file[len - 5] ^= 1; /* the last metadata byte */
    CHECK_EQ(gs_input_load(file, len, sc, NULL, NULL, err, sizeof err),
             RT_EINVAL);
    CHECK(strncmp(err, "checksum mismatch at offset ", 28) == 0);
    file[len - 5] ^= 1;
    file[10] = 5; /* a reserved flag (bit 1 is the text payload now) */
    CHECK_EQ(gs_input_load(file, len, sc, NULL, NULL, err, sizeof err),
             RT_EINVAL);
    CHECK(strcmp(err, "unknown flags 0x5 at offset 10") == 0);
    file[10] = 1;
    big = malloc(len + 3);
    CHECK(big != NULL);
    memcpy(big, file, len);
    CHECK_EQ(gs_input_load(big, len + 3, sc, NULL, NULL, err, sizeof err),
             RT_EINVAL);
    snprintf((char *)file, 64, "3 trailing bytes at offset %zu", len);
    CHECK(strcmp(err, (char *)file) == 0);
    free(big);
    free(file);
    cleanup(dir, "f");
    free(sc);
}

TEST(input, raw_load)
{
    static const uint8_t raw[] = {1, 2, 0, 4, 0, 1, 0, RT_OP_GC,
                                  0, 0, 0, 0, 0, 9, 9};
    rt_scenario *a = tu_newsc(), *b = tu_newsc();
    const uint8_t *s1, *s2;
    size_t n1, n2;
    char err[64];

    CHECK_EQ(gs_input_load(raw, sizeof raw, a, &s1, &n1, err, sizeof err),
             RT_OK);
    gs_input_decode(raw, sizeof raw, b, &s2, &n2);
    CHECK(memcmp(a, b, sizeof *a) == 0);
    CHECK_EQ(a->progs[0].nins, 1);
    CHECK_EQ(a->progs[0].ins[0].op, RT_OP_GC);
    CHECK_EQ(n1, 2);
    CHECK(s1 == raw + sizeof raw - 2 && s1 == s2);
    free(a);
    free(b);
}

TEST(input, atomic_save)
{
    rt_scenario *sc = tu_newsc(), *got = tu_newsc();
    const uint8_t *sched;
    const char *want;
    char dir[64], path[128], err[256];
    size_t n, len;
    uint32_t keep;
    uint8_t *file;
    FILE *f;

    fs_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/target", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("old contents", f);
    fclose(f);
    sample(sc, &sched, &n);
    CHECK_EQ(gs_input_save(path, sc, sched, n, "a=b\n", err, sizeof err),
             RT_OK);
    CHECK_EQ(fs_nfiles(dir), 1); /* no temporary file left behind */
    file = slurp(path, &len);
    CHECK(memcmp(file, "GSTORM", 6) == 0);
    CHECK_EQ(gs_input_load(file, len, got, NULL, NULL, err, sizeof err), RT_OK);
    CHECK(memcmp(sc, got, sizeof *sc) == 0);
    free(file);

    /* A refused save leaves the old file and no temporary file. */
    CHECK_EQ(
        gs_input_save(path, sc, sched, n, "no equals sign", err, sizeof err),
        RT_EINVAL);
    CHECK(strstr(err, "malformed metadata") != NULL);
    keep = sc->nthreads;
    sc->nthreads = 1000; /* beyond the text form too: nothing can save it */
    CHECK_EQ(gs_input_save(path, sc, sched, n, NULL, err, sizeof err),
             RT_EINVAL);
    want = "cannot save the scenario: its text form does not parse (2:";
    if (strncmp(err, want, strlen(want)) != 0)
        test__fail(__FILE__, __LINE__, "got '%s'", err);
    CHECK_EQ(fs_nfiles(dir), 1);
    sc->nthreads = keep;
    file = slurp(path, &len); /* the old file is intact */
    CHECK_EQ(gs_input_load(file, len, got, NULL, NULL, err, sizeof err), RT_OK);
    CHECK(memcmp(sc, got, sizeof *sc) == 0);
    free(file);

    /* A directory that does not exist: RT_EIO naming the path. */
    snprintf(path, sizeof path, "%s/missing/target", dir);
    CHECK_EQ(gs_input_save(path, sc, sched, n, NULL, err, sizeof err), RT_EIO);
    CHECK(strstr(err, path) != NULL);
    CHECK_EQ(fs_nfiles(dir), 1);
    cleanup(dir, "target");
    free(sc);
    free(got);
}

/*
 * bigtext writes a scenario far past the raw format's bounds (threads,
 * procs, heap, programs, instructions and starts) into text; returns its
 * length. About 30 KB: within slurp's 64 KiB.
 */
static size_t bigtext(char *text, size_t cap)
{
    static const char *const body[] = {"NEW 0", "CALL 40",  "SPIN 5000",
                                       "USE 0", "GSET 7 0", "STORE 0 1 0",
                                       "RET",   "YIELD",    "SYSCALL 20"};
    size_t n = 0;
    int p, i;

    n += snprintf(text + n, cap - n,
                  "threads 32\nprocs 12\ngc quiesce\nheap 20000\n");
    for (p = 0; p < 12; p++) {
        n += snprintf(text + n, cap - n, "prog q%d frame 40\n", p);
        for (i = 0; i < 150; i++)
            n += snprintf(text + n, cap - n, " %s\n", body[(p + i) % 9]);
        /* GO to an earlier program: fine in the text form. */
        n += snprintf(text + n, cap - n, " GO q%d 0\nend\n", p / 2);
    }
    n += snprintf(text + n, cap - n, "start q11 x40\nstart q3 x30\n");
    CHECK_LT(n, cap);
    return n;
}

TEST(input, file_text_roundtrip)
{
    static char text[40000];
    static const uint8_t sched[] = {9, 8, 7, 0, 255};
    rt_scenario *sc = tu_newsc(), *got = tu_newsc();
    const uint8_t *s2;
    const char *meta;
    char dir[64], path[128], err[256], why[160];
    size_t len, n2, mlen, cut;
    uint8_t *file;
    int form;

    CHECK_EQ(rt_scenario_parse(text, bigtext(text, sizeof text), sc, err,
                               sizeof err),
             RT_OK);
    CHECK_EQ(gs_input_representable(sc, why, sizeof why), 0);
    fs_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/big", dir);
    if (gs_input_save(path, sc, sched, sizeof sched, "strategy=pct\nseed=3",
                      err, sizeof err) != RT_OK)
        test__fail(__FILE__, __LINE__, "save: %s", err);
    file = slurp(path, &len);
    CHECK_LT(len, 1 << 16);
    CHECK_EQ(file[10], 3); /* metadata and a text payload */
    CHECK_EQ(gs_input_form(file, len, &form, err, sizeof err), RT_OK);
    CHECK_EQ(form, GS_INPUT_FILE_TEXT);
    CHECK_EQ(gs_input_load(file, len, got, &s2, &n2, err, sizeof err), RT_OK);
    CHECK(memcmp(sc, got, sizeof *sc) == 0);
    CHECK_EQ(got->nprogs, 12);
    CHECK_EQ(got->progs[5].nins, 151);
    CHECK_EQ(got->nstart, 70);
    CHECK_EQ(n2, sizeof sched);
    CHECK(memcmp(s2, sched, sizeof sched) == 0);
    CHECK_EQ(gs_input_meta(file, len, &meta, &mlen, err, sizeof err), RT_OK);
    CHECK(mlen == 19 && memcmp(meta, "strategy=pct\nseed=3", 19) == 0);
    /* Truncated anywhere (a sample of cuts: every one is slow), refused. */
    for (cut = 8; cut < len; cut += cut < len - 64 ? 509 : 1)
        CHECK_EQ(gs_input_load(file, cut, got, NULL, NULL, err, sizeof err),
                 RT_EINVAL);
    free(file);

    /* Without a schedule and metadata: flag 1 alone, an empty schedule. */
    CHECK_EQ(gs_input_save(path, sc, NULL, 0, NULL, err, sizeof err), RT_OK);
    file = slurp(path, &len);
    CHECK_EQ(file[10], 2);
    CHECK_EQ(gs_input_load(file, len, got, &s2, &n2, err, sizeof err), RT_OK);
    CHECK(memcmp(sc, got, sizeof *sc) == 0);
    CHECK(s2 == NULL && n2 == 0);
    free(file);
    cleanup(dir, "big");
    free(sc);
    free(got);
}

/*
 * mkfile builds a gstorm file by hand around payload (flags as given,
 * no metadata) with a correct checksum, so that only the payload can be
 * wrong. Returns its length; f must hold plen + 20 bytes.
 */
static size_t mkfile(uint8_t *f, uint16_t flags, const void *payload,
                     size_t plen)
{
    memcpy(f, "GSTORM\0\x1a\x01\x00", 10);
    f[10] = (uint8_t)flags, f[11] = (uint8_t)(flags >> 8);
    f[12] = (uint8_t)plen, f[13] = (uint8_t)(plen >> 8);
    f[14] = (uint8_t)(plen >> 16), f[15] = (uint8_t)(plen >> 24);
    memcpy(f + 16, payload, plen);
    setcrc(f, 16 + plen + 4);
    return 16 + plen + 4;
}

/* textfile builds a text-payload file of text (t bytes) and sched. */
static size_t textfile(uint8_t *f, const char *text, size_t t, uint32_t tlen,
                       const char *sched)
{
    uint8_t pay[512];
    size_t s = strlen(sched);

    pay[0] = (uint8_t)tlen, pay[1] = (uint8_t)(tlen >> 8);
    pay[2] = (uint8_t)(tlen >> 16), pay[3] = (uint8_t)(tlen >> 24);
    memcpy(pay + 4, text, t);
    memcpy(pay + 4 + t, sched, s);
    return mkfile(f, 2, pay, 4 + t + s);
}

TEST(input, file_text_malformed)
{
    static const char good[] = "prog m\n GC\nend\nstart m\n";
    static const char bad[] = "threads 4\nprog m\n FROB 1\nend\nstart m\n";
    static const char nul[] = "prog m\n GC\0\nend\nstart m\n";
    rt_scenario *sc = tu_newsc();
    const uint8_t *sched;
    uint8_t f[600];
    char err[256];
    size_t len, n;

    /* A good one, as a check on mkfile: the schedule follows the text. */
    len = textfile(f, good, sizeof good - 1, sizeof good - 1, "\x05\x06");
    CHECK_EQ(gs_input_load(f, len, sc, &sched, &n, err, sizeof err), RT_OK);
    CHECK_EQ(sc->progs[0].ins[0].op, RT_OP_GC);
    CHECK(n == 2 && sched[0] == 5 && sched[1] == 6);

    len = textfile(f, bad, sizeof bad - 1, sizeof bad - 1, "");
    CHECK_EQ(gs_input_load(f, len, sc, NULL, NULL, err, sizeof err), RT_EINVAL);
    if (strncmp(err, "malformed scenario text at offset 20 (text line:col 3:",
                54) != 0)
        test__fail(__FILE__, __LINE__, "got '%s'", err);

    len = textfile(f, nul, sizeof nul - 1, sizeof nul - 1, "");
    CHECK_EQ(gs_input_load(f, len, sc, NULL, NULL, err, sizeof err), RT_EINVAL);
    CHECK(strstr(err, "NUL") != NULL);

    /* A text length one past the payload's end. */
    len = textfile(f, good, sizeof good - 1, sizeof good, "");
    CHECK_EQ(gs_input_load(f, len, sc, NULL, NULL, err, sizeof err), RT_EINVAL);
    if (strcmp(err, "text length 24 at offset 16 runs past the payload (23 "
                    "bytes of text and schedule)") != 0)
        test__fail(__FILE__, __LINE__, "got '%s'", err);

    /* Too short to hold the text length at all. */
    len = mkfile(f, 2, "ab", 2);
    CHECK_EQ(gs_input_load(f, len, sc, NULL, NULL, err, sizeof err), RT_EINVAL);
    CHECK(strstr(err, "too short") != NULL);

    /* An empty text: no 'start' line. */
    len = textfile(f, "", 0, 0, "xyz");
    CHECK_EQ(gs_input_load(f, len, sc, NULL, NULL, err, sizeof err), RT_EINVAL);
    CHECK(strstr(err, "no 'start' line") != NULL);
    free(sc);
}

/* waker builds the input of input.waker: byte 0 given, 2 programs; the
 * first BLOCKs on semaphores 1 and 3 and GOes to the second twice; the
 * second BLOCKs on 3; the first is started twice. */
static size_t wakerinput(uint8_t b0, uint8_t *in)
{
    const uint8_t body[] = {
        1,           1, 3, 1, /* procs 2, gc quiesce, heap 64, 2 programs */
        4,           0,       /* program 0: 4 instructions, frame 1 */
        RT_OP_BLOCK, 1, 0, 0, RT_OP_GO, 0, 0, 0,
        RT_OP_BLOCK, 3, 0, 0, RT_OP_GO, 0, 0, 0, /* GO 1 twice */
        1,           0,                          /* program 1: 1 instruction */
        RT_OP_BLOCK, 3, 0, 0, 1,        0, 0,    /* 2 starts of program 0 */
    };
    in[0] = b0;
    memcpy(in + 1, body, sizeof body);
    return 1 + sizeof body;
}

/* simrun runs sc on the sim as a fuzz target does (default spec). */
static rt_stats simrun(const rt_scenario *sc)
{
    rt_stats st;
    gs_spec spec;

    gs_spec_default(&spec);
    CHECK_EQ(gs_spec_run(sc, &spec, NULL, 0, &st), RT_OK);
    return st;
}

/* The waker (format version 2): counts, the flag, version 1, encoding. */
TEST(input, waker)
{
    rt_scenario *sc = tu_newsc(), *v1 = tu_newsc();
    uint8_t in[64], *enc;
    size_t n, m;
    uint32_t i, wakes[RT_NSEMA] = {0};
    const rt_prog *w;

    /* On: program 0 runs twice (BLOCK 1, BLOCK 3 each), program 1 four
     * times (two GOs from each of two goroutines: BLOCK 3 each). */
    n = wakerinput(0x01, in);
    CHECK_EQ(gs_input_decode(in, n, sc, NULL, NULL), RT_OK);
    CHECK_EQ(sc->nthreads, 2);
    CHECK_EQ(sc->nprogs, 3);
    CHECK_EQ(sc->nstart, 3);
    CHECK_EQ(sc->start[2], 2);
    w = &sc->progs[2];
    for (i = 0; i < w->nins; i += 2) {
        CHECK_EQ(w->ins[i].op, RT_OP_WAKE);
        CHECK_EQ(w->ins[i + 1].op, RT_OP_YIELD);
        wakes[w->ins[i].a]++;
    }
    CHECK_EQ(wakes[1], 2);
    CHECK_EQ(wakes[3], 2 + 4);
    CHECK_EQ(w->nins, 2 * 8);
    within(sc);
    /* The encoder writes the waker as the flag: the same bytes back. */
    enc = reencode(sc, NULL, 0, &m);
    CHECK_EQ(m, n);
    CHECK(memcmp(enc, in, n) == 0);
    free(enc);
    CHECK_EQ(simrun(sc).deadlocked, 0); /* nobody is left parked */

    /* Off: byte 0's bits 0xF8 all set; the same scenario as version 1. */
    n = wakerinput(0xF9, in);
    CHECK_EQ(gs_input_decode(in, n, sc, NULL, NULL), RT_OK);
    CHECK_EQ(sc->nprogs, 2);
    CHECK_EQ(sc->nstart, 2);
    within(sc);
    enc = reencode(sc, NULL, 0, &m);
    CHECK(memcmp(enc, in, n) == 0); /* written with the flag off */
    free(enc);
    n = wakerinput(0x01, in);
    CHECK_EQ(gs_input_decode_version(in, n, 1, v1, NULL, NULL), RT_OK);
    CHECK(memcmp(sc, v1, sizeof *sc) == 0);
    CHECK_GT(simrun(sc).deadlocked, 0); /* parked on its own BLOCKs */

    /* A gstorm file of version 1 (as the code before the waker saved it:
     * byte 0 with the flag bits clear) loads without the waker; the same
     * bytes as version 2 load with it. */
    {
        uint8_t *file;
        size_t len;
        char err[256];

        CHECK_EQ(gs_input_file(sc, NULL, 0, NULL, &file, &len, err, sizeof err),
                 RT_OK);
        CHECK_EQ(file[8], 2);
        CHECK_EQ(file[GS_INPUT_HEADER], 0xF9); /* the flag is off */
        file[GS_INPUT_HEADER] = 0x01, file[8] = 1;
        setcrc(file, len);
        CHECK_EQ(gs_input_load(file, len, v1, NULL, NULL, err, sizeof err),
                 RT_OK);
        CHECK(memcmp(sc, v1, sizeof *sc) == 0);
        file[8] = 2;
        setcrc(file, len);
        CHECK_EQ(gs_input_load(file, len, v1, NULL, NULL, err, sizeof err),
                 RT_OK);
        CHECK_EQ(v1->nprogs, 3); /* the waker */
        free(file);
    }
    free(sc);
    free(v1);
}

/* gs_input_redecode into a reused scenario equals a fresh decode, input
 * after input (long ones then short ones: the leftovers must go). */
TEST(input, redecode_matches_decode)
{
    rt_scenario *reused = tu_newsc(), *fresh = tu_newsc();
    uint8_t buf[1024];
    uint64_t s = 7;
    const uint8_t *s1, *s2;
    size_t n1, n2;
    int i;
    size_t k, len;

    for (i = 0; i < 300; i++) {
        len = i < 150 ? 200 + (size_t)(i * 5) : (size_t)(i % 40);
        for (k = 0; k < len; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            buf[k] = (uint8_t)(s >> 33);
        }
        CHECK_EQ(gs_input_redecode(buf, len, reused, &s1, &n1), RT_OK);
        CHECK_EQ(gs_input_decode(buf, len, fresh, &s2, &n2), RT_OK);
        CHECK(memcmp(reused, fresh, sizeof *fresh) == 0);
        CHECK(s1 == s2 && n1 == n2);
    }
    free(reused);
    free(fresh);
}
