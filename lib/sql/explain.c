/* SPDX-License-Identifier: MIT */
/* sql/explain.c - see explain.h. The statement runs as
 *   BEGIN READ ONLY; SET LOCAL statement_timeout; EXPLAIN (...) stmt; ROLLBACK
 * so even ANALYZE of a write cannot change the database (the server refuses
 * the write), and a slow one cannot run for long. */
#include "sql/explain.h"

#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

#define STATEMENT_TIMEOUT "30s"

struct hp_sql_db {
    PGconn *conn;
};

/* libpq's message, first line, without the trailing newline. */
static void first_line(const char *msg, char *out, size_t size)
{
    size_t n = strcspn(msg ? msg : "", "\n");
    snprintf(out, size, "%.*s", (int)n, msg ? msg : "");
}

int hp_sql_db_connect(const char *conninfo, int64_t timeout_ns, struct hp_sql_db **out,
                      struct hp_err *err)
{
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%lld",
             (long long)(timeout_ns > 0 ? (timeout_ns + 999999999) / 1000000000 : 10));
    const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
    const char *vals[] = {conninfo, timeout, "hotpath sql digest", NULL};
    struct hp_sql_db *db = hp_calloc(1, sizeof *db);
    if (!db)
        return hp_err_set(err, -ENOMEM, "out of memory");
    db->conn = PQconnectdbParams(keys, vals, 1);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        char why[256];
        first_line(db->conn ? PQerrorMessage(db->conn) : "out of memory", why, sizeof why);
        hp_sql_db_close(db);
        return hp_err_set(err, -ECONNREFUSED, "--explain: cannot connect: %s", why);
    }
    *out = db;
    return 0;
}

void hp_sql_db_close(struct hp_sql_db *db)
{
    if (!db)
        return;
    if (db->conn)
        PQfinish(db->conn);
    hp_free(db);
}

static bool command_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok;
}

/* ---- the plan ---------------------------------------------------------- */

static double num(json_t *node, const char *key)
{
    json_t *v = json_object_get(node, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(json_t *node, const char *key)
{
    const char *s = json_string_value(json_object_get(node, key));
    return s ? s : "";
}

static void flag(struct hp_sql_explain *ex, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void flag(struct hp_sql_explain *ex, const char *kind, const char *fmt, ...)
{
    if (ex->nflags == HP_SQL_EXPLAIN_MAX_FLAGS)
        return;
    struct hp_sql_plan_flag *f = &ex->flags[ex->nflags++];
    f->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->evidence, sizeof f->evidence, fmt, ap);
    va_end(ap);
}

static void walk(json_t *node, int64_t (*rows_of)(void *, const char *, const char *), void *ctx,
                 struct hp_sql_explain *ex, int depth)
{
    if (!json_is_object(node) || depth > 100)
        return;
    const char *type = str(node, "Node Type"), *rel = str(node, "Relation Name");
    const char *schema = str(node, "Schema");
    if (strcmp(type, "Seq Scan") == 0 && rel[0]) {
        int64_t rows = rows_of ? rows_of(ctx, schema, rel) : -1;
        if (rows < 0 && !json_object_get(node, "Filter"))
            rows = (int64_t)num(node, "Plan Rows"); /* never analysed: the planner's guess */
        if (rows >= HP_SQL_LARGE_TABLE_ROWS) {
            const char *filter = str(node, "Filter");
            flag(ex, "seq-scan", "Seq Scan on %s%s%s (%lld rows)%s%.120s%s", schema,
                 schema[0] ? "." : "", rel, (long long)rows, filter[0] ? ", filter " : "", filter,
                 filter[0] ? ": an index on the filtered columns" : ": every row read");
        }
    }
    if (strcmp(type, "Sort") == 0 && strcmp(str(node, "Sort Space Type"), "Disk") == 0)
        flag(ex, "sort-spill",
             "Sort (%s) spilled %.0f kB to disk: raise work_mem, or an index "
             "that gives the order",
             str(node, "Sort Method"), num(node, "Sort Space Used"));
    if (strcmp(type, "Hash") == 0 && num(node, "Hash Batches") > 1)
        flag(ex, "hash-spill",
             "Hash in %.0f batches (planned %.0f), peak %.0f kB: it spilled to "
             "disk; raise work_mem",
             num(node, "Hash Batches"), num(node, "Original Hash Batches"),
             num(node, "Peak Memory Usage"));
    double actual = num(node, "Actual Rows"), est = num(node, "Plan Rows");
    if (isfinite(actual) && isfinite(est) && num(node, "Actual Loops") > 0) {
        double a = actual > 1 ? actual : 1, e = est > 1 ? est : 1;
        double off = a > e ? a / e : e / a;
        if (off > HP_SQL_ESTIMATE_ERROR)
            flag(ex, "row-estimate",
                 "%s%s%s: estimated %.0f rows, got %.0f (%.0fx %s): ANALYZE "
                 "the table, or extended statistics for correlated columns",
                 type, rel[0] ? " on " : "", rel, est, actual, off, a > e ? "more" : "fewer");
    }
    json_t *kids = json_object_get(node, "Plans");
    size_t i;
    json_t *k;
    json_array_foreach(kids, i, k) walk(k, rows_of, ctx, ex, depth + 1);
}

void hp_sql_plan_flags(json_t *plan, int64_t (*rows_of)(void *, const char *, const char *),
                       void *ctx, struct hp_sql_explain *ex)
{
    json_t *top = json_array_get(plan, 0), *root = json_object_get(top, "Plan");
    ex->total_cost = num(root, "Total Cost");
    ex->actual_ms = num(top, "Execution Time");
    walk(root, rows_of, ctx, ex, 0);
}

static int64_t table_rows(void *ctx, const char *schema, const char *table)
{
    struct hp_sql_db *db = ctx;
    const char *params[] = {schema[0] ? schema : "public", table};
    PGresult *r = PQexecParams(db->conn,
                               "SELECT c.reltuples::bigint FROM pg_class c JOIN pg_namespace n "
                               "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                               2, NULL, params, NULL, NULL, 0);
    int64_t rows = -1;
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        sscanf(PQgetvalue(r, 0, 0), "%lld", (long long *)&rows);
    PQclear(r);
    return rows;
}

int hp_sql_explain(struct hp_sql_db *db, const char *sql, size_t len, bool analyze,
                   struct hp_sql_explain *ex)
{
    memset(ex, 0, sizeof *ex);
    ex->actual_ms = NAN;
    while (len > 0 && (sql[len - 1] == ';' || sql[len - 1] == ' ' || sql[len - 1] == '\n' ||
                       sql[len - 1] == '\t' || sql[len - 1] == '\r'))
        len--;
    static const char head_plain[] = "EXPLAIN (FORMAT JSON, VERBOSE) ";
    static const char head_analyze[] = "EXPLAIN (FORMAT JSON, VERBOSE, ANALYZE, BUFFERS) ";
    const char *head = analyze ? head_analyze : head_plain;
    size_t hn = strlen(head);
    char *q = hp_malloc(hn + len + 1);
    if (!q)
        return -ENOMEM;
    memcpy(q, head, hn);
    memcpy(q + hn, sql, len);
    q[hn + len] = '\0';
    int rc = 0;
    if (!command_ok(db->conn, "BEGIN READ ONLY") ||
        !command_ok(db->conn, "SET LOCAL statement_timeout = '" STATEMENT_TIMEOUT "'")) {
        first_line(PQerrorMessage(db->conn), ex->error, sizeof ex->error);
    } else {
        PGresult *r = PQexec(db->conn, q);
        if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
            json_error_t je;
            ex->plan = json_loads(PQgetvalue(r, 0, 0), 0, &je);
            if (!ex->plan)
                snprintf(ex->error, sizeof ex->error, "the server's plan is not JSON: %s", je.text);
        } else {
            first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn), ex->error,
                       sizeof ex->error);
        }
        PQclear(r);
    }
    command_ok(db->conn, "ROLLBACK");
    hp_free(q);
    if (PQstatus(db->conn) != CONNECTION_OK)
        rc = -EIO;
    else if (ex->plan)
        hp_sql_plan_flags(ex->plan, table_rows, db, ex);
    return rc;
}

void hp_sql_explain_fini(struct hp_sql_explain *ex)
{
    json_decref(ex->plan);
    ex->plan = NULL;
}
