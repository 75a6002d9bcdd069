/* SPDX-License-Identifier: MIT */
/* guard/detect.h - change points in a metric's history and what they mean
 * for a CI job: which way is worse, whether the newest points start a
 * regression, and the result document (kind "history") that `report`
 * draws. The statistics are stat/changepoint.h's. */
#ifndef HP_GUARD_DETECT_H
#define HP_GUARD_DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/result.h"
#include "guard/history.h"
#include "stat/changepoint.h"

enum hp_better { HP_BETTER_AUTO, HP_BETTER_LOWER, HP_BETTER_HIGHER };

struct hp_detect_opts {
    struct hp_cp_opts cp;
    enum hp_better better; /* AUTO: higher for rates (a unit ending in "/s"), lower else */
    size_t new_points;     /* the newest this many points are "new" (>= 1) */
};

struct hp_detect {
    const struct hp_history_point *pts;
    size_t n;
    struct hp_cp *cps; /* hp_free */
    size_t ncp;
    bool higher_better;
    /* the last change point lies in the newest new_points points and its
     * new level is worse: the newest points start a regression */
    bool new_regression;
};

/* Detect over pts[0..n) (kept borrowed in d). 0, -EINVAL (bad options,
 * with err saying which), -ENOMEM. */
int hp_detect(const struct hp_history_point *pts, size_t n, const struct hp_detect_opts *o,
              struct hp_detect *d, struct hp_err *err);
void hp_detect_fini(struct hp_detect *d);

/* Is change point i a regression (its new level worse)? */
bool hp_detect_worse(const struct hp_detect *d, size_t i);

/* The result document: config (metric, where, the options), metrics
 * (points, change_points, regressions, newest_mean, newest_change),
 * series.<metric> over the point index, `runs` and `change_points`
 * arrays (docs/result-format.md). */
int hp_detect_doc(const struct hp_detect *d, const struct hp_detect_opts *o, const char *db,
                  const char *metric, const struct hp_tag *where, int nwhere,
                  struct hp_result **out);

#endif
