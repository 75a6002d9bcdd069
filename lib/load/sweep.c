// SPDX-License-Identifier: MIT
/* load/sweep.c - the sweep's steps on top of the load engine. */
#include "load/sweep.h"

#include "load/run.h"

const char *hp_sweep_stop_reason(enum hp_sweep_stop why)
{
    switch (why) {
    case HP_SWEEP_DONE: return "all levels measured";
    case HP_SWEEP_ERRORS: return "stopped early: errors above the limit";
    case HP_SWEEP_LATENCY: return "stopped early: p99 above 10 times the SLO";
    case HP_SWEEP_COLLAPSE: return "stopped early: throughput fell below half its best";
    case HP_SWEEP_INTERRUPTED: return "interrupted";
    }
    return "";
}

/* One load run through the run loop; fills step from its totals. *stopped
 * when a stop signal came. */
static int run_once(const struct hp_load_config *cfg, struct hp_sweep_step *step,
                    const sigset_t *stop_signals, bool *stopped, struct hp_err *err)
{
    struct hp_run_engine engine = {0};
    int rc = hp_load_new(cfg, &engine.load, err);
    if (rc < 0)
        return rc;
    struct hp_run r = {.engines = &engine, .n = 1, .stop_signals = stop_signals};
    rc = hp_run_go(&r, err);
    *stopped = r.interrupted;
    if (rc < 0) {
        hp_load_free(engine.load);
        return rc;
    }
    const struct hp_load_figures *t = hp_load_totals(engine.load);
    double secs = hp_load_elapsed_s(engine.load); /* measured, as everywhere */
    int64_t errors = hp_load_error_total(&t->counts);
    step->requests = t->counts.requests;
    step->throughput_per_s = secs > 0 ? (double)t->counts.requests / secs : 0;
    step->p50_ns = hp_hist_value_at_percentile(t->corrected, 50);
    step->p99_ns = hp_hist_value_at_percentile(t->corrected, 99);
    step->mean_ns = hp_hist_mean(t->corrected);
    step->mean_in_flight = step->throughput_per_s * step->mean_ns / 1e9;
    step->error_ratio = t->counts.requests + errors > 0
                            ? (double)errors / (double)(t->counts.requests + errors)
                            : 1.0;
    hp_load_free(engine.load);
    return 0;
}

int hp_sweep_run(const struct hp_sweep_config *cfg, struct hp_sweep_step *out, int *n_done,
                 enum hp_sweep_stop *why, void (*progress)(const struct hp_sweep_step *, void *),
                 void *arg, const sigset_t *stop_signals, struct hp_err *err)
{
    double best = 0;
    bool stopped = false;
    *n_done = 0;
    *why = HP_SWEEP_DONE;
    if (cfg->n_levels < 1 || cfg->n_levels > HP_SWEEP_MAX_LEVELS)
        return hp_err_set(err, HP_ERANGE, "1-%d levels", HP_SWEEP_MAX_LEVELS);
    for (int i = 0; i < cfg->n_levels; i++) {
        struct hp_load_config lc = cfg->base;
        struct hp_sweep_step step = {.concurrency = cfg->by_rate ? cfg->max_in_flight
                                                                 : cfg->levels[i],
                                     .rate_per_s = cfg->by_rate ? cfg->rates[i] : 0};
        lc.connections = step.concurrency;
        if (lc.h2 != HP_H2_OFF && !cfg->by_rate) /* each connection keeps its streams busy */
            step.concurrency = lc.connections * lc.pipeline;
        if (lc.threads > lc.connections)
            lc.threads = lc.connections;
        lc.open_model = cfg->by_rate;
        lc.ramp_connections = false;
        int rc;
        if (cfg->warmup_ns > 0) {
            lc.duration_ns = cfg->warmup_ns;
            if (cfg->by_rate)
                hp_stages_constant(&lc.stages, cfg->rates[i], (double)lc.duration_ns / 1e9);
            struct hp_sweep_step discard;
            if ((rc = run_once(&lc, &discard, stop_signals, &stopped, err)) < 0)
                return rc;
        }
        if (stopped) {
            *why = HP_SWEEP_INTERRUPTED;
            return 0;
        }
        lc.duration_ns = cfg->measure_ns;
        if (cfg->measure_begin)
            cfg->measure_begin(i, cfg->measure_arg);
        if (cfg->by_rate)
            hp_stages_constant(&lc.stages, cfg->rates[i], (double)lc.duration_ns / 1e9);
        if ((rc = run_once(&lc, &step, stop_signals, &stopped, err)) < 0)
            return rc;
        out[(*n_done)++] = step;
        if (progress)
            progress(&step, arg);
        if (stopped) {
            *why = HP_SWEEP_INTERRUPTED;
            return 0;
        }
        if (step.error_ratio > cfg->max_error_ratio) {
            *why = HP_SWEEP_ERRORS;
            return 0;
        }
        if (cfg->slo_p99_ns > 0 && step.p99_ns > 10 * cfg->slo_p99_ns) {
            *why = HP_SWEEP_LATENCY;
            return 0;
        }
        if (cfg->by_rate && step.throughput_per_s < step.rate_per_s / 2) {
            *why = HP_SWEEP_COLLAPSE; /* answers at under half the rate asked */
            return 0;
        }
        if (step.throughput_per_s > best)
            best = step.throughput_per_s;
        else if (step.throughput_per_s < best / 2) {
            *why = HP_SWEEP_COLLAPSE;
            return 0;
        }
    }
    return 0;
}
