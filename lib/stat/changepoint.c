// SPDX-License-Identifier: MIT
/* stat/changepoint.c - E-divisive means in windows and the merge of weak
 * points (see changepoint.h for the method and its one difference from
 * Otava). */
#include "stat/changepoint.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

#include "core/alloc.h"

/* ---- the test ------------------------------------------------------------- */

static void moments(const double *x, size_t from, size_t to, double *mean, double *sd)
{
    size_t n = to - from;
    double s = 0;
    for (size_t i = from; i < to; i++)
        s += x[i];
    double m = s / (double)n, ss = 0;
    for (size_t i = from; i < to; i++)
        ss += (x[i] - m) * (x[i] - m);
    *mean = m;
    *sd = n >= 2 ? sqrt(ss / (double)n) : 0.0;
}

/* 2 P(T > |t|) for Student's T with df degrees of freedom: the regularised
 * incomplete beta I_x(df/2, 1/2), x = df / (df + t^2), as SciPy's stdtr
 * takes it (GSL's gsl_cdf_tdist_Q loses digits far out in the tail). */
static double student_p(double t, double df)
{
    gsl_sf_result r;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_sf_beta_inc_e(df / 2, 0.5, df / (df + t * t), &r);
    gsl_set_error_handler(old);
    if (rc == GSL_EUNDRFLW)
        return 0.0;
    return rc == GSL_SUCCESS ? r.val : NAN;
}

void hp_cp_test(const double *x, size_t from, size_t at, size_t to, struct hp_cp *cp)
{
    size_t n1 = at - from, n2 = to - at;
    double m1, s1, m2, s2;
    moments(x, from, at, &m1, &s1);
    moments(x, at, to, &m2, &s2);
    double p = 1.0;
    if (n1 + n2 > 2) {
        /* Student's pooled t (scipy.stats.ttest_ind_from_stats), given the
         * deviations over n as Otava gives them */
        double df = (double)(n1 + n2 - 2);
        double pooled = ((double)(n1 - 1) * s1 * s1 + (double)(n2 - 1) * s2 * s2) / df;
        double se = sqrt(pooled * (1.0 / (double)n1 + 1.0 / (double)n2));
        double t = (m1 - m2) / se;
        if (isnan(t))
            p = 1.0; /* equal values on both sides */
        else if (isinf(t))
            p = 0.0;
        else
            p = student_p(t, df);
        if (!(p <= 1.0))
            p = 1.0; /* NaN: no evidence */
    }
    cp->index = at;
    cp->from = from;
    cp->to = to;
    cp->mean_before = m1;
    cp->mean_after = m2;
    cp->sd_before = s1;
    cp->sd_after = s2;
    cp->p = p;
    cp->change = m1 == 0 ? 0.0 : m2 / m1 - 1.0;
    double back = m2 == 0 ? 0.0 : m1 / m2 - 1.0;
    cp->magnitude = fmax(fabs(cp->change), fabs(back));
}

/* ---- E-divisive in one window ------------------------------------------- */

/* Pair sums of a window y[0..L): S[i][j] = sum over a < i, b < j of
 * |y_a - y_b|, so that any block of the distance matrix is four reads. */
struct pairs {
    const double *y;
    size_t len;
    double *s; /* (len + 1)^2 */
};

static double block(const struct pairs *w, size_t a1, size_t a2, size_t b1, size_t b2)
{
    size_t st = w->len + 1;
    const double *s = w->s;
    return s[a2 * st + b2] - s[a1 * st + b2] - s[a2 * st + b1] + s[a1 * st + b1];
}

static void pairs_fill(struct pairs *w)
{
    size_t st = w->len + 1;
    memset(w->s, 0, st * sizeof *w->s); /* row 0 */
    for (size_t i = 1; i <= w->len; i++) {
        double row = 0;
        w->s[i * st] = 0;
        for (size_t j = 1; j <= w->len; j++) {
            row += fabs(w->y[i - 1] - w->y[j - 1]);
            w->s[i * st + j] = w->s[(i - 1) * st + j] + row;
        }
    }
}

/* The split tau of [s, e) that maximises Q-hat over every end kappa in
 * (tau, e], the first of equals in (tau, kappa) order as numpy's argmax
 * finds it in Otava's matrix. */
static size_t best_split(const struct pairs *w, size_t s, size_t e, double *qhat)
{
    double best = -INFINITY;
    size_t at = s + 1;
    for (size_t tau = s + 1; tau < e; tau++) {
        double n = (double)(tau - s);
        double within_x = block(w, s, tau, s, tau) / 2;
        for (size_t kappa = tau + 1; kappa <= e; kappa++) {
            double m = (double)(kappa - tau);
            double q = 2.0 / (m + n) * block(w, s, tau, tau, kappa);
            if (n > 1)
                q -= 2.0 * m / ((m + n) * (n - 1)) * within_x;
            if (m > 1)
                q -= 2.0 * n / ((m + n) * (m - 1)) * (block(w, tau, kappa, tau, kappa) / 2);
            if (q > best) {
                best = q;
                at = tau;
            }
        }
    }
    *qhat = best;
    return at;
}

/* Insert cp into the sorted list a[0..*n) unless a point at its index is
 * there. */
static void insert_sorted(struct hp_cp *a, size_t *n, const struct hp_cp *cp)
{
    size_t i = *n;
    for (size_t k = 0; k < *n; k++)
        if (a[k].index == cp->index)
            return;
    while (i > 0 && a[i - 1].index > cp->index) {
        a[i] = a[i - 1];
        i--;
    }
    a[i] = *cp;
    (*n)++;
}

/* Change points of y[0..L) at first-pass level p1, appended (indices offset
 * by base) to found; returns the largest index found, or 0. */
static size_t window_points(struct pairs *w, double p1, size_t base, struct hp_cp *found,
                            size_t *nfound, struct hp_cp *tmp)
{
    pairs_fill(w);
    size_t k = 0; /* tmp[0..k): this window's points, sorted, window indices */
    for (;;) {
        /* the best candidate over every interval between the points */
        double best_q = -INFINITY;
        size_t best_at = 0, best_s = 0, best_e = 0;
        for (size_t i = 0; i <= k; i++) {
            size_t s = i == 0 ? 0 : tmp[i - 1].index;
            size_t e = i == k ? w->len : tmp[i].index;
            if (e - s < 2)
                continue;
            double q;
            size_t at = best_split(w, s, e, &q);
            if (q > best_q) {
                best_q = q;
                best_at = at;
                best_s = s;
                best_e = e;
            }
        }
        if (best_q == -INFINITY)
            break;
        struct hp_cp cp;
        hp_cp_test(w->y, best_s, best_at, best_e, &cp);
        cp.qhat = best_q;
        if (!(cp.p <= p1))
            break;
        insert_sorted(tmp, &k, &cp);
    }
    size_t last = 0;
    for (size_t i = 0; i < k; i++) {
        struct hp_cp cp = tmp[i];
        cp.index += base;
        cp.from += base;
        cp.to += base;
        insert_sorted(found, nfound, &cp);
        last = cp.index;
    }
    return last;
}

/* Test every point of a[0..n) between its neighbours in x[0..len). */
static void retest(const double *x, size_t len, struct hp_cp *a, size_t n, size_t i)
{
    size_t from = i == 0 ? 0 : a[i - 1].index;
    size_t to = i + 1 == n ? len : a[i + 1].index;
    double q = a[i].qhat;
    hp_cp_test(x, from, a[i].index, to, &a[i]);
    a[i].qhat = q;
}

int hp_changepoints(const double *x, size_t n, const struct hp_cp_opts *o, struct hp_cp **out,
                    size_t *nout, struct hp_cp **weak, size_t *nweak)
{
    *out = NULL;
    *nout = 0;
    if (weak) {
        *weak = NULL;
        *nweak = 0;
    }
    if (o->window < 2 || o->window > HP_CP_WINDOW_MAX || !(o->max_p > 0 && o->max_p <= 1) ||
        !(o->min_magnitude >= 0))
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return -EINVAL;
    if (n < 2)
        return 0;
    double p1 = o->max_p < 0.05 ? o->max_p * 10 : o->max_p < 0.5 ? o->max_p * 2 : o->max_p;
    size_t wl = o->window < n ? o->window : n;
    struct pairs w = {.s = hp_malloc((wl + 1) * (wl + 1) * sizeof(double))};
    struct hp_cp *pts = hp_malloc(n * sizeof *pts), *tmp = hp_malloc(wl * sizeof *tmp);
    if (!w.s || !pts || !tmp) {
        hp_free(w.s);
        hp_free(pts);
        hp_free(tmp);
        return -ENOMEM;
    }
    size_t k = 0, step = o->window / 2;
    for (size_t start = 0; start < n;) {
        size_t end = start + o->window < n ? start + o->window : n;
        w.y = x + start;
        w.len = end - start;
        size_t last = window_points(&w, p1, start, pts, &k, tmp);
        start = last > start + step ? last : start + step;
    }
    hp_free(w.s);
    hp_free(tmp);
    for (size_t i = 0; i < k; i++)
        retest(x, n, pts, k, i);
    if (weak && k) {
        *weak = hp_malloc(k * sizeof **weak);
        if (!*weak) {
            hp_free(pts);
            return -ENOMEM;
        }
        memcpy(*weak, pts, k * sizeof *pts);
        *nweak = k;
    }
    /* merge: drop the weakest until every point passes both bars */
    while (k > 0) {
        size_t at = 0;
        for (size_t i = 1; i < k; i++)
            if (pts[i].p > pts[at].p)
                at = i;
        if (pts[at].p < o->max_p) {
            at = 0;
            for (size_t i = 1; i < k; i++)
                if (pts[i].magnitude < pts[at].magnitude)
                    at = i;
            if (pts[at].magnitude > o->min_magnitude)
                break;
        }
        memmove(pts + at, pts + at + 1, (k - at - 1) * sizeof *pts);
        k--;
        if (o->otava_merge) { /* Otava's: the next point and the one after */
            if (at < k)
                retest(x, n, pts, k, at);
            if (at + 1 < k)
                retest(x, n, pts, k, at + 1);
        } else {
            if (at > 0)
                retest(x, n, pts, k, at - 1);
            if (at < k)
                retest(x, n, pts, k, at);
        }
    }
    if (k == 0) {
        hp_free(pts);
        return 0;
    }
    *out = pts;
    *nout = k;
    return 0;
}
