// SPDX-License-Identifier: MIT
/* guard/history.c - see history.h. */
#include "guard/history.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/result.h"

struct hp_history {
    sqlite3 *db;
    char path[512];
};

/* Each version's step from the one before; index 0 makes version 1. */
static const char *const migrations[HP_HISTORY_SCHEMA] = {
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, t REAL NOT NULL, time TEXT NOT NULL, "
    "  commit_sha TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL, source TEXT NOT NULL, "
    "  added REAL NOT NULL);"
    "CREATE INDEX runs_by_t ON runs(t, id);"
    "CREATE TABLE tags (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
    "  key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));"
    "CREATE TABLE points (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
    "  metric TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL DEFAULT '', "
    "  PRIMARY KEY (run_id, metric));"
    "CREATE INDEX points_by_metric ON points(metric, run_id);",
};

static int db_fail(struct hp_history *h, struct hp_err *err, const char *what)
{
    return hp_err_at(err, HP_EINPUT, h->path, 0, 0, "%s: %s", what, sqlite3_errmsg(h->db));
}

static int exec(struct hp_history *h, const char *sql, struct hp_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(h->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = hp_err_at(err, HP_EINPUT, h->path, 0, 0, "%s", msg ? msg : "SQLite error");
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static int version_of(struct hp_history *h, int *v, struct hp_err *err)
{
    sqlite3_stmt *st;
    *v = 0;
    if (sqlite3_prepare_v2(h->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                           NULL) != SQLITE_OK)
        return db_fail(h, err, "reading the schema version");
    if (sqlite3_step(st) == SQLITE_ROW)
        *v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

int hp_history_open(const char *path, struct hp_history **out, struct hp_err *err)
{
    struct hp_history *h = hp_calloc(1, sizeof *h);
    if (!h)
        return hp_err_set(err, -ENOMEM, "out of memory");
    snprintf(h->path, sizeof h->path, "%s", path);
    if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        int rc = hp_err_at(err, HP_EINPUT, path, 0, 0, "cannot open: %s",
                           h->db ? sqlite3_errmsg(h->db) : "out of memory");
        hp_history_close(h);
        return rc;
    }
    /* parallel writers wait for each other instead of failing */
    sqlite3_busy_timeout(h->db, 30000);
    int rc = exec(h,
                  "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
                  "PRAGMA synchronous = NORMAL;",
                  err);
    rc = rc ? rc
            : exec(h,
                   "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, "
                   "value TEXT NOT NULL);",
                   err);
    int v = 0;
    rc = rc ? rc : version_of(h, &v, err);
    if (rc == 0 && v > HP_HISTORY_SCHEMA)
        rc = hp_err_at(err, HP_EFORMAT, path, 0, 0,
                       "a history of schema version %d: this hotpath knows versions up to %d", v,
                       HP_HISTORY_SCHEMA);
    for (int k = v; rc == 0 && k < HP_HISTORY_SCHEMA; k++)
        rc = exec(h, migrations[k], err);
    if (rc == 0 && v < HP_HISTORY_SCHEMA) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta VALUES ('schema_version', '%d');",
                 HP_HISTORY_SCHEMA);
        rc = exec(h, sql, err);
    }
    if (rc == 0)
        rc = exec(h, "COMMIT;", err);
    if (rc < 0) {
        sqlite3_exec(h->db, "ROLLBACK;", NULL, NULL, NULL);
        hp_history_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

void hp_history_close(struct hp_history *h)
{
    if (!h)
        return;
    sqlite3_close(h->db);
    hp_free(h);
}

int hp_history_parse_time(const char *s, double *t_out, struct hp_err *err)
{
    return hp_parse_time(s, t_out, err);
}

static void iso(double t, char *buf, size_t size)
{
    if (!(t > -6e10 && t < 2.5e11)) { /* beyond years 0..9999: the number itself */
        snprintf(buf, size, "%.17g", t);
        return;
    }
    time_t s = (time_t)floor(t);
    struct tm tm;
    gmtime_r(&s, &tm);
    int ms = (int)((t - floor(t)) * 1000 + 0.5);
    if (ms >= 1000)
        ms = 999;
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, ms % 1000);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct ins {
    sqlite3_stmt *run, *tag, *point;
};

static void ins_free(struct ins *s)
{
    sqlite3_finalize(s->run);
    sqlite3_finalize(s->tag);
    sqlite3_finalize(s->point);
}

static int ins_prepare(struct hp_history *h, struct ins *s, struct hp_err *err)
{
    memset(s, 0, sizeof *s);
    if (sqlite3_prepare_v2(h->db,
                           "INSERT INTO runs (t, time, commit_sha, kind, source, added) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &s->run, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h->db, "INSERT OR REPLACE INTO tags VALUES (?, ?, ?)", -1, &s->tag,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h->db, "INSERT OR REPLACE INTO points VALUES (?, ?, ?, ?)", -1,
                           &s->point, NULL) != SQLITE_OK) {
        int rc = db_fail(h, err, "preparing");
        ins_free(s);
        return rc;
    }
    return 0;
}

static int ins_run(struct hp_history *h, struct ins *s, double t, bool index, const char *commit,
                   const char *kind, const char *source, const struct hp_tag *tags, int ntags,
                   int64_t *id, struct hp_err *err)
{
    char when[40];
    if (index) /* a series without times: its index is its order */
        snprintf(when, sizeof when, "#%.17g", t);
    else
        iso(t, when, sizeof when);
    sqlite3_reset(s->run);
    sqlite3_bind_double(s->run, 1, t);
    sqlite3_bind_text(s->run, 2, when, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s->run, 3, commit ? commit : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s->run, 4, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s->run, 5, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s->run, 6, now_s());
    if (sqlite3_step(s->run) != SQLITE_DONE)
        return db_fail(h, err, "adding a run");
    *id = sqlite3_last_insert_rowid(h->db);
    for (int i = 0; i < ntags; i++) {
        sqlite3_reset(s->tag);
        sqlite3_bind_int64(s->tag, 1, *id);
        sqlite3_bind_text(s->tag, 2, tags[i].key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s->tag, 3, tags[i].value, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s->tag) != SQLITE_DONE)
            return db_fail(h, err, "adding a tag");
    }
    return 0;
}

static int ins_point(struct hp_history *h, struct ins *s, int64_t id, const char *metric, double v,
                     const char *unit, struct hp_err *err)
{
    sqlite3_reset(s->point);
    sqlite3_bind_int64(s->point, 1, id);
    sqlite3_bind_text(s->point, 2, metric, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s->point, 3, v);
    sqlite3_bind_text(s->point, 4, unit ? unit : "", -1, SQLITE_TRANSIENT);
    return sqlite3_step(s->point) == SQLITE_DONE ? 0 : db_fail(h, err, "adding a value");
}

int hp_history_add_doc(struct hp_history *h, const char *path, const char *commit, double time_s,
                       const struct hp_tag *tags, int ntags, int64_t *run_id, struct hp_err *err)
{
    struct hp_result *r;
    int rc = hp_result_load(path, &r, err);
    if (rc < 0)
        return rc;
    json_t *root = hp_result_json(r);
    double t = time_s;
    if (t < 0) {
        const char *at = json_string_value(json_object_get(root, "started_at"));
        if (!at || hp_history_parse_time(at, &t, NULL) < 0) {
            hp_result_free(r);
            return hp_err_at(err, HP_EFORMAT, path, 0, 0,
                             "no started_at to date the run by (give --time)");
        }
    }
    struct ins s;
    rc = ins_prepare(h, &s, err);
    rc = rc ? rc : exec(h, "BEGIN IMMEDIATE;", err);
    int64_t id = 0;
    rc = rc ? rc : ins_run(h, &s, t, false, commit, hp_result_kind(r), path, tags, ntags, &id, err);
    json_t *m;
    const char *key;
    json_object_foreach(json_object_get(root, "metrics"), key, m)
    {
        json_t *v = json_object_get(m, "value");
        if (rc < 0)
            break;
        if (json_is_number(v))
            rc = ins_point(h, &s, id, key, json_number_value(v),
                           json_string_value(json_object_get(m, "unit")), err);
    }
    rc = rc ? rc : exec(h, "COMMIT;", err);
    if (rc < 0)
        sqlite3_exec(h->db, "ROLLBACK;", NULL, NULL, NULL);
    ins_free(&s);
    hp_result_free(r);
    if (rc == 0 && run_id)
        *run_id = id;
    return rc;
}

/* ---- CSV import ---------------------------------------------------------- */

/* One field of a CSV line, RFC 4180 quotes allowed; advances *p past its
 * comma. false at the end of the line. */
static bool csv_field(const char **p, const char *end, char *buf, size_t size, bool *bad)
{
    if (*p > end)
        return false;
    size_t n = 0;
    const char *q = *p;
    if (q < end && *q == '"') {
        q++;
        for (;;) {
            if (q >= end) {
                *bad = true;
                return false;
            }
            if (*q == '"') {
                if (q + 1 < end && q[1] == '"') {
                    if (n + 1 < size)
                        buf[n++] = '"';
                    q += 2;
                    continue;
                }
                q++;
                break;
            }
            if (n + 1 < size)
                buf[n++] = *q;
            q++;
        }
        if (q < end && *q != ',') {
            *bad = true;
            return false;
        }
    } else {
        while (q < end && *q != ',') {
            if (n + 1 < size)
                buf[n++] = *q;
            q++;
        }
    }
    buf[n] = '\0';
    *p = q + 1; /* past the comma, or past the end: the next call says so */
    return true;
}

int hp_history_csv_parse(const char *text, size_t len, const char *name, const char *metric,
                         hp_history_csv_cb cb, void *ud, struct hp_err *err)
{
    int line = 0, cols = 0; /* 2: index,value; 3: time,metric,value */
    const char *p = text, *stop = text + len;
    int64_t rows = 0;
    while (p < stop) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        const char *end = nl ? nl : stop;
        const char *ls = p;
        line++;
        p = nl ? nl + 1 : stop;
        if (end > ls && end[-1] == '\r')
            end--;
        if (end == ls || *ls == '#')
            continue;
        if (memchr(ls, '\0', (size_t)(end - ls)))
            return hp_err_at(err, HP_EPARSE, name, line, 0, "a NUL byte");
        char f[3][256];
        int n = 0;
        bool bad = false;
        const char *q = ls;
        while (n < 3 && csv_field(&q, end, f[n], sizeof f[n], &bad))
            n++;
        if (bad)
            return hp_err_at(err, HP_EPARSE, name, line, 0, "a quote that is never closed");
        if (q <= end)
            return hp_err_at(err, HP_EPARSE, name, line, (int)(q - ls) + 1, "more than 3 columns");
        if (cols == 0) {
            if (n == 2 && strcmp(f[0], "index") == 0 && strcmp(f[1], "value") == 0)
                cols = 2;
            else if (n == 3 && strcmp(f[0], "time") == 0 && strcmp(f[1], "metric") == 0 &&
                     strcmp(f[2], "value") == 0)
                cols = 3;
            else
                return hp_err_at(err, HP_EPARSE, name, line, 1,
                                 "the header is 'time,metric,value' or 'index,value'");
            continue;
        }
        if (n != cols)
            return hp_err_at(err, HP_EPARSE, name, line, 0, "%d columns, the header has %d", n,
                             cols);
        double t, v;
        char *e;
        struct hp_err terr = {0};
        if (hp_history_parse_time(f[0], &t, &terr) < 0)
            return hp_err_at(err, HP_EPARSE, name, line, 1, "%s", terr.msg);
        v = strtod(f[cols - 1], &e);
        if (e == f[cols - 1] || *e || !isfinite(v))
            return hp_err_at(err, HP_EPARSE, name, line, 0, "'%s' is not a number", f[cols - 1]);
        if (cols == 3 && !f[1][0])
            return hp_err_at(err, HP_EPARSE, name, line, 0, "an empty metric name");
        int rc = cb(ud, t, cols == 2, cols == 3 ? f[1] : metric, v, err);
        if (rc < 0)
            return rc;
        rows++;
    }
    if (cols == 0)
        return hp_err_at(err, HP_EPARSE, name, 1, 1,
                         "empty: the header is 'time,metric,value' or 'index,value'");
    return 0;
}

struct import {
    struct hp_history *h;
    struct ins s;
    const char *source;
    const struct hp_tag *tags;
    int ntags;
    int64_t rows;
    double last_t;
    int64_t last_id;
};

/* A run per distinct time: rows of one time with several metrics share it. */
static int import_row(void *ud, double t, bool index, const char *metric, double v,
                      struct hp_err *err)
{
    struct import *im = ud;
    int rc = 0;
    if (im->rows == 0 || t != im->last_t)
        rc = ins_run(im->h, &im->s, t, index, "", "csv", im->source, im->tags, im->ntags,
                     &im->last_id, err);
    rc = rc ? rc : ins_point(im->h, &im->s, im->last_id, metric, v, "", err);
    im->last_t = t;
    im->rows++;
    return rc;
}

int hp_history_import_csv(struct hp_history *h, const char *path, const char *metric,
                          const struct hp_tag *tags, int ntags, int64_t *rows, struct hp_err *err)
{
    char *text;
    size_t len;
    int rc = hp_file_read(path, 256u << 20, &text, &len, err);
    if (rc < 0)
        return rc;
    struct import im = {.h = h, .source = path, .tags = tags, .ntags = ntags};
    rc = ins_prepare(h, &im.s, err);
    rc = rc ? rc : exec(h, "BEGIN IMMEDIATE;", err);
    rc =
        rc ? rc
           : hp_history_csv_parse(text, len, path, metric ? metric : "value", import_row, &im, err);
    rc = rc ? rc : exec(h, "COMMIT;", err);
    if (rc < 0)
        sqlite3_exec(h->db, "ROLLBACK;", NULL, NULL, NULL);
    ins_free(&im.s);
    hp_free(text);
    if (rc == 0 && rows)
        *rows = im.rows;
    return rc;
}

/* ---- reading ------------------------------------------------------------- */

/* " AND run has tag k = v" for each where: bound from parameter 2 on */
static void where_sql(char *buf, size_t size, int nwhere)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < nwhere && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at,
                               " AND EXISTS (SELECT 1 FROM tags g WHERE g.run_id = r.id AND "
                               "g.key = ? AND g.value = ?)");
}

int hp_history_series(struct hp_history *h, const char *metric, const struct hp_tag *where,
                      int nwhere, struct hp_history_point **points, size_t *n, struct hp_err *err)
{
    char sql[4096], cond[3000];
    if (nwhere > HP_HISTORY_TAGS_MAX)
        return hp_err_set(err, HP_EUSAGE, "at most %d --where", HP_HISTORY_TAGS_MAX);
    where_sql(cond, sizeof cond, nwhere);
    snprintf(sql, sizeof sql,
             "SELECT r.id, r.t, r.time, r.commit_sha, p.value, p.unit FROM points p JOIN runs r ON "
             "r.id = p.run_id WHERE p.metric = ?%s ORDER BY r.t, r.id",
             cond);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(h, err, "reading a series");
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_TRANSIENT);
    for (int i = 0; i < nwhere; i++) {
        sqlite3_bind_text(st, 2 + 2 * i, where[i].key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3 + 2 * i, where[i].value, -1, SQLITE_TRANSIENT);
    }
    struct hp_history_point *v = NULL;
    size_t k = 0, cap = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            cap = cap ? 2 * cap : 256;
            struct hp_history_point *w = hp_realloc(v, cap * sizeof *w);
            if (!w) {
                sqlite3_finalize(st);
                hp_free(v);
                return hp_err_set(err, -ENOMEM, "out of memory");
            }
            v = w;
        }
        struct hp_history_point *pt = &v[k++];
        pt->run = sqlite3_column_int64(st, 0);
        pt->t = sqlite3_column_double(st, 1);
        snprintf(pt->time, sizeof pt->time, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(pt->commit, sizeof pt->commit, "%s", (const char *)sqlite3_column_text(st, 3));
        pt->value = sqlite3_column_double(st, 4);
        snprintf(pt->unit, sizeof pt->unit, "%s", (const char *)sqlite3_column_text(st, 5));
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) {
        hp_free(v);
        return db_fail(h, err, "reading a series");
    }
    *points = v;
    *n = k;
    return 0;
}

/* A run's tags as "k=v,k=v", keys in order (run r). */
#define RUN_TAGS                                                                                   \
    "(SELECT group_concat(key || '=' || value, ',') FROM (SELECT key, value FROM tags WHERE "      \
    "run_id = r.id ORDER BY key))"

int hp_history_runs(struct hp_history *h, hp_history_run_cb cb, void *ud, struct hp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db,
                           "SELECT r.id, r.time, r.commit_sha, r.kind, r.source, " RUN_TAGS ", "
                           "  (SELECT count(*) FROM points WHERE run_id = r.id) "
                           "FROM runs r ORDER BY r.t, r.id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(h, err, "listing runs");
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *tags = (const char *)sqlite3_column_text(st, 5);
        if (!cb(ud, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
                (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
                (const char *)sqlite3_column_text(st, 4), tags ? tags : "",
                sqlite3_column_int64(st, 6)))
            break;
    }
    sqlite3_finalize(st);
    return s == SQLITE_DONE || s == SQLITE_ROW ? 0 : db_fail(h, err, "listing runs");
}

int hp_history_values(struct hp_history *h, const char *metric, hp_history_value_cb cb, void *ud,
                      struct hp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            h->db,
            "SELECT r.id, r.time, r.commit_sha, p.metric, p.value, p.unit, " RUN_TAGS " "
            "FROM points p JOIN runs r ON r.id = p.run_id WHERE ?1 IS NULL OR p.metric = ?1 "
            "ORDER BY r.t, r.id, p.metric",
            -1, &st, NULL) != SQLITE_OK)
        return db_fail(h, err, "reading values");
    if (metric)
        sqlite3_bind_text(st, 1, metric, -1, SQLITE_TRANSIENT);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *tags = (const char *)sqlite3_column_text(st, 6);
        if (!cb(ud, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
                (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
                sqlite3_column_double(st, 4), (const char *)sqlite3_column_text(st, 5),
                tags ? tags : ""))
            break;
    }
    sqlite3_finalize(st);
    return s == SQLITE_DONE || s == SQLITE_ROW ? 0 : db_fail(h, err, "reading values");
}
