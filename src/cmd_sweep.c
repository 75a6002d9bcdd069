// SPDX-License-Identifier: MIT
/* src/cmd_sweep.c - `hotpath sweep`: load at rising concurrency, fit the USL,
 * find the knee under an SLO. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "load_common.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/result.h"
#include "core/units.h"
#include "model/usl.h"
#include "load/plan.h"
#include "load/sweep.h"
#include "http/url.h"
#include "io/tls.h"

enum { O_THREADS = 1, O_LEVELS, O_MAX, O_WARMUP, O_MEASURE, O_SLO, O_HEADER, O_METHOD, O_TIMEOUT,
       O_JSON, O_CSV, O_RATES, O_CONNECTIONS, O_H2, O_H2C, O_STREAMS,
       O_TLS /* CLI_TLS_COUNT ids from here */ };

static const struct cli_opt sweep_opts[] = {
    {O_THREADS, "threads", 't', "N", "Worker threads (capped at each level's connections). Default 2."},
    {O_LEVELS, "levels", 0, "N,N,...", "Concurrencies to measure, in order."},
    {O_MAX, "max", 0, "N", "Concurrencies 1, 2, 4... up to N (default 64) when --levels is not given."},
    {O_RATES, "rates", 0, "R,R,...",
     "Sweep the open model at these rates (e.g. 1k,2k,4k) instead of concurrencies; the USL is "
     "fitted to the mean number in flight (Little's law)."},
    {O_CONNECTIONS, "connections", 'c', "N",
     "With --rates: the cap on requests in flight. Default 1000."},
    {O_WARMUP, "warmup", 0, "DURATION", "Discarded run before each level. Default 1s."},
    {O_MEASURE, "measure", 0, "DURATION", "Measured run at each level. Default 3s."},
    {O_SLO, "slo", 0, "DURATION",
     "p99 latency objective: the knee is the highest throughput whose p99 stays under it; a p99 "
     "over 10 times it ends the sweep."},
    {O_HEADER, "header", 'H', "'NAME: VALUE'", "Add a header to every request (repeatable)."},
    {O_METHOD, "method", 'm', "METHOD", "Request method. Default GET."},
    {O_TIMEOUT, "timeout", 0, "DURATION", "Request timeout. Default 2s."},
    {O_JSON, "json", 0, "FILE", "Write the result document (kind sweep)."},
    {O_CSV, "csv", 0, "FILE", "Write N,X rows for 'hotpath model usl'."},
    {O_H2, "h2", 0, "[=prefer]",
     "https: HTTP/2, agreed in the TLS handshake (--h2=prefer: HTTP/1.1 where not)."},
    {O_H2C, "h2c", 0, NULL, "http: HTTP/2 over plain TCP with prior knowledge."},
    {O_STREAMS, "max-concurrent-streams", 'M', "N",
     "HTTP/2: streams kept busy per connection. The levels (--levels, --max) are then "
     "connections, and the concurrency fitted is connections x N. Default 1."},
    CLI_TLS_OPTS(O_TLS),
    {0, NULL, 0, NULL, NULL},
};

static void progress(const struct hp_sweep_step *s, void *arg)
{
    (void)arg;
    char x[32], p50[32], p99[32], level[32];
    if (s->rate_per_s > 0)
        hp_format_rate(s->rate_per_s, level, sizeof level);
    else
        snprintf(level, sizeof level, "%d", s->concurrency);
    printf("  %8s %12s %10s %10s %8.3g%%\n", level,
           hp_format_rate(s->throughput_per_s, x, sizeof x),
           hp_format_duration(s->p50_ns, p50, sizeof p50),
           hp_format_duration(s->p99_ns, p99, sizeof p99), s->error_ratio * 100);
    fflush(stdout);
}

/* --levels (concurrencies) or --rates into sc. */
static int parse_levels(const struct hp_cmd *cmd, const char *opt, const char *v,
                        struct hp_sweep_config *sc)
{
    char buf[512], *items[HP_SWEEP_MAX_LEVELS];
    int n = cli_split(cmd, opt, v, buf, sizeof buf, items, HP_SWEEP_MAX_LEVELS);
    if (n < 0)
        return -1;
    sc->by_rate = strcmp(opt, "rates") == 0;
    for (int i = 0; i < n; i++) {
        int64_t level;
        if (sc->by_rate) {
            if (hp_parse_rate(items[i], &sc->rates[i], NULL) < 0 || !(sc->rates[i] > 0)) {
                cli_usage_error(cmd, "--rates: '%s' is not a positive rate", items[i]);
                return -1;
            }
        } else {
            if (!cli_int(cmd, "levels", items[i], 1, 100000, &level))
                return -1;
            sc->levels[i] = (int)level;
        }
    }
    sc->n_levels = n;
    return 0;
}

static int run_sweep(const struct hp_cmd *cmd, int argc, char **argv)
{
    static struct hp_sweep_config sc;
    static struct hp_sweep_step steps[HP_SWEEP_MAX_LEVELS];
    struct cli_parser p;
    struct hp_err err = {0};
    const char *v, *url_text = NULL, *method = "GET", *json = NULL, *csv = NULL;
    const char *headers[64];
    int n_headers = 0, id, max = 64, rc, exit_code = HP_EXIT_OK;
    int64_t n, slo_ns = 0;
    struct hp_url url;
    char *request = NULL;
    struct hp_tls_opts tls_opts = {.server = false};
    bool tls_given = false;
    struct hp_load_plan h2plan = {0};

    memset(&sc, 0, sizeof sc);
    hp_load_config_defaults(&sc.base);
    sc.warmup_ns = HP_NS_PER_S;
    sc.measure_ns = 3 * HP_NS_PER_S;
    sc.max_error_ratio = 0.1;
    sc.max_in_flight = 1000;
    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        int stored = cli_tls_store(cmd, id, O_TLS, v, &tls_opts);
        if (stored < 0)
            return HP_EXIT_USAGE;
        tls_given |= stored > 0;
        if (stored)
            continue;
        switch (id) {
        case CLI_ERROR:
            return HP_EXIT_USAGE;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (url_text)
                return cli_usage_error(cmd, "unexpected argument '%s' (one URL only)", v);
            url_text = v;
            break;
        case O_THREADS:
            if (!cli_int(cmd, "threads", v, 1, HP_LOAD_MAX_THREADS, &n))
                return HP_EXIT_USAGE;
            sc.base.threads = (int)n;
            break;
        case O_LEVELS:
            if (parse_levels(cmd, "levels", v, &sc) < 0)
                return HP_EXIT_USAGE;
            break;
        case O_MAX:
            if (!cli_int(cmd, "max", v, 1, 100000, &n))
                return HP_EXIT_USAGE;
            max = (int)n;
            break;
        case O_WARMUP:
            if (!cli_duration(cmd, "warmup", v, &sc.warmup_ns))
                return HP_EXIT_USAGE;
            break;
        case O_MEASURE:
            if (!cli_duration(cmd, "measure", v, &sc.measure_ns) || sc.measure_ns <= 0)
                return sc.measure_ns <= 0 ? cli_usage_error(cmd, "--measure must be above 0")
                                          : HP_EXIT_USAGE;
            break;
        case O_SLO:
            if (!cli_duration(cmd, "slo", v, &slo_ns))
                return HP_EXIT_USAGE;
            break;
        case O_HEADER:
            if (n_headers >= 64)
                return cli_usage_error(cmd, "--header: at most 64 headers");
            headers[n_headers++] = v;
            break;
        case O_METHOD:
            method = v;
            break;
        case O_TIMEOUT:
            if (!cli_duration(cmd, "timeout", v, &sc.base.timeout_ns) || sc.base.timeout_ns <= 0)
                return HP_EXIT_USAGE;
            break;
        case O_JSON:
            json = v;
            break;
        case O_CSV:
            csv = v;
            break;
        case O_RATES:
            if (parse_levels(cmd, "rates", v, &sc) < 0)
                return HP_EXIT_USAGE;
            break;
        case O_CONNECTIONS:
            if (!cli_int(cmd, "connections", v, 1, 1000000, &n))
                return HP_EXIT_USAGE;
            sc.max_in_flight = (int)n;
            break;
        case O_H2:
            if (v && strcmp(v, "prefer") != 0)
                return cli_usage_error(cmd, "--h2=%s: the only choice is --h2=prefer", v);
            h2plan.h2 = v ? HP_H2_PREFER : HP_H2_ALPN;
            break;
        case O_H2C:
            h2plan.h2 = HP_H2C;
            break;
        case O_STREAMS:
            if (!cli_int(cmd, "max-concurrent-streams", v, 1, HP_LOAD_MAX_PIPELINE, &n))
                return HP_EXIT_USAGE;
            h2plan.streams = (int)n;
            break;
        }
    }
    if (!url_text)
        return cli_usage_error(cmd, "a URL is needed (e.g. hotpath sweep http://127.0.0.1:8080/)");
    if (hp_url_parse(url_text, &url, &err) < 0)
        return cli_usage_error(cmd, "%s", err.msg);
    if (tls_given && !url.tls)
        return cli_usage_error(cmd, "TLS options (-k, --cacert, --tls-version...) need an "
                                    "https:// URL");
    if (hp_load_plan_h2(&h2plan, &url, &sc.base, &tls_opts, &err) < 0)
        return cli_usage_error(cmd, "%s", err.msg);
    if (sc.n_levels == 0)
        for (int l = 1; l <= max && sc.n_levels < HP_SWEEP_MAX_LEVELS; l *= 2)
            sc.levels[sc.n_levels++] = l;
    sc.slo_p99_ns = slo_ns;
    sc.base.grace_ns = sc.base.timeout_ns;
    sc.base.connect_timeout_ns = sc.base.timeout_ns;
    if ((rc = hp_url_addr(&url, &sc.base.addr, &err)) < 0) {
        cli_fail(cmd, rc, &err);
        return HP_EXIT_FAIL;
    }
    if ((rc = hp_request_build(method, &url, headers, n_headers, NULL, 0, &request,
                               &sc.base.request_len, &err)) < 0)
        return cli_usage_error(cmd, "%s", err.msg);
    sc.base.request = request;
    sc.base.head_request = strcmp(method, "HEAD") == 0;

    sigset_t stop_sigs;
    load_block_stop_signals(&stop_sigs);
    int64_t started = hp_wall_ns(), t0 = hp_now_ns();
    printf("Sweeping %s: %d levels, warm-up %s and %s measured each\n", url_text, sc.n_levels,
           hp_format_duration(sc.warmup_ns, (char[32]){0}, 32),
           hp_format_duration(sc.measure_ns, (char[32]){0}, 32));
    printf("  %8s %12s %10s %10s %9s\n",
           sc.by_rate ? "rate" : sc.base.h2 != HP_H2_OFF ? "streams" : "conns", "throughput", "p50",
           "p99", "errors");
    fflush(stdout);
    int done;
    enum hp_sweep_stop why;
    if (url.tls && (rc = hp_load_plan_tls(&tls_opts, &url, &sc.base.tls, &err)) < 0) {
        hp_free(request);
        return cli_fail(cmd, rc, &err);
    }
    rc = hp_sweep_run(&sc, steps, &done, &why, progress, NULL, &stop_sigs, &err);
    hp_free(request);
    hp_tls_free(sc.base.tls); /* every level's engine is gone */
    sc.base.tls = NULL;
    if (rc < 0)
        return cli_fail(cmd, rc, &err);
    printf("  (%s)\n", hp_sweep_stop_reason(why));

    /* The fit and the knee. */
    double nn[HP_SWEEP_MAX_LEVELS], xx[HP_SWEEP_MAX_LEVELS];
    int knee = -1;
    for (int i = 0; i < done; i++) {
        nn[i] = sc.by_rate ? steps[i].mean_in_flight : steps[i].concurrency;
        xx[i] = steps[i].throughput_per_s;
        if (slo_ns > 0 && steps[i].p99_ns <= slo_ns &&
            (knee < 0 || steps[i].throughput_per_s > steps[knee].throughput_per_s))
            knee = i;
    }
    struct hp_usl u;
    bool fitted = hp_usl_fit(nn, xx, (size_t)done, &u, &err) == 0;
    double n_star = NAN, x_star = NAN;
    if (fitted) {
        printf("\nUSL: sigma %.4g, kappa %.4g, lambda %.4g/s (R^2 %.4f)\n", u.sigma, u.kappa,
               u.lambda, u.r_squared);
        if (hp_usl_peak(&u, &n_star, &x_star) && n_star < 1e6)
            printf("  peak at %.3g connections: %s\n", n_star,
                   hp_format_rate(x_star, (char[32]){0}, 32));
        else
            printf("  no peak below a million connections (kappa is about 0): the sweep did "
                   "not reach the point where throughput falls\n");
    } else {
        printf("\nno USL fit: %s\n", err.msg);
    }
    if (slo_ns > 0) {
        if (knee >= 0 && sc.by_rate)
            printf("  knee under p99 %s: %s at a rate of %s\n",
                   hp_format_duration(slo_ns, (char[32]){0}, 32),
                   hp_format_rate(steps[knee].throughput_per_s, (char[32]){0}, 32),
                   hp_format_rate(steps[knee].rate_per_s, (char[32]){0}, 32));
        else if (knee >= 0)
            printf("  knee under p99 %s: %s at %d connections\n",
                   hp_format_duration(slo_ns, (char[32]){0}, 32),
                   hp_format_rate(steps[knee].throughput_per_s, (char[32]){0}, 32),
                   steps[knee].concurrency);
        else
            printf("  no level kept p99 under %s\n", hp_format_duration(slo_ns, (char[32]){0}, 32));
    }
    if (csv) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
            fprintf(f, "concurrency,throughput\n");
            for (int i = 0; i < done; i++)
                fprintf(f, "%.6g,%.6g\n", nn[i], steps[i].throughput_per_s);
            fclose(f);
        }
        if (!text || hp_file_write_atomic(csv, text, len, &err) < 0)
            exit_code = cli_fail(cmd, text ? -EIO : -ENOMEM, &err);
        free(text);
    }
    if (json) {
        struct hp_result *r = NULL;
        int e = hp_result_new("sweep", &r);
        if (e == 0) {
            hp_result_set_started(r, started);
            hp_result_set_duration(r, (double)(hp_now_ns() - t0) / 1e9);
        }
        e = e ? e : hp_result_config_str(r, "url", url_text);
        e = e ? e : hp_result_config_str(r, "method", method);
        for (int i = 0; i < n_headers && e == 0; i++)
            e = hp_result_config_header(r, headers[i]);
        e = e ? e : hp_result_config_int(r, "warmup_ns", sc.warmup_ns);
        e = e ? e : hp_result_config_int(r, "measure_ns", sc.measure_ns);
        e = e ? e : hp_result_config_int(r, "slo_p99_ns", slo_ns);
        e = e ? e : hp_result_config_str(r, "stopped", hp_sweep_stop_reason(why));
        e = e ? e : hp_result_config_str(r, "levels", sc.by_rate ? "rates" : "concurrency");
        for (int i = 0; i < done && e == 0; i++) {
            double c = nn[i]; /* concurrency, or the mean in flight for rates */
            if (sc.by_rate)
                e = hp_result_series_point(r, "rate_per_s", "1/s", c, steps[i].rate_per_s);
            e = hp_result_series_point(r, "throughput_per_s", "1/s", c, steps[i].throughput_per_s);
            e = e ? e : hp_result_series_point(r, "latency_p50_ns", "ns", c, (double)steps[i].p50_ns);
            e = e ? e : hp_result_series_point(r, "latency_mean_ns", "ns", c, steps[i].mean_ns);
            e = e ? e : hp_result_series_point(r, "latency_p99_ns", "ns", c, (double)steps[i].p99_ns);
            e = e ? e : hp_result_series_point(r, "error_ratio", "ratio", c, steps[i].error_ratio);
        }
        if (fitted) {
            e = e ? e : hp_result_metric(r, "usl_sigma", u.sigma, "ratio");
            e = e ? e : hp_result_metric(r, "usl_kappa", u.kappa, "ratio");
            e = e ? e : hp_result_metric(r, "usl_lambda", u.lambda, "1/s");
            e = e ? e : hp_result_metric(r, "usl_r_squared", u.r_squared, "ratio");
            if (isfinite(n_star)) {
                e = e ? e : hp_result_metric(r, "peak_concurrency", n_star, "count");
                e = e ? e : hp_result_metric(r, "peak_throughput_per_s", x_star, "1/s");
            }
        }
        if (knee >= 0) {
            e = e ? e : hp_result_metric(r, "knee_concurrency", steps[knee].concurrency, "count");
            e = e ? e : hp_result_metric(r, "knee_throughput_per_s", steps[knee].throughput_per_s, "1/s");
        }
        if (e < 0)
            exit_code = cli_fail(cmd, e, NULL);
        else if (hp_result_write(r, json, &err) < 0)
            exit_code = cli_fail(cmd, -EIO, &err);
        hp_result_free(r);
    }
    if (done == 0 || (done > 0 && steps[0].requests == 0))
        exit_code = exit_code ? exit_code : HP_EXIT_FAIL;
    return exit_code;
}

const struct hp_cmd hp_cmd_sweep = {
    .name = "sweep",
    .summary = "Load at rising concurrency, fit the USL, find the knee under an SLO.",
    .usage = "sweep [options] URL",
    .description =
        "Runs the closed-model load engine at each concurrency (--levels, or 1, 2, 4... up to "
        "--max), or the open model at each of --rates, each level a discarded warm-up and a "
        "measured run, and records throughput and "
        "latency percentiles. It stops early when more than 10% of requests fail, when p99 "
        "passes 10 times the --slo, or when throughput falls below half its best (or half the "
        "rate asked). Then it fits "
        "the Universal Scalability Law to the points (as 'hotpath model usl' does) and reports "
        "the peak and the knee: the highest throughput whose p99 stays under --slo. Ctrl-C "
        "ends it after the current run and keeps what was measured.",
    .opts = sweep_opts,
    .examples = "  hotpath sweep --max 128 --slo 50ms --json sweep.json http://127.0.0.1:8080/\n",
    .run = run_sweep,
};
