/* SPDX-License-Identifier: MIT */
/* load/merge.h - the parts of a split test (`load --segment`) joined into
 * the document one machine would have written (`hotpath merge`).
 *
 * The parts must be one test: the same config but for the segment keys,
 * the same sequence, every part exactly once. Counts and bytes are summed;
 * histograms are added bucket by bucket (HdrHistogram's add), so every
 * percentile of the whole, overall, per scenario and per request, is the
 * one a single process would compute from the same samples; the metrics
 * are derived again from those (load/load_doc.h), never averaged. Series
 * are joined interval by interval (each part's interval k covers its own
 * [k, k+1) s, and the parts start together): rates are summed, and the
 * latency percentiles per interval, which the parts do not keep a
 * histogram for, are the highest of the parts' (an upper bound of the
 * whole's: the share of the union above the highest p99 is at most 1%). */
#ifndef HP_LOAD_MERGE_H
#define HP_LOAD_MERGE_H

#include <stdbool.h>

#include "core/err.h"
#include "core/result.h"
#include "load/load.h"
#include "stat/threshold.h"

#define HP_MERGE_MAX_TAGS 512
#define HP_MERGE_MAX_THRESHOLDS 64

struct hp_merge_tag {
    char tag[200]; /* "scenario:browse" or "scenario:browse,name:login" */
    struct hp_load_counts counts;
    struct hp_hist *latency;
};

struct hp_load_merged {
    struct hp_result *doc; /* the whole test's document, kind load */
    int parts;
    double start_spread_s; /* latest part's start minus the earliest's */
    int64_t started_wall_ns;
    double elapsed_s;
    bool open_model;
    struct hp_load_counts counts;
    struct hp_hist *corrected, *uncorrected, *lag; /* lag NULL: closed model */
    struct hp_hist *phase[HP_PHASE_COUNT];         /* NULL when the parts have none */
    struct hp_merge_tag *tags;
    int n_tags;
    /* the parts' --threshold texts (the same in every part) */
    char *thresholds[HP_MERGE_MAX_THRESHOLDS];
    int n_thresholds;
    /* scratch for hp_load_merged_select */
    struct hp_load_counts sel_counts;
    struct hp_hist *sel_latency;
    struct hp_metric_set set;
};

/* Join docs[0..n-1] (names: their files, for messages). HP_EUSAGE with err
 * naming the file and what is wrong when they are not the parts of one
 * test (a part missing or given twice, another test's config), or a
 * document's own error. */
int hp_load_merge(struct hp_result *const *docs, const char *const *names, int n,
                  struct hp_load_merged *out, struct hp_err *err);

/* The same a part at a time, so that only one part's document is held at
 * once (64 parts of an hour each are 48 MB of JSON): new, add each part
 * (the document may be freed after), finish. A merger that failed is
 * freed with hp_load_merger_free; finish frees it either way. */
struct hp_load_merger;
int hp_load_merger_new(struct hp_load_merger **out);
/* The files names[0..n-1] read and folded by `threads` threads at once
 * (each folds the parts it reads into its own merger; the mergers are
 * joined at the end): the same result to the last bit as one thread's,
 * since every sum is exact (counts, histogram buckets, and the series'
 * rates in 2^-40 fixed point). A file that cannot be read or that is not a
 * part of the test: the first such by position is the error. */
#define HP_MERGE_MAX_THREADS 16
int hp_load_merge_files(const char *const *names, int n, int threads, struct hp_load_merged *out,
                        struct hp_err *err);
int hp_load_merger_add(struct hp_load_merger *mg, struct hp_result *doc, const char *name,
                       struct hp_err *err);
int hp_load_merger_finish(struct hp_load_merger *mg, struct hp_load_merged *out,
                          struct hp_err *err);
void hp_load_merger_free(struct hp_load_merger *mg);
void hp_load_merged_free(struct hp_load_merged *m);

/* What a threshold selects in the whole: key "" the whole run, "scenario"
 * a scenario, "name" a request name (over every scenario), "check" a
 * check's pass rate. NULL when nothing matches. */
const struct hp_metric_set *hp_load_merged_select(struct hp_load_merged *m, const char *key,
                                                  const char *value);

#endif
