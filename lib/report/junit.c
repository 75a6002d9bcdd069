// SPDX-License-Identifier: MIT
/* report/junit.c - see junit.h. */
#include "report/junit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/file.h"
#include "report/svg.h"

int hp_junit_write(const char *path, const char *suite, const char *classname, double time_s,
                   const char *timestamp, const struct hp_junit_case *cases, size_t n,
                   struct hp_err *err)
{
    char *text = NULL;
    size_t len = 0, failures = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return hp_err_set(err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        failures += !cases[i].passed;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
    hp_xml_escape(f, suite);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n", n, failures,
            time_s);
    fprintf(f, "  <testsuite name=\"");
    hp_xml_escape(f, suite);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.3f\"", n,
            failures, time_s);
    if (timestamp) {
        fprintf(f, " timestamp=\"");
        hp_xml_escape(f, timestamp);
        fprintf(f, "\"");
    }
    fprintf(f, ">\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "    <testcase name=\"");
        hp_xml_escape(f, cases[i].name);
        fprintf(f, "\" classname=\"");
        hp_xml_escape(f, classname);
        fprintf(f, "\" time=\"0\"");
        if (cases[i].passed) {
            if (cases[i].message) {
                fprintf(f, ">\n      <system-out>");
                hp_xml_escape(f, cases[i].message);
                fprintf(f, "</system-out>\n    </testcase>\n");
            } else {
                fprintf(f, "/>\n");
            }
            continue;
        }
        fprintf(f, ">\n      <failure type=\"threshold\" message=\"");
        hp_xml_escape(f, cases[i].message);
        fprintf(f, "\">");
        hp_xml_escape(f, cases[i].message);
        fprintf(f, "</failure>\n    </testcase>\n");
    }
    fprintf(f, "  </testsuite>\n</testsuites>\n");
    if (fclose(f) != 0) {
        free(text);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    int rc = hp_file_write_atomic(path, text, len, err);
    free(text);
    return rc;
}
