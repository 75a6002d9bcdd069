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
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "model/queue.h"

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
        bool open = net->open || (net->mixed && net->class_open[c]);
        if (open && !(net->arrival_per_s[c] >= 0))
            return hp_err_set(err, HP_ERANGE, "arrival rate of %s must be 0 or more",
                              net->class_name[c]);
        if (!open && (net->population[c] < 0 || !(net->think_s[c] >= 0)))
            return hp_err_set(err, HP_ERANGE, "users and think time of %s must be 0 or more",
                              net->class_name[c]);
        double d = open ? 1 : net->think_s[c];
        for (int k = 0; k < net->n_stations; k++)
            d += net->demand[c][k];
        /* Users that take no time anywhere would cycle infinitely fast. */
        if (!open && net->population[c] > 0 && !(d > 0))
            return hp_err_set(err, HP_ERANGE, "%s takes no time anywhere (every demand and the "
                                              "think time are 0): its throughput would be "
                                              "infinite", net->class_name[c]);
    }
    return 0;
}

static int servers_of(const struct hp_mva_network *net, int k)
{
    return net->kind[k] == HP_MVA_QUEUE && net->servers[k] > 1 ? net->servers[k] : 1;
}

/* How many times faster than one request alone station k serves with j
 * present: min(j, c) for c servers, or its rate table. */
static double alpha(const struct hp_mva_network *net, int k, int j)
{
    int n = net->kind[k] == HP_MVA_QUEUE ? net->n_rates[k] : 0;
    if (n > 0)
        return net->rates[k][(j < n ? j : n) - 1];
    int c = servers_of(net, k);
    return j < c ? j : c;
}

/* The most it serves at once, relative to one request alone: what
 * utilisation is a share of. */
static double capacity_of(const struct hp_mva_network *net, int k)
{
    int n = net->kind[k] == HP_MVA_QUEUE ? net->n_rates[k] : 0;
    double m = 0;
    for (int j = 0; j < n; j++)
        m = fmax(m, net->rates[k][j]);
    return n > 0 ? m : servers_of(net, k);
}

static bool load_dependent_at(const struct hp_mva_network *net, int k)
{
    return net->kind[k] == HP_MVA_QUEUE && (net->n_rates[k] > 0 || servers_of(net, k) > 1);
}

bool hp_mva_load_dependent(const struct hp_mva_network *net)
{
    for (int k = 0; k < net->n_stations; k++)
        if (load_dependent_at(net, k))
            return true;
    return false;
}

/* Utilisations, and the bottleneck: the most utilised station. */
static void finish(const struct hp_mva_network *net, struct hp_mva_result *r)
{
    for (int k = 0; k < net->n_stations; k++) {
        double u = 0;
        for (int c = 0; c < net->n_classes; c++)
            u += r->throughput[c] * net->demand[c][k];
        r->utilisation[k] = u / capacity_of(net, k);
    }
    /* The bottleneck is the most utilised queueing station (a delay station
     * never makes anyone wait). */
    r->bottleneck = 0;
    for (int k = 0, best = -1; k < net->n_stations; k++) {
        if (net->kind[k] != HP_MVA_QUEUE)
            continue;
        if (best < 0 || r->utilisation[k] > r->utilisation[best])
            best = r->bottleneck = k;
    }
    r->n_bottlenecks = 0;
    double top = r->utilisation[r->bottleneck];
    for (int k = 0; k < net->n_stations; k++)
        if (net->kind[k] == HP_MVA_QUEUE && fabs(r->utilisation[k] - top) <= 1e-9 * top)
            r->bottlenecks[r->n_bottlenecks++] = k;
}

void hp_mva_bounds(const struct hp_mva_network *net, struct hp_mva_bounds *b)
{
    memset(b, 0, sizeof *b);
    for (int k = 0; k < net->n_stations; k++) {
        b->d += net->demand[0][k];
        double per = net->demand[0][k] / capacity_of(net, k);
        if (net->kind[k] == HP_MVA_QUEUE && per > b->dmax)
            b->dmax = per;
    }
    b->closed = !net->open;
    double n = net->open ? 0 : net->population[0];
    b->z = net->open ? 0 : net->think_s[0];
    double x_bott = b->dmax > 0 ? 1 / b->dmax : INFINITY;
    if (!b->closed) {
        b->x_max = x_bott;
        b->r_min = b->d;
        b->n_star = NAN;
        return;
    }
    b->x_max = fmin(n / (b->d + b->z), x_bott);
    b->r_min = b->dmax > 0 ? fmax(b->d, n * b->dmax - b->z) : b->d;
    b->n_star = b->dmax > 0 ? (b->d + b->z) / b->dmax : NAN;
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

/* Exact MVA over every population vector n <= N, in mixed-radix order,
 * where each n - 1_c comes stride[c] vectors before n: a ring of
 * stride[C-1] + 1 records holds all a step reads. A record holds Q_k(n)
 * and, for each load-dependent station, its marginal probabilities
 * p_k(j | n), j = 0..|n| (Reiser and Lavenberg; Bolch et al., Queueing
 * Networks and Markov Chains, 2006, 8.2):
 *   R_ck(n)   = D_ck sum_{j=1..|n|} j / alpha_k(j) p_k(j-1 | n - 1_c)
 *   p_k(j|n)  = 1 / alpha_k(j) sum_c D_ck X_c(n) p_k(j-1 | n - 1_c),  j >= 1
 *   p_k(0|n)  = 1 - the rest. */
struct lattice {
    int C, K, L, ntot;
    int ld[HP_MVA_MAX_STATIONS]; /* the load-dependent stations */
    long stride[HP_MVA_MAX_CLASSES], total, ring;
    size_t rec;                  /* doubles per record: K + L (ntot + 1) */
};

static void lattice_plan(const struct hp_mva_network *net, struct lattice *l)
{
    memset(l, 0, sizeof *l);
    l->C = net->n_classes;
    l->K = net->n_stations;
    for (int k = 0; k < l->K; k++)
        if (load_dependent_at(net, k))
            l->ld[l->L++] = k;
    l->total = 1;
    for (int c = 0; c < l->C; c++) {
        l->stride[c] = l->total;
        l->total *= net->population[c] + 1;
        l->ntot += net->population[c];
    }
    l->ring = l->stride[l->C - 1] + 1;
    l->rec = (size_t)l->K + (size_t)l->L * (size_t)(l->ntot + 1);
}

/* What the lattice costs: its multiply-adds, and the doubles its ring holds. */
static void lattice_cost(const struct hp_mva_network *net, double *ops, double *mem)
{
    double total = 1, ntot = 0, ring = 1, ld = 0;
    for (int c = 0; c < net->n_classes; c++) {
        if (c == net->n_classes - 1)
            ring = total + 1;
        total *= net->population[c] + 1.0;
        ntot += net->population[c];
    }
    for (int k = 0; k < net->n_stations; k++)
        ld += load_dependent_at(net, k);
    /* each vector: C K residences, and per load-dependent station 2 C sums
     * of |n| terms (|n| is ntot / 2 on average) */
    *ops = total * net->n_classes * (net->n_stations + ld * ntot);
    *mem = ring * (net->n_stations + ld * (ntot + 1));
}

static int exact(const struct hp_mva_network *net, struct hp_mva_result *r, struct hp_err *err)
{
    struct lattice l;
    lattice_plan(net, &l);
    int C = l.C, K = l.K, L = l.L;
    double *ring = hp_calloc((size_t)l.ring * l.rec, sizeof *ring);
    if (!ring)
        return hp_err_set(err, -ENOMEM, "out of memory for %ld records of %zu values", l.ring,
                          l.rec);
    int n[HP_MVA_MAX_CLASSES] = {0};
    const double *prev[HP_MVA_MAX_CLASSES];
    double x[HP_MVA_MAX_CLASSES];
    /* j / alpha_k(j) and 1 / alpha_k(j) of each load-dependent station */
    double *jinv = hp_malloc((size_t)(L ? L : 1) * (size_t)(l.ntot + 1) * 2 * sizeof *jinv);
    if (!jinv) {
        hp_free(ring);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    for (int i = 0; i < L; i++)
        for (int j = 1; j <= l.ntot; j++) {
            double a = alpha(net, l.ld[i], j);
            jinv[((size_t)i * (size_t)(l.ntot + 1) + (size_t)j) * 2] = j / a;
            jinv[((size_t)i * (size_t)(l.ntot + 1) + (size_t)j) * 2 + 1] = 1 / a;
        }
    for (long idx = 0; idx < l.total; idx++) {
        long rest = idx;
        int m = 0;
        for (int c = C - 1; c >= 0; c--) {
            n[c] = (int)(rest / l.stride[c]);
            rest %= l.stride[c];
            m += n[c];
        }
        double *cur = ring + (size_t)(idx % l.ring) * l.rec;
        for (int c = 0; c < C; c++)
            prev[c] = n[c] > 0 ? ring + (size_t)((idx - l.stride[c]) % l.ring) * l.rec : NULL;
        for (int k = 0; k < K; k++)
            cur[k] = 0;
        for (int c = 0; c < C; c++) {
            double total = 0;
            for (int k = 0, i = 0; k < K; k++) {
                double d = net->demand[c][k], res = d;
                bool ld = i < L && l.ld[i] == k;
                if (n[c] == 0 || net->kind[k] == HP_MVA_DELAY) {
                    res = d;
                } else if (!ld) {
                    res = d * (1 + prev[c][k]);
                } else {
                    const double *p = prev[c] + K + (size_t)i * (size_t)(l.ntot + 1);
                    const double *a = jinv + (size_t)i * (size_t)(l.ntot + 1) * 2;
                    double s = 0;
                    for (int j = 1; j <= m; j++)
                        s += a[2 * j] * p[j - 1];
                    res = d * s;
                }
                i += ld;
                r->residence_s[c][k] = res;
                total += res;
            }
            r->response_s[c] = total;
            double denom = net->think_s[c] + total;
            x[c] = r->throughput[c] = n[c] > 0 && denom > 0 ? n[c] / denom : 0;
            for (int k = 0; k < K; k++) {
                r->queue[c][k] = x[c] * r->residence_s[c][k];
                cur[k] += r->queue[c][k];
            }
        }
        for (int i = 0; i < L; i++) {
            int k = l.ld[i];
            size_t off = (size_t)K + (size_t)i * (size_t)(l.ntot + 1);
            const double *a = jinv + (size_t)i * (size_t)(l.ntot + 1) * 2;
            const double *pc[HP_MVA_MAX_CLASSES];
            double dx[HP_MVA_MAX_CLASSES];
            int nc = 0;
            for (int c = 0; c < C; c++)
                if (n[c] > 0 && net->demand[c][k] > 0) {
                    pc[nc] = prev[c] + off;
                    dx[nc++] = net->demand[c][k] * x[c];
                }
            double *p = cur + off, sum = 0;
            for (int j = 1; j <= m; j++) {
                double s = 0;
                for (int c = 0; c < nc; c++)
                    s += dx[c] * pc[c][j - 1];
                p[j] = s * a[2 * j + 1];
                sum += p[j];
            }
            p[0] = sum < 1 ? 1 - sum : 0;
            if (sum > 1 && 1 - sum < r->p0_clamped)
                r->p0_clamped = 1 - sum; /* rounding took the others past 1 */
        }
    }
    hp_free(ring);
    hp_free(jinv);
    r->method = L > 0 ? HP_MVA_LOAD_DEPENDENT : HP_MVA_EXACT;
    return 0;
}

/* One class: the recursion needs only the queue lengths at n - 1, so it is
 * exact at any population, in O(N K) time and O(K) memory (10 million
 * users: a fraction of a second). */
static void exact_one(const struct hp_mva_network *net, struct hp_mva_result *r,
                      double *curve_x, double *curve_r)
{
    int N = net->population[0];
    double qprev[1][HP_MVA_MAX_STATIONS] = {{0}}, q[HP_MVA_MAX_STATIONS];
    for (int n = 0; n <= N; n++) {
        step(net, &n, qprev, r, q);
        for (int k = 0; k < net->n_stations; k++)
            qprev[0][k] = q[k];
        if (curve_x) {
            curve_x[n] = r->throughput[0];
            curve_r[n] = r->response_s[0];
        }
    }
    r->method = HP_MVA_EXACT;
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
        r->iterations = iter + 1;
        if (change < 1e-12)
            break;
        r->not_converged = iter + 1 == 100000;
    }
    r->method = HP_MVA_SCHWEITZER;
    finish(net, r);
    return 0;
}

/* One closed class with load-dependent stations (Reiser and Lavenberg):
 * with alpha(j) the station's rate with j present (min(j, c) for c
 * servers, or its rate table),
 *   R_k(n)   = sum_{j=1..n} j / alpha(j) * D_k * p_k(j-1 | n-1)
 *   X(n)     = n / (Z + sum_k R_k(n))
 *   p_k(j|n) = D_k X(n) / alpha(j) * p_k(j-1 | n-1),  j >= 1;  p_k(0|n) = 1 - the rest.
 * Single-server stations use the usual R_k = D_k (1 + Q_k(n-1)). */
static int load_dependent(const struct hp_mva_network *net, struct hp_mva_result *r,
                          double *curve_x, double *curve_r, struct hp_err *err)
{
    int K = net->n_stations, N = net->population[0];
    double *p = hp_calloc((size_t)K * (size_t)(N + 1), sizeof *p); /* p_k(j | n-1) */
    double *pn = hp_calloc((size_t)(N + 1), sizeof *pn);
    double qk[HP_MVA_MAX_STATIONS] = {0};
    if (!p || !pn) {
        hp_free(p);
        hp_free(pn);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    for (int k = 0; k < K; k++)
        p[(size_t)k * (N + 1)] = 1; /* nobody there when the population is 0 */
    for (int n = 1; n <= N; n++) {
        double total = 0;
        for (int k = 0; k < K; k++) {
            double d = net->demand[0][k], res;
            if (net->kind[k] == HP_MVA_DELAY) {
                res = d;
            } else if (!load_dependent_at(net, k)) {
                res = d * (1 + qk[k]);
            } else {
                res = 0;
                for (int j = 1; j <= n; j++)
                    res += (double)j / alpha(net, k, j) * d * p[(size_t)k * (N + 1) + j - 1];
            }
            r->residence_s[0][k] = res;
            total += res;
        }
        double x = n / (net->think_s[0] + total);
        r->throughput[0] = x;
        r->response_s[0] = total;
        if (curve_x) {
            curve_x[n] = x;
            curve_r[n] = total;
        }
        for (int k = 0; k < K; k++) {
            r->queue[0][k] = x * r->residence_s[0][k];
            qk[k] = r->queue[0][k];
            if (!load_dependent_at(net, k))
                continue;
            double *pk = p + (size_t)k * (N + 1), rest = 0;
            for (int j = n; j >= 1; j--) {
                pn[j] = net->demand[0][k] * x / alpha(net, k, j) * pk[j - 1];
                rest += pn[j];
            }
            pn[0] = rest < 1 ? 1 - rest : 0;
            if (rest > 1 && 1 - rest < r->p0_clamped)
                r->p0_clamped = 1 - rest; /* rounding took the others past 1 */
            for (int j = 0; j <= n; j++)
                pk[j] = pn[j];
        }
    }
    hp_free(p);
    hp_free(pn);
    r->method = HP_MVA_LOAD_DEPENDENT;
    return 0;
}

static int open_network(const struct hp_mva_network *net, struct hp_mva_result *r,
                        struct hp_err *err)
{
    int C = net->n_classes, K = net->n_stations;
    int worst = -1;
    for (int k = 0; k < K; k++)
        if (net->kind[k] == HP_MVA_QUEUE && net->n_rates[k] > 0)
            return hp_err_set(err, HP_ERANGE,
                              "station %s has a rate table: load-dependent stations are "
                              "modelled for one closed class (give servers: c for an open "
                              "network's M/M/c)",
                              net->station_name[k]);
    for (int k = 0; k < K; k++) {
        double u = 0;
        for (int c = 0; c < C; c++)
            u += net->arrival_per_s[c] * net->demand[c][k];
        r->utilisation[k] = u / servers_of(net, k); /* per server */
        if (net->kind[k] == HP_MVA_QUEUE && (worst < 0 || r->utilisation[k] > r->utilisation[worst]))
            worst = k;
    }
    if (worst >= 0 && r->utilisation[worst] == 1)
        return hp_err_set(err, HP_ERANGE,
                          "unstable: station %s would be exactly at capacity (utilisation 1): "
                          "its queue grows without bound",
                          net->station_name[worst]);
    if (worst >= 0 && r->utilisation[worst] > 1)
        return hp_err_set(err, HP_ERANGE,
                          "unstable: station %s would be %.10g utilised (over capacity by %.3g%%)",
                          net->station_name[worst], r->utilisation[worst],
                          (r->utilisation[worst] - 1) * 100);
    for (int c = 0; c < C; c++) {
        double total = 0;
        for (int k = 0; k < K; k++) {
            double d = net->demand[c][k];
            int m = servers_of(net, k);
            if (net->kind[k] == HP_MVA_DELAY) {
                r->residence_s[c][k] = d;
            } else if (m == 1) {
                r->residence_s[c][k] = d / (1 - r->utilisation[k]);
            } else {
                /* M/M/c at the station's total load: the wait is shared by
                 * every class in proportion to its demand. */
                if (C > 1)
                    r->pooled_mmc = true;
                double a = r->utilisation[k] * m, lam = 0;
                for (int cc = 0; cc < C; cc++)
                    lam += net->arrival_per_s[cc];
                struct hp_queue q = {HP_QUEUE_MMC, lam, a / lam, m, 0};
                struct hp_queue_result qr;
                hp_queue_solve(&q, &qr, NULL);
                r->residence_s[c][k] = d * (1 + qr.mean_wait_s / q.service_s);
            }
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

/* Mixed: the open classes' utilisation first; the closed classes solved
 * alone with each queueing station's demands stretched by 1 / (1 - U_open);
 * then each open class's residence D (1 + Q_closed) / (1 - U_open). */
static int mixed_network(const struct hp_mva_network *net, struct hp_mva_result *r,
                         struct hp_err *err)
{
    static struct hp_mva_network closed;
    static struct hp_mva_result cr;
    int K = net->n_stations, C = net->n_classes;
    double uo[HP_MVA_MAX_STATIONS] = {0};
    for (int k = 0; k < K; k++) {
        if (load_dependent_at(net, k))
            return hp_err_set(err, HP_ERANGE,
                              "station %s has several servers or a rate table: mixed networks "
                              "are modelled with single-server stations",
                              net->station_name[k]);
        for (int c = 0; c < C; c++)
            if (net->class_open[c])
                uo[k] += net->arrival_per_s[c] * net->demand[c][k];
        if (net->kind[k] == HP_MVA_QUEUE && uo[k] >= 1)
            return hp_err_set(err, HP_ERANGE,
                              "unstable: the open classes alone would keep station %s %.10g "
                              "utilised",
                              net->station_name[k], uo[k]);
    }
    closed = *net;
    closed.mixed = false;
    closed.open = false;
    closed.n_classes = 0;
    int map[HP_MVA_MAX_CLASSES];
    for (int c = 0; c < C; c++) {
        if (net->class_open[c])
            continue;
        int i = closed.n_classes++;
        map[i] = c;
        memcpy(closed.class_name[i], net->class_name[c], sizeof closed.class_name[i]);
        closed.population[i] = net->population[c];
        closed.think_s[i] = net->think_s[c];
        for (int k = 0; k < K; k++)
            closed.demand[i][k] = net->demand[c][k] /
                                  (net->kind[k] == HP_MVA_QUEUE ? 1 - uo[k] : 1);
    }
    int rc = hp_mva_solve(&closed, &cr, err);
    if (rc < 0)
        return rc;
    double qc[HP_MVA_MAX_STATIONS] = {0};
    for (int i = 0; i < closed.n_classes; i++) {
        int c = map[i];
        r->throughput[c] = cr.throughput[i];
        r->response_s[c] = cr.response_s[i];
        for (int k = 0; k < K; k++) {
            r->residence_s[c][k] = cr.residence_s[i][k];
            r->queue[c][k] = cr.queue[i][k];
            qc[k] += cr.queue[i][k];
        }
    }
    r->iterations = cr.iterations;
    r->not_converged = cr.not_converged;
    for (int c = 0; c < C; c++) {
        if (!net->class_open[c])
            continue;
        double total = 0;
        for (int k = 0; k < K; k++) {
            double d = net->demand[c][k];
            r->residence_s[c][k] =
                net->kind[k] == HP_MVA_DELAY ? d : d * (1 + qc[k]) / (1 - uo[k]);
            r->queue[c][k] = net->arrival_per_s[c] * r->residence_s[c][k];
            total += r->residence_s[c][k];
        }
        r->throughput[c] = net->arrival_per_s[c];
        r->response_s[c] = total;
    }
    r->method = HP_MVA_MIXED;
    finish(net, r);
    return 0;
}

/* Several closed classes and multi-server stations: exact multi-class
 * load-dependent MVA needs every station's marginal probabilities at every
 * population vector, out of reach beyond toy sizes, so each c-server
 * station of demand D becomes a single server of demand D / c followed by a
 * delay of D (c - 1) / c (Seidmann, Schweitzer and Shalev-Oren 1987): exact
 * at low and at saturating load, an approximation between (the result says
 * so). The two parts' figures are added back into the station's. */
static int seidmann(const struct hp_mva_network *net, struct hp_mva_result *r,
                    struct hp_err *err)
{
    static struct hp_mva_network t;
    static struct hp_mva_result tr;
    int K = net->n_stations, C = net->n_classes;
    int part[HP_MVA_MAX_STATIONS]; /* the delay part of station k in t, or -1 */
    t = *net;
    for (int k = 0; k < K; k++) {
        part[k] = -1;
        if (net->kind[k] != HP_MVA_QUEUE)
            continue;
        if (net->n_rates[k] > 0 && net->choice == HP_MVA_FORCE_SEIDMANN)
            return hp_err_set(err, HP_ERANGE,
                              "Seidmann's split is for stations with c servers: station %s has "
                              "a rate table",
                              net->station_name[k]);
        if (net->n_rates[k] > 0) {
            double ops, mem;
            lattice_cost(net, &ops, &mem);
            return hp_err_set(err, HP_ERANGE,
                              "station %s has a rate table, which Seidmann's split cannot "
                              "approximate, and exact MVA over these populations would take "
                              "%.3g operations (%.3g at most): give servers: c, or fewer users",
                              net->station_name[k], ops, HP_MVA_EXACT_OPS);
        }
        int c = servers_of(net, k);
        if (c == 1)
            continue;
        if (t.n_stations == HP_MVA_MAX_STATIONS)
            return hp_err_set(err, HP_ERANGE,
                              "too many stations once the multi-server ones are split (%d at "
                              "most)",
                              HP_MVA_MAX_STATIONS);
        int d = part[k] = t.n_stations++;
        snprintf(t.station_name[d], sizeof t.station_name[d], "%.50s/delay",
                 net->station_name[k]);
        t.kind[d] = HP_MVA_DELAY;
        t.servers[k] = t.servers[d] = 1;
        t.n_rates[d] = 0;
        for (int cl = 0; cl < C; cl++) {
            t.demand[cl][d] = net->demand[cl][k] * (c - 1) / c;
            t.demand[cl][k] = net->demand[cl][k] / c;
        }
    }
    t.choice = HP_MVA_AUTO;
    int rc = hp_mva_solve(&t, &tr, err);
    if (rc < 0)
        return rc;
    *r = tr;
    for (int k = 0; k < K; k++) {
        if (part[k] < 0)
            continue;
        for (int cl = 0; cl < C; cl++) {
            r->residence_s[cl][k] += tr.residence_s[cl][part[k]];
            r->queue[cl][k] += tr.queue[cl][part[k]];
        }
    }
    r->seidmann = true;
    finish(net, r);
    return 0;
}

static int solve_closed(const struct hp_mva_network *net, struct hp_mva_result *out,
                        struct hp_err *err)
{
    int rc = 0;
    bool ld = hp_mva_load_dependent(net);
    double ops, mem, budget = HP_MVA_EXACT_OPS;
    lattice_cost(net, &ops, &mem);
    switch (net->choice) {
    case HP_MVA_FORCE_SCHWEITZER:
        if (ld)
            return hp_err_set(err, HP_ERANGE,
                              "Bard-Schweitzer is for single-server and delay stations: this "
                              "network has multi-server or rate-table stations (--method "
                              "seidmann splits them first)");
        return hp_mva_solve_schweitzer(net, out, err);
    case HP_MVA_FORCE_SEIDMANN:
        return seidmann(net, out, err);
    case HP_MVA_FORCE_EXACT:
        if (net->n_classes > 1 && mem > HP_MVA_EXACT_MEMORY)
            return hp_err_set(err, HP_ERANGE,
                              "exact MVA over these populations would hold %.3g values at "
                              "once (%d at most)",
                              mem, HP_MVA_EXACT_MEMORY);
        break;
    default:
        if (net->exact_ops > 0 && net->exact_ops < HP_MVA_EXACT_OPS)
            budget = net->exact_ops;
        if (net->n_classes > 1 && ld && (ops > budget || mem > HP_MVA_EXACT_MEMORY)) {
            rc = seidmann(net, out, err);
            if (rc == 0)
                out->exact_ops = ops;
            return rc;
        }
        if (net->n_classes > 1 && !ld && ops > budget)
            return hp_mva_solve_schweitzer(net, out, err);
    }
    if (net->n_classes == 1 && ld)
        rc = load_dependent(net, out, NULL, NULL, err);
    else if (net->n_classes == 1)
        exact_one(net, out, NULL, NULL);
    else
        rc = exact(net, out, err);
    if (rc == 0)
        finish(net, out);
    return rc;
}

int hp_mva_solve(const struct hp_mva_network *net, struct hp_mva_result *out, struct hp_err *err)
{
    int rc = check(net, err);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof *out);
    if ((net->open || net->mixed) && net->choice != HP_MVA_AUTO)
        return hp_err_set(err, HP_ERANGE,
                          "the method is chosen for closed networks; open and mixed ones are "
                          "solved by product form");
    if (net->open)
        return open_network(net, out, err);
    if (net->mixed)
        return mixed_network(net, out, err);
    return solve_closed(net, out, err);
}

int hp_mva_curve(const struct hp_mva_network *net, int max_n, double *x, double *r,
                 struct hp_err *err)
{
    static struct hp_mva_result scratch;
    struct hp_mva_network one;
    int rc = check(net, err);
    if (rc < 0)
        return rc;
    if (net->open || net->mixed || net->n_classes != 1)
        return hp_err_set(err, HP_ERANGE, "curves are for one closed class");
    if (max_n < 1 || max_n > 10000000)
        return hp_err_set(err, HP_ERANGE, "population 1-10000000");
    one = *net;
    one.population[0] = max_n;
    memset(&scratch, 0, sizeof scratch);
    x[0] = r[0] = 0;
    if (hp_mva_load_dependent(&one))
        return load_dependent(&one, &scratch, x, r, err);
    exact_one(&one, &scratch, x, r);
    return 0;
}
