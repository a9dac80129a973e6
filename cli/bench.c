/*
 * bench.c - `gstorm bench`: placeholder until the benchmark lands.
 */
#include "cli.h"

int cli_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "gstorm bench: not built yet\n");
    return CLI_EXIT_USAGE;
}
