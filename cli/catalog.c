/*
 * catalog.c - `gstorm rules` and `gstorm faults`: rt's catalogs (rt.h)
 * printed one entry a line, tab-separated for scripts, or as the Markdown
 * table that README.md carries (ci/check-readme keeps the two equal).
 */
#include <string.h>

#include "cli.h"
#include "harness.h"

/* catalogusage prints the usage of `gstorm rules` or `gstorm faults`. */
static void catalogusage(FILE *f, bool rules)
{
    if (rules)
        fprintf(f, "usage: gstorm rules [--markdown]\n\n"
                   "Lists every rule a checker can report, one a line:\n"
                   "ID<TAB>checker<TAB>meaning. --markdown prints the table\n"
                   "of README.md's rules section instead.\n"
                   "Exit: 0 printed, 2 bad usage, 3 lost output.\n");
    else
        fprintf(f, "usage: gstorm faults [--markdown]\n\n"
                   "Lists every injectable fault (--fault ID, GSTORM_FAULT="
                   "ID), one a\nline: ID<TAB>description<TAB>source<TAB>"
                   "checker expected to catch it.\n--markdown prints a "
                   "Markdown table instead.\n"
                   "Exit: 0 printed, 2 bad usage, 3 lost output.\n");
}

/* catalog is the body of both subcommands. */
static int catalog(int argc, char **argv, bool rules)
{
    bool markdown = false, help = false;
    const gs_flag flags[] = {
        {"--markdown", NULL, GS_FLAG_BOOL, 0, 0, NULL, &markdown, NULL},
    };
    size_t i, npos = 0;
    int rc;

    rc = gs_flags_parse(rules ? "rules" : "faults", argc, argv, flags,
                        sizeof flags / sizeof flags[0], NULL, 0, &npos, &help);
    if (rc != GS_EXIT_OK || help) {
        catalogusage(help ? stdout : stderr, rules);
        return rc;
    }
    if (rules) {
        if (markdown)
            printf("| rule | checker | meaning |\n|---|---|---|\n");
        for (i = 0; i < rt_rule_count(); i++) {
            const rt_rule_info *r = rt_rule(i);
            printf(markdown ? "| `%s` | %s | %s |\n" : "%s\t%s\t%s\n", r->id,
                   r->checker, r->meaning);
        }
        return GS_EXIT_OK;
    }
    if (markdown)
        printf("| fault | what goes wrong | source | caught by |\n"
               "|---|---|---|---|\n");
    for (i = 0; i < rt_fault_count(); i++) {
        const rt_fault_info *f = rt_fault(i);
        printf(markdown ? "| `%s` | %s | %s | %s |\n" : "%s\t%s\t%s\t%s\n",
               f->id, f->description, f->source, f->checker);
    }
    return GS_EXIT_OK;
}

/* cli_rules is `gstorm rules`. */
int cli_rules(int argc, char **argv)
{
    return catalog(argc, argv, true);
}

/* cli_faults is `gstorm faults`. */
int cli_faults(int argc, char **argv)
{
    return catalog(argc, argv, false);
}
