// SPDX-License-Identifier: MIT
/* report/use_section.c - see use_section.h. Reads what `hotpath monitor
 * --json`, `load --monitor --json` and `profile --json` write
 * (docs/result-format.md). */
#include "report/use_section.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/units.h"
#include "report/section_int.h"

/* Series by name: prefix + something + suffix, labelled by format with the
 * something ("%.*s"); or, when format has no "%", exactly prefix + suffix. */
struct pick {
    const char *prefix, *suffix, *format;
};

/* One chart of every series picked, in the picks' order; nothing when none
 * has points. */
static int chart_of(struct hp_rdoc *d, json_t *series, const char *slug, const char *title,
                    const char *y_label, const char *unit, const struct pick *picks)
{
    struct hp_chart *c = NULL;
    for (const struct pick *p = picks; p->prefix; p++) {
        bool pattern = strchr(p->format, '%') != NULL;
        size_t pre = strlen(p->prefix), post = strlen(p->suffix);
        const char *key;
        json_t *s;
        json_object_foreach(series, key, s)
        {
            size_t len = strlen(key);
            json_t *pts = json_object_get(s, "points");
            if (len < pre + post + (pattern ? 1 : 0) || (!pattern && len != pre + post) ||
                strncmp(key, p->prefix, pre) != 0 || strcmp(key + len - post, p->suffix) != 0 ||
                json_array_size(pts) == 0)
                continue;
            if (!c) {
                c = hp_rdoc_chart(d, slug, title, "time since start", "s", y_label, unit);
                NEED(c);
                c->y_from_zero = true;
            }
            char name[96];
            if (pattern)
                snprintf(name, sizeof name, p->format, (int)(len - pre - post), key + pre);
            else
                snprintf(name, sizeof name, "%s", p->format);
            TRY(hp_report_add_series(c, name, pts, HP_DRAW_LINE, 1));
        }
    }
    return 0;
}

int hp_report_use_charts(struct hp_rdoc *d, const struct hp_report_input *in, int level)
{
    json_t *root = hp_result_json(in->doc), *series = json_object_get(root, "series");
    json_t *sat = json_object_get(root, "saturation");
    if (!json_object_get(series, "cpu_util"))
        return 0;
    if (level > 0)
        TRY(hp_rdoc_heading(d, level, "Resource use"));
    if (json_is_object(sat))
        TRY(hp_rdoc_para(d, HP_MARK_FAIL, "First to saturate: %s at %.1f s (%s).",
                         json_string_value(json_object_get(sat, "resource")) ?: "?",
                         json_number_value(json_object_get(sat, "at_s")),
                         json_string_value(json_object_get(sat, "evidence")) ?: ""));
    else if (json_is_null(sat))
        TRY(hp_rdoc_para(d, HP_MARK_PASS, "No resource saturated."));
    static const struct pick cpu[] = {
        {"cpu_util", "", "all CPUs"}, {"cpu", "_util", "CPU %.*s"}, {NULL, NULL, NULL}};
    TRY(chart_of(d, series, "use-cpu", "CPU utilisation", "busy", "ratio", cpu));
    static const struct pick psi[] = {{"psi_", "_some", "%.*s"}, {NULL, NULL, NULL}};
    TRY(chart_of(d, series, "use-psi", "Pressure stall: share of time some task waited", "stalled",
                 "ratio", psi));
    static const struct pick mem[] = {{"mem_used_bytes", "", "used"},
                                      {"mem_available_bytes", "", "available"},
                                      {"proc_rss_bytes", "", "process RSS"},
                                      {NULL, NULL, NULL}};
    TRY(chart_of(d, series, "use-memory", "Memory", "bytes", "bytes", mem));
    static const struct pick disk[] = {{"disk_", "_util", "%.*s"}, {NULL, NULL, NULL}};
    TRY(chart_of(d, series, "use-disk", "Disks: busy time", "busy", "ratio", disk));
    static const struct pick net[] = {{"net_", "_rx_bytes_per_s", "%.*s in"},
                                      {"net_", "_tx_bytes_per_s", "%.*s out"},
                                      {NULL, NULL, NULL}};
    TRY(chart_of(d, series, "use-net", "Network throughput", "bytes/s", "bytes/s", net));
    static const struct pick proc[] = {{"proc_cpu", "", "process"},
                                       {"proc_busiest_thread_cpu", "", "its busiest thread"},
                                       {"cpu_runnable", "", "runnable tasks"},
                                       {NULL, NULL, NULL}};
    TRY(chart_of(d, series, "use-proc", "Process CPU (in CPUs) and runnable tasks", "CPUs", "count",
                 proc));
    return 0;
}

int hp_report_monitor_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                              struct hp_err *err)
{
    json_t *root = hp_result_json(in->doc), *series = json_object_get(root, "series");
    if (!json_object_get(series, "cpu_util"))
        return hp_err_at(err, HP_EFORMAT, in->name, 0, 0,
                         "a monitor result needs series.cpu_util, which is missing");
    const char *s = strrchr(in->name, '/');
    char title[300];
    snprintf(title, sizeof title, "Resource use: %s", s ? s + 1 : in->name);
    TRY(hp_rdoc_heading(d, level, title));
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    json_t *cfg = json_object_get(root, "config");
    double v;
    if (json_is_integer(json_object_get(cfg, "pid")))
        TRY(hp_rdoc_kv(kv, "Process", "%lld",
                       (long long)json_integer_value(json_object_get(cfg, "pid"))));
    if (hp_result_get_metric(in->doc, "cpu_util_mean", &v, NULL))
        TRY(hp_rdoc_kv(kv, "CPU", "%.1f%% busy on average", 100 * v));
    if (hp_result_get_metric(in->doc, "proc_cpu_mean", &v, NULL))
        TRY(hp_rdoc_kv(kv, "Process CPU", "%.2f CPUs on average", v));
    return hp_report_use_charts(d, in, 0);
}

int hp_report_profile_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                              struct hp_err *err)
{
    json_t *root = hp_result_json(in->doc), *fns = json_object_get(root, "functions");
    json_t *cfg = json_object_get(root, "config");
    const char *target = json_string_value(json_object_get(cfg, "target"));
    double samples;
    if (!target || !json_is_array(fns) || !hp_result_get_metric(in->doc, "samples", &samples, NULL))
        return hp_err_at(err, HP_EFORMAT, in->name, 0, 0,
                         "a profile result needs config.target, metrics.samples and functions, "
                         "which are missing");
    char title[300], a[32];
    snprintf(title, sizeof title, "CPU profile: %s", target);
    TRY(hp_rdoc_heading(d, level, title));
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    TRY(hp_rdoc_kv(kv, "Samples", "%s of %s at %lld Hz", hp_format_count(samples, a, sizeof a),
                   json_string_value(json_object_get(cfg, "event")) ?: "?",
                   (long long)json_integer_value(json_object_get(cfg, "frequency_hz"))));
    double v;
    if (hp_result_get_metric(in->doc, "lost", &v, NULL) && v > 0)
        TRY(hp_rdoc_kv(kv, "Lost", "%.0f samples (the buffer filled)", v));
    if (hp_result_get_metric(in->doc, "user_stacks_without_caller", &v, NULL) && v > 0.2)
        TRY(hp_rdoc_para(d, HP_MARK_NOTE,
                         "%.0f%% of the samples in user code have no caller: code built without "
                         "frame pointers loses its callers (-fno-omit-frame-pointer).",
                         100 * v));
    TRY(hp_rdoc_para(d, HP_MARK_NONE,
                     "The document holds the folded stacks: `hotpath flame` draws them "
                     "(jq -r .folded %s > p.folded; hotpath flame p.folded -o p.svg).",
                     in->name));
    static const char *const th[] = {"Function", "Self>", "Total>", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, th);
    NEED(t);
    size_t i;
    json_t *f;
    json_array_foreach(fns, i, f)
    {
        if (i == 25)
            break;
        char self[16], total[16];
        snprintf(self, sizeof self, "%.2f%%",
                 100 * json_number_value(json_object_get(f, "self_ratio")));
        snprintf(total, sizeof total, "%.2f%%",
                 100 * json_number_value(json_object_get(f, "total_ratio")));
        const char *cells[] = {json_string_value(json_object_get(f, "name")) ?: "?", self, total};
        TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
    }
    return 0;
}
