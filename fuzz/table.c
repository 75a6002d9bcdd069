// SPDX-License-Identifier: MIT
/* fuzz/table.c - text CSV tables (core/table.h, libcsv) and ${name}
 * templates (net/template.h). Invariants: failure says why and where; a
 * table has rows x cols cells whose lengths match and stay under each
 * column's max; a template renders to exactly hp_template_length bytes. */
#include <string.h>

#include "core/alloc.h"
#include "core/table.h"
#include "fuzz.h"
#include "http/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hp_table t;
    struct hp_err err = {0};
    if (hp_table_parse((const char *)data, size, "fuzz.csv", &t, &err) < 0) {
        FUZZ_ASSERT(err.msg[0]);
        hp_table_fini(&t);
    } else {
        FUZZ_ASSERT(t.cols >= 1 && t.rows >= 1);
        for (int64_t i = 0; i < t.rows * t.cols; i++) {
            FUZZ_ASSERT(t.lens[i] <= t.max_len[i % t.cols]);
            FUZZ_ASSERT(t.cells[i][t.lens[i]] == '\0');
        }
        /* The same bytes as a template over the table's columns. */
        struct hp_template tp;
        if (hp_template_parse((const char *)data, size, (const char *const *)t.names, t.cols,
                              &tp, &err) == 0) {
            size_t n = hp_template_length(&tp, t.lens);
            char *out = hp_malloc(n + 1);
            if (out) {
                FUZZ_ASSERT(hp_template_render(&tp, t.cells, t.lens, out) == n);
                hp_free(out);
            }
        } else {
            FUZZ_ASSERT(err.msg[0]);
        }
        hp_template_fini(&tp);
        hp_table_fini(&t);
    }
    return 0;
}
