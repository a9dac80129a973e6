/*
 * tools.c - the subcommands on saved runs: `gstorm asm`, `disasm` and
 * `replay` (the file format and its metadata: saved.c, rt/src/input.h).
 *
 * disasm prints a file as text that asm reads back: the scenario's text
 * form with the schedule and metadata in directive comments
 *
 *   #@ schedule HEX   schedule bytes (lines concatenate)
 *   #@ meta KEY=VALUE one metadata line (lines join with '\n')
 *
 * which the scenario parser skips as comments, so that asm(disasm(f)) is
 * byte-identical to f for every file asm or explore wrote.
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
    HEX_PER_LINE = 32, /* schedule bytes on one `#@ schedule` line */
};

/* hexval returns the value of hex digit c, or -1. */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A growing byte buffer. */
typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

/* bufadd appends n bytes to b; returns false when out of memory. */
static bool bufadd(buf *b, const void *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        uint8_t *np;
        while (cap < b->n + n + 1)
            cap *= 2;
        np = realloc(b->p, cap);
        if (np == NULL)
            return false;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0; /* so a text buffer is always a C string */
    return true;
}

/*
 * unhex appends the bytes of hex digits s[0..n) to b; spaces and tabs
 * between bytes are allowed. Returns NULL, or what is wrong.
 */
static const char *unhex(const char *s, size_t n, buf *b)
{
    size_t i = 0;
    uint8_t v;

    while (i < n) {
        if (s[i] == ' ' || s[i] == '\t') {
            i++;
            continue;
        }
        if (i + 1 >= n || hexval(s[i]) < 0 || hexval(s[i + 1]) < 0)
            return "expected pairs of hex digits";
        v = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
        if (!bufadd(b, &v, 1))
            return "out of memory";
        i += 2;
    }
    return NULL;
}

/* ---- asm --------------------------------------------------------------- */

/* asmusage prints `gstorm asm --help` to f. */
static void asmusage(FILE *f)
{
    fprintf(f, "usage: gstorm asm SCENARIO -o FILE [--schedule HEX] "
               "[--meta KEY=VALUE]...\n\n"
               "Assembles a text scenario (see README.md) into a gstorm file "
               "that\n"
               "`gstorm replay` runs on the sim backend. The schedule bytes "
               "(hex,\n"
               "e.g. 0a1f07) drive the sim's bytes source; without them the "
               "run is\n"
               "round-robin. `#@ schedule HEX` and `#@ meta KEY=VALUE` "
               "comment lines\n"
               "in SCENARIO (as `gstorm disasm` prints them) give the schedule "
               "and\n"
               "metadata too; --schedule replaces the schedule lines, --meta "
               "adds\n"
               "lines. FILE is written atomically, and not at all on an "
               "error.\n"
               "Exit: 0 written, 2 bad usage or scenario, 3 I/O error.\n");
}

/*
 * directives collects the `#@` lines of text (see the top comment) into
 * sched and meta (meta gets '\n' between lines). Returns false after a
 * message naming path and the line if one is malformed.
 */
static bool directives(const char *path, const char *text, size_t len,
                       buf *sched, buf *meta, bool *hasmeta)
{
    size_t i = 0, end, line = 0;
    const char *why;

    while (i < len) {
        const char *s = text + i, *nl = memchr(s, '\n', len - i);
        end = nl ? (size_t)(nl - text) : len;
        line++;
        if (end - i >= 2 && s[0] == '#' && s[1] == '@') {
            size_t n = end - i;
            if (n >= 12 && memcmp(s, "#@ schedule ", 12) == 0) {
                why = unhex(s + 12, n - 12, sched);
                if (why != NULL) {
                    fprintf(stderr, "%s:%zu: #@ schedule: %s\n", path, line,
                            why);
                    return false;
                }
            } else if (n >= 7 && memcmp(s, "#@ meta", 7) == 0 &&
                       (n == 7 || s[7] == ' ')) {
                /* "#@ meta" alone is an empty line, in case an editor
                 * trimmed the space after it. */
                if ((*hasmeta && !bufadd(meta, "\n", 1)) ||
                    !bufadd(meta, s + 8 - (n == 7), n - 8 + (n == 7))) {
                    fprintf(stderr, "gstorm: out of memory\n");
                    return false;
                }
                *hasmeta = true;
            } else {
                fprintf(stderr,
                        "%s:%zu: unknown directive (expected '#@ schedule "
                        "HEX' or '#@ meta KEY=VALUE')\n",
                        path, line);
                return false;
            }
        }
        i = end + 1;
    }
    return true;
}

/* cli_asm is `gstorm asm`: text scenario to gstorm file. */
int cli_asm(int argc, char **argv)
{
    const char *path = NULL, *outp = NULL, *hex = NULL;
    buf sched = {0}, meta = {0}, extra = {0};
    bool hasmeta = false;
    char err[256], *text = NULL;
    rt_scenario *sc = NULL;
    size_t len;
    int a, rc = CLI_EXIT_USAGE;

    for (a = 1; a < argc; a++) {
        const char *f = argv[a], *val = a + 1 < argc ? argv[a + 1] : NULL;
        if (strcmp(f, "--help") == 0 || strcmp(f, "-h") == 0) {
            asmusage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(f, "-o") == 0 || strcmp(f, "--schedule") == 0 ||
                   strcmp(f, "--meta") == 0) {
            if (val == NULL) {
                fprintf(stderr, "gstorm asm: %s needs a value\n", f);
                goto out;
            }
            if (f[1] == 'o')
                outp = val;
            else if (f[2] == 's')
                hex = val;
            else if ((extra.n > 0 && !bufadd(&extra, "\n", 1)) ||
                     !bufadd(&extra, val, strlen(val)))
                goto oom;
            a++;
        } else if (f[0] == '-' && f[1] != 0) {
            fprintf(stderr, "gstorm asm: unknown flag '%s'\n", f);
            asmusage(stderr);
            goto out;
        } else if (path == NULL) {
            path = f;
        } else {
            fprintf(stderr, "gstorm asm: more than one scenario ('%s')\n", f);
            goto out;
        }
    }
    if (path == NULL || outp == NULL) {
        fprintf(stderr, "gstorm asm: %s\n",
                path == NULL ? "no SCENARIO given" : "no -o FILE given");
        asmusage(stderr);
        goto out;
    }
    text = cli_readfile(path, MAX_FILE, &len);
    if (text == NULL)
        goto out;
    sc = malloc(sizeof *sc);
    if (sc == NULL)
        goto oom;
    if (rt_scenario_parse(text, len, sc, err, sizeof err) != RT_OK) {
        fprintf(stderr, "%s:%s\n", path, err);
        goto out;
    }
    if (!directives(path, text, len, &sched, &meta, &hasmeta))
        goto out;
    if (hex != NULL) {
        const char *why;
        sched.n = 0;
        if ((why = unhex(hex, strlen(hex), &sched)) != NULL) {
            fprintf(stderr, "gstorm asm: --schedule '%s': %s\n", hex, why);
            goto out;
        }
    }
    if (extra.n > 0) {
        if ((hasmeta && !bufadd(&meta, "\n", 1)) ||
            !bufadd(&meta, extra.p, extra.n))
            goto oom;
        hasmeta = true;
    }
    if (hasmeta && meta.p == NULL && !bufadd(&meta, "", 0))
        goto oom;
    rc = gs_input_save(outp, sc, sched.p, sched.n,
                       hasmeta ? (const char *)meta.p : NULL, err, sizeof err);
    if (rc != RT_OK) {
        if (rc == RT_EINVAL)
            fprintf(stderr, "gstorm asm: %s: %s\n", path, err);
        else
            fprintf(stderr, "gstorm asm: %s\n", err); /* names the file */
        rc = rc == RT_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
        goto out;
    }
    rc = CLI_EXIT_OK;
    goto out;
oom:
    fprintf(stderr, "gstorm: out of memory\n");
    rc = CLI_EXIT_INTERNAL;
out:
    free(text);
    free(sc);
    free(sched.p);
    free(meta.p);
    free(extra.p);
    return rc;
}

/* ---- disasm ------------------------------------------------------------ */

/* disasmusage prints `gstorm disasm --help` to f. */
static void disasmusage(FILE *f)
{
    fprintf(f, "usage: gstorm disasm FILE\n\n"
               "Prints a gstorm file or a raw fuzzer input as a text scenario, "
               "with\n"
               "its metadata and schedule bytes in `#@` comment lines that "
               "`gstorm asm`\n"
               "reads back: asm of the output gives the same file, byte for "
               "byte.\n"
               "Exit: 0 printed, 2 bad usage or an unreadable or damaged "
               "file.\n");
}

/* cli_disasm is `gstorm disasm`: a file back to text. */
int cli_disasm(int argc, char **argv)
{
    const char *path = NULL;
    char *text;
    cli_loaded l;
    size_t i, j, n;
    int a, rc;

    for (a = 1; a < argc; a++) {
        const char *f = argv[a];
        if (strcmp(f, "--help") == 0 || strcmp(f, "-h") == 0) {
            disasmusage(stdout);
            return CLI_EXIT_OK;
        } else if (f[0] == '-' && f[1] != 0) {
            fprintf(stderr, "gstorm disasm: unknown flag '%s'\n", f);
            disasmusage(stderr);
            return CLI_EXIT_USAGE;
        } else if (path == NULL) {
            path = f;
        } else {
            fprintf(stderr, "gstorm disasm: more than one file ('%s')\n", f);
            return CLI_EXIT_USAGE;
        }
    }
    if (path == NULL) {
        disasmusage(stderr);
        return CLI_EXIT_USAGE;
    }
    rc = cli_load(path, &l);
    if (rc != CLI_EXIT_OK)
        return rc;
    n = rt_scenario_format(l.sc, NULL, 0);
    text = malloc(n + 1);
    if (text == NULL) {
        fprintf(stderr, "gstorm: out of memory\n");
        cli_unload(&l);
        return CLI_EXIT_INTERNAL;
    }
    rt_scenario_format(l.sc, text, n + 1);
    if (l.form == GS_INPUT_RAW)
        printf("# %s: a raw fuzzer input of %zu bytes (not a gstorm file): "
               "the scenario it decodes to\n",
               path, l.len);
    else
        printf("# %s: a gstorm file, format version %d, %s payload, %zu "
               "bytes\n",
               path, GS_INPUT_VERSION,
               l.form == GS_INPUT_FILE_TEXT ? "text" : "raw", l.len);
    if (l.meta != NULL) {
        /* Every line, empty ones too, so that asm rebuilds the same
         * metadata bytes. */
        for (i = 0; i <= l.mlen; i = j + 1) {
            const char *nl = memchr(l.meta + i, '\n', l.mlen - i);
            j = nl ? (size_t)(nl - l.meta) : l.mlen;
            printf("#@ meta %.*s\n", (int)(j - i), l.meta + i);
        }
    }
    printf("# schedule: %zu bytes\n", l.nsched);
    for (i = 0; i < l.nsched; i += HEX_PER_LINE) {
        printf("#@ schedule ");
        for (j = i; j < l.nsched && j < i + HEX_PER_LINE; j++)
            printf("%02x", l.sched[j]);
        printf("\n");
    }
    fwrite(text, 1, n, stdout);
    free(text);
    cli_unload(&l);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "gstorm disasm: write error: %s\n", strerror(errno));
        return CLI_EXIT_INTERNAL;
    }
    return CLI_EXIT_OK;
}

/* ---- replay ------------------------------------------------------------ */

/* replayusage prints `gstorm replay --help` to f. */
static void replayusage(FILE *f)
{
    fprintf(f, "usage: gstorm replay FILE [--trace] [--timeline] [--hash] "
               "[--repeat N]\n\n"
               "Runs a saved run (a gstorm file or a raw fuzzer input) on the "
               "sim\n"
               "backend, with the schedule its metadata names (strategy=, "
               "seed=,\n"
               "depth=, steps_hint=, step_budget=, bound_ns=) or its schedule "
               "bytes.\n"
               "  --trace     print every event as it happens (also up to a "
               "violation)\n"
               "  --timeline  print the last 200 events, one column per M, at "
               "the end\n"
               "  --hash      print `trace-hash: HEX`, the hash of the event "
               "sequence\n"
               "  --repeat N  run N times; all trace hashes must be equal\n"
               "Exit: 0 clean, 1 violation (or nondeterminism under --repeat), "
               "2 bad\n"
               "usage or file, 3 internal error.\n");
}

/* The rule a replayed file records (rule=), for replayhook. */
static char recorded[MAX_RULE];
/* replay --hash and --trace, for replayhook. */
static bool wanthash;
/* replayhook is replay's throw hook: the report is printed; end the
 * trace, print the hash up to the violation (--hash), say whether it is
 * the recorded rule, then exit 1. Never returns. */
static _Noreturn void replayhook(const char *rule)
{
    if (wanthash)
        printf("trace-hash: %016" PRIx64 "\n", rt_trace_hash());
    fflush(stdout);
    if (recorded[0] != 0 && strcmp(recorded, rule) != 0)
        fprintf(stderr,
                "gstorm replay: violated rule %s; the file records rule "
                "%s\n",
                rule, recorded);
    else if (recorded[0] != 0)
        fprintf(stderr, "gstorm replay: reproduced rule %s\n", rule);
    cli_exit_violation(rule);
}

/* cli_replay is `gstorm replay`: run a saved run on the sim backend. */
int cli_replay(int argc, char **argv)
{
    const char *path = NULL;
    bool trace = false, timeline = false, hash = false;
    uint64_t repeat = 1, i, first = 0;
    rt_sim_source src;
    rt_options opt;
    rt_stats st;
    cli_loaded l;
    char hint[512];
    int a, rc;

    for (a = 1; a < argc; a++) {
        const char *f = argv[a], *val = a + 1 < argc ? argv[a + 1] : NULL;
        if (strcmp(f, "--help") == 0 || strcmp(f, "-h") == 0) {
            replayusage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(f, "--trace") == 0) {
            trace = true;
        } else if (strcmp(f, "--timeline") == 0) {
            timeline = true;
        } else if (strcmp(f, "--hash") == 0) {
            hash = true;
        } else if (strcmp(f, "--repeat") == 0) {
            if (!cli_parseu64(f, val, 1, 1000000, &repeat))
                return CLI_EXIT_USAGE;
            a++;
        } else if (f[0] == '-' && f[1] != 0) {
            fprintf(stderr, "gstorm replay: unknown flag '%s'\n", f);
            replayusage(stderr);
            return CLI_EXIT_USAGE;
        } else if (path == NULL) {
            path = f;
        } else {
            fprintf(stderr, "gstorm replay: more than one file ('%s')\n", f);
            return CLI_EXIT_USAGE;
        }
    }
    if (path == NULL) {
        replayusage(stderr);
        return CLI_EXIT_USAGE;
    }
    rc = cli_load(path, &l);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (!cli_source(path, &l, &src, &opt)) {
        cli_unload(&l);
        return CLI_EXIT_USAGE;
    }
    if (!cli_metaget(l.meta, l.mlen, "rule", recorded, sizeof recorded))
        recorded[0] = 0;
    snprintf(hint, sizeof hint, "gstorm replay %s", path);
    opt.replay_hint = hint;
    wanthash = hash;
    rt_set_throw_hook(replayhook);
    for (i = 0; i < repeat; i++) {
        /* --trace streams the first run's events as they happen. */
        opt.trace = trace && i == 0 ? stdout : NULL;
        rc = rt_run(l.sc, &opt, &st);
        fflush(stdout);
        if (rc != RT_OK) {
            fprintf(stderr,
                    "gstorm replay: %s: cannot run (error %d: a bad "
                    "scenario or metadata)\n",
                    path, rc);
            cli_unload(&l);
            return rc == RT_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
        }
        if (i == 0) {
            first = st.trace_hash;
        } else if (st.trace_hash != first) {
            fprintf(stderr,
                    "gstorm replay: nondeterministic: %s run %" PRIu64
                    " gave trace hash %016" PRIx64 ", run 1 gave %016" PRIx64
                    "\n",
                    path, i + 1, st.trace_hash, first);
            cli_unload(&l);
            return CLI_EXIT_VIOLATION;
        }
    }
    if (timeline)
        rt_trace_timeline(stdout, 200);
    printf("gstorm replay %s: clean (%" PRIu64 " run%s, strategy %s, %" PRIu64
           " steps, %" PRIu64 " events)\n",
           path, repeat, repeat == 1 ? "" : "s", cli_kinds[src.kind],
           st.sim_steps, st.events);
    if (recorded[0] != 0)
        fprintf(stderr,
                "gstorm replay: note: the file records rule %s, which did "
                "not reproduce\n",
                recorded);
    if (st.deadlocked > 0)
        printf("note: %" PRIu64 " goroutines were left blocked by the "
               "scenario's own BLOCKs (a program deadlock, not a "
               "violation)\n",
               st.deadlocked);
    if (hash)
        printf("trace-hash: %016" PRIx64 "\n", st.trace_hash);
    cli_printstats(stdout, &st);
    cli_unload(&l);
    return CLI_EXIT_OK;
}

/* ---- explore ----------------------------------------------------------- */
