/*
 * tools.c - the subcommands on saved runs: `gstorm asm`, `disasm` and
 * `replay` (the file format and the metadata codec: harness.h).
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
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "harness.h"

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
               "[--meta KEY=VALUE]... [--raw]\n\n"
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
               "lines. --raw writes the raw fuzzer input instead (no header, "
               "no\n"
               "metadata: a seed for fuzz_interleave; the scenario must fit "
               "the raw\n"
               "format's bounds). FILE is written atomically, and not at all "
               "on an\n"
               "error.\n"
               "Exit: 0 written, 2 bad usage or scenario, 3 I/O error.\n");
}

/*
 * metaline checks one metadata line (from a `#@ meta` line or --meta) of
 * n bytes. Returns NULL if it is good, else what is wrong.
 */
static const char *metaline(const char *s, size_t n)
{
    if (gs_input_badmeta(s, n) < 0)
        return NULL;
    return "not KEY=VALUE (a key of letters, digits, '_', '.' or '-', "
           "then '=')";
}

/*
 * directives collects the `#@` lines of text (see the top comment) into
 * sched and meta (meta gets '\n' between lines). A line may end in CRLF,
 * as the scenario parser allows: the CR is not part of it. Returns false
 * after a message naming path and the line if one is malformed.
 */
static bool directives(const char *path, const char *text, size_t len,
                       buf *sched, buf *meta, bool *hasmeta)
{
    char esc[GS_ERRLEN];
    size_t i = 0, end, line = 0;
    const char *why;

    while (i < len) {
        const char *s = text + i, *nl = memchr(s, '\n', len - i);
        size_t n;
        end = nl ? (size_t)(nl - text) : len;
        n = end - i;
        line++;
        if (n > 0 && s[n - 1] == '\r')
            n--;
        if (n >= 2 && s[0] == '#' && s[1] == '@') {
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
                const char *v = s + 8 - (n == 7);
                size_t vn = n - 8 + (n == 7);
                if ((why = metaline(v, vn)) != NULL) {
                    gs_escape(v, vn, esc, sizeof esc);
                    fprintf(stderr, "%s:%zu: #@ meta '%s': %s\n", path, line,
                            esc, why);
                    return false;
                }
                if ((*hasmeta && !bufadd(meta, "\n", 1)) ||
                    !bufadd(meta, v, vn)) {
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

/*
 * rawfile builds the raw fuzzer input of sc and sched (no header, no
 * metadata: what a fuzz target reads) into a malloc'd *file. Returns
 * RT_OK, RT_EINVAL with why in err (sc is beyond the raw format's
 * bounds), or RT_ENOMEM.
 */
static int rawfile(const rt_scenario *sc, const buf *sched, uint8_t **file,
                   size_t *len, char *err, size_t errlen)
{
    char why[256];

    if (!gs_input_representable(sc, why, sizeof why)) {
        snprintf(err, errlen, "cannot be a raw input: %s", why);
        return RT_EINVAL;
    }
    *len = gs_input_encode(sc, sched->p, sched->n, NULL, 0);
    if ((*file = malloc(*len)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return RT_ENOMEM;
    }
    gs_input_encode(sc, sched->p, sched->n, *file, *len);
    return RT_OK;
}

/*
 * asmsave builds the gstorm file of sc, sched and meta (NULL: none), or
 * its raw fuzzer input (raw), and writes it to outp. Returns an exit
 * code, after a message that blames the scenario (path) or the output
 * file (outp), whichever is at fault.
 */
static int asmsave(const char *path, const char *outp, const rt_scenario *sc,
                   const buf *sched, const char *meta, bool raw)
{
    char err[GS_ERRLEN];
    uint8_t *file;
    size_t len;
    int rc;

    rc = raw ? rawfile(sc, sched, &file, &len, err, sizeof err)
             : gs_input_file(sc, sched->p, sched->n, meta, &file, &len, err,
                             sizeof err);
    if (rc != RT_OK) {
        fprintf(stderr, "gstorm asm: %s: %s\n", path, err);
        return rc == RT_EINVAL ? GS_EXIT_USAGE : GS_EXIT_INTERNAL;
    }
    rc = gs_writefile(outp, file, len, err, sizeof err);
    free(file);
    if (rc != RT_OK) {
        fprintf(stderr, "gstorm asm: %s\n", err); /* it names outp */
        return rc == RT_EINVAL ? GS_EXIT_USAGE : GS_EXIT_INTERNAL;
    }
    return GS_EXIT_OK;
}

/* cli_asm is `gstorm asm`: text scenario to gstorm file. */
int cli_asm(int argc, char **argv)
{
    const char *path = NULL, *outp = NULL, *hex = NULL, *why;
    buf sched = {0}, meta = {0};
    gs_strlist extra = {.n = 0};
    bool hasmeta = false, help, raw = false;
    char err[GS_ERRLEN], *text = NULL;
    rt_scenario *sc = NULL;
    size_t len, npos, k;
    int rc;
    const gs_flag flags[] = {
        {"--output", "-o", GS_FLAG_STR, 0, 0, NULL, &outp, NULL},
        {"--schedule", NULL, GS_FLAG_TEXT, 0, 0, NULL, &hex, NULL},
        {"--meta", NULL, GS_FLAG_LIST, 0, 0, NULL, &extra, NULL},
        {"--raw", NULL, GS_FLAG_BOOL, 0, 0, NULL, &raw, NULL},
    };

    rc = gs_flags_parse("asm", argc, argv, flags, sizeof flags / sizeof *flags,
                        &path, 1, &npos, &help);
    if (rc != GS_EXIT_OK || help) {
        if (help)
            asmusage(stdout);
        return rc;
    }
    rc = GS_EXIT_USAGE;
    if (path == NULL || outp == NULL) {
        fprintf(stderr, "gstorm asm: %s\n",
                path == NULL ? "no SCENARIO given" : "no -o FILE given");
        asmusage(stderr);
        return rc;
    }
    for (k = 0; k < extra.n; k++) {
        if ((why = metaline(extra.v[k], strlen(extra.v[k]))) != NULL) {
            gs_escape(extra.v[k], strlen(extra.v[k]), err, sizeof err);
            fprintf(stderr, "gstorm asm: --meta '%s': %s\n", err, why);
            return rc;
        }
    }
    text = gs_readfile(path, GS_MAX_FILE, &len, err, sizeof err);
    if (text == NULL) {
        fprintf(stderr, "gstorm: %s\n", err);
        goto out;
    }
    if ((sc = malloc(sizeof *sc)) == NULL)
        goto oom;
    if (rt_scenario_parse(text, len, sc, err, sizeof err) != RT_OK) {
        fprintf(stderr, "%s:%s\n", path, err);
        goto out;
    }
    if (!directives(path, text, len, &sched, &meta, &hasmeta))
        goto out;
    if (hex != NULL) {
        sched.n = 0;
        if ((why = unhex(hex, strlen(hex), &sched)) != NULL) {
            gs_escape(hex, strlen(hex), err, sizeof err);
            fprintf(stderr, "gstorm asm: --schedule '%s': %s\n", err, why);
            goto out;
        }
    }
    for (k = 0; k < extra.n; k++) {
        if ((hasmeta && !bufadd(&meta, "\n", 1)) ||
            !bufadd(&meta, extra.v[k], strlen(extra.v[k])))
            goto oom;
        hasmeta = true;
    }
    if (hasmeta && meta.p == NULL && !bufadd(&meta, "", 0))
        goto oom;
    if (raw && hasmeta) {
        fprintf(stderr, "gstorm asm: --raw: a raw input has no metadata "
                        "(drop --meta and the '#@ meta' lines)\n");
        goto out;
    }
    rc = asmsave(path, outp, sc, &sched, hasmeta ? (const char *)meta.p : NULL,
                 raw);
    goto out;
oom:
    fprintf(stderr, "gstorm: out of memory\n");
    rc = GS_EXIT_INTERNAL;
out:
    free(text);
    free(sc);
    free(sched.p);
    free(meta.p);
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

/*
 * loadone parses the arguments of a subcommand that takes one FILE and
 * flags, prints its usage for --help (usage() prints it to a stream),
 * and loads FILE into *l. Returns an exit code: GS_EXIT_OK with *loaded
 * set when *l holds the run (the caller unloads it); otherwise *l holds
 * nothing, after the usage or a message.
 */
static int loadone(const char *cmd, int argc, char **argv, const gs_flag *flags,
                   size_t nflags, void (*usage)(FILE *), const char **path,
                   gs_loaded *l, bool *loaded)
{
    char err[GS_ERRLEN];
    size_t npos;
    bool help;
    int rc;

    *path = NULL;
    *loaded = false;
    rc = gs_flags_parse(cmd, argc, argv, flags, nflags, path, 1, &npos, &help);
    if (rc != GS_EXIT_OK || help) {
        if (help)
            usage(stdout);
        return rc;
    }
    if (*path == NULL) {
        usage(stderr);
        return GS_EXIT_USAGE;
    }
    rc = gs_load(*path, l, err, sizeof err);
    if (rc != GS_EXIT_OK)
        fprintf(stderr, "gstorm: %s\n", err);
    *loaded = rc == GS_EXIT_OK;
    return rc;
}

/* cli_disasm is `gstorm disasm`: a file back to text. */
int cli_disasm(int argc, char **argv)
{
    const char *path;
    char *text;
    gs_loaded l;
    size_t i, j, n;
    bool loaded;
    int rc;

    rc =
        loadone("disasm", argc, argv, NULL, 0, disasmusage, &path, &l, &loaded);
    if (!loaded)
        return rc;
    n = rt_scenario_format(l.sc, NULL, 0);
    text = malloc(n + 1);
    if (text == NULL) {
        fprintf(stderr, "gstorm: out of memory\n");
        gs_unload(&l);
        return GS_EXIT_INTERNAL;
    }
    rt_scenario_format(l.sc, text, n + 1);
    if (l.form == GS_INPUT_RAW)
        printf("# %s: a raw fuzzer input of %zu bytes (not a gstorm file): "
               "the scenario it decodes to\n",
               path, l.len);
    else
        printf("# %s: a gstorm file, format version %d, %s payload, %zu "
               "bytes\n",
               path, l.file[8] | l.file[9] << 8, /* checked by gs_load */
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
    gs_unload(&l);
    return GS_EXIT_OK; /* main checks that stdout took it all */
}

/* ---- replay ------------------------------------------------------------ */

/* replayusage prints `gstorm replay --help` to f. */
static void replayusage(FILE *f)
{
    fprintf(
        f,
        "usage: gstorm replay FILE [--trace] [--timeline] [--hash] "
        "[--repeat N]\n"
        "                    [--fault ID[,ID...]] [--workbench gstatus|stack]"
        "\n\n"
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
        "  --fault     injectable faults to switch on (also GSTORM_FAULT="
        "ID,...):\n"
        "              they replace the file's faults= metadata\n"
        "  --workbench a raw input of fuzz_gstatus or fuzz_stack: run it "
        "on that\n"
        "              workbench (rt_wb_gstatus, rt_wb_stack) instead\n"
        "Exit: 0 clean, 1 violation (or nondeterminism under --repeat), "
        "2 bad\n"
        "usage or file, 3 internal error.\n");
}

/* The rule a replayed file records (rule=), for replayhook. */
static char recorded[GS_MAX_RULE];
/* replay --hash, for replayhook. */
static bool wanthash;
/* replayhook is replay's throw hook: the report is printed; end the
 * trace, print the hash up to the violation (--hash), say whether it is
 * the recorded rule, then exit as gs_throw_exit does. Never returns. */
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
    gs_throw_exit(rule);
}

/* replaywb runs the raw input l on workbench wb (1 gstatus, 2 stack)
 * repeat times with faults on: a crash of fuzz_gstatus or fuzz_stack
 * replayed as the target ran it. Exit as cli_replay. */
static int replaywb(const char *path, const gs_loaded *l, int wb,
                    uint64_t faults, uint64_t repeat, bool trace, bool timeline,
                    const char *hint)
{
    rt_wb_options wo = {0};
    rt_wb_result res;
    uint64_t i, first = 0;
    int rc;

    if (l->form != GS_INPUT_RAW) {
        fprintf(stderr,
                "gstorm replay: %s: --workbench takes a raw input (a "
                "fuzz_%s crash), not a gstorm file\n",
                path, wb == 1 ? "gstatus" : "stack");
        return GS_EXIT_USAGE;
    }
    wo.faults = faults;
    wo.replay_hint = hint;
    for (i = 0; i < repeat; i++) {
        wo.trace = trace && i == 0 ? stdout : NULL;
        rc = wb == 1 ? rt_wb_gstatus(l->file, l->len, &wo, &res)
                     : rt_wb_stack(l->file, l->len, &wo, &res);
        fflush(stdout);
        if (rc != RT_OK) {
            fprintf(stderr, "gstorm replay: %s: cannot run (error %d)\n", path,
                    rc);
            return GS_EXIT_INTERNAL;
        }
        if (i == 0)
            first = res.trace_hash;
        else if (res.trace_hash != first) {
            fprintf(stderr,
                    "gstorm replay: nondeterministic: %s run %" PRIu64
                    " gave trace hash %016" PRIx64 ", run 1 gave %016" PRIx64
                    "\n",
                    path, i + 1, res.trace_hash, first);
            return GS_EXIT_VIOLATION;
        }
    }
    if (timeline)
        rt_trace_timeline(stdout, 200);
    printf("gstorm replay %s: clean (%" PRIu64 " run%s on the %s workbench, "
           "%" PRIu64 " steps, %" PRIu64 " events)\n",
           path, repeat, repeat == 1 ? "" : "s", wb == 1 ? "gstatus" : "stack",
           res.sim_steps, res.events);
    if (wanthash)
        printf("trace-hash: %016" PRIx64 "\n", res.trace_hash);
    return GS_EXIT_OK;
}

/* cli_replay is `gstorm replay`: run a saved run on the sim backend. */
int cli_replay(int argc, char **argv)
{
    const char *path;
    bool trace = false, timeline = false, hash = false, loaded, fgiven;
    gs_strlist faults = {0};
    uint64_t fbits;
    uint64_t repeat = 1, i, first = 0;
    char hint[GS_ERRLEN], err[GS_ERRLEN];
    rt_sim_source src;
    rt_options opt;
    rt_stats st;
    gs_loaded l;
    gs_spec spec;
    int rc, wb = 0;
    static const char *const workbenches[] = {"none", "gstatus", "stack", NULL};
    const gs_flag flags[] = {
        {"--workbench", NULL, GS_FLAG_CHOICE, 0, 0, workbenches, &wb, NULL},
        {"--trace", NULL, GS_FLAG_BOOL, 0, 0, NULL, &trace, NULL},
        {"--timeline", NULL, GS_FLAG_BOOL, 0, 0, NULL, &timeline, NULL},
        {"--hash", NULL, GS_FLAG_BOOL, 0, 0, NULL, &hash, NULL},
        {"--repeat", NULL, GS_FLAG_U64, 1, 1000000, NULL, &repeat, NULL},
        {"--fault", NULL, GS_FLAG_LIST, 0, 0, NULL, &faults, NULL},
    };

    rc = loadone("replay", argc, argv, flags, sizeof flags / sizeof *flags,
                 replayusage, &path, &l, &loaded);
    if (!loaded)
        return rc;
    if (gs_spec_from_meta(l.meta, l.mlen, &spec, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm: %s: %s\n", path, err);
        gs_unload(&l);
        return GS_EXIT_USAGE;
    }
    if (gs_faults_select(&faults, &fbits, &fgiven, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm replay: %s\n", err);
        gs_unload(&l);
        return GS_EXIT_USAGE;
    }
    if (fgiven) /* --fault and GSTORM_FAULT replace the file's faults= */
        spec.faults = fbits;
    gs_spec_options(&spec, l.sched, l.nsched, &src, &opt);
    memcpy(recorded, spec.rule, sizeof recorded);
    /* A regression reproducer (fault=, expect=) with its faults on. */
    if (recorded[0] == 0 && fgiven && spec.expect[0] != 0)
        memcpy(recorded, spec.expect, sizeof recorded);
    snprintf(hint, sizeof hint, "gstorm replay %s%s%s", path,
             wb ? " --workbench " : "",
             wb == 1 ? "gstatus"
             : wb    ? "stack"
                     : "");
    opt.replay_hint = hint;
    wanthash = hash;
    rt_set_throw_hook(replayhook);
    if (wb != 0) {
        rc = replaywb(path, &l, wb, spec.faults, repeat, trace, timeline, hint);
        gs_unload(&l);
        return rc;
    }
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
            gs_unload(&l);
            return rc == RT_EINVAL ? GS_EXIT_USAGE : GS_EXIT_INTERNAL;
        }
        if (i == 0) {
            first = st.trace_hash;
        } else if (st.trace_hash != first) {
            fprintf(stderr,
                    "gstorm replay: nondeterministic: %s run %" PRIu64
                    " gave trace hash %016" PRIx64 ", run 1 gave %016" PRIx64
                    "\n",
                    path, i + 1, st.trace_hash, first);
            gs_unload(&l);
            return GS_EXIT_VIOLATION;
        }
    }
    if (timeline)
        rt_trace_timeline(stdout, 200);
    printf("gstorm replay %s: clean (%" PRIu64 " run%s, strategy %s, %" PRIu64
           " steps, %" PRIu64 " events)\n",
           path, repeat, repeat == 1 ? "" : "s", gs_strategy_name(src.kind),
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
    gs_unload(&l);
    return GS_EXIT_OK;
}
