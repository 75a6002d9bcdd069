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
#include "sweep_args.h"
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
#include "page/probe.h"

enum { O_JSON = 1, O_CSV, O_PAGE, O_PAGE_EVERY, O_SWEEP /* SWEEP_OPT_COUNT ids from here */ };

static const struct cli_opt sweep_opts[] = {
    SWEEP_OPTS(O_SWEEP),
    {O_JSON, "json", 0, "FILE", "Write the result document (kind sweep)."},
    {O_CSV, "csv", 0, "FILE", "Write N,X rows for 'hotpath model usl'."},
    {O_PAGE, "page", 0, "URL",
     "At every level, load URL in headless Chromium during the measured run (at its start "
     "and every --page-every), as `hotpath page` does: the levels get the median LCP and TTFB "
     "a visitor saw, and --json the series page_lcp and page_ttfb by level, so the report "
     "shows where the users' experience crosses 'poor'."},
    {O_PAGE_EVERY, "page-every", 0, "DURATION",
     "Within a level's measured run, from one page load's start to the next (default 5s)."},
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

/* A level's measured run begins: the probe loads the page through it. */
static int64_t measure_ns_of_run;

static void page_window(int level, void *arg)
{
    hp_page_probe_window(arg, level, hp_now_ns() + measure_ns_of_run);
}

/* What a visitor saw at each level. */
static void page_by_level(const struct hp_page_probe *probe, const struct hp_sweep_step *steps,
                          int done, bool by_rate)
{
    const char *first;
    int failed = hp_page_probe_failures(probe, &first);
    printf("\nPage loads in the browser by level%s:\n  %8s %6s %10s %10s\n",
           failed ? " (some failed)" : "", by_rate ? "rate" : "conns", "loads", "LCP", "TTFB");
    for (int l = 0; l < done; l++) {
        size_t loads;
        double lcp = hp_page_probe_median(probe, HP_PM_LCP, l, NULL);
        double ttfb = hp_page_probe_median(probe, HP_PM_TTFB, l, &loads);
        char level[32], a[32] = "-", b[32] = "-";
        if (by_rate)
            hp_format_rate(steps[l].rate_per_s, level, sizeof level);
        else
            snprintf(level, sizeof level, "%d", steps[l].concurrency);
        if (isfinite(lcp))
            hp_format_duration((int64_t)llround(lcp * 1e6), a, sizeof a);
        if (isfinite(ttfb))
            hp_format_duration((int64_t)llround(ttfb * 1e6), b, sizeof b);
        printf("  %8s %6zu %10s %10s\n", level, loads, a, b);
    }
    if (failed)
        printf("  %d page loads failed; the first: %s\n", failed, first);
}

static int run_sweep(const struct hp_cmd *cmd, int argc, char **argv)
{
    static struct sweep_args sa;
    static struct hp_sweep_step steps[HP_SWEEP_MAX_LEVELS];
    struct cli_parser p;
    struct hp_err err = {0};
    const char *v, *json = NULL, *csv = NULL, *page_url = NULL;
    int64_t page_every_ns = 5 * HP_NS_PER_S;
    struct hp_page_probe *probe = NULL;
    int id, rc, exit_code = HP_EXIT_OK;

    sweep_args_init(&sa);
    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        int stored = sweep_args_option(cmd, O_SWEEP, id, v, &sa);
        if (stored < 0)
            return HP_EXIT_USAGE;
        if (stored)
            continue;
        switch (id) {
        case CLI_ERROR:
            return HP_EXIT_USAGE;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (sa.url_text)
                return cli_usage_error(cmd, "unexpected argument '%s' (one URL only)", v);
            sa.url_text = v;
            break;
        case O_JSON:
            json = v;
            break;
        case O_CSV:
            csv = v;
            break;
        case O_PAGE:
            page_url = v;
            break;
        case O_PAGE_EVERY:
            if (!cli_duration(cmd, "page-every", v, &page_every_ns))
                return HP_EXIT_USAGE;
            if (page_every_ns <= 0)
                return cli_usage_error(cmd, "--page-every must be above 0");
            break;
        }
    }
    if ((rc = sweep_args_finish(cmd, &sa)) != HP_EXIT_OK) {
        sweep_args_free(&sa);
        return rc;
    }
    const char *url_text = sa.url_text, *method = sa.method;
    const char *const *headers = sa.headers;
    int n_headers = sa.n_headers;
    int64_t slo_ns = sa.slo_ns;

    sigset_t stop_sigs;
    load_block_stop_signals(&stop_sigs);
    if (page_url) { /* the browser starts before the first level */
        struct hp_page_probe_opts po = {
            .insecure = sa.tls_opts.insecure,
            .every_ns = page_every_ns};
        hp_page_opts_defaults(&po.page, page_url);
        rc = hp_page_probe_new(&po, &probe, &err);
        if (rc == 0)
            rc = hp_page_probe_go_windows(probe, hp_now_ns(), &err);
        if (rc < 0) {
            hp_page_probe_free(probe);
            sweep_args_free(&sa);
            return cli_fail(cmd, rc, &err);
        }
        measure_ns_of_run = sa.sc.measure_ns;
        sa.sc.measure_begin = page_window;
        sa.sc.measure_arg = probe;
    }
    int64_t started = hp_wall_ns(), t0 = hp_now_ns();
    printf("Sweeping %s: %d levels, warm-up %s and %s measured each\n", url_text, sa.sc.n_levels,
           hp_format_duration(sa.sc.warmup_ns, (char[32]){0}, 32),
           hp_format_duration(sa.sc.measure_ns, (char[32]){0}, 32));
    printf("  %8s %12s %10s %10s %9s\n",
           sa.sc.by_rate ? "rate" : sa.sc.base.h2 != HP_H2_OFF ? "streams" : "conns", "throughput", "p50",
           "p99", "errors");
    fflush(stdout);
    int done;
    enum hp_sweep_stop why;
    rc = hp_sweep_run(&sa.sc, steps, &done, &why, progress, NULL, &stop_sigs, &err);
    hp_page_probe_stop(probe);
    sweep_args_free(&sa); /* every level's engine is gone */
    if (rc < 0) {
        hp_page_probe_free(probe);
        return cli_fail(cmd, rc, &err);
    }
    printf("  (%s)\n", hp_sweep_stop_reason(why));
    if (probe)
        page_by_level(probe, steps, done, sa.sc.by_rate);

    /* The fit and the knee. */
    double nn[HP_SWEEP_MAX_LEVELS], xx[HP_SWEEP_MAX_LEVELS];
    int knee = -1;
    for (int i = 0; i < done; i++) {
        nn[i] = sa.sc.by_rate ? steps[i].mean_in_flight : steps[i].concurrency;
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
        if (knee >= 0 && sa.sc.by_rate)
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
        e = e ? e : hp_result_config_int(r, "warmup_ns", sa.sc.warmup_ns);
        e = e ? e : hp_result_config_int(r, "measure_ns", sa.sc.measure_ns);
        e = e ? e : hp_result_config_int(r, "slo_p99_ns", slo_ns);
        e = e ? e : hp_result_config_str(r, "stopped", hp_sweep_stop_reason(why));
        e = e ? e : hp_result_config_str(r, "levels", sa.sc.by_rate ? "rates" : "concurrency");
        for (int i = 0; i < done && e == 0; i++) {
            double c = nn[i]; /* concurrency, or the mean in flight for rates */
            if (sa.sc.by_rate)
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
        if (probe && e == 0)
            e = hp_page_probe_doc(probe, r, nn, done);
        if (e < 0)
            exit_code = cli_fail(cmd, e, NULL);
        else if (hp_result_write(r, json, &err) < 0)
            exit_code = cli_fail(cmd, -EIO, &err);
        hp_result_free(r);
    }
    hp_page_probe_free(probe);
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
