// SPDX-License-Identifier: MIT
/* bench/bench.c - see bench.h. */
#include "bench/bench.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "stat/stats.h"

struct argvs {
    char **argv; /* one allocation (hp_shell_split) or three pointers */
    char *shellv[4];
};

static void argvs_free(struct argvs *a)
{
    hp_free(a->argv);
}

/* The words to start for a command line: the shell's or its own. */
static int words(const struct hp_bench *b, const char *line, struct argvs *a, struct hp_err *err)
{
    memset(a, 0, sizeof *a);
    if (b->o.shell) {
        a->shellv[0] = (char *)b->o.shell;
        a->shellv[1] = (char *)"-c";
        a->shellv[2] = (char *)line;
        return 0;
    }
    int argc;
    int rc = hp_shell_split(line, &a->argv, &argc, err);
    if (rc < 0) {
        char msg[HP_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        return hp_err_set(err, HP_EUSAGE, "'%s': %s", line, msg);
    }
    if (argc == 0) {
        argvs_free(a);
        return hp_err_set(err, HP_EUSAGE, "'%s': an empty command (without a shell, -N)", line);
    }
    return 0;
}

static char *const *argv_of(const struct argvs *a)
{
    return a->argv ? a->argv : (char *const *)a->shellv;
}

/* The shell's start-up taken out, as hyperfine does; never below zero. */
static void subtract_shell(const struct hp_bench *b, struct hp_run *r)
{
    if (!b->calibrated)
        return;
    r->wall_s = fmax(0.0, r->wall_s - b->shell.wall_s);
    r->user_s = fmax(0.0, r->user_s - b->shell.user_s);
    r->system_s = fmax(0.0, r->system_s - b->shell.system_s);
}

/* A setup, prepare or cleanup command with cmd's parameters; it must exit 0. */
static int run_aux(struct hp_bench *b, const char *what, const char *line,
                   const struct hp_bench_cmd *cmd, double *took_s, struct hp_err *err)
{
    char *text = hp_param_subst(line, cmd->params, cmd->nparams);
    if (!text)
        return hp_err_set(err, -ENOMEM, "out of memory");
    struct argvs a;
    int rc = words(b, text, &a, err);
    struct hp_run r;
    if (rc == 0) {
        rc = hp_spawn_run(b->sp, argv_of(&a), &r, err);
        argvs_free(&a);
    }
    if (rc == 0 && !hp_run_ok(&r))
        rc = hp_err_set(err, -ECHILD,
                        "the %s command '%s' %s %d; add ' || true' to it if that may be ignored",
                        what, text, r.signal ? "was killed by signal" : "exited with",
                        r.signal ? r.signal : r.exit_code);
    else if (rc < 0 && rc != HP_EUSAGE) {
        char msg[HP_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        rc = hp_err_set(err, HP_EINPUT, "the %s command: %s", what, msg);
    }
    if (rc == 0 && took_s)
        *took_s = r.wall_s;
    hp_free(text);
    return rc;
}

static const char *prepare_of(const struct hp_bench *b, int i)
{
    if (b->o.nprepare == 0)
        return NULL;
    return b->o.prepare[b->o.nprepare == 1 ? 0 : i];
}

int hp_bench_new(const struct hp_bench_opts *o, const struct hp_bench_cmd *cmds, int n,
                 struct hp_bench **out, struct hp_err *err)
{
    if (o->nprepare > 1 && o->nprepare != n)
        return hp_err_set(err, HP_EUSAGE,
                          "%d --prepare for %d commands: give one for all or one for each",
                          o->nprepare, n);
    struct hp_bench *b = hp_calloc(1, sizeof *b);
    if (!b || !(b->results = hp_calloc((size_t)n, sizeof *b->results))) {
        hp_free(b);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    b->o = *o;
    if (b->o.min_time_s <= 0)
        b->o.min_time_s = 3.0;
    b->cmds = cmds;
    b->ncmds = n;
    for (int i = 0; i < n; i++) {
        b->results[i].index = i;
        b->results[i].cmd = &cmds[i];
    }
    int rc = hp_spawner_new(&o->io, &b->sp, err);
    if (rc < 0) {
        hp_bench_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

void hp_bench_free(struct hp_bench *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->ncmds; i++)
        hp_free(b->results[i].runs);
    hp_free(b->results);
    hp_spawner_free(b->sp);
    hp_free(b);
}

static int keep(struct hp_bench_result *r, const struct hp_run *run, struct hp_err *err)
{
    if (r->nruns == r->cap) {
        int64_t cap = r->cap ? 2 * r->cap : 16;
        struct hp_run *v = hp_realloc(r->runs, (size_t)cap * sizeof *v);
        if (!v)
            return hp_err_set(err, -ENOMEM, "out of memory");
        r->runs = v;
        r->cap = cap;
    }
    r->runs[r->nruns++] = *run;
    r->wall_sum += run->wall_s;
    return 0;
}

static double mean_wall(const struct hp_bench_result *r)
{
    return r->nruns ? r->wall_sum / (double)r->nruns : NAN;
}

static bool stopped(const struct hp_bench *b)
{
    return b->o.stop && *b->o.stop;
}

/* A run made: the shell's start-up out, kept (when it counts), and a
 * failure unless failures are ignored. */
static int take(struct hp_bench *b, int i, struct hp_run *r, bool keep_it, struct hp_err *err)
{
    subtract_shell(b, r);
    if (keep_it && keep(&b->results[i], r, err) < 0)
        return -ENOMEM;
    if (hp_run_ok(r) || b->o.ignore_failure)
        return 0;
    const char *name = b->cmds[i].name;
    if (r->signal)
        return hp_err_set(err, -ECHILD,
                          "'%s' was killed by signal %d. Use -i/--ignore-failure to keep "
                          "measuring, or --output=inherit to see what it printed",
                          name, r->signal);
    return hp_err_set(err, -ECHILD,
                      "'%s' exited with %d. Use -i/--ignore-failure to keep measuring, or "
                      "--output=inherit to see what it printed",
                      name, r->exit_code);
}

/* One timed run of command i (its prepare first), kept in its result. A
 * failed run ends the benchmark unless failures are ignored. *cost_s: what
 * the run took with its prepare and the shell, for planning. */
static int timed(struct hp_bench *b, int i, const struct argvs *a, bool keep_it, double *cost_s,
                 struct hp_err *err)
{
    const struct hp_bench_cmd *cmd = &b->cmds[i];
    double prep = 0;
    const char *p = prepare_of(b, i);
    int rc = p ? run_aux(b, "prepare", p, cmd, &prep, err) : 0;
    if (rc < 0)
        return rc;
    struct hp_run r;
    rc = hp_spawn_run(b->sp, argv_of(a), &r, err);
    if (rc < 0) {
        char msg[HP_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        return hp_err_set(err, HP_EINPUT, "%s", msg);
    }
    if (stopped(b) && r.signal == SIGINT)
        return 0; /* Ctrl-C reached the command too: not a run */
    if (cost_s)
        *cost_s = r.wall_s + prep;
    return take(b, i, &r, keep_it, err);
}

static void progress(const struct hp_bench_hooks *h, enum hp_bench_phase ph, int64_t done,
                     int64_t total, int cmd, double mean)
{
    if (h && h->progress)
        h->progress(h->ud, ph, done, total, cmd, mean);
}

/* hyperfine's count: runs that fill min_time at the first run's cost, at
 * least min_runs, at most max_runs. */
static int64_t plan(const struct hp_bench *b, double cost_s)
{
    double fit = cost_s > 0 ? b->o.min_time_s / cost_s : 1e12;
    int64_t n = fit > 1e12 ? (int64_t)1e12 : (int64_t)fit;
    if (n < b->o.min_runs)
        n = b->o.min_runs;
    if (b->o.max_runs > 0 && n > b->o.max_runs)
        n = b->o.max_runs;
    return n < 1 ? 1 : n;
}

static int calibrate(struct hp_bench *b, const struct hp_bench_hooks *h, struct hp_err *err)
{
    struct hp_run sum = {0}, r;
    char *argv[] = {(char *)b->o.shell, (char *)"-c", (char *)"", NULL};
    for (int k = 0; k < HP_BENCH_SHELL_RUNS; k++) {
        int rc = hp_spawn_run(b->sp, argv, &r, err);
        if (rc < 0 || !hp_run_ok(&r))
            return hp_err_set(err, HP_EINPUT,
                              "the shell's start-up could not be measured: make sure '%s -c "
                              "\"\"' runs, or use -N/--shell=none",
                              b->o.shell);
        sum.wall_s += r.wall_s;
        sum.user_s += r.user_s;
        sum.system_s += r.system_s;
        progress(h, HP_PHASE_SHELL, k + 1, HP_BENCH_SHELL_RUNS, -1, NAN);
    }
    b->shell.wall_s = sum.wall_s / HP_BENCH_SHELL_RUNS;
    b->shell.user_s = sum.user_s / HP_BENCH_SHELL_RUNS;
    b->shell.system_s = sum.system_s / HP_BENCH_SHELL_RUNS;
    b->calibrated = true;
    return 0;
}

/* Runs in a row without a prepare command: handed to the spawner at once. */
struct row {
    struct hp_bench *b;
    int i;
    bool keep;
    int64_t done, total;
    enum hp_bench_phase phase;
    const struct hp_bench_hooks *h;
    int rc;
    struct hp_err *err;
};

static bool row_each(void *ud, const struct hp_run *run)
{
    struct row *w = ud;
    struct hp_bench *b = w->b;
    struct hp_bench_result *r = &b->results[w->i];
    if (stopped(b) && run->signal == SIGINT)
        return false; /* Ctrl-C reached the command too: not a run */
    struct hp_run x = *run;
    if ((w->rc = take(b, w->i, &x, w->keep, w->err)) < 0)
        return false;
    w->done++;
    progress(w->h, w->phase, w->done, w->total, w->i, w->keep ? mean_wall(r) : NAN);
    return !stopped(b);
}

/* count runs of command i after `done` of `total`: in a row when there is
 * no prepare command, else one by one. */
static int runs(struct hp_bench *b, int i, const struct argvs *a, int64_t count, bool keep_them,
                enum hp_bench_phase ph, int64_t done, int64_t total, const struct hp_bench_hooks *h,
                struct hp_err *err)
{
    if (prepare_of(b, i)) {
        int rc = 0;
        for (int64_t k = 0; rc == 0 && k < count && !stopped(b); k++) {
            rc = timed(b, i, a, keep_them, NULL, err);
            progress(h, ph, done + k + 1, total, i, keep_them ? mean_wall(&b->results[i]) : NAN);
        }
        return rc;
    }
    struct row w = {.b = b,
                    .i = i,
                    .keep = keep_them,
                    .done = done,
                    .total = total,
                    .phase = ph,
                    .h = h,
                    .err = err};
    int rc = hp_spawn_repeat(b->sp, argv_of(a), count, !b->o.ignore_failure, row_each, &w, err);
    if (rc < 0) {
        char msg[HP_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
        return hp_err_set(err, HP_EINPUT, "%s", msg);
    }
    return w.rc;
}

static int one_by_one(struct hp_bench *b, struct argvs *av, const struct hp_bench_hooks *h,
                      struct hp_err *err)
{
    for (int i = 0; i < b->ncmds && !stopped(b); i++) {
        const struct hp_bench_cmd *cmd = &b->cmds[i];
        struct hp_bench_result *r = &b->results[i];
        if (h && h->start)
            h->start(h->ud, i, cmd->name);
        int rc = b->o.setup ? run_aux(b, "setup", b->o.setup, cmd, NULL, err) : 0;
        if (rc == 0 && b->o.warmup > 0 && !stopped(b))
            rc = runs(b, i, &av[i], b->o.warmup, false, HP_PHASE_WARMUP, 0, b->o.warmup, h, err);
        double cost = 0;
        if (rc == 0 && !stopped(b)) {
            rc = timed(b, i, &av[i], true, &cost, err);
            progress(h, HP_PHASE_FIRST, 1, 1, i, mean_wall(r));
        }
        int64_t n = plan(b, cost);
        if (rc == 0 && n > 1 && !stopped(b))
            rc = runs(b, i, &av[i], n - 1, true, HP_PHASE_MEASURE, 1, n, h, err);
        r->complete = rc == 0 && r->nruns == n;
        if (rc == 0 && b->o.cleanup)
            rc = run_aux(b, "cleanup", b->o.cleanup, cmd, NULL, err);
        b->rss_floor = hp_spawn_rss_floor(b->sp); /* the helper's, grown as it ran */
        hp_bench_summarise(b, r);
        if (r->nruns > 0 && h && h->result)
            h->result(h->ud, r);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* xorshift64*: the shuffled order, reproducible from --seed */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static int interleaved(struct hp_bench *b, struct argvs *av, const struct hp_bench_hooks *h,
                       struct hp_err *err)
{
    int n = b->ncmds, rc = 0;
    int *order = hp_malloc((size_t)n * sizeof *order);
    if (!order)
        return hp_err_set(err, -ENOMEM, "out of memory");
    uint64_t seed = b->o.seed ? b->o.seed : 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < n && rc == 0 && b->o.setup; i++)
        rc = run_aux(b, "setup", b->o.setup, &b->cmds[i], NULL, err);
    for (int64_t k = 0; rc == 0 && k < b->o.warmup && !stopped(b); k++) {
        for (int i = 0; i < n && rc == 0; i++)
            rc = timed(b, i, &av[i], false, NULL, err);
        progress(h, HP_PHASE_WARMUP, k + 1, b->o.warmup, -1, NAN);
    }
    /* the first round plans: enough rounds for the slowest to fill
     * min_time, and at least min_runs for all */
    int64_t rounds = INT64_MAX;
    for (int i = 0; i < n && rc == 0 && !stopped(b); i++) {
        double cost = 0;
        rc = timed(b, i, &av[i], true, &cost, err);
        int64_t p = plan(b, cost);
        rounds = p < rounds ? p : rounds;
    }
    if (rc == 0)
        progress(h, HP_PHASE_FIRST, 1, 1, -1, NAN);
    for (int64_t k = 1; rc == 0 && k < rounds && !stopped(b); k++) {
        for (int i = 0; i < n; i++)
            order[i] = i;
        if (b->o.interleave == HP_INTERLEAVE_SHUFFLE)
            for (int i = n - 1; i > 0; i--) {
                int j = (int)(next_rand(&seed) % (uint64_t)(i + 1));
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        for (int i = 0; i < n && rc == 0 && !stopped(b); i++)
            rc = timed(b, order[i], &av[order[i]], true, NULL, err);
        progress(h, HP_PHASE_MEASURE, k + 1, rounds, -1, NAN);
    }
    for (int i = 0; i < n; i++) {
        b->results[i].complete = rc == 0 && b->results[i].nruns == rounds;
        if (b->o.cleanup && rc == 0)
            rc = run_aux(b, "cleanup", b->o.cleanup, &b->cmds[i], NULL, err);
    }
    b->rss_floor = hp_spawn_rss_floor(b->sp);
    for (int i = 0; i < n; i++) {
        hp_bench_summarise(b, &b->results[i]);
        if (b->results[i].nruns > 0 && h && h->result)
            h->result(h->ud, &b->results[i]);
    }
    hp_free(order);
    return rc;
}

int hp_bench_run(struct hp_bench *b, const struct hp_bench_hooks *h, struct hp_err *err)
{
    struct argvs *av = hp_calloc((size_t)b->ncmds, sizeof *av);
    if (!av)
        return hp_err_set(err, -ENOMEM, "out of memory");
    int rc = 0, made = 0;
    for (; made < b->ncmds && rc == 0; made++) {
        rc = words(b, b->cmds[made].line, &av[made], err);
        /* without a shell, a program that is not there is found now */
        if (rc == 0 && !b->o.shell && hp_spawn_which(b->sp, av[made].argv[0], err) < 0)
            rc = HP_EINPUT;
    }
    if (rc == 0)
        b->rss_floor = hp_spawn_rss_floor(b->sp);
    if (rc == 0 && b->o.shell)
        rc = calibrate(b, h, err);
    if (rc == 0)
        rc = b->o.interleave == HP_INTERLEAVE_NONE || b->ncmds < 2 ? one_by_one(b, av, h, err)
                                                                   : interleaved(b, av, h, err);
    b->interrupted = stopped(b);
    for (int i = 0; i < made; i++)
        argvs_free(&av[i]);
    hp_free(av);
    return rc;
}

void hp_bench_summarise(const struct hp_bench *b, struct hp_bench_result *r)
{
    int64_t n = r->nruns;
    if (n == 0)
        return;
    double *v = hp_malloc((size_t)n * 4 * sizeof *v);
    struct hp_welford w;
    hp_welford_init(&w);
    double user = 0, sys = 0, vcs = 0, ivcs = 0, minf = 0, majf = 0;
    r->failed = 0;
    r->codes_vary = false;
    r->fast = false;
    int64_t rss_max = 0;
    for (int64_t i = 0; i < n; i++) {
        const struct hp_run *x = &r->runs[i];
        hp_welford_add(&w, x->wall_s);
        user += x->user_s;
        sys += x->system_s;
        vcs += (double)x->voluntary_cs;
        ivcs += (double)x->involuntary_cs;
        minf += (double)x->minor_faults;
        majf += (double)x->major_faults;
        rss_max = x->max_rss_bytes > rss_max ? x->max_rss_bytes : rss_max;
        r->failed += !hp_run_ok(x);
        if (x->exit_code != r->runs[0].exit_code || x->signal != r->runs[0].signal)
            r->codes_vary = true;
        if (b->calibrated && x->wall_s < HP_BENCH_MIN_EXEC_S)
            r->fast = true;
    }
    r->mean_s = w.mean;
    r->stddev_s = n > 1 ? hp_welford_stddev(&w) : NAN;
    r->min_s = w.min;
    r->max_s = w.max;
    r->user_s = user / (double)n;
    r->system_s = sys / (double)n;
    r->vcs_mean = vcs / (double)n;
    r->ivcs_mean = ivcs / (double)n;
    r->minflt_mean = minf / (double)n;
    r->majflt_mean = majf / (double)n;
    r->rss_max = rss_max;
    r->shell_share = b->calibrated ? b->shell.wall_s / (r->mean_s + b->shell.wall_s) : 0.0;
    if (!v) {
        r->median_s = NAN;
        return;
    }
    double *z = v + n, *scratch = v + 2 * n;
    for (int64_t i = 0; i < n; i++)
        v[i] = r->runs[i].wall_s;
    hp_modified_z(v, (size_t)n, z, scratch);
    r->outliers = 0;
    for (int64_t i = 0; i < n; i++) {
        r->runs[i].outlier = fabs(z[i]) > HP_OUTLIER_Z;
        r->outliers += r->runs[i].outlier;
    }
    r->slow_first = z[0] > HP_OUTLIER_Z;
    qsort(v, (size_t)n, sizeof *v, hp_cmp_double);
    r->median_s = hp_quantile_sorted(v, (size_t)n, 0.5);
    hp_median_ci_sorted(v, (size_t)n, 0.95, &r->median_ci);
    for (int64_t i = 0; i < n; i++)
        v[i] = (double)r->runs[i].max_rss_bytes;
    r->rss_median = (int64_t)hp_quantile(v, (size_t)n, 0.5);
    r->rss_at_floor = b->rss_floor > 0 && r->rss_max <= b->rss_floor;
    hp_free(v);
}

void hp_bench_relative(const struct hp_bench_result *r, const struct hp_bench_result *fastest,
                       double *ratio, double *ratio_sd)
{
    *ratio = r->mean_s / fastest->mean_s;
    *ratio_sd = NAN;
    if (r->nruns > 1 && fastest->nruns > 1)
        *ratio_sd = *ratio * sqrt(pow(r->stddev_s / r->mean_s, 2) +
                                  pow(fastest->stddev_s / fastest->mean_s, 2));
}
