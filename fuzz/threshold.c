// SPDX-License-Identifier: MIT
/* fuzz/threshold.c - the k6-style threshold parser. Invariants: failure
 * always says why and at a column inside the text (or just past it);
 * success gives a known metric, an aggregation it allows, a percentile in
 * (0, 100], and a normalised text that parses back to the same threshold. */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "stat/threshold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[300];
    struct hp_threshold t, back;
    struct hp_err err = {0};

    if (size >= sizeof s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (hp_threshold_parse(s, &t, &err) < 0) {
        FUZZ_ASSERT(err.msg[0]);
        FUZZ_ASSERT(err.col >= 1 && (size_t)err.col <= strlen(s) + 1);
        return 0;
    }
    FUZZ_ASSERT(hp_threshold_metric_name(&t) != NULL);
    if (t.agg == HP_AGG_P)
        FUZZ_ASSERT(t.percentile > 0 && t.percentile <= 100);
    FUZZ_ASSERT(!isnan(t.value));
    if (strlen(t.text) < HP_THRESHOLD_TEXT_MAX - 1) {
        FUZZ_ASSERT(hp_threshold_parse(t.text, &back, &err) == 0);
        FUZZ_ASSERT(back.metric == t.metric && back.agg == t.agg && back.op == t.op &&
                    back.value == t.value && back.abort_on_fail == t.abort_on_fail &&
                    strcmp(back.tag_value, t.tag_value) == 0);
    }
    struct hp_metric_set m = {.requests = 10, .failed = 1, .attempts = 10, .duration_s = 1};
    struct hp_threshold_result r;
    hp_threshold_eval(&t, &m, &r);
    return 0;
}
