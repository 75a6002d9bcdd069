/* SPDX-License-Identifier: MIT */
/* src/load_common.h - what `hotpath load` shares between single-URL tests
 * (cmd_load.c) and scenario files (load_scenario.c). */
#ifndef HP_LOAD_COMMON_H
#define HP_LOAD_COMMON_H

#include <signal.h>

#include "cmds.h"
#include "load/load.h"
#include "stat/threshold.h"

/* What thresholds judge, from counts and histograms over secs seconds (lag
 * NULL when there is no schedule). A failed request is an answer with
 * status 4xx or 5xx, or any error that left no answer (refused, reset,
 * timeout, malformed...); those count as attempts too, so a target that
 * refuses everything fails 100%. */
void load_metric_set(const struct hp_load_counts *c, const struct hp_hist *corrected,
                     const struct hp_hist *uncorrected, const struct hp_hist *lag, double secs,
                     struct hp_metric_set *m);
/* Block SIGINT and SIGTERM in every thread made from here on (the caller
 * waits for them with sigtimedwait on *set) and ignore SIGPIPE. */
void load_block_stop_signals(sigset_t *set);
/* "    LABEL   avg stdev p50 p90 p99 max" */
void load_print_latency_row(const char *label, const struct hp_hist *h);

/* The scenario-file form of `hotpath load`: FILE instead of a URL. */
struct load_scenario_opts {
    const char *path;
    bool check_only;          /* --check: validate, print what would run, send nothing */
    bool latency;
    const char *json, *junit, *summary_md;
    const char *const *thresholds; /* --threshold texts */
    int n_thresholds;
    int64_t grace_ns;         /* -1: each scenario's timeout */
    uint64_t seed;
};
int load_scenarios(const struct hp_cmd *cmd, const struct load_scenario_opts *o);

#endif
