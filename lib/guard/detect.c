// SPDX-License-Identifier: MIT
/* guard/detect.c - see detect.h. */
#include "guard/detect.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"

static bool rate_unit(const char *unit)
{
    size_t n = strlen(unit);
    return n >= 2 && strcmp(unit + n - 2, "/s") == 0;
}

int hp_detect(const struct hp_history_point *pts, size_t n, const struct hp_detect_opts *o,
              struct hp_detect *d, struct hp_err *err)
{
    memset(d, 0, sizeof *d);
    d->pts = pts;
    d->n = n;
    if (o->cp.window < 2 || o->cp.window > HP_CP_WINDOW_MAX)
        return hp_err_set(err, -EINVAL, "the window is %zu points: 2 to %d", o->cp.window,
                          HP_CP_WINDOW_MAX);
    if (!(o->cp.max_p > 0 && o->cp.max_p <= 1))
        return hp_err_set(err, -EINVAL, "the largest p-value is %g: above 0, at most 1",
                          o->cp.max_p);
    if (!(o->cp.min_magnitude >= 0) || isinf(o->cp.min_magnitude))
        return hp_err_set(err, -EINVAL, "the smallest magnitude is %g: 0 or more",
                          o->cp.min_magnitude);
    if (o->new_points < 1)
        return hp_err_set(err, -EINVAL, "the newest points: 1 or more");
    d->higher_better = o->better == HP_BETTER_HIGHER ||
                       (o->better == HP_BETTER_AUTO && n > 0 && rate_unit(pts[n - 1].unit));
    double *x = hp_malloc((n ? n : 1) * sizeof *x);
    if (!x)
        return hp_err_set(err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        x[i] = pts[i].value;
        if (isnan(x[i])) {
            hp_free(x);
            return hp_err_set(err, -EINVAL, "run %lld holds no number", (long long)pts[i].run);
        }
    }
    int rc = hp_changepoints(x, n, &o->cp, &d->cps, &d->ncp, NULL, NULL);
    hp_free(x);
    if (rc < 0)
        return hp_err_set(err, rc, rc == -ENOMEM ? "out of memory" : "bad options");
    if (d->ncp > 0) {
        const struct hp_cp *last = &d->cps[d->ncp - 1];
        d->new_regression = last->index + o->new_points >= n && hp_detect_worse(d, d->ncp - 1);
    }
    return 0;
}

void hp_detect_fini(struct hp_detect *d)
{
    hp_free(d->cps);
    d->cps = NULL;
    d->ncp = 0;
}

bool hp_detect_worse(const struct hp_detect *d, size_t i)
{
    const struct hp_cp *c = &d->cps[i];
    return d->higher_better ? c->mean_after < c->mean_before : c->mean_after > c->mean_before;
}

static json_t *point_json(const struct hp_history_point *p, size_t index)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "index", json_integer((json_int_t)index));
    json_object_set_new(o, "run", json_integer((json_int_t)p->run));
    json_object_set_new(o, "time", json_string(p->time));
    json_object_set_new(o, "commit", p->commit[0] ? json_string(p->commit) : json_null());
    return o;
}

int hp_detect_doc(const struct hp_detect *d, const struct hp_detect_opts *o, const char *db,
                  const char *metric, const struct hp_tag *where, int nwhere,
                  struct hp_result **out)
{
    struct hp_result *r;
    int rc = hp_result_new("history", &r);
    if (rc < 0)
        return rc;
    const char *unit = d->n ? d->pts[d->n - 1].unit : "";
    rc = hp_result_config_str(r, "db", db);
    rc = rc ? rc : hp_result_config_str(r, "metric", metric);
    rc = rc ? rc : hp_result_config_int(r, "window", (int64_t)o->cp.window);
    rc = rc ? rc : hp_result_config_real(r, "max_pvalue", o->cp.max_p);
    rc = rc ? rc : hp_result_config_real(r, "min_magnitude", o->cp.min_magnitude);
    rc = rc ? rc : hp_result_config_str(r, "merge", o->cp.otava_merge ? "otava" : "both");
    rc = rc ? rc : hp_result_config_str(r, "better", d->higher_better ? "higher" : "lower");
    rc = rc ? rc : hp_result_config_int(r, "new_points", (int64_t)o->new_points);
    json_t *root = hp_result_json(r), *cfg = json_object_get(root, "config");
    json_t *w = json_array();
    for (int i = 0; w && i < nwhere; i++) {
        char kv[512];
        snprintf(kv, sizeof kv, "%s=%s", where[i].key, where[i].value);
        json_array_append_new(w, json_string(kv));
    }
    if (!w || json_object_set_new(cfg, "where", w) < 0)
        rc = -ENOMEM;

    size_t regressions = 0;
    for (size_t i = 0; i < d->ncp; i++)
        regressions += hp_detect_worse(d, i);
    rc = rc ? rc : hp_result_metric(r, "points", (double)d->n, "count");
    rc = rc ? rc : hp_result_metric(r, "change_points", (double)d->ncp, "count");
    rc = rc ? rc : hp_result_metric(r, "regressions", (double)regressions, "count");
    rc = rc ? rc : hp_result_metric(r, "new_regression", d->new_regression, "count");
    if (d->ncp > 0) {
        const struct hp_cp *last = &d->cps[d->ncp - 1];
        rc = rc ? rc : hp_result_metric(r, "newest_mean", last->mean_after, unit);
        rc = rc ? rc : hp_result_metric(r, "newest_change", last->change, "ratio");
    }
    for (size_t i = 0; i < d->n && rc == 0; i++)
        rc = hp_result_series_point(r, metric, unit, (double)i, d->pts[i].value);

    json_t *runs = json_array(), *cps = json_array();
    if (!runs || !cps || json_object_set_new(root, "runs", runs) < 0 ||
        json_object_set_new(root, "change_points", cps) < 0)
        rc = -ENOMEM;
    for (size_t i = 0; i < d->n && rc == 0; i++) {
        json_t *p = point_json(&d->pts[i], i);
        if (!p || json_object_set_new(p, "value", hp_json_number(d->pts[i].value)) < 0 ||
            json_array_append_new(runs, p) < 0)
            rc = -ENOMEM;
    }
    for (size_t i = 0; i < d->ncp && rc == 0; i++) {
        const struct hp_cp *c = &d->cps[i];
        json_t *p = point_json(&d->pts[c->index], c->index);
        if (!p || json_array_append_new(cps, p) < 0) {
            rc = -ENOMEM;
            break;
        }
        json_object_set_new(p, "from", json_integer((json_int_t)c->from));
        json_object_set_new(p, "to", json_integer((json_int_t)c->to));
        json_object_set_new(p, "mean_before", hp_json_number(c->mean_before));
        json_object_set_new(p, "mean_after", hp_json_number(c->mean_after));
        json_object_set_new(p, "sd_before", hp_json_number(c->sd_before));
        json_object_set_new(p, "sd_after", hp_json_number(c->sd_after));
        json_object_set_new(p, "change", hp_json_number(c->change));
        json_object_set_new(p, "magnitude", hp_json_number(c->magnitude));
        json_object_set_new(p, "pvalue", hp_json_number(c->p));
        json_object_set_new(p, "qhat", hp_json_number(c->qhat));
        json_object_set_new(p, "regression", json_boolean(hp_detect_worse(d, i)));
    }
    if (rc < 0) {
        hp_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
