/* SPDX-License-Identifier: MIT */
/* stat/hlog.h - HdrHistogram interval logs (.hlog, log format 1.3): one line
 * per interval, "StartTimestamp,Interval_Length,Interval_Max,Histogram",
 * optionally tagged, as jHiccup and wrk2 write them and HdrHistogram's
 * HistogramLogProcessor reads them. Lines are written as intervals end, to a
 * temporary file beside the target that becomes the log at hp_hlog_close():
 * a reader never sees half a log. */
#ifndef HP_STAT_HLOG_H
#define HP_STAT_HLOG_H

#include <stdint.h>

#include "core/err.h"
#include "stat/hist.h"

struct hp_hlog;

/* Create the temporary file and write the header; start_wall_ns is the
 * StartTime the interval timestamps are relative to. */
int hp_hlog_open(const char *path, int64_t start_wall_ns, struct hp_hlog **out,
                 struct hp_err *err);
/* One interval: start and length in seconds, h's values in ns; Interval_Max
 * is written in milliseconds (HdrHistogram's default unit ratio 1e6). tag
 * may be NULL. */
int hp_hlog_write(struct hp_hlog *l, const char *tag, double start_s, double length_s,
                  const struct hp_hist *h, struct hp_err *err);
/* Flush, fsync and rename into place; frees l (also on failure). */
int hp_hlog_close(struct hp_hlog *l, struct hp_err *err);
/* Remove the temporary file and free l. NULL is fine. */
void hp_hlog_abort(struct hp_hlog *l);

#endif
