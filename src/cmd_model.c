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
#include "model/mva.h"
#include "model/mva_yaml.h"
#include "model/plan.h"
#include "core/file.h"
#include "model/queue.h"
#include "model/usl.h"

#define MAX_PREDICT 64

enum { O_PREDICT = 1, O_TARGET_X, O_TARGET_R, O_JSON, O_KIND, O_ARRIVAL, O_SERVICE, O_SERVERS,
       O_SCV, O_TARGET_P99, O_TARGET_WAIT, O_USERS, O_SCALE, O_CACHE, O_DEMAND, O_PEAK,
       O_GROWTH, O_HISTORY, O_FIT, O_CAPACITY, O_CAPACITY_USL, O_HEADROOM, O_SPARES, O_MONTHS,
       O_FLEET, O_COST, O_OUTPUT, O_CAPACITY_SWEEP };

#define MAX_WHATIFS 32

static const struct cli_opt model_opts[] = {
    {O_PREDICT, "predict", 0, "N,N,...", "usl: predict throughput and response time at these N."},
    {O_TARGET_X, "target-throughput", 0, "X",
     "usl: the smallest N that reaches throughput X (refused beyond the peak)."},
    {O_TARGET_R, "target-response", 0, "R",
     "usl: the N at which the response time N/X(N) reaches R (in 1/X's unit: seconds for X in "
     "requests per second)."},
    {O_KIND, "kind", 0, "mm1|mmc|md1|mg1",
     "queue: the model (default mm1, or mmc with --servers above 1)."},
    {O_ARRIVAL, "arrival-rate", 0, "RATE", "queue: arrivals per second (e.g. 800, 2k/s)."},
    {O_SERVICE, "service", 0, "DURATION", "queue: mean service time (e.g. 4ms)."},
    {O_SERVERS, "servers", 'c', "N", "queue: servers (M/M/c). Default 1."},
    {O_SCV, "scv", 0, "X",
     "queue mg1: squared coefficient of variation of the service time (1: exponential, 0: "
     "constant)."},
    {O_TARGET_P99, "target-p99", 0, "DURATION",
     "queue: the fewest M/M/c servers whose p99 response time is at most this."},
    {O_TARGET_WAIT, "target-wait", 0, "PCT",
     "queue: the fewest M/M/c servers whose probability of waiting is at most this."},
    {O_USERS, "users", 0, "A..B",
     "mva: throughput and response time for every population from A to B (one-class closed "
     "workloads)."},
    {O_SCALE, "scale", 0, "STATION=K",
     "mva what-if: K times the servers at STATION (repeatable)."},
    {O_CACHE, "cache", 0, "STATION=HIT",
     "mva what-if: a cache in front of STATION absorbs HIT of its visits (e.g. 0.8 or 80%)."},
    {O_DEMAND, "demand", 0, "STATION=xF|TIME",
     "mva what-if: multiply STATION's demand by F (x0.5) or set it (5ms)."},
    {O_PEAK, "peak", 0, "RATE", "plan: today's peak load (e.g. 2000/s)."},
    {O_GROWTH, "growth", 0, "PCT", "plan: compound growth per month (e.g. 5%)."},
    {O_HISTORY, "history", 0, "FILE.csv",
     "plan: month,load history to fit the growth to (linear or exponential, the better R^2)."},
    {O_FIT, "fit", 0, "linear|exp", "plan: force the history's growth model."},
    {O_CAPACITY, "capacity", 0, "RATE", "plan: what one instance carries at 100%."},
    {O_CAPACITY_USL, "capacity-usl", 0, "FILE",
     "plan: one instance's N,X measurements (CSV or a sweep result document); its capacity is "
     "the USL fit's peak throughput."},
    {O_CAPACITY_SWEEP, "capacity-sweep", 0, "FILE.json",
     "plan: one instance's capacity is the knee of this sweep result (the highest throughput "
     "within its p99 SLO)."},
    {O_HEADROOM, "headroom", 0, "PCT", "plan: target utilisation of each instance. Default 70%."},
    {O_SPARES, "spares", 0, "N", "plan: instances on top for redundancy (N+1). Default 1."},
    {O_MONTHS, "months", 0, "N", "plan: horizon in months. Default 12."},
    {O_FLEET, "fleet", 0, "N", "plan: instances today, to find the month they run out."},
    {O_COST, "cost", 0, "AMOUNT", "plan: cost per instance per month."},
    {O_OUTPUT, "output", 'o', "FILE.md", "plan: also write the plan as a Markdown table."},
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

/* N,X points from a CSV file, or from a sweep result document (JSON). */
static int load_points(const char *file, double **n, double **x, size_t *count, struct hp_err *err)
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

static int run_usl(const struct hp_cmd *cmd, const char *file, const double *predict,
                   int n_predict, double target_x, double target_r, const char *json)
{
    struct hp_err err = {0};
    struct hp_usl u;
    char a[32], b[32], c[32];
    double *n = NULL, *x = NULL;
    size_t count = 0;
    int rc = load_points(file, &n, &x, &count, &err);

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
    return rc;
}

struct queue_args {
    struct hp_queue q;
    const char *kind;
    const char *json;
    double target_p99_s;
    double target_wait;
};

static int run_queue(const struct hp_cmd *cmd, struct queue_args *a)
{
    static const struct { const char *name; enum hp_queue_kind kind; const char *title; } kinds[] = {
        {"mm1", HP_QUEUE_MM1, "M/M/1"}, {"mmc", HP_QUEUE_MMC, "M/M/c"},
        {"md1", HP_QUEUE_MD1, "M/D/1"}, {"mg1", HP_QUEUE_MG1, "M/G/1"},
    };
    struct hp_queue *q = &a->q;
    struct hp_queue_result r;
    struct hp_err err = {0};
    const char *title = NULL;
    char b1[32];

    if (!(q->arrival_per_s > 0) || !(q->service_s > 0))
        return cli_usage_error(cmd, "queue needs --arrival-rate and --service");
    if (!a->kind)
        a->kind = q->servers > 1 ? "mmc" : "mm1";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(a->kind, kinds[i].name) == 0) {
            q->kind = kinds[i].kind;
            title = kinds[i].title;
        }
    if (!title)
        return cli_usage_error(cmd, "--kind: '%s' (expected mm1, mmc, md1 or mg1)", a->kind);
    if (q->kind == HP_QUEUE_MG1 && q->scv < 0)
        return cli_usage_error(cmd, "--kind mg1 needs --scv (the service time's squared "
                                    "coefficient of variation)");
    if (hp_queue_solve(q, &r, &err) < 0)
        return cli_fail(cmd, HP_ERANGE, &err);
    printf("%s: arrivals %s, service %s, %d server%s\n", title,
           hp_format_rate(q->arrival_per_s, b1, sizeof b1),
           hp_format_duration((int64_t)(q->service_s * 1e9), (char[32]){0}, 32), q->servers,
           q->servers == 1 ? "" : "s");
    printf("  utilisation         %.4g\n", r.utilisation);
    if (q->kind == HP_QUEUE_MMC || q->kind == HP_QUEUE_MM1)
        printf("  Erlang B (loss)     %.6g\n", r.erlang_b);
    printf("  P(wait)             %.6g%s\n", r.p_wait,
           q->kind == HP_QUEUE_MMC ? "  (Erlang C)" : "");
    printf("  mean wait           %s\n", hp_format_duration((int64_t)(r.mean_wait_s * 1e9), (char[32]){0}, 32));
    printf("  mean response       %s\n", hp_format_duration((int64_t)(r.mean_response_s * 1e9), (char[32]){0}, 32));
    printf("  mean queue length   %.4g\n", r.mean_queue);
    printf("  mean in system      %.4g\n", r.mean_in_system);
    static const double pcts[] = {0.5, 0.9, 0.99, 0.999};
    printf("  response time      ");
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
        printf(" p%g %s", pcts[i] * 100,
               hp_format_duration((int64_t)(hp_queue_response_percentile(q, &r, pcts[i]) * 1e9),
                                  (char[32]){0}, 32));
    printf("\n  (%s)\n", r.percentiles_exact
                              ? "percentiles exact for FCFS"
                              : "percentiles approximate: waiting time taken as exponential "
                                "beyond P(wait) with the exact mean, service at its mean");
    int rc = HP_EXIT_OK, c;
    if (a->json) {
        struct hp_result *doc = NULL;
        int e = hp_result_new("model", &doc);
        e = e ? e : hp_result_config_str(doc, "model", "queue");
        e = e ? e : hp_result_config_str(doc, "kind", a->kind);
        e = e ? e : hp_result_config_real(doc, "arrival_per_s", q->arrival_per_s);
        e = e ? e : hp_result_config_int(doc, "service_ns", (int64_t)(q->service_s * 1e9));
        e = e ? e : hp_result_config_int(doc, "servers", q->servers);
        if (q->kind == HP_QUEUE_MG1)
            e = e ? e : hp_result_config_real(doc, "scv", q->scv);
        e = e ? e : hp_result_metric(doc, "utilisation", r.utilisation, "ratio");
        e = e ? e : hp_result_metric(doc, "p_wait", r.p_wait, "ratio");
        e = e ? e : hp_result_metric(doc, "mean_wait_ns", r.mean_wait_s * 1e9, "ns");
        e = e ? e : hp_result_metric(doc, "mean_response_ns", r.mean_response_s * 1e9, "ns");
        e = e ? e : hp_result_metric(doc, "mean_queue", r.mean_queue, "count");
        e = e ? e : hp_result_metric(doc, "mean_in_system", r.mean_in_system, "count");
        e = e ? e : hp_result_metric(doc, "response_p99_ns",
                                     hp_queue_response_percentile(q, &r, 0.99) * 1e9, "ns");
        if (e < 0)
            rc = cli_fail(cmd, e, NULL);
        else if (hp_result_write(doc, a->json, &err) < 0)
            rc = cli_fail(cmd, -EIO, &err);
        hp_result_free(doc);
    }
    if (a->target_p99_s > 0) {
        if (hp_queue_servers_for_response(q, 0.99, a->target_p99_s, &c, &err) == 0)
            printf("  p99 response <= %s needs %d M/M/c servers\n",
                   hp_format_duration((int64_t)(a->target_p99_s * 1e9), (char[32]){0}, 32), c);
        else
            rc = cli_fail(cmd, HP_ERANGE, &err);
    }
    if (a->target_wait > 0) {
        if (hp_queue_servers_for_wait(q, a->target_wait, &c, &err) == 0)
            printf("  P(wait) <= %g needs %d M/M/c servers\n", a->target_wait, c);
        else
            rc = cli_fail(cmd, HP_ERANGE, &err);
    }
    return rc;
}

struct whatif {
    int kind; /* O_SCALE, O_CACHE, O_DEMAND */
    const char *text;
};

/* Apply "STATION=VALUE" to net; prints the change. */
static int apply_whatif(const struct hp_cmd *cmd, struct hp_mva_network *net,
                        const struct whatif *w)
{
    const char *eq = strchr(w->text, '=');
    char name[64];
    if (!eq || eq == w->text || (size_t)(eq - w->text) >= sizeof name)
        return cli_usage_error(cmd, "'%s': expected STATION=VALUE", w->text);
    snprintf(name, sizeof name, "%.*s", (int)(eq - w->text), w->text);
    const char *v = eq + 1;
    int k = -1;
    const char *names[HP_MVA_MAX_STATIONS];
    for (int i = 0; i < net->n_stations; i++) {
        names[i] = net->station_name[i];
        if (strcmp(names[i], name) == 0)
            k = i;
    }
    if (k < 0) {
        const char *near = hp_nearest(name, names, net->n_stations);
        if (near)
            return cli_usage_error(cmd, "no station '%s' (did you mean '%s'?)", name, near);
        return cli_usage_error(cmd, "no station '%s' in the model", name);
    }
    double f;
    int64_t ns;
    switch (w->kind) {
    case O_SCALE:
        if (hp_parse_number(v, &f, NULL) < 0 || f < 1 || f != floor(f) || f > 1000)
            return cli_usage_error(cmd, "--scale %s: expected a whole factor 1-1000", w->text);
        if (net->kind[k] == HP_MVA_DELAY)
            return cli_usage_error(cmd, "--scale %s: a delay station has no servers to add",
                                   w->text);
        net->servers[k] = (net->servers[k] > 1 ? net->servers[k] : 1) * (int)f;
        printf("what-if: %s has %d servers\n", name, net->servers[k]);
        break;
    case O_CACHE:
        if (hp_parse_percent(v, &f, NULL) < 0)
            return cli_usage_error(cmd, "--cache %s: expected a hit ratio such as 0.8 or 80%%",
                                   w->text);
        for (int c = 0; c < net->n_classes; c++)
            net->demand[c][k] *= 1 - f;
        printf("what-if: a cache absorbs %g%% of the visits to %s\n", f * 100, name);
        break;
    default:
        if (v[0] == 'x' && hp_parse_number(v + 1, &f, NULL) == 0) {
            for (int c = 0; c < net->n_classes; c++)
                net->demand[c][k] *= f;
            printf("what-if: %s's demand times %g\n", name, f);
        } else if (hp_parse_duration(v, &ns, NULL) == 0) {
            for (int c = 0; c < net->n_classes; c++)
                net->demand[c][k] = (double)ns / 1e9;
            printf("what-if: %s's demand is %s\n", name, v);
        } else {
            return cli_usage_error(cmd, "--demand %s: expected xFACTOR (x0.5) or a time (5ms)",
                                   w->text);
        }
    }
    return 0;
}

static int run_mva(const struct hp_cmd *cmd, const char *file, const char *users_range,
                   const struct whatif *whatifs, int n_whatifs)
{
    static struct hp_mva_network net;
    static struct hp_mva_result r;
    struct hp_err err = {0};
    int rc = hp_mva_load(file, &net, &err);
    if (rc < 0)
        return cli_fail(cmd, rc, &err);
    for (int i = 0; i < n_whatifs; i++)
        if ((rc = apply_whatif(cmd, &net, &whatifs[i])) != 0)
            return rc;
    if ((rc = hp_mva_solve(&net, &r, &err)) < 0)
        return cli_fail(cmd, rc, &err);
    static const char *methods[] = {"exact MVA", "Bard-Schweitzer approximate MVA",
                                    "open product-form network",
                                    "exact load-dependent MVA (multi-server stations)"};
    printf("%s: %d station%s, %d class%s, %s\n", file, net.n_stations,
           net.n_stations == 1 ? "" : "s", net.n_classes, net.n_classes == 1 ? "" : "es",
           methods[r.method]);
    for (int c = 0; c < net.n_classes; c++) {
        char x[32], rt[32];
        if (net.open)
            printf("  %-12s arrivals %s, response %s\n", net.class_name[c],
                   hp_format_rate(r.throughput[c], x, sizeof x),
                   hp_format_duration((int64_t)(r.response_s[c] * 1e9), rt, sizeof rt));
        else
            printf("  %-12s %d users, think %.4gs: throughput %s, response %s\n",
                   net.class_name[c], net.population[c], net.think_s[c],
                   hp_format_rate(r.throughput[c], x, sizeof x),
                   hp_format_duration((int64_t)(r.response_s[c] * 1e9), rt, sizeof rt));
    }
    printf("\n  %-16s %8s %12s %10s %12s\n", "station", "type", "utilisation", "queue",
           "residence");
    for (int k = 0; k < net.n_stations; k++) {
        double q = 0, res = 0;
        for (int c = 0; c < net.n_classes; c++) {
            q += r.queue[c][k];
            res += r.residence_s[c][k];
        }
        char type[24];
        if (net.kind[k] == HP_MVA_DELAY)
            snprintf(type, sizeof type, "delay");
        else if (net.servers[k] > 1)
            snprintf(type, sizeof type, "queue/%d", net.servers[k]);
        else
            snprintf(type, sizeof type, "queue");
        printf("  %-16s %8s %12.4g %10.4g %12s%s\n", net.station_name[k], type,
               r.utilisation[k], q,
               hp_format_duration((int64_t)(res * 1e9), (char[32]){0}, 32),
               k == r.bottleneck ? "  <- bottleneck" : "");
    }
    if (net.n_classes == 1) {
        /* Asymptotic bounds (Denning and Buzen 1978): X <= 1 / D_max,
         * X <= N / (D + Z), R >= D. */
        double d = 0, dmax = 0;
        for (int k = 0; k < net.n_stations; k++) {
            d += net.demand[0][k];
            double per = net.demand[0][k] / (net.servers[k] > 1 ? net.servers[k] : 1);
            if (net.kind[k] == HP_MVA_QUEUE && per > dmax)
                dmax = per;
        }
        printf("\n  bounds: X <= c/D_max = %s", dmax > 0 ? hp_format_rate(1 / dmax, (char[32]){0}, 32) : "unbounded");
        if (!net.open)
            printf(", X <= N/(D+Z) = %s", hp_format_rate(net.population[0] / (d + net.think_s[0]), (char[32]){0}, 32));
        printf(", R >= D = %s\n", hp_format_duration((int64_t)(d * 1e9), (char[32]){0}, 32));
    }
    if (users_range) {
        long a, b;
        char tail;
        if (net.open || net.n_classes != 1)
            return cli_usage_error(cmd, "--users is for one-class closed workloads");
        if (sscanf(users_range, "%ld..%ld%c", &a, &b, &tail) != 2 || a < 1 || b < a || b > 100000)
            return cli_usage_error(cmd, "--users: '%s' (expected A..B with 1 <= A <= B <= 100000)",
                                   users_range);
        double *cx = hp_malloc((size_t)(b + 1) * sizeof *cx);
        double *cr = hp_malloc((size_t)(b + 1) * sizeof *cr);
        if (!cx || !cr || (rc = hp_mva_curve(&net, (int)b, cx, cr, &err)) < 0) {
            hp_free(cx);
            hp_free(cr);
            return cli_fail(cmd, cx && cr ? rc : -ENOMEM, &err);
        }
        printf("\n  %8s %14s %14s\n", "users", "throughput", "response");
        for (long n = a; n <= b; n++)
            printf("  %8ld %14.6g %14.6g\n", n, cx[n], cr[n]);
        hp_free(cx);
        hp_free(cr);
    }
    return HP_EXIT_OK;
}

struct plan_args {
    struct hp_plan_input in;
    bool growth_given;
    const char *history, *fit, *capacity_usl, *capacity_sweep, *output, *json;
};

static int run_plan(const struct hp_cmd *cmd, struct plan_args *pa)
{
    struct hp_plan_input *in = &pa->in;
    struct hp_err err = {0};
    static struct hp_plan plan;
    double *a = NULL, *b = NULL;
    size_t n = 0;
    int rc = 0;
    char r1[32], r2[32];

    if (!(in->peak_per_s > 0))
        return cli_usage_error(cmd, "plan needs --peak (today's peak load)");
    if (pa->growth_given == (pa->history != NULL))
        return cli_usage_error(cmd, "plan needs one of --growth or --history");
    if ((in->capacity_per_s > 0) + (pa->capacity_usl != NULL) + (pa->capacity_sweep != NULL) != 1)
        return cli_usage_error(cmd, "plan needs one of --capacity, --capacity-usl or "
                                    "--capacity-sweep");
    if (pa->capacity_sweep) {
        struct hp_result *doc = NULL;
        double knee;
        if ((rc = hp_result_load(pa->capacity_sweep, &doc, &err)) < 0)
            return cli_fail(cmd, rc, &err);
        bool ok = strcmp(hp_result_kind(doc), "sweep") == 0 &&
                  hp_result_get_metric(doc, "knee_throughput_per_s", &knee, NULL);
        hp_result_free(doc);
        if (!ok)
            return cli_usage_error(cmd, "--capacity-sweep %s: not a sweep with a knee (run "
                                        "the sweep with --slo)", pa->capacity_sweep);
        in->capacity_per_s = knee;
    }
    if (pa->history) {
        enum hp_growth_kind kind = HP_GROWTH_COMPOUND;
        if (pa->fit && strcmp(pa->fit, "linear") == 0)
            kind = HP_GROWTH_LINEAR_FIT;
        else if (pa->fit && strcmp(pa->fit, "exp") == 0)
            kind = HP_GROWTH_EXP_FIT;
        else if (pa->fit)
            return cli_usage_error(cmd, "--fit: '%s' (expected linear or exp)", pa->fit);
        if ((rc = load_points(pa->history, &a, &b, &n, &err)) < 0) {
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
        if ((rc = load_points(pa->capacity_usl, &a, &b, &n, &err)) < 0) {
            rc = cli_fail(cmd, rc, &err);
            goto out;
        }
        if ((rc = hp_usl_fit(a, b, n, &u, &err)) < 0) {
            snprintf(err.file, sizeof err.file, "%s", pa->capacity_usl);
            rc = cli_fail(cmd, rc, &err);
            goto out;
        }
        if (!hp_usl_peak(&u, &n_star, &x_star)) {
            rc = cli_usage_error(cmd, "--capacity-usl %s: the fit has no peak (kappa is 0); give "
                                 "--capacity", pa->capacity_usl);
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
    printf("\n  one instance carries %s; planned at %.0f%% utilisation with %d spare%s\n",
           hp_format_rate(in->capacity_per_s, r2, sizeof r2), in->headroom * 100, in->spares,
           in->spares == 1 ? "" : "s");
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
            fprintf(f, "# Capacity plan\n\nPeak %s now, %s growth; one instance carries %s, "
                       "planned at %.0f%% utilisation with %d spare%s.\n\n",
                    hp_format_rate(in->peak_per_s, r1, sizeof r1), model,
                    hp_format_rate(in->capacity_per_s, r2, sizeof r2), in->headroom * 100,
                    in->spares, in->spares == 1 ? "" : "s");
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
        e = e ? e : hp_result_config_real(doc, "headroom", in->headroom);
        e = e ? e : hp_result_config_int(doc, "spares", in->spares);
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

static int run_model(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    const char *v, *model = NULL, *file = NULL, *json = NULL;
    double predict[MAX_PREDICT], target_x = 0, target_r = 0;
    int n_predict = 0, id;
    struct hp_err err;
    struct queue_args qa = {.q = {.servers = 1, .scv = -1}};
    const char *users_range = NULL;
    struct whatif whatifs[MAX_WHATIFS];
    int n_whatifs = 0;
    struct plan_args pa = {.in = {.headroom = 0.7, .spares = 1, .months = 12}};
    int64_t ns, n64;

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
            if (hp_parse_duration(v, &ns, NULL) == 0 && ns > 0)
                target_r = (double)ns / 1e9;
            else if (hp_parse_number(v, &target_r, NULL) < 0 || !(target_r > 0))
                return cli_usage_error(cmd, "--target-response: '%s' is not a positive time", v);
            break;
        }
        case O_JSON:
            json = v;
            break;
        case O_KIND:
            qa.kind = v;
            break;
        case O_USERS:
            users_range = v;
            break;
        case O_PEAK:
            if (hp_parse_rate(v, &pa.in.peak_per_s, &err) < 0)
                return cli_usage_error(cmd, "--peak: %s", err.msg);
            break;
        case O_GROWTH:
            if (!cli_percent(cmd, "growth", v, &pa.in.growth.rate))
                return HP_EXIT_USAGE;
            pa.in.growth.kind = HP_GROWTH_COMPOUND;
            pa.growth_given = true;
            break;
        case O_HISTORY:
            pa.history = v;
            break;
        case O_FIT:
            pa.fit = v;
            break;
        case O_CAPACITY:
            if (hp_parse_rate(v, &pa.in.capacity_per_s, &err) < 0)
                return cli_usage_error(cmd, "--capacity: %s", err.msg);
            break;
        case O_CAPACITY_USL:
            pa.capacity_usl = v;
            break;
        case O_CAPACITY_SWEEP:
            pa.capacity_sweep = v;
            break;
        case O_HEADROOM:
            if (!cli_percent(cmd, "headroom", v, &pa.in.headroom))
                return HP_EXIT_USAGE;
            break;
        case O_SPARES:
            if (!cli_int(cmd, "spares", v, 0, 1000, &n64))
                return HP_EXIT_USAGE;
            pa.in.spares = (int)n64;
            break;
        case O_MONTHS:
            if (!cli_int(cmd, "months", v, 1, HP_PLAN_MAX_MONTHS, &n64))
                return HP_EXIT_USAGE;
            pa.in.months = (int)n64;
            break;
        case O_FLEET:
            if (!cli_int(cmd, "fleet", v, 1, 100000000, &n64))
                return HP_EXIT_USAGE;
            pa.in.fleet_now = (int)n64;
            break;
        case O_COST:
            if (hp_parse_number(v, &pa.in.cost_per_instance, &err) < 0)
                return cli_usage_error(cmd, "--cost: %s", err.msg);
            break;
        case O_OUTPUT:
            pa.output = v;
            break;
        case O_SCALE:
        case O_CACHE:
        case O_DEMAND:
            if (n_whatifs >= MAX_WHATIFS)
                return cli_usage_error(cmd, "at most %d what-ifs", MAX_WHATIFS);
            whatifs[n_whatifs++] = (struct whatif){id, v};
            break;
        case O_ARRIVAL:
            if (hp_parse_rate(v, &qa.q.arrival_per_s, &err) < 0)
                return cli_usage_error(cmd, "--arrival-rate: %s", err.msg);
            break;
        case O_SERVICE:
            if (!cli_duration(cmd, "service", v, &ns))
                return HP_EXIT_USAGE;
            qa.q.service_s = (double)ns / 1e9;
            break;
        case O_SERVERS:
            if (!cli_int(cmd, "servers", v, 1, 100000, &n64))
                return HP_EXIT_USAGE;
            qa.q.servers = (int)n64;
            break;
        case O_SCV:
            if (hp_parse_number(v, &qa.q.scv, &err) < 0)
                return cli_usage_error(cmd, "--scv: %s", err.msg);
            break;
        case O_TARGET_P99:
            if (!cli_duration(cmd, "target-p99", v, &ns))
                return HP_EXIT_USAGE;
            qa.target_p99_s = (double)ns / 1e9;
            break;
        case O_TARGET_WAIT:
            if (!cli_percent(cmd, "target-wait", v, &qa.target_wait))
                return HP_EXIT_USAGE;
            break;
        }
    }
    if (!model)
        return cli_usage_error(cmd, "which model? (expected usl, queue, mva or plan)");
    if (strcmp(model, "plan") == 0) {
        if (file)
            return cli_usage_error(cmd, "plan takes options only, not '%s'", file);
        pa.json = json;
        return run_plan(cmd, &pa);
    }
    if (strcmp(model, "mva") == 0) {
        if (!file)
            return cli_usage_error(cmd, "mva needs an architecture file (YAML)");
        return run_mva(cmd, file, users_range, whatifs, n_whatifs);
    }
    if (strcmp(model, "queue") == 0) {
        if (file)
            return cli_usage_error(cmd, "queue takes options only, not '%s'", file);
        qa.json = json;
        return run_queue(cmd, &qa);
    }
    if (strcmp(model, "usl") != 0) {
        const char *names[] = {"usl", "queue", "mva", "plan"};
        const char *near = hp_nearest(model, names, 4);
        if (near)
            return cli_usage_error(cmd, "unknown model '%s' (did you mean '%s'?)", model, near);
        return cli_usage_error(cmd, "unknown model '%s' (available: usl, queue, mva, plan)",
                               model);
    }
    if (!file)
        return cli_usage_error(cmd, "usl needs a CSV file of N,X rows");
    return run_usl(cmd, file, predict, n_predict, target_x, target_r, json);
}

const struct hp_cmd hp_cmd_model = {
    .name = "model",
    .summary = "Performance models: usl fits, queue (M/M/c...), mva networks, capacity plans.",
    .usage = "model usl|queue|mva|plan [options] [FILE]",
    .description =
        "usl fits X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1)) (N. Gunther) to a CSV of "
        "N,X rows (a header line is allowed) or to a sweep result document by nonlinear least squares with sigma, kappa >= 0 "
        "(GSL), and prints the parameters with standard errors and 95% intervals, R^2, the "
        "peak N* = sqrt((1-sigma)/kappa), the Amdahl limit lambda/sigma, predictions, and the "
        "inverse questions: N for a target throughput (refused beyond the peak) or for a target "
        "response time, from Little's law for a closed system without think time: "
        "R(N) = N/X(N). Fewer than 6 points fit with a warning; fewer than 3 distinct N, or a "
        "value at or below 0, are errors.\n\n"
        "queue solves a single station: M/M/1, M/M/c (Erlang B and C), M/D/1 and M/G/1 "
        "(Pollaczek-Khinchine, from the service time's squared coefficient of variation): "
        "utilisation, P(wait), mean wait and response, queue lengths, and response-time "
        "percentiles, exact for M/M/1 and M/M/c FCFS and approximate (said so) for the "
        "others; and the fewest M/M/c servers for a target p99 or P(wait). Utilisation of 1 "
        "or more is refused as unstable, by how much, with exit status 2.\n\n"
        "mva solves a service architecture (YAML: stations with a demand per request, and a "
        "workload of users and think time, or an arrival rate, or several classes with their "
        "own demands) as a queueing network: exact MVA for closed networks of modest "
        "populations, Bard-Schweitzer's approximation beyond (said which), product form for "
        "open ones; per station utilisation, queue and residence time, the bottleneck, and "
        "the asymptotic bounds; what-ifs: --scale (more servers), --cache (a cache in front "
        "absorbs a share of the visits), --demand. Multi-server stations use exact "
        "load-dependent MVA for one closed class (and M/M/c in open networks).\n\n"
        "plan turns a growth forecast into instances per month: today's --peak grown by "
        "--growth (compound) or by a --history fitted linearly or exponentially (the better "
        "R^2, shown), divided by one instance's --capacity (or the peak of a USL fit of its "
        "measurements) at --headroom utilisation, plus --spares; the month today's --fleet "
        "runs out, and costs with --cost.",
    .opts = model_opts,
    .examples = "  hotpath model usl --predict 64,128 sweep.csv\n"
                "  hotpath model usl --target-throughput 10k/s --target-response 5ms sweep.csv\n"
                "  hotpath model queue --arrival-rate 800 --service 4ms --servers 4 --target-p99 20ms\n"
                "  hotpath model mva --users 1..50 shop.yaml\n"
                "  hotpath model mva --cache db=80% --scale web=2 shop.yaml\n"
                "  hotpath model plan --peak 2k/s --growth 5% --capacity 450/s --fleet 6\n",
    .run = run_model,
};
