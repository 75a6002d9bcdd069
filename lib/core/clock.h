/* SPDX-License-Identifier: MIT */
/* core/clock.h - time sources. Measurement uses CLOCK_MONOTONIC in int64_t
 * nanoseconds; the wall clock is only for timestamps in documents. */
#ifndef HP_CORE_CLOCK_H
#define HP_CORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/err.h"

#define HP_NS_PER_US INT64_C(1000)
#define HP_NS_PER_MS INT64_C(1000000)
#define HP_NS_PER_S INT64_C(1000000000)

static inline int64_t hp_ts_to_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * HP_NS_PER_S + ts->tv_nsec;
}

static inline struct timespec hp_ns_to_ts(int64_t ns)
{
    struct timespec ts = {.tv_sec = ns / HP_NS_PER_S, .tv_nsec = ns % HP_NS_PER_S};
    return ts;
}

/* CLOCK_MONOTONIC now, in ns. */
static inline int64_t hp_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return hp_ts_to_ns(&ts);
}

/* CLOCK_REALTIME now, in ns since the Unix epoch: timestamps only. */
int64_t hp_wall_ns(void);

/* RFC 3339 UTC with milliseconds ("2026-11-24T10:52:23.123Z") into buf
 * (at least 32 bytes). */
void hp_format_rfc3339(int64_t wall_ns, char *buf, size_t size);

/* A time as RFC 3339 (2026-12-07T10:00:00Z, 2026-12-07T11:00:00.250+01:00,
 * a date alone) or seconds since the epoch, into seconds since the epoch.
 * 0, or HP_EPARSE with err. */
int hp_parse_time(const char *s, double *t_out, struct hp_err *err);

#endif
