/*
 * saved.c - saved runs, as the subcommands asm, disasm, replay and
 * explore share them: loading, metadata, the schedule source.
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
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "harness.h"
#include "saved.h"

/* cli_now returns a monotonic clock in seconds. */
double cli_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * cli_metaget finds key in the metadata lines meta[0..mlen) and copies its
 * value (NUL-terminated, truncated to cap) into val. Returns whether the
 * key is there; a later line with the same key wins.
 */
bool cli_metaget(const char *meta, size_t mlen, const char *key, char *val,
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
 * cli_metau64 reads a decimal metadata value into *out (left alone if the
 * key is absent). Returns false, after a message naming the file and the
 * key, if the value is not a number in [lo, hi].
 */
bool cli_metau64(const char *path, const char *meta, size_t mlen,
                 const char *key, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char val[64], *end;
    unsigned long long v;

    if (!cli_metaget(meta, mlen, key, val, sizeof val))
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
const char *const cli_kinds[4] = {"bytes", "random", "pct", "rr"};

/* cli_kindof maps a strategy name to an rt_sim_kind, or -1. */
int cli_kindof(const char *s)
{
    int k;

    for (k = 0; s != NULL && k < (int)(sizeof cli_kinds / sizeof cli_kinds[0]);
         k++)
        if (strcmp(s, cli_kinds[k]) == 0)
            return k;
    return -1;
}

/* cli_unload frees what cli_load allocated. */
void cli_unload(cli_loaded *l)
{
    free(l->file);
    free(l->sc);
    memset(l, 0, sizeof *l);
}

/*
 * cli_load reads path as a gstorm file or a raw fuzzer input into *l.
 * Returns CLI_EXIT_OK, or CLI_EXIT_USAGE after printing "gstorm: path:
 * why" (a damaged file, an unknown version), or CLI_EXIT_INTERNAL.
 */
int cli_load(const char *path, cli_loaded *l)
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
        cli_unload(l);
        return CLI_EXIT_INTERNAL;
    }
    rc = gs_input_load(l->file, l->len, l->sc, &l->sched, &l->nsched, err,
                       sizeof err);
    if (rc == RT_OK)
        rc =
            gs_input_meta(l->file, l->len, &l->meta, &l->mlen, err, sizeof err);
    if (rc == RT_OK)
        rc = gs_input_form(l->file, l->len, &l->form, err, sizeof err);
    if (rc != RT_OK) {
        fprintf(stderr, "gstorm: %s: %s\n", path, err);
        cli_unload(l);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/*
 * cli_source builds the sim schedule source and run options of a loaded run
 * from its metadata (keys in the comment at the top). *src keeps
 * pointers into l. Returns false after a message if a value is bad.
 */
bool cli_source(const char *path, const cli_loaded *l, rt_sim_source *src,
                rt_options *opt)
{
    char strat[32];
    uint64_t depth = DEFAULT_DEPTH, bound = 0;
    int k = RT_SIM_BYTES;

    memset(src, 0, sizeof *src);
    memset(opt, 0, sizeof *opt);
    if (cli_metaget(l->meta, l->mlen, "strategy", strat, sizeof strat) &&
        (k = cli_kindof(strat)) < 0) {
        fprintf(stderr,
                "gstorm: %s: metadata strategy='%s' is not bytes, random, "
                "pct or rr\n",
                path, strat);
        return false;
    }
    src->kind = (uint32_t)k;
    if (!cli_metau64(path, l->meta, l->mlen, "seed", 0, UINT64_MAX,
                     &src->seed) ||
        !cli_metau64(path, l->meta, l->mlen, "depth", 1, MAX_DEPTH, &depth) ||
        !cli_metau64(path, l->meta, l->mlen, "steps_hint", 0, UINT64_MAX,
                     &src->steps_hint) ||
        !cli_metau64(path, l->meta, l->mlen, "step_budget", 0, UINT64_MAX,
                     &src->step_budget) ||
        !cli_metau64(path, l->meta, l->mlen, "bound_ns", 0, UINT64_MAX, &bound))
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
