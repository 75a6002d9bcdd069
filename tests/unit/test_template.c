// SPDX-License-Identifier: MIT
/* Unit tests of net/template (${name} placeholders) and core/table (text CSV
 * via libcsv): what scenario files use to vary their requests. */
#include <string.h>

#include "core/table.h"
#include "http/template.h"
#include "testutil.h"

static void template_fills_placeholders(void **state)
{
    (void)state;
    const char *vars[] = {"user", "id"};
    struct hp_template t;
    struct hp_err err;
    const char *src = "GET /users/${id}?u=${user}&x=$${id}${id} HTTP/1.1";
    assert_int_equal(hp_template_parse(src, strlen(src), vars, 2, &t, &err), 0);
    assert_true(t.has_vars);
    const char *values[] = {"ann", "42"};
    const uint32_t lens[] = {3, 2};
    char out[128];
    size_t n = hp_template_length(&t, lens);
    assert_int_equal(hp_template_render(&t, values, lens, out), n);
    out[n] = '\0';
    assert_string_equal(out, "GET /users/42?u=ann&x=${id}42 HTTP/1.1");
    hp_template_fini(&t);

    assert_int_equal(hp_template_parse("plain", 5, vars, 2, &t, &err), 0);
    assert_false(t.has_vars);
    assert_int_equal(hp_template_render(&t, values, lens, out), 5);
    hp_template_fini(&t);
    assert_int_equal(hp_template_parse("", 0, vars, 2, &t, &err), 0);
    assert_int_equal(hp_template_length(&t, lens), 0);
    hp_template_fini(&t);
}

static void template_refuses_unknown_and_unclosed(void **state)
{
    (void)state;
    const char *vars[] = {"user", "id"};
    struct hp_template t;
    struct hp_err err = {0};
    assert_int_equal(hp_template_parse("/a/${usr}", 9, vars, 2, &t, &err), HP_EPARSE);
    assert_int_equal(err.col, 4);
    assert_non_null(strstr(err.msg, "did you mean ${user}?"));
    hp_template_fini(&t);
    assert_int_equal(hp_template_parse("/a/${id", 7, vars, 2, &t, &err), HP_EPARSE);
    assert_non_null(strstr(err.msg, "not closed"));
    hp_template_fini(&t);
    assert_int_equal(hp_template_parse("/${id}", 6, NULL, 0, &t, &err), HP_EPARSE);
    assert_non_null(strstr(err.msg, "no data file"));
    hp_template_fini(&t);
}

static void table_reads_quoted_csv(void **state)
{
    (void)state;
    struct hp_table t;
    struct hp_err err;
    const char *csv = "user,password,note\r\nann,\"p,w\",\"said \"\"hi\"\"\"\n"
                      "bob,x,\"two\nlines\"\n";
    assert_int_equal(hp_table_parse(csv, strlen(csv), "users.csv", &t, &err), 0);
    assert_int_equal(t.cols, 3);
    assert_int_equal(t.rows, 2);
    assert_string_equal(t.names[1], "password");
    assert_string_equal(t.cells[1], "p,w");
    assert_string_equal(t.cells[2], "said \"hi\"");
    assert_int_equal(t.lens[2], 9);
    assert_string_equal(t.cells[3], "bob");
    assert_string_equal(t.cells[5], "two\nlines");
    assert_int_equal(t.max_len[2], 9);
    hp_table_fini(&t);
}

static void table_errors_name_file_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *csv;
        int line;
        const char *says;
    } cases[] = {
        {"a,b\n1,2\n3\n", 3, "1 fields, but the header has 2 columns"},
        {"a,b\n1,2\n3,\"4\n", 4, "not closed"},
        {"a,b\n1,x\"y\n", 2, "quote"},
        {"a,a\n1,2\n", 1, "appears twice"},
        {"a,b\n", 2, "no rows"},
        {"", 1, "empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hp_table t;
        struct hp_err err = {0};
        int rc = hp_table_parse(cases[i].csv, strlen(cases[i].csv), "d.csv", &t, &err);
        if (rc == 0 || err.line != cases[i].line || !strstr(err.msg, cases[i].says))
            fprintf(stderr, "case %zu: rc %d line %d '%s'\n", i, rc, err.line, err.msg);
        assert_true(rc < 0);
        assert_string_equal(err.file, "d.csv");
        assert_int_equal(err.line, cases[i].line);
        assert_non_null(strstr(err.msg, cases[i].says));
        hp_table_fini(&t);
    }
}

static int parse_and_free(const char *csv)
{
    struct hp_table t;
    int rc = hp_table_parse(csv, strlen(csv), "d.csv", &t, NULL);
    hp_table_fini(&t);
    return rc;
}

static void table_survives_failed_allocations(void **state)
{
    (void)state;
    ALLOC_SWEEP(parse_and_free("user,id\nann,1\nbob,2\ncy,3\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(template_fills_placeholders),
        cmocka_unit_test(template_refuses_unknown_and_unclosed),
        cmocka_unit_test(table_reads_quoted_csv),
        cmocka_unit_test(table_errors_name_file_and_line),
        cmocka_unit_test(table_survives_failed_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
