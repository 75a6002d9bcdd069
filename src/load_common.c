// SPDX-License-Identifier: MIT
/* src/load_common.c - see load_common.h. */
#include "load_common.h"

#include <pthread.h>
#include <signal.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/file.h"
#include "core/result.h"
#include "core/units.h"

/* One row of avg, stdev, p50, p90, p99 and max, its label `width` wide. */
static void latency_row(const char *label, int width, const struct hp_hist *h)
{
    char avg[32], sd[32], p50[32], p90[32], p99[32], max[32];
    printf("    %-*s %9s %9s %9s %9s %9s %9s\n", width, label,
           hp_format_duration((int64_t)hp_hist_mean(h), avg, sizeof avg),
           hp_format_duration((int64_t)hp_hist_stddev(h), sd, sizeof sd),
           hp_format_duration(hp_hist_value_at_percentile(h, 50), p50, sizeof p50),
           hp_format_duration(hp_hist_value_at_percentile(h, 90), p90, sizeof p90),
           hp_format_duration(hp_hist_value_at_percentile(h, 99), p99, sizeof p99),
           hp_format_duration(hp_hist_max(h), max, sizeof max));
}

void load_print_latency_row(const char *label, const struct hp_hist *h)
{
    latency_row(label, 12, h);
}

void load_block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

void load_print_banner(const struct hp_load_config *cfg, const char *url, bool stages,
                       double target_rate)
{
    char d[32], r[32], proto[96] = "";
    if (cfg->h2 != HP_H2_OFF)
        snprintf(proto, sizeof proto, ", HTTP/2%s, %d stream%s per connection",
                 cfg->h2 == HP_H2C ? " (prior knowledge)" : cfg->h2 == HP_H2_PREFER
                                                                ? " where agreed"
                                                                : "",
                 cfg->pipeline, cfg->pipeline == 1 ? "" : "s");
    else if (cfg->pipeline > 1)
        snprintf(proto, sizeof proto, ", pipelined");
    printf("Running %s test @ %s\n", hp_format_duration(cfg->duration_ns, d, sizeof d), url);
    if (cfg->open_model)
        printf("  %d threads, at most %lld requests in flight, open model at %s%s (%s)%s\n",
               cfg->threads,
               (long long)cfg->connections * (cfg->h2 != HP_H2_OFF ? cfg->pipeline : 1),
               stages ? "stages averaging " : "", hp_format_rate(target_rate, r, sizeof r),
               cfg->poisson ? "Poisson arrivals" : "constant spacing", proto);
    else if (stages)
        printf("  %d threads and up to %d connections in stages%s\n", cfg->threads,
               cfg->connections, proto);
    else
        printf("  %d threads and %d connections%s\n", cfg->threads, cfg->connections, proto);
    if (cfg->segment)
        printf("  part %s of the test (its share of the arrivals and connections; sequence "
               "%s): join the parts with hotpath merge\n",
               cfg->segment->text, cfg->segment->sequence);
    fflush(stdout);
}

void load_print_progress(const struct hp_load_config *cfg, const struct hp_load_figures *f)
{
    char a[32], b[32], c[32];
    double secs = f->end_s - f->start_s;
    double rate = secs > 0 ? (double)f->counts.requests / secs : 0;
    fprintf(stderr, "\r\033[K[%5.1fs/%.0fs] %s  p99 %s  errors %" PRId64, f->end_s,
            (double)cfg->duration_ns / 1e9, hp_format_rate(rate, a, sizeof a),
            hp_format_duration(hp_hist_value_at_percentile(f->corrected, 99), b, sizeof b),
            hp_load_error_total(&f->counts));
    if (cfg->open_model)
        fprintf(stderr, "  lag p99 %s",
                hp_format_duration(hp_hist_value_at_percentile(f->lag, 99), c, sizeof c));
    fflush(stderr);
}

/* ---- wrk's lines, in wrk's format (scripts parse them) ------------------- */

/* wrk's units: a number scaled while it reaches the scale, two decimals,
 * then the unit ("635.91us", "0.89ms", "56.20k", "13.39M"). */
static void wrk_units(double n, double scale, const char *const *units, char *buf, size_t size)
{
    int u = 0;
    while (units[u + 1] && n >= scale) {
        n /= scale;
        u++;
    }
    snprintf(buf, size, "%.2f%s", n, units[u]);
}

static void wrk_time_us(double us, char *buf, size_t size)
{
    static const char *const sub[] = {"us", "ms", "s", NULL}, *const over[] = {"s", "m", "h", NULL};
    if (us >= 1e6)
        wrk_units(us / 1e6, 60, over, buf, size);
    else
        wrk_units(us, 1000, sub, buf, size);
}

static void wrk_metric(double n, char *buf, size_t size)
{
    static const char *const u[] = {"", "k", "M", "G", "T", "P", NULL};
    wrk_units(n, 1000, u, buf, size);
}

/* Bytes as wrk writes them: 1024 steps, K/M/G then "B" ("135.23MB"). */
static void wrk_bytes(double n, char *buf, size_t size)
{
    static const char *const u[] = {"B", "KB", "MB", "GB", "TB", "PB", NULL};
    wrk_units(n, 1024, u, buf, size);
}

/* A value right-aligned in width, its unit's letters hanging into the two
 * spaces after it, as wrk's columns do. */
static void wrk_cell(const char *v, int width)
{
    int len = (int)strlen(v), pad = 2;
    if (len > 0 && isalpha((unsigned char)v[len - 1]))
        pad--;
    if (len > 1 && isalpha((unsigned char)v[len - 2]))
        pad--;
    printf("%*.*s%.*s", width - pad, width - pad, v, pad, "  ");
}

static void wrk_row(const char *name, const char *mean, const char *sd, const char *max,
                    double within)
{
    printf("    %-10s", name);
    wrk_cell(mean, 8);
    wrk_cell(sd, 10);
    wrk_cell(max, 9);
    printf("%8.2f%%\n", within);
}

/* The share of a histogram's values within one standard deviation of the
 * mean, by bucket. */
static double hist_within_stdev(const struct hp_hist *h, double mean, double sd)
{
    if (h->total_count == 0)
        return 0;
    int64_t in = 0;
    for (int i = 0; i < h->counts_len; i++) {
        double v = (double)hp_hist_value_at_index(h, i);
        if (h->counts[i] && v >= mean - sd && v <= mean + sd)
            in += h->counts[i];
    }
    return 100.0 * (double)in / (double)h->total_count;
}

/* wrk's "Thread Stats" block: latency over every request, and each
 * thread's requests per second, one sample per thread per interval (wrk
 * samples every 100 ms, so its spread is wider). */
static void wrk_thread_stats(const struct hp_hist *lat, const double *rates, size_t n,
                             double whole)
{
    char m[32], d[32], x[32];
    printf("  Thread Stats%6s%11s%8s%12s\n", "Avg", "Stdev", "Max", "+/- Stdev");
    double mean = hp_hist_mean(lat) / 1e3, sd = hp_hist_stddev(lat) / 1e3;
    wrk_time_us(mean, m, sizeof m);
    wrk_time_us(sd, d, sizeof d);
    wrk_time_us((double)hp_hist_max(lat) / 1e3, x, sizeof x);
    wrk_row("Latency", m, d, x, hist_within_stdev(lat, mean * 1e3, sd * 1e3));
    if (n == 0) { /* shorter than an interval: the run itself is the one sample */
        rates = &whole;
        n = 1;
    }
    double sum = 0, max = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        sum += rates[i];
        max = rates[i] > max ? rates[i] : max;
    }
    double rm = n ? sum / (double)n : 0;
    for (size_t i = 0; i < n; i++)
        ss += (rates[i] - rm) * (rates[i] - rm);
    double rsd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    size_t in = 0;
    for (size_t i = 0; i < n; i++)
        in += rates[i] >= rm - rsd && rates[i] <= rm + rsd;
    wrk_metric(rm, m, sizeof m);
    wrk_metric(rsd, d, sizeof d);
    wrk_metric(max, x, sizeof x);
    wrk_row("Req/Sec", m, d, x, n ? 100.0 * (double)in / (double)n : 0);
}

void load_print_summary(const struct hp_load_config *cfg, double target_rate, bool latency,
                        const struct hp_load_figures *t, double elapsed, const double *rates,
                        size_t n_rates)
{
    const struct hp_load_counts *c = &t->counts;
    char a[32], b[32], d[32];
    bool open = cfg->open_model;

    printf("  %-12s %9s %9s %9s %9s %9s %9s\n", "", "avg", "stdev", "p50", "p90", "p99", "max");
    if (open) {
        load_print_latency_row("Latency", t->corrected);
        load_print_latency_row("  from send", t->uncorrected);
        load_print_latency_row("Sched. lag", t->lag);
    } else {
        load_print_latency_row("Latency", t->corrected);
    }
    wrk_thread_stats(t->corrected, rates, n_rates,
                     elapsed > 0 ? (double)c->requests / elapsed / cfg->threads : 0);
    if (latency) {
        static const double pcts[] = {50, 75, 90, 99, 99.9, 99.99, 99.999, 100};
        printf("  Latency Distribution%s\n", open ? " (from the schedule)" : "");
        for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
            printf("  %7g%%  %s\n", pcts[i],
                   hp_format_duration(hp_hist_value_at_percentile(t->corrected, pcts[i]), a,
                                      sizeof a));
        printf("\n  Detailed Percentile spectrum (ms):\n");
        hp_hist_print_spectrum(t->corrected, stdout, 5, 1e6);
        printf("\n  Where the time went (k6's http_req_*)\n");
        printf("    %-16s %9s %9s %9s %9s %9s %9s\n", "", "avg", "stdev", "p50", "p90", "p99",
               "max");
        for (int i = 0; i < HP_PHASE_COUNT; i++) /* named after "http_req_" */
            latency_row(hp_load_phase_name((enum hp_load_phase)i) + 9, 16, t->phase[i]);
        printf("\n");
    }
    wrk_bytes((double)c->bytes_read, a, sizeof a);
    printf("  %" PRId64 " requests in %.2fs, %s read\n", c->requests, elapsed, a);
    int64_t sock[4] = {c->errors[HP_LERR_CONNECT_REFUSED] + c->errors[HP_LERR_CONNECT_TIMEOUT] +
                           c->errors[HP_LERR_CONNECT],
                       c->errors[HP_LERR_RESET] + c->errors[HP_LERR_READ] +
                           c->errors[HP_LERR_MALFORMED],
                       c->errors[HP_LERR_WRITE], c->errors[HP_LERR_TIMEOUT]};
    if (sock[0] || sock[1] || sock[2] || sock[3]) /* wrk's line, wrk's classes */
        printf("  Socket errors: connect %" PRId64 ", read %" PRId64 ", write %" PRId64
               ", timeout %" PRId64 "\n",
               sock[0], sock[1], sock[2], sock[3]);
    if (c->status[4] + c->status[5]) /* wrk counts 4xx and 5xx */
        printf("  Non-2xx or 3xx responses: %" PRId64 "\n", c->status[4] + c->status[5]);
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
        double achieved = elapsed > 0 ? (double)c->sent / (double)cfg->duration_ns * 1e9 : 0;
        printf("  Rate: target %s, sent %s; late %" PRId64 ", never sent %" PRId64 "\n",
               hp_format_rate(target_rate, a, sizeof a),
               hp_format_rate(achieved, b, sizeof b), c->late, c->unsent);
        int64_t lag99 = hp_hist_value_at_percentile(t->lag, 99);
        if (lag99 > HP_NS_PER_MS)
            fprintf(stderr, "hotpath load: warning: scheduler lag p99 is %s (over 1ms): the "
                            "generator is saturated; use more threads or a lower rate\n",
                    hp_format_duration(lag99, d, sizeof d));
    }
    printf("Requests/sec: %10.2f\n", elapsed > 0 ? (double)c->requests / elapsed : 0);
    wrk_bytes(elapsed > 0 ? (double)c->bytes_read / elapsed : 0, a, sizeof a);
    printf("Transfer/sec: %10s\n", a);
}

int load_write_summary_md(const char *path, const char *url, const struct hp_load_config *cfg,
                          const struct cli_gate *gate, const struct hp_load_figures *t, double secs,
                          struct hp_err *err)
{
    const struct hp_load_counts *c = &t->counts;
    char *text = NULL;
    size_t len = 0;
    char a[32], b[32], d[32], e[32];
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return hp_err_set(err, -ENOMEM, "out of memory");
    fprintf(f, "# Load test: %s\n\n", url);
    fprintf(f, "%s model, %d threads, %d connections%s, %.3gs.\n\n",
            cfg->open_model ? "Open" : "Closed", cfg->threads, cfg->connections,
            cfg->open_model ? " at most in flight" : "", secs);
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
    return load_summary_md_finish(f, &text, &len, gate, path, err);
}

int load_summary_md_finish(FILE *f, char **text, size_t *len, const struct cli_gate *gate,
                           const char *path, struct hp_err *err)
{
    cli_gate_markdown(gate, f);
    if (gate->aborted_by >= 0)
        fprintf(f, "\nStopped early: `%s` failed.\n", gate->thr[gate->aborted_by].text);
    if (fclose(f) != 0) {
        free(*text);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    int rc = hp_file_write_atomic(path, *text, *len, err);
    free(*text);
    return rc;
}

int load_exit_status(int exit_code, int64_t answered, int64_t errors, int failed, int n)
{
    if (exit_code == HP_EXIT_OK && answered == 0 && errors > 0) {
        fprintf(stderr, "hotpath load: no request was answered (%" PRId64 " errors)\n", errors);
        return HP_EXIT_FAIL;
    }
    if (exit_code == HP_EXIT_OK && failed > 0) {
        fprintf(stderr, "hotpath load: %d of %d thresholds failed\n", failed, n);
        return HP_EXIT_THRESHOLD;
    }
    return exit_code;
}

int load_wait_start(const sigset_t *set, int64_t at_ns)
{
    if (at_ns <= 0)
        return 0;
    int64_t now = hp_wall_ns();
    if (now - at_ns > HP_NS_PER_S)
        fprintf(stderr, "hotpath load: --start-at was %.1fs ago: starting now\n",
                (double)(now - at_ns) / 1e9);
    while ((now = hp_wall_ns()) < at_ns) {
        int64_t left = at_ns - now;
        if (left > 100 * HP_NS_PER_MS)
            left = 100 * HP_NS_PER_MS; /* the wall clock may be stepped: look again */
        struct timespec ts = {(time_t)(left / HP_NS_PER_S), (long)(left % HP_NS_PER_S)};
        if (sigtimedwait(set, NULL, &ts) > 0)
            return -EINTR;
    }
    return 0;
}
