/*
 * runner.c - the test runner behind test.h: a registry of cases filled by
 * constructors, and a main that runs one case (ctest's way) or all of them,
 * each in its own forked process.
 */
#include "test.h"

#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt.h"

enum { MAX_TESTS = 1024 };

static struct {
    const char *module, *name;
    test_fn fn;
} tests[MAX_TESTS];
static int ntests;

rt_scenario *tu_newsc(void)
{
    rt_scenario *sc = calloc(1, sizeof *sc);

    if (sc == NULL)
        test__fail(__FILE__, __LINE__, "out of memory");
    return sc;
}

uint64_t tu_rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

void test__register(const char *module, const char *name, test_fn fn)
{
    if (ntests == MAX_TESTS) {
        fprintf(stderr, "runner: more than %d tests\n", MAX_TESTS);
        exit(2);
    }
    tests[ntests].module = module;
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

void test__fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    _exit(1);
}

/* throw_exit is the throw hook inside expect_throw's child: exit 86 says
 * "threw", distinct from a crash or a failed check. */
static _Noreturn void throw_exit(const char *rule)
{
    (void)rule;
    fflush(stderr);
    _exit(86);
}

void test__expect_throw(const char *file, int line, const char *rule,
                        void (*fn)(void *), void *arg)
{
    int fds[2], status;
    pid_t pid;
    char buf[65536];
    size_t n = 0;
    ssize_t r;

    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0)
        test__fail(file, line, "pipe failed");
    pid = fork();
    if (pid < 0)
        test__fail(file, line, "fork failed");
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        rt_set_throw_hook(throw_exit);
        fn(arg);
        _exit(0);
    }
    close(fds[1]);
    while (n < sizeof buf - 1 &&
           (r = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = 0;
    close(fds[0]);
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 86) {
        fprintf(stderr, "--- child stderr ---\n%s--- end ---\n", buf);
        test__fail(file, line, "expected a throw naming '%s'; child %s %d",
                   rule, WIFEXITED(status) ? "exited" : "died with signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
    if (strstr(buf, rule) == NULL) {
        fprintf(stderr, "--- child stderr ---\n%s--- end ---\n", buf);
        test__fail(file, line, "the throw's report does not name '%s'", rule);
    }
}

static int run_one(int i)
{
    pid_t pid;
    int status;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        tests[i].fn();
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
    char full[256];
    int i, passed = 0, failed = 0;

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (i = 0; i < ntests; i++)
            printf("%s.%s\n", tests[i].module, tests[i].name);
        return 0;
    }
    if (argc == 2) {
        for (i = 0; i < ntests; i++) {
            snprintf(full, sizeof full, "%s.%s", tests[i].module,
                     tests[i].name);
            if (strcmp(full, argv[1]) == 0) {
                tests[i].fn();
                printf("ok %s\n", full);
                return 0;
            }
        }
        fprintf(stderr, "rt_tests: no test named '%s' (see --list)\n", argv[1]);
        return 2;
    }
    if (argc > 2) {
        fprintf(stderr, "usage: rt_tests [--list | module.name]\n");
        return 2;
    }
    for (i = 0; i < ntests; i++) {
        int ok = run_one(i);
        printf("%s %s.%s\n", ok ? "ok  " : "FAIL", tests[i].module,
               tests[i].name);
        ok ? passed++ : failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
