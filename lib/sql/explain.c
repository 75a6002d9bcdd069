/* SPDX-License-Identifier: MIT */
/* sql/explain.c - see explain.h. The statement runs as
 *   BEGIN READ ONLY; SET LOCAL statement_timeout; EXPLAIN (...) stmt; ROLLBACK
 * so even ANALYZE of a write cannot change the database (the server refuses
 * the write), and a slow one cannot run for long. Each is sent alone with
 * the extended protocol, which refuses a string of several statements. */
#include "sql/explain.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "sql/fingerprint.h"

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

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
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
    /* the server's notices ("there is no transaction in progress") are not
     * the user's: what matters lands in the class */
    PQsetNoticeProcessor(db->conn, quiet, NULL);
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

int hp_sql_db_names(struct hp_sql_db *db, bool dbs,
                    void (*fn)(void *ctx, const char *oid, const char *name), void *ctx)
{
    PGresult *r = PQexecParams(db->conn,
                               dbs ? "SELECT oid::text, datname FROM pg_database"
                                   : "SELECT oid::text, rolname FROM pg_roles",
                               0, NULL, NULL, NULL, NULL, 0);
    int rc = r && PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -EIO;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        fn(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    PQclear(r);
    return rc;
}

/* One statement, alone (the extended protocol refuses several). */
static bool command_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexecParams(c, sql, 0, NULL, NULL, NULL, NULL, 0);
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

static void walk(json_t *node, const struct hp_sql_catalog *cat, struct hp_sql_explain *ex,
                 int depth)
{
    if (!json_is_object(node) || depth > 100)
        return;
    const char *type = str(node, "Node Type"), *rel = str(node, "Relation Name");
    const char *schema = str(node, "Schema");
    if (strcmp(type, "Seq Scan") == 0 && rel[0]) {
        int64_t rows = cat && cat->rows_of ? cat->rows_of(cat->ctx, schema, rel) : -1;
        if (rows < 0 && !json_object_get(node, "Filter"))
            rows = (int64_t)num(node, "Plan Rows"); /* never analysed: the planner's guess */
        if (rows >= HP_SQL_LARGE_TABLE_ROWS) {
            const char *filter = str(node, "Filter");
            char index[160] = "";
            if (!filter[0]) {
                flag(ex, "seq-scan", "Seq Scan on %s%s%s (%lld rows): every row read", schema,
                     schema[0] ? "." : "", rel, (long long)rows);
            } else if (cat && cat->index_for &&
                       cat->index_for(cat->ctx, schema, rel, filter, index, sizeof index)) {
                /* an index is there and the planner passed it by: the filter
                 * keeps too many rows for it to pay, and a new one would not */
                flag(ex, "seq-scan",
                     "Seq Scan on %s%s%s (%lld rows), filter %.80s: already indexed by %.60s, "
                     "but %.0f rows are expected to pass, too many for an index to pay",
                     schema, schema[0] ? "." : "", rel, (long long)rows, filter, index,
                     num(node, "Plan Rows"));
            } else {
                flag(ex, "seq-scan",
                     "Seq Scan on %s%s%s (%lld rows), filter %.100s: an index on the filtered "
                     "columns",
                     schema, schema[0] ? "." : "", rel, (long long)rows, filter);
            }
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
    json_array_foreach(kids, i, k) walk(k, cat, ex, depth + 1);
}

void hp_sql_plan_flags(json_t *plan, const struct hp_sql_catalog *cat, struct hp_sql_explain *ex)
{
    json_t *top = json_array_get(plan, 0), *root = json_object_get(top, "Plan");
    ex->total_cost = num(root, "Total Cost");
    ex->actual_ms = num(top, "Execution Time");
    walk(root, cat, ex, 0);
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

static bool word_at(const char *s, const char *at, size_t n)
{
    bool left = at == s || !(isalnum((unsigned char)at[-1]) || at[-1] == '_');
    bool right = !(isalnum((unsigned char)at[n]) || at[n] == '_');
    return left && right;
}

/* Does the filter name column col as a word ("(id > 105)", "(big.id > 105)")? */
static bool names_column(const char *filter, const char *col)
{
    size_t n = strlen(col);
    if (n == 0)
        return false;
    for (const char *at = strstr(filter, col); at; at = strstr(at + 1, col))
        if (word_at(filter, at, n))
            return true;
    return false;
}

/* An index whose first column the filter names. */
static bool index_for(void *ctx, const char *schema, const char *table, const char *filter,
                      char *index, size_t size)
{
    struct hp_sql_db *db = ctx;
    const char *params[] = {schema[0] ? schema : "public", table};
    PGresult *r = PQexecParams(db->conn,
                               "SELECT a.attname, ic.relname FROM pg_index i "
                               "JOIN pg_class t ON t.oid = i.indrelid "
                               "JOIN pg_namespace n ON n.oid = t.relnamespace "
                               "JOIN pg_class ic ON ic.oid = i.indexrelid "
                               "JOIN pg_attribute a ON a.attrelid = i.indrelid "
                               "AND a.attnum = i.indkey[0] "
                               "WHERE n.nspname = $1 AND t.relname = $2 AND i.indisvalid "
                               "ORDER BY ic.relname",
                               2, NULL, params, NULL, NULL, 0);
    bool found = false;
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK)
        for (int i = 0; i < PQntuples(r) && !found; i++)
            if (names_column(filter, PQgetvalue(r, i, 0))) {
                snprintf(index, size, "%s (%s)", PQgetvalue(r, i, 1), PQgetvalue(r, i, 0));
                found = true;
            }
    PQclear(r);
    return found;
}

int hp_sql_params_split(const char *params, char *buf, const char **values, int max)
{
    int n = 0;
    const char *s = params;
    char *out = buf;
    for (int i = 0; i < max; i++)
        values[i] = NULL;
    while (*s) {
        if (*s != '$')
            return -1;
        char *end;
        long k = strtol(s + 1, &end, 10);
        if (end == s + 1 || k < 1 || k > max || strncmp(end, " = ", 3) != 0)
            return -1;
        s = end + 3;
        if (strncmp(s, "NULL", 4) == 0) {
            values[k - 1] = NULL;
            s += 4;
        } else if (*s == '\'') {
            values[k - 1] = out;
            for (s++;; s++) {
                if (*s == '\0')
                    return -1;
                if (*s == '\'') {
                    if (s[1] != '\'')
                        break;
                    s++;
                }
                *out++ = *s;
            }
            *out++ = '\0';
            s++;
        } else {
            return -1;
        }
        if (k != n + 1)
            return -1; /* $1, $2, ... in order, none missing */
        n++;
        if (*s == ',' && s[1] == ' ')
            s += 2;
        else if (*s)
            return -1;
    }
    return n;
}

#define MAX_CALLS 32
#define MAX_PARAMS 1000

/* The first volatile function the statement names, into name; false if none
 * (or the catalogue could not say, then name says so). */
static bool volatile_call(struct hp_sql_db *db, char (*calls)[HP_SQL_NAME_LEN], int ncalls,
                          char *name, size_t size)
{
    if (ncalls > MAX_CALLS) {
        snprintf(name, size, "more than %d function calls", MAX_CALLS);
        return true;
    }
    for (int i = 0; i < ncalls; i++) {
        const char *params[] = {calls[i]};
        PGresult *r = PQexecParams(db->conn,
                                   "SELECT 1 FROM pg_proc WHERE proname = $1 AND provolatile = 'v' "
                                   "LIMIT 1",
                                   1, NULL, params, NULL, NULL, 0);
        bool ok = r && PQresultStatus(r) == PGRES_TUPLES_OK, vol = ok && PQntuples(r) > 0;
        PQclear(r);
        if (!ok) {
            snprintf(name, size, "pg_proc could not be read");
            return true;
        }
        if (vol) {
            snprintf(name, size, "%.63s() is volatile", calls[i]);
            return true;
        }
    }
    return false;
}

/* "EXECUTE hp_sql_explain(v1, NULL, ...)", each value escaped by libpq. */
static char *execute_call(PGconn *c, const char **values, int n)
{
    size_t cap = 64, len = 0;
    char *q = hp_malloc(cap);
    if (!q)
        return NULL;
    len = (size_t)snprintf(q, cap, "EXECUTE hp_sql_explain(");
    for (int i = 0; i < n; i++) {
        char *lit = values[i] ? PQescapeLiteral(c, values[i], strlen(values[i])) : NULL;
        const char *v = values[i] ? lit : "NULL";
        if (!v) {
            hp_free(q);
            return NULL;
        }
        size_t need = len + strlen(v) + 4;
        if (need > cap) {
            while (cap < need)
                cap *= 2;
            char *g = hp_realloc(q, cap);
            if (!g) {
                PQfreemem(lit);
                hp_free(q);
                return NULL;
            }
            q = g;
        }
        len += (size_t)snprintf(q + len, cap - len, "%s%s", i ? ", " : "", v);
        PQfreemem(lit);
    }
    memcpy(q + len, ")", 2);
    return q;
}

static char *concat(const char *a, const char *b, size_t bn)
{
    size_t an = strlen(a);
    char *q = hp_malloc(an + bn + 1);
    if (q) {
        memcpy(q, a, an);
        memcpy(q + an, b, bn);
        q[an + bn] = '\0';
    }
    return q;
}

/* Inside the transaction: the plan, or ex->error. -ENOMEM. */
/* values: the nparams placeholders' values (NULL ones are NULL: all of
 * them for the generic plan). */
static int explain_in(struct hp_sql_db *db, const char *sql, size_t len, int nparams,
                      const char **values, bool analyze, struct hp_sql_explain *ex)
{
    const char *head = analyze ? "EXPLAIN (FORMAT JSON, VERBOSE, ANALYZE, BUFFERS) "
                               : "EXPLAIN (FORMAT JSON, VERBOSE) ";
    char *q = NULL;
    if (nparams == 0) {
        q = concat(head, sql, len);
    } else {
        char *text = hp_malloc(len + 1);
        if (!text)
            return -ENOMEM;
        memcpy(text, sql, len);
        text[len] = '\0';
        PGresult *r = PQprepare(db->conn, "hp_sql_explain", text, 0, NULL);
        hp_free(text);
        bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn), ex->error,
                       sizeof ex->error);
        PQclear(r);
        if (!ok)
            return 0;
        char *exec = execute_call(db->conn, values, nparams);
        q = exec ? concat(head, exec, strlen(exec)) : NULL;
        hp_free(exec);
    }
    if (!q)
        return -ENOMEM;
    PGresult *r = PQexecParams(db->conn, q, 0, NULL, NULL, NULL, NULL, 0);
    hp_free(q);
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        json_error_t je;
        ex->plan = json_loads(PQgetvalue(r, 0, 0), 0, &je);
        if (!ex->plan)
            snprintf(ex->error, sizeof ex->error, "the server's plan is not JSON: %s", je.text);
        ex->analyzed = ex->plan && analyze;
    } else {
        first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn), ex->error,
                   sizeof ex->error);
    }
    PQclear(r);
    return 0;
}

int hp_sql_explain(struct hp_sql_db *db, const char *sql, size_t len, const char *params,
                   bool analyze, struct hp_sql_explain *ex)
{
    memset(ex, 0, sizeof *ex);
    ex->actual_ms = NAN;
    while (len > 0 && (sql[len - 1] == ';' || sql[len - 1] == ' ' || sql[len - 1] == '\n' ||
                       sql[len - 1] == '\t' || sql[len - 1] == '\r'))
        len--;
    struct hp_sql_shape sh;
    char calls[MAX_CALLS][HP_SQL_NAME_LEN];
    hp_sql_shape(sql, len, HP_SQL_POSTGRESQL, &sh, calls, MAX_CALLS);
    if (sh.statements > 1) {
        snprintf(ex->error, sizeof ex->error,
                 "not explained: the entry holds %d statements (a top-level ';'), and only "
                 "one is ever sent",
                 sh.statements);
        return 0;
    }
    if (sh.max_param > MAX_PARAMS) {
        snprintf(ex->error, sizeof ex->error, "not explained: $%d, more than %d placeholders",
                 sh.max_param, MAX_PARAMS);
        return 0;
    }
    /* the placeholders' values, split once: the log's, or all NULL */
    char *buf = NULL;
    const char **values = NULL;
    if (sh.max_param > 0) {
        buf = params ? hp_malloc(strlen(params) + 1) : NULL;
        values = hp_calloc((size_t)sh.max_param, sizeof *values);
        if ((params && !buf) || !values) {
            hp_free(buf);
            hp_free(values);
            return -ENOMEM;
        }
        bool logged = params && hp_sql_params_split(params, buf, values, sh.max_param) ==
                                    sh.max_param;
        if (!logged) /* a split that failed half way leaves some set */
            memset(values, 0, (size_t)sh.max_param * sizeof *values);
        ex->params = logged ? "logged" : "generic";
        if (!logged && analyze) {
            analyze = false;
            snprintf(ex->note, sizeof ex->note,
                     "without ANALYZE: no values of its $%s logged, so the generic plan",
                     sh.max_param > 1 ? "N" : "1");
        }
    }
    char why[128];
    if (analyze && volatile_call(db, calls, sh.ncalls, why, sizeof why)) {
        analyze = false;
        snprintf(ex->note, sizeof ex->note, "without ANALYZE: %s (it could change something)", why);
    }
    int rc = 0;
    if (!command_ok(db->conn, "BEGIN READ ONLY") ||
        !command_ok(db->conn, "SET LOCAL statement_timeout = '" STATEMENT_TIMEOUT "'") ||
        (ex->params && strcmp(ex->params, "generic") == 0 &&
         !command_ok(db->conn, "SET LOCAL plan_cache_mode = force_generic_plan"))) {
        first_line(PQerrorMessage(db->conn), ex->error, sizeof ex->error);
    } else {
        rc = explain_in(db, sql, len, sh.max_param, values, analyze, ex);
    }
    hp_free(buf);
    hp_free(values);
    command_ok(db->conn, "ROLLBACK");
    if (sh.max_param > 0)
        command_ok(db->conn, "DEALLOCATE hp_sql_explain");
    if (rc == 0 && PQstatus(db->conn) != CONNECTION_OK)
        rc = -EIO;
    else if (rc == 0 && ex->plan) {
        struct hp_sql_catalog cat = {.rows_of = table_rows, .index_for = index_for, .ctx = db};
        hp_sql_plan_flags(ex->plan, &cat, ex);
    }
    return rc;
}

void hp_sql_explain_fini(struct hp_sql_explain *ex)
{
    json_decref(ex->plan);
    ex->plan = NULL;
}
