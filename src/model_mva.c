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

int model_run_mva(const struct hp_cmd *cmd, const char *file, const char *users_range,
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
