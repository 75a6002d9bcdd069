/* SPDX-License-Identifier: MIT */
/* report/build.h - report documents from result documents.
 *
 * Each kind of result gets its sections: a load test its settings,
 * figures, requests and errors over time, latency percentiles over time,
 * the percentile spectrum (corrected and uncorrected) on a nines axis, a
 * per-request table and its thresholds; a sweep its throughput against
 * concurrency with the fitted USL curve, knee and SLO; a capacity plan its
 * timeline; a model its parameters. Several results of one kind are also
 * overlaid for comparison. The deliverables arrange the same sections as a
 * Performance Test Report or a Capacity Plan.
 *
 * Every figure comes from the documents: a field a section needs and does
 * not find is an HP_EFORMAT error naming the file and the field, never an
 * empty chart. */
#ifndef HP_REPORT_BUILD_H
#define HP_REPORT_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/result.h"
#include "report/doc.h"
#include "report/section.h"

enum hp_report_as {
    HP_REPORT_RESULTS,  /* every document's sections, then comparisons */
    HP_REPORT_TEST,     /* Performance Test Report: load and sweep results */
    HP_REPORT_CAPACITY, /* Capacity Plan: plan, sweep and model results */
    HP_REPORT_RCA,      /* Root-Cause Analysis: diagnose results (report/rca.h) */
};

/* Build the report of n documents (n >= 1) as `as`. On success *out is the
 * caller's (hp_rdoc_free). */
int hp_report_build(const struct hp_report_input *in, size_t n, enum hp_report_as as,
                    struct hp_rdoc **out, struct hp_err *err);

/* Names as "--as" takes them: "results", "test-report", "capacity-plan", "rca";
 * -1 when unknown. */
int hp_report_as_parse(const char *s);

#endif
