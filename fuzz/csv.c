// SPDX-License-Identifier: MIT
/* fuzz/csv.c - the numeric CSV reader and the USL fit behind it. Invariants:
 * every value read is finite; errors carry a line; whatever fits gives
 * finite, non-negative sigma and kappa. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/csv.h"
#include "fuzz.h"
#include "model/usl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hp_csv csv;
    struct hp_err err = {0};
    if (size > 65536)
        return 0;
    if (hp_csv_parse((const char *)data, size, "fuzz.csv", 2, &csv, &err) != 0) {
        FUZZ_ASSERT(err.line > 0 || err.msg[0]);
        return 0;
    }
    double n[512], x[512];
    size_t rows = csv.rows < 512 ? csv.rows : 512;
    for (size_t i = 0; i < rows; i++) {
        n[i] = csv.values[2 * i];
        x[i] = csv.values[2 * i + 1];
        FUZZ_ASSERT(isfinite(n[i]) && isfinite(x[i]));
    }
    struct hp_usl u;
    if (rows <= 64 && hp_usl_fit(n, x, rows, &u, NULL) == 0)
        FUZZ_ASSERT(u.sigma >= 0 && u.kappa >= 0 && isfinite(u.lambda));
    hp_csv_fini(&csv);
    return 0;
}
