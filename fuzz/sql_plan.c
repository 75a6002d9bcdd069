// SPDX-License-Identifier: MIT
/* fuzz/sql_plan.c - the EXPLAIN (FORMAT JSON) walker on any JSON the server
 * might send. Invariants: never more flags than the array holds, each with
 * a kind and terminated evidence. */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "sql/explain.h"

static int64_t rows_of(void *ctx, const char *schema, const char *table)
{
    (void)ctx;
    (void)schema;
    return (int64_t)strlen(table) * 5000 - 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *plan = json_loadb((const char *)data, size, 0, &je);
    if (!plan)
        return 0;
    struct hp_sql_explain ex;
    memset(&ex, 0, sizeof ex);
    struct hp_sql_catalog cat = {.rows_of = rows_of};
    hp_sql_plan_flags(plan, &cat, &ex);
    FUZZ_ASSERT(ex.nflags >= 0 && ex.nflags <= HP_SQL_EXPLAIN_MAX_FLAGS);
    for (int i = 0; i < ex.nflags; i++)
        FUZZ_ASSERT(ex.flags[i].kind &&
                    memchr(ex.flags[i].evidence, '\0', sizeof ex.flags[i].evidence));
    json_decref(plan);
    return 0;
}
