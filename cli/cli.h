/*
 * cli.h - shared pieces of the gstorm command's subcommands.
 */
#ifndef GSTORM_CLI_H
#define GSTORM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rt.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_VIOLATION = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_INTERNAL = 3,
};

_Noreturn void cli_exit_violation(const char *rule);
char *cli_readfile(const char *path, size_t max, size_t *len);
rt_scenario *cli_loadscenario(const char *path);
bool cli_parseu64(const char *flag, const char *s, uint64_t lo, uint64_t hi,
                  uint64_t *out);
void cli_printstats(FILE *f, const rt_stats *st);

int cli_run(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_asm(int argc, char **argv);
int cli_disasm(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_explore(int argc, char **argv);

#endif /* GSTORM_CLI_H */
