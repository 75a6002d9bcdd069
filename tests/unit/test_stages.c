// SPDX-License-Identifier: MIT
/* Unit tests for net/stages.c. */
#include <string.h>

#include "load/stages.h"
#include "testutil.h"

static void stages_constant_rate_is_n_over_r(void **state)
{
    (void)state;
    struct hp_stages st;
    hp_stages_constant(&st, 2000, 10);
    assert_close(hp_stages_time_of(&st, 0), 0, 0, 0);
    assert_close(hp_stages_time_of(&st, 1), 0.0005, 1e-12, 0);
    assert_close(hp_stages_time_of(&st, 19999), 9.9995, 1e-12, 0);
    /* The last value holds after the end. */
    assert_close(hp_stages_time_of(&st, 30000), 15, 1e-12, 0);
    assert_close(hp_stages_count_at(&st, 10), 20000, 1e-12, 0);
}

static void stages_ramp_integrates_and_inverts(void **state)
{
    (void)state;
    struct hp_stages st;
    struct hp_err err;
    assert_int_equal(hp_stages_parse("10s:100,1m:100,10s:0", &st, &err), 0);
    assert_int_equal(st.n, 3);
    assert_close(hp_stages_duration_s(&st), 80, 0, 0);
    assert_close(hp_stages_max(&st), 100, 0, 0);
    assert_close(hp_stages_value_at(&st, 5), 50, 1e-12, 0);
    assert_close(hp_stages_value_at(&st, 30), 100, 1e-12, 0);
    assert_close(hp_stages_value_at(&st, 75), 50, 1e-12, 0);
    /* 0 -> 100 over 10 s: N(t) = 5 t^2, so N(5) = 125 and N(10) = 500. */
    assert_close(hp_stages_count_at(&st, 5), 125, 1e-12, 0);
    assert_close(hp_stages_time_of(&st, 125), 5, 1e-12, 0);
    assert_close(hp_stages_count_at(&st, 80), 500 + 6000 + 500, 1e-12, 0);
    /* The ramp down: N(75) = 6500 + 100*5 - 5*25 = 6875. */
    assert_close(hp_stages_time_of(&st, 6875), 75, 1e-9, 0);
    /* Never more than the profile asks for. */
    assert_true(isinf(hp_stages_time_of(&st, 7000.5)));
    /* The inverse of the integral everywhere. */
    for (double t = 0.01; t < 80; t += 0.37)
        assert_close(hp_stages_time_of(&st, hp_stages_count_at(&st, t)), t, 1e-9, 1e-9);
}

static void stages_parse_errors_name_the_stage(void **state)
{
    (void)state;
    static const struct { const char *in; const char *says; } bad[] = {
        {"", "empty"},
        {"30s", "stage 1 '30s': expected DURATION:TARGET"},
        {"30s:100,1x:5", "stage 2: '1x': unknown unit"},
        {"30s:many", "stage 1: target 'many'"},
        {"0:10", "stage 1: duration must be above 0"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hp_stages st;
        struct hp_err err = {0};
        assert_true(hp_stages_parse(bad[i].in, &st, &err) < 0);
        if (!strstr(err.msg, bad[i].says))
            fail_msg("'%s': '%s' lacks '%s'", bad[i].in, err.msg, bad[i].says);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stages_constant_rate_is_n_over_r),
        cmocka_unit_test(stages_ramp_integrates_and_inverts),
        cmocka_unit_test(stages_parse_errors_name_the_stage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
