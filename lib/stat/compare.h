/* SPDX-License-Identifier: MIT */
/* stat/compare.h - are two samples different? The tests `hotpath compare`
 * and `bisect` decide with, none of which assumes a distribution:
 *  - Mann-Whitney U (Wilcoxon rank-sum), two-sided: exact, from the
 *    permutation distribution of the rank sum given the ties observed, up
 *    to HP_MW_EXACT_MAX values in all; above, the normal approximation with
 *    the tie correction and a continuity correction (as R's wilcox.test
 *    with exact = FALSE, correct = TRUE);
 *  - two-sample Kolmogorov-Smirnov, two-sided: exact (paths through the
 *    lattice, ties respected) while n1 * n2 <= HP_KS_EXACT_MAX, the
 *    Kolmogorov distribution of sqrt(n1 n2 / (n1 + n2)) D above (SciPy's
 *    ks_2samp with method='asymp' does the same); it sees changes of shape that
 *    leave the median alone, such as a new slow mode;
 *  - the Hodges-Lehmann shift (the median of all differences new - old)
 *    with its distribution-free confidence interval from the same order
 *    statistics (Bauer 1972).
 * Samples are plain arrays; nothing here keeps state. */
#ifndef HP_STAT_COMPARE_H
#define HP_STAT_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HP_MW_EXACT_MAX 60
#define HP_KS_EXACT_MAX 10000 /* n1 * n2 */

struct hp_mw {
    double u; /* U of the first sample: pairs (a, b) with a > b, ties half */
    double p; /* two-sided */
    bool exact;
    bool ties;
};

/* a (n1 values) against b (n2); both >= 1. Returns 0, or -ENOMEM. */
int hp_mann_whitney(const double *a, size_t n1, const double *b, size_t n2, struct hp_mw *out);

/* The smallest two-sided p-value Mann-Whitney can give for n1 and n2 values
 * (all of one sample above the other, no ties): 2 / C(n1 + n2, n1). When it
 * is above alpha, no difference can ever be significant (benchstat's "need
 * >= 4 samples" at alpha 0.05 with 4 and 4 or more). */
double hp_mw_min_p(size_t n1, size_t n2);

struct hp_ks {
    double d; /* the largest distance between the two empirical CDFs */
    double p;
    bool exact;
};
int hp_ks2(const double *a, size_t n1, const double *b, size_t n2, struct hp_ks *out);

/* The Kolmogorov distribution's upper tail, P(K > x) (the asymptotic
 * one-sample and two-sample tests' p-value after scaling). */
double hp_kolmogorov_q(double x);

/* The exceedance test (Epstein 1954; Mathisen 1943): the old sample's
 * q-quantile X_(k) (k = ceil(q n1), at least 1) and M, the new values above
 * it. Under one distribution for both, P(M = m) = C(k-1+n2-m, n2-m)
 * C(n1-k+m, m) / C(n1+n2, n1), whatever the distribution; up: P(M >= m),
 * the chance of a tail at least this heavy, else P(M <= m). It sees what
 * Mann-Whitney and Kolmogorov-Smirnov need thousands of runs for: when 5%
 * of 200 runs are three times slower, the 10 new runs above the old 99th
 * percentile have p = 0.018. -ENOMEM or 0 with *p set. */
int hp_exceedance_p(const double *old, size_t n1, const double *new, size_t n2, double q, bool up,
                    double *p);

struct hp_shift {
    double estimate; /* median of b_j - a_i */
    double lo, hi;   /* the confidence interval at `level` (or the widest) */
    double coverage;
};
/* Hodges-Lehmann shift b - a and its CI (exact ranks from the U
 * distribution without ties up to HP_MW_EXACT_MAX values, normal above).
 * n1 * n2 differences are made: up to 4M; beyond, a and b are thinned to
 * evenly spaced order statistics first. 0, or -ENOMEM. */
int hp_hodges_lehmann(const double *a, size_t n1, const double *b, size_t n2, double level,
                      struct hp_shift *out);

#endif
