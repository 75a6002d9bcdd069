// SPDX-License-Identifier: MIT
/* report/history_section.c - see history_section.h. Reads what `hotpath
 * history detect --json` writes (docs/result-format.md). */
#include "report/history_section.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/section_int.h"

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(json_t *o, const char *key, const char *none)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : none;
}

/* The level of each segment as a line that jumps at each change point:
 * between change points half-way between two runs, from the first run to
 * the last. */
static int levels(struct hp_chart *c, json_t *cps, json_t *pts, size_t n)
{
    struct hp_series *s = hp_chart_series(c, "level between change points", HP_DRAW_LINE);
    if (!s)
        return 0;
    size_t k = json_array_size(cps), from = 0;
    for (size_t i = 0; i <= k; i++) {
        size_t to = i < k ? (size_t)num(json_array_get(cps, i), "index") : n;
        double mean;
        if (i < k) {
            mean = num(json_array_get(cps, i), "mean_before");
        } else if (k > 0) {
            mean = num(json_array_get(cps, k - 1), "mean_after");
        } else {
            double sum = 0, t, v;
            for (size_t j = 0; j < n; j++)
                if (hp_report_point(pts, j, &t, &v))
                    sum += v;
            mean = n ? sum / (double)n : NAN;
        }
        TRY(hp_series_add(s, from ? (double)from - 0.5 : 0, mean));
        TRY(hp_series_add(s, to < n ? (double)to - 0.5 : (double)n - 1, mean));
        from = to;
    }
    return 0;
}

int hp_report_history_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                              struct hp_err *err)
{
    json_t *root = hp_result_json(in->doc), *cfg = json_object_get(root, "config");
    json_t *cps = json_object_get(root, "change_points");
    const char *metric = json_string_value(json_object_get(cfg, "metric"));
    json_t *series = metric ? json_object_get(json_object_get(root, "series"), metric) : NULL;
    json_t *pts = json_object_get(series, "points");
    if (!metric || !json_is_array(cps) || !json_is_array(pts))
        return hp_err_at(err, HP_EFORMAT, in->name, 0, 0,
                         "a history result needs config.metric, its series and change_points");
    const char *unit = str(series, "unit", "");
    const char *sp = *unit ? " " : ""; /* between a value and its unit */
    size_t n = json_array_size(pts), k = json_array_size(cps);
    bool higher = strcmp(str(cfg, "better", "lower"), "higher") == 0;
    char title[300];
    snprintf(title, sizeof title, "History of %s", metric);
    TRY(hp_rdoc_heading(d, level, title));

    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    TRY(hp_rdoc_kv(kv, "Database", "%s", str(cfg, "db", "?")));
    json_t *where = json_object_get(cfg, "where");
    if (json_array_size(where) > 0) {
        char buf[512] = "";
        size_t i, len = 0;
        json_t *w;
        json_array_foreach(where, i, w)
        len += (size_t)snprintf(buf + len, len < sizeof buf ? sizeof buf - len : 0, "%s%s",
                                i ? ", " : "", json_string_value(w) ?: "");
        TRY(hp_rdoc_kv(kv, "Runs tagged", "%s", buf));
    }
    TRY(hp_rdoc_kv(kv, "Points", "%zu, oldest first; %s is better", n,
                   higher ? "higher" : "lower"));
    TRY(hp_rdoc_kv(kv, "Method",
                   "E-divisive means in windows of %.0f points, Student's t between the "
                   "segments (Apache Otava's): p <= %g, change above %g%%%s",
                   num(cfg, "window"), num(cfg, "max_pvalue"), 100 * num(cfg, "min_magnitude"),
                   strcmp(str(cfg, "merge", "both"), "otava") == 0 ? ", Otava's merge" : ""));

    double isnew = 0;
    hp_result_get_metric(in->doc, "new_regression", &isnew, NULL);
    json_t *last = k ? json_array_get(cps, k - 1) : NULL;
    if (isnew > 0 && last)
        TRY(hp_rdoc_para(d, HP_MARK_FAIL,
                         "The newest %zu runs start a regression at index %.0f (%s, commit %s): "
                         "%.6g to %.6g%s%s, %+.2f%%, p = %.3g.",
                         n - (size_t)num(last, "index"), num(last, "index"),
                         str(last, "time", "?"), str(last, "commit", "unknown"),
                         num(last, "mean_before"), num(last, "mean_after"), sp, unit,
                         100 * num(last, "change"), num(last, "pvalue")));
    else if (last)
        TRY(hp_rdoc_para(d, HP_MARK_NOTE,
                         "%zu change point%s; the newest level, %.6g%s%s since index %.0f, is "
                         "%+.2f%% on the one before%s.",
                         k, k == 1 ? "" : "s", num(last, "mean_after"), sp, unit,
                         num(last, "index"),
                         100 * num(last, "change"),
                         json_is_true(json_object_get(last, "regression"))
                             ? " (a regression, older than the newest runs)"
                             : ""));
    else
        TRY(hp_rdoc_para(d, HP_MARK_PASS, "No change of level in %zu runs.", n));

    struct hp_chart *c = hp_rdoc_chart(d, "history", title, "run (oldest first)", "count", metric,
                                       unit);
    NEED(c);
    c->y_from_zero = false;
    TRY(hp_report_add_series(c, "runs", pts, HP_DRAW_POINTS, 1));
    TRY(levels(c, cps, pts, n));
    struct hp_series *marks = hp_chart_series(c, "change points", HP_DRAW_POINTS);
    if (marks)
        for (size_t i = 0; i < k; i++)
            TRY(hp_series_add(marks, num(json_array_get(cps, i), "index"),
                              num(json_array_get(cps, i), "mean_after")));
    if (k == 0)
        return 0;

    static const char *const hdr[] = {"Index>", "Time", "Commit", "Before>", "After>",
                                      "Change>", "p-value>", "Verdict", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    for (size_t i = 0; i < k; i++) {
        json_t *cp = json_array_get(cps, i);
        bool worse = json_is_true(json_object_get(cp, "regression"));
        char idx[24], before[48], after[48], change[24], p[24], commit[16];
        snprintf(idx, sizeof idx, "%.0f", num(cp, "index"));
        snprintf(before, sizeof before, "%.6g%s%s", num(cp, "mean_before"), sp, unit);
        snprintf(after, sizeof after, "%.6g%s%s", num(cp, "mean_after"), sp, unit);
        snprintf(change, sizeof change, "%+.2f%%", 100 * num(cp, "change"));
        snprintf(p, sizeof p, "%.3g", num(cp, "pvalue"));
        snprintf(commit, sizeof commit, "%.12s", str(cp, "commit", "-"));
        const char *cells[] = {idx,    str(cp, "time", "-"), commit, before, after, change, p,
                               worse ? "regression" : "improvement"};
        TRY(hp_rtable_row(t, worse ? HP_MARK_FAIL : HP_MARK_PASS, cells));
    }
    return 0;
}
