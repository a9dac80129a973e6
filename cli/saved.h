/*
 * saved.h - what the subcommands on saved runs share (saved.c): loading a
 * gstorm file or raw input, its metadata, and the sim schedule source it
 * describes. The metadata keys are listed at the top of saved.c.
 */
#ifndef GSTORM_SAVED_H
#define GSTORM_SAVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt.h"

enum {
    MAX_FILE = 64u << 20, /* bytes of an input file: a full text scenario
                             is about 2 MB, schedules are small */
    MAX_RULE = 96,        /* bytes of a rule id */
    DEFAULT_DEPTH = 3,    /* PCT depth: most bugs need 1..3 (SCTBench) */
    MAX_DEPTH = 8,        /* the sim's largest PCT depth (rt.h) */
};

/* A loaded run: the file's bytes and what they hold. */
typedef struct cli_loaded {
    uint8_t *file; /* the file's bytes (owned) */
    size_t len;
    rt_scenario *sc;      /* the scenario (owned) */
    const uint8_t *sched; /* schedule bytes, into file (NULL if none) */
    size_t nsched;
    const char *meta; /* metadata lines, into file (NULL if none) */
    size_t mlen;
    int form; /* GS_INPUT_RAW, _FILE or _FILE_TEXT */
} cli_loaded;

/* Strategy names, indexed by rt_sim_kind. */
extern const char *const cli_kinds[4];

double cli_now(void);
bool cli_metaget(const char *meta, size_t mlen, const char *key, char *val,
                 size_t cap);
bool cli_metau64(const char *path, const char *meta, size_t mlen,
                 const char *key, uint64_t lo, uint64_t hi, uint64_t *out);
int cli_kindof(const char *s);
int cli_load(const char *path, cli_loaded *l);
void cli_unload(cli_loaded *l);
bool cli_source(const char *path, const cli_loaded *l, rt_sim_source *src,
                rt_options *opt);

#endif /* GSTORM_SAVED_H */
