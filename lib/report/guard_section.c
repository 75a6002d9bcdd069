// SPDX-License-Identifier: MIT
/* report/guard_section.c - see history_section.h. Reads what `hotpath
 * history detect --json` writes (docs/result-format.md). */
#include "report/guard_section.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/section_int.h"

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
        size_t to = i < k ? (size_t)hp_report_num(json_array_get(cps, i), "index") : n;
        double mean;
        if (i < k) {
            mean = hp_report_num(json_array_get(cps, i), "mean_before");
        } else if (k > 0) {
            mean = hp_report_num(json_array_get(cps, k - 1), "mean_after");
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
                   hp_report_num(cfg, "window"), hp_report_num(cfg, "max_pvalue"), 100 * hp_report_num(cfg, "min_magnitude"),
                   strcmp(str(cfg, "merge", "both"), "otava") == 0 ? ", Otava's merge" : ""));

    double isnew = 0;
    hp_result_get_metric(in->doc, "new_regression", &isnew, NULL);
    json_t *last = k ? json_array_get(cps, k - 1) : NULL;
    if (isnew > 0 && last)
        TRY(hp_rdoc_para(d, HP_MARK_FAIL,
                         "The newest %zu runs start a regression at index %.0f (%s, commit %s): "
                         "%.6g to %.6g%s%s, %+.2f%%, p = %.3g.",
                         n - (size_t)hp_report_num(last, "index"), hp_report_num(last, "index"),
                         str(last, "time", "?"), str(last, "commit", "unknown"),
                         hp_report_num(last, "mean_before"), hp_report_num(last, "mean_after"), sp, unit,
                         100 * hp_report_num(last, "change"), hp_report_num(last, "pvalue")));
    else if (last)
        TRY(hp_rdoc_para(d, HP_MARK_NOTE,
                         "%zu change point%s; the newest level, %.6g%s%s since index %.0f, is "
                         "%+.2f%% on the one before%s.",
                         k, k == 1 ? "" : "s", hp_report_num(last, "mean_after"), sp, unit,
                         hp_report_num(last, "index"),
                         100 * hp_report_num(last, "change"),
                         json_is_true(json_object_get(last, "regression"))
                             ? " (a regression, older than the newest runs)"
                             : ""));
    else
        TRY(hp_rdoc_para(d, HP_MARK_PASS, "No change of level in %zu run%s.", n,
                         n == 1 ? "" : "s"));

    struct hp_chart *c = hp_rdoc_chart(d, "history", title, "run (oldest first)", "count", metric,
                                       unit);
    NEED(c);
    c->y_from_zero = false;
    TRY(hp_report_add_series(c, "runs", pts, HP_DRAW_POINTS, 1));
    TRY(levels(c, cps, pts, n));
    struct hp_series *marks = hp_chart_series(c, "change points", HP_DRAW_POINTS);
    if (marks)
        for (size_t i = 0; i < k; i++)
            TRY(hp_series_add(marks, hp_report_num(json_array_get(cps, i), "index"),
                              hp_report_num(json_array_get(cps, i), "mean_after")));
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
        snprintf(idx, sizeof idx, "%.0f", hp_report_num(cp, "index"));
        snprintf(before, sizeof before, "%.6g%s%s", hp_report_num(cp, "mean_before"), sp, unit);
        snprintf(after, sizeof after, "%.6g%s%s", hp_report_num(cp, "mean_after"), sp, unit);
        snprintf(change, sizeof change, "%+.2f%%", 100 * hp_report_num(cp, "change"));
        snprintf(p, sizeof p, "%.3g", hp_report_num(cp, "pvalue"));
        snprintf(commit, sizeof commit, "%.12s", str(cp, "commit", "-"));
        const char *cells[] = {idx,    str(cp, "time", "-"), commit, before, after, change, p,
                               worse ? "regression" : "improvement"};
        TRY(hp_rtable_row(t, worse ? HP_MARK_FAIL : HP_MARK_PASS, cells));
    }
    return 0;
}

int hp_report_bisect_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                             struct hp_err *err)
{
    json_t *root = hp_result_json(in->doc), *cfg = json_object_get(root, "config");
    json_t *steps = json_object_get(root, "steps"), *commits = json_object_get(root, "commits");
    json_t *fb = json_object_get(root, "first_bad"), *good = json_object_get(root, "good_commit");
    if (!json_is_array(steps) || !json_is_array(commits) || !json_is_object(good) ||
        !json_object_get(cfg, "run"))
        return hp_err_at(err, HP_EFORMAT, in->name, 0, 0,
                         "a bisect result needs config.run, good_commit, commits and steps");
    const char *metric = str(cfg, "metric", "wall_s");
    double threshold = hp_report_num(cfg, "threshold");
    TRY(hp_rdoc_heading(d, level, "Bisection: the commit that made it slower"));
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    TRY(hp_rdoc_kv(kv, "Range", "%zu commits after %.12s %s, to %s", json_array_size(commits),
                   str(good, "sha", "?"), str(good, "subject", ""), str(cfg, "bad", "?")));
    TRY(hp_rdoc_kv(kv, "Build", "%s", str(cfg, "build", "?")));
    TRY(hp_rdoc_kv(kv, "Measured", "%s of `%s`, %s is better", metric, str(cfg, "run", "?"),
                   str(cfg, "better", "lower")));
    TRY(hp_rdoc_kv(kv, "Judged",
                   "against the good commit's build in alternating rounds, %.0f runs a side "
                   "to begin with (up to %.0f): bad when p < %g (Mann-Whitney) and the change "
                   "is %g%% or more",
                   hp_report_num(cfg, "runs"), hp_report_num(cfg, "max_runs"), hp_report_num(cfg, "alpha"), 100 * threshold));
    if (json_is_true(json_object_get(cfg, "interrupted")))
        TRY(hp_rdoc_para(d, HP_MARK_NOTE, "Interrupted after %zu steps: the search is not "
                                          "complete.",
                         json_array_size(steps)));
    else if (json_is_object(fb))
        TRY(hp_rdoc_para(d, HP_MARK_FAIL,
                         "First bad commit: %s %s, %+.1f%% on the good commit (p = %.2g), found "
                         "in %zu steps.%s",
                         str(fb, "sha", "?"), str(fb, "subject", ""), 100 * hp_report_num(fb, "change"),
                         hp_report_num(fb, "pvalue"), json_array_size(steps),
                         json_is_true(json_object_get(fb, "unbuildable_range"))
                             ? " It may be one of the commits before it that do not build."
                             : ""));
    else
        TRY(hp_rdoc_para(d, HP_MARK_PASS,
                         "No regression: the bad commit is not %g%% worse than the good one, so "
                         "no commit is named.",
                         100 * threshold));
    const char *svg = str(cfg, "profile_svg", NULL);
    if (svg)
        TRY(hp_rdoc_para(d, HP_MARK_NOTE,
                         "Differential flame graph, last good to first bad commit: %s", svg));

    struct hp_chart *c = hp_rdoc_chart(d, "bisect", "Change against the good commit, by commit",
                                       "commit in the range", "count", "change", "ratio");
    NEED(c);
    c->y_from_zero = false;
    struct hp_series *bad = hp_chart_series(c, "bad", HP_DRAW_POINTS);
    struct hp_series *fine = hp_chart_series(c, "good", HP_DRAW_POINTS);
    size_t i;
    json_t *s;
    json_array_foreach(steps, i, s)
    {
        struct hp_series *to = strcmp(str(s, "verdict", ""), "bad") == 0 ? bad : fine;
        if (to && strcmp(str(s, "verdict", ""), "skip") != 0)
            TRY(hp_series_add(to, hp_report_num(s, "index"), hp_report_num(s, "shift")));
    }
    TRY(hp_chart_rule(c, "threshold", threshold, false));

    static const char *const hdr[] = {"Step>", "Commit>", "SHA", "Subject", "Change>",
                                      "Shift (95%)>", "p-value>", "Runs>", "Verdict", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    json_array_foreach(steps, i, s)
    {
        const char *v = str(s, "verdict", "?");
        char step[16], idx[16], sha[16], change[24], shift[64], p[24], runs[16], verdict[300];
        snprintf(step, sizeof step, "%.0f", hp_report_num(s, "step"));
        snprintf(idx, sizeof idx, "%.0f", hp_report_num(s, "index"));
        snprintf(sha, sizeof sha, "%.12s", str(s, "sha", "?"));
        snprintf(change, sizeof change, "%+.1f%%", 100 * hp_report_num(s, "change"));
        snprintf(shift, sizeof shift, "%+.1f%% [%+.1f%%, %+.1f%%]", 100 * hp_report_num(s, "shift"),
                 100 * hp_report_num(s, "shift_low"), 100 * hp_report_num(s, "shift_high"));
        snprintf(p, sizeof p, "%.2g", hp_report_num(s, "pvalue"));
        snprintf(runs, sizeof runs, "%.0f", hp_report_num(s, "runs"));
        snprintf(verdict, sizeof verdict, "%s%s%s%.200s", v,
                 json_is_true(json_object_get(s, "low_confidence")) ? ", low confidence" : "",
                 str(s, "why", NULL) ? ": " : "", str(s, "why", ""));
        bool skip = strcmp(v, "skip") == 0;
        const char *cells[] = {step,           idx,  sha,         str(s, "subject", ""),
                               skip ? "" : change, skip ? "" : shift, skip ? "" : p,
                               skip ? "" : runs, verdict};
        TRY(hp_rtable_row(t, strcmp(v, "bad") == 0 ? HP_MARK_FAIL
                             : skip               ? HP_MARK_NOTE
                                                  : HP_MARK_PASS,
                          cells));
    }
    return 0;
}
