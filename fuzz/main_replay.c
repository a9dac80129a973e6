/*
 * main_replay.c - the plain replay driver: runs a fuzz target over files
 * and directories of inputs with no fuzzing engine, as SQLite's fuzzcheck
 * does, so that ctest replays the seed and regression corpora in every
 * build. Each input that runs rt is run twice more after all the others,
 * and its trace hash must be the same every time (in-process runs are
 * exact whatever ran before them).
 *
 * usage: TARGET_replay [--quiet] FILE|DIR...
 * In a directory, hidden files and *.md notes (regress/README.md) are no
 * inputs; a directory with none replays nothing and passes.
 * Exit: 0 every input ran clean and deterministic; 1 a nondeterministic
 * input; 2 bad usage or an unreadable input. A violation aborts, as it
 * would under the fuzzer.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

enum { MAX_INPUTS = 100000 }; /* inputs in one invocation */

/* One input: its path and its first run's hash. */
typedef struct input {
    char *path;
    uint64_t hash;
    int ranrt;
} input;

static input *inputs;
static size_t ninputs;

/* isinput reports whether a directory entry is an input: not hidden and
 * not a document or list beside the inputs (README.md, open.tsv,
 * faults.tsv). */
static bool isinput(const char *name)
{
    size_t n = strlen(name);

    return name[0] != '.' && !(n >= 3 && strcmp(name + n - 3, ".md") == 0) &&
           !(n >= 4 && strcmp(name + n - 4, ".tsv") == 0);
}

/* add queues path (a regular file) or every regular file in it (a
 * directory, not recursive, in name order, skipping what isinput
 * refuses). Returns false after a message. */
static bool add(const char *path)
{
    struct stat st;
    struct dirent **names;
    int n, i;

    if (stat(path, &st) != 0) {
        perror(path);
        return false;
    }
    if (S_ISREG(st.st_mode)) {
        if (ninputs == MAX_INPUTS) {
            fprintf(stderr, "replay: more than %d inputs\n", MAX_INPUTS);
            return false;
        }
        inputs[ninputs].path = strdup(path);
        inputs[ninputs++].ranrt = 0;
        return inputs[ninputs - 1].path != NULL;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "replay: %s: not a file or directory\n", path);
        return false;
    }
    n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        perror(path);
        return false;
    }
    for (i = 0; i < n; i++) {
        char sub[4096];
        struct stat s2;
        snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
        if (isinput(names[i]->d_name) && stat(sub, &s2) == 0 &&
            S_ISREG(s2.st_mode) && !add(sub))
            return false;
        free(names[i]);
    }
    free(names);
    return true;
}

/* runfile runs one input file through the target; returns false after a
 * message if it cannot be read. */
static bool runfile(const char *path)
{
    char err[GS_ERRLEN];
    size_t len;
    char *data = gs_readfile(path, GS_MAX_FILE, &len, err, sizeof err);

    if (data == NULL) {
        fprintf(stderr, "replay: %s\n", err);
        return false;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    free(data);
    return true;
}

int main(int argc, char **argv)
{
    bool quiet = false;
    size_t i, bad = 0, rt = 0, npaths = 0;
    int a, round;

    LLVMFuzzerInitialize(&argc, &argv);
    inputs = calloc(MAX_INPUTS, sizeof *inputs);
    if (inputs == NULL)
        return GS_EXIT_INTERNAL;
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--quiet") == 0)
            quiet = true;
        else if (npaths++, !add(argv[a]))
            return GS_EXIT_USAGE;
    }
    /* A directory with no input yet (a new target's regress/) is fine. */
    if (npaths == 0) {
        fprintf(stderr, "usage: %s [--quiet] FILE|DIR...\n", argv[0]);
        return GS_EXIT_USAGE;
    }
    /* Round 0: every input once; rounds 1 and 2: again, after all. */
    for (round = 0; round < 3; round++) {
        for (i = 0; i < ninputs; i++) {
            input *in = &inputs[i];
            if (round > 0 && !in->ranrt)
                continue;
            if (!runfile(in->path))
                return GS_EXIT_USAGE;
            if (round == 0) {
                in->ranrt = fuzz_ranrt;
                in->hash = fuzz_lasthash;
                rt += (size_t)fuzz_ranrt;
                if (!quiet)
                    printf("ok   %s\n", in->path);
            } else if (fuzz_lasthash != in->hash) {
                printf("NONDETERMINISTIC %s: trace hash %016" PRIx64
                       ", first %016" PRIx64 "\n",
                       in->path, fuzz_lasthash, in->hash);
                in->ranrt = 0; /* reported once */
                bad++;
            }
        }
    }
    printf("%zu inputs replayed (%zu ran rt, each 3 times), %zu "
           "nondeterministic\n",
           ninputs, rt, bad);
    for (i = 0; i < ninputs; i++)
        free(inputs[i].path);
    free(inputs);
    return bad == 0 ? GS_EXIT_OK : GS_EXIT_VIOLATION;
}
