/* SPDX-License-Identifier: MIT */
/* http/chunked.h - incremental decoder of the chunked transfer coding
 * (RFC 9112 section 7.1): chunk sizes in hex, extensions (ignored), data,
 * trailer fields (skipped). Used for request bodies by `serve` and response
 * bodies by `load`. Keeps only a few integers of state; input may arrive in
 * any pieces. */
#ifndef HP_HTTP_CHUNKED_H
#define HP_HTTP_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

/* Ceiling on one chunk-size line with its extensions, and on the trailer. */
#define HP_CHUNKED_MAX_LINE 4096
#define HP_CHUNKED_MAX_TRAILER 8192

struct hp_chunked {
    int state;
    uint64_t remaining; /* data bytes left in the current chunk */
    size_t line_bytes;  /* bytes in the current size line or trailer so far */
    int size_digits;
    uint64_t body_bytes; /* data bytes decoded so far */
};

enum { HP_CHUNKED_MORE = 0, HP_CHUNKED_DONE = 1, HP_CHUNKED_EBAD = -1 };

void hp_chunked_init(struct hp_chunked *c);

/* Decode from buf[0..len). Sets *consumed to bytes used. When data bytes of
 * the body are among them, *data / *data_len point at them (one contiguous
 * span per call: call again with the rest). Returns HP_CHUNKED_MORE (all of
 * buf used, or a data span returned), HP_CHUNKED_DONE (the body and trailer
 * ended; bytes after *consumed belong to the next message) or
 * HP_CHUNKED_EBAD (malformed; the connection must close). */
int hp_chunked_feed(struct hp_chunked *c, const char *buf, size_t len, size_t *consumed,
                    const char **data, size_t *data_len);

#endif
