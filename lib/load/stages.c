// SPDX-License-Identifier: MIT
/* load/stages.c - piecewise-linear profiles, their integral and its inverse.
 *
 * Within a stage of duration d going from a to b, with k = (b - a) / d, the
 * count after x seconds is a x + k x^2 / 2. Solving for x given a count r,
 * x = 2 r / (a + sqrt(a^2 + 2 k r)), the form without cancellation (Numerical
 * Recipes 5.6), which also holds for k = 0 (x = r / a) and for a = 0. */
#include "load/stages.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/units.h"

static void integrate(struct hp_stages *st)
{
    double a = st->start_value;
    st->cum[0] = 0;
    for (int i = 0; i < st->n; i++) {
        st->cum[i + 1] = st->cum[i] + (a + st->target[i]) / 2 * st->dur_s[i];
        a = st->target[i];
    }
}

void hp_stages_constant(struct hp_stages *st, double value, double dur_s)
{
    memset(st, 0, sizeof *st);
    st->n = 1;
    st->start_value = value;
    st->dur_s[0] = dur_s;
    st->target[0] = value;
    integrate(st);
}

int hp_stages_parse(const char *text, struct hp_stages *out, struct hp_err *err)
{
    char buf[1024];
    struct hp_stages st = {0};

    if ((size_t)snprintf(buf, sizeof buf, "%s", text) >= sizeof buf)
        return hp_err_set(err, HP_ERANGE, "stages: longer than %zu characters", sizeof buf - 1);
    for (char *item = buf; item && *item;) {
        struct hp_err inner;
        int64_t ns;
        double v;
        char *next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        char *colon = strchr(item, ':');
        if (st.n >= HP_STAGES_MAX)
            return hp_err_set(err, HP_ERANGE, "stages: more than %d", HP_STAGES_MAX);
        if (!colon)
            return hp_err_set(err, HP_EPARSE,
                              "stage %d '%s': expected DURATION:TARGET (e.g. 30s:100)", st.n + 1,
                              item);
        *colon = '\0';
        if (hp_parse_duration(item, &ns, &inner) < 0)
            return hp_err_set(err, HP_EPARSE, "stage %d: %s", st.n + 1, inner.msg);
        if (hp_parse_rate(colon + 1, &v, &inner) < 0)
            return hp_err_set(err, HP_EPARSE, "stage %d: target %s", st.n + 1, inner.msg);
        if (ns <= 0)
            return hp_err_set(err, HP_ERANGE, "stage %d: duration must be above 0", st.n + 1);
        st.dur_s[st.n] = (double)ns / 1e9;
        st.target[st.n] = v;
        st.n++;
        item = next;
    }
    if (st.n == 0)
        return hp_err_set(err, HP_EPARSE, "stages: empty (expected e.g. 30s:100,1m:100,30s:0)");
    integrate(&st);
    *out = st;
    return 0;
}

double hp_stages_duration_s(const struct hp_stages *st)
{
    double d = 0;
    for (int i = 0; i < st->n; i++)
        d += st->dur_s[i];
    return d;
}

double hp_stages_max(const struct hp_stages *st)
{
    double m = st->start_value;
    for (int i = 0; i < st->n; i++)
        if (st->target[i] > m)
            m = st->target[i];
    return m;
}

double hp_stages_value_at(const struct hp_stages *st, double t_s)
{
    double a = st->start_value, t0 = 0;
    if (t_s <= 0)
        return a;
    for (int i = 0; i < st->n; i++) {
        if (t_s < t0 + st->dur_s[i])
            return a + (st->target[i] - a) * (t_s - t0) / st->dur_s[i];
        t0 += st->dur_s[i];
        a = st->target[i];
    }
    return a;
}

double hp_stages_count_at(const struct hp_stages *st, double t_s)
{
    double a = st->start_value, t0 = 0;
    if (t_s <= 0)
        return 0;
    for (int i = 0; i < st->n; i++) {
        if (t_s < t0 + st->dur_s[i]) {
            double x = t_s - t0, k = (st->target[i] - a) / st->dur_s[i];
            return st->cum[i] + a * x + k * x * x / 2;
        }
        t0 += st->dur_s[i];
        a = st->target[i];
    }
    return st->cum[st->n] + a * (t_s - t0); /* the last target holds */
}

double hp_stages_time_of(const struct hp_stages *st, double n)
{
    double a = st->start_value, t0 = 0;
    if (n <= 0)
        return 0;
    for (int i = 0; i < st->n; i++) {
        if (n < st->cum[i + 1]) {
            double r = n - st->cum[i], k = (st->target[i] - a) / st->dur_s[i];
            if (r <= 0)
                return t0;
            double disc = a * a + 2 * k * r;
            double x = 2 * r / (a + sqrt(disc > 0 ? disc : 0));
            return t0 + (x < st->dur_s[i] ? x : st->dur_s[i]);
        }
        t0 += st->dur_s[i];
        a = st->target[i];
    }
    if (a <= 0)
        return INFINITY;
    return t0 + (n - st->cum[st->n]) / a;
}
