/*
 * main_afl.c - AFL++'s driver of a fuzz target: persistent mode with the
 * test case in shared memory (AFL++'s __AFL_FUZZ_INIT / __AFL_LOOP
 * macros, defined by afl-clang-fast), so one process runs many inputs as
 * libFuzzer does. Built only in the afl preset.
 */
#include <unistd.h> /* read: AFL++'s macros use it without shared memory */

#include "fuzz.h"

__AFL_FUZZ_INIT();

enum { LOOP = 10000 }; /* inputs per process before AFL++ forks anew */

int main(int argc, char **argv)
{
    unsigned char *buf;

    LLVMFuzzerInitialize(&argc, &argv);
#ifdef __AFL_HAVE_MANUAL_CONTROL
    __AFL_INIT();
#endif
    buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(LOOP))
        LLVMFuzzerTestOneInput(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
    return 0;
}
