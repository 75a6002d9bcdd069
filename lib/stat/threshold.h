/* SPDX-License-Identifier: MIT */
/* stat/threshold.h - k6-style pass/fail criteria over a run's metrics:
 *
 *     http_req_duration: p(99) < 300ms
 *     http_req_duration{name:login}: p(95) < 200ms
 *     http_req_failed: rate < 1%, abort_on_fail=10s
 *     http_reqs: rate > 500
 *     lcp: p(75) < 2500ms
 *
 * A threshold names a metric (optionally one tagged subset of it), an
 * aggregation (avg min max med p(N) for trends, rate for rates, count and
 * rate for counters), a comparison and a value in the metric's unit
 * (durations need their unit: "300" alone is refused, never taken as ms).
 * This module parses and evaluates; it knows nothing of where the numbers
 * come from: the caller hands it a struct hp_metric_set per tag selection. */
#ifndef HP_STAT_THRESHOLD_H
#define HP_STAT_THRESHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "stat/hist.h"

#define HP_THRESHOLD_TEXT_MAX 256
#define HP_THRESHOLD_TAG_MAX 128

enum hp_metric_kind { HP_METRIC_TREND, HP_METRIC_RATE, HP_METRIC_COUNTER };

#define HP_METRIC_PHASES 6
/* A page's figures (hotpath page), in this order: ttfb, fcp, lcp, cls, tbt,
 * inp, dom_content_loaded, load. */
#define HP_METRIC_SAMPLES 8

enum hp_threshold_agg {
    HP_AGG_AVG, HP_AGG_MIN, HP_AGG_MAX, HP_AGG_MED, HP_AGG_P, HP_AGG_RATE, HP_AGG_COUNT
};

enum hp_threshold_op { HP_OP_LT, HP_OP_LE, HP_OP_GT, HP_OP_GE, HP_OP_EQ, HP_OP_NE };

struct hp_threshold {
    char text[HP_THRESHOLD_TEXT_MAX];    /* "metric{tag}: expr" as one line, normalised */
    int metric;                          /* index into the known metrics */
    char tag_key[16];                    /* "name", "scenario", "check" or a request tag's
                                          * key; "" for the whole metric */
    char tag_value[HP_THRESHOLD_TAG_MAX];
    enum hp_threshold_agg agg;
    double percentile;                   /* HP_AGG_P: 0 < p <= 100 */
    enum hp_threshold_op op;
    double value;                        /* ns, a fraction, a count, per second or bytes */
    bool abort_on_fail;
    int64_t abort_delay_ns;              /* not before this long after the start */
};

/* What a run (or one tagged part of it) measured. NULL histograms and zero
 * totals are "no samples". */
struct hp_metric_set {
    const struct hp_hist *duration;             /* http_req_duration: from the schedule */
    const struct hp_hist *duration_uncorrected; /* from the actual send */
    const struct hp_hist *lag;                  /* scheduler_lag (open model) */
    /* http_req_blocked, _connecting, _tls_handshaking, _sending, _waiting,
     * _receiving: where each request's time went (load/load.h's phases) */
    const struct hp_hist *phase[HP_METRIC_PHASES];
    int64_t requests;                           /* http_reqs: answers */
    int64_t failed, attempts;                   /* http_req_failed = failed / attempts */
    int64_t checks_passed, checks_total;        /* checks */
    int64_t bytes_received, bytes_sent;         /* data_received, data_sent */
    double duration_s;                          /* for counters' rates */
    /* each page load's figure, sorted ascending (ns; cls a score) */
    const double *samples[HP_METRIC_SAMPLES];
    size_t n_samples[HP_METRIC_SAMPLES];
};

struct hp_threshold_result {
    bool passed;
    bool no_samples;   /* nothing to judge: counts as failed */
    double measured;   /* in the threshold's unit */
};

/* Parse "METRIC[{KEY:VALUE}]: AGG OP VALUE[, abort_on_fail[=DELAY]]". On
 * error fills err with the 1-based column in text (err->col) and what was
 * expected; err->file is left for the caller. HP_EPARSE or HP_ERANGE. */
int hp_threshold_parse(const char *text, struct hp_threshold *out, struct hp_err *err);
/* The same with the metric given apart (a scenario file's key) and
 * "AGG OP VALUE" in expr. */
int hp_threshold_parse_expr(const char *metric, const char *expr, struct hp_threshold *out,
                            struct hp_err *err);

const char *hp_threshold_metric_name(const struct hp_threshold *t);
const char *hp_threshold_op_name(enum hp_threshold_op op); /* "<", "<="... */
enum hp_metric_kind hp_threshold_metric_kind(const struct hp_threshold *t);

/* Judge t against m (NULL: no samples). */
void hp_threshold_eval(const struct hp_threshold *t, const struct hp_metric_set *m,
                       struct hp_threshold_result *out);
/* The measured value (or the threshold's own value) as people read it:
 * "212ms", "0.52%", "1.20k/s", "3.40MiB", "1200". */
char *hp_threshold_format_value(const struct hp_threshold *t, double v, char *buf, size_t size);

#endif
