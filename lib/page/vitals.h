/* SPDX-License-Identifier: MIT */
/* page/vitals.h - the figures of one page load, computed from what the
 * browser recorded (its performance entries and network events), with no
 * I/O: what page.c collects goes in, numbers come out.
 *
 * Times are milliseconds since the navigation started (the page's time
 * origin), as the browser's own entries give them. */
#ifndef HP_PAGE_VITALS_H
#define HP_PAGE_VITALS_H

#include <stdbool.h>
#include <stddef.h>

enum hp_page_metric {
    HP_PM_TTFB,  /* responseStart of the navigation */
    HP_PM_FCP,   /* first-contentful-paint */
    HP_PM_LCP,   /* the last largest-contentful-paint candidate's render time */
    HP_PM_CLS,   /* cumulative layout shift: the largest session window (a score) */
    HP_PM_TBT,   /* total blocking time after the FCP */
    HP_PM_INP,   /* the slowest interaction (--click) */
    HP_PM_DCL,   /* domContentLoadedEventStart */
    HP_PM_LOAD,  /* loadEventStart */
    HP_PM_REQUESTS,    /* requests made (a count) */
    HP_PM_TRANSFER,    /* bytes over the network, headers included */
    HP_PM_COUNT
};

/* "ttfb", "fcp", "lcp", "cls", "tbt", "inp", "dom_content_loaded", "load",
 * "requests", "transfer_bytes": the names in documents and thresholds. */
const char *hp_page_metric_name(enum hp_page_metric m);
/* "ms" for times, "score" (CLS), "count", "bytes". */
const char *hp_page_metric_unit(enum hp_page_metric m);
/* The name for m (also k6's browser_web_vital_lcp... and web-vitals'
 * upper case LCP); -1 when none. */
int hp_page_metric_find(const char *name);

struct hp_page_shift {
    double t, value;
    bool had_input;
};

/* Cumulative layout shift as browsers define it since 2021: shifts without
 * recent input grouped into session windows (a new window after a gap of 1 s
 * or when the window would pass 5 s), the largest window's sum. 0 when none. */
double hp_page_cls(const struct hp_page_shift *s, size_t n);

struct hp_page_task {
    double t, duration;
};

/* Total blocking time: of every long task, the part past its first 50 ms
 * that falls after fcp and before end (Lighthouse clips to FCP..TTI; hotpath
 * to FCP..the end of the run). */
double hp_page_tbt(const struct hp_page_task *t, size_t n, double fcp, double end);

struct hp_page_event {
    double t, duration;
    long long interaction; /* interactionId; 0: not an interaction */
};

/* Interaction to next paint: each interaction's longest event, then the
 * longest of those, less one per 50 interactions (the web's 98th
 * percentile). NAN when no interaction. */
double hp_page_inp(const struct hp_page_event *e, size_t n);

/* What HAR and the waterfall call a request's phases, in ms (-1: not part
 * of this request, as a reused connection has no connect), from Chromium's
 * ResourceTiming (ms after requestTime) and the request's events (s). */
struct hp_page_timing_in {
    double will_send_s;   /* Network.requestWillBeSent timestamp */
    double request_time_s; /* timing.requestTime; < 0: no timing (cache, failure) */
    double dns_start, dns_end, connect_start, connect_end, ssl_start, ssl_end;
    double send_start, send_end, headers_end;
    double end_s;         /* loadingFinished or loadingFailed timestamp */
};
struct hp_page_phases {
    double blocked, dns, connect, ssl, send, wait, receive;
    double total;         /* from will_send to end */
};
void hp_page_phases(const struct hp_page_timing_in *in, struct hp_page_phases *out);

#endif
