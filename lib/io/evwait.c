/* SPDX-License-Identifier: MIT */
/* io/evwait.c - see evwait.h. The fallback arms an absolute CLOCK_MONOTONIC
 * deadline on an edge-triggered timerfd: the expiry wakes epoll_wait once and
 * needs no read, and re-arming (which resets the expiry count) is skipped when
 * the deadline has not changed, as for a loop that wakes for I/O before its
 * timer. */
#include "io/evwait.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/clock.h"

void hp_evwait_init(struct hp_evwait *ew)
{
    const char *force = getenv("HOTPATH_EVWAIT");
    ew->tfd = -1;
    ew->armed_ns = 0;
    ew->use_timerfd = force != NULL && strcmp(force, "timerfd") == 0;
}

void hp_evwait_fini(struct hp_evwait *ew)
{
    if (ew->tfd >= 0)
        close(ew->tfd);
    ew->tfd = -1;
}

static int timerfd_open(struct hp_evwait *ew, int epfd)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0)
        return -1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.ptr = ew};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    ew->tfd = fd;
    return 0;
}

/* Arm the timerfd at due_ns (0 disarms). */
static int timerfd_arm(struct hp_evwait *ew, int64_t due_ns)
{
    if (due_ns == ew->armed_ns)
        return 0;
    struct itimerspec its = {.it_value = hp_ns_to_ts(due_ns)};
    if (timerfd_settime(ew->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
        return -1;
    ew->armed_ns = due_ns;
    return 0;
}

/* Drop the timer's own event: callers see only theirs. */
static int drop_timer_event(struct hp_evwait *ew, struct epoll_event *evs, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (evs[i].data.ptr == ew) {
            ew->armed_ns = 0; /* fired: a timerfd does not fire again */
            continue;
        }
        evs[k++] = evs[i];
    }
    return k;
}

static int wait_timerfd(struct hp_evwait *ew, int epfd, struct epoll_event *evs, int max,
                        int64_t due_ns, int64_t now_ns)
{
    int n;
    if (due_ns == HP_EVWAIT_FOREVER) {
        if (ew->tfd >= 0 && timerfd_arm(ew, 0) < 0)
            return -1;
        n = epoll_wait(epfd, evs, max, -1);
    } else if (due_ns <= now_ns) {
        n = epoll_wait(epfd, evs, max, 0);
    } else {
        if (ew->tfd < 0 && timerfd_open(ew, epfd) < 0)
            return -1;
        if (timerfd_arm(ew, due_ns) < 0)
            return -1;
        n = epoll_wait(epfd, evs, max, -1);
    }
    return n <= 0 ? n : drop_timer_event(ew, evs, n);
}

int hp_evwait_until(struct hp_evwait *ew, int epfd, struct epoll_event *evs, int max,
                    int64_t due_ns, int64_t now_ns)
{
    if (!ew->use_timerfd) {
        if (due_ns == HP_EVWAIT_FOREVER)
            return epoll_wait(epfd, evs, max, -1);
        int64_t left = due_ns - now_ns;
        struct timespec ts = hp_ns_to_ts(left > 0 ? left : 0);
        int n = epoll_pwait2(epfd, evs, max, &ts, NULL);
        if (n >= 0 || errno != ENOSYS)
            return n;
        ew->use_timerfd = true; /* kernels before 5.11 */
    }
    return wait_timerfd(ew, epfd, evs, max, due_ns, now_ns);
}
