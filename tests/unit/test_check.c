// SPDX-License-Identifier: MIT
/* Unit tests of net/check: statuses, headers, bodies (text and PCRE2), and
 * splitting a captured response (interim heads, chunked bodies). */
#include <string.h>

#include "http/check.h"
#include "testutil.h"

static bool eval(struct hp_check *c, int status, const char *resp, bool chunked)
{
    char buf[1024];
    size_t len = strlen(resp);
    memcpy(buf, resp, len);
    const char *hb = strstr(resp, "\r\n\r\n");
    /* head_bytes: through the last head's blank line (after interim ones). */
    const char *last = hb;
    while (last && strncmp(last + 4, "HTTP/", 5) == 0)
        last = strstr(last + 4, "\r\n\r\n");
    size_t head_bytes = (size_t)(last - resp) + 4;
    const char *head, *body;
    size_t head_len, body_len;
    void *md = hp_check_match_data();
    hp_check_split(buf, len, head_bytes, chunked, &head, &head_len, &body, &body_len);
    bool ok = hp_check_eval(c, status, head, head_len, body, body_len, md);
    hp_check_match_data_free(md);
    return ok;
}

static const char *resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                          "X-Empty:\r\nContent-Length: 15\r\n\r\n{\"id\": 42, \"a\"}";

static void check_judges_status(void **state)
{
    (void)state;
    struct hp_check c = {0};
    struct hp_err err;
    assert_int_equal(hp_check_set_status(&c, "200", &err), 0);
    assert_true(eval(&c, 200, resp, false));
    assert_false(eval(&c, 201, resp, false));
    assert_int_equal(hp_check_set_status(&c, "2xx, 304", &err), 0);
    assert_true(eval(&c, 299, resp, false));
    assert_true(eval(&c, 304, resp, false));
    assert_false(eval(&c, 404, resp, false));
    assert_int_equal(hp_check_set_status(&c, "200 or 201", &err), HP_EPARSE);
    assert_int_equal(hp_check_set_status(&c, "99", &err), HP_EPARSE);
    assert_int_equal(hp_check_set_status(&c, "", &err), HP_EPARSE);
    hp_check_fini(&c);
}

static void check_judges_headers(void **state)
{
    (void)state;
    struct hp_check c = {.kind = HP_CHECK_HEADER, .cmp = HP_CMP_PRESENT};
    struct hp_err err;
    snprintf(c.header, sizeof c.header, "content-type");
    assert_true(eval(&c, 200, resp, false));
    snprintf(c.header, sizeof c.header, "X-Empty");
    assert_true(eval(&c, 200, resp, false));
    snprintf(c.header, sizeof c.header, "X-Missing");
    assert_false(eval(&c, 200, resp, false));
    snprintf(c.header, sizeof c.header, "Content-Length");
    c.cmp = HP_CMP_EQUALS;
    assert_int_equal(hp_check_set_text(&c, "15"), 0);
    assert_true(eval(&c, 200, resp, false));
    hp_check_fini(&c);
    assert_int_equal(hp_check_set_text(&c, "1"), 0);
    assert_false(eval(&c, 200, resp, false)); /* equals is the whole value */
    hp_check_fini(&c);
    snprintf(c.header, sizeof c.header, "Content-Type");
    assert_int_equal(hp_check_set_regex(&c, "^application/(json|xml);", &err), 0);
    assert_true(eval(&c, 200, resp, false));
    hp_check_fini(&c);
    /* A header only in an interim response does not count. */
    struct hp_check d = {.kind = HP_CHECK_HEADER, .cmp = HP_CMP_PRESENT};
    snprintf(d.header, sizeof d.header, "Link");
    const char *interim = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    assert_false(eval(&d, 200, interim, false));
    snprintf(d.header, sizeof d.header, "Content-Length");
    assert_true(eval(&d, 200, interim, false));
}

static void check_judges_bodies(void **state)
{
    (void)state;
    struct hp_check c = {.kind = HP_CHECK_BODY, .cmp = HP_CMP_CONTAINS};
    struct hp_err err = {0};
    assert_int_equal(hp_check_set_text(&c, "\"id\": 42"), 0);
    assert_true(eval(&c, 200, resp, false));
    hp_check_fini(&c);
    assert_int_equal(hp_check_set_text(&c, "\"id\": 43"), 0);
    assert_false(eval(&c, 200, resp, false));
    hp_check_fini(&c);
    assert_int_equal(hp_check_set_regex(&c, "\"id\":\\s*\\d+", &err), 0);
    assert_true(eval(&c, 200, resp, false));
    hp_check_fini(&c);
    /* Chunked: judged on the de-chunked body, across chunk boundaries. */
    const char *chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n";
    assert_int_equal(hp_check_set_regex(&c, "^hello world$", &err), 0);
    assert_true(eval(&c, 200, chunked, true));
    assert_false(eval(&c, 200, chunked, false)); /* raw framing would not match */
    hp_check_fini(&c);
    /* A regex that does not compile says where. */
    assert_int_equal(hp_check_set_regex(&c, "ab(c", &err), HP_EPARSE);
    assert_int_equal(err.col, 5);
    assert_non_null(strstr(err.msg, "regex:"));
    assert_null(c.re);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_judges_status),
        cmocka_unit_test(check_judges_headers),
        cmocka_unit_test(check_judges_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
