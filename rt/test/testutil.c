/*
 * testutil.c - helpers for rt's tests (see testutil.h).
 */
#include "testutil.h"

#include <pthread.h>
#include <string.h>

/* Scenarios stay reachable from here until the process ends, so that
 * LeakSanitizer does not count them. */
enum { MAXSC = 256 };
static rt_scenario *scenarios[MAXSC];
static int nscenarios;

rt_scenario *tu_parse(const char *text)
{
    rt_scenario *sc = malloc(sizeof *sc);
    char err[256];

    if (sc == NULL || nscenarios == MAXSC)
        test__fail(__FILE__, __LINE__, "out of memory or scenarios");
    scenarios[nscenarios++] = sc;
    if (rt_scenario_parse(text, strlen(text), sc, err, sizeof err) != RT_OK)
        test__fail(__FILE__, __LINE__, "bad test scenario: %s", err);
    return sc;
}

rt_stats tu_runopt(const rt_scenario *sc, const rt_options *opt)
{
    rt_stats st;
    int rc = rt_run(sc, opt, &st);

    if (rc != RT_OK)
        test__fail(__FILE__, __LINE__, "rt_run returned %d", rc);
    return st;
}

rt_stats tu_run(const rt_scenario *sc, uint32_t procs)
{
    rt_options opt;

    memset(&opt, 0, sizeof opt);
    opt.backend = RT_BACKEND_THREADS;
    opt.nprocs = procs;
    opt.nthreads = procs + 2;
    opt.quiet = true;
    return tu_runopt(sc, &opt);
}

enum { MAXEXITS = 256 };
static tu_exit exits[MAXEXITS];
static int nexits;
static pthread_mutex_t exitmu = PTHREAD_MUTEX_INITIALIZER;

/* hook copies the dying G's current frame; goexit0 runs it on the G's M,
 * so several Ms may call it at once. */
static void hook(rt_g *gp)
{
    tu_exit *e;
    uint32_t i;

    pthread_mutex_lock(&exitmu);
    if (nexits < MAXEXITS) {
        e = &exits[nexits++];
        e->prog = gp->prog;
        e->goid = gp->goid;
        e->depth = gp->depth;
        e->framen = gp->framen;
        e->stacksize = gp->stacksize;
        e->sp = gp->sp;
        for (i = 0; i < gp->framen && i < RT_MAX_FRAME; i++)
            e->slots[i] = gp->stack[gp->sp + i];
    }
    pthread_mutex_unlock(&exitmu);
}

void tu_capture(void)
{
    nexits = 0;
    rt__test_exit_hook = hook;
}

int tu_nexits(void)
{
    return nexits;
}

const tu_exit *tu_exitof(uint32_t prog)
{
    int i;

    for (i = 0; i < nexits; i++)
        if (exits[i].prog == prog)
            return &exits[i];
    test__fail(__FILE__, __LINE__, "no goroutine of program %u exited", prog);
}

static rt_m fakem;
static rt_p fakep;

rt_p *tu_fakep(void)
{
    return &fakep;
}

/* Fake Gs stay reachable (LeakSanitizer) until the process ends. */
enum { MAXG = 64 };
static rt_g *fakegs[MAXG];
static int nfakegs;

rt_g *tu_fakeg(uint32_t status)
{
    rt_g *gp = calloc(1, sizeof *gp);

    if (gp == NULL)
        test__fail(__FILE__, __LINE__, "out of memory");
    if (nfakegs == MAXG) { /* recycle the oldest */
        free(fakegs[0]->stack);
        free(fakegs[0]);
        memmove(fakegs, fakegs + 1, (MAXG - 1) * sizeof fakegs[0]);
        nfakegs--;
    }
    fakegs[nfakegs++] = gp;
    rt__rt.nprocs = 1;
    rt__rt.allp[0] = &fakep;
    fakem.p = &fakep;
    atomic_store(&fakep.m, &fakem);
    atomic_store(&fakep.status, RT_P_RUNNING);
    rt__tls_set(&fakem);
    rt__stackinit(gp, 4);
    gp->goid = 7;
    atomic_store(&gp->atomicstatus, status);
    return gp;
}

/* PROTOCOL.md, "Transition table at the seed", one row per pair, in the
 * table's order (a row "A / B -> C -> back" gives A -> C, B -> C, C -> A,
 * C -> B). */
const uint32_t tu_protocol[][2] = {
    {RT_G_IDLE, RT_G_DEAD},             /* newproc */
    {RT_G_DEAD, RT_G_RUNNABLE},         /* newproc */
    {RT_G_RUNNABLE, RT_G_RUNNING},      /* execute */
    {RT_G_RUNNING, RT_G_WAITING},       /* park, newstack, GC caller */
    {RT_G_WAITING, RT_G_RUNNABLE},      /* ready, park, netpoll */
    {RT_G_WAITING, RT_G_RUNNING},       /* end of newstack, GC caller */
    {RT_G_WAITING, RT_G_SYSCALL},       /* end of newstack */
    {RT_G_RUNNING, RT_G_RUNNABLE},      /* gosched, preemption */
    {RT_G_RUNNING, RT_G_DEAD},          /* goexit */
    {RT_G_RUNNING, RT_G_SYSCALL},       /* entersyscall */
    {RT_G_SYSCALL, RT_G_RUNNING},       /* exitsyscall fast path */
    {RT_G_SYSCALL, RT_G_RUNNABLE},      /* exitsyscall slow path */
    {RT_G_WAITING, RT_G_COPYSTACK},     /* copystack */
    {RT_G_RUNNABLE, RT_G_COPYSTACK},    /* copystack */
    {RT_G_COPYSTACK, RT_G_WAITING},     /* copystack */
    {RT_G_COPYSTACK, RT_G_RUNNABLE},    /* copystack */
    {RT_G_RUNNABLE, RT_G_SCANRUNNABLE}, /* stopg */
    {RT_G_WAITING, RT_G_SCANWAITING},   /* stopg */
    {RT_G_SYSCALL, RT_G_SCANSYSCALL},   /* stopg */
    {RT_G_SCANRUNNABLE, RT_G_RUNNABLE}, /* restartg */
    {RT_G_SCANWAITING, RT_G_WAITING},   /* restartg */
    {RT_G_SCANSYSCALL, RT_G_SYSCALL},   /* restartg */
    {RT_G_RUNNING, RT_G_SCANRUNNING},   /* stopg */
    {RT_G_SCANRUNNING, RT_G_RUNNING},   /* stopg */
    {RT_G_RUNNING, RT_G_SCANENQUEUE},   /* quiesce */
    {RT_G_SCANENQUEUE, RT_G_WAITING},   /* restartg */
};
const size_t tu_nprotocol = sizeof tu_protocol / sizeof tu_protocol[0];

/* Rows of PROTOCOL.md that rt leaves out on purpose, and why. */
const tu_row tu_leftout[] = {
    {RT_G_WAITING, RT_G_SYSCALL,
     "newstack is entered only from Grunning: SYSCALL never grows the "
     "stack, so newstack never returns a G to Gsyscall"},
    {RT_G_RUNNABLE, RT_G_COPYSTACK,
     "rt copies a stack in Gcopystack only to grow it, from newstack "
     "(Gwaiting); a shrink at scan time moves it under the scan bit"},
    {RT_G_COPYSTACK, RT_G_RUNNABLE,
     "the way back of the row above: growth returns to Gwaiting"},
};
const size_t tu_nleftout = sizeof tu_leftout / sizeof tu_leftout[0];

/* Rows rt has beyond PROTOCOL.md's table, and why. */
const tu_row tu_extra[] = {
    {0, 0, NULL}, /* none: every row of rt's table is in the seed's */
};
const size_t tu_nextra = 0;

/* tu_inspec reports whether from -> to is a row of PROTOCOL.md. */
bool tu_inspec(uint32_t from, uint32_t to)
{
    size_t i;

    for (i = 0; i < tu_nprotocol; i++)
        if (tu_protocol[i][0] == from && tu_protocol[i][1] == to)
            return true;
    return false;
}

/* inrows reports whether from -> to is one of the n rows of r. */
static bool inrows(const tu_row *r, size_t n, uint32_t from, uint32_t to)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (r[i].from == from && r[i].to == to)
            return true;
    return false;
}

bool tu_inrt(uint32_t from, uint32_t to)
{
    if (inrows(tu_extra, tu_nextra, from, to))
        return true;
    return tu_inspec(from, to) && !inrows(tu_leftout, tu_nleftout, from, to);
}

/* tu_opts is in testutil.h. */
void tu_opts(rt_options *opt, rt_sim_source *src, bool sim, uint64_t seed,
             uint32_t procs, uint32_t threads)
{
    memset(src, 0, sizeof *src);
    src->kind = RT_SIM_RANDOM;
    src->seed = seed;
    memset(opt, 0, sizeof *opt);
    opt->backend = sim ? RT_BACKEND_SIM : RT_BACKEND_THREADS;
    opt->sim = src;
    opt->nprocs = procs;
    opt->nthreads = threads;
}
