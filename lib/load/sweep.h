/* SPDX-License-Identifier: MIT */
/* load/sweep.h - load at rising concurrency (closed model) or rising rate
 * (open model): for each level a warm-up run (discarded) and a measured run
 * of the load engine, with an early stop when errors or latency explode or
 * throughput collapses. The points feed a USL fit (model/usl.h); for rates
 * the concurrency is the mean number in flight, by Little's law. */
#ifndef HP_LOAD_SWEEP_H
#define HP_LOAD_SWEEP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "load/load.h"

#define HP_SWEEP_MAX_LEVELS 64

struct hp_sweep_step {
    int concurrency;          /* connections (by rate: the in-flight cap) */
    double rate_per_s;        /* by rate: the target; else 0 */
    double mean_in_flight;    /* Little's law: throughput x mean latency */
    double throughput_per_s;
    int64_t p50_ns, p99_ns;
    double mean_ns;           /* mean latency (from the schedule) */
    double error_ratio;  /* errors / (answers + errors) */
    int64_t requests;
};

struct hp_sweep_config {
    struct hp_load_config base; /* target, request, threads (capped at each level), timeouts */
    int levels[HP_SWEEP_MAX_LEVELS];       /* concurrencies, or */
    double rates[HP_SWEEP_MAX_LEVELS];     /* with by_rate: open-model rates per second */
    bool by_rate;
    int max_in_flight;                     /* by_rate: the -c cap */
    int n_levels;
    int64_t warmup_ns, measure_ns;
    int64_t slo_p99_ns;         /* 0: none; a p99 over 10 x this stops the sweep */
    double max_error_ratio;     /* stop above this (0.1) */
    /* Called (when set) as each level's measured run is about to start,
     * after its warm-up: diagnose starts its profilers there. */
    void (*measure_begin)(int level, void *arg);
    void *measure_arg;
};

enum hp_sweep_stop { HP_SWEEP_DONE, HP_SWEEP_ERRORS, HP_SWEEP_LATENCY, HP_SWEEP_COLLAPSE,
                     HP_SWEEP_INTERRUPTED };

/* Run the levels in order, each through the run loop (load/run.h); out must
 * hold n_levels steps. *n_done is how many were measured, *why why it
 * stopped. progress (may be NULL) is called after each step. A signal of
 * stop_signals (blocked by the caller; may be NULL) ends the current run and
 * the sweep, keeping what was measured. Throughput is over each run's
 * measured duration. */
int hp_sweep_run(const struct hp_sweep_config *cfg, struct hp_sweep_step *out, int *n_done,
                 enum hp_sweep_stop *why, void (*progress)(const struct hp_sweep_step *, void *),
                 void *arg, const sigset_t *stop_signals, struct hp_err *err);
const char *hp_sweep_stop_reason(enum hp_sweep_stop why);

#endif
