/* SPDX-License-Identifier: MIT */
/* io/worker.c - see worker.h. */
#include "io/worker.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/alloc.h"

void hp_worker_clear(struct hp_worker *w)
{
    memset(w, 0, sizeof *w);
    w->wake_fd = -1;
    hp_timer_heap_init(&w->timers);
}

int hp_worker_init(struct hp_worker *w, int max_events, int n_timers, struct hp_err *err)
{
    int rc = hp_poller_open(&w->poller, max_events, err);
    if (rc < 0)
        return rc;
    if (hp_timer_heap_reserve(&w->timers, n_timers > 0 ? n_timers : 1) < 0)
        return hp_err_set(err, -ENOMEM, "out of memory");
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->wake_fd < 0)
        return hp_err_set(err, -errno, "eventfd: %s", strerror(errno));
    rc = hp_poller_add(&w->poller, w->wake_fd, HP_POLL_IN, &w->wake_fd);
    if (rc < 0)
        return hp_err_set(err, rc, "%s: %s", hp_poller_name(&w->poller), strerror(-rc));
    return 0;
}

int hp_worker_start(struct hp_worker *w, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old); /* inherited by the new thread */
    int rc = pthread_create(&w->tid, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -rc;
    w->started = true;
    return 0;
}

void hp_worker_wake(struct hp_worker *w)
{
    uint64_t one = 1;
    if (w->wake_fd >= 0 && write(w->wake_fd, &one, sizeof one) < 0) {
        /* An eventfd write fails only when the count is full: it is awake. */
    }
}

void hp_worker_join(struct hp_worker *w)
{
    if (w->started)
        pthread_join(w->tid, NULL);
    w->started = false;
}

void hp_worker_fini(struct hp_worker *w)
{
    hp_timer_heap_fini(&w->timers);
    hp_poller_close(&w->poller);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
    w->wake_fd = -1;
}

int hp_worker_wait(struct hp_worker *w, struct hp_poll_event *evs, int max, int64_t due_ns,
                   int64_t now_ns)
{
    /* Delays and think times are nanosecond timers: no 50 us of slack. Set
     * here, on the worker's own thread, the first time it waits. */
    if (!w->slack_set) {
        prctl(PR_SET_TIMERSLACK, 1UL);
        w->slack_set = true;
    }
    struct hp_timer *t = hp_timer_heap_peek(&w->timers);
    if (t && t->due_ns < due_ns)
        due_ns = t->due_ns;
    return hp_poller_wait(&w->poller, evs, max, due_ns, now_ns);
}
