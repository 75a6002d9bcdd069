/* SPDX-License-Identifier: MIT */
/* sql/reader.h - one front for every query log hotpath reads: MySQL and
 * MariaDB slow logs, PostgreSQL stderr logs and csvlog, and CSV exports of
 * pg_stat_statements. The format is given
 * or found from the first lines (up to HP_SQL_DETECT_LINES kept until then).
 * Not thread-safe: one reader per input. */
#ifndef HP_SQL_READER_H
#define HP_SQL_READER_H

#include "core/err.h"
#include "sql/slowlog.h"

#define HP_SQL_DETECT_LINES 200

enum hp_sql_format { HP_SQL_AUTO, HP_SQL_MYSQL_SLOW, HP_SQL_PG_STDERR, HP_SQL_PG_CSV, HP_SQL_PGSS };

struct hp_sql_reader;

/* pg_prefix: PostgreSQL's log_line_prefix, or NULL to find fields by their
 * look. 0, -ENOMEM, or -EINVAL (a bad prefix) with err. */
int hp_sql_reader_new(enum hp_sql_format format, const char *pg_prefix, hp_sql_event_fn fn,
                      void *ctx, struct hp_sql_reader **out, struct hp_err *err);
void hp_sql_reader_free(struct hp_sql_reader *r); /* NULL is fine */
int hp_sql_reader_line(struct hp_sql_reader *r, const char *line, size_t len);
int hp_sql_reader_finish(struct hp_sql_reader *r);
/* What it reads (HP_SQL_AUTO until the format is known). */
enum hp_sql_format hp_sql_reader_format(const struct hp_sql_reader *r);
const struct hp_slowlog_stats *hp_sql_reader_stats(const struct hp_sql_reader *r);

const char *hp_sql_format_name(enum hp_sql_format f); /* "mysql-slow", ... */
int hp_sql_format_parse(const char *text);            /* an hp_sql_format, or -1 */

#endif
