// SPDX-License-Identifier: MIT
/* model/mva.c - exact multi-class MVA, Bard-Schweitzer, open product form.
 *
 * Exact MVA, for every population vector n from 0 up to N in an order where
 * each n - 1_c comes before n:
 *   R_ck(n) = D_ck (1 + Q_k(n - 1_c))  at a queueing station,  D_ck at a delay one
 *   X_c(n)  = n_c / (Z_c + sum_k R_ck(n))
 *   Q_k(n)  = sum_c X_c(n) R_ck(n)
 * Only Q_k is needed from smaller populations, stored per vector (mixed-radix
 * index). Bard-Schweitzer replaces Q_k(n - 1_c) by Q_k(n) - Q_ck(n) / n_c and
 * iterates to a fixed point. */
#include "model/mva.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"

static int check(const struct hp_mva_network *net, struct hp_err *err)
{
    if (net->n_stations < 1 || net->n_stations > HP_MVA_MAX_STATIONS)
        return hp_err_set(err, HP_ERANGE, "1-%d stations, not %d", HP_MVA_MAX_STATIONS,
                          net->n_stations);
    if (net->n_classes < 1 || net->n_classes > HP_MVA_MAX_CLASSES)
        return hp_err_set(err, HP_ERANGE, "1-%d classes, not %d", HP_MVA_MAX_CLASSES,
                          net->n_classes);
    for (int c = 0; c < net->n_classes; c++) {
        for (int k = 0; k < net->n_stations; k++)
            if (!(net->demand[c][k] >= 0) || !isfinite(net->demand[c][k]))
                return hp_err_set(err, HP_ERANGE, "demand of %s at %s must be 0 or more",
                                  net->class_name[c], net->station_name[k]);
        if (net->open && !(net->arrival_per_s[c] >= 0))
            return hp_err_set(err, HP_ERANGE, "arrival rate of %s must be 0 or more",
                              net->class_name[c]);
        if (!net->open && (net->population[c] < 0 || !(net->think_s[c] >= 0)))
            return hp_err_set(err, HP_ERANGE, "users and think time of %s must be 0 or more",
                              net->class_name[c]);
    }
    return 0;
}

/* Utilisations, and the bottleneck: the most utilised station. */
static void finish(const struct hp_mva_network *net, struct hp_mva_result *r)
{
    for (int k = 0; k < net->n_stations; k++) {
        double u = 0;
        for (int c = 0; c < net->n_classes; c++)
            u += r->throughput[c] * net->demand[c][k];
        r->utilisation[k] = u;
        if (u > r->utilisation[r->bottleneck])
            r->bottleneck = k;
    }
}

/* One MVA step at population n given Q_k at each n - 1_c (qprev[c][k]). */
static void step(const struct hp_mva_network *net, const int *n, double qprev[][HP_MVA_MAX_STATIONS],
                 struct hp_mva_result *r, double *q_out)
{
    for (int k = 0; k < net->n_stations; k++)
        q_out[k] = 0;
    for (int c = 0; c < net->n_classes; c++) {
        double total = 0;
        for (int k = 0; k < net->n_stations; k++) {
            double d = net->demand[c][k];
            r->residence_s[c][k] = net->kind[k] == HP_MVA_DELAY || n[c] == 0
                                       ? d
                                       : d * (1 + qprev[c][k]);
            total += r->residence_s[c][k];
        }
        r->response_s[c] = total;
        double denom = net->think_s[c] + total;
        r->throughput[c] = n[c] > 0 && denom > 0 ? n[c] / denom : 0;
        for (int k = 0; k < net->n_stations; k++) {
            r->queue[c][k] = r->throughput[c] * r->residence_s[c][k];
            q_out[k] += r->queue[c][k];
        }
    }
}

static int exact(const struct hp_mva_network *net, struct hp_mva_result *r, struct hp_err *err)
{
    int C = net->n_classes, K = net->n_stations;
    long stride[HP_MVA_MAX_CLASSES], total = 1;
    for (int c = 0; c < C; c++) {
        stride[c] = total;
        total *= net->population[c] + 1;
    }
    double *q = hp_calloc((size_t)total * (size_t)K, sizeof *q);
    if (!q)
        return hp_err_set(err, -ENOMEM, "out of memory for %ld population vectors", total);
    int n[HP_MVA_MAX_CLASSES] = {0};
    double qprev[HP_MVA_MAX_CLASSES][HP_MVA_MAX_STATIONS];
    /* Mixed-radix counting visits every n after all n - 1_c. */
    for (long idx = 0; idx < total; idx++) {
        long rest = idx;
        for (int c = C - 1; c >= 0; c--) {
            n[c] = (int)(rest / stride[c]);
            rest %= stride[c];
        }
        for (int c = 0; c < C; c++)
            for (int k = 0; k < K; k++)
                qprev[c][k] = n[c] > 0 ? q[(idx - stride[c]) * K + k] : 0;
        step(net, n, qprev, r, q + idx * K);
    }
    hp_free(q);
    r->method = HP_MVA_EXACT;
    return 0;
}

int hp_mva_solve_schweitzer(const struct hp_mva_network *net, struct hp_mva_result *r,
                            struct hp_err *err)
{
    int C = net->n_classes, K = net->n_stations;
    int rc = check(net, err);
    if (rc < 0)
        return rc;
    memset(r, 0, sizeof *r);
    double qck[HP_MVA_MAX_CLASSES][HP_MVA_MAX_STATIONS];
    /* Start with each class spread evenly over the queueing stations. */
    for (int c = 0; c < C; c++)
        for (int k = 0; k < K; k++)
            qck[c][k] = (double)net->population[c] / K;
    for (int iter = 0; iter < 100000; iter++) {
        double qprev[HP_MVA_MAX_CLASSES][HP_MVA_MAX_STATIONS], qk[HP_MVA_MAX_STATIONS] = {0};
        for (int c = 0; c < C; c++)
            for (int k = 0; k < K; k++)
                qk[k] += qck[c][k];
        for (int c = 0; c < C; c++)
            for (int k = 0; k < K; k++)
                qprev[c][k] = net->population[c] > 0
                                  ? qk[k] - qck[c][k] / net->population[c]
                                  : qk[k];
        double q_out[HP_MVA_MAX_STATIONS], change = 0;
        step(net, net->population, qprev, r, q_out);
        for (int c = 0; c < C; c++)
            for (int k = 0; k < K; k++) {
                change = fmax(change, fabs(r->queue[c][k] - qck[c][k]));
                qck[c][k] = r->queue[c][k];
            }
        if (change < 1e-12)
            break;
    }
    r->method = HP_MVA_SCHWEITZER;
    finish(net, r);
    return 0;
}

static int open_network(const struct hp_mva_network *net, struct hp_mva_result *r,
                        struct hp_err *err)
{
    int C = net->n_classes, K = net->n_stations;
    int worst = -1;
    for (int k = 0; k < K; k++) {
        double u = 0;
        for (int c = 0; c < C; c++)
            u += net->arrival_per_s[c] * net->demand[c][k];
        r->utilisation[k] = u;
        if (net->kind[k] == HP_MVA_QUEUE && (worst < 0 || u > r->utilisation[worst]))
            worst = k;
    }
    if (worst >= 0 && r->utilisation[worst] >= 1)
        return hp_err_set(err, HP_ERANGE,
                          "unstable: station %s would be %.4g utilised (over capacity by %.3g%%)",
                          net->station_name[worst], r->utilisation[worst],
                          (r->utilisation[worst] - 1) * 100);
    for (int c = 0; c < C; c++) {
        double total = 0;
        for (int k = 0; k < K; k++) {
            double d = net->demand[c][k];
            r->residence_s[c][k] = net->kind[k] == HP_MVA_DELAY ? d : d / (1 - r->utilisation[k]);
            r->queue[c][k] = net->arrival_per_s[c] * r->residence_s[c][k];
            total += r->residence_s[c][k];
        }
        r->throughput[c] = net->arrival_per_s[c];
        r->response_s[c] = total;
    }
    r->method = HP_MVA_OPEN;
    finish(net, r);
    return 0;
}

int hp_mva_solve(const struct hp_mva_network *net, struct hp_mva_result *out, struct hp_err *err)
{
    int rc = check(net, err);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof *out);
    if (net->open)
        return open_network(net, out, err);
    double vectors = 1;
    for (int c = 0; c < net->n_classes; c++)
        vectors *= net->population[c] + 1.0;
    if (vectors > HP_MVA_EXACT_LIMIT)
        return hp_mva_solve_schweitzer(net, out, err);
    rc = exact(net, out, err);
    if (rc == 0)
        finish(net, out);
    return rc;
}
