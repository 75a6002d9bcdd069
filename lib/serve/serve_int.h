/* SPDX-License-Identifier: MIT */
/* serve/serve_int.h - what serve.c and serve_h2.c share: the connection,
 * the worker and the routes. Not for other parts of hotpath. */
#ifndef HP_SERVE_SERVE_INT_H
#define HP_SERVE_SERVE_INT_H

#include <gsl/gsl_rng.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/alloc.h"
#include "core/timer_heap.h"
#include "http/chunked.h"
#include "http/http_req.h"
#include "io/transport.h"
#include "io/worker.h"
#include "serve/serve.h"
#include "stat/dist.h"

#define PATTERN_BYTES (64 * 1024) /* /bytes/N bodies are written from this */
#define SERVE_RBUF_BYTES (16 * 1024) /* > HP_HTTP_MAX_HEAD: room for pipelining */
#define SERVE_WBUF_BYTES (16 * 1024)
/* A connection's buffers are one block, read then write; idle blocks a
 * worker keeps for its next busy connection (worker.pool): */
#define SERVE_POOL_MAX 256

enum conn_state {
    C_HEAD,    /* waiting for / parsing a request head (0: where a connection starts) */
    C_BODY,    /* discarding a Content-Length body */
    C_CHUNKED, /* discarding a chunked body */
    C_QUEUED,  /* waits for a free worker (--workers); its timer starts it */
    C_DELAY,   /* response waits for its timer */
    C_STREAM,  /* a large body is being written */
    C_LINGER,  /* error sent, write side shut: discard input until EOF or timeout */
    C_HANDSHAKE, /* the transport's handshake (TLS) before the first request */
    C_H2,        /* HTTP/2: its session (serve_h2.c) handles every event */
};

struct response {
    int status;
    int64_t body_bytes;
    int64_t delay_ns;
    bool head;
    bool keep_alive;
    enum hp_serve_route route;
    const char *body;  /* the page routes' body (static or owned), NULL: the route's own */
    char *owned;       /* a body made for this response (hp_free): the page's HTML */
    const char *ctype; /* its Content-Type (NULL: text/plain) */
};

struct worker;
struct h2stream;

struct conn {
    struct hp_sock sk;
    uint32_t events; /* epoll mask now registered */
    enum conn_state state;
    struct worker *w;
    struct conn *prev, *next; /* live list, or free list (next only) */
    struct hp_timer timer;    /* delay or linger deadline (container_of in the loop) */
    char *rbuf;        /* NULL while idle: borrowed from the worker's pool (serve.c) */
    size_t roff, rlen; /* unconsumed input is rbuf[roff..rlen) */
    size_t scan_from;
    int64_t body_left;
    struct hp_chunked chunk;
    struct response resp;
    int64_t req_start_ns;
    char *wbuf;
    size_t woff, wlen;
    int64_t stream_left; /* body bytes still to write from the pattern */
    const char *stream_body; /* or from here (a static body), advancing */
    bool close_after_write;
    bool peer_closed;
    bool holds_worker;        /* one of the worker's service slots is this request's */
    bool idle;                /* waiting for a request with nothing of it read yet */
    int64_t since_ns;         /* when the current wait for a head (or idling) began */
    bool in_queue;            /* waiting for a slot: linked in the worker's queue */
    struct conn *qnext, *qprev; /* FIFO of requests waiting for a slot */
    struct h2conn *h2;          /* HTTP/2's session and streams, or NULL */
    bool first_request;         /* nothing read yet (h2c looks for the preface) */
};

struct worker {
    struct hp_serve *srv;
    int id;
    struct hp_worker wk; /* thread, poller, wake-up, timers (delays, lingers, the queue) */
    const struct hp_transport_ops *tx;
    void *tx_ctx; /* the transport's shared context (TLS), or NULL */
    int listen_fd;
    int max_conns;
    int nconns;
    struct conn *live;
    struct conn *spare;
    int busy;                     /* service slots in use (cfg.workers > 0) */
    struct conn *qhead, *qtail;   /* requests waiting for a slot, oldest first */
    gsl_rng *rng;
    int64_t date_sec;
    char date[64]; /* "Date: ...\r\n" */
    size_t date_len;
    int64_t stall_window; /* last stall window counted */
    int64_t wake_ns;      /* the clock on the loop's latest wake */
    int64_t next_sweep_ns; /* header and idle timeouts are checked then */
    struct hp_dist dist_cache;
    char dist_text[128];
    size_t dist_text_len;
    struct hp_serve_stats st;
    struct hp_timer_heap h2_timers; /* HTTP/2 streams' delays (any number per connection) */
    /* buffers (a read and a write buffer in one block) not held by any
     * connection: an idle keep-alive connection holds none, so 100,000 of
     * them cost their struct conn, not 32 KiB each */
    char **pool;
    int n_pool;
    struct hp_serve_planted_thread planted;
    struct h2stream *h2q_head, *h2q_tail; /* HTTP/2 streams waiting for a service slot */
};

struct hp_serve {
    struct hp_serve_config cfg;
    struct hp_addr bound;
    int nworkers;
    struct worker *workers;
    _Atomic bool stop;
    bool running;
    int64_t start_ns;
    int64_t stop_ns;
};

/* A body of `x`s, PATTERN_BYTES long, for /bytes/N. */
extern const char hp_serve_pattern[PATTERN_BYTES + 1];

/* Free what r owns (a made body); r may be reused. */
static inline void hp_serve_response_drop(struct response *r)
{
    hp_free(r->owned);
    r->owned = NULL;
    r->body = NULL;
}

/* The route of a request and its response (status, body size, delay).
 * Drops what r held before. */
void hp_serve_route_req(struct worker *w, const struct hp_http_req *req, struct response *r);
/* The reason phrase of a status ("Not Found"). */
const char *hp_serve_reason(int status);
/* A service slot (--workers) was given back: the oldest HTTP/1.1 request
 * waiting, else the oldest HTTP/2 stream, takes it. */
void hp_serve_slot_released(struct worker *w, int64_t now);
/* The oldest HTTP/2 stream waiting for a slot takes the free one; false
 * when none waits. */
bool hp_serve_h2_dequeue(struct worker *w, int64_t now);

/* Close c and keep its buffers for the next connection. */
void hp_serve_conn_close(struct conn *c);
/* Watch c for these events (HP_POLL_IN...). */
void hp_serve_set_events(struct conn *c, uint32_t want);

/* HTTP/2 (serve_h2.c). Start it on c, with `len` bytes already read at
 * c->rbuf + c->roff (the preface, when h2c): 0, or -1 when c was closed. */
int hp_serve_h2_start(struct conn *c);
/* c's descriptor has events for its HTTP/2 session. */
void hp_serve_h2_io(struct conn *c, uint32_t events);
/* A stream's delay timer (w->h2_timers) fired. */
void hp_serve_h2_timer(struct hp_timer *t, int64_t now);
/* Free c's session and streams (the connection is closing). */
void hp_serve_h2_end(struct conn *c);
/* No stream open and nothing to write: the connection idles. */
bool hp_serve_h2_idle(const struct conn *c);
/* Say GOAWAY (no error) and close: an idle connection timed out. */
void hp_serve_h2_close_idle(struct conn *c);

#endif
