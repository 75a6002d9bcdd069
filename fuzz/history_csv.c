// SPDX-License-Identifier: MIT
/* fuzz/history_csv.c - `hotpath history import`'s CSV reader, without a
 * database. Invariants: a failure names a line within the text; a success
 * saw a header and gives finite values and times, a metric name always. */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "guard/history.h"

static int row(void *ud, double t, bool index, const char *metric, double v, struct hp_err *err)
{
    (void)err;
    (void)index;
    FUZZ_ASSERT(isfinite(t) && isfinite(v) && metric && metric[0]);
    (*(long *)ud)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    long rows = 0, lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    struct hp_err err = {0};
    if (hp_history_csv_parse((const char *)data, size, "fuzz", "value", row, &rows, &err) < 0) {
        FUZZ_ASSERT(err.msg[0]);
        FUZZ_ASSERT(err.line >= 0 && err.line <= lines);
        return 0;
    }
    FUZZ_ASSERT(rows < lines);
    return 0;
}
