// SPDX-License-Identifier: MIT
/* Unit tests of stat/threshold: the k6 grammar, its errors (with columns),
 * and judging against known histograms and counts. */
#include <string.h>

#include "core/clock.h"
#include "stat/threshold.h"
#include "testutil.h"

static void threshold_parses_the_kinds_people_write(void **state)
{
    (void)state;
    struct hp_threshold t;
    struct hp_err err;

    assert_int_equal(hp_threshold_parse("http_req_duration: p(99) < 300ms", &t, &err), 0);
    assert_string_equal(hp_threshold_metric_name(&t), "http_req_duration");
    assert_int_equal(t.agg, HP_AGG_P);
    assert_close(t.percentile, 99, 0, 0);
    assert_int_equal(t.op, HP_OP_LT);
    assert_close(t.value, 300 * HP_NS_PER_MS, 0, 0);
    assert_false(t.abort_on_fail);
    assert_string_equal(t.text, "http_req_duration: p(99) < 300ms");

    assert_int_equal(hp_threshold_parse("http_req_duration{name:login}:p(95)<200ms", &t, &err), 0);
    assert_string_equal(t.tag_key, "name");
    assert_string_equal(t.tag_value, "login");
    assert_close(t.percentile, 95, 0, 0);
    assert_string_equal(t.text, "http_req_duration{name:login}: p(95)<200ms");

    assert_int_equal(hp_threshold_parse("http_req_failed: rate < 1%", &t, &err), 0);
    assert_int_equal(t.agg, HP_AGG_RATE);
    assert_close(t.value, 0.01, 1e-12, 0);
    assert_int_equal(hp_threshold_parse("checks: rate > 99.9%", &t, &err), 0);
    assert_close(t.value, 0.999, 1e-12, 0);
    assert_int_equal(t.op, HP_OP_GT);
    assert_int_equal(hp_threshold_parse("http_reqs: rate > 500", &t, &err), 0);
    assert_close(t.value, 500, 0, 0);
    assert_int_equal(hp_threshold_parse("http_reqs: count >= 2k", &t, &err), HP_EPARSE);
    assert_int_equal(hp_threshold_parse("http_reqs: count >= 2000", &t, &err), 0);
    assert_int_equal(t.op, HP_OP_GE);
    assert_int_equal(hp_threshold_parse("data_received: rate > 1MiB/s", &t, &err), 0);
    assert_close(t.value, 1 << 20, 0, 0);
    assert_int_equal(hp_threshold_parse("http_req_duration: avg <= 1.5s", &t, &err), 0);
    assert_int_equal(t.agg, HP_AGG_AVG);
    assert_int_equal(t.op, HP_OP_LE);
    assert_int_equal(hp_threshold_parse("http_req_duration: med != 0", &t, &err), 0);
    assert_int_equal(t.op, HP_OP_NE);

    assert_int_equal(hp_threshold_parse("http_req_failed: rate < 1%, abort_on_fail", &t, &err), 0);
    assert_true(t.abort_on_fail);
    assert_int_equal(t.abort_delay_ns, 0);
    assert_int_equal(
        hp_threshold_parse("http_req_failed: rate<1% , abort_on_fail=10s", &t, &err), 0);
    assert_true(t.abort_on_fail);
    assert_int_equal(t.abort_delay_ns, 10 * HP_NS_PER_S);

    assert_int_equal(hp_threshold_parse_expr("http_req_duration{scenario:browse}", "p(90) < 1s",
                                             &t, &err), 0);
    assert_string_equal(t.tag_key, "scenario");
    assert_string_equal(t.tag_value, "browse");
    assert_string_equal(t.text, "http_req_duration{scenario:browse}: p(90) < 1s");
}

/* A duration without a unit is milliseconds, as k6 reads it. */
static void threshold_bare_duration_is_milliseconds(void **state)
{
    (void)state;
    struct hp_threshold t;
    struct hp_err err = {0};
    assert_int_equal(hp_threshold_parse("http_req_duration: p(95) < 200", &t, &err), 0);
    assert_close(t.value, 200e6, 0, 0);
    assert_int_equal(hp_threshold_parse("http_req_duration: avg < 1.5", &t, &err), 0);
    assert_close(t.value, 1.5e6, 0, 0);
}

/* Each refusal names its column and what was expected. */
static void threshold_errors_say_where_and_what(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int col;
        const char *says;
    } cases[] = {
        {"http_req_duration: p(99) < 300xs", 28, "unknown unit 'xs'"},
        {"http_req_duraton: p(99) < 300ms", 1, "did you mean http_req_duration?"},
        {"http_req_duration p(99) < 300ms", 19, "expected ':'"},
        {"http_req_duration: p99 < 300ms", 20, "unknown aggregation 'p99'"},
        {"http_req_duration: p(0) < 300ms", 22, "percentile above 0"},
        {"http_req_duration: p(101) < 300ms", 22, "percentile above 0"},
        {"http_req_duration: p(99 < 300ms", 25, "expected ')'"},
        {"http_req_duration: rate < 1%", 20, "has no 'rate'"},
        {"http_req_failed: p(99) < 1%", 18, "has no 'p'"},
        {"http_reqs: avg < 3", 12, "has no 'avg'"},
        {"http_req_duration: p(99) 300ms", 26, "expected a comparison"},
        {"http_req_duration: p(99) <", 27, "expected a value"},
        {"http_req_failed: rate < 150%", 25, ""},
        {"http_req_duration{9x:y}: p(99) < 1s", 19, "expected a tag"},
        {"http_req_duration{name:x: p(99) < 1s", 37, "expected '}'"},
        {"http_req_duration: p(99) < 1s, abort", 32, "expected abort_on_fail"},
        {"http_req_duration: p(99) < 1s, abort_on_fail=soon", 46, "abort_on_fail=DELAY"},
        {"", 1, "expected a metric name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hp_threshold t;
        struct hp_err err = {0};
        int rc = hp_threshold_parse(cases[i].text, &t, &err);
        if (rc == 0 || err.col != cases[i].col || !strstr(err.msg, cases[i].says))
            fprintf(stderr, "case '%s': rc %d col %d msg '%s'\n", cases[i].text, rc, err.col,
                    err.msg);
        assert_true(rc < 0);
        assert_int_equal(err.col, cases[i].col);
        assert_non_null(strstr(err.msg, cases[i].says));
    }
    /* parse_expr counts columns in the expression alone. */
    struct hp_threshold t;
    struct hp_err err = {0};
    assert_true(hp_threshold_parse_expr("http_req_duration", "p(99) < 300xs", &t, &err) < 0);
    assert_int_equal(err.col, 9);
    assert_true(hp_threshold_parse_expr("http_req_duration: x", "p(99) < 1s", &t, &err) < 0);
}

static void threshold_judges_trends_rates_and_counters(void **state)
{
    (void)state;
    struct hp_hist *h;
    assert_int_equal(hp_hist_new_latency(&h), 0);
    /* 1..1000 ms, one each: p(99) is 990 ms, the mean 500.5 ms. */
    for (int ms = 1; ms <= 1000; ms++)
        hp_hist_record(h, (int64_t)ms * HP_NS_PER_MS);
    struct hp_metric_set m = {.duration = h, .requests = 1000, .failed = 5, .attempts = 1000,
                              .bytes_received = 3 << 20, .duration_s = 10};
    struct hp_threshold t;
    struct hp_threshold_result r;
    char buf[32];

    hp_threshold_parse("http_req_duration: p(99) < 1s", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.passed);
    assert_close(r.measured, 990 * HP_NS_PER_MS, 0.001, 0);
    assert_string_equal(hp_threshold_format_value(&t, r.measured, buf, sizeof buf), "990ms");
    hp_threshold_parse("http_req_duration: p(99) < 990ms", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_false(r.passed);
    hp_threshold_parse("http_req_duration: avg < 501ms", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.passed);
    assert_close(r.measured, 500.5 * HP_NS_PER_MS, 0.001, 0);
    hp_threshold_parse("http_req_duration: max >= 1s", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.passed);
    hp_threshold_parse("http_req_duration: min > 2ms", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_false(r.passed);

    hp_threshold_parse("http_req_failed: rate < 1%", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.passed);
    assert_close(r.measured, 0.005, 1e-12, 0);
    assert_string_equal(hp_threshold_format_value(&t, r.measured, buf, sizeof buf), "0.5%");
    hp_threshold_parse("http_req_failed: rate < 0.5%", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_false(r.passed);

    hp_threshold_parse("http_reqs: rate > 99", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.passed);
    assert_close(r.measured, 100, 1e-12, 0);
    hp_threshold_parse("http_reqs: count == 1000", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.passed);
    hp_threshold_parse("data_received: count < 3MiB", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_false(r.passed); /* exactly 3 MiB */
    hp_threshold_parse("data_received: rate > 300KiB/s", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.passed);
    assert_string_equal(hp_threshold_format_value(&t, r.measured, buf, sizeof buf), "307KiB/s");

    /* Nothing to judge fails: a gate must not pass on an empty run. */
    hp_threshold_parse("checks: rate > 99%", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.no_samples);
    assert_false(r.passed);
    hp_threshold_parse("scheduler_lag: p(99) < 1ms", &t, NULL);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.no_samples);
    assert_false(r.passed);
    hp_threshold_eval(&t, NULL, &r);
    assert_true(r.no_samples);
    assert_string_equal(hp_threshold_format_value(&t, r.measured, buf, sizeof buf), "no samples");
    hp_hist_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threshold_parses_the_kinds_people_write),
        cmocka_unit_test(threshold_bare_duration_is_milliseconds),
        cmocka_unit_test(threshold_errors_say_where_and_what),
        cmocka_unit_test(threshold_judges_trends_rates_and_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
