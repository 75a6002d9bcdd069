/* SPDX-License-Identifier: MIT */
/* report/use_section.h - the report of resource use (kind "monitor", and
 * the monitor's series inside a load test run with --monitor): the first
 * resource to saturate, and charts of CPU, pressure, memory, disks, network
 * and the process; and of a CPU profile (kind "profile"): its settings and
 * the functions by self and total samples. */
#ifndef HP_REPORT_USE_SECTION_H
#define HP_REPORT_USE_SECTION_H

#include "core/err.h"
#include "report/section.h"
#include "report/doc.h"

/* A whole "monitor" document. 0, -ENOMEM, or HP_EFORMAT with err. */
int hp_report_monitor_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                              struct hp_err *err);
/* The monitor's part of any document (nothing when it has none): under a
 * heading "Resource use" at level (none: 0), the saturation paragraph and
 * the charts. 0 or -ENOMEM. */
int hp_report_use_charts(struct hp_rdoc *d, const struct hp_report_input *in, int level);
/* A "profile" document. 0, -ENOMEM, or HP_EFORMAT with err. */
int hp_report_profile_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                              struct hp_err *err);

#endif
