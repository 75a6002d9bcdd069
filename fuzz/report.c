// SPDX-License-Identifier: MIT
/* fuzz/report.c - reports from hostile result documents. Invariants: a
 * document that loads is either reported (as each kind, and rendered as
 * HTML) or refused with a message; nothing crashes or leaks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/result.h"
#include "fuzz.h"
#include "report/build.h"
#include "report/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hp_result *r = NULL;
    if (hp_result_parse((const char *)data, size, "fuzz.json", &r, NULL) != 0)
        return 0;
    struct hp_report_input in[2] = {{r, "a.json"}, {r, "b.json"}}; /* two: the overlays too */
    for (int as = HP_REPORT_RESULTS; as <= HP_REPORT_RCA; as++) {
        struct hp_rdoc *d = NULL;
        struct hp_err err = {0};
        if (hp_report_build(in, 2, (enum hp_report_as)as, &d, &err) == 0) {
            char *html = NULL;
            size_t len = 0;
            FUZZ_ASSERT(hp_report_html_text(d, "fuzz", &html, &len) == 0);
            FUZZ_ASSERT(len > 0 && strstr(html, "</html>") != NULL);
            free(html);
            hp_rdoc_free(d);
        } else {
            FUZZ_ASSERT(err.msg[0] != '\0');
        }
    }
    hp_result_free(r);
    return 0;
}
