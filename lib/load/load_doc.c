/* SPDX-License-Identifier: MIT */
/* load/load_doc.c - see load_doc.h. */
#include "load/load_doc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "core/clock.h"
#include "stat/hist_result.h"

/* rc = rc ? rc : expr: the first error wins, later adds are skipped. */
#define ADD(expr)                                                                                  \
    do {                                                                                           \
        if (rc == 0)                                                                               \
            rc = (expr);                                                                           \
    } while (0)

int hp_load_doc_new(const struct hp_load_config *cfg, const struct hp_load_target *t,
                    struct hp_result **out)
{
    struct hp_result *r = NULL;
    int rc = hp_result_new("load", &r);
    if (rc < 0)
        return rc;
    ADD(hp_result_config_str(r, HP_LOAD_C_URL, t->url));
    ADD(hp_result_config_str(r, HP_LOAD_C_METHOD, t->method));
    for (int i = 0; i < t->n_headers; i++)
        ADD(hp_result_config_header(r, t->headers[i]));
    ADD(hp_result_config_int(r, "body_bytes", (int64_t)t->body_bytes));
    ADD(hp_result_config_str(r, HP_LOAD_C_MODEL, cfg->open_model ? "open" : "closed"));
    ADD(hp_result_config_int(r, HP_LOAD_C_THREADS, cfg->threads));
    ADD(hp_result_config_int(r, "connections", cfg->connections));
    ADD(hp_result_config_int(r, "duration_ns", cfg->duration_ns));
    ADD(hp_result_config_int(r, "timeout_ns", cfg->timeout_ns));
    static const char *const protocols[] = {"http/1.1", "h2", "h2-prefer", "h2c"};
    ADD(hp_result_config_str(r, "protocol", protocols[cfg->h2]));
    if (cfg->h2 != HP_H2_OFF)
        ADD(hp_result_config_int(r, "max_concurrent_streams", cfg->pipeline));
    else
        ADD(hp_result_config_int(r, "pipeline", cfg->pipeline));
    ADD(hp_result_config_int(r, "requests_per_conn", cfg->requests_per_conn));
    if (cfg->open_model) {
        if (t->rate_per_s > 0)
            ADD(hp_result_config_real(r, HP_LOAD_C_RATE, t->rate_per_s));
        ADD(hp_result_config_str(r, HP_LOAD_C_ARRIVAL, cfg->poisson ? "poisson" : "constant"));
    }
    if (t->stages)
        ADD(hp_result_config_str(r, HP_LOAD_C_STAGES, t->stages));
    if (cfg->n_sources > 0)
        ADD(hp_result_config_int(r, "source_addrs", cfg->n_sources));
    if (cfg->connect_rate > 0)
        ADD(hp_result_config_real(r, "connect_rate_per_s", cfg->connect_rate));
    if (cfg->request_every_ns > 0)
        ADD(hp_result_config_int(r, "request_every_ns", cfg->request_every_ns));
    if (t->unix_socket)
        ADD(hp_result_config_str(r, "unix_socket", t->unix_socket));
    if (t->script)
        ADD(hp_result_config_str(r, "script", t->script));
    if (rc < 0) {
        hp_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* "name" or "name{tag}" into buf. */
static const char *key(char *buf, size_t size, const char *name, const char *tag)
{
    if (!tag)
        return name;
    snprintf(buf, size, "%s{%s}", name, tag);
    return buf;
}

int hp_load_doc_series(struct hp_result *doc, const struct hp_load_figures *f, double t_s,
                       bool open_model, const char *tag)
{
    static const struct {
        const char *name;
        double p;
    } pcts[] = {
        {HP_LOAD_P50, 50},
        {HP_LOAD_P90, 90},
        {HP_LOAD_P99, 99},
        {HP_LOAD_MAX, 100},
    };
    double secs = f->end_s - f->start_s;
    char k[200];
    int rc = 0;
    if (secs <= 0)
        secs = 1e-9;
    ADD(hp_result_series_point(doc, key(k, sizeof k, HP_LOAD_REQUESTS_PER_S, tag), "1/s", t_s,
                               (double)f->counts.requests / secs));
    ADD(hp_result_series_point(doc, key(k, sizeof k, HP_LOAD_ERRORS_PER_S, tag), "1/s", t_s,
                               (double)hp_load_error_total(&f->counts) / secs));
    ADD(hp_result_series_point(doc, key(k, sizeof k, HP_LOAD_BYTES_READ_PER_S, tag), "bytes/s", t_s,
                               (double)f->counts.bytes_read / secs));
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
        ADD(hp_result_series_point(
            doc, key(k, sizeof k, pcts[i].name, tag), "ns", t_s,
            f->corrected->total_count == 0
                ? NAN /* null: no answers */
                : (double)hp_hist_value_at_percentile(f->corrected, pcts[i].p)));
    if (open_model)
        ADD(hp_result_series_point(
            doc, key(k, sizeof k, HP_LOAD_LAG_P99, tag), "ns", t_s,
            f->lag->total_count == 0 ? NAN : (double)hp_hist_value_at_percentile(f->lag, 99)));
    return rc;
}

int hp_load_doc_totals(struct hp_result *doc, const struct hp_load_view *v)
{
    static const struct {
        const char *name;
        double p;
    } pcts[] = {
        {HP_LOAD_P50, 50}, {HP_LOAD_P90, 90},     {HP_LOAD_P95, 95},
        {HP_LOAD_P99, 99}, {HP_LOAD_P99_9, 99.9}, {HP_LOAD_MAX, 100},
    };
    const struct hp_load_counts *c = v->counts;
    double secs = v->elapsed_s;
    char name[64];
    int rc = 0;

    hp_result_set_duration(doc, secs);
    ADD(hp_result_metric(doc, HP_LOAD_REQUESTS, (double)c->requests, "count"));
    ADD(hp_result_metric(doc, HP_LOAD_REQUESTS_PER_S, secs > 0 ? (double)c->requests / secs : 0,
                         "1/s"));
    ADD(hp_result_metric(doc, HP_LOAD_SENT, (double)c->sent, "count"));
    ADD(hp_result_metric(doc, HP_LOAD_BYTES_READ, (double)c->bytes_read, "bytes"));
    ADD(hp_result_metric(doc, HP_LOAD_BYTES_WRITTEN, (double)c->bytes_written, "bytes"));
    ADD(hp_result_metric(doc, HP_LOAD_TRANSFER_PER_S, secs > 0 ? (double)c->bytes_read / secs : 0,
                         "bytes/s"));
    ADD(hp_result_metric(doc, HP_LOAD_ERRORS, (double)hp_load_error_total(c), "count"));
    for (int e = 0; e < HP_LERR_COUNT; e++) {
        snprintf(name, sizeof name, "errors_%s", hp_load_error_name((enum hp_load_error)e));
        ADD(hp_result_metric(doc, name, (double)c->errors[e], "count"));
    }
    for (int k = 1; k <= 5; k++) {
        snprintf(name, sizeof name, "status_%dxx", k);
        ADD(hp_result_metric(doc, name, (double)c->status[k], "count"));
    }
    ADD(hp_result_metric(doc, HP_LOAD_CONNECTS, (double)c->connects, "count"));
    ADD(hp_result_metric(doc, HP_LOAD_RECONNECTS, (double)c->reconnects, "count"));
    ADD(hp_result_metric(doc, HP_LOAD_UNANSWERED, (double)c->unanswered, "count"));
    ADD(hp_result_metric(doc, HP_LOAD_CHECKS_PASSED, (double)c->checks_passed, "count"));
    ADD(hp_result_metric(doc, HP_LOAD_CHECKS_FAILED, (double)c->checks_failed, "count"));
    if (v->lag) {
        if (v->target_rate_per_s > 0)
            ADD(hp_result_metric(doc, HP_LOAD_TARGET_RATE, v->target_rate_per_s, "1/s"));
        if (v->duration_s > 0)
            ADD(hp_result_metric(doc, HP_LOAD_SENT_RATE, (double)c->sent / v->duration_s, "1/s"));
        ADD(hp_result_metric(doc, HP_LOAD_LATE, (double)c->late, "count"));
        ADD(hp_result_metric(doc, HP_LOAD_UNSENT, (double)c->unsent, "count"));
        ADD(hp_result_metric(doc, HP_LOAD_LAG_P99, (double)hp_hist_value_at_percentile(v->lag, 99),
                             "ns"));
    }
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
        ADD(hp_result_metric(doc, pcts[i].name,
                             (double)hp_hist_value_at_percentile(v->corrected, pcts[i].p), "ns"));
    ADD(hp_result_histogram(doc, HP_LOAD_H_LATENCY, "ns", v->corrected));
    ADD(hp_result_histogram(doc, HP_LOAD_H_UNCORRECTED, "ns", v->uncorrected));
    if (v->lag)
        ADD(hp_result_histogram(doc, HP_LOAD_H_LAG, "ns", v->lag));
    for (int i = 0; v->phase && i < HP_PHASE_COUNT; i++) {
        /* http_req_waiting: metrics http_req_waiting_p50_ns... and its histogram */
        static const struct {
            const char *suffix;
            double p;
        } stats[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"max", 100}};
        const char *phase = hp_load_phase_name((enum hp_load_phase)i);
        const struct hp_hist *h = v->phase[i];
        if (h->total_count == 0)
            continue;
        snprintf(name, sizeof name, "%s_avg_ns", phase);
        ADD(hp_result_metric(doc, name, hp_hist_mean(h), "ns"));
        for (size_t k = 0; k < sizeof stats / sizeof stats[0]; k++) {
            snprintf(name, sizeof name, "%s_%s_ns", phase, stats[k].suffix);
            ADD(hp_result_metric(doc, name, (double)hp_hist_value_at_percentile(h, stats[k].p),
                                 "ns"));
        }
        ADD(hp_result_histogram(doc, phase, "ns", h));
    }
    return rc;
}

int hp_load_doc_part(struct hp_result *doc, const char *tag, const struct hp_load_counts *c,
                     const struct hp_hist *h, double secs)
{
    static const struct {
        const char *name;
        double p;
    } pcts[] = {
        {HP_LOAD_P50, 50},
        {HP_LOAD_P95, 95},
        {HP_LOAD_P99, 99},
        {HP_LOAD_MAX, 100},
    };
    char k[200];
    int rc = 0;
    ADD(hp_result_metric(doc, key(k, sizeof k, HP_LOAD_REQUESTS, tag), (double)c->requests,
                         "count"));
    ADD(hp_result_metric(doc, key(k, sizeof k, HP_LOAD_REQUESTS_PER_S, tag),
                         secs > 0 ? (double)c->requests / secs : 0, "1/s"));
    ADD(hp_result_metric(doc, key(k, sizeof k, HP_LOAD_ERRORS, tag), (double)hp_load_error_total(c),
                         "count"));
    /* answers that were errors (4xx, 5xx): failed, but attempts too */
    ADD(hp_result_metric(doc, key(k, sizeof k, HP_LOAD_ERRORS_STATUS, tag),
                         (double)(c->errors[HP_LERR_STATUS_4XX] + c->errors[HP_LERR_STATUS_5XX]),
                         "count"));
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
        ADD(hp_result_metric(doc, key(k, sizeof k, pcts[i].name, tag),
                             (double)hp_hist_value_at_percentile(h, pcts[i].p), "ns"));
    if (c->checks_passed + c->checks_failed > 0) {
        ADD(hp_result_metric(doc, key(k, sizeof k, HP_LOAD_CHECKS_PASSED, tag),
                             (double)c->checks_passed, "count"));
        ADD(hp_result_metric(doc, key(k, sizeof k, HP_LOAD_CHECKS_FAILED, tag),
                             (double)c->checks_failed, "count"));
    }
    ADD(hp_result_histogram(doc, key(k, sizeof k, HP_LOAD_H_LATENCY, tag), "ns", h));
    return rc;
}

static bool get(struct hp_result *doc, const char *name, const char *tag, int64_t *out)
{
    char k[240];
    double v;
    if (!hp_result_get_metric(doc, key(k, sizeof k, name, tag), &v, NULL) || !(v >= 0))
        return false;
    *out += (int64_t)v;
    return true;
}

bool hp_load_doc_read_counts(struct hp_result *doc, const char *tag, struct hp_load_counts *c)
{
    if (!get(doc, HP_LOAD_REQUESTS, tag, &c->requests))
        return false;
    get(doc, HP_LOAD_CHECKS_PASSED, tag, &c->checks_passed);
    get(doc, HP_LOAD_CHECKS_FAILED, tag, &c->checks_failed);
    if (tag) {
        int64_t errors = 0, status = 0;
        get(doc, HP_LOAD_ERRORS, tag, &errors);
        get(doc, HP_LOAD_ERRORS_STATUS, tag, &status);
        c->errors[HP_LERR_STATUS_5XX] += status;
        c->errors[HP_LERR_CONNECT] += errors - status;
        return true;
    }
    char name[64];
    get(doc, HP_LOAD_SENT, NULL, &c->sent);
    get(doc, HP_LOAD_LATE, NULL, &c->late);
    get(doc, HP_LOAD_UNSENT, NULL, &c->unsent);
    get(doc, HP_LOAD_UNANSWERED, NULL, &c->unanswered);
    get(doc, HP_LOAD_CONNECTS, NULL, &c->connects);
    get(doc, HP_LOAD_RECONNECTS, NULL, &c->reconnects);
    get(doc, HP_LOAD_BYTES_READ, NULL, &c->bytes_read);
    get(doc, HP_LOAD_BYTES_WRITTEN, NULL, &c->bytes_written);
    for (int e = 0; e < HP_LERR_COUNT; e++) {
        snprintf(name, sizeof name, "errors_%s", hp_load_error_name((enum hp_load_error)e));
        get(doc, name, NULL, &c->errors[e]);
    }
    for (int k = 1; k <= 5; k++) {
        snprintf(name, sizeof name, "status_%dxx", k);
        get(doc, name, NULL, &c->status[k]);
    }
    return true;
}

void hp_load_metric_set(const struct hp_load_view *v, struct hp_metric_set *m)
{
    const struct hp_load_counts *c = v->counts;
    int64_t status = c->errors[HP_LERR_STATUS_4XX] + c->errors[HP_LERR_STATUS_5XX];
    int64_t other = hp_load_error_total(c) - status;
    *m = (struct hp_metric_set){
        .duration = v->corrected,
        .duration_uncorrected = v->uncorrected,
        .lag = v->lag,
        .requests = c->requests,
        .failed = status + other,
        .attempts = c->requests + other,
        .checks_passed = c->checks_passed,
        .checks_total = c->checks_passed + c->checks_failed,
        .bytes_received = c->bytes_read,
        .bytes_sent = c->bytes_written,
        .duration_s = v->elapsed_s,
    };
    for (int i = 0; v->phase && i < HP_PHASE_COUNT; i++)
        m->phase[i] = v->phase[i];
}

void hp_load_metric_set_so_far(const struct hp_load_figures *t, bool open_model, double t_s,
                               struct hp_metric_set *m)
{
    struct hp_load_view v = {
        &t->counts, t->corrected, t->uncorrected, open_model ? t->lag : NULL, t_s, 0, 0,
        t->phase};
    hp_load_metric_set(&v, m);
}

void hp_load_target_of_script(struct hp_load_target *t, const struct hp_script *script,
                              const char *authority, char *url_buf, size_t url_size)
{
    const char *target;
    int64_t body;
    hp_script_first_request(script, &t->method, &target, &body);
    snprintf(url_buf, url_size, "http://%s%s", authority, target);
    t->url = url_buf;
    t->body_bytes = (size_t)body;
}

int hp_load_doc_segment(struct hp_result *doc, const struct hp_segment *seg, int whole_connections,
                     int part_connections, int64_t start_at_ns, int64_t started_wall_ns)
{
    int rc = 0;
    json_t *config = json_object_get(hp_result_json(doc), "config");
    if (seg) {
        json_t *o = json_pack("{s:s, s:i, s:i, s:s}", "part", seg->text, "index", seg->part,
                              "parts", seg->parts, "sequence", seg->sequence);
        if (!o || json_object_set_new(config, "segment", o) < 0)
            return -ENOMEM;
        if (whole_connections > 0) { /* a scenario file's are per scenario */
            rc = hp_result_config_int(doc, "connections", whole_connections);
            rc = rc ? rc : hp_result_config_int(doc, "segment_connections", part_connections);
        }
    }
    if (rc == 0 && start_at_ns > 0) {
        char t[40];
        hp_format_rfc3339(start_at_ns, t, sizeof t);
        rc = hp_result_config_str(doc, "start_at", t);
        rc = rc ? rc : hp_result_metric(doc, "start_offset_ns",
                                        (double)(started_wall_ns - start_at_ns), "ns");
    }
    return rc;
}
