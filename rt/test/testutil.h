/*
 * testutil.h - helpers for rt's tests: scenarios from text, runs on the
 * threads backend, the exit capture, and a fake M/P for unit tests of
 * the status word outside a run.
 */
#ifndef RT_TESTUTIL_H
#define RT_TESTUTIL_H

#include "runtime.h"
#include "test.h"

/* tu_parse parses a scenario; a parse error fails the test. The result
 * is heap-allocated and lives until the process ends. */
rt_scenario *tu_parse(const char *text);

/* tu_run runs sc on real threads with procs Ps (threads = procs + 2);
 * a non-OK return fails the test. */
rt_stats tu_run(const rt_scenario *sc, uint32_t procs);
rt_stats tu_runopt(const rt_scenario *sc, const rt_options *opt);

/* tu_opts fills opt (and src, which opt->sim points at) for a run on the
 * sim (a seeded random schedule) or on threads, with procs Ps and at
 * most threads Ms. */
void tu_opts(rt_options *opt, rt_sim_source *src, bool sim, uint64_t seed,
             uint32_t procs, uint32_t threads);

/* What tu_capture saw of a goroutine at its exit. */
typedef struct tu_exit {
    uint32_t prog, goid, depth, framen, stacksize, sp;
    rt_slot slots[RT_MAX_FRAME]; /* the current frame */
} tu_exit;

/* tu_capture installs the exit hook; tu_exitof finds the first capture
 * of a program (failing the test if there is none). */
void tu_capture(void);
const tu_exit *tu_exitof(uint32_t prog);
int tu_nexits(void);

/* tu_fakeg makes a G in the given status, with a fake M and P installed
 * on this thread, for unit tests that call g.c directly. */
rt_g *tu_fakeg(uint32_t status);
rt_p *tu_fakep(void);

/* The transition table of PROTOCOL.md ("Transition table at the seed"),
 * written out from the spec, not from g.c: tests check g.c's table
 * against it. tu_leftout lists the spec's rows rt leaves out, tu_extra
 * the rows rt has beyond it, each with why. */
typedef struct tu_row {
    uint32_t from, to;
    const char *why;
} tu_row;
extern const uint32_t tu_protocol[][2];
extern const size_t tu_nprotocol;
extern const tu_row tu_leftout[], tu_extra[];
extern const size_t tu_nleftout, tu_nextra;

/* tu_inspec: from -> to is a row of PROTOCOL.md. tu_inrt: it is a row rt
 * should have (the spec's, less the left-out ones, plus the extra ones);
 * runs must reach every such row. */
bool tu_inspec(uint32_t from, uint32_t to);
bool tu_inrt(uint32_t from, uint32_t to);

#endif /* RT_TESTUTIL_H */
