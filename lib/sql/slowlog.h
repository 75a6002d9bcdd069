/* SPDX-License-Identifier: MIT */
/* sql/slowlog.h - MySQL and MariaDB slow query logs, a line at a time.
 *
 * An entry is a run of "# " header lines (# Time, # User@Host, # Thread_id /
 * Schema, # Query_time Lock_time Rows_sent Rows_examined, and whatever else
 * Percona Server or MariaDB add), then optional "use DB;" and
 * "SET timestamp=N;" lines, then the statement, over as many lines as it
 * takes. Server banners (after a restart) are skipped. What it cannot read
 * is counted and the first few lines are kept with their numbers; nothing
 * in the input makes it fail. Not thread-safe: one parser per input. */
#ifndef HP_SQL_SLOWLOG_H
#define HP_SQL_SLOWLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sql/fingerprint.h"

#define HP_SQL_MAX_QUERY_BYTES (1024 * 1024) /* longer statements are cut there */
#define HP_SQL_NAME_MAX 64                   /* user, host, database names */
#define HP_SQL_BAD_KEPT 5                    /* unreadable lines remembered */

/* One statement and what the log says about it. Strings are borrowed for
 * the callback only. */
struct hp_sql_event {
    const char *query;
    size_t query_len;
    int64_t query_time_ns;
    int64_t lock_time_ns;        /* -1 when the log does not say */
    int64_t rows_sent;           /* -1 when the log does not say */
    int64_t rows_examined;       /* -1 when the log does not say */
    int64_t ts_s;                /* Unix seconds (SET timestamp, else # Time), -1 unknown */
    int64_t thread_id;           /* the connection, -1 unknown */
    const char *db;              /* "" when unknown */
    const char *user;            /* "" when unknown */
    const char *host;            /* "" when unknown */
    int64_t line;                /* where its header starts, 1-based */
    enum hp_sql_dialect dialect; /* how to read its text: MySQL's unless said */
    /* PostgreSQL: the values of its $N placeholders as its DETAIL line gave
     * them ("$1 = '5', $2 = NULL"), else NULL. */
    const char *params;
    size_t params_len;
    /* A pre-aggregated row (pg_stat_statements): `calls` statements whose
     * total time is query_time_ns, described by their min, max and
     * population standard deviation, with no distribution. 0: one statement. */
    int64_t calls;
    int64_t min_ns, max_ns;
    double stddev_ns;
};

/* Called for each statement; a negative return stops the parse and is
 * returned by the hp_slowlog_* call that made it. */
typedef int (*hp_sql_event_fn)(void *ctx, const struct hp_sql_event *ev);

struct hp_sql_bad_line {
    int64_t line;
    char why[120];
};

struct hp_slowlog_stats {
    int64_t lines;
    int64_t events;
    int64_t bad;       /* lines or entries that could not be read */
    int64_t truncated; /* statements cut at HP_SQL_MAX_QUERY_BYTES */
    /* pg_stat_statements without names: databases (dbid) or users (userid)
     * are OIDs */
    bool oid_dbs, oid_users;
    struct hp_sql_bad_line first_bad[HP_SQL_BAD_KEPT];
};

struct hp_slowlog;

/* fn and ctx are kept. 0, or -ENOMEM. Free with hp_slowlog_free(). */
int hp_slowlog_new(hp_sql_event_fn fn, void *ctx, struct hp_slowlog **out);
void hp_slowlog_free(struct hp_slowlog *p); /* NULL is fine */

/* One line, without its "\n" (a trailing "\r" is ignored). Lines are
 * numbered from 1 in the order given. 0, or what fn returned. */
int hp_slowlog_line(struct hp_slowlog *p, const char *line, size_t len);
/* The end of the input: the last statement is delivered. */
int hp_slowlog_finish(struct hp_slowlog *p);

const struct hp_slowlog_stats *hp_slowlog_stats(const struct hp_slowlog *p);

/* Parse a decimal number of seconds ("0.001234", "12", "1.5e-3" is not
 * one) into nanoseconds. false when text[0..len) is not such a number. */
bool hp_sql_parse_seconds(const char *text, size_t len, int64_t *ns);

/* Append n bytes of s to the growable text *buf (*len used, *cap
 * allocated), after a "\n" when `newline` and the text is not empty, never
 * past HP_SQL_MAX_QUERY_BYTES (NUL included). false when it had to be cut
 * there or memory ran out: a shorter statement, never a lost one. */
bool hp_sql_text_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n,
                        bool newline);

/* "2026-01-15T10:23:45.123456Z", "2026-01-15 10:23:45.123 UTC" (a zone
 * name is taken as UTC; +HH:MM offsets are applied) or "260115 10:23:45"
 * (YYMMDD, MySQL 5.6 and MariaDB) into Unix seconds. Leading spaces are
 * skipped; text after the time is ignored. */
bool hp_sql_parse_time(const char *text, size_t len, int64_t *unix_s);

#endif
