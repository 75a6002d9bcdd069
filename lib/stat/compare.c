// SPDX-License-Identifier: MIT
/* stat/compare.c - see compare.h. */
#include "stat/compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "stat/stats.h"

struct tagged {
    double v;
    int from; /* 0: a, 1: b */
};

static int by_value(const void *x, const void *y)
{
    double a = ((const struct tagged *)x)->v, b = ((const struct tagged *)y)->v;
    return (a > b) - (a < b);
}

static struct tagged *pool(const double *a, size_t n1, const double *b, size_t n2)
{
    struct tagged *t = hp_malloc((n1 + n2) * sizeof *t);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n1; i++)
        t[i] = (struct tagged){a[i], 0};
    for (size_t j = 0; j < n2; j++)
        t[n1 + j] = (struct tagged){b[j], 1};
    qsort(t, n1 + n2, sizeof *t, by_value);
    return t;
}

/* log C(n, k) */
static double log_choose(double n, double k)
{
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

double hp_mw_min_p(size_t n1, size_t n2)
{
    double p = 2.0 * exp(-log_choose((double)(n1 + n2), (double)n1));
    return p > 1.0 ? 1.0 : p;
}

/* The distribution of the sum of n1 of the N doubled ranks r2 (integers):
 * out[s] = P(sum = s), s in [0, maxsum]. */
static double *rank_sum_dist(const int *r2, size_t N, size_t n1, int maxsum)
{
    size_t width = (size_t)maxsum + 1;
    double *c = hp_calloc((n1 + 1) * width, sizeof *c);
    if (!c)
        return NULL;
    c[0] = 1.0;
    /* N <= 60 keeps the counts below C(60, 30) = 1.2e17: doubles hold
     * them to 16 digits */
    for (size_t k = 0; k < N; k++) {
        size_t top = k + 1 < n1 ? k + 1 : n1;
        for (size_t j = top; j >= 1; j--) {
            double *dst = c + j * width, *src = c + (j - 1) * width;
            for (int s = maxsum - r2[k]; s >= 0; s--)
                if (src[s] != 0.0)
                    dst[s + r2[k]] += src[s];
        }
    }
    double *out = hp_malloc(width * sizeof *out);
    if (out) {
        double sum = 0; /* C(N, n1), without lgamma's rounding */
        for (size_t s = 0; s < width; s++)
            sum += c[n1 * width + s];
        for (size_t s = 0; s < width; s++)
            out[s] = c[n1 * width + s] / sum;
    }
    hp_free(c);
    return out;
}

int hp_mann_whitney(const double *a, size_t n1, const double *b, size_t n2, struct hp_mw *out)
{
    memset(out, 0, sizeof *out);
    size_t N = n1 + n2;
    struct tagged *t = pool(a, n1, b, n2);
    int *r2 = hp_malloc(N * sizeof *r2);
    if (!t || !r2) {
        hp_free(t);
        hp_free(r2);
        return -ENOMEM;
    }
    /* doubled midranks: a block of equal values at ranks i+1..k gets i+1+k */
    double ties_term = 0, w2 = 0;
    for (size_t i = 0; i < N;) {
        size_t k = i;
        while (k < N && t[k].v == t[i].v)
            k++;
        double len = (double)(k - i);
        if (k - i > 1) {
            out->ties = true;
            ties_term += len * len * len - len;
        }
        for (size_t m = i; m < k; m++) {
            r2[m] = (int)(i + 1 + k);
            if (t[m].from == 0)
                w2 += r2[m];
        }
        i = k;
    }
    out->u = w2 / 2.0 - (double)n1 * (double)(n1 + 1) / 2.0;
    double mean2 = (double)n1 * (double)(N + 1); /* E[doubled rank sum] */
    if (N <= HP_MW_EXACT_MAX) {
        int maxsum = (int)(N * (N + 1));
        double *d = rank_sum_dist(r2, N, n1, maxsum);
        if (!d) {
            hp_free(t);
            hp_free(r2);
            return -ENOMEM;
        }
        double dev = fabs(w2 - mean2), p = 0;
        for (int s = 0; s <= maxsum; s++)
            if (fabs((double)s - mean2) >= dev - 1e-9)
                p += d[s];
        hp_free(d);
        out->p = p > 1.0 ? 1.0 : p;
        out->exact = true;
    } else {
        double nn1 = (double)n1, nn2 = (double)n2, nN = (double)N;
        double mu = nn1 * nn2 / 2.0;
        double var = nn1 * nn2 / 12.0 * ((nN + 1) - ties_term / (nN * (nN - 1)));
        if (var <= 0) {
            out->p = 1.0;
        } else {
            double z = fabs(out->u - mu) - 0.5;
            z = z < 0 ? 0 : z / sqrt(var);
            out->p = erfc(z / M_SQRT2);
        }
    }
    hp_free(t);
    hp_free(r2);
    return 0;
}

double hp_kolmogorov_q(double x)
{
    if (x < 0.2)
        return 1.0;
    double s = 0, sign = 1;
    for (int k = 1; k <= 100; k++) {
        double term = exp(-2.0 * k * k * x * x);
        s += sign * term;
        sign = -sign;
        if (term < 1e-17)
            break;
    }
    double q = 2.0 * s;
    return q < 0 ? 0 : q > 1 ? 1 : q;
}

int hp_ks2(const double *a, size_t n1, const double *b, size_t n2, struct hp_ks *out)
{
    memset(out, 0, sizeof *out);
    size_t N = n1 + n2;
    struct tagged *t = pool(a, n1, b, n2);
    if (!t)
        return -ENOMEM;
    /* block ends: where the pooled value changes (ties move together) */
    unsigned char *end = hp_calloc(N + 1, 1);
    if (!end) {
        hp_free(t);
        return -ENOMEM;
    }
    double d = 0;
    size_t i = 0, j = 0;
    for (size_t k = 0; k < N; k++) {
        if (t[k].from == 0)
            i++;
        else
            j++;
        if (k + 1 == N || t[k + 1].v != t[k].v) {
            end[k + 1] = 1;
            double gap = fabs((double)i / (double)n1 - (double)j / (double)n2);
            d = gap > d ? gap : d;
        }
    }
    out->d = d;
    hp_free(t);
    if ((double)n1 * (double)n2 <= HP_KS_EXACT_MAX) {
        /* P(every block end stays within d) by paths through the lattice,
         * as probabilities: P(i, j) = i/(i+j) P(i-1, j) + j/(i+j) P(i, j-1) */
        double *row = hp_calloc(n2 + 1, sizeof *row);
        if (!row) {
            hp_free(end);
            return -ENOMEM;
        }
        double eps = 1e-9;
        for (size_t ii = 0; ii <= n1; ii++) {
            for (size_t jj = 0; jj <= n2; jj++) {
                double v;
                if (ii == 0 && jj == 0)
                    v = 1.0;
                else
                    v = (ii > 0 ? (double)ii / (double)(ii + jj) * row[jj] : 0) +
                        (jj > 0 ? (double)jj / (double)(ii + jj) * row[jj - 1] : 0);
                if (end[ii + jj] &&
                    fabs((double)ii / (double)n1 - (double)jj / (double)n2) >= d - eps)
                    v = 0; /* as far apart as observed, or farther */
                row[jj] = v;
            }
        }
        double inside = row[n2];
        hp_free(row);
        out->p = 1.0 - inside;
        out->p = out->p < 0 ? 0 : out->p > 1 ? 1 : out->p;
        out->exact = true;
    } else {
        double ne = (double)n1 * (double)n2 / (double)N;
        out->p = hp_kolmogorov_q(sqrt(ne) * d);
    }
    hp_free(end);
    return 0;
}

/* At most `keep` evenly spaced order statistics of v (sorted copy). */
static double *thin(const double *v, size_t n, size_t keep, size_t *out_n)
{
    double *s = hp_malloc(n * sizeof *s);
    if (!s)
        return NULL;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, hp_cmp_double);
    if (n <= keep) {
        *out_n = n;
        return s;
    }
    for (size_t k = 0; k < keep; k++)
        s[k] = s[(size_t)((double)k * (double)(n - 1) / (double)(keep - 1) + 0.5)];
    *out_n = keep;
    return s;
}

int hp_hodges_lehmann(const double *a, size_t n1, const double *b, size_t n2, double level,
                      struct hp_shift *out)
{
    memset(out, 0, sizeof *out);
    size_t m1, m2;
    double *x = thin(a, n1, 2000, &m1), *y = thin(b, n2, 2000, &m2);
    double *d = x && y ? hp_malloc(m1 * m2 * sizeof *d) : NULL;
    if (!d) {
        hp_free(x);
        hp_free(y);
        return -ENOMEM;
    }
    size_t nd = 0;
    for (size_t i = 0; i < m1; i++)
        for (size_t j = 0; j < m2; j++)
            d[nd++] = y[j] - x[i];
    qsort(d, nd, sizeof *d, hp_cmp_double);
    out->estimate = nd % 2 ? d[nd / 2] : (d[nd / 2 - 1] + d[nd / 2]) / 2.0;
    /* qu: the smallest u with P(U <= u) >= alpha/2; the interval is the
     * qu-th smallest and largest difference (R's wilcox.test conf.int) */
    double alpha = 1.0 - level;
    size_t N = m1 + m2, qu;
    double below = 0; /* P(U <= qu - 1) */
    if (N <= HP_MW_EXACT_MAX) {
        int *r2 = hp_malloc(N * sizeof *r2);
        double *dist = NULL;
        if (r2) {
            for (size_t k = 0; k < N; k++)
                r2[k] = (int)(2 * (k + 1));
            dist = rank_sum_dist(r2, N, m1, (int)(N * (N + 1)));
        }
        hp_free(r2);
        if (!dist) {
            hp_free(x);
            hp_free(y);
            hp_free(d);
            return -ENOMEM;
        }
        /* U = (doubled sum)/2 - m1(m1+1)/2 */
        int base = (int)(m1 * (m1 + 1));
        double cdf = 0;
        qu = 0;
        for (size_t u = 0; u <= m1 * m2; u++) {
            double pu = dist[base + 2 * (int)u];
            if (cdf + pu >= alpha / 2) {
                qu = u;
                break;
            }
            cdf += pu;
        }
        below = cdf;
        hp_free(dist);
    } else {
        double z = 1.959963984540054; /* level 0.95; others by the normal quantile */
        if (fabs(level - 0.95) > 1e-12) {
            /* a few Newton steps on erfc for the two-sided quantile */
            z = 2.0;
            for (int k = 0; k < 50; k++) {
                double f = erfc(z / M_SQRT2) - alpha;
                double df = -sqrt(2.0 / M_PI) * exp(-z * z / 2);
                z -= f / df;
            }
        }
        double mu = (double)m1 * (double)m2 / 2.0;
        double sd = sqrt((double)m1 * (double)m2 * (double)(N + 1) / 12.0);
        double q = floor(mu - z * sd);
        qu = q < 0 ? 0 : (size_t)q;
        below = 0.5 * erfc((mu - ((double)qu - 0.5)) / sd / M_SQRT2);
    }
    if (qu == 0)
        qu = 1;
    if (qu > nd)
        qu = nd;
    out->lo = d[qu - 1];
    out->hi = d[nd - qu];
    out->coverage = 1.0 - 2.0 * below;
    hp_free(x);
    hp_free(y);
    hp_free(d);
    return 0;
}

int hp_exceedance_p(const double *old, size_t n1, const double *new, size_t n2, double q, bool up,
                    double *p)
{
    double *v = hp_malloc((n1 ? n1 : 1) * sizeof *v);
    if (!v)
        return -ENOMEM;
    memcpy(v, old, n1 * sizeof *v);
    qsort(v, n1, sizeof *v, hp_cmp_double);
    size_t k = (size_t)ceil(q * (double)n1 - 1e-9);
    k = k < 1 ? 1 : k > n1 ? n1 : k;
    double x = v[k - 1];
    hp_free(v);
    size_t m = 0;
    for (size_t j = 0; j < n2; j++)
        m += new[j] > x;
    double N = (double)(n1 + n2), total = log_choose(N, (double)n1), sum = 0;
    for (size_t i = 0; i <= n2; i++) {
        if (up ? i < m : i > m)
            continue;
        double l = log_choose((double)(k - 1 + n2 - i), (double)(n2 - i)) +
                   log_choose((double)(n1 - k + i), (double)i) - total;
        sum += exp(l);
    }
    *p = sum > 1.0 ? 1.0 : sum;
    return 0;
}
