// SPDX-License-Identifier: MIT
/* guard/compare.c - see compare.h. */
#include "guard/compare.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "stat/stats.h"

/* a sorted copy of s's samples (hp_free) */
static double *sorted(const struct hp_series *s)
{
    double *v = hp_malloc((s->n ? s->n : 1) * sizeof *v);
    if (!v)
        return NULL;
    memcpy(v, s->v, s->n * sizeof *v);
    qsort(v, s->n, sizeof *v, hp_cmp_double);
    return v;
}

double hp_series_stat(const struct hp_series *s, enum hp_cmp_stat stat, double pct)
{
    if (s->hist) {
        const struct hp_hist *h = s->hist;
        if (h->total_count == 0)
            return NAN;
        switch (stat) {
        case HP_STAT_MEAN: return hp_hist_mean(h);
        case HP_STAT_MEDIAN: return (double)hp_hist_value_at_percentile(h, 50.0);
        case HP_STAT_MIN: return (double)hp_hist_min(h);
        case HP_STAT_MAX: return (double)hp_hist_max(h);
        case HP_STAT_PCT: return (double)hp_hist_value_at_percentile(h, pct);
        }
        return NAN;
    }
    if (s->n == 0)
        return NAN;
    if (stat == HP_STAT_MEAN) {
        double sum = 0;
        for (size_t i = 0; i < s->n; i++)
            sum += s->v[i];
        return sum / (double)s->n;
    }
    double *v = sorted(s);
    if (!v)
        return NAN;
    double r = stat == HP_STAT_MEDIAN ? hp_quantile_sorted(v, s->n, 0.5)
               : stat == HP_STAT_MIN  ? v[0]
               : stat == HP_STAT_MAX  ? v[s->n - 1]
                                      : hp_quantile_sorted(v, s->n, pct / 100.0);
    hp_free(v);
    return r;
}

static void side(struct hp_cmp_side *d, const struct hp_series *s)
{
    memset(d, 0, sizeof *d);
    d->s = s;
    d->mean = hp_series_stat(s, HP_STAT_MEAN, 0);
    d->median = hp_series_stat(s, HP_STAT_MEDIAN, 0);
    if (s->hist) {
        double n = (double)s->hist->total_count;
        d->n = n;
        double half = 0.98 * sqrt(n); /* 1.96 sqrt(n) / 2 ranks each side */
        double lo = floor(n / 2 - half), hi = ceil(n / 2 + half);
        d->ci_ok = n >= 6 && lo >= 1 && hi <= n;
        if (d->ci_ok) {
            d->ci_lo = (double)hp_hist_value_at_rank(s->hist, (int64_t)lo);
            d->ci_hi = (double)hp_hist_value_at_rank(s->hist, (int64_t)hi);
        }
        return;
    }
    d->n = (double)s->n;
    double *v = sorted(s);
    if (!v)
        return;
    struct hp_median_ci ci;
    hp_median_ci_sorted(v, s->n, 0.95, &ci);
    d->ci_ok = ci.reached;
    d->ci_lo = ci.lo;
    d->ci_hi = ci.hi;
    hp_free(v);
}

static bool same_layout(const struct hp_hist *a, const struct hp_hist *b)
{
    return a->lowest == b->lowest && a->highest == b->highest && a->sigfigs == b->sigfigs &&
           a->counts_len == b->counts_len;
}

/* Mann-Whitney and Kolmogorov-Smirnov on two histograms of one layout:
 * every count a sample, a bucket a block of ties; the normal and the
 * asymptotic distributions (the counts are large). */
static void hist_tests(const struct hp_hist *a, const struct hp_hist *b, struct hp_mw *mw,
                       struct hp_ks *ks)
{
    double n1 = (double)a->total_count, n2 = (double)b->total_count, N = n1 + n2;
    double u = 0, below_b = 0, ties = 0, ca = 0, cb = 0, d = 0;
    for (int i = 0; i < a->counts_len; i++) {
        double x = (double)a->counts[i], y = (double)b->counts[i];
        if (x == 0 && y == 0)
            continue;
        u += x * (below_b + y / 2.0);
        below_b += y;
        double t = x + y;
        ties += t * t * t - t;
        ca += x;
        cb += y;
        double gap = fabs(ca / n1 - cb / n2);
        d = gap > d ? gap : d;
    }
    memset(mw, 0, sizeof *mw);
    mw->u = u;
    mw->ties = true;
    double mu = n1 * n2 / 2.0, var = n1 * n2 / 12.0 * ((N + 1) - ties / (N * (N - 1)));
    if (var <= 0 || N < 2) {
        mw->p = 1.0;
    } else {
        double z = fabs(u - mu) - 0.5;
        mw->p = erfc((z < 0 ? 0 : z / sqrt(var)) / M_SQRT2);
    }
    memset(ks, 0, sizeof *ks);
    ks->d = d;
    ks->p = hp_kolmogorov_q(sqrt(n1 * n2 / N) * d);
}

double hp_series_tail_p(const struct hp_series *a, const struct hp_series *b, double q, bool up)
{
    if (!a->hist) {
        double p;
        return hp_exceedance_p(a->v, a->n, b->v, b->n, q, up, &p) == 0 ? p : NAN;
    }
    /* histograms: the share above the old q-quantile, old against new, as
     * two proportions (the counts are large) */
    const struct hp_hist *x = a->hist, *y = b->hist;
    int64_t cut = hp_hist_value_at_percentile(x, q * 100.0);
    double xa = 0, ya = 0, n1 = (double)x->total_count, n2 = (double)y->total_count;
    for (int i = 0; i < x->counts_len; i++) {
        if (hp_hist_value_at_index(x, i) <= cut)
            continue;
        xa += (double)x->counts[i];
        ya += (double)y->counts[i];
    }
    double p1 = xa / n1, p2 = ya / n2, pp = (xa + ya) / (n1 + n2);
    double se = sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2));
    if (!(se > 0))
        return (up ? p2 > p1 : p2 < p1) ? 0.0 : 1.0;
    double z = (p2 - p1) / se;
    return 0.5 * erfc((up ? z : -z) / M_SQRT2);
}

/* The metric rules without one look at: wall times, else latency, else
 * query times; NULL (every series) when the set has none of them. */
static const char *main_metric(const struct hp_sampleset *set)
{
    static const char *const mains[] = {"wall", "latency", "query_time"};
    for (size_t m = 0; m < sizeof mains / sizeof *mains; m++)
        if (hp_sampleset_has_metric(set, mains[m]))
            return mains[m];
    return NULL;
}

int hp_compare(const struct hp_sampleset *old, const struct hp_sampleset *new, double alpha,
               struct hp_cmp_row **rows, size_t *n, size_t *only_old, size_t *only_new,
               struct hp_err *err)
{
    struct hp_cmp_row *r = hp_calloc(old->n ? old->n : 1, sizeof *r);
    if (!r)
        return hp_err_set(err, -ENOMEM, "out of memory");
    size_t k = 0, lone = 0;
    const char *primary = main_metric(old);
    for (size_t i = 0; i < old->n; i++) {
        const struct hp_series *a = &old->s[i];
        const struct hp_series *b = hp_sampleset_find(new, a->name, a->metric);
        if (!b || (!a->hist != !b->hist) || (!a->hist && (a->n == 0 || b->n == 0)) ||
            (a->hist && (a->hist->total_count == 0 || b->hist->total_count == 0))) {
            lone++;
            continue;
        }
        struct hp_cmp_row *w = &r[k];
        w->alpha = alpha;
        w->name = a->name;
        w->metric = a->metric;
        w->unit = a->unit;
        w->main = !primary || strcmp(a->metric, primary) == 0;
        side(&w->old, a);
        side(&w->new, b);
        w->change = w->old.median != 0 ? w->new.median / w->old.median - 1.0 : NAN;
        int rc = 0;
        if (a->hist) {
            if (!same_layout(a->hist, b->hist)) {
                hp_free(r);
                return hp_err_set(err, HP_EFORMAT,
                                  "%s %s: the old and new histograms have different layouts",
                                  a->name, a->metric);
            }
            hist_tests(a->hist, b->hist, &w->mw, &w->ks);
        } else {
            rc = hp_mann_whitney(a->v, a->n, b->v, b->n, &w->mw);
            rc = rc ? rc : hp_ks2(a->v, a->n, b->v, b->n, &w->ks);
            struct hp_shift sh;
            if (rc == 0 && w->old.median != 0 &&
                (rc = hp_hodges_lehmann(a->v, a->n, b->v, b->n, 0.95, &sh)) == 0) {
                w->shift_ok = sh.coverage >= 0.95 - 1e-9;
                w->shift_lo = sh.lo / fabs(w->old.median);
                w->shift_hi = sh.hi / fabs(w->old.median);
            }
            w->too_few = hp_mw_min_p(a->n, b->n) > alpha;
        }
        if (rc < 0) {
            hp_free(r);
            return hp_err_set(err, -ENOMEM, "out of memory");
        }
        w->significant = w->mw.p < alpha;
        w->shape = w->ks.p < alpha;
        k++;
    }
    size_t extra = 0;
    for (size_t j = 0; j < new->n; j++)
        extra += hp_sampleset_find(old, new->s[j].name, new->s[j].metric) == NULL;
    *rows = r;
    *n = k;
    if (only_old)
        *only_old = lone;
    if (only_new)
        *only_new = extra;
    return 0;
}

/* ---- --fail-on ----------------------------------------------------------- */

static const char *skip(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int hp_failon_parse(const char *s, struct hp_failon *out, struct hp_err *err)
{
    memset(out, 0, sizeof *out);
    if (strlen(s) >= sizeof out->text)
        return hp_err_set(err, HP_EPARSE, "longer than %d characters", HP_FAILON_TEXT_MAX - 1);
    snprintf(out->text, sizeof out->text, "%s", s);
    const char *p = skip(s), *colon = strchr(s, ':');
    if (colon) {
        const char *e = colon;
        while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e == p || (size_t)(e - p) >= sizeof out->metric)
            return hp_err_at(err, HP_EPARSE, NULL, 0, (int)(p - s) + 1,
                             "a metric name (up to 63 characters) before ':'");
        snprintf(out->metric, sizeof out->metric, "%.*s", (int)(e - p), p);
        p = skip(colon + 1);
    }
    const char *st = p;
    if (strncmp(p, "mean", 4) == 0) {
        out->stat = HP_STAT_MEAN;
        p += 4;
    } else if (strncmp(p, "median", 6) == 0) {
        out->stat = HP_STAT_MEDIAN;
        p += 6;
    } else if (strncmp(p, "min", 3) == 0) {
        out->stat = HP_STAT_MIN;
        p += 3;
    } else if (strncmp(p, "max", 3) == 0) {
        out->stat = HP_STAT_MAX;
        p += 3;
    } else if (*p == 'p' && (isdigit((unsigned char)p[1]))) {
        char *end;
        out->stat = HP_STAT_PCT;
        out->pct = strtod(p + 1, &end);
        if (!(out->pct > 0 && out->pct < 100))
            return hp_err_at(err, HP_EPARSE, NULL, 0, (int)(p - s) + 1,
                             "a percentile between p0 and p100 (p99, p99.9)");
        p = end;
    } else {
        return hp_err_at(err, HP_EPARSE, NULL, 0, (int)(st - s) + 1,
                         "expected mean, median, min, max or a percentile such as p99");
    }
    if (isalnum((unsigned char)*p) || *p == '_') {
        return hp_err_at(err, HP_EPARSE, NULL, 0, (int)(st - s) + 1,
                         "expected mean, median, min, max or a percentile such as p99 "
                         "(a metric goes before a ':')");
    }
    p = skip(p);
    const char *op = p;
    if (p[0] == '>' && p[1] == '=')
        out->op = HP_OP_GE, p += 2;
    else if (p[0] == '<' && p[1] == '=')
        out->op = HP_OP_LE, p += 2;
    else if (p[0] == '>')
        out->op = HP_OP_GT, p += 1;
    else if (p[0] == '<')
        out->op = HP_OP_LT, p += 1;
    else {
        return hp_err_at(err, HP_EPARSE, NULL, 0, (int)(op - s) + 1, "expected >, >=, < or <=");
    }
    p = skip(p);
    const char *num = p;
    if (*p != '+' && *p != '-') {
        return hp_err_at(err, HP_EPARSE, NULL, 0, (int)(num - s) + 1,
                         "expected a signed change such as +5%% or -2%%");
    }
    char *end;
    double v = strtod(p, &end);
    if (end == p + 1 || *end != '%' || !isfinite(v) || fabs(v) > 1e6) {
        return hp_err_at(err, HP_EPARSE, NULL, 0, (int)(num - s) + 1,
                         "expected a signed change such as +5%% or -2%%");
    }
    out->change = v / 100.0;
    p = skip(end + 1);
    if (*p) {
        const char *and = p;
        if (strncmp(p, "and", 3) == 0 && (p[3] == ' ' || p[3] == '\t')) {
            p = skip(p + 3);
            if (strncmp(p, "significant", 11) == 0 && !*skip(p + 11)) {
                out->significant = true;
                return 0;
            }
        }
        return hp_err_at(err, HP_EPARSE, NULL, 0, (int)(and-s) + 1,
                         "expected nothing more, or 'and significant'");
    }
    return 0;
}

void hp_failon_eval(const struct hp_failon *f, const struct hp_cmp_row *row,
                    struct hp_failon_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->applies = f->metric[0] ? strcmp(f->metric, row->metric) == 0 : row->main;
    if (!v->applies)
        return;
    v->old_value = hp_series_stat(row->old.s, f->stat, f->pct);
    v->new_value = hp_series_stat(row->new.s, f->stat, f->pct);
    v->change = v->old_value != 0 ? v->new_value / v->old_value - 1.0 : NAN;
    if (f->stat == HP_STAT_MEAN || f->stat == HP_STAT_MEDIAN)
        v->significant = row->significant;
    else if (f->stat == HP_STAT_PCT)
        v->significant = hp_series_tail_p(row->old.s, row->new.s, f->pct / 100.0,
                                          f->op == HP_OP_GT || f->op == HP_OP_GE) < row->alpha;
    else
        v->significant = row->shape;
    bool over = false;
    if (isfinite(v->change))
        switch (f->op) {
        case HP_OP_GT: over = v->change > f->change; break;
        case HP_OP_GE: over = v->change >= f->change; break;
        case HP_OP_LT: over = v->change < f->change; break;
        case HP_OP_LE: over = v->change <= f->change; break;
        }
    v->failed = over && (!f->significant || v->significant);
}
