/* SPDX-License-Identifier: MIT */
/* load/load_doc.h - the load test's result document (kind "load"): one
 * writer for every front end (a URL, a scenario file), and the names of its
 * keys, defined once here and used by the writer and by lib/report, which
 * reads them back. docs/result-format.md describes each.
 *
 * What thresholds judge (stat/threshold.h's metric set) is derived here
 * too, from the same figures the document gets. */
#ifndef HP_LOAD_LOAD_DOC_H
#define HP_LOAD_LOAD_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/result.h"
#include "load/load.h"
#include "stat/threshold.h"

/* metrics.<key> (and series.<key> where a rate or percentile is drawn per
 * interval). Sub-metrics append k6-style tags: requests{scenario:browse}. */
#define HP_LOAD_REQUESTS "requests"
#define HP_LOAD_REQUESTS_PER_S "requests_per_s" /* over the measured duration */
#define HP_LOAD_SENT "sent"
#define HP_LOAD_ERRORS "errors"
#define HP_LOAD_ERRORS_PER_S "errors_per_s"
#define HP_LOAD_ERRORS_STATUS "errors_status" /* parts: errors that were answers (4xx, 5xx) */
#define HP_LOAD_BYTES_READ "bytes_read"
#define HP_LOAD_BYTES_READ_PER_S "bytes_read_per_s"
#define HP_LOAD_BYTES_WRITTEN "bytes_written"
#define HP_LOAD_TRANSFER_PER_S "transfer_bytes_per_s"
#define HP_LOAD_CONNECTS "connects"
#define HP_LOAD_RECONNECTS "reconnects"
#define HP_LOAD_UNANSWERED "unanswered"
#define HP_LOAD_CHECKS_PASSED "checks_passed"
#define HP_LOAD_CHECKS_FAILED "checks_failed"
#define HP_LOAD_TARGET_RATE "target_rate_per_s"
#define HP_LOAD_SENT_RATE "sent_rate_per_s"
#define HP_LOAD_LATE "late"
#define HP_LOAD_UNSENT "unsent"
#define HP_LOAD_LAG_P99 "lag_p99_ns"
#define HP_LOAD_P50 "latency_p50_ns"
#define HP_LOAD_P90 "latency_p90_ns"
#define HP_LOAD_P95 "latency_p95_ns"
#define HP_LOAD_P99 "latency_p99_ns"
#define HP_LOAD_P99_9 "latency_p99_9_ns"
#define HP_LOAD_MAX "latency_max_ns"
/* histograms.<key> */
#define HP_LOAD_H_LATENCY "latency"                 /* from the schedule */
#define HP_LOAD_H_UNCORRECTED "latency_uncorrected" /* from the send */
#define HP_LOAD_H_LAG "scheduler_lag"
/* config.<key> */
#define HP_LOAD_C_URL "url"
#define HP_LOAD_C_METHOD "method"
#define HP_LOAD_C_MODEL "model"
#define HP_LOAD_C_RATE "rate_per_s"
#define HP_LOAD_C_ARRIVAL "arrival"
#define HP_LOAD_C_STAGES "stages"
#define HP_LOAD_C_THREADS "threads"
#define HP_LOAD_C_SCENARIO_FILE "scenario_file"
#define HP_LOAD_C_SCENARIOS "scenarios"

/* What a plain run sends, as the document's config records it: the
 * request as sent (a script's own method and path, not the defaults it
 * replaced). */
struct hp_load_target {
    const char *url; /* with the path sent */
    const char *method;
    const char *const *headers; /* "Name: value", secrets redacted on the way in */
    int n_headers;
    size_t body_bytes;
    const char *unix_socket; /* NULL: none */
    const char *stages;      /* the --stages text, NULL: none */
    double rate_per_s;       /* --rate, 0: none */
    const char *script;      /* -s FILE, NULL: none */
};

/* t with what a wrk script sends in place of the defaults: thread 0's first
 * request's method, path (into url_buf, "http://AUTHORITY/PATH") and body
 * size. */
struct hp_script;
void hp_load_target_of_script(struct hp_load_target *t, const struct hp_script *script,
                              const char *authority, char *url_buf, size_t url_size);

/* The figures of a whole run (or of one part of it) as the document and
 * the thresholds take them. */
struct hp_load_view {
    const struct hp_load_counts *counts;
    const struct hp_hist *corrected, *uncorrected;
    const struct hp_hist *lag; /* NULL: no schedule (closed model) */
    double elapsed_s;          /* measured: rates are over this */
    double duration_s;         /* the schedule's length, for the sent rate (open model) */
    double target_rate_per_s;  /* 0: none */
    /* where the time went (enum hp_load_phase), or NULL */
    struct hp_hist *const *phase;
};

/* A new document of kind "load" with cfg and t in its config. */
int hp_load_doc_new(const struct hp_load_config *cfg, const struct hp_load_target *t,
                    struct hp_result **out);
/* One interval's series points at t_s (the interval's end, seconds since
 * the run began), named with tag (e.g. "scenario:browse") or untagged for
 * NULL. Latency points are null when nothing was answered. */
int hp_load_doc_series(struct hp_result *doc, const struct hp_load_figures *f, double t_s,
                       bool open_model, const char *tag);
/* The whole run's metrics and histograms, and its duration. */
int hp_load_doc_totals(struct hp_result *doc, const struct hp_load_view *v);
/* A part's metrics (requests, rate, errors, p50/p95/p99/max, checks) and
 * its latency histogram, tagged: requests{TAG}. */
int hp_load_doc_part(struct hp_result *doc, const char *tag, const struct hp_load_counts *c,
                     const struct hp_hist *h, double secs);

/* The document's record of a part of a split test (load/segment.h):
 * config.segment (part, index, parts, sequence) and, when whole_connections
 * > 0, config.connections as the whole test's with
 * config.segment_connections as this part's; with a start time (--start-at,
 * wall clock; 0: none) config.start_at and metrics.start_offset_ns, how
 * late the start was. seg NULL: only the start. */
int hp_load_doc_segment(struct hp_result *doc, const struct hp_segment *seg, int whole_connections,
                        int part_connections, int64_t start_at_ns, int64_t started_wall_ns);

/* Read back what hp_load_doc_totals (tag NULL) or hp_load_doc_part (tag
 * "scenario:browse"...) wrote: the counts, summed into *c. A part's
 * errors keep only their total and how many were answers (4xx, 5xx); the
 * others are counted as connect_error. false when the document has no
 * such figures. */
bool hp_load_doc_read_counts(struct hp_result *doc, const char *tag, struct hp_load_counts *c);

/* What thresholds judge, from v. A failed request is an answer with status
 * 4xx or 5xx, or any error that left no answer (refused, reset, timeout,
 * malformed...); those count as attempts too, so a target that refuses
 * everything fails 100%. */
void hp_load_metric_set(const struct hp_load_view *v, struct hp_metric_set *m);
/* The same for the figures so far of an engine (its totals at t_s). */
void hp_load_metric_set_so_far(const struct hp_load_figures *t, bool open_model, double t_s,
                               struct hp_metric_set *m);

#endif
