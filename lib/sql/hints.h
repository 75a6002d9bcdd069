/* SPDX-License-Identifier: MIT */
/* sql/hints.h - what to look at in a class, each hint with its evidence:
 * rows examined far above rows sent (an index candidate), a leading % in
 * LIKE, a function wrapped around a filtered column, SELECT *, ORDER BY
 * RAND(), OR across different columns, and N+1 (one class repeated many
 * times in a second from one connection). Heuristics over the fingerprint,
 * the slowest sample and the class's figures, not a SQL parser: a hint is
 * a place to look, never a verdict. */
#ifndef HP_SQL_HINTS_H
#define HP_SQL_HINTS_H

#include "sql/digest.h"

#define HP_SQL_MAX_HINTS 8

/* Thresholds, named so docs and tests can cite them. */
#define HP_SQL_HINT_EXAMINED_RATIO 100 /* rows examined per row sent */
#define HP_SQL_HINT_EXAMINED_MIN 1000  /* ...and at least this many per call */
#define HP_SQL_HINT_BURST_MIN 20       /* calls in one second from one connection */

struct hp_sql_hint {
    const char *kind; /* "index", "like-leading-wildcard", "function-on-column",
                         "select-star", "order-by-rand", "or-across-columns", "n-plus-one" */
    char evidence[200];
};

/* Fill out (up to max) with the hints for c; returns how many. */
int hp_sql_hints(const struct hp_sql_class *c, struct hp_sql_hint *out, int max);

#endif
