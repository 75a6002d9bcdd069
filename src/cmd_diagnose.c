// SPDX-License-Identifier: MIT
/* src/cmd_diagnose.c - `hotpath diagnose`: sweep a service's load upward
 * while the monitor samples the host and the process, profile the process
 * on and off the CPU just below the knee and at it, and say where it stops,
 * what saturates first, what code the time went to and what to try
 * (diag/diag.h reasons; this file gathers the figures). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmds.h"
#include "load_common.h"
#include "sweep_args.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/result.h"
#include "core/units.h"
#include "diag/diag.h"
#include "prof/flame.h"
#include "prof/sampler.h"
#include "sys/monitor.h"

extern char **environ;

enum { O_PID = 1, O_JSON, O_FLAME, O_OFF_FLAME, O_FREQ, O_PERIOD, O_NO_OFF_CPU, O_OFF_WINDOW,
       O_READY,
       O_SWEEP /* SWEEP_OPT_COUNT ids from here */ };

static const struct cli_opt diagnose_opts[] = {
    {O_PID, "pid", 'p', "PID", "The service's process (all its threads)."},
    SWEEP_OPTS(O_SWEEP),
    {O_JSON, "json", 0, "FILE",
     "Write the result document (kind diagnose): the sweep, the monitor's series, both "
     "profiles, the findings and what to try; 'hotpath report --as rca' draws it."},
    {O_FLAME, "flame", 'o', "FILE.svg",
     "Write the differential CPU flame graph: the knee's stacks, red where a frame's share "
     "grew from the level below."},
    {O_OFF_FLAME, "off-cpu-flame", 0, "FILE.svg",
     "Write the differential off-CPU flame graph (blocked time, ns) the same way."},
    {O_FREQ, "freq", 'F', "HZ", "CPU samples per second of each busy thread. Default 99."},
    {O_PERIOD, "interval", 0, "DURATION", "Between the monitor's samples. Default 250ms."},
    {O_NO_OFF_CPU, "no-off-cpu", 0, NULL,
     "Leave the off-CPU profile out (it records every context switch of the process)."},
    {O_OFF_WINDOW, "off-cpu-window", 0, "DURATION",
     "How long the off-CPU profile records, at the end of each profiled run: every "
     "context switch with its stack costs a server that switches tens of thousands of times "
     "a second a quarter of its throughput while it runs. Default a tenth of --measure, at "
     "least 200ms."},
    {O_READY, "ready-timeout", 0, "DURATION",
     "With -- COMMAND: how long the service may take to accept connections. Default 10s."},
    {0, NULL, 0, NULL, NULL},
};

/* ---- the monitor, on a thread of its own ---------------------------------- */

struct sample {
    int64_t at;    /* CLOCK_MONOTONIC */
    double loader; /* cores this process used since the sample before */
    struct hp_mon_point p;
};

struct monitor {
    pthread_t th;
    struct hp_mon *mon;
    int64_t period_ns;
    atomic_int stop, paused;
    pthread_mutex_t mu;
    struct sample *s;
    size_t n, cap;
};

static double self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void *monitor_main(void *arg)
{
    struct monitor *m = arg;
    int64_t next = hp_now_ns(), last = next;
    double cpu0 = self_cpu_s();
    struct sample cur;
    hp_mon_sample(m->mon, next, &cur.p); /* primes the counters */
    while (!atomic_load(&m->stop)) {
        next += m->period_ns;
        struct timespec ts = {.tv_sec = next / HP_NS_PER_S, .tv_nsec = next % HP_NS_PER_S};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
        if (atomic_load(&m->stop))
            break;
        if (atomic_load(&m->paused))
            continue;
        int64_t now = hp_now_ns();
        double cpu = self_cpu_s();
        int rc = hp_mon_sample(m->mon, now, &cur.p);
        cur.at = now;
        cur.loader = now > last ? (cpu - cpu0) / ((double)(now - last) / 1e9) : 0;
        last = now;
        cpu0 = cpu;
        pthread_mutex_lock(&m->mu);
        if (rc == 1 && m->n == m->cap) {
            size_t cap = m->cap ? 2 * m->cap : 64;
            struct sample *s = hp_realloc(m->s, cap * sizeof *s);
            if (s) {
                m->s = s;
                m->cap = cap;
            }
        }
        if (rc == 1 && m->n < m->cap)
            m->s[m->n++] = cur;
        pthread_mutex_unlock(&m->mu);
    }
    return NULL;
}

/* ---- the sweep's level windows and the profilers ---------------------------- */

struct prof_job {
    pthread_t th;
    bool started;
    int64_t delay_ns; /* from the start of the measured run */
    struct hp_prof_opts o;
    struct hp_prof_result r;
    struct hp_err err;
    int rc;
};

static volatile sig_atomic_t prof_stop;

static void *prof_main(void *arg)
{
    struct prof_job *j = arg;
    for (int64_t until = hp_now_ns() + j->delay_ns; !prof_stop && hp_now_ns() < until;)
        usleep(10000);
    j->rc = hp_prof_run(&j->o, &prof_stop, &j->r, &j->err);
    return NULL;
}

struct run_state {
    int64_t begin[HP_SWEEP_MAX_LEVELS], end[HP_SWEEP_MAX_LEVELS];
    struct prof_job *jobs; /* when profiling: started at the measured run */
    int n_jobs;
    struct monitor *mon;
};

static void measure_begin(int level, void *arg)
{
    struct run_state *st = arg;
    st->begin[level] = hp_now_ns();
    for (int i = 0; i < st->n_jobs; i++) {
        struct prof_job *j = &st->jobs[i];
        j->started = pthread_create(&j->th, NULL, prof_main, j) == 0;
        if (!j->started)
            j->rc = hp_err_set(&j->err, -EAGAIN, "cannot start a profiler thread");
    }
}

/* ---- from samples to a level's resource use --------------------------------- */

static bool in_window(const struct monitor *m, const struct sample *s, int64_t b, int64_t e)
{
    return s->at - m->period_ns >= b - m->period_ns / 4 && s->at <= e + m->period_ns / 4;
}

/* The means over a level's measured run [b, e] of the samples whose
 * interval lies in it; the busiest disk; the first and last resident set. */
static void level_use(struct monitor *m, int64_t b, int64_t e, struct hp_diag_level *lv)
{
    static const size_t means[] = {
        offsetof(struct hp_diag_level, cpu_util),     offsetof(struct hp_diag_level, runq),
        offsetof(struct hp_diag_level, proc_cpu),     offsetof(struct hp_diag_level, thread_max_cpu),
        offsetof(struct hp_diag_level, threads),      offsetof(struct hp_diag_level, vcs_per_s),
        offsetof(struct hp_diag_level, ivcs_per_s),   offsetof(struct hp_diag_level, majflt_per_s),
        offsetof(struct hp_diag_level, swap_per_s),
        offsetof(struct hp_diag_level, mem_available_ratio),
        offsetof(struct hp_diag_level, loader_cpu),   offsetof(struct hp_diag_level, drops_per_s),
        offsetof(struct hp_diag_level, retrans_per_s),
    };
#define FIELD(off) (*(double *)((char *)lv + (off)))
    for (size_t f = 0; f < sizeof means / sizeof means[0]; f++)
        FIELD(means[f]) = 0;
    int k = 0;
    lv->rss_first = lv->rss_last = NAN;
    lv->disk_util = lv->disk_await_ms = 0;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->n; i++) {
        const struct sample *s = &m->s[i];
        if (!in_window(m, s, b, e))
            continue;
        const struct hp_mon_point *p = &s->p;
        lv->cpu_util += p->cpu_util;
        lv->runq += p->runq;
        lv->proc_cpu += p->proc ? p->proc_cpu : 0;
        lv->thread_max_cpu += p->proc ? p->thread_max_cpu : 0;
        lv->threads += p->proc ? p->proc_threads : 0;
        lv->vcs_per_s += p->proc ? p->proc_vcs_per_s : 0;
        lv->ivcs_per_s += p->proc ? p->proc_ivcs_per_s : 0;
        lv->majflt_per_s += p->major_faults_per_s;
        lv->swap_per_s += p->swap_pages_per_s;
        lv->mem_available_ratio += p->mem_total > 0 ? p->mem_available / p->mem_total : 1;
        lv->loader_cpu += s->loader;
        for (int d = 0; d < p->nnets; d++)
            lv->drops_per_s += p->nets[d].drops_per_s;
        lv->retrans_per_s += p->retrans_per_s;
        for (int d = 0; d < p->ndisks; d++)
            if (p->disks[d].util > lv->disk_util) {
                lv->disk_util = p->disks[d].util;
                lv->disk_await_ms = p->disks[d].await_ms;
                snprintf(lv->disk, sizeof lv->disk, "%s", p->disks[d].name);
            }
        if (p->proc) {
            if (!isfinite(lv->rss_first)) {
                lv->rss_first = p->proc_rss;
                lv->t_first = (double)s->at / 1e9;
            }
            lv->rss_last = p->proc_rss;
            lv->t_last = (double)s->at / 1e9;
            snprintf(lv->thread_max_name, sizeof lv->thread_max_name, "%s", p->thread_max_name);
        }
        k++;
    }
    pthread_mutex_unlock(&m->mu);
    lv->samples = k;
    for (size_t f = 0; f < sizeof means / sizeof means[0]; f++)
        FIELD(means[f]) /= k ? k : NAN;
#undef FIELD
}

static void progress(const struct hp_sweep_step *s, void *arg)
{
    struct run_state *st = arg;
    char x[32], p50[32], p99[32], level[32];
    /* the level just measured is the last whose window has no end yet */
    int i = 0;
    while (i < HP_SWEEP_MAX_LEVELS - 1 && st->end[i] != 0)
        i++;
    st->end[i] = hp_now_ns();
    struct hp_diag_level use = {0};
    level_use(st->mon, st->begin[i], st->end[i], &use);
    if (s->rate_per_s > 0)
        hp_format_rate(s->rate_per_s, level, sizeof level);
    else
        snprintf(level, sizeof level, "%d", s->concurrency);
    printf("  %8s %12s %10s %10s %8.3g%% %9.2f %9.2f\n", level,
           hp_format_rate(s->throughput_per_s, x, sizeof x),
           hp_format_duration(s->p50_ns, p50, sizeof p50),
           hp_format_duration(s->p99_ns, p99, sizeof p99), s->error_ratio * 100, use.proc_cpu,
           use.loader_cpu);
    fflush(stdout);
}

/* ---- the service started for the run ---------------------------------------- */

static int start_service(const struct hp_cmd *cmd, char **argv, const struct hp_addr *addr,
                         int64_t ready_ns, pid_t *out)
{
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (rc != 0)
        return cli_usage_error(cmd, "cannot start %s: %s", argv[0], strerror(rc));
    *out = pid;
    int64_t until = hp_now_ns() + ready_ns;
    for (;;) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            *out = 0;
            fprintf(stderr, "hotpath diagnose: %s ended before it accepted a connection "
                            "(status %d)\n", argv[0],
                    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            return HP_EXIT_FAIL;
        }
        int fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (const struct sockaddr *)&addr->ss, addr->len) == 0) {
            close(fd);
            return HP_EXIT_OK;
        }
        if (fd >= 0)
            close(fd);
        if (hp_now_ns() > until) {
            fprintf(stderr, "hotpath diagnose: %s did not accept connections within %s\n",
                    argv[0], hp_format_duration(ready_ns, (char[32]){0}, 32));
            return HP_EXIT_FAIL;
        }
        usleep(50000);
    }
}

static void stop_service(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGINT);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* ---- profiles ------------------------------------------------------------- */

enum { CPU, OFF }; /* a level's two profilers, run side by side */

struct level_profile {
    int level; /* index into the sweep; -1: not taken */
    struct prof_job job[2];
    double throughput_per_s;
    bool off_taken;
};

/* One level again, with the profilers running through its measured part
 * (jobs: 0 = none, the bare run). */
static int rerun(const struct hp_sweep_config *sc, int level, struct prof_job *jobs, int n_jobs,
                 const sigset_t *stop_sigs, double *throughput, bool *interrupted,
                 struct hp_err *err)
{
    static struct hp_sweep_config one;
    one = *sc;
    one.n_levels = 1;
    if (sc->by_rate)
        one.rates[0] = sc->rates[level];
    else
        one.levels[0] = sc->levels[level];
    struct run_state st = {.jobs = jobs, .n_jobs = n_jobs};
    one.measure_begin = measure_begin;
    one.measure_arg = &st;
    prof_stop = 0;
    struct hp_sweep_step step = {0};
    int done = 0;
    enum hp_sweep_stop why;
    int rc = hp_sweep_run(&one, &step, &done, &why, NULL, NULL, stop_sigs, err);
    prof_stop = 1; /* the run is over (or failed): the profilers stop now */
    for (int i = 0; i < n_jobs; i++)
        if (jobs[i].started)
            pthread_join(jobs[i].th, NULL);
    *interrupted = why == HP_SWEEP_INTERRUPTED;
    *throughput = done ? step.throughput_per_s : NAN;
    return rc;
}

static json_t *folded_json(struct hp_stacks *s)
{
    char *buf;
    size_t len;
    if (hp_stacks_sort(s) < 0 || hp_stacks_folded(s, 0, &buf, &len) < 0)
        return NULL;
    json_t *j = json_stringn(buf ? buf : "", len);
    free(buf);
    return j;
}

static int write_flame(const char *path, const struct hp_stacks *s, const char *title,
                       const char *sub, const char *unit, struct hp_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return hp_err_set(err, -ENOMEM, "out of memory");
    struct hp_flame_opts o = {.title = title, .subtitle = sub, .unit = unit, .diff = true};
    int rc = hp_flame_svg(s, &o, f, NULL);
    if (fclose(f) != 0 || rc < 0) {
        free(buf);
        return hp_err_at(err, -EIO, path, 0, 0, "cannot write");
    }
    rc = hp_file_write_atomic(path, buf, len, err);
    free(buf);
    return rc;
}

/* ---- the document ------------------------------------------------------------ */

struct diag_doc {
    const struct sweep_args *sa;
    const char *target;
    int freq, ncpu;
    const struct hp_sweep_step *steps;
    const struct hp_diag_level *lv;
    int n;
    const char *stopped;
    const struct hp_diag_answer *ans;
    const struct hp_diag_grown *grown;
    int n_grown;
    struct level_profile *prof; /* [0] below, [1] knee */
    double bare_x, overhead, mon_overhead;
    int64_t off_window;
    struct monitor *mon;
    int64_t wall0, t0;
};

static int set(json_t *o, const char *k, json_t *v)
{
    return v && json_object_set_new(o, k, v) == 0 ? 0 : -ENOMEM;
}

static int write_doc(const char *path, const struct diag_doc *dd, struct hp_err *err)
{
    struct hp_result *r = NULL;
    int e = hp_result_new("diagnose", &r);
    if (e < 0)
        return hp_err_set(err, e, "out of memory");
    const struct sweep_args *sa = dd->sa;
    const struct hp_diag_answer *a = dd->ans;
    hp_result_set_started(r, dd->wall0);
    hp_result_set_duration(r, (double)(hp_now_ns() - dd->t0) / 1e9);
    e = hp_result_config_str(r, "url", sa->url_text);
    e = e ? e : hp_result_config_str(r, "method", sa->method);
    for (int i = 0; i < sa->n_headers && e == 0; i++)
        e = hp_result_config_header(r, sa->headers[i]);
    e = e ? e : hp_result_config_str(r, "target", dd->target);
    e = e ? e : hp_result_config_str(r, "levels", sa->sc.by_rate ? "rates" : "concurrency");
    e = e ? e : hp_result_config_int(r, "warmup_ns", sa->sc.warmup_ns);
    e = e ? e : hp_result_config_int(r, "measure_ns", sa->sc.measure_ns);
    e = e ? e : hp_result_config_int(r, "slo_p99_ns", sa->slo_ns);
    e = e ? e : hp_result_config_int(r, "frequency_hz", dd->freq);
    e = e ? e : hp_result_config_int(r, "cpus", dd->ncpu);
    e = e ? e : hp_result_config_int(r, "monitor_interval_ns", dd->mon->period_ns);
    e = e ? e : hp_result_config_int(r, "off_cpu_window_ns", dd->off_window);
    e = e ? e : hp_result_config_bool(r, "cpu_wide", dd->prof[1].job[CPU].r.cpu_wide);
    e = e ? e : hp_result_config_str(r, "stopped", dd->stopped);
    for (int i = 0; i < dd->n && e == 0; i++) {
        const struct hp_diag_level *l = &dd->lv[i];
        double c = l->concurrency;
        if (sa->sc.by_rate)
            e = hp_result_series_point(r, "rate_per_s", "1/s", c, l->level);
        e = e ? e : hp_result_series_point(r, "throughput_per_s", "1/s", c, l->throughput_per_s);
        e = e ? e : hp_result_series_point(r, "latency_p50_ns", "ns", c, (double)dd->steps[i].p50_ns);
        e = e ? e : hp_result_series_point(r, "latency_mean_ns", "ns", c, l->mean_ns);
        e = e ? e : hp_result_series_point(r, "latency_p99_ns", "ns", c, l->p99_ns);
        e = e ? e : hp_result_series_point(r, "error_ratio", "ratio", c, l->error_ratio);
    }
    /* the monitor's series over the whole run, from its first sample */
    pthread_mutex_lock(&dd->mon->mu);
    int64_t first = dd->mon->n ? dd->mon->s[0].at - dd->mon->period_ns : 0;
    for (size_t i = 0; i < dd->mon->n && e == 0; i++) {
        struct hp_mon_point p = dd->mon->s[i].p;
        p.t_s = (double)(dd->mon->s[i].at - first) / 1e9;
        e = hp_mon_record(r, &p, 0);
        e = e ? e : hp_result_series_point(r, "loader_cpu_cores", "count", p.t_s,
                                           dd->mon->s[i].loader);
    }
    pthread_mutex_unlock(&dd->mon->mu);
    if (a->usl_fitted) {
        e = e ? e : hp_result_metric(r, "usl_sigma", a->usl.sigma, "ratio");
        e = e ? e : hp_result_metric(r, "usl_kappa", a->usl.kappa, "ratio");
        e = e ? e : hp_result_metric(r, "usl_lambda", a->usl.lambda, "1/s");
        e = e ? e : hp_result_metric(r, "usl_r_squared", a->usl.r_squared, "ratio");
        if (isfinite(a->peak_n)) {
            e = e ? e : hp_result_metric(r, "peak_concurrency", a->peak_n, "count");
            e = e ? e : hp_result_metric(r, "peak_throughput_per_s", a->peak_x, "1/s");
        }
    }
    if (a->knee >= 0) {
        const struct hp_diag_level *k = &dd->lv[a->knee];
        e = e ? e : hp_result_metric(r, "knee_level", k->level, sa->sc.by_rate ? "1/s" : "count");
        e = e ? e : hp_result_metric(r, "knee_concurrency", k->concurrency, "count");
        e = e ? e : hp_result_metric(r, "knee_throughput_per_s", k->throughput_per_s, "1/s");
        e = e ? e : hp_result_metric(r, "knee_p99_ns", k->p99_ns, "ns");
    }
    if (isfinite(a->leak_bytes_per_request))
        e = e ? e : hp_result_metric(r, "rss_growth_per_request_bytes", a->leak_bytes_per_request,
                                     "bytes");
    if (isfinite(a->in_service))
        e = e ? e : hp_result_metric(r, "in_service", a->in_service, "count");
    if (isfinite(dd->bare_x)) {
        e = e ? e : hp_result_metric(r, "bare_throughput_per_s", dd->bare_x, "1/s");
        e = e ? e : hp_result_metric(r, "profiled_throughput_per_s", dd->prof[1].throughput_per_s,
                                     "1/s");
        e = e ? e : hp_result_metric(r, "overhead_ratio", dd->overhead, "ratio");
        e = e ? e : hp_result_metric(r, "monitor_overhead_ratio", dd->mon_overhead, "ratio");
    }
    for (int i = 0; i < HP_OFF_KINDS && e == 0; i++)
        if (isfinite(a->off_share[i])) {
            char name[48];
            snprintf(name, sizeof name, "off_cpu_%s_ratio", hp_off_kind_name((enum hp_off_kind)i));
            e = hp_result_metric(r, name, a->off_share[i], "ratio");
        }
    json_t *root = hp_result_json(r);
    json_t *diag = json_object(), *findings = json_array(), *sugg = json_array(),
           *grown = json_array(), *levels = json_array(), *profiles = json_object();
    if (e == 0 && (set(root, "diagnosis", diag) || set(root, "levels", levels) ||
                   set(root, "profiles", profiles)))
        e = -ENOMEM;
    if (e == 0 && (set(diag, "findings", findings) || set(diag, "suggestions", sugg) ||
                   set(diag, "grown", grown)))
        e = -ENOMEM;
    static const char *const whys[] = {"none", "throughput", "rate", "slo", "latency"};
    if (e == 0 && (set(diag, "knee", json_integer(a->knee)) ||
                   set(diag, "below", json_integer(a->below)) ||
                   set(diag, "knee_why", json_string(whys[a->knee_why])) ||
                   set(diag, "summary", json_string(a->summary))))
        e = -ENOMEM;
    for (int i = 0; i < a->n_findings && e == 0; i++) {
        const struct hp_diag_finding *f = &a->findings[i];
        if (json_array_append_new(findings,
                                  json_pack("{s:s, s:s, s:s, s:f}", "cause",
                                            hp_diag_cause_name(f->cause), "title", f->title,
                                            "evidence", f->evidence, "score", f->score)))
            e = -ENOMEM;
    }
    for (int i = 0; i < a->n_suggestions && e == 0; i++)
        if (json_array_append_new(sugg, json_pack("{s:s, s:s}", "what", a->suggestions[i].what,
                                                  "why", a->suggestions[i].why)))
            e = -ENOMEM;
    for (int i = 0; i < dd->n_grown && e == 0; i++) {
        const struct hp_diag_grown *g = &dd->grown[i];
        if (json_array_append_new(grown, json_pack("{s:s, s:f, s:f, s:f, s:f}", "name", g->name,
                                                   "before_cores", g->before_cores,
                                                   "after_cores", g->after_cores, "self_ratio",
                                                   g->after_share, "total_ratio",
                                                   g->total_share)))
            e = -ENOMEM;
    }
    for (int i = 0; i < dd->n && e == 0; i++) {
        const struct hp_diag_level *l = &dd->lv[i];
        json_t *o = json_pack(
            "{s:f, s:f, s:f, s:f, s:f, s:I, s:i, s:f, s:f, s:f, s:f, s:s, s:f, s:f, s:f, s:f, "
            "s:f, s:f, s:f}",
            "level", l->level, "concurrency", l->concurrency, "throughput_per_s",
            l->throughput_per_s, "p99_ns", l->p99_ns, "error_ratio", l->error_ratio, "requests",
            (json_int_t)l->requests, "samples", l->samples, "cpu_util", l->cpu_util, "runq",
            l->runq, "proc_cpu", l->proc_cpu, "thread_max_cpu", l->thread_max_cpu,
            "thread_max_name", l->thread_max_name, "threads", l->threads, "vcs_per_s",
            l->vcs_per_s, "rss_first_bytes", l->rss_first, "rss_last_bytes", l->rss_last,
            "loader_cpu", l->loader_cpu, "disk_util", l->disk_util, "major_faults_per_s",
            l->majflt_per_s);
        if (!o || json_array_append_new(levels, o))
            e = -ENOMEM;
    }
    static const char *const names[2] = {"below", "knee"};
    for (int w = 0; w < 2 && e == 0; w++) {
        struct level_profile *lp = &dd->prof[w];
        if (lp->level < 0 || lp->job[CPU].rc < 0)
            continue;
        json_t *o = json_object();
        if (set(profiles, names[w], o) || set(o, "level", json_integer(lp->level)) ||
            set(o, "throughput_per_s", json_real(lp->throughput_per_s)) ||
            set(o, "cpu_samples", json_integer((json_int_t)lp->job[CPU].r.samples)) ||
            set(o, "cpu_seconds", json_real((double)lp->job[CPU].r.elapsed_ns / 1e9)) ||
            set(o, "cpu_folded", folded_json(&lp->job[CPU].r.stacks)))
            e = -ENOMEM;
        if (e == 0 && lp->off_taken && lp->job[OFF].rc == 0 &&
            (set(o, "off_cpu_seconds", json_real((double)lp->job[OFF].r.elapsed_ns / 1e9)) ||
             set(o, "switches", json_integer((json_int_t)lp->job[OFF].r.switches)) ||
             set(o, "off_cpu_folded", folded_json(&lp->job[OFF].r.stacks))))
            e = -ENOMEM;
    }
    if (e < 0) {
        hp_result_free(r);
        return hp_err_set(err, e, "out of memory");
    }
    e = hp_result_write(r, path, err);
    hp_result_free(r);
    return e;
}

/* ---- the command -------------------------------------------------------------- */

static void print_answer(const struct hp_diag_answer *a, const struct hp_diag_grown *g, int ng,
                         bool off_taken, double on_cpu_share)
{
    printf("\n%s\n", a->summary);
    if (a->usl_fitted)
        printf("USL: sigma %.4g, kappa %.4g, lambda %.4g/s (R^2 %.4f)%s\n", a->usl.sigma,
               a->usl.kappa, a->usl.lambda, a->usl.r_squared,
               isfinite(a->peak_n) ? "" : "; no peak within reach");
    printf("\nWhat saturates first:\n");
    for (int i = 0; i < a->n_findings; i++)
        printf("  %d. %s\n     %s\n", i + 1, a->findings[i].title, a->findings[i].evidence);
    if (ng > 0) {
        printf("\nWhere the CPU time went at the %s, by growth from the level below "
               "(self, cores):\n", a->knee >= 0 ? "knee" : "highest level");
        for (int i = 0; i < ng && i < 8; i++)
            printf("  %+7.3f  %6.3f -> %6.3f  %5.1f%%  %s\n",
                   g[i].after_cores - g[i].before_cores, g[i].before_cores, g[i].after_cores,
                   100 * g[i].after_share, g[i].name);
    }
    if (off_taken && isfinite(a->off_share[HP_OFF_IDLE])) {
        printf("\nThe threads' time at the %s: on the CPU %.0f%%; off it:",
               a->knee >= 0 ? "knee" : "highest level", 100 * on_cpu_share);
        for (int i = 0; i < HP_OFF_KINDS; i++)
            printf(" %s %.0f%%", hp_off_kind_name((enum hp_off_kind)i), 100 * a->off_share[i]);
        printf("\n");
    }
    printf("\nWhat to try:\n");
    for (int i = 0; i < a->n_suggestions; i++)
        printf("  %d. %s: %s\n", i + 1, a->suggestions[i].what, a->suggestions[i].why);
}

static int run_diagnose(const struct hp_cmd *cmd, int argc, char **argv)
{
    static struct sweep_args sa;
    static struct hp_sweep_step steps[HP_SWEEP_MAX_LEVELS];
    static struct hp_diag_level lv[HP_SWEEP_MAX_LEVELS];
    static struct hp_diag_answer ans;
    static struct hp_diag_grown grown[HP_DIAG_MAX_GROWN];
    static struct level_profile prof[2];
    struct cli_parser p;
    struct hp_err err = {0};
    const char *v, *json = NULL, *flame = NULL, *off_flame = NULL;
    int id, rc, exit_code = HP_EXIT_OK;
    int64_t pid = 0, freq = 99, period = 250 * HP_NS_PER_MS, ready = 10 * HP_NS_PER_S;
    int64_t off_window = 0;
    bool off_cpu = true;
    char **command = NULL;

    sweep_args_init(&sa);
    sa.sc.warmup_ns = 500 * HP_NS_PER_MS;
    sa.sc.measure_ns = 2 * HP_NS_PER_S;
    sa.max = 32;
    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        int stored = sweep_args_option(cmd, O_SWEEP, id, v, &sa);
        if (stored < 0)
            return HP_EXIT_USAGE;
        if (stored)
            continue;
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (p.only_positional) {
                command = argv + p.i - 1;
                p.i = p.argc;
            } else if (sa.url_text) {
                return cli_usage_error(cmd, "unexpected argument '%s' (one URL; a command to "
                                            "start goes after --)", v);
            } else {
                sa.url_text = v;
            }
            break;
        case O_PID:
            if (!cli_int(cmd, "pid", v, 1, INT32_MAX, &pid))
                return HP_EXIT_USAGE;
            break;
        case O_JSON: json = v; break;
        case O_FLAME:
        case O_OFF_FLAME:
            if (!cli_ends_with(v, ".svg"))
                return cli_usage_error(cmd, "--%s %s: the name must end in .svg",
                                       id == O_FLAME ? "flame" : "off-cpu-flame", v);
            *(id == O_FLAME ? &flame : &off_flame) = v;
            break;
        case O_FREQ:
            if (!cli_int(cmd, "freq", v, 1, 10000, &freq))
                return HP_EXIT_USAGE;
            break;
        case O_PERIOD:
            if (!cli_duration(cmd, "interval", v, &period))
                return HP_EXIT_USAGE;
            if (period < 10 * HP_NS_PER_MS)
                return cli_usage_error(cmd, "--interval %s: at least 10ms", v);
            break;
        case O_NO_OFF_CPU: off_cpu = false; break;
        case O_OFF_WINDOW:
            if (!cli_duration(cmd, "off-cpu-window", v, &off_window))
                return HP_EXIT_USAGE;
            if (off_window <= 0)
                return cli_usage_error(cmd, "--off-cpu-window must be above 0");
            break;
        case O_READY:
            if (!cli_duration(cmd, "ready-timeout", v, &ready))
                return HP_EXIT_USAGE;
            break;
        }
    }
    if (!pid == !command)
        return cli_usage_error(cmd, pid ? "--pid or a command after --, not both"
                                        : "which process serves the URL: --pid PID, or -- "
                                          "COMMAND [ARGS] to start it");
    if (off_flame && !off_cpu)
        return cli_usage_error(cmd, "--off-cpu-flame needs the off-CPU profile (drop "
                                    "--no-off-cpu)");
    if (pid && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
        return cli_usage_error(cmd, "--pid %lld: no such process", (long long)pid);
    if ((rc = sweep_args_finish(cmd, &sa)) != HP_EXIT_OK) {
        sweep_args_free(&sa);
        return rc;
    }
    struct hp_sweep_config *sc = &sa.sc;
    if (off_window <= 0)
        off_window = sc->measure_ns / 10 > 200 * HP_NS_PER_MS ? sc->measure_ns / 10
                                                              : 200 * HP_NS_PER_MS;
    if (off_window > sc->measure_ns)
        off_window = sc->measure_ns;
    sigset_t stop_sigs;
    load_block_stop_signals(&stop_sigs);
    pid_t started = 0;
    char target[256];
    if (command) {
        cli_join_words(command, target, sizeof target);
        if ((rc = start_service(cmd, command, &sc->base.addr, ready, &started)) != HP_EXIT_OK) {
            stop_service(started);
            sweep_args_free(&sa);
            return rc;
        }
        pid = started;
    } else {
        snprintf(target, sizeof target, "pid %lld", (long long)pid);
    }

    struct monitor mon = {.period_ns = period};
    pthread_mutex_init(&mon.mu, NULL);
    if ((rc = hp_mon_new((int)pid, &mon.mon)) < 0) {
        exit_code = rc == -ESRCH ? cli_usage_error(cmd, "--pid %lld: no such process",
                                                   (long long)pid)
                                 : cli_fail(cmd, rc, NULL);
        goto out;
    }
    if (pthread_create(&mon.th, NULL, monitor_main, &mon) != 0) {
        exit_code = cli_fail(cmd, -EAGAIN, NULL);
        goto out_mon;
    }
    /* the CPUs the service may run on (a cpuset or taskset may leave it fewer) */
    int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t allowed;
    if (sched_getaffinity((pid_t)pid, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 0 &&
        CPU_COUNT(&allowed) < ncpu)
        ncpu = CPU_COUNT(&allowed);
    int64_t wall0 = hp_wall_ns(), t0 = hp_now_ns();
    printf("Diagnosing %s (%s): %d levels, warm-up %s and %s measured each\n", sa.url_text,
           target, sc->n_levels, hp_format_duration(sc->warmup_ns, (char[32]){0}, 32),
           hp_format_duration(sc->measure_ns, (char[32]){0}, 32));
    printf("  %8s %12s %10s %10s %9s %9s %9s\n",
           sc->by_rate ? "rate" : sc->base.h2 != HP_H2_OFF ? "streams" : "conns", "throughput",
           "p50", "p99", "errors", "cpu", "loader");
    fflush(stdout);

    /* 1. The sweep, the monitor sampling throughout. */
    static struct run_state st;
    memset(&st, 0, sizeof st);
    st.mon = &mon;
    sc->measure_begin = measure_begin;
    sc->measure_arg = &st;
    int done = 0;
    enum hp_sweep_stop why;
    rc = hp_sweep_run(sc, steps, &done, &why, progress, &st, &stop_sigs, &err);
    sc->measure_begin = NULL;
    if (rc < 0) {
        exit_code = cli_fail(cmd, rc, &err);
        goto out_thread;
    }
    printf("  (%s)\n", hp_sweep_stop_reason(why));
    if (done == 0 || steps[0].requests == 0) {
        fprintf(stderr, "hotpath diagnose: no request was answered at the first level: "
                        "nothing to diagnose\n");
        exit_code = HP_EXIT_FAIL;
        goto out_thread;
    }
    for (int i = 0; i < done; i++) {
        struct hp_diag_level *l = &lv[i];
        memset(l, 0, sizeof *l);
        l->level = sc->by_rate ? sc->rates[i] : steps[i].concurrency;
        l->concurrency = sc->by_rate ? steps[i].mean_in_flight : steps[i].concurrency;
        l->throughput_per_s = steps[i].throughput_per_s;
        l->mean_ns = steps[i].mean_ns;
        l->p99_ns = (double)steps[i].p99_ns;
        l->error_ratio = steps[i].error_ratio;
        l->requests = steps[i].requests;
        level_use(&mon, st.begin[i], st.end[i], l);
    }

    /* 2. The profiles, below the knee and at it (or at the top two levels). */
    enum hp_diag_knee_why kwhy;
    int below, knee = hp_diag_knee(lv, done, sc->by_rate, sa.slo_ns, &below, &kwhy);
    int at = knee >= 0 ? knee : done - 1;
    prof[0].level = below;
    prof[1].level = at;
    double bare_x = NAN;
    bool interrupted = why == HP_SWEEP_INTERRUPTED;
    if (!interrupted) {
        char lb[32], la[32];
        if (sc->by_rate) {
            hp_format_rate(sc->rates[at], la, sizeof la);
            if (below >= 0)
                hp_format_rate(sc->rates[below], lb, sizeof lb);
        } else {
            snprintf(la, sizeof la, "%d", steps[at].concurrency);
            if (below >= 0)
                snprintf(lb, sizeof lb, "%d", steps[below].concurrency);
        }
        if (below >= 0)
            printf("\nProfiling at %s and at %s (%s), %s each, on the CPU%s\n", lb, la,
                   knee >= 0 ? "the knee; the first below it" : "the two highest levels",
                   hp_format_duration(sc->measure_ns, (char[32]){0}, 32),
                   off_cpu ? " and off it" : "");
        else
            printf("\nProfiling at %s (%s), %s, on the CPU%s\n", la,
                   knee >= 0 ? "the knee: the first level" : "the only level",
                   hp_format_duration(sc->measure_ns, (char[32]){0}, 32),
                   off_cpu ? " and off it" : "");
        fflush(stdout);
    }
    for (int w = 0; w < 2 && !interrupted; w++) {
        struct level_profile *lp = &prof[w];
        if (lp->level < 0)
            continue;
        if (w == 1 && knee >= 0) { /* the knee without monitor or profilers: the overhead */
            atomic_store(&mon.paused, 1);
            rc = rerun(sc, at, NULL, 0, &stop_sigs, &bare_x, &interrupted, &err);
            atomic_store(&mon.paused, 0);
            if (rc < 0 || interrupted)
                break;
        }
        lp->job[CPU].o = (struct hp_prof_opts){.pid = (int)pid, .freq = (int)freq,
                                          .duration_ns = sc->measure_ns,
                                          .event = HP_PROF_CPU_CLOCK};
        lp->job[OFF].o = (struct hp_prof_opts){.pid = (int)pid, .duration_ns = off_window,
                                          .off_cpu = true};
        /* the end of the run: the profile's own work after (pairing the switches, naming
         * the frames) then competes with no load */
        lp->job[OFF].delay_ns = sc->measure_ns - off_window;
        lp->off_taken = off_cpu;
        rc = rerun(sc, lp->level, lp->job, off_cpu ? 2 : 1, &stop_sigs, &lp->throughput_per_s,
                   &interrupted, &err);
        if (rc < 0)
            break;
        for (int j = CPU; j <= (off_cpu ? OFF : CPU); j++) {
            struct prof_job *pj = &lp->job[j];
            if (pj->started && pj->rc < 0)
                fprintf(stderr, "hotpath diagnose: %s profile: %s\n",
                        j == OFF ? "off-CPU" : "CPU", pj->err.msg);
            if (!pj->started)
                pj->rc = -1;
            if (j == OFF && pj->rc < 0)
                lp->off_taken = false;
        }
    }
    if (rc < 0) {
        exit_code = cli_fail(cmd, rc, &err);
        rc = 0;
    }
    atomic_store(&mon.stop, 1);
    pthread_join(mon.th, NULL);

    /* 3. The two profiles side by side. */
    struct hp_stacks cpu2, off2;
    bool have_cpu = false, have_off = false;
    if (hp_stacks_init(&cpu2) < 0 || hp_stacks_init(&off2) < 0) {
        exit_code = cli_fail(cmd, -ENOMEM, NULL);
        goto out_mon;
    }
    double secs[2] = {0, 0};
    for (int w = 0; w < 2; w++) {
        struct level_profile *lp = &prof[w];
        if (lp->level < 0 || !lp->job[CPU].started)
            continue;
        if (lp->job[CPU].rc == 0) {
            have_cpu |= w == 1;
            secs[w] = (double)lp->job[CPU].r.elapsed_ns / 1e9;
            if (hp_stacks_merge(&cpu2, &lp->job[CPU].r.stacks, 0, w) < 0)
                exit_code = cli_fail(cmd, -ENOMEM, NULL);
        }
        if (lp->off_taken && lp->job[OFF].rc == 0) {
            have_off |= w == 1;
            if (hp_stacks_merge(&off2, &lp->job[OFF].r.stacks, 0, w) < 0)
                exit_code = cli_fail(cmd, -ENOMEM, NULL);
        }
    }
    int ng = have_cpu ? hp_diag_grown(&cpu2, secs, (int)freq, grown, HP_DIAG_MAX_GROWN) : 0;
    if (ng < 0) {
        exit_code = cli_fail(cmd, -ENOMEM, NULL);
        ng = 0;
    }
    struct hp_diag_input in = {.levels = lv, .n = done, .by_rate = sc->by_rate,
                               .slo_ns = sa.slo_ns, .ncpu = ncpu, .grown = grown, .n_grown = ng};
    if (have_off) {
        in.off_cpu = true;
        hp_diag_off_split(&off2, 1, in.off_ns);
        in.off_secs = (double)prof[1].job[OFF].r.elapsed_ns / 1e9;
        in.on_cpu_cores = lv[at].proc_cpu;
    }
    if (hp_diag_analyse(&in, &ans, &err) < 0) {
        exit_code = cli_fail(cmd, HP_ERANGE, &err);
        goto out_stacks;
    }
    double off_sum = 0;
    for (int i = 0; i < HP_OFF_KINDS; i++)
        off_sum += have_off ? ans.off_share[i] : 0;
    print_answer(&ans, grown, ng, have_off, 1 - off_sum);
    double overhead = NAN, mon_overhead = NAN;
    if (isfinite(bare_x) && bare_x > 0 && isfinite(prof[1].throughput_per_s)) {
        overhead = 1 - prof[1].throughput_per_s / bare_x;
        mon_overhead = 1 - lv[at].throughput_per_s / bare_x;
        printf("\nOverhead at the knee: %s bare, %s with the monitor (%+.1f%%), %s with the "
               "monitor and the profilers (%+.1f%%)\n",
               hp_format_rate(bare_x, (char[32]){0}, 32),
               hp_format_rate(lv[at].throughput_per_s, (char[32]){0}, 32), -100 * mon_overhead,
               hp_format_rate(prof[1].throughput_per_s, (char[32]){0}, 32), -100 * overhead);
    }
    if (interrupted)
        printf("(interrupted: the diagnosis is of what was measured)\n");
    fflush(stdout);
    char sub[200];
    if (flame && have_cpu) {
        snprintf(sub, sizeof sub, "the knee's CPU samples; red: a larger share than below it");
        if ((rc = write_flame(flame, &cpu2, "CPU at the knee against below it", sub, "samples",
                              &err)) < 0)
            exit_code = cli_fail(cmd, rc, &err);
        else
            printf("wrote %s\n", flame);
    } else if (flame) {
        fprintf(stderr, "hotpath diagnose: no CPU profile was taken: %s not written\n", flame);
        exit_code = exit_code ? exit_code : HP_EXIT_FAIL;
    }
    if (off_flame && have_off) {
        snprintf(sub, sizeof sub, "time off the CPU at the knee (ns); red: a larger share "
                                  "than below it");
        if ((rc = write_flame(off_flame, &off2, "Off-CPU at the knee against below it", sub, "ns",
                              &err)) < 0)
            exit_code = cli_fail(cmd, rc, &err);
        else
            printf("wrote %s\n", off_flame);
    }
    if (json) {
        struct diag_doc dd = {.sa = &sa, .target = target, .freq = (int)freq, .ncpu = ncpu,
                              .steps = steps, .lv = lv, .n = done,
                              .stopped = interrupted ? "interrupted" : hp_sweep_stop_reason(why),
                              .ans = &ans, .grown = grown, .n_grown = ng, .prof = prof,
                              .bare_x = bare_x, .overhead = overhead,
                              .mon_overhead = mon_overhead, .off_window = off_window,
                              .mon = &mon, .wall0 = wall0,
                              .t0 = t0};
        if ((rc = write_doc(json, &dd, &err)) < 0)
            exit_code = cli_fail(cmd, rc, &err);
        else
            printf("wrote %s\n", json);
    }
out_stacks:
    hp_stacks_fini(&cpu2);
    hp_stacks_fini(&off2);
    goto out_mon;
out_thread:
    atomic_store(&mon.stop, 1);
    pthread_join(mon.th, NULL);
out_mon:
    for (int w = 0; w < 2; w++)
        for (int j = CPU; j <= OFF; j++)
            if (prof[w].job[j].started)
                hp_prof_result_fini(&prof[w].job[j].r);
    hp_mon_free(mon.mon);
    hp_free(mon.s);
    pthread_mutex_destroy(&mon.mu);
out:
    stop_service(started);
    sweep_args_free(&sa);
    return exit_code;
}

const struct hp_cmd hp_cmd_diagnose = {
    .name = "diagnose",
    .summary = "Root cause, measured: the knee, the resource that saturates first, the hot code.",
    .usage = "diagnose [options] --pid PID URL | diagnose [options] URL -- COMMAND [ARGS]",
    .description =
        "Sweeps the load on URL upward as 'hotpath sweep' does (closed model by --levels or "
        "--max, open model by --rates), while a monitor samples the machine and the service's "
        "process (--pid, or the COMMAND it starts and stops) every --interval. Then it finds "
        "the knee: the first level where throughput stops growing (a closed level gained less "
        "than a quarter of its added load; an open level answered under 95% of its rate) or "
        "p99 passes --slo. It runs the level below the knee and the knee again, sampling the "
        "process's stacks on the CPU and, from its context switches, off it, and runs the "
        "knee once more with neither profiler nor monitor to measure their overhead.\n\n"
        "It answers in order: where the service stops (the knee and the USL fit); which "
        "resource saturates first there, with the figures (memory growth per request, one "
        "thread's CPU, the process's or the machine's CPUs, a lock, the disk, memory "
        "pressure, the network, or a full pool: throughput flat, CPUs idle, no lock or disk "
        "wait, and Little's law giving the pool's size); which functions' CPU grew from below "
        "the knee to it; and what to try, ranked, each with the figure behind it. With no "
        "knee and nothing full it says that nothing saturated within the range swept.\n\n"
        "The load generator runs on this machine: its own CPU is shown beside the "
        "service's, and named as a cause when it shares the CPUs the service needs. Ctrl-C "
        "ends the run and diagnoses what was measured. Sampling needs what 'hotpath profile' "
        "needs (root, CAP_PERFMON or kernel.perf_event_paranoid).",
    .opts = diagnose_opts,
    .examples =
        "  hotpath diagnose --pid 1234 --max 64 --slo 50ms --json rca.json http://127.0.0.1:8080/\n"
        "  hotpath diagnose --rates 1k,2k,4k,8k --json rca.json -o knee.svg "
        "http://127.0.0.1:8080/ -- ./server --port 8080\n"
        "  hotpath report --as rca rca.json -o rca.html\n",
    .run = run_diagnose,
};
