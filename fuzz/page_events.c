// SPDX-License-Identifier: MIT
/* fuzz/page_events.c - what a run makes of the browser's messages: a pipe
 * stream (NUL-separated JSON, as the browser writes it) whose events go into
 * the waterfall and whose last object is taken for the page's figures.
 * Invariants: no crash or leak whatever the types; every request kept has
 * a URL, a method and a type; phases are -1 or not negative except blocked
 * and total, which are finite; CLS and TBT are not negative. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "page/cdp.h"
#include "page/page.h"

#define MAX_EVENTS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hp_cdp_reader r;
    json_t *ev[MAX_EVENTS];
    size_t n = 0;
    hp_cdp_reader_init(&r, 1 << 16);
    if (hp_cdp_reader_feed(&r, data, size) < 0) {
        hp_cdp_reader_fini(&r);
        return 0;
    }
    /* the stream ends with the last message even without its NUL */
    hp_cdp_reader_feed(&r, "", 1);
    for (;;) {
        json_t *m = NULL;
        struct hp_err err;
        int rc = hp_cdp_reader_next(&r, &m, &err);
        if (rc == 0 || rc == -E2BIG)
            break;
        if (rc == 1 && n < MAX_EVENTS)
            ev[n++] = m;
        else if (rc == 1)
            json_decref(m);
    }
    hp_cdp_reader_fini(&r);
    json_t *figures = n > 0 ? ev[--n] : json_object();
    struct hp_page_run run;
    if (hp_page_take(&run, ev, n, "S", figures, "L") == 0) {
        for (size_t i = 0; i < run.nreqs; i++) {
            const struct hp_page_req *q = &run.reqs[i];
            FUZZ_ASSERT(q->url && q->method && q->type);
            const double *ph = &q->ph.dns;
            for (int k = 0; k < 6; k++)
                FUZZ_ASSERT(ph[k] == -1 || ph[k] >= 0 || isnan(ph[k]));
        }
        FUZZ_ASSERT(!(run.m[HP_PM_CLS] < 0));
        FUZZ_ASSERT(!(run.m[HP_PM_TBT] < 0));
        json_t *j = hp_page_run_json(&run);
        json_decref(j);
        hp_page_run_fini(&run);
    }
    json_decref(figures);
    for (size_t i = 0; i < n; i++)
        json_decref(ev[i]);
    return 0;
}
