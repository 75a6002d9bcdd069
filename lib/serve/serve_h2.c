// SPDX-License-Identifier: MIT
/* serve/serve_h2.c - HTTP/2 in the embedded target: a connection that
 * agreed on h2 in its TLS handshake, or opened with the preface in plain
 * TCP (--h2c), hands every event to an nghttp2 server session. Streams
 * get the same routes, delays, injected errors and --truth counts as
 * HTTP/1.1 requests; each has its own delay timer (w->h2_timers), since
 * one connection now holds many requests at once. */
#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/units.h"
#include "io/poll.h"
#include "serve/serve_int.h"

#define MAX_PATH_BYTES 8192
#define READS_PER_WAKE 16

struct h2stream {
    struct hp_timer timer; /* its delay (first: container_of) */
    struct h2stream *prev, *next;
    struct conn *c;
    int32_t id;
    bool head;
    bool bad;  /* a path too long to route */
    bool queued;   /* waiting for a service slot (--workers), in w->h2q */
    bool starting; /* its timer starts its service (a slot came free) */
    bool holds;    /* one of the worker's service slots is this stream's */
    struct h2stream *qnext, *qprev;
    char *path;
    size_t path_len;
    struct response resp;
    int64_t start_ns;
    int64_t body_off; /* body bytes handed to nghttp2 */
};

struct h2conn {
    nghttp2_session *s;
    struct h2stream *streams; /* every stream with a request of ours */
    char *out;                /* bytes nghttp2 gave that the socket has not taken */
    size_t out_off, out_len, out_cap;
};

/* ---- responses ---------------------------------------------------------- */

static const char *body_of(const struct response *r, size_t *len)
{
    if (r->body) {
        *len = (size_t)r->body_bytes;
        return r->body;
    }
    if (r->route == HP_ROUTE_ROOT && r->status == 200) {
        *len = sizeof HP_SERVE_ROOT_BODY - 1;
        return HP_SERVE_ROOT_BODY;
    }
    if (r->route == HP_ROUTE_BYTES && r->status == 200) {
        *len = PATTERN_BYTES; /* repeated for larger bodies */
        return hp_serve_pattern;
    }
    *len = 0;
    return NULL;
}

static ssize_t read_body(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length,
                         uint32_t *data_flags, nghttp2_data_source *src, void *ud)
{
    (void)s;
    (void)stream_id;
    (void)ud;
    struct h2stream *st = src->ptr;
    const struct response *r = &st->resp;
    int64_t left = r->body_bytes - st->body_off;
    size_t n = left < (int64_t)length ? (size_t)left : length;
    size_t blen;
    const char *b = body_of(r, &blen);
    if (b) {
        for (size_t done = 0; done < n;) { /* the pattern repeats */
            size_t at = (size_t)((st->body_off + (int64_t)done) % (int64_t)blen);
            size_t k = blen - at < n - done ? blen - at : n - done;
            memcpy(buf + done, b + at, k);
            done += k;
        }
    } else { /* error and status bodies: the reason phrase and a newline */
        const char *why = hp_serve_reason(r->status);
        size_t wl = strlen(why);
        for (size_t i = 0; i < n; i++) {
            size_t at = (size_t)st->body_off + i;
            buf[i] = (uint8_t)(at < wl ? why[at] : '\n');
        }
    }
    st->body_off += (int64_t)n;
    if (st->body_off >= r->body_bytes)
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

#define NV(n, v, vl)                                                                               \
    ((nghttp2_nv){(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, (vl), NGHTTP2_NV_FLAG_NONE})

static void respond(struct h2stream *st, int64_t now)
{
    struct conn *c = st->c;
    struct worker *w = c->w;
    struct response *r = &st->resp;
    char status[4], clen[24], ist[4];

    if (r->status >= 100 && r->status < 200) {
        /* An interim head, then the final answer: what a client must skip. */
        snprintf(ist, sizeof ist, "%d", r->status);
        nghttp2_nv inv[] = {NV(":status", ist, 3)};
        nghttp2_submit_headers(c->h2->s, NGHTTP2_FLAG_NONE, st->id, NULL, inv, 1, NULL);
        w->st.status[r->status]++;
        r->status = 200;
        r->route = HP_ROUTE_ROOT;
        hp_serve_response_drop(r);
        r->ctype = NULL;
        r->body_bytes = sizeof HP_SERVE_ROOT_BODY - 1;
    }
    bool no_body = r->status == 204 || r->status == 304;
    snprintf(status, sizeof status, "%d", r->status);
    char *end = hp_put_u64(clen, (uint64_t)r->body_bytes);
    /* w->date is "Date: <value>\r\n" */
    nghttp2_nv nv[6] = {NV(":status", status, 3), NV("server", "hotpath", 7),
                        NV("date", w->date + 6, w->date_len > 8 ? w->date_len - 8 : 0)};
    size_t nnv = 3;
    if (!no_body) {
        const char *ct = r->ctype ? r->ctype : "text/plain";
        nv[nnv++] = NV("content-type", ct, strlen(ct));
        nv[nnv++] = NV("content-length", clen, (size_t)(end - clen));
    }
    if (r->route == HP_ROUTE_PAGE_ASSET && r->status == 200)
        nv[nnv++] = NV("cache-control", "max-age=3600", 12);
    nghttp2_data_provider prd = {.source.ptr = st, .read_callback = read_body};
    bool body = !no_body && !st->head && r->body_bytes > 0;
    nghttp2_submit_response(c->h2->s, st->id, nv, nnv, body ? &prd : NULL);
    w->st.requests++;
    w->st.status[r->status]++;
    w->st.routes[r->route]++;
    hp_hist_record(w->st.service_ns, now - st->start_ns);
    if (st->holds) { /* answered: its service slot goes to the next waiting */
        st->holds = false;
        hp_serve_slot_released(w, now);
    }
}

/* Arm st's timer at due, growing the heap (any number of streams may wait
 * at once). false when there is no room: the caller goes on without it. */
static bool arm(struct h2stream *st, int64_t due)
{
    struct hp_timer_heap *h = &st->c->w->h2_timers;
    if (h->len == h->cap && hp_timer_heap_reserve(h, h->cap ? h->cap * 2 : 64) < 0)
        return false;
    hp_timer_heap_add(h, &st->timer, due);
    return true;
}

/* Its service: the route's delay on its timer, or the answer now (also
 * when the timer cannot be had: answered without the delay). */
static void begin_service(struct h2stream *st, int64_t now)
{
    struct worker *w = st->c->w;
    if (hp_serve_planted_any(&w->srv->cfg.planted))
        hp_serve_planted_run(&w->srv->cfg.planted, &w->planted, w->rng);
    if (st->resp.delay_ns > 0 && arm(st, now + st->resp.delay_ns))
        return;
    respond(st, now);
}

static void unqueue(struct worker *w, struct h2stream *st)
{
    if (st->qprev)
        st->qprev->qnext = st->qnext;
    else
        w->h2q_head = st->qnext;
    if (st->qnext)
        st->qnext->qprev = st->qprev;
    else
        w->h2q_tail = st->qprev;
    st->qnext = st->qprev = NULL;
    st->queued = false;
}

bool hp_serve_h2_dequeue(struct worker *w, int64_t now)
{
    struct h2stream *st = w->h2q_head;
    if (!st)
        return false;
    unqueue(w, st);
    st->holds = true;
    w->busy++;
    st->starting = true; /* through its timer, due now: a chain never recurses */
    if (!arm(st, now)) {
        st->starting = false;
        begin_service(st, now);
    }
    return true;
}

/* The request of st is complete: route it, answer now or after its delay. */
static void serve_stream(struct h2stream *st)
{
    struct worker *w = st->c->w;
    int64_t now = hp_now_ns();
    st->start_ns = now;
    if (st->bad || !st->path) {
        hp_serve_response_drop(&st->resp);
        st->resp = (struct response){.status = st->bad ? 431 : 400, .keep_alive = true,
                                     .route = HP_ROUTE_BAD_REQUEST};
        st->resp.body_bytes = (int64_t)strlen(hp_serve_reason(st->resp.status)) + 1;
        respond(st, now);
        return;
    }
    struct hp_http_req req = {0};
    req.target = st->path;
    req.target_len = st->path_len;
    req.head = st->head;
    req.keep_alive = true;
    hp_serve_route_req(w, &req, &st->resp);
    int workers = w->srv->cfg.workers;
    if (workers > 0) { /* a pool of service slots, as for HTTP/1.1 requests */
        if (w->busy >= workers) {
            st->queued = true;
            st->qprev = w->h2q_tail;
            if (w->h2q_tail)
                w->h2q_tail->qnext = st;
            else
                w->h2q_head = st;
            w->h2q_tail = st;
            w->st.queued++;
            return;
        }
        w->busy++;
        st->holds = true;
    }
    begin_service(st, now);
}

/* ---- nghttp2's callbacks ------------------------------------------------ */

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    struct conn *c = ud;
    if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    struct h2stream *st = hp_calloc(1, sizeof *st);
    if (!st)
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* the stream is reset */
    hp_timer_init(&st->timer);
    st->c = c;
    st->id = f->hd.stream_id;
    st->next = c->h2->streams;
    if (st->next)
        st->next->prev = st;
    c->h2->streams = st;
    nghttp2_session_set_stream_user_data(s, st->id, st);
    return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *ud)
{
    (void)flags;
    (void)ud;
    if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    struct h2stream *st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
    if (!st)
        return 0;
    if (namelen == 7 && memcmp(name, ":method", 7) == 0) {
        st->head = valuelen == 4 && memcmp(value, "HEAD", 4) == 0;
    } else if (namelen == 5 && memcmp(name, ":path", 5) == 0 && !st->path) {
        if (valuelen > MAX_PATH_BYTES) {
            st->bad = true;
            return 0;
        }
        st->path = hp_malloc(valuelen + 1);
        if (!st->path)
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        memcpy(st->path, value, valuelen);
        st->path[valuelen] = '\0';
        st->path_len = valuelen;
    }
    return 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    (void)ud;
    if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
        (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
        struct h2stream *st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
        if (st)
            serve_stream(st);
    }
    return 0;
}

static void stream_free(struct conn *c, struct h2stream *st)
{
    hp_timer_heap_remove(&c->w->h2_timers, &st->timer);
    if (st->queued)
        unqueue(c->w, st);
    if (st->holds) { /* reset or closed while in service: its slot goes on */
        st->holds = false;
        hp_serve_slot_released(c->w, hp_now_ns());
    }
    if (st->prev)
        st->prev->next = st->next;
    else
        c->h2->streams = st->next;
    if (st->next)
        st->next->prev = st->prev;
    hp_serve_response_drop(&st->resp);
    hp_free(st->path);
    hp_free(st);
}

static int on_stream_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *ud)
{
    (void)error_code;
    struct conn *c = ud;
    struct h2stream *st = nghttp2_session_get_stream_user_data(s, stream_id);
    if (st) {
        nghttp2_session_set_stream_user_data(s, stream_id, NULL);
        stream_free(c, st);
        c->since_ns = c->w->wake_ns; /* idle, if it was the last, from now */
    }
    return 0;
}

static nghttp2_session_callbacks *callbacks;
static pthread_once_t callbacks_once = PTHREAD_ONCE_INIT;

static void make_callbacks(void)
{
    if (nghttp2_session_callbacks_new(&callbacks) != 0)
        return;
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
}

/* ---- the connection ------------------------------------------------------ */

/* Hand nghttp2's output to the socket; what it does not take waits in
 * out. false when the connection was closed. */
static bool h2_flush(struct conn *c)
{
    struct h2conn *h = c->h2;
    for (;;) {
        if (h->out_off < h->out_len) {
            ssize_t n = c->w->tx->send(&c->sk, h->out + h->out_off, h->out_len - h->out_off);
            if (n == -EAGAIN)
                break;
            if (n < 0) {
                hp_serve_conn_close(c);
                return false;
            }
            c->w->st.bytes_out += n;
            h->out_off += (size_t)n;
            continue;
        }
        h->out_off = h->out_len = 0;
        const uint8_t *d;
        ssize_t k = nghttp2_session_mem_send(h->s, &d);
        if (k < 0) {
            hp_serve_conn_close(c);
            return false;
        }
        if (k == 0)
            break;
        if ((size_t)k > h->out_cap) {
            size_t cap = h->out_cap ? h->out_cap : 16384;
            while (cap < (size_t)k)
                cap *= 2;
            char *p = hp_realloc(h->out, cap);
            if (!p) {
                hp_serve_conn_close(c);
                return false;
            }
            h->out = p;
            h->out_cap = cap;
        }
        memcpy(h->out, d, (size_t)k);
        h->out_len = (size_t)k;
    }
    bool pending = h->out_off < h->out_len;
    if (!pending && !nghttp2_session_want_read(h->s) && !nghttp2_session_want_write(h->s)) {
        hp_serve_conn_close(c); /* both sides are done (GOAWAY sent or received) */
        return false;
    }
    hp_serve_set_events(c, HP_POLL_IN | (pending ? HP_POLL_OUT : 0));
    return true;
}

/* Feed what was read; false when the connection was closed. */
static bool h2_feed(struct conn *c, const char *p, size_t n)
{
    ssize_t r = nghttp2_session_mem_recv(c->h2->s, (const uint8_t *)p, n);
    if (r < 0) {
        /* A peer that broke the protocol (a bad preface, a flood): nghttp2
         * has queued its GOAWAY where it could; send it and close. */
        c->w->st.h2_errors++;
        nghttp2_session_terminate_session(c->h2->s, NGHTTP2_PROTOCOL_ERROR);
        h2_flush(c);
        if (c->sk.fd >= 0)
            hp_serve_conn_close(c);
        return false;
    }
    return true;
}

int hp_serve_h2_start(struct conn *c)
{
    struct worker *w = c->w;
    pthread_once(&callbacks_once, make_callbacks);
    struct h2conn *h = hp_calloc(1, sizeof *h);
    if (!h || !callbacks || nghttp2_session_server_new(&h->s, callbacks, c) != 0) {
        hp_free(h);
        hp_serve_conn_close(c);
        return -1;
    }
    c->h2 = h;
    c->state = C_H2;
    w->st.h2_connections++;
    int streams = w->srv->cfg.h2_streams > 0 ? w->srv->cfg.h2_streams : 128;
    nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, (uint32_t)streams}};
    nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, iv, 1);
    /* What was read before the switch (the preface, maybe more) goes first. */
    size_t n = c->rlen - c->roff;
    const char *p = c->rbuf + c->roff;
    c->roff = c->rlen = 0;
    if (n > 0 && !h2_feed(c, p, n))
        return -1;
    if (!h2_flush(c))
        return -1;
    hp_serve_h2_io(c, HP_POLL_IN);
    return c->sk.fd >= 0 ? 0 : -1;
}

void hp_serve_h2_io(struct conn *c, uint32_t events)
{
    if ((events & HP_POLL_OUT) && !h2_flush(c))
        return;
    if (!(events & (HP_POLL_IN | HP_POLL_HUP | HP_POLL_ERR)))
        return;
    for (int i = 0; i < READS_PER_WAKE; i++) {
        ssize_t n = c->w->tx->recv(&c->sk, c->rbuf, SERVE_RBUF_BYTES);
        if (n == -EAGAIN)
            break;
        if (n <= 0) { /* the peer closed or failed: its streams go with it */
            hp_serve_conn_close(c);
            return;
        }
        c->w->st.bytes_in += n;
        c->since_ns = c->w->wake_ns; /* the idle timeout counts from the last frame */
        if (!h2_feed(c, c->rbuf, (size_t)n))
            return;
        if (!h2_flush(c))
            return;
        if (n < SERVE_RBUF_BYTES)
            break;
    }
    h2_flush(c);
}

void hp_serve_h2_timer(struct hp_timer *t, int64_t now)
{
    struct h2stream *st = (struct h2stream *)t;
    struct conn *c = st->c;
    if (st->starting) { /* a service slot came free for it */
        st->starting = false;
        begin_service(st, now);
        if (st->resp.delay_ns > 0)
            return; /* its delay runs now */
    } else {
        respond(st, now);
    }
    h2_flush(c);
}

bool hp_serve_h2_idle(const struct conn *c)
{
    const struct h2conn *h = c->h2;
    return h && !h->streams && h->out_off == h->out_len;
}

void hp_serve_h2_close_idle(struct conn *c)
{
    nghttp2_session_terminate_session(c->h2->s, NGHTTP2_NO_ERROR);
    if (h2_flush(c)) /* the GOAWAY is written; flush closes once both sides are done */
        hp_serve_conn_close(c);
}

void hp_serve_h2_end(struct conn *c)
{
    struct h2conn *h = c->h2;
    if (!h)
        return;
    while (h->streams)
        stream_free(c, h->streams);
    nghttp2_session_del(h->s); /* it calls no callbacks */
    hp_free(h->out);
    hp_free(h);
    c->h2 = NULL;
}
