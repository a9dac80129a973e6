/*
 * gstorm.c - the gstorm command: one tool with subcommands.
 *
 * Exit codes (every subcommand):
 *   0  clean run / success
 *   1  a violation was found (a checker, a deadlock, a liveness bound)
 *   2  bad usage, a bad flag, or a bad input file (nothing was run)
 *   3  an internal error (out of memory, I/O)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* cli_exit_violation is the throw hook of every subcommand that runs the
 * runtime: the report is printed; exit 1. */
_Noreturn void cli_exit_violation(const char *rule)
{
    fflush(stdout);
    fprintf(stderr, "gstorm: run failed on rule %s\n", rule);
    fflush(stderr);
    _exit(CLI_EXIT_VIOLATION);
}

/* cli_readfile reads a whole file (at most max bytes) into a malloc'd
 * buffer with a NUL after it. On failure prints "path: why" and returns
 * NULL. */
char *cli_readfile(const char *path, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, r;

    if (f == NULL) {
        fprintf(stderr, "gstorm: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *nb;
            cap = cap ? cap * 2 : 65536;
            nb = realloc(buf, cap);
            if (nb == NULL) {
                fprintf(stderr, "gstorm: %s: out of memory\n", path);
                goto fail;
            }
            buf = nb;
        }
        r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (n > max) {
            fprintf(stderr, "gstorm: %s: larger than %zu bytes\n", path, max);
            goto fail;
        }
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "gstorm: %s: read error\n", path);
        goto fail;
    }
    if (f != stdin)
        fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
fail:
    free(buf);
    if (f != stdin)
        fclose(f);
    return NULL;
}

/* cli_loadscenario reads and parses a text scenario. On failure prints
 * "path:line:col: message" and returns NULL. */
rt_scenario *cli_loadscenario(const char *path)
{
    char err[256];
    size_t len;
    char *text = cli_readfile(path, 16u << 20, &len);
    rt_scenario *sc;

    if (text == NULL)
        return NULL;
    sc = malloc(sizeof *sc);
    if (sc == NULL) {
        free(text);
        fprintf(stderr, "gstorm: out of memory\n");
        return NULL;
    }
    if (rt_scenario_parse(text, len, sc, err, sizeof err) != RT_OK) {
        fprintf(stderr, "%s:%s\n", path, err);
        free(text);
        free(sc);
        return NULL;
    }
    free(text);
    return sc;
}

/* cli_parseu64 parses a decimal flag value in [lo, hi]; on failure
 * prints which flag is wrong and returns false. */
bool cli_parseu64(const char *flag, const char *s, uint64_t lo, uint64_t hi,
                  uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL) {
        fprintf(stderr, "gstorm: %s needs a value\n", flag);
        return false;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != 0 || s[0] == '-' || v < lo ||
        v > hi) {
        fprintf(stderr, "gstorm: %s: '%s' is not a number from %llu to %llu\n",
                flag, s, (unsigned long long)lo, (unsigned long long)hi);
        return false;
    }
    *out = v;
    return true;
}

/* cli_printstats prints a run's summary, one counter a line. */
void cli_printstats(FILE *f, const rt_stats *st)
{
    fprintf(f, "summary:\n");
#define ROW(label, v) fprintf(f, "  %-26s %12" PRIu64 "\n", label, (v))
    ROW("vm ops", st->ops);
    ROW("goroutines started", st->spawns);
    ROW("  of them reused", st->greuse);
    ROW("goroutine exits", st->exits);
    ROW("gc cycles", st->gc_cycles);
    ROW("gc requests coalesced", st->gc_coalesced);
    ROW("stop-the-world pauses", st->stw);
    ROW("quiesce passes", st->quiesces);
    ROW("stack scans", st->stack_scans);
    ROW("preemption requests", st->preempt_reqs);
    ROW("preemptions taken", st->preemptions);
    ROW("self-scans (preemptscan)", st->selfscans);
    ROW("stragglers at termination", st->stragglers);
    ROW("stack copies (grow)", st->stack_grows);
    ROW("stack copies (shrink)", st->stack_shrinks);
    ROW("syscalls", st->syscalls);
    ROW("P hand-offs in syscalls", st->syscall_handoffs);
    ROW("parks", st->parks);
    ROW("yields", st->yields);
    ROW("readies", st->readies);
    ROW("steals", st->steals);
    ROW("objects allocated", st->objs_alloc);
    ROW("objects swept", st->objs_freed);
    ROW("allocations failed (full)", st->alloc_fails);
    ROW("goroutines (allgs)", st->max_gs);
    ROW("left blocked (deadlock)", st->deadlocked);
    ROW("threads (Ms)", st->max_threads);
#undef ROW
    fprintf(f, "  %-26s %12.1f\n", "quiesce latency mean (us)",
            st->quiesces ? st->quiesce_ns_total / 1e3 / st->quiesces : 0.0);
    fprintf(f, "  %-26s %12.1f\n", "quiesce latency max (us)",
            st->quiesce_ns_max / 1e3);
    fprintf(f, "  %-26s %12.1f\n", "run time (ms)", st->wall_ns / 1e6);
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cmds[] = {
    {"run", cli_run, "run a scenario on real threads and print a summary"},
    {"bench", cli_bench, "measure quiesce cost, VM speed, memory per G"},
    {"asm", cli_asm, "assemble a text scenario into a gstorm file"},
    {"disasm", cli_disasm, "print a gstorm file or raw input as text"},
    {"replay", cli_replay, "replay a saved run on the sim backend"},
    {"explore", cli_explore, "search schedules (random, PCT) on the sim"},
};

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: gstorm COMMAND [ARGS]   (gstorm COMMAND --help)\n\n"
               "commands:\n");
    for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\nexit codes: 0 clean, 1 violation found, 2 bad usage or "
               "input, 3 internal error\n");
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "gstorm: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
