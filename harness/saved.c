/*
 * saved.c - saved runs: loading a gstorm file or a raw input, reading a
 * scenario to run, and the metadata <-> options codec, one place each
 * way (gs_spec_to_meta writes the keys, gs_spec_from_meta reads them;
 * the keys are listed at gs_spec in harness.h).
 *
 * A raw fuzzer input has no metadata: it replays with its schedule bytes.
 * Metadata written on another system may end its lines in CRLF; a value
 * is read without the CR, and a refused value is quoted with gs_escape,
 * so an invisible character is shown rather than blamed silently.
 */
#include "harness.h"

#include <errno.h>
#include <stdarg.h> /* put */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of a metadata value read for a number or a name: longer values
 * are refused (the longest number, 2^64 - 1, has 20 digits). */
enum { VALUE_MAX = 128 };

/* Strategy names, indexed by rt_sim_kind. */
static const char *const strategies[] = {"bytes", "random", "pct", "rr"};
_Static_assert(RT_SIM_BYTES == 0 && RT_SIM_RANDOM == 1 && RT_SIM_PCT == 2 &&
                   RT_SIM_RR == 3,
               "strategies[] is indexed by rt_sim_kind");

/* The magic that starts a gstorm file (input.c has the whole layout). */
static const char magic[6] = {'G', 'S', 'T', 'O', 'R', 'M'};

/* gs_strategy_name returns the name of a schedule source (harness.h). */
const char *gs_strategy_name(uint32_t kind)
{
    return kind < sizeof strategies / sizeof strategies[0] ? strategies[kind]
                                                           : "?";
}

/* gs_strategy_parse maps a strategy name to an rt_sim_kind, or -1
 * (harness.h). */
int gs_strategy_parse(const char *name)
{
    size_t k;

    for (k = 0; name != NULL && k < sizeof strategies / sizeof strategies[0];
         k++)
        if (strcmp(name, strategies[k]) == 0)
            return (int)k;
    return -1;
}

/* gs_unload frees what gs_load allocated (harness.h). */
void gs_unload(gs_loaded *l)
{
    free(l->file);
    free(l->sc);
    memset(l, 0, sizeof *l);
}

/*
 * parse fills *l from the bytes of path already in l->file (l->len
 * bytes). Returns GS_EXIT_OK, or an exit code with "PATH: why" in err
 * after freeing what *l holds.
 */
static int parse(const char *path, gs_loaded *l, char *err, size_t errlen)
{
    char why[GS_ERRLEN];
    int rc;

    if ((l->sc = malloc(sizeof *l->sc)) == NULL) {
        gs_unload(l);
        return gs_fail(GS_EXIT_INTERNAL, err, errlen, "%s: out of memory",
                       path);
    }
    rc = gs_input_load(l->file, l->len, l->sc, &l->sched, &l->nsched, why,
                       sizeof why);
    if (rc == RT_OK)
        rc =
            gs_input_meta(l->file, l->len, &l->meta, &l->mlen, why, sizeof why);
    if (rc == RT_OK)
        rc = gs_input_form(l->file, l->len, &l->form, why, sizeof why);
    if (rc != RT_OK) {
        gs_unload(l);
        return gs_fail(GS_EXIT_USAGE, err, errlen, "%s: %s", path, why);
    }
    return GS_EXIT_OK;
}

/* gs_load reads a gstorm file or a raw input (harness.h). */
int gs_load(const char *path, gs_loaded *l, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    l->file = (uint8_t *)gs_readfile(path, GS_MAX_FILE, &l->len, err, errlen);
    if (l->file == NULL)
        return GS_EXIT_USAGE;
    return parse(path, l, err, errlen);
}

/* gs_loadscenario reads a gstorm file's scenario or a text scenario
 * (harness.h). Any other file is read as text: a raw fuzzer input is
 * for replay, which knows its schedule. */
rt_scenario *gs_loadscenario(const char *path, char *err, size_t errlen,
                             int *exitcode)
{
    char why[GS_ERRLEN];
    rt_scenario *sc;
    gs_loaded l;

    memset(&l, 0, sizeof l);
    *exitcode = GS_EXIT_USAGE;
    l.file = (uint8_t *)gs_readfile(path, GS_MAX_FILE, &l.len, err, errlen);
    if (l.file == NULL)
        return NULL;
    if (l.len >= sizeof magic && memcmp(l.file, magic, sizeof magic) == 0) {
        /* A gstorm file: loaded strictly, as replay loads it. */
        if ((*exitcode = parse(path, &l, err, errlen)) != GS_EXIT_OK)
            return NULL;
        sc = l.sc;
        l.sc = NULL;
        gs_unload(&l);
        return sc;
    }
    if ((sc = malloc(sizeof *sc)) == NULL) {
        gs_unload(&l);
        *exitcode = GS_EXIT_INTERNAL;
        gs_fail(0, err, errlen, "%s: out of memory", path);
        return NULL;
    }
    if (rt_scenario_parse((const char *)l.file, l.len, sc, why, sizeof why) !=
        RT_OK) {
        gs_fail(0, err, errlen, "%s:%s", path, why);
        free(sc);
        sc = NULL;
    }
    gs_unload(&l);
    return sc;
}

/* gs_metaget finds a key's value in metadata lines (harness.h). A value
 * of a CRLF line is read without its CR. */
bool gs_metaget(const char *meta, size_t mlen, const char *key, char *val,
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
            if (n > 0 && meta[i + klen + n] == '\r')
                n--;
            if (cap > 0) {
                if (n >= cap)
                    n = cap - 1;
                memcpy(val, meta + i + klen + 1, n);
                val[n] = 0;
            }
            found = true;
        }
        i = end + 1;
    }
    return found;
}

/*
 * refuse writes "metadata KEY='VALUE' is not WHAT" into err, with the
 * value escaped (gs_escape), and returns RT_EINVAL.
 */
static int refuse(const char *key, const char *val, const char *what, char *err,
                  size_t errlen)
{
    char esc[4 * VALUE_MAX + 1];

    gs_escape(val, strlen(val), esc, sizeof esc);
    return gs_fail(RT_EINVAL, err, errlen, "metadata %s='%s' is not %s", key,
                   esc, what);
}

/*
 * metavalue reads key's value into val (VALUE_MAX bytes). Returns 0 if
 * the key is absent, 1 if present, or RT_EINVAL (err says why) if the
 * value is too long to be a valid one.
 */
static int metavalue(const char *meta, size_t mlen, const char *key,
                     char val[VALUE_MAX], char *err, size_t errlen)
{
    char big[VALUE_MAX + 1];

    if (!gs_metaget(meta, mlen, key, big, sizeof big))
        return 0;
    if (strlen(big) >= VALUE_MAX)
        return refuse(key, big, "a valid value (too long)", err, errlen);
    memcpy(val, big, VALUE_MAX);
    return 1;
}

/*
 * metau64 reads a decimal value of key into *out (left alone if the key
 * is absent). Returns RT_OK, or RT_EINVAL with a message naming the key
 * if the value is not a number in [lo, hi].
 */
static int metau64(const char *meta, size_t mlen, const char *key, uint64_t lo,
                   uint64_t hi, uint64_t *out, char *err, size_t errlen)
{
    char val[VALUE_MAX], what[80], *end;
    unsigned long long v;
    int rc = metavalue(meta, mlen, key, val, err, errlen);

    if (rc <= 0)
        return rc;
    errno = 0;
    v = strtoull(val, &end, 10);
    if (errno != 0 || end == val || *end != 0 || val[0] < '0' || val[0] > '9' ||
        v < lo || v > hi) {
        snprintf(what, sizeof what, "a number from %llu to %llu",
                 (unsigned long long)lo, (unsigned long long)hi);
        return refuse(key, val, what, err, errlen);
    }
    *out = v;
    return RT_OK;
}

/* gs_faults_parse is in harness.h. */
int gs_faults_parse(const char *list, uint64_t *bits, char *bad, size_t badcap)
{
    size_t n;
    int f;

    *bits = 0;
    /* One id per comma-separated part, the last one too: "a,,b" and "a,"
     * have an empty id, which is refused. Bounded by the list's length. */
    while (list[0] != 0) {
        n = strcspn(list, ",");
        f = -1;
        if (n > 0 && n < VALUE_MAX) {
            char id[VALUE_MAX];
            memcpy(id, list, n);
            id[n] = 0;
            f = rt_fault_find(id);
        }
        if (f < 0 || f >= 64) {
            gs_escape(list, n, bad, badcap);
            return RT_EINVAL;
        }
        *bits |= 1ull << f;
        if (list[n] == 0)
            break;
        list += n + 1;
    }
    return RT_OK;
}

/*
 * metafaults reads faults=ID,... into *bits: each id a fault of rt's
 * catalog (rt_fault_find); an empty value is no fault. Returns RT_OK, or
 * RT_EINVAL naming the key and the id that is not a fault.
 */
static int metafaults(const char *meta, size_t mlen, const char *key,
                      uint64_t *bits, char *err, size_t errlen)
{
    char val[VALUE_MAX], esc[4 * VALUE_MAX + 1], bad[4 * VALUE_MAX + 1];
    int rc = metavalue(meta, mlen, key, val, err, errlen);

    if (rc <= 0)
        return rc;
    if (gs_faults_parse(val, bits, bad, sizeof bad) != RT_OK) {
        gs_escape(val, strlen(val), esc, sizeof esc);
        return gs_fail(RT_EINVAL, err, errlen,
                       "metadata %s='%s' is not a list of fault ids "
                       "('%s' is not one; gstorm faults lists them)",
                       key, esc, bad);
    }
    return RT_OK;
}

/* gs_faults_select is in harness.h. */
int gs_faults_select(const gs_strlist *flags, uint64_t *bits, bool *given,
                     char *err, size_t errlen)
{
    const char *env = getenv("GSTORM_FAULT");
    char bad[4 * VALUE_MAX + 1];
    uint64_t b;
    size_t i;

    *bits = 0;
    *given = false;
    for (i = 0; i < flags->n; i++) {
        if (gs_faults_parse(flags->v[i], &b, bad, sizeof bad) != RT_OK)
            return gs_fail(RT_EINVAL, err, errlen,
                           "--fault: '%s' is not a fault id (gstorm faults "
                           "lists them)",
                           bad);
        *bits |= b;
        *given = true;
    }
    if (env != NULL && env[0] != 0) {
        if (gs_faults_parse(env, &b, bad, sizeof bad) != RT_OK)
            return gs_fail(RT_EINVAL, err, errlen,
                           "GSTORM_FAULT: '%s' is not a fault id (gstorm "
                           "faults lists them)",
                           bad);
        *bits |= b;
        *given = true;
    }
    return RT_OK;
}

/* gs_spec_default: the bytes source, seed 0, depth 3 (harness.h). */
void gs_spec_default(gs_spec *s)
{
    memset(s, 0, sizeof *s);
    s->kind = RT_SIM_BYTES;
    s->depth = GS_DEFAULT_DEPTH;
}

/* metarule reads metadata key, a rule id, into rule (GS_MAX_RULE bytes;
 * left as it is if the key is absent). Returns RT_OK, or RT_EINVAL for a
 * value too long or a bad line (err says which). */
static int metarule(const char *meta, size_t mlen, const char *key,
                    char rule[GS_MAX_RULE], char *err, size_t errlen)
{
    char val[VALUE_MAX];
    int rc = metavalue(meta, mlen, key, val, err, errlen);

    if (rc < 0)
        return rc;
    if (rc > 0 && strlen(val) >= GS_MAX_RULE)
        return refuse(key, val, "a rule id (too long)", err, errlen);
    if (rc > 0)
        memcpy(rule, val, strlen(val) + 1);
    return RT_OK;
}

/* gs_spec_from_meta reads metadata into *s (harness.h). */
int gs_spec_from_meta(const char *meta, size_t mlen, gs_spec *s, char *err,
                      size_t errlen)
{
    char val[VALUE_MAX];
    uint64_t depth = GS_DEFAULT_DEPTH, run = 0;
    int rc, k;

    gs_spec_default(s);
    if ((rc = metavalue(meta, mlen, "strategy", val, err, errlen)) < 0)
        return rc;
    if (rc > 0 && (k = gs_strategy_parse(val)) < 0)
        return refuse("strategy", val, "bytes, random, pct or rr", err, errlen);
    if (rc > 0)
        s->kind = (uint32_t)k;
    if ((rc = metau64(meta, mlen, "seed", 0, UINT64_MAX, &s->seed, err,
                      errlen)) != RT_OK ||
        (rc = metau64(meta, mlen, "depth", 1, GS_MAX_DEPTH, &depth, err,
                      errlen)) != RT_OK ||
        (rc = metau64(meta, mlen, "steps_hint", 0, UINT64_MAX, &s->steps_hint,
                      err, errlen)) != RT_OK ||
        (rc = metau64(meta, mlen, "step_budget", 0, UINT64_MAX, &s->step_budget,
                      err, errlen)) != RT_OK ||
        (rc = metau64(meta, mlen, "bound_ns", 0, UINT64_MAX, &s->bound_ns, err,
                      errlen)) != RT_OK ||
        (rc = metafaults(meta, mlen, "faults", &s->faults, err, errlen)) !=
            RT_OK ||
        (rc = metafaults(meta, mlen, "fault", &s->regress, err, errlen)) !=
            RT_OK)
        return rc;
    s->depth = (uint32_t)depth;
    if ((rc = metarule(meta, mlen, "rule", s->rule, err, errlen)) != RT_OK ||
        (rc = metarule(meta, mlen, "expect", s->expect, err, errlen)) != RT_OK)
        return rc;
    /* Notes for people: kept as far as they fit, never refused, so that a
     * note cannot make a file unreplayable. */
    gs_metaget(meta, mlen, "found-by", s->foundby, sizeof s->foundby);
    if (metau64(meta, mlen, "run", 0, UINT64_MAX, &run, NULL, 0) == RT_OK)
        s->run = run;
    return RT_OK;
}

/* put appends one "key=value" line to buf (cap bytes) at *n, like
 * snprintf: *n grows by the length needed even past cap. */
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
    va_list ap;
    int w;

    va_start(ap, fmt);
    w = vsnprintf(*n < cap ? buf + *n : NULL, *n < cap ? cap - *n : 0, fmt, ap);
    va_end(ap);
    if (w > 0)
        *n += (size_t)w;
}

/* putfaults appends "\nKEY=ID,..." for the faults in bits, if any, as
 * put does. */
static void putfaults(char *buf, size_t cap, size_t *n, const char *key,
                      uint64_t bits)
{
    const char *sep = "";
    size_t i;

    if (bits == 0)
        return;
    put(buf, cap, n, "\n%s=", key);
    for (i = 0; i < 64; i++) {
        const rt_fault_info *f = rt_fault(i);
        if ((bits >> i & 1) == 0)
            continue;
        put(buf, cap, n, "%s%s", sep, f ? f->id : "?");
        sep = ",";
    }
}

/* gs_spec_to_meta writes the metadata keys of *s (harness.h). The order
 * is what `explore` wrote before the codec existed, so that its files
 * stay byte-identical; faults= only when some are on. */
size_t gs_spec_to_meta(const gs_spec *s, char *buf, size_t cap)
{
    size_t n = 0;

    if (cap > 0)
        buf[0] = 0;
    put(buf, cap, &n,
        "strategy=%s\nseed=%llu\ndepth=%u\nsteps_hint=%llu\n"
        "step_budget=%llu\nbound_ns=%llu",
        gs_strategy_name(s->kind), (unsigned long long)s->seed, s->depth,
        (unsigned long long)s->steps_hint, (unsigned long long)s->step_budget,
        (unsigned long long)s->bound_ns);
    putfaults(buf, cap, &n, "faults", s->faults);
    if (s->rule[0] != 0)
        put(buf, cap, &n, "\nrule=%s", s->rule);
    putfaults(buf, cap, &n, "fault", s->regress);
    if (s->expect[0] != 0)
        put(buf, cap, &n, "\nexpect=%s", s->expect);
    if (s->foundby[0] != 0)
        put(buf, cap, &n, "\nfound-by=%s", s->foundby);
    if (s->run != 0)
        put(buf, cap, &n, "\nrun=%llu", (unsigned long long)s->run);
    return n;
}

/* gs_spec_options assembles the options of one sim run (harness.h). */
void gs_spec_options(const gs_spec *s, const uint8_t *sched, size_t nsched,
                     rt_sim_source *src, rt_options *opt)
{
    memset(src, 0, sizeof *src);
    memset(opt, 0, sizeof *opt);
    src->kind = s->kind;
    src->depth = s->depth;
    src->seed = s->seed;
    src->steps_hint = s->steps_hint;
    src->step_budget = s->step_budget;
    if (s->kind == RT_SIM_BYTES) {
        src->bytes = sched;
        src->nbytes = nsched;
    }
    opt->backend = RT_BACKEND_SIM;
    opt->seed = s->seed;
    opt->quiesce_bound_ns = s->bound_ns;
    opt->faults = s->faults;
    opt->sim = src;
}
