/*
 * flags.c - the flag parser every subcommand of every front end uses, so
 * that a flag is spelled, checked and refused the same way everywhere.
 *
 * A flag and its value are two arguments ("--seed 5"), or one joined by
 * '=' ("--seed=5"). "--" ends the flags: what follows is positional. A
 * lone "-" is positional (standard input, where a command reads one).
 * Every refusal names the subcommand, the flag as it was typed and the
 * value, escaped (gs_escape), on one line of stderr.
 */
#include "harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Bytes of a quoted value in a message (escaped, so up to 4 per byte). */
enum { QUOTE_MAX = 256 };

/* quote escapes s for a message into buf (QUOTE_MAX bytes); returns buf. */
static const char *quote(const char *s, char buf[QUOTE_MAX])
{
    gs_escape(s, strlen(s), buf, QUOTE_MAX);
    return buf;
}

/* find returns the flag named name (name bytes of it) or NULL. */
static const gs_flag *find(const gs_flag *flags, size_t nflags,
                           const char *name, size_t n)
{
    size_t i;

    for (i = 0; i < nflags; i++) {
        const char *a = flags[i].alias;
        if ((strlen(flags[i].name) == n &&
             memcmp(flags[i].name, name, n) == 0) ||
            (a != NULL && strlen(a) == n && memcmp(a, name, n) == 0))
            return &flags[i];
    }
    return NULL;
}

/*
 * parseu64 reads val as a decimal in [lo, hi] into *out. Returns false
 * if it is not one (a sign, a space, a suffix or an overflow).
 */
static bool parseu64(const char *val, uint64_t lo, uint64_t hi, uint64_t *out)
{
    unsigned long long v;
    char *end;

    if (val[0] < '0' || val[0] > '9')
        return false;
    errno = 0;
    v = strtoull(val, &end, 10);
    if (errno != 0 || *end != 0 || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/*
 * choices writes "a, b or c" (the choices of f) into buf (cap bytes).
 */
static void choices(const gs_flag *f, char *buf, size_t cap)
{
    size_t i, n = 0, k;

    buf[0] = 0;
    for (k = 0; f->choices[k] != NULL; k++)
        ;
    for (i = 0; i < k && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s",
                              i == 0       ? ""
                              : i + 1 == k ? " or "
                                           : ", ",
                              f->choices[i]);
}

/*
 * setvalue stores val, the value of flag f typed as `typed`, in f->out.
 * Returns GS_EXIT_OK, or GS_EXIT_USAGE after a message.
 */
static int setvalue(const char *cmd, const gs_flag *f, const char *typed,
                    const char *val)
{
    char q[QUOTE_MAX], list[256];
    gs_strlist *l;
    int k;

    switch (f->kind) {
    case GS_FLAG_U64:
        if (!parseu64(val, f->lo, f->hi, f->out)) {
            fprintf(stderr,
                    "gstorm %s: %s: '%s' is not a number from %llu to "
                    "%llu\n",
                    cmd, typed, quote(val, q), (unsigned long long)f->lo,
                    (unsigned long long)f->hi);
            return GS_EXIT_USAGE;
        }
        break;
    case GS_FLAG_STR:
        if (val[0] == 0) {
            fprintf(stderr, "gstorm %s: %s: the value is empty\n", cmd, typed);
            return GS_EXIT_USAGE;
        }
        *(const char **)f->out = val;
        break;
    case GS_FLAG_TEXT:
        *(const char **)f->out = val;
        break;
    case GS_FLAG_CHOICE:
        for (k = 0; f->choices[k] != NULL; k++)
            if (strcasecmp(val, f->choices[k]) == 0)
                break;
        if (f->choices[k] == NULL) {
            choices(f, list, sizeof list);
            fprintf(stderr, "gstorm %s: %s: '%s' is not %s\n", cmd, typed,
                    quote(val, q), list);
            return GS_EXIT_USAGE;
        }
        *(int *)f->out = k;
        break;
    case GS_FLAG_LIST:
        l = f->out;
        if (l->n >= sizeof l->v / sizeof l->v[0]) {
            fprintf(stderr, "gstorm %s: %s: more than %zu of them\n", cmd,
                    typed, sizeof l->v / sizeof l->v[0]);
            return GS_EXIT_USAGE;
        }
        l->v[l->n++] = val;
        break;
    case GS_FLAG_BOOL:
        break; /* takes no value: the caller does not get here */
    }
    return GS_EXIT_OK;
}

/* gs_flags_parse parses a subcommand's arguments (harness.h). */
int gs_flags_parse(const char *cmd, int argc, char **argv, const gs_flag *flags,
                   size_t nflags, const char **pos, size_t maxpos, size_t *npos,
                   bool *help)
{
    char q[QUOTE_MAX], typed[QUOTE_MAX];
    bool flagsdone = false;
    const char *eq, *val;
    const gs_flag *f;
    size_t n;
    int a, rc;

    *npos = 0;
    *help = false;
    for (a = 1; a < argc; a++) {
        const char *arg = argv[a];
        if (flagsdone || arg[0] != '-' || arg[1] == 0) {
            if (*npos >= maxpos) {
                fprintf(stderr, "gstorm %s: %s ('%s')\n", cmd,
                        maxpos == 0 ? "takes no arguments"
                                    : "too many arguments",
                        quote(arg, q));
                return GS_EXIT_USAGE;
            }
            pos[(*npos)++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            flagsdone = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            *help = true;
            return GS_EXIT_OK;
        }
        eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        n = eq ? (size_t)(eq - arg) : strlen(arg);
        f = find(flags, nflags, arg, n);
        snprintf(typed, sizeof typed, "%.*s", (int)n, arg);
        if (f == NULL) {
            fprintf(stderr, "gstorm %s: unknown flag '%s' (gstorm %s --help)\n",
                    cmd, quote(typed, q), cmd);
            return GS_EXIT_USAGE;
        }
        if (f->seen != NULL)
            *f->seen = true;
        if (f->kind == GS_FLAG_BOOL) {
            if (eq != NULL) {
                fprintf(stderr, "gstorm %s: %s takes no value\n", cmd, typed);
                return GS_EXIT_USAGE;
            }
            *(bool *)f->out = true;
            continue;
        }
        if (eq != NULL) {
            val = eq + 1;
        } else if (a + 1 < argc) {
            val = argv[++a];
        } else {
            fprintf(stderr, "gstorm %s: %s needs a value\n", cmd, typed);
            return GS_EXIT_USAGE;
        }
        if ((rc = setvalue(cmd, f, typed, val)) != GS_EXIT_OK)
            return rc;
    }
    return GS_EXIT_OK;
}
