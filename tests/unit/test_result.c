// SPDX-License-Identifier: MIT
/* Unit tests for core/result.c and core/file.c. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/file.h"
#include "core/result.h"
#include "stat/hist_result.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/hp_test_result.XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd);
}

static void path_in_tmp(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
}

static struct hp_result *sample(void)
{
    struct hp_result *r = NULL;
    struct hp_hist *h = NULL;
    assert_int_equal(hp_result_new("load", &r), 0);
    assert_int_equal(hp_result_config_str(r, "url", "http://user:hunter2@example.com/a?q=1&token=abc"), 0);
    assert_int_equal(hp_result_config_header(r, "Authorization: Bearer s3cret"), 0);
    assert_int_equal(hp_result_config_header(r, "X-Trace: keep-me"), 0);
    assert_int_equal(hp_result_config_str(r, "password", "pw"), 0);
    assert_int_equal(hp_result_config_int(r, "connections", 64), 0);
    assert_int_equal(hp_result_metric(r, "requests_per_s", 81234.5, "1/s"), 0);
    assert_int_equal(hp_result_metric(r, "nothing", NAN, "ns"), 0);
    assert_int_equal(hp_result_series_point(r, "requests_per_s", "1/s", 1.0, 80000), 0);
    assert_int_equal(hp_result_series_point(r, "requests_per_s", "1/s", 2.0, 82000), 0);
    assert_int_equal(hp_hist_new_latency(&h), 0);
    for (int i = 1; i <= 1000; i++)
        hp_hist_record(h, i * 1000);
    assert_int_equal(hp_result_histogram(r, "latency", "ns", h), 0);
    hp_hist_free(h);
    hp_result_set_duration(r, 10.5);
    return r;
}

static void result_round_trips_through_a_file(void **state)
{
    (void)state;
    char path[256];
    struct hp_result *r = sample(), *back = NULL;
    struct hp_err err = {0};
    struct hp_hist *h = NULL;
    double v;
    const char *unit;

    path_in_tmp(path, sizeof path, "r.json");
    assert_int_equal(hp_result_write(r, path, &err), 0);
    assert_int_equal(hp_result_load(path, &back, &err), 0);
    assert_string_equal(hp_result_kind(back), "load");
    assert_true(hp_result_get_metric(back, "requests_per_s", &v, &unit));
    assert_close(v, 81234.5, 0, 1e-9);
    assert_string_equal(unit, "1/s");
    assert_false(hp_result_get_metric(back, "nothing", &v, NULL)); /* NaN stored as null */
    assert_int_equal(hp_result_get_histogram(back, "latency", &h, &err), 0);
    assert_int_equal(h->total_count, 1000);
    assert_close((double)hp_hist_value_at_percentile(h, 50), 500000, 1e-3, 0);
    assert_int_equal(hp_result_get_histogram(back, "nope", &h, &err) == -ENOENT, 1);
    hp_hist_free(h);
    hp_result_free(r);
    hp_result_free(back);
}

static void result_schema_is_the_first_key(void **state)
{
    (void)state;
    struct hp_result *r = sample();
    char *text = NULL;
    assert_int_equal(hp_result_dumps(r, &text), 0);
    assert_memory_equal(text, "{\n  \"schema\": \"hotpath.result/1\",\n  \"kind\": \"load\"", 48);
    /* The standard sections, in order. */
    const char *keys[] = {"\"hotpath_version\"", "\"started_at\"", "\"duration_s\"", "\"host\"",
                          "\"config\"", "\"metrics\"", "\"series\"", "\"histograms\""};
    const char *at = text;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *p = strstr(at, keys[i]);
        assert_non_null(p);
        at = p;
    }
    assert_non_null(strstr(text, "\"cpus\""));
    assert_non_null(strstr(text, "\"kernel\""));
    hp_free(text);
    hp_result_free(r);
}

static void result_redacts_secrets(void **state)
{
    (void)state;
    /* Secret by their words: cloud signing parameters, sessions, keys. */
    static const char *const secret[] = {"X-Amz-Signature", "X-Amz-Credential",
                                         "X-Amz-Security-Token", "X-Goog-Signature", "sig",
                                         "sessionid", "session_id", "AWSAccessKeyId",
                                         "client-key", "X-Auth", "jwt", "Api_Key"};
    static const char *const plain[] = {"max_keys", "url", "q", "keep-alive", "signal",
                                        "keys", "method", "sigma"};
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
        if (!hp_is_secret_name(secret[i]))
            fail_msg("%s is not taken for a secret", secret[i]);
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (hp_is_secret_name(plain[i]))
            fail_msg("%s is taken for a secret", plain[i]);
    struct hp_result *r = sample();
    char *text = NULL;
    assert_int_equal(hp_result_dumps(r, &text), 0);
    assert_null(strstr(text, "hunter2"));
    assert_null(strstr(text, "s3cret"));
    assert_null(strstr(text, "abc\""));
    assert_null(strstr(text, "\"pw\""));
    assert_non_null(strstr(text, "http://user:[redacted]@example.com/a?q=1&token=[redacted]"));
    assert_non_null(strstr(text, "Authorization: [redacted]"));
    assert_non_null(strstr(text, "X-Trace: keep-me"));
    hp_free(text);
    hp_result_free(r);

    char *s = hp_redact_value(NULL, "Cookie: a=b");
    assert_string_equal(s, "Cookie: [redacted]");
    hp_free(s);
    s = hp_redact_value("api_key", "xyz");
    assert_string_equal(s, "[redacted]");
    hp_free(s);
    s = hp_redact_value("explain", "host=db password='s3 cret' dbname=shop passwd=x");
    assert_string_equal(s, "host=db password=[redacted] dbname=shop passwd=[redacted]");
    hp_free(s);
    s = hp_redact_value("target", "pass= token=1 secret=2 passwd=3");
    assert_string_equal(s, "pass=[redacted] token=[redacted] secret=[redacted] passwd=[redacted]");
    hp_free(s);
    s = hp_redact_value("target", "a=b c=d");
    assert_string_equal(s, "a=b c=d");
    hp_free(s);
    s = hp_redact_value("target", "http://example.com:8080/path");
    assert_string_equal(s, "http://example.com:8080/path");
    hp_free(s);
}

static void write_text(const char *path, const char *text)
{
    assert_int_equal(hp_file_write_atomic(path, text, strlen(text), NULL), 0);
}

static void result_load_rejects_bad_documents(void **state)
{
    (void)state;
    static const struct { const char *text; const char *says; } bad[] = {
        {"{\"schema\": \"hotpath.result/2\"}", "not supported"},
        {"{\"schema\": \"other/1\"}", "not a hotpath result"},
        {"{\"kind\": \"load\"}", "no \"schema\""},
        {"[1, 2]", "expected an object"},
        {"{\"schema\": \"hotpath.result/1\", \"kind\": \"load\"}", "lacks \"hotpath_version\""},
        {"{\"schema\": \"hotpath.result/1\",\n \"kind\": ", "r.json:2:"},
        {"{\"schema\": \"hotpath.result/1\", \"kind\": \"x\", \"hotpath_version\": \"0\", "
         "\"started_at\": \"\", \"duration_s\": 1, \"host\": {}, \"config\": {}, "
         "\"metrics\": {\"m\": {\"value\": \"fast\", \"unit\": \"ns\"}}, \"series\": {}, "
         "\"histograms\": {}}",
         "metric \"m\""},
    };
    char path[256];
    path_in_tmp(path, sizeof path, "r.json");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hp_result *r = NULL;
        struct hp_err err = {0};
        char msg[1024];
        write_text(path, bad[i].text);
        int rc = hp_result_load(path, &r, &err);
        assert_true(rc == HP_EFORMAT || rc == HP_EPARSE);
        assert_null(r);
        hp_err_format(&err, msg, sizeof msg);
        if (!strstr(msg, bad[i].says))
            fail_msg("case %zu: '%s' lacks '%s'", i, msg, bad[i].says);
    }
    struct hp_err err = {0};
    struct hp_result *r = NULL;
    path_in_tmp(path, sizeof path, "missing.json");
    assert_int_equal(hp_result_load(path, &r, &err), HP_EINPUT);
    assert_non_null(strstr(err.file, "missing.json"));
}

static void atomic_write_leaves_no_temporary_files(void **state)
{
    (void)state;
    char path[256];
    path_in_tmp(path, sizeof path, "atomic.txt");
    write_text(path, "first");
    write_text(path, "second");
    char *text = NULL;
    assert_int_equal(hp_file_read(path, 100, &text, NULL, NULL), 0);
    assert_string_equal(text, "second");
    hp_free(text);
    int files = 0;
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp."))
            files++;
    closedir(d);
    assert_int_equal(files, 0);
    /* A directory that does not exist: an error naming the path. */
    struct hp_err err = {0};
    assert_int_equal(hp_file_write_atomic("/nonexistent/dir/x.json", "x", 1, &err), -ENOENT);
    assert_string_equal(err.file, "/nonexistent/dir/x.json");
    /* Reads refuse files above their ceiling. */
    assert_int_equal(hp_file_read(path, 3, &text, NULL, &err), -EFBIG);
}

static int build_and_dump(void)
{
    struct hp_result *r = NULL;
    struct hp_hist *h = NULL;
    char *text = NULL;
    int rc = hp_result_new("bench", &r);
    if (rc == 0)
        rc = hp_result_config_header(r, "Authorization: x");
    if (rc == 0)
        rc = hp_result_metric(r, "m", 1, "ns");
    if (rc == 0)
        rc = hp_result_series_point(r, "s", "ns", 0, 1);
    if (rc == 0)
        rc = hp_hist_new_latency(&h);
    if (rc == 0) {
        hp_hist_record(h, 5);
        rc = hp_result_histogram(r, "h", "ns", h);
    }
    if (rc == 0)
        rc = hp_result_dumps(r, &text);
    /* Not hp_result_parse: jansson 2.14's lexer asserts when an allocation
     * fails mid-string (load.c, lex_scan_string), so reading is out of the
     * sweep; building and writing documents is ours and in it. */
    hp_free(text);
    hp_hist_free(h);
    hp_result_free(r);
    return rc;
}

static void result_survives_allocation_failures(void **state)
{
    (void)state;
    ALLOC_SWEEP(build_and_dump());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(result_round_trips_through_a_file),
        cmocka_unit_test(result_schema_is_the_first_key),
        cmocka_unit_test(result_redacts_secrets),
        cmocka_unit_test(result_load_rejects_bad_documents),
        cmocka_unit_test(atomic_write_leaves_no_temporary_files),
        cmocka_unit_test(result_survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
