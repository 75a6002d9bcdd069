/* SPDX-License-Identifier: MIT */
/* io/poll_epoll.c - the epoll backend of io/poll.h.
 *
 * Deadlines in nanoseconds: epoll_pwait2 (Linux 5.11) takes a timespec.
 * Where it is missing (older kernels, some sandboxes) epoll_wait's
 * millisecond timeout would make every timer 0.5-1 ms late, so the deadline
 * goes to an absolute CLOCK_MONOTONIC timerfd in the same epoll set
 * instead: edge-triggered, its expiry wakes epoll_wait once and needs no
 * read, and re-arming (which resets the expiry count) is skipped when the
 * deadline has not changed, as for a loop that wakes for I/O before its
 * timer. HOTPATH_EVWAIT=timerfd forces the fallback so tests can run it on
 * kernels that have epoll_pwait2. */
#include "io/poll.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"

_Static_assert(HP_POLL_IN == EPOLLIN && HP_POLL_OUT == EPOLLOUT && HP_POLL_ERR == EPOLLERR &&
                   HP_POLL_HUP == EPOLLHUP && HP_POLL_RDHUP == EPOLLRDHUP &&
                   HP_POLL_ET == (uint32_t)EPOLLET,
               "HP_POLL_* are epoll's bits");

struct epoller {
    int epfd;
    int tfd;          /* the fallback timerfd, -1 until needed */
    int64_t armed_ns; /* its deadline, 0 when disarmed */
    bool use_timerfd; /* epoll_pwait2 said ENOSYS (or the test hook asked) */
    int cap;
    struct epoll_event evs[]; /* [cap] where the layouts differ, else none */
};

static int ep_ctl(struct epoller *e, int op, int fd, uint32_t events, void *data)
{
    struct epoll_event ev = {.events = events, .data.ptr = data};
    return epoll_ctl(e->epfd, op, fd, &ev) < 0 ? -errno : 0;
}

static int ep_add(void *impl, int fd, uint32_t events, void *data)
{
    return ep_ctl(impl, EPOLL_CTL_ADD, fd, events, data);
}

static int ep_mod(void *impl, int fd, uint32_t events, void *data)
{
    return ep_ctl(impl, EPOLL_CTL_MOD, fd, events, data);
}

static int ep_del(void *impl, int fd)
{
    return ep_ctl(impl, EPOLL_CTL_DEL, fd, 0, NULL);
}

static int timerfd_open(struct epoller *e)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0)
        return -1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.ptr = e};
    if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    e->tfd = fd;
    return 0;
}

/* Arm the timerfd at due_ns (0 disarms). */
static int timerfd_arm(struct epoller *e, int64_t due_ns)
{
    if (due_ns == e->armed_ns)
        return 0;
    struct itimerspec its = {.it_value = hp_ns_to_ts(due_ns)};
    if (timerfd_settime(e->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
        return -1;
    e->armed_ns = due_ns;
    return 0;
}

static int epoll_until(struct epoller *e, struct epoll_event *kev, int max, int64_t due_ns,
                       int64_t now_ns)
{
    if (!e->use_timerfd) {
        if (due_ns == HP_POLL_FOREVER)
            return epoll_wait(e->epfd, kev, max, -1);
        int64_t left = due_ns - now_ns;
        struct timespec ts = hp_ns_to_ts(left > 0 ? left : 0);
        int n = epoll_pwait2(e->epfd, kev, max, &ts, NULL);
        if (n >= 0 || errno != ENOSYS)
            return n;
        e->use_timerfd = true; /* kernels before 5.11 */
    }
    if (due_ns == HP_POLL_FOREVER) {
        if (e->tfd >= 0 && timerfd_arm(e, 0) < 0)
            return -1;
        return epoll_wait(e->epfd, kev, max, -1);
    }
    if (due_ns <= now_ns)
        return epoll_wait(e->epfd, kev, max, 0);
    if ((e->tfd < 0 && timerfd_open(e) < 0) || timerfd_arm(e, due_ns) < 0)
        return -1;
    return epoll_wait(e->epfd, kev, max, -1);
}

/* The caller's array is the kernel's when the layouts agree (x86-64):
 * nothing to copy. */
#define SAME_LAYOUT                                                                                \
    (sizeof(struct hp_poll_event) == sizeof(struct epoll_event) &&                                 \
     offsetof(struct hp_poll_event, data) == offsetof(struct epoll_event, data))

static int ep_wait(void *impl, struct hp_poll_event *evs, int max, int64_t due_ns,
                   int64_t now_ns)
{
    struct epoller *e = impl;
    struct epoll_event *kev = SAME_LAYOUT ? (struct epoll_event *)(void *)evs : e->evs;
    int n = epoll_until(e, kev, max < e->cap ? max : e->cap, due_ns, now_ns);
    if (n < 0)
        return -errno;
    if (SAME_LAYOUT && e->tfd < 0)
        return n;
    int k = 0;
    for (int i = 0; i < n; i++) {
        void *data = kev[i].data.ptr;
        uint32_t events = kev[i].events;
        if (data == e) {     /* the fallback's timer: callers see only theirs */
            e->armed_ns = 0; /* fired: a timerfd does not fire again */
            continue;
        }
        evs[k].events = events;
        evs[k].data = data;
        k++;
    }
    return k;
}

static void ep_close(void *impl)
{
    struct epoller *e = impl;
    if (!e)
        return;
    if (e->tfd >= 0)
        close(e->tfd);
    if (e->epfd >= 0)
        close(e->epfd);
    hp_free(e);
}

const struct hp_poller_ops hp_poll_epoll_ops = {
    .name = "epoll",
    .add = ep_add,
    .mod = ep_mod,
    .del = ep_del,
    .wait = ep_wait,
    .close = ep_close,
};

int hp_poll_epoll_open(int max_events, void **impl, struct hp_err *err)
{
    const char *force = getenv("HOTPATH_EVWAIT");
    if (max_events < 1)
        max_events = 1;
    size_t own = SAME_LAYOUT ? 0 : (size_t)max_events; /* else the caller's array serves */
    struct epoller *e = hp_calloc(1, sizeof *e + own * sizeof e->evs[0]);
    if (!e)
        return hp_err_set(err, -ENOMEM, "out of memory");
    e->tfd = -1;
    e->cap = max_events;
    e->use_timerfd = force != NULL && strcmp(force, "timerfd") == 0;
    e->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (e->epfd < 0) {
        int rc = -errno;
        hp_free(e);
        return hp_err_set(err, rc, "epoll: %s", strerror(-rc));
    }
    *impl = e;
    return 0;
}
