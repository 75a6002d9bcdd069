/* SPDX-License-Identifier: MIT */
/* serve/planted.h - bottlenecks planted in `hotpath serve` on purpose, one
 * kind each, so that whatever diagnoses a server (hotpath diagnose) can be
 * tested against a known cause:
 *  - CPU: each request spends a drawn time computing in
 *    hp_serve_planted_cpu(), a function of its own, not inlined, so that a
 *    profile names it;
 *  - a lock: each request holds one process-wide mutex for a drawn time,
 *    sleeping (the others wait on it, off the CPU);
 *  - disk: every Nth request of a thread writes 4 KiB to a file and
 *    fdatasyncs it;
 *  - memory: each request allocates and touches N bytes that are kept
 *    until the server stops (freed then).
 * They run when a request's service starts (in its slot with --workers),
 * on the thread that serves it, before its route's delay. */
#ifndef HP_SERVE_PLANTED_H
#define HP_SERVE_PLANTED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "stat/dist.h"

struct hp_serve_planted {
    bool cpu_on, lock_on;
    struct hp_dist cpu, lock;
    int fsync_every;            /* 0: off */
    const char *fsync_path;     /* NULL: a nameless file in the temporary folder */
    int64_t leak_bytes;         /* 0: off */
};

/* What one thread's planted work did (summed into the truth file). */
struct hp_serve_planted_stats {
    int64_t cpu_ns;       /* computing in hp_serve_planted_cpu */
    int64_t lock_wait_ns; /* waiting for the lock */
    int64_t lock_held_ns; /* holding it */
    int64_t fsyncs;
    int64_t leaked_bytes;
};

/* One thread's state: its fsync file and what it leaked. */
struct hp_serve_planted_thread {
    int fd;            /* -1: none */
    int64_t count;     /* requests, for fsync_every */
    void *leaks;       /* a list through each block's first bytes */
    struct hp_serve_planted_stats st;
};

int hp_serve_planted_open(const struct hp_serve_planted *p, struct hp_serve_planted_thread *t,
                          struct hp_err *err);
void hp_serve_planted_close(struct hp_serve_planted_thread *t);
/* Is anything planted? (Inline: the per-request path asks before it calls.) */
static inline bool hp_serve_planted_any(const struct hp_serve_planted *p)
{
    return p->cpu_on || p->lock_on || p->fsync_every > 0 || p->leak_bytes > 0;
}
/* One request's planted work; rng draws the times. */
void hp_serve_planted_run(const struct hp_serve_planted *p, struct hp_serve_planted_thread *t,
                          gsl_rng *rng);
/* Compute for ns nanoseconds (the frame a profile should name). Returns a
 * value that depends on the work, so that it cannot be left out. */
uint64_t hp_serve_planted_cpu(int64_t ns);

#endif
