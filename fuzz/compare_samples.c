// SPDX-License-Identifier: MIT
/* fuzz/compare_samples.c - what `hotpath compare` reads: result documents,
 * hyperfine's JSON, Go benchmark text, numbers. Invariants: a failure says
 * why; a success holds series with samples (or a histogram) and finite
 * numbers; comparing the set with itself finds every series, no change and
 * p-values in [0, 1]. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "fuzz.h"
#include "guard/compare.h"
#include "guard/samples.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    struct hp_sampleset set = {0};
    struct hp_err err = {0};
    if (hp_samples_parse((const char *)data, size, "fuzz", &set, &err) < 0) {
        FUZZ_ASSERT(err.msg[0]);
        hp_sampleset_free(&set);
        return 0;
    }
    FUZZ_ASSERT(set.files == 1 && set.format[0]);
    for (size_t i = 0; i < set.n; i++) {
        FUZZ_ASSERT(set.s[i].n > 0 || set.s[i].hist);
        for (size_t k = 0; k < set.s[i].n; k++)
            FUZZ_ASSERT(!isnan(set.s[i].v[k]));
    }
    struct hp_cmp_row *rows;
    size_t n, a, b;
    if (hp_compare(&set, &set, 0.05, &rows, &n, &a, &b, &err) == 0) {
        for (size_t i = 0; i < n; i++) {
            FUZZ_ASSERT(rows[i].mw.p >= 0 && rows[i].mw.p <= 1);
            FUZZ_ASSERT(rows[i].ks.p >= 0 && rows[i].ks.p <= 1);
            FUZZ_ASSERT(!rows[i].significant);
            FUZZ_ASSERT(isnan(rows[i].change) || fabs(rows[i].change) < 1e-9);
        }
        hp_free(rows);
    }
    hp_sampleset_free(&set);
    return 0;
}
