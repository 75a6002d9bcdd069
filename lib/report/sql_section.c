// SPDX-License-Identifier: MIT
/* report/sql_section.c - see sql_section.h. Reads the document's JSON as
 * `hotpath sql digest --json` writes it (docs/result-format.md). */
#include "report/sql_section.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/units.h"
#include "report/section_int.h"
#include "report/section.h"
#include "stat/hist.h"
#include "stat/hist_codec.h"

#define TABLE_ROWS 50     /* classes listed in the profile */
#define DETAIL_CLASSES 10 /* classes with their own section */
#define CHART_CLASSES 5   /* classes drawn over time and by percentile */

static json_t *get(const struct hp_report_input *in, const char *key)
{
    return json_object_get(hp_result_json(in->doc), key);
}

static int missing(const struct hp_report_input *in, struct hp_err *err, const char *what)
{
    return hp_err_at(err, HP_EFORMAT, in->name, 0, 0, "a sql result needs %s, which is missing",
                     what);
}

/* A duration in ns as the CLI prints it; "-" when absent, and plain
 * seconds when it is beyond what int64 nanoseconds hold. */
static const char *ns_text(double ns, char *buf, size_t size)
{
    if (!isfinite(ns))
        snprintf(buf, size, "-");
    else if (fabs(ns) < 9e18)
        hp_format_duration((int64_t)llround(ns), buf, size);
    else
        snprintf(buf, size, "%.3gs", ns / 1e9);
    return buf;
}

static const char *dur(json_t *v, char *buf, size_t size)
{
    return ns_text(json_is_number(v) ? json_number_value(v) : NAN, buf, size);
}

/* Every class needs these; a document without them is refused, not drawn. */
static int check(const struct hp_report_input *in, struct hp_err *err)
{
    static const char *const need[] = {"id",    "fingerprint", "calls", "time_s",
                                       "share", "mean_ns",     "max_ns"};
    json_t *classes = get(in, "classes");
    if (!json_is_array(classes))
        return missing(in, err, "classes");
    double v;
    if (!hp_result_get_metric(in->doc, "statements", &v, NULL))
        return missing(in, err, "metrics.statements");
    size_t i;
    json_t *c;
    json_array_foreach(classes, i, c)
    {
        for (size_t k = 0; k < sizeof need / sizeof need[0]; k++)
            if (!json_object_get(c, need[k])) {
                char what[64];
                snprintf(what, sizeof what, "classes[%zu].%s", i, need[k]);
                return missing(in, err, what);
            }
    }
    return 0;
}

static int facts(struct hp_rdoc *d, const struct hp_report_input *in)
{
    struct hp_rtable *t = hp_rdoc_kv_list(d);
    NEED(t);
    json_t *cfg = get(in, "config"), *logs = json_object_get(cfg, "logs");
    json_t *fmts = json_object_get(cfg, "formats");
    char buf[512], a[32], b[32];
    size_t len = 0, i;
    json_t *l;
    buf[0] = '\0';
    json_array_foreach(logs, i, l)
    {
        const char *f = json_string_value(json_array_get(fmts, i));
        if (len < sizeof buf)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s%s%s%s", i ? ", " : "",
                                    json_string_value(l) ? json_string_value(l) : "?",
                                    f ? " (" : "", f ? f : "", f ? ")" : "");
    }
    TRY(hp_rdoc_kv(t, "Logs", "%s", buf[0] ? buf : "-"));
    double st = 0, cl = 0, qt = 0, bad = 0;
    hp_result_get_metric(in->doc, "statements", &st, NULL);
    hp_result_get_metric(in->doc, "classes", &cl, NULL);
    hp_result_get_metric(in->doc, "query_time_s", &qt, NULL);
    hp_result_get_metric(in->doc, "unreadable", &bad, NULL);
    TRY(hp_rdoc_kv(t, "Statements", "%s in %s classes", hp_format_count(st, a, sizeof a),
                   hp_format_count(cl, b, sizeof b)));
    TRY(hp_rdoc_kv(t, "Query time", "%s in all", ns_text(qt * 1e9, a, sizeof a)));
    const char *order = json_string_value(json_object_get(cfg, "order_by"));
    TRY(hp_rdoc_kv(t, "Ranked by", "%s", order ? order : "time"));
    if (bad > 0)
        TRY(hp_rdoc_kv(t, "Unreadable", "%.0f lines or entries skipped", bad));
    return 0;
}

static int profile(struct hp_rdoc *d, json_t *classes)
{
    static const char *const hdr[] = {"Rank>",         "Class",     "Time>", "Share>",
                                      "Calls>",        "Mean>",     "p95>",  "p99>",
                                      "Rows ex/sent>", "Statement", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    size_t n = json_array_size(classes);
    for (size_t i = 0; i < n && i < TABLE_ROWS; i++) {
        json_t *c = json_array_get(classes, i);
        char rank[16], tm[32], share[16], calls[32], mean[32], p95[32], p99[32], rows[32];
        char stmt[96];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        ns_text(hp_report_num(c, "time_s") * 1e9, tm, sizeof tm);
        snprintf(share, sizeof share, "%.1f%%", 100 * hp_report_num(c, "share"));
        hp_format_count(hp_report_num(c, "calls"), calls, sizeof calls);
        dur(json_object_get(c, "mean_ns"), mean, sizeof mean);
        dur(json_object_get(c, "p95_ns"), p95, sizeof p95);
        dur(json_object_get(c, "p99_ns"), p99, sizeof p99);
        double ratio = hp_report_num(c, "rows_examined_per_sent");
        if (isfinite(ratio) && hp_report_num(c, "rows_examined") > 0)
            snprintf(rows, sizeof rows, "%.3g", ratio);
        else
            snprintf(rows, sizeof rows, "-");
        const char *fp = json_string_value(json_object_get(c, "fingerprint"));
        snprintf(stmt, sizeof stmt, "%.80s%s", fp ? fp : "", fp && strlen(fp) > 80 ? "..." : "");
        const char *cells[] = {rank,  json_string_value(json_object_get(c, "id")),
                               tm,    share,
                               calls, mean,
                               p95,   p99,
                               rows,  stmt};
        TRY(hp_rtable_row(
            t, json_array_size(json_object_get(c, "hints")) ? HP_MARK_NOTE : HP_MARK_NONE, cells));
    }
    if (n > TABLE_ROWS)
        TRY(hp_rdoc_para(d, HP_MARK_NOTE, "%zu more classes are in the result document.",
                         n - TABLE_ROWS));
    return 0;
}

/* Query time per bucket of the top classes, from series.topN_query_time_s. */
static int over_time(struct hp_rdoc *d, const struct hp_report_input *in)
{
    json_t *series = get(in, "series");
    if (!json_object_get(series, "top1_query_time_s"))
        return 0; /* a log without times */
    double width = 60;
    json_t *w = json_object_get(get(in, "config"), "series_bucket_s");
    if (json_is_number(w))
        width = json_number_value(w);
    const char *origin = json_string_value(json_object_get(get(in, "config"), "series_origin"));
    char title[128], xl[96];
    snprintf(title, sizeof title, "Query time per %s, top classes",
             width == 60 ? "minute" : "bucket");
    snprintf(xl, sizeof xl, "time since %s", origin ? origin : "the first statement");
    struct hp_chart *c = hp_rdoc_chart(d, "sql-time", title, xl, "s", "query time", "s");
    NEED(c);
    for (size_t i = 0; i < CHART_CLASSES; i++) {
        char key[32], name[64];
        snprintf(key, sizeof key, "top%zu_query_time_s", i + 1);
        json_t *pts = json_object_get(json_object_get(series, key), "points");
        if (!json_is_array(pts))
            continue;
        snprintf(name, sizeof name, "class %zu", i + 1); /* the table below says which */
        TRY(hp_report_add_series(c, name, pts, HP_DRAW_LINE, 1));
    }
    return 0;
}

/* The top classes' query times by percentile, from their histograms. */
static int spectra(struct hp_rdoc *d, const struct hp_report_input *in, json_t *classes,
                   struct hp_err *err)
{
    struct hp_chart *c = NULL;
    for (size_t i = 0; i < CHART_CLASSES && i < json_array_size(classes); i++) {
        json_t *k = json_array_get(classes, i);
        const char *enc = json_string_value(json_object_get(k, "query_time_hdr"));
        if (!enc)
            continue;
        struct hp_hist *h = NULL;
        struct hp_err why = {0};
        int rc = hp_hist_decode(enc, strlen(enc), &h, &why);
        if (rc < 0)
            return hp_err_at(err, rc, in->name, 0, 0, "classes[%zu].query_time_hdr: %s", i,
                             why.msg);
        if (!c) {
            c = hp_rdoc_chart(d, "sql-spectrum", "Query time by percentile, top classes",
                              "percentile", "pct", "query time", "ns");
            if (!c) {
                hp_hist_free(h);
                return -ENOMEM;
            }
            c->x_scale = HP_SCALE_NINES;
        }
        char name[64];
        snprintf(name, sizeof name, "class %zu", i + 1);
        rc = hp_report_add_spectrum(c, name, h, false);
        hp_hist_free(h);
        TRY(rc);
    }
    return 0;
}

static int names_line(char *buf, size_t size, json_t *obj, double calls)
{
    size_t len = 0;
    const char *key;
    json_t *v;
    buf[0] = '\0';
    json_object_foreach(obj, key, v)
    {
        if (len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s %.0f%%", len ? ", " : "",
                                    key[0] ? key : "(none)",
                                    100 * json_number_value(v) / (calls > 0 ? calls : 1));
    }
    return 0;
}

static int detail(struct hp_rdoc *d, json_t *c, size_t rank, int level)
{
    char h[96], a[32], b[32], e[32], f[32], g[32], m[32];
    snprintf(h, sizeof h, "Class %zu: %s", rank,
             json_string_value(json_object_get(c, "id")) ?: "?");
    TRY(hp_rdoc_heading(d, level, h));
    struct hp_rtable *t = hp_rdoc_kv_list(d);
    NEED(t);
    double calls = hp_report_num(c, "calls");
    ns_text(hp_report_num(c, "time_s") * 1e9, a, sizeof a);
    TRY(hp_rdoc_kv(t, "Share", "%.1f%% of query time (%s over %s calls)", 100 * hp_report_num(c, "share"), a,
                   hp_format_count(calls, b, sizeof b)));
    TRY(hp_rdoc_kv(t, "Query time", "mean %s, p50 %s, p95 %s, p99 %s, max %s",
                   dur(json_object_get(c, "mean_ns"), a, sizeof a),
                   dur(json_object_get(c, "p50_ns"), b, sizeof b),
                   dur(json_object_get(c, "p95_ns"), e, sizeof e),
                   dur(json_object_get(c, "p99_ns"), f, sizeof f),
                   dur(json_object_get(c, "max_ns"), g, sizeof g)));
    TRY(hp_rdoc_kv(t, "Variance to mean", "%.3g", hp_report_num(c, "variance_to_mean")));
    if (hp_report_num(c, "rows_examined") > 0)
        TRY(hp_rdoc_kv(t, "Rows", "%s examined, %s sent (%.3gx)",
                       hp_format_count(hp_report_num(c, "rows_examined"), a, sizeof a),
                       hp_format_count(hp_report_num(c, "rows_sent"), b, sizeof b),
                       hp_report_num(c, "rows_examined_per_sent")));
    const char *first = json_string_value(json_object_get(c, "first_seen"));
    const char *last = json_string_value(json_object_get(c, "last_seen"));
    if (first && strcmp(first, "-") != 0)
        TRY(hp_rdoc_kv(t, "Seen", "%s to %s", first, last ? last : "-"));
    char names[256];
    names_line(names, sizeof names, json_object_get(c, "databases"), calls);
    if (names[0])
        TRY(hp_rdoc_kv(t, "Databases", "%s", names));
    names_line(names, sizeof names, json_object_get(c, "users"), calls);
    if (names[0])
        TRY(hp_rdoc_kv(t, "Users", "%s", names));
    size_t i;
    json_t *hint;
    json_array_foreach(json_object_get(c, "hints"), i, hint)
    {
        TRY(hp_rdoc_para(d, HP_MARK_NOTE, "Hint (%s): %s",
                         json_string_value(json_object_get(hint, "kind")) ?: "?",
                         json_string_value(json_object_get(hint, "evidence")) ?: ""));
    }
    TRY(hp_rdoc_para(d, HP_MARK_CODE, "%s",
                     json_string_value(json_object_get(c, "fingerprint")) ?: ""));
    const char *sample = json_string_value(json_object_get(c, "slowest_sample"));
    if (sample && sample[0]) {
        TRY(hp_rdoc_para(d, HP_MARK_NONE, "The slowest (%s, database %s):",
                         dur(json_object_get(c, "max_ns"), m, sizeof m),
                         json_string_value(json_object_get(c, "slowest_database")) ?: "-"));
        TRY(hp_rdoc_para(d, HP_MARK_CODE, "%s", sample));
    }
    return 0;
}

int hp_report_sql_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                          struct hp_err *err)
{
    TRY(check(in, err));
    const char *s = strrchr(in->name, '/');
    char title[300];
    snprintf(title, sizeof title, "Query digest: %s", s ? s + 1 : in->name);
    TRY(hp_rdoc_heading(d, level, title));
    TRY(facts(d, in));
    json_t *classes = get(in, "classes");
    TRY(over_time(d, in));
    TRY(spectra(d, in, classes, err));
    TRY(hp_rdoc_heading(d, level + 1, "Classes"));
    TRY(profile(d, classes));
    for (size_t i = 0; i < DETAIL_CLASSES && i < json_array_size(classes); i++)
        TRY(detail(d, json_array_get(classes, i), i + 1, level + 1));
    return 0;
}
