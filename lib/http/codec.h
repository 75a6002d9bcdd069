/* SPDX-License-Identifier: MIT */
/* http/codec.h - the protocol seam of the load engine: how requests become
 * bytes on a connection and received bytes become answers, behind one table
 * of functions per protocol. The engine keeps, per connection, the requests
 * in flight in order and their times; a codec only frames.
 *
 * Protocols: HTTP/1.1 (http/h1_codec.c), HTTP/2 (http/h2_codec.c). Requests reach a codec in HTTP/1.1
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

/* How a request ended without a normal answer (streams only). */
enum hp_answer_fail {
    HP_ANSWER_OK = 0,
    HP_ANSWER_RESET,   /* the peer reset its stream (RST_STREAM) */
    HP_ANSWER_REFUSED, /* lost to the peer's GOAWAY for an error */
    HP_ANSWER_RETRY,   /* never processed (a graceful GOAWAY left it out): send it again */
    HP_ANSWER_BAD,     /* its answer broke the protocol; the codec reset the stream */
};

/* What an answer was, once feed() or eof() returned HP_CODEC_ANSWER. */
struct hp_answer {
    int status;
    bool keep_alive;     /* the connection may carry further requests */
    bool chunked;        /* its body was chunked (for the kept copy's split) */
    uint8_t fail;        /* enum hp_answer_fail: no answer came, and why */
    uint32_t head_bytes; /* bytes of its head (interim heads included) */
    int slot;            /* which request in flight: -1 for the oldest */
    int64_t first_ns;    /* when its first byte came (*conf.clock then), or 0 */
    const char *error;   /* on HP_CODEC_EBAD: what was wrong */
    /* Streams: the answer as HTTP/1.1-like text (a head, then the body),
     * kept by the codec when conf.keep asked; NULL otherwise. */
    char *kept;
    uint32_t kept_len;
};

/* A new connection's settings. */
struct hp_codec_conf {
    bool head;  /* every answer is to a HEAD request (HTTP/1.1 must know) */
    bool tls;   /* the scheme is https */
    bool keep;  /* keep each answer's text for checks and scripts (streams) */
    int slots;  /* requests in flight at most: slots are 0..slots-1 */
    const int64_t *clock; /* the time of the bytes being fed (for first_ns), or NULL */
};

struct hp_client_codec {
    const char *name;
    size_t state_bytes; /* per connection, aligned for any scalar */
    /* Answers come in any order, each naming its slot; requests are sent
     * into free slots. false: in order, a->slot is -1. */
    bool streams;
    /* A new connection. 0, or -ENOMEM. */
    int (*reset)(void *st, const struct hp_codec_conf *conf);
    /* The connection is gone: free what reset() took. NULL: nothing to. */
    void (*fini)(void *st);
    /* Override, for the next answer only, whether it answers HEAD (mixes
     * of requests). Only called when it differs from conf.head; NULL when
     * the codec need not know. */
    void (*expect)(void *st, bool head);
    /* n requests (HTTP/1.1 form, back to back) for slots[0..n) into what
     * goes on the wire, with whatever else the codec has to send (n may be
     * 0 for only that): *wire points into req or into the codec's state,
     * valid until the next call. 0, or EBAD with a request it cannot send.
     * NULL for HTTP/1.1 (req goes as it is). */
    int (*encode)(void *st, const char *req, size_t len, int n, const int *slots,
                  const char **wire, size_t *wire_len);
    /* Parse received bytes. Returns HP_CODEC_ANSWER when an answer ended
     * (*used bytes were taken; the rest belongs to what follows; call again,
     * with no bytes left too, until MORE), MORE when all of them were taken,
     * EBAD when the stream is broken (a->error says why; the connection
     * must close). */
    int (*feed)(void *st, const char *buf, size_t len, size_t *used, struct hp_answer *a);
    /* The peer closed: ANSWER when that ended an answer (a body delimited by
     * the close), EBAD when one was cut short, MORE when none was begun. */
    int (*eof)(void *st, struct hp_answer *a);
    /* Streams: how many more requests the connection takes now (the peer's
     * SETTINGS_MAX_CONCURRENT_STREAMS less those open), or -1 when it takes
     * none ever again (GOAWAY): close it once its answers are in. */
    int (*room)(void *st);
};

extern const struct hp_client_codec hp_codec_h1;
/* HTTP/2 (nghttp2), over TLS after ALPN "h2" or with prior knowledge. */
extern const struct hp_client_codec hp_codec_h2;

#endif
