// SPDX-License-Identifier: MIT
/* core/file.c - bounded reads, atomic writes. */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"

int hp_file_read(const char *path, size_t max_bytes, char **out, size_t *len,
                 struct hp_err *err)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    char *buf = NULL;
    size_t cap = 0, used = 0;
    int rc = 0;

    if (fd < 0)
        return hp_err_at(err, -errno, path, 0, 0, "cannot open: %s", strerror(errno));
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
                    rc = hp_err_at(err, -errno, path, 0, 0, "read failed: %s", strerror(errno));
                    goto out;
                }
                rc = hp_err_at(err, -EFBIG, path, 0, 0, "file larger than %zu bytes",
                               max_bytes);
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
            rc = hp_err_at(err, -errno, path, 0, 0, "read failed: %s", strerror(errno));
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

int hp_file_write_atomic(const char *path, const void *data, size_t len, struct hp_err *err)
{
    char tmp[PATH_MAX];
    int fd, rc;

    if (strcmp(path, "-") == 0) {
        rc = write_all(STDOUT_FILENO, data, len);
        if (rc < 0)
            return hp_err_set(err, rc, "writing to stdout: %s", strerror(-rc));
        return 0;
    }
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp)
        return hp_err_at(err, -ENAMETOOLONG, path, 0, 0, "path too long");
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return hp_err_at(err, -errno, path, 0, 0, "cannot create a file beside it: %s",
                         strerror(errno));
    rc = write_all(fd, data, len);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    /* mkostemp makes 0600; documents are ordinary files, honour the umask. */
    mode_t mask = umask(0);
    umask(mask);
    if (rc == 0 && fchmod(fd, 0666 & ~mask) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc < 0) {
        unlink(tmp);
        return hp_err_at(err, rc, path, 0, 0, "cannot write: %s", strerror(-rc));
    }
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
