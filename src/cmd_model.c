// SPDX-License-Identifier: MIT
/* src/cmd_model.c - `hotpath model MODEL ...`. Models so far: usl. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/csv.h"
#include "core/result.h"
#include "core/units.h"
#include "model/usl.h"

#define MAX_PREDICT 64

enum { O_PREDICT = 1, O_TARGET_X, O_TARGET_R, O_JSON };

static const struct cli_opt model_opts[] = {
    {O_PREDICT, "predict", 0, "N,N,...", "usl: predict throughput and response time at these N."},
    {O_TARGET_X, "target-throughput", 0, "X",
     "usl: the smallest N that reaches throughput X (refused beyond the peak)."},
    {O_TARGET_R, "target-response", 0, "R",
     "usl: the N at which the response time N/X(N) reaches R (in 1/X's unit: seconds for X in "
     "requests per second)."},
    {O_JSON, "json", 0, "FILE", "Write the model as a result document (hotpath.result/1)."},
    {0, NULL, 0, NULL, NULL},
};

/* "%.6g", but "n/a" for a value the fit could not give: never print NaN. */
static const char *num(double v, char *buf, size_t size)
{
    if (!isfinite(v))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, "%.6g", v);
    return buf;
}

static int parse_list(const struct hp_cmd *cmd, const char *v, double *out, int *n)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", v);
    *n = 0;
    for (char *item = buf; item && *item;) {
        char *next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        struct hp_err err;
        if (*n >= MAX_PREDICT) {
            cli_usage_error(cmd, "--predict: at most %d values", MAX_PREDICT);
            return -1;
        }
        if (hp_parse_number(item, &out[*n], &err) < 0 || !(out[*n] > 0)) {
            cli_usage_error(cmd, "--predict: '%s' is not a positive number", item);
            return -1;
        }
        (*n)++;
        item = next;
    }
    return 0;
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

static int run_usl(const struct hp_cmd *cmd, const char *file, const double *predict,
                   int n_predict, double target_x, double target_r, const char *json)
{
    struct hp_csv csv;
    struct hp_err err = {0};
    struct hp_usl u;
    char a[32], b[32], c[32];
    int rc = hp_csv_load(file, 2, &csv, &err);

    if (rc < 0)
        return cli_fail(cmd, rc, &err);
    double *n = hp_malloc((csv.rows ? csv.rows : 1) * sizeof *n);
    double *x = hp_malloc((csv.rows ? csv.rows : 1) * sizeof *x);
    if (!n || !x) {
        rc = cli_fail(cmd, -ENOMEM, NULL);
        goto out;
    }
    for (size_t i = 0; i < csv.rows; i++) {
        n[i] = csv.values[2 * i];
        x[i] = csv.values[2 * i + 1];
    }
    if ((rc = hp_usl_fit(n, x, csv.rows, &u, &err)) < 0) {
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
    const struct { const char *name; double v, se; const double *ci; } rows[] = {
        {"sigma", u.sigma, u.se_sigma, u.ci_sigma},
        {"kappa", u.kappa, u.se_kappa, u.ci_kappa},
        {"lambda", u.lambda, u.se_lambda, u.ci_lambda},
    };
    for (int i = 0; i < 3; i++) {
        char lo[32], hi[32];
        printf("  %-8s %12s %12s   ", rows[i].name, num(rows[i].v, a, sizeof a),
               num(rows[i].se, b, sizeof b));
        if (isfinite(rows[i].se))
            printf("[%s, %s]\n", num(rows[i].ci[0], lo, sizeof lo), num(rows[i].ci[1], hi, sizeof hi));
        else
            printf("n/a\n");
    }
    if (isfinite(u.t_quantile))
        printf("  (intervals: estimate +- t(0.975, %d df) = %.4g standard errors; sigma and kappa "
               "are bounded at 0)\n", u.dof, u.t_quantile);
    else
        printf("  (no intervals: %zu points leave no degrees of freedom)\n", u.points);
    printf("  R^2      %.6g\n", u.r_squared);
    double n_star, x_star, lim;
    if (hp_usl_peak(&u, &n_star, &x_star))
        printf("  peak     N* = %.4g, X(N*) = %.6g\n", n_star, x_star);
    else
        printf("  peak     none (kappa is 0: throughput never falls)\n");
    if (hp_usl_amdahl_limit(&u, &lim))
        printf("  Amdahl limit lambda/sigma = %.6g\n", lim);
    else
        printf("  Amdahl limit none (sigma is 0)\n");
    if (n_predict > 0) {
        printf("\n  %10s %14s %16s\n", "N", "X(N)", "R(N) = N/X(N)");
        for (int i = 0; i < n_predict; i++)
            printf("  %10g %14s %16s\n", predict[i], num(hp_usl_throughput(&u, predict[i]), a, sizeof a),
                   num(hp_usl_response_time(&u, predict[i]), c, sizeof c));
    }
    rc = HP_EXIT_OK;
    if (target_x > 0) {
        double nx;
        if (hp_usl_users_for_throughput(&u, target_x, &nx, &err) == 0)
            printf("\n  throughput %g needs N = %.4g\n", target_x, nx);
        else
            rc = cli_fail(cmd, HP_ERANGE, &err);
    }
    if (target_r > 0) {
        double nr;
        if (hp_usl_users_for_response_time(&u, target_r, &nr, &err) == 0)
            printf("  response time %g is reached at N = %.4g\n", target_r, nr);
        else
            rc = cli_fail(cmd, HP_ERANGE, &err);
    }
    if (json && usl_doc(&u, file, json, &err) < 0)
        rc = cli_fail(cmd, -EIO, &err);
out:
    hp_free(n);
    hp_free(x);
    hp_csv_fini(&csv);
    return rc;
}

static int run_model(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    const char *v, *model = NULL, *file = NULL, *json = NULL;
    double predict[MAX_PREDICT], target_x = 0, target_r = 0;
    int n_predict = 0, id;
    struct hp_err err;

    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR:
            return HP_EXIT_USAGE;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (!model)
                model = v;
            else if (!file)
                file = v;
            else
                return cli_usage_error(cmd, "unexpected argument '%s'", v);
            break;
        case O_PREDICT:
            if (parse_list(cmd, v, predict, &n_predict) < 0)
                return HP_EXIT_USAGE;
            break;
        case O_TARGET_X:
            if (hp_parse_rate(v, &target_x, &err) < 0 || !(target_x > 0))
                return cli_usage_error(cmd, "--target-throughput: '%s' is not a positive rate", v);
            break;
        case O_TARGET_R: {
            int64_t ns;
            if (hp_parse_duration(v, &ns, NULL) == 0 && ns > 0)
                target_r = (double)ns / 1e9;
            else if (hp_parse_number(v, &target_r, NULL) < 0 || !(target_r > 0))
                return cli_usage_error(cmd, "--target-response: '%s' is not a positive time", v);
            break;
        }
        case O_JSON:
            json = v;
            break;
        }
    }
    if (!model)
        return cli_usage_error(cmd, "which model? (expected: usl)");
    if (strcmp(model, "usl") != 0) {
        const char *names[] = {"usl"};
        const char *near = cli_nearest(model, names, 1);
        return cli_usage_error(cmd, "unknown model '%s' (%s)", model,
                               near ? "did you mean 'usl'?" : "available: usl");
    }
    if (!file)
        return cli_usage_error(cmd, "usl needs a CSV file of N,X rows");
    return run_usl(cmd, file, predict, n_predict, target_x, target_r, json);
}

const struct hp_cmd hp_cmd_model = {
    .name = "model",
    .summary = "Fit and query performance models: usl (Universal Scalability Law).",
    .usage = "model usl [options] FILE.csv",
    .description =
        "usl fits X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1)) (N. Gunther) to a CSV of "
        "N,X rows (a header line is allowed) by nonlinear least squares with sigma, kappa >= 0 "
        "(GSL), and prints the parameters with standard errors and 95% intervals, R^2, the "
        "peak N* = sqrt((1-sigma)/kappa), the Amdahl limit lambda/sigma, predictions, and the "
        "inverse questions: N for a target throughput (refused beyond the peak) or for a target "
        "response time, from Little's law for a closed system without think time: "
        "R(N) = N/X(N). Fewer than 6 points fit with a warning; fewer than 3 distinct N, or a "
        "value at or below 0, are errors.",
    .opts = model_opts,
    .examples = "  hotpath model usl --predict 64,128 sweep.csv\n"
                "  hotpath model usl --target-throughput 10k/s --target-response 5ms sweep.csv\n",
    .run = run_model,
};
