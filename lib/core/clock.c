// SPDX-License-Identifier: MIT
/* core/clock.c - wall-clock helpers; the monotonic clock is inline in clock.h. */
#include "core/clock.h"

#include <stdio.h>

int64_t hp_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return hp_ts_to_ns(&ts);
}

void hp_format_rfc3339(int64_t wall_ns, char *buf, size_t size)
{
    time_t secs = (time_t)(wall_ns / HP_NS_PER_S);
    int ms = (int)((wall_ns % HP_NS_PER_S) / HP_NS_PER_MS);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}
