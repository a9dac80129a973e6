/*
 * hutil.c - helpers of the harness's tests (hutil.h).
 */
#include "hutil.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

/* fs_tmpdir makes a private directory under /tmp (hutil.h). */
void fs_tmpdir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/gstorm-test-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
}

/* fs_nfiles counts the entries of dir (hutil.h). */
int fs_nfiles(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    CHECK(d != NULL);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* fs_rmdir removes dir and its files (hutil.h). A directory entry is
 * removed with rmdir, anything else (a FIFO, a symlink, a device node)
 * with unlink, which never follows a symlink. */
void fs_rmdir(const char *dir)
{
    char path[PATH_MAX];
    DIR *d = opendir(dir);
    struct dirent *e;

    CHECK(d != NULL);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0)
            rmdir(path);
    }
    closedir(d);
    CHECK_EQ(rmdir(dir), 0);
}
