// SPDX-License-Identifier: MIT
/* src/load_common.c - see load_common.h. */
#include "load_common.h"

#include <pthread.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/file.h"
#include "core/units.h"

void load_print_latency_row(const char *label, const struct hp_hist *h)
{
    char avg[32], sd[32], p50[32], p90[32], p99[32], max[32];
    printf("    %-12s %9s %9s %9s %9s %9s %9s\n", label,
           hp_format_duration((int64_t)hp_hist_mean(h), avg, sizeof avg),
           hp_format_duration((int64_t)hp_hist_stddev(h), sd, sizeof sd),
           hp_format_duration(hp_hist_value_at_percentile(h, 50), p50, sizeof p50),
           hp_format_duration(hp_hist_value_at_percentile(h, 90), p90, sizeof p90),
           hp_format_duration(hp_hist_value_at_percentile(h, 99), p99, sizeof p99),
           hp_format_duration(hp_hist_max(h), max, sizeof max));
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
    char d[32], r[32];
    printf("Running %s test @ %s\n", hp_format_duration(cfg->duration_ns, d, sizeof d), url);
    if (cfg->open_model)
        printf("  %d threads, at most %d requests in flight, open model at %s%s (%s)\n",
               cfg->threads, cfg->connections, stages ? "stages averaging " : "",
               hp_format_rate(target_rate, r, sizeof r),
               cfg->poisson ? "Poisson arrivals" : "constant spacing");
    else if (stages)
        printf("  %d threads and up to %d connections in stages\n", cfg->threads,
               cfg->connections);
    else
        printf("  %d threads and %d connections%s\n", cfg->threads, cfg->connections,
               cfg->pipeline > 1 ? ", pipelined" : "");
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

void load_print_summary(const struct hp_load_config *cfg, double target_rate, bool latency,
                        const struct hp_load_figures *t, double elapsed)
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
    if (latency) {
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
    printf("Transfer/sec: %10s\n",
           hp_format_size((int64_t)(elapsed > 0 ? (double)c->bytes_read / elapsed : 0), a,
                          sizeof a));
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
