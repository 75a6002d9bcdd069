// SPDX-License-Identifier: MIT
/* fuzz/sql_fingerprint.c - the SQL fingerprinter on any bytes, both
 * dialects. Invariants: the output is NUL-terminated within its buffer and
 * as long as returned; a fingerprint is its own fingerprint (the classes are
 * a fixed point, so re-digesting a digest's output cannot split them); and
 * a small buffer gives a prefix of what a large one gives. Also what
 * --explain reads of a statement (hp_sql_shape) and of its logged
 * parameters (hp_sql_params_split): values stay within the buffer. */
#include <string.h>

#include "fuzz.h"
#include "sql/explain.h"
#include "sql/fingerprint.h"

static char out[1 << 16], again[1 << 16], small[64];
static char calls[8][HP_SQL_NAME_LEN];

static void params(const uint8_t *data, size_t size)
{
    static char text[4096], buf[4096];
    const char *v[16];
    if (size >= sizeof text)
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    int n = hp_sql_params_split(text, buf, v, 16);
    FUZZ_ASSERT(n >= -1 && n <= 16);
    for (int i = 0; i < n; i++)
        FUZZ_ASSERT(!v[i] || (v[i] >= buf && v[i] + strlen(v[i]) < buf + sizeof buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    for (int d = 0; d < 4; d++) {
        enum hp_sql_dialect dialect = d & 1 ? HP_SQL_POSTGRESQL : HP_SQL_MYSQL;
        unsigned flags = d & 2 ? HP_SQL_FP_KEEP_NUMBERED : 0;
        bool cut = false, cut2 = false;
        size_t n = hp_sql_fingerprint(s, size, dialect, flags, out, sizeof out, &cut);
        FUZZ_ASSERT(n < sizeof out && out[n] == '\0' && strlen(out) == n);
        if (cut)
            continue;
        size_t m = hp_sql_fingerprint(out, n, dialect, flags, again, sizeof again, &cut2);
        if (!(m == n && memcmp(out, again, n) == 0)) {
            fprintf(stderr, "once:  [%s]\ntwice: [%s]\n", out, again);
            FUZZ_ASSERT(!"a fingerprint is its own fingerprint");
        }
        struct hp_sql_shape sh;
        hp_sql_shape(s, size, dialect, &sh, calls, 8);
        FUZZ_ASSERT(sh.statements >= 0 && sh.max_param >= 0 && sh.ncalls >= 0);
        for (int i = 0; i < sh.ncalls && i < 8; i++)
            FUZZ_ASSERT(memchr(calls[i], '\0', HP_SQL_NAME_LEN));
        size_t k = hp_sql_fingerprint(s, size, dialect, flags, small, sizeof small, &cut2);
        FUZZ_ASSERT(k < sizeof small && small[k] == '\0');
        if (!cut2)
            FUZZ_ASSERT(k == n && memcmp(small, out, n) == 0);
    }
    params(data, size);
    return 0;
}
