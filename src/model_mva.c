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

static const char *const method_names[] = {"exact", "bard-schweitzer", "open", "load-dependent",
                                           "mixed"};

/* The document: every figure at full precision (docs/result-format.md,
 * kind model, model mva). */
static int mva_doc(const struct hp_mva_network *net, const struct hp_mva_result *r,
                   const char *file, const struct whatif *whatifs, int n_whatifs,
                   const double *cx, const double *cr, long ua, long ub, const char *path,
                   struct hp_err *err)
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
    if (rc == 0 && r->pooled_mmc)
        rc = hp_result_config_bool(doc, "pooled_mmc_approximation", true);
    if (rc == 0 && r->p0_clamped < 0)
        rc = hp_result_metric(doc, "p0_clamped", r->p0_clamped, "ratio");
    for (long n = ua; rc == 0 && cx && n <= ub; n++) {
        rc = hp_result_series_point(doc, "throughput_per_s", "1/s", (double)n, cx[n]);
        rc = rc ? rc : hp_result_series_point(doc, "response_s", "s", (double)n, cr[n]);
    }
    if (rc < 0) {
        hp_result_free(doc);
        return hp_err_set(err, rc, "out of memory");
    }
    rc = hp_result_write(doc, path, err);
    hp_result_free(doc);
    return rc;
}

int model_run_mva(const struct hp_cmd *cmd, const char *file, const char *users_range,
                  const struct whatif *whatifs, int n_whatifs, const char *json)
{
    static struct hp_mva_network net;
    static struct hp_mva_result r;
    struct hp_err err = {0};
    int rc = hp_mva_load(file, &net, &err);
    if (rc < 0)
        return cli_fail(cmd, rc, &err);
    long ua = 0, ub = 0;
    if (users_range) {
        char tail;
        if (net.open || net.mixed || net.n_classes != 1)
            return cli_usage_error(cmd, "--users is for one-class closed workloads");
        if (sscanf(users_range, "%ld..%ld%c", &ua, &ub, &tail) != 2 || ua < 1 || ub < ua ||
            ub > 100000)
            return cli_usage_error(cmd, "--users: '%s' (expected A..B with 1 <= A <= B <= 100000)",
                                   users_range);
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
        printf("  note: with several classes, each multi-server station is a single server of "
               "demand D/c and a delay of D(c-1)/c (Seidmann's approximation): exact at light and "
               "at saturating load, close between\n");
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
    double *cx = NULL, *cr = NULL;
    if (users_range) {
        cx = hp_malloc((size_t)(ub + 1) * sizeof *cx);
        cr = hp_malloc((size_t)(ub + 1) * sizeof *cr);
        if (!cx || !cr || (rc = hp_mva_curve(&net, (int)ub, cx, cr, &err)) < 0) {
            hp_free(cx);
            hp_free(cr);
            return cli_fail(cmd, cx && cr ? rc : -ENOMEM, &err);
        }
        printf("\n  %8s %14s %14s\n", "users", "throughput", "response");
        for (long n = ua; n <= ub; n++)
            printf("  %8ld %14.6g %14.6g\n", n, cx[n], cr[n]);
    }
    int code = HP_EXIT_OK;
    if (json && mva_doc(&net, &r, file, whatifs, n_whatifs, cx, cr, ua, ub, json, &err) < 0)
        code = cli_fail(cmd, -EIO, &err);
    hp_free(cx);
    hp_free(cr);
    return code;
}
