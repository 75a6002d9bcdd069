/* SPDX-License-Identifier: MIT */
/* report/section.h - what every section builder of a report shares: the
 * document it draws from and the helpers that turn a document's series
 * and histograms into chart lines. Section files (cache_section.c,
 * use_section.c, sql_section.c) and build.c include this; build.c
 * includes the sections, never the other way round. */
#ifndef HP_REPORT_SECTION_H
#define HP_REPORT_SECTION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/result.h"
#include "report/doc.h"
#include "model/usl.h"
#include "stat/hist.h"

struct hp_report_input {
    struct hp_result *doc;
    const char *name; /* the file it came from, for labels and errors */
};

/* Reading a document: config.key as a string (NULL when it is not one) or
 * a number (false when not); a finite metric (false when absent or not
 * finite), or dflt; series.name.points (NULL when not an array); and the
 * HP_EFORMAT error that names the file and what it lacks. */
const char *hp_report_cfg_str(const struct hp_report_input *in, const char *key);
bool hp_report_cfg_num(const struct hp_report_input *in, const char *key, double *v);
bool hp_report_metric(const struct hp_report_input *in, const char *name, double *v);
double hp_report_metric_or(const struct hp_report_input *in, const char *name, double dflt);
json_t *hp_report_points(const struct hp_report_input *in, const char *name);
int hp_report_missing(const struct hp_report_input *in, struct hp_err *err, const char *what);

/* Point i of a series ([[t, v], ...]): false when it is missing or not a
 * pair of finite numbers. */
bool hp_report_point(json_t *pts, size_t i, double *t, double *v);

/* o.key as a number; NaN when it is missing or not a number (JSON null). */
double hp_report_num(json_t *o, const char *key);

/* A document's series points ([[t, v], ...]) as a line on c: every finite
 * point, v times scale. 0, or -ENOMEM (a full chart is not an error). */
int hp_report_add_series(struct hp_chart *c, const char *name, json_t *pts, enum hp_draw draw,
                         double scale);

/* The percentile spectrum of h as a line on c (a chart with the nines x
 * axis): HdrHistogram's iteration, 5 ticks per half, the 100% step at
 * 1 - 1/count. 0, or -ENOMEM (a full chart is not an error). */
int hp_report_add_spectrum(struct hp_chart *c, const char *name, const struct hp_hist *h,
                           bool dashed);

/* The USL's throughput from 1 to n_max on c as a line named name. 0, or
 * -ENOMEM (a full chart is not an error). */
int hp_report_usl_curve(struct hp_chart *c, const char *name, const struct hp_usl *u,
                        double n_max);

#endif
