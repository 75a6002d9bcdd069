/* SPDX-License-Identifier: MIT */
/* model/plan.h - capacity plans from a growth forecast: how many instances
 * each month needs to carry the forecast peak at a target utilisation
 * (headroom) plus spares (N+1), and when today's fleet runs out. */
#ifndef HP_MODEL_PLAN_H
#define HP_MODEL_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define HP_PLAN_MAX_MONTHS 120

enum hp_growth_kind { HP_GROWTH_COMPOUND, HP_GROWTH_LINEAR_FIT, HP_GROWTH_EXP_FIT };

struct hp_growth {
    enum hp_growth_kind kind;
    double rate;        /* compound: per month (0.05 = 5%) */
    double a, b;        /* fits: load = a + b t, or exp(a + b t), t in months */
    double r_squared;   /* fits: on the history (log scale for exponential) */
    double last_t;      /* fits: the history's last month */
};

/* Fit history (month, load) points: linear and exponential least squares
 * (GSL gsl_fit_linear; the exponential on log(load)); keeps the better R^2
 * unless `kind` forces one (HP_GROWTH_LINEAR_FIT or HP_GROWTH_EXP_FIT;
 * HP_GROWTH_COMPOUND means "pick"). Needs 3+ months, positive loads. */
int hp_growth_fit(const double *month, const double *load, size_t n, enum hp_growth_kind kind,
                  struct hp_growth *out, struct hp_err *err);

struct hp_plan_input {
    double peak_per_s;        /* the peak load now (month 0) */
    struct hp_growth growth;
    double capacity_per_s;    /* one instance at 100% */
    double headroom;          /* target utilisation, 0-1 (0.7) */
    int spares;               /* N+1: 1 */
    int months;               /* horizon, 1..HP_PLAN_MAX_MONTHS */
    int fleet_now;            /* instances today, 0 when unknown */
    double cost_per_instance; /* per month, 0 when unknown */
};

struct hp_plan {
    int months;
    double load[HP_PLAN_MAX_MONTHS + 1];
    int instances[HP_PLAN_MAX_MONTHS + 1];
    int runs_out_month;       /* first month the fleet is too small; -1: never in the horizon */
};

int hp_plan_make(const struct hp_plan_input *in, struct hp_plan *out, struct hp_err *err);
/* The forecast load m months from now. */
double hp_growth_load(const struct hp_growth *g, double peak_now, int m);

#endif
