/* SPDX-License-Identifier: MIT */
/* sql/reader.c - see reader.h. Until the format is known, lines are kept
 * (copied, within a ceiling) and replayed into the parser once it is. */
#include "sql/reader.h"

#include <errno.h>
#include <string.h>

#include "core/alloc.h"
#include "sql/pglog.h"

#define DETECT_MAX_BYTES (256 * 1024)

struct hp_sql_reader {
    enum hp_sql_format format;
    char *pg_prefix;
    hp_sql_event_fn fn;
    void *ctx;
    struct hp_slowlog *my;
    struct hp_pglog *pg;
    struct hp_slowlog_stats empty;
    /* lines kept while detecting */
    char *held;
    size_t held_len, held_cap;
    int held_lines;
};

static const char *const names[] = {"auto", "mysql-slow", "postgresql", "postgresql-csv",
                                    "pg-stat-statements"};

const char *hp_sql_format_name(enum hp_sql_format f)
{
    return names[f];
}

int hp_sql_format_parse(const char *text)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(text, names[i]) == 0)
            return i;
    return -1;
}

static bool starts(const char *s, size_t n, const char *p)
{
    size_t m = strlen(p);
    return n >= m && memcmp(s, p, m) == 0;
}

static bool contains(const char *s, size_t n, const char *p)
{
    size_t m = strlen(p);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(s + i, p, m) == 0)
            return true;
    return false;
}

/* The format one line says, or HP_SQL_AUTO. */
static enum hp_sql_format classify(const char *s, size_t n)
{
    if (starts(s, n, "# Time: ") || starts(s, n, "# User@Host: ") ||
        starts(s, n, "# Query_time: ") || starts(s, n, "# Thread_id: ") ||
        starts(s, n, "Tcp port: ") || contains(s, n, ", Version: "))
        return HP_SQL_MYSQL_SLOW;
    /* a pg_stat_statements export: its header */
    if (contains(s, n, "query") && contains(s, n, "calls") &&
        (contains(s, n, "total_exec_time") || contains(s, n, "total_time")))
        return HP_SQL_PGSS;
    /* csvlog: "2026-01-15 10:00:00.123 UTC,"user",..." */
    if (n > 20 && s[4] == '-' && s[7] == '-' && s[10] == ' ' && s[13] == ':') {
        const char *comma = memchr(s, ',', n);
        const char *space = memchr(s + 11, ' ', n - 11);
        if (comma && (!space || comma < space + 16) && comma - s < 40 && memchr(s, '"', n))
            return HP_SQL_PG_CSV;
    }
    if (contains(s, n, "LOG:  ") || contains(s, n, "ERROR:  ") || contains(s, n, "STATEMENT:  "))
        return HP_SQL_PG_STDERR;
    return HP_SQL_AUTO;
}

static int start(struct hp_sql_reader *r, enum hp_sql_format f, struct hp_err *err)
{
    r->format = f;
    if (f == HP_SQL_MYSQL_SLOW)
        return hp_slowlog_new(r->fn, r->ctx, &r->my) < 0 ? hp_err_set(err, -ENOMEM, "out of memory")
                                                         : 0;
    return hp_pglog_new(r->pg_prefix,
                        f == HP_SQL_PG_CSV ? HP_PGLOG_CSVLOG
                        : f == HP_SQL_PGSS ? HP_PGLOG_PGSS
                                           : HP_PGLOG_STDERR,
                        r->fn, r->ctx, &r->pg, err);
}

static int feed(struct hp_sql_reader *r, const char *s, size_t n)
{
    return r->my ? hp_slowlog_line(r->my, s, n) : hp_pglog_line(r->pg, s, n);
}

/* Decide (f, or MySQL's when nothing said) and replay what was held. */
static int decide(struct hp_sql_reader *r, enum hp_sql_format f)
{
    struct hp_err err;
    int rc = start(r, f == HP_SQL_AUTO ? HP_SQL_MYSQL_SLOW : f, &err);
    for (size_t pos = 0; rc == 0 && pos < r->held_len;) {
        const char *nl = memchr(r->held + pos, '\n', r->held_len - pos);
        size_t n = (size_t)(nl - (r->held + pos));
        rc = feed(r, r->held + pos, n);
        pos += n + 1;
    }
    hp_free(r->held);
    r->held = NULL;
    r->held_len = r->held_cap = 0;
    return rc;
}

int hp_sql_reader_new(enum hp_sql_format format, const char *pg_prefix, hp_sql_event_fn fn,
                      void *ctx, struct hp_sql_reader **out, struct hp_err *err)
{
    struct hp_sql_reader *r = hp_calloc(1, sizeof *r);
    if (!r)
        return hp_err_set(err, -ENOMEM, "out of memory");
    r->fn = fn;
    r->ctx = ctx;
    int rc = 0;
    if (pg_prefix && !(r->pg_prefix = hp_strdup(pg_prefix)))
        rc = hp_err_set(err, -ENOMEM, "out of memory");
    if (rc == 0 && pg_prefix) { /* a bad prefix is an error now, not at the first line */
        struct hp_pglog *probe = NULL;
        rc = hp_pglog_new(pg_prefix, HP_PGLOG_STDERR, fn, ctx, &probe, err);
        hp_pglog_free(probe);
    }
    if (rc == 0 && format != HP_SQL_AUTO)
        rc = start(r, format, err);
    if (rc < 0) {
        hp_sql_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void hp_sql_reader_free(struct hp_sql_reader *r)
{
    if (!r)
        return;
    hp_slowlog_free(r->my);
    hp_pglog_free(r->pg);
    hp_free(r->held);
    hp_free(r->pg_prefix);
    hp_free(r);
}

int hp_sql_reader_line(struct hp_sql_reader *r, const char *s, size_t n)
{
    if (r->format != HP_SQL_AUTO)
        return feed(r, s, n);
    enum hp_sql_format f = classify(s, n);
    if (r->held_len + n + 1 > r->held_cap && r->held_len + n + 1 <= DETECT_MAX_BYTES) {
        size_t cap = r->held_cap ? r->held_cap * 2 : 4096;
        while (cap < r->held_len + n + 1)
            cap *= 2;
        char *h = hp_realloc(r->held, cap);
        if (!h)
            return -ENOMEM;
        r->held = h;
        r->held_cap = cap;
    }
    if (r->held_len + n + 1 > r->held_cap) { /* too much said nothing: take MySQL's */
        int rc = decide(r, HP_SQL_AUTO);
        return rc < 0 ? rc : feed(r, s, n);
    }
    memcpy(r->held + r->held_len, s, n);
    r->held[r->held_len + n] = '\n';
    r->held_len += n + 1;
    r->held_lines++;
    if (f != HP_SQL_AUTO || r->held_lines >= HP_SQL_DETECT_LINES)
        return decide(r, f);
    return 0;
}

int hp_sql_reader_finish(struct hp_sql_reader *r)
{
    if (r->format == HP_SQL_AUTO) {
        if (r->held_len == 0)
            return 0; /* empty: nothing to read */
        int rc = decide(r, HP_SQL_AUTO);
        if (rc < 0)
            return rc;
    }
    return r->my ? hp_slowlog_finish(r->my) : hp_pglog_finish(r->pg);
}

enum hp_sql_format hp_sql_reader_format(const struct hp_sql_reader *r)
{
    return r->format;
}

const struct hp_slowlog_stats *hp_sql_reader_stats(const struct hp_sql_reader *r)
{
    if (r->my)
        return hp_slowlog_stats(r->my);
    if (r->pg)
        return hp_pglog_stats(r->pg);
    return &r->empty;
}
