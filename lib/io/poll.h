/* SPDX-License-Identifier: MIT */
/* io/poll.h - the poller seam: readiness of many descriptors and a
 * nanosecond deadline, behind a small table of functions (redis's `ae`
 * keeps its backends behind seven). One poller per worker thread, used by
 * that thread only.
 *
 * Backends: epoll (io/poll_epoll.c). A new one (io_uring's poll, say) is a
 * new file that fills struct hp_poller_ops and a name in hp_poller_open:
 * nothing above this header changes. Event bits have epoll's values, so the
 * epoll backend passes them through untouched; HP_POLL_ET asks for
 * edge-triggered reports where the backend has them (a backend without
 * them reports level-triggered, which the engines tolerate: they read
 * until EAGAIN either way). */
#ifndef HP_IO_POLL_H
#define HP_IO_POLL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define HP_POLL_IN 0x001u
#define HP_POLL_OUT 0x004u
#define HP_POLL_ERR 0x008u
#define HP_POLL_HUP 0x010u
#define HP_POLL_RDHUP 0x2000u
#define HP_POLL_ET (1u << 31)

#define HP_POLL_FOREVER INT64_MAX

/* Laid out as the kernel's struct epoll_event where that is packed
 * (x86-64), so the epoll backend waits straight into the caller's array. */
#if defined(__x86_64__)
#define HP_POLL_EVENT_PACKED __attribute__((packed))
#else
#define HP_POLL_EVENT_PACKED
#endif
struct hp_poll_event {
    uint32_t events; /* HP_POLL_* */
    void *data;      /* what add() was given for the descriptor */
} HP_POLL_EVENT_PACKED;

struct hp_poller_ops {
    const char *name;
    /* Watch fd for events (HP_POLL_*), reporting data with them. 0 or -errno. */
    int (*add)(void *impl, int fd, uint32_t events, void *data);
    int (*mod)(void *impl, int fd, uint32_t events, void *data);
    int (*del)(void *impl, int fd);
    /* Wait for events until the CLOCK_MONOTONIC deadline due_ns at the
     * latest (HP_POLL_FOREVER: no limit; a deadline already past polls).
     * now_ns is the caller's own reading of the clock (an event loop has
     * one; it is not read again). Returns how many events are in evs (0:
     * the deadline came), or -errno (-EINTR included). */
    int (*wait)(void *impl, struct hp_poll_event *evs, int max, int64_t due_ns, int64_t now_ns);
    void (*close)(void *impl);
};

struct hp_poller {
    const struct hp_poller_ops *ops;
    void *impl; /* the backend's state */
};

/* Open a poller that reports up to max_events events per wait. The
 * backend is epoll; HOTPATH_POLLER=NAME picks another by name (tests run
 * each backend that way). 0, or a negative code with err filled. A poller
 * that failed to open, or a zeroed one, can be closed. */
int hp_poller_open(struct hp_poller *p, int max_events, struct hp_err *err);
void hp_poller_close(struct hp_poller *p);
/* The backend's name ("epoll"). */
const char *hp_poller_name(const struct hp_poller *p);

static inline int hp_poller_add(struct hp_poller *p, int fd, uint32_t events, void *data)
{
    return p->ops->add(p->impl, fd, events, data);
}

static inline int hp_poller_mod(struct hp_poller *p, int fd, uint32_t events, void *data)
{
    return p->ops->mod(p->impl, fd, events, data);
}

static inline int hp_poller_del(struct hp_poller *p, int fd)
{
    return p->ops->del(p->impl, fd);
}

static inline int hp_poller_wait(struct hp_poller *p, struct hp_poll_event *evs, int max,
                                 int64_t due_ns, int64_t now_ns)
{
    return p->ops->wait(p->impl, evs, max, due_ns, now_ns);
}

/* Backends, for hp_poller_open. */
int hp_poll_epoll_open(int max_events, void **impl, struct hp_err *err);
extern const struct hp_poller_ops hp_poll_epoll_ops;

#endif
