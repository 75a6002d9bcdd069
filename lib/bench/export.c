// SPDX-License-Identifier: MIT
/* bench/export.c - see export.h. */
#include "bench/export.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

void hp_bench_duration(double s, enum hp_time_unit unit, char *buf, size_t size)
{
    if ((unit == HP_UNIT_AUTO && s < 1.0) || unit == HP_UNIT_MS)
        snprintf(buf, size, "%.1f ms", s * 1e3);
    else
        snprintf(buf, size, "%.3f s", s);
}

int hp_bench_export_json(const struct hp_bench *b, FILE *f)
{
    json_t *root = json_object(), *results = json_array();
    json_object_set_new(root, "results", results);
    for (int i = 0; i < b->ncmds; i++) {
        const struct hp_bench_result *r = &b->results[i];
        if (r->nruns == 0)
            continue;
        json_t *o = json_object(), *times = json_array(), *codes = json_array();
        json_object_set_new(o, "command", json_string(r->cmd->name));
        json_object_set_new(o, "mean", json_real(r->mean_s));
        json_object_set_new(o, "stddev", hp_json_number(r->stddev_s));
        json_object_set_new(o, "median", json_real(r->median_s));
        json_object_set_new(o, "user", json_real(r->user_s));
        json_object_set_new(o, "system", json_real(r->system_s));
        json_object_set_new(o, "min", json_real(r->min_s));
        json_object_set_new(o, "max", json_real(r->max_s));
        for (int64_t k = 0; k < r->nruns; k++) {
            json_array_append_new(times, json_real(r->runs[k].wall_s));
            json_array_append_new(codes, r->runs[k].signal ? json_null()
                                                           : json_integer(r->runs[k].exit_code));
        }
        json_object_set_new(o, "times", times);
        json_object_set_new(o, "exit_codes", codes);
        if (r->cmd->nparams > 0) {
            json_t *p = json_object();
            for (int k = 0; k < r->cmd->nparams; k++)
                json_object_set_new(p, r->cmd->params[k].name,
                                    json_string(r->cmd->params[k].value));
            json_object_set_new(o, "parameters", p);
        }
        json_array_append_new(results, o);
    }
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(root);
    fputc('\n', f);
    return rc == 0 ? 0 : -ENOMEM;
}

static const struct hp_bench_result *fastest(const struct hp_bench *b)
{
    const struct hp_bench_result *f = NULL;
    for (int i = 0; i < b->ncmds; i++)
        if (b->results[i].nruns > 0 && (!f || b->results[i].mean_s < f->mean_s))
            f = &b->results[i];
    return f;
}

int hp_bench_export_markdown(const struct hp_bench *b, enum hp_time_unit unit, FILE *f)
{
    const struct hp_bench_result *best = fastest(b);
    if (unit == HP_UNIT_AUTO) { /* the first result's unit, as hyperfine */
        for (int i = 0; i < b->ncmds; i++)
            if (b->results[i].nruns > 0) {
                unit = b->results[i].mean_s < 1.0 ? HP_UNIT_MS : HP_UNIT_S;
                break;
            }
    }
    double k = unit == HP_UNIT_MS ? 1e3 : 1.0;
    const char *u = unit == HP_UNIT_MS ? "ms" : "s", *fmt = unit == HP_UNIT_MS ? "%.1f" : "%.3f";
    fprintf(f, "| Command | Mean [%s] | Min [%s] | Max [%s] | Relative |\n", u, u, u);
    fprintf(f, "|:---|---:|---:|---:|---:|\n");
    for (int i = 0; i < b->ncmds; i++) {
        const struct hp_bench_result *r = &b->results[i];
        if (r->nruns == 0)
            continue;
        char mean[64], sd[64] = "", mn[32], mx[32];
        snprintf(mean, sizeof mean, fmt, r->mean_s * k);
        if (isfinite(r->stddev_s)) {
            char t[32];
            snprintf(t, sizeof t, fmt, r->stddev_s * k);
            snprintf(sd, sizeof sd, " ± %s", t);
        }
        snprintf(mn, sizeof mn, fmt, r->min_s * k);
        snprintf(mx, sizeof mx, fmt, r->max_s * k);
        double ratio, rsd;
        hp_bench_relative(r, best, &ratio, &rsd);
        fprintf(f, "| `");
        for (const char *c = r->cmd->name; *c; c++) {
            if (*c == '|')
                fputc('\\', f);
            fputc(*c, f);
        }
        fprintf(f, "` | %s%s | %s | %s | %.2f", mean, sd, mn, mx, ratio);
        if (r != best && isfinite(rsd))
            fprintf(f, " ± %.2f", rsd);
        fprintf(f, " |\n");
    }
    return ferror(f) ? -EIO : 0;
}

/* The shortest text that reads back as the same double. */
static void shortest(double v, char *buf, size_t size)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, size, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

int hp_bench_export_csv(const struct hp_bench *b, FILE *f)
{
    fprintf(f, "command,mean,stddev,median,user,system,min,max");
    const struct hp_bench_result *first = NULL;
    for (int i = 0; i < b->ncmds && !first; i++)
        if (b->results[i].nruns > 0)
            first = &b->results[i];
    if (first)
        for (int k = 0; k < first->cmd->nparams; k++)
            fprintf(f, ",parameter_%s", first->cmd->params[k].name);
    fprintf(f, "\n");
    for (int i = 0; i < b->ncmds; i++) {
        const struct hp_bench_result *r = &b->results[i];
        if (r->nruns == 0)
            continue;
        hp_csv_put(f, r->cmd->name);
        double fig[] = {r->mean_s,   isfinite(r->stddev_s) ? r->stddev_s : 0.0,
                        r->median_s, r->user_s,
                        r->system_s, r->min_s,
                        r->max_s};
        for (size_t k = 0; k < sizeof fig / sizeof *fig; k++) {
            char t[40];
            shortest(fig[k], t, sizeof t);
            fprintf(f, ",%s", t);
        }
        for (int k = 0; k < r->cmd->nparams; k++) {
            fprintf(f, ",");
            hp_csv_put(f, r->cmd->params[k].value);
        }
        fprintf(f, "\n");
    }
    return ferror(f) ? -EIO : 0;
}

static int metric(struct hp_result *doc, const struct hp_bench_result *r, bool plain,
                  const char *field, double v, const char *unit)
{
    char name[600];
    snprintf(name, sizeof name, "%s/%s", r->cmd->name, field);
    int rc = hp_result_metric(doc, name, v, unit);
    if (rc == 0 && plain)
        rc = hp_result_metric(doc, field, v, unit);
    return rc;
}

static const char *interleave_name(enum hp_interleave i)
{
    return i == HP_INTERLEAVE_ALTERNATE ? "alternate"
           : i == HP_INTERLEAVE_SHUFFLE ? "shuffle"
                                        : "none";
}

int hp_bench_doc(const struct hp_bench *b, struct hp_result *doc)
{
    const struct hp_bench_opts *o = &b->o;
    int rc = hp_result_config_str(doc, "shell", o->shell ? o->shell : "none");
    rc = rc ? rc : hp_result_config_int(doc, "warmup", o->warmup);
    rc = rc ? rc : hp_result_config_int(doc, "min_runs", o->min_runs);
    rc = rc ? rc : hp_result_config_int(doc, "max_runs", o->max_runs);
    rc = rc ? rc : hp_result_config_real(doc, "min_time_s", o->min_time_s);
    rc = rc ? rc : hp_result_config_str(doc, "interleave", interleave_name(o->interleave));
    rc = rc ? rc : hp_result_config_bool(doc, "ignore_failure", o->ignore_failure);
    if (o->setup)
        rc = rc ? rc : hp_result_config_str(doc, "setup", o->setup);
    if (o->cleanup)
        rc = rc ? rc : hp_result_config_str(doc, "cleanup", o->cleanup);
    if (rc)
        return rc;
    json_t *root = hp_result_json(doc), *cfg = json_object_get(root, "config");
    json_t *cmds = json_array(), *prep = json_array();
    for (int i = 0; i < b->ncmds; i++)
        json_array_append_new(cmds, json_string(b->cmds[i].line));
    for (int i = 0; i < o->nprepare; i++)
        json_array_append_new(prep, json_string(o->prepare[i]));
    json_object_set_new(cfg, "commands", cmds);
    json_object_set_new(cfg, "prepare", prep);
    json_object_set_new(cfg, "shell_startup_s",
                        b->calibrated ? json_real(b->shell.wall_s) : json_null());
    json_object_set_new(cfg, "rss_floor_bytes", json_integer(b->rss_floor));
    json_object_set_new(cfg, "interrupted", json_boolean(b->interrupted));
    json_t *all = json_array();
    bool first = true;
    for (int i = 0; i < b->ncmds && rc == 0; i++) {
        const struct hp_bench_result *r = &b->results[i];
        if (r->nruns == 0)
            continue;
        rc = metric(doc, r, first, "mean_s", r->mean_s, "s");
        rc = rc ? rc : metric(doc, r, first, "median_s", r->median_s, "s");
        rc = rc ? rc : metric(doc, r, first, "stddev_s", r->stddev_s, "s");
        rc = rc ? rc : metric(doc, r, first, "min_s", r->min_s, "s");
        rc = rc ? rc : metric(doc, r, first, "max_s", r->max_s, "s");
        rc = rc ? rc : metric(doc, r, first, "user_s", r->user_s, "s");
        rc = rc ? rc : metric(doc, r, first, "system_s", r->system_s, "s");
        rc = rc ? rc : metric(doc, r, first, "max_rss_bytes", (double)r->rss_max, "bytes");
        rc = rc ? rc : metric(doc, r, first, "runs", (double)r->nruns, "count");
        first = false;
        json_t *o2 = json_object(), *runs = json_array(), *params = json_object();
        json_object_set_new(o2, "name", json_string(r->cmd->name));
        json_object_set_new(o2, "command", json_string(r->cmd->line));
        for (int k = 0; k < r->cmd->nparams; k++)
            json_object_set_new(params, r->cmd->params[k].name,
                                json_string(r->cmd->params[k].value));
        json_object_set_new(o2, "parameters", params);
        json_object_set_new(o2, "complete", json_boolean(r->complete));
        json_object_set_new(o2, "mean_s", json_real(r->mean_s));
        json_object_set_new(o2, "stddev_s", hp_json_number(r->stddev_s));
        json_object_set_new(o2, "median_s", json_real(r->median_s));
        json_object_set_new(o2, "median_ci_low_s", json_real(r->median_ci.lo));
        json_object_set_new(o2, "median_ci_high_s", json_real(r->median_ci.hi));
        json_object_set_new(o2, "median_ci_coverage", json_real(r->median_ci.coverage));
        json_object_set_new(o2, "min_s", json_real(r->min_s));
        json_object_set_new(o2, "max_s", json_real(r->max_s));
        json_object_set_new(o2, "user_s", json_real(r->user_s));
        json_object_set_new(o2, "system_s", json_real(r->system_s));
        json_object_set_new(o2, "max_rss_median_bytes", json_integer(r->rss_median));
        json_object_set_new(o2, "max_rss_max_bytes", json_integer(r->rss_max));
        json_object_set_new(o2, "max_rss_at_floor", json_boolean(r->rss_at_floor));
        json_object_set_new(o2, "voluntary_cs_mean", json_real(r->vcs_mean));
        json_object_set_new(o2, "involuntary_cs_mean", json_real(r->ivcs_mean));
        json_object_set_new(o2, "minor_faults_mean", json_real(r->minflt_mean));
        json_object_set_new(o2, "major_faults_mean", json_real(r->majflt_mean));
        json_object_set_new(o2, "outliers", json_integer(r->outliers));
        json_object_set_new(o2, "failed", json_integer(r->failed));
        for (int64_t k = 0; k < r->nruns; k++) {
            const struct hp_run *x = &r->runs[k];
            json_t *run = json_object();
            json_object_set_new(run, "wall_s", json_real(x->wall_s));
            json_object_set_new(run, "user_s", json_real(x->user_s));
            json_object_set_new(run, "system_s", json_real(x->system_s));
            json_object_set_new(run, "max_rss_bytes", json_integer(x->max_rss_bytes));
            json_object_set_new(run, "voluntary_cs", json_integer(x->voluntary_cs));
            json_object_set_new(run, "involuntary_cs", json_integer(x->involuntary_cs));
            json_object_set_new(run, "minor_faults", json_integer(x->minor_faults));
            json_object_set_new(run, "major_faults", json_integer(x->major_faults));
            json_object_set_new(run, "exit_code",
                                x->signal ? json_null() : json_integer(x->exit_code));
            if (x->signal)
                json_object_set_new(run, "signal", json_integer(x->signal));
            json_object_set_new(run, "outlier", json_boolean(x->outlier));
            json_array_append_new(runs, run);
        }
        json_object_set_new(o2, "runs", runs);
        json_array_append_new(all, o2);
    }
    json_object_set_new(root, "benchmarks", all);
    return rc;
}
