// SPDX-License-Identifier: MIT
/* Unit tests for stat/stats.c. Expected quantiles are R's quantile(type = 7)
 * and mad(constant = 1) on the same vectors. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>

#include "stat/stats.h"
#include "testutil.h"

static void welford_matches_two_pass_on_offset_data(void **state)
{
    (void)state;
    /* Large offset, small spread: where the naive sum-of-squares fails. */
    enum { N = 100000 };
    double *x = malloc(N * sizeof *x);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct hp_welford w;
    hp_welford_init(&w);
    for (int i = 0; i < N; i++) {
        x[i] = 1e9 + gsl_ran_gaussian(rng, 3.0);
        hp_welford_add(&w, x[i]);
    }
    assert_int_equal(w.n, N);
    assert_close(w.mean, gsl_stats_mean(x, 1, N), 1e-13, 0);
    /* Reference: two passes in long double. */
    long double mean = 0, ss = 0;
    for (int i = 0; i < N; i++)
        mean += x[i];
    mean /= N;
    for (int i = 0; i < N; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    assert_close(hp_welford_variance(&w), (double)(ss / (N - 1)), 1e-7, 0);
    /* The naive sum of squares loses every digit here; Welford keeps them. */
    double sum = 0, sumsq = 0;
    for (int i = 0; i < N; i++) {
        sum += x[i];
        sumsq += x[i] * x[i];
    }
    double naive = (sumsq - sum * sum / N) / (N - 1);
    assert_true(fabs(naive - (double)(ss / (N - 1))) > 1e-3 * (double)(ss / (N - 1)));
    assert_close(w.min, gsl_stats_min(x, 1, N), 0, 0);
    assert_close(w.max, gsl_stats_max(x, 1, N), 0, 0);
    free(x);
    gsl_rng_free(rng);
}

static void welford_merge_equals_one_pass(void **state)
{
    (void)state;
    struct hp_welford all, a, b;
    hp_welford_init(&all);
    hp_welford_init(&a);
    hp_welford_init(&b);
    for (int i = 0; i < 1000; i++) {
        double v = (i * 7919) % 1000 / 10.0;
        hp_welford_add(&all, v);
        hp_welford_add(i < 300 ? &a : &b, v);
    }
    hp_welford_merge(&a, &b);
    assert_int_equal(a.n, all.n);
    assert_close(a.mean, all.mean, 1e-12, 0);
    assert_close(hp_welford_variance(&a), hp_welford_variance(&all), 1e-10, 0);
    struct hp_welford empty;
    hp_welford_init(&empty);
    hp_welford_merge(&empty, &all);
    assert_close(empty.mean, all.mean, 0, 0);
    assert_close(hp_welford_variance(&empty), hp_welford_variance(&all), 0, 0);
}

static void welford_of_one_has_zero_variance(void **state)
{
    (void)state;
    struct hp_welford w;
    hp_welford_init(&w);
    assert_close(hp_welford_variance(&w), 0, 0, 0);
    hp_welford_add(&w, 5);
    assert_close(hp_welford_variance(&w), 0, 0, 0);
    assert_close(w.mean, 5, 0, 0);
}

static void quantiles_match_r_type7(void **state)
{
    (void)state;
    /* R: quantile(1:10, c(0, .1, .25, .5, .9, .99, 1)) */
    double v[10];
    for (int i = 0; i < 10; i++)
        v[i] = 10 - i; /* unsorted on purpose */
    static const double q[] = {0, 0.1, 0.25, 0.5, 0.9, 0.99, 1};
    static const double want[] = {1, 1.9, 3.25, 5.5, 9.1, 9.91, 10};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        assert_close(hp_quantile(v, 10, q[i]), want[i], 1e-12, 1e-12);
    /* R: quantile(c(2.5, 1, 7, 3.5), .3) = 2.35 */
    double w[] = {2.5, 1, 7, 3.5};
    assert_close(hp_quantile(w, 4, 0.3), 2.35, 1e-12, 0);
    assert_true(isnan(hp_quantile(w, 0, 0.5)));
    double one[] = {42};
    assert_close(hp_quantile(one, 1, 0.9), 42, 0, 0);
}

/* Nearest rank is ceil(p n / 100), counted here in whole hundredths of a
 * percent, for every n to 2000 and the percentiles reports use. */
static void nearest_rank_rounds_up_and_never_past_a_whole_rank(void **state)
{
    (void)state;
    static const int hundredths[] = {1, 1000, 5000, 9000, 9500, 9900, 9990, 9999, 3333, 6667};
    for (int64_t n = 1; n <= 2000; n++) {
        for (size_t i = 0; i < sizeof hundredths / sizeof *hundredths; i++) {
            int64_t num = hundredths[i] * n, want = (num + 9999) / 10000;
            if (want < 1)
                want = 1;
            assert_int_equal(hp_nearest_rank(hundredths[i] / 100.0, n), want);
        }
    }
    assert_int_equal(hp_nearest_rank(99, 100), 99); /* 0.99 * 100 is 99.00000000000001 */
    assert_int_equal(hp_nearest_rank(95, 27), 26);  /* 25.65 up, not 26 by rounding */
    assert_int_equal(hp_nearest_rank(50, 27), 14);
    assert_int_equal(hp_nearest_rank(0, 27), 1);
    assert_int_equal(hp_nearest_rank(100, 27), 27);
    assert_int_equal(hp_nearest_rank(150, 27), 27);
    assert_int_equal(hp_nearest_rank(50, 0), 0);
}

static void mad_matches_r(void **state)
{
    (void)state;
    /* R: mad(c(1, 2, 3, 4, 100), constant = 1) = 1;
     *    mad(c(1.5, 3, 9, 10, 20, 21), constant = 1) = 7.25 */
    double a[] = {1, 2, 3, 4, 100}, b[] = {1.5, 3, 9, 10, 20, 21}, s[6];
    assert_close(hp_mad(a, 5, s), 1.0, 0, 1e-12);
    assert_close(hp_mad(b, 6, s), 7.25, 0, 1e-12);
    /* Normal data: 1.4826 * MAD estimates sigma. */
    enum { N = 200000 };
    double *x = malloc(N * sizeof *x), *scratch = malloc(N * sizeof *x);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < N; i++)
        x[i] = gsl_ran_gaussian(rng, 2.0);
    assert_close(HP_MAD_NORMAL_SCALE * hp_mad(x, N, scratch), 2.0, 0.01, 0);
    free(x);
    free(scratch);
    gsl_rng_free(rng);
}

static void median_ci_matches_the_binomial_table(void **state)
{
    (void)state;
    /* The 95% ranks for the median (Conover's table A3; by hand from
     * Bin(n, 1/2)): n = 6 -> (1, 6), covering 1 - 2/64; n = 10 -> (2, 9),
     * 1 - 2 * 11/1024; n = 20 -> (6, 15), 1 - 2 * 21700/2^20. */
    double v[20];
    for (int i = 0; i < 20; i++)
        v[i] = 10.0 * (i + 1);
    struct hp_median_ci ci;
    hp_median_ci_sorted(v, 6, 0.95, &ci);
    assert_int_equal(ci.lo_rank, 1);
    assert_int_equal(ci.hi_rank, 6);
    assert_close(ci.coverage, 1.0 - 2.0 / 64, 0, 1e-12);
    assert_true(ci.reached);
    hp_median_ci_sorted(v, 10, 0.95, &ci);
    assert_int_equal(ci.lo_rank, 2);
    assert_int_equal(ci.hi_rank, 9);
    assert_close(ci.lo, 20.0, 0, 0);
    assert_close(ci.hi, 90.0, 0, 0);
    assert_close(ci.coverage, 1.0 - 22.0 / 1024, 0, 1e-12);
    hp_median_ci_sorted(v, 20, 0.95, &ci);
    assert_int_equal(ci.lo_rank, 6);
    assert_int_equal(ci.hi_rank, 15);
    assert_close(ci.coverage, 1.0 - 2.0 * 21700 / 1048576, 0, 1e-12);
    /* Five values cannot reach 95%: the whole range, and what it covers. */
    hp_median_ci_sorted(v, 5, 0.95, &ci);
    assert_false(ci.reached);
    assert_int_equal(ci.lo_rank, 1);
    assert_int_equal(ci.hi_rank, 5);
    assert_close(ci.coverage, 1.0 - 2.0 / 32, 0, 1e-12);
    /* Large n: the normal approximation's ranks, n/2 -+ 1.96 sqrt(n)/2. */
    enum { N = 10000 };
    double *x = malloc(N * sizeof *x);
    for (int i = 0; i < N; i++)
        x[i] = i;
    hp_median_ci_sorted(x, N, 0.95, &ci);
    assert_true(labs((long)ci.lo_rank - (long)(N / 2 - 98)) <= 2);
    assert_int_equal(ci.hi_rank, N + 1 - ci.lo_rank);
    assert_close(ci.coverage, 0.95, 0.003, 0);
    free(x);
}

static void modified_z_is_hyperfines(void **state)
{
    (void)state;
    /* median 3, MAD 1: 100 is 97 MADs out, an outlier past 14.826. */
    double a[] = {1, 2, 3, 4, 100}, z[5], scratch[10];
    hp_modified_z(a, 5, z, scratch);
    assert_close(z[0], -2.0, 0, 1e-12);
    assert_close(z[4], 97.0, 0, 1e-12);
    assert_true(z[4] > HP_OUTLIER_Z && fabs(z[3]) < HP_OUTLIER_Z);
    /* hyperfine's own cases: two far values are not outliers of each other */
    double b[] = {1000.0, 0.0};
    hp_modified_z(b, 2, z, scratch);
    assert_true(fabs(z[0]) < HP_OUTLIER_Z && fabs(z[1]) < HP_OUTLIER_Z);
    assert_close(a[4], 100.0, 0, 0); /* the input is left as it was */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(welford_matches_two_pass_on_offset_data),
        cmocka_unit_test(welford_merge_equals_one_pass),
        cmocka_unit_test(welford_of_one_has_zero_variance),
        cmocka_unit_test(quantiles_match_r_type7),
        cmocka_unit_test(nearest_rank_rounds_up_and_never_past_a_whole_rank),
        cmocka_unit_test(mad_matches_r),
        cmocka_unit_test(median_ci_matches_the_binomial_table),
        cmocka_unit_test(modified_z_is_hyperfines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
