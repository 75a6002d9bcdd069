/* SPDX-License-Identifier: MIT */
/* stat/dist.h - latency distributions as people write them
 * ("fixed:2ms", "uniform:1ms:5ms", "exp:5ms", "lognormal:2ms:0.5",
 * "bimodal:1%:1ms:100ms") and sampling from them with GSL's generators.
 * Used by `serve` for its /delay/DIST route. */
#ifndef HP_STAT_DIST_H
#define HP_STAT_DIST_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "core/err.h"

/* Longest delay a distribution may be asked for: the latency histogram's top. */
#define HP_DIST_MAX_NS (INT64_C(3600) * 1000000000)

enum hp_dist_kind { HP_DIST_FIXED, HP_DIST_UNIFORM, HP_DIST_EXP, HP_DIST_LOGNORMAL,
                    HP_DIST_BIMODAL };

struct hp_dist {
    enum hp_dist_kind kind;
    int64_t a_ns;   /* fixed: value; uniform: low; exp: mean; lognormal: median; bimodal: fast */
    int64_t b_ns;   /* uniform: high; bimodal: slow */
    double sigma;   /* lognormal: sigma of the underlying normal */
    double p_slow;  /* bimodal: probability of the slow value, 0..1 */
};

/* Parse text of len bytes (need not be NUL-terminated). Returns 0, or
 * HP_EPARSE / HP_ERANGE with err naming what was wrong. */
int hp_dist_parse(const char *text, size_t len, struct hp_dist *out, struct hp_err *err);

/* One draw, in ns, clamped to [0, HP_DIST_MAX_NS]. */
int64_t hp_dist_sample(const struct hp_dist *d, gsl_rng *rng);

/* The distribution's mean in ns (for documentation and tests). */
double hp_dist_mean(const struct hp_dist *d);

#endif
