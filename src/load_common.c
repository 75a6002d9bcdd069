// SPDX-License-Identifier: MIT
/* src/load_common.c - see load_common.h. */
#include "load_common.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include "core/units.h"

void load_metric_set(const struct hp_load_counts *c, const struct hp_hist *corrected,
                     const struct hp_hist *uncorrected, const struct hp_hist *lag, double secs,
                     struct hp_metric_set *m)
{
    int64_t status = c->errors[HP_LERR_STATUS_4XX] + c->errors[HP_LERR_STATUS_5XX];
    int64_t other = hp_load_error_total(c) - status;
    *m = (struct hp_metric_set){
        .duration = corrected,
        .duration_uncorrected = uncorrected,
        .lag = lag,
        .requests = c->requests,
        .failed = status + other,
        .attempts = c->requests + other,
        .checks_passed = c->checks_passed,
        .checks_total = c->checks_passed + c->checks_failed,
        .bytes_received = c->bytes_read,
        .bytes_sent = c->bytes_written,
        .duration_s = secs,
    };
}

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
