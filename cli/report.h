/*
 * report.h - what the pieces of `gstorm report` share: the campaign's
 * tables as read (report.c), each finding's replay (report.c), and the
 * two writers, the HTML page (report_html.c) and the Markdown
 * (report_md.c).
 */
#ifndef GSTORM_REPORT_H
#define GSTORM_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "harness.h"

enum {
    REPORT_MAX_COLS = 16, /* Ms drawn as lanes; later Ms share the last */
};

/* A tab-separated table: the file's text split in place into cells. */
typedef struct table {
    const char *path;
    char *text;   /* the file (owned) */
    char **cell;  /* nrows * ncols cells (owned array) */
    size_t *line; /* the line number of each row (owned) */
    size_t nrows, ncols;
    bool missing; /* the file does not exist */
} table;

/* report_cell returns row r, column c of t. */
static inline const char *report_cell(const table *t, size_t r, size_t c)
{
    return t->cell[r * t->ncols + c];
}

/* One trace event, in rt_trace_print's columns, and the scan bits held
 * after it. Stored as is in the child's ring file (report.c, tracer):
 * the parent that reads it is the same binary. */
typedef struct event {
    uint64_t seq;
    unsigned m, g;
    char ev[16], from[24], to[24], by[48];
    char held[96];   /* "g3 by M0, g5 by M2" or "" */
    uint32_t heldby; /* bit m: M m holds a scan bit (M < 32) */
} event;

/* What the replay of a finding showed. */
typedef enum repro {
    REPRO_SAME,  /* the key of findings.tsv, again */
    REPRO_OTHER, /* another finding */
    REPRO_CLEAN, /* a clean run: it no longer reproduces */
    REPRO_ERROR, /* it could not be replayed (note says why) */
    REPRO_SKIP,  /* not a scenario (a workbench or decoder target's input):
                    not replayed here; the replay command says how */
} repro;

/* A finding: its row of findings.tsv and its replay. */
typedef struct finding {
    size_t row;
    char *scen; /* the scenario's text form (malloc'd), or NULL */
    event *ev;  /* the last events (at most cap), oldest first */
    size_t nev, cap;
    uint64_t total; /* events the run recorded */
    unsigned nm;    /* lanes: the highest M shown + 1 */
    repro state;
    char got[GS_MAX_KEY]; /* the replay's key ("" clean) */
    char note[GS_ERRLEN + 64];
} finding;

/* A series of progress samples: one target and engine. */
typedef struct series {
    const char *target, *engine;
    size_t last; /* the row of its latest sample */
} series;

/* The whole campaign, for the writers. */
typedef struct campaign {
    const char *dir;
    table camp, prog, find;
    finding *f;
    series s[64];
    size_t ns;
    size_t nrepro; /* findings whose replay gave their key */
    size_t nskip;  /* findings not replayed here (REPRO_SKIP) */
    unsigned events;
} campaign;
/* report_isscan says whether a status name is a Gscan status. */
bool report_isscan(const char *s);
/* report_istransition says whether event kind ev carries statuses. */
bool report_istransition(const char *ev);
/* report_reprotext says in words what a replay showed. */
const char *report_reprotext(const finding *f);
/* report_replaycmd writes the command that replays finding row r. */
void report_replaycmd(const campaign *c, size_t r, char *buf, size_t cap);

/* How a writer's table rows look: what opens a row, separates two
 * cells and closes it, and how a cell's text is escaped. */
typedef struct report_fmt {
    const char *open, *sep, *close;
    void (*esc)(FILE *out, const char *s);
} report_fmt;

/* report_row writes one table row of n cells through f. */
void report_row(FILE *out, const report_fmt *f, const char *const *cell,
                size_t n);
/* report_sample fills row[8] with the cells of series i's latest
 * sample: target, engine, elapsed_s, execs, exec_per_s, coverage,
 * corpus, findings. */
void report_sample(const campaign *c, size_t i, const char *row[8]);

/* report_html writes the HTML page of c to out (report_html.c). */
void report_html(FILE *out, const campaign *c);
/* report_md writes the Markdown report of c to out (report_md.c). */
void report_md(FILE *out, const campaign *c);

#endif /* GSTORM_REPORT_H */
