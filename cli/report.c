/*
 * report.c - `gstorm report DIR`: the morning report of a fuzzing
 * campaign, as one self-contained HTML page (inline CSS, SVG and a few
 * lines of JavaScript: it reads offline and from a CI artifact) and the
 * same in Markdown for a terminal or a CI comment.
 *
 * The campaign directory (README.md, "Campaign reports") holds three
 * tab-separated tables with a header line: campaign.tsv (key, value),
 * progress.tsv (one sample per target and engine every half minute or
 * so) and findings.tsv (one row per distinct finding). A malformed row
 * is refused with its file and line, except the last line of
 * progress.tsv, which a running campaign may be appending.
 *
 * Each finding's reproducer is replayed the way `gstorm replay` runs it
 * (its metadata gives the schedule source and faults), but in a bounded
 * child (gs_child_run, as triage does) so that a violation, a crash or
 * a hang of one finding does not end the report: a throw never returns
 * (rt_set_throw_hook), so an in-process replay could show one finding
 * only. The child streams its trace (rt_options.trace) into a ring of
 * the last events in a temporary file shared across the fork (see
 * tracer), which the parent reads after the child has ended: the events
 * up to the violation, from which the swimlanes are drawn. The scan-bit
 * holders are tracked over the whole trace, not only the rows shown: a
 * status with the Gscan bit set means that G's scan bit is held by the
 * M of that event, until a status without it.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "harness.h"
#include "report.h"

enum {
    DEFAULT_EVENTS = 200, /* swimlane rows per finding */
    MAX_EVENTS = 4096,    /* the trace ring's size: no more can be shown */
    TIMEOUT_S = 60,       /* one replay's wall-time bound */
    MAX_HELD = 16,        /* scan bits tracked at once (a run has few) */
};

/* ---- tables ------------------------------------------------------------ */

/* isnumber says whether s is a finite non-negative decimal number. */
static bool isnumber(const char *s)
{
    char *end;
    double v;

    if (*s == 0 || *s == ' ' || *s == '+' || *s == '-')
        return false;
    errno = 0;
    v = strtod(s, &end);
    return *end == 0 && errno == 0 && isfinite(v) && v >= 0;
}

/*
 * checkrow checks the ncols fields f[] of one row against kinds (one
 * letter per column: 's' a non-empty string, 'n' a number, '*' anything).
 * Returns NULL, or what is wrong (into why).
 */
static const char *checkrow(char **f, size_t n, size_t ncols,
                            const char *header, const char *kinds, char *why,
                            size_t cap)
{
    size_t c;

    if (n != ncols) {
        snprintf(why, cap, "expected %zu tab-separated fields (%s), got %zu",
                 ncols, header, n);
        return why;
    }
    for (c = 0; c < ncols; c++) {
        char esc[128];
        if (kinds[c] == 's' && f[c][0] == 0) {
            snprintf(why, cap, "field %zu is empty", c + 1);
            return why;
        }
        if (kinds[c] == 'n' && !isnumber(f[c])) {
            gs_escape(f[c], strlen(f[c]), esc, sizeof esc);
            snprintf(why, cap, "field %zu '%s' is not a non-negative number",
                     c + 1, esc);
            return why;
        }
    }
    return NULL;
}

/*
 * readtsv reads path into *t: a header line that must equal header
 * (columns split by '\t'), then rows checked by kinds (checkrow). A
 * missing file gives an empty table with t->missing set. With lastok, a
 * malformed last line is dropped (a write in progress). Returns an exit
 * code, after a message naming the file and line of a bad row.
 */
static int readtsv(const char *path, const char *header, const char *kinds,
                   bool lastok, table *t)
{
    char err[GS_ERRLEN], why[512], cols[256], *p, *q, *f[64];
    size_t len, ncols = strlen(kinds), lineno = 0, cap = 16;
    struct stat st;

    /* The columns as a message shows them: tabs are invisible. */
    snprintf(cols, sizeof cols, "%s", header);
    for (q = cols; *q != 0; q++)
        if (*q == '\t')
            *q = ' ';
    memset(t, 0, sizeof *t);
    t->path = path;
    t->ncols = ncols;
    if (stat(path, &st) != 0 && errno == ENOENT) {
        t->missing = true;
        return GS_EXIT_OK;
    }
    if ((t->text = gs_readfile(path, GS_MAX_FILE, &len, err, sizeof err)) ==
        NULL) {
        fprintf(stderr, "gstorm report: %s\n", err);
        return GS_EXIT_USAGE;
    }
    t->cell = malloc(cap * ncols * sizeof *t->cell);
    t->line = malloc(cap * sizeof *t->line);
    if (t->cell == NULL || t->line == NULL)
        goto oom;
    for (p = t->text; p < t->text + len;) {
        char *nl = memchr(p, '\n', (size_t)(t->text + len - p)), *s = p;
        bool last = nl == NULL || nl + 1 == t->text + len;
        size_t n = 0;
        if (nl == NULL)
            nl = t->text + len;
        *nl = 0;
        if (nl > p && nl[-1] == '\r')
            nl[-1] = 0;
        p = nl + 1;
        lineno++;
        if (lineno == 1) {
            if (strcmp(s, header) != 0) {
                char esc[256];
                gs_escape(s, strlen(s), esc, sizeof esc);
                fprintf(stderr,
                        "%s:1: the header is '%s', expected the columns "
                        "%s (tab-separated)\n",
                        path, esc, cols);
                return GS_EXIT_USAGE;
            }
            continue;
        }
        f[n++] = s;
        for (; *s != 0; s++) {
            if (*s != '\t')
                continue;
            *s = 0;
            if (n == sizeof f / sizeof *f)
                break;
            f[n++] = s + 1;
        }
        if (checkrow(f, n, ncols, cols, kinds, why, sizeof why) != NULL) {
            if (lastok && last)
                break; /* a row being appended */
            fprintf(stderr, "%s:%zu: %s\n", path, lineno, why);
            return GS_EXIT_USAGE;
        }
        if (t->nrows == cap) {
            char **nc;
            size_t *nlines;
            cap *= 2;
            nc = realloc(t->cell, cap * ncols * sizeof *t->cell);
            if (nc != NULL)
                t->cell = nc;
            nlines = realloc(t->line, cap * sizeof *t->line);
            if (nlines != NULL)
                t->line = nlines;
            if (nc == NULL || nlines == NULL)
                goto oom;
        }
        memcpy(t->cell + t->nrows * ncols, f, ncols * sizeof *f);
        t->line[t->nrows++] = lineno;
    }
    if (lineno == 0) {
        fprintf(stderr, "%s:1: empty file, expected the header %s\n", path,
                cols);
        return GS_EXIT_USAGE;
    }
    return GS_EXIT_OK;
oom:
    fprintf(stderr, "gstorm: out of memory\n");
    return GS_EXIT_INTERNAL;
}

/* freetsv frees what readtsv allocated. */
static void freetsv(table *t)
{
    free(t->text);
    free(t->cell);
    free(t->line);
}

/* ---- replaying a finding ------------------------------------------------ */
/* The scan bits held while a trace is read: G and the M holding it. */
typedef struct holders {
    unsigned g[MAX_HELD], m[MAX_HELD];
    size_t n;
} holders;

/* track applies event e to h and writes the holders into e->held. */
static void track(holders *h, event *e)
{
    size_t i, k = 0;

    if (report_istransition(e->ev)) {
        for (i = 0; i < h->n && h->g[i] != e->g; i++)
            ;
        if (report_isscan(e->to)) {
            if (i == h->n && h->n < MAX_HELD)
                h->n++;
            if (i < h->n) {
                h->g[i] = e->g;
                h->m[i] = e->m;
            }
        } else if (i < h->n) {
            h->g[i] = h->g[h->n - 1];
            h->m[i] = h->m[h->n - 1];
            h->n--;
        }
    }
    e->held[0] = 0;
    e->heldby = 0;
    for (i = 0; i < h->n; i++) {
        if (h->m[i] < 32)
            e->heldby |= 1u << h->m[i];
        if (k < sizeof e->held)
            k += (size_t)snprintf(e->held + k, sizeof e->held - k,
                                  "%sg%u by M%u", i ? ", " : "", h->g[i],
                                  h->m[i]);
    }
}

/*
 * The trace capture. The child writes its trace (rt_options.trace) to a
 * stream whose cookie, in the child's memory, parses each line, tracks
 * the scan-bit holders over the whole run and stores the event into
 * slot (number % cap) of a temporary file: a ring on disk, so a long
 * clean replay (up to the sim's step budget) costs cap slots, not a
 * line per event. The file is shared across the fork; the parent reads
 * the slots after the child has ended and orders them by sequence.
 */
typedef struct tracer {
    int fd;         /* the ring file */
    size_t cap;     /* slots */
    uint64_t n;     /* events stored */
    holders h;      /* scan bits held so far */
    char line[256]; /* the line being written (longer ones are cut) */
    size_t len;
} tracer;

/* storeline parses t->line and stores its event in the ring; a line that
 * is not an event (the column header) is skipped. */
static void storeline(tracer *t)
{
    unsigned long long seq;
    event e;

    memset(&e, 0, sizeof e);
    t->line[t->len] = 0;
    if (sscanf(t->line, "%llu %u %u %15s %23s %23s %47s", &seq, &e.m, &e.g,
               e.ev, e.from, e.to, e.by) < 6)
        return;
    e.seq = seq;
    track(&t->h, &e);
    /* A failed write loses one row of the picture, nothing else: the
     * child has nobody to tell. */
    if (pwrite(t->fd, &e, sizeof e, (off_t)(t->n % t->cap * sizeof e)) ==
        (ssize_t)sizeof e)
        t->n++;
}

/*
 * tracefeed reads the child's text trace (file txt, from its start) line
 * by line into the ring. The child writes the trace to a plain file and
 * the parent parses it afterwards: parsing inside the child, from a
 * stream function called on whichever M (sim fiber) printed the event,
 * looked to ThreadSanitizer like a race between Ms in the tsan build.
 */
static void tracefeed(tracer *t, FILE *txt)
{
    int c;

    rewind(txt);
    while ((c = getc(txt)) != EOF) {
        if (c == '\n') {
            storeline(t);
            t->len = 0;
        } else if (t->len < sizeof t->line - 1) {
            t->line[t->len++] = (char)c;
        }
    }
}

/* cmpseq orders events by sequence number. */
static int cmpseq(const void *a, const void *b)
{
    const event *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * readring reads the slots of ring file fd into f: the last f->cap events
 * in order. Returns false when out of memory.
 */
static bool readring(int fd, finding *f)
{
    struct stat st;
    size_t i, n;

    if (fstat(fd, &st) != 0)
        return true; /* no events: the lane says so */
    n = (size_t)st.st_size / sizeof(event);
    if (n > f->cap)
        n = f->cap;
    if ((f->ev = calloc(n + 1, sizeof *f->ev)) == NULL)
        return false;
    if (n > 0 &&
        pread(fd, f->ev, n * sizeof(event), 0) != (ssize_t)(n * sizeof(event)))
        n = 0;
    qsort(f->ev, n, sizeof *f->ev, cmpseq);
    f->nev = n;
    f->total = n > 0 ? f->ev[n - 1].seq + 1 : 0;
    for (i = 0; i < n; i++)
        if (f->ev[i].m + 1 > f->nm)
            f->nm = f->ev[i].m + 1;
    if (f->nm > REPORT_MAX_COLS)
        f->nm = REPORT_MAX_COLS;
    return true;
}

/*
 * replay runs the reproducer of finding f (path, relative to dir
 * already joined) in a bounded child with its trace captured, and fills
 * f. Faults: the file's faults= metadata; a file without any (a raw
 * input) gets the campaign's, and GSTORM_FAULT replaces both, as in
 * `gstorm replay`. Returns an exit code: GS_EXIT_OK (the finding's state
 * says what happened), GS_EXIT_INTERNAL (no child, no memory).
 */
static int replay(const char *path, const char *key, uint64_t campfaults,
                  finding *f)
{
    gs_childcfg cfg = {.quiet = true, .timeout_s = TIMEOUT_S};
    char err[GS_ERRLEN], val[256];
    gs_strlist none = {.n = 0};
    rt_sim_source src;
    rt_options opt;
    gs_outcome o;
    gs_loaded l;
    gs_spec spec;
    uint64_t bits;
    bool given;
    tracer tr = {.fd = -1};
    FILE *tf = NULL, *ring = NULL;
    size_t n;
    int rc = GS_EXIT_OK;

    f->state = REPRO_ERROR;
    if (gs_load(path, &l, err, sizeof err) != GS_EXIT_OK) {
        snprintf(f->note, sizeof f->note, "cannot load: %s", err);
        return GS_EXIT_OK;
    }
    if (gs_spec_from_meta(l.meta, l.mlen, &spec, err, sizeof err) != RT_OK) {
        if (snprintf(f->note, sizeof f->note, "%s: %s", path, err) >=
            (int)sizeof f->note)
            f->note[sizeof f->note - 2] = '~'; /* cut: a note shows */
        goto out;
    }
    if (!gs_metaget(l.meta, l.mlen, "faults", val, sizeof val))
        spec.faults = campfaults;
    if (gs_faults_select(&none, &bits, &given, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm report: %s\n", err);
        rc = GS_EXIT_USAGE;
        goto out;
    }
    if (given)
        spec.faults = bits;
    n = rt_scenario_format(l.sc, NULL, 0);
    if ((f->scen = malloc(n + 1)) == NULL)
        goto oom;
    rt_scenario_format(l.sc, f->scen, n + 1);
    /* Line-buffered: every event reaches the file as it happens, as the
     * child ends with _exit and flushes no stream. */
    tr.cap = f->cap;
    if ((ring = tmpfile()) != NULL)
        tr.fd = fileno(ring);
    if (ring == NULL || (tf = tmpfile()) == NULL) {
        fprintf(stderr, "gstorm report: a temporary file: %s\n",
                strerror(errno));
        rc = GS_EXIT_INTERNAL;
        goto out;
    }
    setvbuf(tf, NULL, _IOLBF, 0);
    gs_spec_options(&spec, l.sched, l.nsched, &src, &opt);
    opt.quiet = true;
    opt.trace = tf;
    if (!gs_child_run(l.sc, &opt, &cfg, &o, err, sizeof err)) {
        fprintf(stderr, "gstorm report: cannot start a run: %s\n", err);
        rc = GS_EXIT_INTERNAL;
        goto out;
    }
    tracefeed(&tr, tf);
    if (!readring(tr.fd, f))
        goto oom;
    if (o.kind == GS_OUT_ERROR) {
        snprintf(f->note, sizeof f->note,
                 "the run was refused (error %d: a bad scenario or "
                 "metadata)",
                 o.code);
    } else if (!gs_outcome_finding(&o)) {
        f->state = REPRO_CLEAN;
        /* A sanitizer's finding shows only in a build with that
         * sanitizer: say so rather than let it look fixed. */
        bool san =
            strncmp(key, "asan.", 5) == 0 || strncmp(key, "tsan.", 5) == 0 ||
            strncmp(key, "ubsan.", 6) == 0 || strncmp(key, "lsan.", 5) == 0;
        snprintf(f->note, sizeof f->note, "%s%s",
                 o.kind == GS_OUT_RESOURCE
                     ? "the replay ran out of a resource"
                     : "the replay was clean: it no longer reproduces",
                 san ? " in this build (a sanitizer finding: run the "
                       "report with the gstorm of the asan or tsan preset)"
                     : "");
    } else {
        gs_outcome_key(&o, f->got, sizeof f->got);
        f->state = strcmp(f->got, key) == 0 ? REPRO_SAME : REPRO_OTHER;
        if (f->state == REPRO_OTHER)
            snprintf(f->note, sizeof f->note, "the replay gives %s", f->got);
    }
    goto out;
oom:
    fprintf(stderr, "gstorm: out of memory\n");
    rc = GS_EXIT_INTERNAL;
out:
    if (tf != NULL)
        fclose(tf); /* empty in the parent: nothing to flush */
    if (ring != NULL)
        fclose(ring);
    gs_unload(&l);
    return rc;
}
/* report_isscan is in report.h. */
bool report_isscan(const char *s)
{
    return strncmp(s, "Gscan", 5) == 0;
}

/* report_istransition is in report.h. */
bool report_istransition(const char *ev)
{
    return strcmp(ev, "status") == 0 || strcmp(ev, "claim") == 0 ||
           strcmp(ev, "release") == 0;
}

/* report_reprotext is in report.h. */
const char *report_reprotext(const finding *f)
{
    static const char *const t[] = {"yes", "other finding", "NO (clean)",
                                    "NO (error)", "not replayed here"};
    return t[f->state];
}

/* workbench names the workbench whose raw inputs target t fuzzes
 * ("gstatus", "stack"), or NULL. */
static const char *workbench(const char *t)
{
    if (strcmp(t, "fuzz_gstatus") == 0)
        return "gstatus";
    if (strcmp(t, "fuzz_stack") == 0)
        return "stack";
    return NULL;
}

/* scenariotarget says whether target t's inputs are scenarios the report
 * can replay (fuzz_interleave's raw inputs, gstorm files of explore,
 * min and stress): not a workbench's or the decoder's bytes. */
static bool scenariotarget(const char *t)
{
    return workbench(t) == NULL && strcmp(t, "fuzz_decode") != 0;
}

/* report_replaycmd is in report.h. */
void report_replaycmd(const campaign *c, size_t r, char *buf, size_t cap)
{
    const char *t = report_cell(&c->find, r, 2), *wb = workbench(t);

    if (wb != NULL)
        snprintf(buf, cap, "gstorm replay %s/%s --workbench %s", c->dir,
                 report_cell(&c->find, r, 6), wb);
    else if (!scenariotarget(t))
        snprintf(buf, cap, "build/dev/bin/%s_replay %s/%s", t, c->dir,
                 report_cell(&c->find, r, 6));
    else
        snprintf(buf, cap, "gstorm replay %s/%s", c->dir,
                 report_cell(&c->find, r, 6));
}

/* report_row is in report.h. */
void report_row(FILE *out, const report_fmt *f, const char *const *cell,
                size_t n)
{
    size_t i;

    fputs(f->open, out);
    for (i = 0; i < n; i++) {
        if (i > 0)
            fputs(f->sep, out);
        f->esc(out, cell[i]);
    }
    fputs(f->close, out);
}

/* report_sample is in report.h. */
void report_sample(const campaign *c, size_t i, const char *row[8])
{
    static const size_t col[8] = {2, 1, 0, 3, 4, 5, 6, 7}; /* tsv order */
    size_t k;

    for (k = 0; k < 8; k++)
        row[k] = report_cell(&c->prog, c->s[i].last, col[k]);
}

/* findseries collects the series of progress table p (in order of
 * first appearance) into s (at most cap); returns how many. */
static size_t findseries(const table *p, series *s, size_t cap)
{
    size_t r, i, n = 0;

    for (r = 0; r < p->nrows; r++) {
        for (i = 0; i < n; i++)
            if (strcmp(s[i].engine, report_cell(p, r, 1)) == 0 &&
                strcmp(s[i].target, report_cell(p, r, 2)) == 0)
                break;
        if (i == n && n < cap) {
            s[n].engine = report_cell(p, r, 1);
            s[n].target = report_cell(p, r, 2);
            n++;
        }
        if (i < n)
            s[i].last = r;
    }
    return n;
}
/* ---- the command -------------------------------------------------------- */

/* reportusage prints `gstorm report --help` to f. */
static void reportusage(FILE *f)
{
    fprintf(f, "%s",
            "usage: gstorm report DIR [-o HTML] [--md FILE] [--events N]\n\n"
            "Writes the report of the campaign in DIR (campaign.tsv,\n"
            "progress.tsv, findings.tsv, findings/: see README.md): one\n"
            "self-contained HTML page (plots of coverage, exec/s and "
            "findings\n"
            "over time, the table of distinct findings, and for each its\n"
            "minimized scenario and its interleaving as swimlanes) and the "
            "same\n"
            "in Markdown. Each finding's reproducer is replayed on the sim "
            "(in a\n"
            "bounded child) to draw its swimlanes; one that no longer "
            "reproduces\n"
            "is flagged.\n"
            "  -o HTML     the page (default DIR/report.html)\n"
            "  --md FILE   the Markdown (default DIR/report.md)\n"
            "  --events N  swimlane rows per finding, 1..4096 (default "
            "200)\n"
            "Both files are written atomically. Exit: 0 written, 2 bad "
            "usage or\n"
            "a malformed table (its file and line are named), 3 I/O or "
            "internal\n"
            "error.\n");
}

/* render writes c through writer w into a memory buffer, then atomically
 * to path. Returns an exit code. */
static int render(const char *path, const campaign *c,
                  void (*w)(FILE *, const campaign *))
{
    char err[GS_ERRLEN], *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int rc;

    if (out == NULL) {
        fprintf(stderr, "gstorm: out of memory\n");
        return GS_EXIT_INTERNAL;
    }
    w(out, c);
    if (fclose(out) != 0) {
        free(buf);
        fprintf(stderr, "gstorm: out of memory\n");
        return GS_EXIT_INTERNAL;
    }
    rc = gs_writefile(path, buf, len, err, sizeof err);
    free(buf);
    if (rc != RT_OK) {
        fprintf(stderr, "gstorm report: %s\n", err);
        return rc == RT_EINVAL ? GS_EXIT_USAGE : GS_EXIT_INTERNAL;
    }
    return GS_EXIT_OK;
}

/* refused says whether path exists and is not a regular file (what
 * gs_writefile would refuse), after a message. Checked before any
 * replay, so that a bad target fails at once. */
static bool refused(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0 || S_ISREG(st.st_mode))
        return false;
    fprintf(stderr,
            "gstorm report: %s: not a regular file; refusing to "
            "replace it\n",
            path);
    return true;
}

/* cli_report is `gstorm report`: the campaign report. */
int cli_report(int argc, char **argv)
{
    const char *dir = NULL, *htmlp = NULL, *mdp = NULL;
    char path[3][GS_ERRLEN], defhtml[GS_ERRLEN], defmd[GS_ERRLEN], bad[256],
        rp[GS_ERRLEN];
    uint64_t events = DEFAULT_EVENTS, campfaults = 0;
    campaign c;
    struct stat st;
    bool help = false;
    size_t npos = 0, r;
    int rc;
    const gs_flag flags[] = {
        {"--output", "-o", GS_FLAG_STR, 0, 0, NULL, &htmlp, NULL},
        {"--md", NULL, GS_FLAG_STR, 0, 0, NULL, &mdp, NULL},
        {"--events", NULL, GS_FLAG_U64, 1, MAX_EVENTS, NULL, &events, NULL},
    };

    rc = gs_flags_parse("report", argc, argv, flags,
                        sizeof flags / sizeof flags[0], &dir, 1, &npos, &help);
    if (rc != GS_EXIT_OK || help) {
        if (help)
            reportusage(stdout);
        return rc;
    }
    if (dir == NULL) {
        fprintf(stderr, "gstorm report: no DIR given\n");
        reportusage(stderr);
        return GS_EXIT_USAGE;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "gstorm report: %s: not a directory\n", dir);
        return GS_EXIT_USAGE;
    }
    snprintf(defhtml, sizeof defhtml, "%s/report.html", dir);
    snprintf(defmd, sizeof defmd, "%s/report.md", dir);
    htmlp = htmlp ? htmlp : defhtml;
    mdp = mdp ? mdp : defmd;
    if (refused(htmlp) || refused(mdp))
        return GS_EXIT_USAGE;
    memset(&c, 0, sizeof c);
    c.dir = dir;
    c.events = (unsigned)events;
    snprintf(path[0], sizeof path[0], "%s/campaign.tsv", dir);
    snprintf(path[1], sizeof path[1], "%s/progress.tsv", dir);
    snprintf(path[2], sizeof path[2], "%s/findings.tsv", dir);
    if ((rc = readtsv(path[0], "key\tvalue", "s*", false, &c.camp)) != 0 ||
        (rc = readtsv(path[1],
                      "elapsed_s\tengine\ttarget\texecs\texec_per_s\t"
                      "coverage\tcorpus\tfindings",
                      "nssnnnnn", true, &c.prog)) != 0 ||
        (rc = readtsv(path[2],
                      "id\tkey\ttarget\tengine\tfirst_s\thits\treproducer\t"
                      "crash",
                      "ssssnns*", false, &c.find)) != 0)
        goto out;
    if (c.camp.missing && c.prog.missing && c.find.missing) {
        fprintf(stderr,
                "gstorm report: %s: not a campaign directory (no "
                "campaign.tsv, progress.tsv or findings.tsv)\n",
                dir);
        rc = GS_EXIT_USAGE;
        goto out;
    }
    for (r = 0; r < c.camp.nrows; r++) {
        if (strcmp(report_cell(&c.camp, r, 0), "faults") == 0 &&
            gs_faults_parse(report_cell(&c.camp, r, 1), &campfaults, bad,
                            sizeof bad) != RT_OK) {
            fprintf(stderr,
                    "%s:%zu: faults: '%s' is not a fault id (see "
                    "gstorm faults)\n",
                    path[0], c.camp.line[r], bad);
            rc = GS_EXIT_USAGE;
            goto out;
        }
    }
    c.ns = findseries(&c.prog, c.s, sizeof c.s / sizeof *c.s);
    if ((c.f = calloc(c.find.nrows + 1, sizeof *c.f)) == NULL) {
        fprintf(stderr, "gstorm: out of memory\n");
        rc = GS_EXIT_INTERNAL;
        goto out;
    }
    for (r = 0; r < c.find.nrows; r++) {
        const char *rel = report_cell(&c.find, r, 6);
        snprintf(rp, sizeof rp, "%s%s%s", rel[0] == '/' ? "" : dir,
                 rel[0] == '/' ? "" : "/", rel);
        c.f[r].row = r;
        c.f[r].cap = (size_t)events;
        if (!scenariotarget(report_cell(&c.find, r, 2))) {
            c.f[r].state = REPRO_SKIP;
            snprintf(c.f[r].note, sizeof c.f[r].note,
                     "a %s input, not a scenario: replay it with the "
                     "command beside it (same faults)",
                     report_cell(&c.find, r, 2));
        } else if ((rc = replay(rp, report_cell(&c.find, r, 1), campfaults,
                                &c.f[r])) != 0)
            goto out;
        c.nrepro += c.f[r].state == REPRO_SAME;
        c.nskip += c.f[r].state == REPRO_SKIP;
        gs_escape(report_cell(&c.find, r, 1),
                  strlen(report_cell(&c.find, r, 1)), bad, sizeof bad);
        fprintf(stderr, "report: %s %s: %s\n", report_cell(&c.find, r, 0), bad,
                report_reprotext(&c.f[r]));
    }
    if ((rc = render(htmlp, &c, report_html)) != 0 ||
        (rc = render(mdp, &c, report_md)) != 0)
        goto out;
    printf("report: %s (%zu findings, %zu reproduce) and %s\n", htmlp,
           c.find.nrows, c.nrepro, mdp);
out:
    for (r = 0; c.f != NULL && r < c.find.nrows; r++) {
        free(c.f[r].scen);
        free(c.f[r].ev);
    }
    free(c.f);
    freetsv(&c.camp);
    freetsv(&c.prog);
    freetsv(&c.find);
    return rc;
}
