// SPDX-License-Identifier: MIT
/* report/section.c - see section.h. */
#include "report/section.h"

#include <errno.h>
#include <math.h>

#include "report/section_int.h"

double hp_report_num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

bool hp_report_point(json_t *pts, size_t i, double *t, double *v)
{
    json_t *p = json_array_get(pts, i);
    json_t *a = json_array_get(p, 0), *b = json_array_get(p, 1);
    if (!json_is_number(a) || !json_is_number(b))
        return false;
    *t = json_number_value(a);
    *v = json_number_value(b);
    return isfinite(*t) && isfinite(*v);
}

int hp_report_add_series(struct hp_chart *c, const char *name, json_t *pts, enum hp_draw draw,
                         double scale)
{
    struct hp_series *s = hp_chart_series(c, name, draw);
    if (!s)
        return c->n_series == HP_CHART_MAX_SERIES ? 0 : -ENOMEM;
    size_t n = json_array_size(pts);
    for (size_t i = 0; i < n; i++) {
        double t, v;
        if (hp_report_point(pts, i, &t, &v))
            TRY(hp_series_add(s, t, v * scale));
    }
    return 0;
}

/* The percentile spectrum of h (HdrHistogram's iteration, 5 ticks per
 * half), on the nines axis: the 100% step is drawn at the last recorded
 * value's place, 1 - 1/count, as HdrHistogram's plotter does. */
int hp_report_add_spectrum(struct hp_chart *c, const char *name, const struct hp_hist *h,
                           bool dashed)
{
    struct hp_series *s = hp_chart_series(c, name, HP_DRAW_LINE);
    if (!s)
        return c->n_series == HP_CHART_MAX_SERIES ? 0 : -ENOMEM;
    s->dashed = dashed;
    struct hp_hist_pct_iter it;
    hp_hist_pct_iter_init(&it, h, 5);
    int64_t count = h->total_count;
    double cap = count > 1 ? 100.0 * (1 - 1.0 / (double)count) : 0;
    while (hp_hist_pct_iter_next(&it)) {
        double p = it.percentile > cap ? cap : it.percentile;
        if (s->n > 0 && p <= s->x[s->n - 1])
            s->y[s->n - 1] = (double)it.value; /* same place: keep the higher value */
        else
            TRY(hp_series_add(s, p, (double)it.value));
    }
    return 0;
}

int hp_report_usl_curve(struct hp_chart *c, const char *name, const struct hp_usl *u,
                        double n_max)
{
    struct hp_series *s = hp_chart_series(c, name, HP_DRAW_LINE);
    if (!s)
        return c->n_series == HP_CHART_MAX_SERIES ? 0 : -ENOMEM;
    for (int i = 0; i <= 120; i++) {
        double n = 1 + (n_max - 1) * i / 120.0;
        int rc = hp_series_add(s, n, hp_usl_throughput(u, n));
        if (rc < 0)
            return rc;
    }
    return 0;
}

const char *hp_report_cfg_str(const struct hp_report_input *in, const char *key)
{
    return json_string_value(json_object_get(json_object_get(hp_result_json(in->doc), "config"),
                                             key));
}

bool hp_report_cfg_num(const struct hp_report_input *in, const char *key, double *v)
{
    json_t *j = json_object_get(json_object_get(hp_result_json(in->doc), "config"), key);
    if (!json_is_number(j))
        return false;
    *v = json_number_value(j);
    return true;
}

bool hp_report_metric(const struct hp_report_input *in, const char *name, double *v)
{
    return hp_result_get_metric(in->doc, name, v, NULL) && isfinite(*v);
}

double hp_report_metric_or(const struct hp_report_input *in, const char *name, double dflt)
{
    double v;
    return hp_report_metric(in, name, &v) ? v : dflt;
}

json_t *hp_report_points(const struct hp_report_input *in, const char *name)
{
    json_t *series = json_object_get(hp_result_json(in->doc), "series");
    json_t *p = json_object_get(json_object_get(series, name), "points");
    return json_is_array(p) ? p : NULL;
}

int hp_report_missing(const struct hp_report_input *in, struct hp_err *err, const char *what)
{
    return hp_err_at(err, HP_EFORMAT, in->name, 0, 0, "a %s result needs %s, which is missing",
                     hp_result_kind(in->doc), what);
}
