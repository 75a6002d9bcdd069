/* SPDX-License-Identifier: MIT */
/* stat/stats.h - descriptive statistics on samples kept in memory (command
 * benchmarks, per-run figures): Welford's running mean and variance, exact
 * quantiles, median absolute deviation. Latencies of many requests go to
 * stat/hist.h instead. */
#ifndef HP_STAT_STATS_H
#define HP_STAT_STATS_H

#include <stdbool.h>
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
/* qsort's comparison of doubles, ascending. */
int hp_cmp_double(const void *a, const void *b);
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

/* The distribution-free confidence interval of the median of n sorted values
 * (order statistics and the binomial distribution with p = 1/2; Conover,
 * Practical Nonparametric Statistics, 3.2): the widest symmetric pair of
 * 1-based ranks lo, hi = n + 1 - lo whose coverage P(lo <= B < hi), B ~
 * Bin(n, 1/2), is at least `level`. No assumption about the distribution's
 * shape. With too few values for the level (n < 6 at 95%), lo = 1, hi = n
 * and *coverage says what the range does cover. */
struct hp_median_ci {
    double lo, hi;      /* the values at the two ranks; NaN when n == 0 */
    int64_t lo_rank, hi_rank;
    double coverage;    /* the interval's exact coverage */
    bool reached;       /* coverage >= level */
};
void hp_median_ci_sorted(const double *sorted, size_t n, double level, struct hp_median_ci *out);

/* hyperfine's outlier rule: modified z-score (x - median) / MAD, with MAD
 * unscaled (machine epsilon when 0); a value is an outlier beyond 10 normal
 * sigmas, |z| > 1.4826 * 10. Writes n scores; scratch needs 2n doubles. */
#define HP_OUTLIER_Z (HP_MAD_NORMAL_SCALE * 10.0)
void hp_modified_z(const double *v, size_t n, double *z, double *scratch);

#endif
