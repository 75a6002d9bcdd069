// SPDX-License-Identifier: MIT
/* Unit tests for model/plan.c; expected counts derived in the comments. */
#include <math.h>

#include "model/plan.h"
#include "testutil.h"

static void plan_compound_growth(void **state)
{
    (void)state;
    /* 1000/s growing 10% a month; 500/s per instance at 70%: 350/s usable.
     * Month 0: ceil(1000/350) = 3, +1 spare = 4. Month 3: 1331/350 = 3.80 -> 5.
     * A fleet of 5 runs out when ceil(1000 * 1.1^m / 350) + 1 > 5, i.e.
     * 1.1^m > 1.4: m = 4 (1.4641). */
    struct hp_plan_input in = {.peak_per_s = 1000, .growth = {.kind = HP_GROWTH_COMPOUND, .rate = 0.1},
                               .capacity_per_s = 500, .headroom = 0.7, .spares = 1, .months = 12,
                               .fleet_now = 5};
    struct hp_plan p;
    struct hp_err err;
    assert_int_equal(hp_plan_make(&in, &p, &err), 0);
    assert_int_equal(p.instances[0], 4);
    assert_close(p.load[3], 1331, 1e-9, 0);
    assert_int_equal(p.instances[3], 5);
    assert_int_equal(p.runs_out_month, 4);
    in.fleet_now = 100;
    assert_int_equal(hp_plan_make(&in, &p, &err), 0);
    assert_int_equal(p.runs_out_month, -1);
    in.headroom = 1.5;
    assert_int_equal(hp_plan_make(&in, &p, &err), HP_ERANGE);
}

static void plan_fits_pick_the_better_model(void **state)
{
    (void)state;
    double t[12], exp_load[12], lin_load[12];
    for (int i = 0; i < 12; i++) {
        t[i] = i;
        exp_load[i] = 100 * exp(0.1 * i);
        lin_load[i] = 100 + 20 * i;
    }
    struct hp_growth g;
    struct hp_err err;
    assert_int_equal(hp_growth_fit(t, exp_load, 12, HP_GROWTH_COMPOUND, &g, &err), 0);
    assert_int_equal(g.kind, HP_GROWTH_EXP_FIT);
    assert_close(g.b, 0.1, 1e-12, 0);
    assert_close(g.r_squared, 1, 1e-12, 0);
    assert_close(hp_growth_load(&g, 300, 10), 300 * exp(1.0), 1e-12, 0);
    assert_int_equal(hp_growth_fit(t, lin_load, 12, HP_GROWTH_COMPOUND, &g, &err), 0);
    assert_int_equal(g.kind, HP_GROWTH_LINEAR_FIT);
    assert_close(g.b, 20, 1e-12, 0);
    assert_close(hp_growth_load(&g, 320, 5), 420, 1e-12, 0);
    /* Forced, and refused. */
    assert_int_equal(hp_growth_fit(t, lin_load, 12, HP_GROWTH_EXP_FIT, &g, &err), 0);
    assert_int_equal(g.kind, HP_GROWTH_EXP_FIT);
    assert_int_equal(hp_growth_fit(t, lin_load, 2, HP_GROWTH_COMPOUND, &g, &err), HP_ERANGE);
    lin_load[3] = 0;
    assert_int_equal(hp_growth_fit(t, lin_load, 12, HP_GROWTH_COMPOUND, &g, &err), HP_ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plan_compound_growth),
        cmocka_unit_test(plan_fits_pick_the_better_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
