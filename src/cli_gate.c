// SPDX-License-Identifier: MIT
/* src/cli_gate.c - see cli_gate.h. */
#include "cli_gate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "report/junit.h"

void cli_gate_init(struct cli_gate *g)
{
    g->n = 0;
    g->aborted_by = -1;
}

bool cli_gate_add(const struct hp_cmd *cmd, struct cli_gate *g, const char *text)
{
    struct hp_err err = {0};
    if (g->n >= CLI_GATE_MAX) {
        cli_usage_error(cmd, "--threshold: at most %d thresholds", CLI_GATE_MAX);
        return false;
    }
    if (hp_threshold_parse(text, &g->thr[g->n], &err) < 0) {
        cli_usage_error(cmd, "--threshold '%s': column %d: %s", text, err.col, err.msg);
        return false;
    }
    g->n++;
    return true;
}

bool cli_gate_should_abort_by(struct cli_gate *g, cli_gate_lookup find, void *ctx, double t_s)
{
    for (int i = 0; i < g->n; i++) {
        const struct hp_threshold *t = &g->thr[i];
        struct hp_threshold_result r;
        if (!t->abort_on_fail || t_s * 1e9 < (double)t->abort_delay_ns)
            continue;
        hp_threshold_eval(t, find(ctx, t->tag_key, t->tag_value), &r);
        if (!r.passed && !r.no_samples) {
            g->aborted_by = i;
            g->res[i] = r;
            return true;
        }
    }
    return false;
}

int cli_gate_judge_by(struct cli_gate *g, cli_gate_lookup find, void *ctx)
{
    int failed = 0;
    for (int i = 0; i < g->n; i++) {
        hp_threshold_eval(&g->thr[i], find(ctx, g->thr[i].tag_key, g->thr[i].tag_value),
                          &g->res[i]);
        failed += !g->res[i].passed;
    }
    return failed;
}

/* One set for everything (no tags to select by). */
static const struct hp_metric_set *the_set(void *ctx, const char *key, const char *value)
{
    (void)value;
    return key[0] ? NULL : ctx;
}

bool cli_gate_should_abort(struct cli_gate *g, const struct hp_metric_set *m, double t_s)
{
    return cli_gate_should_abort_by(g, the_set, (void *)m, t_s);
}

int cli_gate_judge(struct cli_gate *g, const struct hp_metric_set *m)
{
    return cli_gate_judge_by(g, the_set, (void *)m);
}

/* "p(99) = 212ms" or "rate = 0.5%". */
static void measured(const struct hp_threshold *t, const struct hp_threshold_result *r,
                     char *buf, size_t size)
{
    static const char *const aggs[] = {"avg", "min", "max", "med", "p", "rate", "count"};
    char v[48], agg[24];
    if (t->agg == HP_AGG_P)
        snprintf(agg, sizeof agg, "p(%g)", t->percentile);
    else
        snprintf(agg, sizeof agg, "%s", aggs[t->agg]);
    if (r->no_samples)
        snprintf(buf, size, "%s: no samples", agg);
    else
        snprintf(buf, size, "%s = %s", agg, hp_threshold_format_value(t, r->measured, v, sizeof v));
}

void cli_gate_print(const struct cli_gate *g, FILE *out)
{
    if (g->n == 0)
        return;
    int width = 0;
    for (int i = 0; i < g->n; i++) {
        int w = (int)strlen(g->thr[i].text);
        width = w > width ? w : width;
    }
    fprintf(out, "  Thresholds:\n");
    for (int i = 0; i < g->n; i++) {
        char m[96];
        measured(&g->thr[i], &g->res[i], m, sizeof m);
        fprintf(out, "    %s %-*s   %s%s\n", g->res[i].passed ? "\u2713" : "\u2717", width,
                g->thr[i].text, m, i == g->aborted_by ? "  (stopped the run)" : "");
    }
}

/* Markdown cells must not break the table. */
static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++)
        fputs(*s == '|' ? "\\|" : (char[2]){*s, 0}, out);
}

void cli_gate_markdown(const struct cli_gate *g, FILE *out)
{
    if (g->n == 0)
        return;
    fprintf(out, "\n## Thresholds\n\n| | threshold | measured |\n| --- | --- | --- |\n");
    for (int i = 0; i < g->n; i++) {
        char m[96];
        measured(&g->thr[i], &g->res[i], m, sizeof m);
        fprintf(out, "| %s | `", g->res[i].passed ? "\u2705 pass" : "\u274c fail");
        md_cell(out, g->thr[i].text);
        fprintf(out, "` | ");
        md_cell(out, m);
        fprintf(out, " |\n");
    }
}

static const char *unit_of(const struct hp_threshold *t)
{
    switch (hp_threshold_metric_kind(t)) {
    case HP_METRIC_TREND:
        return "ns";
    case HP_METRIC_RATE:
        return "ratio";
    case HP_METRIC_COUNTER:
        break;
    }
    bool bytes = strncmp(hp_threshold_metric_name(t), "data_", 5) == 0;
    if (t->agg == HP_AGG_RATE)
        return bytes ? "bytes/s" : "1/s";
    return bytes ? "bytes" : "count";
}

int cli_gate_to_doc(const struct cli_gate *g, struct hp_result *doc)
{
    for (int i = 0; i < g->n; i++) {
        int rc = hp_result_threshold(doc, g->thr[i].text, g->res[i].passed, g->res[i].measured,
                                     unit_of(&g->thr[i]));
        if (rc < 0)
            return rc;
    }
    return 0;
}

int cli_gate_junit(const struct cli_gate *g, const char *path, const char *suite,
                   double time_s, int64_t started_wall_ns, struct hp_err *err)
{
    struct hp_junit_case cases[CLI_GATE_MAX];
    char msgs[CLI_GATE_MAX][160];
    char stamp[32];
    time_t secs = (time_t)(started_wall_ns / 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    for (int i = 0; i < g->n; i++) {
        char m[96];
        measured(&g->thr[i], &g->res[i], m, sizeof m);
        snprintf(msgs[i], sizeof msgs[i], "%s%s", m,
                 g->res[i].passed ? "" : g->res[i].no_samples ? " (nothing to judge)"
                                                              : " (threshold not met)");
        cases[i] = (struct hp_junit_case){g->thr[i].text, g->res[i].passed, msgs[i]};
    }
    return hp_junit_write(path, suite, "hotpath.thresholds", time_s, stamp, cases,
                          (size_t)g->n, err);
}
