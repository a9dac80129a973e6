/*
 * hutil.c - helpers of the harness's tests (hutil.h).
 */
#include "hutil.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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

/* fs_orphan checks that middle's child dies with middle (hutil.h). */
void fs_orphan(int sig, void (*middle)(void))
{
    pid_t mid, pid;
    int status, i;

    CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    mid = fork();
    CHECK_GE(mid, 0);
    if (mid == 0) {
        middle();
        _exit(0);
    }
    /* Let the middle start its child (bounded: 5 s). */
    for (i = 0; i < 500; i++) {
        char path[64];
        FILE *f;
        snprintf(path, sizeof path, "/proc/%d/task/%d/children", mid, mid);
        f = fopen(path, "r");
        if (f != NULL) {
            int c = fgetc(f);
            fclose(f);
            if (c != EOF)
                break;
        }
        usleep(10000);
    }
    CHECK_LT(i, 500);
    kill(mid, sig);
    CHECK_EQ(waitpid(mid, &status, 0), mid);
    CHECK(WIFSIGNALED(status));
    CHECK_EQ(WTERMSIG(status), sig);
    /* Any grandchild is now ours to reap: it must be gone within 5 s. */
    for (i = 0; i < 500; i++) {
        pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno == ECHILD)
            return; /* no child left at all */
        usleep(10000);
    }
    test__fail(__FILE__, __LINE__, "a child outlived its parent (signal %d)",
               sig);
}
