// SPDX-License-Identifier: MIT
/* core/clock.c - wall-clock helpers; the monotonic clock is inline in clock.h. */
#include "core/clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

int hp_parse_time(const char *s, double *t_out, struct hp_err *err)
{
    char *end;
    double v = strtod(s, &end);
    if (end != s && *end == '\0' && isfinite(v)) { /* seconds since the epoch */
        *t_out = v;
        return 0;
    }
    int y, mo, d, hh = 0, mi = 0, n = 0;
    double sec = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        goto bad;
    const char *p = s + 10;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d:%lf%n", &hh, &mi, &sec, &m) != 3)
            goto bad;
        p += 1 + m;
    }
    double off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om, m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5)
            goto bad;
        off = (*p == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
        p += 1 + m;
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || sec < 0 || sec >= 61)
        goto bad;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = hh,
                    .tm_min = mi,
                    .tm_sec = 0};
    *t_out = (double)timegm(&tm) + sec - off;
    return 0;
bad:
    return hp_err_set(err, HP_EPARSE,
                      "'%s': a time is RFC 3339 (2026-12-07T10:00:00Z) or seconds since the "
                      "epoch",
                      s);
}
