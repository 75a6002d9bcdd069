/* SPDX-License-Identifier: MIT */
/* serve/serve.h - the embedded HTTP/1.1 target of `hotpath serve`: known
 * behaviour on demand (fixed bodies, status codes, latency distributions,
 * whole-server stalls, injected errors) and an exact record of what it did,
 * the ground truth that load tests are checked against.
 *
 * One epoll loop per worker thread, each with its own SO_REUSEPORT listener,
 * connections, timers and statistics: no locks on the request path and no
 * allocation per request. Delays are timers in the loop (a binary heap), so
 * thousands of delayed requests wait at the cost of a heap entry each. */
#ifndef HP_SERVE_SERVE_H
#define HP_SERVE_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "io/addr.h"
#include "serve/planted.h"
#include "stat/hist.h"

#define HP_SERVE_MAX_THREADS 256
/* Largest /bytes/N body. */
#define HP_SERVE_MAX_BODY_BYTES (INT64_C(1) << 30)
/* Stall windows whose real length is recorded (the truth file's). */
#define HP_SERVE_MAX_STALL_WINDOWS 1024
/* Default timeouts: nginx's client_header_timeout and a minute of idling. */
#define HP_SERVE_HEADER_TIMEOUT_NS (INT64_C(10) * 1000000000)
#define HP_SERVE_IDLE_TIMEOUT_NS (INT64_C(60) * 1000000000)
/* The body of "/": the same 13 bytes the nginx benchmark serves. */
#define HP_SERVE_ROOT_BODY "Hello, World!"

enum hp_serve_route {
    HP_ROUTE_ROOT,
    HP_ROUTE_BYTES,
    HP_ROUTE_STATUS,
    HP_ROUTE_DELAY,
    HP_ROUTE_NOT_FOUND,
    HP_ROUTE_PAGE,       /* /page: the HTML page of serve/page.h */
    HP_ROUTE_PAGE_ASSET, /* /page/NAME.EXT: its images, styles and scripts */
    HP_ROUTE_BAD_REQUEST, /* refused by the parser: 400, 431, 505 */
    HP_ROUTE_COUNT
};

struct hp_tls;

struct hp_serve_config {
    struct hp_addr listen;
    struct hp_tls *tls;     /* TLS on every connection (io/tls.h); NULL: plain. Borrowed. */
    int threads;            /* 1..HP_SERVE_MAX_THREADS */
    int64_t stall_every_ns; /* 0: never stall */
    int64_t stall_for_ns;
    double error_rate;      /* share of requests answered 500, 0..1 */
    uint64_t seed;          /* random streams: worker i uses seed + i */
    int max_conns;          /* across all workers; beyond it new connections are closed */
    int workers;            /* requests in service at once per thread, the rest wait in
                             * FIFO order (a thread-pool server); 0: no limit */
    bool reuse_port;        /* share the port with other servers (SO_REUSEPORT) instead of
                             * refusing one that another server listens on */
    int64_t header_timeout_ns; /* a request head not complete this long after the connection
                                * came or its first byte arrived closes it; 0: never */
    int64_t idle_timeout_ns;   /* a connection with no request this long closes; 0: never */
    bool h2;  /* TLS: offer HTTP/2 in ALPN (the TLS context must list "h2") */
    bool h2c; /* plain TCP: a connection that opens with HTTP/2's preface speaks it */
    int h2_streams; /* HTTP/2: SETTINGS_MAX_CONCURRENT_STREAMS (0: 128) */
    struct hp_serve_planted planted; /* bottlenecks planted on purpose (serve/planted.h) */
};

/* Exact counts of everything served, merged over workers after stop. */
struct hp_serve_stats {
    int64_t requests;             /* responses sent, any status */
    int64_t connections;          /* accepted */
    int64_t connections_refused;  /* closed at once: over max_conns */
    int64_t status[600];          /* responses by status code */
    int64_t routes[HP_ROUTE_COUNT];
    int64_t injected_errors;      /* 500s from error_rate */
    int64_t stalls;               /* stall windows entered (per worker) */
    /* Stall window k (1-based) at [k - 1]: how long it really held requests,
     * from its start until the last worker woke from it (a busy machine
     * wakes late); 0 when no worker stalled in it. The first
     * HP_SERVE_MAX_STALL_WINDOWS windows only. */
    int64_t stall_ns[HP_SERVE_MAX_STALL_WINDOWS];
    int n_stall_windows;          /* windows up to the last one recorded */
    int64_t queued;               /* requests that waited for a free worker */
    int64_t header_timeouts;      /* connections closed: a head too slow (slowloris) */
    int64_t idle_timeouts;        /* connections closed: silent between requests */
    int64_t tls_handshakes;       /* TLS: handshakes completed */
    int64_t tls_failures;         /* TLS: handshakes that failed (closed) */
    struct hp_serve_planted_stats planted; /* what the planted bottlenecks did */
    int64_t h2_connections;       /* connections that spoke HTTP/2 */
    int64_t h2_errors;            /* HTTP/2 sessions ended by a protocol error of the peer's */
    int64_t bytes_in;
    int64_t bytes_out;
    struct hp_hist *service_ns;   /* request parsed -> response queued, per request */
};

const char *hp_serve_route_name(enum hp_serve_route r);

struct hp_serve;

/* Validate cfg and bind the listening sockets (so the port is known before
 * start). Returns 0, or a negative code with err filled. */
int hp_serve_new(const struct hp_serve_config *cfg, struct hp_serve **out, struct hp_err *err);
/* The bound address (port 0 resolved). */
void hp_serve_bound(const struct hp_serve *s, struct hp_addr *out);
/* Start the worker threads. */
int hp_serve_start(struct hp_serve *s, struct hp_err *err);
/* Ask the workers to stop and wait for them. Idempotent. */
void hp_serve_stop(struct hp_serve *s);
/* Merged statistics; only after hp_serve_stop(). out->service_ns is a new
 * histogram owned by the caller (hp_hist_free). */
int hp_serve_stats(const struct hp_serve *s, struct hp_serve_stats *out);
/* Seconds between start and stop. */
double hp_serve_elapsed_s(const struct hp_serve *s);
void hp_serve_free(struct hp_serve *s); /* stops first if running; NULL is fine */

#endif
