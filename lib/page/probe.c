// SPDX-License-Identifier: MIT
/* page/probe.c - see probe.h. */
#include "page/probe.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/units.h"
#include "stat/stats.h"

struct hp_page_probe {
    struct hp_page_probe_opts o;
    struct hp_browser *b;
    struct hp_page *pg;
    pthread_t thread;
    bool started, stopped;
    /* windows (sweeps): loads only inside the window, each run tagged with it */
    bool windows;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int win_level;          /* the window's level, -1 before the first */
    int64_t win_until_ns;
    int win_seen;           /* the last window the thread began */
    volatile sig_atomic_t stop;
    int64_t t0_ns;
    struct hp_page_probe_run *runs;
    size_t n, cap;
    int failures;
    char first_error[HP_ERR_MSG_MAX];
    char version[128];
};

int hp_page_probe_new(const struct hp_page_probe_opts *o, struct hp_page_probe **out,
                      struct hp_err *err)
{
    struct hp_page_probe *p = hp_calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return hp_err_set(err, -ENOMEM, "out of memory");
    p->o = *o;
    p->win_level = p->win_seen = -1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    struct hp_browser_opts bo = {.path = o->browser, .insecure = o->insecure, .stop = &p->stop};
    int rc = hp_browser_launch(&bo, &p->b, err);
    if (rc == 0)
        rc = hp_page_open(p->b, &p->o.page, &p->pg, err);
    if (rc < 0) {
        hp_page_probe_free(p);
        return rc;
    }
    /* One load before the test, not kept, then quiet: the browser's start-up
     * (seconds of CPU after it first answers) and first page must not land
     * in the test. A page that fails here fails in the test too: say so now. */
    struct hp_page_run warm;
    rc = hp_page_run(p->pg, true, &warm, err);
    if (rc < 0) {
        hp_page_probe_free(p);
        return rc;
    }
    hp_page_run_fini(&warm);
    hp_browser_settle(p->b, 10 * HP_NS_PER_S);
    snprintf(p->version, sizeof p->version, "%s", hp_browser_version(p->b));
    *out = p;
    return 0;
}

/* Sleep until `at` or a stop. */
static void nap_until(struct hp_page_probe *p, int64_t at)
{
    while (!p->stop) {
        int64_t left = at - hp_now_ns();
        if (left <= 0)
            return;
        if (left > 50 * HP_NS_PER_MS)
            left = 50 * HP_NS_PER_MS;
        struct timespec ts = {0, (long)left};
        nanosleep(&ts, NULL);
    }
}

/* One load, kept with its start and level: false when the probe must end
 * (stopped, the browser gone, out of memory). */
static bool load_once(struct hp_page_probe *p, int level)
{
    int64_t start = hp_now_ns();
    struct hp_page_run r;
    struct hp_err err = {0};
    int rc = hp_page_run(p->pg, true, &r, &err);
    if (rc == -EINTR || p->stop) {
        if (rc == 0)
            hp_page_run_fini(&r); /* it ended with the test: not kept */
        return false;
    }
    if (rc < 0) {
        if (p->failures++ == 0)
            snprintf(p->first_error, sizeof p->first_error, "%s", err.msg);
        return rc != -EPIPE; /* the browser is gone: nothing more to load */
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct hp_page_probe_run *v = hp_realloc(p->runs, cap * sizeof *v);
        if (!v) {
            hp_page_run_fini(&r);
            return false;
        }
        p->runs = v;
        p->cap = cap;
    }
    p->runs[p->n++] = (struct hp_page_probe_run){(double)(start - p->t0_ns) / 1e9, level, r};
    return true;
}

static void *loop(void *arg)
{
    struct hp_page_probe *p = arg;
    int64_t next = p->t0_ns;
    while (!p->stop) {
        nap_until(p, next);
        if (p->stop)
            break;
        next = hp_now_ns() + p->o.every_ns;
        if (!load_once(p, -1))
            break;
    }
    return NULL;
}

/* Windows: wait for one, load at its start and every `every` inside it. */
static void *window_loop(void *arg)
{
    struct hp_page_probe *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->win_level == p->win_seen)
            pthread_cond_wait(&p->cv, &p->mu);
        int level = p->win_level;
        int64_t until = p->win_until_ns;
        p->win_seen = level;
        pthread_mutex_unlock(&p->mu);
        if (p->stop)
            break;
        int64_t next = hp_now_ns();
        bool go_on = true;
        while (go_on && !p->stop && next < until) {
            nap_until(p, next);
            next = hp_now_ns() + p->o.every_ns;
            go_on = load_once(p, level);
        }
        if (!go_on)
            break;
    }
    return NULL;
}

int hp_page_probe_go_windows(struct hp_page_probe *p, int64_t t0_ns, struct hp_err *err)
{
    p->t0_ns = t0_ns;
    p->windows = true;
    int rc = pthread_create(&p->thread, NULL, window_loop, p);
    if (rc != 0)
        return hp_err_set(err, -rc, "the page probe's thread: %s", strerror(rc));
    p->started = true;
    return 0;
}

void hp_page_probe_window(struct hp_page_probe *p, int level, int64_t until_ns)
{
    pthread_mutex_lock(&p->mu);
    p->win_level = level;
    p->win_until_ns = until_ns;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

int hp_page_probe_go(struct hp_page_probe *p, int64_t t0_ns, struct hp_err *err)
{
    p->t0_ns = t0_ns;
    int rc = pthread_create(&p->thread, NULL, loop, p);
    if (rc != 0)
        return hp_err_set(err, -rc, "the page probe's thread: %s", strerror(rc));
    p->started = true;
    return 0;
}

void hp_page_probe_stop(struct hp_page_probe *p)
{
    if (!p || p->stopped)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (p->started)
        pthread_join(p->thread, NULL);
    p->stopped = true;
    hp_page_close(p->pg);
    p->pg = NULL;
    hp_browser_close(p->b);
    p->b = NULL;
}

const struct hp_page_probe_run *hp_page_probe_runs(const struct hp_page_probe *p, size_t *n)
{
    *n = p->n;
    return p->runs;
}

int hp_page_probe_failures(const struct hp_page_probe *p, const char **first)
{
    *first = p->first_error;
    return p->failures;
}

double hp_page_probe_median(const struct hp_page_probe *p, int m, int level, size_t *n)
{
    double *v = hp_malloc((p->n ? p->n : 1) * sizeof *v);
    size_t k = 0;
    if (n)
        *n = 0;
    if (!v)
        return NAN;
    for (size_t i = 0; i < p->n; i++)
        if ((level == -2 || p->runs[i].level == level) && isfinite(p->runs[i].run.m[m]))
            v[k++] = p->runs[i].run.m[m];
    double med = k ? hp_quantile(v, k, 0.5) : NAN;
    hp_free(v);
    if (n)
        *n = k;
    return med;
}

static double median_at(const struct hp_page_probe *p, int m, int level)
{
    return hp_page_probe_median(p, m, level, NULL);
}

static const struct {
    int m;
    const char *series, *unit;
    double scale;
} shown[] = {
    {HP_PM_TTFB, "page_ttfb", "ns", 1e6},
    {HP_PM_FCP, "page_fcp", "ns", 1e6},
    {HP_PM_LCP, "page_lcp", "ns", 1e6},
    {HP_PM_CLS, "page_cls", "score", 1},
    {HP_PM_TBT, "page_tbt", "ns", 1e6},
};

int hp_page_probe_doc(const struct hp_page_probe *p, struct hp_result *doc, const double *x,
                      int n_levels)
{
    int rc = 0;
    for (size_t k = 0; k < sizeof shown / sizeof *shown && rc == 0; k++) {
        if (x) { /* a sweep: each level's median at the level's x */
            for (int l = 0; l < n_levels && rc == 0; l++) {
                double v = median_at(p, shown[k].m, l);
                if (isfinite(v))
                    rc = hp_result_series_point(doc, shown[k].series, shown[k].unit, x[l],
                                                v * shown[k].scale);
            }
        } else {
            for (size_t i = 0; i < p->n && rc == 0; i++) {
                double v = p->runs[i].run.m[shown[k].m];
                if (isfinite(v))
                    rc = hp_result_series_point(doc, shown[k].series, shown[k].unit,
                                                p->runs[i].t_s, v * shown[k].scale);
            }
        }
        char name[64];
        snprintf(name, sizeof name, "%s_median", shown[k].series);
        double med = median_at(p, shown[k].m, -2);
        if (rc == 0 && isfinite(med))
            rc = hp_result_metric(doc, name, med * shown[k].scale, shown[k].unit);
    }
    rc = rc ? rc : hp_result_metric(doc, "page_loads", (double)p->n, "count");
    rc = rc ? rc : hp_result_metric(doc, "page_failures", (double)p->failures, "count");
    if (rc)
        return rc;
    json_t *o = json_object(), *arr = json_array();
    if (!o || !arr) {
        json_decref(o);
        json_decref(arr);
        return -ENOMEM;
    }
    json_object_set_new(o, "url", json_string(p->o.page.url));
    json_object_set_new(o, "every_s", json_real((double)p->o.every_ns / 1e9));
    json_object_set_new(o, "browser", json_string(p->version));
    if (p->failures)
        json_object_set_new(o, "first_error", json_string(p->first_error));
    for (size_t i = 0; i < p->n; i++) {
        json_t *r = hp_page_run_json(&p->runs[i].run);
        if (!r) {
            json_decref(o);
            json_decref(arr);
            return -ENOMEM;
        }
        json_object_set_new(r, "t_s", json_real(p->runs[i].t_s));
        if (p->runs[i].level >= 0)
            json_object_set_new(r, "level", json_integer(p->runs[i].level));
        json_object_set_new(r, "run", json_integer((json_int_t)i + 1));
        json_array_append_new(arr, r);
    }
    json_object_set_new(o, "runs", arr);
    return json_object_set_new(hp_result_json(doc), "page", o) < 0 ? -ENOMEM : 0;
}

void hp_page_probe_print(const struct hp_page_probe *p, FILE *out)
{
    char lcp[32], ttfb[32];
    double l = median_at(p, HP_PM_LCP, -2), t = median_at(p, HP_PM_TTFB, -2);
    if (isfinite(l))
        hp_format_duration((int64_t)llround(l * 1e6), lcp, sizeof lcp);
    else
        snprintf(lcp, sizeof lcp, "-");
    if (isfinite(t))
        hp_format_duration((int64_t)llround(t * 1e6), ttfb, sizeof ttfb);
    else
        snprintf(ttfb, sizeof ttfb, "-");
    fprintf(out, "  Page loads in the browser: %zu", p->n);
    if (p->failures)
        fprintf(out, " (%d failed)", p->failures);
    fprintf(out, ", LCP median %s, TTFB median %s\n", lcp, ttfb);
    if (p->failures)
        fprintf(out, "    first failure: %s\n", p->first_error);
}

void hp_page_probe_free(struct hp_page_probe *p)
{
    if (!p)
        return;
    hp_page_probe_stop(p);
    for (size_t i = 0; i < p->n; i++)
        hp_page_run_fini(&p->runs[i].run);
    hp_free(p->runs);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    hp_free(p);
}
