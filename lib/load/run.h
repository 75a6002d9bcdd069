/* SPDX-License-Identifier: MIT */
/* load/run.h - the run loop around load engines, the one every front end
 * uses (a plain `load`, a scenario file's engines, each level of a sweep):
 * start each engine at its offset, merge every finished interval and hand
 * it to the caller, stop all engines on a stop signal or when the caller
 * says so (a threshold with abort_on_fail), and wait for the last answers.
 * Nothing is printed here: the hooks do what the command shows.
 *
 * The caller's thread runs the loop; it wakes about every 20 ms. Signals
 * that stop the run (SIGINT, SIGTERM) are blocked by the caller and waited
 * for here with sigtimedwait, so they are never lost between polls, and a
 * second one is not needed. */
#ifndef HP_LOAD_RUN_H
#define HP_LOAD_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "load/load.h"

#define HP_RUN_TICK_NS (20 * 1000 * 1000)

struct hp_run_engine {
    struct hp_load *load; /* made by the caller, started here (not freed) */
    int64_t start_ns;     /* offset from the run's start (a scenario's start delay) */
    /* set by the loop */
    bool started, finished;
    double offset_s; /* when it started, seconds since the run began */
};

struct hp_run_hooks {
    /* Engine i finished an interval (f: its figures, merged over workers;
     * f->start_s and end_s count from the engine's own start). A negative
     * return stops the run and is returned by hp_run_go. May be NULL. */
    int (*interval)(void *ctx, int i, const struct hp_load_figures *f);
    /* Each turn of the loop, t_s seconds after the run began, after the
     * intervals it delivered: true stops the run (hp_run.stopped). A
     * negative return code in *rc stops it as a failure. May be NULL. */
    bool (*tick)(void *ctx, double t_s, int *rc);
    void *ctx;
};

struct hp_run {
    struct hp_run_engine *engines;
    int n;
    const sigset_t *stop_signals; /* blocked by the caller; NULL: none */
    struct hp_run_hooks hooks;
    /* results */
    bool interrupted;        /* a stop signal came */
    bool stopped;            /* tick() asked to stop */
    int64_t started_wall_ns; /* wall clock at the start, for documents */
    double elapsed_s;        /* from the start to the last engine's end */
};

/* Run every engine to its end (or until stopped) and return 0, the first
 * negative code a hook returned, or an engine's start error (with err).
 * Engines that had not started when the run stopped stay unstarted. */
int hp_run_go(struct hp_run *r, struct hp_err *err);

#endif
