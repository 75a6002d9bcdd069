// SPDX-License-Identifier: MIT
/* http/h2_codec.c - HTTP/2 behind the codec seam (http/codec.h), framed by
 * nghttp2 (its session holds HPACK, SETTINGS, flow control and stream
 * states; we only ever hand it bytes and take bytes from it, so it runs in
 * the load engine's own event loop).
 *
 * Each request in flight is a stream and a slot: the slot travels as the
 * stream's user data, so an answer names its slot whatever order streams
 * end in. Streams end in on_stream_close, the one place an answer is
 * complete (END_STREAM both ways) or has failed (RST_STREAM from the peer,
 * refused by a GOAWAY, reset by nghttp2 for a protocol error); ended ones
 * queue until feed() hands them out one by one. */
#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "http/check.h"
#include "http/codec.h"

#define MAX_FIELDS 128
#define WINDOW ((1 << 30) - 1) /* h2load's default: a window no test reaches */
#define KEEP_BYTES HP_CHECK_CAPTURE_BYTES

struct h2slot {
    int status;
    bool peer_rst;  /* the peer sent RST_STREAM */
    bool head_done; /* the final head is kept; later fields are trailers */
    bool live;      /* a stream of ours is open in this slot */
    char *keep;     /* the answer as text (conf.keep), grown as it comes */
    uint32_t keep_len, keep_cap;
    uint32_t head_len;
    int64_t first_ns; /* its answer's first frame came then */
    char *body; /* the request body to send (a copy: the engine's buffer moves on) */
    size_t body_cap, body_len, body_off;
};

struct h2 {
    nghttp2_session *s;
    struct h2slot *slots;
    int nslots;
    int *done; /* ring of ended slots, and how each ended */
    uint8_t *done_fail;
    int done_first, done_n;
    int open; /* streams submitted and not yet closed */
    bool goaway;
    int32_t goaway_last;
    uint32_t goaway_code;
    bool keep, tls;
    const int64_t *clock;
    char *out; /* what encode() hands out */
    size_t out_len, out_cap;
    char *names; /* lower-cased field names for one request */
    size_t names_cap;
};

/* ---- buffers ----------------------------------------------------------- */

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    char *p = hp_realloc(*buf, n);
    if (!p)
        return -ENOMEM;
    *buf = p;
    *cap = n;
    return 0;
}

/* Keep n more bytes of the answer, up to KEEP_BYTES: the buffer starts at
 * 1 KiB and doubles, so streams of small answers hold little. */
static void keep_add(struct h2slot *sl, const void *p, size_t n)
{
    if (n > KEEP_BYTES - sl->keep_len)
        n = KEEP_BYTES - sl->keep_len;
    if (sl->keep_len + n > sl->keep_cap) {
        size_t cap = sl->keep_cap ? sl->keep_cap : 1024;
        while (cap < sl->keep_len + n)
            cap *= 2;
        char *grown = hp_realloc(sl->keep, cap < KEEP_BYTES ? cap : KEEP_BYTES);
        if (!grown)
            return; /* the answer is kept as far as it fitted */
        sl->keep = grown;
        sl->keep_cap = (uint32_t)(cap < KEEP_BYTES ? cap : KEEP_BYTES);
    }
    memcpy(sl->keep + sl->keep_len, p, n);
    sl->keep_len += (uint32_t)n;
}

/* ---- nghttp2's callbacks ------------------------------------------------ */

static struct h2slot *slot_of(struct h2 *h, int32_t stream_id, int *idx)
{
    intptr_t v = (intptr_t)nghttp2_session_get_stream_user_data(h->s, stream_id);
    if (v <= 0 || v > h->nslots)
        return NULL;
    if (idx)
        *idx = (int)v - 1;
    return &h->slots[v - 1];
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    (void)s;
    struct h2 *h = ud;
    struct h2slot *sl;
    if (f->hd.type == NGHTTP2_HEADERS && h->clock &&
        (sl = slot_of(h, f->hd.stream_id, NULL)) != NULL && sl->first_ns == 0)
        sl->first_ns = *h->clock;
    return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *ud)
{
    (void)s;
    (void)flags;
    struct h2 *h = ud;
    if (f->hd.type != NGHTTP2_HEADERS)
        return 0;
    struct h2slot *sl = slot_of(h, f->hd.stream_id, NULL);
    if (!sl || sl->head_done)
        return 0;
    if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
        /* nghttp2 has checked it is three digits */
        sl->status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
        if (h->keep) {
            sl->keep_len = 0; /* an interim head is replaced by the final one */
            keep_add(sl, "HTTP/2 ", 7);
            keep_add(sl, value, valuelen);
            keep_add(sl, "\r\n", 2);
        }
        return 0;
    }
    if (h->keep) {
        keep_add(sl, name, namelen);
        keep_add(sl, ": ", 2);
        keep_add(sl, value, valuelen);
        keep_add(sl, "\r\n", 2);
    }
    return 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    (void)s;
    struct h2 *h = ud;
    struct h2slot *sl;
    switch (f->hd.type) {
    case NGHTTP2_GOAWAY:
        h->goaway = true;
        h->goaway_last = f->goaway.last_stream_id;
        h->goaway_code = f->goaway.error_code;
        break;
    case NGHTTP2_RST_STREAM:
        if ((sl = slot_of(h, f->hd.stream_id, NULL)) != NULL)
            sl->peer_rst = true;
        break;
    case NGHTTP2_HEADERS:
        if (h->keep && (f->hd.flags & NGHTTP2_FLAG_END_HEADERS) &&
            (sl = slot_of(h, f->hd.stream_id, NULL)) != NULL && !sl->head_done &&
            sl->status >= 200) {
            keep_add(sl, "\r\n", 2);
            sl->head_len = sl->keep_len;
            sl->head_done = true;
        }
        break;
    default:
        break;
    }
    return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data,
                   size_t len, void *ud)
{
    (void)s;
    (void)flags;
    struct h2 *h = ud;
    struct h2slot *sl;
    if (h->keep && (sl = slot_of(h, stream_id, NULL)) != NULL)
        keep_add(sl, data, len);
    return 0;
}

/* A stream the peer's GOAWAY left out, classified in pop_done: nghttp2
 * may close it before the GOAWAY frame's callback. */
#define LEFT_OUT 255

static void push_done(struct h2 *h, int idx, uint8_t fail)
{
    int at = (h->done_first + h->done_n) % h->nslots;
    h->done[at] = idx;
    h->done_fail[at] = fail;
    h->done_n++;
}

static int on_stream_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *ud)
{
    (void)s;
    struct h2 *h = ud;
    int idx;
    struct h2slot *sl = slot_of(h, stream_id, &idx);
    if (!sl || !sl->live)
        return 0;
    uint8_t fail = HP_ANSWER_OK;
    if (sl->peer_rst)
        fail = HP_ANSWER_RESET;
    else if (error_code == NGHTTP2_REFUSED_STREAM || (h->goaway && stream_id > h->goaway_last))
        fail = LEFT_OUT; /* by a GOAWAY: its code is known when feed() hands it out */
    else if (error_code != NGHTTP2_NO_ERROR || sl->status < 200)
        fail = HP_ANSWER_BAD;
    h->open--;
    sl->live = false;
    nghttp2_session_set_stream_user_data(h->s, stream_id, NULL);
    push_done(h, idx, fail);
    return 0;
}

static ssize_t read_body(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length,
                         uint32_t *data_flags, nghttp2_data_source *src, void *ud)
{
    (void)s;
    (void)stream_id;
    (void)ud;
    struct h2slot *sl = src->ptr;
    size_t n = sl->body_len - sl->body_off;
    if (n > length)
        n = length;
    memcpy(buf, sl->body + sl->body_off, n);
    sl->body_off += n;
    if (sl->body_off == sl->body_len)
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static nghttp2_session_callbacks *callbacks;
static nghttp2_option *options;
static pthread_once_t callbacks_once = PTHREAD_ONCE_INIT;

static void make_callbacks(void)
{
    if (nghttp2_session_callbacks_new(&callbacks) != 0 || nghttp2_option_new(&options) != 0)
        return;
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
    /* The peer's 1xx heads, trailers and pushes are nghttp2's to check. */
}

/* ---- the seam ----------------------------------------------------------- */

static void h2_fini(void *st)
{
    struct h2 *h = st;
    if (h->s)
        nghttp2_session_del(h->s);
    for (int i = 0; h->slots && i < h->nslots; i++) {
        hp_free(h->slots[i].keep);
        hp_free(h->slots[i].body);
    }
    hp_free(h->slots);
    hp_free(h->done);
    hp_free(h->done_fail);
    hp_free(h->out);
    hp_free(h->names);
    memset(h, 0, sizeof *h);
}

static int h2_reset(void *st, const struct hp_codec_conf *conf)
{
    struct h2 *h = st;
    memset(h, 0, sizeof *h);
    pthread_once(&callbacks_once, make_callbacks);
    if (!callbacks || !options)
        return -ENOMEM;
    h->nslots = conf->slots;
    h->keep = conf->keep;
    h->tls = conf->tls;
    h->clock = conf->clock;
    h->slots = hp_calloc((size_t)h->nslots, sizeof *h->slots);
    h->done = hp_calloc((size_t)h->nslots, sizeof *h->done);
    h->done_fail = hp_calloc((size_t)h->nslots, 1);
    if (!h->slots || !h->done || !h->done_fail ||
        nghttp2_session_client_new2(&h->s, callbacks, h, options) != 0)
        goto nomem;
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW},
    };
    if (nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, iv, 2) != 0 ||
        nghttp2_session_set_local_window_size(h->s, NGHTTP2_FLAG_NONE, 0, WINDOW) != 0)
        goto nomem;
    return 0;
nomem:
    h2_fini(h);
    return -ENOMEM;
}

static bool name_is(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n != l)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != lit[i])
            return false;
    }
    return true;
}

#define NV(n, nl, v, vl)                                                                           \
    ((nghttp2_nv){(uint8_t *)(n), (uint8_t *)(v), (nl), (vl), NGHTTP2_NV_FLAG_NONE})

/* One HTTP/1.1-form request at p (of at most len bytes) as a stream in
 * slot idx. Its length, or -1 when it cannot be sent (why in *why). */
static ssize_t submit_one(struct h2 *h, const char *p, size_t len, int idx, const char **why)
{
    nghttp2_nv nv[MAX_FIELDS + 4];
    size_t nnv = 4;
    const char *end = p + len, *q = p;

    /* request line: METHOD SP TARGET SP VERSION CRLF */
    const char *sp1 = memchr(q, ' ', (size_t)(end - q));
    const char *eol = sp1 ? memchr(sp1, '\n', (size_t)(end - sp1)) : NULL;
    const char *sp2 = eol ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !eol || !sp2 || sp1 == q || sp2 == sp1 + 1) {
        *why = "a request that is not HTTP/1.1 (no request line)";
        return -1;
    }
    nv[0] = NV(":method", 7, q, (size_t)(sp1 - q));
    nv[1] = NV(":scheme", 7, h->tls ? "https" : "http", h->tls ? 5u : 4u);
    nv[2] = NV(":path", 5, sp1 + 1, (size_t)(sp2 - sp1 - 1));
    nv[3] = NV(":authority", 10, "", 0);
    bool have_authority = false;
    int64_t clen = 0;
    size_t need = 0;
    /* Lower-cased names need room first: the whole head bounds them. */
    if (grow(&h->names, &h->names_cap, len) < 0) {
        *why = "out of memory";
        return -1;
    }
    char *names = h->names;
    q = eol + 1;
    for (;;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        if (!nl) {
            *why = "a request head without its end";
            return -1;
        }
        const char *le = nl > q && nl[-1] == '\r' ? nl - 1 : nl;
        if (le == q) { /* the blank line */
            q = nl + 1;
            break;
        }
        const char *colon = memchr(q, ':', (size_t)(le - q));
        if (!colon || colon == q) {
            *why = "a request header without a name";
            return -1;
        }
        const char *v = colon + 1, *ve = le;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t nlen = (size_t)(colon - q);
        if (name_is(q, nlen, "host")) {
            nv[3] = NV(":authority", 10, v, (size_t)(ve - v));
            have_authority = true;
        } else if (name_is(q, nlen, "transfer-encoding")) {
            *why = "a chunked request body (HTTP/2 sends a body as it is: give its length)";
            return -1;
        } else if (!name_is(q, nlen, "connection") && !name_is(q, nlen, "keep-alive") &&
                   !name_is(q, nlen, "proxy-connection") && !name_is(q, nlen, "upgrade")) {
            if (name_is(q, nlen, "content-length")) {
                clen = 0;
                for (const char *d = v; d < ve; d++) {
                    if (*d < '0' || *d > '9' || clen > (int64_t)1 << 40) {
                        *why = "a request Content-Length that is not a number";
                        return -1;
                    }
                    clen = clen * 10 + (*d - '0');
                }
            }
            if (nnv == MAX_FIELDS + 4) {
                *why = "a request with more than 128 header fields";
                return -1;
            }
            char *lname = names + need;
            for (size_t i = 0; i < nlen; i++)
                lname[i] = q[i] >= 'A' && q[i] <= 'Z' ? (char)(q[i] + 32) : q[i];
            need += nlen;
            nv[nnv++] = NV(lname, nlen, v, (size_t)(ve - v));
        }
        q = nl + 1;
    }
    if (!have_authority) {
        *why = "a request without a Host header (HTTP/2 needs the authority)";
        return -1;
    }
    if (clen > end - q) {
        *why = "a request body shorter than its Content-Length";
        return -1;
    }
    struct h2slot *sl = &h->slots[idx];
    sl->status = 0;
    sl->peer_rst = sl->head_done = false;
    sl->keep_len = sl->head_len = 0;
    sl->first_ns = 0;
    sl->body_len = sl->body_off = 0;
    nghttp2_data_provider prd = {.source.ptr = sl, .read_callback = read_body};
    if (clen > 0) {
        if (grow(&sl->body, &sl->body_cap, (size_t)clen) < 0) {
            *why = "out of memory";
            return -1;
        }
        memcpy(sl->body, q, (size_t)clen);
        sl->body_len = (size_t)clen;
    }
    int32_t id = nghttp2_submit_request(h->s, NULL, nv, nnv, clen > 0 ? &prd : NULL,
                                        (void *)(intptr_t)(idx + 1));
    if (id < 0) {
        *why = nghttp2_strerror(id);
        return -1;
    }
    h->open++;
    sl->live = true;
    return (q - p) + clen;
}

static int h2_encode(void *st, const char *req, size_t len, int n, const int *slots,
                     const char **wire, size_t *wire_len)
{
    struct h2 *h = st;
    const char *why = NULL;
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        ssize_t used = submit_one(h, req + off, len - off, slots[i], &why);
        if (used < 0) {
            *wire = why; /* EBAD: the reason, for the engine's first error */
            *wire_len = 0;
            return HP_CODEC_EBAD;
        }
        off += (size_t)used;
    }
    h->out_len = 0;
    for (;;) {
        const uint8_t *d;
        ssize_t k = nghttp2_session_mem_send(h->s, &d);
        if (k < 0) {
            *wire = nghttp2_strerror((int)k);
            *wire_len = 0;
            return HP_CODEC_EBAD;
        }
        if (k == 0)
            break;
        if (grow(&h->out, &h->out_cap, h->out_len + (size_t)k) < 0) {
            *wire = "out of memory";
            *wire_len = 0;
            return HP_CODEC_EBAD;
        }
        memcpy(h->out + h->out_len, d, (size_t)k);
        h->out_len += (size_t)k;
    }
    *wire = h->out;
    *wire_len = h->out_len;
    return 0;
}

static void pop_done(struct h2 *h, struct hp_answer *a)
{
    int idx = h->done[h->done_first];
    struct h2slot *sl = &h->slots[idx];
    a->fail = h->done_fail[h->done_first];
    if (a->fail == LEFT_OUT)
        a->fail = h->goaway && h->goaway_code == NGHTTP2_NO_ERROR ? HP_ANSWER_RETRY
                                                                  : HP_ANSWER_REFUSED;
    h->done_first = (h->done_first + 1) % h->nslots;
    h->done_n--;
    a->status = a->fail == HP_ANSWER_OK ? sl->status : 0;
    a->keep_alive = !h->goaway;
    a->chunked = false;
    a->slot = idx;
    a->first_ns = sl->first_ns;
    a->error = NULL;
    a->kept = h->keep ? sl->keep : NULL;
    a->kept_len = h->keep && sl->keep ? sl->keep_len : 0;
    a->head_bytes = sl->head_done ? sl->head_len : sl->keep_len;
}

static int h2_feed(void *st, const char *buf, size_t len, size_t *used, struct hp_answer *a)
{
    struct h2 *h = st;
    *used = 0;
    if (h->done_n == 0 && len > 0) {
        ssize_t r = nghttp2_session_mem_recv(h->s, (const uint8_t *)buf, len);
        if (r < 0) {
            a->error = nghttp2_strerror((int)r);
            return HP_CODEC_EBAD;
        }
        *used = len;
    }
    if (h->done_n > 0) {
        pop_done(h, a);
        return HP_CODEC_ANSWER;
    }
    /* nghttp2 ended the session for a protocol error of the peer's (its
     * GOAWAY may still be queued): no further frames will be read. */
    if (!h->goaway && (!nghttp2_session_want_read(h->s) ||
                       !nghttp2_session_check_request_allowed(h->s))) {
        a->error = "HTTP/2 protocol error by the server";
        return HP_CODEC_EBAD;
    }
    return HP_CODEC_MORE;
}

static int h2_eof(void *st, struct hp_answer *a)
{
    struct h2 *h = st;
    if (h->done_n > 0) {
        pop_done(h, a);
        return HP_CODEC_ANSWER;
    }
    if (h->open == 0 || !h->goaway)
        return HP_CODEC_MORE; /* without a GOAWAY, what is open was cut off */
    /* The peer said it was going: what it left open was refused. */
    for (int i = 0; i < h->nslots; i++) {
        if (h->slots[i].live) {
            h->slots[i].live = false;
            h->open--;
            push_done(h, i, HP_ANSWER_REFUSED);
        }
    }
    if (h->done_n == 0)
        return HP_CODEC_MORE;
    pop_done(h, a);
    return HP_CODEC_ANSWER;
}

static int h2_room(void *st)
{
    struct h2 *h = st;
    if (h->goaway || !nghttp2_session_check_request_allowed(h->s))
        return -1;
    uint32_t max =
        nghttp2_session_get_remote_settings(h->s, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
    int64_t room = (int64_t)max - h->open;
    if (room > h->nslots - h->open)
        room = h->nslots - h->open;
    return room < 0 ? 0 : (int)room;
}

const struct hp_client_codec hp_codec_h2 = {
    .name = "h2",
    .state_bytes = sizeof(struct h2),
    .streams = true,
    .reset = h2_reset,
    .fini = h2_fini,
    .expect = NULL,
    .encode = h2_encode,
    .feed = h2_feed,
    .eof = h2_eof,
    .room = h2_room,
};
