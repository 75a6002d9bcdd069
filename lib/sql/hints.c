/* SPDX-License-Identifier: MIT */
/* sql/hints.c - see hints.h. The fingerprint is normalised (keywords upper
 * case, one space between tokens, "f(x)" without one), so most patterns are
 * plain substring scans over it; the leading-wildcard test needs the
 * literal, so it reads the slowest sample. */
#include "sql/hints.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/units.h"

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c == '.' || c == '`' || c == '"' || (unsigned char)c >= 0x80;
}

static void add(struct hp_sql_hint *out, int max, int *n, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void add(struct hp_sql_hint *out, int max, int *n, const char *kind, const char *fmt, ...)
{
    if (*n >= max)
        return;
    out[*n].kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out[*n].evidence, sizeof out[*n].evidence, fmt, ap);
    va_end(ap);
    (*n)++;
}

/* The WHERE clause of fp: [*start, *end), false when there is none. */
static bool where_clause(const char *fp, const char **start, const char **end)
{
    const char *w = strstr(fp, "WHERE ");
    if (!w)
        return false;
    *start = w + 6;
    *end = *start + strlen(*start);
    static const char *const stops[] = {" GROUP BY ", " ORDER BY ",  " LIMIT ",    " HAVING ",
                                        " UNION ",    " FOR UPDATE", " RETURNING "};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        const char *s = strstr(*start, stops[i]);
        if (s && s < *end)
            *end = s;
    }
    return true;
}

static bool comparison_at(const char *p)
{
    static const char *const ops[] = {"= ",  "< ",    "> ",  "<= ",      ">= ", "<> ",
                                      "!= ", "LIKE ", "IN ", "BETWEEN ", "NOT "};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strncmp(p, ops[i], strlen(ops[i])) == 0)
            return true;
    return false;
}

/* DATE(created_at) = ?: a function around a bare column, compared. */
static bool function_on_column(const char *s, const char *end, char *ev, size_t size)
{
    for (const char *p = strchr(s, '('); p && p < end; p = strchr(p + 1, '(')) {
        const char *f = p;
        while (f > s && name_char(f[-1]) && f[-1] != '.')
            f--;
        if (f == p)
            continue; /* "(" of a group, not a call */
        const char *a = p + 1, *q = a;
        while (q < end && name_char(*q))
            q++;
        if (q == a || q >= end || *q != ')' || q[1] != ' ' || !comparison_at(q + 2))
            continue;
        if ((size_t)(q - f) == 3 && strncmp(f, "ANY", 3) == 0)
            continue;
        const char *e = q + 2;
        while (e < end && *e != ' ')
            e++;
        snprintf(ev, size, "%.*s ... (an index on %.*s cannot be used for it)", (int)(e - f), f,
                 (int)(q - a), a);
        return true;
    }
    return false;
}

/* The column that the comparison starting at p names ("a" of "a = ?"). */
static size_t column_at(const char *p, const char *end, const char **col)
{
    while (p < end && (*p == '(' || *p == ' '))
        p++;
    const char *q = p;
    while (q < end && name_char(*q))
        q++;
    if (q > p && q < end && *q == '(') { /* LOWER(email) = ?: the call is the column */
        const char *r = memchr(q, ')', (size_t)(end - q));
        q = r ? r + 1 : q;
    }
    *col = p;
    if (q == p || q >= end || q[0] != ' ' || !comparison_at(q + 1))
        return 0;
    return (size_t)(q - p);
}

/* a = ? OR b = ?: OR across different columns. */
static bool or_across_columns(const char *s, const char *end, char *ev, size_t size)
{
    for (const char *o = strstr(s, " OR "); o && o < end; o = strstr(o + 4, " OR ")) {
        /* the left side starts after the previous AND, OR, "(" or the clause */
        const char *l = o;
        while (l > s && !((l[-1] == '(' && (l - 1 == s || !name_char(l[-2]))) ||
                          (l - s >= 5 && strncmp(l - 5, " AND ", 5) == 0) ||
                          (l - s >= 4 && strncmp(l - 4, " OR ", 4) == 0)))
            l--;
        const char *lc, *rc;
        size_t ln = column_at(l, o, &lc), rn = column_at(o + 4, end, &rc);
        if (ln && rn && (ln != rn || strncmp(lc, rc, ln) != 0)) {
            const char *e = o + 4 + (size_t)(rc - (o + 4)) + rn;
            while (e < end && *e != ' ')
                e++;
            e++;
            while (e < end && *e != ' ')
                e++;
            snprintf(ev, size, "%.*s (one index cannot serve both; UNION, or an index each)",
                     (int)(e - lc), lc);
            return true;
        }
    }
    return false;
}

/* LIKE '%...' in the sample: the literal itself is gone from the class. */
static bool leading_wildcard(const char *sample, char *ev, size_t size)
{
    if (!sample)
        return false;
    for (const char *p = sample; (p = strcasestr(p, "like")) != NULL; p += 4) {
        if (p > sample && name_char(p[-1]))
            continue;
        const char *q = p + 4;
        while (*q == ' ' || *q == '\t' || *q == '\n')
            q++;
        if ((*q == '\'' || *q == '"') && q[1] == '%') {
            const char *e = strchr(q + 1, *q);
            int len = e ? (int)(e - q + 1) : (int)strlen(q);
            snprintf(ev, size, "LIKE %.*s%s (a leading %% reads every row: no index helps)",
                     len > 40 ? 40 : len, q, len > 40 ? "..." : "");
            return true;
        }
    }
    return false;
}

int hp_sql_hints(const struct hp_sql_class *c, struct hp_sql_hint *out, int max)
{
    int n = 0;
    char a[32], b[32], ev[200];
    const char *fp = c->fingerprint;
    if (c->rows_calls > 0) {
        double ex = (double)c->rows_examined / (double)c->rows_calls;
        double sent = (double)c->rows_sent / (double)c->rows_calls;
        if (ex >= HP_SQL_HINT_EXAMINED_MIN &&
            ex >= HP_SQL_HINT_EXAMINED_RATIO * (sent > 1 ? sent : 1)) {
            hp_format_count(ex, a, sizeof a);
            hp_format_count(sent, b, sizeof b);
            add(out, max, &n, "index",
                "examines %s rows per call to send %s: an index on the filtered columns is a "
                "candidate",
                a, b);
        }
    }
    if (leading_wildcard(c->sample, ev, sizeof ev))
        add(out, max, &n, "like-leading-wildcard", "%s", ev);
    const char *ws, *we;
    if (where_clause(fp, &ws, &we)) {
        if (function_on_column(ws, we, ev, sizeof ev))
            add(out, max, &n, "function-on-column", "%s", ev);
        if (or_across_columns(ws, we, ev, sizeof ev))
            add(out, max, &n, "or-across-columns", "%s", ev);
    }
    if (strncmp(fp, "SELECT * ", 9) == 0 || strstr(fp, " SELECT * ") ||
        strncmp(fp, "SELECT DISTINCT * ", 18) == 0)
        add(out, max, &n, "select-star",
            "SELECT * reads and sends every column; name the ones used");
    const char *ob = strstr(fp, "ORDER BY ");
    if (ob && (strncasecmp(ob + 9, "RAND()", 6) == 0 || strncasecmp(ob + 9, "RANDOM()", 8) == 0))
        add(out, max, &n, "order-by-rand", "ORDER BY %.*s sorts every matching row to pick a few",
            ob[9 + 4] == '(' ? 6 : 8, ob + 9);
    if (c->burst_max >= HP_SQL_HINT_BURST_MIN) {
        char when[32] = "?";
        time_t t = (time_t)c->burst_ts_s;
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        add(out, max, &n, "n-plus-one",
            "%lld calls in one second from connection %lld (at %s): a loop issuing one query "
            "per row; fetch them in one",
            (long long)c->burst_max, (long long)c->burst_thread, when);
    }
    return n;
}
