/* SPDX-License-Identifier: MIT */
/* guard/samples.h - what `hotpath compare` reads, as series of samples: one
 * series per benchmark (or document kind) and metric, its values from every
 * run or every file. Formats, told apart by their content:
 *  - hotpath result documents: kind bench gives each command's runs (wall,
 *    user, system, max_rss); other kinds give each numeric metric, one
 *    value per document, and each histogram (merged over the documents, so
 *    the tests can run on the latencies themselves); sql gives each query
 *    class (by fingerprint) and its statements' times as a histogram; cache
 *    each policy at each size (POLICY@CAPACITY); page each run's figures
 *    (ttfb, lcp, cls...), as bench each run's times;
 *  - hyperfine's --export-json: each command's times;
 *  - Go benchmark text, as benchstat reads it: "BenchmarkName-8  N  V unit
 *    [V unit...]" lines, each (name, unit) a series, each line a sample;
 *  - plain text: one number per line ('#' comments and blank lines
 *    skipped), the series "value".
 * Errors name the file and line. */
#ifndef HP_GUARD_SAMPLES_H
#define HP_GUARD_SAMPLES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "stat/hist.h"

struct hp_series {
    char *name;   /* benchmark, command, or document kind */
    char *metric; /* wall, user, system, max_rss, a metric's or histogram's name, a Go unit */
    char *unit;   /* s, bytes, ns, ns/op... ("" when unknown) */
    double *v;
    size_t n, cap;
    struct hp_hist *hist; /* a histogram's series: the merged histogram; v is empty */
};

struct hp_sampleset {
    struct hp_series *s;
    size_t n, cap;
    int files;
    char format[32]; /* of the first file: bench, load..., hyperfine, go, numbers */
};

#define HP_SAMPLES_MAX_BYTES (256u * 1024 * 1024)

/* Add what path holds to set. 0, or HP_EFORMAT/HP_EPARSE/HP_EINPUT with err
 * naming the file (and line). */
int hp_samples_read(const char *path, struct hp_sampleset *set, struct hp_err *err);
/* As hp_samples_read, from text already read (name for messages). */
int hp_samples_parse(const char *text, size_t len, const char *name, struct hp_sampleset *set,
                     struct hp_err *err);
void hp_sampleset_free(struct hp_sampleset *set);
/* Whether any series is of metric. */
bool hp_sampleset_has_metric(const struct hp_sampleset *set, const char *metric);
/* The series of name and metric, or NULL. */
struct hp_series *hp_sampleset_find(const struct hp_sampleset *set, const char *name,
                                    const char *metric);

#endif
