/*
 * catalog.c - the catalogs of rules (rules.h) and faults (faults.h) as
 * tables, behind the public rt_rule* and rt_fault* calls of rt.h and the
 * runtime's own rt__ruleid.
 *
 * Both tables are built from their X-macro lists, so that a rule or fault
 * exists in the enum, in the table and in the documentation generated
 * from it at once, or not at all.
 */
#include <string.h>

#include "runtime.h"

/* Checkers, by the token a rule or fault names (rules.h), and their
 * names as static arrays: an array's address, unlike an element of a
 * table of strings, may initialize a static table. */
enum {
#define CHECKER(name, text) CK_##name,
#include "rules.h"
    CK__COUNT
};
#define CHECKER(name, text) static const char ck_##name[] = text;
#include "rules.h"

/* The rules, in enum order. */
static const rt_rule_info rules[RT_RULE__COUNT] = {
#define RULE(name, id, checker, meaning)                                       \
    [RT_RULE_##name] = {id, ck_##checker, meaning, CK_##checker == CK_RESOURCE},
#include "rules.h"
};

/* The faults, in bit order, and a terminator (C has no empty arrays). */
static const rt_fault_info faults[RT_FAULT__COUNT + 1] = {
#define FAULT(name, id, description, source, checker)                          \
    [RT_FAULT_##name] = {id, description, source, ck_##checker},
#include "faults.h"
    [RT_FAULT__COUNT] = {NULL, NULL, NULL, NULL},
};

_Static_assert(RT_FAULT__COUNT <= 64,
               "a fault is a bit of the 64-bit rt_options.faults");
_Static_assert(sizeof(((rt_options *)0)->faults) * 8 >= 64,
               "rt_options.faults holds a bit per fault");

/* rt__ruleid returns rule's id; a value outside the enum (a corrupted
 * argument) still yields a printable string. */
const char *rt__ruleid(rt__rule rule)
{
    return (unsigned)rule < RT_RULE__COUNT ? rules[rule].id : "rt.unknown";
}

/* rt_rule_count returns the number of rules (rt.h). */
size_t rt_rule_count(void)
{
    return RT_RULE__COUNT;
}

/* rt_rule returns the i-th rule, or NULL past the end (rt.h). */
const rt_rule_info *rt_rule(size_t i)
{
    return i < RT_RULE__COUNT ? &rules[i] : NULL;
}

/* rt_rule_find returns the rule whose id is id, or NULL (rt.h). */
const rt_rule_info *rt_rule_find(const char *id)
{
    size_t i;

    for (i = 0; id != NULL && i < RT_RULE__COUNT; i++)
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    return NULL;
}

/* rt_fault_count returns the number of faults (rt.h). */
size_t rt_fault_count(void)
{
    return RT_FAULT__COUNT;
}

/* rt_fault returns the i-th fault (bit i of rt_options.faults), or NULL
 * past the end (rt.h). */
const rt_fault_info *rt_fault(size_t i)
{
    /* Not i < RT_FAULT__COUNT: with no faults yet, an unsigned compared
     * with 0 is a warning. */
    return i + 1 < sizeof faults / sizeof faults[0] ? &faults[i] : NULL;
}

/* rt_fault_find returns the index of the fault whose id is id, or -1
 * (rt.h). */
int rt_fault_find(const char *id)
{
    size_t i;

    for (i = 0; id != NULL && faults[i].id != NULL; i++)
        if (strcmp(faults[i].id, id) == 0)
            return (int)i;
    return -1;
}
