// SPDX-License-Identifier: MIT
/* report/strategy.c - see strategy.h. */
#include "report/strategy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/units.h"
#include "report/section_int.h"
#include "stat/threshold.h"


static const char *metric_words(const char *metric)
{
    static const struct {
        const char *name, *words;
    } m[] = {
        {"http_req_duration", "Request latency, from when each request was due"},
        {"http_req_duration_uncorrected", "Request latency, from the send"},
        {"scheduler_lag", "The load generator's scheduling lag"},
        {"http_req_failed", "The share of requests that fail (4xx, 5xx or no answer)"},
        {"http_reqs", "Requests answered"},
        {"data_received", "Bytes received"},
        {"data_sent", "Bytes sent"},
        {"checks", "Checks on the answers"},
        {"http_req_blocked", "Time waiting for a free connection or stream"},
        {"http_req_connecting", "TCP connect time (0 on a connection already up)"},
        {"http_req_tls_handshaking", "TLS handshake time (0 on a connection already up)"},
        {"http_req_sending", "Time writing the request"},
        {"http_req_waiting", "Time to the answer's first byte"},
        {"http_req_receiving", "Time from the answer's first byte to its last"},
    };
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if (strcmp(m[i].name, metric) == 0)
            return m[i].words;
    return metric;
}

/* "p(95) < 200ms" from "http_req_duration{name:login}: p(95) < 200ms, abort_on_fail". */
static void condition(const struct hp_threshold *t, char *buf, size_t size)
{
    const char *p = strchr(t->text, '}');
    p = strstr(p ? p : t->text, ": ");
    snprintf(buf, size, "%s", p ? p + 2 : t->text);
    char *comma = strstr(buf, ", abort_on_fail");
    if (comma)
        *comma = '\0';
}

static void selection(const struct hp_threshold *t, char *buf, size_t size)
{
    if (!t->tag_key[0])
        snprintf(buf, size, "all requests");
    else if (strcmp(t->tag_key, "name") == 0)
        snprintf(buf, size, "requests named %s", t->tag_value);
    else if (strcmp(t->tag_key, "scenario") == 0)
        snprintf(buf, size, "scenario %s", t->tag_value);
    else if (strcmp(t->tag_key, "check") == 0)
        snprintf(buf, size, "check %s", t->tag_value);
    else
        snprintf(buf, size, "requests tagged %s: %s", t->tag_key, t->tag_value);
}

static int objectives(struct hp_rdoc *d, const struct hp_scenario_file *f)
{
    TRY(hp_rdoc_heading(d, 2, "Objectives"));
    TRY(hp_rdoc_para(d, HP_MARK_NONE,
                     "Show that %s meets the objectives below under the load profiles of %d "
                     "scenario%s, and measure how far it is from them: latency is taken from "
                     "when each request was due (coordinated-omission-correct), so a stalled "
                     "server cannot hide its own delay.",
                     f->base_text, f->n, f->n == 1 ? "" : "s"));
    if (f->n_thresholds == 0)
        return hp_rdoc_para(d, HP_MARK_NOTE, "The file states no thresholds: runs are measured "
                                             "but not judged. Add thresholds: to gate a build.");
    static const char *const hdr[] = {"Objective", "For", "Must hold", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    for (int i = 0; i < f->n_thresholds; i++) {
        char sel[200], cond[HP_THRESHOLD_TEXT_MAX];
        selection(&f->thresholds[i], sel, sizeof sel);
        condition(&f->thresholds[i], cond, sizeof cond);
        const char *cells[] = {metric_words(hp_threshold_metric_name(&f->thresholds[i])), sel, cond};
        TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
    }
    return 0;
}

/* The executor's value over the run: (start, first value), then each stage's
 * end and target. */
static int profile(struct hp_series *s, const struct hp_scenario *sc)
{
    const struct hp_load_config *c = &sc->cfg;
    double t = (double)sc->start_ns / 1e9;
    if (c->open_model || c->ramp_connections) {
        TRY(hp_series_add(s, t, c->stages.start_value));
        for (int k = 0; k < c->stages.n; k++) {
            t += c->stages.dur_s[k];
            TRY(hp_series_add(s, t, c->stages.target[k]));
        }
        return 0;
    }
    TRY(hp_series_add(s, t, c->connections));
    return hp_series_add(s, t + (double)c->duration_ns / 1e9, c->connections);
}

static int scenarios(struct hp_rdoc *d, const struct hp_scenario_file *f)
{
    TRY(hp_rdoc_heading(d, 2, "Scenarios and load profiles"));
    static const char *const hdr[] = {"Scenario", "Executor", "Requests (share)", "Think time",
                                      "Data", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    int open = 0, closed = 0;
    for (int i = 0; i < f->n; i++) {
        const struct hp_scenario *sc = f->sc[i];
        char ex[300], reqs[1024] = "", think[64], data[300];
        hp_scenario_describe(sc, ex, sizeof ex);
        double sum = 0;
        for (int k = 0; k < sc->n_requests; k++)
            sum += sc->mix[k].weight;
        size_t len = 0;
        for (int k = 0; k < sc->n_requests && len < sizeof reqs - 1; k++) {
            int w = snprintf(reqs + len, sizeof reqs - len, "%s%s (%.0f%%)", k ? ", " : "",
                             sc->request_names[k], sum > 0 ? 100 * sc->mix[k].weight / sum : 0);
            if (w < 0)
                break;
            len += (size_t)w;
        }
        if (sc->cfg.think) {
            char m[32];
            snprintf(think, sizeof think, "mean %s",
                     hp_format_duration((int64_t)hp_dist_mean(&sc->cfg.think_dist), m, sizeof m));
        } else {
            snprintf(think, sizeof think, "none");
        }
        static const char *const picks[] = {"sequential", "random", "unique"};
        if (sc->has_data)
            snprintf(data, sizeof data, "%s, %lld rows, %s", sc->data_file, (long long)sc->data.rows,
                     picks[sc->cfg.data_pick]);
        else
            snprintf(data, sizeof data, "none");
        const char *cells[] = {sc->name, ex, reqs, think, data};
        TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
        open += sc->cfg.open_model;
        closed += !sc->cfg.open_model;
    }
    if (open) {
        struct hp_chart *c = hp_rdoc_chart(d, "profile-rate", "Arrival rate over the run (open model)",
                                           "time since start", "s", "requests per second", "1/s");
        NEED(c);
        for (int i = 0; i < f->n; i++)
            if (f->sc[i]->cfg.open_model) {
                struct hp_series *s = hp_chart_series(c, f->sc[i]->name, HP_DRAW_BOTH);
                NEED(s);
                TRY(profile(s, f->sc[i]));
            }
    }
    if (closed) {
        struct hp_chart *c = hp_rdoc_chart(d, "profile-connections",
                                           "Connections over the run (closed model)",
                                           "time since start", "s", "connections", "count");
        NEED(c);
        for (int i = 0; i < f->n; i++)
            if (!f->sc[i]->cfg.open_model) {
                struct hp_series *s = hp_chart_series(c, f->sc[i]->name, HP_DRAW_BOTH);
                NEED(s);
                TRY(profile(s, f->sc[i]));
            }
    }
    return 0;
}

static int slos(struct hp_rdoc *d, const struct hp_scenario_file *f)
{
    TRY(hp_rdoc_heading(d, 2, "Service level objectives"));
    if (f->n_thresholds == 0)
        return hp_rdoc_para(d, HP_MARK_NOTE, "None are stated in %s.", f->path);
    static const char *const hdr[] = {"Threshold", "Metric", "Selection", "Condition",
                                      "On failure", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    for (int i = 0; i < f->n_thresholds; i++) {
        const struct hp_threshold *th = &f->thresholds[i];
        char sel[200], cond[HP_THRESHOLD_TEXT_MAX], fail[96], m[32];
        selection(th, sel, sizeof sel);
        condition(th, cond, sizeof cond);
        if (th->abort_on_fail && th->abort_delay_ns > 0)
            snprintf(fail, sizeof fail, "stop the run (judged from %s on)",
                     hp_format_duration(th->abort_delay_ns, m, sizeof m));
        else if (th->abort_on_fail)
            snprintf(fail, sizeof fail, "stop the run at once");
        else
            snprintf(fail, sizeof fail, "fail at the end (exit 99)");
        const char *cells[] = {th->text, hp_threshold_metric_name(th), sel, cond, fail};
        TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
    }
    return 0;
}

static int environments(struct hp_rdoc *d, const struct hp_scenario_file *f)
{
    TRY(hp_rdoc_heading(d, 2, "Environments"));
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    TRY(hp_rdoc_kv(kv, "System under test", "%s", f->base_text));
    bool loopback = strcmp(f->base.host, "localhost") == 0 || strncmp(f->base.host, "127.", 4) == 0 ||
                    strcmp(f->base.host, "::1") == 0;
    struct utsname u;
    char host[256] = "?";
    gethostname(host, sizeof host - 1);
    if (uname(&u) == 0)
        TRY(hp_rdoc_kv(kv, "Load generator", "%s: %ld CPUs, %s %s %s", host,
                       sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release, u.machine));
    TRY(hp_rdoc_kv(kv, "Network", "%s", loopback
                   ? "loopback: the generator shares this machine's CPUs with the target, so "
                     "results measure both; run it from another machine for production figures"
                   : "over the network from the generator to the target: record the path "
                     "(same rack, region, through a load balancer) with the results"));
    for (int i = 0; i < f->n; i++)
        if (f->sc[i]->has_data)
            TRY(hp_rdoc_kv(kv, "Test data", "%s (%lld rows, scenario %s)", f->sc[i]->data_file,
                           (long long)f->sc[i]->data.rows, f->sc[i]->name));
    int conns = 0;
    for (int i = 0; i < f->n; i++)
        conns += f->sc[i]->cfg.connections;
    return hp_rdoc_kv(kv, "Sizing", "up to %d connections at once over all scenarios: the "
                                     "generator needs as many file descriptors (ulimit -n)", conns);
}

static int ci_gates(struct hp_rdoc *d, const struct hp_scenario_file *f)
{
    TRY(hp_rdoc_heading(d, 2, "CI gates"));
    TRY(hp_rdoc_para(d, HP_MARK_NONE, "Validate the file (and its data and body files) "
                                      "without sending, then run the gate; keep result.json as "
                                      "the job's artifact and the report as its page:"));
    TRY(hp_rdoc_para(d, HP_MARK_CODE,
                     "hotpath load --check %s\n"
                     "hotpath load %s --json result.json --junit junit.xml --summary-md summary.md\n"
                     "hotpath report --as test-report result.json -o report.html",
                     f->path, f->path));
    static const char *const hdr[] = {"Exit status", "Meaning", "The job", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    static const char *const rows[][3] = {
        {"0", "every threshold passed", "passes"},
        {"99", "a threshold failed (the run itself worked)", "fails as a performance regression"},
        {"1", "the run failed: target unreachable, nothing answered", "fails as broken"},
        {"2", "the scenario file or command line is wrong", "fails as broken"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        TRY(hp_rtable_row(t, i == 0 ? HP_MARK_PASS : HP_MARK_FAIL, rows[i]));
    int aborts = 0;
    for (int i = 0; i < f->n_thresholds; i++)
        aborts += f->thresholds[i].abort_on_fail;
    if (aborts)
        TRY(hp_rdoc_para(d, HP_MARK_NOTE, "%d threshold%s stop%s the run as soon as %s fail%s, so "
                                          "a broken build does not hold the pipeline for the "
                                          "whole test.",
                         aborts, aborts == 1 ? "" : "s", aborts == 1 ? "s" : "",
                         aborts == 1 ? "it" : "they", aborts == 1 ? "s" : ""));
    return 0;
}

static int tools(struct hp_rdoc *d, const char *version)
{
    TRY(hp_rdoc_heading(d, 2, "Tools"));
    static const char *const hdr[] = {"Tool", "Used for", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    char hp[64];
    snprintf(hp, sizeof hp, "hotpath %s: load", version);
    const char *rows[][2] = {
        {hp, "load generation: closed and open models, coordinated-omission-correct latency"},
        {"hotpath report", "the test report (HTML, Markdown) from the result documents"},
        {"hotpath.result/1 documents", "results kept per run: figures, series, histograms"},
        {"HdrHistogram encoding", "full-resolution latency histograms that HdrHistogram's own "
                                  "tools read"},
        {"JUnit XML", "the thresholds as test cases for the CI system's test view"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        TRY(hp_rtable_row(t, HP_MARK_NONE, rows[i]));
    return 0;
}

int hp_report_strategy(const struct hp_scenario_file *f, const char *version, struct hp_rdoc **out,
                       struct hp_err *err)
{
    *out = NULL;
    struct hp_rdoc *d = hp_rdoc_new("Performance Test Strategy");
    if (!d)
        return hp_err_set(err, -ENOMEM, "out of memory");
    char sub[3000];
    snprintf(sub, sizeof sub, "From %s: %d scenario%s against %s", f->path, f->n,
             f->n == 1 ? "" : "s", f->base_text);
    int rc = hp_rdoc_subtitle(d, sub);
    rc = rc ? rc : objectives(d, f);
    rc = rc ? rc : scenarios(d, f);
    rc = rc ? rc : slos(d, f);
    rc = rc ? rc : environments(d, f);
    rc = rc ? rc : ci_gates(d, f);
    rc = rc ? rc : tools(d, version);
    if (rc < 0) {
        hp_rdoc_free(d);
        return hp_err_set(err, rc, "out of memory");
    }
    *out = d;
    return 0;
}
