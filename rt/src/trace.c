/*
 * trace.c - the event trace (a ring buffer of the last events), the throw
 * that ends a run on a broken invariant, and the G dumps in its report.
 *
 * Events are numbered by one atomic sequence counter; in sim that order is
 * the order of execution, in threads it is one valid linearization.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

enum { RING = 4096 }; /* events kept: enough for a report's timeline */

/* An event. Fields are relaxed atomics: two Ms may write one slot when
 * the ring wraps, and the report reads slots other Ms write. They are
 * os.h's non-yielding atomics on purpose: recording must not add yield
 * points, or tracing would change the sim's schedule. */
typedef struct rt_event {
    _Atomic uint64_t seq;
    _Atomic uint32_t m, g;
    _Atomic uint32_t kind, from, to;
    const char *_Atomic fn;
} rt_event;

/* PUT and GET access a 32-bit field of event e; SEQ reads its sequence
 * number. */
#define PUT(field, v) rt__store32_noyield(&e->field, v, memory_order_relaxed)
#define GET(field) rt__load32_noyield(&e->field, memory_order_relaxed)
#define SEQ(e) rt__load64_noyield(&(e)->seq, memory_order_relaxed)

static rt_event ring[RING];
static _Atomic uint64_t seqgen;
static rt_throw_hook throwhook;
/* The run's trace stream (rt_options.trace), NULL once a report begins,
 * and its replay hint (rt_options.replay_hint), copied at the start. */
static FILE *tracestream;
static char replayhint[512];
void (*rt__test_exit_hook)(rt_g *gp);

/* Status values folded to 0..17 (base, then scan forms) for the bitmap. */
enum { NTRANS = 2 * RT_G_NSTATUS };
static _Atomic uint8_t transseen[NTRANS][NTRANS];

static uint32_t fold(uint32_t s)
{
    uint32_t b = s & ~(uint32_t)RT_G_SCAN;

    if (b >= RT_G_NSTATUS)
        b = RT_G_NSTATUS - 1;
    return rt__isscanstatus(s) ? RT_G_NSTATUS + b : b;
}

/* rt__transseen reports whether from -> to was seen since the reset. */
bool rt__transseen(uint32_t from, uint32_t to)
{
    return rt__load8_noyield(&transseen[fold(from)][fold(to)],
                             memory_order_relaxed) != 0;
}

void rt__transreset(void)
{
    memset((void *)transseen, 0, sizeof transseen);
}
static _Atomic uint32_t throwing;

static const char *const evname[RT_EV__COUNT] = {
    "status", "claim",     "release", "scan",    "preemptreq", "newstack",
    "copy",   "park",      "ready",   "syscall", "phase",      "stw",
    "work",   "scanstart", "sysexit", "switch",  "pstop",
};
_Static_assert(sizeof evname / sizeof evname[0] == RT_EV__COUNT,
               "every event kind needs a name");

/* The trace hash: FNV-1a over every event's kind, M, G, from and to, in
 * order. Kept only in sim, where the order is the run's own; in threads
 * it would hash a race. */
static uint64_t hash;
enum { FNV_OFFSET = 0xcbf29ce484222325ull, FNV_PRIME = 0x100000001b3ull };

/* Only the sim calls it, one M at a time by construction; TSan, which
 * sees fibers as threads switched without synchronization, must not count
 * the sim's own bookkeeping as a race between Ms. */
__attribute__((no_sanitize("thread"))) static void hashword(uint64_t w)
{
    int i;

    for (i = 0; i < 8; i++) {
        hash ^= (w >> (8 * i)) & 0xff;
        hash *= FNV_PRIME;
    }
}

/* rt_trace_hash is in rt.h. */
uint64_t rt_trace_hash(void)
{
    return hash;
}

/* rt__tracecount is the number of events recorded: the sequence
 * counter, which every event takes one number of. */
uint64_t rt__tracecount(void)
{
    return rt__load64_noyield(&seqgen, memory_order_seq_cst);
}

static void printevent(FILE *f, uint64_t seq, rt_event *e);
static void traceheader(FILE *f);

/* onswitch records the sim's switch from one M to another. */
static void onswitch(uint32_t from, uint32_t to)
{
    if (from >= RT_MAX_THREADS + 1)
        return; /* the sim's own context starting the first M */
    rt__event(RT_EV_SWITCH, NULL, from, to, "schedule-source");
}

/* rt__traceinit empties the trace for a new run, and takes the run's trace
 * stream and replay hint from opt. */
void rt__traceinit(const rt_options *opt)
{
    tracestream = opt->trace;
    snprintf(replayhint, sizeof replayhint, "%s",
             opt->replay_hint != NULL ? opt->replay_hint : "");
    if (tracestream != NULL)
        traceheader(tracestream);
    rt__store64_noyield(&seqgen, 0, memory_order_seq_cst);
    rt__store32_noyield(&throwing, 0, memory_order_seq_cst);
    hash = FNV_OFFSET;
    rt__coverreset();
    rt__sim_switch_hook = onswitch;
}

/* rt__event appends an event. Relaxed: the sequence number only orders
 * events in the report, and the slot it names is ours alone. */
void rt__event(rt_evkind kind, rt_g *gp, uint32_t from, uint32_t to,
               const char *fn)
{
    uint64_t seq = rt__xadd64_noyield(&seqgen, 1, memory_order_relaxed) - 1;
    rt_event *e = &ring[seq % RING];
    uint32_t m = rt__os_curid(); /* once: a call through the os layer */
    uint32_t g = gp != NULL ? rt__goid(gp) : 0;

    rt__store64_noyield(&e->seq, seq, memory_order_relaxed);
    PUT(m, m);
    PUT(g, g);
    PUT(kind, kind);
    PUT(from, from);
    PUT(to, to);
    rt__storep_noyield((void *_Atomic *)&e->fn, (void *)fn,
                       memory_order_relaxed);
    if (rt__sim_on) {
        hashword(kind);
        hashword(m);
        hashword(g);
        hashword(((uint64_t)from << 32) | to);
    }
    /* Load first: a store to an already set byte would still take the
     * cache line from the other Ms' cores on every event. */
    if ((kind == RT_EV_STATUS || kind == RT_EV_CLAIM ||
         kind == RT_EV_RELEASE) &&
        !rt__load8_noyield(&transseen[fold(from)][fold(to)],
                           memory_order_relaxed))
        rt__store8_noyield(&transseen[fold(from)][fold(to)], 1,
                           memory_order_relaxed);
    rt__coverevent(kind, gp, m, from, to);
    if (tracestream != NULL)
        printevent(tracestream, seq, e);
}

/* fmtval renders an event's from/to: statuses by name, else numbers. */
static const char *fmtval(char *buf, size_t n, uint32_t kind, uint32_t v)
{
    if (kind == RT_EV_STATUS || kind == RT_EV_CLAIM || kind == RT_EV_RELEASE)
        return rt__gstatusname(v);
    snprintf(buf, n, "%u", v);
    return buf;
}

/* printevent prints one event in the fixed columns of rt_trace_print. */
static void printevent(FILE *f, uint64_t seq, rt_event *e)
{
    char a[16], b[16];
    uint32_t kind = GET(kind);
    const char *fn =
        rt__loadp_noyield((void *_Atomic const *)&e->fn, memory_order_relaxed);

    if (kind >= RT_EV__COUNT)
        return;
    fprintf(f, "%8llu %3u %6u %-10s %-14s %-14s %s\n", (unsigned long long)seq,
            GET(m), GET(g), evname[kind], fmtval(a, sizeof a, kind, GET(from)),
            fmtval(b, sizeof b, kind, GET(to)), fn ? fn : "");
}

/* traceheader prints the column header of rt_trace_print. */
static void traceheader(FILE *f)
{
    fprintf(f, "%8s %3s %6s %-10s %-14s %-14s %s\n", "seq", "m", "g", "event",
            "from", "to", "by");
}

/* rt_trace_print prints the last `last` events, one line each, in fixed
 * columns: sequence, M, G, kind, from, to, function (rt.h). */
void rt_trace_print(FILE *f, unsigned last)
{
    uint64_t end = rt__tracecount(), i;

    if (last > RING)
        last = RING;
    i = end > last ? end - last : 0;
    traceheader(f);
    for (; i < end; i++) {
        rt_event *e = &ring[i % RING];
        if (SEQ(e) == i) /* else overwritten or being written */
            printevent(f, i, e);
    }
}

/* shortname abbreviates a status for the per-M view. */
static const char *shortname(uint32_t s)
{
    static const char *const base[RT_G_NSTATUS] = {
        "idle", "rnbl", "run", "sys", "wait", "5?", "dead", "enq", "copy"};
    static const char *const scan[RT_G_NSTATUS] = {
        "S?",  "S+rnbl", "S+run", "S+sys", "S+wait",
        "S5?", "S+dead", "S+enq", "S+copy"};
    uint32_t b = s & ~(uint32_t)RT_G_SCAN;

    if (b >= RT_G_NSTATUS)
        return "?";
    return rt__isscanstatus(s) ? scan[b] : base[b];
}

/*
 * rt_trace_timeline prints the last `last` events as a timeline with one
 * column per M: each event sits in the column of the M that made it, so
 * that what ran concurrently reads side by side.
 */
void rt_trace_timeline(FILE *f, unsigned last)
{
    enum { COLS = 6, WIDTH = 24 }; /* Ms shown; characters per column */
    uint64_t end = rt__tracecount(), i;
    uint32_t m, ncols = 0, kind;
    char cell[64];

    if (last > RING)
        last = RING;
    i = end > last ? end - last : 0;
    for (uint64_t j = i; j < end; j++) {
        rt_event *e = &ring[j % RING];
        m = GET(m);
        if (SEQ(e) == j && m < COLS && m + 1 > ncols)
            ncols = m + 1;
    }
    fprintf(f, "%8s", "seq");
    for (m = 0; m < ncols; m++) {
        snprintf(cell, sizeof cell, "M%u", m);
        fprintf(f, " | %-*s", WIDTH, cell);
    }
    fprintf(f, "\n");
    for (; i < end; i++) {
        rt_event *e = &ring[i % RING];
        if (SEQ(e) != i)
            continue;
        kind = GET(kind);
        m = GET(m);
        if (kind >= RT_EV__COUNT || m >= ncols)
            continue;
        if (kind == RT_EV_STATUS || kind == RT_EV_CLAIM ||
            kind == RT_EV_RELEASE)
            snprintf(cell, sizeof cell, "g%u %s>%s", GET(g),
                     shortname(GET(from)), shortname(GET(to)));
        else if (kind == RT_EV_SWITCH)
            snprintf(cell, sizeof cell, "-> M%u", GET(to));
        else
            snprintf(cell, sizeof cell, "g%u %s %u", GET(g), evname[kind],
                     GET(from));
        fprintf(f, "%8llu", (unsigned long long)i);
        for (uint32_t c = 0; c < ncols; c++)
            fprintf(f, " | %-*.*s", WIDTH, WIDTH, c == m ? cell : "");
        fprintf(f, "\n");
    }
}

/* rt__dumpg prints gp's state: status, M, stack bounds and flags. It
 * runs in a throw while gp's M may still run it: the plain reads are
 * racy by design, and hidden from TSan so that the report it prints is
 * the throw's, not a race in the reporter. */
/* PEEK reads a 32-bit atomic for a dump: relaxed and non-yielding. */
#define PEEK(p) rt__load32_noyield(p, memory_order_relaxed)

__attribute__((no_sanitize("thread"))) void rt__dumpg(FILE *f, rt_g *gp)
{
    if (gp == NULL)
        return;
    fprintf(f,
            "  g %u: status=%s(0x%x) m=%d prog=%u pc=%u stack=[%u,%u) "
            "size=%u depth=%u stackguard0=%s preempt=%u preemptscan=%u "
            "gcworkdone=%u scans=%u\n",
            rt__goid(gp), rt__gstatusname(rt__readgstatus(gp)),
            rt__readgstatus(gp), gp->m ? (int)gp->m->id : -1, gp->prog, gp->pc,
            gp->sp, gp->stacksize, gp->stacksize, gp->depth,
            rt__load64_noyield(&gp->stackguard0, memory_order_relaxed) ==
                    RT_STACK_PREEMPT
                ? "StackPreempt"
                : "normal",
            PEEK(&gp->preempt), PEEK(&gp->preemptscan), PEEK(&gp->gcworkdone),
            gp->scancount);
    if (gp->parked && rt__readgstatus(gp) == RT_G_WAITING) {
        if (gp->waitsema >= 0)
            fprintf(f, "        parked on semaphore %d\n", gp->waitsema);
        else
            fprintf(f, "        parked until its GC cycle ends\n");
    }
}

/* rt__dumpps prints every P: status, M, local run queue length; and the
 * scheduler's idle counts. Racy reads, as rt__dumpg's. */
__attribute__((no_sanitize("thread"))) void rt__dumpps(FILE *f)
{
    static const char *const pname[] = {"Pidle", "Prunning", "Psyscall",
                                        "Pgcstop", "Pdead"};
    rt_runtime *r = &rt__rt;
    uint32_t i, st;
    rt_p *p;
    rt_m *mp;

    for (i = 0; i < r->nprocs && r->allp[i] != NULL; i++) {
        p = r->allp[i];
        st = PEEK(&p->status);
        mp = rt__loadp_noyield((void *_Atomic const *)&p->m,
                               memory_order_relaxed);
        fprintf(f, "  p %u: %s m=%d runq=%u\n", i, st < 5 ? pname[st] : "?",
                mp ? (int)mp->id : -1, PEEK(&p->runqtail) - PEEK(&p->runqhead));
    }
    for (i = 0; i < r->sched.mcount && r->allm[i] != NULL; i++) {
        rt_g *cg;
        mp = r->allm[i];
        cg = rt__loadp_noyield((void *_Atomic const *)&mp->curg,
                               memory_order_relaxed);
        fprintf(f, "  m %u: p=%d nextp=%d curg=%d spinning=%u\n", mp->id,
                mp->p ? (int)mp->p->id : -1,
                mp->nextp ? (int)mp->nextp->id : -1,
                cg ? (int)rt__goid(cg) : -1, mp->spinning);
    }
    fprintf(f,
            "  sched: mcount=%u nmidle=%u npidle=%u nmspinning=%u "
            "runqsize=%u gcwaiting=%u\n",
            r->sched.mcount, r->sched.nmidle, PEEK(&r->sched.npidle),
            PEEK(&r->sched.nmspinning), PEEK(&r->sched.runqsize),
            PEEK(&r->sched.gcwaiting));
}

/* rt__dumpallg prints every G in allgs. */
void rt__dumpallg(FILE *f)
{
    uint32_t i, n = rt__allglen();

    for (i = 0; i < n; i++)
        rt__dumpg(f, rt__allg(i));
}

void rt_set_throw_hook(rt_throw_hook hook)
{
    throwhook = hook;
}

/* rt__diehook runs the throw hook, if any (it does not return); without
 * one it returns and rt__die aborts in the caller's frame. */
void rt__diehook(rt__rule rule)
{
    fflush(stderr);
    if (throwhook != NULL)
        throwhook(rt__ruleid(rule));
    abort();
}

/* rt_dump is in rt.h. */
void rt_dump(FILE *f)
{
    if (rt__allglen() == 0 && rt__tracecount() == 0)
        return; /* no run has started */
    fprintf(f, "all goroutines:\n");
    rt__dumpallg(f);
    fprintf(f, "processors:\n");
    rt__dumpps(f);
    fprintf(f, "last events:\n");
    rt_trace_print(f, 40);
    fprintf(f, "timeline by M:\n");
    rt_trace_timeline(f, 40);
    fflush(f);
}

/*
 * rt__report prints a broken invariant's report: the rule id, the
 * message, the G, every G, the last events as lines and as a timeline per
 * M, and how to replay. Only the first report prints; a second one
 * (another M hitting the fallout) waits to be killed.
 */
void rt__report(rt__rule rule, rt_g *gp, const char *fmt, ...)
{
    const char *id = rt__ruleid(rule);
    va_list ap;

    tracestream = NULL; /* the report goes to stderr, alone */
    if (rt__sim_on)
        rt__sim_halt();
    if (rt__xchg32_noyield(&throwing, 1) != 0) {
        for (;;)
            rt__osyield();
    }
    fprintf(stderr, "gstorm: violation [%s]: ", id);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (gp != NULL) {
        fprintf(stderr, "the goroutine:\n");
        rt__dumpg(stderr, gp);
    }
    rt_dump(stderr);
    if (replayhint[0] != 0)
        fprintf(stderr, "replay: %s\n", replayhint);
    fprintf(stderr, "gstorm: violation [%s]\n", id);
    fflush(stderr);
}
