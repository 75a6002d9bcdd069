// SPDX-License-Identifier: MIT
/* Unit tests for model/usl.c and core/csv.c, against the public data sets in
 * ../shared/reference (copied to tests/data/). */
#include <float.h>
#include <string.h>

#include "core/csv.h"
#include "model/usl.h"
#include "testutil.h"

static const char *data_dir;

static struct hp_usl fit_file(const char *name)
{
    char path[512];
    struct hp_csv csv;
    struct hp_err err;
    struct hp_usl u;
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    if (hp_csv_load(path, 2, &csv, &err) != 0)
        fail_msg("%s", err.msg);
    double n[4096], x[4096];
    assert_true(csv.rows <= 4096);
    for (size_t i = 0; i < csv.rows; i++) {
        n[i] = csv.values[2 * i];
        x[i] = csv.values[2 * i + 1];
    }
    if (hp_usl_fit(n, x, csv.rows, &u, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
    hp_csv_fini(&csv);
    return u;
}

static void usl_fits_the_cisco_set_as_the_book(void **state)
{
    (void)state;
    /* B. Schwartz, Practical Scalability Analysis with the USL: sigma =
     * 0.02671591, kappa = 7.690945e-4, lambda = 995.6486. */
    struct hp_usl u = fit_file("usl_cisco.csv");
    assert_close(u.sigma, 0.02671591, 1e-4, 0);
    assert_close(u.kappa, 7.690945e-4, 1e-4, 0);
    assert_close(u.lambda, 995.6486, 1e-5, 0);
    assert_true(u.r_squared > 0.99);
    assert_int_equal(u.dof, (int)u.points - 3);
    assert_true(u.se_sigma > 0 && u.se_kappa > 0 && u.se_lambda > 0);
    assert_true(u.ci_sigma[0] < u.sigma && u.sigma < u.ci_sigma[1]);
    assert_false(u.few_points);
}

static void usl_specsdm91_peaks_at_96_52(void **state)
{
    (void)state;
    /* R usl documentation: peak at N = 96.52, throughput 1884. */
    struct hp_usl u = fit_file("usl_specsdm91.csv");
    double n_star, x_star;
    assert_true(hp_usl_peak(&u, &n_star, &x_star));
    assert_close(n_star, 96.52, 1e-3, 0);
    assert_close(x_star, 1884, 1e-3, 0);
    /* both intervals from one set of standard errors: the textbook's
     * t(0.975, n - 3) = t(0.975, 4) = 2.7764451051977987 and R usl's
     * t(0.95, n - 1) = t(0.95, 6) = 1.9431802803927816 (SciPy's t.ppf; GSL's
     * inverse agrees to 1e-10) */
    assert_close(u.t_quantile, 2.7764451051977987, 1e-9, 0);
    assert_close(u.t_rusl, 1.9431802803927816, 1e-9, 0);
    assert_close(u.ci_rusl_sigma[1] - u.sigma, u.t_rusl * u.se_sigma, 1e-12, 0);
    assert_close(u.ci_rusl_lambda[0], u.lambda - u.t_rusl * u.se_lambda, 1e-12, 0);
    assert_close(u.ci_sigma[1] - u.sigma, u.t_quantile * u.se_sigma, 1e-12, 0);
    assert_true(u.ci_sigma[0] >= 0 && u.ci_kappa[0] >= 0);
}

static void usl_inverses_undo_the_model(void **state)
{
    (void)state;
    struct hp_usl u = fit_file("usl_cisco.csv");
    double n_star, x_star, n;
    struct hp_err err;
    assert_true(hp_usl_peak(&u, &n_star, &x_star));
    /* X(N(x)) = x on the rising side, and N(x) is below the peak. */
    for (double x = 100; x < x_star; x += x_star / 37) {
        assert_int_equal(hp_usl_users_for_throughput(&u, x, &n, &err), 0);
        assert_close(hp_usl_throughput(&u, n), x, 1e-9, 0);
        assert_true(n <= n_star * (1 + 1e-9));
    }
    assert_int_equal(hp_usl_users_for_throughput(&u, x_star * 1.01, &n, &err), HP_ERANGE);
    assert_non_null(strstr(err.msg, "the most it reaches is"));
    /* R(N(r)) = r for r >= R(1), and R(N) = N / X(N) (Little's law). */
    for (double k = 1; k < 500; k *= 1.7) {
        double r = hp_usl_response_time(&u, k);
        assert_close(r, k / hp_usl_throughput(&u, k), 1e-12, 0);
        assert_int_equal(hp_usl_users_for_response_time(&u, r, &n, &err), 0);
        assert_close(n, k, 1e-9, 1e-9);
    }
    assert_int_equal(hp_usl_users_for_response_time(&u, 0.5 / u.lambda, &n, &err), HP_ERANGE);
    /* Without coherency there is no peak; the Amdahl limit is never reached. */
    struct hp_usl amdahl = {.sigma = 0.05, .kappa = 0, .lambda = 100};
    double lim;
    assert_false(hp_usl_peak(&amdahl, &n_star, &x_star));
    assert_true(hp_usl_amdahl_limit(&amdahl, &lim));
    assert_close(lim, 2000, 1e-12, 0);
    assert_int_equal(hp_usl_users_for_throughput(&amdahl, 1500, &n, &err), 0);
    assert_close(hp_usl_throughput(&amdahl, n), 1500, 1e-12, 0);
    assert_int_equal(hp_usl_users_for_throughput(&amdahl, 2000, &n, &err), HP_ERANGE);
    assert_int_equal(hp_usl_users_for_response_time(&amdahl, 0.5, &n, &err), 0);
    assert_close(hp_usl_response_time(&amdahl, n), 0.5, 1e-12, 0);
}

/* Both inverses at kappa 0, tiny and large: the population is chosen, its
 * X(N) and R(N) computed forward (the closed form), and the inverse must
 * give that population back to 1e-10, or to what the problem's condition
 * allows where it is worse (sigma 0 and kappa 1e-15: R(1.5) differs from
 * R(1) in the 15th digit, so N cannot be had to more than a few digits). The response-time root used to be
 * taken in the form that cancels: with sigma 0.02 and kappa 1e-12 it lost
 * every digit (raytracer's 21.51 came out as 0). */
static void usl_inverses_keep_their_digits_at_every_kappa(void **state)
{
    (void)state;
    static const double kappas[] = {0, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.1};
    static const double sigmas[] = {0, 0.02, 0.5};
    static const double pops[] = {1.5, 5, 20, 181, 1000};
    struct hp_err err;
    int checked = 0;
    for (size_t i = 0; i < sizeof kappas / sizeof kappas[0]; i++)
        for (size_t j = 0; j < sizeof sigmas / sizeof sigmas[0]; j++) {
            struct hp_usl u = {.sigma = sigmas[j], .kappa = kappas[i], .lambda = 100};
            if (u.sigma == 0 && u.kappa == 0)
                continue;
            double n_star = INFINITY, x_star;
            hp_usl_peak(&u, &n_star, &x_star);
            for (size_t k = 0; k < sizeof pops / sizeof pops[0]; k++) {
                double pop = pops[k], n;
                double den = 1 + u.sigma * (pop - 1) + u.kappa * pop * (pop - 1);
                double dden = u.sigma + u.kappa * (2 * pop - 1); /* d den / dN */
                double r = den / u.lambda;
                /* what the data allow: the relative change of N per relative
                 * change of r (or x), times the rounding of r (or x) */
                double cond_r = (den / pop) / dden;
                assert_int_equal(hp_usl_users_for_response_time(&u, r, &n, &err), 0);
                assert_close(n, pop, 1e-10 + 16 * DBL_EPSILON * cond_r, 0);
                if (pop < n_star * 0.999) { /* the rising side */
                    double x = u.lambda * pop / den;
                    double cond_x = den / fabs(den - pop * dden);
                    assert_int_equal(hp_usl_users_for_throughput(&u, x, &n, &err), 0);
                    assert_close(n, pop, 1e-10 + 16 * DBL_EPSILON * cond_x, 0);
                }
                checked++;
            }
        }
    assert_int_equal(checked, 100);
    /* no contention and no coherency: R(N) is 1 / lambda whatever N */
    struct hp_usl flat = {.lambda = 100};
    double n;
    assert_int_equal(hp_usl_users_for_response_time(&flat, 0.5, &n, &err), HP_ERANGE);
}

/* Data with no contention (or no coherency) at all: the fit puts that
 * coefficient at its bound, exactly 0, not a few ulps above it (2.3e-17). */
static void usl_coefficient_at_its_bound_is_zero(void **state)
{
    (void)state;
    double n[8], x[8];
    struct hp_usl truth = {.sigma = 0, .kappa = 0.0004, .lambda = 1000}, u;
    for (int i = 0; i < 8; i++) {
        n[i] = 1 << i;
        x[i] = hp_usl_throughput(&truth, n[i]) * (i % 2 ? 0.999 : 1.001);
    }
    assert_int_equal(hp_usl_fit(n, x, 8, &u, NULL), 0);
    assert_true(u.sigma == 0.0);
    assert_true(u.sigma_at_bound);
    assert_false(u.kappa_at_bound);
    assert_close(u.kappa, 0.0004, 0.05, 0);
    struct hp_usl amdahl = {.sigma = 0.03, .kappa = 0, .lambda = 500};
    for (int i = 0; i < 8; i++)
        x[i] = hp_usl_throughput(&amdahl, n[i]) * (i % 2 ? 1.001 : 0.999);
    assert_int_equal(hp_usl_fit(n, x, 8, &u, NULL), 0);
    assert_true(u.kappa == 0.0);
    assert_true(u.kappa_at_bound);
    assert_false(u.sigma_at_bound);
    assert_close(u.sigma, 0.03, 0.05, 0);
}

static void usl_refuses_too_little_or_bad_data(void **state)
{
    (void)state;
    struct hp_usl u;
    struct hp_err err;
    double n2[] = {1, 2, 2, 1}, x2[] = {10, 19, 19, 10};
    assert_int_equal(hp_usl_fit(n2, x2, 4, &u, &err), HP_ERANGE);
    assert_non_null(strstr(err.msg, "2 distinct values"));
    double n3[] = {1, 2, 4}, x3[] = {10, -19, 30};
    assert_int_equal(hp_usl_fit(n3, x3, 3, &u, &err), HP_ERANGE);
    assert_non_null(strstr(err.msg, "point 2"));
    /* The toy set has 6 points; 4 of them fit with a warning. */
    double n4[] = {1, 2, 4, 8}, x4[] = {1, 1.9, 3.4, 5.2};
    assert_int_equal(hp_usl_fit(n4, x4, 4, &u, &err), 0);
    assert_true(u.few_points);
}

static void csv_errors_name_line_and_column(void **state)
{
    (void)state;
    struct hp_csv csv;
    struct hp_err err;
    const char *ok = "# comment\nN,X\n1, 10\n\n2,19.5\r\n4,3.5e1\n";
    assert_int_equal(hp_csv_parse(ok, strlen(ok), "ok.csv", 2, &csv, &err), 0);
    assert_int_equal(csv.rows, 3);
    assert_string_equal(csv.names[1], "X");
    assert_close(csv.values[5], 35, 0, 0);
    hp_csv_fini(&csv);
    static const struct { const char *text; int line, col; const char *says; } bad[] = {
        {"1,2\n3,x\n", 2, 3, "'x' is not a number"},
        {"1,2\n3\n", 2, 1, "1 column (expected 2)"},
        {"N,X\n1,inf\n", 2, 3, "'inf' is not a number"},
        {"1,2,3\n", 1, 1, "3 columns (expected 2)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_true(hp_csv_parse(bad[i].text, strlen(bad[i].text), "b.csv", 2, &csv, &err) < 0);
        assert_int_equal(err.line, bad[i].line);
        assert_int_equal(err.col, bad[i].col);
        if (!strstr(err.msg, bad[i].says))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].says);
    }
}

int main(int argc, char **argv)
{
    data_dir = argc > 1 ? argv[1] : "tests/data";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usl_fits_the_cisco_set_as_the_book),
        cmocka_unit_test(usl_specsdm91_peaks_at_96_52),
        cmocka_unit_test(usl_inverses_undo_the_model),
        cmocka_unit_test(usl_inverses_keep_their_digits_at_every_kappa),
        cmocka_unit_test(usl_coefficient_at_its_bound_is_zero),
        cmocka_unit_test(usl_refuses_too_little_or_bad_data),
        cmocka_unit_test(csv_errors_name_line_and_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
