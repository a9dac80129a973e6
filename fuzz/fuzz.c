/*
 * fuzz.c - the pieces every fuzz target shares (fuzz.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

uint64_t fuzz_faults;
uint64_t fuzz_lasthash;
int fuzz_ranrt;

/* fuzz_init is in fuzz.h. */
int fuzz_init(void)
{
    gs_strlist none = {0};
    char err[GS_ERRLEN];
    bool given;

    if (gs_faults_select(&none, &fuzz_faults, &given, err, sizeof err) !=
        RT_OK) {
        fprintf(stderr, "gstorm fuzz: %s\n", err);
        exit(GS_EXIT_USAGE);
    }
    return 0;
}

/* fuzz_runsim is in fuzz.h. */
void fuzz_runsim(const rt_scenario *sc, const uint8_t *sched, size_t nsched)
{
    rt_sim_source src;
    rt_options opt;
    rt_stats st;
    gs_spec spec;

    gs_spec_default(&spec);
    spec.faults = fuzz_faults;
    gs_spec_options(&spec, sched, nsched, &src, &opt);
    opt.quiet = true; /* a program deadlock is not a finding */
    fuzz_ranrt = 1;
    fuzz_lasthash = 0;
    if (rt_run(sc, &opt, &st) != RT_OK) {
        /* The decoder gives only valid scenarios: a refusal is a bug. */
        fprintf(stderr, "gstorm fuzz: rt_run refused a decoded scenario\n");
        abort();
    }
    fuzz_lasthash = st.trace_hash;
}
