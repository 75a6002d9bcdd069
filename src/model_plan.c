// SPDX-License-Identifier: MIT
/* src/model_plan.c - `hotpath model plan`. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_model.h"
#include "core/alloc.h"
#include "core/csv.h"
#include "core/file.h"
#include "core/result.h"
#include "core/units.h"
#include "model/mva.h"
#include "model/mva_yaml.h"
#include "model/plan.h"
#include "model/queue.h"
#include "model/usl.h"

/* One instance's capacity from a sweep result: its knee, or with slo_ns the
 * highest throughput among the levels whose p99 stayed at or under slo_ns. */
static int sweep_capacity(const struct hp_cmd *cmd, const char *file, int64_t slo_ns,
                          double *capacity, char *basis, size_t basis_size)
{
    struct hp_result *doc = NULL;
    struct hp_err err = {0};
    char d[32];
    int rc = hp_result_load(file, &doc, &err);
    if (rc < 0)
        return cli_fail(cmd, rc, &err);
    if (strcmp(hp_result_kind(doc), "sweep") != 0) {
        hp_result_free(doc);
        return cli_usage_error(cmd, "--capacity-sweep %s: a %s result, not a sweep", file,
                               hp_result_kind(doc));
    }
    if (slo_ns <= 0) {
        double knee, slo = 0;
        bool ok = hp_result_get_metric(doc, "knee_throughput_per_s", &knee, NULL);
        json_t *c = json_object_get(json_object_get(hp_result_json(doc), "config"), "slo_p99_ns");
        slo = json_number_value(c);
        hp_result_free(doc);
        if (!ok)
            return cli_usage_error(cmd, "--capacity-sweep %s: the sweep has no knee (give --slo, "
                                        "or run the sweep with --slo)", file);
        *capacity = knee;
        snprintf(basis, basis_size, "the sweep's knee under p99 %s",
                 hp_format_duration((int64_t)slo, d, sizeof d));
        return 0;
    }
    json_t *series = json_object_get(hp_result_json(doc), "series");
    json_t *x = json_object_get(json_object_get(series, "throughput_per_s"), "points");
    json_t *p99 = json_object_get(json_object_get(series, "latency_p99_ns"), "points");
    double best = -1, at = 0;
    size_t levels = json_array_size(x);
    for (size_t i = 0; i < levels && i < json_array_size(p99); i++) {
        double xi = json_number_value(json_array_get(json_array_get(x, i), 1));
        double ri = json_number_value(json_array_get(json_array_get(p99, i), 1));
        if (ri <= (double)slo_ns && xi > best) {
            best = xi;
            at = json_number_value(json_array_get(json_array_get(x, i), 0));
        }
    }
    hp_result_free(doc);
    if (levels == 0)
        return cli_usage_error(cmd, "--capacity-sweep %s: no throughput_per_s series", file);
    if (!(best > 0))
        return cli_usage_error(cmd, "--capacity-sweep %s: no level kept p99 under %s", file,
                               hp_format_duration(slo_ns, d, sizeof d));
    *capacity = best;
    snprintf(basis, basis_size, "the sweep's best level with p99 under %s, at concurrency %.3g",
             hp_format_duration(slo_ns, d, sizeof d), at);
    return 0;
}

int model_run_plan(const struct hp_cmd *cmd, struct plan_args *pa)
{
    struct hp_plan_input *in = &pa->in;
    struct hp_err err = {0};
    static struct hp_plan plan;
    double *a = NULL, *b = NULL;
    size_t n = 0;
    int rc = 0;
    char r1[32], r2[32], basis[160] = "";

    if (!(in->peak_per_s > 0))
        return cli_usage_error(cmd, "plan needs --peak (today's peak load)");
    if (pa->growth_given == (pa->history != NULL))
        return cli_usage_error(cmd, "plan needs one of --growth or --history");
    if ((in->capacity_per_s > 0) + (pa->capacity_usl != NULL) + (pa->capacity_sweep != NULL) != 1)
        return cli_usage_error(cmd, "plan needs one of --capacity, --capacity-usl or "
                                    "--capacity-sweep");
    if (pa->slo_ns > 0 && in->capacity_per_s > 0)
        return cli_usage_error(cmd, "--slo needs --capacity-sweep or --capacity-usl: a bare "
                                    "--capacity says nothing about latency");
    if (pa->capacity_sweep) {
        rc = sweep_capacity(cmd, pa->capacity_sweep, pa->slo_ns, &in->capacity_per_s, basis,
                            sizeof basis);
        if (rc)
            return rc;
    }
    if (pa->history) {
        enum hp_growth_kind kind = HP_GROWTH_COMPOUND;
        if (pa->fit && strcmp(pa->fit, "linear") == 0)
            kind = HP_GROWTH_LINEAR_FIT;
        else if (pa->fit && strcmp(pa->fit, "exp") == 0)
            kind = HP_GROWTH_EXP_FIT;
        else if (pa->fit)
            return cli_usage_error(cmd, "--fit: '%s' (expected linear or exp)", pa->fit);
        if ((rc = model_load_points(pa->history, &a, &b, &n, &err)) < 0) {
            rc = cli_fail(cmd, rc, &err);
            goto out;
        }
        if ((rc = hp_growth_fit(a, b, n, kind, &in->growth, &err)) < 0) {
            snprintf(err.file, sizeof err.file, "%s", pa->history);
            rc = cli_fail(cmd, rc, &err);
            goto out;
        }
        hp_free(a);
        hp_free(b);
        a = b = NULL;
    }
    if (pa->capacity_usl) {
        struct hp_usl u;
        double n_star, x_star;
        if ((rc = model_load_points(pa->capacity_usl, &a, &b, &n, &err)) < 0) {
            rc = cli_fail(cmd, rc, &err);
            goto out;
        }
        if ((rc = hp_usl_fit(a, b, n, &u, &err)) < 0) {
            snprintf(err.file, sizeof err.file, "%s", pa->capacity_usl);
            rc = cli_fail(cmd, rc, &err);
            goto out;
        }
        bool peak = hp_usl_peak(&u, &n_star, &x_star);
        if (pa->slo_ns > 0) {
            /* The N at which R(N) = N / X(N) reaches the objective; beyond
             * the peak the peak is what one instance carries anyway. */
            double n_r, r = (double)pa->slo_ns / 1e9;
            if ((rc = hp_usl_users_for_response_time(&u, r, &n_r, &err)) < 0) {
                rc = cli_usage_error(cmd, "--slo: %s", err.msg);
                goto out;
            }
            if (!peak || n_r < n_star) {
                in->capacity_per_s = hp_usl_throughput(&u, n_r);
                snprintf(basis, sizeof basis, "the USL fit at N = %.3g, where N/X(N) reaches %s",
                         n_r, hp_format_duration(pa->slo_ns, r1, sizeof r1));
                peak = true;
                x_star = in->capacity_per_s;
            } else {
                snprintf(basis, sizeof basis, "the USL fit's peak at N = %.3g, inside --slo %s",
                         n_star, hp_format_duration(pa->slo_ns, r1, sizeof r1));
            }
        } else {
            snprintf(basis, sizeof basis, "the USL fit's peak at N = %.3g", n_star);
        }
        if (!peak) {
            rc = cli_usage_error(cmd, "--capacity-usl %s: the fit has no peak (kappa is 0); give "
                                 "--slo or --capacity", pa->capacity_usl);
            goto out;
        }
        in->capacity_per_s = x_star;
    }
    if ((rc = hp_plan_make(in, &plan, &err)) < 0) {
        rc = cli_fail(cmd, rc, &err);
        goto out;
    }
    const char *model = in->growth.kind == HP_GROWTH_COMPOUND ? "compound"
                        : in->growth.kind == HP_GROWTH_LINEAR_FIT ? "linear fit"
                                                                    : "exponential fit";
    printf("Capacity plan: peak %s now, %s growth", hp_format_rate(in->peak_per_s, r1, sizeof r1),
           model);
    if (in->growth.kind == HP_GROWTH_COMPOUND)
        printf(" of %.3g%% a month", in->growth.rate * 100);
    else if (in->growth.kind == HP_GROWTH_LINEAR_FIT)
        printf(" (+%.4g/s a month, R^2 %.4f)", in->growth.b, in->growth.r_squared);
    else
        printf(" (%.3g%% a month, R^2 %.4f on log load)", (exp(in->growth.b) - 1) * 100,
               in->growth.r_squared);
    printf("\n  one instance carries %s%s%s%s; planned at %.0f%% utilisation with %d spare%s\n",
           hp_format_rate(in->capacity_per_s, r2, sizeof r2), basis[0] ? " (" : "", basis,
           basis[0] ? ")" : "", in->headroom * 100, in->spares, in->spares == 1 ? "" : "s");
    printf("\n  %5s %12s %10s%s\n", "month", "peak load", "instances",
           in->cost_per_instance > 0 ? "   cost/month" : "");
    for (int m = 0; m <= plan.months; m++) {
        printf("  %5d %12s %10d", m, hp_format_rate(plan.load[m], r1, sizeof r1),
               plan.instances[m]);
        if (in->cost_per_instance > 0)
            printf("   %10.2f", plan.instances[m] * in->cost_per_instance);
        printf("%s\n", m == plan.runs_out_month ? "   <- today's fleet runs out" : "");
    }
    if (in->fleet_now > 0)
        printf(plan.runs_out_month < 0 ? "\n  today's %d instances last the whole %d months\n"
                                       : "\n  today's %d instances run out in month %d\n",
               in->fleet_now, plan.runs_out_month < 0 ? plan.months : plan.runs_out_month);
    if (pa->output) {
        char *md = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&md, &len);
        if (f) {
            fprintf(f, "# Capacity plan\n\nPeak %s now, %s growth; one instance carries %s%s%s%s, "
                       "planned at %.0f%% utilisation with %d spare%s.\n\n",
                    hp_format_rate(in->peak_per_s, r1, sizeof r1), model,
                    hp_format_rate(in->capacity_per_s, r2, sizeof r2), basis[0] ? " (" : "",
                    basis, basis[0] ? ")" : "", in->headroom * 100, in->spares,
                    in->spares == 1 ? "" : "s");
            fprintf(f, "| month | peak load (/s) | instances |%s\n| --- | --- | --- |%s\n",
                    in->cost_per_instance > 0 ? " cost per month |" : "",
                    in->cost_per_instance > 0 ? " --- |" : "");
            for (int m = 0; m <= plan.months; m++) {
                fprintf(f, "| %d | %.0f | %d |", m, plan.load[m], plan.instances[m]);
                if (in->cost_per_instance > 0)
                    fprintf(f, " %.2f |", plan.instances[m] * in->cost_per_instance);
                fprintf(f, "\n");
            }
            if (in->fleet_now > 0 && plan.runs_out_month >= 0)
                fprintf(f, "\nToday's %d instances run out in month %d.\n", in->fleet_now,
                        plan.runs_out_month);
            fclose(f);
        }
        if (!md || hp_file_write_atomic(pa->output, md, len, &err) < 0)
            rc = cli_fail(cmd, md ? -EIO : -ENOMEM, &err);
        free(md);
    }
    if (pa->json) {
        struct hp_result *doc = NULL;
        int e = hp_result_new("model", &doc);
        e = e ? e : hp_result_config_str(doc, "model", "plan");
        e = e ? e : hp_result_config_real(doc, "peak_per_s", in->peak_per_s);
        e = e ? e : hp_result_config_real(doc, "capacity_per_s", in->capacity_per_s);
        if (basis[0])
            e = e ? e : hp_result_config_str(doc, "capacity_basis", basis);
        if (pa->slo_ns > 0)
            e = e ? e : hp_result_config_int(doc, "slo_ns", pa->slo_ns);
        e = e ? e : hp_result_config_real(doc, "headroom", in->headroom);
        e = e ? e : hp_result_config_int(doc, "spares", in->spares);
        e = e ? e : hp_result_config_int(doc, "months", plan.months);
        e = e ? e : hp_result_config_str(doc, "growth", model);
        if (in->growth.kind == HP_GROWTH_COMPOUND)
            e = e ? e : hp_result_config_real(doc, "growth_per_month", in->growth.rate);
        else if (in->growth.kind == HP_GROWTH_EXP_FIT)
            e = e ? e : hp_result_config_real(doc, "growth_per_month", exp(in->growth.b) - 1);
        if (in->fleet_now > 0)
            e = e ? e : hp_result_config_int(doc, "fleet_now", in->fleet_now);
        if (in->cost_per_instance > 0)
            e = e ? e : hp_result_config_real(doc, "cost_per_instance", in->cost_per_instance);
        e = e ? e : hp_result_metric(doc, "runs_out_month", plan.runs_out_month, "count");
        e = e ? e : hp_result_metric(doc, "instances_at_horizon", plan.instances[plan.months], "count");
        for (int m = 0; m <= plan.months && e == 0; m++) {
            e = hp_result_series_point(doc, "peak_load_per_s", "1/s", m, plan.load[m]);
            e = e ? e : hp_result_series_point(doc, "instances", "count", m, plan.instances[m]);
        }
        if (e < 0)
            rc = cli_fail(cmd, e, NULL);
        else if (hp_result_write(doc, pa->json, &err) < 0)
            rc = cli_fail(cmd, -EIO, &err);
        hp_result_free(doc);
    }
out:
    hp_free(a);
    hp_free(b);
    return rc;
}
