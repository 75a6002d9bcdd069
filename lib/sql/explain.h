/* SPDX-License-Identifier: MIT */
/* sql/explain.h - EXPLAIN (FORMAT JSON) of a statement on a PostgreSQL
 * server through libpq, and what in the plan deserves a look: sequential
 * scans of large tables, sorts and hashes that spilled to disk, row
 * estimates off by more than 10x.
 *
 * Always inside a READ ONLY transaction that is rolled back, with a
 * statement timeout; ANALYZE (which runs the statement) only when asked.
 * Without ANALYZE only estimates are known, so spills and estimate errors
 * need it. Not thread-safe: one connection per caller. */
#ifndef HP_SQL_EXPLAIN_H
#define HP_SQL_EXPLAIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define HP_SQL_EXPLAIN_MAX_FLAGS 8
#define HP_SQL_LARGE_TABLE_ROWS 10000 /* a seq scan of fewer rows is not worth a word */
#define HP_SQL_ESTIMATE_ERROR 10.0    /* actual/estimated rows beyond this, either way */

struct hp_sql_plan_flag {
    const char *kind; /* "seq-scan", "sort-spill", "hash-spill", "row-estimate" */
    char evidence[200];
};

struct hp_sql_explain {
    json_t *plan;    /* the server's JSON, owned; NULL when it failed */
    char error[256]; /* why there is no plan ("" when there is one) */
    double total_cost;
    double actual_ms; /* ANALYZE: the execution time, else NAN */
    int nflags;
    struct hp_sql_plan_flag flags[HP_SQL_EXPLAIN_MAX_FLAGS];
};

struct hp_sql_db;

/* Connect with a libpq connection string or URI ("postgresql://u@h:5432/db").
 * 0, or -ECONNREFUSED with err saying what libpq said (the password never
 * appears in it). */
int hp_sql_db_connect(const char *conninfo, int64_t timeout_ns, struct hp_sql_db **out,
                      struct hp_err *err);
void hp_sql_db_close(struct hp_sql_db *db); /* NULL is fine */

/* EXPLAIN one statement. A statement the server refuses (a syntax error,
 * a write under ANALYZE in the read-only transaction, placeholders without
 * values) is not a failure: ex->error says why. -ENOMEM, or -EIO when the
 * connection is lost. Free with hp_sql_explain_fini(). */
int hp_sql_explain(struct hp_sql_db *db, const char *sql, size_t len, bool analyze,
                   struct hp_sql_explain *ex);
void hp_sql_explain_fini(struct hp_sql_explain *ex);

/* The flags of a plan as the server wrote it (the array EXPLAIN returns);
 * rows_of(table) gives a table's estimated rows (pg_class.reltuples), or -1.
 * Exposed for tests, which feed it plans without a server. */
void hp_sql_plan_flags(json_t *plan,
                       int64_t (*rows_of)(void *ctx, const char *schema, const char *table),
                       void *ctx, struct hp_sql_explain *ex);

#endif
