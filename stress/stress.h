/*
 * stress.h - gstorm's stress runner (`gstorm stress`): workloads generated
 * from a seed, run on real threads iteration after iteration, each in a
 * bounded child (harness.h, gs_child_run) with every checker on.
 *
 * It is a front end like the gstorm command and the fuzz targets: it sees
 * only rt.h and harness.h.
 */
#ifndef GSTORM_STRESS_H
#define GSTORM_STRESS_H

#include <stdint.h>

#include "rt.h"

/* Workload shapes: the mixed one, and shapes that stress one thing each. */
typedef enum st_shape {
    ST_SHAPE_MIXED = 0, /* a bit of everything */
    ST_SHAPE_SPAWN,     /* spawn storm: short-lived goroutines, reuse */
    ST_SHAPE_SYSCALL,   /* syscall storm: Ps retaken and handed off */
    ST_SHAPE_DEEP,      /* deep stacks: growth by copying, shrinking */
    ST_SHAPE_PARKED,    /* many goroutines parked while collections run */
    ST_SHAPE_TIGHTLOOP, /* long runs without a preemption point */
    ST_SHAPE__COUNT
} st_shape;

/* The --shape names, indexed by st_shape, NULL-ended. */
extern const char *const st_shapenames[];

/*
 * st_generate fills *sc with the workload of one iteration: shape, the
 * collector gcmode (an rt_gcmode), threads and procs, all else from seed.
 * The same arguments give the same scenario. Every BLOCK of the workload
 * has a matching WAKE in a goroutine that never blocks, so the scenario
 * cannot deadlock itself; spawns form a DAG, so it ends. The result is a
 * scenario the text form represents (gs_input_save can save it).
 */
void st_generate(uint64_t seed, int shape, uint32_t gcmode, uint32_t threads,
                 uint32_t procs, rt_scenario *sc);

/* st_mix returns a well-mixed 64-bit value of x (splitmix64's finalizer):
 * the seed of iteration i is st_mix(seed + i). */
uint64_t st_mix(uint64_t x);

/*
 * stress_cli is `gstorm stress ARGS` (argv[0] is "stress"): parses the
 * flags, runs the iterations, prints the summary. Returns the exit code:
 * 0 clean, 1 a checker violation, 2 bad usage, 3 a hang (or an internal
 * error), 66 a ThreadSanitizer report.
 */
int stress_cli(int argc, char **argv);

#endif /* GSTORM_STRESS_H */
