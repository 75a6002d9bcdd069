/* SPDX-License-Identifier: MIT */
/* bench/bench.h - `hotpath bench`: time commands the way hyperfine does
 * (warm-up runs, at least 10 runs and 3 s, the shell's own start-up
 * measured and subtracted, a setup, prepare and cleanup command), and what
 * hyperfine does not: runs of several commands interleaved (alternating or
 * shuffled rounds, so drift hits all alike), every run's rusage (peak RSS,
 * context switches, page faults), a distribution-free confidence interval
 * for the median, and warnings for varying exit codes and a shell start-up
 * that is a large share of the time. */
#ifndef HP_BENCH_BENCH_H
#define HP_BENCH_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench/cmdline.h"
#include "bench/spawn.h"
#include "core/err.h"
#include "stat/stats.h"

enum hp_interleave { HP_INTERLEAVE_NONE, HP_INTERLEAVE_ALTERNATE, HP_INTERLEAVE_SHUFFLE };

/* What the caller is told as the runs go: for a progress bar. */
enum hp_bench_phase { HP_PHASE_SHELL, HP_PHASE_WARMUP, HP_PHASE_FIRST, HP_PHASE_MEASURE };

struct hp_bench_result;
struct hp_bench_hooks {
    void *ud;
    /* one run done: phase, runs done and planned in it, for command i (-1:
     * all, interleaved), and the current estimate of its mean (NaN if none) */
    void (*progress)(void *ud, enum hp_bench_phase ph, int64_t done, int64_t total, int cmd,
                     double mean_s);
    /* a command is measured (not interleaved: as each ends; interleaved:
     * each at the end) */
    void (*result)(void *ud, const struct hp_bench_result *r);
    /* about to measure command i (not interleaved) */
    void (*start)(void *ud, int i, const char *name);
};

struct hp_bench_opts {
    int64_t warmup;
    int64_t min_runs, max_runs; /* max 0: no limit; both from -r when set */
    double min_time_s;          /* 3 s */
    const char *setup, *cleanup;
    const char *const *prepare; /* one for all, or one per command */
    int nprepare;
    const char *shell; /* NULL: no shell (-N) */
    bool ignore_failure;
    enum hp_interleave interleave;
    uint64_t seed; /* shuffled rounds */
    struct hp_spawn_io io;
    volatile sig_atomic_t *stop; /* set by a signal: stop after this run */
};

struct hp_bench_result {
    int index;
    const struct hp_bench_cmd *cmd;
    struct hp_run *runs;
    int64_t nruns, cap;
    double wall_sum; /* of the runs kept: the running mean */
    bool complete;   /* every planned run was made */
    /* the figures, by hp_bench_summarise */
    double mean_s, stddev_s, median_s, min_s, max_s, user_s, system_s;
    struct hp_median_ci median_ci; /* 95% */
    int64_t rss_median, rss_max;   /* bytes */
    bool rss_at_floor;             /* at or below hotpath's own: "at most" */
    double vcs_mean, ivcs_mean, minflt_mean, majflt_mean;
    int64_t outliers; /* |modified z| > HP_OUTLIER_Z */
    bool slow_first;  /* the first run is the outlier (hyperfine's) */
    int64_t failed;   /* runs that did not exit 0 */
    bool codes_vary;
    bool fast;          /* a run under 5 ms through a shell */
    double shell_share; /* the shell's start-up / the mean before subtraction */
};

struct hp_bench {
    struct hp_bench_opts o;
    const struct hp_bench_cmd *cmds;
    int ncmds;
    struct hp_bench_result *results; /* ncmds */
    struct hp_run shell;             /* the shell's own mean, when calibrated */
    bool calibrated;
    int64_t rss_floor;
    bool interrupted;
    struct hp_spawner *sp;
};

#define HP_BENCH_MIN_EXEC_S 5e-3 /* hyperfine: below this through a shell, warn */
#define HP_BENCH_SHELL_RUNS 50

int hp_bench_new(const struct hp_bench_opts *o, const struct hp_bench_cmd *cmds, int n,
                 struct hp_bench **out, struct hp_err *err);
void hp_bench_free(struct hp_bench *b);
/* Run everything. 0; HP_EINPUT when a command could not be started; -ECHILD
 * when one exited with a status other than 0 (without ignore_failure) or a
 * setup, prepare or cleanup command did; err says which. What was measured
 * until then stays in b->results. */
int hp_bench_run(struct hp_bench *b, const struct hp_bench_hooks *h, struct hp_err *err);
/* Figures of r from its runs (hp_bench_run does it; after a stop too). */
void hp_bench_summarise(const struct hp_bench *b, struct hp_bench_result *r);

/* hyperfine's relative speed: mean / the fastest mean, and its error. */
void hp_bench_relative(const struct hp_bench_result *r, const struct hp_bench_result *fastest,
                       double *ratio, double *ratio_sd);

#endif
