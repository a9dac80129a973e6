/*
 * cli.h - the gstorm command's own pieces: one entry point per subcommand
 * (each takes the arguments after `gstorm`, its own name first, and
 * returns an exit code, GS_EXIT_*) and what several of them print.
 * Everything the other front ends need too is in harness.h.
 */
#ifndef GSTORM_CLI_H
#define GSTORM_CLI_H

#include <stdio.h>

#include "rt.h"

int cli_run(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_asm(int argc, char **argv);
int cli_disasm(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_explore(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_faults(int argc, char **argv);
int cli_min(int argc, char **argv);
int cli_triage(int argc, char **argv);
int cli_report(int argc, char **argv);
/* `gstorm stress` lives in the stress library (stress/stress.h). */
int stress_cli(int argc, char **argv);

/* cli_printstats prints a run's summary, one counter a line. */
void cli_printstats(FILE *f, const rt_stats *st);

/*
 * cli_fileerror prints err, a harness message about file path, on
 * stderr: as it is if it gives a position in the file
 * ("PATH:LINE:COL: why", the form editors jump to), else after "gstorm: ".
 */
void cli_fileerror(const char *path, const char *err);

#endif /* GSTORM_CLI_H */
