// SPDX-License-Identifier: MIT
/* report/build.c - see build.h. */
#include "report/build.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "report/section_int.h"
#include "core/units.h"
#include "load/load_doc.h"
#include "model/usl.h"
#include "report/cache_section.h"
#include "report/guard_section.h"
#include "report/page_section.h"
#include "report/rca.h"
#include "report/use_section.h"
#include "report/sql_section.h"
#include "stat/hist.h"
#include "stat/hist_result.h"

#define MAX_DOCS 64
#define MAX_NAMES 256 /* per-request rows of one load result */


/* ---- reading documents ---------------------------------------------------- */

static json_t *section(const struct hp_report_input *in, const char *key)
{
    return json_object_get(hp_result_json(in->doc), key);
}

/* "run.json" from "dir/run.json". */
static const char *label(const struct hp_report_input *in)
{
    const char *s = strrchr(in->name, '/');
    return s ? s + 1 : in->name;
}

static const char *model_of(const struct hp_report_input *in)
{
    const char *m = hp_report_cfg_str(in, "model");
    return m ? m : "";
}

/* ---- formatting ----------------------------------------------------------- */

/* A table value in its unit: durations and rates as the CLI prints them,
 * counts exactly. */
static const char *fv(double v, const char *unit, char *buf, size_t size)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else if (strcmp(unit, "ns") == 0)
        hp_format_duration((int64_t)llround(v), buf, size);
    else if (strcmp(unit, "1/s") == 0)
        hp_format_rate(v, buf, size);
    else if (strcmp(unit, "bytes") == 0)
        hp_format_size((int64_t)llround(v), buf, size);
    else if (strcmp(unit, "ratio") == 0)
        snprintf(buf, size, "%.3g%%", v * 100);
    else if (strcmp(unit, "count") == 0 && fabs(v) < 1e15 && v == floor(v))
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.4g", v);
    return buf;
}

/* ---- shared pieces -------------------------------------------------------- */

/* "base{tags}" -> base and tags ("" without braces). */
static void split_key(const char *key, char *base, size_t bsize, char *tags, size_t tsize)
{
    const char *brace = strchr(key, '{');
    size_t n = brace ? (size_t)(brace - key) : strlen(key);
    snprintf(base, bsize, "%.*s", (int)n, key);
    if (brace) {
        const char *end = strrchr(brace, '}');
        size_t m = end ? (size_t)(end - brace - 1) : strlen(brace + 1);
        snprintf(tags, tsize, "%.*s", (int)m, brace + 1);
    } else {
        tags[0] = '\0';
    }
}

/* The value of tag key in "scenario:a,name:b" (into out), or false. */
static bool tag_value(const char *tags, const char *key, char *out, size_t size)
{
    size_t kl = strlen(key);
    for (const char *p = tags; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == ':') {
            snprintf(out, size, "%.*s", (int)(len - kl - 1), p + kl + 1);
            return true;
        }
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

/* Legend name of a tagged series: "browse p99" from tags "scenario:browse". */
static void tagged_name(const char *tags, const char *what, char *buf, size_t size)
{
    char sc[128], nm[128];
    bool has_sc = tag_value(tags, "scenario", sc, sizeof sc);
    bool has_nm = tag_value(tags, "name", nm, sizeof nm);
    if (has_sc && has_nm)
        snprintf(buf, size, "%s/%s %s", sc, nm, what);
    else if (has_sc || has_nm)
        snprintf(buf, size, "%s %s", has_sc ? sc : nm, what);
    else if (tags[0])
        snprintf(buf, size, "%s %s", tags, what);
    else
        snprintf(buf, size, "%s", what);
}

static int thresholds_table(struct hp_rdoc *d, const struct hp_report_input *in, bool with_run,
                            int *passed, int *total)
{
    json_t *th = section(in, "thresholds");
    size_t n = json_array_size(th);
    if (passed)
        *passed = 0;
    if (total)
        *total = (int)n;
    if (n == 0)
        return 0;
    static const char *const h1[] = {"Threshold", "Measured>", "Result", NULL};
    static const char *const h2[] = {"Run", "Threshold", "Measured>", "Result", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, with_run ? h2 : h1);
    NEED(t);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(th, i);
        const char *text = json_string_value(json_object_get(e, "threshold"));
        const char *unit = json_string_value(json_object_get(e, "unit"));
        json_t *val = json_object_get(e, "value");
        bool ok = json_is_true(json_object_get(e, "passed"));
        char buf[48];
        if (json_is_number(val))
            fv(json_number_value(val), unit ? unit : "", buf, sizeof buf);
        else
            snprintf(buf, sizeof buf, "no samples");
        if (passed)
            *passed += ok;
        const char *cells[4];
        int k = 0;
        if (with_run)
            cells[k++] = label(in);
        cells[k++] = text ? text : "?";
        cells[k++] = buf;
        cells[k++] = ok ? "✓ pass" : "✗ fail";
        TRY(hp_rtable_row(t, ok ? HP_MARK_PASS : HP_MARK_FAIL, cells));
    }
    return 0;
}

/* ---- load ----------------------------------------------------------------- */

struct load_view {
    const struct hp_report_input *in;
    struct hp_hist *lat, *unc;
    double duration_s;
};

static void load_close(struct load_view *v)
{
    hp_hist_free(v->lat);
    hp_hist_free(v->unc);
}

static int load_open(const struct hp_report_input *in, struct load_view *v, struct hp_err *err)
{
    memset(v, 0, sizeof(*v));
    v->in = in;
    double x;
    if (!hp_report_metric(in, HP_LOAD_REQUESTS, &x))
        return hp_report_missing(in, err, "metrics.requests");
    if (!hp_report_cfg_str(in, "url"))
        return hp_report_missing(in, err, "config.url");
    int rc = hp_result_get_histogram(in->doc, HP_LOAD_H_LATENCY, &v->lat, err);
    if (rc == -ENOENT)
        return hp_report_missing(in, err, "histograms.latency");
    if (rc < 0) {
        char why[HP_ERR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err ? err->msg : hp_strerror(rc));
        return hp_err_at(err, rc, in->name, 0, 0, "histograms.latency: %s", why);
    }
    rc = hp_result_get_histogram(in->doc, HP_LOAD_H_UNCORRECTED, &v->unc, NULL);
    if (rc < 0 && rc != -ENOENT) {
        hp_hist_free(v->lat);
        v->lat = NULL;
        return hp_err_at(err, rc, in->name, 0, 0, "histograms.latency_uncorrected: %s",
                         hp_strerror(rc));
    }
    json_t *dur = json_object_get(hp_result_json(in->doc), "duration_s");
    v->duration_s = json_is_number(dur) ? json_number_value(dur) : 0;
    const char *key;
    json_t *val;
    bool series = false;
    json_object_foreach(section(in, "series"), key, val) series |=
        strncmp(key, HP_LOAD_REQUESTS_PER_S, 14) == 0 && (key[14] == '\0' || key[14] == '{');
    if (!series) {
        load_close(v);
        memset(v, 0, sizeof(*v));
        return hp_report_missing(in, err, "series.requests_per_s (per second of the run)");
    }
    return 0;
}

/* "open model at 2.00k/s (Poisson arrivals)", "closed model, 64 connections",
 * "2 scenarios from mix.yaml". */
static void load_model_text(const struct hp_report_input *in, char *buf, size_t size)
{
    json_t *scs = json_object_get(section(in, "config"), HP_LOAD_C_SCENARIOS);
    double rate, conns;
    char r[32];
    if (json_is_array(scs))
        snprintf(buf, size, "%zu scenario%s from %s", json_array_size(scs),
                 json_array_size(scs) == 1 ? "" : "s",
                 hp_report_cfg_str(in, HP_LOAD_C_SCENARIO_FILE) ? hp_report_cfg_str(in, HP_LOAD_C_SCENARIO_FILE)
                                                      : "a scenario file");
    else if (strcmp(model_of(in), "open") == 0 && hp_report_cfg_num(in, HP_LOAD_C_RATE, &rate))
        snprintf(buf, size, "open model at %s (%s arrivals)%s", hp_format_rate(rate, r, sizeof r),
                 hp_report_cfg_str(in, HP_LOAD_C_ARRIVAL) ? hp_report_cfg_str(in, HP_LOAD_C_ARRIVAL) : "constant",
                 hp_report_cfg_str(in, HP_LOAD_C_STAGES) ? ", in stages" : "");
    else if (hp_report_cfg_num(in, "connections", &conns))
        snprintf(buf, size, "closed model, %.0f connections", conns);
    else
        snprintf(buf, size, "%s", model_of(in));
}

static int load_figures(struct hp_rdoc *d, const struct load_view *v)
{
    const struct hp_report_input *in = v->in;
    char a[48], b[48], c[48], e[48];
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    double req = hp_report_metric_or(in, HP_LOAD_REQUESTS, 0), rps = hp_report_metric_or(in, HP_LOAD_REQUESTS_PER_S, NAN);
    if (!isfinite(rps) && v->duration_s > 0)
        rps = req / v->duration_s;
    TRY(hp_rdoc_kv(kv, "Requests", "%s answered, %s", fv(req, "count", a, sizeof a),
                   fv(rps, "1/s", b, sizeof b)));
    double errs = hp_report_metric_or(in, HP_LOAD_ERRORS, 0), sent = hp_report_metric_or(in, HP_LOAD_SENT, req);
    TRY(hp_rdoc_kv(kv, "Errors", "%s (%s of %s sent)", fv(errs, "count", a, sizeof a),
                   fv(sent > 0 ? errs / sent : 0, "ratio", b, sizeof b),
                   fv(sent, "count", c, sizeof c)));
    double br;
    if (hp_report_metric(in, HP_LOAD_BYTES_READ, &br))
        TRY(hp_rdoc_kv(kv, "Transfer", "%s read, %s/s", fv(br, "bytes", a, sizeof a),
                       fv(v->duration_s > 0 ? br / v->duration_s : 0, "bytes", b, sizeof b)));
    TRY(hp_rdoc_kv(kv, "Latency", "p50 %s, p99 %s, p99.9 %s, max %s (from the %s)",
                   fv((double)hp_hist_value_at_percentile(v->lat, 50), "ns", a, sizeof a),
                   fv((double)hp_hist_value_at_percentile(v->lat, 99), "ns", b, sizeof b),
                   fv((double)hp_hist_value_at_percentile(v->lat, 99.9), "ns", c, sizeof c),
                   fv((double)hp_hist_max(v->lat), "ns", e, sizeof e),
                   strcmp(model_of(in), "open") == 0 ? "schedule" : "send"));
    double target, srate;
    if (hp_report_metric(in, HP_LOAD_TARGET_RATE, &target) && hp_report_metric(in, HP_LOAD_SENT_RATE, &srate)) {
        TRY(hp_rdoc_kv(kv, "Rate", "target %s, sent %s (%s of target)",
                       fv(target, "1/s", a, sizeof a), fv(srate, "1/s", b, sizeof b),
                       fv(target > 0 ? srate / target : 0, "ratio", c, sizeof c)));
        TRY(hp_rdoc_kv(kv, "Late, never sent", "%s late (all connections busy), %s never sent",
                       fv(hp_report_metric_or(in, HP_LOAD_LATE, 0), "count", a, sizeof a),
                       fv(hp_report_metric_or(in, HP_LOAD_UNSENT, 0), "count", b, sizeof b)));
        double lag;
        if (hp_report_metric(in, HP_LOAD_LAG_P99, &lag))
            TRY(hp_rdoc_kv(kv, "Scheduler lag p99", "%s%s", fv(lag, "ns", a, sizeof a),
                           lag > 1e6 ? " (over 1ms: the generator was saturated)" : ""));
    }
    double cp, cf;
    if (hp_report_metric(in, HP_LOAD_CHECKS_PASSED, &cp) && hp_report_metric(in, HP_LOAD_CHECKS_FAILED, &cf) && cp + cf > 0)
        TRY(hp_rdoc_kv(kv, "Checks", "%s passed of %s (%s)", fv(cp, "count", a, sizeof a),
                       fv(cp + cf, "count", b, sizeof b),
                       fv(cp / (cp + cf), "ratio", c, sizeof c)));
    return 0;
}

/* Series of the document whose base name is one of bases[] (NULL-ended),
 * with legend names[] for each, into c. */
static int add_series_by_base(struct hp_chart *c, const struct hp_report_input *in,
                              const char *const *bases, const char *const *names)
{
    json_t *series = section(in, "series");
    const char *key;
    json_t *val;
    /* One scenario: its series are the run's, written twice; draw them once. */
    bool one = json_array_size(json_object_get(section(in, "config"), HP_LOAD_C_SCENARIOS)) == 1;
    for (int k = 0; bases[k]; k++)
        json_object_foreach(series, key, val) {
            char base[96], tags[256], name[400];
            split_key(key, base, sizeof base, tags, sizeof tags);
            if (strcmp(base, bases[k]) != 0 || !json_is_array(json_object_get(val, "points")))
                continue;
            if (one && tags[0] && json_object_get(series, base))
                continue;
            tagged_name(tags, names[k], name, sizeof name);
            /* per second: each value over its interval, the last one short */
            TRY(hp_report_add_series(c, name, json_object_get(val, "points"), HP_DRAW_STEP, 1));
        }
    return 0;
}

static int load_charts(struct hp_rdoc *d, const struct load_view *v)
{
    const struct hp_report_input *in = v->in;
    static const char *const rb[] = {HP_LOAD_REQUESTS_PER_S, HP_LOAD_ERRORS_PER_S, NULL};
    static const char *const rn[] = {"requests/s", "errors/s", NULL};
    struct hp_chart *c = hp_rdoc_chart(d, "throughput", "Requests and errors per second",
                                       "time since start", "s", "per second", "1/s");
    NEED(c);
    TRY(add_series_by_base(c, in, rb, rn));
    static const char *const lb[] = {HP_LOAD_P50, HP_LOAD_P90, HP_LOAD_P99,
                                     HP_LOAD_MAX, NULL};
    static const char *const ln[] = {"p50", "p90", "p99", "max", NULL};
    c = hp_rdoc_chart(d, "latency", "Latency percentiles per second", "time since start", "s",
                      "latency", "ns");
    NEED(c);
    TRY(add_series_by_base(c, in, lb, ln));

    c = hp_rdoc_chart(d, "spectrum", "Latency by percentile", "percentile", "pct", "latency", "ns");
    NEED(c);
    c->x_scale = HP_SCALE_NINES;
    bool open = strcmp(model_of(in), "open") == 0;
    TRY(hp_report_add_spectrum(c, open ? "corrected (from the schedule)" : "latency", v->lat, false));
    if (v->unc && open)
        TRY(hp_report_add_spectrum(c, "uncorrected (from the send)", v->unc, true));
    else if (v->unc)
        TRY(hp_report_add_spectrum(c, "uncorrected (same: closed model)", v->unc, true));

    static const char *const ph[] = {"Percentile", "Corrected>", "Uncorrected>", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, ph);
    NEED(t);
    static const double pcts[] = {50, 75, 90, 99, 99.9, 99.99, 99.999, 100};
    for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
        char p[16], a[32], b[32];
        snprintf(p, sizeof p, i + 1 == sizeof(pcts) / sizeof(pcts[0]) ? "max" : "%g%%", pcts[i]);
        fv((double)hp_hist_value_at_percentile(v->lat, pcts[i]), "ns", a, sizeof a);
        if (v->unc)
            fv((double)hp_hist_value_at_percentile(v->unc, pcts[i]), "ns", b, sizeof b);
        else
            snprintf(b, sizeof b, "-");
        const char *cells[] = {p, a, b};
        TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
    }
    return 0;
}

/* Where each request's time went (k6's http_req_* phases), when the
 * document has them: their spectra in one chart, and a table. */
static int load_phases(struct hp_rdoc *d, const struct load_view *v)
{
    struct hp_hist *h[HP_PHASE_COUNT] = {0};
    int have = 0, rc = 0;
    for (int i = 0; i < HP_PHASE_COUNT; i++)
        have += hp_result_get_histogram(v->in->doc, hp_load_phase_name((enum hp_load_phase)i),
                                        &h[i], NULL) == 0;
    if (have == 0)
        return 0;
    struct hp_chart *c = hp_rdoc_chart(d, "phases", "Where the time went, by percentile",
                                       "percentile", "pct", "time", "ns");
    static const char *const hdr[] = {"Phase", "Avg>", "p50>", "p90>", "p99>", "Max>", NULL};
    struct hp_rtable *t = c ? hp_rdoc_table(d, hdr) : NULL;
    if (!c || !t) {
        rc = -ENOMEM;
        goto out;
    }
    c->x_scale = HP_SCALE_NINES;
    for (int i = 0; i < HP_PHASE_COUNT && rc == 0; i++) {
        if (!h[i] || h[i]->total_count == 0)
            continue;
        const char *name = hp_load_phase_name((enum hp_load_phase)i);
        if ((rc = hp_report_add_spectrum(c, name + 9, h[i], false)) < 0) /* after "http_req_" */
            break;
        char a[32], b[32], e[32], f[32], g[32];
        const char *cells[] = {name, fv(hp_hist_mean(h[i]), "ns", a, sizeof a),
                               fv((double)hp_hist_value_at_percentile(h[i], 50), "ns", b, sizeof b),
                               fv((double)hp_hist_value_at_percentile(h[i], 90), "ns", e, sizeof e),
                               fv((double)hp_hist_value_at_percentile(h[i], 99), "ns", f, sizeof f),
                               fv((double)hp_hist_max(h[i]), "ns", g, sizeof g)};
        rc = hp_rtable_row(t, HP_MARK_NONE, cells);
    }
out:
    for (int i = 0; i < HP_PHASE_COUNT; i++)
        hp_hist_free(h[i]);
    return rc;
}

/* One row of the per-request table from metrics with `tags` ("" = all). */
static int request_row(struct hp_rtable *t, const struct load_view *v, const char *tags,
                       const char *scenario, const char *name, struct hp_err *err)
{
    const struct hp_report_input *in = v->in;
    char key[400], cnt[32], rate[32], p50[32], p95[32], p99[32], max[32], errs[32], checks[48];
#define TAGGED(base) (snprintf(key, sizeof key, tags[0] ? "%s{%s}" : "%s", base, tags), key)
    double req = hp_report_metric_or(in, TAGGED(HP_LOAD_REQUESTS), 0);
    double rps =
        hp_report_metric_or(in, TAGGED(HP_LOAD_REQUESTS_PER_S), v->duration_s > 0 ? req / v->duration_s : 0);
    struct hp_hist *h = NULL;
    if (tags[0]) {
        struct hp_err why = {0};
        int rc = hp_result_get_histogram(in->doc, TAGGED(HP_LOAD_H_LATENCY), &h, &why);
        if (rc < 0 && rc != -ENOENT)
            return hp_err_at(err, rc, in->name, 0, 0, "histograms.%s: %s", key, why.msg);
    }
    const struct hp_hist *lh = tags[0] ? h : v->lat;
    if (lh) {
        fv((double)hp_hist_value_at_percentile(lh, 50), "ns", p50, sizeof p50);
        fv((double)hp_hist_value_at_percentile(lh, 95), "ns", p95, sizeof p95);
        fv((double)hp_hist_value_at_percentile(lh, 99), "ns", p99, sizeof p99);
        fv((double)hp_hist_max(lh), "ns", max, sizeof max);
    } else {
        fv(hp_report_metric_or(in, TAGGED(HP_LOAD_P50), NAN), "ns", p50, sizeof p50);
        fv(hp_report_metric_or(in, TAGGED(HP_LOAD_P95), NAN), "ns", p95, sizeof p95);
        fv(hp_report_metric_or(in, TAGGED(HP_LOAD_P99), NAN), "ns", p99, sizeof p99);
        fv(hp_report_metric_or(in, TAGGED(HP_LOAD_MAX), NAN), "ns", max, sizeof max);
    }
    hp_hist_free(h);
    double e = hp_report_metric_or(in, TAGGED(HP_LOAD_ERRORS), 0);
    double cp = hp_report_metric_or(in, TAGGED(HP_LOAD_CHECKS_PASSED), 0),
           cf = hp_report_metric_or(in, TAGGED(HP_LOAD_CHECKS_FAILED), 0);
#undef TAGGED
    if (cp + cf > 0)
        snprintf(checks, sizeof checks, "%.0f/%.0f passed", cp, cp + cf);
    else
        snprintf(checks, sizeof checks, "-");
    const char *cells[] = {name, scenario, fv(req, "count", cnt, sizeof cnt),
                           fv(rps, "1/s", rate, sizeof rate), p50, p95, p99, max,
                           fv(e, "count", errs, sizeof errs), checks};
    return hp_rtable_row(t, e > 0 || cf > 0 ? HP_MARK_FAIL : HP_MARK_NONE, cells);
}

static int load_requests(struct hp_rdoc *d, const struct load_view *v, struct hp_err *err)
{
    static const char *const hdr[] = {"Request", "Scenario", "Count>", "Rate>", "p50>", "p95>",
                                      "p99>", "Max>", "Errors>", "Checks>", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    const char *key;
    json_t *val;
    int rows = 0;
    json_object_foreach(section(v->in, "metrics"), key, val) {
        char base[96], tags[256], sc[128], nm[128];
        split_key(key, base, sizeof base, tags, sizeof tags);
        if (strcmp(base, HP_LOAD_REQUESTS) != 0 || !tag_value(tags, "name", nm, sizeof nm))
            continue;
        if (!tag_value(tags, "scenario", sc, sizeof sc))
            snprintf(sc, sizeof sc, "-");
        if (rows++ == MAX_NAMES)
            break;
        TRY(request_row(t, v, tags, sc, nm, err));
    }
    return request_row(t, v, "", "-", rows ? "all requests" : hp_report_cfg_str(v->in, "url"), err);
}

static int load_errors(struct hp_rdoc *d, const struct load_view *v)
{
    const struct hp_report_input *in = v->in;
    double total = hp_report_metric_or(in, HP_LOAD_ERRORS, 0);
    if (total <= 0)
        return 0;
    double sent = hp_report_metric_or(in, HP_LOAD_SENT, 0);
    static const char *const hdr[] = {"Error", "Count>", "Share of sent>", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    const char *key;
    json_t *val;
    json_object_foreach(section(in, "metrics"), key, val) {
        if (strncmp(key, "errors_", 7) != 0 || strchr(key, '{'))
            continue;
        double n = json_number_value(json_object_get(val, "value"));
        if (!(n > 0))
            continue;
        char a[32], b[32];
        const char *cells[] = {key + 7, fv(n, "count", a, sizeof a),
                               sent > 0 ? fv(n / sent, "ratio", b, sizeof b) : "-"};
        TRY(hp_rtable_row(t, HP_MARK_FAIL, cells));
    }
    return 0;
}

static int verdict_para(struct hp_rdoc *d, int passed, int total, const char *what)
{
    if (total == 0)
        return 0;
    if (passed == total)
        return hp_rdoc_para(d, HP_MARK_PASS, "✓ %s: all %d threshold%s passed", what, total,
                            total == 1 ? "" : "s");
    return hp_rdoc_para(d, HP_MARK_FAIL, "✗ %s: %d of %d threshold%s failed", what,
                        total - passed, total, total == 1 ? "" : "s");
}

static int count_thresholds(const struct hp_report_input *in, int *passed, int *total)
{
    json_t *th = section(in, "thresholds");
    *total = (int)json_array_size(th);
    *passed = 0;
    for (int i = 0; i < *total; i++)
        *passed += json_is_true(json_object_get(json_array_get(th, (size_t)i), "passed"));
    return *total;
}

static int load_settings(struct hp_rdoc *d, const struct hp_report_input *in)
{
    char m[400], a[48];
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    TRY(hp_rdoc_kv(kv, "Target", "%s %s", hp_report_cfg_str(in, "method") ? hp_report_cfg_str(in, "method") : "",
                   hp_report_cfg_str(in, "url")));
    load_model_text(in, m, sizeof m);
    TRY(hp_rdoc_kv(kv, "Load", "%s", m));
    const char *proto = hp_report_cfg_str(in, "protocol");
    double streams;
    if (proto && strcmp(proto, "http/1.1") != 0 && hp_report_cfg_num(in, "max_concurrent_streams", &streams))
        TRY(hp_rdoc_kv(kv, "Protocol", "%s, %.0f stream%s per connection",
                       strcmp(proto, "h2c") == 0         ? "HTTP/2 over plain TCP (h2c)"
                       : strcmp(proto, "h2-prefer") == 0 ? "HTTP/2 where agreed, else HTTP/1.1"
                                                         : "HTTP/2 over TLS (h2)",
                       streams, streams == 1 ? "" : "s"));
    double x;
    json_t *dur = json_object_get(hp_result_json(in->doc), "duration_s");
    if (json_is_number(dur))
        TRY(hp_rdoc_kv(kv, "Duration", "%s", fv(json_number_value(dur) * 1e9, "ns", a, sizeof a)));
    if (hp_report_cfg_num(in, "threads", &x))
        TRY(hp_rdoc_kv(kv, "Threads", "%.0f", x));
    json_t *st = json_object_get(hp_result_json(in->doc), "started_at");
    if (json_is_string(st))
        TRY(hp_rdoc_kv(kv, "Started", "%s", json_string_value(st)));
    return 0;
}

static int load_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                        bool thresholds, struct hp_err *err)
{
    struct load_view v;
    int rc = load_open(in, &v, err);
    if (rc < 0)
        return rc;
    char title[300];
    snprintf(title, sizeof title, "Load test: %s", label(in));
    int passed, total;
    count_thresholds(in, &passed, &total);
    if ((rc = hp_rdoc_heading(d, level, title)) < 0 || (rc = load_settings(d, in)) < 0 ||
        (rc = verdict_para(d, passed, total, "Thresholds")) < 0 ||
        (rc = load_figures(d, &v)) < 0 || (rc = load_charts(d, &v)) < 0 ||
        (rc = load_phases(d, &v)) < 0 || (rc = hp_report_page_probe(d, in, level + 1)) < 0 ||
        (rc = hp_report_use_charts(d, in, level + 1)) < 0 ||
        (rc = hp_rdoc_heading(d, level + 1, "Requests")) < 0 || (rc = load_requests(d, &v, err)) < 0 ||
        (rc = load_errors(d, &v)) < 0)
        goto out;
    if (thresholds && total > 0) {
        if ((rc = hp_rdoc_heading(d, level + 1, "Thresholds")) < 0 ||
            (rc = thresholds_table(d, in, false, NULL, NULL)) < 0)
            goto out;
    }
out:
    load_close(&v);
    return rc;
}

/* ---- sweep ---------------------------------------------------------------- */

static int sweep_check(const struct hp_report_input *in, struct hp_err *err)
{
    json_t *x = hp_report_points(in, "throughput_per_s");
    if (!x || json_array_size(x) == 0)
        return hp_report_missing(in, err, "series.throughput_per_s (the measured levels)");
    return 0;
}

static bool sweep_usl(const struct hp_report_input *in, struct hp_usl *u)
{
    memset(u, 0, sizeof(*u));
    return hp_report_metric(in, "usl_sigma", &u->sigma) && hp_report_metric(in, "usl_kappa", &u->kappa) &&
           hp_report_metric(in, "usl_lambda", &u->lambda) && u->lambda > 0;
}

static double max_x(json_t *pts)
{
    double m = 1, t, v;
    for (size_t i = 0; i < json_array_size(pts); i++)
        if (hp_report_point(pts, i, &t, &v) && t > m)
            m = t;
    return m;
}

static int sweep_section(struct hp_rdoc *d, const struct hp_report_input *in, int heading,
                         struct hp_err *err)
{
    TRY(sweep_check(in, err));
    char title[300], a[48], b[48], c2[48];
    if (heading) {
        snprintf(title, sizeof title, "Sweep: %s", label(in));
        TRY(hp_rdoc_heading(d, heading, title));
    }
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    if (hp_report_cfg_str(in, "url"))
        TRY(hp_rdoc_kv(kv, "Target", "%s %s", hp_report_cfg_str(in, "method") ? hp_report_cfg_str(in, "method") : "GET",
                       hp_report_cfg_str(in, "url")));
    double wu, ms, slo = NAN;
    if (hp_report_cfg_num(in, "warmup_ns", &wu) && hp_report_cfg_num(in, "measure_ns", &ms))
        TRY(hp_rdoc_kv(kv, "Each level", "%s warm-up, %s measured", fv(wu, "ns", a, sizeof a),
                       fv(ms, "ns", b, sizeof b)));
    if (hp_report_cfg_num(in, "slo_p99_ns", &slo) && slo > 0)
        TRY(hp_rdoc_kv(kv, "Objective", "p99 under %s", fv(slo, "ns", a, sizeof a)));
    else
        slo = NAN;
    if (hp_report_cfg_str(in, "stopped"))
        TRY(hp_rdoc_kv(kv, "Stopped", "%s", hp_report_cfg_str(in, "stopped")));
    struct hp_usl u;
    bool fit = sweep_usl(in, &u), refit = false;
    double pn, px, kn, kx;
    bool peak = hp_report_metric(in, "peak_concurrency", &pn) && hp_report_metric(in, "peak_throughput_per_s", &px);
    if (!fit) {
        /* A sweep written without its fit (by hand, or another tool): fit it here. */
        json_t *pts = hp_report_points(in, "throughput_per_s");
        size_t np = json_array_size(pts), k = 0;
        double *nn = hp_calloc(np ? np : 1, sizeof(double)), *xx = hp_calloc(np ? np : 1, sizeof(double));
        if (!nn || !xx) {
            hp_free(nn);
            hp_free(xx);
            return -ENOMEM;
        }
        for (size_t i = 0; i < np; i++)
            if (hp_report_point(pts, i, &nn[k], &xx[k]))
                k++;
        refit = fit = hp_usl_fit(nn, xx, k, &u, NULL) == 0;
        hp_free(nn);
        hp_free(xx);
        if (fit)
            peak = hp_usl_peak(&u, &pn, &px) && pn < 1e6;
    }
    if (fit)
        TRY(hp_rdoc_kv(kv, "USL fit", "sigma %.4g (contention), kappa %.4g (coherency), "
                                      "lambda %s (one connection), R^2 %.4f%s",
                       u.sigma, u.kappa, fv(u.lambda, "1/s", a, sizeof a),
                       refit ? u.r_squared : hp_report_metric_or(in, "usl_r_squared", NAN),
                       refit ? " (fitted by report: the document had no fit)" : ""));
    bool knee = hp_report_metric(in, "knee_concurrency", &kn) && hp_report_metric(in, "knee_throughput_per_s", &kx);
    if (peak)
        TRY(hp_rdoc_kv(kv, "Peak", "%s at %.1f connections (from the fit)",
                       fv(px, "1/s", a, sizeof a), pn));
    else if (fit)
        TRY(hp_rdoc_kv(kv, "Peak", "none: the fit keeps rising (kappa 0)"));
    if (knee)
        TRY(hp_rdoc_kv(kv, "Knee", "%s at %.0f connections: the most throughput with p99 under %s",
                       fv(kx, "1/s", a, sizeof a), kn, fv(slo, "ns", c2, sizeof c2)));
    else if (isfinite(slo))
        TRY(hp_rdoc_kv(kv, "Knee", "none: no level met the objective"));

    json_t *xs = hp_report_points(in, "throughput_per_s");
    double nmax = max_x(xs);
    struct hp_chart *c = hp_rdoc_chart(d, "usl", "Throughput by concurrency", "connections",
                                       "count", "throughput", "1/s");
    NEED(c);
    TRY(hp_report_add_series(c, "measured", xs, HP_DRAW_POINTS, 1));
    if (fit)
        TRY(hp_report_usl_curve(c, "USL fit", &u, fmax(nmax * 1.15, peak && pn < nmax * 2 ? pn * 1.1 : 0)));
    if (knee) {
        snprintf(title, sizeof title, "knee %.0f", kn);
        TRY(hp_chart_rule(c, title, kn, true));
    }
    if (peak && pn <= nmax * 2) {
        snprintf(title, sizeof title, "peak %.1f", pn);
        TRY(hp_chart_rule(c, title, pn, true));
    }
    if (hp_report_points(in, "latency_p50_ns") || hp_report_points(in, "latency_p99_ns")) {
        c = hp_rdoc_chart(d, "sweep-latency", "Latency by concurrency", "connections", "count",
                          "latency", "ns");
        NEED(c);
        if (hp_report_points(in, "latency_p50_ns"))
            TRY(hp_report_add_series(c, "p50", hp_report_points(in, "latency_p50_ns"), HP_DRAW_BOTH, 1));
        if (hp_report_points(in, "latency_p99_ns"))
            TRY(hp_report_add_series(c, "p99", hp_report_points(in, "latency_p99_ns"), HP_DRAW_BOTH, 1));
        if (isfinite(slo)) {
            snprintf(title, sizeof title, "objective p99 %s", fv(slo, "ns", a, sizeof a));
            TRY(hp_chart_rule(c, title, slo, false));
        }
    }

    TRY(hp_report_page_by_level(d, in, heading > 0 ? heading + 1 : 3));

    static const char *const hdr[] = {"Connections>", "Throughput>", "p50>", "p99>", "Errors>",
                                      "Objective", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    json_t *p50s = hp_report_points(in, "latency_p50_ns"), *p99s = hp_report_points(in, "latency_p99_ns"),
           *ers = hp_report_points(in, "error_ratio");
    for (size_t i = 0; i < json_array_size(xs); i++) {
        double n, x, t50 = NAN, v50 = NAN, t99, v99 = NAN, te, ve = NAN;
        if (!hp_report_point(xs, i, &n, &x))
            continue;
        hp_report_point(p50s, i, &t50, &v50);
        hp_report_point(p99s, i, &t99, &v99);
        hp_report_point(ers, i, &te, &ve);
        char cn[32], cx[32], c50[32], c99[32], ce[32];
        snprintf(cn, sizeof cn, "%.4g", n);
        bool ok = !isfinite(slo) || (isfinite(v99) && v99 <= slo);
        const char *cells[] = {cn, fv(x, "1/s", cx, sizeof cx), fv(v50, "ns", c50, sizeof c50),
                               fv(v99, "ns", c99, sizeof c99), fv(ve, "ratio", ce, sizeof ce),
                               !isfinite(slo) ? "-" : ok ? "✓ met" : "✗ missed"};
        TRY(hp_rtable_row(t, !isfinite(slo) ? HP_MARK_NONE : ok ? HP_MARK_PASS : HP_MARK_FAIL,
                          cells));
    }
    return 0;
}

/* ---- model: plan, usl, queue ---------------------------------------------- */

static int plan_check(const struct hp_report_input *in, struct hp_err *err)
{
    double x;
    if (!hp_report_points(in, "instances") || json_array_size(hp_report_points(in, "instances")) == 0)
        return hp_report_missing(in, err, "series.instances");
    if (!hp_report_points(in, "peak_load_per_s"))
        return hp_report_missing(in, err, "series.peak_load_per_s");
    if (!hp_report_cfg_num(in, "capacity_per_s", &x) || !(x > 0))
        return hp_report_missing(in, err, "config.capacity_per_s");
    if (!hp_report_cfg_num(in, "headroom", &x) || !(x > 0))
        return hp_report_missing(in, err, "config.headroom");
    return 0;
}

static int plan_section(struct hp_rdoc *d, const struct hp_report_input *in, int heading,
                        struct hp_err *err)
{
    TRY(plan_check(in, err));
    double cap = 0, head = 0, spares = 0, fleet = 0, cost = 0, peak = 0, g;
    hp_report_cfg_num(in, "capacity_per_s", &cap);
    hp_report_cfg_num(in, "headroom", &head);
    hp_report_cfg_num(in, "spares", &spares);
    bool has_fleet = hp_report_cfg_num(in, "fleet_now", &fleet) && fleet > 0;
    bool has_cost = hp_report_cfg_num(in, "cost_per_instance", &cost) && cost > 0;
    hp_report_cfg_num(in, "peak_per_s", &peak);
    char title[300], a[48], b[48];
    if (heading) {
        snprintf(title, sizeof title, "Capacity plan: %s", label(in));
        TRY(hp_rdoc_heading(d, heading, title));
    }
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    TRY(hp_rdoc_kv(kv, "Peak load now", "%s", fv(peak, "1/s", a, sizeof a)));
    const char *growth = hp_report_cfg_str(in, "growth");
    if (growth && hp_report_cfg_num(in, "growth_per_month", &g))
        TRY(hp_rdoc_kv(kv, "Growth", "%s, %.3g%% a month", growth, g * 100));
    else if (growth)
        TRY(hp_rdoc_kv(kv, "Growth", "%s", growth));
    const char *basis = hp_report_cfg_str(in, "capacity_basis");
    TRY(hp_rdoc_kv(kv, "One instance", "%s%s%s%s", fv(cap, "1/s", a, sizeof a),
                   basis ? " (" : "", basis ? basis : "", basis ? ")" : ""));
    TRY(hp_rdoc_kv(kv, "Planned utilisation", "%.0f%% at peak, with %.0f spare%s", head * 100,
                   spares, spares == 1 ? "" : "s"));
    double out = hp_report_metric_or(in, "runs_out_month", -1), horizon = hp_report_metric_or(in, "instances_at_horizon", NAN);
    json_t *inst = hp_report_points(in, "instances"), *load = hp_report_points(in, "peak_load_per_s");
    double last_m = max_x(inst);
    if (has_fleet)
        TRY(hp_rdoc_kv(kv, "Today's fleet", out >= 0 ? "%.0f instances: too small from month %.0f"
                                                     : "%.0f instances: enough for all %.0f months",
                       fleet, out >= 0 ? out : last_m));
    TRY(hp_rdoc_kv(kv, "At the horizon", "%.0f instances in month %.0f", horizon, last_m));

    struct hp_chart *c = hp_rdoc_chart(d, "capacity", "Forecast peak and planned capacity",
                                       "month", "month", "requests per second", "1/s");
    NEED(c);
    TRY(hp_report_add_series(c, "forecast peak load", load, HP_DRAW_BOTH, 1));
    struct hp_series *s = hp_chart_series(c, "usable capacity of the planned fleet", HP_DRAW_BOTH);
    NEED(s);
    for (size_t i = 0; i < json_array_size(inst); i++) {
        double m, n;
        if (hp_report_point(inst, i, &m, &n))
            TRY(hp_series_add(s, m, (n - spares) * cap * head));
    }
    if (has_fleet) {
        snprintf(title, sizeof title, "today's %.0f instances", fleet);
        TRY(hp_chart_rule(c, title, (fleet - spares) * cap * head, false));
    }
    if (has_fleet && out >= 0) {
        snprintf(title, sizeof title, "runs out: month %.0f", out);
        TRY(hp_chart_rule(c, title, out, true));
    }
    c = hp_rdoc_chart(d, "instances", "Instances needed per month", "month", "month", "instances",
                      "count");
    NEED(c);
    TRY(hp_report_add_series(c, "instances", inst, HP_DRAW_BOTH, 1));
    if (has_fleet) {
        snprintf(title, sizeof title, "today's fleet %.0f", fleet);
        TRY(hp_chart_rule(c, title, fleet, false));
    }

    static const char *const h1[] = {"Month>", "Peak load>", "Instances>", "Usable capacity>",
                                     "Utilisation at peak>", NULL};
    static const char *const h2[] = {"Month>", "Peak load>", "Instances>", "Usable capacity>",
                                     "Utilisation at peak>", "Cost>", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, has_cost ? h2 : h1);
    NEED(t);
    for (size_t i = 0; i < json_array_size(inst); i++) {
        double m, n, lm, l = NAN;
        if (!hp_report_point(inst, i, &m, &n))
            continue;
        hp_report_point(load, i, &lm, &l);
        char cm[16], cl[32], cn[16], cu[32], cr[32], cc[32];
        snprintf(cm, sizeof cm, "%.0f", m);
        snprintf(cn, sizeof cn, "%.0f", n);
        snprintf(cc, sizeof cc, "%.2f", n * cost);
        const char *cells[] = {cm, fv(l, "1/s", cl, sizeof cl), cn,
                               fv((n - spares) * cap * head, "1/s", cu, sizeof cu),
                               fv(n > 0 ? l / (n * cap) : NAN, "ratio", cr, sizeof cr), cc};
        bool short_fleet = has_fleet && n > fleet;
        TRY(hp_rtable_row(t, short_fleet ? HP_MARK_FAIL : HP_MARK_NONE, cells));
    }
    if (has_fleet && out >= 0)
        TRY(hp_rdoc_para(d, HP_MARK_NOTE, "Rows marked red need more than today's %.0f instances.",
                         fleet));
    (void)b;
    return 0;
}

static int usl_section(struct hp_rdoc *d, const struct hp_report_input *in, struct hp_err *err)
{
    struct hp_usl u = {0};
    if (!hp_report_metric(in, "sigma", &u.sigma) || !hp_report_metric(in, "kappa", &u.kappa) || !hp_report_metric(in, "lambda", &u.lambda))
        return hp_report_missing(in, err, "metrics.sigma, kappa and lambda");
    char title[300], a[48];
    snprintf(title, sizeof title, "Scalability model: %s", label(in));
    TRY(hp_rdoc_heading(d, 2, title));
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    if (hp_report_cfg_str(in, "input"))
        TRY(hp_rdoc_kv(kv, "Fitted to", "%s (%.0f points)", hp_report_cfg_str(in, "input"),
                       hp_report_metric_or(in, "points", 0)));
    TRY(hp_rdoc_kv(kv, "sigma (contention)", "%.4g", u.sigma));
    TRY(hp_rdoc_kv(kv, "kappa (coherency)", "%.4g", u.kappa));
    TRY(hp_rdoc_kv(kv, "lambda (one user)", "%s", fv(u.lambda, "1/s", a, sizeof a)));
    TRY(hp_rdoc_kv(kv, "R^2", "%.4f", hp_report_metric_or(in, "r_squared", NAN)));
    double pn, px, am;
    bool peak = hp_report_metric(in, "peak_n", &pn) && hp_report_metric(in, "peak_throughput", &px);
    if (peak)
        TRY(hp_rdoc_kv(kv, "Peak", "%s at N = %.1f", fv(px, "1/s", a, sizeof a), pn));
    if (hp_report_metric(in, "amdahl_limit", &am))
        TRY(hp_rdoc_kv(kv, "Amdahl limit", "%s (lambda / sigma)", fv(am, "1/s", a, sizeof a)));
    struct hp_chart *c = hp_rdoc_chart(d, "usl-model", "X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1))",
                                       "N (users, connections)", "count", "throughput", "1/s");
    NEED(c);
    TRY(hp_report_usl_curve(c, "USL", &u, peak ? fmax(pn * 2, 8) : 64));
    if (peak) {
        snprintf(title, sizeof title, "peak %.1f", pn);
        TRY(hp_chart_rule(c, title, pn, true));
    }
    return 0;
}

/* Any document's metrics as a table: the fallback for models and serve. */
static int metrics_table(struct hp_rdoc *d, const struct hp_report_input *in)
{
    static const char *const hdr[] = {"Metric", "Value>", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    const char *key;
    json_t *val;
    json_object_foreach(section(in, "metrics"), key, val) {
        const char *unit = json_string_value(json_object_get(val, "unit"));
        json_t *v = json_object_get(val, "value");
        char buf[48];
        const char *cells[] = {key, json_is_number(v) ? fv(json_number_value(v), unit ? unit : "",
                                                          buf, sizeof buf)
                                                      : "-"};
        TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
    }
    return 0;
}

static int generic_section(struct hp_rdoc *d, const struct hp_report_input *in, const char *what,
                           struct hp_err *err)
{
    if (json_object_size(section(in, "metrics")) == 0)
        return hp_report_missing(in, err, "metrics");
    char title[300];
    snprintf(title, sizeof title, "%s: %s", what, label(in));
    TRY(hp_rdoc_heading(d, 2, title));
    TRY(metrics_table(d, in));
    struct hp_hist *h = NULL;
    struct hp_err why = {0};
    int rc = hp_result_get_histogram(in->doc, "service_time", &h, &why);
    if (rc < 0 && rc != -ENOENT)
        return hp_err_at(err, rc, in->name, 0, 0, "histograms.service_time: %s", why.msg);
    if (rc == 0) {
        struct hp_chart *c = hp_rdoc_chart(d, "service", "Service time by percentile", "percentile",
                                           "pct", "service time", "ns");
        rc = c ? hp_report_add_spectrum(c, "service time", h, false) : -ENOMEM;
        if (c)
            c->x_scale = HP_SCALE_NINES;
    } else if (rc == -ENOENT) {
        rc = 0;
    }
    hp_hist_free(h);
    return rc;
}

static bool is_kind(const struct hp_report_input *in, const char *kind, const char *model)
{
    if (strcmp(hp_result_kind(in->doc), kind) != 0)
        return false;
    return !model || strcmp(model_of(in), model) == 0;
}

static int doc_section(struct hp_rdoc *d, const struct hp_report_input *in, struct hp_err *err)
{
    const char *kind = hp_result_kind(in->doc);
    if (strcmp(kind, "load") == 0)
        return load_section(d, in, 2, true, err);
    if (strcmp(kind, "sweep") == 0)
        return sweep_section(d, in, 2, err);
    if (is_kind(in, "model", "plan"))
        return plan_section(d, in, 2, err);
    if (is_kind(in, "model", "usl"))
        return usl_section(d, in, err);
    if (is_kind(in, "model", NULL))
        return generic_section(d, in, "Model", err);
    if (strcmp(kind, "serve") == 0)
        return generic_section(d, in, "Server's account", err);
    if (strcmp(kind, "sql") == 0)
        return hp_report_sql_section(d, in, 2, err);
    if (strcmp(kind, "cache") == 0)
        return hp_report_cache_section(d, in, 2, err);
    if (strcmp(kind, "monitor") == 0)
        return hp_report_monitor_section(d, in, 2, err);
    if (strcmp(kind, "diagnose") == 0)
        return hp_report_diagnose_section(d, in, 2, err);
    if (strcmp(kind, "profile") == 0)
        return hp_report_profile_section(d, in, 2, err);
    if (strcmp(kind, "history") == 0)
        return hp_report_history_section(d, in, 2, err);
    if (strcmp(kind, "bisect") == 0)
        return hp_report_bisect_section(d, in, 2, err);
    if (strcmp(kind, "page") == 0)
        return hp_report_page_section(d, in, 2, err);
    return hp_err_at(err, HP_EFORMAT, in->name, 0, 0,
                     "kind \"%s\" is not one that report draws (load, sweep, model, serve, sql, "
                     "cache, monitor, profile, history, bisect, page)",
                     kind);
}

/* ---- comparisons ---------------------------------------------------------- */

static int compare_loads(struct hp_rdoc *d, const struct hp_report_input *in, size_t n,
                         struct hp_err *err)
{
    TRY(hp_rdoc_heading(d, 2, "Load tests compared"));
    static const char *const hdr[] = {"Run", "Load", "Requests/s>", "Errors>", "p50>", "p99>",
                                      "p99.9>", "Max>", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    struct hp_chart *spec = hp_rdoc_chart(d, "compare-spectrum", "Latency by percentile, compared",
                                          "percentile", "pct", "latency", "ns");
    NEED(spec);
    spec->x_scale = HP_SCALE_NINES;
    struct hp_chart *rate = hp_rdoc_chart(d, "compare-rate", "Requests per second, compared",
                                          "time since start", "s", "per second", "1/s");
    NEED(rate);
    for (size_t i = 0; i < n; i++) {
        struct load_view v;
        TRY(load_open(&in[i], &v, err));
        char m[400], r[32], e[32], p50[32], p99[32], p999[32], mx[32];
        load_model_text(&in[i], m, sizeof m);
        double req = hp_report_metric_or(&in[i], HP_LOAD_REQUESTS, 0);
        double rps = hp_report_metric_or(&in[i], HP_LOAD_REQUESTS_PER_S, v.duration_s > 0 ? req / v.duration_s : 0);
        const char *cells[] = {label(&in[i]), m, fv(rps, "1/s", r, sizeof r),
                               fv(hp_report_metric_or(&in[i], HP_LOAD_ERRORS, 0), "count", e, sizeof e),
                               fv((double)hp_hist_value_at_percentile(v.lat, 50), "ns", p50, sizeof p50),
                               fv((double)hp_hist_value_at_percentile(v.lat, 99), "ns", p99, sizeof p99),
                               fv((double)hp_hist_value_at_percentile(v.lat, 99.9), "ns", p999, sizeof p999),
                               fv((double)hp_hist_max(v.lat), "ns", mx, sizeof mx)};
        int rc = hp_rtable_row(t, HP_MARK_NONE, cells);
        rc = rc ? rc : hp_report_add_spectrum(spec, label(&in[i]), v.lat, false);
        json_t *pts = hp_report_points(&in[i], HP_LOAD_REQUESTS_PER_S);
        if (rc == 0 && pts)
            rc = hp_report_add_series(rate, label(&in[i]), pts, HP_DRAW_LINE, 1);
        load_close(&v);
        TRY(rc);
    }
    return 0;
}

static int compare_sweeps(struct hp_rdoc *d, const struct hp_report_input *in, size_t n,
                          struct hp_err *err)
{
    TRY(hp_rdoc_heading(d, 2, "Sweeps compared"));
    struct hp_chart *c = hp_rdoc_chart(d, "compare-usl", "Throughput by concurrency, compared",
                                       "connections", "count", "throughput", "1/s");
    NEED(c);
    struct hp_chart *l = hp_rdoc_chart(d, "compare-p99", "p99 latency by concurrency, compared",
                                       "connections", "count", "p99 latency", "ns");
    NEED(l);
    for (size_t i = 0; i < n; i++) {
        TRY(sweep_check(&in[i], err));
        TRY(hp_report_add_series(c, label(&in[i]), hp_report_points(&in[i], "throughput_per_s"), HP_DRAW_BOTH, 1));
        if (hp_report_points(&in[i], "latency_p99_ns"))
            TRY(hp_report_add_series(l, label(&in[i]), hp_report_points(&in[i], "latency_p99_ns"), HP_DRAW_BOTH, 1));
    }
    return 0;
}

static int compare_plans(struct hp_rdoc *d, const struct hp_report_input *in, size_t n,
                         struct hp_err *err)
{
    TRY(hp_rdoc_heading(d, 2, "Capacity plans compared"));
    struct hp_chart *c = hp_rdoc_chart(d, "compare-instances", "Instances per month, compared",
                                       "month", "month", "instances", "count");
    NEED(c);
    for (size_t i = 0; i < n; i++) {
        TRY(plan_check(&in[i], err));
        TRY(hp_report_add_series(c, label(&in[i]), hp_report_points(&in[i], "instances"), HP_DRAW_BOTH, 1));
    }
    return 0;
}

/* Overlays for every kind with two or more documents. */
static int comparisons(struct hp_rdoc *d, const struct hp_report_input *in, size_t n,
                       struct hp_err *err)
{
    struct hp_report_input loads[MAX_DOCS], sweeps[MAX_DOCS], plans[MAX_DOCS];
    size_t nl = 0, ns = 0, np = 0;
    for (size_t i = 0; i < n && i < MAX_DOCS; i++) {
        if (is_kind(&in[i], "load", NULL))
            loads[nl++] = in[i];
        else if (is_kind(&in[i], "sweep", NULL))
            sweeps[ns++] = in[i];
        else if (is_kind(&in[i], "model", "plan"))
            plans[np++] = in[i];
    }
    if (nl >= 2)
        TRY(compare_loads(d, loads, nl > HP_CHART_MAX_SERIES ? HP_CHART_MAX_SERIES : nl, err));
    if (ns >= 2)
        TRY(compare_sweeps(d, sweeps, ns > HP_CHART_MAX_SERIES ? HP_CHART_MAX_SERIES : ns, err));
    if (np >= 2)
        TRY(compare_plans(d, plans, np > HP_CHART_MAX_SERIES ? HP_CHART_MAX_SERIES : np, err));
    return 0;
}

/* ---- the deliverables ----------------------------------------------------- */

static int environment(struct hp_rdoc *d, const struct hp_report_input *in, size_t n)
{
    static const char *const hdr[] = {"Result", "Kind", "Started", "Host", "CPUs>", "Kernel",
                                      "hotpath", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    for (size_t i = 0; i < n; i++) {
        json_t *root = hp_result_json(in[i].doc), *host = json_object_get(root, "host");
        char cpus[16];
        json_t *jc = json_object_get(host, "cpus");
        snprintf(cpus, sizeof cpus, json_is_integer(jc) ? "%" JSON_INTEGER_FORMAT : "-",
                 json_integer_value(jc));
        const char *cells[] = {label(&in[i]), hp_result_kind(in[i].doc),
                               json_string_value(json_object_get(root, "started_at")),
                               json_string_value(json_object_get(host, "hostname")), cpus,
                               json_string_value(json_object_get(host, "kernel")),
                               json_string_value(json_object_get(root, "hotpath_version"))};
        TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
    }
    return 0;
}

static int scenarios_table(struct hp_rdoc *d, const struct hp_report_input *in, size_t n)
{
    static const char *const hdr[] = {"Run", "Scenario", "Load profile", "Requests", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    for (size_t i = 0; i < n; i++) {
        if (is_kind(&in[i], "sweep", NULL)) {
            json_t *xs = hp_report_points(&in[i], "throughput_per_s");
            char prof[200], req[300];
            snprintf(prof, sizeof prof, "sweep of %zu levels, %s", json_array_size(xs),
                     hp_report_cfg_str(&in[i], "levels") ? hp_report_cfg_str(&in[i], "levels") : "concurrency");
            snprintf(req, sizeof req, "%s %s", hp_report_cfg_str(&in[i], "method") ? hp_report_cfg_str(&in[i], "method") : "GET",
                     hp_report_cfg_str(&in[i], "url") ? hp_report_cfg_str(&in[i], "url") : "");
            const char *cells[] = {label(&in[i]), "-", prof, req};
            TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
            continue;
        }
        if (!is_kind(&in[i], "load", NULL))
            continue;
        json_t *scs = json_object_get(section(&in[i], "config"), "scenarios");
        if (!json_is_array(scs)) {
            char m[400], req[300];
            load_model_text(&in[i], m, sizeof m);
            snprintf(req, sizeof req, "%s %s", hp_report_cfg_str(&in[i], "method") ? hp_report_cfg_str(&in[i], "method") : "GET",
                     hp_report_cfg_str(&in[i], "url") ? hp_report_cfg_str(&in[i], "url") : "");
            const char *cells[] = {label(&in[i]), "-", m, req};
            TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
            continue;
        }
        for (size_t k = 0; k < json_array_size(scs); k++) {
            json_t *sc = json_array_get(scs, k), *reqs = json_object_get(sc, "requests");
            char list[600] = "";
            size_t len = 0;
            for (size_t r = 0; r < json_array_size(reqs) && len < sizeof list - 1; r++) {
                json_t *rq = json_array_get(reqs, r);
                int w = snprintf(list + len, sizeof list - len, "%s%s (weight %g)", r ? ", " : "",
                                 json_string_value(json_object_get(rq, "name")),
                                 json_number_value(json_object_get(rq, "weight")));
                if (w < 0)
                    break;
                len += (size_t)w;
            }
            const char *name = json_string_value(json_object_get(sc, "name"));
            const char *ex = json_string_value(json_object_get(sc, "executor"));
            const char *cells[] = {label(&in[i]), name ? name : "-", ex ? ex : "-", list};
            TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
        }
    }
    return 0;
}

static int test_report(struct hp_rdoc *d, const struct hp_report_input *in, size_t n,
                       struct hp_err *err)
{
    size_t runs = 0;
    int passed = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_kind(&in[i], "load", NULL) || is_kind(&in[i], "sweep", NULL)) {
            runs++;
            int p, t;
            count_thresholds(&in[i], &p, &t);
            passed += p;
            total += t;
        } else if (!is_kind(&in[i], "serve", NULL)) {
            return hp_err_at(err, HP_EFORMAT, in[i].name, 0, 0,
                             "a test report is made of load and sweep results (and serve's "
                             "ground truth); this is a %s result: use --as capacity-plan or "
                             "leave --as out", hp_result_kind(in[i].doc));
        }
    }
    if (runs == 0)
        return hp_err_at(err, HP_EFORMAT, in[0].name, 0, 0,
                         "a test report needs at least one load or sweep result");
    TRY(hp_rdoc_heading(d, 2, "Summary"));
    if (total > 0)
        TRY(verdict_para(d, passed, total, passed == total ? "Verdict: pass" : "Verdict: fail"));
    else
        TRY(hp_rdoc_para(d, HP_MARK_NOTE, "No thresholds were set, so there is no pass/fail "
                                          "verdict: the figures below are the results."));
    static const char *const hdr[] = {"Run", "Load", "Requests/s>", "Errors>", "p99>", "Thresholds",
                                      NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    for (size_t i = 0; i < n; i++) {
        char m[400], r[32], e[32], p99[32], th[48];
        int p, tt;
        count_thresholds(&in[i], &p, &tt);
        snprintf(th, sizeof th, tt ? "%d of %d passed" : "none", p, tt);
        if (is_kind(&in[i], "load", NULL)) {
            struct load_view v;
            TRY(load_open(&in[i], &v, err));
            load_model_text(&in[i], m, sizeof m);
            double req = hp_report_metric_or(&in[i], "requests", 0);
            const char *cells[] = {label(&in[i]), m,
                                   fv(hp_report_metric_or(&in[i], "requests_per_s", v.duration_s > 0 ? req / v.duration_s : 0),
                                      "1/s", r, sizeof r),
                                   fv(hp_report_metric_or(&in[i], "errors", 0), "count", e, sizeof e),
                                   fv((double)hp_hist_value_at_percentile(v.lat, 99), "ns", p99, sizeof p99), th};
            load_close(&v);
            TRY(hp_rtable_row(t, tt == 0 ? HP_MARK_NONE : p == tt ? HP_MARK_PASS : HP_MARK_FAIL, cells));
        } else if (is_kind(&in[i], "sweep", NULL)) {
            TRY(sweep_check(&in[i], err));
            double kx, kn;
            bool knee = hp_report_metric(&in[i], "knee_throughput_per_s", &kx) && hp_report_metric(&in[i], "knee_concurrency", &kn);
            snprintf(m, sizeof m, "sweep, %zu levels", json_array_size(hp_report_points(&in[i], "throughput_per_s")));
            if (knee)
                snprintf(th, sizeof th, "knee at %.0f connections", kn);
            const char *cells[] = {label(&in[i]), m, knee ? fv(kx, "1/s", r, sizeof r) : "-", "-",
                                   "-", th};
            TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
        }
    }
    TRY(hp_rdoc_heading(d, 2, "Goals and service level objectives"));
    bool any = false;
    struct hp_rtable *g = NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *th = section(&in[i], "thresholds");
        double slo;
        if (json_array_size(th) == 0 && !(is_kind(&in[i], "sweep", NULL) &&
                                          hp_report_cfg_num(&in[i], "slo_p99_ns", &slo) && slo > 0))
            continue;
        if (!g) {
            static const char *const gh[] = {"Run", "Objective", "Stops the run early", NULL};
            NEED(g = hp_rdoc_table(d, gh));
        }
        any = true;
        for (size_t k = 0; k < json_array_size(th); k++) {
            const char *text = json_string_value(json_object_get(json_array_get(th, k), "threshold"));
            const char *cells[] = {label(&in[i]), text ? text : "?",
                                   text && strstr(text, "abort_on_fail") ? "yes" : "no"};
            TRY(hp_rtable_row(g, HP_MARK_NONE, cells));
        }
        if (is_kind(&in[i], "sweep", NULL) && hp_report_cfg_num(&in[i], "slo_p99_ns", &slo) && slo > 0) {
            char o[96], a[32];
            snprintf(o, sizeof o, "p99 latency under %s at each level (the knee)",
                     fv(slo, "ns", a, sizeof a));
            const char *cells[] = {label(&in[i]), o, "no"};
            TRY(hp_rtable_row(g, HP_MARK_NONE, cells));
        }
    }
    if (!any)
        TRY(hp_rdoc_para(d, HP_MARK_NOTE, "None were given: add --threshold to hotpath load (or "
                                          "thresholds: to the scenario file) to judge a run."));
    TRY(hp_rdoc_heading(d, 2, "Scenarios"));
    TRY(scenarios_table(d, in, n));
    TRY(hp_rdoc_heading(d, 2, "Results"));
    for (size_t i = 0; i < n; i++) {
        if (is_kind(&in[i], "load", NULL))
            TRY(load_section(d, &in[i], 3, false, err));
        else if (is_kind(&in[i], "sweep", NULL))
            TRY(sweep_section(d, &in[i], 3, err));
        else
            TRY(generic_section(d, &in[i], "Server's account", err));
    }
    TRY(comparisons(d, in, n, err));
    TRY(hp_rdoc_heading(d, 2, "Verdicts"));
    if (total == 0)
        TRY(hp_rdoc_para(d, HP_MARK_NOTE, "No thresholds: nothing was judged."));
    else {
        TRY(verdict_para(d, passed, total, "Overall"));
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            if (json_array_size(section(&in[i], "thresholds")) == 0)
                continue;
            (void)first;
            first = false;
            TRY(thresholds_table(d, &in[i], true, NULL, NULL));
        }
    }
    TRY(hp_rdoc_heading(d, 2, "Environment"));
    return environment(d, in, n);
}

static int capacity_plan(struct hp_rdoc *d, const struct hp_report_input *in, size_t n,
                         struct hp_err *err)
{
    const struct hp_report_input *plan = NULL, *sweep = NULL;
    size_t useful = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_kind(&in[i], "model", "plan")) {
            TRY(plan_check(&in[i], err));
            plan = plan ? plan : &in[i];
            useful++;
        } else if (is_kind(&in[i], "sweep", NULL)) {
            TRY(sweep_check(&in[i], err));
            sweep = sweep ? sweep : &in[i];
            useful++;
        } else if (is_kind(&in[i], "model", NULL)) {
            useful++;
        } else if (!is_kind(&in[i], "load", NULL)) {
            return hp_err_at(err, HP_EFORMAT, in[i].name, 0, 0,
                             "a capacity plan is made of plan, sweep, model and load results; "
                             "this is a %s result", hp_result_kind(in[i].doc));
        }
    }
    if (useful == 0)
        return hp_err_at(err, HP_EFORMAT, in[0].name, 0, 0,
                         "a capacity plan needs a plan (hotpath model plan --json), a sweep or a "
                         "model result");
    char a[48], b[48], c[48];
    TRY(hp_rdoc_heading(d, 2, "Summary"));
    if (plan) {
        double peak = 0, cap = 0, head = 0, fleet = 0, spares = 0;
        hp_report_cfg_num(plan, "peak_per_s", &peak);
        hp_report_cfg_num(plan, "capacity_per_s", &cap);
        hp_report_cfg_num(plan, "headroom", &head);
        hp_report_cfg_num(plan, "spares", &spares);
        bool has_fleet = hp_report_cfg_num(plan, "fleet_now", &fleet) && fleet > 0;
        json_t *inst = hp_report_points(plan, "instances");
        double m0, n0 = 0, out = hp_report_metric_or(plan, "runs_out_month", -1);
        hp_report_point(inst, 0, &m0, &n0);
        double horizon = hp_report_metric_or(plan, "instances_at_horizon", NAN), last = max_x(inst);
        TRY(hp_rdoc_para(d, HP_MARK_NONE,
                         "Today's peak of %s needs %.0f instances (one carries %s, planned at "
                         "%.0f%% utilisation, %.0f spare%s); by month %.0f the forecast peak "
                         "needs %.0f.",
                         fv(peak, "1/s", a, sizeof a), n0, fv(cap, "1/s", b, sizeof b), head * 100,
                         spares, spares == 1 ? "" : "s", last, horizon));
        if (has_fleet && out >= 0)
            TRY(hp_rdoc_para(d, HP_MARK_FAIL, "✗ Today's fleet of %.0f instances is too small "
                                              "from month %.0f: grow it before then.", fleet, out));
        else if (has_fleet)
            TRY(hp_rdoc_para(d, HP_MARK_PASS, "✓ Today's fleet of %.0f instances carries the "
                                              "forecast through month %.0f.", fleet, last));
    }
    if (sweep) {
        json_t *xs = hp_report_points(sweep, "throughput_per_s");
        double bn = 0, bx = 0, t, x;
        for (size_t i = 0; i < json_array_size(xs); i++)
            if (hp_report_point(xs, i, &t, &x) && x > bx) {
                bx = x;
                bn = t;
            }
        TRY(hp_rdoc_para(d, HP_MARK_NONE, "The sweep (%s) measured %zu levels; the most "
                                          "throughput was %s at %.4g connections.",
                         label(sweep), json_array_size(xs), fv(bx, "1/s", a, sizeof a), bn));
        double kx, kn, px, pn, slo;
        if (hp_report_metric(sweep, "knee_throughput_per_s", &kx) && hp_report_metric(sweep, "knee_concurrency", &kn) &&
            hp_report_cfg_num(sweep, "slo_p99_ns", &slo))
            TRY(hp_rdoc_para(d, HP_MARK_NONE, "Measured (%s): one instance serves %s at %.0f "
                                              "connections with p99 under %s.",
                             label(sweep), fv(kx, "1/s", a, sizeof a), kn, fv(slo, "ns", b, sizeof b)));
        if (hp_report_metric(sweep, "peak_throughput_per_s", &px) && hp_report_metric(sweep, "peak_concurrency", &pn))
            TRY(hp_rdoc_para(d, HP_MARK_NONE, "The USL fit peaks at %s at %.1f connections: "
                                              "beyond that, more concurrency lowers throughput.",
                             fv(px, "1/s", c, sizeof c), pn));
    }
    if (sweep) {
        TRY(hp_rdoc_heading(d, 2, "Measured capacity"));
        for (size_t i = 0; i < n; i++)
            if (is_kind(&in[i], "sweep", NULL))
                TRY(sweep_section(d, &in[i], n > 1 ? 3 : 0, err));
    }
    for (size_t i = 0; i < n; i++)
        if (is_kind(&in[i], "model", NULL) && !is_kind(&in[i], "model", "plan"))
            TRY(doc_section(d, &in[i], err));
    for (size_t i = 0; i < n; i++)
        if (is_kind(&in[i], "load", NULL))
            TRY(load_section(d, &in[i], 2, true, err));
    if (plan) {
        TRY(hp_rdoc_heading(d, 2, "Forecast and fleet"));
        for (size_t i = 0; i < n; i++)
            if (is_kind(&in[i], "model", "plan"))
                TRY(plan_section(d, &in[i], n > 1 ? 3 : 0, err));
        TRY(hp_rdoc_heading(d, 2, "Assumptions"));
        struct hp_rtable *kv = hp_rdoc_kv_list(d);
        NEED(kv);
        double head = 0, spares = 0, g = 0;
        hp_report_cfg_num(plan, "headroom", &head);
        hp_report_cfg_num(plan, "spares", &spares);
        const char *basis = hp_report_cfg_str(plan, "capacity_basis");
        TRY(hp_rdoc_kv(kv, "Capacity of one instance", "%s", basis ? basis : "given by hand (--capacity)"));
        TRY(hp_rdoc_kv(kv, "Utilisation target", "%.0f%%: the rest absorbs bursts and the error "
                                                 "of the forecast", head * 100));
        TRY(hp_rdoc_kv(kv, "Spares", "%.0f (N+%.0f): one can fail or be drained for a deploy "
                                     "without overload", spares, spares));
        const char *growth = hp_report_cfg_str(plan, "growth");
        if (growth && hp_report_cfg_num(plan, "growth_per_month", &g))
            TRY(hp_rdoc_kv(kv, "Growth model", "%s, %.3g%% a month", growth, g * 100));
        else if (growth)
            TRY(hp_rdoc_kv(kv, "Growth model", "%s", growth));
        TRY(hp_rdoc_kv(kv, "Scaling", "linear in instances: each carries the same load "
                                      "(true behind a balancer when instances share nothing)"));
    }
    TRY(comparisons(d, in, n, err));
    TRY(hp_rdoc_heading(d, 2, "Environment"));
    return environment(d, in, n);
}

int hp_report_as_parse(const char *s)
{
    if (strcmp(s, "results") == 0)
        return HP_REPORT_RESULTS;
    if (strcmp(s, "test-report") == 0)
        return HP_REPORT_TEST;
    if (strcmp(s, "capacity-plan") == 0)
        return HP_REPORT_CAPACITY;
    if (strcmp(s, "rca") == 0)
        return HP_REPORT_RCA;
    return -1;
}

int hp_report_build(const struct hp_report_input *in, size_t n, enum hp_report_as as,
                    struct hp_rdoc **out, struct hp_err *err)
{
    *out = NULL;
    hp_err_clear(err);
    if (n == 0)
        return hp_err_set(err, HP_EUSAGE, "no result documents to report on");
    if (n > MAX_DOCS)
        return hp_err_set(err, HP_EUSAGE, "at most %d result documents in one report", MAX_DOCS);
    static const char *const titles[] = {"hotpath report", "Performance Test Report",
                                         "Capacity Plan", "Root-Cause Analysis"};
    struct hp_rdoc *d = hp_rdoc_new(titles[as]);
    if (!d)
        return hp_err_set(err, -ENOMEM, "out of memory");
    char sub[600];
    json_t *st = json_object_get(hp_result_json(in[0].doc), "started_at");
    if (n == 1)
        snprintf(sub, sizeof sub, "From %s (%s), %s", label(&in[0]), hp_result_kind(in[0].doc),
                 json_is_string(st) ? json_string_value(st) : "");
    else
        snprintf(sub, sizeof sub, "From %zu result documents, the first %s (%s)", n, label(&in[0]),
                 json_is_string(st) ? json_string_value(st) : "");
    int rc = hp_rdoc_subtitle(d, sub);
    if (rc == 0) {
        if (as == HP_REPORT_TEST) {
            rc = test_report(d, in, n, err);
        } else if (as == HP_REPORT_CAPACITY) {
            rc = capacity_plan(d, in, n, err);
        } else if (as == HP_REPORT_RCA) {
            rc = hp_report_rca(d, in, n, err);
        } else {
            for (size_t i = 0; i < n && rc == 0; i++)
                rc = doc_section(d, &in[i], err);
            rc = rc ? rc : comparisons(d, in, n, err);
        }
    }
    if (rc == -ENOMEM)
        hp_err_set(err, rc, "out of memory");
    else if (rc < 0 && err && !err->msg[0]) /* every failure says what it was */
        hp_err_at(err, rc, in[0].name, 0, 0, "%s", hp_strerror(rc));
    if (rc < 0) {
        hp_rdoc_free(d);
        return rc;
    }
    *out = d;
    return 0;
}
