// SPDX-License-Identifier: MIT
/* src/model_usl.c - `hotpath model usl`: fit, print, answer, write. */
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

const char *model_num(double v, char *buf, size_t size)
{
    if (!isfinite(v))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, "%.6g", v);
    return buf;
}

int model_load_points(const char *file, double **n, double **x, size_t *count, struct hp_err *err)
{
    char *text = NULL;
    size_t len;
    int rc = hp_file_read(file, 512u * 1024 * 1024, &text, &len, err);
    if (rc < 0)
        return rc;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
        i++;
    if (i < len && text[i] == '{') {
        struct hp_result *doc = NULL;
        rc = hp_result_parse(text, len, file, &doc, err);
        hp_free(text);
        if (rc < 0)
            return rc;
        json_t *pts = json_object_get(
            json_object_get(json_object_get(hp_result_json(doc), "series"), "throughput_per_s"),
            "points");
        if (strcmp(hp_result_kind(doc), "sweep") != 0 || !json_is_array(pts)) {
            hp_result_free(doc);
            return hp_err_at(err, HP_EFORMAT, file, 0, 0,
                             "a result document of kind '%s' (expected a sweep, or a CSV of N,X)",
                             hp_result_kind(doc));
        }
        *count = json_array_size(pts);
        *n = hp_malloc((*count ? *count : 1) * sizeof **n);
        *x = hp_malloc((*count ? *count : 1) * sizeof **x);
        for (size_t k = 0; *n && *x && k < *count; k++) {
            (*n)[k] = json_number_value(json_array_get(json_array_get(pts, k), 0));
            (*x)[k] = json_number_value(json_array_get(json_array_get(pts, k), 1));
        }
        hp_result_free(doc);
        return *n && *x ? 0 : hp_err_set(err, -ENOMEM, "out of memory");
    }
    struct hp_csv csv;
    rc = hp_csv_parse(text, len, file, 2, &csv, err);
    hp_free(text);
    if (rc < 0)
        return rc;
    *count = csv.rows;
    *n = hp_malloc((csv.rows ? csv.rows : 1) * sizeof **n);
    *x = hp_malloc((csv.rows ? csv.rows : 1) * sizeof **x);
    for (size_t k = 0; *n && *x && k < csv.rows; k++) {
        (*n)[k] = csv.values[2 * k];
        (*x)[k] = csv.values[2 * k + 1];
    }
    hp_csv_fini(&csv);
    return *n && *x ? 0 : hp_err_set(err, -ENOMEM, "out of memory");
}

static int usl_doc(const struct hp_usl *u, const char *input, const char *path,
                   struct hp_err *err)
{
    struct hp_result *r = NULL;
    int rc = hp_result_new("model", &r);
    double n_star, x_star, lim;
    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    rc = hp_result_config_str(r, "model", "usl");
    rc = rc ? rc : hp_result_config_str(r, "input", input);
    rc = rc ? rc : hp_result_metric(r, "sigma", u->sigma, "ratio");
    rc = rc ? rc : hp_result_metric(r, "kappa", u->kappa, "ratio");
    rc = rc ? rc : hp_result_metric(r, "lambda", u->lambda, "1/s");
    rc = rc ? rc : hp_result_metric(r, "sigma_stderr", u->se_sigma, "ratio");
    rc = rc ? rc : hp_result_metric(r, "kappa_stderr", u->se_kappa, "ratio");
    rc = rc ? rc : hp_result_metric(r, "lambda_stderr", u->se_lambda, "1/s");
    rc = rc ? rc : hp_result_metric(r, "sigma_ci_low", u->ci_sigma[0], "ratio");
    rc = rc ? rc : hp_result_metric(r, "sigma_ci_high", u->ci_sigma[1], "ratio");
    rc = rc ? rc : hp_result_metric(r, "kappa_ci_low", u->ci_kappa[0], "ratio");
    rc = rc ? rc : hp_result_metric(r, "kappa_ci_high", u->ci_kappa[1], "ratio");
    rc = rc ? rc : hp_result_metric(r, "lambda_ci_low", u->ci_lambda[0], "1/s");
    rc = rc ? rc : hp_result_metric(r, "lambda_ci_high", u->ci_lambda[1], "1/s");
    rc = rc ? rc : hp_result_metric(r, "sigma_ci_rusl_low", u->ci_rusl_sigma[0], "ratio");
    rc = rc ? rc : hp_result_metric(r, "sigma_ci_rusl_high", u->ci_rusl_sigma[1], "ratio");
    rc = rc ? rc : hp_result_metric(r, "kappa_ci_rusl_low", u->ci_rusl_kappa[0], "ratio");
    rc = rc ? rc : hp_result_metric(r, "kappa_ci_rusl_high", u->ci_rusl_kappa[1], "ratio");
    rc = rc ? rc : hp_result_metric(r, "lambda_ci_rusl_low", u->ci_rusl_lambda[0], "1/s");
    rc = rc ? rc : hp_result_metric(r, "lambda_ci_rusl_high", u->ci_rusl_lambda[1], "1/s");
    rc = rc ? rc : hp_result_metric(r, "sigma_at_bound", u->sigma_at_bound, "count");
    rc = rc ? rc : hp_result_metric(r, "kappa_at_bound", u->kappa_at_bound, "count");
    rc = rc ? rc : hp_result_metric(r, "r_squared", u->r_squared, "ratio");
    rc = rc ? rc : hp_result_metric(r, "points", (double)u->points, "count");
    if (hp_usl_peak(u, &n_star, &x_star)) {
        rc = rc ? rc : hp_result_metric(r, "peak_n", n_star, "count");
        rc = rc ? rc : hp_result_metric(r, "peak_throughput", x_star, "1/s");
    }
    if (hp_usl_amdahl_limit(u, &lim))
        rc = rc ? rc : hp_result_metric(r, "amdahl_limit", lim, "1/s");
    if (rc < 0) {
        hp_result_free(r);
        return hp_err_set(err, rc, "out of memory");
    }
    rc = hp_result_write(r, path, err);
    hp_result_free(r);
    return rc;
}

/* N,X points from a CSV file, or from a sweep result document (JSON). */
int model_run_usl(const struct hp_cmd *cmd, const char *file, const double *given,
                  const double *predict, int n_predict, double target_x, double target_r,
                  const char *json)
{
    struct hp_err err = {0};
    struct hp_usl u;
    char a[32], b[32], c[32];
    double *n = NULL, *x = NULL;
    size_t count = 0;
    int rc;
    if (given) {
        u = (struct hp_usl){.sigma = given[0], .kappa = given[1], .lambda = given[2],
                            .se_sigma = NAN, .se_kappa = NAN, .se_lambda = NAN,
                            .ci_sigma = {NAN, NAN}, .ci_kappa = {NAN, NAN},
                            .ci_lambda = {NAN, NAN}, .t_quantile = NAN, .t_rusl = NAN,
                            .ci_rusl_sigma = {NAN, NAN}, .ci_rusl_kappa = {NAN, NAN},
                            .ci_rusl_lambda = {NAN, NAN}, .r_squared = NAN};
        printf("USL with given coefficients: X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1))\n"
               "  sigma %s, kappa %s, lambda %s\n",
               model_num(u.sigma, a, sizeof a), model_num(u.kappa, b, sizeof b),
               model_num(u.lambda, c, sizeof c));
        file = "given";
        goto answers;
    }
    rc = model_load_points(file, &n, &x, &count, &err);
    if (rc < 0) {
        rc = cli_fail(cmd, rc, &err);
        goto out;
    }
    if ((rc = hp_usl_fit(n, x, count, &u, &err)) < 0) {
        /* Name the file: the data, not the command line, is wrong. */
        struct hp_err at = err;
        snprintf(at.file, sizeof at.file, "%s", file);
        rc = cli_fail(cmd, rc, &at);
        goto out;
    }
    if (u.few_points)
        fprintf(stderr, "hotpath model: warning: %s: only %zu points; the fit and its intervals "
                        "are rough (6 or more recommended)\n", file, u.points);
    printf("USL fit of %s (%zu points): X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1))\n",
           file, u.points);
    printf("  %-8s %12s %12s   %s\n", "", "estimate", "std. error", "95% interval");
    const struct { const char *name; double v, se; const double *ci; bool bound; } rows[] = {
        {"sigma", u.sigma, u.se_sigma, u.ci_sigma, u.sigma_at_bound},
        {"kappa", u.kappa, u.se_kappa, u.ci_kappa, u.kappa_at_bound},
        {"lambda", u.lambda, u.se_lambda, u.ci_lambda, false},
    };
    const double *rusl[] = {u.ci_rusl_sigma, u.ci_rusl_kappa, u.ci_rusl_lambda};
    for (int i = 0; i < 3; i++) {
        char lo[32], hi[32];
        printf("  %-8s %12s %12s   ", rows[i].name, model_num(rows[i].v, a, sizeof a),
               rows[i].bound ? "-" : model_num(rows[i].se, b, sizeof b));
        if (rows[i].bound) {
            printf("at its bound, 0: the data show none\n");
            continue;
        }
        if (!isfinite(rows[i].se)) {
            printf("n/a\n");
            continue;
        }
        if (i < 2 && rows[i].ci[0] == 0)
            printf("[0, %s] (bounded below at 0)", model_num(rows[i].ci[1], hi, sizeof hi));
        else
            printf("[%s, %s]", model_num(rows[i].ci[0], lo, sizeof lo),
                   model_num(rows[i].ci[1], hi, sizeof hi));
        printf("   R usl's: [%s, %s]\n", model_num(rusl[i][0], lo, sizeof lo),
               model_num(rusl[i][1], hi, sizeof hi));
    }
    if (isfinite(u.t_quantile))
        printf("  (intervals: estimate +- t(0.975, %d df) = %.4g standard errors, the textbook's; "
               "R usl's use t(0.95, %zu df) = %.4g; sigma and kappa are bounded at 0)\n",
               u.dof, u.t_quantile, u.points - 1, u.t_rusl);
    else
        printf("  (no intervals: %zu points leave no degrees of freedom)\n", u.points);
    printf("  R^2      %.6g\n", u.r_squared);
answers:;
    double n_star, x_star, lim;
    if (hp_usl_peak(&u, &n_star, &x_star))
        printf("  peak     N* = %.4g, X(N*) = %.6g\n", n_star, x_star);
    else if (u.sigma > 0 && u.kappa == 0)
        printf("  peak     none: kappa is 0, so throughput never falls; it approaches the Amdahl "
               "limit\n");
    else if (u.kappa == 0)
        printf("  peak     none: sigma and kappa are 0, so throughput grows linearly\n");
    else
        printf("  peak     none: sigma is 1 or more, so throughput never rises\n");
    if (hp_usl_amdahl_limit(&u, &lim))
        printf("  Amdahl limit lambda/sigma = %.6g\n", lim);
    else
        printf("  Amdahl limit none (sigma is 0)\n");
    if (n_predict > 0) {
        printf("\n  %10s %14s %16s\n", "N", "X(N)", "R(N) = N/X(N)");
        for (int i = 0; i < n_predict; i++)
            printf("  %10g %14s %16s\n", predict[i], model_num(hp_usl_throughput(&u, predict[i]), a, sizeof a),
                   model_num(hp_usl_response_time(&u, predict[i]), c, sizeof c));
    }
    rc = HP_EXIT_OK;
    if (target_x > 0) {
        double nx;
        if (hp_usl_users_for_throughput(&u, target_x, &nx, &err) == 0)
            printf("\n  throughput %g needs N = %.4g, where R = N/X = %s\n", target_x, nx,
                   model_num(nx / target_x, a, sizeof a));
        else
            rc = cli_fail(cmd, HP_ERANGE, &err);
    }
    if (target_r > 0) {
        double nr;
        if (hp_usl_users_for_response_time(&u, target_r, &nr, &err) == 0)
            printf("  response time %g is reached at N = %.4g, where X = N/R = %s\n", target_r,
                   nr, model_num(nr / target_r, a, sizeof a));
        else
            rc = cli_fail(cmd, HP_ERANGE, &err);
    }
    if (json && usl_doc(&u, file, json, &err) < 0)
        rc = cli_fail(cmd, -EIO, &err);
out:
    hp_free(n);
    hp_free(x);
    return rc;
}
