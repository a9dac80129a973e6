/*
 * hutil.h - helpers of the harness's tests (hutil.c): a private
 * temporary directory, counting and removing what is in it, and a check
 * on message text.
 */
#ifndef GSTORM_HUTIL_H
#define GSTORM_HUTIL_H

#include <stddef.h>
#include <string.h>

#include "test.h"

/* CONTAINS fails the test unless string s contains want, printing both. */
#define CONTAINS(s, want)                                                      \
    do {                                                                       \
        if (strstr((s), (want)) == NULL)                                       \
            test__fail(__FILE__, __LINE__, "'%s' lacks '%s'", (s), (want));    \
    } while (0)

/* fs_tmpdir makes a new directory under /tmp and writes its path into
 * dir (n bytes); the test fails if it cannot. */
void fs_tmpdir(char *dir, size_t n);

/* fs_nfiles counts the entries of dir other than . and .. */
int fs_nfiles(const char *dir);

/* fs_rmdir removes dir and the files directly in it (the tests make no
 * deeper trees); the test fails if dir is left behind. */
void fs_rmdir(const char *dir);

/*
 * fs_orphan starts a middle process that runs middle() (which starts a
 * child that outlives the call's first moments), waits until that child
 * exists, then ends the middle process with sig. The test process is a
 * subreaper, so an orphaned grandchild would be reparented to it: the
 * test fails unless none is left within 5 s.
 */
void fs_orphan(int sig, void (*middle)(void));

#endif /* GSTORM_HUTIL_H */
