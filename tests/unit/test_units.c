// SPDX-License-Identifier: MIT
/* Unit tests for core/units.c and core/clock.c. */
#include <string.h>

#include "core/clock.h"
#include "core/units.h"
#include "testutil.h"

static void duration_parses_units_and_sums(void **state)
{
    (void)state;
    static const struct { const char *in; int64_t ns; } ok[] = {
        {"0", 0},           {"1ns", 1},           {"250ms", 250000000},
        {"30s", 30000000000}, {"2m", 120000000000}, {"1m30s", 90000000000},
        {"1.5s", 1500000000}, {"100us", 100000},  {"1h2m3s", 3723000000000},
        {"0.5ms", 500000},  {"\xc2\xb5s", 0},     {"1.5h", 5400000000000},
        {"16.7min", 1002000000000}, {"1h2min", 3720000000000},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t ns = -1;
        if (strcmp(ok[i].in, "\xc2\xb5s") == 0)
            continue; /* a unit alone is an error: checked below */
        assert_int_equal(hp_parse_duration(ok[i].in, &ns, NULL), 0);
        assert_int_equal(ns, ok[i].ns);
    }
    int64_t ns;
    assert_int_equal(hp_parse_duration("3\xc2\xb5s", &ns, NULL), 0);
    assert_int_equal(ns, 3000);
}

static void duration_errors_say_what_was_wrong(void **state)
{
    (void)state;
    static const struct { const char *in; const char *says; } bad[] = {
        {"", "empty"},          {"10", "missing unit"}, {"10x", "unknown unit 'x'"},
        {"ms", "expected a number"}, {"-5s", "expected a number"}, {"1s2", "missing unit"},
        {"99999999999h", "too long"}, {"1.2.3s", "unknown unit"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hp_err err = {0};
        int64_t ns;
        assert_true(hp_parse_duration(bad[i].in, &ns, &err) < 0);
        if (!strstr(err.msg, bad[i].says))
            fail_msg("'%s': message '%s' lacks '%s'", bad[i].in, err.msg, bad[i].says);
    }
}

static void size_parses_binary_and_decimal(void **state)
{
    (void)state;
    static const struct { const char *in; int64_t bytes; } ok[] = {
        {"0", 0}, {"512", 512}, {"512B", 512}, {"64KiB", 65536}, {"1.5MiB", 1572864},
        {"10MB", 10000000}, {"2kB", 2000}, {"1GiB", 1073741824}, {"1TB", 1000000000000},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t b = -1;
        assert_int_equal(hp_parse_size(ok[i].in, &b, NULL), 0);
        assert_int_equal(b, ok[i].bytes);
    }
    struct hp_err err;
    int64_t b;
    assert_int_equal(hp_parse_size("64K", &b, &err), HP_EPARSE);
    assert_non_null(strstr(err.msg, "ambiguous"));
    assert_int_equal(hp_parse_size("64QB", &b, &err), HP_EPARSE);
    assert_non_null(strstr(err.msg, "unknown unit"));
    assert_int_equal(hp_parse_size("KiB", &b, &err), HP_EPARSE);
}

static void rate_parses_per_units(void **state)
{
    (void)state;
    static const struct { const char *in; double per_s; } ok[] = {
        {"2000", 2000}, {"2k/s", 2000}, {"500/s", 500}, {"120/m", 2}, {"1.5k", 1500},
        {"3600/h", 1}, {"1/ms", 1000}, {"2M/s", 2e6},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double r = -1;
        assert_int_equal(hp_parse_rate(ok[i].in, &r, NULL), 0);
        assert_close(r, ok[i].per_s, 1e-12, 0);
    }
    struct hp_err err;
    double r;
    assert_int_equal(hp_parse_rate("5/d", &r, &err), HP_EPARSE);
    assert_non_null(strstr(err.msg, "unknown time unit"));
    assert_int_equal(hp_parse_rate("fast", &r, &err), HP_EPARSE);
}

static void percent_takes_percent_or_fraction(void **state)
{
    (void)state;
    double f;
    struct hp_err err;
    assert_int_equal(hp_parse_percent("2%", &f, NULL), 0);
    assert_close(f, 0.02, 1e-12, 0);
    assert_int_equal(hp_parse_percent("0.5%", &f, NULL), 0);
    assert_close(f, 0.005, 1e-12, 0);
    assert_int_equal(hp_parse_percent("0.25", &f, NULL), 0);
    assert_close(f, 0.25, 1e-12, 0);
    assert_int_equal(hp_parse_percent("2", &f, &err), HP_EPARSE);
    assert_non_null(strstr(err.msg, "did you mean 2%"));
    assert_int_equal(hp_parse_percent("150%", &f, &err), HP_ERANGE);
}

static void duration_prints_three_significant_digits(void **state)
{
    (void)state;
    static const struct { int64_t ns; const char *out; } cases[] = {
        {0, "0s"},          {1, "1ns"},           {999, "999ns"},     {1000, "1.00us"},
        {1234, "1.23us"},   {12345, "12.3us"},    {123456, "123us"},  {999600, "1.00ms"},
        {1230000, "1.23ms"}, {45600000, "45.6ms"}, {1500000000, "1.50s"},
        {999500000000, "16.7min"}, {42420000000000, "11.8h"}, {7200000000000, "2.00h"}, {-1500000, "-1.50ms"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        assert_string_equal(hp_format_duration(cases[i].ns, buf, sizeof buf), cases[i].out);
    }
}

static void size_and_rate_print_with_units(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(hp_format_size(13, buf, sizeof buf), "13B");
    assert_string_equal(hp_format_size(65536, buf, sizeof buf), "64.0KiB");
    assert_string_equal(hp_format_size(1536 * 1024, buf, sizeof buf), "1.50MiB");
    assert_string_equal(hp_format_size(1023 * 1024, buf, sizeof buf), "1023KiB");
    assert_string_equal(hp_format_rate(81234, buf, sizeof buf), "81.2k/s");
    assert_string_equal(hp_format_rate(12, buf, sizeof buf), "12.0/s");
    assert_string_equal(hp_format_rate(2.5e6, buf, sizeof buf), "2.50M/s");
}

static void rfc3339_is_utc_with_millis(void **state)
{
    (void)state;
    char buf[40];
    hp_format_rfc3339(INT64_C(1795085543123456789), buf, sizeof buf);
    assert_string_equal(buf, "2026-11-19T10:52:23.123Z");
    int64_t a = hp_now_ns(), b = hp_now_ns();
    assert_true(b >= a);
}

static void put_u64_writes_decimal_digits(void **state)
{
    (void)state;
    char buf[32];
    static const struct { uint64_t v; const char *s; } cases[] = {
        {0, "0"}, {7, "7"}, {10, "10"}, {1234567890, "1234567890"},
        {UINT64_MAX, "18446744073709551615"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *end = hp_put_u64(buf, cases[i].v);
        *end = '\0';
        assert_string_equal(buf, cases[i].s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(put_u64_writes_decimal_digits),
        cmocka_unit_test(duration_parses_units_and_sums),
        cmocka_unit_test(duration_errors_say_what_was_wrong),
        cmocka_unit_test(size_parses_binary_and_decimal),
        cmocka_unit_test(rate_parses_per_units),
        cmocka_unit_test(percent_takes_percent_or_fraction),
        cmocka_unit_test(duration_prints_three_significant_digits),
        cmocka_unit_test(size_and_rate_print_with_units),
        cmocka_unit_test(rfc3339_is_utc_with_millis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
