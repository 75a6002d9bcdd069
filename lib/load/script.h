/* SPDX-License-Identifier: MIT */
/* load/script.h - wrk-compatible Lua scripts (LuaJIT) for `hotpath load -s`:
 * the wrk table (scheme, host, port, method, path, headers, body, format,
 * lookup, connect), setup(thread) with thread.addr / get / set / stop,
 * init(args), request(), response(status, headers, body), delay(), and
 * done(summary, latency, requests), so scripts written for wrk run
 * unchanged (docs/scripting.md).
 *
 * As in wrk, setup() and done() run in a main Lua state, and each worker
 * thread has its own state, used only by that thread: no locks. Lua errors
 * are caught: at load time they name file:line before any request is sent;
 * during the run the first one is kept (hp_script_error) and stops that
 * thread's sending. Not for untrusted scripts: they run with Lua's
 * standard libraries, as wrk's do. */
#ifndef HP_LOAD_SCRIPT_H
#define HP_LOAD_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "io/addr.h"
#include "http/url.h"
#include "stat/hist.h"

#define HP_SCRIPT_MAX_THREADS 256

struct hp_script;

/* The request wrk would send without a script, as the wrk table's fields. */
struct hp_script_target {
    const struct hp_url *url;
    const char *method;
    const char *const *headers; /* "Name: value" */
    int n_headers;
    const char *body;           /* NULL: none */
    size_t body_len;
};

/* Load and run the script's top level in the main state. Errors (syntax,
 * runtime at the top level, a global named like a callback that is not a
 * function) give file:line in err. */
int hp_script_new(const char *path, const struct hp_script_target *t, struct hp_script **out,
                  struct hp_err *err);
/* Make `threads` thread states: call setup(thread) for each in the main
 * state (thread.addr starts as addr), hand each thread the globals set
 * with thread:set, run init(args), and take each thread's first request()
 * to count its requests (the pipeline depth, as wrk does). */
int hp_script_setup(struct hp_script *s, int threads, const struct hp_addr *addr,
                    const char *const *args, int n_args, struct hp_err *err);
/* After setup: the address thread i connects to (setup may change it). */
const struct hp_addr *hp_script_thread_addr(const struct hp_script *s, int i);
/* Requests in each request() string (1 unless the script pipelines). */
int hp_script_pipeline(const struct hp_script *s);
bool hp_script_has_request(const struct hp_script *s);
/* After setup: thread 0's first request() as sent, for the result document:
 * its method, request target (path and query) and body bytes. The strings
 * are s's, valid until hp_script_free. */
void hp_script_first_request(const struct hp_script *s, const char **method,
                             const char **target, int64_t *body_bytes);
/* The first request() is a HEAD: answers have no body. */
bool hp_script_is_head(const struct hp_script *s);
bool hp_script_has_response(const struct hp_script *s);
bool hp_script_has_delay(const struct hp_script *s);

/* Worker thread i only. The next request bytes (valid until the next call
 * on this thread); -1 after a Lua error (the thread stops). */
int hp_script_request(struct hp_script *s, int i, const char **data, size_t *len);
void hp_script_response(struct hp_script *s, int i, int status, const char *head,
                        size_t head_len, const char *body, size_t body_len);
int64_t hp_script_delay_ns(struct hp_script *s, int i);
/* thread:stop() was called on thread i, or its script failed. */
bool hp_script_stopped(const struct hp_script *s, int i);
/* Stop the threads' scripts still running past deadline_ns (hp_now_ns):
 * an earlier deadline wins; stop_request says it came from a stop (Ctrl-C),
 * for the message. Any thread. */
void hp_script_set_deadline(struct hp_script *s, int64_t deadline_ns, bool stop_request);
/* The first Lua error of the run, "file:line: message (in request())", or NULL. */
const char *hp_script_error(const struct hp_script *s);

struct hp_script_summary {
    int64_t duration_us, requests, bytes;
    int64_t errors_connect, errors_read, errors_write, errors_status, errors_timeout;
};
/* done(summary, latency, requests) in the main state, if defined: latency
 * from h (microseconds), requests from per-thread rates (requests/s). */
int hp_script_done(struct hp_script *s, const struct hp_script_summary *sum,
                   const struct hp_hist *latency, const double *rates, int n_rates,
                   struct hp_err *err);
bool hp_script_has_done(const struct hp_script *s);
void hp_script_free(struct hp_script *s); /* NULL is fine */

#endif
