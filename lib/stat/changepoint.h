/* SPDX-License-Identifier: MIT */
/* stat/changepoint.h - where a series of results changed level: E-divisive
 * means in sliding windows, then a merge of the weak points, as Apache
 * Otava (formerly Hunter, Fleming et al. 2023, doi:10.1145/3578244.3583719)
 * does it, so that the same data and parameters give the same change points.
 *
 *  1. Split: windows of `window` points, half a window apart (a window
 *     starts again at the last point found in it when that is further on).
 *     In each, E-divisive (Matteson and James 2014) picks the split that
 *     maximises Q-hat, the energy distance between the two sides scaled by
 *     their sizes, over every interval between the points found so far, and
 *     keeps it while Student's t-test between its two sides gives
 *     p <= 10 max_p (2 max_p when max_p >= 0.05; max_p when >= 0.5); the
 *     union over the windows are the weak change points.
 *  2. Merge: each weak point is tested between its neighbours over the
 *     whole series; while one has p >= max_p, or when all pass, the one of
 *     least magnitude is at most min_magnitude, that point is removed and
 *     its two neighbours are tested again.
 *
 * The test is Otava's, deterministic (no permutations): Student's pooled t
 * between the two segments, with each segment's standard deviation taken
 * over n (not n - 1) as Otava passes it. One difference from Otava: after a
 * removal Otava tests again the point after the removed one and the point
 * after that, leaving the one before with its old right-hand segment; here
 * both neighbours are tested again, so every reported p-value is the one of
 * the segments printed (otava_merge keeps Otava's way, to reproduce its
 * output point for point). A segment of equal values on both sides of a point
 * (t = 0/0) has p = 1. */
#ifndef HP_STAT_CHANGEPOINT_H
#define HP_STAT_CHANGEPOINT_H

#include <stdbool.h>
#include <stddef.h>

#define HP_CP_WINDOW_MAX 4096 /* a window's pair sums hold window^2 doubles */

struct hp_cp_opts {
    size_t window;        /* >= 2; Otava's default 50 */
    double max_p;         /* (0, 1]; Otava's default 0.001 */
    double min_magnitude; /* >= 0, a share (0.05 = 5%); Otava's default 0 */
    bool otava_merge;     /* retest after a removal as Otava does (see above) */
};

struct hp_cp {
    size_t index;     /* the first point of the new level */
    size_t from, to;  /* the segments compared: [from, index) and [index, to) */
    double qhat;      /* E-divisive's statistic where the point was found */
    double mean_before, mean_after;
    double sd_before, sd_after; /* over n, as Otava */
    double p;                   /* two-sided */
    double change;              /* mean_after / mean_before - 1 (0 when mean_before is 0) */
    double magnitude;           /* the larger of |change| and |mean_before / mean_after - 1| */
};

/* The change points of x[0..n), oldest first, in *out (hp_free; NULL when
 * none) and *nout; with weak non-NULL, the weak points of the split step
 * too, tested against their weak neighbours. Returns 0, -EINVAL for options
 * out of range, or -ENOMEM. NaN values are not allowed (-EINVAL). */
int hp_changepoints(const double *x, size_t n, const struct hp_cp_opts *o, struct hp_cp **out,
                    size_t *nout, struct hp_cp **weak, size_t *nweak);

/* Otava's test between a = x[from, at) and b = x[at, to), filling the
 * statistics of *cp (not qhat). */
void hp_cp_test(const double *x, size_t from, size_t at, size_t to, struct hp_cp *cp);

#endif
