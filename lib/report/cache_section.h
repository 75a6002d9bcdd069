/* SPDX-License-Identifier: MIT */
/* report/cache_section.h - the report of a cache simulation or miss-ratio
 * curve (kind "cache"): the trace and totals, the miss ratio by cache size
 * for each policy (log size axis), and the table of every policy and size. */
#ifndef HP_REPORT_CACHE_SECTION_H
#define HP_REPORT_CACHE_SECTION_H

#include "core/err.h"
#include "report/section.h"
#include "report/doc.h"

/* 0, -ENOMEM, or HP_EFORMAT with err naming the file and what is missing. */
int hp_report_cache_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                            struct hp_err *err);

#endif
