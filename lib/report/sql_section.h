/* SPDX-License-Identifier: MIT */
/* report/sql_section.h - the report of a query digest (kind "sql"): the
 * logs and totals, query time per minute and by percentile of the top
 * classes, the ranked classes (those with hints marked), and for the top
 * ten their figures, hints, fingerprint and slowest statement. */
#ifndef HP_REPORT_SQL_SECTION_H
#define HP_REPORT_SQL_SECTION_H

#include "core/err.h"
#include "report/section.h"
#include "report/doc.h"

/* Add the sections of one sql document at heading level `level`. 0,
 * -ENOMEM, or HP_EFORMAT with err naming the file and the missing field. */
int hp_report_sql_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                          struct hp_err *err);

#endif
