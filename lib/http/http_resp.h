/* SPDX-License-Identifier: MIT */
/* http/http_resp.h - incremental HTTP/1.1 response parser for `hotpath load`
 * (RFC 9112 sections 4-7). A byte-driven state machine: it keeps no copy of
 * the input, so a connection needs no read buffer of its own (the load
 * worker reads into one buffer shared by all its connections) and responses
 * may arrive split anywhere. Per connection it holds under 100 bytes.
 *
 * Knows message framing: Content-Length, chunked (extensions, trailers),
 * bodies that end at close, and responses without a body (to HEAD, 1xx
 * interim responses, 204, 304). The reason phrase and the values of fields
 * that do not frame the message are skipped unread (memchr to the line end):
 * they cannot change where a response ends. Fuzzed in fuzz/http_resp.c; tested against
 * nodejs/http-parser in tests/unit/test_http_resp.c. */
#ifndef HP_HTTP_HTTP_RESP_H
#define HP_HTTP_HTTP_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/chunked.h"

/* Longest response head accepted (status line + fields). */
#define HP_HTTP_RESP_MAX_HEAD (64 * 1024)

enum { HP_RESP_MORE = 0, HP_RESP_DONE = 1, HP_RESP_EBAD = -1 };

enum hp_resp_body { HP_BODY_NONE, HP_BODY_LENGTH, HP_BODY_CHUNKED, HP_BODY_CLOSE };

struct hp_http_resp {
    /* results, valid once the head is parsed (head_done) */
    int status;               /* final status code */
    int interim;              /* 1xx responses skipped before it */
    bool keep_alive;          /* connection reusable after this response */
    bool head_done;
    enum hp_resp_body body_kind;
    int64_t content_length;   /* -1 when absent */
    uint64_t body_bytes;      /* body bytes seen so far */
    uint64_t head_bytes;      /* bytes of heads (interim ones included) */
    const char *error;        /* on HP_RESP_EBAD: what was wrong */
    /* parser state */
    uint8_t state;
    uint8_t field;            /* which known field is being read */
    bool for_head;            /* the request was HEAD: no body whatever the head says */
    bool http10;
    bool conn_close, conn_keep;
    bool have_cl, have_te;
    uint8_t name_len, value_len;
    char name[24];            /* lower-cased prefix of a field name split across reads */
    char value[24];           /* lower-cased prefix of a Connection/TE value */
    uint64_t remaining;       /* Content-Length body bytes left */
    struct hp_chunked chunk;
};

/* Ready for a response to a request with method HEAD (for_head) or not. */
void hp_resp_init(struct hp_http_resp *r, bool for_head);

/* Parse buf[0..len). *consumed is set to the bytes used. Returns HP_RESP_DONE
 * when a whole response ended (bytes after *consumed are the next one's),
 * HP_RESP_MORE when all of buf was used and the response goes on, or
 * HP_RESP_EBAD (r->error says why; the connection must close). */
int hp_resp_feed(struct hp_http_resp *r, const char *buf, size_t len, size_t *consumed);

/* The peer closed the connection: HP_RESP_DONE if that ends the body
 * (HP_BODY_CLOSE), HP_RESP_EBAD if the response was cut short. Not to be
 * called between responses (then the close is not a response error). */
int hp_resp_eof(struct hp_http_resp *r);

/* True when nothing of a response has been read yet. */
static inline bool hp_resp_idle(const struct hp_http_resp *r)
{
    return r->state == 0 && r->head_bytes == 0;
}

#endif
