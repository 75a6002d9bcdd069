// SPDX-License-Identifier: MIT
/* serve/serve.c - the embedded target's event loops.
 *
 * Per connection, requests are handled strictly in order (HTTP/1.1 has no
 * other way to match responses to pipelined requests): head, body (discarded),
 * then the response, at once or when the route's delay timer fires. While a
 * response waits, further pipelined requests stay in the read buffer.
 *
 * Syscalls per keep-alive request: one read, one write, and a share of one
 * poller wait. Writability is watched only when a write would block. The
 * worker thread, its poller and timers are the skeleton io/worker.h shares
 * with the load engine; bytes move through the transport (io/transport.h). */
#include "serve/serve.h"
#include "serve/serve_int.h"
#include "serve/page.h"

#include <errno.h>
#include <gsl/gsl_rng.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/timer_heap.h"
#include "core/units.h"
#include "http/chunked.h"
#include "http/http_req.h"
#include "io/poll.h"
#include "io/tls.h"
#include "io/transport.h"
#include "io/worker.h"
#include "stat/dist.h"

#define RBUF_BYTES SERVE_RBUF_BYTES
#define WBUF_BYTES SERVE_WBUF_BYTES
#define WBUF_HIGH (WBUF_BYTES - 1024)  /* stop queueing responses above this */
#define MAX_EVENTS 256
#define ACCEPTS_PER_WAKE 64
#define LINGER_NS (2 * HP_NS_PER_S)    /* read-and-discard after an error response */
#define INLINE_BODY_MAX 1024           /* smaller bodies are copied into wbuf */
#define DEFAULT_MAX_CONNS 100000
#define POOL_MAX SERVE_POOL_MAX


const char hp_serve_pattern[PATTERN_BYTES + 1] = {[0 ... PATTERN_BYTES - 1] = 'x'};

const char *hp_serve_route_name(enum hp_serve_route r)
{
    static const char *names[HP_ROUTE_COUNT] = {"root",      "bytes",       "status",
                                                "delay",     "not_found",   "page",
                                                "page_asset", "bad_request"};
    return (unsigned)r < HP_ROUTE_COUNT ? names[r] : "unknown";
}

const char *hp_serve_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 418: return "I'm a teapot";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
    }
}

/* ---- output ------------------------------------------------------------ */

static void put(struct conn *c, const char *s, size_t n)
{
    /* Callers check room first (WBUF_HIGH leaves 1 KiB for any head). */
    memcpy(c->wbuf + c->wlen, s, n);
    c->wlen += n;
}

#define PUT_LIT(c, lit) put((c), (lit), sizeof(lit) - 1)

static void put_u64(struct conn *c, uint64_t v)
{
    c->wlen = (size_t)(hp_put_u64(c->wbuf + c->wlen, v) - c->wbuf);
}

static void refresh_date(struct worker *w)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    if (ts.tv_sec == w->date_sec)
        return;
    struct tm tm;
    w->date_sec = ts.tv_sec;
    gmtime_r(&ts.tv_sec, &tm);
    w->date_len = strftime(w->date, sizeof w->date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
}

/* Status line and headers of resp, then the body if it is small. Larger
 * bodies are streamed from the pattern by flush(). */
static void queue_response(struct conn *c, const struct response *r)
{
    struct worker *w = c->w;
    const char *why = hp_serve_reason(r->status);
    bool no_body = r->status == 204 || r->status == 304;

    PUT_LIT(c, "HTTP/1.1 ");
    put_u64(c, (uint64_t)r->status);
    put(c, " ", 1);
    put(c, why, strlen(why));
    PUT_LIT(c, "\r\nServer: hotpath\r\n");
    put(c, w->date, w->date_len);
    if (!no_body) {
        PUT_LIT(c, "Content-Type: ");
        if (r->ctype)
            put(c, r->ctype, strlen(r->ctype));
        else
            PUT_LIT(c, "text/plain");
        PUT_LIT(c, "\r\nContent-Length: ");
        put_u64(c, (uint64_t)r->body_bytes);
        PUT_LIT(c, "\r\n");
    }
    if (r->route == HP_ROUTE_PAGE_ASSET && r->status == 200)
        PUT_LIT(c, "Cache-Control: max-age=3600\r\n"); /* a repeat view finds it cached */
    if (!r->keep_alive)
        PUT_LIT(c, "Connection: close\r\n");
    PUT_LIT(c, "\r\n");
    if (no_body || r->head || r->body_bytes == 0)
        return;
    if (r->body) {
        if (r->body_bytes <= INLINE_BODY_MAX) {
            put(c, r->body, (size_t)r->body_bytes);
        } else {
            c->stream_body = r->body;
            c->stream_left = r->body_bytes;
        }
    } else if (r->route == HP_ROUTE_ROOT && r->status == 200) {
        PUT_LIT(c, HP_SERVE_ROOT_BODY);
    } else if (r->route == HP_ROUTE_BYTES && r->status == 200) {
        if (r->body_bytes <= INLINE_BODY_MAX)
            put(c, hp_serve_pattern, (size_t)r->body_bytes);
        else
            c->stream_left = r->body_bytes;
    } else {
        /* Error and status bodies: the reason phrase and a newline. */
        put(c, why, strlen(why));
        PUT_LIT(c, "\n");
    }
}

static int64_t body_size_for(const struct response *r)
{
    if (r->body)
        return r->body_bytes;
    if (r->route == HP_ROUTE_ROOT && r->status == 200)
        return (int64_t)sizeof HP_SERVE_ROOT_BODY - 1;
    if (r->route == HP_ROUTE_BYTES && r->status == 200)
        return r->body_bytes;
    return (int64_t)strlen(hp_serve_reason(r->status)) + 1;
}

/* ---- connections ------------------------------------------------------- */

void hp_serve_set_events(struct conn *c, uint32_t want)
{
    if (want == c->events)
        return;
    if (hp_poller_mod(&c->w->wk.poller, c->sk.fd, want, c) == 0)
        c->events = want;
}

static void release_worker(struct conn *c, int64_t now);
static void bufs_put(struct conn *c);
static void unqueue(struct conn *c);

void hp_serve_conn_close(struct conn *c)
{
    struct worker *w = c->w;
    hp_serve_h2_end(c);
    hp_serve_response_drop(&c->resp);
    c->stream_body = NULL;
    hp_timer_heap_remove(&w->wk.timers, &c->timer);
    if (c->in_queue)
        unqueue(c);
    release_worker(c, hp_now_ns());
    w->tx->close(&c->sk);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->live = c->next;
    if (c->next)
        c->next->prev = c->prev;
    bufs_put(c);
    c->next = w->spare; /* keep the struct for the next connection */
    c->prev = NULL;
    w->spare = c;
    w->nconns--;
}

/* A connection's buffers, borrowed from the worker's pool while it has
 * something to read, parse or write. false when memory ran out. */
static bool bufs_get(struct conn *c)
{
    if (c->rbuf)
        return true;
    struct worker *w = c->w;
    char *b = w->n_pool > 0 ? w->pool[--w->n_pool] : hp_malloc(RBUF_BYTES + WBUF_BYTES);
    if (!b)
        return false;
    c->rbuf = b;
    c->wbuf = b + RBUF_BYTES;
    c->roff = c->rlen = c->woff = c->wlen = c->scan_from = 0;
    return true;
}

static void bufs_put(struct conn *c)
{
    struct worker *w = c->w;
    if (!c->rbuf)
        return;
    if (w->n_pool < POOL_MAX)
        w->pool[w->n_pool++] = c->rbuf;
    else
        hp_free(c->rbuf);
    c->rbuf = c->wbuf = NULL;
    c->roff = c->rlen = c->woff = c->wlen = c->scan_from = 0;
}

/* Back to the pool when nothing is pending: waiting for a request with
 * none of it read, nothing left to write. */
static void bufs_idle(struct conn *c)
{
    if (c->sk.fd >= 0 && c->state == C_HEAD && c->roff == c->rlen && c->woff == c->wlen &&
        c->stream_left == 0 && !c->close_after_write)
        bufs_put(c);
}

static void conn_free_list(struct conn *c)
{
    while (c) {
        struct conn *next = c->next;
        hp_serve_h2_end(c);
        hp_serve_response_drop(&c->resp);
        if (c->sk.fd >= 0)
            c->w->tx->close(&c->sk);
        bufs_put(c);
        hp_free(c);
        c = next;
    }
}

static struct conn *conn_get(struct worker *w)
{
    struct conn *c = w->spare;
    if (c) {
        w->spare = c->next;
    } else {
        c = hp_calloc(1, sizeof *c);
        if (!c)
            return NULL;
    }
    memset(c, 0, sizeof *c);
    c->w = w;
    hp_sock_init(&c->sk);
    hp_timer_init(&c->timer);
    return c;
}

/* ---- routing ----------------------------------------------------------- */

static bool prefix(const char *s, size_t len, const char *p, size_t plen)
{
    return len >= plen && memcmp(s, p, plen) == 0;
}

static bool parse_status(const char *s, size_t len, int *out)
{
    if (len != 3 || s[0] < '1' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' ||
        s[2] > '9')
        return false;
    *out = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    return true;
}

static bool parse_bytes(const char *s, size_t len, int64_t *out)
{
    char tmp[32];
    if (len == 0 || len >= sizeof tmp)
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return hp_parse_size(tmp, out, NULL) == 0 && *out <= HP_SERVE_MAX_BODY_BYTES;
}

static bool lookup_dist(struct worker *w, const char *s, size_t len, struct hp_dist *out)
{
    if (len == w->dist_text_len && memcmp(s, w->dist_text, len) == 0) {
        *out = w->dist_cache;
        return true;
    }
    if (hp_dist_parse(s, len, out, NULL) < 0)
        return false;
    if (len < sizeof w->dist_text) {
        memcpy(w->dist_text, s, len);
        w->dist_text_len = len;
        w->dist_cache = *out;
    }
    return true;
}

void hp_serve_route_req(struct worker *w, const struct hp_http_req *req, struct response *r)
{
    const char *path = req->target;
    size_t len = 0;
    while (len < req->target_len && path[len] != '?' && path[len] != '#')
        len++; /* the target is not NUL-terminated: it points into rbuf */

    r->status = 200;
    r->delay_ns = 0;
    r->head = req->head;
    r->keep_alive = req->keep_alive;
    r->body_bytes = 0;
    hp_serve_response_drop(r);
    r->ctype = NULL;
    struct hp_serve_page page;
    bool asset = false;
    int pr;
    if (len == 1 && path[0] == '/') {
        r->route = HP_ROUTE_ROOT;
    } else if (prefix(path, len, "/bytes/", 7)) {
        r->route = HP_ROUTE_BYTES;
        if (!parse_bytes(path + 7, len - 7, &r->body_bytes))
            r->status = 400;
    } else if (prefix(path, len, "/status/", 8)) {
        r->route = HP_ROUTE_STATUS;
        if (!parse_status(path + 8, len - 8, &r->status) || r->status == 101)
            r->status = 400;
    } else if (prefix(path, len, "/delay/", 7)) {
        struct hp_dist d;
        r->route = HP_ROUTE_DELAY;
        if (lookup_dist(w, path + 7, len - 7, &d))
            r->delay_ns = hp_dist_sample(&d, w->rng);
        else
            r->status = 400;
    } else if (prefix(path, len, "/page", 5) &&
               (pr = hp_serve_page_route(path, len, path + len + (len < req->target_len),
                                         req->target_len - len - (len < req->target_len),
                                         &page, &asset)) != 0) {
        r->route = asset ? HP_ROUTE_PAGE_ASSET : HP_ROUTE_PAGE;
        if (pr < 0) {
            r->status = pr == -ENOMEM ? 503 : 400;
        } else {
            r->owned = page.owned;
            r->body = page.body;
            r->ctype = page.ctype;
            r->body_bytes = (int64_t)page.body_len;
            if (page.has_delay)
                r->delay_ns = hp_dist_sample(&page.delay, w->rng);
        }
    } else {
        r->route = HP_ROUTE_NOT_FOUND;
        r->status = 404;
    }
    if (w->srv->cfg.error_rate > 0.0 && r->status < 400 &&
        gsl_rng_uniform(w->rng) < w->srv->cfg.error_rate) {
        r->status = 500;
        w->st.injected_errors++;
    }
    if (r->status != 200) {
        hp_serve_response_drop(r);
        r->ctype = NULL;
    }
    r->body_bytes = body_size_for(r);
}

/* ---- request handling -------------------------------------------------- */

static void respond(struct conn *c, int64_t now)
{
    struct worker *w = c->w;
    struct response *r = &c->resp;

    if (r->status >= 100 && r->status < 200) {
        /* An interim response, then the final one: what a client must skip. */
        PUT_LIT(c, "HTTP/1.1 ");
        put_u64(c, (uint64_t)r->status);
        put(c, " ", 1);
        put(c, hp_serve_reason(r->status), strlen(hp_serve_reason(r->status)));
        PUT_LIT(c, "\r\n\r\n");
        w->st.status[r->status]++;
        r->status = 200;
        r->route = HP_ROUTE_ROOT;
        hp_serve_response_drop(r);
        r->ctype = NULL;
        r->body_bytes = body_size_for(r);
    }
    queue_response(c, r);
    w->st.requests++;
    w->st.status[r->status]++;
    w->st.routes[r->route]++;
    hp_hist_record(w->st.service_ns, now - c->req_start_ns);
    c->state = c->stream_left > 0 ? C_STREAM : C_HEAD;
    if (!r->keep_alive)
        c->close_after_write = true;
    release_worker(c, now);
}

/* ---- service slots (--workers) ------------------------------------------
 * A server with a pool of N workers: a request holds a slot from when its
 * service starts until its response is queued; requests that find every slot
 * taken wait in FIFO order, so beyond N requests in the server the response
 * time grows by queueing, as in a thread-pool server (an M/G/N station when
 * the arrivals are open). The waiting request is started through its own
 * timer, due at once, so a chain of zero-delay requests never recurses. */

static void unqueue(struct conn *c)
{
    struct worker *w = c->w;
    if (c->qprev)
        c->qprev->qnext = c->qnext;
    else
        w->qhead = c->qnext;
    if (c->qnext)
        c->qnext->qprev = c->qprev;
    else
        w->qtail = c->qprev;
    c->qnext = c->qprev = NULL;
    c->in_queue = false;
}

void hp_serve_slot_released(struct worker *w, int64_t now)
{
    w->busy--;
    struct conn *next = w->qhead;
    if (!next) {
        hp_serve_h2_dequeue(w, now);
        return;
    }
    unqueue(next);
    next->holds_worker = true;
    w->busy++;
    hp_timer_heap_add(&w->wk.timers, &next->timer, now); /* on_timer starts it */
}

static void release_worker(struct conn *c, int64_t now)
{
    if (!c->holds_worker)
        return;
    c->holds_worker = false;
    hp_serve_slot_released(c->w, now);
}

/* Start the request's service: its delay timer, or the answer now. */
static void begin_service(struct conn *c, int64_t now)
{
    struct worker *w = c->w;
    if (hp_serve_planted_any(&w->srv->cfg.planted))
        hp_serve_planted_run(&w->srv->cfg.planted, &w->planted, w->rng);
    if (c->resp.delay_ns > 0) {
        c->state = C_DELAY;
        if (hp_timer_heap_add(&c->w->wk.timers, &c->timer, now + c->resp.delay_ns) == 0)
            return;
        /* No room for the timer (cannot happen: one per connection). */
    }
    respond(c, now);
}

static void dispatch(struct conn *c)
{
    struct worker *w = c->w;
    int workers = w->srv->cfg.workers;
    if (workers > 0) {
        if (w->busy >= workers) {
            c->state = C_QUEUED;
            c->qnext = NULL;
            c->qprev = w->qtail;
            if (w->qtail)
                w->qtail->qnext = c;
            else
                w->qhead = c;
            w->qtail = c;
            c->in_queue = true;
            w->st.queued++;
            return;
        }
        w->busy++;
        c->holds_worker = true;
    }
    begin_service(c, hp_now_ns());
}

/* Refuse the request with a parser error and close after writing. */
static void refuse(struct conn *c, int status)
{
    hp_serve_response_drop(&c->resp);
    c->resp = (struct response){.status = status, .keep_alive = false,
                                .route = HP_ROUTE_BAD_REQUEST};
    c->resp.body_bytes = body_size_for(&c->resp);
    c->req_start_ns = hp_now_ns();
    respond(c, c->req_start_ns);
    c->state = C_LINGER;
    c->roff = c->rlen = 0;
}

/* Parse and answer what is in the read buffer until blocked. Returns true
 * when it stopped only because the output buffer is full. */
static bool process(struct conn *c)
{
    for (;;) {
        if (c->close_after_write)
            return false;
        if (c->wlen > WBUF_HIGH)
            return true;
        size_t avail = c->rlen - c->roff;
        switch (c->state) {
        case C_HEAD: {
            struct hp_http_req req;
            if (avail == 0)
                return false;
            int rc = hp_http_parse_request(c->rbuf + c->roff, avail, HP_HTTP_MAX_HEAD,
                                           &c->scan_from, &req);
            if (rc == HP_HTTP_INCOMPLETE)
                return false;
            if (rc < 0) {
                refuse(c, rc == HP_HTTP_ETOOLARGE ? 431 : rc == HP_HTTP_EVERSION ? 505 : 400);
                return false;
            }
            c->roff += (size_t)rc;
            c->req_start_ns = hp_now_ns();
            hp_serve_route_req(c->w, &req, &c->resp);
            if (req.content_length > 0 || req.chunked) {
                if (req.expect_continue)
                    PUT_LIT(c, "HTTP/1.1 100 Continue\r\n\r\n");
                c->body_left = req.content_length;
                c->state = req.chunked ? C_CHUNKED : C_BODY;
                if (req.chunked)
                    hp_chunked_init(&c->chunk);
                continue;
            }
            dispatch(c);
            break;
        }
        case C_BODY: {
            size_t n = avail < (uint64_t)c->body_left ? avail : (size_t)c->body_left;
            c->roff += n;
            c->body_left -= (int64_t)n;
            if (c->body_left > 0)
                return false;
            dispatch(c);
            break;
        }
        case C_CHUNKED: {
            size_t used;
            const char *data;
            size_t dlen;
            int rc = hp_chunked_feed(&c->chunk, c->rbuf + c->roff, avail, &used, &data, &dlen);
            c->roff += used;
            if (rc == HP_CHUNKED_EBAD) {
                refuse(c, 400);
                return false;
            }
            if (rc == HP_CHUNKED_DONE)
                dispatch(c);
            else if (c->roff == c->rlen)
                return false;
            break;
        }
        case C_QUEUED:
        case C_DELAY:
        case C_STREAM:
        case C_LINGER:
        case C_HANDSHAKE: /* not parsed before the handshake is done */
        case C_H2:        /* serve_h2.c's */
            return false;
        }
    }
}

enum { FLUSHED, BLOCKED, CLOSED };

static int flush(struct conn *c)
{
    while (c->woff < c->wlen || c->stream_left > 0) {
        struct iovec iov[2];
        int n_iov = 0;
        if (c->woff < c->wlen)
            iov[n_iov++] = (struct iovec){c->wbuf + c->woff, c->wlen - c->woff};
        if (c->stream_left > 0 && c->stream_body) {
            iov[n_iov++] = (struct iovec){(void *)c->stream_body, (size_t)c->stream_left};
        } else if (c->stream_left > 0) {
            size_t n = c->stream_left < PATTERN_BYTES ? (size_t)c->stream_left : PATTERN_BYTES;
            iov[n_iov++] = (struct iovec){(void *)hp_serve_pattern, n};
        }
        /* A client that went away is an EPIPE, not a SIGPIPE. */
        ssize_t n = c->w->tx->sendv(&c->sk, iov, n_iov);
        if (n < 0) {
            if (n == -EAGAIN) {
                hp_serve_set_events(c, (c->events & HP_POLL_IN) | HP_POLL_OUT);
                return BLOCKED;
            }
            hp_serve_conn_close(c);
            return CLOSED;
        }
        c->w->st.bytes_out += n;
        size_t from_buf = c->wlen - c->woff;
        if ((size_t)n < from_buf) {
            c->woff += (size_t)n;
        } else {
            c->woff = c->wlen = 0;
            c->stream_left -= (int64_t)((size_t)n - from_buf);
            if (c->stream_body)
                c->stream_body = c->stream_left > 0 ? c->stream_body + (n - from_buf) : NULL;
        }
    }
    if (c->state == C_STREAM)
        c->state = C_HEAD;
    return FLUSHED;
}

/* Run the connection until it blocks on input, output or a timer. */
static void drive(struct conn *c)
{
    for (;;) {
        bool output_full = process(c);
        bool streaming = c->state == C_STREAM;
        if (flush(c) == CLOSED)
            return;
        if (c->woff < c->wlen || c->stream_left > 0)
            break; /* blocked on output: writability is watched */
        if (c->close_after_write) {
            if (c->state == C_LINGER && !c->peer_closed) {
                /* Let the client read the error before the connection
                 * goes: shut our side, discard what it still sends. */
                c->w->tx->shutdown(&c->sk);
                c->close_after_write = false;
                hp_timer_heap_add(&c->w->wk.timers, &c->timer, hp_now_ns() + LINGER_NS);
                break;
            }
            hp_serve_conn_close(c);
            return;
        }
        if (output_full || streaming)
            continue; /* output drained: answer the requests still buffered */
        break;
    }
    if (c->peer_closed && c->state != C_DELAY && c->state != C_QUEUED && c->woff == c->wlen &&
        c->stream_left == 0) {
        hp_serve_conn_close(c);
        return;
    }
    /* Waiting for a head: idle while none of it is here, then timed from its
     * first byte (the header timeout), for sweep_timeouts. */
    if (c->state == C_HEAD) {
        bool empty = c->roff == c->rlen;
        if (empty != c->idle) {
            c->idle = empty;
            c->since_ns = c->w->wake_ns;
        }
    }
    /* Read while there is room and a reason; write when output waits. */
    uint32_t want = 0;
    if (!c->peer_closed && c->rlen - c->roff < RBUF_BYTES)
        want |= HP_POLL_IN;
    if (c->woff < c->wlen || c->stream_left > 0)
        want |= HP_POLL_OUT;
    hp_serve_set_events(c, want);
}

/* h2c: does the connection open with HTTP/2's preface? 1 yes, 0 not
 * known yet (what came is its start), -1 no (HTTP/1.1). */
static int preface(struct conn *c)
{
    static const char pri[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    size_t n = c->rlen - c->roff, k = n < sizeof pri - 1 ? n : sizeof pri - 1;
    if (memcmp(c->rbuf + c->roff, pri, k) != 0) {
        c->first_request = false;
        return -1;
    }
    return k == sizeof pri - 1 ? 1 : 0;
}

static void on_readable(struct conn *c)
{
    if (c->roff == c->rlen) {
        c->roff = c->rlen = 0;
    } else if (c->rlen == RBUF_BYTES && c->roff > 0) {
        memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
        c->rlen -= c->roff;
        c->scan_from = 0;
        c->roff = 0;
    }
    if (c->rlen == RBUF_BYTES) {
        hp_serve_set_events(c, c->events & ~(uint32_t)HP_POLL_IN); /* full: wait for the app to catch up */
        return;
    }
    ssize_t n = c->w->tx->recv(&c->sk, c->rbuf + c->rlen, RBUF_BYTES - c->rlen);
    if (n < 0) {
        if (n == -EAGAIN)
            return;
        hp_serve_conn_close(c);
        return;
    }
    if (n == 0) {
        c->peer_closed = true;
        if (c->state == C_LINGER) {
            hp_serve_conn_close(c);
            return;
        }
    } else {
        c->w->st.bytes_in += n;
        if (c->state == C_LINGER) {
            c->roff = c->rlen = 0; /* discard */
            return;
        }
        c->rlen += (size_t)n;
        if (c->w->srv->cfg.h2c && c->state == C_HEAD && c->first_request) {
            int p = preface(c);
            if (p == 0)
                return; /* the start of a preface: wait for the rest */
            if (p > 0) {
                hp_serve_h2_start(c);
                return;
            }
        }
    }
    drive(c);
}

/* The transport's handshake moves on; done, the first request may already
 * be in the session's buffer, so it is read at once. */
static void handshake(struct conn *c)
{
    int rc = c->w->tx->finish(&c->sk);
    if (rc == -EAGAIN) {
        hp_serve_set_events(c, c->sk.want);
        return;
    }
    if (rc < 0) {
        c->w->st.tls_failures++;
        hp_serve_conn_close(c);
        return;
    }
    c->w->st.tls_handshakes++;
    if (c->w->srv->cfg.h2 && hp_tls_alpn_is(&c->sk, "h2")) {
        hp_serve_h2_start(c);
        return;
    }
    c->state = C_HEAD;
    hp_serve_set_events(c, HP_POLL_IN);
    on_readable(c);
}

static void on_timer(struct conn *c, int64_t now)
{
    if (c->state == C_LINGER) {
        hp_serve_conn_close(c);
        return;
    }
    if (c->state == C_QUEUED) { /* a worker is free: the service starts now */
        begin_service(c, now);
        if (c->state == C_DELAY)
            return;
    } else {
        respond(c, now);
    }
    drive(c);
}

static void on_accept(struct worker *w)
{
    for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
        int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or EMFILE and friends: try again on the next wake */
        if (w->nconns >= w->max_conns) {
            close(fd);
            w->st.connections_refused++;
            continue;
        }
        struct conn *c = conn_get(w);
        if (!c) {
            close(fd);
            w->st.connections_refused++;
            continue;
        }
        c->events = HP_POLL_IN;
        int rc = w->tx->accept(&c->sk, fd, &w->srv->bound, w->tx_ctx);
        if ((rc < 0 && rc != -EINPROGRESS) ||
            hp_poller_add(&w->wk.poller, fd, HP_POLL_IN, c) < 0) {
            close(fd);
            hp_sock_init(&c->sk);
            c->next = w->spare;
            w->spare = c;
            continue;
        }
        c->since_ns = w->wake_ns; /* the first head is timed from the accept */
        c->first_request = true;
        if (rc == -EINPROGRESS) /* a handshake first, timed as a head is */
            c->state = C_HANDSHAKE;
        c->next = w->live;
        if (w->live)
            w->live->prev = c;
        w->live = c;
        w->nconns++;
        w->st.connections++;
    }
}

/* ---- the loop ---------------------------------------------------------- */

/* Sleep through a stall window if now is inside one. Windows start at
 * start + k * every (k >= 1) and last `for`. */
static void maybe_stall(struct worker *w)
{
    const struct hp_serve_config *cfg = &w->srv->cfg;
    if (cfg->stall_every_ns <= 0 || cfg->stall_for_ns <= 0)
        return;
    int64_t since = hp_now_ns() - w->srv->start_ns;
    int64_t k = since / cfg->stall_every_ns;
    int64_t phase = since - k * cfg->stall_every_ns;
    if (k < 1 || phase >= cfg->stall_for_ns)
        return;
    if (k != w->stall_window) {
        w->stall_window = k;
        w->st.stalls++;
    }
    int64_t start = w->srv->start_ns + k * cfg->stall_every_ns;
    struct timespec until = hp_ns_to_ts(start + cfg->stall_for_ns);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
        ;
    /* What the window really was: requests that came in at its start
     * waited until now, the stall and any oversleep of a busy machine. */
    w->wake_ns = hp_now_ns(); /* what follows the stall happens now */
    if (k <= HP_SERVE_MAX_STALL_WINDOWS) {
        int64_t held = w->wake_ns - start;
        if (held > w->st.stall_ns[k - 1])
            w->st.stall_ns[k - 1] = held;
        if (k > w->st.n_stall_windows)
            w->st.n_stall_windows = (int)k;
    }
}

/* Close the connections whose head is too slow (a slowloris holds a
 * connection by sending a byte now and then) or that idle too long. */
static void sweep_timeouts(struct worker *w, int64_t now)
{
    const struct hp_serve_config *cfg = &w->srv->cfg;
    struct conn *c = w->live;
    while (c) {
        struct conn *next = c->next;
        if (c->state == C_H2) {
            if (cfg->idle_timeout_ns > 0 && hp_serve_h2_idle(c) &&
                now - c->since_ns >= cfg->idle_timeout_ns) {
                w->st.idle_timeouts++;
                hp_serve_h2_close_idle(c);
            }
        } else if (c->state == C_HEAD || c->state == C_HANDSHAKE) {
            int64_t limit = c->idle ? cfg->idle_timeout_ns : cfg->header_timeout_ns;
            if (limit > 0 && now - c->since_ns >= limit) {
                if (c->idle)
                    w->st.idle_timeouts++;
                else
                    w->st.header_timeouts++;
                hp_serve_conn_close(c);
            }
        }
        c = next;
    }
}

/* How often timeouts are looked for: a tenth of the shorter, within 10 ms
 * and 1 s. */
static int64_t sweep_every(const struct hp_serve_config *cfg)
{
    int64_t t = INT64_MAX;
    if (cfg->header_timeout_ns > 0)
        t = cfg->header_timeout_ns;
    if (cfg->idle_timeout_ns > 0 && cfg->idle_timeout_ns < t)
        t = cfg->idle_timeout_ns;
    if (t == INT64_MAX)
        return 0;
    t /= 10;
    return t < 10 * HP_NS_PER_MS ? 10 * HP_NS_PER_MS : t > HP_NS_PER_S ? HP_NS_PER_S : t;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct hp_poll_event evs[MAX_EVENTS];
    int64_t every = sweep_every(&w->srv->cfg);

    w->wake_ns = hp_now_ns();
    w->next_sweep_ns = every ? w->wake_ns + every : HP_POLL_FOREVER;
    while (!atomic_load_explicit(&w->srv->stop, memory_order_relaxed)) {
        /* One clock reading per wake, after the wait: it stamps what the
         * events bring and decides which timers are due. */
        /* Delays are nanosecond timers: a fresh reading when one waits. */
        struct hp_timer *h2t = hp_timer_heap_peek(&w->h2_timers);
        int64_t before = hp_timer_heap_peek(&w->wk.timers) || h2t ? hp_now_ns() : w->wake_ns;
        int64_t until = h2t && h2t->due_ns < w->next_sweep_ns ? h2t->due_ns : w->next_sweep_ns;
        int n = hp_worker_wait(&w->wk, evs, MAX_EVENTS, until, before);
        if (n < 0 && n != -EINTR)
            break;
        w->wake_ns = hp_now_ns();
        maybe_stall(w);
        refresh_date(w);
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data;
            if (p == &w->listen_fd) {
                on_accept(w);
                continue;
            }
            if (hp_worker_is_wake(&w->wk, &evs[i]))
                continue;
            struct conn *c = p;
            if (c->sk.fd < 0)
                continue;
            uint32_t e = evs[i].events;
            if ((e & (HP_POLL_ERR | HP_POLL_HUP) && !(e & HP_POLL_IN)) || !bufs_get(c)) {
                hp_serve_conn_close(c);
                continue;
            }
            if (c->state == C_HANDSHAKE) {
                handshake(c);
            } else if (c->state == C_H2) {
                hp_serve_h2_io(c, e);
            } else {
                if (e & HP_POLL_OUT)
                    drive(c);
                if (c->sk.fd >= 0 && (e & HP_POLL_IN))
                    on_readable(c);
            }
            bufs_idle(c);
        }
        int64_t now = w->wake_ns;
        struct hp_timer *t;
        while ((t = hp_timer_heap_pop_due(&w->wk.timers, now)) != NULL) {
            struct conn *c = (struct conn *)((char *)t - offsetof(struct conn, timer));
            if (!bufs_get(c)) {
                hp_serve_conn_close(c);
                continue;
            }
            on_timer(c, now);
            bufs_idle(c);
        }
        while ((t = hp_timer_heap_pop_due(&w->h2_timers, now)) != NULL)
            hp_serve_h2_timer(t, now);
        if (now >= w->next_sweep_ns) {
            sweep_timeouts(w, now);
            w->next_sweep_ns = now + every;
        }
    }
    return NULL;
}

/* ---- setup ------------------------------------------------------------- */

static int listen_on(const struct hp_addr *a, int *fd_out, struct hp_err *err)
{
    char name[160];
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;

    if (fd < 0)
        return hp_err_set(err, -errno, "socket: %s", strerror(errno));
    if (a->ss.ss_family != AF_UNIX) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 || listen(fd, 4096) < 0) {
        int e = errno;
        close(fd);
        return hp_err_set(err, -e, "listen %s: %s", hp_addr_format(a, name, sizeof name),
                          strerror(e));
    }
    *fd_out = fd;
    return 0;
}

/* Is a's port free? The workers' listeners all set SO_REUSEPORT so that
 * they can share it, which would also let them join another server's port
 * and silently take part of its traffic (its --truth would then be wrong):
 * a socket without SO_REUSEPORT cannot bind a port that is in use. */
static int port_free(const struct hp_addr *a, struct hp_err *err)
{
    char name[160];
    int one = 1, fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return hp_err_set(err, -errno, "socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ? -errno : 0;
    close(fd);
    if (rc == -EADDRINUSE)
        return hp_err_set(err, rc, "listen %s: address in use (another server listens there; "
                                   "--reuse-port shares it)",
                          hp_addr_format(a, name, sizeof name));
    return 0; /* other failures are reported by the real bind */
}

static int worker_init(struct hp_serve *s, struct worker *w, int id, struct hp_err *err)
{
    w->srv = s;
    w->id = id;
    w->tx = s->cfg.tls ? &hp_transport_tls : &hp_transport_tcp;
    w->tx_ctx = s->cfg.tls;
    w->max_conns = (s->cfg.max_conns + s->nworkers - 1) / s->nworkers;
    hp_timer_heap_init(&w->h2_timers);
    if (hp_hist_new_latency(&w->st.service_ns) < 0 ||
        !(w->rng = gsl_rng_alloc(gsl_rng_mt19937)))
        return hp_err_set(err, -ENOMEM, "out of memory");
    gsl_rng_set(w->rng, s->cfg.seed + (uint64_t)id);
    if (!(w->pool = hp_calloc(POOL_MAX, sizeof *w->pool)))
        return hp_err_set(err, -ENOMEM, "out of memory");
    int prc = hp_serve_planted_open(&s->cfg.planted, &w->planted, err);
    if (prc < 0)
        return prc;
    int rc = hp_worker_init(&w->wk, MAX_EVENTS, w->max_conns, err);
    if (rc < 0)
        return rc;
    refresh_date(w);
    return 0;
}

int hp_serve_new(const struct hp_serve_config *cfg, struct hp_serve **out, struct hp_err *err)
{
    struct hp_serve *s;
    int rc;

    if (cfg->threads < 1 || cfg->threads > HP_SERVE_MAX_THREADS)
        return hp_err_set(err, HP_ERANGE, "threads must be 1-%d, not %d", HP_SERVE_MAX_THREADS,
                          cfg->threads);
    if (cfg->error_rate < 0.0 || cfg->error_rate > 1.0)
        return hp_err_set(err, HP_ERANGE, "error rate must be 0-100%%");
    if (cfg->stall_every_ns < 0 || cfg->stall_for_ns < 0 ||
        (cfg->stall_every_ns > 0 && cfg->stall_for_ns >= cfg->stall_every_ns))
        return hp_err_set(err, HP_ERANGE, "a stall must be shorter than its period");
    if (cfg->workers < 0)
        return hp_err_set(err, HP_ERANGE, "workers must be 0 (no limit) or more");
    if (cfg->listen.ss.ss_family == AF_UNIX && cfg->threads > 1)
        return hp_err_set(err, HP_EUSAGE,
                          "a unix socket is served by one thread (SO_REUSEPORT is TCP only)");
    s = hp_calloc(1, sizeof *s);
    if (!s)
        return hp_err_set(err, -ENOMEM, "out of memory");
    s->cfg = *cfg;
    if (s->cfg.max_conns <= 0)
        s->cfg.max_conns = DEFAULT_MAX_CONNS;
    /* As many sockets as max_conns asks, if the descriptor limit allows;
     * 64 to spare for listeners, epoll, eventfds and files. */
    long fds = hp_fd_limit_raise((long)s->cfg.max_conns + 64);
    if (fds - 64 < s->cfg.max_conns)
        s->cfg.max_conns = fds > 65 ? (int)(fds - 64) : 1;
    s->nworkers = cfg->threads;
    s->workers = hp_calloc((size_t)s->nworkers, sizeof *s->workers);
    if (!s->workers) {
        hp_free(s);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    for (int i = 0; i < s->nworkers; i++) {
        hp_worker_clear(&s->workers[i].wk);
        s->workers[i].listen_fd = -1;
    }
    for (int i = 0; i < s->nworkers; i++) {
        rc = worker_init(s, &s->workers[i], i, err);
        if (rc < 0)
            goto fail;
    }
    /* The first listener resolves port 0; the others share its port. */
    s->bound = cfg->listen;
    if (!cfg->reuse_port && s->bound.ss.ss_family != AF_UNIX && hp_addr_port(&s->bound) != 0 &&
        (rc = port_free(&s->bound, err)) < 0)
        goto fail;
    for (int i = 0; i < s->nworkers; i++) {
        struct worker *w = &s->workers[i];
        rc = listen_on(&s->bound, &w->listen_fd, err);
        if (rc < 0)
            goto fail;
        if (i == 0 && s->bound.ss.ss_family != AF_UNIX) {
            s->bound.len = sizeof s->bound.ss;
            getsockname(w->listen_fd, (struct sockaddr *)&s->bound.ss, &s->bound.len);
        }
        rc = hp_poller_add(&w->wk.poller, w->listen_fd, HP_POLL_IN, &w->listen_fd);
        if (rc < 0) {
            rc = hp_err_set(err, rc, "%s: %s", hp_poller_name(&w->wk.poller), strerror(-rc));
            goto fail;
        }
    }
    *out = s;
    return 0;
fail:
    hp_serve_free(s);
    return rc;
}

void hp_serve_bound(const struct hp_serve *s, struct hp_addr *out)
{
    *out = s->bound;
}

int hp_serve_start(struct hp_serve *s, struct hp_err *err)
{
    s->start_ns = hp_now_ns();
    /* Workers never take signals: the caller waits for them. */
    for (int i = 0; i < s->nworkers; i++) {
        int rc = hp_worker_start(&s->workers[i].wk, worker_main, &s->workers[i]);
        if (rc < 0) {
            s->running = true;
            hp_serve_stop(s);
            return hp_err_set(err, rc, "cannot start thread: %s", strerror(-rc));
        }
    }
    s->running = true;
    return 0;
}

void hp_serve_stop(struct hp_serve *s)
{
    if (!s->running)
        return;
    atomic_store(&s->stop, true);
    for (int i = 0; i < s->nworkers; i++)
        hp_worker_wake(&s->workers[i].wk);
    for (int i = 0; i < s->nworkers; i++)
        hp_worker_join(&s->workers[i].wk);
    s->stop_ns = hp_now_ns();
    s->running = false;
}

double hp_serve_elapsed_s(const struct hp_serve *s)
{
    int64_t end = s->running ? hp_now_ns() : s->stop_ns;
    return (double)(end - s->start_ns) / 1e9;
}

int hp_serve_stats(const struct hp_serve *s, struct hp_serve_stats *out)
{
    memset(out, 0, sizeof *out);
    int rc = hp_hist_new_latency(&out->service_ns);
    if (rc < 0)
        return rc;
    for (int i = 0; i < s->nworkers; i++) {
        const struct hp_serve_stats *st = &s->workers[i].st;
        out->requests += st->requests;
        out->connections += st->connections;
        out->connections_refused += st->connections_refused;
        out->injected_errors += st->injected_errors;
        out->stalls += st->stalls;
        out->queued += st->queued;
        out->header_timeouts += st->header_timeouts;
        out->idle_timeouts += st->idle_timeouts;
        out->tls_handshakes += st->tls_handshakes;
        out->tls_failures += st->tls_failures;
        out->h2_connections += st->h2_connections;
        out->h2_errors += st->h2_errors;
        out->bytes_in += st->bytes_in;
        out->bytes_out += st->bytes_out;
        for (int k = 0; k < 600; k++)
            out->status[k] += st->status[k];
        for (int k = 0; k < HP_ROUTE_COUNT; k++)
            out->routes[k] += st->routes[k];
        for (int k = 0; k < st->n_stall_windows; k++)
            if (st->stall_ns[k] > out->stall_ns[k])
                out->stall_ns[k] = st->stall_ns[k];
        if (st->n_stall_windows > out->n_stall_windows)
            out->n_stall_windows = st->n_stall_windows;
        if (st->service_ns)
            hp_hist_add(out->service_ns, st->service_ns);
        const struct hp_serve_planted_stats *ps = &s->workers[i].planted.st;
        out->planted.cpu_ns += ps->cpu_ns;
        out->planted.lock_wait_ns += ps->lock_wait_ns;
        out->planted.lock_held_ns += ps->lock_held_ns;
        out->planted.fsyncs += ps->fsyncs;
        out->planted.leaked_bytes += ps->leaked_bytes;
    }
    return 0;
}

void hp_serve_free(struct hp_serve *s)
{
    if (!s)
        return;
    hp_serve_stop(s);
    for (int i = 0; i < s->nworkers; i++) {
        struct worker *w = &s->workers[i];
        hp_worker_fini(&w->wk); /* before the connections its timers live in */
        conn_free_list(w->live);
        conn_free_list(w->spare);
        hp_serve_planted_close(&w->planted);
        for (int k = 0; k < w->n_pool; k++)
            hp_free(w->pool[k]);
        hp_free(w->pool);
        hp_timer_heap_fini(&w->h2_timers);
        hp_hist_free(w->st.service_ns);
        if (w->rng)
            gsl_rng_free(w->rng);
        if (w->listen_fd >= 0)
            close(w->listen_fd);
    }
    if (s->bound.ss.ss_family == AF_UNIX)
        unlink(((struct sockaddr_un *)&s->bound.ss)->sun_path);
    hp_free(s->workers);
    hp_free(s);
}
