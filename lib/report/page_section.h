/* SPDX-License-Identifier: MIT */
/* report/page_section.h - a "page" document (hotpath page) in a report:
 * the runs' figures against the common good / needs improvement / poor
 * bands, each run's timings, the LCP element, and the median run's
 * waterfall, drawn as an SVG of its own, with its requests as a table. */
#ifndef HP_REPORT_PAGE_SECTION_H
#define HP_REPORT_PAGE_SECTION_H

#include "core/err.h"
#include "report/doc.h"
#include "report/section.h"

/* One page document under a heading at level. 0, -ENOMEM, or HP_EFORMAT
 * with err naming the file and what it lacks. */
int hp_report_page_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                           struct hp_err *err);

/* A load document's page loads (load --page): their LCP, FCP and TTFB over
 * the test beside the protocol load's p99, under a heading at level.
 * Nothing when the document has none. 0 or -ENOMEM. */
int hp_report_page_probe(struct hp_rdoc *d, const struct hp_report_input *in, int level);

/* A sweep document's page loads (sweep --page): the median LCP and TTFB
 * at each level beside the p99, and the first level whose LCP needs
 * improvement or is poor. Nothing when it has none. 0 or -ENOMEM. */
int hp_report_page_by_level(struct hp_rdoc *d, const struct hp_report_input *in, int level);

#endif
