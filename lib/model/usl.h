/* SPDX-License-Identifier: MIT */
/* model/usl.h - the Universal Scalability Law (N. J. Gunther, "Guerrilla
 * Capacity Planning", 2007, eq. 4.31):
 *
 *     X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))
 *
 * fitted to measured (N, X) by nonlinear least squares with sigma, kappa >= 0
 * (GSL multifit_nlinear, trust region), and the questions a capacity
 * planner asks of the fit: the peak, the Amdahl limit, predictions, the
 * latency that Little's law gives for a closed system without think time,
 * and the inverses (N for a target throughput or latency). */
#ifndef HP_MODEL_USL_H
#define HP_MODEL_USL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct hp_usl {
    double sigma, kappa, lambda;          /* contention, coherency, X(1) ideal */
    double se_sigma, se_kappa, se_lambda; /* standard errors */
    double ci_sigma[2], ci_kappa[2], ci_lambda[2]; /* 95% intervals */
    double t_quantile;                    /* t(0.975, dof) used for the intervals */
    /* the same standard errors with R usl's quantile, t(0.95, points - 1) */
    double t_rusl;
    double ci_rusl_sigma[2], ci_rusl_kappa[2], ci_rusl_lambda[2];
    int dof;                              /* points - 3 */
    double r_squared;
    size_t points;
    bool few_points;                      /* fewer than 6: fitted, with a warning */
    bool sigma_at_bound, kappa_at_bound;  /* fitted to exactly 0, their bound */
};

/* Fit n points (N in n_users, X in throughput). Errors (HP_EPARSE/ERANGE,
 * message in err): fewer than 3 distinct N, a non-positive value, or a fit
 * that does not converge. */
int hp_usl_fit(const double *n_users, const double *throughput, size_t n, struct hp_usl *out,
               struct hp_err *err);

double hp_usl_throughput(const struct hp_usl *u, double n);
/* Little's law, closed system, zero think time: R(N) = N / X(N) =
 * (1 + sigma (N - 1) + kappa N (N - 1)) / lambda, in the unit of 1/X. */
double hp_usl_response_time(const struct hp_usl *u, double n);
/* The peak N* = sqrt((1 - sigma) / kappa); false when kappa is 0 or sigma >=
 * 1 (throughput never falls: no peak). */
bool hp_usl_peak(const struct hp_usl *u, double *n_star, double *x_star);
/* lambda / sigma: the asymptote without coherency (Amdahl); false when
 * sigma is 0. */
bool hp_usl_amdahl_limit(const struct hp_usl *u, double *x_limit);
/* The smallest N with X(N) = x. HP_ERANGE (err says the maximum) when x is
 * above what the system can reach. */
int hp_usl_users_for_throughput(const struct hp_usl *u, double x, double *n, struct hp_err *err);
/* The N at which R(N) = r. HP_ERANGE when r is below R(1) = 1 / lambda. */
int hp_usl_users_for_response_time(const struct hp_usl *u, double r, double *n,
                                   struct hp_err *err);

#endif
