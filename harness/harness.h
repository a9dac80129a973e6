/*
 * harness.h - the one header of gstorm's harness library, the layer
 * between rt (whose only door is rt.h) and the front ends: the gstorm
 * command, the fuzz targets and the stress runner. Public names are gs_ /
 * GS_. It owns what every front end needs the same way:
 *
 *   - the input formats (input.c): the raw fuzzer format and the gstorm
 *     file, with its atomic save;
 *   - files (file.c): reading whole files, writing them atomically;
 *   - saved runs (saved.c): loading a file, and the metadata <-> options
 *     codec, one place each way;
 *   - running one input in a child (child.c): a time and memory bound,
 *     the outcome classified (clean, rule, resource, sanitizer report,
 *     signal, timeout) into a finding key;
 *   - running inputs in process, and many of them in one long-lived
 *     worker child that is replaced when a run fails (pool.c);
 *   - flag parsing (flags.c).
 *
 * INPUT FORMATS. The binary forms of a scenario: the raw fuzzer format,
 * total over all byte strings, and the gstorm file that wraps it with a
 * magic, a version and metadata so a saved finding replays, or is refused
 * with a clear message, years later.
 *
 * RAW FORMAT (what a fuzzer mutates). Every byte string decodes to a
 * valid, small scenario; a byte past the end of the data reads as the
 * default shown in [brackets]. Values are folded into range, never
 * rejected. Offsets are relative to the start of the data.
 *
 *   byte  0        threads   = 1 + b % 8                [3: 4 threads]
 *                  waker     = on unless b & 0xF8 == 0xF8 (version 2) [on]
 *   byte  1        procs     = 1 + b % 4                [1: 2 procs]
 *   byte  2        gcmode    = b % 3 (stw, quiesce, conc) [2: conc]
 *   byte  3        heapcap   = 16 * (b + 1), 16..4096   [255: 4096]
 *   byte  4        nprogs    = 1 + b % 8                [0: 1 program]
 *   then nprogs programs, each:
 *     byte         nins      = b % 65 (0..64)           [0]
 *     byte         frame     = 1 + b % 16               [3: 4 slots]
 *     nins x 4 bytes, one instruction each: op, x, y, z
 *                  op        = b % RT_OP__COUNT; the operands the op takes
 *                  come from x, y, z in order (see below); the others are
 *                  ignored and decode as 0. The program ends early where
 *                  the data ends; missing operand bytes of its last
 *                  instruction read as 0.
 *   byte           nstart    = 1 + b % 16               [0: 1 goroutine]
 *   nstart bytes   start[i]  = b % nprogs               [0]
 *   the rest       schedule decisions for the sim's bytes source
 *
 * Operand byte b, by kind:
 *   slot (NEW, MOV, LOAD, STORE, USE, GO s, GSET s, GGET s)  b
 *   field (LOAD f, STORE f)                                  b % 2
 *   semaphore (BLOCK, WAKE), global (GSET g, GGET g)         b % 8
 *   CALL n (a frame of n % 64 + 1 slots)                     b % 64
 *   SYSCALL t (ticks of 10 us: short, the sim and the
 *     threaded backend both stay fast)                       b % 16
 *   SPIN n (long enough to hold up a quiesce)                16 * b
 *   GO p in program i: a later program only, so spawns form
 *     a DAG and every run ends                i + 1 + b % (nprogs - 1 - i)
 * GO in the last program has no later program: it decodes as NOP.
 *
 * Spawn budget: a program's weight is 1 + the weights of the programs its
 * GO instructions start; weights are computed from the last program to
 * the first, and a GO that would push its program's weight past
 * GS_INPUT_MAX_GS decodes as NOP. Started goroutines whose weight would
 * push the total past GS_INPUT_MAX_GS are dropped (the first never is).
 * So a decoded scenario never runs more than GS_INPUT_MAX_GS goroutines
 * (one more with the waker).
 *
 * The waker (format version 2): unless byte 0's bits 0xF8 are all set,
 * the decoder appends one program, started last, that WAKEs each
 * semaphore once per BLOCK of it the scenario's goroutines could run (a
 * program's BLOCKs times the goroutines that run it, through starts and
 * GOs), with a YIELD after each WAKE. Without it about 45% of random
 * inputs ended with goroutines parked forever on their own BLOCKs and did
 * little work (fuzz_deadlock_stats measures it); with it about 1% do. The
 * flag keeps a scenario without a waker representable (gs_input_encode
 * writes it for one that has BLOCKs but does not end with its waker), and
 * lets a fuzzer find the lost wake-ups only a missing wake shows. The
 * waker is an ordinary program of the decoded scenario (its text form
 * shows it); the encoder writes a scenario that ends with it as the flag.
 *
 * Why this shape: instructions have a fixed width so that mutating an
 * opcode never shifts the bytes after it; programs are length-prefixed so
 * an insertion or deletion stays inside one program; the schedule comes
 * last so that a schedule-only mutation (the minimizer's favourite) never
 * changes the scenario.
 *
 * GSTORM FILE (what gstorm saves; integers little endian):
 *
 *   offset 0    8 bytes  magic "GSTORM" 0x00 0x1A
 *   offset 8    u16      format version: 2 (1: a raw payload decodes
 *                        without the waker; otherwise the same)
 *   offset 10   u16      flags: bit 0 = a metadata section follows the
 *                        payload; bit 1 = the payload is the text form;
 *                        other bits are reserved and must be 0
 *   offset 12   u32      payload length N
 *   offset 16   N bytes  payload, one of two kinds:
 *     flag 1 clear: the raw format above (the encoder's canonical bytes,
 *                   then the schedule)
 *     flag 1 set:   offset 16      u32      text length T (T <= N - 4)
 *                   offset 20      T bytes  the scenario's text form, as
 *                                           rt_scenario_format writes it
 *                                           (UTF-8, no NUL)
 *                   offset 20 + T  N-4-T    the schedule bytes
 *   if flag 0:  u32      metadata length M
 *               M bytes  metadata: UTF-8 "key=value" lines split by '\n'
 *                        (keys [A-Za-z0-9_.-]+; e.g. checker=, seed=,
 *                        strategy=); no NUL
 *   last        u32      CRC-32 (IEEE) of every byte before it
 *
 * A file with the magic is parsed strictly: an unknown version, a reserved
 * flag, a truncation, trailing bytes, a bad checksum or (flag 1) a text
 * length past the payload or text that does not parse is refused. Any
 * other byte string is a raw input.
 *
 * Why two payload kinds: the raw format is small and is what fuzzers
 * mutate, but its bounds (8 programs of 64 instructions, 16 starts, 8
 * threads) are far below the text form's, and a scenario written by hand
 * or by the stress runner must save and replay too. gs_input_save uses
 * the raw kind whenever gs_input_representable says it can, so a file
 * of a fuzzer's finding stays byte-compatible with older readers; only a
 * scenario beyond the raw bounds gets flag 1, which a reader from before
 * flag 1 existed refuses as a reserved flag, as it should. The text is
 * length-prefixed rather than NUL-terminated so that its end is known
 * without scanning and no schedule byte can be mistaken for text.
 * Format versions 1 and 2 cover both kinds; version 2 added the waker.
 */
#ifndef GSTORM_HARNESS_H
#define GSTORM_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "rt.h"

/* Bounds of a decoded scenario (see the layout above). */
enum {
    GS_INPUT_MAX_THREADS = 8,
    GS_INPUT_MAX_PROCS = 4,
    GS_INPUT_HEAP_UNIT = 16, /* heapcap is a multiple of this */
    GS_INPUT_MAX_HEAP = 4096,
    GS_INPUT_MAX_PROGS = 8,
    GS_INPUT_MAX_INSTRS = 64,
    GS_INPUT_MAX_FRAME = 16,
    GS_INPUT_MAX_START = 16,
    GS_INPUT_MAX_GS = 128,  /* goroutines started and spawned, worst case */
    GS_INPUT_CALL_MOD = 64, /* CALL n: n < 64 (frames of 1..64 slots) */
    GS_INPUT_TICKS_MOD = 16,
    GS_INPUT_SPIN_UNIT = 16,
    GS_INPUT_VERSION = 2,    /* the newest file format version (reads 1..2) */
    GS_INPUT_NOWAKER = 0xF8, /* byte 0's bits that switch the waker off */
    GS_INPUT_HEADER = 16,    /* bytes before the payload */
    GS_INPUT_TEXTLEN = 4,    /* flag 1: the text length before the text */
};

/*
 * gs_input_decode decodes data[0..len) (a raw fuzzer input) into *sc.
 * It is total: every byte string gives a scenario within the bounds
 * above. *sched and *schedlen (either may be NULL) get the schedule bytes
 * that follow the scenario, a pointer into data. Returns RT_OK.
 */
int gs_input_decode(const uint8_t *data, size_t len, rt_scenario *sc,
                    const uint8_t **sched, size_t *schedlen);

/*
 * gs_input_redecode is gs_input_decode for a loop that decodes into the
 * same *sc again and again (a fuzz target): sc must hold what an earlier
 * gs_input_decode or gs_input_redecode wrote (or be all zeros), and only
 * the parts that decoding used are cleared, not the whole half megabyte.
 * The result is the same as gs_input_decode's.
 */
int gs_input_redecode(const uint8_t *data, size_t len, rt_scenario *sc,
                      const uint8_t **sched, size_t *schedlen);

/*
 * gs_input_decode_version decodes as format version `version` did: 1
 * never appends the waker (a gstorm file of version 1 replays as it was
 * saved); 2 and later is gs_input_decode.
 */
int gs_input_decode_version(const uint8_t *data, size_t len, unsigned version,
                            rt_scenario *sc, const uint8_t **sched,
                            size_t *schedlen);

/*
 * gs_input_encode writes the raw bytes of sc followed by the schedule
 * into buf (at most buflen bytes) and returns the length needed, so that
 * gs_input_decode of them gives sc and the schedule back. Returns 0 if sc
 * is not representable (gs_input_representable says why).
 */
size_t gs_input_encode(const rt_scenario *sc, const uint8_t *sched,
                       size_t schedlen, uint8_t *buf, size_t buflen);

/*
 * gs_input_representable says whether gs_input_encode can represent
 * sc; if not, it writes the first reason into why (whylen bytes, may be
 * 0) and returns 0.
 */
int gs_input_representable(const rt_scenario *sc, char *why, size_t whylen);

/*
 * gs_input_load reads a scenario and its schedule from the bytes of a
 * file: a gstorm file (magic) strictly, anything else as a raw input.
 * *sched points into file. Returns RT_OK; RT_EVERSION for a version this
 * code does not read; RT_EINVAL for a damaged file. On failure err gets
 * a message naming the offset of the problem.
 */
int gs_input_load(const uint8_t *file, size_t len, rt_scenario *sc,
                  const uint8_t **sched, size_t *schedlen, char *err,
                  size_t errlen);

/* The forms of input that gs_input_load reads (gs_input_form). */
enum {
    GS_INPUT_RAW = 0,       /* a raw fuzzer input: no magic */
    GS_INPUT_FILE = 1,      /* a gstorm file with a raw payload */
    GS_INPUT_FILE_TEXT = 2, /* a gstorm file with a text payload (flag 1) */
};

/*
 * gs_input_form says which of the forms above the bytes of a file are:
 * *form gets GS_INPUT_RAW, GS_INPUT_FILE or GS_INPUT_FILE_TEXT.
 * Returns RT_OK or the error of gs_input_load for the same bytes (err
 * gets its message).
 */
int gs_input_form(const uint8_t *file, size_t len, int *form, char *err,
                  size_t errlen);

/*
 * gs_input_meta finds the metadata text of a gstorm file: *meta points
 * into file (not NUL-terminated) with *metalen bytes; NULL and 0 for a raw
 * input or a file without metadata. Returns RT_OK or the error of
 * gs_input_load for the same bytes.
 */
int gs_input_meta(const uint8_t *file, size_t len, const char **meta,
                  size_t *metalen, char *err, size_t errlen);

/*
 * gs_input_badmeta checks metadata text meta[0..mlen) against the layout
 * above: key=value lines split by '\n' (an empty line too), keys
 * [A-Za-z0-9_.-]+, no NUL. Returns -1 if it is good, else the offset of
 * the first bad byte.
 */
long gs_input_badmeta(const char *meta, size_t mlen);

/*
 * gs_input_file builds the bytes of a gstorm file holding sc, the
 * schedule and meta (NULL, or key=value lines) into a malloc'd *out of
 * *outlen bytes. The payload is the raw format if
 * gs_input_representable(sc), else the text form (flag 1). Returns
 * RT_OK; RT_EINVAL if sc cannot be saved (its text form does not parse
 * back into exactly sc: sc must be a scenario rt_scenario_parse or
 * gs_input_decode could give) or meta is malformed; RT_ENOMEM. err says
 * why; it names no file.
 */
int gs_input_file(const rt_scenario *sc, const uint8_t *sched, size_t schedlen,
                  const char *meta, uint8_t **out, size_t *outlen, char *err,
                  size_t errlen);

/*
 * gs_input_save writes the file of gs_input_file at path with
 * gs_writefile: atomically (readers see the old file or the new one,
 * never a part), and never over a path that is not a regular file.
 * Returns the error of gs_input_file, or of gs_writefile (RT_EINVAL for
 * a refused path, RT_EIO; err then starts with path).
 */
int gs_input_save(const char *path, const rt_scenario *sc, const uint8_t *sched,
                  size_t schedlen, const char *meta, char *err, size_t errlen);

/* ---- common ----------------------------------------------------------- */

/* Exit codes of every front end (README.md lists them). */
enum {
    GS_EXIT_OK = 0,        /* clean; or the command did what was asked */
    GS_EXIT_VIOLATION = 1, /* a rule was violated (a finding) */
    GS_EXIT_USAGE = 2,     /* bad usage, a bad flag or a bad input file */
    GS_EXIT_INTERNAL = 3,  /* an internal error: out of memory or another
                              resource, I/O, lost output */
};

enum {
    GS_MAX_FILE = 64u << 20, /* bytes of an input file: a full text
                                scenario is about 2 MB, schedules small */
    GS_MAX_RULE = 96,        /* bytes of a rule id or a finding key */
    GS_DEFAULT_DEPTH = 3,    /* PCT depth: most bugs need 1..3 (SCTBench) */
    GS_MAX_DEPTH = 8,        /* the sim's largest PCT depth (rt.h) */
    GS_ERRLEN = 4096 + 256,  /* an error message: a path of PATH_MAX
                                (4096 on Linux) and the reason */
};

/* The values of a repeatable flag, in order. */
typedef struct gs_strlist {
    const char *v[64];
    size_t n;
} gs_strlist;

/* gs_now returns a monotonic clock in seconds (wall time: for the front
 * ends' own bounds and progress lines, never for a sim run). */
double gs_now(void);

/*
 * gs_escape writes s[0..n) into buf (cap bytes, NUL-terminated, cut
 * between escapes) so that a message shows every byte: printable ASCII
 * as is, a backslash and a quote as \\ and \', CR, LF and tab as \r, \n
 * and \t, any other byte as \xHH. Returns the length needed, like
 * snprintf. For quoting a value from a file or the command line in a
 * refusal: an invisible character is then the visible reason.
 */
size_t gs_escape(const char *s, size_t n, char *buf, size_t cap);

/* gs_fail writes a message into err (errlen bytes; nothing if err is
 * NULL or errlen 0) like snprintf, and returns rc: the one way the
 * library fills an error buffer, `return gs_fail(RT_EINVAL, err, ...)`. */
int gs_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- files (file.c) ------------------------------------------------------ */

/*
 * gs_readfile reads a whole file ("-": standard input), at most max bytes,
 * into a malloc'd buffer with a NUL after it. On failure returns NULL
 * with "PATH: why" in err.
 */
char *gs_readfile(const char *path, size_t max, size_t *len, char *err,
                  size_t errlen);

/* gs_writeall writes n bytes to fd, through short writes and EINTR;
 * returns 0, or -1 with errno set. */
int gs_writeall(int fd, const void *data, size_t n);

/*
 * gs_writefile writes len bytes to path atomically: a temporary file
 * beside it, fsync, rename over path, fsync of the directory. Readers see
 * the old file or the new one, never a part. It refuses (RT_EINVAL, err
 * says why) a path that exists and is not a regular file (a device, a
 * symlink, a directory, a FIFO), an empty path, and a name too long for
 * its temporary; RT_EIO for a write that failed (nothing is left behind).
 */
int gs_writefile(const char *path, const void *data, size_t len, char *err,
                 size_t errlen);

/* ---- saved runs (saved.c) ------------------------------------------------ */

/* A loaded run: a file's bytes and what they hold. */
typedef struct gs_loaded {
    uint8_t *file; /* the file's bytes (owned) */
    size_t len;
    rt_scenario *sc;      /* the scenario (owned) */
    const uint8_t *sched; /* schedule bytes, into file (NULL if none) */
    size_t nsched;
    const char *meta; /* metadata lines, into file (NULL if none) */
    size_t mlen;
    int form; /* GS_INPUT_RAW, _FILE or _FILE_TEXT */
} gs_loaded;

/*
 * gs_load reads path as a gstorm file or a raw fuzzer input into *l.
 * Returns GS_EXIT_OK; GS_EXIT_USAGE with "PATH: why" in err (unreadable,
 * damaged, an unknown version); GS_EXIT_INTERNAL (out of memory).
 * gs_unload frees what it allocated.
 */
int gs_load(const char *path, gs_loaded *l, char *err, size_t errlen);
void gs_unload(gs_loaded *l);

/*
 * gs_loadscenario reads a scenario to run: a gstorm file (its scenario;
 * schedule and metadata are not used) or a text scenario. Returns NULL
 * with *exitcode set (GS_EXIT_USAGE: err has "PATH:LINE:COL: why" or
 * "PATH: why"; GS_EXIT_INTERNAL). The result is malloc'd.
 */
rt_scenario *gs_loadscenario(const char *path, char *err, size_t errlen,
                             int *exitcode);

/*
 * gs_metaget finds key in the metadata lines meta[0..mlen) and copies its
 * value (NUL-terminated, truncated to cap) into val. Returns whether the
 * key is there; a later line with the same key wins.
 */
bool gs_metaget(const char *meta, size_t mlen, const char *key, char *val,
                size_t cap);

/*
 * How a sim run was driven: what a saved run's metadata says, and what a
 * search fills in for each of its runs. The metadata keys (one place
 * each way: gs_spec_to_meta writes them, gs_spec_from_meta reads them):
 *
 *   strategy=bytes|random|pct|rr  the schedule source (default bytes: the
 *                                 file's schedule bytes, then round-robin)
 *   seed=N        seeds the source's PRNG and the runtime's (default 0)
 *   depth=D       PCT depth, 1..8 (default 3)
 *   steps_hint=K  PCT's k, the expected yield points (0: the sim's)
 *   step_budget=N yield points before the run is cut (0: the sim's)
 *   bound_ns=N    liveness bound of a quiesce, virtual ns (0: rt's)
 *   faults=ID,... injected faults by catalog id (default none)
 *   rule=R        the rule (finding key) the run violated when it was
 *                 saved; replay says whether it reproduced
 *   fault=ID,...  a regression reproducer (gstorm min --regress): the
 *                 faults it was minimized under, off when it replays
 *                 (it must run clean) until --fault switches them on
 *   expect=R      ... and the rule it must then violate
 *   found-by=, run=  notes for people, kept but not interpreted
 */
typedef struct gs_spec {
    uint32_t kind;  /* an rt_sim_kind */
    uint32_t depth; /* PCT depth */
    uint64_t seed, steps_hint, step_budget, bound_ns;
    uint64_t faults;          /* a bit per fault, as rt_options.faults */
    char rule[GS_MAX_RULE];   /* "" if none */
    uint64_t regress;         /* fault=: a bit per fault, 0 if none */
    char expect[GS_MAX_RULE]; /* expect=: "" if none */
    char foundby[32];         /* "" if none */
    uint64_t run;             /* 0 if none */
} gs_spec;

/* gs_spec_default: bytes source, seed 0, depth 3, nothing else. */
void gs_spec_default(gs_spec *s);

/*
 * gs_spec_from_meta reads metadata into *s (starting from the defaults).
 * Returns RT_OK, or RT_EINVAL with "metadata KEY='VALUE' is not ..." in
 * err. gs_spec_to_meta writes the keys above (only notes that are set)
 * into buf like snprintf, returning the length needed.
 */
int gs_spec_from_meta(const char *meta, size_t mlen, gs_spec *s, char *err,
                      size_t errlen);
size_t gs_spec_to_meta(const gs_spec *s, char *buf, size_t cap);

/*
 * gs_spec_options assembles the options of one sim run from *s: the
 * schedule bytes (used by the bytes source) and the fields above. *src
 * is filled and opt->sim points at it; every other option is zero.
 */
void gs_spec_options(const gs_spec *s, const uint8_t *sched, size_t nsched,
                     rt_sim_source *src, rt_options *opt);

/*
 * gs_faults_parse reads a comma-separated list of fault ids ("S3,S7")
 * into *bits (bit i: rt_fault(i)); "" is no fault. Returns RT_OK, or
 * RT_EINVAL with the first id that is not in the catalog (escaped) in
 * bad.
 */
int gs_faults_parse(const char *list, uint64_t *bits, char *bad, size_t badcap);

/*
 * gs_faults_select is how every front end that runs rt picks faults: the
 * union of its --fault flags (each a list as above) and the environment
 * variable GSTORM_FAULT (the same form). *given says whether either named
 * any (then they replace what a saved run's metadata says). Returns
 * RT_OK, or RT_EINVAL with "--fault: 'X' is not a fault id ..." or
 * "GSTORM_FAULT: ..." in err.
 */
int gs_faults_select(const gs_strlist *flags, uint64_t *bits, bool *given,
                     char *err, size_t errlen);

/* Strategy names, by rt_sim_kind: gs_strategy_name returns "bytes",
 * "random", "pct" or "rr" ("?" otherwise); gs_strategy_parse maps a name
 * back, or returns -1. */
const char *gs_strategy_name(uint32_t kind);
int gs_strategy_parse(const char *name);

/* ---- flags (flags.c) ------------------------------------------------------
 */

typedef enum gs_flagkind {
    GS_FLAG_BOOL,   /* no value; out: bool* */
    GS_FLAG_U64,    /* a decimal in [lo, hi]; out: uint64_t* */
    GS_FLAG_STR,    /* a non-empty string; out: const char ** */
    GS_FLAG_CHOICE, /* one of choices (case-insensitive); out: int*, the
                       index */
    GS_FLAG_LIST,   /* repeatable string, empty too; out: gs_strlist* */
    GS_FLAG_TEXT,   /* a string, empty too (where empty means something,
                       e.g. no schedule bytes); out: const char ** */
} gs_flagkind;

/* One flag of a subcommand. */
typedef struct gs_flag {
    const char *name;  /* "--threads" */
    const char *alias; /* "-o", or NULL */
    gs_flagkind kind;
    uint64_t lo, hi;            /* GS_FLAG_U64 */
    const char *const *choices; /* GS_FLAG_CHOICE, NULL-ended */
    void *out;                  /* see gs_flagkind */
    bool *seen;                 /* set when given (may be NULL) */
} gs_flag;

/*
 * gs_flags_parse parses argv[1..argc) of subcommand cmd ("run") against
 * flags: "--help"/"-h" sets *help and stops; other arguments are
 * positional, stored in pos (at most maxpos, *npos of them). On a bad
 * flag or value, or too many positionals, prints "gstorm CMD: what is
 * wrong" on stderr and returns GS_EXIT_USAGE; else GS_EXIT_OK.
 */
int gs_flags_parse(const char *cmd, int argc, char **argv, const gs_flag *flags,
                   size_t nflags, const char **pos, size_t maxpos, size_t *npos,
                   bool *help);

/* ---- one run in a child (child.c) ---------------------------------------- */

/* What one run in a child did. */
typedef enum gs_outkind {
    GS_OUT_CLEAN,     /* rt_run returned: st is its stats */
    GS_OUT_RULE,      /* a checker's rule was violated: key is the rule id */
    GS_OUT_RESOURCE,  /* the run ran out of a resource (a rule of checker
                         "resource", or the child's memory bound): not a
                         protocol violation, never a finding */
    GS_OUT_SANITIZER, /* a sanitizer reported: key is "asan.KIND",
                         "tsan.KIND", "ubsan.KIND" or "lsan.leak" */
    GS_OUT_SIGNAL,    /* the child died of a signal: key "signal.SIGSEGV" */
    GS_OUT_TIMEOUT,   /* the child outlived its time bound: key "timeout" */
    GS_OUT_ERROR,     /* rt_run refused the run: code is its RT_E* */
} gs_outkind;

typedef struct gs_outcome {
    gs_outkind kind;
    int code;                 /* GS_OUT_ERROR: rt_run's code */
    char key[GS_MAX_RULE];    /* the finding key (see gs_outkind); "" clean */
    rt_stats st;              /* GS_OUT_CLEAN */
    char frames[GS_MAX_RULE]; /* the top three frames of a stack in the
                                 child's stderr, "f0;f1;f2" (gs_top_frames;
                                 "" if none) */
} gs_outcome;

/* Bounds and plumbing of a child run. */
typedef struct gs_childcfg {
    uint32_t timeout_s; /* wall-clock bound (0: 120 s); the child also
                           carries it itself, as an alarm and a CPU
                           limit, in case the parent dies first */
    uint32_t mem_mb;    /* address-space bound (0: 4096); not applied
                           in sanitizer builds, whose shadow memory
                           needs far more address space */
    bool quiet;         /* the child's stderr is discarded; otherwise it
                           is passed through once the child has ended */
} gs_childcfg;

/*
 * gs_child_run runs sc with opt in a forked child, bounded by cfg, and
 * classifies what happened into *out. The child dies with the parent
 * (PR_SET_PDEATHSIG) and a SIGINT or SIGTERM to the parent kills the
 * running child before the parent ends (gs_child_signals). Returns
 * false only if the child could not be started (err says why).
 */
bool gs_child_run(const rt_scenario *sc, const rt_options *opt,
                  const gs_childcfg *cfg, gs_outcome *out, char *err,
                  size_t errlen);

/*
 * gs_sanitizer_key recognizes a sanitizer's report in text (a run's
 * stderr) and writes its finding key into key: "asan.heap-use-after-free"
 * from "ERROR: AddressSanitizer: heap-use-after-free on ...",
 * "tsan.data-race" from "WARNING: ThreadSanitizer: data race",
 * "ubsan.KIND" from "runtime error: KIND" (its first three words),
 * "lsan.leak". Returns false if there is none.
 */
bool gs_sanitizer_key(const char *text, char *key, size_t cap);

/* gs_outcome_finding says whether an outcome is a finding (a rule, a
 * sanitizer report, a signal or a timeout). */
bool gs_outcome_finding(const gs_outcome *o);

enum {
    GS_MAX_KEY = 2 * GS_MAX_RULE, /* bytes of a finding's group key */
};

/*
 * gs_outcome_key writes the group key of outcome o into key (cap bytes,
 * GS_MAX_KEY is enough): its finding key, then "@" and an FNV-1a hash
 * of its top frames if it has any, as ClusterFuzz groups crashes. What
 * `gstorm triage` prints and a campaign's findings.tsv records.
 */
void gs_outcome_key(const gs_outcome *o, char *key, size_t cap);

/*
 * gs_throw_exit is the throw hook of a front end that runs rt in its own
 * process: it classifies the rule (rt_rule_find) and exits with
 * GS_EXIT_VIOLATION, or GS_EXIT_INTERNAL for a resource rule, after one
 * line naming it on stderr. Never returns.
 */
_Noreturn void gs_throw_exit(const char *rule);

/* ---- runs in process, and a worker (pool.c) ------------------------------
 *
 * The one in-process run of a gs_spec: the fuzz targets call it for each
 * input, a worker for each request, `gstorm explore --isolate none` in
 * a loop. A worker is a long-lived child that runs many of them, one at
 * a time, bounded like a gs_child_run child (the same memory bound, a
 * watchdog alarm per run, the parent's deadline, PR_SET_PDEATHSIG, and
 * killed by the parent's SIGINT/SIGTERM handler); a run that fails ends
 * it, and the next request starts a new one.
 */

/*
 * gs_spec_run runs sc on the sim backend as *s says, the schedule bytes
 * sched (the bytes source), quiet (a program deadlock is counted in
 * st->deadlocked, not printed), in this process: a violation runs the
 * throw hook. Returns rt_run's code.
 */
int gs_spec_run(const rt_scenario *sc, const gs_spec *s, const uint8_t *sched,
                size_t nsched, rt_stats *st);

/* Runs a worker is sent ahead at most (gs_worker_run). */
enum { GS_WORKER_AHEAD = 16 };

/* A worker and its counters. Fields are read-only for callers. */
typedef struct gs_worker {
    const rt_scenario *sc;      /* every run's scenario (the worker's copy is
                                   the one it was forked with) */
    gs_childcfg cfg;            /* bounds of each run (quiet is implied) */
    pid_t pid;                  /* the worker, 0 when none runs */
    int fd;                     /* the parent's end of its socket, -1 if none */
    FILE *errf;                 /* its stderr, an unlinked temporary file */
    uint64_t served;            /* runs the current worker answered */
    uint64_t started;           /* workers started so far */
    gs_spec q[GS_WORKER_AHEAD]; /* runs sent ahead, unanswered, in order */
    size_t nq;
} gs_worker;

/* gs_worker_init prepares *w to run sc under cfg; no process starts
 * until the first gs_worker_run. */
void gs_worker_init(gs_worker *w, const rt_scenario *sc,
                    const gs_childcfg *cfg);

/*
 * gs_worker_run runs spec s with schedule bytes sched[0..nsched) (at most
 * 1 MiB) in the worker, starting one if none runs, and fills *out.
 * next[0..nnext) (none: NULL, 0) are the runs, without schedule bytes,
 * that the caller will ask for next, in order: up to GS_WORKER_AHEAD of
 * them are sent ahead, so that the worker finds them waiting, and it
 * sends its answers several at a time (one wake-up for many runs). A
 * later call for the next of them takes its answer; for another run,
 * the worker is replaced first. If the worker dies with runs sent after
 * s, s is run again alone in a new worker, so that *out is s's own. A
 * clean run (GS_OUT_CLEAN, with its stats) or a refused one
 * (GS_OUT_ERROR) leaves the worker running. Any other outcome ended it:
 * *out is classified as gs_child_run classifies a child, from its last
 * message, its wait status and what it wrote on stderr (which is not
 * passed on: re-run the input with gs_child_run for the report).
 * Returns false only if no worker could be started (err says why).
 */
bool gs_worker_run(gs_worker *w, const gs_spec *s, const uint8_t *sched,
                   size_t nsched, const gs_spec *next, size_t nnext,
                   gs_outcome *out, char *err, size_t errlen);

/* gs_worker_stop ends the worker, if one runs, and waits for it. */
void gs_worker_stop(gs_worker *w);

/* ---- minimizing and triage (shrink.c) ------------------------------------
 *
 * The minimizer's passes work on a scenario and its bytes-source schedule
 * against a test the caller gives (gstorm min: "the same finding key
 * still fires", checked by a child run). A candidate is kept only when
 * the test passes, so every pass leaves a failing input failing. DejaFu's
 * order, plus the programs: fewer goroutines and ops first, then fewer
 * preemptions and switches (schedule bytes dropped, lowered toward 0),
 * then lexicographically smaller. Every candidate the passes build is
 * canonical (gs_input_file can save it): a deleted op takes its operands
 * with it, a NOP has none, GO operands stay below nprogs.
 */

/* The test: does this candidate still show the finding? */
typedef bool (*gs_shrink_fn)(const rt_scenario *sc, const uint8_t *sched,
                             size_t nsched, void *arg);

/* A shrinking session: the test and its bounds. */
typedef struct gs_shrinker {
    gs_shrink_fn test;
    void *arg;
    uint64_t max_tests; /* candidates to try at most (0: no bound) */
    double deadline;    /* a gs_now() time to stop at (0: none) */
    uint64_t tests;     /* out: candidates tried */
    bool cut;           /* out: a bound stopped the passes early */
    rt_scenario *cand;  /* scratch (gs_shrink allocates it) */
    /* Optional: when a changed scenario no longer fails with the
     * current schedule, find it another (e.g. rerun the input's seeded
     * source and record it): at most cap bytes into sched, their count
     * in *n; return whether the scenario fails the test with them. It
     * counts as one candidate. NULL: the schedule stays. */
    bool (*resched)(const rt_scenario *sc, uint8_t *sched, size_t *n,
                    size_t cap, void *arg);
    size_t sched_cap; /* room in the schedule buffer (at least its
                         length; gs_shrink raises it to that) */
    uint8_t *alt;     /* scratch for resched (gs_shrink allocates it) */
    /* Optional: the preemptions of the run the test last passed (e.g.
     * rt_sim_record.preemptions of a recording child). With it,
     * gs_shrink_preempts removes preemptions as its own step, and the
     * schedule passes keep no candidate that has more than the best. */
    uint64_t (*preempts)(void *arg);
    bool cap_preempts;      /* with preempts: no candidate with more */
    uint64_t max_preempts;  /* than this is kept, not even one with fewer
                               ops */
    uint64_t best_preempts; /* out: the current best's (with preempts) */
    uint64_t last_preempts; /* scratch: the last passing run's */
} gs_shrinker;

/* How big a reproducer is. */
typedef struct gs_size {
    uint64_t gs;       /* goroutines: started, plus GO ops in programs */
    uint64_t ops;      /* instructions that are not NOP */
    uint64_t sched;    /* schedule bytes */
    uint64_t switches; /* schedule bytes that switch (offset != 0) */
} gs_size;

/* gs_size_of measures sc and its schedule into *z. */
void gs_size_of(const rt_scenario *sc, const uint8_t *sched, size_t nsched,
                gs_size *z);

/*
 * gs_shrink runs every pass below in order until none makes progress or
 * a bound is reached, shrinking *sc and sched[0..*nsched) in place (the
 * schedule only shrinks, so sched needs no room beyond *nsched). The
 * caller has checked that the input passes the test; with resched, sched
 * must have room for s->sched_cap bytes. Deterministic: the
 * same input, test and max_tests give the same result. Returns RT_OK, or
 * RT_ENOMEM.
 */
int gs_shrink(gs_shrinker *s, rt_scenario *sc, uint8_t *sched, size_t *nsched);

/*
 * The passes, each returning whether it kept a smaller candidate
 * (s->cand must be allocated, as gs_shrink does): gs_shrink_starts drops
 * started goroutines (one is always kept); gs_shrink_gos deletes GO
 * instructions; gs_shrink_ins deletes instructions, in halving chunks;
 * gs_shrink_nops replaces single instructions by NOP; gs_shrink_progs
 * removes programs nothing starts; gs_shrink_operands lowers CALL sizes,
 * SPIN counts and SYSCALL ticks; gs_shrink_truncate cuts each program
 * to its shortest failing length; gs_shrink_fold replaces a range of
 * instructions by one SPIN as long as the range's SPINs (a wait that
 * needs time, not ops); gs_shrink_pairs deletes two instructions at once
 * (a LOCK and its UNLOCK), in small programs only; gs_shrink_preempts
 * (with s->preempts) turns preempting schedule bytes into non-switching
 * ones, or drops them, when that leaves fewer preemptions; gs_shrink_sched cuts
 * the schedule (shortest prefix, chunks dropped) and lowers its bytes (0, then
 * one yield point, then no switch).
 */
typedef bool gs_shrink_pass(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                            size_t *nsched);
gs_shrink_pass gs_shrink_starts, gs_shrink_gos, gs_shrink_ins, gs_shrink_nops,
    gs_shrink_progs, gs_shrink_operands, gs_shrink_truncate, gs_shrink_fold,
    gs_shrink_pairs;
bool gs_shrink_preempts(gs_shrinker *s, const rt_scenario *sc, uint8_t *sched,
                        size_t *nsched);
bool gs_shrink_sched(gs_shrinker *s, const rt_scenario *sc, uint8_t *sched,
                     size_t *nsched);
/* gs_shrink_prefix is gs_shrink_sched's first step alone: the shortest
 * prefix of the schedule that still fails, by bisection. */
bool gs_shrink_prefix(gs_shrinker *s, const rt_scenario *sc, uint8_t *sched,
                      size_t *nsched);

/*
 * gs_top_frames finds the first three stack frames of a report in text
 * (lines "#N 0x... in FUNC ...", as sanitizers print them) and writes
 * their function names joined by ';' into buf (cap bytes); "" if there
 * are none. Returns the number of frames found. triage hashes them into
 * a finding's key, as ClusterFuzz groups crashes by their top frames.
 */
int gs_top_frames(const char *text, char *buf, size_t cap);

#endif /* GSTORM_HARNESS_H */
