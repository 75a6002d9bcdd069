// SPDX-License-Identifier: MIT
/* report/page_section.c - see page_section.h. */
#include "report/page_section.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/units.h"
#include "report/section_int.h"
#include "report/svg.h"

/* The common bands (web.dev's for the Core Web Vitals, Lighthouse's for
 * TBT): good up to `good`, poor beyond `poor`, needs improvement between. */
static const struct vital {
    const char *metric, *label, *run_key;
    double good, poor; /* ms, or a score */
    bool score;
} vitals[] = {
    {"ttfb", "TTFB", "ttfb_ms", 800, 1800, false},
    {"fcp", "FCP", "fcp_ms", 1800, 3000, false},
    {"lcp", "LCP", "lcp_ms", 2500, 4000, false},
    {"cls", "CLS", "cls", 0.1, 0.25, true},
    {"tbt", "TBT", "tbt_ms", 200, 600, false},
    {"inp", "INP", "inp_ms", 200, 500, false},
    {"dom_content_loaded", "DOMContentLoaded", "dom_content_loaded_ms", NAN, NAN, false},
    {"load", "load", "load_ms", NAN, NAN, false},
};

static void fmt(const struct vital *v, double x, char *buf, size_t size)
{
    if (!isfinite(x))
        snprintf(buf, size, "-");
    else if (v->score)
        snprintf(buf, size, "%.3f", x);
    else
        hp_format_duration((int64_t)llround(x * 1e6), buf, size);
}

static const char *rating(const struct vital *v, double x, enum hp_mark *mark)
{
    if (!isfinite(v->good) || !isfinite(x)) {
        *mark = HP_MARK_NONE;
        return "";
    }
    if (x <= v->good) {
        *mark = HP_MARK_PASS;
        return "good";
    }
    if (x <= v->poor) {
        *mark = HP_MARK_NOTE;
        return "needs improvement";
    }
    *mark = HP_MARK_FAIL;
    return "poor";
}

static int vitals_table(struct hp_rdoc *d, const struct hp_report_input *in)
{
    static const char *const hdr[] = {"Metric", "Median>", "95% CI of the median>", "Min>",
                                      "Max>", "Rating", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    for (size_t i = 0; i < sizeof vitals / sizeof *vitals; i++) {
        const struct vital *v = &vitals[i];
        double med, lo, hi, mn, mx, s = v->score ? 1 : 1e6; /* metrics are ns */
        char key[64];
        if (!hp_report_metric(in, v->metric, &med))
            continue;
        snprintf(key, sizeof key, "%s_ci_low", v->metric);
        lo = hp_report_metric_or(in, key, NAN);
        snprintf(key, sizeof key, "%s_ci_high", v->metric);
        hi = hp_report_metric_or(in, key, NAN);
        snprintf(key, sizeof key, "%s_min", v->metric);
        mn = hp_report_metric_or(in, key, NAN);
        snprintf(key, sizeof key, "%s_max", v->metric);
        mx = hp_report_metric_or(in, key, NAN);
        char a[32], b[32], c[32], e[32], f[32], ci[80];
        fmt(v, med / s, a, sizeof a);
        fmt(v, lo / s, b, sizeof b);
        fmt(v, hi / s, c, sizeof c);
        fmt(v, mn / s, e, sizeof e);
        fmt(v, mx / s, f, sizeof f);
        snprintf(ci, sizeof ci, "%s to %s", b, c);
        enum hp_mark mark;
        const char *r = rating(v, med / s, &mark);
        const char *cells[] = {v->label, a, ci, e, f, r};
        TRY(hp_rtable_row(t, mark, cells));
    }
    return 0;
}

/* Each run's times, with the LCP's good and poor bands as rules. */
static int runs_chart(struct hp_rdoc *d, json_t *runs)
{
    struct hp_chart *c = hp_rdoc_chart(d, "page-runs", "Each run's timings", "run", "count",
                                       "time since the navigation started", "ns");
    NEED(c);
    c->y_from_zero = true;
    static const int show[] = {0, 1, 2, 7}; /* TTFB, FCP, LCP, load */
    for (size_t k = 0; k < sizeof show / sizeof *show; k++) {
        const struct vital *v = &vitals[show[k]];
        struct hp_series *s = hp_chart_series(c, v->label, HP_DRAW_BOTH);
        NEED(s);
        json_t *r;
        size_t i;
        json_array_foreach(runs, i, r)
            TRY(hp_series_add(s, (double)(i + 1), hp_report_num(r, v->run_key) * 1e6));
    }
    /* the good band's edge, when a run comes near it (else it only squeezes the lines) */
    json_t *r;
    size_t i;
    bool near = false;
    json_array_foreach(runs, i, r)
        near = near || hp_report_num(r, "lcp_ms") > 1000;
    return near ? hp_chart_rule(c, "LCP good (2.5 s)", 2500e6, false) : 0;
}

/* ---- the waterfall ---------------------------------------------------- */

/* A request's label: its path (and query), or the whole URL from another
 * origin; cut to max characters from the end. */
static void label_of(const char *url, const char *page_origin, char *out, size_t max)
{
    const char *p = url;
    size_t ol = strlen(page_origin);
    if (ol && strncmp(url, page_origin, ol) == 0)
        p = url + ol;
    size_t n = strlen(p);
    if (n + 1 > max)
        snprintf(out, max, "...%s", p + n - (max - 4));
    else
        snprintf(out, max, "%s", p);
}

static void origin_of(const char *url, char *out, size_t size)
{
    const char *p = url ? strstr(url, "://") : NULL;
    out[0] = '\0';
    if (!p)
        return;
    p += 3;
    size_t n = strcspn(p, "/?#");
    snprintf(out, size, "%.*s%.*s", (int)(p - url), url, (int)n, p);
}

#define WF_LABEL 300.0 /* px of labels */
#define WF_PLOT 540.0  /* px of time */
#define WF_ROW 18.0
#define WF_TOP 34.0

/* The waterfall of one run as an SVG: a row per request, its phases in
 * colours, and the run's milestones as vertical lines. */
static char *waterfall_svg(json_t *run, const char *page_url, size_t *len)
{
    json_t *reqs = json_object_get(run, "requests");
    size_t n = json_array_size(reqs);
    double end = 0;
    json_t *q;
    size_t i;
    json_array_foreach(reqs, i, q)
    {
        double e = hp_report_num(q, "end_ms");
        if (isfinite(e) && e > end)
            end = e;
    }
    static const char *const marks[] = {"fcp_ms", "lcp_ms", "load_ms"};
    static const char *const mark_names[] = {"FCP", "LCP", "load"};
    static const char *const mark_colours[] = {"#2a9d8f", "#e76f51", "#264653"};
    for (size_t k = 0; k < 3; k++) {
        double m = hp_report_num(run, marks[k]);
        if (isfinite(m) && m > end)
            end = m;
    }
    if (!(end > 0))
        end = 1;
    /* a round scale: 1, 2 or 5 times a power of ten per tick, 4 to 10 ticks */
    double step = pow(10, floor(log10(end / 5)));
    if (end / step > 10)
        step *= end / (step * 2) > 10 ? 5 : 2;
    double span = ceil(end / step) * step;
    double height = WF_TOP + WF_ROW * (double)n + 30;
    double width = WF_LABEL + WF_PLOT + 50; /* room for the last milestone's name */
    char origin[512];
    origin_of(page_url, origin, sizeof origin);

    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f)
        return NULL;
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
            width, height, width, height);
    /* the legend */
    static const char *const phase[] = {"blocked", "dns", "connect", "ssl", "send", "wait",
                                        "receive"};
    static const char *const colour[] = {"#c8c8c8", "#3aa6a6", "#f4a259", "#9b5de5",
                                         "#5c6bc0", "#8bc34a", "#1e88e5"};
    for (int k = 0; k < 7; k++) {
        double x = 10 + k * 90.0;
        fprintf(f, "<rect x=\"%.0f\" y=\"8\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                   "<text x=\"%.0f\" y=\"17\">%s</text>\n",
                x, colour[k], x + 14, phase[k]);
    }
    /* the time axis */
    for (double t = 0; t <= span + step / 2; t += step) {
        double x = WF_LABEL + t / span * WF_PLOT;
        char lab[32];
        hp_format_duration((int64_t)llround(t * 1e6), lab, sizeof lab);
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#eee\"/>"
                "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#666\">%s</text>\n",
                x, WF_TOP - 4, x, height - 24, x, height - 10, lab);
    }
    json_array_foreach(reqs, i, q)
    {
        double y = WF_TOP + WF_ROW * (double)i;
        const char *url = json_string_value(json_object_get(q, "url"));
        char lab[44]; /* what fits in the label column at 11 px */
        label_of(url ? url : "", origin, lab, sizeof lab);
        double start = hp_report_num(q, "start_ms"), stop = hp_report_num(q, "end_ms");
        int status = (int)json_integer_value(json_object_get(q, "status"));
        bool failed = json_object_get(q, "error") != NULL;
        fprintf(f, "<g><title>");
        hp_xml_escape(f, url);
        if (isfinite(start) && isfinite(stop))
            fprintf(f, " (%d, %.1f ms from %.1f ms)", status, stop - start, start);
        fprintf(f, "</title>\n<text x=\"4\" y=\"%.1f\"%s>", y + 12,
                failed || status >= 400 ? " fill=\"#c62828\"" : "");
        hp_xml_escape(f, lab);
        fprintf(f, "</text>\n");
        if (isfinite(start)) {
            json_t *ph = json_object_get(q, "phases_ms");
            double x = start;
            for (int k = 0; k < 7; k++) {
                double w = hp_report_num(ph, phase[k]);
                if (k == 3) /* ssl is inside connect: drawn over its end */
                    continue;
                if (!(w > 0))
                    continue;
                double x0 = WF_LABEL + x / span * WF_PLOT, x1 = WF_LABEL + (x + w) / span * WF_PLOT;
                fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\"/>",
                        x0, y + 3, x1 - x0 > 0.5 ? x1 - x0 : 0.5, WF_ROW - 6, colour[k]);
                if (k == 2) {
                    double s = hp_report_num(ph, "ssl");
                    if (s > 0) {
                        double sx = WF_LABEL + (x + w - s) / span * WF_PLOT;
                        fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.0f\" "
                                   "fill=\"%s\"/>",
                                sx, y + 3, x1 - sx, WF_ROW - 6, colour[3]);
                    }
                }
                x += w;
            }
            if (isfinite(stop) && stop > x) { /* what the phases do not account for */
                double x0 = WF_LABEL + x / span * WF_PLOT, x1 = WF_LABEL + stop / span * WF_PLOT;
                fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.0f\" "
                           "fill=\"%s\"/>",
                        x0, y + 3, x1 - x0, WF_ROW - 6, colour[6]);
            }
        }
        fprintf(f, "</g>\n");
    }
    for (size_t k = 0; k < 3; k++) {
        double m = hp_report_num(run, marks[k]);
        if (!isfinite(m))
            continue;
        double x = WF_LABEL + m / span * WF_PLOT;
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"%s\" "
                "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%.0f\" fill=\"%s\">%s</text>\n",
                x, WF_TOP - 6, x, height - 24, mark_colours[k], x + 2, WF_TOP - 8 + 0.0 * k,
                mark_colours[k], mark_names[k]);
    }
    fprintf(f, "</svg>\n");
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* The run whose LCP (else load) is the median one: the waterfall shown. */
static size_t median_run(json_t *runs)
{
    size_t n = json_array_size(runs), best = 0;
    double *v = hp_malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return 0;
    const char *key = isfinite(hp_report_num(json_array_get(runs, 0), "lcp_ms")) ? "lcp_ms"
                                                                                 : "load_ms";
    for (size_t i = 0; i < n; i++)
        v[i] = hp_report_num(json_array_get(runs, i), key);
    double dist = INFINITY;
    for (size_t i = 0; i < n; i++) {
        size_t below = 0;
        for (size_t j = 0; j < n; j++)
            below += v[j] < v[i];
        double d = fabs((double)below - (double)(n - 1) / 2);
        if (isfinite(v[i]) && d < dist) {
            dist = d;
            best = i;
        }
    }
    hp_free(v);
    return best;
}

static int requests_table(struct hp_rdoc *d, json_t *run, const char *page_url)
{
    static const char *const hdr[] = {"#>", "Request", "Type", "Status>", "Start>", "Wait>",
                                      "Duration>", "Size>", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    char origin[512];
    origin_of(page_url, origin, sizeof origin);
    json_t *q;
    size_t i;
    json_array_foreach(json_object_get(run, "requests"), i, q)
    {
        const char *url = json_string_value(json_object_get(q, "url"));
        char num[24], lab[96], st[16], a[32], w[32], dur[32], sz[32];
        snprintf(num, sizeof num, "%zu", i + 1);
        label_of(url ? url : "", origin, lab, sizeof lab);
        snprintf(st, sizeof st, "%d", (int)json_integer_value(json_object_get(q, "status")));
        double s = hp_report_num(q, "start_ms"), e = hp_report_num(q, "end_ms");
        double wt = hp_report_num(json_object_get(q, "phases_ms"), "wait");
        snprintf(a, sizeof a, "%.1f ms", s);
        if (isfinite(wt) && wt >= 0)
            snprintf(w, sizeof w, "%.1f ms", wt);
        else
            snprintf(w, sizeof w, "-");
        if (isfinite(e))
            snprintf(dur, sizeof dur, "%.1f ms", e - s);
        else
            snprintf(dur, sizeof dur, "-");
        hp_format_size((int64_t)hp_report_num(q, "transfer_bytes"), sz, sizeof sz);
        const char *err = json_string_value(json_object_get(q, "error"));
        const char *cells[] = {num, lab, json_string_value(json_object_get(q, "type")),
                               err ? err : st, a, w, dur, sz};
        TRY(hp_rtable_row(t, err ? HP_MARK_FAIL : HP_MARK_NONE, cells));
    }
    return 0;
}

int hp_report_page_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                           struct hp_err *err)
{
    json_t *page = json_object_get(hp_result_json(in->doc), "page");
    json_t *runs = json_object_get(page, "runs");
    if (!json_is_array(runs))
        return hp_report_missing(in, err, "page.runs");
    const char *url = hp_report_cfg_str(in, "url");
    char t[400];
    snprintf(t, sizeof t, "Page loads: %s", url ? url : in->name);
    TRY(hp_rdoc_heading(d, level, t));
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    double w = 0, h = 0, cpu = 1;
    hp_report_cfg_num(in, "viewport_width", &w);
    hp_report_cfg_num(in, "viewport_height", &h);
    hp_report_cfg_num(in, "cpu_slowdown", &cpu);
    const char *browser = hp_report_cfg_str(in, "browser");
    const char *net = hp_report_cfg_str(in, "network");
    bool warm = json_is_true(json_object_get(json_object_get(hp_result_json(in->doc), "config"),
                                             "warm"));
    TRY(hp_rdoc_kv(kv, "Runs", "%zu (%s)", json_array_size(runs),
                   warm ? "the first cold, then warm" : "cold: cache, cookies and connections "
                                                        "cleared before each"));
    TRY(hp_rdoc_kv(kv, "Browser", "%s, %.0fx%.0f%s", browser ? browser : "?", w, h,
                   json_is_true(json_object_get(json_object_get(hp_result_json(in->doc), "config"),
                                                "mobile"))
                       ? ", mobile"
                       : ""));
    if (cpu > 1)
        TRY(hp_rdoc_kv(kv, "CPU", "%.3g times slower", cpu));
    if (net)
        TRY(hp_rdoc_kv(kv, "Network", "%s", net));
    const char *error = json_string_value(json_object_get(page, "error"));
    if (error)
        TRY(hp_rdoc_para(d, HP_MARK_FAIL, "Stopped early: %s", error));
    if (json_array_size(runs) == 0)
        return 0;
    TRY(hp_rdoc_heading(d, level + 1, "What visitors see"));
    TRY(vitals_table(d, in));
    json_t *last = json_array_get(runs, json_array_size(runs) - 1);
    const char *el = json_string_value(json_object_get(last, "lcp_element"));
    if (el) {
        const char *lu = json_string_value(json_object_get(last, "lcp_url"));
        TRY(hp_rdoc_para(d, HP_MARK_NONE, "The largest contentful paint was %s%s%s%s.", el,
                         lu ? " (" : "", lu ? lu : "", lu ? ")" : ""));
    }
    TRY(hp_rdoc_para(d, HP_MARK_NONE,
                     "Ratings are the common bands: LCP good to 2.5 s and poor past 4 s, CLS 0.1 "
                     "and 0.25, INP 200 and 500 ms, TTFB 0.8 and 1.8 s, FCP 1.8 and 3 s, TBT "
                     "200 and 600 ms."));
    TRY(runs_chart(d, runs));
    size_t m = median_run(runs);
    json_t *run = json_array_get(runs, m);
    char cap[200];
    snprintf(cap, sizeof cap, "Run %zu's waterfall (the median LCP): each request's phases, and "
                              "when the first and largest contentful paints and the load came",
             m + 1);
    TRY(hp_rdoc_heading(d, level + 1, "Waterfall"));
    size_t len = 0;
    char *svg = waterfall_svg(run, url ? url : "", &len);
    NEED(svg);
    int rc = hp_rdoc_svg(d, "waterfall", cap, svg, len);
    free(svg);
    TRY(rc);
    return requests_table(d, run, url ? url : "");
}

int hp_report_page_probe(struct hp_rdoc *d, const struct hp_report_input *in, int level)
{
    json_t *lcp = hp_report_points(in, "page_lcp"), *ttfb = hp_report_points(in, "page_ttfb");
    if (!lcp && !ttfb)
        return 0;
    TRY(hp_rdoc_heading(d, level, "What a visitor saw during the test"));
    double med_lcp = hp_report_metric_or(in, "page_lcp_median", NAN) / 1e6;
    double med_ttfb = hp_report_metric_or(in, "page_ttfb_median", NAN) / 1e6;
    double loads = hp_report_metric_or(in, "page_loads", 0);
    double failed = hp_report_metric_or(in, "page_failures", 0);
    enum hp_mark mark;
    const char *r = rating(&vitals[2], med_lcp, &mark);
    char a[32], b[32];
    fmt(&vitals[2], med_lcp, a, sizeof a);
    fmt(&vitals[0], med_ttfb, b, sizeof b);
    TRY(hp_rdoc_para(d, mark,
                     "%.0f page loads in headless Chromium while the load ran%s: LCP median %s "
                     "(%s), TTFB median %s.",
                     loads, failed > 0 ? " (some failed)" : "", a, r[0] ? r : "no LCP", b));
    struct hp_chart *c = hp_rdoc_chart(d, "page-probe", "Page loads during the test",
                                       "time since start", "s", "time", "ns");
    NEED(c);
    c->y_from_zero = true;
    TRY(hp_report_add_series(c, "LCP", lcp, HP_DRAW_BOTH, 1));
    TRY(hp_report_add_series(c, "FCP", hp_report_points(in, "page_fcp"), HP_DRAW_BOTH, 1));
    TRY(hp_report_add_series(c, "TTFB", ttfb, HP_DRAW_BOTH, 1));
    json_t *p99 = hp_report_points(in, "latency_p99_ns");
    if (p99)
        TRY(hp_report_add_series(c, "request p99 (protocol load)", p99, HP_DRAW_STEP, 1));
    return 0;
}

int hp_report_page_by_level(struct hp_rdoc *d, const struct hp_report_input *in, int level)
{
    json_t *lcp = hp_report_points(in, "page_lcp"), *ttfb = hp_report_points(in, "page_ttfb");
    if (!lcp && !ttfb)
        return 0;
    TRY(hp_rdoc_heading(d, level, "What a visitor saw at each level"));
    /* the first level whose median LCP is past a band's edge */
    double x, v, first_ni = NAN, first_poor = NAN;
    for (size_t i = 0; i < json_array_size(lcp); i++) {
        if (!hp_report_point(lcp, i, &x, &v))
            continue;
        if (v / 1e6 > vitals[2].good && !isfinite(first_ni))
            first_ni = x;
        if (v / 1e6 > vitals[2].poor && !isfinite(first_poor))
            first_poor = x;
    }
    if (isfinite(first_poor))
        TRY(hp_rdoc_para(d, HP_MARK_FAIL,
                         "The median LCP is poor (over 4 s) from %.4g connections on, and needs "
                         "improvement (over 2.5 s) from %.4g.",
                         first_poor, first_ni));
    else if (isfinite(first_ni))
        TRY(hp_rdoc_para(d, HP_MARK_NOTE,
                         "The median LCP needs improvement (over 2.5 s) from %.4g connections on; "
                         "it is never poor in the range swept.",
                         first_ni));
    else
        TRY(hp_rdoc_para(d, HP_MARK_PASS,
                         "The median LCP stays good (under 2.5 s) at every level swept."));
    struct hp_chart *c = hp_rdoc_chart(d, "page-levels", "Page loads by concurrency",
                                       "connections", "count", "time", "ns");
    NEED(c);
    c->y_from_zero = true;
    TRY(hp_report_add_series(c, "LCP (median)", lcp, HP_DRAW_BOTH, 1));
    TRY(hp_report_add_series(c, "TTFB (median)", ttfb, HP_DRAW_BOTH, 1));
    json_t *p99 = hp_report_points(in, "latency_p99_ns");
    if (p99)
        TRY(hp_report_add_series(c, "request p99 (protocol load)", p99, HP_DRAW_BOTH, 1));
    if (isfinite(first_ni))
        TRY(hp_chart_rule(c, "LCP good (2.5 s)", 2500e6, false));
    if (isfinite(first_poor))
        TRY(hp_chart_rule(c, "LCP poor (4 s)", 4000e6, false));
    return 0;
}
