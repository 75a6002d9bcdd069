// SPDX-License-Identifier: MIT
/* src/cmd_sql.c - `hotpath sql digest`: slow-query logs grouped by
 * fingerprint and ranked by what they cost, as text and a result document. */
#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/lines.h"
#include "core/result.h"
#include "core/units.h"
#include "hotpath_version.h"
#include "sql/digest.h"
#include "sql/explain.h"
#include "sql/hints.h"
#include "sql/reader.h"
#include "sql/slowlog.h"
#include "stat/hist_codec.h"

enum {
    O_ORDER = 1,
    O_LIMIT,
    O_JSON,
    O_FORMAT,
    O_PREFIX,
    O_FINGERPRINT,
    O_EXPLAIN,
    O_EXPLAIN_TOP,
    O_ANALYZE,
    O_KEEP_NUMBERED
};

static const struct cli_opt sql_opts[] = {
    {O_ORDER, "order-by", 0, "KEY",
     "Rank classes by time (total, the default), calls, mean, p99 or rows_examined."},
    {O_LIMIT, "limit", 'n', "N", "Show the top N classes (default 10; 0 shows all)."},
    {O_FORMAT, "format", 0, "FORMAT",
     "auto (the default: told from the first lines), mysql-slow (MySQL and MariaDB slow logs), "
     "postgresql (stderr logs with log_min_duration_statement), postgresql-csv (csvlog) or "
     "pg-stat-statements (a CSV export of the view with its header; totals per statement, so "
     "no percentiles; export the names too, as the example shows, or the databases and users "
     "are OIDs until --explain looks them up)."},
    {O_PREFIX, "log-line-prefix", 0, "PREFIX",
     "PostgreSQL's log_line_prefix (e.g. '%m [%p] %q%u@%d '), to read its fields exactly; "
     "without it the time, [pid], user@db and user=, db=, client= are found by their look."},
    {O_FINGERPRINT, "fingerprint", 0, "hotpath|pt",
     "Classes by hotpath's fingerprint (the default: id=1 and id = 2 are one class, operators "
     "kept) or by pt-query-digest's (its fingerprint and its class ids, the MD5 of it, for "
     "comparing the two reports)."},
    {O_KEEP_NUMBERED, "keep-numbered-names", 0, NULL,
     "Keep names that differ only in a number apart: by default numbered tables (partitions, "
     "shards: audit_log_2023, audit_log_2024) are one class, audit_log_?, as in "
     "pt-query-digest."},
    {O_EXPLAIN, "explain", 0, "CONNINFO",
     "Run EXPLAIN (FORMAT JSON) of the top classes' slowest statements on this PostgreSQL "
     "server (a libpq URI or key=value string, e.g. postgresql://app@db:5432/shop), one "
     "statement at a time (a log entry of several is not sent), inside a READ ONLY transaction "
     "that is rolled back, and flag sequential scans of large tables (unless an index already "
     "covers the filter), sorts and hashes spilled to disk, and row estimates off by more than "
     "10x. $1 placeholders take the values the log's DETAIL line gave; without them, the "
     "generic plan."},
    {O_EXPLAIN_TOP, "explain-top", 0, "N", "How many classes --explain looks at (default 5)."},
    {O_ANALYZE, "analyze", 0, NULL,
     "EXPLAIN ANALYZE: run the statements (still read-only and rolled back, 30 s at most each) "
     "to see real rows, spills and times. A statement that calls a function pg_proc marks "
     "volatile (pg_reload_conf(), nextval()...) or has no logged parameter values is explained "
     "without ANALYZE, and its class says why."},
    {O_JSON, "json", 0, "FILE",
     "Write every class as a result document (hotpath.result/1, kind sql)."},
    {0, NULL, 0, NULL, NULL},
};

#define MAX_LOGS 256
#define SERIES_CLASSES 10 /* the top classes whose series go into the result document */

/* --explain's results for the first n ranked classes. */
struct explained {
    struct hp_sql_explain *ex;
    size_t n;
    bool analyze;
};

struct run {
    struct hp_sql_digest *digest;
    struct hp_sql_reader *log;
};

static int on_event(void *ctx, const struct hp_sql_event *ev)
{
    struct run *r = ctx;
    return hp_sql_digest_add(r->digest, ev);
}

static int on_line(void *ctx, const char *line, size_t len)
{
    struct run *r = ctx;
    return hp_sql_reader_line(r->log, line, len);
}

static const char *dur(int64_t ns, char *buf, size_t size)
{
    if (ns < 0) { /* a percentile of totals without a distribution */
        snprintf(buf, size, "-");
        return buf;
    }
    return hp_format_duration(ns, buf, size);
}

static void date_of(int64_t ts_s, char *buf, size_t size)
{
    if (ts_s < 0) {
        snprintf(buf, size, "-");
        return;
    }
    time_t t = (time_t)ts_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "shop 99%, other 1%" */
static void names_str(const struct hp_sql_name_count *top, int64_t other, int64_t calls, char *buf,
                      size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < HP_SQL_TOP_NAMES && top[i].calls > 0 && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s %.0f%%", i ? ", " : "",
                              top[i].name[0] ? top[i].name : "(none)",
                              100.0 * (double)top[i].calls / (double)calls);
    if (other > 0 && n < size)
        snprintf(buf + n, size - n, ", others %.0f%%", 100.0 * (double)other / (double)calls);
}

static void print_report(struct hp_sql_digest *d, struct hp_sql_class *const *cls, size_t n,
                         size_t limit, const struct hp_slowlog_stats *st, uint64_t bytes,
                         int nfiles, const char *const *formats, const char *order,
                         const struct explained *xp)
{
    char a[32], b[32], c[32], e[32], f[32], g[32], h[32], m[32];
    int64_t total = hp_sql_digest_time_ns(d), first, last;
    hp_sql_digest_span(d, &first, &last);
    hp_format_count((double)hp_sql_digest_calls(d), a, sizeof a);
    bool same = true;
    for (int i = 1; i < nfiles; i++)
        same = same && strcmp(formats[i], formats[0]) == 0;
    printf("# %s statement%s in %s from %d log%s (%s): %zu class%s, %s of query time\n", a,
           hp_sql_digest_calls(d) == 1 ? "" : "s", hp_format_size((int64_t)bytes, b, sizeof b),
           nfiles, nfiles == 1 ? "" : "s", same ? formats[0] : "mixed formats", n,
           n == 1 ? "" : "es", dur(total, c, sizeof c));
    if (first >= 0) {
        date_of(first, e, sizeof e);
        date_of(last, f, sizeof f);
        double span = (double)(last - first);
        printf("# from %s to %s", e, f);
        if (span > 0)
            printf(" (%s, %.3g statements/s)", dur((int64_t)(span * 1e9), g, sizeof g),
                   (double)hp_sql_digest_calls(d) / span);
        printf("\n");
    }
    if (st->bad > 0) {
        printf("# %" PRId64 " unreadable line%s or entr%s skipped; the first:", st->bad,
               st->bad == 1 ? "" : "s", st->bad == 1 ? "y" : "ies");
        for (int i = 0; i < HP_SQL_BAD_KEPT && i < st->bad; i++)
            printf("%s line %" PRId64 " (%s)", i ? ";" : "", st->first_bad[i].line,
                   st->first_bad[i].why);
        printf("\n");
    }
    if (st->truncated > 0)
        printf("# %" PRId64 " statements longer than %d MiB were cut\n", st->truncated,
               HP_SQL_MAX_QUERY_BYTES >> 20);
    if (st->oid_dbs || st->oid_users)
        printf("# %s are OIDs: the export has %s but no names; --explain CONNINFO looks them "
               "up, or export them (hotpath help sql)\n",
               st->oid_dbs && st->oid_users ? "databases and users"
               : st->oid_dbs                ? "databases"
                                            : "users",
               st->oid_dbs && st->oid_users ? "dbid and userid"
               : st->oid_dbs                ? "dbid"
                                            : "userid");
    if (n == 0) {
        printf("# no statements\n");
        return;
    }
    size_t shown = limit == 0 || limit > n ? n : limit;
    printf("\n# Profile (by %s)\n", order);
    int idw = (int)strlen(cls[0]->label);
    printf("# %4s  %-*s  %9s %6s  %7s  %8s  %8s  %8s  %6s  %s\n", "Rank", idw, "Class", "Time",
           "Share", "Calls", "Mean", "p95", "p99", "V/M", "Statement");
    for (size_t i = 0; i < shown; i++) {
        const struct hp_sql_class *k = cls[i];
        hp_format_count((double)k->calls, a, sizeof a);
        printf(
            "# %4zu  %-*s  %9s %5.1f%%  %7s  %8s  %8s  %8s  %6.2f  %.60s\n", i + 1, idw, k->label,
            dur(k->time_ns, b, sizeof b),
            total > 0 ? 100.0 * (double)k->time_ns / (double)total : 0.0, a,
            dur((int64_t)k->mean_ns, c, sizeof c), dur(hp_sql_class_percentile(k, 95), e, sizeof e),
            dur(hp_sql_class_percentile(k, 99), f, sizeof f), hp_sql_class_vm(k), k->fingerprint);
    }
    if (shown < n) {
        int64_t rest_time = 0, rest_calls = 0;
        for (size_t i = shown; i < n; i++) {
            rest_time += cls[i]->time_ns;
            rest_calls += cls[i]->calls;
        }
        hp_format_count((double)rest_calls, a, sizeof a);
        printf("# %4s  %-18s  %9s %5.1f%%  %7s  (%zu more classes)\n", "MISC", "",
               dur(rest_time, b, sizeof b),
               total > 0 ? 100.0 * (double)rest_time / (double)total : 0.0, a, n - shown);
    }
    for (size_t i = 0; i < shown; i++) {
        const struct hp_sql_class *k = cls[i];
        printf("\n# Class %zu: %s, %.1f%% of query time\n", i + 1, k->label,
               total > 0 ? 100.0 * (double)k->time_ns / (double)total : 0.0);
        hp_format_count((double)k->calls, a, sizeof a);
        printf("#   calls %s, time %s, mean %s, min %s, p50 %s, p95 %s, p99 %s, max %s, V/M %.2f\n",
               a, dur(k->time_ns, b, sizeof b), dur((int64_t)k->mean_ns, c, sizeof c),
               dur(k->min_ns, e, sizeof e), dur(hp_sql_class_percentile(k, 50), f, sizeof f),
               dur(hp_sql_class_percentile(k, 95), g, sizeof g),
               dur(hp_sql_class_percentile(k, 99), h, sizeof h), dur(k->max_ns, m, sizeof m),
               hp_sql_class_vm(k));
        if (k->lock_calls > 0)
            printf("#   lock time %s in all\n", dur(k->lock_ns, b, sizeof b));
        if (k->examined_calls > 0) {
            hp_format_count((double)k->rows_examined, a, sizeof a);
            hp_format_count((double)k->rows_sent, b, sizeof b);
            printf("#   rows examined %s, sent %s", a, b);
            if (k->rows_sent > 0) {
                hp_format_count((double)k->rows_examined / (double)k->rows_sent, c, sizeof c);
                printf(" (%sx)", c);
            }
            hp_format_count((double)k->rows_examined / (double)k->rows_calls, c, sizeof c);
            hp_format_count((double)k->rows_sent / (double)k->rows_calls, e, sizeof e);
            printf("; per call %s examined, %s sent\n", c, e);
        } else if (k->rows_calls > 0) {
            hp_format_count((double)k->rows_sent, b, sizeof b);
            hp_format_count((double)k->rows_sent / (double)k->rows_calls, e, sizeof e);
            printf("#   rows returned %s, %s per call\n", b, e);
        }
        if (k->first_ts_s >= 0) {
            date_of(k->first_ts_s, e, sizeof e);
            date_of(k->last_ts_s, f, sizeof f);
            printf("#   first seen %s, last seen %s\n", e, f);
        }
        int64_t origin, width;
        int nb;
        if (k->series && hp_sql_digest_series(d, &origin, &width, &nb) && nb > 1) {
            /* query time per bucket, as a sparkline: where in the log it hurt */
            static const char *const bars[] = {" ",      "\u2581", "\u2582", "\u2583", "\u2584",
                                               "\u2585", "\u2586", "\u2587", "\u2588"};
            int64_t top = 1;
            for (int j = 0; j < nb; j++)
                top = k->series[j].time_ns > top ? k->series[j].time_ns : top;
            if (width == 60)
                printf("#   time per minute: ");
            else
                printf("#   time per %s: ", dur(width * 1000000000, b, sizeof b));
            for (int j = 0; j < nb; j++)
                fputs(
                    bars[k->series[j].time_ns == 0 ? 0 : 1 + (int)(7 * k->series[j].time_ns / top)],
                    stdout);
            printf("\n");
        }
        char names[256];
        names_str(k->dbs, k->other_dbs, k->calls, names, sizeof names);
        printf("#   databases: %s\n", names);
        names_str(k->users, k->other_users, k->calls, names, sizeof names);
        printf("#   users: %s\n", names);
        struct hp_sql_hint hints[HP_SQL_MAX_HINTS];
        int nh = hp_sql_hints(k, hints, HP_SQL_MAX_HINTS);
        for (int j = 0; j < nh; j++)
            printf("#   hint (%s): %s\n", hints[j].kind, hints[j].evidence);
        if (xp && i < xp->n) {
            const struct hp_sql_explain *ex = &xp->ex[i];
            if (!ex->plan) {
                printf("#   explain: %s\n", ex->error);
            } else {
                printf("#   explain%s: total cost %.6g", ex->analyzed ? " analyze" : "",
                       ex->total_cost);
                if (isfinite(ex->actual_ms))
                    printf(", ran in %.3g ms", ex->actual_ms);
                if (ex->params)
                    printf(", %s", strcmp(ex->params, "logged") == 0
                                       ? "with the logged parameter values"
                                       : "the generic plan (no parameter values logged)");
                printf("%s\n", ex->nflags ? "" : "; nothing flagged");
                if (ex->note[0])
                    printf("#   explain note: %s\n", ex->note);
                for (int j = 0; j < ex->nflags; j++)
                    printf("#   plan (%s): %s\n", ex->flags[j].kind, ex->flags[j].evidence);
            }
        }
        printf("%s\n", k->fingerprint);
        printf("#   slowest (%s, database %s", dur(k->sample_ns, b, sizeof b),
               k->sample_db[0] ? k->sample_db : "(none)");
        if (k->sample_ts_s >= 0) {
            date_of(k->sample_ts_s, e, sizeof e);
            printf(", at %s", e);
        }
        printf("):\n%.*s\n", (int)k->sample_len, k->sample);
    }
}

static int write_json(const char *path, struct hp_sql_digest *d, struct hp_sql_class *const *cls,
                      size_t n, const struct hp_slowlog_stats *st, uint64_t bytes,
                      const char *const *files, const char *const *formats, int nfiles,
                      const char *order, const char *fp_text, const struct explained *xp,
                      const char *explain, int64_t wall0, int64_t t0, struct hp_err *err)
{
    struct hp_result *r = NULL;
    int rc = hp_result_new("sql", &r);
    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    hp_result_set_started(r, wall0);
    hp_result_set_duration(r, (double)(hp_now_ns() - t0) / 1e9);
    rc = hp_result_config_str(r, "command", "digest");
    rc = rc ? rc : hp_result_config_str(r, "format", formats[0]);
    rc = rc ? rc : hp_result_config_str(r, "fingerprint", fp_text);
    rc = rc ? rc : hp_result_config_bool(r, "keep_numbered_names",
                                                 hp_sql_digest_fp_flags(d) & HP_SQL_FP_KEEP_NUMBERED);
    if (explain) { /* config_str redacts the password, in a URI or a key=value string */
        rc = rc ? rc : hp_result_config_str(r, "explain", explain);
        rc = rc ? rc : hp_result_config_bool(r, "analyze", xp && xp->analyze);
    }
    rc = rc ? rc : hp_result_config_str(r, "order_by", order);
    if (st->oid_dbs || st->oid_users) /* what the names of databases or users are */
        rc = rc ? rc : hp_result_config_str(r, "names", st->oid_dbs && st->oid_users ? "oids"
                                                         : st->oid_dbs ? "database oids"
                                                                       : "user oids");
    json_t *logs = json_array(), *fmts = json_array();
    for (int i = 0; i < nfiles && logs && fmts; i++) {
        json_array_append_new(logs, json_string(files[i]));
        json_array_append_new(fmts, json_string(formats[i]));
    }
    json_t *config = json_object_get(hp_result_json(r), "config");
    if (!logs || json_object_set_new(config, "logs", logs))
        rc = -ENOMEM;
    if (!fmts || json_object_set_new(config, "formats", fmts))
        rc = -ENOMEM;
    rc = rc ? rc : hp_result_metric(r, "statements", (double)hp_sql_digest_calls(d), "count");
    rc = rc ? rc : hp_result_metric(r, "classes", (double)n, "count");
    rc = rc ? rc : hp_result_metric(r, "query_time_s", (double)hp_sql_digest_time_ns(d) / 1e9, "s");
    rc = rc ? rc : hp_result_metric(r, "bytes_read", (double)bytes, "bytes");
    rc = rc ? rc : hp_result_metric(r, "lines", (double)st->lines, "count");
    rc = rc ? rc : hp_result_metric(r, "unreadable", (double)st->bad, "count");
    int64_t origin, width;
    int nb;
    if (rc == 0 && hp_sql_digest_series(d, &origin, &width, &nb)) {
        char when[32];
        date_of(origin, when, sizeof when);
        rc = hp_result_config_str(r, "series_origin", when);
        rc = rc ? rc : hp_result_config_int(r, "series_bucket_s", width);
        for (size_t i = 0; i < n && i < SERIES_CLASSES && rc == 0; i++) {
            if (!cls[i]->series)
                continue;
            char calls[32], secs[32];
            snprintf(calls, sizeof calls, "top%zu_calls", i + 1);
            snprintf(secs, sizeof secs, "top%zu_query_time_s", i + 1);
            for (int j = 0; j < nb && rc == 0; j++) {
                double t = (double)(j * width);
                rc = hp_result_series_point(r, calls, "count", t, (double)cls[i]->series[j].calls);
                rc = rc ? rc
                        : hp_result_series_point(r, secs, "s", t,
                                                 (double)cls[i]->series[j].time_ns / 1e9);
            }
        }
    }
    json_t *arr = json_array();
    if (!arr || json_object_set_new(hp_result_json(r), "classes", arr))
        rc = rc ? rc : -ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct hp_sql_class *k = cls[i];
        char id[40], first[32], last[32];
        snprintf(id, sizeof id, "%s", k->label);
        date_of(k->first_ts_s, first, sizeof first);
        date_of(k->last_ts_s, last, sizeof last);
        json_t *dbs = json_object(), *users = json_object();
        for (int j = 0; j < HP_SQL_TOP_NAMES && dbs && users; j++) {
            if (k->dbs[j].calls)
                json_object_set_new(dbs, k->dbs[j].name, json_integer(k->dbs[j].calls));
            if (k->users[j].calls)
                json_object_set_new(users, k->users[j].name, json_integer(k->users[j].calls));
        }
        struct hp_hist *h = NULL;
        char *hist = NULL;
        if (hp_sql_class_hist(k, &h) == 0 && hp_hist_encode(h, &hist) < 0)
            hist = NULL;
        hp_hist_free(h);
        json_t *o = json_pack(
            "{s:s, s:I, s:s, s:I, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:I, "
            "s:I, s:s, s:s, s:o, s:o, s:s#, s:f, s:s, s:s?}",
            "id", id, "rank", (json_int_t)(i + 1), "fingerprint", k->fingerprint, "calls",
            (json_int_t)k->calls, "time_s", (double)k->time_ns / 1e9, "share",
            (double)k->time_ns / (double)(hp_sql_digest_time_ns(d) ? hp_sql_digest_time_ns(d) : 1),
            "mean_ns", k->mean_ns, "min_ns", (json_int_t)k->min_ns, "p50_ns",
            (json_int_t)hp_sql_class_percentile(k, 50), "p95_ns",
            (json_int_t)hp_sql_class_percentile(k, 95), "p99_ns",
            (json_int_t)hp_sql_class_percentile(k, 99), "max_ns", (json_int_t)k->max_ns, "lock_ns",
            (json_int_t)k->lock_ns, "variance_to_mean", hp_sql_class_vm(k),
            "rows_examined_per_sent",
            k->rows_sent > 0 ? (double)k->rows_examined / (double)k->rows_sent : 0.0,
            "rows_examined", (json_int_t)k->rows_examined, "rows_sent", (json_int_t)k->rows_sent,
            "first_seen", first, "last_seen", last, "databases", dbs ? dbs : json_null(), "users",
            users ? users : json_null(), "slowest_sample", k->sample ? k->sample : "",
            (size_t)k->sample_len, "slowest_s", (double)k->sample_ns / 1e9, "slowest_database",
            k->sample_db, "query_time_hdr", hist);
        hp_free(hist);
        if (o && k->aggregated > 0) { /* totals only: no percentiles to give */
            json_object_set_new(o, "p50_ns", json_null());
            json_object_set_new(o, "p95_ns", json_null());
            json_object_set_new(o, "p99_ns", json_null());
        }
        struct hp_sql_hint hints[HP_SQL_MAX_HINTS];
        int nh = hp_sql_hints(k, hints, HP_SQL_MAX_HINTS);
        json_t *hj = json_array();
        for (int j = 0; j < nh && hj; j++)
            json_array_append_new(
                hj, json_pack("{s:s, s:s}", "kind", hints[j].kind, "evidence", hints[j].evidence));
        if (o && (!hj || json_object_set_new(o, "hints", hj)))
            rc = -ENOMEM;
        if (o && xp && i < xp->n) {
            const struct hp_sql_explain *ex = &xp->ex[i];
            json_t *fl = json_array();
            for (int j = 0; j < ex->nflags && fl; j++)
                json_array_append_new(fl, json_pack("{s:s, s:s}", "kind", ex->flags[j].kind,
                                                    "evidence", ex->flags[j].evidence));
            json_t *e = json_pack("{s:b, s:O?, s:o?, s:s?, s:s?, s:s?}", "analyze", ex->analyzed,
                                  "plan", ex->plan, "flags", fl, "error",
                                  ex->plan ? NULL : ex->error, "note",
                                  ex->note[0] ? ex->note : NULL, "params", ex->params);
            if (e && ex->plan) {
                json_object_set_new(e, "total_cost", json_real(ex->total_cost));
                if (isfinite(ex->actual_ms))
                    json_object_set_new(e, "execution_ms", json_real(ex->actual_ms));
            }
            if (!e || json_object_set_new(o, "explain", e))
                rc = -ENOMEM;
        }
        if (!o || json_array_append_new(arr, o))
            rc = -ENOMEM;
    }
    if (rc == 0)
        rc = hp_result_write(r, path, err);
    else
        hp_err_set(err, rc, "out of memory");
    hp_result_free(r);
    return rc;
}

struct renaming {
    struct hp_sql_digest *d;
    bool dbs;
};

static void rename_one(void *ctx, const char *oid, const char *name)
{
    struct renaming *r = ctx;
    hp_sql_digest_rename(r->d, r->dbs, oid, name);
}

/* EXPLAIN the slowest statement of each of the first `top` classes; name
 * the databases and users a pg_stat_statements export gave as OIDs. */
static int run_explains(const char *conninfo, struct hp_sql_digest *d, struct hp_slowlog_stats *st,
                        struct hp_sql_class *const *cls, size_t n, size_t top, bool analyze,
                        struct explained *xp, struct hp_err *err)
{
    struct hp_sql_db *db = NULL;
    int rc = hp_sql_db_connect(conninfo, 10 * HP_NS_PER_S, &db, err);
    if (rc < 0)
        return rc;
    struct renaming dbs = {d, true}, users = {d, false};
    if (st->oid_dbs && hp_sql_db_names(db, true, rename_one, &dbs) == 0)
        st->oid_dbs = false;
    if (st->oid_users && hp_sql_db_names(db, false, rename_one, &users) == 0)
        st->oid_users = false;
    size_t want = n < top ? n : top;
    xp->ex = hp_calloc(want ? want : 1, sizeof *xp->ex);
    if (!xp->ex) {
        hp_sql_db_close(db);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < want && rc == 0; i++) {
        rc = hp_sql_explain(db, cls[i]->sample ? cls[i]->sample : "",
                            cls[i]->sample ? cls[i]->sample_len : 0, cls[i]->sample_params,
                            analyze, &xp->ex[i]);
        xp->n = i + 1;
        if (rc < 0)
            hp_err_set(err, rc, "--explain: the connection was lost at class %zu", i + 1);
    }
    hp_sql_db_close(db);
    return rc;
}

static int run_digest(const struct hp_cmd *cmd, struct cli_parser *p)
{
    const char *files[MAX_LOGS], *json = NULL, *order_text = "time", *v;
    const char *format_text = "auto", *prefix = NULL, *fp_text = "hotpath", *explain = NULL;
    int64_t explain_top = 5;
    bool analyze = false, keep_numbered = false;
    int nfiles = 0, id;
    int64_t limit = 10;
    while ((id = cli_next(p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (nfiles == MAX_LOGS)
                return cli_usage_error(cmd, "at most %d logs at once", MAX_LOGS);
            files[nfiles++] = v;
            break;
        case O_ORDER: order_text = v; break;
        case O_LIMIT:
            if (!cli_int(cmd, "limit", v, 0, 1000000000, &limit))
                return HP_EXIT_USAGE;
            break;
        case O_JSON: json = v; break;
        case O_FORMAT: format_text = v; break;
        case O_PREFIX: prefix = v; break;
        case O_FINGERPRINT: fp_text = v; break;
        case O_EXPLAIN: explain = v; break;
        case O_EXPLAIN_TOP:
            if (!cli_int(cmd, "explain-top", v, 1, 1000, &explain_top))
                return HP_EXIT_USAGE;
            break;
        case O_ANALYZE: analyze = true; break;
        case O_KEEP_NUMBERED: keep_numbered = true; break;
        }
    }
    int format = hp_sql_format_parse(format_text);
    if (format < 0)
        return cli_usage_error(
            cmd,
            "--format %s: expected auto, mysql-slow, postgresql, postgresql-csv or "
            "pg-stat-statements",
            format_text);
    if (strcmp(fp_text, "hotpath") != 0 && strcmp(fp_text, "pt") != 0)
        return cli_usage_error(cmd, "--fingerprint %s: expected hotpath or pt", fp_text);
    int order = hp_sql_order_parse(order_text);
    if (order < 0)
        return cli_usage_error(cmd,
                               "--order-by %s: expected time, calls, mean, p99 or "
                               "rows_examined",
                               order_text);
    if (nfiles == 0)
        return cli_usage_error(cmd, "a log is needed (a file, or - for stdin): hotpath sql "
                                    "digest slow.log");

    int64_t t0 = hp_now_ns(), wall0 = hp_wall_ns();
    struct run r = {0};
    struct hp_err err = {0};
    struct hp_slowlog_stats st = {0};
    uint64_t bytes = 0;
    int rc = hp_sql_digest_new(&r.digest);
    if (rc == 0 && strcmp(fp_text, "pt") == 0)
        hp_sql_digest_set_classes(r.digest, HP_SQL_CLASSES_PT);
    if (rc == 0 && keep_numbered)
        hp_sql_digest_set_fp_flags(r.digest, HP_SQL_FP_KEEP_NUMBERED);
    const char *formats[MAX_LOGS];
    for (int i = 0; i < nfiles && rc == 0; i++) {
        rc = hp_sql_reader_new((enum hp_sql_format)format, prefix, on_event, &r, &r.log, &err);
        if (rc < 0)
            break;
        uint64_t got = 0;
        rc = hp_lines_read(files[i], on_line, &r, &got, &err);
        if (rc == 0)
            rc = hp_sql_reader_finish(r.log);
        bytes += got;
        formats[i] = hp_sql_format_name(hp_sql_reader_format(r.log));
        const struct hp_slowlog_stats *s = hp_sql_reader_stats(r.log);
        for (int k = 0; k < HP_SQL_BAD_KEPT && k < s->bad; k++)
            if (st.bad + k < HP_SQL_BAD_KEPT) {
                st.first_bad[st.bad + k] = s->first_bad[k];
                if (nfiles > 1) { /* say which log */
                    char why[sizeof s->first_bad[0].why];
                    memcpy(why, s->first_bad[k].why, sizeof why);
                    snprintf(st.first_bad[st.bad + k].why, sizeof st.first_bad[0].why,
                             "%.40s: %.76s", files[i], why);
                }
            }
        st.lines += s->lines;
        st.events += s->events;
        st.bad += s->bad;
        st.truncated += s->truncated;
        st.oid_dbs |= s->oid_dbs;
        st.oid_users |= s->oid_users;
        hp_sql_reader_free(r.log);
        r.log = NULL;
    }
    /* Lines but no statement at all: not a slow log (random bytes, the wrong
     * file). An input error, named at the first line that could not be read. */
    if (rc == 0 && st.events == 0 && st.bad > 0)
        rc = hp_err_at(&err, HP_EPARSE, nfiles == 1 ? files[0] : "", (int)st.first_bad[0].line,
                       0, "no statement could be read (%s; %" PRId64 " such lines)",
                       st.first_bad[0].why, st.bad);
    if (rc < 0 && err.msg[0] == '\0')
        hp_err_set(&err, rc, "%s", rc == -ENOMEM ? "out of memory" : hp_strerror(rc));
    if (rc < 0) {
        hp_sql_digest_free(r.digest);
        int code = cli_fail(cmd, rc, &err);
        return code == HP_EXIT_OK ? HP_EXIT_FAIL : code;
    }
    struct hp_sql_class *const *cls;
    size_t n = hp_sql_digest_sorted(r.digest, (enum hp_sql_order)order, &cls);
    int code = HP_EXIT_OK;
    if (!cls) {
        hp_err_set(&err, -ENOMEM, "out of memory");
        code = cli_fail(cmd, -ENOMEM, &err);
    } else {
        struct explained xp = {.analyze = analyze};
        struct hp_err xerr = {0};
        int xrc = 0;
        if (explain)
            xrc = run_explains(explain, r.digest, &st, cls, n, (size_t)explain_top, analyze, &xp,
                               &xerr);
        print_report(r.digest, cls, n, (size_t)limit, &st, bytes, nfiles, formats, order_text,
                     xp.n ? &xp : NULL);
        fflush(stdout);
        if (json &&
            write_json(json, r.digest, cls, n, &st, bytes, files, formats, nfiles, order_text,
                       fp_text, xp.n ? &xp : NULL, explain, wall0, t0, &err) < 0)
            code = cli_fail(cmd, -EIO, &err);
        if (xrc < 0) /* the digest stands; the plans could not be had */
            code = cli_fail(cmd, xrc, &xerr);
        for (size_t i = 0; i < xp.n; i++)
            hp_sql_explain_fini(&xp.ex[i]);
        hp_free(xp.ex);
    }
    hp_sql_digest_free(r.digest);
    return code;
}

static int run_sql(const struct hp_cmd *cmd, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        cli_print_help(cmd, stdout);
        return HP_EXIT_OK;
    }
    if (argc < 2)
        return cli_usage_error(cmd, "a subcommand is needed: hotpath sql digest LOG...");
    if (strcmp(argv[1], "digest") != 0)
        return cli_usage_error(cmd, "unknown subcommand '%s' (expected digest)", argv[1]);
    struct cli_parser p;
    cli_init(&p, cmd, argc - 1, argv + 1);
    return run_digest(cmd, &p);
}

const struct hp_cmd hp_cmd_sql = {
    .name = "sql",
    .summary = "Digest slow-query logs: which statements cost the most time.",
    .usage = "sql digest [options] LOG...",
    .description =
        "Reads MySQL and MariaDB slow query logs (plain, gzip or zstd; - is stdin), groups "
        "the statements by fingerprint (literals become ?, IN and VALUES lists collapse, "
        "comments and spacing vanish, keywords fold to upper case, operators stay) and ranks "
        "the classes by the time they cost. Each class has its share of the total, calls, "
        "mean, p50/p95/p99 by nearest rank (exact for a class's first 256 statements, then "
        "within 0.1%: HdrHistogram, 3 significant digits), variance-to-mean, "
        "rows examined against rows sent, lock time, first and last seen, the databases and "
        "users it ran for, and its slowest statement with the literals in. Lines it cannot "
        "read are skipped, counted, and the first few named by line number; memory grows with "
        "the number of classes, not of statements.",
    .opts = sql_opts,
    .examples = "  hotpath sql digest /var/log/mysql/slow.log\n"
                "  hotpath sql digest --order-by p99 -n 20 slow.log.1.gz slow.log\n"
                "  zstdcat slow.log.zst | hotpath sql digest --json digest.json -\n"
                "  hotpath sql digest --explain postgresql://app@db/shop --analyze postgresql.log\n"
                "  psql -c \"\\\\copy (SELECT s.*, r.rolname AS usename, d.datname FROM "
                "pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid JOIN pg_database d ON "
                "d.oid = s.dbid) TO 'pgss.csv' CSV HEADER\"\n"
                "  hotpath sql digest pgss.csv\n",
    .run = run_sql,
};
