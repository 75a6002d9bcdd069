/* SPDX-License-Identifier: MIT */
/* report/junit.h - JUnit XML, the test-report format every CI system reads
 * (GitLab's junit reports, Jenkins' junit step, GitHub test-reporter
 * actions): one <testsuite> of <testcase>s, a <failure> for each that
 * failed. Enough of the format for pass/fail gates, not a general writer. */
#ifndef HP_REPORT_JUNIT_H
#define HP_REPORT_JUNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct hp_junit_case {
    const char *name;      /* e.g. the threshold as written */
    bool passed;
    const char *message;   /* why it failed (or what was measured); may be NULL */
};

/* Write suite (name, run time in seconds, ISO 8601 timestamp or NULL) with
 * its cases to path, atomically. Text is escaped for XML; characters XML 1.0
 * cannot hold are replaced by '?'. 0, -ENOMEM, or an I/O error with err. */
int hp_junit_write(const char *path, const char *suite, const char *classname, double time_s,
                   const char *timestamp, const struct hp_junit_case *cases, size_t n,
                   struct hp_err *err);

#endif
