/* SPDX-License-Identifier: MIT */
/* page/page.h - page loads in a real browser: one browser context and one
 * tab (target) for a whole measurement, and runs in it.
 *
 * A cold run (the default) starts from nothing the page left: the tab goes
 * to about:blank, the HTTP cache, cookies and the origin's storage are
 * cleared, and the browser's idle connections and host cache are flushed,
 * so the page pays DNS, connect and TLS again as a first visit does. (A new
 * browser context per run does the same at 300-500 ms of browser start-up
 * a run; clearing costs about 20 ms.) A warm run keeps them: a repeat view.
 *
 * A run navigates, follows the Network domain's events into a waterfall,
 * waits for the load event and for the network to go quiet (at most 1 s),
 * then reads the browser's own performance entries, recorded from the
 * document's start by observers this module installs, and waits (at most
 * `settle`) for an image that has arrived and would be the largest
 * contentful paint to be painted. */
#ifndef HP_PAGE_PAGE_H
#define HP_PAGE_PAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "page/browser.h"
#include "page/vitals.h"

struct hp_page_opts {
    const char *url;
    int width, height;   /* the viewport in CSS pixels */
    double scale;        /* device pixel ratio */
    bool mobile;         /* mobile emulation (touch, meta viewport) */
    double cpu_slowdown; /* > 1: the main thread that many times slower */
    bool throttle;       /* network emulation with the three figures below */
    double latency_ms;   /* added to every request's round trip */
    double down_bps, up_bps; /* bits a second */
    const char *click;   /* a CSS selector clicked after load (INP), or NULL */
    int64_t timeout_ns;  /* a run's limit */
    int64_t settle_ns;   /* at most this long for the LCP image's paint after load */
};

/* One request of the waterfall. Times in ms since the navigation started. */
struct hp_page_req {
    char *id;
    char *url, *method, *type, *mime, *protocol, *remote, *error;
    int status;
    char *status_text;
    double start, end;   /* requestWillBeSent .. loadingFinished/Failed */
    struct hp_page_phases ph;
    int64_t transfer;    /* bytes over the network, headers included */
    int64_t body;        /* bytes of the body, decoded */
    bool from_cache, done, failed;
    json_t *req_headers, *resp_headers; /* objects, secrets redacted (HAR) */
    /* raw */
    double will_send_s, wall_s;
    struct hp_page_timing_in timing;
};

struct hp_page_run {
    double m[HP_PM_COUNT]; /* NAN: not measured (no LCP, no interaction) */
    double load_end;       /* loadEventEnd */
    char *lcp_element, *lcp_url;
    double lcp_size;
    int n_shifts, n_longtasks;
    struct hp_page_req *reqs;
    size_t nreqs, capreqs;
    double time_origin_ms; /* the page's performance.timeOrigin (ms since the epoch) */
    double wall_ms;        /* the whole run as hotpath saw it: reset, navigation, figures */
    bool cold;
};

/* What `page` uses when not told otherwise: 1350x940 at 1 device pixel, no
 * emulation, 30 s a run, 1 s to wait for the LCP image's paint. */
void hp_page_opts_defaults(struct hp_page_opts *o, const char *url);

struct hp_page;

/* A browser context and tab set up as o says (viewport, throttling). */
int hp_page_open(struct hp_browser *b, const struct hp_page_opts *o, struct hp_page **out,
                 struct hp_err *err);
/* Whether cold runs could flush the browser's connections (false: later
 * runs may reuse the first run's connections). */
bool hp_page_flushes(const struct hp_page *p);
/* One load. 0 with *out filled (hp_page_run_fini), or an error with err:
 * the navigation failed (its net:: reason), the page did not load in time
 * (what was still loading), the page crashed, the browser is gone, -EINTR. */
int hp_page_run(struct hp_page *p, bool cold, struct hp_page_run *out, struct hp_err *err);
void hp_page_run_fini(struct hp_page_run *r);
/* The run as the result document keeps it (vitals, LCP element, the
 * waterfall without headers). NULL on ENOMEM. */
json_t *hp_page_run_json(const struct hp_page_run *r);
void hp_page_close(struct hp_page *p);

/* What a run does with what the browser said, without a browser: the
 * events (the DevTools protocol's, those of other sessions ignored) into
 * the waterfall, and the page's own figures (the JSON the run's script
 * returns) into the vitals; loader is the navigation's loaderId. For tests
 * and the fuzzer. 0 with *r filled (hp_page_run_fini), or -ENOMEM. */
int hp_page_take(struct hp_page_run *r, json_t *const *events, size_t n, const char *session,
                 json_t *figures, const char *loader);

#endif
