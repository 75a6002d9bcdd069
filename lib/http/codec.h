/* SPDX-License-Identifier: MIT */
/* http/codec.h - the protocol seam of the load engine: how requests become
 * bytes on a connection and received bytes become answers, behind one table
 * of functions per protocol. The engine keeps, per connection, the requests
 * in flight in order and their times; a codec only frames.
 *
 * Protocols: HTTP/1.1 (http/h1_codec.c). Requests reach a codec in HTTP/1.1
 * wire form (request line, fields, body), the form every front end of
 * hotpath already produces (URLs, templates, Lua scripts); HTTP/1.1 sends
 * them as they are (encode is NULL: no copy, no call). A codec with its
 * own framing (HTTP/2) turns that form into its frames in encode() and
 * reports each answer's stream in hp_answer.slot, which generalises
 * HTTP/1.1's pipelining: there, answers come in order, slot is always the
 * oldest request in flight. */
#ifndef HP_HTTP_CODEC_H
#define HP_HTTP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { HP_CODEC_MORE = 0, HP_CODEC_ANSWER = 1, HP_CODEC_EBAD = -1 };

/* What an answer was, once feed() or eof() returned HP_CODEC_ANSWER. */
struct hp_answer {
    int status;
    bool keep_alive;     /* the connection may carry further requests */
    bool chunked;        /* its body was chunked (for the kept copy's split) */
    uint32_t head_bytes; /* bytes of its head (interim heads included) */
    int slot;            /* which request in flight: -1 for the oldest */
    const char *error;   /* on HP_CODEC_EBAD: what was wrong */
};

struct hp_client_codec {
    const char *name;
    size_t state_bytes; /* per connection, aligned for any scalar */
    /* A new connection; every answer is to a HEAD request when head is
     * true (HTTP/1.1 must know: such answers have no body). */
    void (*reset)(void *st, bool head);
    /* Override, for the next answer only, whether it answers HEAD (mixes
     * of requests). Only called when it differs from reset()'s. */
    void (*expect)(void *st, bool head);
    /* n requests (HTTP/1.1 form, back to back) into what goes on the wire:
     * *wire points into req or into the codec's state. NULL for HTTP/1.1. */
    int (*encode)(void *st, const char *req, size_t len, int n, const char **wire,
                  size_t *wire_len);
    /* Parse received bytes. Returns HP_CODEC_ANSWER when an answer ended
     * (*used bytes were taken; the rest belongs to what follows), MORE when
     * all of them were taken, EBAD when the stream is broken (a->error says
     * why; the connection must close). */
    int (*feed)(void *st, const char *buf, size_t len, size_t *used, struct hp_answer *a);
    /* The peer closed: ANSWER when that ended an answer (a body delimited by
     * the close), EBAD when one was cut short, MORE when none was begun. */
    int (*eof)(void *st, struct hp_answer *a);
};

extern const struct hp_client_codec hp_codec_h1;

#endif
