/* SPDX-License-Identifier: MIT */
/* io/poll.c - choosing a poller backend (see poll.h). */
#include "io/poll.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const struct hp_poller_ops *ops;
    int (*open)(int max_events, void **impl, struct hp_err *err);
} backends[] = {
    {&hp_poll_epoll_ops, hp_poll_epoll_open},
};

int hp_poller_open(struct hp_poller *p, int max_events, struct hp_err *err)
{
    const char *want = getenv("HOTPATH_POLLER");
    p->ops = NULL;
    p->impl = NULL;
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        if (want && *want && strcmp(want, backends[i].ops->name) != 0)
            continue;
        int rc = backends[i].open(max_events, &p->impl, err);
        if (rc == 0)
            p->ops = backends[i].ops;
        return rc;
    }
    return hp_err_set(err, HP_EUSAGE, "HOTPATH_POLLER=%s: no such poller (epoll)", want);
}

void hp_poller_close(struct hp_poller *p)
{
    if (p->ops)
        p->ops->close(p->impl);
    p->ops = NULL;
    p->impl = NULL;
}

const char *hp_poller_name(const struct hp_poller *p)
{
    return p->ops ? p->ops->name : "none";
}
