/*
 * test_file.c - files (file.c): whole-file reads, atomic writes that
 * refuse to replace anything but a regular file, long names, failed
 * writes that leave nothing behind, and the escaping of messages.
 *
 * The refusals are tried on a FIFO, a symlink, a directory and (where
 * mknod is allowed) a character device made in a private temp dir. Only
 * after those have been refused is /dev/null tried, and only as a check
 * that it is refused and left as it was: a regression then fails on the
 * private device first, before it could replace the real one.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness.h"
#include "hutil.h"
#include "test.h"

/* put writes text to path with stdio (not the code under test). */
static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    CHECK(f != NULL);
    CHECK_EQ(fputs(text, f) >= 0, 1);
    CHECK_EQ(fclose(f), 0);
}

/* checkbody fails the test unless the file at path holds exactly text. */
static void checkbody(const char *path, const char *text)
{
    char err[GS_ERRLEN];
    size_t len;
    char *got = gs_readfile(path, 1 << 20, &len, err, sizeof err);

    if (got == NULL)
        test__fail(__FILE__, __LINE__, "%s", err);
    CHECK_EQ(len, strlen(text));
    CHECK(memcmp(got, text, len) == 0);
    free(got);
}

/*
 * refused checks that gs_writefile refuses path, which is `kind`, with
 * RT_EINVAL and the message of harness.h, and leaves the directory with
 * nfiles entries (no temporary file).
 */
static void refused(const char *dir, const char *path, const char *kind,
                    int nfiles)
{
    char err[GS_ERRLEN], want[GS_ERRLEN];

    CHECK_EQ(gs_writefile(path, "new", 3, err, sizeof err), RT_EINVAL);
    snprintf(want, sizeof want,
             "%s: not a regular file (%s); refusing to replace it", path, kind);
    if (strcmp(err, want) != 0)
        test__fail(__FILE__, __LINE__, "got '%s', want '%s'", err, want);
    CHECK_EQ(fs_nfiles(dir), nfiles);
}

TEST(file, writefile_creates_then_replaces_a_regular_file)
{
    char dir[64], path[128], err[GS_ERRLEN];
    struct stat st;

    fs_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out", dir);
    CHECK_EQ(gs_writefile(path, "one", 3, err, sizeof err), RT_OK);
    checkbody(path, "one");
    CHECK_EQ(gs_writefile(path, "second", 6, err, sizeof err), RT_OK);
    checkbody(path, "second");
    CHECK_EQ(fs_nfiles(dir), 1); /* no temporary file left behind */
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_mode & 0777, 0644);
    CHECK_EQ(gs_writefile(path, "", 0, err, sizeof err), RT_OK);
    checkbody(path, "");
    fs_rmdir(dir);
}

TEST(file, writefile_refuses_a_symlink_and_keeps_its_target)
{
    char dir[64], target[128], link[128], dangling[128];
    struct stat st;

    fs_tmpdir(dir, sizeof dir);
    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    snprintf(dangling, sizeof dangling, "%s/dangling", dir);
    put(target, "keep");
    CHECK_EQ(symlink(target, link), 0);
    CHECK_EQ(symlink("nowhere", dangling), 0);
    refused(dir, link, "a symbolic link", 3);
    refused(dir, dangling, "a symbolic link", 3);
    CHECK_EQ(lstat(link, &st), 0);
    CHECK(S_ISLNK(st.st_mode));
    checkbody(target, "keep");
    fs_rmdir(dir);
}

TEST(file, writefile_refuses_a_fifo_and_a_directory)
{
    char dir[64], fifo[128], sub[128];
    struct stat st;

    fs_tmpdir(dir, sizeof dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    CHECK_EQ(mkfifo(fifo, 0600), 0);
    CHECK_EQ(mkdir(sub, 0700), 0);
    refused(dir, fifo, "a FIFO", 2);
    refused(dir, sub, "a directory", 2);
    CHECK_EQ(lstat(fifo, &st), 0);
    CHECK(S_ISFIFO(st.st_mode));
    CHECK_EQ(lstat(sub, &st), 0);
    CHECK(S_ISDIR(st.st_mode));
    fs_rmdir(dir);
}

TEST(file, writefile_refuses_a_character_device_and_leaves_dev_null)
{
    char dir[64], dev[128];
    struct stat before, after;

    fs_tmpdir(dir, sizeof dir);
    snprintf(dev, sizeof dev, "%s/dev", dir);
    /* A private copy of /dev/null's node (1, 3), where mknod is allowed
     * (root, outside a restricted container). */
    if (mknod(dev, S_IFCHR | 0600, makedev(1, 3)) == 0) {
        refused(dir, dev, "a character device", 1);
        CHECK_EQ(lstat(dev, &before), 0);
        CHECK(S_ISCHR(before.st_mode));
    } else {
        fprintf(stderr, "note: mknod: %s; private device not tried\n",
                strerror(errno));
    }
    fs_rmdir(dir);

    /* The real one: refused, and still the same device node. */
    if (lstat("/dev/null", &before) != 0 || !S_ISCHR(before.st_mode))
        return; /* not a normal /dev: nothing to protect or check */
    {
        char err[GS_ERRLEN];
        CHECK_EQ(gs_writefile("/dev/null", "x", 1, err, sizeof err), RT_EINVAL);
        CONTAINS(err, "/dev/null: not a regular file (a character device)");
    }
    CHECK_EQ(lstat("/dev/null", &after), 0);
    CHECK(S_ISCHR(after.st_mode));
    CHECK_EQ(after.st_ino, before.st_ino);
    CHECK_EQ(after.st_rdev, before.st_rdev);
}

TEST(file, writefile_takes_names_up_to_name_max)
{
    char dir[64], path[64 + NAME_MAX + 8], err[GS_ERRLEN];
    size_t n;

    fs_tmpdir(dir, sizeof dir);
    n = (size_t)snprintf(path, sizeof path, "%s/", dir);
    memset(path + n, 'n', NAME_MAX);
    path[n + NAME_MAX] = 0;
    /* The longest name: its temporary file has a short name of its own. */
    CHECK_EQ(gs_writefile(path, "long", 4, err, sizeof err), RT_OK);
    checkbody(path, "long");
    CHECK_EQ(fs_nfiles(dir), 1);
    /* One byte more: refused, and the message keeps its reason. */
    path[n + NAME_MAX] = 'n';
    path[n + NAME_MAX + 1] = 0;
    CHECK_EQ(gs_writefile(path, "x", 1, err, sizeof err), RT_EINVAL);
    CHECK(strncmp(err, path, strlen(path)) == 0);
    CONTAINS(err, strerror(ENAMETOOLONG));
    CHECK_EQ(fs_nfiles(dir), 1);
    fs_rmdir(dir);
}

TEST(file, writefile_refuses_an_empty_name)
{
    char err[GS_ERRLEN];

    CHECK_EQ(gs_writefile("", "x", 1, err, sizeof err), RT_EINVAL);
    CONTAINS(err, "empty");
}

TEST(file, a_failed_write_leaves_the_old_file_and_no_temporary)
{
    enum { LIMIT = 4096, BIG = 4 * LIMIT };
    char dir[64], path[128], err[GS_ERRLEN], *big = calloc(1, BIG);
    struct rlimit rl = {LIMIT, LIMIT};

    CHECK(big != NULL);
    fs_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out", dir);
    put(path, "old");
    /* Files may not grow past LIMIT bytes: the write fails with EFBIG
     * rather than a signal. This test runs in a process of its own. */
    CHECK(signal(SIGXFSZ, SIG_IGN) != SIG_ERR);
    CHECK_EQ(setrlimit(RLIMIT_FSIZE, &rl), 0);
    CHECK_EQ(gs_writefile(path, big, BIG, err, sizeof err), RT_EIO);
    CONTAINS(err, path);
    CONTAINS(err, strerror(EFBIG));
    checkbody(path, "old");
    CHECK_EQ(fs_nfiles(dir), 1);
    free(big);
    fs_rmdir(dir);
}

TEST(file, writefile_in_a_missing_directory_is_an_io_error)
{
    char err[GS_ERRLEN];

    CHECK_EQ(
        gs_writefile("/nonexistent-gstorm-dir/out", "x", 1, err, sizeof err),
        RT_EIO);
    CONTAINS(err, "/nonexistent-gstorm-dir/out");
    CONTAINS(err, strerror(ENOENT));
}

TEST(file, readfile_reads_a_whole_file_within_its_bound)
{
    char dir[64], path[128], err[GS_ERRLEN], *got;
    size_t len = 99;

    fs_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/in", dir);
    put(path, "0123456789");
    got = gs_readfile(path, 10, &len, err, sizeof err);
    CHECK(got != NULL);
    CHECK_EQ(len, 10);
    CHECK_EQ(got[10], 0); /* NUL-terminated */
    free(got);
    CHECK(gs_readfile(path, 9, &len, err, sizeof err) == NULL);
    CONTAINS(err, "larger than 9 bytes");
    CHECK(gs_readfile(dir, 10, &len, err, sizeof err) == NULL);
    CONTAINS(err, strerror(EISDIR));
    fs_rmdir(dir);
    CHECK(gs_readfile(path, 10, &len, err, sizeof err) == NULL);
    CHECK(strncmp(err, path, strlen(path)) == 0);
    CONTAINS(err, strerror(ENOENT));
}

TEST(file, escape_shows_every_invisible_byte)
{
    static const char in[] = "a=b\r\x01\\'\xc3\xa9\t\n";
    static const char want[] = "a=b\\r\\x01\\\\\\'\\xc3\\xa9\\t\\n";
    char buf[64];
    size_t i;

    CHECK_EQ(gs_escape(in, sizeof in - 1, buf, sizeof buf), strlen(want));
    if (strcmp(buf, want) != 0)
        test__fail(__FILE__, __LINE__, "got '%s', want '%s'", buf, want);
    /* A short buffer holds whole escapes only (ends[] are where they
     * end), and is NUL-terminated. */
    for (i = 1; i <= strlen(want); i++) {
        static const size_t ends[] = {0, 1, 2, 3, 5, 9, 11, 13, 17, 21, 23, 25};
        size_t k = 0;
        while (k + 1 < sizeof ends / sizeof ends[0] && ends[k + 1] < i)
            k++;
        CHECK_EQ(gs_escape(in, sizeof in - 1, buf, i), strlen(want));
        CHECK_EQ(strlen(buf), ends[k]);
        CHECK(strncmp(buf, want, ends[k]) == 0);
    }
    CHECK_EQ(gs_escape("x", 1, NULL, 0), 1);
}
