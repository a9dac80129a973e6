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
 * a hang of one finding does not end the report. The child streams its
 * trace (rt_options.trace) into an unbuffered temporary file shared
 * across the fork, which the parent reads after the child has ended: the
 * events up to the violation, from which the swimlanes are drawn. The
 * scan-bit holders are tracked over the whole trace, not only the rows
 * shown: a status with the Gscan bit set means that G's scan bit is held
 * by the M of that event, until a status without it.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "harness.h"

enum {
    DEFAULT_EVENTS = 200, /* swimlane rows per finding */
    MAX_EVENTS = 4096,    /* the trace ring's size: no more can be shown */
    TIMEOUT_S = 60,       /* one replay's wall-time bound */
    MAX_HELD = 16,        /* scan bits tracked at once (a run has few) */
    MAX_COLS = 16,        /* Ms drawn as lanes; later Ms share the last */
    PLOT_W = 560,         /* plot size in SVG units */
    PLOT_H = 230,
    PLOT_L = 64, /* margins: room for tick labels and axis titles */
    PLOT_R = 12,
    PLOT_T = 26,
    PLOT_B = 40,
    TICKS = 5, /* tick marks per axis */
};

/* ---- tables ------------------------------------------------------------ */

/* A tab-separated table: the file's text split in place into cells. */
typedef struct table {
    const char *path;
    char *text;   /* the file (owned) */
    char **cell;  /* nrows * ncols cells (owned array) */
    size_t *line; /* the line number of each row (owned) */
    size_t nrows, ncols;
    bool missing; /* the file does not exist */
} table;

/* cell returns row r, column c of t. */
static const char *cell(const table *t, size_t r, size_t c)
{
    return t->cell[r * t->ncols + c];
}

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
    char err[GS_ERRLEN], why[512], *p, *f[64];
    size_t len, ncols = strlen(kinds), lineno = 0, cap = 16;
    struct stat st;

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
                        path, esc, header);
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
        if (checkrow(f, n, ncols, header, kinds, why, sizeof why) != NULL) {
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
                header);
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

/* kv returns the value of key in campaign table t, or "". */
static const char *kv(const table *t, const char *key)
{
    const char *v = "";
    size_t r;

    for (r = 0; r < t->nrows; r++)
        if (strcmp(cell(t, r, 0), key) == 0)
            v = cell(t, r, 1); /* a later row wins */
    return v;
}

/* ---- replaying a finding ------------------------------------------------ */

/* One trace event, in rt_trace_print's columns, and the scan bits held
 * after it. */
typedef struct event {
    uint64_t seq;
    unsigned m, g;
    char ev[16], from[24], to[24], by[48];
    char held[96]; /* "g3 by M0, g5 by M2" or "" */
} event;

/* What the replay of a finding showed. */
typedef enum repro {
    REPRO_SAME,  /* the key of findings.tsv, again */
    REPRO_OTHER, /* another finding */
    REPRO_CLEAN, /* a clean run: it no longer reproduces */
    REPRO_ERROR, /* it could not be replayed (note says why) */
} repro;

/* A finding: its row of findings.tsv and its replay. */
typedef struct finding {
    size_t row;
    char *scen; /* the scenario's text form (malloc'd), or NULL */
    event *ev;  /* the last events, oldest first (a ring while read) */
    size_t nev, cap;
    uint64_t total; /* events the run recorded */
    unsigned nm;    /* lanes: the highest M shown + 1 */
    repro state;
    char got[GS_MAX_KEY]; /* the replay's key ("" clean) */
    char note[GS_ERRLEN + 64];
} finding;

/* isscan says whether a status name is a Gscan status. */
static bool isscan(const char *s)
{
    return strncmp(s, "Gscan", 5) == 0;
}

/* istransition says whether event kind ev carries statuses. */
static bool istransition(const char *ev)
{
    return strcmp(ev, "status") == 0 || strcmp(ev, "claim") == 0 ||
           strcmp(ev, "release") == 0;
}

/* The scan bits held while a trace is read: G and the M holding it. */
typedef struct holders {
    unsigned g[MAX_HELD], m[MAX_HELD];
    size_t n;
} holders;

/* track applies event e to h and writes the holders into e->held. */
static void track(holders *h, event *e)
{
    size_t i, k = 0;

    if (istransition(e->ev)) {
        for (i = 0; i < h->n && h->g[i] != e->g; i++)
            ;
        if (isscan(e->to)) {
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
    for (i = 0; i < h->n && k < sizeof e->held; i++)
        k += (size_t)snprintf(e->held + k, sizeof e->held - k, "%sg%u by M%u",
                              i ? ", " : "", h->g[i], h->m[i]);
}

/*
 * readtrace reads the trace lines in tf (rt_trace_print's columns, after
 * a header) into f: the last f->cap events, and the holders of every
 * scan bit after each. Returns false when out of memory.
 */
static bool readtrace(FILE *tf, finding *f)
{
    char *line = NULL;
    size_t n = 0, i;
    holders h = {.n = 0};
    event e, *ring;

    if ((ring = calloc(f->cap, sizeof *ring)) == NULL)
        return false;
    rewind(tf);
    while (getline(&line, &n, tf) > 0) {
        unsigned long long seq;
        int got;
        memset(&e, 0, sizeof e);
        got = sscanf(line, "%llu %u %u %15s %23s %23s %47s", &seq, &e.m, &e.g,
                     e.ev, e.from, e.to, e.by);
        if (got < 6)
            continue; /* the header */
        e.seq = seq;
        track(&h, &e);
        ring[f->total % f->cap] = e;
        f->total++;
    }
    free(line);
    f->nev = f->total < f->cap ? (size_t)f->total : f->cap;
    if ((f->ev = malloc((f->nev + 1) * sizeof *f->ev)) == NULL) {
        free(ring);
        return false;
    }
    for (i = 0; i < f->nev; i++) {
        f->ev[i] = ring[(f->total - f->nev + i) % f->cap];
        if (f->ev[i].m + 1 > f->nm)
            f->nm = f->ev[i].m + 1;
    }
    if (f->nm > MAX_COLS)
        f->nm = MAX_COLS;
    free(ring);
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
    FILE *tf;
    size_t n;
    int rc = GS_EXIT_OK;

    f->state = REPRO_ERROR;
    if (gs_load(path, &l, err, sizeof err) != GS_EXIT_OK) {
        snprintf(f->note, sizeof f->note, "cannot load: %s", err);
        return GS_EXIT_OK;
    }
    if (gs_spec_from_meta(l.meta, l.mlen, &spec, err, sizeof err) != RT_OK) {
        snprintf(f->note, sizeof f->note, "%s: %s", path, err);
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
    /* Unbuffered: the child's writes reach the shared file as they
     * happen, as the child ends with _exit and flushes no stream. */
    if ((tf = tmpfile()) == NULL) {
        fprintf(stderr, "gstorm report: a temporary file: %s\n",
                strerror(errno));
        rc = GS_EXIT_INTERNAL;
        goto out;
    }
    setvbuf(tf, NULL, _IONBF, 0);
    gs_spec_options(&spec, l.sched, l.nsched, &src, &opt);
    opt.quiet = true;
    opt.trace = tf;
    if (!gs_child_run(l.sc, &opt, &cfg, &o, err, sizeof err)) {
        fprintf(stderr, "gstorm report: cannot start a run: %s\n", err);
        fclose(tf);
        rc = GS_EXIT_INTERNAL;
        goto out;
    }
    if (!readtrace(tf, f)) {
        fclose(tf);
        goto oom;
    }
    fclose(tf);
    if (o.kind == GS_OUT_ERROR) {
        snprintf(f->note, sizeof f->note,
                 "the run was refused (error %d: a bad scenario or "
                 "metadata)",
                 o.code);
    } else if (!gs_outcome_finding(&o)) {
        f->state = REPRO_CLEAN;
        snprintf(f->note, sizeof f->note, "%s",
                 o.kind == GS_OUT_RESOURCE
                     ? "the replay ran out of a resource"
                     : "the replay was clean: it no longer reproduces");
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
    gs_unload(&l);
    return rc;
}

/* ---- text helpers ------------------------------------------------------- */

/* html writes s to out with &, <, >, " and ' escaped. */
static void html(FILE *out, const char *s)
{
    for (; *s != 0; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

/* md writes s as the text of a Markdown table cell: HTML and Markdown
 * syntax escaped, a newline as a space. */
static void md(FILE *out, const char *s)
{
    for (; *s != 0; s++) {
        if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', out);
        else if (strchr("|\\`*_[]#", *s) != NULL)
            fprintf(out, "\\%c", *s);
        else
            fputc(*s, out);
    }
}

/* fence returns the code fence for text: three backticks, or more than
 * its longest run of them, so that the text cannot close the block. */
static void fence(FILE *out, const char *text)
{
    size_t run = 0, most = 0, i;

    for (; *text != 0; text++) {
        run = *text == '`' ? run + 1 : 0;
        if (run > most)
            most = run;
    }
    for (i = 0; i < (most < 3 ? 3 : most + 1); i++)
        fputc('`', out);
}

/* shortstatus abbreviates a status name as the timeline does
 * ("Gscanrunning" -> "S+run"), into buf. */
static const char *shortstatus(const char *s, char *buf, size_t cap)
{
    static const char *const names[][2] = {
        {"runnable", "rnbl"}, {"running", "run"}, {"syscall", "sys"},
        {"waiting", "wait"},  {"enqueue", "enq"}, {"copystack", "copy"},
    };
    bool scan = isscan(s);
    const char *b = s + (scan ? 5 : (*s == 'G' ? 1 : 0));
    size_t i;

    for (i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(b, names[i][0]) == 0)
            b = names[i][1];
    snprintf(buf, cap, "%s%s", scan ? "S+" : "", b);
    return buf;
}

/* basestatus returns the CSS class of a status's colour: its base name
 * without "G" or "Gscan" ("running"). */
static const char *basestatus(const char *s)
{
    return s + (isscan(s) ? 5 : (*s == 'G' ? 1 : 0));
}

/* reprotext says in words what a replay showed. */
static const char *reprotext(const finding *f)
{
    static const char *const t[] = {"yes", "other finding", "NO (clean)",
                                    "NO (error)"};
    return t[f->state];
}

/* ---- plots -------------------------------------------------------------- */

/* A series of progress samples: one target and engine. */
typedef struct series {
    const char *target, *engine;
    size_t last; /* the row of its latest sample */
} series;

static const char *const colours[] = {"#2563eb", "#dc2626", "#16a34a",
                                      "#9333ea", "#ea580c", "#0891b2",
                                      "#ca8a04", "#db2777"};

/* nice rounds v up to a round number (an axis end: its fifths are
 * round too): 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten. */
static double nice(double v)
{
    static const double steps[] = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    double p;
    size_t i;

    if (v <= 0)
        return 1;
    p = pow(10, floor(log10(v)));
    for (i = 0; steps[i] * p < v * (1 - 1e-9); i++)
        ;
    return steps[i] * p;
}

/* number writes v compactly: 1234567 as "1.23M". */
static void number(FILE *out, double v)
{
    if (v >= 1e9)
        fprintf(out, "%.3gG", v / 1e9);
    else if (v >= 1e6)
        fprintf(out, "%.3gM", v / 1e6);
    else if (v >= 1e4)
        fprintf(out, "%.3gk", v / 1e3);
    else
        fprintf(out, "%.4g", v);
}

/*
 * plot draws one metric (column col of progress) over elapsed time as an
 * inline SVG line chart, one line per series, with labelled axes.
 */
static void plot(FILE *out, const table *p, const series *s, size_t ns,
                 size_t col, const char *title)
{
    const double w = PLOT_W - PLOT_L - PLOT_R, h = PLOT_H - PLOT_T - PLOT_B;
    double xmax = 0, ymax = 0, xs, unit = 1;
    const char *xunit = "s";
    size_t r, i, k;

    for (r = 0; r < p->nrows; r++) {
        double x = strtod(cell(p, r, 0), NULL), y = strtod(cell(p, r, col), 0);
        xmax = x > xmax ? x : xmax;
        ymax = y > ymax ? y : ymax;
    }
    if (xmax > 2 * 3600) {
        unit = 3600;
        xunit = "h";
    } else if (xmax > 2 * 60) {
        unit = 60;
        xunit = "min";
    }
    xmax = nice(xmax / unit);
    ymax = nice(ymax);
    xs = unit * xmax;
    fprintf(out,
            "<svg class=plot viewBox='0 0 %d %d' role=img>"
            "<text x=%d y=16 class=pt>",
            PLOT_W, PLOT_H, PLOT_L);
    html(out, title);
    fprintf(out, "</text>");
    for (k = 0; k <= TICKS; k++) {
        double fy = PLOT_T + h - h * (double)k / TICKS;
        double fx = PLOT_L + w * (double)k / TICKS;
        fprintf(out,
                "<line x1=%d x2=%.1f y1=%.1f y2=%.1f class=grid />"
                "<text x=%d y=%.1f class=yl>",
                PLOT_L, PLOT_L + w, fy, fy, PLOT_L - 6, fy + 4);
        number(out, ymax * (double)k / TICKS);
        fprintf(out, "</text><text x=%.1f y=%.1f class=xl>", fx,
                PLOT_T + h + 16);
        number(out, xmax * (double)k / TICKS);
        fprintf(out, "</text>");
    }
    fprintf(out,
            "<line x1=%d x2=%d y1=%d y2=%.1f class=axis />"
            "<line x1=%d x2=%.1f y1=%.1f y2=%.1f class=axis />"
            "<text x=%.1f y=%d class=at>elapsed (%s)</text>"
            "<text transform='translate(14 %.1f) rotate(-90)' class=at>",
            PLOT_L, PLOT_L, PLOT_T, PLOT_T + h, PLOT_L, PLOT_L + w, PLOT_T + h,
            PLOT_T + h, PLOT_L + w / 2, PLOT_H - 4, xunit, PLOT_T + h / 2);
    html(out, title);
    fprintf(out, "</text>");
    for (i = 0; i < ns; i++) {
        fprintf(out, "<polyline fill=none stroke='%s' stroke-width=2 points='",
                colours[i % (sizeof colours / sizeof *colours)]);
        for (r = 0; r < p->nrows; r++) {
            if (strcmp(cell(p, r, 1), s[i].engine) != 0 ||
                strcmp(cell(p, r, 2), s[i].target) != 0)
                continue;
            fprintf(out, "%.1f,%.1f ",
                    PLOT_L + w * strtod(cell(p, r, 0), NULL) / xs,
                    PLOT_T + h - h * strtod(cell(p, r, col), NULL) / ymax);
        }
        fprintf(out, "'><title>");
        html(out, s[i].target);
        fprintf(out, " / ");
        html(out, s[i].engine);
        fprintf(out, "</title></polyline>");
    }
    fprintf(out, "</svg>\n");
}

/* findseries collects the series of progress table p (in order of first
 * appearance) into s (at most cap); returns how many. */
static size_t findseries(const table *p, series *s, size_t cap)
{
    size_t r, i, n = 0;

    for (r = 0; r < p->nrows; r++) {
        for (i = 0; i < n; i++)
            if (strcmp(s[i].engine, cell(p, r, 1)) == 0 &&
                strcmp(s[i].target, cell(p, r, 2)) == 0)
                break;
        if (i == n && n < cap) {
            s[n].engine = cell(p, r, 1);
            s[n].target = cell(p, r, 2);
            n++;
        }
        if (i < n)
            s[i].last = r;
    }
    return n;
}

/* ---- the HTML page ------------------------------------------------------ */

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "margin:0;color:#1f2937;background:#f8fafc}"
    "header{background:#0f172a;color:#f8fafc;padding:18px 28px}"
    "header h1{margin:0;font-size:22px}header p{margin:4px 0 0;"
    "color:#cbd5e1}main{padding:8px 28px 40px;max-width:1400px}"
    "h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #e2e8f0;"
    "padding-bottom:4px}h3{font-size:16px;margin:0 0 8px}"
    ".cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;"
    "border:1px solid #e2e8f0;border-radius:8px;padding:10px 16px;"
    "min-width:110px}.card b{display:block;font-size:22px}.card span{"
    "color:#64748b;font-size:12px}.card.bad b{color:#dc2626}"
    "table.t{border-collapse:collapse;background:#fff;margin:6px 0}"
    ".t td,.t th{border:1px solid #e2e8f0;padding:4px 8px;text-align:left;"
    "vertical-align:top}.t th{background:#f1f5f9}.num{text-align:right}"
    "code,pre{font:12px/1.4 ui-monospace,'DejaVu Sans Mono',monospace}"
    "pre{background:#0f172a;color:#e2e8f0;padding:10px 12px;"
    "border-radius:6px;overflow:auto;max-height:360px}"
    ".plots{display:flex;flex-wrap:wrap;gap:12px}svg.plot{width:350px;"
    "background:#fff;border:1px solid #e2e8f0;border-radius:8px}"
    ".pt{font-weight:600;font-size:13px}.yl{font-size:10px;"
    "text-anchor:end;fill:#475569}.xl{font-size:10px;text-anchor:middle;"
    "fill:#475569}.at{font-size:11px;text-anchor:middle;fill:#334155}"
    ".grid{stroke:#e2e8f0}.axis{stroke:#64748b}"
    ".legend span{display:inline-block;margin-right:14px}.legend i{"
    "display:inline-block;width:12px;height:12px;border-radius:2px;"
    "margin-right:4px;vertical-align:-1px}"
    ".finding{background:#fff;border:1px solid #e2e8f0;border-radius:8px;"
    "padding:14px 16px;margin:16px 0}.finding.nr{border-left:6px solid "
    "#dc2626}.ok{color:#16a34a;font-weight:600}.no{color:#dc2626;"
    "font-weight:700}.cols{display:flex;gap:16px;align-items:flex-start;"
    "flex-wrap:wrap}.cols>div{min-width:280px}.scen{flex:0 0 340px}"
    ".lanewrap{flex:1;overflow:auto;max-height:720px}"
    "table.lanes{border-collapse:collapse;font:11px/1.3 ui-monospace,"
    "'DejaVu Sans Mono',monospace}.lanes th{position:sticky;top:0;"
    "background:#1e293b;color:#fff;padding:3px 6px;z-index:1}"
    ".lanes td{border-left:1px solid #e2e8f0;padding:1px 6px;"
    "white-space:nowrap;min-width:120px}.lanes td.seq{color:#94a3b8;"
    "min-width:0;text-align:right}.lanes td.held{color:#b45309;"
    "min-width:90px}.lanes tr.sw td{color:#cbd5e1}"
    ".lanes tr:nth-child(even){background:#f8fafc}"
    ".lanes tr.hold td.held{background:#fef3c7}"
    ".ev-claim{background:#fde68a;border-radius:3px;padding:0 3px}"
    ".ev-release{background:#bbf7d0;border-radius:3px;padding:0 3px}"
    ".ev-status{background:#dbeafe;border-radius:3px;padding:0 3px}"
    ".ev-scan{background:#fecaca;border-radius:3px;padding:0 3px}"
    ".s-running{color:#15803d}.s-runnable{color:#0369a1}"
    ".s-waiting{color:#c2410c}.s-syscall{color:#7e22ce}.s-dead{color:#6b7280}"
    ".lanes tr.viol td{background:#dc2626;color:#fff;font-weight:700;"
    "padding:4px 8px;white-space:normal}.lanes tr.clean td{"
    "background:#fef3c7;color:#92400e;font-weight:700;padding:4px 8px}"
    "body.hidesw tr.sw{display:none}.small{color:#64748b;font-size:12px}";

/* The page's script: the switch-row toggle, the swimlanes scrolled to
 * their end (the violation), and the count of swimlanes
 * actually drawn (a rendered height and event rows), which the
 * Chromium test reads from <body data-lanes-drawn>. */
static const char js[] =
    "function countLanes(){var n=0,L=document.querySelectorAll("
    "'table.lanes');for(var i=0;i<L.length;i++){var t=L[i];"
    "if(t.getBoundingClientRect().height>0&&t.querySelectorAll('tr.ev')"
    ".length>0)n++;}document.body.setAttribute('data-lanes-drawn',n);"
    "document.body.setAttribute('data-lanes-total',L.length);}"
    "window.addEventListener('load',countLanes);"
    "document.addEventListener('DOMContentLoaded',function(){var W="
    "document.querySelectorAll('.lanewrap');for(var i=0;i<W.length;i++)"
    "W[i].scrollTop=W[i].scrollHeight;});"
    "document.addEventListener('DOMContentLoaded',function(){var c="
    "document.getElementById('hidesw');if(c)c.onchange=function(){"
    "document.body.classList.toggle('hidesw',c.checked);};countLanes();});";

/* lanecell writes event e into its lane's cell (HTML). */
static void lanecell(FILE *out, const event *e)
{
    if (strcmp(e->ev, "switch") == 0) {
        fprintf(out, "&rarr; M");
        html(out, e->to);
        return;
    }
    if (istransition(e->ev)) {
        fprintf(out, "<span class=ev-%s>g%u <span class=s-%s>", e->ev, e->g,
                basestatus(e->from));
        html(out, e->from);
        fprintf(out, "</span>&rarr;<span class=s-%s>", basestatus(e->to));
        html(out, e->to);
        fprintf(out, "</span></span> <span class=small>");
        html(out, e->by);
        fprintf(out, "</span>");
        return;
    }
    fprintf(out, "<span class=%s>g%u ",
            strncmp(e->ev, "scan", 4) == 0 ? "ev-scan" : "x", e->g);
    html(out, e->ev);
    fprintf(out, " ");
    html(out, e->from);
    fprintf(out, "</span> <span class=small>");
    html(out, e->by);
    fprintf(out, "</span>");
}

/* lanes writes finding f's swimlanes: one column per M, one row per
 * event, the scan-bit holders at the right, the outcome at the bottom. */
static void lanes(FILE *out, const finding *f, const char *id)
{
    const rt_rule_info *ri;
    unsigned m;
    size_t i;

    fprintf(out, "<table class=lanes data-finding='");
    html(out, id);
    fprintf(out, "'><tr><th>seq</th>");
    for (m = 0; m < f->nm; m++)
        fprintf(out, "<th>M%u%s</th>", m, m + 1 == MAX_COLS ? "+" : "");
    fprintf(out, "<th>scan bits held</th></tr>\n");
    for (i = 0; i < f->nev; i++) {
        const event *e = &f->ev[i];
        unsigned col = e->m < f->nm ? e->m : f->nm - 1;
        fprintf(out, "<tr class='ev%s%s'><td class=seq>%" PRIu64 "</td>",
                strcmp(e->ev, "switch") == 0 ? " sw" : "",
                e->held[0] ? " hold" : "", e->seq);
        for (m = 0; m < f->nm; m++) {
            fprintf(out, "<td>");
            if (m == col)
                lanecell(out, e);
            fprintf(out, "</td>");
        }
        fprintf(out, "<td class=held>");
        html(out, e->held);
        fprintf(out, "</td></tr>\n");
    }
    if (f->state == REPRO_SAME || f->state == REPRO_OTHER) {
        fprintf(out, "<tr class=viol><td colspan=%u>&#x2716; violated ",
                f->nm + 2);
        html(out, f->got);
        if ((ri = rt_rule_find(f->got)) != NULL) {
            fprintf(out, " &mdash; ");
            html(out, ri->meaning);
        }
        fprintf(out, "</td></tr>\n");
    } else {
        fprintf(out, "<tr class=clean><td colspan=%u>", f->nm + 2);
        html(out, f->note);
        fprintf(out, "</td></tr>\n");
    }
    fprintf(out, "</table>\n");
}

/* The whole campaign, for the writers. */
typedef struct campaign {
    const char *dir;
    table camp, prog, find;
    finding *f;
    series s[64];
    size_t ns;
    size_t nrepro; /* findings whose replay gave their key */
    unsigned events;
} campaign;

/* replaycmd writes the command that replays finding row r. */
static void replaycmd(const campaign *c, size_t r, char *buf, size_t cap)
{
    snprintf(buf, cap, "gstorm replay %s/%s", c->dir, cell(&c->find, r, 6));
}

/* writehtml writes the HTML page of c to out. */
static void writehtml(FILE *out, const campaign *c)
{
    static const char *const metric[][2] = {
        {"5", "coverage"}, {"4", "exec/s"}, {"7", "findings"}};
    const table *ft = &c->find, *ct = &c->camp, *pt = &c->prog;
    char cmd[GS_ERRLEN];
    size_t i, r;

    fprintf(out, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
                 "<meta name=viewport content='width=device-width'>"
                 "<title>gstorm report: ");
    html(out, c->dir);
    fprintf(out, "</title><style>%s</style><script>%s</script></head>\n", css,
            js);
    fprintf(out,
            "<body data-findings=%zu><header><h1>gstorm campaign "
            "report</h1><p>",
            ft->nrows);
    html(out, c->dir);
    if (*kv(ct, "status")) {
        fprintf(out, " &middot; status ");
        html(out, kv(ct, "status"));
    }
    if (*kv(ct, "commit")) {
        fprintf(out, " &middot; commit ");
        html(out, kv(ct, "commit"));
    }
    fprintf(out,
            "</p></header><main>\n<h2>Summary</h2><div class=cards>"
            "<div class=card><b>%zu</b><span>distinct findings</span>"
            "</div><div class='card%s'><b>%zu</b><span>do not "
            "reproduce</span></div><div class=card><b>%zu</b><span>"
            "targets &times; engines</span></div><div class=card><b>",
            ft->nrows, ft->nrows > c->nrepro ? " bad" : "",
            ft->nrows - c->nrepro, c->ns);
    number(out, pt->nrows ? strtod(cell(pt, pt->nrows - 1, 0), NULL) : 0);
    fprintf(out, " s</b><span>elapsed (last sample)</span></div></div>\n");
    if (ct->nrows > 0) {
        fprintf(out, "<table class=t><tr><th>campaign</th><th>value</th>"
                     "</tr>\n");
        for (r = 0; r < ct->nrows; r++) {
            fprintf(out, "<tr><td>");
            html(out, cell(ct, r, 0));
            fprintf(out, "</td><td>");
            html(out, cell(ct, r, 1));
            fprintf(out, "</td></tr>\n");
        }
        fprintf(out, "</table>\n");
    } else {
        fprintf(out, "<p class=small>no campaign.tsv</p>\n");
    }

    fprintf(out, "<h2>Progress</h2>\n");
    if (c->ns == 0) {
        fprintf(out, "<p class=small>no progress samples yet</p>\n");
    } else {
        fprintf(out, "<div class=legend>");
        for (i = 0; i < c->ns; i++) {
            fprintf(out, "<span><i style='background:%s'></i>",
                    colours[i % (sizeof colours / sizeof *colours)]);
            html(out, c->s[i].target);
            fprintf(out, " / ");
            html(out, c->s[i].engine);
            fprintf(out, "</span>");
        }
        fprintf(out, "</div><div class=plots>\n");
        for (i = 0; i < sizeof metric / sizeof *metric; i++)
            plot(out, pt, c->s, c->ns, (size_t)atoi(metric[i][0]),
                 metric[i][1]);
        fprintf(out, "</div>\n<table class=t><tr><th>target</th><th>engine"
                     "</th><th>elapsed s</th><th>execs</th><th>exec/s</th>"
                     "<th>coverage</th><th>corpus</th><th>findings</th>"
                     "</tr>\n");
        for (i = 0; i < c->ns; i++) {
            fprintf(out, "<tr><td>");
            html(out, c->s[i].target);
            fprintf(out, "</td><td>");
            html(out, c->s[i].engine);
            fprintf(out, "</td>");
            for (r = 0; r < 8; r++) {
                if (r == 1 || r == 2)
                    continue;
                fprintf(out, "<td class=num>");
                html(out, cell(pt, c->s[i].last, r));
                fprintf(out, "</td>");
            }
            fprintf(out, "</tr>\n");
        }
        fprintf(out, "</table>\n");
    }

    fprintf(out, "<h2>Findings</h2>\n");
    if (ft->nrows == 0)
        fprintf(out, "<p>No findings.</p>\n");
    else
        fprintf(out, "<table class=t><tr><th>id</th><th>key</th><th>target"
                     "</th><th>engine</th><th>first seen (s)</th><th>hits"
                     "</th><th>reproduces?</th><th>replay</th></tr>\n");
    for (r = 0; r < ft->nrows; r++) {
        fprintf(out, "<tr><td><a href='#f-");
        html(out, cell(ft, r, 0));
        fprintf(out, "'>");
        html(out, cell(ft, r, 0));
        fprintf(out, "</a></td><td><code>");
        html(out, cell(ft, r, 1));
        fprintf(out, "</code></td>");
        for (i = 2; i < 6; i++) {
            fprintf(out, "<td%s>", i >= 4 ? " class=num" : "");
            html(out, cell(ft, r, i));
            fprintf(out, "</td>");
        }
        fprintf(out, "<td class=%s>%s</td><td><code>",
                c->f[r].state == REPRO_SAME ? "ok" : "no", reprotext(&c->f[r]));
        replaycmd(c, r, cmd, sizeof cmd);
        html(out, cmd);
        fprintf(out, "</code></td></tr>\n");
    }
    if (ft->nrows > 0)
        fprintf(out, "</table>\n<p><label><input type=checkbox id=hidesw> "
                     "hide the sim's M switches in the swimlanes</label></p>"
                     "\n");

    for (r = 0; r < ft->nrows; r++) {
        const finding *f = &c->f[r];
        fprintf(out, "<section class='finding%s' id='f-",
                f->state == REPRO_SAME ? "" : " nr");
        html(out, cell(ft, r, 0));
        fprintf(out, "'><h3>");
        html(out, cell(ft, r, 0));
        fprintf(out, ": <code>");
        html(out, cell(ft, r, 1));
        fprintf(out, "</code></h3><p>");
        html(out, cell(ft, r, 2));
        fprintf(out, " / ");
        html(out, cell(ft, r, 3));
        fprintf(out,
                " &middot; first seen at %s s &middot; %s hits &middot; "
                "reproduces: <span class=%s>%s</span>",
                cell(ft, r, 4), cell(ft, r, 5),
                f->state == REPRO_SAME ? "ok" : "no", reprotext(f));
        if (f->note[0]) {
            fprintf(out, " (");
            html(out, f->note);
            fprintf(out, ")");
        }
        replaycmd(c, r, cmd, sizeof cmd);
        fprintf(out, "<br><code>");
        html(out, cmd);
        fprintf(out, " --timeline</code></p><div class=cols><div "
                     "class=scen><b>minimized scenario</b><pre>");
        html(out, f->scen ? f->scen : "(not available)");
        fprintf(out,
                "</pre></div><div class=lanewrap><b>interleaving</b> "
                "<span class=small>(last %zu of %" PRIu64
                " events, one lane per M)</span>",
                f->nev, f->total);
        lanes(out, f, cell(ft, r, 0));
        fprintf(out, "</div></div></section>\n");
    }
    fprintf(out,
            "<p class=small>written by <code>gstorm report</code>; "
            "swimlanes show the last %u events of each replay.</p>"
            "</main></body></html>\n",
            c->events);
}

/* ---- Markdown ----------------------------------------------------------- */

/* spark writes a sparkline of column col of series s's samples. */
static void spark(FILE *out, const table *p, const series *s, size_t col)
{
    static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    double max = 0;
    size_t r, n = 0, step, k = 0;

    for (r = 0; r < p->nrows; r++) {
        if (strcmp(cell(p, r, 1), s->engine) != 0 ||
            strcmp(cell(p, r, 2), s->target) != 0)
            continue;
        n++;
        if (strtod(cell(p, r, col), NULL) > max)
            max = strtod(cell(p, r, col), NULL);
    }
    step = n > 24 ? (n + 23) / 24 : 1; /* at most about 24 bars */
    for (r = 0; r < p->nrows; r++) {
        double v;
        if (strcmp(cell(p, r, 1), s->engine) != 0 ||
            strcmp(cell(p, r, 2), s->target) != 0 || k++ % step != 0)
            continue;
        v = strtod(cell(p, r, col), NULL);
        fputs(bars[max > 0 ? (int)(v / max * 7 + 0.5) : 0], out);
    }
}

/* mdlanes writes finding f's swimlanes as text, like replay --timeline,
 * with the scan-bit holders at the right. */
static void mdlanes(FILE *out, const finding *f)
{
    enum { W = 22 }; /* characters per lane */
    char c[64], a[16], b[16];
    unsigned m;
    size_t i;

    fprintf(out, "%8s", "seq");
    for (m = 0; m < f->nm; m++) {
        snprintf(c, sizeof c, "M%u", m);
        fprintf(out, " | %-*s", W, c);
    }
    fprintf(out, " | scan bits held\n");
    for (i = 0; i < f->nev; i++) {
        const event *e = &f->ev[i];
        unsigned col = e->m < f->nm ? e->m : f->nm - 1;
        if (strcmp(e->ev, "switch") == 0)
            snprintf(c, sizeof c, "-> M%s", e->to);
        else if (istransition(e->ev))
            snprintf(c, sizeof c, "g%u %s>%s", e->g,
                     shortstatus(e->from, a, sizeof a),
                     shortstatus(e->to, b, sizeof b));
        else
            snprintf(c, sizeof c, "g%u %s %s", e->g, e->ev, e->from);
        fprintf(out, "%8" PRIu64, e->seq);
        for (m = 0; m < f->nm; m++)
            fprintf(out, " | %-*.*s", W, W, m == col ? c : "");
        fprintf(out, " | %s\n", e->held);
    }
    if (f->state == REPRO_SAME || f->state == REPRO_OTHER)
        fprintf(out, "violated: %s\n", f->got);
    else
        fprintf(out, "%s\n", f->note);
}

/* writemd writes the Markdown report of c to out. */
static void writemd(FILE *out, const campaign *c)
{
    const table *ft = &c->find, *ct = &c->camp, *pt = &c->prog;
    char cmd[GS_ERRLEN];
    size_t i, r;

    fprintf(out, "# gstorm campaign report: ");
    md(out, c->dir);
    fprintf(out,
            "\n\n**%zu** distinct findings, **%zu** do not reproduce; "
            "%zu targets × engines sampled.\n\n",
            ft->nrows, ft->nrows - c->nrepro, c->ns);
    if (ct->nrows > 0) {
        fprintf(out, "| campaign | value |\n|---|---|\n");
        for (r = 0; r < ct->nrows; r++) {
            fprintf(out, "| ");
            md(out, cell(ct, r, 0));
            fprintf(out, " | ");
            md(out, cell(ct, r, 1));
            fprintf(out, " |\n");
        }
        fprintf(out, "\n");
    }
    fprintf(out, "## Progress\n\n");
    if (c->ns == 0)
        fprintf(out, "No progress samples yet.\n\n");
    else
        fprintf(out, "| target | engine | elapsed s | execs | exec/s | "
                     "coverage | corpus | findings | coverage over time |\n"
                     "|---|---|--:|--:|--:|--:|--:|--:|---|\n");
    for (i = 0; i < c->ns; i++) {
        fprintf(out, "| ");
        md(out, c->s[i].target);
        fprintf(out, " | ");
        md(out, c->s[i].engine);
        for (r = 0; r < 8; r++) {
            if (r == 1 || r == 2)
                continue;
            fprintf(out, " | ");
            md(out, cell(pt, c->s[i].last, r));
        }
        fprintf(out, " | ");
        spark(out, pt, &c->s[i], 5);
        fprintf(out, " |\n");
    }
    fprintf(out, "\n## Findings\n\n");
    if (ft->nrows == 0)
        fprintf(out, "No findings.\n");
    else
        fprintf(out, "| id | key | target | engine | first seen (s) | hits | "
                     "reproduces? | replay |\n"
                     "|---|---|---|---|--:|--:|---|---|\n");
    for (r = 0; r < ft->nrows; r++) {
        for (i = 0; i < 6; i++) {
            fprintf(out, "| ");
            md(out, cell(ft, r, i));
            fprintf(out, " ");
        }
        replaycmd(c, r, cmd, sizeof cmd);
        fprintf(out, "| %s | ", reprotext(&c->f[r]));
        md(out, cmd);
        fprintf(out, " |\n");
    }
    for (r = 0; r < ft->nrows; r++) {
        const finding *f = &c->f[r];
        const char *scen = f->scen ? f->scen : "(not available)\n";
        fprintf(out, "\n### ");
        md(out, cell(ft, r, 0));
        fprintf(out, ": ");
        md(out, cell(ft, r, 1));
        fprintf(out, "\n\n");
        md(out, cell(ft, r, 2));
        fprintf(out, " / ");
        md(out, cell(ft, r, 3));
        fprintf(out, ", reproduces: **%s**", reprotext(f));
        if (f->note[0]) {
            fprintf(out, " (");
            md(out, f->note);
            fprintf(out, ")");
        }
        fprintf(out, "\n\nMinimized scenario:\n\n");
        fence(out, scen);
        fprintf(out, "\n%s%s", scen,
                scen[0] && scen[strlen(scen) - 1] == '\n' ? "" : "\n");
        fence(out, scen);
        fprintf(out,
                "\n\nInterleaving (last %zu of %" PRIu64
                " events, one lane per M):\n\n```\n",
                f->nev, f->total);
        mdlanes(out, f);
        fprintf(out, "```\n");
    }
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
        if (strcmp(cell(&c.camp, r, 0), "faults") == 0 &&
            gs_faults_parse(cell(&c.camp, r, 1), &campfaults, bad,
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
        const char *rel = cell(&c.find, r, 6);
        snprintf(rp, sizeof rp, "%s%s%s", rel[0] == '/' ? "" : dir,
                 rel[0] == '/' ? "" : "/", rel);
        c.f[r].row = r;
        c.f[r].cap = (size_t)events;
        if ((rc = replay(rp, cell(&c.find, r, 1), campfaults, &c.f[r])) != 0)
            goto out;
        c.nrepro += c.f[r].state == REPRO_SAME;
        gs_escape(cell(&c.find, r, 1), strlen(cell(&c.find, r, 1)), bad,
                  sizeof bad);
        fprintf(stderr, "report: %s %s: %s\n", cell(&c.find, r, 0), bad,
                reprotext(&c.f[r]));
    }
    if ((rc = render(htmlp, &c, writehtml)) != 0 ||
        (rc = render(mdp, &c, writemd)) != 0)
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
