// SPDX-License-Identifier: MIT
/* fuzz/units.c - parsers of durations, sizes, rates, percentages and delay
 * distributions. Invariants: success gives values in range; failure always
 * says why; a printed duration parses back to within its 3 digits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"
#include "fuzz.h"
#include "stat/dist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[256];
    struct hp_err err;
    int64_t i64;
    double d;
    struct hp_dist dist;

    if (size >= sizeof s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    err.msg[0] = '\0';
    if (hp_parse_duration(s, &i64, &err) == 0) {
        char out[32];
        FUZZ_ASSERT(i64 >= 0);
        hp_format_duration(i64, out, sizeof out);
        int64_t back;
        if (i64 < INT64_C(3600000000000000))
            FUZZ_ASSERT(hp_parse_duration(out, &back, NULL) == 0 &&
                        fabs((double)back - (double)i64) <= 0.006 * (double)i64 + 1);
    } else {
        FUZZ_ASSERT(err.msg[0]);
    }
    err.msg[0] = '\0';
    if (hp_parse_size(s, &i64, &err) == 0)
        FUZZ_ASSERT(i64 >= 0);
    else
        FUZZ_ASSERT(err.msg[0]);
    err.msg[0] = '\0';
    if (hp_parse_rate(s, &d, &err) == 0)
        FUZZ_ASSERT(d >= 0);
    else
        FUZZ_ASSERT(err.msg[0]);
    err.msg[0] = '\0';
    if (hp_parse_percent(s, &d, &err) == 0)
        FUZZ_ASSERT(d >= 0 && d <= 1);
    else
        FUZZ_ASSERT(err.msg[0]);
    err.msg[0] = '\0';
    if (hp_dist_parse(s, size, &dist, &err) == 0) {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        for (int k = 0; k < 8; k++) {
            int64_t v = hp_dist_sample(&dist, rng);
            FUZZ_ASSERT(v >= 0 && v <= HP_DIST_MAX_NS);
        }
        gsl_rng_free(rng);
    } else {
        FUZZ_ASSERT(err.msg[0]);
    }
    return 0;
}
