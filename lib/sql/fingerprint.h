/* SPDX-License-Identifier: MIT */
/* sql/fingerprint.h - the class of a SQL statement: the statement with its
 * literals abstracted, so that `id=1` and `id = 2` are one class.
 *
 * Literals (strings with their escapes, numbers, hex and bit values, dates,
 * TRUE/FALSE, placeholders) become `?`; `IN (...)` lists and multi-row
 * `VALUES` lists of literals collapse to `(...)`; comments vanish;
 * whitespace is one space between tokens, none inside `a.b`, `f(x)` or
 * before `,`; keywords are upper case, identifiers are kept as written
 * (backticks dropped around plain names); operators are kept, so `a - 1` and
 * `a + 1` stay two classes (pt-query-digest turns them into `?`). A hand-
 * written single pass, not a parser: it never fails, whatever the input.
 * Thread-safe. See docs/internals/sql.md for the rules with examples. */
#ifndef HP_SQL_FINGERPRINT_H
#define HP_SQL_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>

/* MySQL: "..." is a string, backslash escapes, `#` comments. PostgreSQL:
 * "..." is an identifier, E'..' and $tag$..$tag$ strings, $1 placeholders. */
enum hp_sql_dialect { HP_SQL_MYSQL, HP_SQL_POSTGRESQL };

/* Names that differ only in a number that starts one of their "_" parts
 * (partitions and shards: audit_log_2023, events_2024_01) are one class,
 * audit_log_?, events_?_?, unless this flag keeps them apart. Function names
 * and quoted names ("audit_log_2023") are kept as written. */
#define HP_SQL_FP_KEEP_NUMBERED 1u

/* Write the fingerprint of sql[0..len) to out (cap >= 8 bytes), always NUL-
 * terminated. Returns its length; a fingerprint longer than cap - 1 is cut
 * there (then the last bytes are "..." and *truncated is set, if not NULL).
 * flags: HP_SQL_FP_* or 0. */
size_t hp_sql_fingerprint(const char *sql, size_t len, enum hp_sql_dialect dialect, unsigned flags,
                          char *out, size_t cap, bool *truncated);

/* pt-query-digest's fingerprint (percona-toolkit 3.x, default options), for
 * comparing with it: its regular expressions in its order, quirks and all
 * ("id=1" and "id = 1" are two classes; "a-1" is "a?"). Writes out as
 * above; returns the length, or -ENOMEM. */
/* What a statement holds, read with the fingerprint's lexical rules
 * (strings, quoted names, comments and dollar quotes are skipped):
 * statements: how many (a top-level ";" with something after it starts
 * another); max_param: the highest $N placeholder; calls: the names written
 * before "(" (lower case; quoted names as written; "s.f(" gives "f"), up to
 * max_calls of them, each NUL-terminated in at most HP_SQL_NAME_LEN bytes;
 * ncalls may exceed max_calls (then the rest were not kept). */
#define HP_SQL_NAME_LEN 64
struct hp_sql_shape {
    int statements;
    int max_param;
    int ncalls;
};
void hp_sql_shape(const char *sql, size_t len, enum hp_sql_dialect dialect, struct hp_sql_shape *out,
                  char (*calls)[HP_SQL_NAME_LEN], int max_calls);

int hp_sql_fingerprint_pt(const char *sql, size_t len, char *out, size_t cap, bool *truncated);

#endif
