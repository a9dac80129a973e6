/*
 * tools.c - the subcommands that work on saved runs and search schedules
 * on the sim backend: `gstorm asm`, `disasm`, `replay` and `explore`.
 *
 * A saved run is a gstorm file (rt/src/input.h): a scenario, schedule
 * bytes and key=value metadata saying how the sim was driven. The keys
 * that `explore` writes and `replay` reads:
 *
 *   strategy=bytes|random|pct|rr  the schedule source (default bytes:
 *                                 the file's schedule bytes, then
 *                                 round-robin)
 *   seed=N        seeds the source's PRNG and the runtime's (default 0)
 *   depth=D       PCT depth, 1..8 (default 3)
 *   steps_hint=K  PCT's k, the expected yield points (0: the sim's
 *                 default)
 *   step_budget=N yield points before the run is cut (0: the sim's)
 *   bound_ns=N    liveness bound of a quiesce, virtual ns (0: rt's)
 *   rule=R        the rule the run violated when it was saved (replay
 *                 says whether it reproduced that rule)
 *
 * Other keys (found-by=, run=) are notes for people and are ignored.
 * A raw fuzzer input has no metadata: it replays with its schedule bytes.
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
#include "input.h"
#include "runtime.h"

enum {
    MAX_FILE = 64u << 20, /* bytes of an input file: a full text scenario
                             is about 2 MB, schedules are small */
    MAX_RULE = 96,        /* bytes of a rule id kept from a child */
    HEX_PER_LINE = 32,    /* schedule bytes on one `#@ schedule` line */
    DEFAULT_DEPTH = 3,    /* PCT depth: most bugs need 1..3 (SCTBench) */
    MAX_DEPTH = 8,        /* the sim's largest PCT depth (rt.h) */
    DEFAULT_RUNS = 1000,  /* explore without --runs or --seconds */
    PROGRESS_RUNS = 100,  /* explore: a progress line at most this often */
    PROGRESS_SECS = 5,    /* ... or after this long without one */
    RUN_TIMEOUT = 120,    /* seconds one explore child may take: the sim's
                             step budget ends a run well before, so this
                             only catches a hang outside the runtime */
};

/* ---- shared helpers ---------------------------------------------------- */

/* now returns a monotonic clock in seconds. */
static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * metaget finds key in the metadata lines meta[0..mlen) and copies its
 * value (NUL-terminated, truncated to cap) into val. Returns whether the
 * key is there; a later line with the same key wins.
 */
static bool metaget(const char *meta, size_t mlen, const char *key, char *val,
                    size_t cap)
{
    size_t klen = strlen(key), i = 0, end, n;
    bool found = false;

    while (meta != NULL && i < mlen) {
        const char *nl = memchr(meta + i, '\n', mlen - i);
        end = nl ? (size_t)(nl - meta) : mlen;
        if (end - i > klen && memcmp(meta + i, key, klen) == 0 &&
            meta[i + klen] == '=') {
            n = end - i - klen - 1;
            if (n >= cap)
                n = cap - 1;
            memcpy(val, meta + i + klen + 1, n);
            val[n] = 0;
            found = true;
        }
        i = end + 1;
    }
    return found;
}

/*
 * metau64 reads a decimal metadata value into *out (left alone if the
 * key is absent). Returns false, after a message naming the file and the
 * key, if the value is not a number in [lo, hi].
 */
static bool metau64(const char *path, const char *meta, size_t mlen,
                    const char *key, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char val[64], *end;
    unsigned long long v;

    if (!metaget(meta, mlen, key, val, sizeof val))
        return true;
    errno = 0;
    v = strtoull(val, &end, 10);
    if (errno != 0 || end == val || *end != 0 || val[0] == '-' || v < lo ||
        v > hi) {
        fprintf(stderr,
                "gstorm: %s: metadata %s='%s' is not a number from %llu to "
                "%llu\n",
                path, key, val, (unsigned long long)lo, (unsigned long long)hi);
        return false;
    }
    *out = v;
    return true;
}

/* strategy names, indexed by rt_sim_kind. */
static const char *const kinds[] = {"bytes", "random", "pct", "rr"};

/* kindof maps a strategy name to an rt_sim_kind, or -1. */
static int kindof(const char *s)
{
    int k;

    for (k = 0; s != NULL && k < (int)(sizeof kinds / sizeof kinds[0]); k++)
        if (strcmp(s, kinds[k]) == 0)
            return k;
    return -1;
}

/* A loaded run: the file's bytes and what they hold. */
typedef struct loaded {
    uint8_t *file; /* the file's bytes (owned) */
    size_t len;
    rt_scenario *sc;      /* the scenario (owned) */
    const uint8_t *sched; /* schedule bytes, into file (NULL if none) */
    size_t nsched;
    const char *meta; /* metadata lines, into file (NULL if none) */
    size_t mlen;
    int form; /* RT__INPUT_RAW, _FILE or _FILE_TEXT */
} loaded;

/* unload frees what load allocated. */
static void unload(loaded *l)
{
    free(l->file);
    free(l->sc);
    memset(l, 0, sizeof *l);
}

/*
 * load reads path as a gstorm file or a raw fuzzer input into *l.
 * Returns CLI_EXIT_OK, or CLI_EXIT_USAGE after printing "gstorm: path:
 * why" (a damaged file, an unknown version), or CLI_EXIT_INTERNAL.
 */
static int load(const char *path, loaded *l)
{
    char err[256];
    int rc;

    memset(l, 0, sizeof *l);
    l->file = (uint8_t *)cli_readfile(path, MAX_FILE, &l->len);
    if (l->file == NULL)
        return CLI_EXIT_USAGE;
    l->sc = malloc(sizeof *l->sc);
    if (l->sc == NULL) {
        fprintf(stderr, "gstorm: out of memory\n");
        unload(l);
        return CLI_EXIT_INTERNAL;
    }
    rc = rt__input_load(l->file, l->len, l->sc, &l->sched, &l->nsched, err,
                        sizeof err);
    if (rc == RT_OK)
        rc = rt__input_meta(l->file, l->len, &l->meta, &l->mlen, err,
                            sizeof err);
    if (rc == RT_OK)
        rc = rt__input_form(l->file, l->len, &l->form, err, sizeof err);
    if (rc != RT_OK) {
        fprintf(stderr, "gstorm: %s: %s\n", path, err);
        unload(l);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/*
 * source builds the sim schedule source and run options of a loaded run
 * from its metadata (keys in the comment at the top). *src keeps
 * pointers into l. Returns false after a message if a value is bad.
 */
static bool source(const char *path, const loaded *l, rt_sim_source *src,
                   rt_options *opt)
{
    char strat[32];
    uint64_t depth = DEFAULT_DEPTH, bound = 0;
    int k = RT_SIM_BYTES;

    memset(src, 0, sizeof *src);
    memset(opt, 0, sizeof *opt);
    if (metaget(l->meta, l->mlen, "strategy", strat, sizeof strat) &&
        (k = kindof(strat)) < 0) {
        fprintf(stderr,
                "gstorm: %s: metadata strategy='%s' is not bytes, random, "
                "pct or rr\n",
                path, strat);
        return false;
    }
    src->kind = (uint32_t)k;
    if (!metau64(path, l->meta, l->mlen, "seed", 0, UINT64_MAX, &src->seed) ||
        !metau64(path, l->meta, l->mlen, "depth", 1, MAX_DEPTH, &depth) ||
        !metau64(path, l->meta, l->mlen, "steps_hint", 0, UINT64_MAX,
                 &src->steps_hint) ||
        !metau64(path, l->meta, l->mlen, "step_budget", 0, UINT64_MAX,
                 &src->step_budget) ||
        !metau64(path, l->meta, l->mlen, "bound_ns", 0, UINT64_MAX, &bound))
        return false;
    src->depth = (uint32_t)depth;
    if (k == RT_SIM_BYTES) {
        src->bytes = l->sched;
        src->nbytes = l->nsched;
    }
    opt->backend = RT_BACKEND_SIM;
    opt->seed = src->seed;
    opt->quiesce_bound_ns = bound;
    opt->sim = src;
    return true;
}

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
    rc = rt__input_save(outp, sc, sched.p, sched.n,
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
    loaded l;
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
    rc = load(path, &l);
    if (rc != CLI_EXIT_OK)
        return rc;
    n = rt_scenario_format(l.sc, NULL, 0);
    text = malloc(n + 1);
    if (text == NULL) {
        fprintf(stderr, "gstorm: out of memory\n");
        unload(&l);
        return CLI_EXIT_INTERNAL;
    }
    rt_scenario_format(l.sc, text, n + 1);
    if (l.form == RT__INPUT_RAW)
        printf("# %s: a raw fuzzer input of %zu bytes (not a gstorm file): "
               "the scenario it decodes to\n",
               path, l.len);
    else
        printf("# %s: a gstorm file, format version %d, %s payload, %zu "
               "bytes\n",
               path, RT__INPUT_VERSION,
               l.form == RT__INPUT_FILE_TEXT ? "text" : "raw", l.len);
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
    unload(&l);
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
/* replay --trace streams the first run's events to stdout as they
 * happen (rt__tracestream); traceend stops it. */
static bool tracing;

static void traceend(void)
{
    if (!tracing)
        return;
    fflush(stdout);
    rt__tracestream = NULL;
    tracing = false;
}

/* replayhook is replay's throw hook: the report is printed; end the
 * trace, print the hash up to the violation (--hash), say whether it is
 * the recorded rule, then exit 1. Never returns. */
static _Noreturn void replayhook(const char *rule)
{
    traceend();
    if (wanthash)
        printf("trace-hash: %016" PRIx64 "\n", rt__tracehash());
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
    loaded l;
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
    rc = load(path, &l);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (!source(path, &l, &src, &opt)) {
        unload(&l);
        return CLI_EXIT_USAGE;
    }
    if (!metaget(l.meta, l.mlen, "rule", recorded, sizeof recorded))
        recorded[0] = 0;
    snprintf(rt__replay_hint, sizeof rt__replay_hint, "gstorm replay %s", path);
    wanthash = hash;
    rt_set_throw_hook(replayhook);
    for (i = 0; i < repeat; i++) {
        if (trace && i == 0) {
            rt__traceheader(stdout);
            rt__tracestream = stdout;
            tracing = true;
        }
        rc = rt_run(l.sc, &opt, &st);
        traceend();
        if (rc != RT_OK) {
            fprintf(stderr,
                    "gstorm replay: %s: cannot run (error %d: a bad "
                    "scenario or metadata)\n",
                    path, rc);
            unload(&l);
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
            unload(&l);
            return CLI_EXIT_VIOLATION;
        }
    }
    if (timeline)
        rt__traceprintm(stdout, 200);
    printf("gstorm replay %s: clean (%" PRIu64 " run%s, strategy %s, %" PRIu64
           " steps, %" PRIu64 " events)\n",
           path, repeat, repeat == 1 ? "" : "s", kinds[src.kind], st.sim_steps,
           st.events);
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
    unload(&l);
    return CLI_EXIT_OK;
}

/* ---- explore ----------------------------------------------------------- */

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
    double deadline = now() + RUN_TIMEOUT;
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
        double left = deadline - now();
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

/*
 * hint sets rt__replay_hint (printed in a child's report) to the explore
 * command that repeats just the run with seed: the saved file's name is
 * known only after the report, and the parent prints it then.
 */
static void hint(const explore *e, uint64_t seed)
{
    int n =
        snprintf(rt__replay_hint, sizeof rt__replay_hint,
                 "gstorm explore %s --strategy %s --seed %" PRIu64 " --runs 1",
                 e->path, kinds[e->kind], seed);
    if (n > 0 && (size_t)n < sizeof rt__replay_hint && e->kind == RT_SIM_PCT)
        n += snprintf(rt__replay_hint + n, sizeof rt__replay_hint - (size_t)n,
                      " --depth %" PRIu64, e->depth);
    if (n > 0 && (size_t)n < sizeof rt__replay_hint && e->bound_ns)
        n += snprintf(rt__replay_hint + n, sizeof rt__replay_hint - (size_t)n,
                      " --bound-us %" PRIu64, e->bound_ns / 1000);
    if (n > 0 && (size_t)n < sizeof rt__replay_hint && e->budget)
        snprintf(rt__replay_hint + n, sizeof rt__replay_hint - (size_t)n,
                 " --budget %" PRIu64, e->budget);
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
    loaded l;
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
             kinds[kind], seed, e->depth, kind == RT_SIM_PCT ? e->k : 0,
             e->budget, e->bound_ns, safe, run);
    if (rt__input_save(outp, e->sc, NULL, 0, meta, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm explore: cannot save the finding: %s\n", err);
        return CLI_EXIT_INTERNAL;
    }
    /* Reproduce from the file as saved, through replay's own path. */
    if (load(outp, &l) != CLI_EXIT_OK)
        return CLI_EXIT_INTERNAL;
    if (!source(outp, &l, &src, &opt) || !forkrun(l.sc, &opt, true, &again)) {
        unload(&l);
        return CLI_EXIT_INTERNAL;
    }
    unload(&l);
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
            e->kind = kindof(val);
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
    loaded l;
    size_t n = 0;

    if (f != NULL) {
        n = fread(head, 1, sizeof head, f);
        fclose(f);
    }
    if (n < sizeof head || memcmp(head, magic, sizeof magic) != 0)
        return cli_loadscenario(path);
    if (load(path, &l) != CLI_EXIT_OK)
        return NULL;
    sc = l.sc;
    l.sc = NULL;
    unload(&l);
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
    start = last = now();
    if (e.kind == RT_SIM_PCT) {
        /* PCT's change points are uniform in [1, k]: learn k from one
         * round-robin run (seed 0, so that it does not depend on X). */
        optsfor(&e, RT_SIM_RR, 0, &src, &opt);
        hint(&e, e.seed);
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
        double t = now();
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
        hint(&e, e.seed + i);
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
           i, kinds[e.kind], e.seed, e.seed + (i ? i - 1 : 0), now() - start);
    goto out;
refused:
    fprintf(stderr, "gstorm explore: %s: cannot run (error %d)\n", e.path,
            o.code);
    rc = o.code == RT_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
out:
    free(e.sc);
    return rc;
}
