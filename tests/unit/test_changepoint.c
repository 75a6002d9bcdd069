// SPDX-License-Identifier: MIT
/* Unit tests for stat/changepoint.c: against Apache Otava's own output on
 * three series and seven parameter sets (tests/data/changepoint_otava.txt,
 * written by tests/data/otava_reference.py, which runs Otava's code), and
 * on series whose truth is known by construction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/csv.h"
#include "stat/changepoint.h"
#include "testutil.h"

static const char *data_dir;

static double *load_series(const char *name, size_t *n)
{
    char path[512];
    struct hp_csv csv;
    struct hp_err err;
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    if (hp_csv_load(path, 2, &csv, &err) != 0)
        fail_msg("%s", err.msg);
    double *x = malloc(csv.rows * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < csv.rows; i++)
        x[i] = csv.values[2 * i + 1];
    *n = csv.rows;
    hp_csv_fini(&csv);
    return x;
}

/* Every case of the reference file: the weak points of the split, then the
 * change points with their means, deviations and p-values, in Otava's
 * merge ("otava") and in the one that tests both neighbours ("fixed"). */
static void otava_reference_point_for_point(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/changepoint_otava.txt", data_dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192];
    int cases = 0;
    while (fgets(line, sizeof line, f)) {
        char name[128], mode[16];
        struct hp_cp_opts o = {0};
        if (sscanf(line, "case %127s %zu %lf %lf %15s", name, &o.window, &o.max_p,
                   &o.min_magnitude, mode) != 5)
            fail_msg("%s: bad line %s", path, line);
        o.otava_merge = strcmp(mode, "otava") == 0;
        size_t n;
        double *x = load_series(name, &n);
        struct hp_cp *cp, *weak;
        size_t k, nweak;
        assert_int_equal(hp_changepoints(x, n, &o, &cp, &k, &weak, &nweak), 0);

        assert_non_null(fgets(line, sizeof line, f));
        assert_true(strncmp(line, "weak", 4) == 0);
        char *p = line + 4, *e;
        size_t i = 0;
        for (long v; (v = strtol(p, &e, 10)), e != p; p = e, i++) {
            assert_true(i < nweak);
            assert_int_equal(weak[i].index, v);
        }
        assert_int_equal(i, nweak);

        for (i = 0; fgets(line, sizeof line, f) && strncmp(line, "end", 3) != 0; i++) {
            size_t idx;
            double m1, m2, s1, s2, pv;
            assert_int_equal(sscanf(line, "%zu %lf %lf %lf %lf %lf", &idx, &m1, &m2, &s1, &s2, &pv),
                             6);
            if (i >= k)
                fail_msg("%s %zu %g %g %s: more points in Otava's than %zu", name, o.window,
                         o.max_p, o.min_magnitude, mode, k);
            assert_int_equal(cp[i].index, idx);
            assert_close(cp[i].mean_before, m1, 1e-12, 0);
            assert_close(cp[i].mean_after, m2, 1e-12, 0);
            assert_close(cp[i].sd_before, s1, 1e-9, 1e-12);
            assert_close(cp[i].sd_after, s2, 1e-9, 1e-12);
            assert_close(cp[i].p, pv, 1e-9, 1e-300);
        }
        assert_int_equal(i, k);
        hp_free(cp);
        hp_free(weak);
        free(x);
        cases++;
    }
    fclose(f);
    assert_int_equal(cases, 42);
}

/* 400 points: 100 until 120, 110 until 260, 93.5 after, sd 1.5 (drawn once,
 * kept as a file): Otava's defaults find those two shifts and nothing else,
 * and the means and changes are the segments'. */
static void two_planted_shifts_and_no_others(void **state)
{
    (void)state;
    size_t n;
    double *x = load_series("changepoint_two_shifts.csv", &n);
    assert_int_equal(n, 400);
    struct hp_cp_opts o = {.window = 50, .max_p = 0.001, .min_magnitude = 0};
    struct hp_cp *cp;
    size_t k;
    assert_int_equal(hp_changepoints(x, n, &o, &cp, &k, NULL, NULL), 0);
    assert_int_equal(k, 2);
    assert_int_equal(cp[0].index, 120);
    assert_int_equal(cp[1].index, 260);
    assert_int_equal(cp[0].from, 0);
    assert_int_equal(cp[0].to, 260);
    assert_int_equal(cp[1].from, 120);
    assert_int_equal(cp[1].to, 400);
    assert_close(cp[0].mean_before, 100, 0.005, 0);
    assert_close(cp[0].mean_after, 110, 0.005, 0);
    assert_close(cp[0].change, 0.10, 0, 0.005);
    assert_close(cp[1].change, 93.5 / 110 - 1, 0, 0.005);
    assert_close(cp[1].magnitude, 110 / 93.5 - 1, 0, 0.005);
    assert_true(cp[0].p < 1e-50 && cp[1].p < 1e-50);
    hp_free(cp);

    /* a magnitude bar above 10% keeps only the 15% drop (17.6% backwards) */
    o.min_magnitude = 0.12;
    assert_int_equal(hp_changepoints(x, n, &o, &cp, &k, NULL, NULL), 0);
    assert_int_equal(k, 1);
    assert_int_equal(cp[0].index, 260);
    assert_int_equal(cp[0].from, 0);
    hp_free(cp);
    free(x);
}

/* A step without noise: the t statistic is infinite, p is 0; equal values
 * everywhere give no point (t = 0/0 is no evidence). */
static void steps_without_noise(void **state)
{
    (void)state;
    double x[60];
    for (int i = 0; i < 60; i++)
        x[i] = i < 37 ? 5 : 7;
    struct hp_cp_opts o = {.window = 50, .max_p = 0.001};
    struct hp_cp *cp;
    size_t k;
    assert_int_equal(hp_changepoints(x, 60, &o, &cp, &k, NULL, NULL), 0);
    assert_int_equal(k, 1);
    assert_int_equal(cp[0].index, 37);
    assert_true(cp[0].p == 0.0);
    assert_close(cp[0].change, 0.4, 1e-15, 0);
    assert_close(cp[0].magnitude, 0.4, 1e-15, 0);
    hp_free(cp);

    for (int i = 0; i < 60; i++)
        x[i] = 3;
    assert_int_equal(hp_changepoints(x, 60, &o, &cp, &k, NULL, NULL), 0);
    assert_int_equal(k, 0);
    assert_null(cp);
    /* one and no points */
    assert_int_equal(hp_changepoints(x, 1, &o, &cp, &k, NULL, NULL), 0);
    assert_int_equal(k, 0);
    assert_int_equal(hp_changepoints(x, 0, &o, &cp, &k, NULL, NULL), 0);
    assert_int_equal(k, 0);
}

static void options_out_of_range(void **state)
{
    (void)state;
    double x[4] = {1, 2, 3, 4};
    struct hp_cp *cp;
    size_t k;
    struct hp_cp_opts bad[] = {
        {.window = 1, .max_p = 0.01},
        {.window = HP_CP_WINDOW_MAX + 1, .max_p = 0.01},
        {.window = 10, .max_p = 0},
        {.window = 10, .max_p = 1.5},
        {.window = 10, .max_p = NAN},
        {.window = 10, .max_p = 0.01, .min_magnitude = -0.1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(hp_changepoints(x, 4, &bad[i], &cp, &k, NULL, NULL), -EINVAL);
    struct hp_cp_opts o = {.window = 10, .max_p = 0.01};
    x[2] = NAN;
    assert_int_equal(hp_changepoints(x, 4, &o, &cp, &k, NULL, NULL), -EINVAL);
}

static double *sweep_x;
static size_t sweep_n;

static int changepoints_some(void)
{
    struct hp_cp_opts o = {.window = 30, .max_p = 0.01};
    struct hp_cp *cp, *weak;
    size_t k, nw;
    int rc = hp_changepoints(sweep_x, sweep_n, &o, &cp, &k, &weak, &nw);
    if (rc == 0) {
        assert_true(k > 0 && nw >= k);
        hp_free(cp);
        hp_free(weak);
    }
    return rc;
}

/* Every allocation failing in turn: -ENOMEM, and nothing leaks. */
static void allocation_failures_leak_nothing(void **state)
{
    (void)state;
    sweep_x = load_series("changepoint_tigerbeetle.csv", &sweep_n);
    ALLOC_SWEEP(changepoints_some());
    free(sweep_x);
}

int main(int argc, char **argv)
{
    data_dir = argc > 1 ? argv[1] : "tests/data";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(otava_reference_point_for_point),
        cmocka_unit_test(two_planted_shifts_and_no_others),
        cmocka_unit_test(steps_without_noise),
        cmocka_unit_test(options_out_of_range),
        cmocka_unit_test(allocation_failures_leak_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
