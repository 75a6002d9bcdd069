// SPDX-License-Identifier: MIT
/* diag/diag.c - from measured figures to a root cause and what to try. */
#include "diag/diag.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/units.h"

/* ---- names ---------------------------------------------------------------- */

const char *hp_off_kind_name(enum hp_off_kind k)
{
    static const char *const names[HP_OFF_KINDS] = {"idle", "lock", "io", "sleep", "preempted",
                                                    "other"};
    return k < HP_OFF_KINDS ? names[k] : "?";
}

const char *hp_diag_cause_name(enum hp_diag_cause c)
{
    switch (c) {
    case HP_CAUSE_NONE: return "none";
    case HP_CAUSE_MEMORY_GROWTH: return "memory growth";
    case HP_CAUSE_THREAD_CPU: return "thread CPU";
    case HP_CAUSE_CPU: return "CPU";
    case HP_CAUSE_LOCK: return "lock";
    case HP_CAUSE_DISK: return "disk";
    case HP_CAUSE_MEMORY: return "memory";
    case HP_CAUSE_NETWORK: return "network";
    case HP_CAUSE_POOL: return "pool";
    case HP_CAUSE_LOADER: return "load generator";
    case HP_CAUSE_UNKNOWN: return "unknown";
    }
    return "?";
}

/* ---- off-CPU stacks by kind ------------------------------------------------
 * A stack's kind is read from markers anywhere in it (libc's frames stop the
 * user stack, so the marker may be the last frame we have), by precedence:
 * preempted, then disk, then waiting for work (a condition wait is futex too,
 * so it comes before the lock), then a lock, then a sleep. */

static const char *const idle_marks[] = {"epoll_wait", "epoll_pwait", "poll", "select",
                                         "accept", "sigwait", "sigtimedwait", "sigsuspend",
                                         "pause", "pthread_cond_", "sem_wait", "sem_timedwait",
                                         "io_uring_enter", NULL};
static const char *const io_marks[] = {"fsync", "fdatasync", "sync_file_range", "msync",
                                       "io_schedule", "jbd2", "blk_mq", "wait_on_page",
                                       "folio_wait", "file_write_and_wait", NULL};
static const char *const lock_marks[] = {"lll_lock", "pthread_mutex", "pthread_rwlock", "futex",
                                         NULL};
static const char *const sleep_marks[] = {"nanosleep", "usleep", NULL};

static bool marked(const char *name, const char *const *marks)
{
    for (; *marks; marks++)
        if (strstr(name, *marks))
            return true;
    return false;
}

enum hp_off_kind hp_diag_off_kind(const char *const *frames, int n)
{
    bool io = false, idle = false, lock = false, sleep = false;
    for (int i = 0; i < n; i++) {
        const char *f = frames[i];
        if (strcmp(f, "[runnable: preempted]") == 0)
            return HP_OFF_PREEMPTED;
        io |= marked(f, io_marks);
        idle |= marked(f, idle_marks);
        lock |= marked(f, lock_marks);
        sleep |= marked(f, sleep_marks);
    }
    return io ? HP_OFF_IO : idle ? HP_OFF_IDLE : lock ? HP_OFF_LOCK : sleep ? HP_OFF_SLEEP
                                                                       : HP_OFF_OTHER;
}

void hp_diag_off_split(const struct hp_stacks *s, int which, double out[HP_OFF_KINDS])
{
    static __thread const char *frames[HP_STACKS_MAX_DEPTH + 2];
    for (int k = 0; k < HP_OFF_KINDS; k++)
        out[k] = 0;
    for (uint32_t v = 1; v < s->nnodes; v++) {
        const struct hp_snode *x = &s->nodes[v];
        if (x->self[which] == 0)
            continue;
        int n = 0;
        for (uint32_t u = v; u != HP_STACKS_ROOT && u != UINT32_MAX && n < HP_STACKS_MAX_DEPTH + 2;
             u = s->nodes[u].parent)
            frames[n++] = hp_stacks_name(s, s->nodes[u].name);
        out[hp_diag_off_kind(frames, n)] += (double)x->self[which];
    }
}

/* ---- the functions whose CPU grew ------------------------------------------ */

static int by_growth(const void *a, const void *b)
{
    const struct hp_diag_grown *x = a, *y = b;
    double gx = x->after_cores - x->before_cores, gy = y->after_cores - y->before_cores;
    if (gx != gy)
        return gx > gy ? -1 : 1;
    return strcmp(x->name, y->name);
}

int hp_diag_grown(const struct hp_stacks *s, const double secs[2], int freq,
                  struct hp_diag_grown *out, int max)
{
    uint32_t nn = s->nnames ? s->nnames : 1;
    double *self0 = hp_calloc(nn, sizeof *self0), *self1 = hp_calloc(nn, sizeof *self1);
    double *tot1 = hp_calloc(nn, sizeof *tot1);
    if (!self0 || !self1 || !tot1) {
        hp_free(self0);
        hp_free(self1);
        hp_free(tot1);
        return -ENOMEM;
    }
    for (uint32_t v = 1; v < s->nnodes; v++) {
        const struct hp_snode *x = &s->nodes[v];
        if (x->depth < 2)
            continue; /* the process names */
        self0[x->name] += (double)x->self[0];
        self1[x->name] += (double)x->self[1];
        /* with its callees, counted once when it recurses: only the
         * outermost of its frames on a stack counts */
        bool outer = true;
        for (uint32_t u = x->parent; u != HP_STACKS_ROOT && u != UINT32_MAX;
             u = s->nodes[u].parent)
            if (s->nodes[u].name == x->name) {
                outer = false;
                break;
            }
        if (outer)
            tot1[x->name] += (double)x->total[1];
    }
    double all1 = (double)s->nodes[HP_STACKS_ROOT].total[1];
    double per0 = secs[0] > 0 && freq > 0 ? 1.0 / (secs[0] * freq) : 0;
    double per1 = secs[1] > 0 && freq > 0 ? 1.0 / (secs[1] * freq) : 0;
    size_t k = 0, cap = 64;
    struct hp_diag_grown *all = hp_calloc(cap, sizeof *all);
    for (uint32_t i = 0; all && i < s->nnames; i++) {
        if (self0[i] == 0 && self1[i] == 0)
            continue;
        if (k == cap) {
            struct hp_diag_grown *m = hp_realloc(all, cap * 2 * sizeof *all);
            if (!m) {
                hp_free(all);
                all = NULL;
                break;
            }
            all = m;
            cap *= 2;
        }
        struct hp_diag_grown *g = &all[k++];
        memset(g, 0, sizeof *g);
        snprintf(g->name, sizeof g->name, "%s", hp_stacks_name(s, i));
        g->before_cores = self0[i] * per0;
        g->after_cores = self1[i] * per1;
        g->after_share = all1 > 0 ? self1[i] / all1 : 0;
        g->total_share = all1 > 0 ? tot1[i] / all1 : 0;
    }
    hp_free(self0);
    hp_free(self1);
    hp_free(tot1);
    if (!all)
        return -ENOMEM;
    qsort(all, k, sizeof *all, by_growth);
    int n = (int)(k < (size_t)max ? k : (size_t)max);
    memcpy(out, all, (size_t)n * sizeof *out);
    hp_free(all);
    return n;
}

/* ---- the knee ------------------------------------------------------------ */

int hp_diag_knee(const struct hp_diag_level *lv, int n, bool by_rate, int64_t slo_ns, int *below,
                 enum hp_diag_knee_why *why)
{
    *why = HP_KNEE_NONE;
    double low = INFINITY; /* the lowest p99 so far */
    for (int i = 0; i < n; i++) {
        enum hp_diag_knee_why w = HP_KNEE_NONE;
        if (slo_ns > 0 && lv[i].p99_ns > (double)slo_ns)
            w = HP_KNEE_SLO;
        else if (slo_ns <= 0 && i > 0 && lv[i].p99_ns > 5 * low &&
                 lv[i].p99_ns - low > 1e6)
            w = HP_KNEE_LATENCY;
        else if (by_rate && lv[i].throughput_per_s < 0.95 * lv[i].level)
            w = HP_KNEE_RATE;
        else if (!by_rate && i > 0 && lv[i - 1].level > 0 && lv[i - 1].throughput_per_s > 0) {
            double grow = lv[i].level / lv[i - 1].level;
            if (grow > 1 && lv[i].throughput_per_s <
                                lv[i - 1].throughput_per_s * (1 + 0.25 * (grow - 1)))
                w = HP_KNEE_THROUGHPUT;
        }
        if (lv[i].p99_ns > 0 && lv[i].p99_ns < low)
            low = lv[i].p99_ns;
        /* a latency knee the next level does not repeat was a passing stall
         * (of the machine, not the service): throughput kept up and p99
         * came back */
        if ((w == HP_KNEE_SLO || w == HP_KNEE_LATENCY) && i + 1 < n &&
            lv[i + 1].p99_ns <= (w == HP_KNEE_SLO ? (double)slo_ns : 5 * low) &&
            (!by_rate || lv[i].throughput_per_s >= 0.95 * lv[i].level))
            w = HP_KNEE_NONE;
        if (w != HP_KNEE_NONE) {
            *why = w;
            *below = i - 1;
            return i;
        }
    }
    *below = n >= 2 ? n - 2 : -1;
    return -1;
}

/* ---- the answer ------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int by_score(const void *a, const void *b)
{
    const struct hp_diag_finding *x = a, *y = b;
    return x->score > y->score ? -1 : x->score < y->score;
}

static struct hp_diag_finding *finding(struct hp_diag_answer *a, enum hp_diag_cause c,
                                       double score, const char *title_fmt, ...)
    __attribute__((format(printf, 4, 5)));
static struct hp_diag_finding *finding(struct hp_diag_answer *a, enum hp_diag_cause c,
                                       double score, const char *title_fmt, ...)
{
    if (a->n_findings == HP_DIAG_MAX_FINDINGS)
        return NULL;
    struct hp_diag_finding *f = &a->findings[a->n_findings++];
    memset(f, 0, sizeof *f);
    f->cause = c;
    f->score = score;
    va_list ap;
    va_start(ap, title_fmt);
    vsnprintf(f->title, sizeof f->title, title_fmt, ap);
    va_end(ap);
    return f;
}

static void evidence(struct hp_diag_finding *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void evidence(struct hp_diag_finding *f, const char *fmt, ...)
{
    if (!f)
        return;
    size_t k = strlen(f->evidence);
    if (k + 1 >= sizeof f->evidence)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->evidence + k, sizeof f->evidence - k, fmt, ap);
    va_end(ap);
}

static void suggest(struct hp_diag_answer *a, const char *what, const char *why_fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void suggest(struct hp_diag_answer *a, const char *what, const char *why_fmt, ...)
{
    if (a->n_suggestions == HP_DIAG_MAX_SUGGESTIONS)
        return;
    struct hp_diag_suggestion *s = &a->suggestions[a->n_suggestions++];
    snprintf(s->what, sizeof s->what, "%s", what);
    va_list ap;
    va_start(ap, why_fmt);
    vsnprintf(s->why, sizeof s->why, why_fmt, ap);
    va_end(ap);
}

static const char *level_text(const struct hp_diag_input *in, int i, char *buf, size_t size)
{
    if (in->by_rate) {
        char r[32];
        snprintf(buf, size, "a rate of %s", hp_format_rate(in->levels[i].level, r, sizeof r));
    } else {
        snprintf(buf, size, "%.0f connections", in->levels[i].level);
    }
    return buf;
}

static const char *rate(double x, char *buf, size_t size)
{
    return hp_format_rate(x, buf, size);
}

static const char *dur(double ns, char *buf, size_t size)
{
    return hp_format_duration((int64_t)llround(ns), buf, size);
}

static const char *bytes(double b, char *buf, size_t size)
{
    return hp_format_size((int64_t)llround(b), buf, size);
}

/* Bytes the resident set grew per request, median over the levels with two
 * samples or more; NaN without. *steady: it grew in at least 3 of 4 of them. */
static double leak_rate(const struct hp_diag_level *lv, int n, bool *steady)
{
    double v[HP_DIAG_MAX_LEVELS];
    int k = 0, grew = 0;
    for (int i = 0; i < n && i < HP_DIAG_MAX_LEVELS; i++) {
        double dt = lv[i].t_last - lv[i].t_first;
        if (lv[i].samples < 2 || !(dt > 0) || !(lv[i].throughput_per_s > 0) ||
            !isfinite(lv[i].rss_first) || !isfinite(lv[i].rss_last))
            continue;
        double d = lv[i].rss_last - lv[i].rss_first;
        v[k++] = d / (dt * lv[i].throughput_per_s);
        grew += d > 0;
    }
    *steady = k > 0 && grew * 4 >= k * 3;
    if (k == 0)
        return NAN;
    qsort(v, (size_t)k, sizeof *v, cmp_double);
    return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

int hp_diag_analyse(const struct hp_diag_input *in, struct hp_diag_answer *a, struct hp_err *err)
{
    memset(a, 0, sizeof *a);
    if (in->n < 1 || in->n > HP_DIAG_MAX_LEVELS)
        return hp_err_set(err, HP_ERANGE, "1-%d levels are needed, not %d", HP_DIAG_MAX_LEVELS,
                          in->n);
    const struct hp_diag_level *lv = in->levels;
    int n = in->n, ncpu = in->ncpu > 0 ? in->ncpu : 1;
    char b1[48], b2[48], b3[48], b4[48], b5[48], lt[64];

    /* 1. Where it stops. */
    a->knee = hp_diag_knee(lv, n, in->by_rate, in->slo_ns, &a->below, &a->knee_why);
    double nn[HP_DIAG_MAX_LEVELS], xx[HP_DIAG_MAX_LEVELS];
    for (int i = 0; i < n; i++) {
        nn[i] = lv[i].concurrency;
        xx[i] = lv[i].throughput_per_s;
    }
    struct hp_err ferr = {0};
    a->usl_fitted = hp_usl_fit(nn, xx, (size_t)n, &a->usl, &ferr) == 0;
    a->peak_n = a->peak_x = NAN;
    if (a->usl_fitted && !(hp_usl_peak(&a->usl, &a->peak_n, &a->peak_x) && a->peak_n < 1e6))
        a->peak_n = a->peak_x = NAN;
    int at = a->knee >= 0 ? a->knee : n - 1; /* the level the resources are judged at */
    const struct hp_diag_level *k = &lv[at];
    double min_mean = INFINITY;
    for (int i = 0; i < n; i++)
        if (lv[i].throughput_per_s > 0 && lv[i].mean_ns > 0 && lv[i].mean_ns < min_mean)
            min_mean = lv[i].mean_ns;
    a->in_service = isfinite(min_mean) ? k->throughput_per_s * min_mean / 1e9 : NAN;

    /* off-CPU shares of the thread time seen at the knee */
    double seen = 0;
    for (int i = 0; i < HP_OFF_KINDS; i++)
        seen += in->off_ns[i] / 1e9;
    if (in->off_cpu && isfinite(in->on_cpu_cores) && in->off_secs > 0)
        seen += in->on_cpu_cores * in->off_secs;
    for (int i = 0; i < HP_OFF_KINDS; i++)
        a->off_share[i] = in->off_cpu && seen > 0 ? in->off_ns[i] / 1e9 / seen : NAN;
    double lock_share = in->off_cpu ? a->off_share[HP_OFF_LOCK] : 0;
    double io_share = in->off_cpu ? a->off_share[HP_OFF_IO] : 0;
    if (!isfinite(lock_share))
        lock_share = 0;
    if (!isfinite(io_share))
        io_share = 0;

    /* 2. What saturates. */
    bool steady = false;
    a->leak_bytes_per_request = leak_rate(lv, n, &steady);
    double grown_total = lv[n - 1].rss_last - lv[0].rss_first;
    if (isfinite(a->leak_bytes_per_request) && a->leak_bytes_per_request >= 1024 && steady &&
        grown_total >= 8.0 * 1024 * 1024) {
        struct hp_diag_finding *f =
            finding(a, HP_CAUSE_MEMORY_GROWTH, 2.0, "memory growth: the resident set grows "
                    "by %s per request and did not level off",
                    bytes(a->leak_bytes_per_request, b1, sizeof b1));
        evidence(f, "RSS went from %s to %s over the sweep, growing at every level; %s per "
                 "request (the median over the levels of the growth over the requests "
                 "answered)", bytes(lv[0].rss_first, b2, sizeof b2),
                 bytes(lv[n - 1].rss_last, b3, sizeof b3),
                 bytes(a->leak_bytes_per_request, b4, sizeof b4));
    }
    bool cpu_full = false;
    double proc_share = isfinite(k->proc_cpu) ? k->proc_cpu / ncpu : 0;
    double mach = isfinite(k->cpu_util) ? k->cpu_util : 0;
    double loader = isfinite(k->loader_cpu) ? k->loader_cpu : 0;
    double thr = isfinite(k->thread_max_cpu) ? k->thread_max_cpu : 0;
    double ours = ((isfinite(k->proc_cpu) ? k->proc_cpu : 0) + loader) / ncpu;
    bool starved = in->off_cpu && isfinite(a->off_share[HP_OFF_PREEMPTED]) &&
                   a->off_share[HP_OFF_PREEMPTED] >= 0.2;
    const char *others = mach >= 0.9 && !(ours >= 0.5 * mach) ? ", by other processes" : "";
    if (ncpu >= 2 && thr >= 0.85 && proc_share < 0.7) {
        struct hp_diag_finding *f =
            finding(a, HP_CAUSE_THREAD_CPU, 1.0 + 0.3 * thr, "one thread's CPU: %s is busy %.0f%% "
                    "of the time while the process uses %.2f of %d CPUs",
                    k->thread_max_name[0] ? k->thread_max_name : "a thread", 100 * thr,
                    k->proc_cpu, ncpu);
        evidence(f, "at %s: the busiest thread %.0f%% of a CPU, the process %.2f cores, the "
                 "machine %.0f%% busy; the work that thread does is serialised on it",
                 level_text(in, at, lt, sizeof lt), 100 * thr, k->proc_cpu, 100 * mach);
        cpu_full = true;
    } else if (proc_share >= 0.85 || starved || (mach >= 0.9 && ours >= 0.5 * mach)) {
        /* the CPUs: the process used nearly all it may, or its threads
         * waited for one a fifth of their time, or the machine's are full
         * with the service and the load (else others used them, and it did
         * not matter to the service) */
        struct hp_diag_finding *f =
            proc_share >= 0.85
                ? finding(a, HP_CAUSE_CPU, 0.9 + 0.3 * proc_share,
                          "CPU: the process uses %.2f of %d CPUs", k->proc_cpu, ncpu)
            : starved && mach < 0.9
                ? finding(a, HP_CAUSE_CPU, 0.9 + a->off_share[HP_OFF_PREEMPTED],
                          "CPU: the threads wait for a CPU %.0f%% of their time",
                          100 * a->off_share[HP_OFF_PREEMPTED])
                : finding(a, HP_CAUSE_CPU, 0.8 + 0.3 * mach,
                          "CPU: the machine's CPUs are %.0f%% busy (the process %.2f cores, "
                          "the load generator %.2f)", 100 * mach, k->proc_cpu, loader);
        evidence(f, "at %s: the process %.2f cores, the machine %.0f%% busy, run queue %.1f "
                 "for %d CPUs", level_text(in, at, lt, sizeof lt), k->proc_cpu, 100 * mach,
                 k->runq, ncpu);
        if (in->off_cpu && isfinite(a->off_share[HP_OFF_PREEMPTED]))
            evidence(f, "; its threads waited for a CPU (runnable, preempted) %.0f%% of their "
                     "time", 100 * a->off_share[HP_OFF_PREEMPTED]);
        cpu_full = true;
    }
    if (cpu_full && loader >= 0.4 * ncpu * (mach > 0 ? mach : 1)) {
        struct hp_diag_finding *f =
            finding(a, HP_CAUSE_LOADER, 0.5, "the load generator shares the CPUs: it used "
                    "%.2f of %d", loader, ncpu);
        evidence(f, "hotpath itself used %.2f cores at %s, beside the process's %.2f: run the "
                 "load from another machine to see the service's own ceiling", loader,
                 level_text(in, at, lt, sizeof lt), k->proc_cpu);
    }
    if (lock_share >= 0.15) {
        struct hp_diag_finding *f = finding(
            a, HP_CAUSE_LOCK, 0.9 + lock_share, "a lock: the threads spend %.0f%% of their time "
            "waiting for one", 100 * lock_share);
        evidence(f, "off-CPU at %s: %.0f%% of the thread time blocked in futex or "
                 "pthread_mutex_lock waits, %.0f%% in timed sleeps, %.0f%% on a CPU; the "
                 "process used %.2f of %d CPUs, %.0f voluntary context switches a second",
                 level_text(in, at, lt, sizeof lt), 100 * lock_share,
                 100 * a->off_share[HP_OFF_SLEEP],
                 seen > 0 ? 100 * in->on_cpu_cores * in->off_secs / seen : 0.0, k->proc_cpu,
                 ncpu, k->vcs_per_s);
    }
    double dutil = isfinite(k->disk_util) ? k->disk_util : 0;
    if (io_share >= 0.1 || dutil >= 0.8) {
        struct hp_diag_finding *f = finding(
            a, HP_CAUSE_DISK, 0.9 + fmax(io_share, dutil - 0.5), "the disk: the threads spend "
            "%.0f%% of their time waiting for it", 100 * io_share);
        evidence(f, "off-CPU at %s: %.0f%% of the thread time in fsync, fdatasync or page "
                 "writeback waits; the busiest disk%s%s %.0f%% busy, await %.2g ms",
                 level_text(in, at, lt, sizeof lt), 100 * io_share, k->disk[0] ? " " : "",
                 k->disk, 100 * dutil, isfinite(k->disk_await_ms) ? k->disk_await_ms : 0.0);
    }
    if ((isfinite(k->mem_available_ratio) && k->mem_available_ratio < 0.05) ||
        (isfinite(k->swap_per_s) && k->swap_per_s > 10) ||
        (isfinite(k->majflt_per_s) && k->majflt_per_s > 100)) {
        struct hp_diag_finding *f =
            finding(a, HP_CAUSE_MEMORY, 1.2, "memory pressure: %.1f%% of memory available",
                    100 * k->mem_available_ratio);
        evidence(f, "at %s: %.0f major faults and %.0f pages swapped a second",
                 level_text(in, at, lt, sizeof lt), k->majflt_per_s, k->swap_per_s);
    }
    if ((isfinite(k->drops_per_s) && k->drops_per_s > 1) ||
        (isfinite(k->retrans_per_s) && k->retrans_per_s > 10)) {
        struct hp_diag_finding *f =
            finding(a, HP_CAUSE_NETWORK, 0.6, "the network: %.0f drops and %.0f TCP "
                    "retransmits a second", k->drops_per_s, k->retrans_per_s);
        evidence(f, "at %s", level_text(in, at, lt, sizeof lt));
    }
    bool resource = false;
    for (int i = 0; i < a->n_findings; i++)
        resource |= a->findings[i].cause != HP_CAUSE_MEMORY_GROWTH &&
                    a->findings[i].cause != HP_CAUSE_LOADER &&
                    a->findings[i].cause != HP_CAUSE_NETWORK;
    if (a->knee >= 0 && !resource) {
        if (proc_share < 0.5 && thr < 0.7 && a->in_service >= 1) {
            struct hp_diag_finding *f = finding(
                a, HP_CAUSE_POOL, 1.0, "a pool is full: about %.1f requests in service at "
                "once, while the process uses %.2f of %d CPUs", a->in_service, k->proc_cpu,
                ncpu);
            evidence(f, "throughput stopped at %s (%s) while the process used %.2f of %d "
                     "CPUs (the machine %.0f%% busy%s) and no lock or disk wait showed; Little's law: %s x the unloaded "
                     "response time %s = %.1f requests in service: a pool of workers, threads "
                     "or connections of about that size (or a dependency that allows that "
                     "many) is the limit; the mean response time grew from %s to %s by "
                     "queueing", rate(k->throughput_per_s, b1, sizeof b1),
                     level_text(in, at, lt, sizeof lt), k->proc_cpu, ncpu, 100 * mach, others,
                     rate(k->throughput_per_s, b2, sizeof b2), dur(min_mean, b3, sizeof b3),
                     a->in_service, dur(min_mean, b4, sizeof b4),
                     dur(k->mean_ns, b5, sizeof b5));
        } else {
            struct hp_diag_finding *f = finding(
                a, HP_CAUSE_UNKNOWN, 0.2, "throughput stopped growing but no resource of the "
                "process was full");
            evidence(f, "at %s: the process %.2f of %d CPUs, its busiest thread %.0f%%, the "
                     "machine %.0f%% busy", level_text(in, at, lt, sizeof lt), k->proc_cpu,
                     ncpu, 100 * thr, 100 * mach);
            if (in->off_cpu && isfinite(a->off_share[HP_OFF_SLEEP]))
                evidence(f, "; the threads' time off the CPU: %.0f%% in timed sleeps, %.0f%% "
                         "waiting for work, %.0f%% elsewhere",
                         100 * a->off_share[HP_OFF_SLEEP], 100 * a->off_share[HP_OFF_IDLE],
                         100 * a->off_share[HP_OFF_OTHER]);
            evidence(f, "; look at what it waits for or calls (a sleep in the request path, "
                     "a database, another service)");
        }
    }
    if (a->n_findings == 0) {
        struct hp_diag_finding *f =
            finding(a, HP_CAUSE_NONE, 0, "nothing saturated within the range swept");
        evidence(f, "throughput followed the load up to %s (%s, p99 %s); there the process "
                 "used %.2f of %d CPUs and the machine was %.0f%% busy%s",
                 level_text(in, n - 1, lt, sizeof lt),
                 rate(lv[n - 1].throughput_per_s, b1, sizeof b1),
                 dur(lv[n - 1].p99_ns, b2, sizeof b2), lv[n - 1].proc_cpu, ncpu, 100 * mach,
                 others);
    }
    qsort(a->findings, (size_t)a->n_findings, sizeof a->findings[0], by_score);

    /* 4. What to try, in the findings' order, then the general ones. */
    const struct hp_diag_grown *top = NULL, *dom = NULL;
    for (int i = 0; i < in->n_grown; i++) {
        if (!top && in->grown[i].after_cores > in->grown[i].before_cores)
            top = &in->grown[i];
        if (!dom || in->grown[i].after_share > dom->after_share)
            dom = &in->grown[i];
    }
    for (int i = 0; i < a->n_findings; i++) {
        const struct hp_diag_finding *f = &a->findings[i];
        switch (f->cause) {
        case HP_CAUSE_MEMORY_GROWTH:
            suggest(a, "Find what keeps memory (a leak, or a cache without a bound)",
                    "the resident set grows by %s per request; a heap profile of a short run "
                    "(heaptrack, or valgrind --tool=massif) shows where it is allocated",
                    bytes(a->leak_bytes_per_request, b1, sizeof b1));
            break;
        case HP_CAUSE_THREAD_CPU:
            suggest(a, "Spread the work over more threads (or processes)",
                    "one thread is %.0f%% busy while %d CPUs have %.2f cores to spare%s%s",
                    100 * thr, ncpu, ncpu - k->proc_cpu,
                    dom ? "; most of its time goes to " : "", dom ? dom->name : "");
            break;
        case HP_CAUSE_CPU:
            if (top)
                suggest(a, "Make the hottest code cheaper",
                        "%s took %.0f%% of the CPU samples at the knee and grew by %.2f cores "
                        "from the level below", top->name, 100 * top->after_share,
                        top->after_cores - top->before_cores);
            else
                suggest(a, "Make the hottest code cheaper", "the CPUs are full at the knee");
            break;
        case HP_CAUSE_LOCK:
            suggest(a, "Shorten the critical section, or split the lock",
                    "the threads wait %.0f%% of their time for a lock while the process uses "
                    "%.2f of %d CPUs: more threads would wait too",
                    100 * lock_share, k->proc_cpu, ncpu);
            break;
        case HP_CAUSE_DISK:
            suggest(a, "Batch the syncs (group commit) or take them off the request path",
                    "the threads wait %.0f%% of their time for the disk", 100 * io_share);
            break;
        case HP_CAUSE_MEMORY:
            suggest(a, "Give the process more memory, or make it use less",
                    "%.0f major faults a second at the knee", k->majflt_per_s);
            break;
        case HP_CAUSE_POOL: {
            double per_req = k->throughput_per_s > 0 ? k->proc_cpu / k->throughput_per_s : 0;
            double ceiling = per_req > 0 ? ncpu / per_req : INFINITY;
            suggest(a, "More workers (a bigger pool)",
                    "about %.1f requests are in service at once and the process uses %.2f of "
                    "%d CPUs; by Little's law twice the pool carries up to %s at the same response "
                    "time, until the CPUs (%.3g ms of CPU a request) cap it near %s",
                    a->in_service, k->proc_cpu, ncpu,
                    rate(2 * k->throughput_per_s, b1, sizeof b1), per_req * 1e3,
                    isfinite(ceiling) ? rate(ceiling, b2, sizeof b2) : "no limit seen");
            break;
        }
        case HP_CAUSE_LOADER:
            suggest(a, "Run the load from another machine",
                    "the load generator used %.2f of the %d CPUs the service needed", loader,
                    ncpu);
            break;
        case HP_CAUSE_NETWORK:
            suggest(a, "Look at the network path", "%s", f->title);
            break;
        case HP_CAUSE_UNKNOWN:
            suggest(a, "Measure the service's dependencies",
                    "throughput stopped with no resource of the process full");
            break;
        case HP_CAUSE_NONE:
            suggest(a, "Sweep further", "nothing saturated up to %s: raise the load (--max, or "
                    "higher --rates) to find the knee", level_text(in, n - 1, lt, sizeof lt));
            break;
        }
    }
    if (dom && dom->after_share >= 0.3 && dom->after_cores >= 0.2 && a->knee >= 0)
        suggest(a, "A cache in front of the dominant work",
                "one function, %s, took %.0f%% of the CPU samples at the knee: if its results "
                "repeat, a cache removes most of it", dom->name, 100 * dom->after_share);
    if (a->knee >= 0 && k->throughput_per_s > 0) {
        double x1 = k->throughput_per_s;
        if (a->usl_fitted && a->usl.r_squared >= 0.8 && a->usl.sigma <= 1) {
            double s = a->usl.sigma, kp = a->usl.kappa, x[3];
            int ns[3] = {2, 4, 8};
            for (int i = 0; i < 3; i++)
                x[i] = ns[i] * x1 / (1 + s * (ns[i] - 1) + kp * ns[i] * (ns[i] - 1));
            char c2[32], c4[32], c8[32];
            suggest(a, "Scale out: more instances",
                    "one instance carries %s at the knee; if instances contend as this sweep's "
                    "load did (USL sigma %.3g, kappa %.3g), 2, 4 and 8 instances carry %s, %s "
                    "and %s; with nothing shared, N times %s",
                    rate(x1, b1, sizeof b1), s, kp, rate(x[0], c2, sizeof c2),
                    rate(x[1], c4, sizeof c4), rate(x[2], c8, sizeof c8),
                    rate(x1, b2, sizeof b2));
        } else {
            suggest(a, "Scale out: more instances",
                    "one instance carries %s at the knee; N instances with nothing shared carry "
                    "N times that", rate(x1, b1, sizeof b1));
        }
        suggest(a, "Plan the capacity",
                "hotpath model plan --capacity %.6g/s --peak RATE --growth PCT: the instances "
                "needed month by month for the traffic forecast", x1);
    }

    /* The answer in a few sentences. */
    const struct hp_diag_finding *first = &a->findings[0];
    if (a->knee >= 0) {
        const char *how = a->knee_why == HP_KNEE_SLO       ? "p99 passes the objective"
                          : a->knee_why == HP_KNEE_RATE    ? "the service falls behind the rate"
                          : a->knee_why == HP_KNEE_LATENCY ? "p99 jumps (5 times its lowest)"
                                                           : "throughput stops growing";
        snprintf(a->summary, sizeof a->summary, "At %s %s (%s, p99 %s). First cause: %s.",
                 level_text(in, a->knee, lt, sizeof lt), how,
                 rate(lv[a->knee].throughput_per_s, b1, sizeof b1),
                 dur(lv[a->knee].p99_ns, b2, sizeof b2), first->title);
    } else {
        snprintf(a->summary, sizeof a->summary, "Throughput kept up with the load up to %s (%s, "
                 "p99 %s). First finding: %s.", level_text(in, n - 1, lt, sizeof lt),
                 rate(lv[n - 1].throughput_per_s, b1, sizeof b1),
                 dur(lv[n - 1].p99_ns, b2, sizeof b2), first->title);
    }
    return 0;
}
