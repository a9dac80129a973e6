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
 * So a decoded scenario never runs more than GS_INPUT_MAX_GS goroutines.
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
 *   offset 8    u16      format version: 1
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
 * Format version 1 covers both kinds.
 */
#ifndef GSTORM_HARNESS_H
#define GSTORM_HARNESS_H

#include <stddef.h>
#include <stdint.h>

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
    GS_INPUT_VERSION = 1, /* the file format version this code reads */
    GS_INPUT_HEADER = 16, /* bytes before the payload */
    GS_INPUT_TEXTLEN = 4, /* flag 1: the text length before the text */
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
 * gs_input_save writes sc, the schedule and meta (NULL, or key=value
 * lines) as a gstorm file at path, atomically: a temporary file in the
 * same directory, fsync, rename over path, fsync of the directory.
 * Readers see the old file or the new one, never a part. The payload is
 * the raw format if gs_input_representable(sc), else the text form
 * (flag 1). Returns RT_OK; RT_EINVAL if sc cannot be saved (its text
 * form does not parse back into exactly sc: sc must be a scenario
 * rt_scenario_parse or gs_input_decode could give) or meta is
 * malformed; RT_ENOMEM; RT_EIO (err says why) if the file could not be
 * written.
 */
int gs_input_save(const char *path, const rt_scenario *sc, const uint8_t *sched,
                  size_t schedlen, const char *meta, char *err, size_t errlen);

#endif /* GSTORM_HARNESS_H */
