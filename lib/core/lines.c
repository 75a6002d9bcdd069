/* SPDX-License-Identifier: MIT */
/* core/lines.c - see lines.h. A stream fills a block; lines are cut from it
 * in place with memchr, and only the unfinished last line is carried to the
 * front of the next block. */
#include "core/lines.h"

#include "core/stream.h"

#include <errno.h>
#include <string.h>

#include "core/alloc.h"

int hp_lines_read(const char *path, hp_line_fn fn, void *ctx, uint64_t *bytes, struct hp_err *err)
{
    struct hp_stream *s = NULL;
    char *buf = NULL;
    size_t cap = HP_LINES_BLOCK_BYTES, have = 0;
    int64_t line = 0;
    uint64_t total = 0;
    int rc = hp_stream_open(path, &s, err);
    if (rc < 0)
        goto out;
    buf = hp_malloc(cap);
    if (!buf) {
        rc = hp_err_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    for (;;) {
        if (have == cap) { /* one line fills the block: make room for it */
            if (cap >= HP_LINES_MAX_LINE_BYTES) {
                rc = hp_err_at(err, -EFBIG, path, (int)(line + 1), 0, "a line longer than %d MiB",
                               HP_LINES_MAX_LINE_BYTES >> 20);
                goto out;
            }
            char *grown = hp_realloc(buf, cap * 2);
            if (!grown) {
                rc = hp_err_set(err, -ENOMEM, "out of memory");
                goto out;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t r = hp_stream_read(s, buf + have, cap - have);
        if (r < 0) {
            rc = hp_err_at(err, (int)r, path, (int)(line + 1), 0, "%s",
                           r == -EBADMSG ? "corrupt compressed data" : strerror((int)-r));
            goto out;
        }
        total += (uint64_t)r;
        size_t end = have + (size_t)r, start = 0;
        for (;;) {
            const char *nl = memchr(buf + start, '\n', end - start);
            if (!nl)
                break;
            line++;
            rc = fn(ctx, buf + start, (size_t)(nl - (buf + start)));
            if (rc < 0)
                goto out;
            start = (size_t)(nl - buf) + 1;
        }
        if (r == 0) { /* the end: a last line without "\n" */
            if (end > start)
                rc = fn(ctx, buf + start, end - start);
            goto out;
        }
        memmove(buf, buf + start, end - start);
        have = end - start;
    }
out:
    if (bytes)
        *bytes = total;
    hp_free(buf);
    hp_stream_close(s);
    return rc;
}
