/* SPDX-License-Identifier: MIT */
/* stat/stats.h - descriptive statistics on samples kept in memory (command
 * benchmarks, per-run figures): Welford's running mean and variance, exact
 * quantiles, median absolute deviation. Latencies of many requests go to
 * stat/hist.h instead. */
#ifndef HP_STAT_STATS_H
#define HP_STAT_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Welford's online algorithm (Welford 1962; Knuth TAOCP vol. 2, 4.2.2):
 * numerically stable where sum-of-squares is not. Merge with Chan et al.'s
 * pairwise update (1979). */
struct hp_welford {
    int64_t n;
    double mean;
    double m2; /* sum of squared deviations from the mean */
    double min, max;
};

void hp_welford_init(struct hp_welford *w);
void hp_welford_add(struct hp_welford *w, double x);
void hp_welford_merge(struct hp_welford *dst, const struct hp_welford *src);
double hp_welford_variance(const struct hp_welford *w); /* sample (n-1); 0 when n < 2 */
double hp_welford_stddev(const struct hp_welford *w);

/* Exact quantile q in [0, 1] of n sorted values, linear interpolation between
 * order statistics (Hyndman & Fan 1996, definition 7; R's and NumPy's
 * default). NaN when n == 0. */
double hp_quantile_sorted(const double *sorted, size_t n, double q);
/* Sorts v in place (ascending), then as hp_quantile_sorted. */
double hp_quantile(double *v, size_t n, double q);
/* Nearest rank (Hyndman & Fan definition 1): the 1-based rank of the
 * smallest of n values with at least p percent of them at or below it,
 * ceil(p / 100 * n) clamped to [1, n]. Computed so that p / 100 * n landing a
 * rounding error above a whole number (99 of 100) does not add a rank. 0 when
 * n == 0. */
int64_t hp_nearest_rank(double p, int64_t n);
/* Median absolute deviation, unscaled: median(|x - median(x)|). Sorts v in
 * place; scratch needs n doubles. Multiply by 1.4826 to estimate a normal
 * distribution's sigma. NaN when n == 0. */
double hp_mad(double *v, size_t n, double *scratch);

#define HP_MAD_NORMAL_SCALE 1.4826

#endif
