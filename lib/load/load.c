// SPDX-License-Identifier: MIT
/* load/load.c - the load engine's workers and the interval hand-off.
 *
 * Per keep-alive request a worker makes one send and one read, plus a share
 * of one poller wait: the request is written as soon as the connection is
 * free, and writability is watched only when a write would block. Responses
 * are read into one buffer per worker and parsed in place by the protocol
 * codec (http/codec.h). Bytes move through the worker's transport
 * (io/transport.h), waits through its poller (io/poll.h). */
#include "load/load.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/timer_heap.h"
#include "core/units.h"
#include "http/codec.h"
#include "io/tls.h"
#include "io/transport.h"
#include "io/worker.h"

#define RBUF_BYTES (64 * 1024)
#define MAX_EVENTS 512
#define SWEEP_NS (10 * HP_NS_PER_MS)    /* timeouts and reconnects are checked this often */
#define RETRY_NS (10 * HP_NS_PER_MS)    /* wait before reconnecting after a failure */

const char *hp_load_error_name(enum hp_load_error e)
{
    static const char *names[HP_LERR_COUNT] = {
        "connect_refused", "connect_timeout", "connect_error", "reset",      "read_error",
        "write_error",     "timeout",         "malformed",     "status_4xx", "status_5xx",
        "tls_handshake",   "h2_rst_stream",   "h2_goaway",
    };
    return (unsigned)e < HP_LERR_COUNT ? names[e] : "unknown";
}

const char *hp_load_phase_name(enum hp_load_phase p)
{
    static const char *names[HP_PHASE_COUNT] = {
        "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking",
        "http_req_sending", "http_req_waiting",    "http_req_receiving",
    };
    return (unsigned)p < HP_PHASE_COUNT ? names[p] : "unknown";
}

int hp_load_phase_hist_new(struct hp_hist **out)
{
    return hp_hist_new(HP_HIST_LOWEST_NS, HP_HIST_HIGHEST_NS, 2, out);
}

int64_t hp_load_error_total(const struct hp_load_counts *c)
{
    int64_t n = 0;
    for (int i = 0; i < HP_LERR_COUNT; i++)
        n += c->errors[i];
    return n;
}

/* LC_WAIT: its connect waits for one of the handshakes in flight to end
 * (handshake_cap). */
enum conn_state { LC_DOWN, LC_CONNECTING, LC_READY, LC_RETRY, LC_WAIT };

/* TLS handshakes in flight per worker: each holds some 25 KiB until it
 * ends, so thousands at once would set the run's peak memory. */
#define TLS_HANDSHAKE_CAP 256

struct lconn {
    struct hp_sock sk;
    uint8_t state;
    bool idle_listed;
    uint32_t events;
    int inflight;   /* requests sent, answers pending */
    int first;      /* ring index of the oldest in flight */
    int64_t *sched; /* [pipeline]: scheduled send time per request in flight */
    int64_t *sent;  /* [pipeline]: actual send time */
    int64_t *wrote; /* [pipeline]: when its bytes were all written (0: not yet) */
    size_t woff, wlen; /* pending bytes of wptr */
    const char *wptr;  /* w->batch, or this connection's mix buffer */
    char *mbuf;        /* mix: rendered requests (pipeline x the longest); script: its own */
    size_t mcap;       /* script: bytes mbuf holds */
    uint8_t *which;    /* mix: [pipeline] which request of the mix is in flight */
    struct hp_timer think; /* closed model: when the next request goes */
    char *cap;             /* checks: the answer so far (HP_CHECK_CAPTURE_BYTES), or NULL */
    uint32_t cap_len;
    bool cap_failed;       /* no capture buffer could be had: its checks fail */
    int64_t answered;  /* on this connection, for --requests-per-conn */
    int64_t t0;        /* connect start, or when to retry */
    int64_t due;       /* --request-every: when its next request is due (0: not yet set) */
    bool paced;        /* --connect-rate: its connect's turn is taken (t0) */
    int64_t tcp_ns;    /* when TCP's connect completed (0: not yet) */
    int64_t connecting_ns, tls_ns; /* this connection's set-up, for its first answer */
    bool set_up_told;  /* its first answer had them */
    struct lconn *next_idle;
    const struct hp_client_codec *codec; /* chosen when the connection is ready */
    void *cs;       /* the codec's state for this connection */
    bool codec_live; /* cs holds a reset() state: fini() it */
    bool head_next; /* the codec was told the next answer is to HEAD */
    bool draining;  /* streams: no new requests (GOAWAY, --requests-per-conn) */
    int most;       /* requests in flight at most now (streams: the peer's limit) */
    int64_t oldest; /* streams: no request in flight was sent before this */
    uint16_t *freel; /* streams: the free slots, nfree of them */
    int nfree;
};

struct slot {
    struct hp_load_figures f;
    _Atomic int64_t published; /* generations: a slot is free when consumed == published */
    _Atomic int64_t consumed;
};

struct lworker {
    struct hp_load *l;
    int id;
    struct hp_worker wk; /* thread, poller, wake-up, timers (think times) */
    const struct hp_transport_ops *tx;
    void *tx_ctx; /* the transport's shared context (TLS), or NULL */
    int connecting;    /* connections in LC_CONNECTING */
    int handshake_cap; /* at most this many connecting (0: no limit) */
    int64_t next_connect_ns; /* --connect-rate: the next connect's turn */
    int wait_from;     /* no LC_WAIT connection before this index */
    char *codec_states; /* [nconns] of the largest codec's state_bytes */
    size_t cs_bytes;
    uint16_t *freels;   /* streams: backing for every conn's freel */
    int64_t *retry;     /* open model, streams: schedules of requests to send again */
    int n_retry, retry_cap;
    int *slot_ids;      /* [pipeline]: slots of the requests being sent, or in flight */
    int nconns;
    struct lconn *conns;
    int64_t *times; /* backing for every conn's sched and sent */
    char *rbuf;
    char *batch; /* the request, pipeline times */
    size_t batch_len;
    char *mbufs;   /* mix: backing for every connection's mbuf */
    uint8_t *whiches;
    int64_t seq_row; /* HP_DATA_SEQUENTIAL: this worker's next row */
    void *md;        /* checks: PCRE2 match data of this thread */
    const struct hp_addr *addr; /* where this worker connects (a script may move it) */
    bool script_answers;        /* the script has response(): keep every answer */
    bool script_delay;          /* the script has delay(): it paces the closed model */
    gsl_rng *rng;
    struct slot slots[2];
    int cur;
    int64_t cur_interval;
    int64_t inflight; /* over all connections */
    int64_t clock_ns; /* the worker's latest clock reading */
    bool clock_fresh; /* clock_ns was read on waking: the first answers use it */
    /* open model: this worker's next request is the n_next-th of the whole
     * schedule (load/stages.h), due at next_ns */
    double n_next;
    int64_t k_next; /* a part's constant schedule: n_next is its k_next-th arrival */
    int64_t next_ns;
    /* closed model with stages: connections wanted now, over all workers */
    int64_t conn_target;
    int64_t cap_hit_from; /* first scheduled time that found no free connection */
    struct lconn *idle;
    /* ending */
    int64_t end_ns;       /* stop sending at */
    int64_t grace_end_ns; /* give up on answers at */
    bool sending;
    int64_t next_sweep_ns;
    _Atomic bool done;
};

struct hp_load {
    struct hp_load_config cfg;
    char *request;
    int nworkers;
    struct lworker *workers;
    int64_t start_ns;
    int64_t finish_ns;
    _Atomic bool stop;
    _Atomic bool have_error; /* first_error is written (once) */
    char first_error[256];
    _Atomic int tls_info_state; /* 0 none, 1 being written, 2 written */
    struct hp_tls_info tls_info; /* the first handshake's outcome */
    _Atomic int ready;  /* open model: workers whose connections are up */
    _Atomic bool go;    /* the schedule's origin (start_ns) is set */
    double cum_weight[HP_LOAD_MAX_MIX]; /* mix: cumulative weights, the last is the sum */
    size_t mix_max_bytes;               /* mix: longest rendered request */
    _Atomic int64_t unique_row;         /* HP_DATA_UNIQUE: the next unused row */
    _Atomic bool exhausted;
    int check_base[HP_LOAD_MAX_MIX];    /* index of each request's first check */
    int n_checks;
    bool running;
    struct hp_load_figures interval; /* merged by hp_load_poll */
    struct hp_load_figures totals;
};

/* ---- figures ------------------------------------------------------------ */

static int figures_init(struct hp_load_figures *f, int n_parts, int n_checks)
{
    memset(f, 0, sizeof *f);
    if (n_checks > 0) {
        f->check_failed = hp_calloc((size_t)n_checks, sizeof *f->check_failed);
        f->check_total = hp_calloc((size_t)n_checks, sizeof *f->check_total);
        if (!f->check_failed || !f->check_total)
            return -ENOMEM;
        f->n_checks = n_checks;
    }
    if (hp_hist_new_latency(&f->corrected) < 0 || hp_hist_new_latency(&f->uncorrected) < 0 ||
        hp_hist_new_latency(&f->lag) < 0)
        return -ENOMEM;
    for (int i = 0; i < HP_PHASE_COUNT; i++)
        if (hp_load_phase_hist_new(&f->phase[i]) < 0)
            return -ENOMEM;
    if (n_parts > 0) {
        f->parts = hp_calloc((size_t)n_parts, sizeof *f->parts);
        if (!f->parts)
            return -ENOMEM;
        f->n_parts = n_parts;
        for (int i = 0; i < n_parts; i++)
            if (hp_hist_new_latency(&f->parts[i].corrected) < 0 ||
                hp_hist_new_latency(&f->parts[i].uncorrected) < 0)
                return -ENOMEM;
    }
    return 0;
}

static void figures_fini(struct hp_load_figures *f)
{
    hp_hist_free(f->corrected);
    hp_hist_free(f->uncorrected);
    hp_hist_free(f->lag);
    for (int i = 0; i < HP_PHASE_COUNT; i++)
        hp_hist_free(f->phase[i]);
    for (int i = 0; f->parts && i < f->n_parts; i++) {
        hp_hist_free(f->parts[i].corrected);
        hp_hist_free(f->parts[i].uncorrected);
    }
    hp_free(f->parts);
    hp_free(f->check_failed);
    hp_free(f->check_total);
    memset(f, 0, sizeof *f);
}

static void figures_reset(struct hp_load_figures *f)
{
    memset(&f->counts, 0, sizeof f->counts);
    hp_hist_reset(f->corrected);
    hp_hist_reset(f->uncorrected);
    hp_hist_reset(f->lag);
    for (int i = 0; i < HP_PHASE_COUNT; i++)
        hp_hist_reset(f->phase[i]);
    memset(f->phase_zeros, 0, sizeof f->phase_zeros);
    for (int i = 0; i < f->n_checks; i++)
        f->check_failed[i] = f->check_total[i] = 0;
    for (int i = 0; i < f->n_parts; i++) {
        memset(&f->parts[i].counts, 0, sizeof f->parts[i].counts);
        hp_hist_reset(f->parts[i].corrected);
        hp_hist_reset(f->parts[i].uncorrected);
    }
}

void hp_load_script_summary(const struct hp_load_counts *c, double elapsed_s,
                            struct hp_script_summary *out)
{
    *out = (struct hp_script_summary){
        .duration_us = (int64_t)(elapsed_s * 1e6),
        .requests = c->requests,
        .bytes = c->bytes_read,
        .errors_connect = c->errors[HP_LERR_CONNECT_REFUSED] +
                          c->errors[HP_LERR_CONNECT_TIMEOUT] + c->errors[HP_LERR_CONNECT] +
                          c->errors[HP_LERR_TLS],
        .errors_read = c->errors[HP_LERR_READ] + c->errors[HP_LERR_RESET] +
                       c->errors[HP_LERR_MALFORMED],
        .errors_write = c->errors[HP_LERR_WRITE],
        .errors_status = c->errors[HP_LERR_STATUS_4XX] + c->errors[HP_LERR_STATUS_5XX],
        .errors_timeout = c->errors[HP_LERR_TIMEOUT],
    };
}

void hp_load_counts_add(struct hp_load_counts *d, const struct hp_load_counts *s)
{
    int64_t *dp = (int64_t *)d;
    const int64_t *sp = (const int64_t *)s;
    for (size_t i = 0; i < sizeof *d / sizeof(int64_t); i++)
        dp[i] += sp[i];
}

static void figures_add(struct hp_load_figures *d, const struct hp_load_figures *s)
{
    hp_load_counts_add(&d->counts, &s->counts);
    hp_hist_add(d->corrected, s->corrected);
    hp_hist_add(d->uncorrected, s->uncorrected);
    hp_hist_add(d->lag, s->lag);
    for (int i = 0; i < HP_PHASE_COUNT; i++)
        hp_hist_add(d->phase[i], s->phase[i]);
    for (int i = 0; i < d->n_checks && i < s->n_checks; i++) {
        d->check_failed[i] += s->check_failed[i];
        d->check_total[i] += s->check_total[i];
    }
    for (int i = 0; i < d->n_parts && i < s->n_parts; i++) {
        hp_load_counts_add(&d->parts[i].counts, &s->parts[i].counts);
        hp_hist_add(d->parts[i].corrected, s->parts[i].corrected);
        hp_hist_add(d->parts[i].uncorrected, s->parts[i].uncorrected);
    }
}

static inline struct hp_load_figures *fig(struct lworker *w)
{
    return &w->slots[w->cur].f;
}

static inline void record_error(struct lworker *w, enum hp_load_error e)
{
    fig(w)->counts.errors[e]++;
}

/* ---- interval hand-off ------------------------------------------------- */

static bool slot_free(struct slot *s)
{
    return atomic_load_explicit(&s->consumed, memory_order_acquire) ==
           atomic_load_explicit(&s->published, memory_order_relaxed);
}

/* Publish the current slot if the other one has been taken by the merging
 * thread; otherwise keep recording into the current one (it then covers
 * more than one interval). */
static void publish(struct lworker *w, int64_t new_interval, bool final)
{
    struct slot *s = &w->slots[w->cur], *other = &w->slots[1 - w->cur];
    /* The interval ends now, not when the merging thread frees the other
     * slot (it polls every 20 ms). */
    double end_s = (double)(hp_now_ns() - w->l->start_ns) / 1e9;
    while (final && !slot_free(other)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    if (!slot_free(other))
        return;
    s->f.end_s = end_s;
    /* phases of 0 ns: recorded here at once, not per answer */
    for (int i = 0; i < HP_PHASE_COUNT; i++) {
        hp_hist_record_n(s->f.phase[i], 0, s->f.phase_zeros[i]);
        s->f.phase_zeros[i] = 0;
    }
    atomic_store_explicit(&s->published, atomic_load(&s->published) + 1, memory_order_release);
    w->cur = 1 - w->cur;
    figures_reset(&other->f);
    other->f.interval = new_interval;
    other->f.start_s = s->f.end_s;
    w->cur_interval = new_interval;
}

static void maybe_publish(struct lworker *w, int64_t now)
{
    int64_t k = (now - w->l->start_ns) / w->l->cfg.interval_ns;
    if (k > w->cur_interval)
        publish(w, k, false);
}

/* ---- connections ------------------------------------------------------- */

/* Connections are edge-triggered: a read shorter than the buffer drained the
 * socket, and the next arrival raises a new edge, so the kernel need not
 * re-poll every ready socket on each epoll_pwait2 as it does for
 * level-triggered ones. */
static void set_events(struct lworker *w, struct lconn *c, uint32_t want)
{
    want |= HP_POLL_ET | HP_POLL_RDHUP;
    if (want == c->events)
        return;
    if (hp_poller_mod(&w->wk.poller, c->sk.fd, want, c) == 0)
        c->events = want;
}

static void idle_remove(struct lworker *w, struct lconn *c)
{
    if (!c->idle_listed)
        return;
    for (struct lconn **p = &w->idle; *p; p = &(*p)->next_idle) {
        if (*p == c) {
            *p = c->next_idle;
            break;
        }
    }
    c->idle_listed = false;
}

static void conn_start(struct lworker *w, struct lconn *c, int64_t now);
static bool conn_wanted(const struct lworker *w, const struct lconn *c);

static void conn_start(struct lworker *w, struct lconn *c, int64_t now);

/* c leaves LC_CONNECTING (ready, failed or dropped): one fewer in flight. */
static void leave_connecting(struct lworker *w, struct lconn *c)
{
    if (c->state == LC_CONNECTING)
        w->connecting--;
}

/* Start the waiting connections while the cap allows. */
static void start_waiting(struct lworker *w, int64_t now)
{
    while (w->handshake_cap && w->connecting < w->handshake_cap) {
        while (w->wait_from < w->nconns && w->conns[w->wait_from].state != LC_WAIT)
            w->wait_from++;
        if (w->wait_from == w->nconns)
            return;
        conn_start(w, &w->conns[w->wait_from], now);
    }
}

static inline bool streams(const struct lconn *c)
{
    return c->codec->streams;
}

/* A free stream slot is marked by this send time. */
#define SLOT_FREE INT64_MIN

/* The slots of the requests in flight on c, into w->slot_ids; how many. In
 * order of sending for in-order codecs; by slot for streams. */
static int inflight_slots(struct lworker *w, const struct lconn *c)
{
    int pipeline = w->l->cfg.pipeline, n = 0;
    if (c->codec_live && streams(c)) {
        for (int at = 0; at < pipeline; at++)
            if (c->sent[at] != SLOT_FREE)
                w->slot_ids[n++] = at;
    } else {
        for (int k = 0; k < c->inflight; k++)
            w->slot_ids[n++] = (c->first + k) % pipeline;
    }
    return n;
}

/* The connection's codec state goes with it. */
static void codec_end(struct lconn *c)
{
    if (c->codec_live && c->codec->fini)
        c->codec->fini(c->cs);
    c->codec_live = false;
    c->draining = false;
}

/* Close c; requests still in flight count as `why` (a class of error). */
static void conn_drop(struct lworker *w, struct lconn *c, int64_t now, int why, bool retry_soon)
{
    leave_connecting(w, c);
    if (why >= 0 && c->inflight > 0) {
        fig(w)->counts.errors[why] += c->inflight;
        int n = c->which ? inflight_slots(w, c) : 0;
        for (int k = 0; k < n; k++)
            fig(w)->parts[c->which[w->slot_ids[k]]].counts.errors[why]++;
    }
    codec_end(c);
    hp_timer_heap_remove(&w->wk.timers, &c->think);
    w->inflight -= c->inflight;
    c->inflight = 0;
    c->first = 0;
    c->woff = c->wlen = 0;
    c->cap_len = 0;
    idle_remove(w, c);
    w->tx->close(&c->sk);
    c->events = 0;
    if (!w->sending || !conn_wanted(w, c)) {
        c->state = LC_DOWN;
        return;
    }
    if (retry_soon) {
        conn_start(w, c, now);
    } else {
        c->state = LC_RETRY;
        c->t0 = now + RETRY_NS;
    }
}

/* A connect that failed: count it, try again after RETRY_NS. */
static void connect_failed(struct lworker *w, struct lconn *c, int64_t now, int rc)
{
    leave_connecting(w, c);
    record_error(w, rc == -ECONNREFUSED ? HP_LERR_CONNECT_REFUSED : HP_LERR_CONNECT);
    w->tx->close(&c->sk);
    c->events = 0;
    c->state = LC_RETRY;
    c->t0 = now + RETRY_NS;
}

static void conn_start(struct lworker *w, struct lconn *c, int64_t now)
{
    if (w->handshake_cap && w->connecting >= w->handshake_cap) {
        c->state = LC_WAIT; /* start_waiting starts it when one ends */
        c->events = 0;
        int i = (int)(c - w->conns);
        if (i < w->wait_from)
            w->wait_from = i;
        return;
    }
    const struct hp_load_config *cfg = &w->l->cfg;
    if (cfg->connect_rate > 0 && !c->paced) {
        /* each worker paces its share of the rate; a connection past its
         * turn waits for it (LC_RETRY until t0) */
        int64_t gap = (int64_t)(1e9 * w->l->nworkers / cfg->connect_rate);
        int64_t turn = w->next_connect_ns > now ? w->next_connect_ns : now;
        w->next_connect_ns = turn + gap;
        if (turn > now) {
            c->paced = true;
            c->state = LC_RETRY;
            c->t0 = turn;
            c->events = 0;
            return;
        }
    }
    c->paced = false;
    c->t0 = hp_now_ns(); /* fresh: the connect phase is timed from here */
    c->tcp_ns = 0;
    c->answered = 0;
    const struct hp_addr *from = NULL;
    if (cfg->n_sources > 0) /* connection j of the whole from source j mod n */
        from = &cfg->sources[((int64_t)(c - w->conns) * w->l->nworkers + w->id) %
                             cfg->n_sources];
    int rc = w->tx->connect(&c->sk, w->addr, from, w->tx_ctx);
    if (rc < 0 && rc != -EINPROGRESS) {
        connect_failed(w, c, now, rc);
        return;
    }
    /* Even a connect done at once reports writable: finish() runs there. */
    c->state = LC_CONNECTING;
    w->connecting++;
    c->events = HP_POLL_OUT | HP_POLL_ET | HP_POLL_RDHUP;
    if (hp_poller_add(&w->wk.poller, c->sk.fd, c->events, c) < 0)
        connect_failed(w, c, now, -EIO);
}

/* Write what is pending. false when the connection was dropped. */
static bool conn_flush(struct lworker *w, struct lconn *c, int64_t now)
{
    /* An answer read after this send was not there at the wake: the wake's
     * clock reading would put it before its own request. */
    w->clock_fresh = false;
    while (c->woff < c->wlen) {
        ssize_t n = w->tx->send(&c->sk, c->wptr + c->woff, c->wlen - c->woff);
        if (n < 0) {
            if (n == -EAGAIN) {
                set_events(w, c, HP_POLL_IN | HP_POLL_OUT);
                return true;
            }
            int why = n == -EPIPE || n == -ECONNRESET ? HP_LERR_RESET : HP_LERR_WRITE;
            conn_drop(w, c, now, why, false);
            return false;
        }
        c->woff += (size_t)n;
        fig(w)->counts.bytes_written += n;
    }
    c->woff = c->wlen = 0;
    if (c->events & HP_POLL_OUT)
        set_events(w, c, HP_POLL_IN);
    return true;
}

/* ---- request mixes ----------------------------------------------------- */

/* The data row for the next request; -1 when unique rows are used up. */
static int64_t pick_row(struct lworker *w)
{
    const struct hp_load_config *cfg = &w->l->cfg;
    int64_t rows = cfg->data->rows, r;
    switch (cfg->data_pick) {
    case HP_DATA_RANDOM:
        return (int64_t)gsl_rng_uniform_int(w->rng, (unsigned long)rows);
    case HP_DATA_UNIQUE:
        r = atomic_fetch_add_explicit(&w->l->unique_row, 1, memory_order_relaxed);
        if (cfg->segment) /* this part's r-th row of the whole table */
            r = hp_segment_index(cfg->segment, r);
        return r < rows ? r : -1;
    case HP_DATA_SEQUENTIAL:
        break;
    }
    r = w->seq_row % rows;
    w->seq_row += w->l->nworkers;
    return r;
}

/* Render request k of the mix at dst; returns its length, or 0 when the
 * data ran out. */
static size_t render(struct lworker *w, int k, char *dst)
{
    const struct hp_load_config *cfg = &w->l->cfg;
    const struct hp_load_request *q = &cfg->mix[k];
    const char *const *values = NULL;
    const uint32_t *lens = NULL;
    if (cfg->data && (q->head->has_vars || q->body->has_vars)) {
        int64_t row = pick_row(w);
        if (row < 0)
            return 0;
        values = cfg->data->cells + row * cfg->data->cols;
        lens = cfg->data->lens + row * cfg->data->cols;
    }
    char *p = dst + hp_template_render(q->head, values, lens, dst);
    if (q->wants_length) {
        memcpy(p, "Content-Length: ", 16);
        p = hp_put_u64(p + 16, hp_template_length(q->body, lens));
        *p++ = '\r';
        *p++ = '\n';
    }
    *p++ = '\r';
    *p++ = '\n';
    p += hp_template_render(q->body, values, lens, p);
    return (size_t)(p - dst);
}

/* Which request of the mix goes next: by weight. */
static int pick_request(struct lworker *w)
{
    const struct hp_load *l = w->l;
    int n = l->cfg.n_mix;
    if (n == 1)
        return 0;
    double u = gsl_rng_uniform(w->rng) * l->cum_weight[n - 1];
    int k = 0;
    while (k < n - 1 && u >= l->cum_weight[k])
        k++;
    return k;
}

static bool next_is_head(const struct lworker *w, const struct lconn *c)
{
    if (w->l->cfg.mix && c->inflight > 0)
        return w->l->cfg.mix[c->which[c->first]].head_method;
    return w->l->cfg.head_request;
}

/* Tell the codec whether the next answer is to HEAD, when a mix of
 * requests makes that differ from one answer to the next. */
static void expect_next(struct lworker *w, struct lconn *c)
{
    bool head = next_is_head(w, c);
    if (head != c->head_next || head != w->l->cfg.head_request) {
        c->codec->expect(c->cs, head);
        c->head_next = head;
    }
}

static void stop_sending(struct lworker *w, int64_t now);

/* The run's first error, in words (once). */
static void keep_first(struct lworker *w, const char *why)
{
    bool no = false;
    if (why && why[0] && !atomic_load(&w->l->have_error) &&
        atomic_compare_exchange_strong(&w->l->have_error, &no, true))
        snprintf(w->l->first_error, sizeof w->l->first_error, "%s", why);
}

/* Slots for n requests about to be sent on c, into w->slot_ids: in order
 * after those in flight, or free stream slots. */
static void take_slots(struct lworker *w, struct lconn *c, int n)
{
    int pipeline = w->l->cfg.pipeline;
    if (streams(c)) {
        for (int i = 0; i < n; i++)
            w->slot_ids[i] = c->freel[--c->nfree];
    } else {
        for (int i = 0; i < n; i++)
            w->slot_ids[i] = (c->first + c->inflight + i) % pipeline;
    }
}

/* A script's request() strings for n requests: with streams, one call
 * per request (each string one request); in order, one string holds the
 * `pipeline` requests (wrk's way). 0, or -1 when the script is done. */
static int script_requests(struct lworker *w, struct lconn *c, int n, size_t *len)
{
    int calls = streams(c) ? n : 1;
    *len = 0;
    for (int i = 0; i < calls; i++) {
        const char *data;
        size_t dl;
        if (hp_script_request(w->l->cfg.script, w->id, &data, &dl) < 0 || dl == 0 ||
            dl > HP_LOAD_MAX_REQUEST_BYTES)
            return -1;
        if (*len + dl > c->mcap) {
            char *grown = hp_realloc(c->mbuf, *len + dl);
            if (!grown) {
                record_error(w, HP_LERR_WRITE);
                return -1;
            }
            c->mbuf = grown;
            c->mcap = *len + dl;
        }
        memcpy(c->mbuf + *len, data, dl);
        *len += dl;
    }
    return 0;
}

/* Queue `n` requests scheduled at sched_ns (closed: now) and write them. */
static bool conn_send(struct lworker *w, struct lconn *c, int n, int64_t sched_ns, int64_t now)
{
    const struct hp_load_config *cfg = &w->l->cfg;
    size_t len = 0;
    if (cfg->script) {
        if (script_requests(w, c, n, &len) < 0) {
            stop_sending(w, now);
            return true;
        }
        c->wptr = c->mbuf;
        take_slots(w, c, n);
    } else if (cfg->mix) {
        take_slots(w, c, n);
        for (int i = 0; i < n; i++) {
            int k = pick_request(w);
            size_t got = render(w, k, c->mbuf + len);
            if (got == 0) { /* unique data used up: this scenario is over */
                atomic_store(&w->l->exhausted, true);
                if (streams(c)) /* the slots not used go back */
                    for (int j = n - 1; j >= i; j--)
                        c->freel[c->nfree++] = (uint16_t)w->slot_ids[j];
                n = i;
                break;
            }
            c->which[w->slot_ids[i]] = (uint8_t)k;
            fig(w)->parts[k].counts.sent++;
            len += got;
        }
        if (n == 0) {
            stop_sending(w, now);
            return true;
        }
        c->wptr = c->mbuf;
    } else {
        len = cfg->request_len * (size_t)n;
        c->wptr = w->batch;
        take_slots(w, c, n);
    }
    bool was_idle = c->inflight == 0;
    for (int i = 0; i < n; i++) {
        int at = w->slot_ids[i];
        c->sched[at] = sched_ns;
        c->sent[at] = now;
    }
    if (was_idle)
        c->oldest = now;
    c->inflight += n;
    if (was_idle && cfg->mix && c->codec->expect)
        expect_next(w, c);
    w->inflight += n;
    fig(w)->counts.sent += n;
    if (c->codec->encode) {
        const char *wire;
        size_t wire_len;
        if (c->codec->encode(c->cs, c->wptr, len, n, w->slot_ids, &wire, &wire_len) < 0) {
            /* A request this protocol cannot carry (a script's): it is the
             * test that is wrong, so it ends, saying why. */
            keep_first(w, wire);
            conn_drop(w, c, now, HP_LERR_WRITE, false);
            stop_sending(w, now);
            return false;
        }
        c->wptr = wire;
        len = wire_len;
    }
    /* Callers send only when nothing is pending (can_take, or closed model
     * with nothing in flight), so the buffer holds the bytes. */
    c->woff = 0;
    c->wlen = len;
    if (!conn_flush(w, c, now))
        return false;
    /* Written at once (sending took no measurable time), or when the
     * writes that would block are done (on_writable). */
    int64_t wrote = c->wlen == 0 ? now : 0;
    for (int i = 0; i < n; i++)
        c->wrote[w->slot_ids[i]] = wrote;
    return true;
}

/* Streams: write what the codec has to say by itself (its preface and
 * SETTINGS, acknowledgements, window updates) when nothing else is. */
static bool conn_push(struct lworker *w, struct lconn *c, int64_t now)
{
    if (!c->codec->encode || c->wlen != 0)
        return true;
    const char *wire;
    size_t wire_len;
    if (c->codec->encode(c->cs, NULL, 0, 0, w->slot_ids, &wire, &wire_len) < 0) {
        record_error(w, HP_LERR_WRITE);
        conn_drop(w, c, now, HP_LERR_WRITE, false);
        return false;
    }
    if (wire_len == 0)
        return true;
    c->wptr = wire;
    c->woff = 0;
    c->wlen = wire_len;
    return conn_flush(w, c, now);
}

/* ---- open model -------------------------------------------------------- */

static bool open_model(const struct lworker *w)
{
    return w->l->cfg.open_model;
}

/* Requests sent on a schedule (the open model, or --request-every): their
 * latency from the send is recorded apart from that from the schedule. */
static bool scheduled(const struct hp_load_config *cfg)
{
    return cfg->open_model || cfg->request_every_ns > 0;
}

/* When the n-th request of the whole schedule is due; INT64_MAX if never. */
static int64_t due_time(const struct lworker *w, double n)
{
    double t = hp_stages_time_of(&w->l->cfg.stages, n);
    if (!(t < 9e9))
        return INT64_MAX;
    return w->l->start_ns + (int64_t)(t * 1e9 + 0.5);
}

/* Workers take every threads-th request of one schedule (constant), or
 * each runs a Poisson process of 1/threads of the rate: time-rescaled
 * through the profile's integral, that is exponential steps of mean
 * `threads` in request-count space. */
static void advance_schedule(struct lworker *w)
{
    const struct hp_segment *seg = w->l->cfg.segment;
    double threads = w->l->nworkers;
    if (w->l->cfg.poisson) {
        /* a part: a Poisson process of its share of the rate */
        w->n_next += gsl_ran_exponential(w->rng, seg ? threads / hp_segment_fraction(seg)
                                                     : threads);
    } else if (seg) {
        /* a part: its k-th arrivals, k = id, id + threads, ... */
        w->k_next += w->l->nworkers;
        w->n_next = (double)hp_segment_index(seg, w->k_next);
    } else {
        w->n_next += threads;
    }
    w->next_ns = due_time(w, w->n_next);
}

/* Closed model with stages: is this connection among those wanted now? */
static bool conn_wanted(const struct lworker *w, const struct lconn *c)
{
    if (!w->l->cfg.ramp_connections)
        return true;
    int64_t j = (int64_t)(c - w->conns) * w->l->nworkers + w->id;
    return j < w->conn_target;
}

static void update_conn_target(struct lworker *w, int64_t now)
{
    if (w->l->cfg.ramp_connections) {
        w->conn_target = (int64_t)(hp_stages_value_at(&w->l->cfg.stages,
                                                      (double)(now - w->l->start_ns) / 1e9) + 0.5);
        if (w->l->cfg.segment) /* this part's share of the whole test's target */
            w->conn_target = hp_segment_share(w->l->cfg.segment, w->conn_target);
    }
}

static bool can_take(const struct lconn *c)
{
    return c->state == LC_READY && c->inflight < c->most && c->wlen == 0;
}

/* Send every request that is due, on free connections. */
/* A connection that takes a request now, or NULL. */
static struct lconn *free_conn(struct lworker *w)
{
    struct lconn *c = w->idle;
    while (c && !can_take(c)) { /* stale entries leave the list */
        w->idle = c->next_idle;
        c->idle_listed = false;
        c = w->idle;
    }
    return c;
}

/* c takes one request: off the free list if that fills it. */
static void conn_taken(struct lworker *w, struct lconn *c)
{
    if (c->inflight + 1 >= c->most || c->wlen) {
        w->idle = c->next_idle;
        c->idle_listed = false;
    }
}

static void dispatch_due(struct lworker *w, int64_t now)
{
    /* Requests a graceful GOAWAY left unprocessed go again first, each
     * still timed from its schedule. */
    while (w->sending && w->n_retry > 0) {
        struct lconn *c = free_conn(w);
        if (!c)
            return;
        conn_taken(w, c);
        fig(w)->counts.late++;
        conn_send(w, c, 1, w->retry[--w->n_retry], now);
    }
    while (w->sending && w->next_ns <= now && w->next_ns < w->end_ns) {
        struct lconn *c = free_conn(w);
        if (!c) {
            if (w->cap_hit_from == INT64_MAX)
                w->cap_hit_from = w->next_ns;
            return;
        }
        int64_t sched = w->next_ns;
        /* Late requests waited for a connection (the -c cap): that wait is
         * in their latency. The lag histogram is the scheduler's own delay. */
        if (sched >= w->cap_hit_from)
            fig(w)->counts.late++;
        else
            hp_hist_record(fig(w)->lag, now - sched);
        advance_schedule(w);
        conn_taken(w, c);
        conn_send(w, c, 1, sched, now);
    }
    if (w->next_ns > now)
        w->cap_hit_from = INT64_MAX;
}

static void conn_ready(struct lworker *w, struct lconn *c, int64_t now)
{
    if (!w->sending && !(open_model(w) && !atomic_load(&w->l->go)))
        return; /* ending; but during the open model's connect phase, list it as free */
    if (!open_model(w)) {
        int64_t every = w->l->cfg.request_every_ns;
        if (c->inflight == 0 && !conn_wanted(w, c)) {
            conn_drop(w, c, now, -1, false); /* the profile ramps down */
        } else if (every > 0) {
            if (c->inflight > 0 || c->wlen)
                return;
            if (c->due == 0) { /* its first: an even share of the interval in */
                int64_t j = (int64_t)(c - w->conns) * w->l->nworkers + w->id;
                int64_t total = w->l->cfg.connections;
                c->due = w->l->start_ns + (int64_t)((double)every * (double)j / (double)total);
            }
            if (c->due >= w->end_ns)
                return; /* due after the run: not the test's */
            if (c->due > now)
                hp_timer_heap_add(&w->wk.timers, &c->think, c->due);
            else
                conn_send(w, c, 1, c->due, now); /* late: timed from when it was due */
        } else if (streams(c) && c->wlen == 0 && c->inflight < c->most)
            conn_send(w, c, c->most - c->inflight, now, now); /* keep every stream busy */
        else if (c->inflight == 0)
            conn_send(w, c, c->most, now, now);
        return;
    }
    if (can_take(c) && !c->idle_listed) {
        c->next_idle = w->idle;
        w->idle = c;
        c->idle_listed = true;
    }
    dispatch_due(w, now);
}

/* After answers: the closed model's think time, if any, before the next. */
static void conn_next(struct lworker *w, struct lconn *c, int64_t now)
{
    const struct hp_load_config *cfg = &w->l->cfg;
    if (cfg->request_every_ns > 0 && !cfg->open_model && c->inflight == 0 && c->due > 0)
        c->due += cfg->request_every_ns; /* conn_ready waits for it, or sends it late */
    if ((cfg->think || w->script_delay) && !cfg->open_model && c->inflight == 0 &&
        w->sending && conn_wanted(w, c)) {
        int64_t pause = w->script_delay ? hp_script_delay_ns(cfg->script, w->id)
                                     : hp_dist_sample(&cfg->think_dist, w->rng);
        if (pause > 0) {
            hp_timer_heap_add(&w->wk.timers, &c->think, now + pause);
            return;
        }
    }
    conn_ready(w, c, now);
}

/* ---- responses --------------------------------------------------------- */

/* One answer with this status, into counts and latencies. */
static void count_answer(struct hp_load_counts *c, int status)
{
    c->requests++;
    c->status[status / 100 <= 5 ? status / 100 : 0]++;
    if (status >= 400 && status < 500)
        c->errors[HP_LERR_STATUS_4XX]++;
    else if (status >= 500)
        c->errors[HP_LERR_STATUS_5XX]++;
}

/* The kept copy of the answer (checks, response()) as head and body. */
static void split_capture(const struct lconn *c, const struct hp_answer *a, const char **head,
                          size_t *head_len, const char **body, size_t *body_len)
{
    *head = *body = "";
    *head_len = *body_len = 0;
    if (a->kept) /* the codec kept it (streams) */
        hp_check_split(a->kept, a->kept_len, a->head_bytes, false, head, head_len, body,
                       body_len);
    else if (c->cap)
        hp_check_split(c->cap, c->cap_len, a->head_bytes, a->chunked, head, head_len, body,
                       body_len);
}

/* Judge the checks of request q (number k of the mix) on the kept answer. */
static void judge_checks(struct lworker *w, struct lconn *c, int k, const struct hp_answer *a,
                         struct hp_load_part *pt)
{
    struct hp_load_figures *f = fig(w);
    const struct hp_load_request *q = &w->l->cfg.mix[k];
    const char *head, *body;
    size_t head_len, body_len;
    split_capture(c, a, &head, &head_len, &body, &body_len);
    for (int i = 0; i < q->n_checks; i++) {
        bool ok = !c->cap_failed &&
                  hp_check_eval(&q->checks[i], a->status, head, head_len, body, body_len, w->md);
        int g = w->l->check_base[k] + i;
        f->check_total[g]++;
        f->check_failed[g] += !ok;
        f->counts.checks_passed += ok;
        f->counts.checks_failed += !ok;
        pt->counts.checks_passed += ok;
        pt->counts.checks_failed += !ok;
    }
}

/* The request in slot `at` is over: free its slot. */
static void slot_done(struct lworker *w, struct lconn *c, int at)
{
    if (streams(c)) {
        c->sent[at] = SLOT_FREE;
        c->freel[c->nfree++] = (uint16_t)at;
    } else {
        c->first = (c->first + 1) % w->l->cfg.pipeline;
    }
    c->inflight--;
    w->inflight--;
}

/* A stream that ended without an answer: reset or refused by the server,
 * or its answer broke the protocol. An error of its class, no latency. */
static void stream_failed(struct lworker *w, struct lconn *c, const struct hp_answer *a)
{
    if (a->fail == HP_ANSWER_RETRY) {
        /* Never processed: the closed model sends another in its place on
         * the next connection, the open model this one again (its
         * schedule kept), so the server's connection limits (nginx's
         * http2_max_requests) cost no errors. */
        if (open_model(w) && w->n_retry < w->retry_cap)
            w->retry[w->n_retry++] = c->sched[a->slot];
        fig(w)->counts.sent--;
        if (c->which)
            fig(w)->parts[c->which[a->slot]].counts.sent--;
        slot_done(w, c, a->slot);
        return;
    }
    int why = a->fail == HP_ANSWER_RESET     ? HP_LERR_H2_RESET
              : a->fail == HP_ANSWER_REFUSED ? HP_LERR_H2_GOAWAY
                                             : HP_LERR_MALFORMED;
    record_error(w, why);
    if (c->which)
        fig(w)->parts[c->which[a->slot]].counts.errors[why]++;
    slot_done(w, c, a->slot);
}

static inline void record_phase(struct hp_load_figures *f, int p, int64_t ns)
{
    if (ns > 0)
        hp_hist_record(f->phase[p], ns);
    else
        f->phase_zeros[p]++;
}

/* Where the time of the answered request in slot `at` went. */
static void record_phases(struct lworker *w, struct lconn *c, struct hp_load_figures *f, int at,
                          int64_t first_ns, int64_t now)
{
    (void)w;
    int64_t sent = c->sent[at];
    int64_t wrote = c->wrote[at] >= sent ? c->wrote[at] : sent;
    int64_t first = first_ns >= wrote && first_ns <= now ? first_ns : now;
    record_phase(f, HP_PHASE_BLOCKED, sent - c->sched[at]);
    record_phase(f, HP_PHASE_SENDING, wrote - sent);
    record_phase(f, HP_PHASE_WAITING, first - wrote);
    record_phase(f, HP_PHASE_RECEIVING, now - first);
    if (c->set_up_told) {
        f->phase_zeros[HP_PHASE_CONNECTING]++;
        f->phase_zeros[HP_PHASE_TLS]++;
    } else {
        record_phase(f, HP_PHASE_CONNECTING, c->connecting_ns);
        record_phase(f, HP_PHASE_TLS, c->tls_ns);
        c->set_up_told = true;
    }
}

/* An answer arrived: for the oldest request in flight (HTTP/1.1 answers
 * in order), or for the slot a codec with streams names. */
static void answered(struct lworker *w, struct lconn *c, const struct hp_answer *a, int64_t now)
{
    struct hp_load_figures *f = fig(w);
    int at = a->slot < 0 ? c->first : a->slot;
    int status = a->status;

    if (a->fail != HP_ANSWER_OK) {
        stream_failed(w, c, a);
        return;
    }
    record_phases(w, c, f, at, a->first_ns, now);
    hp_hist_record(f->corrected, now - c->sched[at]);
    if (scheduled(&w->l->cfg)) /* else sent == scheduled: merged as a copy (merge_interval) */
        hp_hist_record(f->uncorrected, now - c->sent[at]);
    count_answer(&f->counts, status);
    if (c->which) {
        int k = c->which[at];
        struct hp_load_part *pt = &f->parts[k];
        if (w->l->cfg.mix[k].n_checks > 0)
            judge_checks(w, c, k, a, pt);
        hp_hist_record(pt->corrected, now - c->sched[at]);
        if (scheduled(&w->l->cfg))
            hp_hist_record(pt->uncorrected, now - c->sent[at]);
        count_answer(&pt->counts, status);
    }
    if (w->script_answers) {
        const char *head, *body;
        size_t head_len, body_len;
        split_capture(c, a, &head, &head_len, &body, &body_len);
        hp_script_response(w->l->cfg.script, w->id, status, head, head_len, body, body_len);
        if (hp_script_stopped(w->l->cfg.script, w->id))
            stop_sending(w, now);
    }
    c->cap_len = 0;
    slot_done(w, c, at);
    c->answered++;
}

enum { READ_FULL, READ_SHORT, READ_DONE };
static int read_once(struct lworker *w, struct lconn *c);

/* Read and parse until the socket is drained: a short read is enough,
 * unless the peer has shut its side (HP_POLL_RDHUP), when the close may sit
 * behind the data and raises no further edge: then read to EOF. */
static void on_readable(struct lworker *w, struct lconn *c, bool peer_closed)
{
    while (c->sk.fd >= 0 && c->state == LC_READY) {
        int r = read_once(w, c);
        if (r == READ_DONE || (r == READ_SHORT && !peer_closed))
            break;
    }
}

/* Keep the bytes of an answer whose request has checks, up to the cap. The
 * buffer is the connection's, made on its first checked answer. */
static void capture(struct lconn *c, const char *p, size_t n)
{
    if (!c->cap && !c->cap_failed) {
        c->cap = hp_malloc(HP_CHECK_CAPTURE_BYTES);
        c->cap_failed = c->cap == NULL;
    }
    if (!c->cap)
        return;
    size_t room = HP_CHECK_CAPTURE_BYTES - c->cap_len;
    if (n > room)
        n = room;
    memcpy(c->cap + c->cap_len, p, n);
    c->cap_len += (uint32_t)n;
}

/* When the answers just read arrived: for the first read after a wake,
 * the wake's own clock reading (they were there when the poller said so);
 * after that a new reading per read, since handling the earlier ones took
 * time. One clock read per read, not one more per wake. */
static inline int64_t answer_time(struct lworker *w)
{
    if (w->clock_fresh)
        w->clock_fresh = false;
    else
        w->clock_ns = hp_now_ns();
    return w->clock_ns;
}

/* Streams: after answers, how many more the connection takes; a
 * connection that takes no more (GOAWAY, --requests-per-conn) drains. */
static void update_cap(struct lworker *w, struct lconn *c)
{
    const struct hp_load_config *cfg = &w->l->cfg;
    int room = c->codec->room(c->cs);
    if (room >= 0 && cfg->requests_per_conn > 0) {
        int64_t left = cfg->requests_per_conn - c->answered - c->inflight;
        room = left <= 0 ? -1 : left < room ? (int)left : room;
    }
    if (room < 0)
        c->draining = true;
    c->most = c->draining ? c->inflight : c->inflight + room;
}

/* One read and what it held: READ_FULL (the buffer filled: more may wait),
 * READ_SHORT, or READ_DONE (EAGAIN, EOF or the connection was dropped). */
static int read_once(struct lworker *w, struct lconn *c)
{
    const struct hp_load_config *cfg = &w->l->cfg;
    ssize_t n = w->tx->recv(&c->sk, w->rbuf, RBUF_BYTES);
    int64_t now = answer_time(w);
    bool st = streams(c);

    if (n < 0) {
        if (n == -EAGAIN)
            return READ_DONE;
        conn_drop(w, c, now, n == -ECONNRESET ? HP_LERR_RESET : HP_LERR_READ, false);
        return READ_DONE;
    }
    if (n == 0) {
        /* The server closed: a close-delimited body ends here; anything
         * else in flight was cut off. */
        struct hp_answer a;
        int rc;
        while ((rc = c->inflight > 0 ? c->codec->eof(c->cs, &a) : HP_CODEC_MORE) ==
               HP_CODEC_ANSWER) {
            answered(w, c, &a, now);
            if (!st)
                break;
        }
        if (rc == HP_CODEC_EBAD) {
            record_error(w, HP_LERR_MALFORMED);
            c->inflight--;
            w->inflight--;
        }
        conn_drop(w, c, now, HP_LERR_RESET, true);
        return READ_DONE;
    }
    fig(w)->counts.bytes_read += n;
    size_t pos = 0;
    bool reconnect = false;
    /* In order, answers end where bytes do; streams may hand out several
     * answers after their last byte is taken. */
    while (pos < (size_t)n || st) {
        if (c->inflight == 0 && !st) {
            record_error(w, HP_LERR_MALFORMED); /* bytes nobody asked for */
            conn_drop(w, c, now, -1, false);
            return READ_DONE;
        }
        size_t used;
        struct hp_answer a;
        int rc = c->codec->feed(c->cs, w->rbuf + pos, (size_t)n - pos, &used, &a);
        if (!st && (w->script_answers ||
                    (w->l->n_checks > 0 && cfg->mix[c->which[c->first]].n_checks > 0)))
            capture(c, w->rbuf + pos, used);
        pos += used;
        if (rc == HP_CODEC_EBAD) {
            keep_first(w, a.error);
            if (st) { /* the connection's framing broke: every stream on it */
                conn_drop(w, c, now, HP_LERR_MALFORMED, false);
                return READ_DONE;
            }
            record_error(w, HP_LERR_MALFORMED);
            c->inflight--;
            w->inflight--;
            conn_drop(w, c, now, HP_LERR_RESET, false);
            return READ_DONE;
        }
        if (rc == HP_CODEC_MORE)
            break;
        answered(w, c, &a, now);
        if (st)
            continue; /* GOAWAY and --requests-per-conn: update_cap drains */
        if (cfg->mix && c->codec->expect)
            expect_next(w, c);
        if (!a.keep_alive || (cfg->requests_per_conn > 0 && c->answered >= cfg->requests_per_conn)) {
            reconnect = true;
            break;
        }
    }
    if (st) {
        update_cap(w, c);
        reconnect = c->draining && c->inflight == 0;
    }
    if (reconnect) {
        fig(w)->counts.reconnects++;
        conn_drop(w, c, now, HP_LERR_RESET, true);
        return READ_DONE;
    }
    conn_next(w, c, now);
    if (st && c->state == LC_READY && !conn_push(w, c, now))
        return READ_DONE;
    return n == RBUF_BYTES ? READ_FULL : READ_SHORT;
}

/* The run's first failed connect, in the transport's words (once). */
static void keep_first_error(struct lworker *w, struct lconn *c)
{
    keep_first(w, w->tx->error(&c->sk));
}

/* The connection is up: its protocol, as asked and as ALPN agreed. false
 * when it cannot be used (dropped). */
static bool codec_start(struct lworker *w, struct lconn *c, int64_t now)
{
    const struct hp_load_config *cfg = &w->l->cfg;
    bool h2 = cfg->h2 == HP_H2C;
    if (cfg->h2 == HP_H2_ALPN || cfg->h2 == HP_H2_PREFER) {
        h2 = hp_tls_alpn_is(&c->sk, "h2");
        if (!h2 && cfg->h2 == HP_H2_ALPN) {
            record_error(w, HP_LERR_TLS);
            keep_first(w, "the server did not agree to HTTP/2 (ALPN h2); --h2=prefer falls "
                          "back to HTTP/1.1");
            conn_drop(w, c, now, -1, false);
            start_waiting(w, now);
            return false;
        }
    }
    c->codec = h2 ? &hp_codec_h2 : &hp_codec_h1;
    struct hp_codec_conf conf = {
        .head = cfg->head_request,
        .tls = cfg->tls != NULL,
        .keep = w->script_answers || w->l->n_checks > 0,
        .slots = cfg->pipeline,
        .clock = &w->clock_ns,
    };
    if (c->codec->reset(c->cs, &conf) < 0) {
        record_error(w, HP_LERR_CONNECT);
        keep_first(w, "out of memory");
        conn_drop(w, c, now, -1, false);
        start_waiting(w, now);
        return false;
    }
    c->codec_live = true;
    c->head_next = cfg->head_request;
    c->first = 0;
    c->most = cfg->pipeline;
    if (streams(c)) {
        c->nfree = 0;
        for (int at = cfg->pipeline - 1; at >= 0; at--) {
            c->sent[at] = SLOT_FREE;
            c->freel[c->nfree++] = (uint16_t)at;
        }
        update_cap(w, c);
    }
    return true;
}

static void on_writable(struct lworker *w, struct lconn *c, int64_t now)
{
    if (c->state == LC_CONNECTING) {
        /* Set-up phases are timed by the clock, not the wake's reading:
         * other connections' work may lie between. */
        if (c->tcp_ns == 0) /* the first event: TCP's connect is through */
            c->tcp_ns = hp_now_ns();
        int rc = w->tx->finish(&c->sk);
        if (rc == -EAGAIN) { /* a handshake under way */
            set_events(w, c, c->sk.want);
            return;
        }
        if (rc < 0) {
            record_error(w, rc == -ECONNREFUSED ? HP_LERR_CONNECT_REFUSED
                            : rc == -EPROTO     ? HP_LERR_TLS
                                                : HP_LERR_CONNECT);
            keep_first_error(w, c);
            conn_drop(w, c, now, -1, false);
            start_waiting(w, now);
            return;
        }
        int none = 0;
        if (w->tx_ctx && atomic_load_explicit(&w->l->tls_info_state, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_strong(&w->l->tls_info_state, &none, 1)) {
            hp_tls_info(&c->sk, &w->l->tls_info); /* what the run negotiated, once */
            atomic_store(&w->l->tls_info_state, 2);
        }
        if (!codec_start(w, c, now))
            return;
        leave_connecting(w, c);
        c->state = LC_READY;
        fig(w)->counts.connects++;
        c->connecting_ns = c->tcp_ns - c->t0;
        c->tls_ns = w->tx_ctx ? hp_now_ns() - c->tcp_ns : 0;
        c->set_up_told = false;
        set_events(w, c, HP_POLL_IN);
        if (conn_push(w, c, now)) /* HTTP/2's preface and SETTINGS go first */
            conn_ready(w, c, now);
        start_waiting(w, now);
        return;
    }
    if (conn_flush(w, c, now) && c->wlen == 0) {
        int n = inflight_slots(w, c); /* the requests whose bytes just went */
        for (int k = 0; k < n; k++)
            if (c->wrote[w->slot_ids[k]] == 0)
                c->wrote[w->slot_ids[k]] = now;
        conn_ready(w, c, now);
    }
}

/* Has the oldest request in flight waited the timeout? In order, it is
 * the first; streams keep a bound (c->oldest) and look for the real one
 * only when the bound has waited that long. */
static bool timed_out(struct lworker *w, struct lconn *c, int64_t now)
{
    int64_t limit = w->l->cfg.timeout_ns;
    if (!streams(c))
        return now - c->sent[c->first] >= limit;
    if (now - c->oldest < limit)
        return false;
    int n = inflight_slots(w, c);
    int64_t oldest = now;
    for (int k = 0; k < n; k++)
        if (c->sent[w->slot_ids[k]] < oldest)
            oldest = c->sent[w->slot_ids[k]];
    c->oldest = oldest;
    return now - oldest >= limit;
}

/* Timeouts, connect timeouts and reconnects, every SWEEP_NS. */
static void sweep(struct lworker *w, int64_t now)
{
    const struct hp_load_config *cfg = &w->l->cfg;
    update_conn_target(w, now);
    for (int i = 0; i < w->nconns; i++) {
        struct lconn *c = &w->conns[i];
        switch (c->state) {
        case LC_DOWN:
            if (w->sending && cfg->ramp_connections && conn_wanted(w, c))
                conn_start(w, c, now);
            break;
        case LC_READY:
            if (c->inflight > 0 && timed_out(w, c, now)) {
                /* Each request in flight is recorded at its timeout. */
                struct hp_load_figures *f = fig(w);
                int n = inflight_slots(w, c);
                for (int k = 0; k < n; k++) {
                    int at = w->slot_ids[k];
                    hp_hist_record(f->corrected, c->sent[at] - c->sched[at] + cfg->timeout_ns);
                    if (scheduled(cfg))
                        hp_hist_record(f->uncorrected, cfg->timeout_ns);
                    if (c->which) {
                        struct hp_load_part *pt = &f->parts[c->which[at]];
                        hp_hist_record(pt->corrected, c->sent[at] - c->sched[at] + cfg->timeout_ns);
                        if (scheduled(cfg))
                            hp_hist_record(pt->uncorrected, cfg->timeout_ns);
                    }
                }
                conn_drop(w, c, now, HP_LERR_TIMEOUT, true);
            } else if (c->inflight == 0 && !conn_wanted(w, c)) {
                conn_drop(w, c, now, -1, false);
            }
            break;
        case LC_CONNECTING:
            if (now - c->t0 >= cfg->connect_timeout_ns) {
                record_error(w, HP_LERR_CONNECT_TIMEOUT);
                conn_drop(w, c, now, -1, true);
            }
            break;
        case LC_WAIT: /* started by start_waiting below */
            break;
        case LC_RETRY:
            if (w->sending && now >= c->t0 && conn_wanted(w, c))
                conn_start(w, c, now);
            break;
        default:
            break;
        }
    }
    start_waiting(w, now);
}

/* ---- the loop ---------------------------------------------------------- */

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static void stop_sending(struct lworker *w, int64_t now)
{
    if (!w->sending)
        return;
    w->sending = false;
    w->grace_end_ns = now + w->l->cfg.grace_ns;
    if (open_model(w)) {
        /* Due before the end but never sent: the users behind them waited
         * all along. Never dropped: recorded from their schedule. */
        int64_t last = min64(now, w->end_ns);
        while (w->next_ns < last) {
            struct hp_load_figures *f = fig(w);
            f->counts.unsent++;
            f->counts.late++;
            hp_hist_record(f->corrected, now - w->next_ns);
            advance_schedule(w);
        }
        while (w->n_retry > 0) { /* left out by a GOAWAY, not sent again */
            struct hp_load_figures *f = fig(w);
            f->counts.unsent++;
            f->counts.late++;
            hp_hist_record(f->corrected, now - w->retry[--w->n_retry]);
        }
    }
}

/* Open model: connect before the schedule starts, so the first requests do
 * not wait for TCP handshakes (and count as late). Reports readiness, then
 * waits for hp_load_start to set the schedule's origin. */
static void connect_phase(struct lworker *w, struct hp_poll_event *evs)
{
    int64_t give_up = hp_now_ns() + w->l->cfg.connect_timeout_ns;
    for (;;) {
        int connecting = 0;
        for (int i = 0; i < w->nconns; i++)
            connecting += w->conns[i].state == LC_CONNECTING;
        int64_t now = hp_now_ns();
        if (connecting == 0 || now >= give_up || atomic_load(&w->l->stop))
            break;
        int n = hp_poller_wait(&w->wk.poller, evs, MAX_EVENTS, give_up, now);
        now = hp_now_ns();
        for (int i = 0; i < n; i++) {
            struct lconn *c = evs[i].data;
            if (!hp_worker_is_wake(&w->wk, &evs[i]) && c->sk.fd >= 0 &&
                c->state == LC_CONNECTING)
                on_writable(w, c, now);
        }
    }
    atomic_fetch_add(&w->l->ready, 1);
    while (!atomic_load_explicit(&w->l->go, memory_order_acquire)) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
}

static void *worker_main(void *arg)
{
    struct lworker *w = arg;
    struct hp_load *l = w->l;
    struct hp_poll_event evs[MAX_EVENTS];

    int64_t now = hp_now_ns();
    update_conn_target(w, now);
    for (int i = 0; i < w->nconns; i++)
        if (conn_wanted(w, &w->conns[i]))
            conn_start(w, &w->conns[i], now);
    if (open_model(w)) {
        connect_phase(w, evs);
        now = hp_now_ns();
        for (int i = 0; i < w->nconns; i++) /* failed to connect: try again now */
            if (w->conns[i].state == LC_DOWN)
                conn_start(w, &w->conns[i], now);
    }
    w->next_sweep_ns = now + SWEEP_NS;

    for (;;) {
        /* now: the last clock reading of the previous turn (or of the start). */
        if (w->sending && (now >= w->end_ns || atomic_load_explicit(&l->stop, memory_order_relaxed)))
            stop_sending(w, now);
        if (!w->sending && (w->inflight <= 0 || now >= w->grace_end_ns))
            break;
        /* Sleep until the next thing due: a send, a sweep, an interval, the end. */
        int64_t until = min64(w->next_sweep_ns, l->start_ns + (w->cur_interval + 1) * l->cfg.interval_ns);
        until = min64(until, w->sending ? w->end_ns : w->grace_end_ns);
        if (open_model(w) && w->sending && w->idle)
            until = min64(until, w->next_ns);
        int n = hp_worker_wait(&w->wk, evs, MAX_EVENTS, until, now);
        if (n < 0 && n != -EINTR)
            break;
        now = w->clock_ns = hp_now_ns();
        w->clock_fresh = true;
        for (int i = 0; i < n; i++) {
            struct lconn *c = evs[i].data;
            if (hp_worker_is_wake(&w->wk, &evs[i]) || c->sk.fd < 0)
                continue;
            uint32_t e = evs[i].events;
            /* Connecting: any event moves the connect (and a handshake)
             * on; the transport's finish() says how it went. */
            if (c->state == LC_CONNECTING || (e & HP_POLL_OUT))
                on_writable(w, c, now);
            if (c->sk.fd >= 0 && c->state == LC_READY &&
                (e & (HP_POLL_IN | HP_POLL_HUP | HP_POLL_ERR | HP_POLL_RDHUP)))
                on_readable(w, c, e & (HP_POLL_RDHUP | HP_POLL_HUP | HP_POLL_ERR));
        }
        w->clock_fresh = false;
        now = w->clock_ns; /* the latest reading: the last answer's */
        struct hp_timer *due;
        while ((due = hp_timer_heap_pop_due(&w->wk.timers, now)) != NULL) {
            struct lconn *c = (struct lconn *)((char *)due - offsetof(struct lconn, think));
            if (c->state == LC_READY && w->sending)
                conn_ready(w, c, now);
        }
        if (open_model(w)) /* sends are timed to the schedule: a fresh reading */
            dispatch_due(w, now = hp_now_ns());
        if (now >= w->next_sweep_ns) {
            sweep(w, now);
            w->next_sweep_ns = now + SWEEP_NS;
        }
        maybe_publish(w, now);
    }
    /* Requests still unanswered when the grace period ends are counted,
     * not recorded: they neither answered nor reached their timeout. */
    now = hp_now_ns();
    for (int i = 0; i < w->nconns; i++) {
        struct lconn *c = &w->conns[i];
        fig(w)->counts.unanswered += c->inflight;
        if (c->sk.fd >= 0)
            conn_drop(w, c, now, -1, false);
        c->state = LC_DOWN;
    }
    publish(w, w->cur_interval + 1, true);
    atomic_store_explicit(&w->done, true, memory_order_release);
    return NULL;
}

/* ---- setup and merging ------------------------------------------------- */

static int worker_init(struct hp_load *l, struct lworker *w, int id, struct hp_err *err)
{
    const struct hp_load_config *cfg = &l->cfg;

    w->l = l;
    w->id = id;
    w->tx = cfg->tls ? &hp_transport_tls : &hp_transport_tcp;
    w->tx_ctx = cfg->tls;
    w->handshake_cap = cfg->tls ? TLS_HANDSHAKE_CAP : 0;
    /* Connections spread evenly; the first workers take the remainder. */
    w->nconns = cfg->connections / l->nworkers + (id < cfg->connections % l->nworkers);
    w->conns = hp_calloc((size_t)(w->nconns ? w->nconns : 1), sizeof *w->conns);
    w->times = hp_calloc((size_t)(w->nconns ? w->nconns : 1) * (size_t)cfg->pipeline * 3,
                         sizeof *w->times);
    w->rbuf = hp_malloc(RBUF_BYTES);
    w->batch_len = cfg->request_len * (size_t)cfg->pipeline;
    w->batch = hp_malloc(w->batch_len ? w->batch_len : 1);
    w->rng = gsl_rng_alloc(gsl_rng_mt19937);
    int parts = cfg->mix ? cfg->n_mix : 0;
    size_t nc = (size_t)(w->nconns ? w->nconns : 1);
    /* Codec states are whole multiples of 16 bytes, so each is aligned. */
    size_t biggest = hp_codec_h1.state_bytes;
    if (cfg->h2 != HP_H2_OFF && hp_codec_h2.state_bytes > biggest)
        biggest = hp_codec_h2.state_bytes;
    size_t cs_bytes = (biggest + 15) & ~(size_t)15;
    w->cs_bytes = cs_bytes;
    w->codec_states = hp_calloc(nc, cs_bytes);
    w->slot_ids = hp_calloc((size_t)cfg->pipeline, sizeof *w->slot_ids);
    if (cfg->h2 != HP_H2_OFF)
        w->freels = hp_calloc(nc * (size_t)cfg->pipeline, sizeof *w->freels);
    if (cfg->h2 != HP_H2_OFF && cfg->open_model) {
        w->retry_cap = (int)(nc * (size_t)cfg->pipeline);
        w->retry = hp_calloc((size_t)w->retry_cap, sizeof *w->retry);
    }
    if (cfg->mix) {
        w->mbufs = hp_malloc(nc * (size_t)cfg->pipeline * l->mix_max_bytes);
        w->whiches = hp_calloc(nc * (size_t)cfg->pipeline, 1);
    }
    if (!w->conns || !w->times || !w->rbuf || !w->batch || !w->rng || !w->codec_states ||
        !w->slot_ids || (cfg->h2 != HP_H2_OFF && !w->freels) || (w->retry_cap && !w->retry) ||
        (cfg->mix && (!w->mbufs || !w->whiches)) ||
        (l->n_checks > 0 && !(w->md = hp_check_match_data())) ||
        figures_init(&w->slots[0].f, parts, l->n_checks) < 0 ||
        figures_init(&w->slots[1].f, parts, l->n_checks) < 0)
        return hp_err_set(err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < (size_t)cfg->pipeline && cfg->request; i++)
        memcpy(w->batch + i * cfg->request_len, cfg->request, cfg->request_len);
    w->seq_row = id;
    w->addr = cfg->script ? hp_script_thread_addr(cfg->script, id) : &l->cfg.addr;
    w->script_answers = cfg->script && hp_script_has_response(cfg->script);
    w->script_delay = cfg->script && hp_script_has_delay(cfg->script);
    gsl_rng_set(w->rng, cfg->seed + (uint64_t)id);
    for (int i = 0; i < w->nconns; i++) {
        struct lconn *c = &w->conns[i];
        hp_sock_init(&c->sk);
        c->cs = w->codec_states + (size_t)i * cs_bytes;
        c->codec = &hp_codec_h1;
        if (w->freels)
            c->freel = w->freels + (size_t)i * (size_t)cfg->pipeline;
        c->sched = w->times + (size_t)i * (size_t)cfg->pipeline * 3;
        c->sent = c->sched + cfg->pipeline;
        c->wrote = c->sent + cfg->pipeline;
        c->wptr = w->batch;
        hp_timer_init(&c->think);
        if (cfg->mix) {
            c->mbuf = w->mbufs + (size_t)i * (size_t)cfg->pipeline * l->mix_max_bytes;
            c->which = w->whiches + (size_t)i * (size_t)cfg->pipeline;
        }
    }
    int rc = hp_worker_init(&w->wk, MAX_EVENTS, (int)nc, err);
    if (rc < 0)
        return rc;
    w->cap_hit_from = INT64_MAX;
    return 0;
}

void hp_load_config_defaults(struct hp_load_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->threads = 0; /* HP_LOAD_DEFAULT_THREADS, capped at the connections */
    cfg->connections = 10;
    cfg->duration_ns = 10 * HP_NS_PER_S;
    cfg->timeout_ns = 2 * HP_NS_PER_S;
    cfg->pipeline = 1;
    cfg->interval_ns = HP_NS_PER_S;
    cfg->seed = 1;
}

int hp_load_config_check(struct hp_load_config *cfg, struct hp_err *err)
{
    if (cfg->threads == 0)
        cfg->threads = cfg->connections < HP_LOAD_DEFAULT_THREADS && cfg->connections > 0
                           ? cfg->connections
                           : HP_LOAD_DEFAULT_THREADS;
    if (cfg->threads < 1 || cfg->threads > HP_LOAD_MAX_THREADS)
        return hp_err_set(err, HP_ERANGE, "threads must be 1-%d", HP_LOAD_MAX_THREADS);
    if (cfg->connections < cfg->threads)
        return hp_err_set(err, HP_ERANGE,
                          "%d connections for %d threads: use at least one connection per "
                          "thread", cfg->connections, cfg->threads);
    if (cfg->pipeline < 1 || cfg->pipeline > HP_LOAD_MAX_PIPELINE)
        return hp_err_set(err, HP_ERANGE, "pipeline must be 1-%d", HP_LOAD_MAX_PIPELINE);
    if (cfg->duration_ns <= 0 || cfg->timeout_ns <= 0 || cfg->interval_ns <= 0)
        return hp_err_set(err, HP_ERANGE, "duration, timeout and interval must be above 0");
    if ((cfg->open_model || cfg->ramp_connections) && cfg->stages.n < 1)
        return hp_err_set(err, HP_ERANGE, "the open model and ramps need a profile (stages)");
    if (cfg->request_every_ns < 0 || !(cfg->connect_rate >= 0))
        return hp_err_set(err, HP_ERANGE, "--request-every and --connect-rate must be above 0");
    if (cfg->request_every_ns > 0 && cfg->open_model)
        return hp_err_set(err, HP_ERANGE, "--request-every paces each connection of the closed "
                                          "model; the open model's rate is --rate");
    if (cfg->request_every_ns > 0 && (cfg->think || cfg->script))
        return hp_err_set(err, HP_ERANGE, "--request-every and a think time (or a script's "
                                          "delay()) both pace the requests: choose one");
    if (cfg->request_every_ns > 0 && cfg->pipeline > 1)
        return hp_err_set(err, HP_ERANGE, "--request-every sends one request at a time per "
                                          "connection: leave --pipeline and -M at 1");
    return 0;
}

int hp_load_new(const struct hp_load_config *given, struct hp_load **out, struct hp_err *err)
{
    struct hp_load_config checked = *given, *cfg = &checked;
    struct hp_load *l;
    int rc;

    if ((rc = hp_load_config_check(cfg, err)) < 0)
        return rc;
    if (!cfg->mix && !cfg->script &&
        (cfg->request_len == 0 || cfg->request_len > HP_LOAD_MAX_REQUEST_BYTES))
        return hp_err_set(err, HP_ERANGE, "request of %zu bytes", cfg->request_len);
    if (cfg->mix && (cfg->n_mix < 1 || cfg->n_mix > HP_LOAD_MAX_MIX))
        return hp_err_set(err, HP_ERANGE, "a mix of 1-%d requests, not %d", HP_LOAD_MAX_MIX,
                          cfg->n_mix);
    if (cfg->mix && cfg->data && cfg->data->rows < 1)
        return hp_err_set(err, HP_ERANGE, "the data table has no rows");
    long fds = hp_fd_limit_raise((long)cfg->connections + 64);
    if (fds < (long)cfg->connections + 64)
        return hp_err_set(err, -EMFILE,
                          "%d connections need %d file descriptors, but this process may hold "
                          "at most %ld (RLIMIT_NOFILE, raised to its hard limit): raise the "
                          "hard limit, or split the test over processes with --segment I/N "
                          "and join them with hotpath merge",
                          cfg->connections, cfg->connections + 64, fds);
    l = hp_calloc(1, sizeof *l);
    if (!l)
        return hp_err_set(err, -ENOMEM, "out of memory");
    l->cfg = *cfg;
    if (cfg->mix) {
        /* The longest a request can render to, with each column's longest
         * value, plus "Content-Length: " and 20 digits and two CRLFs. */
        double sum = 0;
        const uint32_t *maxes = cfg->data ? cfg->data->max_len : NULL;
        for (int i = 0; i < cfg->n_mix; i++) {
            const struct hp_load_request *q = &cfg->mix[i];
            size_t n = (maxes ? hp_template_length(q->head, maxes) : q->head->literal_len) +
                       (maxes ? hp_template_length(q->body, maxes) : q->body->literal_len) + 42;
            if (n > l->mix_max_bytes)
                l->mix_max_bytes = n;
            sum += q->weight > 0 ? q->weight : 0;
            l->cum_weight[i] = sum;
            l->check_base[i] = l->n_checks;
            l->n_checks += q->n_checks;
        }
        if (!(sum > 0)) {
            hp_free(l);
            return hp_err_set(err, HP_ERANGE, "the mix's weights add up to 0");
        }
        if (l->mix_max_bytes > HP_LOAD_MAX_REQUEST_BYTES) {
            hp_free(l);
            return hp_err_set(err, HP_ERANGE, "a request of the mix can reach %zu bytes",
                              l->mix_max_bytes);
        }
        l->cfg.request = NULL;
        l->cfg.request_len = 0;
    }
    l->request = hp_malloc(cfg->request_len ? cfg->request_len : 1);
    l->nworkers = cfg->threads;
    l->workers = hp_calloc((size_t)l->nworkers, sizeof *l->workers);
    int parts = cfg->mix ? cfg->n_mix : 0;
    if (!l->request || !l->workers || figures_init(&l->interval, parts, l->n_checks) < 0 ||
        figures_init(&l->totals, parts, l->n_checks) < 0) {
        hp_load_free(l);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    if (!cfg->mix && cfg->request_len) {
        memcpy(l->request, cfg->request, cfg->request_len);
        l->cfg.request = l->request;
    }
    for (int i = 0; i < l->nworkers; i++) {
        hp_worker_clear(&l->workers[i].wk);
    }
    for (int i = 0; i < l->nworkers; i++) {
        rc = worker_init(l, &l->workers[i], i, err);
        if (rc < 0) {
            hp_load_free(l);
            return rc;
        }
    }
    *out = l;
    return 0;
}

/* Set the schedule's origin and every worker's end and first request. */
static void set_origin(struct hp_load *l)
{
    l->start_ns = hp_now_ns();
    if (l->cfg.script) /* a script still running after the grace period is stopped */
        hp_script_set_deadline(l->cfg.script,
                               l->start_ns + l->cfg.duration_ns + l->cfg.grace_ns, false);
    for (int i = 0; i < l->nworkers; i++) {
        struct lworker *w = &l->workers[i];
        w->end_ns = l->start_ns + l->cfg.duration_ns;
        /* Workers' schedules interleave: together, one stream. */
        const struct hp_segment *seg = l->cfg.segment;
        if (l->cfg.poisson)
            w->n_next = gsl_ran_exponential(
                w->rng, seg ? l->nworkers / hp_segment_fraction(seg) : l->nworkers);
        else if (seg)
            w->n_next = (double)hp_segment_index(seg, w->k_next = i);
        else
            w->n_next = i;
        w->next_ns = due_time(w, w->n_next);
        w->slots[0].f.interval = 0;
        w->sending = true;
    }
}

int hp_load_start(struct hp_load *l, struct hp_err *err)
{
    bool open = l->cfg.open_model;
    if (!open) {
        set_origin(l);
        atomic_store(&l->go, true);
    }
    for (int i = 0; i < l->nworkers; i++) {
        int rc = hp_worker_start(&l->workers[i].wk, worker_main, &l->workers[i]);
        if (rc < 0) {
            if (open) {
                set_origin(l);
                atomic_store(&l->go, true);
            }
            l->running = true;
            hp_load_stop(l);
            return hp_err_set(err, rc, "cannot start thread: %s", strerror(-rc));
        }
    }
    if (open) {
        /* Workers connect first (each gives up after the connect timeout). */
        while (atomic_load(&l->ready) < l->nworkers) {
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
        set_origin(l);
        atomic_store_explicit(&l->go, true, memory_order_release);
    }
    l->running = true;
    return 0;
}

/* A script call still running this long after a stop request is stuck. */
#define SCRIPT_STOP_NS (250 * HP_NS_PER_MS)

const struct hp_tls_info *hp_load_tls_info(const struct hp_load *l)
{
    return atomic_load(&l->tls_info_state) == 2 ? &l->tls_info : NULL;
}

const char *hp_load_first_error(const struct hp_load *l)
{
    return atomic_load(&l->have_error) ? l->first_error : "";
}

void hp_load_stop(struct hp_load *l)
{
    atomic_store(&l->stop, true);
    if (l->cfg.script)
        hp_script_set_deadline(l->cfg.script, hp_now_ns() + SCRIPT_STOP_NS, true);
    for (int i = 0; i < l->nworkers; i++)
        hp_worker_wake(&l->workers[i].wk);
}

/* The published, not yet merged slot of w, or NULL. */
static struct slot *pending(struct lworker *w)
{
    struct slot *best = NULL;
    for (int k = 0; k < 2; k++) {
        struct slot *s = &w->slots[k];
        if (atomic_load_explicit(&s->published, memory_order_acquire) !=
                atomic_load_explicit(&s->consumed, memory_order_relaxed) &&
            (!best || s->f.interval < best->f.interval))
            best = s;
    }
    return best;
}

int hp_load_poll(struct hp_load *l, const struct hp_load_figures **out)
{
    bool any = false;
    for (int i = 0; i < l->nworkers; i++) {
        struct lworker *w = &l->workers[i];
        bool done = atomic_load_explicit(&w->done, memory_order_acquire);
        struct slot *s = pending(w);
        if (!s && !done)
            return 0; /* this worker has not finished the interval yet */
        any |= s != NULL;
    }
    if (!any) {
        if (l->running) {
            for (int i = 0; i < l->nworkers; i++)
                hp_worker_join(&l->workers[i].wk);
            l->finish_ns = hp_now_ns();
            l->running = false;
        }
        return -1;
    }
    figures_reset(&l->interval);
    l->interval.interval = -1;
    l->interval.start_s = 1e300;
    l->interval.end_s = 0;
    for (int i = 0; i < l->nworkers; i++) {
        struct slot *s = pending(&l->workers[i]);
        if (!s)
            continue;
        figures_add(&l->interval, &s->f);
        if (s->f.interval > l->interval.interval)
            l->interval.interval = s->f.interval;
        if (s->f.start_s < l->interval.start_s)
            l->interval.start_s = s->f.start_s;
        if (s->f.end_s > l->interval.end_s)
            l->interval.end_s = s->f.end_s;
        atomic_store_explicit(&s->consumed, atomic_load(&s->published), memory_order_release);
    }
    if (!scheduled(&l->cfg)) {
        /* The closed model sends when it schedules: the workers record one
         * histogram, and "from the send" is the same one. */
        hp_hist_reset(l->interval.uncorrected);
        hp_hist_add(l->interval.uncorrected, l->interval.corrected);
        for (int k = 0; k < l->interval.n_parts; k++) {
            hp_hist_reset(l->interval.parts[k].uncorrected);
            hp_hist_add(l->interval.parts[k].uncorrected, l->interval.parts[k].corrected);
        }
    }
    figures_add(&l->totals, &l->interval);
    if (l->interval.end_s > l->totals.end_s)
        l->totals.end_s = l->interval.end_s;
    *out = &l->interval;
    return 1;
}

const struct hp_load_figures *hp_load_totals(const struct hp_load *l)
{
    return &l->totals;
}

bool hp_load_data_exhausted(const struct hp_load *l)
{
    return atomic_load(&((struct hp_load *)l)->exhausted);
}

double hp_load_elapsed_s(const struct hp_load *l)
{
    /* Finished: the last worker's own end (its final interval's end_s),
     * not when the polling thread noticed, up to a poll later. */
    if (!l->running && l->finish_ns)
        return l->totals.end_s;
    return (double)(hp_now_ns() - l->start_ns) / 1e9;
}

void hp_load_free(struct hp_load *l)
{
    if (!l)
        return;
    if (l->running) {
        hp_load_stop(l);
        const struct hp_load_figures *f;
        while (hp_load_poll(l, &f) != -1) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    for (int i = 0; l->workers && i < l->nworkers; i++) {
        struct lworker *w = &l->workers[i];
        for (int k = 0; w->conns && k < w->nconns; k++) {
            codec_end(&w->conns[k]);
            w->tx->close(&w->conns[k].sk);
            hp_free(w->conns[k].cap);
            if (!l->cfg.mix) /* a mix's buffers live in w->mbufs */
                hp_free(w->conns[k].mbuf);
        }
        hp_worker_fini(&w->wk); /* before the connections its timers live in */
        hp_check_match_data_free(w->md);
        hp_free(w->conns);
        hp_free(w->times);
        hp_free(w->rbuf);
        hp_free(w->batch);
        hp_free(w->mbufs);
        hp_free(w->whiches);
        hp_free(w->codec_states);
        hp_free(w->freels);
        hp_free(w->retry);
        hp_free(w->slot_ids);
        if (w->rng)
            gsl_rng_free(w->rng);
        figures_fini(&w->slots[0].f);
        figures_fini(&w->slots[1].f);
    }
    figures_fini(&l->interval);
    figures_fini(&l->totals);
    hp_free(l->workers);
    hp_free(l->request);
    hp_free(l);
}
