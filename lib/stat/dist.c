// SPDX-License-Identifier: MIT
/* stat/dist.c - parse and sample delay distributions. */
#include "stat/dist.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/units.h"

#define MAX_TEXT 128
#define MAX_FIELDS 4

static const char usage[] =
    "expected fixed:D, uniform:LOW:HIGH, exp:MEAN, lognormal:MEDIAN:SIGMA or "
    "bimodal:P:FAST:SLOW, e.g. fixed:2ms";

static int duration_field(const char *field, const char *text, int64_t *out, struct hp_err *err)
{
    struct hp_err inner;
    if (hp_parse_duration(field, out, &inner) < 0)
        return hp_err_set(err, HP_EPARSE, "delay '%s': %s", text, inner.msg);
    if (*out > HP_DIST_MAX_NS)
        return hp_err_set(err, HP_ERANGE, "delay '%s': %s is longer than 1h", text, field);
    return 0;
}

int hp_dist_parse(const char *text, size_t len, struct hp_dist *out, struct hp_err *err)
{
    char buf[MAX_TEXT];
    char *field[MAX_FIELDS + 1];
    int n = 0;
    struct hp_dist d = {0};
    int rc;

    if (len == 0 || len >= sizeof buf)
        return hp_err_set(err, HP_EPARSE, "delay '%.*s': %s", (int)(len < 64 ? len : 64), text,
                          usage);
    memcpy(buf, text, len);
    buf[len] = '\0';
    for (char *p = buf; n <= MAX_FIELDS;) {
        field[n++] = p;
        p = strchr(p, ':');
        if (!p)
            break;
        *p++ = '\0';
    }
    const char *kind = field[0];
    int want = strcmp(kind, "fixed") == 0       ? 2
               : strcmp(kind, "uniform") == 0   ? 3
               : strcmp(kind, "exp") == 0       ? 2
               : strcmp(kind, "lognormal") == 0 ? 3
               : strcmp(kind, "bimodal") == 0   ? 4
                                                : 0;
    if (want == 0)
        return hp_err_set(err, HP_EPARSE, "delay '%s': unknown distribution '%s' (%s)", text,
                          kind, usage);
    if (n != want)
        return hp_err_set(err, HP_EPARSE, "delay '%.*s': %s takes %d value%s (%s)", (int)len,
                          text, kind, want - 1, want == 2 ? "" : "s", usage);
    /* Restore the text for messages: field[] point into buf. */
    char shown[MAX_TEXT];
    snprintf(shown, sizeof shown, "%.*s", (int)len, text);

    if (strcmp(kind, "fixed") == 0) {
        d.kind = HP_DIST_FIXED;
        rc = duration_field(field[1], shown, &d.a_ns, err);
    } else if (strcmp(kind, "uniform") == 0) {
        d.kind = HP_DIST_UNIFORM;
        rc = duration_field(field[1], shown, &d.a_ns, err);
        if (rc == 0)
            rc = duration_field(field[2], shown, &d.b_ns, err);
        if (rc == 0 && d.b_ns < d.a_ns)
            rc = hp_err_set(err, HP_ERANGE, "delay '%s': HIGH is below LOW", shown);
    } else if (strcmp(kind, "exp") == 0) {
        d.kind = HP_DIST_EXP;
        rc = duration_field(field[1], shown, &d.a_ns, err);
    } else if (strcmp(kind, "lognormal") == 0) {
        d.kind = HP_DIST_LOGNORMAL;
        rc = duration_field(field[1], shown, &d.a_ns, err);
        if (rc == 0 && hp_parse_number(field[2], &d.sigma, NULL) < 0)
            rc = hp_err_set(err, HP_EPARSE, "delay '%s': SIGMA '%s' is not a number", shown,
                            field[2]);
        if (rc == 0 && (d.sigma <= 0.0 || d.sigma > 10.0))
            rc = hp_err_set(err, HP_ERANGE, "delay '%s': SIGMA must be in (0, 10]", shown);
        if (rc == 0 && d.a_ns == 0)
            rc = hp_err_set(err, HP_ERANGE, "delay '%s': MEDIAN must be above 0", shown);
    } else {
        struct hp_err inner;
        d.kind = HP_DIST_BIMODAL;
        rc = hp_parse_percent(field[1], &d.p_slow, &inner);
        if (rc < 0)
            rc = hp_err_set(err, HP_EPARSE, "delay '%s': P: %s", shown, inner.msg);
        if (rc == 0)
            rc = duration_field(field[2], shown, &d.a_ns, err);
        if (rc == 0)
            rc = duration_field(field[3], shown, &d.b_ns, err);
    }
    if (rc < 0)
        return rc;
    *out = d;
    return 0;
}

static int64_t clamp_ns(double v)
{
    if (!(v > 0.0))
        return 0;
    if (v >= (double)HP_DIST_MAX_NS)
        return HP_DIST_MAX_NS;
    return (int64_t)llround(v);
}

int64_t hp_dist_sample(const struct hp_dist *d, gsl_rng *rng)
{
    switch (d->kind) {
    case HP_DIST_FIXED:
        return d->a_ns;
    case HP_DIST_UNIFORM:
        return clamp_ns((double)d->a_ns + gsl_rng_uniform(rng) * (double)(d->b_ns - d->a_ns));
    case HP_DIST_EXP:
        return clamp_ns(gsl_ran_exponential(rng, (double)d->a_ns));
    case HP_DIST_LOGNORMAL:
        return clamp_ns(gsl_ran_lognormal(rng, log((double)d->a_ns), d->sigma));
    case HP_DIST_BIMODAL:
        return gsl_rng_uniform(rng) < d->p_slow ? d->b_ns : d->a_ns;
    }
    return 0;
}

double hp_dist_mean(const struct hp_dist *d)
{
    switch (d->kind) {
    case HP_DIST_FIXED:
    case HP_DIST_EXP:
        return (double)d->a_ns;
    case HP_DIST_UNIFORM:
        return ((double)d->a_ns + (double)d->b_ns) / 2.0;
    case HP_DIST_LOGNORMAL:
        return (double)d->a_ns * exp(d->sigma * d->sigma / 2.0);
    case HP_DIST_BIMODAL:
        return d->p_slow * (double)d->b_ns + (1.0 - d->p_slow) * (double)d->a_ns;
    }
    return 0.0;
}
