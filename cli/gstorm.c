/*
 * gstorm.c - the gstorm command: one tool with subcommands.
 *
 * Exit codes (every subcommand):
 *   0  clean run / success
 *   1  a violation was found (a checker, a deadlock, a liveness bound)
 *   2  bad usage, a bad flag, or a bad input file (nothing was run)
 *   3  an internal error (out of memory, I/O, output that was lost:
 *      main checks the flush and close of stdout after every subcommand)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "harness.h"

/* cli_fileerror prints a harness message about a file (cli.h). */
void cli_fileerror(const char *path, const char *err)
{
    size_t n = strlen(path);
    bool position = strncmp(err, path, n) == 0 && err[n] == ':' &&
                    err[n + 1] >= '0' && err[n + 1] <= '9';

    fprintf(stderr, position ? "%s\n" : "gstorm: %s\n", err);
}

/* cli_printstats prints a run's summary, one counter a line (cli.h). */
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
    fprintf(f, "  %-26s %12.1f\n", "world stopped (us, total)",
            st->stw_ns_total / 1e3);
    fprintf(f, "  %-26s %12.1f\n", "longest pause (us)", st->stw_ns_max / 1e3);
    fprintf(f, "  %-26s %12.1f\n", "gc mark (us, total)",
            st->mark_ns_total / 1e3);
    fprintf(f, "  %-26s %12" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
            "claims rnbl/run/sys/wait", st->claims[0], st->claims[1],
            st->claims[2], st->claims[3]);
    fprintf(f, "  %-26s %12.1f\n", "run time (ms)", st->wall_ns / 1e6);
}

/* The subcommands, in the order `gstorm --help` lists them. */
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
    {"stress", stress_cli, "run generated workloads on real threads"},
    {"min", cli_min, "shrink a failing input, keeping its finding"},
    {"triage", cli_triage, "replay findings, group them, check they repeat"},
    {"report", cli_report, "write a campaign's report (HTML and Markdown)"},
    {"rules", cli_rules, "list the rules the checkers report"},
    {"faults", cli_faults, "list the faults that can be injected"},
};

/* usage prints `gstorm --help` to f. */
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

/*
 * closeout flushes and closes standard output after a subcommand
 * returned rc. Output that was lost (a full disk, /dev/full, a closed
 * pipe) turns a success into GS_EXIT_INTERNAL after a message: a report
 * that never arrived must not look like a clean run. Returns the exit
 * code of the process.
 */
static int closeout(int rc)
{
    int e = 0;
    bool bad = false;

    if (fflush(stdout) != 0) {
        e = errno;
        bad = true;
    }
    if (ferror(stdout))
        bad = true;
    if (fclose(stdout) != 0 && !bad) {
        e = errno;
        bad = true;
    }
    if (!bad)
        return rc;
    fprintf(stderr, "gstorm: write error on standard output: %s\n",
            e != 0 ? strerror(e) : "an earlier write failed");
    return rc == GS_EXIT_OK ? GS_EXIT_INTERNAL : rc;
}

/* main runs the subcommand argv[1] names; see the exit codes above. */
int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return GS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return closeout(GS_EXIT_OK);
    }
    for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return closeout(cmds[i].fn(argc - 1, argv + 1));
    fprintf(stderr, "gstorm: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return GS_EXIT_USAGE;
}
