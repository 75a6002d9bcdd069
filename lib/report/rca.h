/* SPDX-License-Identifier: MIT */
/* report/rca.h - the root-cause analysis of a "diagnose" document: the
 * answer first (the knee and the first cause with its evidence), then where
 * the service stops (throughput and latency by load, the USL fit, each
 * level's resource use), what saturates first (the findings, ranked), where
 * the time goes (the functions whose CPU grew, the threads' time on and off
 * the CPU, differential CPU and off-CPU flame graphs), what to try (ranked,
 * each with its figure), the resource use over the run, and the method with
 * the profilers' and the monitor's measured overhead. */
#ifndef HP_REPORT_RCA_H
#define HP_REPORT_RCA_H

#include <stddef.h>

#include "core/err.h"
#include "report/doc.h"
#include "report/section.h"

/* One diagnose document under a heading at level (0: none, its parts at
 * level 2). 0, -ENOMEM, or HP_EFORMAT with err naming the file and field. */
int hp_report_diagnose_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                               struct hp_err *err);

/* The Root-Cause Analysis deliverable of n diagnose documents (HP_EUSAGE
 * for another kind). */
int hp_report_rca(struct hp_rdoc *d, const struct hp_report_input *in, size_t n,
                  struct hp_err *err);

#endif
