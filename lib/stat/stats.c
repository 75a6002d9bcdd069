// SPDX-License-Identifier: MIT
/* stat/stats.c - Welford, quantiles, MAD. */
#include "stat/stats.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void hp_welford_init(struct hp_welford *w)
{
    w->n = 0;
    w->mean = 0.0;
    w->m2 = 0.0;
    w->min = INFINITY;
    w->max = -INFINITY;
}

void hp_welford_add(struct hp_welford *w, double x)
{
    w->n++;
    double delta = x - w->mean;
    w->mean += delta / (double)w->n;
    w->m2 += delta * (x - w->mean);
    if (x < w->min)
        w->min = x;
    if (x > w->max)
        w->max = x;
}

void hp_welford_merge(struct hp_welford *dst, const struct hp_welford *src)
{
    if (src->n == 0)
        return;
    if (dst->n == 0) {
        *dst = *src;
        return;
    }
    double n = (double)(dst->n + src->n);
    double delta = src->mean - dst->mean;
    dst->m2 += src->m2 + delta * delta * (double)dst->n * (double)src->n / n;
    dst->mean += delta * (double)src->n / n;
    dst->n += src->n;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

double hp_welford_variance(const struct hp_welford *w)
{
    return w->n < 2 ? 0.0 : w->m2 / (double)(w->n - 1);
}

double hp_welford_stddev(const struct hp_welford *w)
{
    return sqrt(hp_welford_variance(w));
}

double hp_quantile_sorted(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    if (q <= 0.0)
        return sorted[0];
    if (q >= 1.0)
        return sorted[n - 1];
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    double frac = h - (double)lo;
    if (lo + 1 >= n)
        return sorted[n - 1];
    return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int64_t hp_nearest_rank(double p, int64_t n)
{
    if (n <= 0)
        return 0;
    if (!(p > 0.0))
        return 1;
    if (p >= 100.0)
        return n;
    double exact = p * (double)n / 100.0;
    int64_t k = (int64_t)exact;
    /* a fraction below one part in 1e9 of a rank is rounding, not a rank */
    if (exact - (double)k > 1e-9 * (exact > 1.0 ? exact : 1.0))
        k++;
    return k < 1 ? 1 : k > n ? n : k;
}

int hp_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hp_quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, hp_cmp_double);
    return hp_quantile_sorted(v, n, q);
}

double hp_mad(double *v, size_t n, double *scratch)
{
    if (n == 0)
        return NAN;
    double med = hp_quantile(v, n, 0.5);
    for (size_t i = 0; i < n; i++)
        scratch[i] = fabs(v[i] - med);
    return hp_quantile(scratch, n, 0.5);
}

/* log P(B = i), B ~ Bin(n, 1/2) */
static double log_binom_half(int64_t n, int64_t i)
{
    return lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) -
           (double)n * M_LN2;
}

void hp_median_ci_sorted(const double *sorted, size_t n, double level, struct hp_median_ci *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0) {
        out->lo = out->hi = NAN;
        return;
    }
    int64_t nn = (int64_t)n;
    /* tail(l) = P(B < l) = P(B > n - l): the interval of ranks [l, n + 1 - l]
     * misses the median with probability 2 tail(l). Narrow it while the
     * coverage stays at or above the level. */
    int64_t l = 1;
    double tail = exp(log_binom_half(nn, 0));
    while (l + 1 <= nn + 1 - (l + 1)) {
        double next = tail + exp(log_binom_half(nn, l));
        if (1.0 - 2.0 * next < level * (1.0 - 1e-12))
            break;
        tail = next;
        l++;
    }
    out->lo_rank = l;
    out->hi_rank = nn + 1 - l;
    out->coverage = nn == 1 ? 0.0 : 1.0 - 2.0 * tail;
    out->reached = out->coverage >= level * (1.0 - 1e-12);
    out->lo = sorted[out->lo_rank - 1];
    out->hi = sorted[out->hi_rank - 1];
}

void hp_modified_z(const double *v, size_t n, double *z, double *scratch)
{
    if (n == 0)
        return;
    double *a = scratch, *b = scratch + n;
    memcpy(a, v, n * sizeof *v);
    double med = hp_quantile(a, n, 0.5);
    double mad = hp_mad(a, n, b);
    if (!(mad > 0.0))
        mad = DBL_EPSILON;
    for (size_t i = 0; i < n; i++)
        z[i] = (v[i] - med) / mad;
}
