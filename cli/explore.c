/*
 * explore.c - `gstorm explore`: schedule search without a fuzzer. Each run
 * is a forked child on the sim backend (a violation ends its process);
 * the first violating run is saved as a replay file (saved.c) and checked
 * to reproduce.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "harness.h"
#include "saved.h"

enum {
    DEFAULT_RUNS = 1000, /* explore without --runs or --seconds */
    PROGRESS_RUNS = 100, /* a progress line at most this often */
    PROGRESS_SECS = 5,   /* ... or after this long without one */
    RUN_TIMEOUT = 120,   /* seconds one child may take: the sim's step
                            budget ends a run well before, so this only
                            catches a hang outside the runtime */
};

/* exploreusage prints `gstorm explore --help` to f. */
static void exploreusage(FILE *f)
{
    fprintf(f,
            "usage: gstorm explore SCENARIO [--strategy random|pct] "
            "[--depth D]\n"
            "                      [--runs N | --seconds S] [--seed X] "
            "[--bound-ms MS]\n"
            "                      [--bound-us US] [--budget STEPS] [-o "
            "FILE] [--quiet]\n\n"
            "Searches schedules of SCENARIO (a text scenario or a gstorm "
            "file) on\n"
            "the sim backend, one forked run per seed X, X+1, ... "
            "(default X=1),\n"
            "and stops at the first run that violates a rule or crashes.\n"
            "  --strategy  random (default): a seeded random choice at every "
            "yield\n"
            "              point; pct: PCT with depth D (1..8, default 3), "
            "k learned\n"
            "              from one round-robin run\n"
            "  --runs N    at most N runs (default 1000); --seconds S: for "
            "S seconds\n"
            "  --bound-ms  liveness bound of one quiesce, virtual ms "
            "(default rt's,\n"
            "              10 s); --bound-us the same in microseconds\n"
            "  --budget    yield points before a run is cut (default the "
            "sim's, 1e8)\n"
            "  -o FILE     where to save a finding (default "
            "gstorm-RULE-SEED.gsr)\n"
            "A finding is saved with the metadata `gstorm replay` needs, "
            "checked to\n"
            "reproduce, and printed with its replay command.\n"
            "Exit: 0 no violation, 1 violation found, 2 bad usage or "
            "scenario,\n"
            "3 internal error.\n");
}

/* What one forked run did. */
typedef enum outkind {
    O_CLEAN,     /* rt_run returned: st is its stats */
    O_VIOLATION, /* a rule was violated: rule names it */
    O_CRASH,     /* the child died another way: rule says how */
    O_ERROR,     /* rt_run refused the run: code is its RT_E* */
} outkind;

typedef struct outcome {
    outkind kind;
    int code;
    char rule[MAX_RULE];
    rt_stats st;
} outcome;

/* The write end of the child's result pipe, for childhook. */
static int resultfd = -1;

/* writeall writes n bytes to fd, across short writes and EINTR. */
static void writeall(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* the parent is gone: nobody to tell */
        c += w;
        n -= (size_t)w;
    }
}

/* childhook is an explore child's throw hook: send the rule to the
 * parent ('V' and the rule), exit 1. Never returns. */
static _Noreturn void childhook(const char *rule)
{
    char msg[1 + MAX_RULE];
    size_t n = strlen(rule);

    if (n > MAX_RULE - 1)
        n = MAX_RULE - 1;
    msg[0] = 'V';
    memcpy(msg + 1, rule, n);
    writeall(resultfd, msg, 1 + n);
    fflush(stdout);
    fflush(stderr);
    _exit(CLI_EXIT_VIOLATION);
}

/* signame names the signals a crashing run is likely to die of. */
static const char *signame(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGABRT:
        return "SIGABRT";
    case SIGBUS:
        return "SIGBUS";
    case SIGILL:
        return "SIGILL";
    case SIGFPE:
        return "SIGFPE";
    case SIGTRAP:
        return "SIGTRAP";
    case SIGKILL:
        return "SIGKILL";
    default:
        return NULL;
    }
}

/*
 * forkrun runs sc with opt in a forked child (stderr to /dev/null if
 * quiet) and fills *out with what happened. The child reports through a
 * pipe: 'S' and its rt_stats after a clean run, 'V' and the rule from
 * the throw hook, 'E' and an RT_E* code if rt_run refused. A child that
 * takes longer than RUN_TIMEOUT seconds is killed. Returns false only if
 * the child could not be started.
 */
static bool forkrun(const rt_scenario *sc, const rt_options *opt, bool quiet,
                    outcome *out)
{
    uint8_t msg[1 + sizeof(rt_stats) + MAX_RULE];
    size_t got = 0;
    double deadline = cli_now() + RUN_TIMEOUT;
    bool killed = false;
    int fds[2], status = 0, rc;
    pid_t pid;

    memset(out, 0, sizeof *out);
    if (pipe(fds) != 0) {
        fprintf(stderr, "gstorm explore: pipe: %s\n", strerror(errno));
        return false;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "gstorm explore: fork: %s\n", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        rt_stats st;
        close(fds[0]);
        resultfd = fds[1];
        if (quiet) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, 2);
        }
        rt_set_throw_hook(childhook);
        rc = rt_run(sc, opt, &st);
        if (rc != RT_OK) {
            msg[0] = 'E';
            memcpy(msg + 1, &rc, sizeof rc);
            writeall(fds[1], msg, 1 + sizeof rc);
            _exit(CLI_EXIT_INTERNAL);
        }
        msg[0] = 'S';
        memcpy(msg + 1, &st, sizeof st);
        writeall(fds[1], msg, 1 + sizeof st);
        _exit(CLI_EXIT_OK);
    }
    close(fds[1]);
    /* Read until EOF (the child is gone) or the deadline. */
    for (;;) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        double left = deadline - cli_now();
        ssize_t r;
        if (left <= 0) {
            kill(pid, SIGKILL);
            killed = true;
            break;
        }
        rc = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            continue; /* the deadline check above decides */
        r = read(fds[0], msg + got, sizeof msg - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == sizeof msg)
            break; /* more than any report: stop reading */
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (killed) {
        out->kind = O_CRASH;
        snprintf(out->rule, sizeof out->rule, "hang");
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && got > 0 &&
               msg[0] == 'S' && got == 1 + sizeof(rt_stats)) {
        out->kind = O_CLEAN;
        memcpy(&out->st, msg + 1, sizeof out->st);
    } else if (WIFEXITED(status) && got > 1 && msg[0] == 'V') {
        out->kind = O_VIOLATION;
        memcpy(out->rule, msg + 1, got - 1 < MAX_RULE ? got - 1 : MAX_RULE - 1);
    } else if (WIFEXITED(status) && got == 1 + sizeof(int) && msg[0] == 'E') {
        out->kind = O_ERROR;
        memcpy(&out->code, msg + 1, sizeof out->code);
    } else if (WIFSIGNALED(status)) {
        const char *name = signame(WTERMSIG(status));
        out->kind = O_CRASH;
        if (name)
            snprintf(out->rule, sizeof out->rule, "crash.%s", name);
        else
            snprintf(out->rule, sizeof out->rule, "crash.signal%d",
                     WTERMSIG(status));
    } else {
        out->kind = O_CRASH;
        snprintf(out->rule, sizeof out->rule, "crash.exit%d",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    return true;
}

/* The settings of one explore, shared by its runs. */
typedef struct explore {
    const char *path; /* the scenario */
    rt_scenario *sc;
    int kind; /* RT_SIM_RANDOM or RT_SIM_PCT */
    uint64_t depth, seed, runs, seconds, bound_ns, budget, k;
    const char *outp; /* -o, or NULL */
    bool quiet;
} explore;

/*
 * optsfor fills the source and options of the run with seed under
 * strategy kind (the k-learning run passes RT_SIM_RR).
 */
static void optsfor(const explore *e, int kind, uint64_t seed,
                    rt_sim_source *src, rt_options *opt)
{
    memset(src, 0, sizeof *src);
    memset(opt, 0, sizeof *opt);
    src->kind = (uint32_t)kind;
    src->depth = (uint32_t)e->depth;
    src->seed = seed;
    src->steps_hint = kind == RT_SIM_PCT ? e->k : 0;
    src->step_budget = e->budget;
    opt->backend = RT_BACKEND_SIM;
    opt->seed = seed;
    opt->quiesce_bound_ns = e->bound_ns;
    opt->sim = src;
}

/* The replay hint of the current run (rt_options.replay_hint). */
static char replayhint[512];

/*
 * hint sets the replay hint (printed in a child's report) to the explore
 * command that repeats just the run with seed: the saved file's name is
 * known only after the report, and the parent prints it then.
 */
static void hint(const explore *e, uint64_t seed, rt_options *opt)
{
    int n =
        snprintf(replayhint, sizeof replayhint,
                 "gstorm explore %s --strategy %s --seed %" PRIu64 " --runs 1",
                 e->path, cli_kinds[e->kind], seed);
    if (n > 0 && (size_t)n < sizeof replayhint && e->kind == RT_SIM_PCT)
        n += snprintf(replayhint + n, sizeof replayhint - (size_t)n,
                      " --depth %" PRIu64, e->depth);
    if (n > 0 && (size_t)n < sizeof replayhint && e->bound_ns)
        n += snprintf(replayhint + n, sizeof replayhint - (size_t)n,
                      " --bound-us %" PRIu64, e->bound_ns / 1000);
    if (n > 0 && (size_t)n < sizeof replayhint && e->budget)
        snprintf(replayhint + n, sizeof replayhint - (size_t)n,
                 " --budget %" PRIu64, e->budget);
    opt->replay_hint = replayhint;
}

/*
 * finding saves the run with seed under kind that ended as *o, checks
 * that the saved file reproduces it (honggfuzz keeps only findings that
 * do), and prints where it is and how to replay it. Returns the exit
 * code of explore.
 */
static int finding(const explore *e, int kind, uint64_t seed, uint64_t run,
                   const outcome *o)
{
    char meta[512], name[256], err[256], safe[MAX_RULE];
    const char *outp = e->outp;
    rt_sim_source src;
    rt_options opt;
    outcome again;
    cli_loaded l;
    size_t i;

    /* The rule goes into a file name and a metadata line: keep it to
     * characters that are safe in both. */
    for (i = 0; o->rule[i] != 0 && i < sizeof safe - 1; i++) {
        char c = o->rule[i];
        safe[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                          c == '-'
                      ? c
                      : '_';
    }
    safe[i] = 0;
    if (outp == NULL) {
        snprintf(name, sizeof name, "gstorm-%s-%" PRIu64 ".gsr", safe, seed);
        outp = name;
    }
    snprintf(meta, sizeof meta,
             "strategy=%s\nseed=%" PRIu64 "\ndepth=%" PRIu64
             "\nsteps_hint=%" PRIu64 "\nstep_budget=%" PRIu64
             "\nbound_ns=%" PRIu64 "\nrule=%s\nfound-by=explore\nrun=%" PRIu64,
             cli_kinds[kind], seed, e->depth, kind == RT_SIM_PCT ? e->k : 0,
             e->budget, e->bound_ns, safe, run);
    if (gs_input_save(outp, e->sc, NULL, 0, meta, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm explore: cannot save the finding: %s\n", err);
        return CLI_EXIT_INTERNAL;
    }
    /* Reproduce from the file as saved, through replay's own path. */
    if (cli_load(outp, &l) != CLI_EXIT_OK)
        return CLI_EXIT_INTERNAL;
    if (!cli_source(outp, &l, &src, &opt) ||
        !forkrun(l.sc, &opt, true, &again)) {
        cli_unload(&l);
        return CLI_EXIT_INTERNAL;
    }
    cli_unload(&l);
    printf("explore: %s [%s] found at run %" PRIu64 " (seed %" PRIu64 ")\n",
           o->kind == O_VIOLATION ? "violation" : "crash", o->rule, run, seed);
    printf("report: above, on stderr (the run's own output)\n");
    printf("saved: %s (%s)\n", outp,
           again.kind != O_CLEAN && strcmp(again.rule, o->rule) == 0
               ? "reproduces"
               : "DOES NOT REPRODUCE from the file");
    printf("replay: gstorm replay %s --trace\n", outp);
    return CLI_EXIT_VIOLATION;
}

/* exploreflags parses explore's arguments into *e. Returns false after a
 * message. */
static bool exploreflags(int argc, char **argv, explore *e, bool *help)
{
    bool seconds = false, runs = false;
    uint64_t v;
    int a;

    for (a = 1; a < argc; a++) {
        const char *f = argv[a], *val = a + 1 < argc ? argv[a + 1] : NULL;
        if (strcmp(f, "--help") == 0 || strcmp(f, "-h") == 0) {
            *help = true;
            return true;
        } else if (strcmp(f, "--strategy") == 0) {
            e->kind = cli_kindof(val);
            if (e->kind != RT_SIM_RANDOM && e->kind != RT_SIM_PCT) {
                fprintf(stderr,
                        "gstorm explore: --strategy: '%s' is not random or "
                        "pct\n",
                        val ? val : "");
                return false;
            }
            a++;
        } else if (strcmp(f, "--depth") == 0) {
            if (!cli_parseu64(f, val, 1, MAX_DEPTH, &e->depth))
                return false;
            a++;
        } else if (strcmp(f, "--runs") == 0) {
            if (!cli_parseu64(f, val, 1, UINT32_MAX, &e->runs))
                return false;
            runs = true;
            a++;
        } else if (strcmp(f, "--seconds") == 0) {
            if (!cli_parseu64(f, val, 1, 30 * 24 * 3600, &e->seconds))
                return false;
            seconds = true;
            a++;
        } else if (strcmp(f, "--seed") == 0) {
            if (!cli_parseu64(f, val, 0, UINT64_MAX / 2, &e->seed))
                return false;
            a++;
        } else if (strcmp(f, "--bound-ms") == 0 ||
                   strcmp(f, "--bound-us") == 0) {
            bool ms = f[8] == 'm';
            if (!cli_parseu64(f, val, 1, ms ? 3600000 : 3600000000ull, &v))
                return false;
            e->bound_ns = v * (ms ? 1000000 : 1000);
            a++;
        } else if (strcmp(f, "--budget") == 0) {
            if (!cli_parseu64(f, val, 1000, UINT64_MAX, &e->budget))
                return false;
            a++;
        } else if (strcmp(f, "-o") == 0) {
            if (val == NULL) {
                fprintf(stderr, "gstorm explore: -o needs a value\n");
                return false;
            }
            e->outp = val;
            a++;
        } else if (strcmp(f, "--quiet") == 0 || strcmp(f, "-q") == 0) {
            e->quiet = true;
        } else if (f[0] == '-' && f[1] != 0) {
            fprintf(stderr, "gstorm explore: unknown flag '%s'\n", f);
            exploreusage(stderr);
            return false;
        } else if (e->path == NULL) {
            e->path = f;
        } else {
            fprintf(stderr, "gstorm explore: more than one scenario ('%s')\n",
                    f);
            return false;
        }
    }
    if (e->path == NULL) {
        fprintf(stderr, "gstorm explore: no SCENARIO given\n");
        exploreusage(stderr);
        return false;
    }
    if (runs && seconds) {
        fprintf(stderr, "gstorm explore: give --runs or --seconds, not "
                        "both\n");
        return false;
    }
    if (!runs && !seconds)
        e->runs = DEFAULT_RUNS;
    if (seconds)
        e->runs = UINT64_MAX; /* the clock ends the loop */
    return true;
}

/*
 * loadscenario reads explore's SCENARIO: a gstorm file (its scenario;
 * its schedule and metadata are not used) or a text scenario.
 */
static rt_scenario *loadscenario(const char *path)
{
    static const uint8_t magic[6] = {'G', 'S', 'T', 'O', 'R', 'M'};
    rt_scenario *sc;
    FILE *f = fopen(path, "rb");
    uint8_t head[6] = {0};
    cli_loaded l;
    size_t n = 0;

    if (f != NULL) {
        n = fread(head, 1, sizeof head, f);
        fclose(f);
    }
    if (n < sizeof head || memcmp(head, magic, sizeof magic) != 0)
        return cli_loadscenario(path);
    if (cli_load(path, &l) != CLI_EXIT_OK)
        return NULL;
    sc = l.sc;
    l.sc = NULL;
    cli_unload(&l);
    return sc;
}

/* cli_explore is `gstorm explore`: schedule search without a fuzzer. */
int cli_explore(int argc, char **argv)
{
    explore e = {.kind = RT_SIM_RANDOM, .depth = DEFAULT_DEPTH, .seed = 1};
    double start, last;
    uint64_t i, lastrun = 0;
    bool help = false;
    rt_sim_source src;
    rt_options opt;
    outcome o;
    int rc = CLI_EXIT_OK;

    if (!exploreflags(argc, argv, &e, &help))
        return CLI_EXIT_USAGE;
    if (help) {
        exploreusage(stdout);
        return CLI_EXIT_OK;
    }
    e.sc = loadscenario(e.path);
    if (e.sc == NULL)
        return CLI_EXIT_USAGE;
    start = last = cli_now();
    if (e.kind == RT_SIM_PCT) {
        /* PCT's change points are uniform in [1, k]: learn k from one
         * round-robin run (seed 0, so that it does not depend on X). */
        optsfor(&e, RT_SIM_RR, 0, &src, &opt);
        hint(&e, e.seed, &opt);
        if (!forkrun(e.sc, &opt, false, &o)) {
            rc = CLI_EXIT_INTERNAL;
            goto out;
        }
        if (o.kind == O_VIOLATION || o.kind == O_CRASH) {
            rc = finding(&e, RT_SIM_RR, 0, 0, &o);
            goto out;
        }
        if (o.kind == O_ERROR)
            goto refused;
        e.k = o.st.sim_steps;
        if (!e.quiet)
            fprintf(stderr,
                    "explore: pct depth %" PRIu64 ", k = %" PRIu64
                    " yield points (a round-robin run)\n",
                    e.depth, e.k);
    }
    for (i = 0; i < e.runs; i++) {
        double t = cli_now();
        if (e.seconds && t - start >= (double)e.seconds)
            break;
        if (!e.quiet && i > 0 &&
            ((i - lastrun >= PROGRESS_RUNS && t - last >= 1) ||
             t - last >= PROGRESS_SECS)) {
            fprintf(stderr,
                    "explore: %" PRIu64 " runs (seeds %" PRIu64 "..%" PRIu64
                    "), %.1f s, no violation\n",
                    i, e.seed, e.seed + i - 1, t - start);
            last = t;
            lastrun = i;
        }
        optsfor(&e, e.kind, e.seed + i, &src, &opt);
        hint(&e, e.seed + i, &opt);
        if (!forkrun(e.sc, &opt, false, &o)) {
            rc = CLI_EXIT_INTERNAL;
            goto out;
        }
        if (o.kind == O_ERROR)
            goto refused;
        if (o.kind != O_CLEAN) {
            rc = finding(&e, e.kind, e.seed + i, i + 1, &o);
            goto out;
        }
    }
    printf("explore: %" PRIu64 " runs, no violation (strategy %s, seeds "
           "%" PRIu64 "..%" PRIu64 ", %.1f s)\n",
           i, cli_kinds[e.kind], e.seed, e.seed + (i ? i - 1 : 0),
           cli_now() - start);
    goto out;
refused:
    fprintf(stderr, "gstorm explore: %s: cannot run (error %d)\n", e.path,
            o.code);
    rc = o.code == RT_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
out:
    free(e.sc);
    return rc;
}
