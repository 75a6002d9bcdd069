// SPDX-License-Identifier: MIT
/* Unit tests for page/cdp.c: messages cut anywhere come out whole and in
 * order, a bad message is named by its place and skipped, a message past
 * the limit is refused, and responses, errors and events are told apart. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "page/cdp.h"
#include "testutil.h"

static const char stream[] =
    "{\"id\":1,\"result\":{\"targetId\":\"A\"}}\0"
    "{\"method\":\"Page.loadEventFired\",\"params\":{\"timestamp\":12.5},\"sessionId\":\"S\"}\0"
    "{\"id\":2,\"error\":{\"code\":-32000,\"message\":\"No target\"}}\0";

static void messages_whole_whatever_the_pieces(void **state)
{
    (void)state;
    size_t total = sizeof stream - 1; /* the literal's own NUL is not a message's */
    for (size_t piece = 1; piece <= total; piece++) {
        struct hp_cdp_reader r;
        hp_cdp_reader_init(&r, 0);
        int got = 0;
        int64_t ids[3] = {-1, -1, -1};
        enum hp_cdp_kind kinds[3];
        for (size_t at = 0; at < total; at += piece) {
            size_t n = total - at < piece ? total - at : piece;
            assert_int_equal(hp_cdp_reader_feed(&r, stream + at, n), 0);
            json_t *m;
            struct hp_err err = {0};
            int rc;
            while ((rc = hp_cdp_reader_next(&r, &m, &err)) == 1) {
                assert_true(got < 3);
                kinds[got] = hp_cdp_kind(m, &ids[got]);
                got++;
                json_decref(m);
            }
            assert_int_equal(rc, 0);
        }
        assert_int_equal(got, 3);
        assert_int_equal(kinds[0], HP_CDP_RESPONSE);
        assert_int_equal(ids[0], 1);
        assert_int_equal(kinds[1], HP_CDP_EVENT);
        assert_int_equal(kinds[2], HP_CDP_ERROR);
        assert_int_equal(ids[2], 2);
        assert_int_equal(r.messages, 3);
        assert_int_equal(r.len, 0);
        hp_cdp_reader_fini(&r);
    }
}

static void bad_messages_named_and_skipped(void **state)
{
    (void)state;
    static const char s[] = "{\"id\":1,\"result\":{}}\0{\"id\":2,\0[1,2]\0{\"method\":\"X\"}\0";
    struct hp_cdp_reader r;
    hp_cdp_reader_init(&r, 0);
    assert_int_equal(hp_cdp_reader_feed(&r, s, sizeof s - 1), 0);
    json_t *m;
    struct hp_err err = {0};
    assert_int_equal(hp_cdp_reader_next(&r, &m, &err), 1);
    json_decref(m);
    /* the cut one: its offset in the stream */
    assert_int_equal(hp_cdp_reader_next(&r, &m, &err), HP_EPARSE);
    assert_non_null(strstr(err.msg, "at byte 21"));
    assert_null(m);
    /* an array is JSON but no message */
    assert_int_equal(hp_cdp_reader_next(&r, &m, &err), HP_EPARSE);
    assert_non_null(strstr(err.msg, "not a JSON object"));
    /* and reading goes on */
    assert_int_equal(hp_cdp_reader_next(&r, &m, &err), 1);
    assert_int_equal(hp_cdp_kind(m, NULL), HP_CDP_EVENT);
    json_decref(m);
    assert_int_equal(hp_cdp_reader_next(&r, &m, &err), 0);
    hp_cdp_reader_fini(&r);
}

static void limits(void **state)
{
    (void)state;
    struct hp_cdp_reader r;
    hp_cdp_reader_init(&r, 16);
    json_t *m;
    struct hp_err err = {0};
    /* a whole message over the limit: refused, skipped */
    static const char big[] = "{\"id\":1,\"result\":{\"a\":\"bcdefgh\"}}\0{\"id\":3,\"result\":{}}\0";
    assert_int_equal(hp_cdp_reader_feed(&r, big, sizeof big - 1), 0);
    assert_int_equal(hp_cdp_reader_next(&r, &m, &err), HP_EPARSE);
    assert_non_null(strstr(err.msg, "over the 16 allowed"));
    assert_int_equal(hp_cdp_reader_next(&r, &m, &err), HP_EPARSE); /* 20 bytes: also over */
    hp_cdp_reader_fini(&r);
    /* no end in sight: the stream is lost */
    hp_cdp_reader_init(&r, 16);
    assert_int_equal(hp_cdp_reader_feed(&r, "{\"id\":1,\"result\":{\"x", 20), 0);
    assert_int_equal(hp_cdp_reader_next(&r, &m, &err), -E2BIG);
    hp_cdp_reader_fini(&r);
}

static enum hp_cdp_kind kind_of(const char *text, int64_t *id)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    enum hp_cdp_kind k = hp_cdp_kind(j, id);
    json_decref(j);
    return k;
}

static void kinds(void **state)
{
    (void)state;
    int64_t id = -1;
    assert_int_equal(kind_of("{\"id\":7,\"result\":{}}", &id), HP_CDP_RESPONSE);
    assert_int_equal(id, 7);
    assert_int_equal(kind_of("{\"id\":7,\"result\":{},\"error\":{}}", NULL), HP_CDP_INVALID);
    assert_int_equal(kind_of("{\"id\":-1,\"result\":{}}", NULL), HP_CDP_INVALID);
    assert_int_equal(kind_of("{\"id\":\"7\",\"result\":{}}", NULL), HP_CDP_INVALID);
    assert_int_equal(kind_of("{\"id\":7}", NULL), HP_CDP_INVALID);
    assert_int_equal(kind_of("{\"id\":7,\"error\":\"x\"}", NULL), HP_CDP_INVALID);
    assert_int_equal(kind_of("{\"method\":\"A.b\"}", NULL), HP_CDP_EVENT);
    assert_int_equal(kind_of("{\"method\":\"A.b\",\"params\":[]}", NULL), HP_CDP_INVALID);
    assert_int_equal(kind_of("{\"method\":1}", NULL), HP_CDP_INVALID);
}

static void commands_round_trip(void **state)
{
    (void)state;
    json_t *params = json_pack("{s:s}", "url", "http://127.0.0.1:8080/");
    char *out;
    size_t len;
    assert_int_equal(hp_cdp_command(42, "Page.navigate", params, "S1", &out, &len), 0);
    json_decref(params);
    assert_int_equal(out[len - 1], '\0');
    assert_int_equal(strlen(out), len - 1); /* one NUL: at the end */
    struct hp_cdp_reader r;
    hp_cdp_reader_init(&r, 0);
    assert_int_equal(hp_cdp_reader_feed(&r, out, len), 0);
    json_t *m;
    struct hp_err err = {0};
    assert_int_equal(hp_cdp_reader_next(&r, &m, &err), 1);
    assert_int_equal(json_integer_value(json_object_get(m, "id")), 42);
    assert_string_equal(json_string_value(json_object_get(m, "method")), "Page.navigate");
    assert_string_equal(json_string_value(json_object_get(m, "sessionId")), "S1");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(m, "params"), "url")),
        "http://127.0.0.1:8080/");
    json_decref(m);
    hp_free(out);
    hp_cdp_reader_fini(&r);
    /* no params, no session: neither key */
    assert_int_equal(hp_cdp_command(1, "Browser.getVersion", NULL, NULL, &out, &len), 0);
    assert_string_equal(out, "{\"id\":1,\"method\":\"Browser.getVersion\"}");
    hp_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_whole_whatever_the_pieces),
        cmocka_unit_test(bad_messages_named_and_skipped),
        cmocka_unit_test(limits),
        cmocka_unit_test(kinds),
        cmocka_unit_test(commands_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
