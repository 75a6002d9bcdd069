/* SPDX-License-Identifier: MIT */
/* core/stream.c - see stream.h. Plain reads, zlib's inflate with gzip
 * framing (members one after another, as `cat a.gz b.gz` makes), or libzstd's
 * streaming decoder; the codec is told by the first four bytes, which are
 * handed out again for plain text. */
#include "core/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/alloc.h"

/* Compressed input is read in blocks of this size (a quarter of what
 * core/lines.h reads decompressed at once). */
#define ZIN_BYTES (256 * 1024)

enum codec { C_PLAIN, C_GZIP, C_ZSTD };

struct hp_stream {
    int fd;
    enum codec codec;
    z_stream z;
    bool z_live; /* z was initialised */
    ZSTD_DCtx *zd;
    char *zin; /* compressed input, either codec */
    ZSTD_inBuffer in;
    bool eof;
    bool mid; /* inside a compressed frame: its end is still to come */
    /* bytes read before the codec was known, handed out first */
    unsigned char head[4];
    size_t head_len, head_used;
};

static ssize_t raw_read(struct hp_stream *s, void *buf, size_t n)
{
    if (s->head_used < s->head_len) {
        size_t k = s->head_len - s->head_used;
        if (k > n)
            k = n;
        memcpy(buf, s->head + s->head_used, k);
        s->head_used += k;
        return (ssize_t)k;
    }
    for (;;) {
        ssize_t r = read(s->fd, buf, n);
        if (r < 0 && errno == EINTR)
            continue;
        return r;
    }
}

/* Fill buf with up to n uncompressed bytes: the count, 0 at the end, or a
 * negative errno (-EBADMSG for a corrupt stream). */
static ssize_t stream_read(struct hp_stream *s, char *buf, size_t n)
{
    if (s->codec == C_PLAIN)
        return raw_read(s, buf, n);
    if (s->codec == C_GZIP) {
        s->z.next_out = (Bytef *)buf;
        s->z.avail_out = (uInt)n;
        while (s->z.avail_out == n) {
            if (s->z.avail_in == 0) {
                if (s->eof)
                    return 0;
                ssize_t r = raw_read(s, s->zin, ZIN_BYTES);
                if (r < 0)
                    return -errno;
                if (r == 0) {
                    s->eof = true;
                    if (s->mid)
                        return -EBADMSG; /* cut short */
                    return (ssize_t)(n - s->z.avail_out);
                }
                s->z.next_in = (Bytef *)s->zin;
                s->z.avail_in = (uInt)r;
            }
            int zr = inflate(&s->z, Z_NO_FLUSH);
            s->mid = zr != Z_STREAM_END;
            if (zr == Z_STREAM_END) {
                /* gzip files may hold several members, one after another */
                if (inflateReset(&s->z) != Z_OK)
                    return -EBADMSG;
            } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
                return -EBADMSG;
            }
        }
        return (ssize_t)(n - s->z.avail_out);
    }
    ZSTD_outBuffer out = {buf, n, 0};
    while (out.pos == 0) {
        if (s->in.pos == s->in.size) {
            if (s->eof)
                return 0;
            ssize_t r = raw_read(s, s->zin, ZSTD_DStreamInSize());
            if (r < 0)
                return -errno;
            if (r == 0) {
                s->eof = true;
                return s->mid ? -EBADMSG : 0; /* cut short */
            }
            s->in = (ZSTD_inBuffer){s->zin, (size_t)r, 0};
        }
        size_t rc = ZSTD_decompressStream(s->zd, &out, &s->in);
        if (ZSTD_isError(rc))
            return -EBADMSG;
        s->mid = rc != 0;
    }
    return (ssize_t)out.pos;
}

static int stream_open(struct hp_stream *s, const char *path, struct hp_err *err)
{
    s->fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) /* an input error (exit 2), the errno in the message */
        return hp_err_at(err, HP_EINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
    /* The magic: 1f 8b is gzip, 28 b5 2f fd is zstd; anything else is text. */
    while (s->head_len < 4) {
        ssize_t r = read(s->fd, s->head + s->head_len, 4 - s->head_len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return hp_err_at(err, -errno, path, 0, 0, "cannot read: %s", strerror(errno));
        if (r == 0)
            break;
        s->head_len += (size_t)r;
    }
    if (s->head_len >= 2 && s->head[0] == 0x1f && s->head[1] == 0x8b) {
        s->codec = C_GZIP;
        s->zin = hp_malloc(ZIN_BYTES);
        if (!s->zin || inflateInit2(&s->z, 15 + 16) != Z_OK) /* 16: gzip framing */
            return hp_err_at(err, -ENOMEM, path, 0, 0, "out of memory");
        s->z_live = true;
    } else if (s->head_len == 4 && s->head[0] == 0x28 && s->head[1] == 0xb5 && s->head[2] == 0x2f &&
               s->head[3] == 0xfd) {
        s->codec = C_ZSTD;
        s->zd = ZSTD_createDCtx();
        s->zin = hp_malloc(ZSTD_DStreamInSize());
        if (!s->zd || !s->zin)
            return hp_err_at(err, -ENOMEM, path, 0, 0, "out of memory");
    }
    return 0;
}

static void stream_close(struct hp_stream *s)
{
    if (s->z_live)
        inflateEnd(&s->z);
    if (s->fd >= 0)
        close(s->fd);
    ZSTD_freeDCtx(s->zd);
    hp_free(s->zin);
}

ssize_t hp_stream_read(struct hp_stream *s, void *out, size_t n)
{
    char *buf = out;
    return stream_read(s, buf, n);
}

int hp_stream_open(const char *path, struct hp_stream **out, struct hp_err *err)
{
    struct hp_stream *s = hp_calloc(1, sizeof *s);
    if (!s)
        return hp_err_set(err, -ENOMEM, "out of memory");
    int rc = stream_open(s, path, err);
    if (rc < 0) {
        hp_stream_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void hp_stream_close(struct hp_stream *s)
{
    if (!s)
        return;
    stream_close(s);
    hp_free(s);
}
