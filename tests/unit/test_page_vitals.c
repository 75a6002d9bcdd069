// SPDX-License-Identifier: MIT
/* Unit tests for page/vitals.c and the page metrics of stat/threshold.c:
 * CLS's session windows (a gap of 1 s, at most 5 s, input excluded), TBT's
 * clipping to the first paint, INP's worst interaction, a request's phases
 * from Chromium's timing, thresholds over a page's runs, and a recorded
 * stream of the browser's messages (tests/data/page_trace.cdp) made into a
 * run: its waterfall on the page's clock, another session's request left
 * out, a failed request, secrets redacted, and the vitals. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "page/cdp.h"
#include "page/page.h"
#include "page/vitals.h"
#include "stat/threshold.h"
#include "testutil.h"

static void cls_windows(void **state)
{
    (void)state;
    /* two shifts 500 ms apart: one window; a third 1.5 s later opens
     * another; a shift after input never counts */
    struct hp_page_shift s[] = {
        {100, 0.05, false}, {600, 0.04, false}, {2100, 0.08, false}, {2200, 0.5, true}};
    assert_true(fabs(hp_page_cls(s, 4) - 0.09) < 1e-12);
    /* shifts every 900 ms never leave a gap of 1 s, but a window ends at 5 s */
    struct hp_page_shift t[8];
    for (int i = 0; i < 8; i++)
        t[i] = (struct hp_page_shift){i * 900.0, 0.01, false};
    /* 0, 900 ... 4500 (6 shifts) fit in the first 5 s; 5400, 6300 start the next */
    assert_true(fabs(hp_page_cls(t, 8) - 0.06) < 1e-12);
    assert_true(hp_page_cls(NULL, 0) == 0);
}

static void tbt_after_fcp(void **state)
{
    (void)state;
    struct hp_page_task t[] = {
        {0, 300},    /* before FCP (at 200): its 50 ms to 200 do not count, 200..300 does */
        {400, 200},  /* 150 */
        {700, 40},   /* short: nothing */
        {1000, 120}, /* 70, but the run ends at 1050: 0 */
    };
    assert_true(fabs(hp_page_tbt(t, 4, 200, 1050) - 250) < 1e-9);
    assert_true(isnan(hp_page_tbt(t, 4, NAN, 1050)));
}

static void inp_worst_interaction(void **state)
{
    (void)state;
    struct hp_page_event e[] = {
        {10, 40, 1}, {12, 120, 1}, /* one interaction: its longest event */
        {500, 80, 2}, {900, 300, 0}, /* not an interaction */
    };
    assert_true(hp_page_inp(e, 4) == 120);
    assert_true(isnan(hp_page_inp(e + 3, 1)));
}

static void phases(void **state)
{
    (void)state;
    /* sent at 10.000 s, requestTime 10.002; DNS 1..3, connect 3..8 (TLS
     * 5..8), send 8..9, headers at 59, finished at 10.070 */
    struct hp_page_timing_in in = {10.0, 10.002, 1, 3, 3, 8, 5, 8, 8, 9, 59, 10.070};
    struct hp_page_phases p;
    hp_page_phases(&in, &p);
    assert_true(fabs(p.blocked - 3) < 1e-9);
    assert_true(fabs(p.dns - 2) < 1e-9);
    assert_true(fabs(p.connect - 5) < 1e-9);
    assert_true(fabs(p.ssl - 3) < 1e-9);
    assert_true(fabs(p.send - 1) < 1e-9);
    assert_true(fabs(p.wait - 50) < 1e-9);
    assert_true(fabs(p.receive - 9) < 1e-6);
    assert_true(fabs(p.total - 70) < 1e-6);
    /* a reused connection: no DNS or connect (-1), blocked up to the send */
    struct hp_page_timing_in re = {10.0, 10.0, -1, -1, -1, -1, -1, -1, 0.5, 0.6, 20.6, 10.030};
    hp_page_phases(&re, &p);
    assert_true(p.dns == -1 && p.connect == -1 && p.ssl == -1);
    assert_true(fabs(p.blocked - 0.5) < 1e-9 && fabs(p.wait - 20) < 1e-9);
}

static void names(void **state)
{
    (void)state;
    assert_int_equal(hp_page_metric_find("lcp"), HP_PM_LCP);
    assert_int_equal(hp_page_metric_find("browser_web_vital_cls"), HP_PM_CLS);
    assert_int_equal(hp_page_metric_find("LCP"), HP_PM_LCP);
    assert_int_equal(hp_page_metric_find("nope"), -1);
    assert_string_equal(hp_page_metric_unit(HP_PM_CLS), "score");
}

static void thresholds_over_runs(void **state)
{
    (void)state;
    struct hp_threshold t;
    struct hp_err err;
    struct hp_threshold_result r;
    /* five runs' LCP in ns, sorted: p(75) interpolates between 4th and 5th */
    double lcp[] = {1e9, 1.2e9, 1.4e9, 2e9, 3e9};
    double cls[] = {0.02, 0.05, 0.12};
    struct hp_metric_set m = {0};
    m.samples[2] = lcp;
    m.n_samples[2] = 5;
    m.samples[3] = cls;
    m.n_samples[3] = 3;
    assert_int_equal(hp_threshold_parse("lcp: p(75) < 2500ms", &t, &err), 0);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.passed && fabs(r.measured - 2e9) < 1);
    assert_int_equal(hp_threshold_parse("browser_web_vital_lcp: med < 1s", &t, &err), 0);
    hp_threshold_eval(&t, &m, &r);
    assert_false(r.passed);
    assert_true(fabs(r.measured - 1.4e9) < 1);
    assert_int_equal(hp_threshold_parse("cls: max < 0.1", &t, &err), 0);
    hp_threshold_eval(&t, &m, &r);
    assert_false(r.passed);
    char buf[32];
    assert_string_equal(hp_threshold_format_value(&t, r.measured, buf, sizeof buf), "0.12");
    /* no runs measured it: no samples, failed */
    assert_int_equal(hp_threshold_parse("inp: p(75) < 200ms", &t, &err), 0);
    hp_threshold_eval(&t, &m, &r);
    assert_true(r.no_samples && !r.passed);
    /* durations need their unit here too, CLS a plain number */
    assert_int_equal(hp_threshold_parse("cls: p(75) < 0.1s", &t, &err), HP_EPARSE);
}

static const char *data_dir = "tests/data";

static void trace_into_run(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/page_trace.cdp", data_dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[16384];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct hp_cdp_reader r;
    hp_cdp_reader_init(&r, 0);
    assert_int_equal(hp_cdp_reader_feed(&r, buf, len), 0);
    json_t *msgs[32];
    size_t n = 0;
    json_t *m;
    struct hp_err err;
    while (n < 32 && hp_cdp_reader_next(&r, &m, &err) == 1)
        msgs[n++] = m;
    hp_cdp_reader_fini(&r);
    assert_int_equal(n, 12); /* 11 events and the figures */
    struct hp_page_run run;
    assert_int_equal(hp_page_take(&run, msgs, n - 1, "S", msgs[n - 1], "L"), 0);
    /* the net-internals request is another session's */
    assert_int_equal(run.nreqs, 3);
    const struct hp_page_req *doc = &run.reqs[0], *hero = &run.reqs[1], *gone = &run.reqs[2];
    /* the page's clock: the document's send start (100.002 s + 2 ms) is the
     * navigation's requestStart (6 ms), so Network time T is T * 1000 - 99998 */
    assert_close(doc->start, 2.0, 0, 1e-6);
    assert_close(doc->end, 12.0, 0, 1e-6);
    assert_close(hero->start, 42.0, 0, 1e-6);
    assert_close(hero->end, 352.0, 0, 1e-6);
    assert_close(doc->ph.connect, 1.0, 0, 1e-9);
    assert_close(doc->ph.wait, 5.0, 0, 1e-9);
    assert_close(hero->ph.wait, 301.0, 0, 1e-9);
    assert_true(hero->ph.connect == -1);
    assert_int_equal(doc->status, 200);
    assert_int_equal(doc->transfer, 4400);
    assert_int_equal(doc->body, 4200);
    assert_string_equal(doc->remote, "127.0.0.1:8080");
    assert_string_equal(json_string_value(json_object_get(doc->req_headers, "Cookie")),
                        "[redacted]");
    assert_true(gone->failed);
    assert_string_equal(gone->error, "net::ERR_CONNECTION_REFUSED");
    /* the vitals: the last LCP candidate; shifts 200 and 600 in one window;
     * the task at 100 (200 ms) blocks 150 ms after the FCP at 50, the one at
     * 30 (60 ms) none past its 50 ms that falls after it... 30+50=80 > 50:
     * 10 ms; INP the interaction's longest event */
    assert_close(run.m[HP_PM_TTFB], 11, 0, 1e-9);
    assert_close(run.m[HP_PM_LCP], 380, 0, 1e-9);
    assert_string_equal(run.lcp_element, "img#hero");
    assert_close(run.m[HP_PM_CLS], 0.1, 0, 1e-9);
    assert_close(run.m[HP_PM_TBT], 160, 0, 1e-9);
    assert_close(run.m[HP_PM_INP], 160, 0, 1e-9);
    assert_close(run.m[HP_PM_REQUESTS], 3, 0, 0);
    assert_close(run.m[HP_PM_TRANSFER], 4400 + 45200, 0, 0);
    json_t *j = hp_page_run_json(&run);
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "requests")), 3);
    assert_true(json_integer_value(json_object_get(j, "requests_count")) == 3 ||
                json_real_value(json_object_get(j, "requests_count")) == 3);
    json_decref(j);
    hp_page_run_fini(&run);
    for (size_t i = 0; i < n; i++)
        json_decref(msgs[i]);
}

int main(int argc, char **argv)
{
    data_dir = argc > 1 ? argv[1] : data_dir;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cls_windows),        cmocka_unit_test(tbt_after_fcp),
        cmocka_unit_test(inp_worst_interaction), cmocka_unit_test(phases),
        cmocka_unit_test(names),              cmocka_unit_test(thresholds_over_runs),
        cmocka_unit_test(trace_into_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
