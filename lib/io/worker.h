/* SPDX-License-Identifier: MIT */
/* io/worker.h - the skeleton of an engine's worker thread, shared by the
 * load engine and the embedded server: a thread that takes no signals and
 * asks for exact timers, its poller, a wake-up descriptor another thread
 * uses to interrupt a wait, and a timer heap. What runs on it (accepting,
 * connecting, the protocol) is the engine's; the skeleton only waits.
 *
 * The wake-up descriptor is registered with the poller under
 * hp_worker_is_wake()'s pointer, so an engine tells its events from its
 * connections' without a lookup. */
#ifndef HP_IO_WORKER_H
#define HP_IO_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/timer_heap.h"
#include "io/poll.h"

struct hp_worker {
    struct hp_poller poller;
    struct hp_timer_heap timers; /* the engine's deadlines (delays, think times) */
    int wake_fd;                 /* an eventfd, -1 until init */
    pthread_t tid;
    bool started;
    bool slack_set; /* PR_SET_TIMERSLACK done on the worker's thread */
};

/* Before init: makes fini safe on a worker that was never set up. */
void hp_worker_clear(struct hp_worker *w);
/* Open the poller (max_events per wait), the wake-up descriptor and room
 * for n_timers timers. 0, or a negative code with err filled. */
int hp_worker_init(struct hp_worker *w, int max_events, int n_timers, struct hp_err *err);
/* Start fn(arg) on a new thread with every signal blocked (the caller's
 * thread takes them). Its waits ask for 1 ns of timer slack. 0 or -errno. */
int hp_worker_start(struct hp_worker *w, void *(*fn)(void *), void *arg);
/* Interrupt the worker's wait (from any thread). */
void hp_worker_wake(struct hp_worker *w);
/* Wait for the thread if it was started. */
void hp_worker_join(struct hp_worker *w);
void hp_worker_fini(struct hp_worker *w);

/* True for the wake-up descriptor's event. */
static inline bool hp_worker_is_wake(const struct hp_worker *w, const struct hp_poll_event *e)
{
    return e->data == &w->wake_fd;
}

/* Wait for events until due_ns or the first timer, whichever is earlier.
 * now_ns is the caller's clock reading. As hp_poller_wait. */
int hp_worker_wait(struct hp_worker *w, struct hp_poll_event *evs, int max, int64_t due_ns,
                   int64_t now_ns);

#endif
