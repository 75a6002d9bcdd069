/* SPDX-License-Identifier: MIT */
/* sql/pglog.h - PostgreSQL logs with log_min_duration_statement: the stderr
 * format (any log_line_prefix) and csvlog, a line at a time.
 *
 * A statement is a "LOG:  duration: 12.3 ms  statement: ..." or "...
 * execute <name>: ..." message, continued on lines that start with a tab;
 * parse and bind phases and bare durations are skipped (counted, not bad),
 * so an extended-protocol query counts once. Other messages (connections,
 * checkpoints, errors) are skipped too. With the log_line_prefix the server
 * uses, its fields (%m %t %p %u %d %h %r %a %l %c %x %v %e %n %s %q %%) are
 * read exactly; without one, the prefix is everything before the severity
 * and user@db, user=, db=, client=, [pid] and a leading time are found in it
 * as Debian's default ('%m [%p] %q%u@%d ') and pgBadger's recommended
 * ('%t [%p]: user=%u,db=%d,app=%a,client=%h ') prefixes write them.
 * Not thread-safe: one parser per input. */
#ifndef HP_SQL_PGLOG_H
#define HP_SQL_PGLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "sql/slowlog.h"

struct hp_pglog;

/* STDERR: the stderr format; CSVLOG: csvlog; PGSS: a CSV export of the
 * pg_stat_statements view with its header (\copy (SELECT ...) TO ... CSV
 * HEADER): each row is one aggregated event (calls, total, min, max and
 * stddev of the execution time in ms, or total_time... before PostgreSQL
 * 13; rows; the user and database by usename/datname, else their oids). */
enum hp_pglog_mode { HP_PGLOG_STDERR, HP_PGLOG_CSVLOG, HP_PGLOG_PGSS };

/* prefix: the server's log_line_prefix, or NULL to find the fields by
 * their look (STDERR only). fn and ctx are kept. 0, -ENOMEM,
 * or -EINVAL with err saying what in prefix is not understood. */
int hp_pglog_new(const char *prefix, enum hp_pglog_mode mode, hp_sql_event_fn fn, void *ctx,
                 struct hp_pglog **out, struct hp_err *err);
void hp_pglog_free(struct hp_pglog *p); /* NULL is fine */

/* One line without its "\n". 0, or what fn returned. */
int hp_pglog_line(struct hp_pglog *p, const char *line, size_t len);
int hp_pglog_finish(struct hp_pglog *p);
const struct hp_slowlog_stats *hp_pglog_stats(const struct hp_pglog *p);

#endif
