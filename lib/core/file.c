// SPDX-License-Identifier: MIT
/* core/file.c - bounded reads, atomic writes through whatever the output is. */
#include "core/file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/file_test.h"

int hp_file_read(const char *path, size_t max_bytes, char **out, size_t *len, struct hp_err *err)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    char *buf = NULL;
    size_t cap = 0, used = 0;
    int rc = 0;

    /* An input that cannot be read is an input error (exit 2), like one
     * that does not parse; the errno is in the message. */
    if (fd < 0)
        return hp_err_at(err, HP_EINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
    for (;;) {
        if (used + 1 >= cap) {
            if (cap >= max_bytes + 1) {
                /* At the ceiling: fine if the file ends exactly here. */
                char probe;
                ssize_t n = read(fd, &probe, 1);
                if (n == 0)
                    break;
                if (n < 0 && errno == EINTR)
                    continue;
                if (n < 0) {
                    rc = hp_err_at(err, HP_EINPUT, path, 0, 0, "read failed: %s", strerror(errno));
                    goto out;
                }
                rc = hp_err_at(err, -EFBIG, path, 0, 0, "file larger than %zu bytes", max_bytes);
                goto out;
            }
            size_t ncap = cap < 65536 ? 65536 : cap * 2;
            if (ncap > max_bytes + 1)
                ncap = max_bytes + 1;
            char *nbuf = hp_realloc(buf, ncap);
            if (!nbuf) {
                rc = hp_err_at(err, -ENOMEM, path, 0, 0, "out of memory reading file");
                goto out;
            }
            buf = nbuf;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + used, cap - used - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = hp_err_at(err, HP_EINPUT, path, 0, 0, "read failed: %s", strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    if (!buf) {
        buf = hp_malloc(1);
        if (!buf) {
            rc = hp_err_at(err, -ENOMEM, path, 0, 0, "out of memory reading file");
            goto out;
        }
    }
    buf[used] = '\0';
    *out = buf;
    buf = NULL;
    if (len)
        *len = used;
out:
    if (fd != STDIN_FILENO)
        close(fd);
    hp_free(buf);
    return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- outputs ------------------------------------------------------------ */

static void (*trace_fn)(const char *op);

void hp_file_trace_set(void (*fn)(const char *op))
{
    trace_fn = fn;
}

static void trace(const char *op)
{
    if (trace_fn)
        trace_fn(op);
}

/* The steps of an atomic write, each with its trace, so that a test sees a
 * step exactly when it is taken. */
static int step_fsync(int fd)
{
    trace("fsync");
    return fsync(fd) < 0 ? -errno : 0;
}

static int step_link(const char *from, const char *to)
{
    trace("link");
    return linkat(AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
}

static int step_rename(const char *from, const char *to)
{
    trace("rename");
    return rename(from, to) < 0 ? -errno : 0;
}

/* The folder part of path into dir ("." for a bare name). */
static void dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/* The file a write to path lands in: path itself, or the end of its chain
 * of symbolic links (a link's relative target is relative to the link's
 * folder). *st is that file's, when *exists. */
static int resolve(const char *path, char *dest, size_t size, struct stat *st, bool *exists,
                   struct hp_err *err)
{
    char cur[PATH_MAX], target[PATH_MAX], dir[PATH_MAX];
    if ((size_t)snprintf(cur, sizeof cur, "%s", path) >= sizeof cur)
        return hp_err_at(err, -ENAMETOOLONG, path, 0, 0, "path too long");
    for (int hops = 0; hops < 40; hops++) {
        if (lstat(cur, st) < 0) {
            if (errno != ENOENT)
                return hp_err_at(err, -errno, path, 0, 0, "cannot write: %s", strerror(errno));
            *exists = false;
            snprintf(dest, size, "%s", cur);
            return 0;
        }
        if (!S_ISLNK(st->st_mode)) {
            *exists = true;
            snprintf(dest, size, "%s", cur);
            return 0;
        }
        ssize_t n = readlink(cur, target, sizeof target - 1);
        if (n < 0)
            return hp_err_at(err, -errno, path, 0, 0, "cannot read the link: %s", strerror(errno));
        target[n] = '\0';
        if (target[0] == '/') {
            snprintf(cur, sizeof cur, "%s", target);
        } else {
            dir_of(cur, dir, sizeof dir);
            if ((size_t)snprintf(cur, sizeof cur, "%s/%s", dir, target) >= sizeof cur)
                return hp_err_at(err, -ENAMETOOLONG, path, 0, 0, "path too long");
        }
    }
    return hp_err_at(err, -ELOOP, path, 0, 0, "too many levels of symbolic links");
}

/* Temporaries of ours that a killed writer left beside dest: NAME.tmp.PID.*
 * whose PID no longer runs. */
static void clean_stale(const char *dest)
{
    char dir[PATH_MAX], prefix[NAME_MAX + 8], gone[PATH_MAX];
    const char *base = strrchr(dest, '/');
    base = base ? base + 1 : dest;
    dir_of(dest, dir, sizeof dir);
    int plen = snprintf(prefix, sizeof prefix, "%s.tmp.", base);
    if (plen <= 0 || (size_t)plen >= sizeof prefix)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, (size_t)plen) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + plen, &end, 10);
        if (end == e->d_name + plen || *end != '.' || pid <= 0 || pid == getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* its writer may still be at work */
        if ((size_t)snprintf(gone, sizeof gone, "%s/%s", dir, e->d_name) < sizeof gone)
            unlink(gone);
    }
    closedir(d);
}

int hp_file_out_open(struct hp_file_out *o, const char *path, struct hp_err *err)
{
    struct stat st;
    bool exists;
    char dir[PATH_MAX];
    int rc;

    memset(o, 0, sizeof *o);
    o->fd = -1;
    if (strcmp(path, "-") == 0) {
        o->fd = STDOUT_FILENO;
        o->through = true;
        snprintf(o->dest, sizeof o->dest, "-");
        return 0;
    }
    if ((rc = resolve(path, o->dest, sizeof o->dest, &st, &exists, err)) < 0)
        return rc;
    if (exists && S_ISDIR(st.st_mode))
        return hp_err_at(err, -EISDIR, path, 0, 0, "is a folder, not a file");
    if (exists && !S_ISREG(st.st_mode)) {
        /* A device, a FIFO: written through, never replaced. */
        o->fd = open(o->dest, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (o->fd < 0)
            return hp_err_at(err, -errno, path, 0, 0, "cannot write: %s", strerror(errno));
        o->through = true;
        return 0;
    }
    clean_stale(o->dest);
    dir_of(o->dest, dir, sizeof dir);
    /* Nameless until it is whole (O_TMPFILE): a killed writer leaves
     * nothing behind. Where the file system cannot, a named temporary. */
    o->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (o->fd >= 0)
        return 0;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return hp_err_at(err, -errno, path, 0, 0, "cannot create a file beside it: %s",
                         strerror(errno));
    if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%d.XXXXXX", o->dest, (int)getpid()) >=
        sizeof o->tmp)
        return hp_err_at(err, -ENAMETOOLONG, path, 0, 0, "path too long");
    o->fd = mkostemp(o->tmp, O_CLOEXEC);
    if (o->fd < 0)
        return hp_err_at(err, -errno, path, 0, 0, "cannot create a file beside it: %s",
                         strerror(errno));
    o->named = true;
    /* mkostemp makes 0600; documents are ordinary files, honour the umask. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(o->fd, 0666 & ~mask);
    return 0;
}

int hp_file_out_write(struct hp_file_out *o, const void *data, size_t len, struct hp_err *err)
{
    int rc = write_all(o->fd, data, len);
    trace("write");
    if (rc < 0)
        return hp_err_at(err, rc, o->dest, 0, 0, "cannot write: %s", strerror(-rc));
    return 0;
}

int hp_file_out_commit(struct hp_file_out *o, struct hp_err *err)
{
    char tmp[PATH_MAX + 64], proc[64];
    int rc = 0;

    if (o->through) {
        if (o->fd != STDOUT_FILENO && close(o->fd) < 0)
            rc = -errno;
        o->fd = -1;
        if (rc < 0)
            return hp_err_at(err, rc, o->dest, 0, 0, "cannot write: %s", strerror(-rc));
        return 0;
    }
    /* The bytes reach the disk before the name does: a crash leaves the old
     * file or the new one, never a short one. */
    rc = step_fsync(o->fd);
    if (rc == 0 && !o->named) {
        /* Link the nameless file under a temporary name, then rename that
         * over the destination (a link cannot replace a file). */
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
        snprintf(tmp, sizeof tmp, "%s.tmp.%d.%lx", o->dest, (int)getpid(), (unsigned long)random());
        rc = step_link(proc, tmp);
    } else {
        snprintf(tmp, sizeof tmp, "%s", o->tmp);
    }
    if (close(o->fd) < 0 && rc == 0)
        rc = -errno;
    o->fd = -1;
    if (rc == 0)
        rc = step_rename(tmp, o->dest);
    if (rc < 0) {
        unlink(tmp);
        return hp_err_at(err, rc, o->dest, 0, 0, "cannot write: %s", strerror(-rc));
    }
    return 0;
}

void hp_file_out_abort(struct hp_file_out *o)
{
    if (o->fd >= 0 && o->fd != STDOUT_FILENO)
        close(o->fd);
    o->fd = -1;
    if (o->named && !o->through)
        unlink(o->tmp);
    o->named = false;
}

/* A write that failed at the end keeps its bytes: beside the output, else
 * in the temporary folder. Returns the path used in keep, or false. */
static bool keep_unsaved(const char *dest, const void *data, size_t len, char *keep, size_t size)
{
    const char *base = strrchr(dest, '/');
    const char *tmpdir = getenv("TMPDIR");
    base = base ? base + 1 : dest;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (attempt == 0)
            snprintf(keep, size, "%s.unsaved.%d", dest, (int)getpid());
        else
            snprintf(keep, size, "%s/hotpath-unsaved-%d-%s", tmpdir && *tmpdir ? tmpdir : "/tmp",
                     (int)getpid(), base);
        int fd = open(keep, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            continue;
        bool ok = write_all(fd, data, len) == 0;
        ok = close(fd) == 0 && ok;
        if (ok)
            return true;
        unlink(keep);
    }
    return false;
}

int hp_file_write_atomic(const char *path, const void *data, size_t len, struct hp_err *err)
{
    struct hp_file_out o;
    int rc = hp_file_out_open(&o, path, err);
    if (rc == 0 && (rc = hp_file_out_write(&o, data, len, err)) == 0)
        rc = hp_file_out_commit(&o, err);
    if (rc == 0)
        return 0;
    hp_file_out_abort(&o);
    /* Never drop a run's results because the output could not be written. */
    char keep[PATH_MAX + 64];
    if (strcmp(path, "-") != 0 && len > 0 &&
        keep_unsaved(o.dest[0] ? o.dest : path, data, len, keep, sizeof keep)) {
        size_t used = strlen(err->msg);
        snprintf(err->msg + used, sizeof err->msg - used, "; kept in %s", keep);
    }
    return rc;
}

int hp_file_check_output(const char *path, struct hp_err *err)
{
    char dest[PATH_MAX], dir[PATH_MAX];
    struct stat st, dst;
    bool exists;
    int rc;

    if (strcmp(path, "-") == 0)
        return 0;
    if ((rc = resolve(path, dest, sizeof dest, &st, &exists, err)) < 0)
        return rc;
    if (exists && S_ISDIR(st.st_mode))
        return hp_err_at(err, -EISDIR, path, 0, 0, "is a folder, not a file");
    if (exists && !S_ISREG(st.st_mode))
        return access(dest, W_OK) == 0
                   ? 0
                   : hp_err_at(err, -errno, path, 0, 0, "cannot write: %s", strerror(errno));
    dir_of(dest, dir, sizeof dir);
    if (stat(dir, &dst) < 0)
        return hp_err_at(err, -errno, path, 0, 0, "its folder %s: %s", dir, strerror(errno));
    if (!S_ISDIR(dst.st_mode))
        return hp_err_at(err, -ENOTDIR, path, 0, 0, "%s is not a folder", dir);
    if (access(dir, W_OK | X_OK) < 0)
        return hp_err_at(err, -errno, path, 0, 0, "cannot write in %s: %s", dir, strerror(errno));
    if (exists && access(dest, W_OK) < 0)
        return hp_err_at(err, -errno, path, 0, 0, "cannot write: %s", strerror(errno));
    return 0;
}

long hp_fd_limit_raise(long want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return want;
    if (rl.rlim_cur < (rlim_t)want) {
        rl.rlim_cur = (rlim_t)want < rl.rlim_max ? (rlim_t)want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur > (rlim_t)LONG_MAX ? LONG_MAX : (long)rl.rlim_cur;
}
