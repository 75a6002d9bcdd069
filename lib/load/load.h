/* SPDX-License-Identifier: MIT */
/* load/load.h - the HTTP/1.1 load engine behind `hotpath load`.
 *
 * Worker threads each own an epoll loop, their connections, one read buffer
 * shared by those connections, and their histograms. Nothing is locked or
 * allocated per request. Two load models:
 *  - closed: each connection sends its next request (or pipeline batch)
 *    when the previous answers arrive; with ramp_connections the stages set
 *    how many connections are active;
 *  - open (open_model): requests follow a schedule (the stages' rate, with
 *    constant or Poisson spacing) independent of the answers. Latency is measured from
 *    the scheduled send time ("corrected") and from the actual send time
 *    ("uncorrected"); a request that finds every connection busy waits and
 *    is sent late, never dropped, and still measured from its schedule.
 *
 * Each worker publishes its figures once per reporting interval into one of
 * two slots; the caller's thread merges them (hp_load_poll), so percentiles
 * are always computed over all requests of the interval, never averaged. */
#ifndef HP_LOAD_LOAD_H
#define HP_LOAD_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "io/addr.h"
#include "core/table.h"
#include "http/check.h"
#include "load/script.h"
#include "load/segment.h"
#include "load/stages.h"
#include "http/template.h"
#include "stat/dist.h"
#include "stat/hist.h"

#define HP_LOAD_MAX_THREADS 256
#define HP_LOAD_MAX_PIPELINE 1024
#define HP_LOAD_MAX_REQUEST_BYTES (16 * 1024 * 1024)
#define HP_LOAD_MAX_MIX 64

enum hp_load_error {
    HP_LERR_CONNECT_REFUSED,
    HP_LERR_CONNECT_TIMEOUT,
    HP_LERR_CONNECT, /* other connect failures (unreachable...) */
    HP_LERR_RESET,   /* ECONNRESET / EPIPE, or closed with requests in flight */
    HP_LERR_READ,
    HP_LERR_WRITE,
    HP_LERR_TIMEOUT, /* no answer within the request timeout */
    HP_LERR_MALFORMED,
    HP_LERR_STATUS_4XX,
    HP_LERR_STATUS_5XX,
    HP_LERR_TLS, /* a TLS handshake that failed (certificate, protocol, ...) */
    HP_LERR_H2_RESET,  /* HTTP/2: the server reset the stream (RST_STREAM) */
    HP_LERR_H2_GOAWAY, /* HTTP/2: refused by the server's GOAWAY, never processed */
    HP_LERR_COUNT
};

const char *hp_load_error_name(enum hp_load_error e);

/* How a request of a mix takes its row of the data table. */
enum hp_data_pick {
    HP_DATA_SEQUENTIAL, /* each thread walks the rows in turn (interleaved), then wraps */
    HP_DATA_RANDOM,     /* a row drawn at random per request */
    HP_DATA_UNIQUE,     /* each row once over the whole run; when all are used, sending stops */
};

/* One request of a weighted mix: the head (request line and headers, no
 * Content-Length, no blank line) and the body, both templates over the data
 * table's columns. Templates are borrowed: they must outlive the run. */
struct hp_load_request {
    const char *name;
    double weight;              /* > 0; shares are weight / sum of weights */
    bool head_method;           /* HEAD: answers have no body */
    bool wants_length;          /* send Content-Length: there is a body, or POST/PUT/PATCH */
    const struct hp_template *head, *body;
    const struct hp_check *checks; /* judged on each answer; borrowed */
    int n_checks;
};

struct hp_tls;

/* HTTP/2: off (HTTP/1.1), over TLS when ALPN agrees on it (else the
 * connection fails), over TLS if agreed (else HTTP/1.1 on it), or over
 * plain TCP with prior knowledge. */
enum hp_load_h2 { HP_H2_OFF = 0, HP_H2_ALPN, HP_H2_PREFER, HP_H2C };

struct hp_load_config {
    struct hp_addr addr;
    struct hp_tls *tls;       /* TLS (io/tls.h) on every connection; NULL: plain TCP. Borrowed. */
    const char *request;      /* the full request bytes sent each time (method..body) */
    size_t request_len;
    bool head_request;        /* method is HEAD: responses have no body */
    int threads;
    int connections;          /* closed: how many; open: cap on requests in flight */
    int64_t duration_ns;
    int64_t timeout_ns;       /* request timeout (wrk's --timeout, default 2s) */
    int64_t connect_timeout_ns;
    int64_t grace_ns;         /* after the end, wait this long for answers in flight */
    int pipeline;             /* requests per connection in flight, >= 1 (HTTP/2: streams) */
    enum hp_load_h2 h2;       /* the protocol: HTTP/1.1, or HTTP/2 how */
    int64_t requests_per_conn; /* close and reconnect after this many; 0: never */
    bool open_model;          /* requests on a schedule (else: closed model) */
    struct hp_stages stages;  /* open: the rate over time (a constant rate is one stage);
                                 closed with ramp_connections: connections over time */
    bool ramp_connections;
    bool poisson;             /* open model: exponential gaps instead of constant */
    int64_t interval_ns;      /* reporting interval (1s) */
    uint64_t seed;
    /* A weighted mix of requests instead of `request` (which is then
     * unused): each send picks one by weight and renders it, with a row of
     * `data` when the templates have variables. Figures are kept per
     * request of the mix as well (hp_load_figures.parts). Borrowed. */
    const struct hp_load_request *mix;
    int n_mix;                      /* 1..HP_LOAD_MAX_MIX */
    const struct hp_table *data;    /* NULL: no variables */
    enum hp_data_pick data_pick;
    /* Closed model: a connection pauses this long (drawn per request)
     * between an answer and its next request. */
    bool think;
    struct hp_dist think_dist;
    /* A wrk-style Lua script (set up with hp_script_setup for `threads`)
     * makes each request with request(), sees answers in response(),
     * paces with delay() and connects each thread to its thread.addr. A
     * request() string holds `pipeline` requests. Borrowed. */
    struct hp_script *script;
    /* One part of a test split over processes (load/segment.h): the open
     * model sends only the schedule's arrivals that are this part's, the
     * closed model's stages want this part's share of their connections
     * (`connections` is already this part's), unique data rows are dealt
     * out like arrivals. NULL: the whole test. Borrowed. */
    const struct hp_segment *segment;
    int whole_connections; /* a part's: the whole test's -c (hp_load_plan_segment) */
    /* Many connections from one machine: connect from these local
     * addresses in turn (connection j from sources[j % n]), since one
     * source address reaches one target on at most ~28k ephemeral ports.
     * Borrowed; NULL: the kernel picks. */
    const struct hp_addr *sources;
    int n_sources;
    double connect_rate;      /* connects per second over all workers, 0: as fast as it goes */
    /* Closed model: each connection sends a request every this often (its
     * first at an even share of the interval into the run, so the whole
     * rate is steady), timed from when it was due: an answer later than
     * the next due time delays that request, which still counts from when
     * it was due. 0: each answer's next request goes at once. */
    int64_t request_every_ns;
};

struct hp_load_counts {
    int64_t requests;      /* answers received (any status), timeouts not included */
    int64_t sent;
    int64_t late;          /* open model: sent after waiting for a free connection */
    int64_t unsent;        /* open model: due before the end but never sent */
    int64_t unanswered;    /* still in flight when the grace period ended */
    int64_t connects;
    int64_t reconnects;    /* connections closed by Connection: close or --requests-per-conn */
    int64_t bytes_read;
    int64_t bytes_written;
    int64_t status[6];     /* answers by class: [1]..[5] = 1xx..5xx */
    int64_t errors[HP_LERR_COUNT];
    int64_t checks_passed; /* checks judged on answers (scenario requests with checks) */
    int64_t checks_failed;
};

int64_t hp_load_error_total(const struct hp_load_counts *c);
/* What wrk's done(summary) calls errors, from c, over elapsed_s. */
void hp_load_script_summary(const struct hp_load_counts *c, double elapsed_s,
                            struct hp_script_summary *out);
/* d += s, every count. */
void hp_load_counts_add(struct hp_load_counts *d, const struct hp_load_counts *s);

/* What one request of a mix measured. */
struct hp_load_part {
    struct hp_load_counts counts;
    struct hp_hist *corrected;
    struct hp_hist *uncorrected;
};

/* One reporting interval, or the whole run, merged over workers. */
/* Where each answered request's time went, k6's names and meanings:
 * blocked (waiting for a free connection or stream: the open model's
 * sent - scheduled), connecting (TCP) and tls_handshaking (0 on a
 * connection that was already up), sending (until its bytes were all
 * written), waiting (then until the answer's first byte), receiving (from
 * its first byte to its last). The order of stat/threshold.h's phases. */
enum hp_load_phase {
    HP_PHASE_BLOCKED,
    HP_PHASE_CONNECTING,
    HP_PHASE_TLS,
    HP_PHASE_SENDING,
    HP_PHASE_WAITING,
    HP_PHASE_RECEIVING,
    HP_PHASE_COUNT
};
/* "http_req_blocked", ... */
const char *hp_load_phase_name(enum hp_load_phase p);
/* A phase's histogram: 1 ns to 1 h as latencies, but 2 significant digits
 * (within 1%): 32 KiB each instead of 256, since every worker keeps six of
 * them twice over. */
int hp_load_phase_hist_new(struct hp_hist **out);

struct hp_load_figures {
    struct hp_load_counts counts;
    struct hp_hist *phase[HP_PHASE_COUNT];
    /* phases of 0 ns (most: blocked in the closed model, sending, set-up on a
     * connection already up), counted here and recorded into phase[] when
     * the figures are handed over */
    int64_t phase_zeros[HP_PHASE_COUNT];
    struct hp_load_part *parts;  /* [n_parts]: per request of the mix; NULL without one */
    int n_parts;
    int64_t *check_failed;       /* [n_checks]: failures per check, in mix order */
    int64_t *check_total;
    int n_checks;
    struct hp_hist *corrected;   /* from the scheduled send time (closed: = uncorrected) */
    struct hp_hist *uncorrected; /* from the actual send time */
    struct hp_hist *lag;         /* open model: actual minus scheduled send time */
    int64_t interval;            /* index of the interval (0-based) */
    double start_s, end_s;       /* since the run started */
};

/* The engine's defaults, the same for every front end: 2 threads (no more
 * than the connections: see hp_load_config_check), 10 connections, 10 s, a
 * 2 s timeout, pipeline 1, 1 s intervals, seed 1; the closed model. */
#define HP_LOAD_DEFAULT_THREADS 2
void hp_load_config_defaults(struct hp_load_config *cfg);

/* The rules a config keeps, checked here once for every front end:
 * threads 1..HP_LOAD_MAX_THREADS, at least one connection per thread,
 * pipeline, timeouts and durations in range, a profile for the open model.
 * (What is sent, the request or the mix, is checked by hp_load_new.)
 * threads 0 means the default: HP_LOAD_DEFAULT_THREADS or the number of
 * connections, whichever is smaller (set in cfg here). 0, or HP_ERANGE
 * with err saying what to change. */
int hp_load_config_check(struct hp_load_config *cfg, struct hp_err *err);

struct hp_load;

/* Validate cfg (hp_load_config_check; copied, the request bytes too) and
 * prepare the workers. */
int hp_load_new(const struct hp_load_config *cfg, struct hp_load **out, struct hp_err *err);
int hp_load_start(struct hp_load *l, struct hp_err *err);
/* Ask the workers to stop sending now (SIGINT); they wait grace_ns for
 * answers in flight. Safe from the thread that polls. */
void hp_load_stop(struct hp_load *l);
/* Merge the next finished interval into *out (figures owned by l, valid
 * until the next call). Returns 1 with an interval, 0 when none is ready,
 * -1 when the run is over and every interval was delivered. */
int hp_load_poll(struct hp_load *l, const struct hp_load_figures **out);
/* Whole-run figures, complete once hp_load_poll has returned -1. */
const struct hp_load_figures *hp_load_totals(const struct hp_load *l);
/* True when HP_DATA_UNIQUE ran out of rows and sending stopped for it. */
bool hp_load_data_exhausted(const struct hp_load *l);
/* What the run's first TLS handshake negotiated, or NULL (plain TCP, or
 * none succeeded). */
struct hp_tls_info;
const struct hp_tls_info *hp_load_tls_info(const struct hp_load *l);
/* The first connection error of the run in the transport's words (a TLS
 * handshake's reason), or "". */
const char *hp_load_first_error(const struct hp_load *l);
/* Seconds the run took: from the start of the schedule to the last
 * worker's end (its last answer or the grace period's end), measured by the
 * workers themselves; while running, the time so far. */
double hp_load_elapsed_s(const struct hp_load *l);
void hp_load_free(struct hp_load *l); /* stops and joins first; NULL is fine */

#endif
