/* SPDX-License-Identifier: MIT */
/* report/strategy.h - the Performance Test Strategy of a scenario file: the
 * objectives its thresholds state, its scenarios and their load profiles
 * (charted from the executors and stages), the SLOs, the environment
 * (system under test and load generator), the CI gates (commands, exit
 * codes, reports) and the tools. Everything comes from the file as
 * hp_scenario_load() validated it. */
#ifndef HP_REPORT_STRATEGY_H
#define HP_REPORT_STRATEGY_H

#include "core/err.h"
#include "load/scenario.h"
#include "report/doc.h"

/* version: hotpath's, named among the tools. */
int hp_report_strategy(const struct hp_scenario_file *f, const char *version, struct hp_rdoc **out,
                       struct hp_err *err);

#endif
