/*
 * test.h - the in-house test runner (runner.c) of rt's and the harness's
 * tests, and the two helpers both use.
 *
 * A test case is written as
 *
 *     TEST(module, name)
 *     {
 *         CHECK_EQ(1 + 1, 2);
 *     }
 *
 * at the start of a line: CMake greps those lines and registers one ctest
 * entry per case, run as `rt_tests module.name` in its own process. A
 * failed check prints the expression, both values and the place, then
 * exits 1 (no longjmp: rt switches stacks and runs threads).
 * `rt_tests --list` prints every case; `rt_tests` with no argument runs
 * all of them, each in a forked child.
 */
#ifndef RT_TEST_H
#define RT_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rt.h"

typedef void (*test_fn)(void);
void test__register(const char *module, const char *name, test_fn fn);
_Noreturn void test__fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define TEST(module, name)                                                     \
    static void test_##module##_##name(void);                                  \
    __attribute__((constructor)) static void reg_##module##_##name(void)       \
    {                                                                          \
        test__register(#module, #name, test_##module##_##name);                \
    }                                                                          \
    static void test_##module##_##name(void)

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            test__fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);         \
    } while (0)

#define CHECK_OP(a, op, b)                                                     \
    do {                                                                       \
        long long va_ = (long long)(a), vb_ = (long long)(b);                  \
        if (!(va_ op vb_))                                                     \
            test__fail(__FILE__, __LINE__,                                     \
                       "CHECK(%s %s %s) failed: %lld vs %lld", #a, #op, #b,    \
                       va_, vb_);                                              \
    } while (0)

#define CHECK_EQ(a, b) CHECK_OP(a, ==, b)
#define CHECK_NE(a, b) CHECK_OP(a, !=, b)
#define CHECK_LT(a, b) CHECK_OP(a, <, b)
#define CHECK_LE(a, b) CHECK_OP(a, <=, b)
#define CHECK_GT(a, b) CHECK_OP(a, >, b)
#define CHECK_GE(a, b) CHECK_OP(a, >=, b)

/*
 * expect_throw runs fn(arg) in a forked child and checks that it throws
 * with a report naming rule (a substring of the child's stderr). Returns
 * only if it did.
 */
#define EXPECT_THROW(rule, fn, arg)                                            \
    test__expect_throw(__FILE__, __LINE__, rule, fn, arg)
void test__expect_throw(const char *file, int line, const char *rule,
                        void (*fn)(void *), void *arg);

/* tu_newsc allocates a zeroed scenario (about 530 KiB: not on the
 * stack); the test fails if it cannot. */
rt_scenario *tu_newsc(void);

/* tu_rnd is xorshift64*, seeded by *s (nonzero): deterministic, so a
 * failure reproduces. */
uint64_t tu_rnd(uint64_t *s);

#endif /* RT_TEST_H */
