/* SPDX-License-Identifier: MIT */
/* report/guard_section.h - a metric's history with its change points
 * (kind "history", written by `hotpath history detect --json`): the
 * verdict on the newest runs, the series with each level between change
 * points, and the table of change points. */
#ifndef HP_REPORT_GUARD_SECTION_H
#define HP_REPORT_GUARD_SECTION_H

#include "core/err.h"
#include "report/doc.h"
#include "report/section.h"

/* 0, -ENOMEM, or HP_EFORMAT with err for a document without its parts. */
int hp_report_history_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                              struct hp_err *err);

/* 0, -ENOMEM, or HP_EFORMAT with err for a document without its parts. */
int hp_report_bisect_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                             struct hp_err *err);

#endif
