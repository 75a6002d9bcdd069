// SPDX-License-Identifier: MIT
/* model/plan.c - growth fits and instance counts. */
#include "model/plan.h"

#include <gsl/gsl_fit.h>
#include <math.h>
#include <string.h>

static double r_squared(const double *x, const double *y, size_t n, double a, double b)
{
    double mean = 0, sse = 0, sst = 0;
    for (size_t i = 0; i < n; i++)
        mean += y[i] / (double)n;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - (a + b * x[i]);
        sse += e * e;
        sst += (y[i] - mean) * (y[i] - mean);
    }
    return sst > 0 ? 1 - sse / sst : 1;
}

int hp_growth_fit(const double *month, const double *load, size_t n, enum hp_growth_kind kind,
                  struct hp_growth *out, struct hp_err *err)
{
    double logs[4096], cov00, cov01, cov11, sumsq, la, lb, ea, eb;
    if (n < 3)
        return hp_err_set(err, HP_ERANGE, "%zu months of history: at least 3 are needed", n);
    if (n > 4096)
        return hp_err_set(err, HP_ERANGE, "more than 4096 months of history");
    for (size_t i = 0; i < n; i++) {
        if (!(load[i] > 0) || !isfinite(month[i]))
            return hp_err_set(err, HP_ERANGE, "month %g: load %g must be above 0", month[i],
                              load[i]);
        logs[i] = log(load[i]);
    }
    gsl_fit_linear(month, 1, load, 1, n, &la, &lb, &cov00, &cov01, &cov11, &sumsq);
    gsl_fit_linear(month, 1, logs, 1, n, &ea, &eb, &cov00, &cov01, &cov11, &sumsq);
    double lr2 = r_squared(month, load, n, la, lb), er2 = r_squared(month, logs, n, ea, eb);
    memset(out, 0, sizeof *out);
    double last = month[0];
    for (size_t i = 1; i < n; i++)
        if (month[i] > last)
            last = month[i];
    out->last_t = last;
    bool exp_wins = kind == HP_GROWTH_EXP_FIT || (kind != HP_GROWTH_LINEAR_FIT && er2 > lr2);
    if (exp_wins) {
        out->kind = HP_GROWTH_EXP_FIT;
        out->a = ea;
        out->b = eb;
        out->r_squared = er2;
    } else {
        out->kind = HP_GROWTH_LINEAR_FIT;
        out->a = la;
        out->b = lb;
        out->r_squared = lr2;
    }
    return 0;
}

double hp_growth_load(const struct hp_growth *g, double peak_now, int m)
{
    switch (g->kind) {
    case HP_GROWTH_COMPOUND:
        return peak_now * pow(1 + g->rate, m);
    case HP_GROWTH_LINEAR_FIT: {
        /* The fit's slope applied from today's peak. */
        return peak_now + g->b * m;
    }
    case HP_GROWTH_EXP_FIT:
        return peak_now * exp(g->b * m);
    }
    return peak_now;
}

int hp_plan_make(const struct hp_plan_input *in, struct hp_plan *out, struct hp_err *err)
{
    if (!(in->peak_per_s > 0) || !(in->capacity_per_s > 0))
        return hp_err_set(err, HP_ERANGE, "peak load and instance capacity must be above 0");
    if (!(in->headroom > 0 && in->headroom <= 1))
        return hp_err_set(err, HP_ERANGE, "headroom (target utilisation) must be in (0, 100%%]");
    if (in->months < 1 || in->months > HP_PLAN_MAX_MONTHS)
        return hp_err_set(err, HP_ERANGE, "horizon must be 1-%d months", HP_PLAN_MAX_MONTHS);
    if (in->spares < 0)
        return hp_err_set(err, HP_ERANGE, "spares must be 0 or more");
    memset(out, 0, sizeof *out);
    out->months = in->months;
    out->runs_out_month = -1;
    double usable = in->capacity_per_s * in->headroom;
    for (int m = 0; m <= in->months; m++) {
        double load = hp_growth_load(&in->growth, in->peak_per_s, m);
        if (load < 0)
            load = 0;
        double need = ceil(load / usable - 1e-9) + in->spares;
        if (need > 1e9)
            return hp_err_set(err, HP_ERANGE, "month %d needs over a billion instances", m);
        out->load[m] = load;
        out->instances[m] = (int)(need < 1 ? 1 : need);
        if (in->fleet_now > 0 && out->runs_out_month < 0 && out->instances[m] > in->fleet_now)
            out->runs_out_month = m;
    }
    return 0;
}
