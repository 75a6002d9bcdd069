/* SPDX-License-Identifier: MIT */
/* sql/explain.h - EXPLAIN (FORMAT JSON) of a statement on a PostgreSQL
 * server through libpq, and what in the plan deserves a look: sequential
 * scans of large tables, sorts and hashes that spilled to disk, row
 * estimates off by more than 10x.
 *
 * Always one statement (a log entry with several is refused: a COMMIT among
 * them would end the transaction), sent with the extended protocol, inside a
 * READ ONLY transaction that is rolled back, with a statement timeout.
 * ANALYZE (which runs the statement) only when asked, and only when none of
 * the functions it names is volatile in pg_proc (pg_reload_conf() would run
 * even read-only): the others are explained without it, and the note says
 * why. $N placeholders take the values the log gave (PREPARE, EXPLAIN
 * EXECUTE); without them, the generic plan (plan_cache_mode =
 * force_generic_plan), never analysed. Without ANALYZE only estimates are
 * known, so spills and estimate errors need it. Not thread-safe: one
 * connection per caller. */
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
    char note[256];  /* how it was explained when not as asked, else "" */
    bool analyzed;   /* ANALYZE ran */
    const char *params; /* "logged" (the log's values), "generic" (none: the generic plan), NULL */
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

/* Each database (dbs) or role's OID and name, to fn. 0, or -EIO. */
int hp_sql_db_names(struct hp_sql_db *db, bool dbs,
                    void (*fn)(void *ctx, const char *oid, const char *name), void *ctx);

/* EXPLAIN one statement; params: its logged placeholder values ("$1 = '5',
 * $2 = NULL") or NULL. A statement the server refuses (a syntax error, a
 * write under ANALYZE in the read-only transaction) or that is not sent
 * (several statements) is not a failure: ex->error says why. -ENOMEM, or
 * -EIO when the connection is lost. Free with hp_sql_explain_fini(). */
int hp_sql_explain(struct hp_sql_db *db, const char *sql, size_t len, const char *params,
                   bool analyze, struct hp_sql_explain *ex);

/* Split "$1 = '5', $2 = NULL, $3 = 'O''Brien'" into values[0..n) (unquoted,
 * NULL for NULL; they point into buf, which needs strlen(params) + 1 bytes).
 * The number of values, or -1 when it is not that shape or a placeholder is
 * missing or beyond max. */
int hp_sql_params_split(const char *params, char *buf, const char **values, int max);
void hp_sql_explain_fini(struct hp_sql_explain *ex);

/* What the flags ask of the catalogue: a table's estimated rows
 * (pg_class.reltuples) or -1; and whether an index of the table leads with a
 * column that the filter names (then its name goes to index, and no index is
 * advised). Either may be NULL. */
struct hp_sql_catalog {
    int64_t (*rows_of)(void *ctx, const char *schema, const char *table);
    bool (*index_for)(void *ctx, const char *schema, const char *table, const char *filter,
                      char *index, size_t size);
    void *ctx;
};

/* The flags of a plan as the server wrote it (the array EXPLAIN returns).
 * Exposed for tests, which feed it plans without a server. */
void hp_sql_plan_flags(json_t *plan, const struct hp_sql_catalog *cat, struct hp_sql_explain *ex);

#endif
