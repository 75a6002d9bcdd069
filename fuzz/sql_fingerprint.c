// SPDX-License-Identifier: MIT
/* fuzz/sql_fingerprint.c - the SQL fingerprinter on any bytes, both
 * dialects. Invariants: the output is NUL-terminated within its buffer and
 * as long as returned; a fingerprint is its own fingerprint (the classes are
 * a fixed point, so re-digesting a digest's output cannot split them); and
 * a small buffer gives a prefix of what a large one gives. */
#include <string.h>

#include "fuzz.h"
#include "sql/fingerprint.h"

static char out[1 << 16], again[1 << 16], small[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    for (int d = 0; d < 2; d++) {
        enum hp_sql_dialect dialect = d ? HP_SQL_POSTGRESQL : HP_SQL_MYSQL;
        bool cut = false, cut2 = false;
        size_t n = hp_sql_fingerprint(s, size, dialect, out, sizeof out, &cut);
        FUZZ_ASSERT(n < sizeof out && out[n] == '\0' && strlen(out) == n);
        if (cut)
            continue;
        size_t m = hp_sql_fingerprint(out, n, dialect, again, sizeof again, &cut2);
        if (!(m == n && memcmp(out, again, n) == 0)) {
            fprintf(stderr, "once:  [%s]\ntwice: [%s]\n", out, again);
            FUZZ_ASSERT(!"a fingerprint is its own fingerprint");
        }
        size_t k = hp_sql_fingerprint(s, size, dialect, small, sizeof small, &cut2);
        FUZZ_ASSERT(k < sizeof small && small[k] == '\0');
        if (!cut2)
            FUZZ_ASSERT(k == n && memcmp(small, out, n) == 0);
    }
    return 0;
}
