/*
 * report_md.c - the Markdown of `gstorm report`, for a terminal or a CI
 * comment: the summary, the findings table, and per finding its
 * scenario and a text swimlane like `gstorm replay --timeline`. Table
 * cells go through md(), which escapes Markdown and HTML; code blocks
 * get a fence longer than any run of backticks in them.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

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
    bool scan = report_isscan(s);
    const char *b = s + (scan ? 5 : (*s == 'G' ? 1 : 0));
    size_t i;

    for (i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(b, names[i][0]) == 0)
            b = names[i][1];
    snprintf(buf, cap, "%s%s", scan ? "S+" : "", b);
    return buf;
}

/* ---- Markdown ----------------------------------------------------------- */

/* spark writes a sparkline of column col of series s's samples. */
static void spark(FILE *out, const table *p, const series *s, size_t col)
{
    static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    double max = 0;
    size_t r, n = 0, step, k = 0;

    for (r = 0; r < p->nrows; r++) {
        if (strcmp(report_cell(p, r, 1), s->engine) != 0 ||
            strcmp(report_cell(p, r, 2), s->target) != 0)
            continue;
        n++;
        if (strtod(report_cell(p, r, col), NULL) > max)
            max = strtod(report_cell(p, r, col), NULL);
    }
    step = n > 24 ? (n + 23) / 24 : 1; /* at most about 24 bars */
    for (r = 0; r < p->nrows; r++) {
        double v;
        if (strcmp(report_cell(p, r, 1), s->engine) != 0 ||
            strcmp(report_cell(p, r, 2), s->target) != 0 || k++ % step != 0)
            continue;
        v = strtod(report_cell(p, r, col), NULL);
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
        else if (report_istransition(e->ev))
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

/* report_md is in report.h. */
void report_md(FILE *out, const campaign *c)
{
    const report_fmt fmt = {"| ", " | ", " |\n", md};
    const report_fmt open = {"| ", " | ", " | ", md}; /* a cell follows */
    const table *ft = &c->find, *ct = &c->camp, *pt = &c->prog;
    char cmd[GS_ERRLEN];
    size_t i, r;

    fprintf(out, "# gstorm campaign report: ");
    md(out, c->dir);
    fprintf(out,
            "\n\n**%zu** distinct findings, **%zu** do not reproduce; "
            "%zu targets × engines sampled.\n\n",
            ft->nrows, ft->nrows - c->nrepro - c->nskip, c->ns);
    if (ct->nrows > 0) {
        fprintf(out, "| campaign | value |\n|---|---|\n");
        for (r = 0; r < ct->nrows; r++) {
            const char *row[2] = {report_cell(ct, r, 0), report_cell(ct, r, 1)};
            report_row(out, &fmt, row, 2);
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
        const char *row[8];
        report_sample(c, i, row);
        report_row(out, &open, row, 8); /* then the sparkline */
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
            md(out, report_cell(ft, r, i));
            fprintf(out, " ");
        }
        report_replaycmd(c, r, cmd, sizeof cmd);
        fprintf(out, "| %s | ", report_reprotext(&c->f[r]));
        md(out, cmd);
        fprintf(out, " |\n");
    }
    for (r = 0; r < ft->nrows; r++) {
        const finding *f = &c->f[r];
        const char *scen = f->scen ? f->scen : "(not available)\n";
        fprintf(out, "\n### ");
        md(out, report_cell(ft, r, 0));
        fprintf(out, ": ");
        md(out, report_cell(ft, r, 1));
        fprintf(out, "\n\n");
        md(out, report_cell(ft, r, 2));
        fprintf(out, " / ");
        md(out, report_cell(ft, r, 3));
        fprintf(out, ", reproduces: **%s**", report_reprotext(f));
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
