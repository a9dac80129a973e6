/*
 * report_html.c - the HTML page of `gstorm report`: one self-contained
 * file (inline CSS, SVG plots and a few lines of script; nothing is
 * fetched), so that it reads offline and as a CI artifact. Every text
 * that came from a file (keys, targets, scenarios, notes) goes through
 * html(), which escapes it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

enum {
    PLOT_W = 560, /* plot size in SVG units */
    PLOT_H = 230,
    PLOT_L = 72, /* margins: room for tick labels and axis titles */
    PLOT_R = 12,
    PLOT_T = 30,
    PLOT_B = 46,
    TICKS = 5, /* tick marks per axis */
};

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

/* basestatus returns the CSS class of a status's colour: its base name
 * without "G" or "Gscan" ("running"). */
static const char *basestatus(const char *s)
{
    return s + (report_isscan(s) ? 5 : (*s == 'G' ? 1 : 0));
}

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
        double x = strtod(report_cell(p, r, 0), NULL),
               y = strtod(report_cell(p, r, col), 0);
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
    if (col == 7 && ymax < 10) /* findings, a count: whole ticks */
        ymax = ymax <= 5 ? 5 : 10;
    xs = unit * xmax;
    fprintf(out,
            "<svg class=plot viewBox='0 0 %d %d' role=img>"
            "<text x=%d y=20 class=pt>",
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
                PLOT_T + h + 20);
        number(out, xmax * (double)k / TICKS);
        fprintf(out, "</text>");
    }
    fprintf(out,
            "<line x1=%d x2=%d y1=%d y2=%.1f class=axis />"
            "<line x1=%d x2=%.1f y1=%.1f y2=%.1f class=axis />"
            "<text x=%.1f y=%d class=at>elapsed (%s)</text>"
            "<text transform='translate(16 %.1f) rotate(-90)' class=at>",
            PLOT_L, PLOT_L, PLOT_T, PLOT_T + h, PLOT_L, PLOT_L + w, PLOT_T + h,
            PLOT_T + h, PLOT_L + w / 2, PLOT_H - 4, xunit, PLOT_T + h / 2);
    html(out, title);
    fprintf(out, "</text>");
    for (i = 0; i < ns; i++) {
        fprintf(out, "<polyline fill=none stroke='%s' stroke-width=2 points='",
                colours[i % (sizeof colours / sizeof *colours)]);
        for (r = 0; r < p->nrows; r++) {
            if (strcmp(report_cell(p, r, 1), s[i].engine) != 0 ||
                strcmp(report_cell(p, r, 2), s[i].target) != 0)
                continue;
            fprintf(out, "%.1f,%.1f ",
                    PLOT_L + w * strtod(report_cell(p, r, 0), NULL) / xs,
                    PLOT_T + h -
                        h * strtod(report_cell(p, r, col), NULL) / ymax);
        }
        fprintf(out, "'><title>");
        html(out, s[i].target);
        fprintf(out, " / ");
        html(out, s[i].engine);
        fprintf(out, "</title></polyline>");
    }
    fprintf(out, "</svg>\n");
}

/* ---- the HTML page ------------------------------------------------------ */

/* utc writes "N (2026-12-02 01:00 UTC)" for unix seconds s into buf
 * (campaign.tsv's started); returns false if s is not a number. */
static bool utc(const char *s, char *buf, size_t cap)
{
    char *end, date[64];
    time_t t = (time_t)strtoll(s, &end, 10);
    struct tm tm;

    if (*s == 0 || *end != 0 || gmtime_r(&t, &tm) == NULL ||
        strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        return false;
    snprintf(buf, cap, "%s (%s)", s, date);
    return true;
}

/* kv returns the value of key in campaign table t, or "". */
static const char *kv(const table *t, const char *key)
{
    const char *v = "";
    size_t r;

    for (r = 0; r < t->nrows; r++)
        if (strcmp(report_cell(t, r, 0), key) == 0)
            v = report_cell(t, r, 1); /* a later row wins */
    return v;
}

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
    ".prog td:nth-child(n+3){text-align:right}"
    "code,pre{font:12px/1.4 ui-monospace,'DejaVu Sans Mono',monospace}"
    "pre{background:#0f172a;color:#e2e8f0;padding:10px 12px;"
    "border-radius:6px;overflow:auto;max-height:360px}"
    ".plots{display:flex;flex-wrap:wrap;gap:12px}svg.plot{width:350px;"
    "background:#fff;border:1px solid #e2e8f0;border-radius:8px}"
    ".pt{font-weight:600;font-size:17px}.yl{font-size:14px;"
    "text-anchor:end;fill:#475569}.xl{font-size:14px;text-anchor:middle;"
    "fill:#475569}.at{font-size:15px;text-anchor:middle;fill:#334155}"
    ".grid{stroke:#e2e8f0}.axis{stroke:#64748b}"
    ".legend span{display:inline-block;margin-right:14px}.legend i{"
    "display:inline-block;width:12px;height:12px;border-radius:2px;"
    "margin-right:4px;vertical-align:-1px}"
    ".finding{background:#fff;border:1px solid #e2e8f0;border-radius:8px;"
    "padding:14px 16px;margin:16px 0}.finding.nr{border-left:6px solid "
    "#dc2626}.ok{color:#16a34a;font-weight:600}.no{color:#dc2626;"
    "font-weight:700}.cols{display:flex;gap:16px;align-items:flex-start;"
    "flex-wrap:wrap}.cols>div{min-width:280px}.scen{flex:0 0 340px}"
    ".lanecol{flex:1}.lanewrap{overflow:auto;max-height:720px}"
    "table.lanes{border-collapse:collapse;font:11px/1.3 ui-monospace,"
    "'DejaVu Sans Mono',monospace}.lanes th{position:sticky;top:0;"
    "background:#1e293b;color:#fff;padding:3px 6px;z-index:1}"
    ".lanes td{border-left:1px solid #e2e8f0;padding:1px 6px;"
    "white-space:nowrap;min-width:120px}.lanes td.seq{color:#94a3b8;"
    "min-width:0;text-align:right}.lanes td.held{color:#b45309;"
    "min-width:90px}.lanes tr.sw td{color:#cbd5e1}"
    ".lanes tr:nth-child(even){background:#f8fafc}"
    ".lanes tr.hold td.held{background:#fef3c7}"
    ".lanes td.hm{border-left:4px solid #f59e0b}.key span{margin-right:12px}"
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
    if (report_istransition(e->ev)) {
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
        fprintf(out, "<th>M%u%s</th>", m, m + 1 == REPORT_MAX_COLS ? "+" : "");
    fprintf(out, "<th>scan bits held</th></tr>\n");
    for (i = 0; i < f->nev; i++) {
        const event *e = &f->ev[i];
        unsigned col = e->m < f->nm ? e->m : f->nm - 1;
        fprintf(out, "<tr class='ev%s%s'><td class=seq>%" PRIu64 "</td>",
                strcmp(e->ev, "switch") == 0 ? " sw" : "",
                e->held[0] ? " hold" : "", e->seq);
        for (m = 0; m < f->nm; m++) {
            fprintf(out,
                    m < 32 && (e->heldby >> m & 1) ? "<td class=hm>" : "<td>");
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
/* report_html is in report.h. */
void report_html(FILE *out, const campaign *c)
{
    const report_fmt fmt = {"<tr><td>", "</td><td>", "</td></tr>\n", html};
    double elapsed = 0;
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
            ft->nrows, ft->nrows > c->nrepro + c->nskip ? " bad" : "",
            ft->nrows - c->nrepro - c->nskip, c->ns);
    for (r = 0; r < pt->nrows; r++)
        if (strtod(report_cell(pt, r, 0), NULL) > elapsed)
            elapsed = strtod(report_cell(pt, r, 0), NULL);
    number(out, elapsed);
    fprintf(out, " s</b><span>elapsed (latest sample)</span></div></div>\n");
    if (ct->nrows > 0) {
        fprintf(out, "<table class=t><tr><th>campaign</th><th>value</th>"
                     "</tr>\n");
        for (r = 0; r < ct->nrows; r++) {
            const char *row[2] = {report_cell(ct, r, 0), report_cell(ct, r, 1)};
            char when[128];
            if (strcmp(row[0], "started") == 0 &&
                utc(row[1], when, sizeof when))
                row[1] = when;
            report_row(out, &fmt, row, 2);
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
        fprintf(out,
                "</div>\n<table class='t prog'><tr><th>target</th><th>engine"
                "</th><th>elapsed s</th><th>execs</th><th>exec/s</th>"
                "<th>coverage</th><th>corpus</th><th>findings</th>"
                "</tr>\n");
        for (i = 0; i < c->ns; i++) {
            const char *row[8];
            report_sample(c, i, row);
            report_row(out, &fmt, row, 8);
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
        html(out, report_cell(ft, r, 0));
        fprintf(out, "'>");
        html(out, report_cell(ft, r, 0));
        fprintf(out, "</a></td><td><code>");
        html(out, report_cell(ft, r, 1));
        fprintf(out, "</code></td>");
        for (i = 2; i < 6; i++) {
            fprintf(out, "<td%s>", i >= 4 ? " class=num" : "");
            html(out, report_cell(ft, r, i));
            fprintf(out, "</td>");
        }
        fprintf(out, "<td class=%s>%s</td><td><code>",
                c->f[r].state == REPRO_SAME ? "ok" : "no",
                report_reprotext(&c->f[r]));
        report_replaycmd(c, r, cmd, sizeof cmd);
        html(out, cmd);
        fprintf(out, "</code></td></tr>\n");
    }
    if (ft->nrows > 0)
        fprintf(out, "</table>\n<p><label><input type=checkbox id=hidesw> "
                     "hide the sim's M switches in the swimlanes</label></p>"
                     "<p class='key small'>swimlanes: <span class=ev-claim>"
                     "scan bit taken</span><span class=ev-release>scan bit "
                     "dropped</span><span class=ev-status>status change"
                     "</span><span class=ev-scan>stack scan</span><span "
                     "style='border-left:4px solid #f59e0b;padding-left:4px'>"
                     "this M holds a scan bit</span></p>"
                     "\n");

    for (r = 0; r < ft->nrows; r++) {
        const finding *f = &c->f[r];
        fprintf(out, "<section class='finding%s' id='f-",
                f->state == REPRO_SAME ? "" : " nr");
        html(out, report_cell(ft, r, 0));
        fprintf(out, "'><h3>");
        html(out, report_cell(ft, r, 0));
        fprintf(out, ": <code>");
        html(out, report_cell(ft, r, 1));
        fprintf(out, "</code></h3><p>");
        html(out, report_cell(ft, r, 2));
        fprintf(out, " / ");
        html(out, report_cell(ft, r, 3));
        fprintf(out,
                " &middot; first seen at %s s &middot; %s hits &middot; "
                "reproduces: <span class=%s>%s</span>",
                report_cell(ft, r, 4), report_cell(ft, r, 5),
                f->state == REPRO_SAME ? "ok" : "no", report_reprotext(f));
        if (f->note[0]) {
            fprintf(out, " (");
            html(out, f->note);
            fprintf(out, ")");
        }
        report_replaycmd(c, r, cmd, sizeof cmd);
        fprintf(out, "<br><code>");
        html(out, cmd);
        fprintf(out, " --timeline</code></p><div class=cols><div "
                     "class=scen><b>minimized scenario</b><pre>");
        html(out, f->scen ? f->scen : "(not available)");
        fprintf(out,
                "</pre></div><div class=lanecol><b>interleaving</b> "
                "<span class=small>(last %zu of %" PRIu64
                " events, one lane per M)</span><div class=lanewrap>",
                f->nev, f->total);
        lanes(out, f, report_cell(ft, r, 0));
        fprintf(out, "</div></div></div></section>\n");
    }
    fprintf(out,
            "<p class=small>written by <code>gstorm report</code>; "
            "swimlanes show the last %u events of each replay.</p>"
            "</main></body></html>\n",
            c->events);
}
