// SPDX-License-Identifier: MIT
/* src/cmd_load.c - `hotpath load`: options, progress, summary and the result
 * document around net/load.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_gate.h"
#include "load_common.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/result.h"
#include "stat/hist_result.h"
#include "core/units.h"
#include "load/load.h"
#include "http/url.h"
#include "stat/hlog.h"
#include "sys/monitor.h"

#define MAX_HEADERS 64
#define MAX_BODY_BYTES (16u * 1024 * 1024)

enum { O_CONNECTIONS = 1, O_THREADS, O_DURATION, O_HEADER, O_LATENCY, O_TIMEOUT, O_METHOD,
       O_BODY, O_UNIX, O_PIPELINE, O_RPC, O_RATE, O_ARRIVAL, O_GRACE, O_JSON, O_SEED,
       O_CONNECT_TIMEOUT, O_HDR_LOG, O_STAGES, O_MODEL, O_THRESHOLD, O_JUNIT, O_SUMMARY_MD, O_CHECK, O_SCRIPT,
       O_MONITOR };

static const struct cli_opt load_opts[] = {
    {O_CONNECTIONS, "connections", 'c', "N",
     "Connections to keep open (closed model), or the cap on requests in flight (open model). "
     "Default 10."},
    {O_THREADS, "threads", 't', "N", "Worker threads, each with its own event loop. Default 2."},
    {O_DURATION, "duration", 'd', "DURATION", "How long to send, e.g. 30s, 2m. Default 10s."},
    {O_HEADER, "header", 'H', "'NAME: VALUE'",
     "Add a header to every request (repeatable). A Host header replaces the URL's."},
    {O_LATENCY, "latency", 0, NULL,
     "Print the latency percentiles and the full percentile spectrum."},
    {O_TIMEOUT, "timeout", 0, "DURATION",
     "A request unanswered this long is an error and is recorded at this latency. Default 2s."},
    {O_METHOD, "method", 'm', "METHOD", "Request method. Default GET."},
    {O_BODY, "body", 0, "TEXT|@FILE", "Request body, inline or read from FILE."},
    {O_UNIX, "unix-socket", 0, "PATH",
     "Connect to this unix socket instead of the URL's host (the URL still gives Host and path)."},
    {O_PIPELINE, "pipeline", 0, "N", "Requests in flight per connection. Default 1."},
    {O_RPC, "requests-per-conn", 0, "N",
     "Close and reconnect after N answers on a connection (0: keep alive forever). Default 0."},
    {O_RATE, "rate", 'R', "RATE",
     "Open model: send RATE requests per second in total on a fixed schedule (e.g. 2000, 2k/s), "
     "whatever the answers; latency is measured from the schedule. Without it, the closed model."},
    {O_STAGES, "stages", 0, "D:N,...",
     "A load profile, e.g. 30s:100,1m:100,30s:0: each stage ramps linearly from the previous "
     "target (0 at first) to its own over its duration. Closed model: N is connections (-c "
     "defaults to the largest). Open model (--model open): N is requests per second. Sets the "
     "duration."},
    {O_MODEL, "model", 0, "closed|open",
     "The load model. Default closed, or open when --rate is given."},
    {O_ARRIVAL, "arrival", 0, "constant|poisson",
     "Open model: evenly spaced requests or Poisson arrivals. Default constant."},
    {O_GRACE, "grace", 0, "DURATION",
     "After the end (or Ctrl-C), wait this long for answers in flight. Default: the timeout."},
    {O_CONNECT_TIMEOUT, "connect-timeout", 0, "DURATION", "Default: the request timeout."},
    {O_JSON, "json", 0, "FILE", "Write the result document (hotpath.result/1) to FILE."},
    {O_HDR_LOG, "hdr-log", 0, "FILE",
     "Write each second's latency histogram to FILE in HdrHistogram's interval log format "
     "(from the schedule untagged, from the send as Tag=uncorrected)."},
    {O_THRESHOLD, "threshold", 0, "'METRIC: AGG OP VALUE'",
     "A pass/fail criterion, k6's way (repeatable): 'http_req_duration: p(99) < 300ms', "
     "'http_req_failed: rate < 1%', 'http_reqs: rate > 500'. Metrics: http_req_duration "
     "(from the schedule), http_req_duration_uncorrected (from the send), scheduler_lag "
     "(avg min max med p(N)); http_req_failed (rate); http_reqs, data_received, data_sent "
     "(count, rate). Add ', abort_on_fail' or ', abort_on_fail=30s' to stop the run as soon "
     "as it fails (not before the delay). Any failure: exit status 99."},
    {O_JUNIT, "junit", 0, "FILE",
     "Write the thresholds as a JUnit XML report (one testcase each) for CI test reporters."},
    {O_SUMMARY_MD, "summary-md", 0, "FILE",
     "Write a Markdown summary (figures and thresholds) for a CI job page."},
    {O_SCRIPT, "script", 's', "FILE.lua",
     "A wrk script (LuaJIT): setup(thread), init(args), request(), response(status, headers, "
     "body), delay(), done(summary, latency, requests) and the wrk table, as wrk runs them. "
     "Arguments after -- go to init(args). See docs/scripting.md."},
    {O_CHECK, "check", 0, NULL,
     "With a scenario file: validate it (and its data and body files), print what would run, "
     "send nothing."},
    {O_SEED, "seed", 0, "N", "Seed of Poisson arrivals and random picks. Default 1."},
    {O_MONITOR, "monitor", 0, "PID",
     "Record USE-method samples of the machine and of process PID (the server under test) "
     "every second alongside the test, as hotpath monitor does; the summary names the "
     "resource that saturated first, and --json gets the series."},
    {0, NULL, 0, NULL, NULL},
};

struct load_run {
    const char *url_text;
    struct hp_url url;
    struct hp_load_config cfg;
    double rate;        /* --rate, or 0 */
    double target_rate; /* open model: what the profile asks for on average */
    const char *stages_text;
    const char *headers[MAX_HEADERS];
    int n_headers;
    const char *method;
    char *body;
    size_t body_len;
    const char *json;
    const char *hdr_log_path;
    struct hp_hlog *hlog;
    const char *unix_path;
    bool latency;
    struct hp_result *doc;
    bool tty;
    struct cli_gate gate;
    const char *junit, *summary_md;
    int monitor_pid;
    struct hp_mon *mon;
    struct hp_mon_summary mon_sum;
    int64_t mon_next;
    bool mon_gone;
};

/* A monitor sample when one is due: into the summary and the document. */
static int monitor_tick(struct load_run *run)
{
    int64_t now = hp_now_ns();
    if (!run->mon || run->mon_gone || now < run->mon_next)
        return 0;
    run->mon_next += HP_NS_PER_S;
    struct hp_mon_point pt;
    int rc = hp_mon_sample(run->mon, now, &pt);
    if (rc == -ESRCH) {
        run->mon_gone = true;
        fprintf(stderr, "hotpath load: the monitored process %d ended\n", run->monitor_pid);
        return 0;
    }
    if (rc != 1)
        return 0;
    hp_mon_summary_add(&run->mon_sum, &pt);
    return run->doc ? hp_mon_record(run->doc, &pt, 0) : 0;
}

/* abort_on_fail: judge the run so far (the engine's totals, which grow as
 * intervals are polled); true when a threshold says stop. */
static bool gate_so_far(struct load_run *run, const struct hp_load *l, double t_s)
{
    const struct hp_load_figures *t = hp_load_totals(l);
    struct hp_metric_set m;
    load_metric_set(&t->counts, t->corrected, t->uncorrected,
                    run->cfg.open_model ? t->lag : NULL, t_s, &m);
    return cli_gate_should_abort(&run->gate, &m, t_s);
}

static int write_summary_md(struct load_run *run, const struct hp_load_figures *t, double secs,
                            struct hp_err *err)
{
    const struct hp_load_counts *c = &t->counts;
    char *text = NULL;
    size_t len = 0;
    char a[32], b[32], d[32], e[32];
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return hp_err_set(err, -ENOMEM, "out of memory");
    fprintf(f, "# Load test: %s\n\n", run->url_text);
    fprintf(f, "%s model, %d threads, %d connections%s, %.3gs.\n\n",
            run->cfg.open_model ? "Open" : "Closed", run->cfg.threads, run->cfg.connections,
            run->cfg.open_model ? " at most in flight" : "", secs);
    fprintf(f, "| requests | requests/s | errors | p50 | p90 | p99 | max |\n"
               "| --- | --- | --- | --- | --- | --- | --- |\n");
    fprintf(f, "| %" PRId64 " | %.1f | %" PRId64 " | %s | %s | %s | %s |\n", c->requests,
            secs > 0 ? (double)c->requests / secs : 0, hp_load_error_total(c),
            hp_format_duration(hp_hist_value_at_percentile(t->corrected, 50), a, sizeof a),
            hp_format_duration(hp_hist_value_at_percentile(t->corrected, 90), b, sizeof b),
            hp_format_duration(hp_hist_value_at_percentile(t->corrected, 99), d, sizeof d),
            hp_format_duration(hp_hist_max(t->corrected), e, sizeof e));
    if (hp_load_error_total(c)) {
        fprintf(f, "\n| error | count |\n| --- | --- |\n");
        for (int k = 0; k < HP_LERR_COUNT; k++)
            if (c->errors[k])
                fprintf(f, "| %s | %" PRId64 " |\n", hp_load_error_name((enum hp_load_error)k),
                        c->errors[k]);
    }
    cli_gate_markdown(&run->gate, f);
    if (run->gate.aborted_by >= 0)
        fprintf(f, "\nStopped early: `%s` failed.\n", run->gate.thr[run->gate.aborted_by].text);
    if (fclose(f) != 0) {
        free(text);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    int rc = hp_file_write_atomic(run->summary_md, text, len, err);
    free(text);
    return rc;
}

static void print_progress(const struct load_run *run, const struct hp_load_figures *f)
{
    char a[32], b[32], c[32];
    double secs = f->end_s - f->start_s;
    double rate = secs > 0 ? (double)f->counts.requests / secs : 0;
    fprintf(stderr, "\r\033[K[%5.1fs/%.0fs] %s  p99 %s  errors %" PRId64, f->end_s,
            (double)run->cfg.duration_ns / 1e9, hp_format_rate(rate, a, sizeof a),
            hp_format_duration(hp_hist_value_at_percentile(f->corrected, 99), b, sizeof b),
            hp_load_error_total(&f->counts));
    if (run->cfg.open_model)
        fprintf(stderr, "  lag p99 %s",
                hp_format_duration(hp_hist_value_at_percentile(f->lag, 99), c, sizeof c));
    fflush(stderr);
}

static int series(struct load_run *run, const struct hp_load_figures *f)
{
    double secs = f->end_s - f->start_s, t = f->end_s;
    int rc = 0;
    if (secs <= 0)
        secs = 1e-9;
    rc = rc ? rc : hp_result_series_point(run->doc, "requests_per_s", "1/s", t,
                                          (double)f->counts.requests / secs);
    rc = rc ? rc : hp_result_series_point(run->doc, "errors_per_s", "1/s", t,
                                          (double)hp_load_error_total(&f->counts) / secs);
    rc = rc ? rc : hp_result_series_point(run->doc, "bytes_read_per_s", "bytes/s", t,
                                          (double)f->counts.bytes_read / secs);
    static const struct { const char *name; double p; } pcts[] = {
        {"latency_p50_ns", 50}, {"latency_p90_ns", 90}, {"latency_p99_ns", 99},
        {"latency_max_ns", 100},
    };
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0] && rc == 0; i++)
        rc = hp_result_series_point(run->doc, pcts[i].name, "ns", t,
                                    f->corrected->total_count == 0 ? NAN /* null: no answers */
                                    : (double)hp_hist_value_at_percentile(f->corrected, pcts[i].p));
    if (run->cfg.open_model && rc == 0)
        rc = hp_result_series_point(run->doc, "lag_p99_ns", "ns", t,
                                    f->lag->total_count == 0 ? NAN
                                    : (double)hp_hist_value_at_percentile(f->lag, 99));
    return rc;
}

static void print_summary(const struct load_run *run, const struct hp_load_figures *t,
                          double elapsed)
{
    const struct hp_load_counts *c = &t->counts;
    char a[32], b[32], d[32];
    bool open = run->cfg.open_model;

    printf("  %-12s %9s %9s %9s %9s %9s %9s\n", "", "avg", "stdev", "p50", "p90", "p99", "max");
    if (open) {
        load_print_latency_row("Latency", t->corrected);
        load_print_latency_row("  from send", t->uncorrected);
        load_print_latency_row("Sched. lag", t->lag);
    } else {
        load_print_latency_row("Latency", t->corrected);
    }
    if (run->latency) {
        static const double pcts[] = {50, 75, 90, 99, 99.9, 99.99, 99.999, 100};
        printf("  Latency Distribution%s\n", open ? " (from the schedule)" : "");
        for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
            printf("  %7g%%  %s\n", pcts[i],
                   hp_format_duration(hp_hist_value_at_percentile(t->corrected, pcts[i]), a,
                                      sizeof a));
        printf("\n  Detailed Percentile spectrum (ms):\n");
        hp_hist_print_spectrum(t->corrected, stdout, 5, 1e6);
        printf("\n");
    }
    printf("  %" PRId64 " requests in %.2fs, %s read\n", c->requests, elapsed,
           hp_format_size(c->bytes_read, a, sizeof a));
    int64_t errors = hp_load_error_total(c);
    if (errors || c->unanswered) {
        printf("  Errors:");
        for (int e = 0; e < HP_LERR_COUNT; e++)
            if (c->errors[e])
                printf(" %s %" PRId64, hp_load_error_name((enum hp_load_error)e), c->errors[e]);
        if (c->unanswered)
            printf(" (unanswered at the end: %" PRId64 ")", c->unanswered);
        printf("\n");
    }
    if (c->reconnects)
        printf("  Reconnects: %" PRId64 "\n", c->reconnects);
    if (open) {
        double achieved = elapsed > 0 ? (double)c->sent / (double)run->cfg.duration_ns * 1e9 : 0;
        printf("  Rate: target %s, sent %s; late %" PRId64 ", never sent %" PRId64 "\n",
               hp_format_rate(run->target_rate, a, sizeof a),
               hp_format_rate(achieved, b, sizeof b), c->late, c->unsent);
        int64_t lag99 = hp_hist_value_at_percentile(t->lag, 99);
        if (lag99 > HP_NS_PER_MS)
            fprintf(stderr, "hotpath load: warning: scheduler lag p99 is %s (over 1ms): the "
                            "generator is saturated; use more threads or a lower rate\n",
                    hp_format_duration(lag99, d, sizeof d));
    }
    printf("Requests/sec: %10.2f\n", elapsed > 0 ? (double)c->requests / elapsed : 0);
    printf("Transfer/sec: %10s\n",
           hp_format_size((int64_t)(elapsed > 0 ? (double)c->bytes_read / elapsed : 0), a,
                          sizeof a));
}

static int build_doc(struct load_run *run)
{
    struct hp_result *r = NULL;
    int rc = hp_result_new("load", &r);
    if (rc < 0)
        return rc;
    run->doc = r;
    rc = hp_result_config_str(r, "url", run->url_text);
    rc = rc ? rc : hp_result_config_str(r, "method", run->method);
    for (int i = 0; i < run->n_headers && rc == 0; i++)
        rc = hp_result_config_header(r, run->headers[i]);
    rc = rc ? rc : hp_result_config_int(r, "body_bytes", (int64_t)run->body_len);
    rc = rc ? rc : hp_result_config_str(r, "model", run->cfg.open_model ? "open" : "closed");
    rc = rc ? rc : hp_result_config_int(r, "threads", run->cfg.threads);
    rc = rc ? rc : hp_result_config_int(r, "connections", run->cfg.connections);
    rc = rc ? rc : hp_result_config_int(r, "duration_ns", run->cfg.duration_ns);
    rc = rc ? rc : hp_result_config_int(r, "timeout_ns", run->cfg.timeout_ns);
    rc = rc ? rc : hp_result_config_int(r, "pipeline", run->cfg.pipeline);
    rc = rc ? rc : hp_result_config_int(r, "requests_per_conn", run->cfg.requests_per_conn);
    if (run->cfg.open_model) {
        if (run->rate > 0)
            rc = rc ? rc : hp_result_config_real(r, "rate_per_s", run->rate);
        rc = rc ? rc : hp_result_config_str(r, "arrival", run->cfg.poisson ? "poisson" : "constant");
    }
    if (run->stages_text)
        rc = rc ? rc : hp_result_config_str(r, "stages", run->stages_text);
    if (run->unix_path)
        rc = rc ? rc : hp_result_config_str(r, "unix_socket", run->unix_path);
    return rc;
}

static int finish_doc(struct load_run *run, const struct hp_load_figures *t, double elapsed,
                      struct hp_err *err)
{
    struct hp_result *r = run->doc;
    const struct hp_load_counts *c = &t->counts;
    int rc = 0;
    char name[64];

    hp_result_set_duration(r, elapsed);
    rc = rc ? rc : hp_result_metric(r, "requests", (double)c->requests, "count");
    rc = rc ? rc : hp_result_metric(r, "requests_per_s", elapsed > 0 ? (double)c->requests / elapsed : 0, "1/s");
    rc = rc ? rc : hp_result_metric(r, "sent", (double)c->sent, "count");
    rc = rc ? rc : hp_result_metric(r, "bytes_read", (double)c->bytes_read, "bytes");
    rc = rc ? rc : hp_result_metric(r, "bytes_written", (double)c->bytes_written, "bytes");
    rc = rc ? rc : hp_result_metric(r, "transfer_bytes_per_s", elapsed > 0 ? (double)c->bytes_read / elapsed : 0, "bytes/s");
    rc = rc ? rc : hp_result_metric(r, "errors", (double)hp_load_error_total(c), "count");
    for (int e = 0; e < HP_LERR_COUNT && rc == 0; e++) {
        snprintf(name, sizeof name, "errors_%s", hp_load_error_name((enum hp_load_error)e));
        rc = hp_result_metric(r, name, (double)c->errors[e], "count");
    }
    for (int k = 1; k <= 5 && rc == 0; k++) {
        snprintf(name, sizeof name, "status_%dxx", k);
        rc = hp_result_metric(r, name, (double)c->status[k], "count");
    }
    rc = rc ? rc : hp_result_metric(r, "connects", (double)c->connects, "count");
    rc = rc ? rc : hp_result_metric(r, "reconnects", (double)c->reconnects, "count");
    rc = rc ? rc : hp_result_metric(r, "unanswered", (double)c->unanswered, "count");
    if (run->cfg.open_model) {
        rc = rc ? rc : hp_result_metric(r, "target_rate_per_s", run->target_rate, "1/s");
        rc = rc ? rc : hp_result_metric(r, "sent_rate_per_s", (double)c->sent / ((double)run->cfg.duration_ns / 1e9), "1/s");
        rc = rc ? rc : hp_result_metric(r, "late", (double)c->late, "count");
        rc = rc ? rc : hp_result_metric(r, "unsent", (double)c->unsent, "count");
        rc = rc ? rc : hp_result_metric(r, "lag_p99_ns", (double)hp_hist_value_at_percentile(t->lag, 99), "ns");
    }
    static const struct { const char *name; double p; } pcts[] = {
        {"latency_p50_ns", 50}, {"latency_p90_ns", 90}, {"latency_p99_ns", 99},
        {"latency_p99_9_ns", 99.9}, {"latency_max_ns", 100},
    };
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0] && rc == 0; i++)
        rc = hp_result_metric(r, pcts[i].name, (double)hp_hist_value_at_percentile(t->corrected, pcts[i].p), "ns");
    rc = rc ? rc : hp_result_histogram(r, "latency", "ns", t->corrected);
    rc = rc ? rc : hp_result_histogram(r, "latency_uncorrected", "ns", t->uncorrected);
    if (run->cfg.open_model)
        rc = rc ? rc : hp_result_histogram(r, "scheduler_lag", "ns", t->lag);
    if (rc < 0)
        return hp_err_set(err, rc, "building the result document: %s", hp_strerror(rc));
    return hp_result_write(r, run->json, err);
}

static int read_body(const struct hp_cmd *cmd, const char *v, struct load_run *run)
{
    struct hp_err err;
    if (v[0] == '@') {
        int rc = hp_file_read(v + 1, MAX_BODY_BYTES, &run->body, &run->body_len, &err);
        if (rc < 0)
            return cli_fail(cmd, rc, &err);
        return 0;
    }
    run->body = hp_strdup(v);
    if (!run->body)
        return cli_fail(cmd, -ENOMEM, NULL);
    run->body_len = strlen(v);
    return 0;
}

static int run_load(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct load_run run = {.method = "GET"};
    struct hp_load_config *cfg = &run.cfg;
    struct cli_parser p;
    struct hp_err err = {0};
    struct hp_load *l = NULL;
    const char *v;
    int64_t n, grace_ns = -1, connect_timeout_ns = -1;
    int model = 0; /* 0: by --rate, 1 closed, 2 open */
    bool connections_given = false, duration_given = false;
    int id, rc, exit_code = HP_EXIT_OK;
    char *request = NULL;
    const char *engine_flag = NULL; /* the first flag a scenario file sets itself */
    const char *thresholds[CLI_GATE_MAX];
    int n_thresholds = 0;
    bool check_only = false;
    const char *script_path = NULL;
    const char *script_args[64];
    int n_script_args = 0;
    struct hp_script *script = NULL;
    double *rates = NULL;
    int n_rates = 0, cap_rates = 0;
    bool pipeline_given = false;

    cfg->threads = 2;
    cfg->connections = 10;
    cfg->duration_ns = 10 * HP_NS_PER_S;
    cfg->timeout_ns = 2 * HP_NS_PER_S;
    cfg->pipeline = 1;
    cfg->interval_ns = HP_NS_PER_S;
    cfg->seed = 1;
    cli_gate_init(&run.gate);

    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case O_CONNECTIONS: case O_THREADS: case O_DURATION: case O_HEADER: case O_METHOD:
        case O_BODY: case O_UNIX: case O_PIPELINE: case O_RPC: case O_RATE: case O_STAGES:
        case O_MODEL: case O_ARRIVAL: case O_HDR_LOG: case O_TIMEOUT: case O_CONNECT_TIMEOUT:
            for (const struct cli_opt *o = load_opts; !engine_flag && o->name; o++)
                if (o->id == id)
                    engine_flag = o->name;
            break;
        default:
            break;
        }
        switch (id) {
        case CLI_ERROR:
            exit_code = HP_EXIT_USAGE;
            goto out;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            goto out;
        case CLI_POSITIONAL:
            if (run.url_text && p.only_positional) { /* after --: the script's */
                if (n_script_args >= 64) {
                    exit_code = cli_usage_error(cmd, "at most 64 arguments after --");
                    goto out;
                }
                script_args[n_script_args++] = v;
                break;
            }
            if (run.url_text) {
                exit_code = cli_usage_error(cmd, "unexpected argument '%s' (one URL only)", v);
                goto out;
            }
            run.url_text = v;
            break;
        case O_CONNECTIONS:
            if (!cli_int(cmd, "connections", v, 1, 1000000, &n))
                goto usage;
            cfg->connections = (int)n;
            connections_given = true;
            break;
        case O_THREADS:
            if (!cli_int(cmd, "threads", v, 1, HP_LOAD_MAX_THREADS, &n))
                goto usage;
            cfg->threads = (int)n;
            break;
        case O_DURATION:
            if (!cli_duration(cmd, "duration", v, &cfg->duration_ns))
                goto usage;
            if (cfg->duration_ns <= 0) {
                exit_code = cli_usage_error(cmd, "--duration: must be above 0");
                goto out;
            }
            duration_given = true;
            break;
        case O_HEADER:
            if (run.n_headers >= MAX_HEADERS) {
                exit_code = cli_usage_error(cmd, "--header: at most %d headers", MAX_HEADERS);
                goto out;
            }
            run.headers[run.n_headers++] = v;
            break;
        case O_LATENCY:
            run.latency = true;
            break;
        case O_TIMEOUT:
            if (!cli_duration(cmd, "timeout", v, &cfg->timeout_ns))
                goto usage;
            if (cfg->timeout_ns <= 0) {
                exit_code = cli_usage_error(cmd, "--timeout: must be above 0");
                goto out;
            }
            break;
        case O_METHOD:
            run.method = v;
            break;
        case O_BODY:
            hp_free(run.body);
            run.body = NULL;
            if ((rc = read_body(cmd, v, &run)) != 0) {
                exit_code = rc;
                goto out;
            }
            break;
        case O_UNIX:
            run.unix_path = v;
            break;
        case O_PIPELINE:
            if (!cli_int(cmd, "pipeline", v, 1, HP_LOAD_MAX_PIPELINE, &n))
                goto usage;
            cfg->pipeline = (int)n;
            pipeline_given = true;
            break;
        case O_RPC:
            if (!cli_int(cmd, "requests-per-conn", v, 0, INT64_MAX, &n))
                goto usage;
            cfg->requests_per_conn = n;
            break;
        case O_RATE: {
            struct hp_err e2;
            if (hp_parse_rate(v, &run.rate, &e2) < 0) {
                exit_code = cli_usage_error(cmd, "--rate: %s", e2.msg);
                goto out;
            }
            if (run.rate <= 0) {
                exit_code = cli_usage_error(cmd, "--rate: must be above 0");
                goto out;
            }
            break;
        }
        case O_STAGES:
            run.stages_text = v;
            break;
        case O_MODEL:
            if (strcmp(v, "open") == 0)
                model = 2;
            else if (strcmp(v, "closed") == 0)
                model = 1;
            else {
                exit_code = cli_usage_error(cmd, "--model: '%s' (expected closed or open)", v);
                goto out;
            }
            break;
        case O_ARRIVAL:
            if (strcmp(v, "poisson") == 0)
                cfg->poisson = true;
            else if (strcmp(v, "constant") == 0)
                cfg->poisson = false;
            else {
                exit_code = cli_usage_error(cmd, "--arrival: '%s' (expected constant or poisson)", v);
                goto out;
            }
            break;
        case O_GRACE:
            if (!cli_duration(cmd, "grace", v, &grace_ns))
                goto usage;
            break;
        case O_CONNECT_TIMEOUT:
            if (!cli_duration(cmd, "connect-timeout", v, &connect_timeout_ns))
                goto usage;
            break;
        case O_JSON:
            run.json = v;
            break;
        case O_HDR_LOG:
            run.hdr_log_path = v;
            break;
        case O_SEED:
            if (!cli_int(cmd, "seed", v, 0, INT64_MAX, &n))
                goto usage;
            cfg->seed = (uint64_t)n;
            break;
        case O_MONITOR:
            if (!cli_int(cmd, "monitor", v, 1, INT32_MAX, &n))
                goto usage;
            run.monitor_pid = (int)n;
            break;
        case O_CHECK:
            check_only = true;
            break;
        case O_SCRIPT:
            script_path = v;
            break;
        case O_THRESHOLD:
            if (n_thresholds < CLI_GATE_MAX)
                thresholds[n_thresholds++] = v;
            if (!cli_gate_add(cmd, &run.gate, v))
                goto usage;
            break;
        case O_JUNIT:
            run.junit = v;
            break;
        case O_SUMMARY_MD:
            run.summary_md = v;
            break;
        }
    }
    if (!run.url_text) {
        exit_code = cli_usage_error(cmd, "a URL or a scenario file is needed (e.g. hotpath load "
                                         "http://127.0.0.1:8080/)");
        goto out;
    }
    if (!strstr(run.url_text, "://")) {
        /* A scenario file: it sets the target, the executors and the requests. */
        if (engine_flag) {
            exit_code = cli_usage_error(cmd, "--%s: a scenario file sets connections, rates, "
                                        "durations and requests itself (write them in %s)",
                                        engine_flag, run.url_text);
            goto out;
        }
        struct load_scenario_opts so = {
            .path = run.url_text, .check_only = check_only, .latency = run.latency,
            .json = run.json, .junit = run.junit, .summary_md = run.summary_md,
            .thresholds = thresholds, .n_thresholds = n_thresholds, .grace_ns = grace_ns,
            .seed = cfg->seed,
        };
        exit_code = load_scenarios(cmd, &so);
        goto out;
    }
    if (check_only) {
        exit_code = cli_usage_error(cmd, "--check validates a scenario file, not a URL");
        goto out;
    }
    for (int i = 0; i < run.gate.n; i++)
        if (run.gate.thr[i].tag_key[0]) {
            exit_code = cli_usage_error(cmd, "--threshold '%s': a single-URL test has no "
                                        "request names or scenarios to select (they come "
                                        "from scenario files)", thresholds[i]);
            goto out;
        }
    if ((rc = hp_url_parse(run.url_text, &run.url, &err)) < 0) {
        exit_code = cli_usage_error(cmd, "%s", err.msg);
        goto out;
    }
    if (model == 1 && run.rate > 0) {
        exit_code = cli_usage_error(cmd, "--rate asks for the open model, --model closed for "
                                    "the closed one: choose one");
        goto out;
    }
    cfg->open_model = model == 2 || (model == 0 && run.rate > 0);
    if (run.stages_text) {
        struct hp_err e2;
        if (run.rate > 0) {
            exit_code = cli_usage_error(cmd, "--rate and --stages both set the rate: use "
                                        "--stages with --model open");
            goto out;
        }
        if (duration_given) {
            exit_code = cli_usage_error(cmd, "--duration and --stages both set the duration: "
                                        "the stages add up to it");
            goto out;
        }
        if (hp_stages_parse(run.stages_text, &cfg->stages, &e2) < 0) {
            exit_code = cli_usage_error(cmd, "--stages: %s", e2.msg);
            goto out;
        }
        cfg->duration_ns = (int64_t)(hp_stages_duration_s(&cfg->stages) * 1e9 + 0.5);
        if (!cfg->open_model) {
            int most = (int)ceil(hp_stages_max(&cfg->stages));
            if (connections_given && cfg->connections < most) {
                exit_code = cli_usage_error(cmd, "--stages goes up to %d connections but -c is %d",
                                            most, cfg->connections);
                goto out;
            }
            if (!connections_given)
                cfg->connections = most > cfg->threads ? most : cfg->threads;
            cfg->ramp_connections = true;
        }
    } else if (cfg->open_model) {
        if (run.rate <= 0) {
            exit_code = cli_usage_error(cmd, "--model open needs --rate or --stages");
            goto out;
        }
        hp_stages_constant(&cfg->stages, run.rate, (double)cfg->duration_ns / 1e9);
    }
    if (cfg->open_model)
        run.target_rate = hp_stages_count_at(&cfg->stages, (double)cfg->duration_ns / 1e9) /
                          ((double)cfg->duration_ns / 1e9);
    if (cfg->connections < cfg->threads) {
        exit_code = cli_usage_error(cmd, "%d connections for %d threads: use at least one "
                                    "connection per thread (-c %d)", cfg->connections,
                                    cfg->threads, cfg->threads);
        goto out;
    }
    cfg->grace_ns = grace_ns >= 0 ? grace_ns : cfg->timeout_ns;
    cfg->connect_timeout_ns = connect_timeout_ns > 0 ? connect_timeout_ns : cfg->timeout_ns;

    if (run.unix_path) {
        char addr[300];
        snprintf(addr, sizeof addr, "unix:%s", run.unix_path);
        rc = hp_addr_parse(addr, &cfg->addr, &err);
    } else {
        rc = hp_url_addr(&run.url, &cfg->addr, &err);
    }
    if (rc < 0) {
        cli_fail(cmd, rc, &err);
        exit_code = HP_EXIT_FAIL; /* the target cannot be reached: a failed run */
        goto out;
    }
    rc = hp_request_build(run.method, &run.url, run.headers, run.n_headers, run.body,
                          run.body_len, &request, &cfg->request_len, &err);
    if (rc < 0) {
        exit_code = cli_usage_error(cmd, "%s", err.msg);
        goto out;
    }
    cfg->request = request;
    cfg->head_request = strcmp(run.method, "HEAD") == 0;
    if (script_path) {
        /* The script is loaded and set up before anything is sent, so its
         * errors stop the run at file:line. */
        static struct hp_script_target target;
        target = (struct hp_script_target){&run.url, run.method, run.headers, run.n_headers,
                                           run.body, run.body_len};
        if ((rc = hp_script_new(script_path, &target, &script, &err)) < 0 ||
            (rc = hp_script_setup(script, cfg->threads, &cfg->addr, script_args, n_script_args,
                                  &err)) < 0) {
            exit_code = cli_fail(cmd, HP_EPARSE, &err);
            goto out;
        }
        if (pipeline_given && hp_script_pipeline(script) > 1) {
            exit_code = cli_usage_error(cmd, "--pipeline and a script whose request() returns "
                                             "%d requests: keep one", hp_script_pipeline(script));
            goto out;
        }
        if (!pipeline_given)
            cfg->pipeline = hp_script_pipeline(script);
        if (cfg->open_model && cfg->pipeline > 1) {
            exit_code = cli_usage_error(cmd, "the open model sends one request per arrival: "
                                             "request() returns %d", cfg->pipeline);
            goto out;
        }
        cfg->script = script;
        cfg->head_request = hp_script_is_head(script);
    } else if (n_script_args > 0) {
        exit_code = cli_usage_error(cmd, "arguments after -- are for a script (-s FILE.lua)");
        goto out;
    }
    if (run.json && (rc = build_doc(&run)) < 0) {
        exit_code = cli_fail(cmd, rc, NULL);
        goto out;
    }

    sigset_t stop_sigs;
    load_block_stop_signals(&stop_sigs);

    rc = hp_load_new(cfg, &l, &err);
    if (rc < 0) {
        exit_code = cli_fail(cmd, rc, &err);
        goto out;
    }
    run.tty = isatty(STDERR_FILENO);
    printf("Running %s test @ %s\n", hp_format_duration(cfg->duration_ns, (char[32]){0}, 32),
           run.url_text);
    if (cfg->open_model)
        printf("  %d threads, at most %d requests in flight, open model at %s%s (%s)\n",
               cfg->threads, cfg->connections, run.stages_text ? "stages averaging " : "",
               hp_format_rate(run.target_rate, (char[32]){0}, 32),
               cfg->poisson ? "Poisson arrivals" : "constant spacing");
    else if (run.stages_text)
        printf("  %d threads and up to %d connections in stages\n", cfg->threads,
               cfg->connections);
    else
        printf("  %d threads and %d connections%s\n", cfg->threads, cfg->connections,
               cfg->pipeline > 1 ? ", pipelined" : "");
    fflush(stdout);
    int64_t started_wall = hp_wall_ns();
    if (run.doc)
        hp_result_set_started(run.doc, started_wall);
    if (run.hdr_log_path && (rc = hp_hlog_open(run.hdr_log_path, started_wall, &run.hlog, &err)) < 0) {
        exit_code = cli_fail(cmd, rc, &err);
        goto out;
    }
    if (run.monitor_pid) { /* primed as the load starts: its t is the load's */
        rc = hp_mon_new(run.monitor_pid, &run.mon);
        if (rc < 0) {
            exit_code = rc == -ESRCH
                            ? cli_usage_error(cmd, "--monitor %d: no such process", run.monitor_pid)
                            : cli_fail(cmd, rc, NULL);
            goto out;
        }
        struct hp_mon_point pt;
        hp_mon_sample(run.mon, hp_now_ns(), &pt);
        run.mon_next = hp_now_ns() + HP_NS_PER_S;
        if (run.doc)
            hp_result_config_int(run.doc, "monitor_pid", run.monitor_pid);
    }
    rc = hp_load_start(l, &err);
    if (rc < 0) {
        exit_code = cli_fail(cmd, rc, &err);
        goto out;
    }
    bool interrupted = false;
    for (;;) {
        const struct hp_load_figures *f;
        int got;
        while ((got = hp_load_poll(l, &f)) == 1) {
            if (run.tty)
                print_progress(&run, f);
            if (script && f->end_s > f->start_s && n_rates < 86400) {
                if (n_rates == cap_rates) {
                    int ncap = cap_rates ? cap_rates * 2 : 64;
                    double *grown = hp_realloc(rates, (size_t)ncap * sizeof *rates);
                    if (grown) {
                        rates = grown;
                        cap_rates = ncap;
                    }
                }
                if (n_rates < cap_rates) /* wrk's requests: each thread's rate */
                    rates[n_rates++] = (double)f->counts.requests / (f->end_s - f->start_s) /
                                       cfg->threads;
            }
            if (run.doc && series(&run, f) < 0) {
                exit_code = cli_fail(cmd, -ENOMEM, NULL);
                goto out;
            }
            if (run.hlog &&
                ((rc = hp_hlog_write(run.hlog, NULL, f->start_s, f->end_s - f->start_s,
                                     f->corrected, &err)) < 0 ||
                 (rc = hp_hlog_write(run.hlog, "uncorrected", f->start_s, f->end_s - f->start_s,
                                     f->uncorrected, &err)) < 0)) {
                exit_code = cli_fail(cmd, rc, &err);
                goto out;
            }
            if (run.gate.n > 0 && run.gate.aborted_by < 0 && gate_so_far(&run, l, f->end_s)) {
                if (run.tty)
                    fprintf(stderr, "\r\033[K");
                fprintf(stderr, "hotpath load: threshold '%s' failed at %.0fs: stopping\n",
                        run.gate.thr[run.gate.aborted_by].text, f->end_s);
                hp_load_stop(l);
            }
        }
        if (got < 0)
            break;
        if (monitor_tick(&run) < 0) {
            exit_code = cli_fail(cmd, -ENOMEM, NULL);
            goto out;
        }
        struct timespec ts = {0, 20 * 1000000};
        int sig = sigtimedwait(&stop_sigs, NULL, &ts);
        if (sig > 0 && !interrupted) {
            interrupted = true;
            hp_load_stop(l);
        }
    }
    if (run.tty)
        fprintf(stderr, "\r\033[K");
    double elapsed = hp_load_elapsed_s(l);
    const struct hp_load_figures *t = hp_load_totals(l);
    if (interrupted)
        printf("  (interrupted: partial results)\n");
    double secs = (double)cfg->duration_ns / 1e9 < elapsed && !interrupted &&
                          run.gate.aborted_by < 0
                      ? (double)cfg->duration_ns / 1e9
                      : elapsed;
    print_summary(&run, t, secs);
    if (run.mon) {
        printf("  Monitor (pid %d):\n", run.monitor_pid);
        hp_mon_summary_print(&run.mon_sum, run.monitor_pid, secs, "    ", stdout);
        if (run.doc && (rc = hp_mon_summary_to_doc(&run.mon_sum, run.doc)) < 0) {
            exit_code = cli_fail(cmd, rc, NULL);
            goto out;
        }
    }
    int failed_thresholds = 0;
    if (run.gate.n > 0) {
        struct hp_metric_set m;
        int stopper = run.gate.aborted_by;
        load_metric_set(&t->counts, t->corrected, t->uncorrected,
                        cfg->open_model ? t->lag : NULL, secs, &m);
        failed_thresholds = cli_gate_judge(&run.gate, &m);
        run.gate.aborted_by = stopper;
        cli_gate_print(&run.gate, stdout);
        if (run.doc && (rc = cli_gate_to_doc(&run.gate, run.doc)) < 0) {
            exit_code = cli_fail(cmd, rc, NULL);
            goto out;
        }
    }
    fflush(stdout);
    if (script) {
        const struct hp_load_counts *c = &t->counts;
        struct hp_script_summary sum = {
            .duration_us = (int64_t)(elapsed * 1e6),
            .requests = c->requests,
            .bytes = c->bytes_read,
            .errors_connect = c->errors[HP_LERR_CONNECT_REFUSED] +
                              c->errors[HP_LERR_CONNECT_TIMEOUT] + c->errors[HP_LERR_CONNECT],
            .errors_read = c->errors[HP_LERR_READ] + c->errors[HP_LERR_RESET] +
                           c->errors[HP_LERR_MALFORMED],
            .errors_write = c->errors[HP_LERR_WRITE],
            .errors_status = c->errors[HP_LERR_STATUS_4XX] + c->errors[HP_LERR_STATUS_5XX],
            .errors_timeout = c->errors[HP_LERR_TIMEOUT],
        };
        fflush(stdout);
        if (hp_script_done(script, &sum, t->corrected, rates, n_rates, &err) < 0)
            exit_code = cli_fail(cmd, HP_EPARSE, &err);
        fflush(stdout);
        if (hp_script_error(script)) {
            fprintf(stderr, "hotpath load: %s\n", hp_script_error(script));
            exit_code = HP_EXIT_FAIL;
        }
    }
    if (run.junit && (rc = cli_gate_junit(&run.gate, run.junit, "hotpath load", secs,
                                          started_wall, &err)) < 0)
        exit_code = cli_fail(cmd, rc, &err);
    if (run.summary_md && (rc = write_summary_md(&run, t, secs, &err)) < 0)
        exit_code = cli_fail(cmd, rc, &err);
    if (run.json) {
        rc = finish_doc(&run, t, elapsed, &err);
        if (rc < 0)
            exit_code = cli_fail(cmd, rc, &err);
    }
    if (run.hlog) {
        rc = hp_hlog_close(run.hlog, &err);
        run.hlog = NULL;
        if (rc < 0)
            exit_code = cli_fail(cmd, rc, &err);
    }
    if (exit_code == HP_EXIT_OK && t->counts.requests == 0 && hp_load_error_total(&t->counts) > 0) {
        fprintf(stderr, "hotpath load: no request was answered (%" PRId64 " errors)\n",
                hp_load_error_total(&t->counts));
        exit_code = HP_EXIT_FAIL;
    }
    if (exit_code == HP_EXIT_OK && failed_thresholds > 0) {
        fprintf(stderr, "hotpath load: %d of %d thresholds failed\n", failed_thresholds,
                run.gate.n);
        exit_code = HP_EXIT_THRESHOLD;
    }
    goto out;
usage:
    exit_code = HP_EXIT_USAGE;
out:
    hp_mon_free(run.mon);
    hp_free(rates);
    hp_hlog_abort(run.hlog);
    hp_load_free(l);
    hp_script_free(script); /* after the workers that call it have stopped */
    hp_result_free(run.doc);
    hp_free(request);
    hp_free(run.body);
    return exit_code;
}

const struct hp_cmd hp_cmd_load = {
    .name = "load",
    .summary = "HTTP/1.1 load test, closed or open model, with latency you can trust.",
    .usage = "load [options] URL",
    .description =
        "Sends HTTP/1.1 requests to URL from -t worker threads over -c connections and reports "
        "throughput, latency percentiles and errors, like wrk; every latency lands in a "
        "full-resolution HdrHistogram (1 ns to 1 h, 3 significant digits).\n\n"
        "Closed model (default): each connection sends its next request when the previous "
        "answer arrives, so a server that stalls also slows the requests down and hides its "
        "own latency (coordinated omission). Open model (--rate): requests follow a fixed "
        "schedule whatever the answers; latency is measured from when each request should "
        "have been sent, and, separately, from when it was sent. A request that finds all -c "
        "connections busy waits, is sent late and still counts from its schedule: nothing is "
        "dropped. The scheduler's own lag has its own histogram, with a warning when its p99 "
        "passes 1ms.\n\n"
        "Errors are counted by class and never stop the run: connect_refused, "
        "connect_timeout, connect_error, reset, read_error, write_error, timeout (recorded at "
        "the timeout), malformed, status_4xx, status_5xx. Ctrl-C stops sending, waits --grace "
        "for answers in flight and reports what was measured. Exit status 1 when no request "
        "was answered.",
    .opts = load_opts,
    .examples = "  hotpath load -t2 -c64 -d30s --latency http://127.0.0.1:8080/\n"
                "  hotpath load --rate 2k/s -c 200 -d 1m --json run.json http://127.0.0.1:8080/\n"
                "  hotpath load -m POST --body @order.json -H 'Content-Type: application/json' "
                "http://127.0.0.1:8080/orders\n",
    .run = run_load,
};
