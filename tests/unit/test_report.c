// SPDX-License-Identifier: MIT
/* tests/unit/test_report.c - report documents, their charts and renderers. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "core/err.h"
#include "core/result.h"
#include "stat/hist_result.h"
#include "report/build.h"
#include "report/doc.h"
#include "report/render.h"
#include "report/svg.h"
#include "stat/hist.h"

static void test_ticks_are_nice_and_cover(void **state)
{
    (void)state;
    double t[16], lo = 0, hi = 97;
    int n = hp_ticks_linear(&lo, &hi, 5, t, 16);
    assert_int_equal(n, 6);
    for (int i = 0; i < n; i++)
        assert_close(t[i], 20.0 * i, 0, 1e-9);
    assert_close(hi, 100, 0, 1e-9);

    lo = 0.13;
    hi = 0.87;
    n = hp_ticks_linear(&lo, &hi, 5, t, 16);
    assert_close(t[0], 0.0, 0, 1e-12);
    assert_close(t[n - 1], 1.0, 0, 1e-12);
    assert_close(t[1] - t[0], 0.2, 0, 1e-12);

    /* Durations in ns step in 1-2-5 of the unit: 0..7.3ms by 2ms. */
    lo = 0;
    hi = 7.3e6;
    n = hp_ticks_linear(&lo, &hi, 5, t, 16);
    assert_close(t[1], 2e6, 0, 1e-6);
    assert_true(t[n - 1] >= 7.3e6);

    /* A flat range still gets an axis. */
    lo = hi = 5;
    n = hp_ticks_linear(&lo, &hi, 5, t, 16);
    assert_true(n >= 2 && lo < 5 && hi > 5);
}

static void test_fmt_units(void **state)
{
    (void)state;
    char b[48];
    assert_string_equal(hp_report_fmt(1.5e6, "ns", b, sizeof b), "1.5ms");
    assert_string_equal(hp_report_fmt(0, "ns", b, sizeof b), "0s");
    assert_string_equal(hp_report_fmt(250, "ns", b, sizeof b), "250ns");
    assert_string_equal(hp_report_fmt(0.0123, "ratio", b, sizeof b), "1.23%");
    assert_string_equal(hp_report_fmt(2500, "1/s", b, sizeof b), "2.5k/s");
    assert_string_equal(hp_report_fmt(1048576, "bytes", b, sizeof b), "1MiB");
    assert_string_equal(hp_report_fmt(1200, "s", b, sizeof b), "20min");
    assert_string_equal(hp_report_fmt(12, "month", b, sizeof b), "12");
    assert_string_equal(hp_report_fmt(12000, "count", b, sizeof b), "12k");
}

/* Number of non-overlapping occurrences of needle in hay. */
static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

static char *render_svg(const struct hp_chart *c, bool standalone, bool data)
{
    static char *text; /* static: the stream writes through its address after we return */
    static size_t len;
    text = NULL;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    if (data)
        hp_svg_chart_data(f, c);
    else
        hp_svg_chart(f, c, standalone);
    fclose(f);
    return text;
}

/* A 3.03 s run: four intervals, the last 30 ms long. Drawn as steps from 0
 * to 3.03, the last one as narrow as it was, and the time axis ends at the
 * run's end, not at the next round number (4 s). */
static void test_intervals_are_drawn_at_their_real_length(void **state)
{
    (void)state;
    struct hp_rdoc *d = hp_rdoc_new("t");
    assert_non_null(d);
    struct hp_chart *c = hp_rdoc_chart(d, "rps", "per second", "time since start", "s", "rate",
                                       "1/s");
    assert_non_null(c);
    struct hp_series *s = hp_chart_series(c, "requests/s", HP_DRAW_STEP);
    assert_non_null(s);
    static const double t[] = {1, 2, 3, 3.03}, v[] = {6000, 6100, 5900, 6050};
    for (int i = 0; i < 4; i++)
        assert_int_equal(hp_series_add(s, t[i], v[i]), 0);
    char *svg = render_svg(c, true, true);
    assert_non_null(strstr(svg, "\"t0\":0,"));
    assert_non_null(strstr(svg, "\"t1\":3.0299999999999998"));
    free(svg);
    svg = render_svg(c, true, false);
    assert_null(strstr(svg, ">4s<")); /* no tick past the end */
    assert_non_null(strstr(svg, ">3s<"));
    /* M(x of 0),y0 H(x of 1) V.. H(x of 2) V.. H(x of 3) V.. H(x of 3.03, the right edge) */
    const char *p = strstr(svg, "<path class=\"step\" d=\"M");
    assert_non_null(p);
    double x0, y0, x1;
    assert_int_equal(sscanf(p + strlen("<path class=\"step\" d=\"M"), "%lf,%lfH%lf", &x0, &y0, &x1),
                     3);
    double width = HP_SVG_WIDTH - 72.0 - 24.0; /* less the margins */
    assert_close(x0, 72.0, 0, 0.1);
    assert_close(x1, 72.0 + width / 3.03, 0, 0.1);
    const char *end = strstr(p, "\"/>");
    const char *h = end;
    while (h > p && *h != 'H')
        h--;
    assert_close(strtod(h + 1, NULL), HP_SVG_WIDTH - 24.0, 0, 0.1);
    int hs = 0;
    for (const char *q = p; q < end; q++)
        hs += *q == 'H';
    assert_int_equal(hs, 4); /* one step per interval */
    free(svg);
    hp_rdoc_free(d);
}

static void test_svg_series_hold_every_point(void **state)
{
    (void)state;
    struct hp_rdoc *d = hp_rdoc_new("t");
    assert_non_null(d);
    struct hp_chart *c = hp_rdoc_chart(d, "x", "Title <&>", "time", "s", "latency", "ns");
    assert_non_null(c);
    struct hp_series *a = hp_chart_series(c, "line", HP_DRAW_LINE);
    struct hp_series *b = hp_chart_series(c, "</script><b>\"pts\"", HP_DRAW_POINTS);
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 1; i <= 5; i++)
        assert_int_equal(hp_series_add(a, i, i * 1e6), 0);
    assert_int_equal(hp_series_add(a, 6, NAN), 0); /* not added */
    assert_int_equal(a->n, 5);
    for (int i = 1; i <= 3; i++)
        assert_int_equal(hp_series_add(b, i, 2e6), 0);
    assert_int_equal(hp_chart_rule(c, "SLO", 4e6, false), 0);
    assert_int_equal(hp_chart_points(c), 8);

    char *svg = render_svg(c, false, false);
    assert_non_null(strstr(svg, "data-points=\"8\""));
    assert_non_null(strstr(svg, "data-n=\"5\""));
    assert_non_null(strstr(svg, "data-n=\"3\""));
    assert_int_equal(count(svg, "<polyline"), 1);
    assert_int_equal(count(svg, "<circle"), 3);
    /* 5 points in the polyline: 4 separating spaces inside points="..." */
    const char *pl = strstr(svg, "<polyline points=\"") + strlen("<polyline points=\"");
    int spaces = 0;
    for (const char *p = pl; *p != '"'; p++)
        spaces += *p == ' ';
    assert_int_equal(spaces, 4);
    assert_null(strstr(svg, "<b>"));
    assert_null(strstr(svg, "<&>"));
    assert_non_null(strstr(svg, "Title &lt;&amp;&gt;"));
    assert_non_null(strstr(svg, "class=\"rule\""));
    assert_null(strstr(svg, "xmlns")); /* inline: the page's namespace */
    free(svg);

    svg = render_svg(c, true, false);
    assert_non_null(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(svg, "<style>"));
    free(svg);

    char *json = render_svg(c, false, true);
    assert_null(strstr(json, "</script>")); /* cannot end the page's script element */
    assert_non_null(strstr(json, "\\u003c/script>"));
    assert_non_null(strstr(json, "\"x\":[1,2,3,4,5]"));
    assert_non_null(strstr(json, "\"yu\":\"ns\""));
    free(json);
    hp_rdoc_free(d);
}

/* y="..." of the n-th (from 0) rule label in svg, or NAN. */
static double rule_label_y(const char *svg, int n)
{
    const char *p = svg;
    for (int i = 0; i <= n; i++) {
        p = strstr(p, "class=\"rule-label\"");
        if (!p)
            return NAN;
        p++;
    }
    p = strstr(p, " y=\"");
    return p ? strtod(p + 4, NULL) : NAN;
}

/* A knee at 16 and a peak at 16.2 (as a real sweep had them): both labels
 * readable, one under the other, the one near the right edge turned left. */
static void test_svg_close_vertical_rules_do_not_overlap(void **state)
{
    (void)state;
    struct hp_rdoc *d = hp_rdoc_new("t");
    assert_non_null(d);
    struct hp_chart *c = hp_rdoc_chart(d, "x", "usl", "connections", "", "throughput", "1/s");
    assert_non_null(c);
    struct hp_series *a = hp_chart_series(c, "fit", HP_DRAW_LINE);
    assert_non_null(a);
    for (int i = 1; i <= 17; i++)
        assert_int_equal(hp_series_add(a, i, i * 100.0), 0);
    assert_int_equal(hp_chart_rule(c, "knee 16", 16, true), 0);
    assert_int_equal(hp_chart_rule(c, "peak 16.2", 16.2, true), 0);
    char *svg = render_svg(c, false, false);
    double y0 = rule_label_y(svg, 0), y1 = rule_label_y(svg, 1);
    assert_false(isnan(y0) || isnan(y1));
    assert_true(fabs(y1 - y0) >= 12); /* a line of 11 px text apart */
    assert_int_equal(count(svg, "text-anchor=\"end\">knee"), 0);
    free(svg);
    /* At the right edge of the plot a label reads leftwards. */
    double right = a->x[a->n - 1];
    assert_int_equal(hp_chart_rule(c, "the last connection count", right, true), 0);
    svg = render_svg(c, false, false);
    assert_int_equal(count(svg, "text-anchor=\"end\">the last connection count"), 1);
    free(svg);
    hp_rdoc_free(d);
}

static void test_nines_axis(void **state)
{
    (void)state;
    struct hp_rdoc *d = hp_rdoc_new("t");
    struct hp_chart *c = hp_rdoc_chart(d, "n", "Spectrum", "percentile", "pct", "latency", "ns");
    c->x_scale = HP_SCALE_NINES;
    struct hp_series *s = hp_chart_series(c, "p", HP_DRAW_LINE);
    assert_int_equal(hp_series_add(s, 0, 1), 0);
    assert_int_equal(hp_series_add(s, 99.9, 10), 0);
    char *svg = render_svg(c, false, false);
    /* ticks 0%, 90%, 99%, 99.9% */
    assert_non_null(strstr(svg, ">0%<"));
    assert_non_null(strstr(svg, ">90%<"));
    assert_non_null(strstr(svg, ">99%<"));
    assert_non_null(strstr(svg, ">99.9%<"));
    assert_null(strstr(svg, ">99.99%<"));
    free(svg);
    hp_rdoc_free(d);
}

/* ---- documents ---------------------------------------------------------- */

static struct hp_result *load_doc(bool with_hist, bool failing_threshold)
{
    struct hp_result *r = NULL;
    assert_int_equal(hp_result_new("load", &r), 0);
    hp_result_set_duration(r, 3.0);
    assert_int_equal(hp_result_config_str(r, "url", "http://127.0.0.1:1/"), 0);
    assert_int_equal(hp_result_config_str(r, "method", "GET"), 0);
    assert_int_equal(hp_result_config_str(r, "model", "open"), 0);
    assert_int_equal(hp_result_config_real(r, "rate_per_s", 1000), 0);
    assert_int_equal(hp_result_metric(r, "requests", 3000, "count"), 0);
    assert_int_equal(hp_result_metric(r, "sent", 3000, "count"), 0);
    assert_int_equal(hp_result_metric(r, "errors", 3, "count"), 0);
    assert_int_equal(hp_result_metric(r, "errors_timeout", 3, "count"), 0);
    assert_int_equal(hp_result_metric(r, "target_rate_per_s", 1000, "1/s"), 0);
    assert_int_equal(hp_result_metric(r, "sent_rate_per_s", 999, "1/s"), 0);
    for (int t = 1; t <= 3; t++) {
        assert_int_equal(hp_result_series_point(r, "requests_per_s", "1/s", t, 1000), 0);
        assert_int_equal(hp_result_series_point(r, "errors_per_s", "1/s", t, 1), 0);
        assert_int_equal(hp_result_series_point(r, "latency_p99_ns", "ns", t, t == 2 ? NAN : 5e6), 0);
    }
    if (with_hist) {
        struct hp_hist *h = NULL;
        assert_int_equal(hp_hist_new_latency(&h), 0);
        for (int i = 1; i <= 3000; i++)
            hp_hist_record(h, i * 1000);
        assert_int_equal(hp_result_histogram(r, "latency", "ns", h), 0);
        assert_int_equal(hp_result_histogram(r, "latency_uncorrected", "ns", h), 0);
        assert_int_equal(hp_result_histogram(r, "latency{name:home}", "ns", h), 0);
        hp_hist_free(h);
    }
    assert_int_equal(hp_result_metric(r, "requests{name:home}", 3000, "count"), 0);
    assert_int_equal(hp_result_threshold(r, "http_req_duration: p(99) < 300ms", true, 2.97e6, "ns"), 0);
    assert_int_equal(hp_result_threshold(r, "http_req_failed: rate < 0.01%", !failing_threshold,
                                         0.001, "ratio"), 0);
    return r;
}

static struct hp_result *sweep_doc(void)
{
    struct hp_result *r = NULL;
    assert_int_equal(hp_result_new("sweep", &r), 0);
    assert_int_equal(hp_result_config_str(r, "url", "http://127.0.0.1:1/"), 0);
    assert_int_equal(hp_result_config_int(r, "slo_p99_ns", 10000000), 0);
    static const double n[] = {1, 2, 4, 8, 16};
    for (int i = 0; i < 5; i++) {
        double x = 1000 * n[i] / (1 + 0.05 * (n[i] - 1) + 0.001 * n[i] * (n[i] - 1));
        assert_int_equal(hp_result_series_point(r, "throughput_per_s", "1/s", n[i], x), 0);
        assert_int_equal(hp_result_series_point(r, "latency_p99_ns", "ns", n[i], 2e6 * n[i]), 0);
    }
    assert_int_equal(hp_result_metric(r, "usl_sigma", 0.05, "ratio"), 0);
    assert_int_equal(hp_result_metric(r, "usl_kappa", 0.001, "ratio"), 0);
    assert_int_equal(hp_result_metric(r, "usl_lambda", 1000, "1/s"), 0);
    assert_int_equal(hp_result_metric(r, "knee_concurrency", 4, "count"), 0);
    assert_int_equal(hp_result_metric(r, "knee_throughput_per_s", 3500, "1/s"), 0);
    return r;
}

static const struct hp_block *find_chart(const struct hp_rdoc *d, const char *slug, int nth)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->blocks[i].kind == HP_B_CHART && strstr(d->blocks[i].chart->id, slug) && nth-- == 0)
            return &d->blocks[i];
    return NULL;
}

static void test_load_report_has_its_data(void **state)
{
    (void)state;
    struct hp_result *r = load_doc(true, true);
    struct hp_report_input in = {r, "dir/run.json"};
    struct hp_rdoc *d = NULL;
    struct hp_err err = {0};
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), 0);

    const struct hp_block *b = find_chart(d, "throughput", 0);
    assert_non_null(b);
    assert_int_equal(b->chart->n_series, 2);
    assert_int_equal(b->chart->series[0].n, 3);
    b = find_chart(d, "latency", 0);
    assert_non_null(b);
    assert_int_equal(b->chart->n_series, 1);
    assert_int_equal(b->chart->series[0].n, 2); /* the null point is left out */
    b = find_chart(d, "spectrum", 0);
    assert_non_null(b);
    assert_int_equal(b->chart->n_series, 2);
    assert_true(b->chart->series[0].n > 10);
    /* the spectrum rises and ends at the largest value recorded */
    const struct hp_series *s = &b->chart->series[0];
    for (size_t i = 1; i < s->n; i++)
        assert_true(s->y[i] >= s->y[i - 1] && s->x[i] > s->x[i - 1]);
    assert_close(s->y[s->n - 1], 3e6, 0.001, 0);

    /* a failing threshold row, a verdict, the per-request table */
    bool verdict = false, fail_row = false, home = false;
    for (size_t i = 0; i < d->n; i++) {
        const struct hp_block *k = &d->blocks[i];
        if (k->kind == HP_B_PARA && k->mark == HP_MARK_FAIL && strstr(k->text, "1 of 2"))
            verdict = true;
        if (k->kind == HP_B_TABLE)
            for (int row = 0; row < k->table->rows; row++) {
                if (k->table->row_mark[row] == HP_MARK_FAIL &&
                    strstr(hp_rtable_cell(k->table, row, 0), "http_req_failed"))
                    fail_row = true;
                if (strcmp(hp_rtable_cell(k->table, row, 0), "home") == 0 &&
                    strcmp(hp_rtable_cell(k->table, row, 2), "3000") == 0)
                    home = true;
            }
    }
    assert_true(verdict);
    assert_true(fail_row);
    assert_true(home);

    char *html = NULL;
    size_t len = 0;
    assert_int_equal(hp_report_html_text(d, "gen", &html, &len), 0);
    assert_int_equal(count(html, "<figure class=\"hp-fig\">"), 3);
    assert_int_equal(count(html, "class=\"hp-data\""), 3);
    assert_null(strstr(html, "http://127.0.0.1:1/\"")); /* no link or fetch of anything */
    assert_null(strstr(html, " src="));
    free(html);
    hp_rdoc_free(d);
    hp_result_free(r);
}

static void test_missing_fields_are_errors(void **state)
{
    (void)state;
    struct hp_result *r = load_doc(false, false);
    struct hp_report_input in = {r, "run.json"};
    struct hp_rdoc *d = NULL;
    struct hp_err err = {0};
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), HP_EFORMAT);
    assert_null(d);
    assert_string_equal(err.file, "run.json");
    assert_non_null(strstr(err.msg, "histograms.latency"));
    hp_result_free(r);

    assert_int_equal(hp_result_new("sweep", &r), 0);
    in.doc = r;
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), HP_EFORMAT);
    assert_non_null(strstr(err.msg, "series.throughput_per_s"));
    hp_result_free(r);

    assert_int_equal(hp_result_new("bench", &r), 0);
    in.doc = r;
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), HP_EFORMAT);
    assert_non_null(strstr(err.msg, "\"bench\""));
    hp_result_free(r);

    /* a test report of a capacity plan alone says what to use instead */
    assert_int_equal(hp_result_new("model", &r), 0);
    assert_int_equal(hp_result_config_str(r, "model", "plan"), 0);
    in.doc = r;
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_TEST, &d, &err), HP_EFORMAT);
    assert_non_null(strstr(err.msg, "capacity-plan"));
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_CAPACITY, &d, &err), HP_EFORMAT);
    assert_non_null(strstr(err.msg, "series.instances"));
    hp_result_free(r);

    /* a query digest without its classes, or a class without its time */
    assert_int_equal(hp_result_new("sql", &r), 0);
    in.doc = r;
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), HP_EFORMAT);
    assert_non_null(strstr(err.msg, "classes"));
    assert_int_equal(hp_result_metric(r, "statements", 3, "count"), 0);
    json_object_set_new(hp_result_json(r), "classes",
                        json_pack("[{s:s, s:s, s:i, s:f, s:f, s:f, s:i}, {s:s}]", "id", "0x1",
                                  "fingerprint", "SELECT ?", "calls", 3, "time_s", 0.5, "share",
                                  1.0, "mean_ns", 1.6e8, "max_ns", 200000000, "id", "0x2"));
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), HP_EFORMAT);
    assert_non_null(strstr(err.msg, "classes[1].fingerprint"));
    json_array_remove(json_object_get(hp_result_json(r), "classes"), 1);
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), 0);
    assert_null(find_chart(d, "sql-time", 0)); /* no times in the log: no chart over time */
    bool listed = false;
    for (size_t i = 0; i < d->n; i++)
        if (d->blocks[i].kind == HP_B_TABLE && d->blocks[i].table->rows == 1 &&
            strcmp(hp_rtable_cell(d->blocks[i].table, 0, 1), "0x1") == 0)
            listed = strcmp(hp_rtable_cell(d->blocks[i].table, 0, 9), "SELECT ?") == 0;
    assert_true(listed);
    hp_rdoc_free(d);
    hp_result_free(r);

    /* a cache result without its trace, then without results or curves */
    assert_int_equal(hp_result_new("cache", &r), 0);
    in.doc = r;
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), HP_EFORMAT);
    assert_non_null(strstr(err.msg, "config.trace"));
    assert_int_equal(hp_result_config_str(r, "trace", "t.bin"), 0);
    assert_int_equal(hp_result_config_str(r, "command", "sim"), 0);
    assert_int_equal(hp_result_config_str(r, "capacity_unit", "objects"), 0);
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), HP_EFORMAT);
    assert_non_null(strstr(err.msg, "tiers"));
    assert_int_equal(hp_result_series_point(r, "miss_ratio_lru", "ratio", 10, 0.5), 0);
    assert_int_equal(hp_result_series_point(r, "miss_ratio_lru", "ratio", 100, 0.2), 0);
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), 0);
    const struct hp_block *k = find_chart(d, "cache-mrc", 0);
    assert_non_null(k);
    assert_string_equal(k->chart->series[0].name, "lru");
    assert_int_equal(k->chart->series[0].n, 2);
    hp_rdoc_free(d);
    hp_result_free(r);
}

static void test_sweep_fit_knee_and_slo(void **state)
{
    (void)state;
    struct hp_result *a = sweep_doc(), *b = sweep_doc();
    struct hp_report_input in[2] = {{a, "a.json"}, {b, "b.json"}};
    struct hp_rdoc *d = NULL;
    struct hp_err err = {0};
    assert_int_equal(hp_report_build(in, 2, HP_REPORT_RESULTS, &d, &err), 0);
    const struct hp_block *k = find_chart(d, "usl", 0);
    assert_non_null(k);
    assert_int_equal(k->chart->n_series, 2);
    assert_int_equal(k->chart->series[0].n, 5);
    assert_int_equal(k->chart->series[0].draw, HP_DRAW_POINTS);
    /* the curve is the USL with the document's parameters */
    const struct hp_series *fit = &k->chart->series[1];
    double n = fit->x[fit->n / 2];
    assert_close(fit->y[fit->n / 2], 1000 * n / (1 + 0.05 * (n - 1) + 0.001 * n * (n - 1)), 1e-12, 0);
    assert_true(k->chart->n_rules >= 1 && k->chart->rules[0].vertical);
    assert_close(k->chart->rules[0].value, 4, 0, 0);
    k = find_chart(d, "sweep-latency", 0);
    assert_non_null(k);
    assert_int_equal(k->chart->n_rules, 1);
    assert_close(k->chart->rules[0].value, 1e7, 0, 0);
    /* two sweeps: an overlay of both */
    k = find_chart(d, "compare-usl", 0);
    assert_non_null(k);
    assert_int_equal(k->chart->n_series, 2);
    hp_rdoc_free(d);
    hp_result_free(a);
    hp_result_free(b);
}

static int build_and_render(struct hp_report_input *in, size_t n, enum hp_report_as as)
{
    struct hp_rdoc *d = NULL;
    struct hp_err err;
    int rc = hp_report_build(in, n, as, &d, &err);
    if (rc < 0)
        return rc;
    char *html = NULL;
    size_t len = 0;
    rc = hp_report_html_text(d, "gen", &html, &len);
    free(html);
    hp_rdoc_free(d);
    return rc;
}

static void test_alloc_failures_leak_nothing(void **state)
{
    (void)state;
    struct hp_result *a = load_doc(true, false), *b = load_doc(true, true), *s = sweep_doc();
    struct hp_report_input in[3] = {{a, "a.json"}, {b, "b.json"}, {s, "s.json"}};
    ALLOC_SWEEP(build_and_render(in, 3, HP_REPORT_RESULTS));
    ALLOC_SWEEP(build_and_render(in, 3, HP_REPORT_TEST));
    hp_result_free(a);
    hp_result_free(b);
    hp_result_free(s);
}

static void test_markdown_writes_charts_beside(void **state)
{
    (void)state;
    char dir[] = "/tmp/hp-report-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct hp_result *r = sweep_doc();
    struct hp_report_input in = {r, "s.json"};
    struct hp_rdoc *d = NULL;
    struct hp_err err = {0};
    assert_int_equal(hp_report_build(&in, 1, HP_REPORT_RESULTS, &d, &err), 0);
    char path[256], svg[300];
    snprintf(path, sizeof path, "%s/out.md", dir);
    assert_int_equal(hp_report_write_markdown(d, "gen", path, &err), 0);
    char *md = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    md = calloc(1, 1 << 16);
    len = fread(md, 1, (1 << 16) - 1, f);
    fclose(f);
    assert_true(len > 0);
    int charts = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (d->blocks[i].kind != HP_B_CHART)
            continue;
        charts++;
        snprintf(svg, sizeof svg, "](out-%s.svg)", d->blocks[i].chart->id);
        assert_non_null(strstr(md, svg));
        snprintf(svg, sizeof svg, "%s/out-%s.svg", dir, d->blocks[i].chart->id);
        struct stat st;
        assert_int_equal(stat(svg, &st), 0);
        assert_true(st.st_size > 500);
        unlink(svg);
    }
    assert_int_equal(charts, 2);
    assert_non_null(strstr(md, "| Connections | Throughput |"));
    assert_non_null(strstr(md, "| ---: | ---: |"));
    free(md);
    unlink(path);
    rmdir(dir);
    hp_rdoc_free(d);
    hp_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks_are_nice_and_cover),
        cmocka_unit_test(test_fmt_units),
        cmocka_unit_test(test_svg_series_hold_every_point),
        cmocka_unit_test(test_intervals_are_drawn_at_their_real_length),
        cmocka_unit_test(test_svg_close_vertical_rules_do_not_overlap),
        cmocka_unit_test(test_nines_axis),
        cmocka_unit_test(test_load_report_has_its_data),
        cmocka_unit_test(test_missing_fields_are_errors),
        cmocka_unit_test(test_sweep_fit_knee_and_slo),
        cmocka_unit_test(test_alloc_failures_leak_nothing),
        cmocka_unit_test(test_markdown_writes_charts_beside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
