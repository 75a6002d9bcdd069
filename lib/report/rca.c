// SPDX-License-Identifier: MIT
/* report/rca.c - see rca.h. Reads what `hotpath diagnose --json` writes
 * (docs/result-format.md, kind "diagnose"). */
#include "report/rca.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "model/usl.h"
#include "prof/flame.h"
#include "prof/stacks.h"
#include "report/section_int.h"
#include "report/use_section.h"

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *fmt(double v, const char *unit, char *buf, size_t size)
{
    if (!isfinite(v))
        return "-";
    return hp_report_fmt(v, unit, buf, size);
}

static double metric(const struct hp_report_input *in, const char *name)
{
    return hp_report_metric_or(in, name, NAN);
}

static double config_num(const struct hp_report_input *in, const char *key)
{
    double v;
    return hp_report_cfg_num(in, key, &v) ? v : NAN;
}

/* The document's checks: what every part below reads. */
static int check(const struct hp_report_input *in, struct hp_err *err)
{
    json_t *root = hp_result_json(in->doc), *diag = json_object_get(root, "diagnosis");
    if (!json_is_object(diag))
        return hp_report_missing(in, err, "\"diagnosis\" (an object)");
    if (!str(diag, "summary"))
        return hp_report_missing(in, err, "diagnosis.summary");
    if (!json_is_array(json_object_get(diag, "findings")) ||
        json_array_size(json_object_get(diag, "findings")) == 0)
        return hp_report_missing(in, err, "diagnosis.findings (a non-empty array)");
    if (!json_is_array(json_object_get(diag, "suggestions")))
        return hp_report_missing(in, err, "diagnosis.suggestions (an array)");
    if (!json_is_array(json_object_get(root, "levels")))
        return hp_report_missing(in, err, "\"levels\" (an array)");
    if (json_array_size(hp_report_points(in, "throughput_per_s")) == 0)
        return hp_report_missing(in, err, "series.throughput_per_s (the measured levels)");
    return 0;
}

/* ---- where it stops ---------------------------------------------------------- */

static int stops(struct hp_rdoc *d, const struct hp_report_input *in, int level)
{
    char a[48], b[48], t[160];
    json_t *root = hp_result_json(in->doc), *diag = json_object_get(root, "diagnosis");
    bool by_rate = hp_report_cfg_str(in, "levels") && strcmp(hp_report_cfg_str(in, "levels"), "rates") == 0;
    const char *xl = by_rate ? "mean in flight" : "connections";
    TRY(hp_rdoc_heading(d, level, "Where it stops"));
    struct hp_usl u = {.sigma = metric(in, "usl_sigma"), .kappa = metric(in, "usl_kappa"),
                       .lambda = metric(in, "usl_lambda")};
    bool fit = isfinite(u.sigma) && isfinite(u.kappa) && u.lambda > 0;
    double kc = metric(in, "knee_concurrency"), kx = metric(in, "knee_throughput_per_s");
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    const char *why = str(diag, "knee_why");
    if (isfinite(kx))
        TRY(hp_rdoc_kv(kv, "Knee", "%s at %s %s (%s)", fmt(kx, "1/s", a, sizeof a),
                       fmt(metric(in, "knee_level"), by_rate ? "1/s" : "count", b, sizeof b),
                       by_rate ? "asked" : "connections",
                       why && strcmp(why, "slo") == 0        ? "p99 passed the objective"
                       : why && strcmp(why, "rate") == 0     ? "fell behind the rate"
                       : why && strcmp(why, "latency") == 0  ? "p99 jumped past 5 times its lowest"
                                                             : "throughput stopped growing"));
    else
        TRY(hp_rdoc_kv(kv, "Knee", "none within the range swept"));
    if (fit)
        TRY(hp_rdoc_kv(kv, "USL fit", "sigma %.4g (contention), kappa %.4g (coherency), lambda "
                                      "%s, R^2 %.4f", u.sigma, u.kappa,
                       fmt(u.lambda, "1/s", a, sizeof a), metric(in, "usl_r_squared")));
    double pn = metric(in, "peak_concurrency"), px = metric(in, "peak_throughput_per_s");
    if (isfinite(pn))
        TRY(hp_rdoc_kv(kv, "Peak (from the fit)", "%s at %.3g", fmt(px, "1/s", a, sizeof a), pn));
    json_t *xs = hp_report_points(in, "throughput_per_s");
    struct hp_chart *c = hp_rdoc_chart(d, "rca-usl", "Throughput by load", xl, "count",
                                       "throughput", "1/s");
    NEED(c);
    TRY(hp_report_add_series(c, "measured", xs, HP_DRAW_POINTS, 1));
    double nmax = 1, tt, vv;
    for (size_t i = 0; i < json_array_size(xs); i++)
        if (hp_report_point(xs, i, &tt, &vv) && tt > nmax)
            nmax = tt;
    if (fit)
        TRY(hp_report_usl_curve(c, "USL fit", &u, nmax * 1.15));
    if (isfinite(kc)) {
        snprintf(t, sizeof t, "knee %.3g", kc);
        TRY(hp_chart_rule(c, t, kc, true));
    }
    c = hp_rdoc_chart(d, "rca-latency", "Latency by load", xl, "count", "latency", "ns");
    NEED(c);
    if (hp_report_points(in, "latency_mean_ns"))
        TRY(hp_report_add_series(c, "mean", hp_report_points(in, "latency_mean_ns"), HP_DRAW_BOTH, 1));
    if (hp_report_points(in, "latency_p99_ns"))
        TRY(hp_report_add_series(c, "p99", hp_report_points(in, "latency_p99_ns"), HP_DRAW_BOTH, 1));
    double slo = config_num(in, "slo_p99_ns");
    if (isfinite(slo) && slo > 0) {
        snprintf(t, sizeof t, "objective p99 %s", fmt(slo, "ns", a, sizeof a));
        TRY(hp_chart_rule(c, t, slo, false));
    }
    if (isfinite(kc)) {
        snprintf(t, sizeof t, "knee %.3g", kc);
        TRY(hp_chart_rule(c, t, kc, true));
    }
    /* each level with its resource use */
    static const char *const hdr[] = {"Level>", "Throughput>", "p99>", "Errors>", "Process CPU>",
                                      "Busiest thread>", "Machine CPU>", "Load generator>",
                                      "RSS>", NULL};
    struct hp_rtable *tab = hp_rdoc_table(d, hdr);
    NEED(tab);
    json_t *levels = json_object_get(root, "levels"), *l;
    size_t i;
    int knee = (int)json_integer_value(json_object_get(diag, "knee"));
    json_array_foreach(levels, i, l)
    {
        char c0[32], c1[32], c2[32], c3[32], c4[32], c5[48], c6[32], c7[32], c8[32];
        double lvl = hp_report_num(l, "level");
        if (by_rate)
            fmt(lvl, "1/s", c0, sizeof c0);
        else
            snprintf(c0, sizeof c0, "%.4g", lvl);
        snprintf(c4, sizeof c4, "%.2f cores", hp_report_num(l, "proc_cpu"));
        const char *tn = str(l, "thread_max_name");
        snprintf(c5, sizeof c5, "%.0f%% (%s)", 100 * hp_report_num(l, "thread_max_cpu"),
                 tn && *tn ? tn : "-");
        snprintf(c7, sizeof c7, "%.2f cores", hp_report_num(l, "loader_cpu"));
        const char *cells[] = {c0,
                               fmt(hp_report_num(l, "throughput_per_s"), "1/s", c1, sizeof c1),
                               fmt(hp_report_num(l, "p99_ns"), "ns", c2, sizeof c2),
                               fmt(hp_report_num(l, "error_ratio"), "ratio", c3, sizeof c3),
                               c4, c5, fmt(hp_report_num(l, "cpu_util"), "ratio", c6, sizeof c6),
                               c7, fmt(hp_report_num(l, "rss_last_bytes"), "bytes", c8, sizeof c8)};
        TRY(hp_rtable_row(tab, (int)i == knee ? HP_MARK_FAIL : HP_MARK_NONE, cells));
    }
    return 0;
}

/* ---- what saturates, where the time goes, what to try ---------------------------- */

static int saturates(struct hp_rdoc *d, const struct hp_report_input *in, int level)
{
    json_t *diag = json_object_get(hp_result_json(in->doc), "diagnosis"), *f;
    TRY(hp_rdoc_heading(d, level, "What saturates first"));
    static const char *const hdr[] = {"#>", "Cause", "Finding", "Evidence", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    size_t i;
    json_array_foreach(json_object_get(diag, "findings"), i, f)
    {
        char n[24];
        snprintf(n, sizeof n, "%zu", i + 1);
        const char *cause = str(f, "cause");
        const char *cells[] = {n, cause ? cause : "?", str(f, "title"), str(f, "evidence")};
        TRY(hp_rtable_row(t, cause && strcmp(cause, "none") == 0 ? HP_MARK_PASS
                             : i == 0                            ? HP_MARK_FAIL
                                                                 : HP_MARK_NONE,
                          cells));
    }
    return 0;
}

/* The two folded profiles under profiles.below and profiles.knee as the
 * before and after of one stack tree. *have: the knee's was there. */
static int two_profiles(const struct hp_report_input *in, const char *key, struct hp_stacks *s,
                        bool *have, struct hp_err *err)
{
    json_t *profiles = json_object_get(hp_result_json(in->doc), "profiles");
    static const char *const names[2] = {"below", "knee"};
    *have = false;
    for (int w = 0; w < 2; w++) {
        const char *text = str(json_object_get(profiles, names[w]), key);
        if (!text || !*text)
            continue;
        char what[300];
        snprintf(what, sizeof what, "%s: profiles.%s.%s", in->name, names[w], key);
        TRY(hp_stacks_parse(s, what, text, strlen(text), w, NULL, err));
        *have |= w == 1;
    }
    return 0;
}

static int flame_block(struct hp_rdoc *d, struct hp_stacks *s, const char *slug,
                       const char *title, const char *caption, const char *unit)
{
    TRY(hp_stacks_sort(s));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    NEED(f);
    struct hp_flame_opts o = {.title = title, .unit = unit, .diff = true, .width = 1000};
    int rc = hp_flame_svg(s, &o, f, NULL);
    if (fclose(f) != 0 || rc < 0) {
        free(buf);
        return -ENOMEM;
    }
    rc = hp_rdoc_svg(d, slug, caption, buf, len);
    free(buf);
    return rc;
}

static int time_goes(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                     struct hp_err *err)
{
    json_t *diag = json_object_get(hp_result_json(in->doc), "diagnosis");
    json_t *grown = json_object_get(diag, "grown"), *g;
    bool knee = json_integer_value(json_object_get(diag, "knee")) >= 0;
    TRY(hp_rdoc_heading(d, level, "Where the time goes"));
    if (json_array_size(grown) > 0) {
        TRY(hp_rdoc_para(d, HP_MARK_NONE, "The functions by how much CPU they gained from %s "
                                          "(time in the function itself, in cores), with their "
                                          "share of the samples there.",
                         knee ? "the level below the knee to the knee"
                              : "the second highest level to the highest (there was no knee)"));
        static const char *const hdr[] = {"Grew by>", "Below>", "At>", "Self share>",
                                          "With callees>", "Function", NULL};
        struct hp_rtable *t = hp_rdoc_table(d, hdr);
        NEED(t);
        size_t i;
        json_array_foreach(grown, i, g)
        {
            if (i == 12)
                break;
            double b = hp_report_num(g, "before_cores"), a = hp_report_num(g, "after_cores");
            char c0[32], c1[32], c2[32], c3[32], c4[32];
            snprintf(c0, sizeof c0, "%+.3f", a - b);
            snprintf(c1, sizeof c1, "%.3f", b);
            snprintf(c2, sizeof c2, "%.3f", a);
            const char *cells[] = {c0, c1, c2,
                                   fmt(hp_report_num(g, "self_ratio"), "ratio", c3, sizeof c3),
                                   fmt(hp_report_num(g, "total_ratio"), "ratio", c4, sizeof c4),
                                   str(g, "name")};
            TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
        }
    }
    static const char *const kinds[] = {"on_cpu", "idle", "lock", "io", "sleep", "preempted",
                                        "other"};
    static const char *const label[] = {"", "waiting for work (epoll, poll, accept, a "
                                        "condition)", "waiting for a lock (futex, "
                                        "pthread_mutex_lock)", "waiting for the disk (fsync, "
                                        "writeback)", "in a timed sleep", "runnable, waiting "
                                        "for a CPU", "elsewhere off the CPU"};
    double sum = 0, share[7];
    bool off = false;
    for (int k = 1; k < 7; k++) {
        char name[48];
        snprintf(name, sizeof name, "off_cpu_%s_ratio", kinds[k]);
        share[k] = metric(in, name);
        off |= isfinite(share[k]);
        sum += isfinite(share[k]) ? share[k] : 0;
    }
    if (off) {
        TRY(hp_rdoc_para(d, HP_MARK_NONE, "The threads' time at the %s, from the off-CPU "
                                          "profile (every switch off the CPU with its stack):",
                         knee ? "knee" : "highest level"));
        struct hp_rtable *kv = hp_rdoc_kv_list(d);
        NEED(kv);
        TRY(hp_rdoc_kv(kv, "on the CPU", "%.1f%%", 100 * (1 - sum)));
        for (int k = 1; k < 7; k++)
            if (isfinite(share[k]))
                TRY(hp_rdoc_kv(kv, label[k], "%.1f%%", 100 * share[k]));
    }
    struct hp_stacks s;
    bool have;
    NEED(hp_stacks_init(&s) == 0);
    int rc = two_profiles(in, "cpu_folded", &s, &have, err);
    if (rc == 0 && have)
        rc = flame_block(d, &s, "rca-cpu-flame", "CPU at the knee against the level below",
                         "Differential CPU flame graph: the knee's stacks, red where a frame's "
                         "share of the samples grew from the level below, blue where it shrank. "
                         "Click to zoom; Ctrl-F searches.", "samples");
    hp_stacks_fini(&s);
    TRY(rc);
    NEED(hp_stacks_init(&s) == 0);
    rc = two_profiles(in, "off_cpu_folded", &s, &have, err);
    if (rc == 0 && have)
        rc = flame_block(d, &s, "rca-off-flame", "Off-CPU at the knee against the level below",
                         "Differential off-CPU flame graph: where the threads waited at the "
                         "knee (ns), red where the share grew from the level below.", "ns");
    hp_stacks_fini(&s);
    return rc;
}

static int to_try(struct hp_rdoc *d, const struct hp_report_input *in, int level)
{
    json_t *diag = json_object_get(hp_result_json(in->doc), "diagnosis"), *s;
    TRY(hp_rdoc_heading(d, level, "What to try"));
    static const char *const hdr[] = {"#>", "What", "Why (the figure behind it)", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    size_t i;
    json_array_foreach(json_object_get(diag, "suggestions"), i, s)
    {
        char n[24];
        snprintf(n, sizeof n, "%zu", i + 1);
        const char *cells[] = {n, str(s, "what"), str(s, "why")};
        TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
    }
    return 0;
}

static int method(struct hp_rdoc *d, const struct hp_report_input *in, int level)
{
    char a[48], b[48], c[48];
    TRY(hp_rdoc_heading(d, level, "Method and cost"));
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    if (hp_report_cfg_str(in, "url"))
        TRY(hp_rdoc_kv(kv, "Target", "%s %s, served by %s",
                       hp_report_cfg_str(in, "method") ? hp_report_cfg_str(in, "method") : "GET", hp_report_cfg_str(in, "url"),
                       hp_report_cfg_str(in, "target") ? hp_report_cfg_str(in, "target") : "?"));
    TRY(hp_rdoc_kv(kv, "Each level", "%s warm-up, %s measured; %s",
                   fmt(config_num(in, "warmup_ns"), "ns", a, sizeof a),
                   fmt(config_num(in, "measure_ns"), "ns", b, sizeof b),
                   hp_report_cfg_str(in, "stopped") ? hp_report_cfg_str(in, "stopped") : ""));
    TRY(hp_rdoc_kv(kv, "Monitor", "every %s: the machine (/proc/stat, meminfo, diskstats, "
                                  "net/dev) and the process with each of its threads",
                   fmt(config_num(in, "monitor_interval_ns"), "ns", a, sizeof a)));
    TRY(hp_rdoc_kv(kv, "Profiles", "the level below the knee and the knee run again: on-CPU "
                                   "stacks at %.0f Hz (cpu-clock), off-CPU from every context "
                                   "switch (perf_event_open)", config_num(in, "frequency_hz")));
    double bare = metric(in, "bare_throughput_per_s"), ov = metric(in, "overhead_ratio");
    if (isfinite(bare))
        TRY(hp_rdoc_kv(kv, "Overhead", "at the knee %s bare, %s with the monitor (%.1f%% "
                                       "less), %s with the monitor and both profilers (%.1f%% "
                                       "less); negative is noise",
                       fmt(bare, "1/s", a, sizeof a),
                       fmt(bare * (1 - metric(in, "monitor_overhead_ratio")), "1/s", b, sizeof b),
                       100 * metric(in, "monitor_overhead_ratio"),
                       fmt(metric(in, "profiled_throughput_per_s"), "1/s", c, sizeof c),
                       100 * ov));
    else
        TRY(hp_rdoc_kv(kv, "Overhead", "not measured: no knee (it is measured at the knee, "
                                       "where the service is full)"));
    return 0;
}

int hp_report_diagnose_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                               struct hp_err *err)
{
    TRY(check(in, err));
    json_t *diag = json_object_get(hp_result_json(in->doc), "diagnosis");
    int sub = level;
    if (level > 0) {
        char t[300];
        snprintf(t, sizeof t, "Diagnosis: %s", hp_report_cfg_str(in, "url") ? hp_report_cfg_str(in, "url") : in->name);
        TRY(hp_rdoc_heading(d, level, t));
        sub = level + 1;
    } else {
        sub = 2;
    }
    TRY(hp_rdoc_heading(d, sub, "Summary"));
    json_t *first = json_array_get(json_object_get(diag, "findings"), 0);
    const char *cause = str(first, "cause");
    TRY(hp_rdoc_para(d, cause && strcmp(cause, "none") == 0 ? HP_MARK_PASS : HP_MARK_FAIL, "%s",
                     str(diag, "summary")));
    if (str(first, "evidence"))
        TRY(hp_rdoc_para(d, HP_MARK_NONE, "%s", str(first, "evidence")));
    json_t *s0 = json_array_get(json_object_get(diag, "suggestions"), 0);
    if (str(s0, "what"))
        TRY(hp_rdoc_para(d, HP_MARK_NOTE, "First thing to try: %s (%s)", str(s0, "what"),
                         str(s0, "why") ? str(s0, "why") : "see below"));
    TRY(stops(d, in, sub));
    TRY(saturates(d, in, sub));
    TRY(time_goes(d, in, sub, err));
    TRY(to_try(d, in, sub));
    TRY(hp_report_use_charts(d, in, sub));
    return method(d, in, sub);
}

int hp_report_rca(struct hp_rdoc *d, const struct hp_report_input *in, size_t n,
                  struct hp_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(hp_result_kind(in[i].doc), "diagnose") != 0)
            return hp_err_at(err, HP_EUSAGE, in[i].name, 0, 0,
                             "--as rca draws diagnose results (hotpath diagnose --json), not "
                             "kind \"%s\"", hp_result_kind(in[i].doc));
    for (size_t i = 0; i < n; i++)
        TRY(hp_report_diagnose_section(d, &in[i], n > 1 ? 2 : 0, err));
    return 0;
}
