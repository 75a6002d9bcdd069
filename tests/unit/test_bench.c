// SPDX-License-Identifier: MIT
/* tests/unit/test_bench.c - bench's command lines and figures: words split
 * as a POSIX shell would (checked against sh itself), parameters expanded
 * as hyperfine expands them (its own test cases), and the summary of runs
 * (outliers, a slow first run, exit codes that vary). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/cmdline.h"
#include "core/alloc.h"
#include "testutil.h"

/* The words sh itself makes of line: `printf '%s\0' LINE`, read back. */
static int sh_words(const char *line, char out[][64], int max)
{
    char script[512];
    snprintf(script, sizeof script, "printf '%%s\\0' %s", line);
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[2048];
    size_t len = 0;
    ssize_t n;
    while ((n = read(fd[0], buf + len, sizeof buf - len)) > 0)
        len += (size_t)n;
    close(fd[0]);
    waitpid(pid, NULL, 0);
    int k = 0;
    for (size_t at = 0; at < len && k < max; at += strlen(buf + at) + 1)
        snprintf(out[k++], 64, "%s", buf + at);
    return k;
}

static void words_split_as_sh_does(void **state)
{
    (void)state;
    const char *lines[] = {
        "grep -r TODO src",
        "  a   b\tc  ",
        "echo 'single quoted $HOME' x",
        "echo \"double \\\" \\\\ \\$ \\a\" y",
        "a\\ b c\\'d",
        "pre'fix'\"mid\"post",
        "x '' \"\" y",
        "one # a comment",
        "a#b c",
        "tab\\\tjoined",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        char want[16][64];
        int nwant = sh_words(lines[i], want, 16);
        char **argv;
        int argc;
        assert_int_equal(hp_shell_split(lines[i], &argv, &argc, NULL), 0);
        if (argc != nwant)
            fail_msg("'%s': %d words, sh makes %d", lines[i], argc, nwant);
        for (int k = 0; k < argc; k++)
            if (strcmp(argv[k], want[k]) != 0)
                fail_msg("'%s': word %d is '%s', sh says '%s'", lines[i], k, argv[k], want[k]);
        assert_null(argv[argc]);
        hp_free(argv);
    }
    char **argv;
    int argc;
    struct hp_err err = {0};
    assert_int_equal(hp_shell_split("echo 'open", &argv, &argc, &err), HP_EPARSE);
    assert_non_null(strstr(err.msg, "column 6"));
    assert_int_equal(hp_shell_split("echo \"open", &argv, &argc, &err), HP_EPARSE);
    assert_int_equal(hp_shell_split("   ", &argv, &argc, NULL), 0);
    assert_int_equal(argc, 0);
    hp_free(argv);
}

static void subst_never_inside_a_replacement(void **state)
{
    (void)state;
    /* hyperfine's test_get_command_line_nonoverlapping */
    struct hp_param p[] = {{"bar", (char *)"quux"}, {"foo", (char *)"{bar} baz"}};
    char *s = hp_param_subst("echo {foo} {bar}", p, 2);
    assert_string_equal(s, "echo {bar} baz quux");
    hp_free(s);
    s = hp_param_subst("{foo{bar}} {unknown} {", p, 2);
    assert_string_equal(s, "{fooquux} {unknown} {");
    hp_free(s);
}

static struct hp_bench_cmd *expand(struct hp_cmd_spec *sp, int *n, int want_rc)
{
    struct hp_bench_cmd *c = NULL;
    struct hp_err err = {0};
    int rc = hp_bench_cmds(sp, &c, n, &err);
    if (rc != want_rc)
        fail_msg("rc %d (%s), wanted %d", rc, err.msg, want_rc);
    return c;
}

static void scans_expand_as_hyperfines(void **state)
{
    (void)state;
    const char *lines[] = {"sleep {x}", "usleep {x}"};
    /* hyperfine's test_integer_range: 0..10 step 3 is 0, 3, 6, 9 */
    struct hp_cmd_spec sp = {.lines = lines,
                             .nlines = 1,
                             .scan_name = "x",
                             .scan_min = "0",
                             .scan_max = "10",
                             .scan_step = "3"};
    int n;
    struct hp_bench_cmd *c = expand(&sp, &n, 0);
    assert_int_equal(n, 4);
    assert_string_equal(c[3].line, "sleep 9");
    assert_string_equal(c[3].params[0].value, "9");
    hp_bench_cmds_free(c, n);
    /* test_decimal_range: 0..1 by 0.1 is eleven, 0 first, 1.0 last (the
     * sum keeps the step's scale) */
    sp.scan_max = "1";
    sp.scan_step = "0.1";
    c = expand(&sp, &n, 0);
    assert_int_equal(n, 11);
    assert_string_equal(c[0].line, "sleep 0");
    assert_string_equal(c[1].line, "sleep 0.1");
    assert_string_equal(c[10].line, "sleep 1.0");
    hp_bench_cmds_free(c, n);
    /* two commands: each value with every command, commands fastest */
    sp.nlines = 2;
    sp.scan_min = "1";
    sp.scan_max = "2";
    sp.scan_step = NULL;
    c = expand(&sp, &n, 0);
    assert_int_equal(n, 4);
    assert_string_equal(c[0].line, "sleep 1");
    assert_string_equal(c[1].line, "usleep 1");
    assert_string_equal(c[2].line, "sleep 2");
    hp_bench_cmds_free(c, n);
    /* decimals need a step; an empty range and a zero step are refused */
    sp.scan_max = "2.5";
    expand(&sp, &n, HP_EUSAGE);
    sp.scan_max = "0";
    expand(&sp, &n, HP_EUSAGE);
    sp.scan_max = "5";
    sp.scan_step = "0";
    expand(&sp, &n, HP_EUSAGE);
    sp.scan_min = "0";
    sp.scan_max = "200000";
    sp.scan_step = NULL;
    expand(&sp, &n, HP_EUSAGE); /* past 100,000 values */
}

static void lists_make_every_combination(void **state)
{
    (void)state;
    const char *lines[] = {"{c} -O{o} x.c"};
    const char *names[] = {"{c} at -O{o}"};
    struct hp_param_list l[] = {{"c", "gcc,clang"}, {"o", "1,2\\,3,\\\\"}};
    struct hp_cmd_spec sp = {
        .lines = lines, .nlines = 1, .names = names, .nnames = 1, .lists = l, .nlists = 2};
    int n;
    struct hp_bench_cmd *c = expand(&sp, &n, 0);
    assert_int_equal(n, 6);
    /* the first list varies fastest after the commands */
    assert_string_equal(c[0].line, "gcc -O1 x.c");
    assert_string_equal(c[1].line, "clang -O1 x.c");
    assert_string_equal(c[2].line, "gcc -O2,3 x.c");
    assert_string_equal(c[5].line, "clang -O\\ x.c");
    assert_string_equal(c[1].name, "clang at -O1");
    assert_int_equal(c[0].nparams, 2);
    assert_string_equal(c[0].params[0].name, "c"); /* sorted by name */
    hp_bench_cmds_free(c, n);
    /* names: one for all, or one each; a name twice is refused */
    const char *two[] = {"a", "b"};
    sp.names = two;
    sp.nnames = 2;
    expand(&sp, &n, HP_EUSAGE);
    struct hp_param_list dup[] = {{"c", "1"}, {"c", "2"}};
    sp.lists = dup;
    sp.nnames = 0;
    expand(&sp, &n, HP_EUSAGE);
    /* no parameters: names in order, not more names than commands */
    const char *cmds[] = {"true", "false"};
    struct hp_cmd_spec plain = {.lines = cmds, .nlines = 2, .names = two, .nnames = 1};
    c = expand(&plain, &n, 0);
    assert_string_equal(c[0].name, "a");
    assert_string_equal(c[1].name, "false");
    hp_bench_cmds_free(c, n);
    const char *three[] = {"a", "b", "c"};
    plain.names = three;
    plain.nnames = 3;
    expand(&plain, &n, HP_EUSAGE);
}

static void summary_flags_outliers_and_codes(void **state)
{
    (void)state;
    struct hp_bench b = {0};
    struct hp_bench_cmd cmd = {.line = (char *)"x", .name = (char *)"x"};
    struct hp_bench_result r = {.cmd = &cmd};
    struct hp_run runs[20];
    memset(runs, 0, sizeof runs);
    for (int i = 0; i < 20; i++)
        runs[i].wall_s = 0.100 + 0.001 * (i % 5); /* median 0.102, MAD 0.001 */
    runs[0].wall_s = 0.5;                         /* a slow first run */
    runs[7].wall_s = 0.4;
    runs[9].exit_code = 3;
    runs[4].max_rss_bytes = 5 << 20;
    r.runs = runs;
    r.nruns = 20;
    hp_bench_summarise(&b, &r);
    assert_int_equal(r.outliers, 2);
    assert_true(r.slow_first);
    assert_int_equal(r.failed, 1);
    assert_true(r.codes_vary);
    assert_int_equal(r.rss_max, 5 << 20);
    assert_close(r.min_s, 0.100, 0, 1e-12);
    assert_close(r.max_s, 0.5, 0, 1e-12);
    assert_true(r.median_ci.reached);
    assert_true(r.median_ci.lo <= r.median_s && r.median_s <= r.median_ci.hi);
    /* hyperfine's relative speed and its error */
    struct hp_bench_result f = {.mean_s = 1.0, .stddev_s = 0.1, .nruns = 10};
    struct hp_bench_result s = {.mean_s = 2.0, .stddev_s = 0.2, .nruns = 10};
    double ratio, sd;
    hp_bench_relative(&s, &f, &ratio, &sd);
    assert_close(ratio, 2.0, 0, 1e-12);
    assert_close(sd, 2.0 * sqrt(0.01 + 0.01), 1e-12, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_split_as_sh_does),
        cmocka_unit_test(subst_never_inside_a_replacement),
        cmocka_unit_test(scans_expand_as_hyperfines),
        cmocka_unit_test(lists_make_every_combination),
        cmocka_unit_test(summary_flags_outliers_and_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
