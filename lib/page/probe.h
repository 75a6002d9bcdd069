/* SPDX-License-Identifier: MIT */
/* page/probe.h - page loads in the background of a load test: a thread with
 * its own browser loads the page every `every` while the protocol load
 * runs, so the result shows what a visitor saw at that load.
 *
 * The browser is started, the tab set up and the page loaded once before
 * the test, and the browser left to go quiet (its start-up takes seconds of
 * CPU after it first answers, which would be taken from the test); loads begin at hp_page_probe_go and
 * end at hp_page_probe_stop, which interrupts a load in progress (that one
 * is not kept). A failed load is counted and the probe goes on: the test is
 * the protocol load's, the probe only watches it. */
#ifndef HP_PAGE_PROBE_H
#define HP_PAGE_PROBE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "core/err.h"
#include "core/result.h"
#include "page/page.h"

struct hp_page_probe_opts {
    struct hp_page_opts page;
    const char *browser;  /* the browser's path, or NULL */
    bool insecure;
    int64_t every_ns;     /* from one load's start to the next's (a load that takes
                           * longer is followed at once) */
};

struct hp_page_probe_run {
    double t_s;           /* when it started, since hp_page_probe_go */
    int level;            /* the window's level (sweeps), -1 without windows */
    struct hp_page_run run;
};

struct hp_page_probe;

/* Start the browser, open the tab, load the page once (not kept: it says
 * early when the page cannot be loaded) and wait for the browser to be
 * quiet. 0, or an error with err. */
int hp_page_probe_new(const struct hp_page_probe_opts *o, struct hp_page_probe **out,
                      struct hp_err *err);
/* Begin loading the page: t_s counts from t0_ns (hp_now_ns clock). 0 or an
 * error (the thread could not start). */
int hp_page_probe_go(struct hp_page_probe *p, int64_t t0_ns, struct hp_err *err);
/* Or in windows (a sweep's levels): nothing until hp_page_probe_window;
 * then a load at once and every `every` until until_ns (a load begun
 * before it ends is finished), tagged with the level. */
int hp_page_probe_go_windows(struct hp_page_probe *p, int64_t t0_ns, struct hp_err *err);
void hp_page_probe_window(struct hp_page_probe *p, int level, int64_t until_ns);
/* Stop loading, close the browser. Idempotent. */
void hp_page_probe_stop(struct hp_page_probe *p);
/* After stop: the loads kept, in order, and how many failed (with the
 * first failure's message, "" when none). */
const struct hp_page_probe_run *hp_page_probe_runs(const struct hp_page_probe *p, size_t *n);
int hp_page_probe_failures(const struct hp_page_probe *p, const char **first);
/* After stop: the median of figure m (enum hp_page_metric) over the loads
 * of level (-2: all of them), NAN when none measured it; *n (may be NULL)
 * how many did. */
double hp_page_probe_median(const struct hp_page_probe *p, int m, int level, size_t *n);
/* After stop: the loads into doc: series page_ttfb, page_fcp, page_lcp,
 * page_tbt (ns), page_cls (score) at each load's start (or, given x, the
 * median of each level's loads at x[level], n_levels of them), metrics
 * page_*_median, page_loads, page_failures, and "page": {"url", "every_s",
 * "browser", "runs" (each with t_s, and level in windows)}. 0 or -ENOMEM. */
int hp_page_probe_doc(const struct hp_page_probe *p, struct hp_result *doc, const double *x,
                      int n_levels);
/* "  Page loads: N (F failed), LCP median ..., TTFB median ..." */
void hp_page_probe_print(const struct hp_page_probe *p, FILE *out);
void hp_page_probe_free(struct hp_page_probe *p); /* stops first; NULL is fine */

#endif
