/* SPDX-License-Identifier: MIT */
/* page/browser.h - a headless Chromium driven through the DevTools protocol
 * over a pipe (page/cdp.h): started once, in its own process group with a
 * throw-away profile directory, and always taken down with everything it
 * started, whether it closed cleanly, hung or crashed.
 *
 * One thread talks to it: hp_browser_call sends a command and waits for its
 * answer; events that arrive meanwhile are queued in order for
 * hp_browser_event. Every wait has a deadline, and a stop flag (Ctrl-C) is
 * checked at least every 100 ms. */
#ifndef HP_PAGE_BROWSER_H
#define HP_PAGE_BROWSER_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define HP_BROWSER_START_TIMEOUT_NS (INT64_C(60) * 1000000000)

struct hp_browser_opts {
    const char *path;          /* the browser; NULL: $HOTPATH_BROWSER, else chromium on PATH */
    bool insecure;             /* accept any certificate (--ignore-certificate-errors) */
    int64_t start_timeout_ns;  /* 0: HP_BROWSER_START_TIMEOUT_NS */
    volatile sig_atomic_t *stop; /* set by a signal handler: waits end with -EINTR */
};

struct hp_browser;

/* Start the browser and wait until it answers. 0, or an error with err
 * (no browser found, it would not start, or it exited: its last line of
 * output is quoted). */
int hp_browser_launch(const struct hp_browser_opts *o, struct hp_browser **out,
                      struct hp_err *err);

/* "Chrome/156.0.8078.129", as the browser says. */
const char *hp_browser_version(const struct hp_browser *b);
/* The browser's process id (tests kill it). */
int hp_browser_pid(const struct hp_browser *b);

/* Send method with params (stolen; NULL: none) on session (NULL: the
 * browser's), wait for its answer until deadline_ns (hp_now_ns clock).
 * 0 with *result (may be NULL: not wanted; json_decref) the answer's
 * "result"; HP_EFORMAT when the browser answered with an error (its message
 * in err); -ETIMEDOUT, -EINTR (stop), -EPIPE (the browser is gone), -ENOMEM. */
int hp_browser_call(struct hp_browser *b, const char *method, json_t *params,
                    const char *session, int64_t deadline_ns, json_t **result,
                    struct hp_err *err);

/* The same in two steps, for a command whose answer waits on events being
 * handled (a navigation held by the Fetch domain): send it (0 with *id),
 * then wait: 1 with *result (as hp_browser_call), 2 when events are queued
 * first (take them with hp_browser_event, then wait again), 0 at the
 * deadline, or an error. */
int hp_browser_send(struct hp_browser *b, const char *method, json_t *params,
                    const char *session, int64_t *id, struct hp_err *err);
int hp_browser_wait(struct hp_browser *b, int64_t id, const char *method, int64_t deadline_ns,
                    json_t **result, struct hp_err *err);

/* The next event (json_decref): 1, 0 when none came by deadline_ns, or
 * -EINTR, -EPIPE, -ENOMEM with err. */
int hp_browser_event(struct hp_browser *b, int64_t deadline_ns, json_t **ev, struct hp_err *err);

/* Drop every queued event. */
void hp_browser_drain(struct hp_browser *b);

/* CPU seconds used so far by the browser and every process it started. */
double hp_browser_cpu_s(const struct hp_browser *b);
/* Wait until the browser is quiet (under 5% of a CPU over 250 ms), at most
 * max_ns: a browser keeps starting up for seconds after it answers, work
 * that would land in a test beside it. 0, -ETIMEDOUT, -EINTR. */
int hp_browser_settle(struct hp_browser *b, int64_t max_ns);

/* Close it: Browser.close, up to 2 s for it to exit, then SIGKILL to its
 * whole process group; its profile directory is removed. NULL is fine. */
void hp_browser_close(struct hp_browser *b);

#endif
