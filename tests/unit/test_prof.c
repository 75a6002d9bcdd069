// SPDX-License-Identifier: MIT
/* tests/unit/test_prof.c - stacks read from folded text and perf script,
 * merged exactly; folded output round-trips; flame graphs draw every frame
 * at its width, and a diff of a profile with itself is neutral. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include <unistd.h>
#include <xxhash.h>

#include "prof/flame.h"
#include "prof/stacks.h"
#include "prof/symbols.h"

static char *folded_text(struct hp_stacks *s, int which)
{
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(hp_stacks_sort(s), 0);
    assert_int_equal(hp_stacks_folded(s, which, &buf, &len), 0);
    assert_int_equal(strlen(buf), len);
    return buf;
}

static void folded_stacks_merge_and_round_trip(void **state)
{
    (void)state;
    struct hp_stacks s;
    struct hp_err err;
    bool perf = true;
    assert_int_equal(hp_stacks_init(&s), 0);
    const char *in = "# a comment\n"
                     "main;work;hot 30\n"
                     "main;work 5\n"
                     "main;io;read 7\n"
                     "\n"
                     "main;work;hot 12\n"
                     "main;work;cold;;x 1\r\n";
    assert_int_equal(hp_stacks_parse(&s, "t.folded", in, strlen(in), 0, &perf, &err), 0);
    assert_false(perf);
    assert_int_equal(s.nodes[HP_STACKS_ROOT].total[0], 55);
    char *out = folded_text(&s, 0);
    assert_string_equal(out, "main;io;read 7\n"
                             "main;work 5\n"
                             "main;work;cold;x 1\n"
                             "main;work;hot 42\n");
    /* and the output read back is itself */
    struct hp_stacks t;
    assert_int_equal(hp_stacks_init(&t), 0);
    assert_int_equal(hp_stacks_parse(&t, "again", out, strlen(out), 0, NULL, &err), 0);
    char *again = folded_text(&t, 0);
    assert_string_equal(again, out);
    free(again);
    /* merged into another tree's other counts: the same stacks there, the
     * tree's own counts untouched */
    assert_int_equal(hp_stacks_merge(&t, &s, 0, 1), 0);
    char *merged = folded_text(&t, 1);
    assert_string_equal(merged, out);
    assert_int_equal(t.nodes[HP_STACKS_ROOT].total[0], 55);
    assert_int_equal(t.nodes[HP_STACKS_ROOT].total[1], 55);
    free(merged);
    free(out);
    hp_stacks_fini(&t);
    /* errors name the line */
    const char *bad = "main;f 3\nmain;g three\n";
    assert_int_equal(hp_stacks_parse(&s, "bad.folded", bad, strlen(bad), 0, NULL, &err), HP_EPARSE);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.file, "bad.folded");
    hp_stacks_fini(&s);
}

/* What `perf script` prints for three samples of cpu-clock (one of another
 * event, left out), with a command holding a space, offsets, an unknown
 * symbol and a kernel frame. */
static const char perf_text[] =
    "# ========\n"
    "# captured on    : Thu Dec  3 06:51:00 2026\n"
    "# ========\n"
    "#\n"
    "my app  5453/5454 [000]  9991.713655:    1001001 cpu-clock:pppH: \n"
    "\tffffffff8106aa8a native_write_msr+0xa ([kernel.kallsyms])\n"
    "\t            114e hot+0x15 (/tmp/t)\n"
    "\t            1200 main+0x20 (/tmp/t)\n"
    "\t           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
    "\n"
    "my app  5453/5454 [001]  9991.714673:    1001001 cpu-clock:pppH: \n"
    "\t            115e hot+0x25 (/tmp/t)\n"
    "\t            1200 main+0x20 (/tmp/t)\n"
    "\t           2724a __libc_start_call_main+0x7a (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
    "\n"
    "my app  5453/5454 [001]  9991.714999:    1 page-faults: \n"
    "\t            115e hot+0x25 (/tmp/t)\n"
    "\n"
    "my app  5453 [001]  9991.715686:    1001001 cpu-clock:pppH: \n"
    "\t    7f0000001234 [unknown] (/usr/lib/x86_64-linux-gnu/libfoo.so.1)\n"
    "\t            1200 main+0x20 (/tmp/t)\n"
    "\t    7f0000009999 [unknown] ([unknown])\n"
    "\n";

static void perf_script_is_collapsed_exactly(void **state)
{
    (void)state;
    struct hp_stacks s;
    struct hp_err err;
    bool perf = false;
    assert_int_equal(hp_stacks_init(&s), 0);
    assert_int_equal(hp_stacks_parse(&s, "t.perf", perf_text, sizeof perf_text - 1, 0, &perf, &err),
                     0);
    assert_true(perf);
    assert_string_equal(s.event, "cpu-clock");
    assert_int_equal(s.other_events, 1);
    char *out = folded_text(&s, 0);
    assert_string_equal(out, "my app;[unknown];main;[libfoo.so.1] 1\n"
                             "my app;__libc_start_call_main;main;hot 1\n"
                             "my app;__libc_start_call_main;main;hot;native_write_msr 1\n");
    free(out);
    /* a frame before any header is named */
    const char *bad = "\t114e hot+0x15 (/tmp/t)\n";
    assert_int_equal(hp_stacks_parse(&s, "x", bad, strlen(bad), 0, NULL, &err), HP_EPARSE);
    hp_stacks_fini(&s);
}

static char *svg_of(struct hp_stacks *s, const struct hp_flame_opts *o, uint64_t *frames)
{
    static char *buf;
    static size_t len;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(hp_stacks_sort(s), 0);
    assert_int_equal(hp_flame_svg(s, o, f, frames), 0);
    fclose(f);
    char *out = buf;
    buf = NULL;
    return out;
}

/* The width of the frame whose title starts with name. */
static double width_of(const char *svg, const char *name)
{
    char key[128];
    snprintf(key, sizeof key, "<title>%s (", name);
    const char *t = strstr(svg, key);
    assert_non_null(t);
    const char *w = strstr(t, "width=\"");
    assert_non_null(w);
    return strtod(w + 7, NULL);
}

static void flame_graphs_draw_widths_and_neutral_diffs(void **state)
{
    (void)state;
    struct hp_stacks s;
    struct hp_err err;
    assert_int_equal(hp_stacks_init(&s), 0);
    const char *in = "main;a;x 60\nmain;b 30\nmain;a 10\n";
    assert_int_equal(hp_stacks_parse(&s, "in", in, strlen(in), 0, NULL, &err), 0);
    uint64_t frames;
    struct hp_flame_opts o = {.width = 1020}; /* 1000 pixels for 100 samples */
    char *svg = svg_of(&s, &o, &frames);
    assert_int_equal(frames, 5); /* all, main, a, x, b */
    assert_true(fabs(width_of(svg, "all") - 1000) < 0.01);
    assert_true(fabs(width_of(svg, "a") - 700) < 0.01);
    assert_true(fabs(width_of(svg, "x") - 600) < 0.01);
    assert_true(fabs(width_of(svg, "b") - 300) < 0.01);
    assert_non_null(strstr(svg, "<title>a (70 samples, 70.00%)"));
    free(svg);
    /* a frame narrower than min_width is left out, with its callees */
    o.min_width = 400;
    svg = svg_of(&s, &o, &frames);
    assert_int_equal(frames, 4);
    assert_null(strstr(svg, "<title>b ("));
    free(svg);

    /* a diff of a profile with itself: every frame grey */
    assert_int_equal(hp_stacks_parse(&s, "in", in, strlen(in), 1, NULL, &err), 0);
    struct hp_flame_opts d = {.diff = true};
    svg = svg_of(&s, &d, &frames);
    assert_int_equal(frames, 5);
    int grey = 0;
    for (const char *p = svg; (p = strstr(p, "fill=\"rgb(")); p++)
        grey += strncmp(p, "fill=\"rgb(225,225,225)\"", 23) == 0;
    assert_int_equal(grey, 5);
    free(svg);
    hp_stacks_fini(&s);

    /* b grew from 30% to 60%: red; a shrank: blue; main stayed: grey */
    assert_int_equal(hp_stacks_init(&s), 0);
    const char *after = "main;a;x 30\nmain;b 60\nmain;a 10\n";
    assert_int_equal(hp_stacks_parse(&s, "before", in, strlen(in), 0, NULL, &err), 0);
    assert_int_equal(hp_stacks_parse(&s, "after", after, strlen(after), 1, NULL, &err), 0);
    svg = svg_of(&s, &d, &frames);
    assert_non_null(strstr(svg, "<title>b (60 samples, 60.00%; was 30.00%: +30.00 points)"));
    const char *b = strstr(svg, "<title>b (");
    assert_non_null(strstr(b, "fill=\"rgb(255,0,0)\"")); /* the largest change: deepest red */
    const char *main_ = strstr(svg, "<title>main (");
    assert_int_equal(strncmp(strstr(main_, "fill="), "fill=\"rgb(225,225,225)\"", 23), 0);
    const char *a = strstr(svg, "<title>a (");
    assert_int_equal(strncmp(strstr(a, "fill="), "fill=\"rgb(", 10), 0);
    assert_true(strstr(a, "fill=\"rgb(") == strstr(a, "fill=\"rgb(0,0,255)\""));
    free(svg);
    hp_stacks_fini(&s);
}

/* A function of this (PIE) executable and one of a shared library, named
 * through this process's own mappings and their ELF symbol tables. */
__attribute__((noinline)) int hp_test_marker_function(int x);
__attribute__((noinline)) int hp_test_marker_function(int x)
{
    return x * 3 + 1;
}

static void addresses_are_named_through_the_mappings(void **state)
{
    (void)state;
    struct hp_syms *y;
    char buf[256];
    assert_int_equal(hp_syms_new(&y), 0);
    assert_int_equal(hp_syms_read_maps(y, getpid()), 0);
    uint64_t own = (uint64_t)(uintptr_t)&hp_test_marker_function;
    assert_string_equal(hp_syms_user(y, getpid(), own, buf, sizeof buf), "hp_test_marker_function");
    assert_string_equal(hp_syms_user(y, getpid(), own + 4, buf, sizeof buf),
                        "hp_test_marker_function");
    uint64_t lib = (uint64_t)(uintptr_t)&XXH3_64bits;
    assert_string_equal(hp_syms_user(y, getpid(), lib, buf, sizeof buf), "XXH3_64bits");
    /* nothing mapped there */
    assert_string_equal(hp_syms_user(y, getpid(), 16, buf, sizeof buf), "[unknown]");
    /* a JIT's code, named through its /tmp/perf-PID.map */
    const int jit_pid = 2000000001; /* above any pid_max: never a live process */
    char map_path[64];
    snprintf(map_path, sizeof map_path, "/tmp/perf-%d.map", jit_pid);
    FILE *jf = fopen(map_path, "w");
    assert_non_null(jf);
    fputs("7f0000001000 100 LazyCompile:*handler /app/server.js:12\n"
          "7f0000002000 40 Builtin:ArrayMap\n",
          jf);
    fclose(jf);
    assert_string_equal(hp_syms_user(y, jit_pid, 0x7f0000001080, buf, sizeof buf),
                        "LazyCompile:*handler /app/server.js:12");
    assert_string_equal(hp_syms_user(y, jit_pid, 0x7f0000002010, buf, sizeof buf),
                        "Builtin:ArrayMap");
    assert_string_equal(hp_syms_user(y, jit_pid, 0x7f0000003000, buf, sizeof buf), "[unknown]");
    unlink(map_path);
    /* a mapping of a file without symbols is named after the file */
    assert_int_equal(hp_syms_add_map(y, 99999, 0x1000, 0x1000, 0, "/nonexistent/libgone.so.3"), 0);
    assert_string_equal(hp_syms_user(y, 99999, 0x1800, buf, sizeof buf), "[libgone.so.3]");
    hp_syms_free(y);
    /* C++ names are shown demangled; others as they are */
    assert_string_equal(hp_syms_demangle("_ZN3foo3barEi", buf, sizeof buf), "foo::bar(int)");
    assert_string_equal(hp_syms_demangle("_ZNSt6vectorIiSaIiEE9push_backERKi", buf, sizeof buf),
                        "std::vector<int, std::allocator<int> >::push_back(int const&)");
    assert_string_equal(hp_syms_demangle("main", buf, sizeof buf), "main");
    assert_string_equal(hp_syms_demangle("_Zbogus", buf, sizeof buf), "_Zbogus");
}

static int stacks_some(void)
{
    struct hp_stacks s;
    struct hp_err err;
    int rc = hp_stacks_init(&s);
    if (rc < 0)
        return rc;
    static char text[1 << 16];
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "main;f%d;g%d %d\n", i % 17, i, i + 1);
    rc = hp_stacks_parse(&s, "x", text, n, 0, NULL, &err);
    if (rc == 0)
        rc = hp_stacks_sort(&s);
    hp_stacks_fini(&s);
    return rc;
}

static void stacks_alloc_failures_leak_nothing(void **state)
{
    (void)state;
    ALLOC_SWEEP(stacks_some());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folded_stacks_merge_and_round_trip),
        cmocka_unit_test(perf_script_is_collapsed_exactly),
        cmocka_unit_test(flame_graphs_draw_widths_and_neutral_diffs),
        cmocka_unit_test(addresses_are_named_through_the_mappings),
        cmocka_unit_test(stacks_alloc_failures_leak_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
