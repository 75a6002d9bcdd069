/* SPDX-License-Identifier: MIT */
/* io/evwait.h - epoll waits with a nanosecond timeout. epoll_pwait2 (Linux
 * 5.11) takes a timespec; where it is missing (older kernels, some sandboxes)
 * epoll_wait's millisecond timeout would make every timer 0.5-1 ms late, so
 * the deadline goes to a timerfd in the same epoll set instead. Not a
 * general event loop: one per worker, used by its thread only. */
#ifndef HP_IO_EVWAIT_H
#define HP_IO_EVWAIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct hp_evwait {
    int tfd;          /* the fallback timerfd, -1 until needed */
    int64_t armed_ns; /* its CLOCK_MONOTONIC deadline, 0 when disarmed */
    bool use_timerfd; /* epoll_pwait2 said ENOSYS (or the test hook asked) */
};

/* Ready for hp_evwait_fini at once; opens nothing. The environment variable
 * HOTPATH_EVWAIT=timerfd forces the fallback so tests can run it on kernels
 * that have epoll_pwait2. */
void hp_evwait_init(struct hp_evwait *ew);
void hp_evwait_fini(struct hp_evwait *ew); /* closes the timerfd */

#define HP_EVWAIT_FOREVER INT64_MAX

/* Like epoll_wait on epfd, always the same one for one ew, until the CLOCK_MONOTONIC deadline
 * due_ns at the latest (HP_EVWAIT_FOREVER: no limit; a deadline already past polls). Returns the
 * number of events in evs (the fallback's own timer event is never among
 * them; 0 means the deadline came), or -1 with errno. now_ns is the caller's
 * reading of CLOCK_MONOTONIC: an event loop has one already, and the clock
 * is not read again here. */
int hp_evwait_until(struct hp_evwait *ew, int epfd, struct epoll_event *evs, int max,
                    int64_t due_ns, int64_t now_ns);

#endif
