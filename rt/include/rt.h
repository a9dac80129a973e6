/*
 * rt.h - the one public header of rt, gstorm's goroutine runtime.
 *
 * rt runs scenarios: a set of small VM programs started as goroutines on a
 * runtime with Ms (OS threads or simulated fibers), Ps (processors with run
 * queues) and a garbage collector that reaches every goroutine's stack
 * through the GC safepoint protocol of Go's 2014 runtime (stopg, restartg,
 * quiesce and the Gscan bit of the status word).
 *
 * Public names are rt_ / RT_. Calls that can fail return a negative RT_E*
 * code. A broken runtime invariant never returns an error: it throws (see
 * rt_throw_hook below).
 */
#ifndef RT_H
#define RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes returned by public calls. */
enum {
    RT_OK = 0,
    RT_EINVAL = -1,   /* a bad argument or a bad scenario */
    RT_ENOMEM = -2,   /* an allocation failed */
    RT_EVERSION = -3, /* a file from an unknown format version */
    RT_EIO = -4,      /* reading or writing a file failed */
};

/*
 * The VM's operations. A program is a straight sequence of instructions;
 * every operand is a small unsigned number, and every number is valid:
 * slot, field, semaphore, global and program operands are taken modulo
 * their range at run time, so any byte string decodes to a runnable program.
 */
typedef enum rt_opcode {
    RT_OP_NOP = 0, /* nothing */
    RT_OP_CALL,    /* CALL n: push a frame of n slots (prologue: stack check) */
    RT_OP_RET,     /* RET: pop the current frame (no-op in the base frame) */
    RT_OP_NEW,     /* NEW s: allocate an object, reference in slot s */
    RT_OP_MOV,     /* MOV d s: slot d = slot s */
    RT_OP_LOAD,    /* LOAD d s f: slot d = field f of the object in slot s */
    RT_OP_STORE,   /* STORE s f t: field f of object in slot s = slot t */
    RT_OP_USE,     /* USE s: dereference slot s; the object must be live */
    RT_OP_BLOCK,   /* BLOCK c: acquire semaphore c, parking if it is zero */
    RT_OP_WAKE,    /* WAKE c: release semaphore c, readying one waiter */
    RT_OP_SYSCALL, /* SYSCALL t: a blocking system call of t ticks */
    RT_OP_YIELD,   /* YIELD: Gosched */
    RT_OP_SPIN,    /* SPIN n: n loop iterations with no preemption point */
    RT_OP_GO,      /* GO p s: spawn program p, its slot 0 = our slot s */
    RT_OP_GC,      /* GC: run a collection from this goroutine */
    RT_OP_EXIT,    /* EXIT: goexit */
    RT_OP_GSET,    /* GSET g s: global g = slot s (a heap write) */
    RT_OP_GGET,    /* GGET s g: slot s = global g */
    RT_OP__COUNT
} rt_opcode;

/* One instruction: an opcode and up to three operands. */
typedef struct rt_instr {
    uint8_t op;  /* an rt_opcode; larger values are taken modulo */
    uint8_t pad; /* zero */
    uint16_t a;  /* first operand */
    uint16_t b;  /* second operand */
    uint16_t c;  /* third operand */
} rt_instr;

/* Limits that make every scenario bounded. */
enum {
    RT_MAX_PROGS = 64,    /* programs in a scenario */
    RT_MAX_INSTRS = 1024, /* instructions in one program */
    RT_MAX_START = 256,   /* goroutines started by the scenario */
    RT_MAX_FRAME = 64,    /* slots in one frame (CALL n takes n % 64 + 1) */
    RT_NSEMA = 8,         /* semaphores (BLOCK/WAKE c take c % 8) */
    RT_NGLOBALS = 8,      /* global slots (GSET/GGET g take g % 8) */
    RT_NFIELDS = 2,       /* pointer-sized fields in every heap object */
    RT_MAX_PROCS = 64,    /* Ps */
    RT_MAX_THREADS = 128, /* Ms */
};

/* A program: its instructions and the size of its base frame. */
typedef struct rt_prog {
    uint16_t nins;               /* number of instructions */
    uint16_t frame;              /* base frame slots, 1..RT_MAX_FRAME */
    rt_instr ins[RT_MAX_INSTRS]; /* the instructions */
} rt_prog;

/* The collector that the GC op runs. */
typedef enum rt_gcmode {
    RT_GC_STW = 0,     /* stop the world, markroot through stopg, sweep */
    RT_GC_QUIESCE = 1, /* quiesce every G in GCquiesce, then as RT_GC_STW */
    RT_GC_CONC = 2,    /* quiesce in GCmark: stacks scanned one G at a time
                          while the others run, hybrid write barrier, then
                          a short stop-the-world mark termination */
} rt_gcmode;

/* A scenario: configuration, programs and the goroutines to start. */
typedef struct rt_scenario {
    uint32_t nthreads;            /* at most this many Ms (0: default 4) */
    uint32_t nprocs;              /* Ps (0: default 2) */
    uint32_t gcmode;              /* an rt_gcmode */
    uint32_t heapcap;             /* heap objects (0: default 4096) */
    uint32_t nprogs;              /* programs in progs */
    uint32_t nstart;              /* goroutines in start */
    uint16_t start[RT_MAX_START]; /* program index of each started G */
    rt_prog progs[RT_MAX_PROGS];
} rt_scenario;

/* Backends of the platform layer. */
typedef enum rt_backend {
    RT_BACKEND_THREADS = 0, /* real pthreads, atomics and blocking */
    RT_BACKEND_SIM = 1,     /* fibers on one OS thread, virtual time */
} rt_backend;

/* Schedule sources of the sim backend: who runs at each yield point. */
typedef enum rt_sim_kind {
    RT_SIM_BYTES = 0,  /* decisions read from bytes; then round-robin */
    RT_SIM_RANDOM = 1, /* a seeded PRNG picks a runnable M at each point */
    RT_SIM_PCT = 2,    /* PCT: random priorities, depth-1 change points */
    RT_SIM_RR = 3,     /* fair round-robin */
} rt_sim_kind;

/*
 * A recording of one sim run's schedule as RT_SIM_BYTES decisions
 * (rt_sim_source.record): whatever the source, the run writes into buf
 * the bytes that make a bytes source with the same seed and scenario
 * make the same choices at the same yield points, so the same run.
 * Consecutive points that keep the running fiber share a byte's slice
 * (see the bytes source in os_sim.c). len is valid at every yield point,
 * so a run that throws leaves a usable prefix. overflow: a decision did
 * not fit in cap bytes, or needed an offset of 32 or more in the run
 * list; the bytes are then only a prefix. preemptions counts the
 * decisions of the source that switched away from a fiber that could
 * have gone on running (not one that blocked or exited, and not the end
 * of a round-robin time slice, which is no choice of the schedule's):
 * the schedule's preemptions, what a minimizer keeps as few as it can.
 */
typedef struct rt_sim_record {
    uint8_t *buf; /* the caller's buffer of cap bytes */
    size_t cap;
    size_t len;           /* bytes written so far */
    bool overflow;        /* the recording is incomplete */
    uint64_t preemptions; /* switches away from a runnable fiber */
} rt_sim_record;

typedef struct rt_sim_source {
    uint32_t kind;        /* an rt_sim_kind */
    uint32_t depth;       /* PCT depth d (1..8) */
    uint64_t seed;        /* PRNG seed (RANDOM, PCT) */
    uint64_t steps_hint;  /* PCT: expected yield points k (0: learn) */
    uint64_t step_budget; /* yield points before the run is cut (0: 1e8) */
    const uint8_t *bytes; /* RT_SIM_BYTES: the decisions */
    size_t nbytes;
    rt_sim_record *record; /* if set, the run records its decisions */
} rt_sim_source;

/* Options of one run, beside the scenario. */
typedef struct rt_options {
    uint32_t backend;          /* an rt_backend */
    uint32_t nthreads;         /* overrides the scenario's when nonzero */
    uint32_t nprocs;           /* overrides the scenario's when nonzero */
    uint64_t seed;             /* PRNG seed for the run */
    uint64_t quiesce_bound_ns; /* liveness bound of one quiesce (0: 10 s;
                                  virtual ns in sim); a stop-the-world
                                  gets 2x, a whole GC cycle 4x */
    uint64_t tick_ns;          /* length of one SYSCALL tick (0: 10000) */
    uint64_t faults;           /* injected faults, a bit per id (0: none) */
    bool quiet;                /* no note on stderr when the scenario
                                  deadlocks itself (fuzzers, tests) */
    /* Sim backend only: the schedule source (see rt_sim_source). */
    const struct rt_sim_source *sim;
    /* A command line that repeats this run, printed at the end of every
     * violation report (NULL: none). Copied at the start of the run. */
    const char *replay_hint;
    /* If set, every event is printed there as it happens, after a column
     * header, in rt_trace_print's columns (gstorm replay --trace); the
     * stream stops when a violation report begins. */
    FILE *trace;
    /* Goroutines one run may start (newproc, the scenario's own starts
     * included) before it throws liveness.budget: the bound that stops a
     * program that spawns itself forever, on real threads as in sim
     * (0: 1,000,000, ten times what `gstorm bench` starts). */
    uint64_t spawn_budget;
} rt_options;

/* What a run did; printed by `gstorm run` as its summary. */
typedef struct rt_stats {
    uint64_t ops;              /* VM instructions executed */
    uint64_t spawns;           /* goroutines started (newproc) */
    uint64_t greuse;           /* of those, dead Gs reused from a free list */
    uint64_t exits;            /* goexit */
    uint64_t gc_cycles;        /* collections completed */
    uint64_t gc_coalesced;     /* GC ops that found a cycle running */
    uint64_t preempt_reqs;     /* preemption requests posted */
    uint64_t preemptions;      /* preemptions taken in newstack (yield) */
    uint64_t selfscans;        /* GC work done by a G at its own
                                  preemption point (preemptscan) */
    uint64_t stack_grows;      /* stack copies to grow */
    uint64_t stack_shrinks;    /* stack copies to shrink at scan time */
    uint64_t stack_scans;      /* stacks scanned */
    uint64_t syscalls;         /* system calls */
    uint64_t syscall_handoffs; /* Ps retaken or handed off in a syscall */
    uint64_t parks;            /* goroutines parked */
    uint64_t yields;           /* YIELDs (gosched) */
    uint64_t readies;          /* goroutines readied */
    uint64_t steals;           /* runs stolen from another P */
    uint64_t objs_alloc;       /* heap objects allocated */
    uint64_t objs_freed;       /* heap objects swept */
    uint64_t alloc_fails;      /* NEW with a full heap (slot set to nil) */
    uint64_t stw;              /* stop-the-world pauses */
    uint64_t quiesces;         /* quiesce passes completed */
    uint64_t quiesce_ns_total; /* time inside quiesce, summed */
    uint64_t quiesce_ns_max;   /* longest quiesce */
    uint64_t stragglers;       /* Gs born after quiesce finished, scanned at
                                  mark termination */
    uint64_t max_gs;           /* largest allgs */
    uint64_t max_threads;      /* Ms started */
    uint64_t wall_ns;          /* length of the run (virtual in sim) */
    uint64_t heap_bytes;       /* bytes malloc'd by the run for Gs, Ms,
                                  stacks and allgs, at its end */
    uint64_t events;           /* trace events recorded */
    uint64_t sim_steps;        /* sim: yield points taken */
    uint64_t trace_hash;       /* sim: hash of the event sequence; the same
                                  input gives the same hash in every build */
    uint64_t deadlocked;       /* goroutines left blocked forever by the
                                  scenario's own BLOCKs (a program deadlock,
                                  not a runtime violation) */
    uint64_t stw_ns_total;     /* time the world stood stopped, summed
                                  (virtual in sim): the collector's pauses */
    uint64_t stw_ns_max;       /* the longest single pause */
    uint64_t mark_ns_total;    /* GC cycles from their start to the end of
                                  mark termination (sweep excluded), summed */
    uint64_t mark_ns_max;      /* the longest such mark */
    uint64_t claims[4];        /* scan bits taken (castogscanstatus), by
                                  the status claimed: runnable, running,
                                  syscall, waiting */
} rt_stats;

/*
 * rt_run runs a scenario to completion: every started goroutine and every
 * goroutine they spawn exits. Returns RT_OK with *stats filled, or RT_EINVAL
 * for a bad option. A violated invariant, a deadlock or a liveness bound
 * throws (see rt_set_throw_hook) and never returns here.
 */
int rt_run(const rt_scenario *sc, const rt_options *opt, rt_stats *stats);

/*
 * rt_set_throw_hook sets what happens after a throw has printed its report:
 * by default abort(); `gstorm run` exits with status 1 instead. The hook
 * must not return.
 */
typedef void (*rt_throw_hook)(const char *rule);
void rt_set_throw_hook(rt_throw_hook hook);

/*
 * The event trace of the current run, or of the last one after rt_run has
 * returned (also from inside the throw hook).
 *
 * rt_trace_hash returns the hash of the events recorded so far: the same
 * input gives the same hash in every build on the sim backend (after a
 * clean sim run it equals rt_stats.trace_hash). rt_trace_print prints the
 * last `last` events (at most the ring's 4096), one line each in fixed
 * columns (sequence, M, G, event, from, to, function) after a header;
 * rt_trace_timeline prints them with one column per M.
 */
uint64_t rt_trace_hash(void);
/*
 * rt_dump prints the state of the current run (every G, P and M, the last
 * events and their timeline per M), as a violation report does, without
 * ending it: a watchdog's view of a run that makes no progress. It reads
 * the other Ms' state without stopping them, so on real threads the
 * picture may be torn; it is meant for a process about to end.
 */
void rt_dump(FILE *f);
void rt_trace_print(FILE *f, unsigned last);
void rt_trace_timeline(FILE *f, unsigned last);

/* rt_opname returns the mnemonic of an opcode ("CALL"), or NULL. */
const char *rt_opname(unsigned op);

/* rt_opnargs returns how many operands an opcode takes (0..3). */
int rt_opnargs(unsigned op);

/*
 * The catalogs: every rule a throw can name and every injectable fault,
 * as tables (rt/src/rules.h, rt/src/faults.h).
 *
 * A rule: its id (the string a report and the throw hook name, "<area>.
 * <what>", never renamed), the checker it belongs to (one of "transition
 * legality", "scan ownership", "quiesce / markroot postconditions", "queue
 * consistency", "GC safety", "liveness", "scheduler sanity", "resource"),
 * what breaking it means, and whether it is a resource running out (rt.*:
 * memory, goroutine slots, threads) rather than a protocol violation.
 * rt_rule returns NULL past the end; rt_rule_find NULL for an unknown id.
 */
typedef struct rt_rule_info {
    const char *id, *checker, *meaning;
    bool resource;
} rt_rule_info;
size_t rt_rule_count(void);
const rt_rule_info *rt_rule(size_t i);
const rt_rule_info *rt_rule_find(const char *id);

/*
 * A fault: its id, what the runtime does wrong with it on, where the bug
 * comes from, and the checker that should catch it. Fault i is bit i of
 * rt_options.faults. rt_fault returns NULL past the end; rt_fault_find
 * returns the index of an id, or -1 if unknown.
 */
typedef struct rt_fault_info {
    const char *id, *description, *source, *checker;
} rt_fault_info;
size_t rt_fault_count(void);
const rt_fault_info *rt_fault(size_t i);
int rt_fault_find(const char *id);

/*
 * Scenario text form (see README.md). rt_scenario_parse parses len bytes of
 * text. On failure it returns RT_EINVAL and writes "line:col: what is wrong"
 * into err (errlen bytes); nothing else is kept. rt_scenario_format writes
 * the text form into buf; returns the length it needed (like snprintf).
 */
int rt_scenario_parse(const char *text, size_t len, rt_scenario *out, char *err,
                      size_t errlen);
size_t rt_scenario_format(const rt_scenario *sc, char *buf, size_t buflen);

/* rt_scenario_default fills a scenario with its defaults and no programs. */
void rt_scenario_default(rt_scenario *sc);

/*
 * Interleaving coverage: which concurrent situations a run reached, as
 * RT_COVER_SIZE one-byte counters (saturating), each a hash of one
 * feature: a status transition against the status another M wrote last,
 * against the GC phase and against how many Gs were claimed; a claim's
 * target status and the claimer's role; which M held a scan bit while
 * another waited on it; each op in each GC phase. Recorded on the sim
 * backend only (elsewhere the map stays zero), from statuses, phases and
 * small counts, never addresses: the same input gives the same map.
 * Recording is no yield point, so it never changes the schedule.
 *
 * rt_cover_map stores the map of the current run (or of the last one,
 * after rt_run returned) in *map and returns its size. rt_run empties it
 * when it starts. The fuzz targets feed it to their engine (fuzz/fuzz.c).
 */
/* A power of two; a run reaches a few hundred features: few collide. */
enum { RT_COVER_SIZE = 4096 };
size_t rt_cover_map(uint8_t **map);

/*
 * Workbenches: one piece of the protocol alone, without the scheduler,
 * the VM or the collector around it, as fast as a fuzzer can drive it
 * (fuzz/fuzz_gstatus.c, fuzz/fuzz_stack.c). Each runs on the sim backend:
 * 2-4 Ms (fibers), 1-4 Gs each owned by one M, one P per M, and the real
 * functions of rt (casgstatus, castogscanstatus, casfromgscanstatus,
 * stopg, restartg, stopscanstart, gcphasework, scanstack, newstack,
 * copystack, shrinkstack, entersyscall, exitsyscall, the allocator's
 * locked slow path) with every checker on: a violation throws, as in
 * rt_run. Every byte string is a valid input:
 *
 *   byte 0     configuration: Ms = 2 + b % 3, Gs = 1 + (b / 3) % 4, and
 *              for rt_wb_gstatus the GC phase (b / 12) % 5 (GCoff,
 *              GCquiesce, GCstw, GCmark, GCsweep); rt_wb_stack is always
 *              in GCmark (every claim scans, and may shrink)
 *   byte 1     initial status of G i: bits 2i..2i+1 pick Grunnable,
 *              Grunning (on its M), Gwaiting or Gsyscall
 *   byte 2     ops per M: 1 + b % 32
 *   then       the ops, striped: op j of M k is byte 3 + j * Ms + k (an
 *              M's ops end where the input does); low 3 bits the kind,
 *              the high 5 bits its argument (target G = arg % Gs)
 *   the rest   the schedule: RT_SIM_BYTES decisions (at most 2048 read),
 *              then fair round-robin
 *
 * Kinds 0-3 move the M's own G as a mutator (execute, CALL prologue,
 * park, ready, gosched, entersyscall/exitsyscall, goexit and reuse,
 * allocation, the quiesce master's self-claim; rt_wb_stack adds CALL n
 * with stack growth, RET, and a reference stored in a slot); 4 stopg and
 * restartg; 5 stopscanstart; 6 wait until the G's work is done, as
 * quiesce does (from an M whose own G is not running; else stopg);
 * 7 a plain preemption request, or a claim that resets the G's work for
 * another scan. Then each M brings its running G to a preemption point,
 * and the end of the run checks that no G is left claimed or in
 * Gcopystack and (in GCmark) that every G whose work is done was scanned
 * exactly once (quiesce.post).
 *
 * Runs are exact: the same input and faults give the same events and
 * trace hash whatever ran before in the process; rt_trace_hash and
 * rt_cover_map read the last run as after rt_run. Returns RT_OK, RT_EINVAL
 * for a NULL pointer, or RT_ENOMEM; a violation throws.
 */
typedef struct rt_wb_options {
    uint64_t faults;         /* injected faults, as rt_options.faults */
    const char *replay_hint; /* as rt_options.replay_hint (NULL: none) */
    FILE *trace;             /* as rt_options.trace (NULL: none) */
} rt_wb_options;

typedef struct rt_wb_result {
    uint64_t trace_hash;    /* as rt_stats.trace_hash */
    uint64_t sim_steps;     /* yield points taken */
    uint64_t events;        /* trace events recorded */
    uint64_t ops;           /* input ops run */
    uint64_t claims;        /* scan bits taken */
    uint64_t stack_scans;   /* stacks scanned */
    uint64_t selfscans;     /* GC work done at a G's own preemption point */
    uint64_t preempt_reqs;  /* preemption requests posted by stopg */
    uint64_t stack_grows;   /* stack copies to grow */
    uint64_t stack_shrinks; /* stack copies to shrink at scan time */
} rt_wb_result;

int rt_wb_gstatus(const uint8_t *data, size_t size, const rt_wb_options *opt,
                  rt_wb_result *res);
int rt_wb_stack(const uint8_t *data, size_t size, const rt_wb_options *opt,
                rt_wb_result *res);

#ifdef __cplusplus
}
#endif
#endif /* RT_H */
