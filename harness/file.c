/*
 * file.c - files as every front end reads and writes them: a whole file
 * into memory, a whole file out atomically, and the clock and the
 * escaping that messages about them use.
 *
 * Why gs_writefile refuses rather than writes through a target that is
 * not a regular file: an atomic save is a rename over the target, and a
 * rename replaces a directory entry, whatever it is. A character device
 * (`-o /dev/null` as root), a FIFO or a symlink named by mistake would
 * be replaced by a regular file, which is never what was meant; writing
 * through them instead would lose atomicity, which is the point of the
 * save. So such a target is refused with a message that says what it is.
 *
 * The temporary file has a short fixed name (GS_TMPNAME) in the target's
 * directory, not the target's name plus a suffix: a target name of up to
 * NAME_MAX bytes then still has room for its temporary, and the rename
 * cannot cross file systems.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The temporary file beside a target: mkstemp fills in the Xs. A dot
 * file, so that a listing of the directory does not show a stray one if
 * the process is killed between its creation and the rename. */
#define GS_TMPNAME ".gstorm-XXXXXX"

/* The mode of a saved file: what the save wrote before it was atomic
 * (0644 under the usual umask), and readable by the other front ends. */
#define SAVE_MODE 0644

/* Bytes read at a time, and the first buffer: most inputs are a few KiB,
 * a large text scenario a few MiB (the buffer doubles). */
enum { READ_CHUNK = 4096, READ_FIRST = 65536 };

_Static_assert(GS_ERRLEN >= PATH_MAX + 128,
               "an error message holds a path and its reason");

/* gs_now returns a monotonic clock in seconds (harness.h). */
double gs_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* gs_escape writes s[0..n) into buf with invisible bytes escaped
 * (harness.h). */
size_t gs_escape(const char *s, size_t n, char *buf, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, o = 0, end = 0;
    bool full = false;
    char e[4];

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t k = 0;
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
            e[k++] = (char)c;
        } else {
            e[k++] = '\\';
            if (c == '\\' || c == '\'') {
                e[k++] = (char)c;
            } else if (c == '\r' || c == '\n' || c == '\t') {
                e[k++] = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
            } else {
                e[k++] = 'x';
                e[k++] = hex[c >> 4];
                e[k++] = hex[c & 15];
            }
        }
        /* Whole escapes only: a cut one would show a different byte. */
        if (!full && o + k < cap) {
            memcpy(buf + o, e, k);
            end = o + k;
        } else {
            full = true;
        }
        o += k;
    }
    if (cap > 0)
        buf[end] = 0;
    return o;
}

/* gs_fail fills an error buffer and returns rc (harness.h). */
int gs_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* gs_readfile reads a whole file into a malloc'd, NUL-terminated buffer
 * (harness.h). */
char *gs_readfile(const char *path, size_t max, size_t *len, char *err,
                  size_t errlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf = NULL, *nb;
    size_t n = 0, cap = 0, r;

    if (f == NULL) {
        gs_fail(0, err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n + READ_CHUNK + 1 > cap) {
            cap = cap ? cap * 2 : READ_FIRST;
            if ((nb = realloc(buf, cap)) == NULL) {
                gs_fail(0, err, errlen, "%s: out of memory", path);
                goto fail;
            }
            buf = nb;
        }
        r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (n > max) {
            gs_fail(0, err, errlen, "%s: larger than %zu bytes", path, max);
            goto fail;
        }
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        /* fread keeps errno (EISDIR for a directory, EIO). */
        gs_fail(0, err, errlen, "%s: read error: %s", path, strerror(errno));
        goto fail;
    }
    if (f != stdin)
        fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
fail:
    free(buf);
    if (f != stdin)
        fclose(f);
    return NULL;
}

/* filekind names the kind of file st is, for a refusal. */
static const char *filekind(const struct stat *st)
{
    static const struct {
        mode_t type;
        const char *name;
    } kinds[] = {
        {S_IFLNK, "a symbolic link"},
        {S_IFDIR, "a directory"},
        {S_IFCHR, "a character device"},
        {S_IFBLK, "a block device"},
        {S_IFIFO, "a FIFO"},
        {S_IFSOCK, "a socket"},
    };
    size_t i;

    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if ((st->st_mode & S_IFMT) == kinds[i].type)
            return kinds[i].name;
    return "not a regular file";
}

/* gs_writeall is in harness.h. */
int gs_writeall(int fd, const void *data, size_t n)
{
    const uint8_t *p = data;

    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO; /* no progress and no error: do not spin */
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/*
 * dirof writes the directory of path into dir (cap bytes): "." for a bare
 * name, "/" for a name in the root. Returns false if it does not fit.
 */
static bool dirof(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t n;

    if (slash == NULL)
        return snprintf(dir, cap, ".") < (int)cap;
    n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= cap)
        return false;
    memcpy(dir, path, n);
    dir[n] = 0;
    return true;
}

/*
 * syncdir fsyncs directory dir so that the rename itself is durable. Best
 * effort: some file systems refuse fsync on a directory, and the file is
 * already complete under its final name.
 */
static void syncdir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/*
 * checktarget says whether path may be replaced: it does not exist, or it
 * is a regular file. Returns RT_OK, or the refusal with err set.
 */
static int checktarget(const char *path, char *err, size_t errlen)
{
    struct stat st;
    int e;

    if (path[0] == 0)
        return gs_fail(RT_EINVAL, err, errlen, "an empty file name");
    if (lstat(path, &st) != 0) {
        e = errno;
        if (e == ENOENT)
            return RT_OK; /* a new file (a missing directory fails later) */
        return gs_fail(e == ENAMETOOLONG ? RT_EINVAL : RT_EIO, err, errlen,
                       "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode))
        return gs_fail(RT_EINVAL, err, errlen,
                       "%s: not a regular file (%s); refusing to replace it",
                       path, filekind(&st));
    return RT_OK;
}

/* gs_writefile writes a file atomically, refusing to replace what is not
 * a regular file (harness.h). */
int gs_writefile(const char *path, const void *data, size_t len, char *err,
                 size_t errlen)
{
    char dir[PATH_MAX], tmp[PATH_MAX];
    int fd, rc, e;

    /* The check and the rename are not one step: a target swapped for a
     * device in between is replaced. Only someone who may write the
     * directory can do that, and they could replace the entry anyway. */
    if ((rc = checktarget(path, err, errlen)) != RT_OK)
        return rc;
    if (!dirof(path, dir, sizeof dir) ||
        snprintf(tmp, sizeof tmp, "%s/%s", dir, GS_TMPNAME) >= (int)sizeof tmp)
        return gs_fail(RT_EINVAL, err, errlen,
                       "%s: the name is too long for a temporary file beside "
                       "it",
                       path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        e = errno;
        return gs_fail(e == ENAMETOOLONG ? RT_EINVAL : RT_EIO, err, errlen,
                       "%s: cannot create a temporary file in %s: %s", path,
                       dir, strerror(e));
    }
    if (fchmod(fd, SAVE_MODE) != 0 || gs_writeall(fd, data, len) != 0 ||
        fsync(fd) != 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        return gs_fail(RT_EIO, err, errlen, "%s: cannot write it: %s", path,
                       strerror(e));
    }
    if (close(fd) != 0) {
        e = errno;
        unlink(tmp);
        return gs_fail(RT_EIO, err, errlen, "%s: cannot write it: %s", path,
                       strerror(e));
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return gs_fail(RT_EIO, err, errlen, "%s: %s", path, strerror(e));
    }
    syncdir(dir);
    return RT_OK;
}
