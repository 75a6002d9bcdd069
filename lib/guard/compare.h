/* SPDX-License-Identifier: MIT */
/* guard/compare.h - old against new, series by series (benchstat's job):
 * each side's median with its confidence interval, the change of the
 * median with the Hodges-Lehmann interval of the shift, Mann-Whitney's
 * p-value for a change of location and Kolmogorov-Smirnov's for a change of
 * shape (a new slow mode that leaves the median alone). Series that are
 * histograms (load documents' latencies) are tested on their counts: every
 * recorded value a sample, each bucket a block of ties.
 *
 * And the rules that fail a CI job: `--fail-on '[METRIC:] STAT OP CHANGE
 * [and significant]'`, STAT one of mean, median, min, max, pNN (p99,
 * p99.9), OP one of > >= < <=, CHANGE a signed percentage of the old value
 * (+5%, -2.5%). Without METRIC a rule applies to the main series: wall
 * times, latency histograms, or every series when there are neither. */
#ifndef HP_GUARD_COMPARE_H
#define HP_GUARD_COMPARE_H

#include <stdbool.h>

#include "guard/samples.h"
#include "stat/compare.h"
#include "stat/stats.h"

struct hp_cmp_side {
    const struct hp_series *s;
    double n; /* samples (or histogram counts) */
    double median, mean;
    double ci_lo, ci_hi; /* the median's 95% interval */
    bool ci_ok;          /* enough samples for it (6) */
};

struct hp_cmp_row {
    const char *name, *metric, *unit;
    struct hp_cmp_side old, new;
    double change;             /* new median / old median - 1; NaN when old is 0 */
    double shift_lo, shift_hi; /* Hodges-Lehmann interval, as a share of the old median */
    bool shift_ok;
    struct hp_mw mw;
    struct hp_ks ks;
    bool significant; /* mw.p < alpha */
    bool shape;       /* ks.p < alpha */
    bool too_few;     /* no difference could reach alpha with these sizes */
    bool main;        /* a --fail-on rule without a metric looks at it */
    double alpha;
};

/* Rows for every series in both sets (in the old set's order); series in
 * one set only are counted in *only_old / *only_new. 0, -ENOMEM, or
 * HP_EFORMAT for histograms of different layouts (err says which). */
int hp_compare(const struct hp_sampleset *old, const struct hp_sampleset *new, double alpha,
               struct hp_cmp_row **rows, size_t *n, size_t *only_old, size_t *only_new,
               struct hp_err *err);

enum hp_cmp_stat { HP_STAT_MEAN, HP_STAT_MEDIAN, HP_STAT_MIN, HP_STAT_MAX, HP_STAT_PCT };
enum hp_cmp_op { HP_OP_GT, HP_OP_GE, HP_OP_LT, HP_OP_LE };

/* Is b's tail above a's q-quantile heavier (up) or lighter than a's? The
 * exceedance test (stat/compare.h) for samples; for histograms the share
 * above the cut, two proportions. NaN on ENOMEM. */
double hp_series_tail_p(const struct hp_series *a, const struct hp_series *b, double q, bool up);

/* A statistic of a series (pct in (0, 100) for HP_STAT_PCT). */
double hp_series_stat(const struct hp_series *s, enum hp_cmp_stat stat, double pct);

#define HP_FAILON_TEXT_MAX 200
struct hp_failon {
    char metric[64]; /* "" for the main series */
    enum hp_cmp_stat stat;
    double pct;
    enum hp_cmp_op op;
    double change; /* a share: +5% is 0.05 */
    bool significant;
    char text[HP_FAILON_TEXT_MAX];
};

/* Parse a rule. HP_EPARSE with err->col at the fault. */
int hp_failon_parse(const char *s, struct hp_failon *out, struct hp_err *err);

struct hp_failon_verdict {
    bool applies, failed;
    double old_value, new_value, change;
    bool significant; /* by the test that fits the statistic: Mann-Whitney for
                         the mean and median, the exceedance test at NN for
                         pNN (one-sided, in the rule's direction),
                         Kolmogorov-Smirnov for min and max */
};
void hp_failon_eval(const struct hp_failon *f, const struct hp_cmp_row *row,
                    struct hp_failon_verdict *v);

#endif
