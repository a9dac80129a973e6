/*
 * triage.c - `gstorm triage`: replay every finding in a directory several
 * times, group the findings by key, and flag any that does not repeat.
 *
 * As honggfuzz's verifier does, a finding counts only if every replay
 * gives the same key, and the key its metadata records (rule=) when it
 * records one: anything else is a determinism bug in gstorm (the sim
 * promises the same run for the same input) or a mislabelled file, and
 * is printed loudly. The key of a group is the finding key, plus a short
 * hash of the top three stack frames when the child's stderr had a
 * stack (a sanitizer report), as ClusterFuzz groups crashes.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "harness.h"

enum {
    DEFAULT_REPEAT = 5, /* replays of each finding */
    MAX_FILES = 4096,   /* files of one directory looked at */
    TIMEOUT_S = 60,     /* one replay's wall-time bound */
};

/* triageusage prints `gstorm triage --help` to f. */
static void triageusage(FILE *f)
{
    fprintf(f, "%s",
            "usage: gstorm triage DIR [--repeat K] [--fault ID[,ID...]]\n\n"
            "Replays each finding file in DIR (gstorm files and raw fuzzer\n"
            "inputs) K times (default 5) on the sim in a bounded child, "
            "groups\n"
            "them by key (rule or sanitizer kind, plus a hash of the top "
            "three\n"
            "stack frames when there is a stack), and prints one line per\n"
            "distinct finding: key, count, the smallest reproducer (fewest "
            "ops,\n"
            "then fewest bytes) and its replay command. A file that does not\n"
            "give the same key on every replay, or not the rule its metadata\n"
            "records, is flagged NOT REPRODUCIBLE.\n"
            "  --fault  faults to switch on (also GSTORM_FAULT=ID,...); they\n"
            "           replace each file's faults= metadata\n"
            "Exit: 0 every finding reproduced, 1 some did not, 2 bad usage.\n");
}

/* One file of the directory and what its replays gave. */
typedef struct entry {
    char *path;
    char key[GS_MAX_KEY]; /* the group key ("" if no finding) */
    uint64_t ops;         /* its size, to pick the smallest */
    size_t bytes;
    bool ok; /* reproduced every time */
} entry;

/* cmpname orders directory entries by name, so output is stable. */
static int cmpname(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * replayfile replays e->path `repeat` times and fills e: key, size, and
 * whether every replay agreed (with each other and with the metadata's
 * rule). Prints a loud line for a file that did not. Returns false only
 * if a child could not be started.
 */
static bool replayfile(entry *e, uint64_t repeat, uint64_t faults, bool fgiven)
{
    gs_childcfg cfg = {.quiet = true, .timeout_s = TIMEOUT_S};
    char err[GS_ERRLEN], key[GS_MAX_KEY], first[GS_MAX_RULE] = "";
    rt_sim_source src;
    rt_options opt;
    gs_outcome o;
    gs_loaded l;
    gs_spec s;
    gs_size z;
    uint64_t i, agree = 0;

    e->ok = false;
    if (gs_load(e->path, &l, err, sizeof err) != GS_EXIT_OK) {
        printf("triage: %s: NOT REPRODUCIBLE: cannot load: %s\n", e->path, err);
        return true;
    }
    if (gs_spec_from_meta(l.meta, l.mlen, &s, err, sizeof err) != RT_OK) {
        printf("triage: %s: NOT REPRODUCIBLE: %s\n", e->path, err);
        gs_unload(&l);
        return true;
    }
    if (fgiven)
        s.faults = faults;
    gs_size_of(l.sc, l.sched, l.nsched, &z);
    e->ops = z.ops;
    e->bytes = l.len;
    gs_spec_options(&s, l.sched, l.nsched, &src, &opt);
    opt.quiet = true;
    for (i = 0; i < repeat; i++) {
        if (!gs_child_run(l.sc, &opt, &cfg, &o, err, sizeof err)) {
            fprintf(stderr, "gstorm triage: cannot start a run: %s\n", err);
            gs_unload(&l);
            return false;
        }
        gs_outcome_key(&o, key, sizeof key);
        if (i == 0) {
            snprintf(e->key, sizeof e->key, "%s",
                     gs_outcome_finding(&o) ? key : "");
            snprintf(first, sizeof first, "%s", o.key);
        }
        agree += gs_outcome_finding(&o) && strcmp(key, e->key) == 0;
    }
    gs_unload(&l);
    e->ok = agree == repeat && (s.rule[0] == 0 || strcmp(s.rule, first) == 0);
    if (e->ok)
        return true;
    if (e->key[0] == 0)
        printf("triage: %s: NOT REPRODUCIBLE: the first replay was clean "
               "(%" PRIu64 " of %" PRIu64 " replays failed)%s%s\n",
               e->path, agree, repeat, s.rule[0] ? "; it records rule " : "",
               s.rule);
    else if (agree != repeat)
        printf("triage: %s: NOT REPRODUCIBLE: %s in only %" PRIu64
               " of %" PRIu64 " replays (a determinism bug in gstorm)\n",
               e->path, e->key, agree, repeat);
    else
        printf("triage: %s: NOT REPRODUCIBLE: it records rule %s but "
               "replays as %s every time\n",
               e->path, s.rule, first);
    fprintf(stderr, "gstorm triage: %s did not reproduce\n", e->path);
    return true;
}

/*
 * listdir collects the regular files of dir (not dotfiles), sorted by
 * name, into *out (malloc'd paths). Returns the count, or -1 after a
 * message.
 */
static long listdir(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    struct stat st;
    char **v;
    long n = 0;

    if (d == NULL) {
        fprintf(stderr, "gstorm triage: %s: cannot open the directory\n", dir);
        return -1;
    }
    if ((v = calloc(MAX_FILES, sizeof *v)) == NULL) {
        closedir(d);
        return -1;
    }
    while ((de = readdir(d)) != NULL && n < MAX_FILES) {
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        char *p;
        if (de->d_name[0] == '.')
            continue;
        if ((p = malloc(len)) == NULL)
            break;
        snprintf(p, len, "%s/%s", dir, de->d_name);
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        v[n++] = p;
    }
    closedir(d);
    qsort(v, (size_t)n, sizeof *v, cmpname);
    *out = v;
    return n;
}

/* faultflag writes " --fault ID,ID" for fault bits into buf (cap
 * bytes), "" for none: what a replay command needs when --fault or
 * GSTORM_FAULT replaced the files' own faults. */
static void faultflag(uint64_t bits, char *buf, size_t cap)
{
    size_t i, n = 0;

    buf[0] = 0;
    for (i = 0; i < 64 && i < rt_fault_count() && n < cap; i++) {
        if (!(bits >> i & 1))
            continue;
        n += (size_t)snprintf(buf + n, cap - n, "%s%s",
                              n == 0 ? " --fault " : ",", rt_fault(i)->id);
    }
}

/* report prints one line per distinct key of e[0..n): its count and
 * smallest reproducer, replayed with extra flags. Returns the number of
 * distinct findings. */
static size_t report(const entry *e, size_t n, const char *extra)
{
    size_t i, j, distinct = 0;

    for (i = 0; i < n; i++) {
        const entry *best = &e[i];
        size_t count = 0;
        bool seen = false;
        if (!e[i].ok || e[i].key[0] == 0)
            continue;
        for (j = 0; j < i && !seen; j++)
            seen = e[j].ok && strcmp(e[j].key, e[i].key) == 0;
        if (seen)
            continue;
        for (j = i; j < n; j++) {
            if (!e[j].ok || strcmp(e[j].key, e[i].key) != 0)
                continue;
            count++;
            if (e[j].ops < best->ops ||
                (e[j].ops == best->ops && e[j].bytes < best->bytes))
                best = &e[j];
        }
        distinct++;
        printf("%-40s count %zu  smallest %s (%" PRIu64 " ops, %zu bytes)  "
               "replay: gstorm replay %s%s\n",
               e[i].key, count, best->path, best->ops, best->bytes, best->path,
               extra);
    }
    return distinct;
}

/* cli_triage is `gstorm triage`: replay, group, verify findings. */
int cli_triage(int argc, char **argv)
{
    const char *dir = NULL;
    uint64_t repeat = DEFAULT_REPEAT, faults;
    gs_strlist fl = {0};
    char err[GS_ERRLEN], **names = NULL, extra[1024] = "";
    bool help = false, fgiven;
    size_t npos = 0, i, bad = 0, distinct;
    entry *e = NULL;
    long n;
    int rc;
    const gs_flag flags[] = {
        {"--repeat", NULL, GS_FLAG_U64, 1, 1000, NULL, &repeat, NULL},
        {"--fault", NULL, GS_FLAG_LIST, 0, 0, NULL, &fl, NULL},
    };

    rc = gs_flags_parse("triage", argc, argv, flags,
                        sizeof flags / sizeof flags[0], &dir, 1, &npos, &help);
    if (rc != GS_EXIT_OK || help) {
        if (help)
            triageusage(stdout);
        return rc;
    }
    if (dir == NULL) {
        triageusage(stderr);
        return GS_EXIT_USAGE;
    }
    if (gs_faults_select(&fl, &faults, &fgiven, err, sizeof err) != RT_OK) {
        fprintf(stderr, "gstorm triage: %s\n", err);
        return GS_EXIT_USAGE;
    }
    if ((n = listdir(dir, &names)) < 0)
        return GS_EXIT_USAGE;
    if ((e = calloc((size_t)n + 1, sizeof *e)) == NULL) {
        rc = GS_EXIT_INTERNAL;
        goto out;
    }
    for (i = 0; i < (size_t)n; i++) {
        e[i].path = names[i];
        if (!replayfile(&e[i], repeat, faults, fgiven)) {
            rc = GS_EXIT_INTERNAL;
            goto out;
        }
        bad += !e[i].ok;
    }
    if (fgiven)
        faultflag(faults, extra, sizeof extra);
    distinct = report(e, (size_t)n, extra);
    printf("triage: %ld files, %zu distinct findings, %zu not reproducible "
           "(%" PRIu64 " replays each)\n",
           n, distinct, bad, repeat);
    rc = bad > 0 ? GS_EXIT_VIOLATION : GS_EXIT_OK;
out:
    for (i = 0; names != NULL && i < (size_t)n; i++)
        free(names[i]);
    free(names);
    free(e);
    return rc;
}
