// SPDX-License-Identifier: MIT
/* model/queue.c - single-station queues. */
#include "model/queue.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <string.h>

#define MAX_SERVERS 100000

/* Erlang B by the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)). */
static double erlang_b(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

int hp_queue_solve(const struct hp_queue *q, struct hp_queue_result *out, struct hp_err *err)
{
    memset(out, 0, sizeof *out);
    if (!(q->arrival_per_s > 0) || !(q->service_s > 0) || !isfinite(q->arrival_per_s) ||
        !isfinite(q->service_s))
        return hp_err_set(err, HP_ERANGE, "arrival rate and service time must be above 0");
    if (q->servers < 1 || q->servers > MAX_SERVERS)
        return hp_err_set(err, HP_ERANGE, "servers must be 1-%d", MAX_SERVERS);
    if (q->kind != HP_QUEUE_MMC && q->servers != 1)
        return hp_err_set(err, HP_ERANGE, "only M/M/c has more than one server");
    if (q->kind == HP_QUEUE_MG1 && !(q->scv >= 0))
        return hp_err_set(err, HP_ERANGE, "the service time's squared coefficient of variation "
                                          "must be 0 or more");
    double a = q->arrival_per_s * q->service_s;
    double rho = a / q->servers;
    out->offered_erlangs = a;
    out->utilisation = rho;
    if (rho >= 1)
        return hp_err_set(err, HP_ERANGE,
                          "unstable: utilisation %.4g >= 1 (arrivals exceed capacity by %.3g%%; "
                          "%d server%s would keep up at most with %.6g/s)",
                          rho, (rho - 1) * 100, q->servers, q->servers == 1 ? "" : "s",
                          q->servers / q->service_s);
    double s = q->service_s, lambda = q->arrival_per_s;
    switch (q->kind) {
    case HP_QUEUE_MM1:
    case HP_QUEUE_MMC: {
        int c = q->servers;
        double b = erlang_b(c, a);
        double pw = c * b / (c - a * (1 - b)); /* Erlang C */
        out->erlang_b = b;
        out->p_wait = pw;
        out->mean_wait_s = pw * s / (c - a);
        out->percentiles_exact = true;
        break;
    }
    case HP_QUEUE_MD1:
    case HP_QUEUE_MG1: {
        /* Pollaczek-Khinchine: Wq = rho S (1 + cs^2) / (2 (1 - rho)). */
        double cs2 = q->kind == HP_QUEUE_MD1 ? 0.0 : q->scv;
        out->p_wait = rho;
        out->mean_wait_s = rho * s * (1 + cs2) / (2 * (1 - rho));
        out->percentiles_exact = false;
        break;
    }
    }
    out->mean_response_s = out->mean_wait_s + s;
    out->mean_queue = lambda * out->mean_wait_s;
    out->mean_in_system = lambda * out->mean_response_s;
    return 0;
}

struct tail {
    double c_wait; /* P(wait) */
    double theta;  /* rate of the conditional wait */
    double mu;     /* service rate */
    double target; /* 1 - p */
};

/* P(R > t) - (1 - p) for R = Wq + B, Wq ~ 0 w.p. 1 - C else Exp(theta),
 * B ~ Exp(mu): P(E_theta + E_mu > t) = (mu e^-theta t - theta e^-mu t) / (mu - theta),
 * or (1 + mu t) e^-mu t when theta = mu. */
static double mmc_excess(double t, void *arg)
{
    const struct tail *k = arg;
    double both;
    if (fabs(k->mu - k->theta) < 1e-12 * k->mu)
        both = (1 + k->mu * t) * exp(-k->mu * t);
    else
        both = (k->mu * exp(-k->theta * t) - k->theta * exp(-k->mu * t)) / (k->mu - k->theta);
    return (1 - k->c_wait) * exp(-k->mu * t) + k->c_wait * both - k->target;
}

double hp_queue_response_percentile(const struct hp_queue *q, const struct hp_queue_result *r,
                                    double p)
{
    double s = q->service_s;
    if (!(p > 0 && p < 1))
        return NAN;
    if (!r->percentiles_exact) {
        /* Approximation: wait exponential beyond P(wait) = rho with the exact
         * mean, so P(Wq > t) = rho exp(-t rho / Wq); service at its mean. */
        double wait = 0;
        if (r->p_wait > 1 - p && r->mean_wait_s > 0)
            wait = r->mean_wait_s / r->p_wait * log(r->p_wait / (1 - p));
        return s + wait;
    }
    struct tail k = {.c_wait = r->p_wait, .theta = q->servers / s - q->arrival_per_s,
                     .mu = 1 / s, .target = 1 - p};
    /* Bracket the root: the tail falls monotonically from 1 at t = 0. */
    double hi = s;
    while (mmc_excess(hi, &k) > 0 && hi < 1e12)
        hi *= 2;
    gsl_function f = {.function = mmc_excess, .params = &k};
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!solver)
        return NAN;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double root = NAN;
    if (gsl_root_fsolver_set(solver, &f, 0, hi) == GSL_SUCCESS) {
        for (int i = 0; i < 200; i++) {
            gsl_root_fsolver_iterate(solver);
            root = gsl_root_fsolver_root(solver);
            double lo = gsl_root_fsolver_x_lower(solver), up = gsl_root_fsolver_x_upper(solver);
            if (gsl_root_test_interval(lo, up, 0, 1e-12) == GSL_SUCCESS)
                break;
        }
    }
    gsl_set_error_handler(old);
    gsl_root_fsolver_free(solver);
    return root;
}

static int servers_search(const struct hp_queue *q, double p, double target, bool by_wait, int *c,
                          struct hp_err *err)
{
    struct hp_queue t = *q;
    t.kind = HP_QUEUE_MMC;
    int first = (int)floor(q->arrival_per_s * q->service_s) + 1;
    for (int k = first > 1 ? first : 1; k <= MAX_SERVERS; k++) {
        struct hp_queue_result r;
        t.servers = k;
        if (hp_queue_solve(&t, &r, NULL) != 0)
            continue;
        double v = by_wait ? r.p_wait : hp_queue_response_percentile(&t, &r, p);
        if (v <= target) {
            *c = k;
            return 0;
        }
        /* With ample servers nobody waits: the response is the service. */
        if (!by_wait && r.p_wait < 1e-12)
            break;
    }
    if (by_wait)
        return hp_err_set(err, HP_ERANGE, "no number of servers up to %d gets P(wait) to %g",
                          MAX_SERVERS, target);
    return hp_err_set(err, HP_ERANGE,
                      "no number of servers gets the p%g response time to %gs: the service "
                      "time alone has p%g %gs",
                      p * 100, target, p * 100, -log(1 - p) * q->service_s);
}

int hp_queue_servers_for_response(const struct hp_queue *q, double p, double target_s, int *c,
                                  struct hp_err *err)
{
    return servers_search(q, p, target_s, false, c, err);
}

int hp_queue_servers_for_wait(const struct hp_queue *q, double target, int *c, struct hp_err *err)
{
    return servers_search(q, 0, target, true, c, err);
}
