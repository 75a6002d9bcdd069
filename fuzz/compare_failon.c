// SPDX-License-Identifier: MIT
/* fuzz/compare_failon.c - `hotpath compare --fail-on` rules. Invariants: a
 * failure says why at a column inside the text (or just past it); a
 * success has a percentile in (0, 100) when it names one, a finite change,
 * and its text parses back to the same rule. */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "guard/compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[HP_FAILON_TEXT_MAX + 8];
    if (size >= sizeof s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct hp_failon f, back;
    struct hp_err err = {0};
    if (hp_failon_parse(s, &f, &err) < 0) {
        FUZZ_ASSERT(err.msg[0]);
        FUZZ_ASSERT(err.col >= 0 && (size_t)err.col <= strlen(s) + 1);
        return 0;
    }
    FUZZ_ASSERT(isfinite(f.change));
    if (f.stat == HP_STAT_PCT)
        FUZZ_ASSERT(f.pct > 0 && f.pct < 100);
    FUZZ_ASSERT(hp_failon_parse(f.text, &back, &err) == 0);
    FUZZ_ASSERT(back.stat == f.stat && back.op == f.op && back.change == f.change &&
                back.significant == f.significant && strcmp(back.metric, f.metric) == 0);
    return 0;
}
