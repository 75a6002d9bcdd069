// SPDX-License-Identifier: MIT
/* tests/unit/test_compare.c - the tests compare decides with, against
 * exact enumeration (every way to split the pooled values into two groups
 * of the sizes given, ties included) and against SciPy 1.10 (Debian's
 * python3-scipy; the calls are beside each figure). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stat/compare.h"
#include "stat/stats.h"
#include "testutil.h"

/* ---- brute force: every subset of n1 of the N pooled values ------------ */

struct enum_ctx {
    const double *v; /* pooled */
    size_t N, n1;
    int pick[64];
    double (*stat)(struct enum_ctx *);
    double observed;
    double as_extreme, total;
    /* for U's distribution */
    double *u_count;
};

static void subsets(struct enum_ctx *c, size_t from, size_t taken)
{
    if (taken == c->n1) {
        double s = c->stat(c);
        c->total += 1;
        if (s >= c->observed - 1e-9)
            c->as_extreme += 1;
        return;
    }
    for (size_t k = from; k + (c->n1 - taken) <= c->N; k++) {
        c->pick[taken] = (int)k;
        subsets(c, k + 1, taken + 1);
    }
}

/* |rank sum - its mean|, with midranks */
static double rank_dev(struct enum_ctx *c)
{
    double w = 0;
    for (size_t i = 0; i < c->n1; i++) {
        double x = c->v[c->pick[i]], below = 0, same = 0;
        for (size_t k = 0; k < c->N; k++) {
            below += c->v[k] < x;
            same += c->v[k] == x;
        }
        w += below + (same + 1) / 2.0;
    }
    return fabs(w - (double)c->n1 * (double)(c->N + 1) / 2.0);
}

/* KS distance of the chosen group against the rest */
static double ks_dist(struct enum_ctx *c)
{
    size_t n2 = c->N - c->n1;
    double d = 0;
    for (size_t k = 0; k < c->N; k++) {
        double x = c->v[k], fa = 0, fb = 0;
        for (size_t m = 0; m < c->N; m++) {
            bool in = false;
            for (size_t i = 0; i < c->n1; i++)
                in |= c->pick[i] == (int)m;
            if (c->v[m] <= x) {
                if (in)
                    fa += 1;
                else
                    fb += 1;
            }
        }
        double g = fabs(fa / (double)c->n1 - fb / (double)n2);
        d = g > d ? g : d;
    }
    return d;
}

static double brute_p(const double *a, size_t n1, const double *b, size_t n2,
                      double (*stat)(struct enum_ctx *))
{
    double v[64];
    memcpy(v, a, n1 * sizeof *a);
    memcpy(v + n1, b, n2 * sizeof *b);
    struct enum_ctx c = {.v = v, .N = n1 + n2, .n1 = n1, .stat = stat};
    for (size_t i = 0; i < n1; i++)
        c.pick[i] = (int)i;
    c.observed = stat(&c);
    subsets(&c, 0, 0);
    return c.as_extreme / c.total;
}

static void mann_whitney_exact_is_the_enumeration(void **state)
{
    (void)state;
    /* ties within and across the groups, uneven sizes, identical groups */
    const double a1[] = {1, 2, 2, 3, 5, 5, 5}, b1[] = {2, 4, 5, 6, 6, 7, 8, 9};
    const double a2[] = {10, 10, 10}, b2[] = {10, 10, 11, 12, 9};
    const double a3[] = {3.1, 2.7, 3.3, 2.9}, b3[] = {3.0, 2.8, 3.2, 3.4};
    const double a4[] = {1, 1, 1, 1}, b4[] = {1, 1, 1};
    struct {
        const double *a, *b;
        size_t n1, n2;
    } cases[] = {{a1, b1, 7, 8}, {a2, b2, 3, 5}, {a3, b3, 4, 4}, {a4, b4, 4, 3}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct hp_mw r;
        assert_int_equal(hp_mann_whitney(cases[k].a, cases[k].n1, cases[k].b, cases[k].n2, &r), 0);
        assert_true(r.exact);
        double want = brute_p(cases[k].a, cases[k].n1, cases[k].b, cases[k].n2, rank_dev);
        assert_close(r.p, want, 1e-9, 1e-12);
    }
    /* scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='exact')
     * -> statistic 10.0, pvalue 0.011106540518305223 */
    const double a[] = {0.12, 0.55, 0.31, 0.98, 0.77, 0.43, 0.05, 0.64};
    const double b[] = {0.82, 0.91, 0.35, 1.20, 0.99, 1.05, 0.71, 0.88, 1.11};
    struct hp_mw r;
    assert_int_equal(hp_mann_whitney(a, 8, b, 9, &r), 0);
    assert_close(r.u, 10.0, 0, 0);
    assert_close(r.p, 0.011106540518305223, 1e-9, 0);
    assert_false(r.ties);
}

static void mann_whitney_normal_matches_scipy(void **state)
{
    (void)state;
    /* x = [i % 17 for i in range(40)], y = [(i * 7) % 19 + 0.5 for i in
     * range(45)]; scipy.stats.mannwhitneyu(x, y, use_continuity=True,
     * alternative='two-sided', method='asymptotic') -> 703.0,
     * 0.08350165790962387 (ties: the tie correction matters) */
    double x[40], y[45];
    for (int i = 0; i < 40; i++)
        x[i] = i % 17;
    for (int i = 0; i < 45; i++)
        y[i] = (i * 7) % 19 + 0.5;
    struct hp_mw r;
    assert_int_equal(hp_mann_whitney(x, 40, y, 45, &r), 0);
    assert_false(r.exact);
    assert_true(r.ties);
    assert_close(r.u, 703.0, 0, 0);
    assert_close(r.p, 0.08350165790962387, 1e-9, 0);
    /* x = [(i * 37 % 101) / 10 for i in range(150)], y = [((j * 53 % 97) + 9)
     * / 10 for j in range(120)] -> 7888.5, 0.08139809488495278 */
    double *u = malloc(150 * sizeof *u), *w = malloc(120 * sizeof *w);
    for (int i = 0; i < 150; i++)
        u[i] = (i * 37 % 101) / 10.0;
    for (int j = 0; j < 120; j++)
        w[j] = ((j * 53 % 97) + 9) / 10.0;
    assert_int_equal(hp_mann_whitney(u, 150, w, 120, &r), 0);
    assert_close(r.u, 7888.5, 0, 0);
    assert_close(r.p, 0.08139809488495278, 1e-9, 0);
    /* the KS test of the same: D 0.08666..., and the Kolmogorov tail at
     * sqrt(150 * 120 / 270) D: scipy.stats.kstwobign.sf -> 0.6984981615004086
     * (scipy's own ks_2samp 'asymp' uses kstwo.sf(D, 67): 0.663) */
    struct hp_ks k;
    assert_int_equal(hp_ks2(u, 150, w, 120, &k), 0);
    assert_false(k.exact);
    assert_close(k.d, 0.08666666666666667, 1e-12, 0);
    assert_close(k.p, 0.6984981615004086, 1e-9, 0);
    free(u);
    free(w);
}

static void ks_exact_is_the_enumeration(void **state)
{
    (void)state;
    /* scipy.stats.ks_2samp(a, b, method='exact') -> 0.6527777777777778,
     * 0.03356643356643357 */
    const double a[] = {0.12, 0.55, 0.31, 0.98, 0.77, 0.43, 0.05, 0.64};
    const double b[] = {0.82, 0.91, 0.35, 1.20, 0.99, 1.05, 0.71, 0.88, 1.11};
    struct hp_ks k;
    assert_int_equal(hp_ks2(a, 8, b, 9, &k), 0);
    assert_true(k.exact);
    assert_close(k.d, 0.6527777777777778, 1e-12, 0);
    assert_close(k.p, 0.03356643356643357, 1e-9, 0);
    /* with ties, against every split */
    const double a1[] = {1, 2, 2, 3, 5, 5}, b1[] = {2, 5, 5, 6, 6, 7, 8};
    assert_int_equal(hp_ks2(a1, 6, b1, 7, &k), 0);
    assert_close(k.p, brute_p(a1, 6, b1, 7, ks_dist), 1e-9, 1e-12);
    /* the same median, a new slow mode: 3 of 12 runs at three times */
    const double old[] = {10, 10.2, 9.9, 10.1, 10.3, 9.8, 10.0, 10.2, 9.9, 10.1, 10.0, 10.05};
    const double nw[] = {10, 10.1, 9.9, 30.2, 10.2, 9.8, 29.8, 10.1, 30.1, 9.95, 10.0, 9.85};
    assert_int_equal(hp_ks2(old, 12, nw, 12, &k), 0);
    assert_close(k.d, 0.25, 1e-12, 0);
}

static void kolmogorov_tail_matches_scipy(void **state)
{
    (void)state;
    /* scipy.stats.kstwobign.sf(x) */
    assert_close(hp_kolmogorov_q(0.5), 0.9639452436648751, 1e-9, 0);
    assert_close(hp_kolmogorov_q(1.0), 0.26999967167735456, 1e-9, 0);
    assert_close(hp_kolmogorov_q(1.36), 0.049485876755377876, 1e-9, 0);
    assert_close(hp_kolmogorov_q(2.0), 0.0006709252557796953, 1e-9, 0);
}

/* U's null distribution without ties, by enumeration: P(U <= u) */
static double u_cdf(size_t n1, size_t n2, double u)
{
    double v[64];
    for (size_t k = 0; k < n1 + n2; k++)
        v[k] = (double)k;
    struct enum_ctx c = {.v = v, .N = n1 + n2, .n1 = n1};
    /* count subsets with U <= u: U = rank sum - n1(n1+1)/2 */
    size_t idx[16];
    double below = 0, total = 0;
    for (size_t i = 0; i < n1; i++)
        idx[i] = i;
    for (;;) {
        double w = 0;
        for (size_t i = 0; i < n1; i++)
            w += (double)idx[i] + 1;
        total += 1;
        below += w - (double)n1 * (double)(n1 + 1) / 2 <= u + 1e-9;
        int i = (int)n1 - 1;
        while (i >= 0 && idx[i] == c.N - n1 + (size_t)i)
            i--;
        if (i < 0)
            break;
        idx[i]++;
        for (size_t j = (size_t)i + 1; j < n1; j++)
            idx[j] = idx[j - 1] + 1;
    }
    return below / total;
}

static int cmp_d(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void hodges_lehmann_is_its_definition(void **state)
{
    (void)state;
    const double a[] = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
    const double b[] = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
    struct hp_shift s;
    assert_int_equal(hp_hodges_lehmann(a, 9, b, 9, 0.95, &s), 0);
    double d[81];
    int n = 0;
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 9; j++)
            d[n++] = b[j] - a[i];
    qsort(d, 81, sizeof *d, cmp_d);
    assert_close(s.estimate, d[40], 0, 1e-12);
    /* qu: the smallest u with P(U <= u) >= 0.025 */
    int qu = 0;
    while (u_cdf(9, 9, qu) < 0.025)
        qu++;
    assert_close(s.lo, d[qu - 1], 0, 1e-12);
    assert_close(s.hi, d[81 - qu], 0, 1e-12);
    assert_close(s.coverage, 1 - 2 * u_cdf(9, 9, qu - 1), 1e-9, 0);
    assert_true(s.coverage >= 0.95);
}

static void too_few_runs_can_never_be_significant(void **state)
{
    (void)state;
    assert_close(hp_mw_min_p(3, 3), 0.1, 1e-12, 0);      /* 2 / C(6, 3) */
    assert_close(hp_mw_min_p(4, 4), 2.0 / 70, 1e-12, 0); /* benchstat's 4 */
    assert_close(hp_mw_min_p(1, 1), 1.0, 0, 0);
    const double a[] = {1, 2, 3}, b[] = {4, 5, 6};
    struct hp_mw r;
    assert_int_equal(hp_mann_whitney(a, 3, b, 3, &r), 0);
    assert_close(r.p, hp_mw_min_p(3, 3), 1e-12, 0); /* as far apart as can be */
}

static void exceedance_is_its_distribution(void **state)
{
    (void)state;
    /* old: 1..8; its 0.75 quantile is the 6th value, 6; new: 5 of 6 above
     * it. By enumeration of every way to place 6 new among 8 old (all
     * C(14, 6) equally likely), P(M >= 5) where M = new above the 6th old. */
    const double old[] = {1, 2, 3, 4, 5, 6, 7, 8};
    const double nw[] = {6.5, 7.5, 9, 10, 11, 0.5};
    double p;
    assert_int_equal(hp_exceedance_p(old, 8, nw, 6, 0.75, true, &p), 0);
    /* enumerate: positions of the 6 new among 14 slots */
    double hits = 0, total = 0;
    for (int mask = 0; mask < (1 << 14); mask++) {
        if (__builtin_popcount((unsigned)mask) != 6)
            continue;
        int olds = 0, above = 0;
        for (int i = 0; i < 14; i++) {
            if (mask & (1 << i))
                above += olds >= 6; /* past the 6th old value */
            else
                olds++;
        }
        total += 1;
        hits += above >= 5;
    }
    assert_close(p, hits / total, 1e-12, 0);
    /* 200 and 200 with 10 new above the old 99th percentile (k = 198):
     * Python's math.comb, sum over m >= 10 of C(197 + 200 - m, 200 - m)
     * C(2 + m, m) / C(400, 200) = 0.017889954934102476 */
    double a[200], b[200];
    for (int i = 0; i < 200; i++) {
        a[i] = i;
        b[i] = i < 10 ? 1000 + i : -1 - i;
    }
    assert_int_equal(hp_exceedance_p(a, 200, b, 200, 0.99, true, &p), 0);
    assert_close(p, 0.017889954934102476, 1e-9, 0);
    assert_int_equal(hp_exceedance_p(a, 200, b, 200, 0.99, false, &p), 0);
    assert_true(p > 1 - 0.0179); /* not lighter: 1 - P(M >= 11) */
}

static void benchstat_documentation_example(void **state)
{
    (void)state;
    /* tests/data/benchstat_doc_example.csv: the worked example of Go's
     * benchstat documentation (golang.org/x/perf cmd/benchstat, checked by its
     * doc_test.go), with the exact tie-aware p-values and the intervals */
    const double jo[] = {1726, 1723, 1707, 1707, 1713, 1729, 1736, 1707, 1705, 1774};
    const double jn[] = {1423, 1416, 1411, 1413, 1412, 1426, 1422, 1424, 1447, 1425};
    const double go[] = {3069, 3075, 3069, 3067, 3207, 3064, 3064, 3058, 3059, 3062};
    const double gn[] = {3075, 3065, 3059, 3065, 3060, 3081, 3186, 3135, 3087, 3062};
    struct hp_mw r;
    assert_int_equal(hp_mann_whitney(jo, 10, jn, 10, &r), 0);
    assert_true(r.exact && r.ties);
    assert_close(r.p, 1.082508822446903e-05, 1e-9, 0);
    assert_int_equal(hp_mann_whitney(go, 10, gn, 10, &r), 0);
    assert_close(r.p, 0.4461018857303687, 1e-9, 0);
    /* the intervals: x(2)..x(9), 1707..1736 and 1412..1426 */
    double v[10];
    memcpy(v, jo, sizeof v);
    qsort(v, 10, sizeof *v, cmp_d);
    struct hp_median_ci ci;
    hp_median_ci_sorted(v, 10, 0.95, &ci);
    assert_close(ci.lo, 1707, 0, 0);
    assert_close(ci.hi, 1736, 0, 0);
    assert_close(hp_quantile_sorted(v, 10, 0.5), 1718, 0, 0);
    memcpy(v, jn, sizeof v);
    qsort(v, 10, sizeof *v, cmp_d);
    hp_median_ci_sorted(v, 10, 0.95, &ci);
    assert_close(ci.lo, 1412, 0, 0);
    assert_close(ci.hi, 1426, 0, 0);
    assert_close(hp_quantile_sorted(v, 10, 0.5), 1422.5, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mann_whitney_exact_is_the_enumeration),
        cmocka_unit_test(mann_whitney_normal_matches_scipy),
        cmocka_unit_test(ks_exact_is_the_enumeration),
        cmocka_unit_test(kolmogorov_tail_matches_scipy),
        cmocka_unit_test(hodges_lehmann_is_its_definition),
        cmocka_unit_test(too_few_runs_can_never_be_significant),
        cmocka_unit_test(exceedance_is_its_distribution),
        cmocka_unit_test(benchstat_documentation_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
