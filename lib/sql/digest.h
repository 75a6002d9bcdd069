/* SPDX-License-Identifier: MIT */
/* sql/digest.h - statements grouped by fingerprint, with the figures that
 * say which class to fix first: total time and its share, calls, exact
 * percentiles, variance-to-mean, rows examined against rows sent, lock time,
 * first and last seen, the databases and users it ran for, and its slowest
 * sample with the literals in.
 *
 * Memory grows with the number of classes, not of statements: a class keeps
 * its first HP_SQL_EXACT_VALUES times exactly, then moves them into an
 * HdrHistogram (1 us to 1 day, 3 significant digits, about 220 KB), so
 * percentiles are exact for rare classes and within 0.1% for busy ones. The
 * slowest sample is kept up to HP_SQL_SAMPLE_MAX_BYTES. Not thread-safe. */
#ifndef HP_SQL_DIGEST_H
#define HP_SQL_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sql/fingerprint.h"
#include "sql/slowlog.h"
#include "stat/hist.h"

#define HP_SQL_EXACT_VALUES 256
#define HP_SQL_SAMPLE_MAX_BYTES (64 * 1024)
#define HP_SQL_FP_MAX_BYTES (16 * 1024)
#define HP_SQL_TOP_NAMES 4        /* databases and users counted by name; the rest as "other" */
#define HP_SQL_SERIES_BUCKETS 240 /* per class: a minute each, doubling when the log is longer */
#define HP_SQL_SERIES_BUDGET_BYTES (64 * 1024 * 1024) /* classes past it get no series */

struct hp_sql_bucket {
    int64_t calls;
    int64_t time_ns;
};

struct hp_sql_name_count {
    char name[HP_SQL_NAME_MAX];
    int64_t calls;
};

/* Read-only outside sql/digest.c. */
struct hp_sql_class {
    uint64_t id;    /* 64-bit hash of the fingerprint */
    char label[36]; /* as printed: "0x" and XXH3's 16 hex digits, or pt's MD5 (32) */
    char *fingerprint;
    int64_t calls;
    int64_t time_ns; /* sum of query times */
    int64_t min_ns, max_ns;
    double mean_ns, m2; /* Welford's running mean and sum of squares */
    int64_t lock_ns;    /* sum where the log says */
    int64_t lock_calls; /* statements whose lock time the log gave */
    int64_t rows_sent, rows_examined;
    int64_t rows_calls;            /* statements whose rows the log gave */
    int64_t examined_calls;        /* ...and of those, whose rows examined */
    int64_t first_ts_s, last_ts_s; /* -1 when unknown */
    int64_t aggregated; /* calls that came as totals (pg_stat_statements): no percentiles */
    /* times: exact while few, then a histogram */
    int64_t *exact;
    int n_exact, cap_exact;
    struct hp_hist *hist;
    /* the slowest statement */
    char *sample;
    size_t sample_len, sample_cap;
    int64_t sample_ns, sample_ts_s;
    char sample_db[HP_SQL_NAME_MAX];
    char *sample_params; /* its logged $N values (PostgreSQL's DETAIL), else NULL */
    struct hp_sql_name_count dbs[HP_SQL_TOP_NAMES], users[HP_SQL_TOP_NAMES];
    int64_t other_dbs, other_users;
    /* calls per (connection, second), for N+1: a few live pairs, the best kept */
    struct {
        int64_t thread, ts_s, calls;
    } burst[4];
    int64_t burst_max, burst_thread, burst_ts_s;
    /* calls and time per bucket of hp_sql_digest_series(); NULL when the
     * log has no times, or past the budget */
    struct hp_sql_bucket *series;
};

enum hp_sql_order {
    HP_SQL_BY_TIME,
    HP_SQL_BY_CALLS,
    HP_SQL_BY_MEAN,
    HP_SQL_BY_P99,
    HP_SQL_BY_ROWS_EXAMINED
};

struct hp_sql_digest;

int hp_sql_digest_new(struct hp_sql_digest **out); /* 0, -ENOMEM */

/* HOTPATH: hp_sql_fingerprint's classes. PT: pt-query-digest's (its
 * fingerprint of the statement without its final ";", and its class id,
 * the MD5 of the fingerprint). Set before the first add. */
enum hp_sql_classes { HP_SQL_CLASSES_HOTPATH, HP_SQL_CLASSES_PT };
void hp_sql_digest_set_classes(struct hp_sql_digest *d, enum hp_sql_classes how);
/* hotpath's classes: the fingerprint's HP_SQL_FP_* flags (0 by default). */
void hp_sql_digest_set_fp_flags(struct hp_sql_digest *d, unsigned flags);
unsigned hp_sql_digest_fp_flags(const struct hp_sql_digest *d);
void hp_sql_digest_free(struct hp_sql_digest *d); /* NULL is fine */

/* Rename a database (dbs) or a user (!dbs) in every class: an OID to its
 * name, once a server says it. */
void hp_sql_digest_rename(struct hp_sql_digest *d, bool dbs, const char *from, const char *to);

/* Count one statement in its class. 0, or -ENOMEM (nothing counted). */
int hp_sql_digest_add(struct hp_sql_digest *d, const struct hp_sql_event *ev);

/* The classes in the given order, best first (ties by id). *out points into
 * d's own array, valid until the next add. Returns the count. */
size_t hp_sql_digest_sorted(struct hp_sql_digest *d, enum hp_sql_order order,
                            struct hp_sql_class *const **out);

/* Totals over all statements. */
int64_t hp_sql_digest_calls(const struct hp_sql_digest *d);
int64_t hp_sql_digest_time_ns(const struct hp_sql_digest *d);
void hp_sql_digest_span(const struct hp_sql_digest *d, int64_t *first_ts_s, int64_t *last_ts_s);
/* The classes' series: bucket k covers [origin + k * width, + width) in Unix
 * seconds; *n buckets are in use. false when no statement had a time. */
bool hp_sql_digest_series(const struct hp_sql_digest *d, int64_t *origin_s, int64_t *width_s,
                          int *n);

/* The percentile (0-100) of a class's query times: nearest rank over the
 * exact times, or HdrHistogram's value at percentile. 0 when empty; -1 when
 * some of its calls came as totals without a distribution. */
int64_t hp_sql_class_percentile(const struct hp_sql_class *c, double percentile);
/* Variance over mean of the query times, in seconds (pt-query-digest's V/M). */
double hp_sql_class_vm(const struct hp_sql_class *c);
/* All its times in one histogram (for result documents). 0, -ENOMEM, or
 * -ENODATA for a class with aggregated calls. */
int hp_sql_class_hist(const struct hp_sql_class *c, struct hp_hist **out);

int hp_sql_order_parse(const char *text); /* an hp_sql_order, or -1 */

#endif
