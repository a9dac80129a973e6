/*
 * pool.c - runs in process, and a worker: a long-lived child that runs
 * many inputs in process, one at a time, and is replaced when one fails.
 *
 * gs_child_run forks once per run: safe, but a fork, a pipe and a
 * temporary file per run cost one to three times a sim run of a small
 * scenario (ci/bench-explore). A worker pays the fork once per failure
 * instead. The parent sends it requests (a gs_spec and schedule bytes)
 * on a socket; it runs each with gs_spec_run, the same in-process run
 * the fuzz targets make, and answers as a one-run child does: 'S' and
 * its rt_stats, or 'E' and an RT_E* code ('W' and the stats, and it
 * exits, if the run wrote on stderr: see below). A run that fails ends
 * the worker the way it ends a one-run child ('V' and the rule from the
 * throw hook, 'T' from its watchdog, or a signal, a sanitizer's exit),
 * and gs__classify reads its death the same way; the next request
 * starts a new worker.
 *
 * What is left of the cost is wake-ups: the parent sends up to
 * GS_WORKER_AHEAD runs ahead, and the worker holds its answers while
 * more requests wait, so that one wake-up of each side serves many runs.
 * The answers held die with the worker; the parent then runs the run it
 * asked for again alone, so that every outcome it returns is that run's.
 *
 * Isolation is what a one-run child has, less two things: the worker's
 * stderr is not passed on (it goes to a temporary file, read when the
 * worker dies, so that a sanitizer's report is classified as
 * gs_child_run would; the caller re-runs a failed input in a fresh child
 * for the report; a run that wrote anything ends the worker), and its
 * CPU-time limit cannot be one per run (the per-run bound is the
 * watchdog's alarm, armed for each run, and the parent's deadline, which
 * kills a silent worker). A run's result does not depend on the runs
 * before it in the same process: rt starts every run from its own state
 * (the determinism the fuzz targets' replay driver checks, and test_pool
 * checks here).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "harness_int.h"

enum {
    MAX_SCHED = 1 << 20, /* schedule bytes of one request: far above a
                            fuzzer input's (GS_MAX_FILE is for files) */
};

/* How long a worker holds answers at most: short next to a person
 * watching, long next to a run (tens of microseconds). */
#define HOLD_S 0.02

/* One request, then nsched schedule bytes. */
typedef struct request {
    gs_spec spec;
    uint32_t nsched;
} request;

/* gs_spec_run is in harness.h. */
int gs_spec_run(const rt_scenario *sc, const gs_spec *s, const uint8_t *sched,
                size_t nsched, rt_stats *st)
{
    rt_sim_source src;
    rt_options opt;

    gs_spec_options(s, sched, nsched, &src, &opt);
    opt.quiet = true; /* a program deadlock is counted, not printed */
    return rt_run(sc, &opt, st);
}

/* xfer reads or (out) sends exactly n bytes on socket fd, a send never
 * raising SIGPIPE; false at EOF or if the other end is gone. */
static bool xfer(int fd, void *buf, size_t n, bool out)
{
    uint8_t *p = buf;
    ssize_t r;

    while (n > 0) {
        r = out ? send(fd, p, n, MSG_NOSIGNAL) : read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

/* need says how many more bytes the worker's answer msg[0..got) wants:
 * 'S' or 'W' and the stats, 'E' and a code; any other ('V' and a rule,
 * 'T') comes before the worker's end, so read to EOF. */
static size_t need(const uint8_t *msg, size_t got)
{
    size_t n = SIZE_MAX;

    if (got == 0)
        return 1;
    if (msg[0] == 'S' || msg[0] == 'W')
        n = 1 + sizeof(rt_stats);
    else if (msg[0] == 'E')
        n = 1 + sizeof(int);
    return n == SIZE_MAX ? SIZE_MAX : n - got;
}

/* waiting says whether a request waits on fd (a run sent ahead). */
static bool waiting(int fd)
{
    struct pollfd pfd = {fd, POLLIN, 0};

    return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
}

/*
 * workermain is the worker's side: bound itself, then answer requests on
 * fd until the parent closes it. Answers are held while more requests
 * wait (runs sent ahead), up to GS_WORKER_AHEAD of them or HOLD_S
 * seconds, and sent together: the parent wakes once for many. A failed
 * run never returns here (the throw hook, the watchdog or the signal
 * ends the process, and the answers held are lost: the parent runs the
 * runs it has no answer for again). Never returns.
 */
static _Noreturn void workermain(const gs_worker *w, pid_t parent, int fd,
                                 int errfd)
{
    uint8_t held[GS_WORKER_AHEAD * (1 + sizeof(rt_stats))], *sched;
    size_t nheld = 0, nans = 0;
    double first = 0;
    request rq;
    rt_stats st;
    int rc, null;
    bool wrote;

    gs__child_enter(&w->cfg, parent, fd, false);
    null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
        dup2(null, 1);
        close(null);
    }
    dup2(errfd, 2);
    close(errfd);
    sched = malloc(MAX_SCHED);
    if (sched == NULL)
        _exit(GS_EXIT_INTERNAL);
    while (xfer(fd, &rq, sizeof rq, false)) {
        if (rq.nsched > MAX_SCHED || !xfer(fd, sched, rq.nsched, false))
            break;
        alarm(w->cfg.timeout_s);
        rc = gs_spec_run(w->sc, &rq.spec, sched, rq.nsched, &st);
        alarm(0);
        /* A quiet run that wrote on stderr (a sanitizer that goes on
         * after its report, as TSan does) ends the worker: 'W', and the
         * parent classifies it with the text, as gs_child_run would. */
        wrote = rc == RT_OK && lseek(2, 0, SEEK_CUR) > 0;
        if (nans == 0)
            first = gs_now();
        held[nheld] = rc != RT_OK ? 'E' : wrote ? 'W' : 'S';
        if (rc != RT_OK) {
            memcpy(held + nheld + 1, &rc, sizeof rc);
            nheld += 1 + sizeof rc;
        } else {
            memcpy(held + nheld + 1, &st, sizeof st);
            nheld += 1 + sizeof st;
        }
        nans++;
        if (wrote || nans == GS_WORKER_AHEAD || gs_now() - first >= HOLD_S ||
            !waiting(fd)) {
            if (!xfer(fd, held, nheld, true) || wrote)
                break;
            nheld = nans = 0;
        }
    }
    _exit(GS_EXIT_OK); /* the parent closed the socket */
}

/* gs_worker_init is in harness.h. */
void gs_worker_init(gs_worker *w, const rt_scenario *sc, const gs_childcfg *cfg)
{
    memset(w, 0, sizeof *w);
    w->sc = sc;
    w->cfg = *cfg;
    gs__childcfg_defaults(&w->cfg);
    w->fd = -1;
}

/* start forks a new worker. Returns false with err set if it cannot. */
static bool start(gs_worker *w, char *err, size_t errlen)
{
    pid_t pid, parent = getpid();
    FILE *errf;
    int mine, theirs;

    pid = gs__spawn(true, &errf, &mine, &theirs, err, errlen);
    if (pid < 0)
        return false;
    if (pid == 0)
        workermain(w, parent, theirs, dup(fileno(errf)));
    w->errf = errf;
    w->pid = pid;
    w->fd = mine;
    w->served = 0;
    w->started++;
    gs__workerpid = pid;
    return true;
}

/* reap closes the worker's socket and waits for it (killed first if
 * kill_); returns its wait status, and (text not NULL) what it wrote on
 * stderr in *text (malloc'd, or NULL). */
static int reap(gs_worker *w, bool kill_, char **text)
{
    int status = 0;

    if (kill_)
        kill(w->pid, SIGKILL);
    close(w->fd);
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    gs__workerpid = 0;
    w->pid = 0;
    w->fd = -1;
    w->nq = 0;
    if (text != NULL)
        *text = gs__readall(fileno(w->errf));
    fclose(w->errf);
    w->errf = NULL;
    return status;
}

/* sendrun sends the worker a request for s and its schedule bytes;
 * false if it is gone. */
static bool sendrun(gs_worker *w, const gs_spec *s, const uint8_t *sched,
                    size_t nsched)
{
    request rq;

    memset(&rq, 0, sizeof rq);
    rq.spec = *s;
    rq.nsched = (uint32_t)nsched;
    return xfer(w->fd, &rq, sizeof rq, true) &&
           xfer(w->fd, (uint8_t *)sched, nsched, true);
}

/* samerun says whether specs a and b make the same run (the fields that
 * gs_spec_options reads). */
static bool samerun(const gs_spec *a, const gs_spec *b)
{
    return a->kind == b->kind && a->depth == b->depth && a->seed == b->seed &&
           a->steps_hint == b->steps_hint && a->step_budget == b->step_budget &&
           a->bound_ns == b->bound_ns && a->faults == b->faults;
}

/* inorder says whether the runs the worker has unanswered are s (without
 * schedule bytes), then a prefix of next[0..nnext). */
static bool inorder(const gs_worker *w, const gs_spec *s, size_t nsched,
                    const gs_spec *next, size_t nnext)
{
    size_t i;

    if (nsched != 0 || !samerun(&w->q[0], s))
        return false;
    for (i = 1; i < w->nq; i++)
        if (i - 1 >= nnext || !samerun(&w->q[i], &next[i - 1]))
            return false;
    return true;
}

/* gs_worker_run is in harness.h. */
bool gs_worker_run(gs_worker *w, const gs_spec *s, const uint8_t *sched,
                   size_t nsched, const gs_spec *next, size_t nnext,
                   gs_outcome *out, char *err, size_t errlen)
{
    uint8_t msg[1 + sizeof(rt_stats) + GS_MAX_RULE];
    size_t got = 0, i, behind;
    double deadline;
    char *text = NULL;
    bool killed;
    int status;

    memset(out, 0, sizeof *out);
    if (nsched > MAX_SCHED) {
        gs_fail(0, err, errlen, "%zu schedule bytes (at most %d)", nsched,
                MAX_SCHED);
        return false;
    }
    /* A worker with other runs ahead of s would answer those first. */
    if (w->pid > 0 && w->nq > 0 && !inorder(w, s, nsched, next, nnext))
        reap(w, true, NULL);
    if (w->pid == 0 && !start(w, err, errlen))
        return false;
    if (w->nq > 0) {
        /* s was sent ahead: its answer is on its way. */
        memmove(w->q, w->q + 1, (w->nq - 1) * sizeof w->q[0]);
        w->nq--;
    } else if (!sendrun(w, s, sched, nsched)) {
        /* It died between runs (killed from outside): a new one. */
        reap(w, true, NULL);
        if (!start(w, err, errlen))
            return false;
        if (!sendrun(w, s, sched, nsched)) {
            gs_fail(0, err, errlen, "a new worker did not take a run");
            reap(w, true, NULL);
            return false;
        }
    }
    /* Top up the runs sent ahead. If a send fails, the worker is gone:
     * reading s's answer says how. */
    for (i = w->nq; i < nnext && w->nq < GS_WORKER_AHEAD; i++) {
        if (!sendrun(w, &next[i], NULL, 0))
            break;
        w->q[w->nq++] = next[i];
    }
    behind = w->nq;
    /* s's answer may wait for the run after it (held, see workermain). */
    deadline = gs_now() +
               (behind > 0 ? 2 : 1) * (w->cfg.timeout_s + GS__CHILD_GRACE_S);
    /* Read one answer; EOF or the deadline first means it is gone. */
    killed = gs__readmsg(w->fd, w->pid, deadline, msg, sizeof msg, &got, need);
    if (!killed && got == 1 + sizeof(rt_stats) && msg[0] == 'S') {
        out->kind = GS_OUT_CLEAN;
        memcpy(&out->st, msg + 1, sizeof out->st);
        w->served++;
        return true;
    }
    if (!killed && got == 1 + sizeof(int) && msg[0] == 'E') {
        out->kind = GS_OUT_ERROR;
        memcpy(&out->code, msg + 1, sizeof out->code);
        w->served++;
        return true;
    }
    status = reap(w, killed || got == sizeof msg, &text);
    if (behind > 0) {
        /* The worker held answers and died with runs sent after s: what
         * ended it may have been one of those. Run s again alone. */
        free(text);
        return gs_worker_run(w, s, sched, nsched, NULL, 0, out, err, errlen);
    }
    if (got > 0 && msg[0] == 'W')
        msg[0] = 'S'; /* a one-run child's clean end, and its text */
    gs__classify(msg, got, status, killed, text, out);
    if (text != NULL)
        gs_top_frames(text, out->frames, sizeof out->frames);
    free(text);
    return true;
}

/* gs_worker_stop is in harness.h. */
void gs_worker_stop(gs_worker *w)
{
    if (w->pid > 0)
        reap(w, true, NULL);
}
