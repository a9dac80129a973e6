/*
 * child.c - one run in a forked child, bounded and classified: the way
 * every front end runs an input it cannot trust to end (a violation ends
 * the process that ran it, a sanitizer aborts it, a hang never returns).
 *
 * The child reports through a pipe, one message: 'S' and its rt_stats
 * after a clean run, 'V' and the rule from the throw hook, 'E' and an
 * RT_E* code when rt_run refused the run. Its stderr goes to an unlinked
 * temporary file that the parent reads after the child has ended: a
 * sanitizer's report is recognized there, and passed on to the parent's
 * stderr unless the run is quiet.
 *
 * Bounds: the parent kills the child at its deadline; the child also
 * carries the bound itself (an alarm and a CPU-time limit), dies with the
 * parent (PR_SET_PDEATHSIG), and may not map more than its memory bound.
 * A SIGINT or SIGTERM to the parent kills the running child first.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "harness_int.h"

enum {
    DEFAULT_TIMEOUT_S = 120, /* the sim's step budget ends a run far
                                sooner: this catches a hang outside it */
    DEFAULT_MEM_MB = 4096,   /* the largest scenario needs well under
                                1 GiB; the bound catches a runaway */
    MAX_REPORT = 1 << 20,    /* bytes of a child's stderr scanned and
                                passed on (a report is a few KiB) */
};

/* Whether this build has a sanitizer that needs its own address space
 * (ASan, TSan, MSan reserve terabytes of shadow). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||     \
    __has_feature(memory_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* The child now running, for the signal handler; 0 when none. */
static volatile sig_atomic_t childpid;
/* gs__workerpid is in harness_int.h. */
volatile sig_atomic_t gs__workerpid;
/* The write end of the result pipe, in the child, for childhook. */
static int resultfd = -1;

/* reap kills pid (if any) and waits for it. Async-signal-safe. */
static void reap(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
}

/* onsignal is the parent's SIGINT/SIGTERM handler: kill the running
 * child and the worker, then die of the same signal. Async-signal-safe. */
static void onsignal(int sig)
{
    reap((pid_t)childpid);
    reap((pid_t)gs__workerpid);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* gs__installsignals is in harness_int.h: onsignal, once per process. */
void gs__installsignals(void)
{
    static bool done;
    struct sigaction sa;

    if (done)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = onsignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    done = true;
}

/* childhook is a child's throw hook: send the rule to the parent ('V'
 * and the rule), exit 1. Never returns. */
static _Noreturn void childhook(const char *rule)
{
    char msg[1 + GS_MAX_RULE];
    size_t n = strlen(rule);

    if (n > GS_MAX_RULE - 1)
        n = GS_MAX_RULE - 1;
    msg[0] = 'V';
    memcpy(msg + 1, rule, n);
    gs_writeall(resultfd, msg, 1 + n); /* a lost parent: nobody to tell */
    fflush(stdout);
    fflush(stderr);
    _exit(GS_EXIT_VIOLATION);
}

/* The child's watchdog bound, for onwatchdog's message. */
static unsigned watchdog_s;

/*
 * onwatchdog is the child's SIGALRM handler: its run has made no progress
 * for its whole time bound. It tells the parent ('T'), prints the state of
 * the run (rt_dump: every G, P and M and the last events) and exits. Not
 * async-signal-safe past the write: it is the last thing the process
 * does, and a torn picture is better than none (Go's SIGQUIT dump has the
 * same deal).
 */
static void onwatchdog(int sig)
{
    char t = 'T';

    (void)sig;
    gs_writeall(resultfd, &t, 1);
    fprintf(stderr,
            "gstorm: watchdog: the run made no progress for %u s; its "
            "state:\n",
            watchdog_s);
    rt_dump(stderr);
    _exit(GS_EXIT_INTERNAL);
}

/* gs__child_enter is in harness_int.h. */
void gs__child_enter(const gs_childcfg *cfg, pid_t parent, int resfd,
                     bool cpulimit)
{
    struct rlimit rl;

    /* Die with the parent; if it is already gone, the prctl came too
     * late to say so. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(GS_EXIT_INTERNAL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    resultfd = resfd;
    watchdog_s = cfg->timeout_s;
    signal(SIGALRM, onwatchdog);
    if (cpulimit) {
        rl.rlim_cur = rl.rlim_max = cfg->timeout_s + GS__CHILD_GRACE_S;
        setrlimit(RLIMIT_CPU, &rl);
    }
    if (!SANITIZED) {
        rl.rlim_cur = rl.rlim_max = (rlim_t)cfg->mem_mb << 20;
        setrlimit(RLIMIT_AS, &rl);
    }
    rt_set_throw_hook(childhook);
}

/*
 * childmain is the child's side: bound itself, run, report. Never
 * returns. errfd is the file its stderr goes to.
 */
static _Noreturn void childmain(const rt_scenario *sc, const rt_options *opt,
                                const gs_childcfg *cfg, pid_t parent, int resfd,
                                int errfd)
{
    uint8_t msg[1 + sizeof(rt_stats)];
    rt_stats st;
    int rc;

    gs__child_enter(cfg, parent, resfd, true);
    alarm(cfg->timeout_s);
    dup2(errfd, 2);
    close(errfd);
    rc = rt_run(sc, opt, &st);
    if (rc != RT_OK) {
        msg[0] = 'E';
        memcpy(msg + 1, &rc, sizeof rc);
        gs_writeall(resfd, msg, 1 + sizeof rc);
        _exit(GS_EXIT_INTERNAL);
    }
    msg[0] = 'S';
    memcpy(msg + 1, &st, sizeof st);
    gs_writeall(resfd, msg, 1 + sizeof st);
    fflush(stdout);
    fflush(stderr);
    _exit(GS_EXIT_OK);
}

/* gs__childcfg_defaults is in harness_int.h. */
void gs__childcfg_defaults(gs_childcfg *cfg)
{
    if (cfg->timeout_s == 0)
        cfg->timeout_s = DEFAULT_TIMEOUT_S;
    if (cfg->mem_mb == 0)
        cfg->mem_mb = DEFAULT_MEM_MB;
}

/* signame names the signals a run is likely to die of. */
static const char *signame(int sig)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {
        {SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},
        {SIGILL, "SIGILL"},   {SIGFPE, "SIGFPE"},   {SIGTRAP, "SIGTRAP"},
        {SIGKILL, "SIGKILL"}, {SIGALRM, "SIGALRM"}, {SIGXCPU, "SIGXCPU"}};
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sig == sig)
            return names[i].name;
    return NULL;
}

/* gs_sanitizer_key is in harness.h. */
bool gs_sanitizer_key(const char *text, char *key, size_t cap)
{
    static const struct {
        const char *marker, *prefix;
        int words; /* words of the kind that follow the marker */
    } kinds[] = {
        {"ERROR: LeakSanitizer: ", "lsan", 0},
        {"ERROR: AddressSanitizer: ", "asan", 1},
        {"WARNING: ThreadSanitizer: ", "tsan", 2},
        {"ERROR: ThreadSanitizer: ", "tsan", 2},
        {"runtime error: ", "ubsan", 3},
    };
    size_t i, n;

    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const char *p = strstr(text, kinds[i].marker);
        int w = 0;
        if (p == NULL)
            continue;
        p += strlen(kinds[i].marker);
        n = (size_t)snprintf(key, cap, "%s.", kinds[i].prefix);
        if (kinds[i].words == 0) {
            snprintf(key + n, cap - n, "leak");
            return true;
        }
        /* The kind's words, joined by '-', up to the line's end, a
         * digit-led word (an address, a size) or a ':'. */
        while (*p != 0 && *p != '\n' && w < kinds[i].words && n + 1 < cap) {
            if (*p == ' ') {
                w++;
                if (w < kinds[i].words && p[1] >= 'a' && p[1] <= 'z')
                    key[n++] = '-';
                else
                    break;
            } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                       *p == '-' || *p == '_') {
                key[n++] = *p;
            } else {
                break;
            }
            p++;
        }
        key[n] = 0;
        return true;
    }
    return false;
}

/* gs__readall is in harness_int.h. */
char *gs__readall(int fd)
{
    char *buf = malloc(MAX_REPORT + 1);
    size_t n = 0;
    ssize_t r;

    if (buf == NULL || lseek(fd, 0, SEEK_SET) != 0) {
        free(buf);
        return NULL;
    }
    while (n < MAX_REPORT) {
        r = read(fd, buf + n, MAX_REPORT - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = 0;
    return buf;
}

/* gs__classify is in harness_int.h. */
void gs__classify(const uint8_t *msg, size_t got, int status, bool killed,
                  const char *text, gs_outcome *out)
{
    const rt_rule_info *ri;
    const char *name;

    if (got > 1 && msg[0] == 'V') {
        size_t n = got - 1 < GS_MAX_RULE ? got - 1 : GS_MAX_RULE - 1;
        memcpy(out->key, msg + 1, n);
        out->key[n] = 0;
        ri = rt_rule_find(out->key);
        out->kind = ri != NULL && ri->resource ? GS_OUT_RESOURCE : GS_OUT_RULE;
    } else if (got >= 1 && msg[0] == 'T') {
        /* The child's own watchdog: it dumped the run's state. */
        out->kind = GS_OUT_TIMEOUT;
        snprintf(out->key, sizeof out->key, "timeout");
    } else if (text != NULL &&
               gs_sanitizer_key(text, out->key, sizeof out->key)) {
        out->kind = GS_OUT_SANITIZER;
    } else if (killed ||
               (WIFSIGNALED(status) &&
                (WTERMSIG(status) == SIGALRM || WTERMSIG(status) == SIGXCPU))) {
        out->kind = GS_OUT_TIMEOUT;
        snprintf(out->key, sizeof out->key, "timeout");
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
               got == 1 + sizeof(rt_stats) && msg[0] == 'S') {
        out->kind = GS_OUT_CLEAN;
        memcpy(&out->st, msg + 1, sizeof out->st);
    } else if (WIFEXITED(status) && got == 1 + sizeof(int) && msg[0] == 'E') {
        out->kind = GS_OUT_ERROR;
        memcpy(&out->code, msg + 1, sizeof out->code);
    } else if (WIFSIGNALED(status)) {
        out->kind = GS_OUT_SIGNAL;
        name = signame(WTERMSIG(status));
        if (name != NULL)
            snprintf(out->key, sizeof out->key, "signal.%s", name);
        else
            snprintf(out->key, sizeof out->key, "signal.%d", WTERMSIG(status));
    } else if (text != NULL && (strstr(text, "out of memory") != NULL ||
                                strstr(text, "Cannot allocate memory"))) {
        /* Memory ran out outside rt's own checks (the bound above). */
        out->kind = GS_OUT_RESOURCE;
        snprintf(out->key, sizeof out->key, "resource.memory");
    } else {
        out->kind = GS_OUT_SIGNAL;
        snprintf(out->key, sizeof out->key, "exit.%d",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
}

/* gs__readmsg is in harness_int.h. */
bool gs__readmsg(int fd, pid_t pid, double deadline, uint8_t *msg, size_t cap,
                 size_t *got, size_t (*need)(const uint8_t *msg, size_t got))
{
    for (;;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        double left = deadline - gs_now();
        size_t want = need != NULL ? need(msg, *got) : cap - *got;
        ssize_t r;
        if (want == 0)
            return false;
        if (left <= 0) {
            kill(pid, SIGKILL);
            return true;
        }
        if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
            continue; /* EINTR or the deadline: the check above decides */
        r = read(fd, msg + *got, want < cap - *got ? want : cap - *got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        *got += (size_t)r;
        if (*got == cap)
            return false; /* more than any message: stop reading */
    }
}

/* gs__spawn is in harness_int.h. */
pid_t gs__spawn(bool both, FILE **errf, int *mine, int *theirs, char *err,
                size_t errlen)
{
    int fds[2];
    pid_t pid;

    gs__installsignals();
    *errf = tmpfile();
    if (*errf == NULL) {
        gs_fail(0, err, errlen, "a temporary file: %s", strerror(errno));
        return -1;
    }
    if ((both ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds)) != 0) {
        gs_fail(0, err, errlen, "%s: %s", both ? "socketpair" : "pipe",
                strerror(errno));
        fclose(*errf);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        gs_fail(0, err, errlen, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        fclose(*errf);
        return -1;
    }
    close(fds[pid == 0 ? 0 : 1]);
    *mine = pid == 0 ? -1 : fds[0];
    *theirs = pid == 0 ? fds[1] : -1;
    return pid;
}

/* gs_child_run is in harness.h. */
bool gs_child_run(const rt_scenario *sc, const rt_options *opt,
                  const gs_childcfg *cfg_, gs_outcome *out, char *err,
                  size_t errlen)
{
    uint8_t msg[1 + sizeof(rt_stats) + GS_MAX_RULE];
    gs_childcfg cfg = *cfg_;
    size_t got = 0;
    double deadline;
    bool killed;
    int fds[2], status = 0;
    FILE *errf;
    char *text;
    pid_t pid, parent = getpid();

    memset(out, 0, sizeof *out);
    gs__childcfg_defaults(&cfg);
    pid = gs__spawn(false, &errf, &fds[0], &fds[1], err, errlen);
    if (pid < 0)
        return false;
    if (pid == 0)
        childmain(sc, opt, &cfg, parent, fds[1], dup(fileno(errf)));
    childpid = pid;
    deadline = gs_now() + cfg.timeout_s + GS__CHILD_GRACE_S;
    /* Read until EOF (the child is gone) or the deadline. */
    killed = gs__readmsg(fds[0], pid, deadline, msg, sizeof msg, &got, NULL);
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    childpid = 0;
    text = gs__readall(fileno(errf));
    fclose(errf);
    gs__classify(msg, got, status, killed, text, out);
    if (text != NULL && out->kind != GS_OUT_CLEAN)
        gs_top_frames(text, out->frames, sizeof out->frames);
    if (!cfg.quiet && text != NULL)
        fputs(text, stderr);
    free(text);
    return true;
}

/* gs_outcome_finding is in harness.h. */
bool gs_outcome_finding(const gs_outcome *o)
{
    return o->kind == GS_OUT_RULE || o->kind == GS_OUT_SANITIZER ||
           o->kind == GS_OUT_SIGNAL || o->kind == GS_OUT_TIMEOUT;
}

/* gs_outcome_key is in harness.h. */
void gs_outcome_key(const gs_outcome *o, char *key, size_t cap)
{
    uint32_t h = 2166136261u; /* FNV-1a 32: offset basis, prime below */
    const char *p;

    if (o->frames[0] == 0) {
        snprintf(key, cap, "%s", o->key);
        return;
    }
    for (p = o->frames; *p != 0; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    snprintf(key, cap, "%s@%08" PRIx32, o->key, h);
}

/* gs_throw_exit is in harness.h. */
_Noreturn void gs_throw_exit(const char *rule)
{
    const rt_rule_info *ri = rt_rule_find(rule);

    fflush(stdout);
    if (ri != NULL && ri->resource) {
        fprintf(stderr, "gstorm: run stopped: out of a resource (%s)\n", rule);
        fflush(stderr);
        _exit(GS_EXIT_INTERNAL);
    }
    fprintf(stderr, "gstorm: run failed on rule %s\n", rule);
    fflush(stderr);
    _exit(GS_EXIT_VIOLATION);
}
