// SPDX-License-Identifier: MIT
/* src/model_mva.c - `hotpath model mva`: what-ifs, the solution, curves. */
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

/* A utilisation with the digits it needs: 0.9999999986 is not 1. */
static const char *util_text(double u, char *buf, size_t size)
{
    snprintf(buf, size, "%.4g", u);
    if (u != 1 && strcmp(buf, "1") == 0)
        snprintf(buf, size, "%.10g", u);
    return buf;
}

/* The --users sweep: one class's curve in one pass of the recursion, or
 * several classes' populations moved together, a solution per point. */
struct sweep {
    int n;                        /* classes swept */
    int cls[HP_MVA_MAX_CLASSES];  /* which */
    long from[HP_MVA_MAX_CLASSES];
    long points;                  /* each swept class's, the same */
    /* the solutions: at[i] the first swept class's population at point i,
     * x and r per point and class (x[i * C + c]) */
    double *at, *x, *r;
};

#define USERS_MAX 100000 /* one class's population in a sweep */
#define SWEEP_POINTS 1000 /* several classes: each point a solution */

static int users_error(const struct hp_cmd *cmd, const char *spec, const char *why)
{
    return cli_usage_error(cmd, "--users %s: %s", spec, why);
}

/* --users: A..B (one closed class), CLASS=A..B (a sweep), CLASS=N (a
 * population); sets the fixed ones in net. */
static int parse_users(const struct hp_cmd *cmd, struct hp_mva_network *net,
                       const char *const *users, int n_users, struct sweep *sw)
{
    memset(sw, 0, sizeof *sw);
    for (int u = 0; u < n_users; u++) {
        const char *spec = users[u], *eq = strchr(spec, '='), *range = spec;
        int c = 0;
        if (eq) {
            char name[64];
            const char *names[HP_MVA_MAX_CLASSES];
            snprintf(name, sizeof name, "%.*s", (int)(eq - spec), spec);
            c = -1;
            for (int i = 0; i < net->n_classes; i++) {
                names[i] = net->class_name[i];
                if (strcmp(names[i], name) == 0)
                    c = i;
            }
            if (c < 0) {
                const char *near = hp_nearest(name, names, net->n_classes);
                char why[200];
                snprintf(why, sizeof why, "no class '%s'%s%s%s", name,
                         near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
                return users_error(cmd, spec, why);
            }
            range = eq + 1;
        } else if (net->n_classes != 1) {
            return users_error(cmd, spec, "this model has several classes: name one "
                                          "(CLASS=A..B or CLASS=N)");
        }
        if (net->open || (net->mixed && net->class_open[c]))
            return users_error(cmd, spec, "that class is open: it has an arrival rate, not users");
        long a, b;
        char tail;
        if (sscanf(range, "%ld..%ld%c", &a, &b, &tail) == 2) {
            if (a < 1 || b < a || b > USERS_MAX)
                return users_error(cmd, spec, "expected A..B with 1 <= A <= B <= 100000");
            for (int i = 0; i < sw->n; i++)
                if (sw->cls[i] == c)
                    return users_error(cmd, spec, "that class is swept twice");
            if (sw->n > 0 && b - a + 1 != sw->points) {
                char why[200];
                snprintf(why, sizeof why, "ranges move together, so they need as many points "
                                          "(%ld here, %ld in the first)",
                         b - a + 1, sw->points);
                return users_error(cmd, spec, why);
            }
            if (net->n_classes > 1 && b - a + 1 > SWEEP_POINTS)
                return users_error(cmd, spec, "with several classes, at most 1000 points (each "
                                              "is a solution of the network)");
            sw->cls[sw->n] = c;
            sw->from[sw->n++] = a;
            sw->points = b - a + 1;
        } else if (sscanf(range, "%ld%c", &a, &tail) == 1) {
            if (a < 0 || a > 10000000)
                return users_error(cmd, spec, "expected a population of 0-10000000");
            net->population[c] = (int)a;
        } else {
            return users_error(cmd, spec, "expected A..B or a number of users");
        }
    }
    return 0;
}

static void sweep_free(struct sweep *sw)
{
    hp_free(sw->at);
    hp_free(sw->x);
    hp_free(sw->r);
    sw->at = sw->x = sw->r = NULL;
}

static int sweep_solve(const struct hp_mva_network *net, struct sweep *sw, struct hp_err *err)
{
    static struct hp_mva_network t;
    static struct hp_mva_result tr;
    int C = net->n_classes;
    size_t np = (size_t)sw->points;
    sw->at = hp_malloc(np * sizeof *sw->at);
    sw->x = hp_malloc(np * (size_t)C * sizeof *sw->x);
    sw->r = hp_malloc(np * (size_t)C * sizeof *sw->r);
    if (!sw->at || !sw->x || !sw->r)
        return hp_err_set(err, -ENOMEM, "out of memory");
    if (C == 1) {
        long end = sw->from[0] + sw->points - 1;
        double *cx = hp_malloc((size_t)(end + 1) * sizeof *cx);
        double *cr = hp_malloc((size_t)(end + 1) * sizeof *cr);
        int rc = cx && cr ? hp_mva_curve(net, (int)end, cx, cr, err)
                          : hp_err_set(err, -ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < np; i++) {
            sw->at[i] = (double)(sw->from[0] + (long)i);
            sw->x[i] = cx[sw->from[0] + (long)i];
            sw->r[i] = cr[sw->from[0] + (long)i];
        }
        hp_free(cx);
        hp_free(cr);
        return rc;
    }
    t = *net;
    for (size_t i = 0; i < np; i++) {
        for (int j = 0; j < sw->n; j++)
            t.population[sw->cls[j]] = (int)(sw->from[j] + (long)i);
        int rc = hp_mva_solve(&t, &tr, err);
        if (rc < 0)
            return rc;
        sw->at[i] = t.population[sw->cls[0]];
        for (int c = 0; c < C; c++) {
            sw->x[i * (size_t)C + (size_t)c] = tr.throughput[c];
            sw->r[i * (size_t)C + (size_t)c] = tr.response_s[c];
        }
    }
    return 0;
}

static void sweep_print(const struct hp_mva_network *net, const struct sweep *sw)
{
    int C = net->n_classes;
    if (C == 1) {
        printf("\n  %8s %14s %14s\n", "users", "throughput", "response");
        for (long i = 0; i < sw->points; i++)
            printf("  %8.0f %14.6g %14.6g\n", sw->at[i], sw->x[i], sw->r[i]);
        return;
    }
    printf("\n  throughput X (/s) and response time R (s) per class\n  ");
    char h[32];
    for (int j = 0; j < sw->n; j++) {
        snprintf(h, sizeof h, "%.9s users", net->class_name[sw->cls[j]]);
        printf(" %15s", h);
    }
    for (int c = 0; c < C; c++) {
        snprintf(h, sizeof h, "%.10s X", net->class_name[c]);
        printf(" %12s", h);
        snprintf(h, sizeof h, "%.10s R", net->class_name[c]);
        printf(" %12s", h);
    }
    printf("\n");
    for (long i = 0; i < sw->points; i++) {
        printf("  ");
        for (int j = 0; j < sw->n; j++)
            printf(" %15ld", sw->from[j] + i);
        for (int c = 0; c < C; c++)
            printf(" %12.6g %12.6g", sw->x[i * C + c], sw->r[i * C + c]);
        printf("\n");
    }
}

/* --method, in enum hp_mva_choice's order */
static const char *const choice_names[] = {"auto", "exact", "schweitzer", "seidmann"};

static const char *const method_names[] = {"exact", "bard-schweitzer", "open", "load-dependent",
                                           "mixed"};

/* The document: every figure at full precision (docs/result-format.md,
 * kind model, model mva). */
static int mva_doc(const struct hp_mva_network *net, const struct hp_mva_result *r,
                   const char *file, const struct whatif *whatifs, int n_whatifs,
                   const struct sweep *sw, const char *const *users, int n_users,
                   const char *path, struct hp_err *err)
{
    struct hp_result *doc = NULL;
    int rc = hp_result_new("model", &doc);
    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    rc = hp_result_config_str(doc, "model", "mva");
    rc = rc ? rc : hp_result_config_str(doc, "input", file);
    rc = rc ? rc : hp_result_config_str(doc, "method", method_names[r->method]);
    rc = rc ? rc : hp_result_config_bool(doc, "open", net->open);
    rc = rc ? rc : hp_result_config_bool(doc, "mixed", net->mixed);
    json_t *root = hp_result_json(doc), *cfg = json_object_get(root, "config");
    json_t *wi = json_array(), *bn = json_array(), *classes = json_array(),
           *stations = json_array();
    if (!wi || !bn || !classes || !stations || json_object_set_new(cfg, "whatifs", wi) < 0 ||
        json_object_set_new(root, "bottlenecks", bn) < 0 ||
        json_object_set_new(root, "classes", classes) < 0 ||
        json_object_set_new(root, "stations", stations) < 0)
        rc = -ENOMEM;
    static const char *const kinds[] = {"scale", "cache", "demand"};
    for (int i = 0; rc == 0 && i < n_whatifs; i++) {
        char t[200];
        snprintf(t, sizeof t, "%s %s",
                 kinds[whatifs[i].kind == O_SCALE ? 0 : whatifs[i].kind == O_CACHE ? 1 : 2],
                 whatifs[i].text);
        rc = json_array_append_new(wi, json_string(t)) < 0 ? -ENOMEM : 0;
    }
    for (int i = 0; rc == 0 && i < r->n_bottlenecks; i++)
        rc = json_array_append_new(bn, json_string(net->station_name[r->bottlenecks[i]])) < 0
                 ? -ENOMEM
                 : 0;
    char key[200];
    for (int c = 0; rc == 0 && c < net->n_classes; c++) {
        const char *cn = net->class_name[c];
        json_t *o = json_object(), *res = json_object(), *q = json_object();
        if (!o || !res || !q) {
            rc = -ENOMEM;
            break;
        }
        json_object_set_new(o, "name", json_string(cn));
        if (net->open || (net->mixed && net->class_open[c])) {
            json_object_set_new(o, "arrival_per_s", json_real(net->arrival_per_s[c]));
        } else {
            json_object_set_new(o, "population", json_integer(net->population[c]));
            json_object_set_new(o, "think_s", json_real(net->think_s[c]));
        }
        json_object_set_new(o, "throughput_per_s", json_real(r->throughput[c]));
        json_object_set_new(o, "response_s", json_real(r->response_s[c]));
        for (int k = 0; k < net->n_stations; k++) {
            json_object_set_new(res, net->station_name[k], json_real(r->residence_s[c][k]));
            json_object_set_new(q, net->station_name[k], json_real(r->queue[c][k]));
        }
        json_object_set_new(o, "residence_s", res);
        json_object_set_new(o, "queue", q);
        if (json_array_append_new(classes, o) < 0)
            rc = -ENOMEM;
        snprintf(key, sizeof key, "%s/throughput_per_s", cn);
        rc = rc ? rc : hp_result_metric(doc, key, r->throughput[c], "1/s");
        snprintf(key, sizeof key, "%s/response_s", cn);
        rc = rc ? rc : hp_result_metric(doc, key, r->response_s[c], "s");
        for (int k = 0; rc == 0 && k < net->n_stations; k++) {
            snprintf(key, sizeof key, "%s/%s/residence_s", cn, net->station_name[k]);
            rc = hp_result_metric(doc, key, r->residence_s[c][k], "s");
            snprintf(key, sizeof key, "%s/%s/queue", cn, net->station_name[k]);
            rc = rc ? rc : hp_result_metric(doc, key, r->queue[c][k], "count");
        }
    }
    if (rc == 0 && net->n_classes == 1) { /* the one class's, without its name */
        rc = hp_result_metric(doc, "throughput_per_s", r->throughput[0], "1/s");
        rc = rc ? rc : hp_result_metric(doc, "response_s", r->response_s[0], "s");
    }
    for (int k = 0; rc == 0 && k < net->n_stations; k++) {
        const char *sn = net->station_name[k];
        double q = 0;
        for (int c = 0; c < net->n_classes; c++)
            q += r->queue[c][k];
        json_t *o = json_object(), *dem = json_object();
        if (!o || !dem) {
            rc = -ENOMEM;
            break;
        }
        json_object_set_new(o, "name", json_string(sn));
        json_object_set_new(o, "kind", json_string(net->kind[k] == HP_MVA_DELAY ? "delay" : "queue"));
        json_object_set_new(o, "servers", json_integer(net->servers[k] > 1 ? net->servers[k] : 1));
        if (net->n_rates[k] > 0) {
            json_t *rt = json_array();
            for (int j = 0; rt && j < net->n_rates[k]; j++)
                json_array_append_new(rt, json_real(net->rates[k][j]));
            json_object_set_new(o, "rates", rt ? rt : json_null());
        }
        for (int c = 0; c < net->n_classes; c++)
            json_object_set_new(dem, net->class_name[c], json_real(net->demand[c][k]));
        json_object_set_new(o, "demand_s", dem);
        if (net->routed)
            json_object_set_new(o, "visits", json_real(net->visits[k]));
        json_object_set_new(o, "utilisation", json_real(r->utilisation[k]));
        json_object_set_new(o, "queue", json_real(q));
        if (json_array_append_new(stations, o) < 0)
            rc = -ENOMEM;
        snprintf(key, sizeof key, "%s/utilisation", sn);
        rc = rc ? rc : hp_result_metric(doc, key, r->utilisation[k], "ratio");
        snprintf(key, sizeof key, "%s/queue", sn);
        rc = rc ? rc : hp_result_metric(doc, key, q, "count");
    }
    if (rc == 0 && net->n_classes == 1) {
        struct hp_mva_bounds b;
        hp_mva_bounds(net, &b);
        rc = hp_result_metric(doc, "bound_throughput_per_s", b.x_max, "1/s");
        rc = rc ? rc : hp_result_metric(doc, "bound_response_s", b.r_min, "s");
        rc = rc ? rc : hp_result_metric(doc, "total_demand_s", b.d, "s");
        rc = rc ? rc : hp_result_metric(doc, "max_demand_per_server_s", b.dmax, "s");
        if (b.closed)
            rc = rc ? rc : hp_result_metric(doc, "n_star", b.n_star, "count");
    }
    if (rc == 0 && r->method == HP_MVA_SCHWEITZER) {
        rc = hp_result_metric(doc, "iterations", r->iterations, "count");
        rc = rc ? rc : hp_result_config_bool(doc, "converged", !r->not_converged);
    }
    if (rc == 0 && r->seidmann)
        rc = hp_result_config_bool(doc, "seidmann_approximation", true);
    if (rc == 0 && r->exact_ops > 0)
        rc = hp_result_metric(doc, "exact_cost_ops", r->exact_ops, "count");
    if (rc == 0 && net->choice != HP_MVA_AUTO) {
        rc = hp_result_config_str(doc, "method_asked", choice_names[net->choice]);
    }
    if (rc == 0 && r->pooled_mmc)
        rc = hp_result_config_bool(doc, "pooled_mmc_approximation", true);
    if (rc == 0 && r->p0_clamped < 0)
        rc = hp_result_metric(doc, "p0_clamped", r->p0_clamped, "ratio");
    if (rc == 0 && n_users > 0) {
        json_t *ua = json_array();
        for (int i = 0; ua && i < n_users; i++)
            json_array_append_new(ua, json_string(users[i]));
        rc = ua && json_object_set_new(cfg, "users", ua) == 0 ? 0 : -ENOMEM;
    }
    int C = net->n_classes;
    for (long i = 0; rc == 0 && sw->at && i < sw->points; i++) {
        if (C == 1) {
            rc = hp_result_series_point(doc, "throughput_per_s", "1/s", sw->at[i], sw->x[i]);
            rc = rc ? rc : hp_result_series_point(doc, "response_s", "s", sw->at[i], sw->r[i]);
            continue;
        }
        /* x: the first swept class's population (config.users says which) */
        for (int c = 0; rc == 0 && c < C; c++) {
            snprintf(key, sizeof key, "%s/throughput_per_s", net->class_name[c]);
            rc = hp_result_series_point(doc, key, "1/s", sw->at[i], sw->x[i * C + c]);
            snprintf(key, sizeof key, "%s/response_s", net->class_name[c]);
            rc = rc ? rc : hp_result_series_point(doc, key, "s", sw->at[i], sw->r[i * C + c]);
        }
    }
    if (rc < 0) {
        hp_result_free(doc);
        return hp_err_set(err, rc, "out of memory");
    }
    rc = hp_result_write(doc, path, err);
    hp_result_free(doc);
    return rc;
}

int model_run_mva(const struct hp_cmd *cmd, const char *file, const char *const *users,
                  int n_users, const char *method, const struct whatif *whatifs, int n_whatifs,
                  const char *json)
{
    static struct hp_mva_network net;
    static struct hp_mva_result r;
    struct hp_err err = {0};
    int rc = hp_mva_load(file, &net, &err);
    if (rc < 0)
        return cli_fail(cmd, rc, &err);
    struct sweep sw;
    if ((rc = parse_users(cmd, &net, users, n_users, &sw)) != 0)
        return rc;
    if (method) {
        int m = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(method, choice_names[i]) == 0)
                m = i;
        if (m < 0)
            return cli_usage_error(cmd, "--method: '%s' (expected auto, exact, schweitzer or "
                                        "seidmann)",
                                   method);
        net.choice = (enum hp_mva_choice)m;
    }
    for (int i = 0; i < n_whatifs; i++)
        if ((rc = apply_whatif(cmd, &net, &whatifs[i])) != 0)
            return rc;
    if ((rc = hp_mva_solve(&net, &r, &err)) < 0)
        return cli_fail(cmd, rc, &err);
    static const char *methods[] = {"exact MVA", "Bard-Schweitzer approximate MVA",
                                    "open product-form network",
                                    "exact load-dependent MVA (multi-server and rate-table "
                                    "stations)",
                                    "mixed network: closed classes by MVA with the open "
                                    "classes' utilisation taken out, open classes by product "
                                    "form"};
    printf("%s: %d station%s, %d class%s, %s\n", file, net.n_stations,
           net.n_stations == 1 ? "" : "s", net.n_classes, net.n_classes == 1 ? "" : "es",
           methods[r.method]);
    if (r.method == HP_MVA_SCHWEITZER && r.not_converged)
        fprintf(stderr, "hotpath model: warning: Bard-Schweitzer did not converge in %d "
                        "iterations: the figures are approximate beyond its usual error\n",
                r.iterations);
    if (r.seidmann)
        printf("  note: each multi-server station is a single server of demand D/c and a delay "
               "of D(c-1)/c (Seidmann's approximation): exact at light and at saturating load, "
               "close between\n");
    if (r.exact_ops > 0)
        printf("  note: exact load-dependent MVA over these populations would take %.3g "
               "operations, past the %.3g allowed (--method exact forces it)\n",
               r.exact_ops, HP_MVA_EXACT_OPS);
    if (r.pooled_mmc)
        printf("  note: multi-server stations serve several open classes here; their wait is "
               "M/M/c over the classes' pooled service times, an approximation (exact for "
               "equal service times)\n");
    if (r.p0_clamped < 0)
        fprintf(stderr, "hotpath model: warning: load-dependent MVA rounded a probability of an "
                        "empty station to %.3g and set it to 0: the figures near saturation may "
                        "be off\n",
                r.p0_clamped);
    for (int c = 0; c < net.n_classes; c++) {
        char x[32], rt[32];
        if (net.open || (net.mixed && net.class_open[c]))
            printf("  %-12s arrivals %s, response %s\n", net.class_name[c],
                   hp_format_rate(r.throughput[c], x, sizeof x),
                   hp_format_duration((int64_t)(r.response_s[c] * 1e9), rt, sizeof rt));
        else
            printf("  %-12s %d users, think %.4gs: throughput %s, response %s\n",
                   net.class_name[c], net.population[c], net.think_s[c],
                   hp_format_rate(r.throughput[c], x, sizeof x),
                   hp_format_duration((int64_t)(r.response_s[c] * 1e9), rt, sizeof rt));
    }
    bool one = net.n_classes == 1;
    if (net.routed) {
        printf("\n  visits per request, solved from the routing:");
        for (int k = 0; k < net.n_stations; k++)
            printf("%s %s %.6g", k ? "," : "", net.station_name[k], net.visits[k]);
        printf("\n");
    }
    printf("\n  %-16s %8s %12s %10s %12s\n", "station", "type", "utilisation", "queue",
           one ? "residence" : "");
    for (int k = 0; k < net.n_stations; k++) {
        double q = 0;
        for (int c = 0; c < net.n_classes; c++)
            q += r.queue[c][k];
        char type[24], u[32];
        if (net.kind[k] == HP_MVA_DELAY)
            snprintf(type, sizeof type, "delay");
        else if (net.n_rates[k] > 0)
            snprintf(type, sizeof type, "rates");
        else if (net.servers[k] > 1)
            snprintf(type, sizeof type, "queue/%d", net.servers[k]);
        else
            snprintf(type, sizeof type, "queue");
        bool bott = false;
        for (int i = 0; i < r.n_bottlenecks; i++)
            bott |= r.bottlenecks[i] == k;
        printf("  %-16s %8s %12s %10.4g %12s%s\n", net.station_name[k], type,
               util_text(r.utilisation[k], u, sizeof u), q,
               one ? hp_format_duration((int64_t)(r.residence_s[0][k] * 1e9), (char[32]){0}, 32)
                   : "",
               bott ? (r.n_bottlenecks > 1 ? "  <- bottleneck (tie)" : "  <- bottleneck") : "");
    }
    if (r.n_bottlenecks > 1) {
        printf("\n  bottleneck: a tie between");
        for (int i = 0; i < r.n_bottlenecks; i++)
            printf("%s %s", i == 0 ? "" : i + 1 == r.n_bottlenecks ? " and" : ",",
                   net.station_name[r.bottlenecks[i]]);
        printf(", each %s utilised: relieving one leaves the other\n",
               util_text(r.utilisation[r.bottleneck], (char[32]){0}, 32));
    }
    if (!one) {
        /* residence is per class: a station's figure for each class */
        printf("\n  %-12s %-16s %12s %10s\n", "class", "station", "residence", "queue");
        for (int c = 0; c < net.n_classes; c++)
            for (int k = 0; k < net.n_stations; k++)
                printf("  %-12s %-16s %12s %10.4g\n", net.class_name[c], net.station_name[k],
                       hp_format_duration((int64_t)(r.residence_s[c][k] * 1e9), (char[32]){0},
                                          32),
                       r.queue[c][k]);
    }
    if (one) {
        struct hp_mva_bounds b;
        hp_mva_bounds(&net, &b);
        char t1[32], t2[32], t3[32];
        printf("\n  bounds (Denning and Buzen): D = %s, D_max = %s per server",
               hp_format_duration((int64_t)(b.d * 1e9), t1, sizeof t1),
               hp_format_duration((int64_t)(b.dmax * 1e9), t2, sizeof t2));
        if (b.closed)
            printf(", Z = %s", hp_format_duration((int64_t)(b.z * 1e9), t3, sizeof t3));
        printf("\n");
        if (b.closed) {
            printf("    X <= min(N/(D+Z), 1/D_max) = min(%s, %s) = %s\n",
                   hp_format_rate(net.population[0] / (b.d + b.z), t1, sizeof t1),
                   b.dmax > 0 ? hp_format_rate(1 / b.dmax, t2, sizeof t2) : "unbounded",
                   hp_format_rate(b.x_max, t3, sizeof t3));
            printf("    R >= max(D, N*D_max - Z) = %s\n",
                   hp_format_duration((int64_t)(b.r_min * 1e9), t1, sizeof t1));
            if (isfinite(b.n_star))
                printf("    N* = (D+Z)/D_max = %.4g users: below it think time and demand bound "
                       "throughput, above it the bottleneck does\n",
                       b.n_star);
        } else {
            printf("    X <= 1/D_max = %s, R >= D = %s\n",
                   b.dmax > 0 ? hp_format_rate(b.x_max, t1, sizeof t1) : "unbounded",
                   hp_format_duration((int64_t)(b.r_min * 1e9), t2, sizeof t2));
        }
    }
    if (sw.n > 0) {
        if ((rc = sweep_solve(&net, &sw, &err)) < 0) {
            sweep_free(&sw);
            return cli_fail(cmd, rc, &err);
        }
        sweep_print(&net, &sw);
    }
    int code = HP_EXIT_OK;
    if (json && mva_doc(&net, &r, file, whatifs, n_whatifs, &sw, users, n_users, json, &err) < 0)
        code = cli_fail(cmd, -EIO, &err);
    sweep_free(&sw);
    return code;
}
