/* SPDX-License-Identifier: MIT */
/* stat/hist_result.h - histograms in result documents: histograms.<name>
 * holds summary statistics (count, min, max, mean, stddev, percentiles) and
 * the histogram itself in HdrHistogram's V2 compressed base64 encoding, so
 * HdrHistogram's own tools decode it. Here rather than in core/result.h,
 * which knows JSON and nothing of histograms (core is below stat). */
#ifndef HP_STAT_HIST_RESULT_H
#define HP_STAT_HIST_RESULT_H

#include "core/err.h"
#include "core/result.h"
#include "stat/hist.h"

/* histograms.<name>: summary statistics plus the V2 encoding of h. 0 or
 * -ENOMEM. */
int hp_result_histogram(struct hp_result *r, const char *name, const char *unit,
                        const struct hp_hist *h);
/* Decode histograms.<name> into a new histogram (*out, hp_hist_free).
 * -ENOENT when absent; decoding errors with err filled. */
int hp_result_get_histogram(const struct hp_result *r, const char *name, struct hp_hist **out,
                            struct hp_err *err);

#endif
