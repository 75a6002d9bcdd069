// SPDX-License-Identifier: MIT
/* stat/hlog.c - interval log writer. */
#include "stat/hlog.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "hotpath_version.h"
#include "stat/hist_codec.h"

struct hp_hlog {
    FILE *f;                 /* buffered, on a duplicate of out.fd */
    struct hp_file_out out;  /* atomic at close; devices and FIFOs written through */
    char path[PATH_MAX];
};

int hp_hlog_open(const char *path, int64_t start_wall_ns, struct hp_hlog **out,
                 struct hp_err *err)
{
    struct hp_hlog *l = hp_calloc(1, sizeof *l);
    if (!l)
        return hp_err_set(err, -ENOMEM, "out of memory");
    if ((size_t)snprintf(l->path, sizeof l->path, "%s", path) >= sizeof l->path) {
        hp_free(l);
        return hp_err_at(err, -ENAMETOOLONG, path, 0, 0, "path too long");
    }
    int rc = hp_file_out_open(&l->out, path, err);
    if (rc < 0) {
        hp_free(l);
        return rc;
    }
    int fd = dup(l->out.fd);
    if (fd < 0 || !(l->f = fdopen(fd, "w"))) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        hp_file_out_abort(&l->out);
        hp_free(l);
        return hp_err_at(err, -e, path, 0, 0, "cannot write: %s", strerror(e));
    }
    time_t secs = (time_t)(start_wall_ns / HP_NS_PER_S);
    struct tm tm;
    char when[64];
    gmtime_r(&secs, &tm);
    strftime(when, sizeof when, "%a %b %d %H:%M:%S UTC %Y", &tm);
    fprintf(l->f, "#[Logged with hotpath %s]\n", HP_VERSION);
    fprintf(l->f, "#[Histogram log format version 1.3]\n");
    fprintf(l->f, "#[StartTime: %.3f (seconds since epoch), %s]\n", (double)start_wall_ns / 1e9,
            when);
    fprintf(l->f, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                  "\"Interval_Compressed_Histogram\"\n");
    *out = l;
    return 0;
}

int hp_hlog_write(struct hp_hlog *l, const char *tag, double start_s, double length_s,
                  const struct hp_hist *h, struct hp_err *err)
{
    char *data = NULL;
    int rc = hp_hist_encode(h, &data);
    if (rc < 0)
        return hp_err_at(err, rc, l->path, 0, 0, "encoding a histogram: %s", hp_strerror(rc));
    if (tag)
        fprintf(l->f, "Tag=%s,", tag);
    fprintf(l->f, "%.3f,%.3f,%.3f,%s\n", start_s, length_s, (double)hp_hist_max(h) / 1e6, data);
    hp_free(data);
    if (ferror(l->f))
        return hp_err_at(err, -EIO, l->path, 0, 0, "write failed");
    return 0;
}

int hp_hlog_close(struct hp_hlog *l, struct hp_err *err)
{
    int rc = 0;
    if (fflush(l->f) != 0)
        rc = -errno;
    if (fclose(l->f) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0)
        rc = hp_file_out_commit(&l->out, err);
    else
        hp_err_at(err, rc, l->path, 0, 0, "cannot write: %s", strerror(-rc));
    hp_file_out_abort(&l->out);
    hp_free(l);
    return rc;
}

void hp_hlog_abort(struct hp_hlog *l)
{
    if (!l)
        return;
    fclose(l->f);
    hp_file_out_abort(&l->out);
    hp_free(l);
}
