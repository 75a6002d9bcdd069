/* SPDX-License-Identifier: MIT */
/* sql/pglog.c - see pglog.h. A message starts on a line the prefix matches
 * and continues on lines that start with a tab; a statement is delivered
 * when the next message starts (or at the end). csvlog records come whole
 * from libcsv, which handles the quoted newlines in them. */
#include "sql/pglog.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#define MAX_OPS 64
#define CSV_MAX_FIELDS 32
#define CSV_MAX_RECORD (HP_SQL_MAX_QUERY_BYTES + 64 * 1024)

struct op {
    char esc;        /* 0: a literal */
    const char *lit; /* into the prefix copy */
    size_t len;
};

struct hp_pglog {
    hp_sql_event_fn fn;
    void *ctx;
    struct hp_slowlog_stats st;
    char *prefix; /* our copy; ops point into it */
    struct op ops[MAX_OPS];
    int nops;
    /* the statement being read */
    bool pending;
    struct hp_sql_event ev;
    char *q;
    size_t qlen, qcap;
    bool cut;
    char user[HP_SQL_NAME_MAX], db[HP_SQL_NAME_MAX], host[HP_SQL_NAME_MAX];
    char params[2048]; /* "DETAIL:  parameters: ..." of the pending statement */
    /* csvlog and pg_stat_statements */
    bool csv;
    bool pgss;
    int col[9]; /* pg_stat_statements: the column of each PGSS_* field, -1 if absent */
    bool have_header, header_bad;
    struct csv_parser cp;
    bool cp_live, row_open;
    int64_t row_line;
    char *rec;
    size_t rec_len, rec_cap;
    size_t field_off[CSV_MAX_FIELDS], field_len[CSV_MAX_FIELDS];
    int nfields;
    bool rec_cut;
    int rc; /* what fn returned inside a libcsv callback */
};

static void bad(struct hp_pglog *p, int64_t line, const char *why)
{
    if (p->st.bad < HP_SQL_BAD_KEPT) {
        p->st.first_bad[p->st.bad].line = line;
        snprintf(p->st.first_bad[p->st.bad].why, sizeof p->st.first_bad[0].why, "%s", why);
    }
    p->st.bad++;
}

static void copy_name(char *dst, const char *s, size_t n)
{
    if (n >= HP_SQL_NAME_MAX)
        n = HP_SQL_NAME_MAX - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* ---- log_line_prefix --------------------------------------------------- */

static int compile_prefix(struct hp_pglog *p, const char *prefix, struct hp_err *err)
{
    p->prefix = hp_strdup(prefix);
    if (!p->prefix)
        return hp_err_set(err, -ENOMEM, "out of memory");
    char *s = p->prefix;
    while (*s) {
        if (p->nops == MAX_OPS)
            return hp_err_set(err, -EINVAL, "--log-line-prefix: more than %d parts", MAX_OPS);
        struct op *o = &p->ops[p->nops];
        if (*s != '%') {
            char *e = strchr(s, '%');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            *o = (struct op){0, s, n};
            s += n;
            p->nops++;
            continue;
        }
        s++;
        while (*s == '-' || (*s >= '0' && *s <= '9')) /* padding: %-10u */
            s++;
        if (*s == '%') {
            *o = (struct op){0, s, 1};
        } else if (*s && strchr("mtspluadhrcxvenqbiQP", *s)) {
            *o = (struct op){*s, NULL, 0};
        } else {
            return hp_err_set(err, -EINVAL,
                              "--log-line-prefix: %%%c is not a log_line_prefix escape "
                              "(expected one of %%m %%t %%p %%u %%d %%h %%r %%a %%l %%c %%x "
                              "%%v %%e %%n %%s %%q %%b %%i %%Q %%P %%%%)",
                              *s ? *s : ' ');
        }
        if (*s)
            s++;
        p->nops++;
    }
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A timestamp at s: "2026-01-15 10:00:00[.123] ZONE". Its length, or 0. */
static size_t stamp_len(const char *s, const char *end)
{
    if (end - s < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
        s[16] != ':' || !is_digit(s[0]))
        return 0;
    const char *q = s + 19;
    if (q < end && *q == '.')
        for (q++; q < end && is_digit(*q); q++)
            ;
    if (q < end && *q == ' ') { /* the zone: a name or an offset */
        const char *z = q + 1;
        while (z < end && *z != ' ' && *z != ']' && *z != ',')
            z++;
        if (z > q + 1)
            q = z;
    }
    return (size_t)(q - s);
}

/* Match the compiled prefix at the start of s. Sets the fields it names
 * and returns where the message starts, or NULL. */
static const char *match_prefix(struct hp_pglog *p, const char *s, const char *end)
{
    const char *q_at = NULL; /* after %q, what follows is optional */
    for (int i = 0; i < p->nops; i++) {
        const struct op *o = &p->ops[i];
        if (o->esc == 'q') {
            q_at = s;
            continue;
        }
        if (!o->esc) {
            if ((size_t)(end - s) < o->len || memcmp(s, o->lit, o->len) != 0)
                return q_at;
            s += o->len;
            continue;
        }
        const char *v = s;
        switch (o->esc) {
        case 'm':
        case 't':
        case 's': {
            size_t n = stamp_len(s, end);
            if (n == 0)
                return q_at;
            if (o->esc != 's')
                hp_sql_parse_time(s, n, &p->ev.ts_s);
            s += n;
            break;
        }
        case 'n':
            while (s < end && (is_digit(*s) || *s == '.'))
                s++;
            if (o->esc == 'n' && s > v) {
                int64_t t = 0;
                for (const char *d = v; d < s && *d != '.' && d - v < 18; d++)
                    t = t * 10 + (*d - '0');
                p->ev.ts_s = t;
            }
            break;
        case 'p':
        case 'l':
        case 'x':
        case 'P':
            while (s < end && is_digit(*s))
                s++;
            if (s == v && o->esc != 'P')
                return q_at;
            if (o->esc == 'p') {
                int64_t pid = 0;
                for (const char *d = v; d < s && d - v < 18; d++)
                    pid = pid * 10 + (*d - '0');
                p->ev.thread_id = pid;
            }
            break;
        case 'v':
        case 'c':
            while (s < end && (is_digit(*s) || *s == '/' || *s == '.' || (*s >= 'a' && *s <= 'f')))
                s++;
            break;
        case 'e':
            for (int k = 0; k < 5 && s < end; k++)
                s++;
            break;
        default: { /* a name: up to the next literal's first byte, else a space */
            char stop = ' ';
            if (i + 1 < p->nops && !p->ops[i + 1].esc)
                stop = p->ops[i + 1].lit[0];
            while (s < end && *s != stop)
                s++;
            if (o->esc == 'u')
                copy_name(p->user, v, (size_t)(s - v));
            else if (o->esc == 'd')
                copy_name(p->db, v, (size_t)(s - v));
            else if (o->esc == 'h' || o->esc == 'r')
                copy_name(p->host, v, (size_t)(s - v));
            break;
        }
        }
    }
    return s;
}

/* ---- the prefix, found by its look --------------------------------------- */

static const char *const severities[] = {
    "LOG:  ",    "ERROR:  ",     "WARNING:  ", "FATAL:  ",  "PANIC:  ",   "DETAIL:  ",
    "HINT:  ",   "STATEMENT:  ", "CONTEXT:  ", "NOTICE:  ", "INFO:  ",    "DEBUG1:  ",
    "DEBUG2:  ", "DEBUG3:  ",    "DEBUG4:  ",  "DEBUG5:  ", "LOCATION:  "};

/* Where the severity starts: the first of them at the start or after a
 * space; NULL when none is there. */
static const char *find_severity(const char *s, const char *end)
{
    for (const char *c = s; c < end; c++) {
        if (c != s && c[-1] != ' ' && c[-1] != ':' && c[-1] != ']')
            continue;
        if (*c < 'C' || *c > 'W')
            continue;
        for (size_t i = 0; i < sizeof severities / sizeof severities[0]; i++) {
            size_t n = strlen(severities[i]);
            if ((size_t)(end - c) >= n && memcmp(c, severities[i], n) == 0)
                return c;
        }
    }
    return NULL;
}

static const char *find_in(const char *s, const char *end, const char *what)
{
    size_t n = strlen(what);
    for (const char *c = s; c + n <= end; c++)
        if (memcmp(c, what, n) == 0 && (c == s || c[-1] == ' ' || c[-1] == ',' || c[-1] == '['))
            return c;
    return NULL;
}

static size_t token_len(const char *s, const char *end)
{
    const char *e = s;
    while (e < end && *e != ' ' && *e != ',' && *e != ']' && *e != '@')
        e++;
    return (size_t)(e - s);
}

static void guess_fields(struct hp_pglog *p, const char *s, const char *end)
{
    size_t n = stamp_len(s, end);
    if (n)
        hp_sql_parse_time(s, n, &p->ev.ts_s);
    const char *b = memchr(s, '[', (size_t)(end - s));
    if (b && b + 1 < end && is_digit(b[1])) {
        int64_t pid = 0;
        for (const char *d = b + 1; d < end && is_digit(*d) && d - b < 18; d++)
            pid = pid * 10 + (*d - '0');
        p->ev.thread_id = pid;
    }
    const char *u = find_in(s, end, "user="), *d = find_in(s, end, "db=");
    const char *h = find_in(s, end, "client=");
    if (!h)
        h = find_in(s, end, "host=");
    if (u)
        copy_name(p->user, u + 5, token_len(u + 5, end));
    if (d)
        copy_name(p->db, d + 3, token_len(d + 3, end));
    if (h) {
        const char *v = memchr(h, '=', (size_t)(end - h)) + 1;
        copy_name(p->host, v, token_len(v, end));
    }
    if (!u && !d) { /* "%u@%d": the token around an '@' after the time */
        const char *at = memchr(s + n, '@', (size_t)(end - (s + n)));
        if (at) {
            const char *ub = at;
            while (ub > s && ub[-1] != ' ' && ub[-1] != '[' && ub[-1] != ']')
                ub--;
            copy_name(p->user, ub, (size_t)(at - ub));
            copy_name(p->db, at + 1, token_len(at + 1, end));
        }
    }
}

/* ---- statements -------------------------------------------------------- */

static void query_append(struct hp_pglog *p, const char *s, size_t n, bool newline)
{
    if (!hp_sql_text_append(&p->q, &p->qlen, &p->qcap, s, n, newline))
        p->cut = true;
}

static int flush(struct hp_pglog *p)
{
    if (!p->pending)
        return 0;
    p->pending = false;
    while (p->qlen > 0 && (p->q[p->qlen - 1] == ' ' || p->q[p->qlen - 1] == '\n' ||
                           p->q[p->qlen - 1] == '\t' || p->q[p->qlen - 1] == '\r'))
        p->qlen--;
    if (p->qlen == 0) {
        bad(p, p->ev.line, "a duration without a statement");
        return 0;
    }
    p->ev.query = p->q;
    p->ev.query_len = p->qlen;
    p->ev.db = p->db;
    p->ev.user = p->user;
    p->ev.params = p->ev.params_len ? p->params : NULL;
    p->ev.host = p->host;
    p->st.events++;
    p->st.truncated += p->cut;
    return p->fn(p->ctx, &p->ev);
}

/* A message (after the severity "LOG:  "): a statement starts pending. */
static void message(struct hp_pglog *p, const char *m, const char *end, int64_t line)
{
    static const char dur[] = "duration: ";
    if ((size_t)(end - m) < sizeof dur - 1 || memcmp(m, dur, sizeof dur - 1) != 0)
        return; /* connections, checkpoints...: not ours */
    const char *v = m + sizeof dur - 1, *e = v;
    while (e < end && (is_digit(*e) || *e == '.'))
        e++;
    int64_t ns;
    if (!hp_sql_parse_seconds(v, (size_t)(e - v), &ns) || end - e < 3 || memcmp(e, " ms", 3) != 0) {
        bad(p, line, "a duration that is not a number of ms");
        return;
    }
    ns /= 1000; /* the number was milliseconds */
    const char *r = e + 3;
    while (r < end && *r == ' ')
        r++;
    const char *body = NULL;
    if ((size_t)(end - r) >= 11 && memcmp(r, "statement: ", 11) == 0) {
        body = r + 11;
    } else if ((size_t)(end - r) >= 8 && memcmp(r, "execute ", 8) == 0) {
        const char *c = r + 8;
        while (c + 1 < end && !(c[0] == ':' && c[1] == ' '))
            c++;
        if (c + 1 < end)
            body = c + 2;
    }
    if (!body)
        return; /* parse, bind, or a bare duration: the execute counts */
    p->pending = true;
    p->ev.query_time_ns = ns;
    p->ev.line = line;
    p->qlen = 0;
    p->cut = false;
    query_append(p, body, (size_t)(end - body), false);
}

static void fields_reset(struct hp_pglog *p)
{
    p->ev = (struct hp_sql_event){.lock_time_ns = -1,
                                  .rows_sent = -1,
                                  .rows_examined = -1,
                                  .ts_s = -1,
                                  .thread_id = -1,
                                  .dialect = HP_SQL_POSTGRESQL};
    p->user[0] = p->db[0] = p->host[0] = '\0';
}

/* "parameters: $1 = '5'" (the DETAIL of an execute): kept with the
 * statement, unless too long to keep whole. */
static bool detail_params(struct hp_pglog *p, const char *m, const char *end)
{
    static const char pre[] = "parameters: ";
    if ((size_t)(end - m) < sizeof pre - 1 || memcmp(m, pre, sizeof pre - 1) != 0)
        return false;
    m += sizeof pre - 1;
    size_t n = (size_t)(end - m);
    while (n > 0 && (m[n - 1] == '\r' || m[n - 1] == ' '))
        n--;
    if (n < sizeof p->params) {
        memcpy(p->params, m, n);
        p->params[n] = '\0';
        p->ev.params_len = n;
    }
    return true;
}

static int stderr_line(struct hp_pglog *p, const char *s, size_t n, int64_t line)
{
    const char *end = s + n;
    if (n > 0 && s[0] == '\t') {
        if (p->pending)
            query_append(p, s + 1, n - 1, true);
        return 0;
    }
    if (p->pending) { /* its DETAIL line belongs to it */
        const char *m = find_severity(s, end);
        if (m && (size_t)(end - m) > 9 && memcmp(m, "DETAIL:  ", 9) == 0 &&
            detail_params(p, m + 9, end))
            return 0;
    }
    int rc = flush(p);
    if (rc < 0 || n == 0)
        return rc;
    fields_reset(p);
    const char *m;
    if (p->nops > 0) {
        m = match_prefix(p, s, end);
        if (!m) {
            bad(p, line, "a line that does not start with the log_line_prefix");
            return 0;
        }
        if (!find_severity(m, end) || find_severity(m, end) != m) {
            /* a message line of a multi-line statement without its tab */
            bad(p, line, "no severity (LOG:, ERROR:...) after the log_line_prefix");
            return 0;
        }
    } else {
        m = find_severity(s, end);
        if (!m) {
            bad(p, line, "no severity (LOG:, ERROR:...) on a line that does not start with a tab");
            return 0;
        }
        guess_fields(p, s, m);
    }
    if ((size_t)(end - m) >= 6 && memcmp(m, "LOG:  ", 6) == 0)
        message(p, m + 6, end, line);
    return 0;
}

/* ---- csvlog ------------------------------------------------------------ */

static void on_field(void *data, size_t len, void *ctx)
{
    struct hp_pglog *p = ctx;
    if (p->nfields == CSV_MAX_FIELDS)
        return;
    if (p->rec_len + len + 1 > CSV_MAX_RECORD) {
        p->rec_cut = true;
        len = p->rec_len + 1 >= CSV_MAX_RECORD ? 0 : CSV_MAX_RECORD - 1 - p->rec_len;
    }
    if (p->rec_len + len + 1 > p->rec_cap) {
        size_t cap = p->rec_cap ? p->rec_cap : 4096;
        while (cap < p->rec_len + len + 1)
            cap *= 2;
        char *r = hp_realloc(p->rec, cap);
        if (!r) {
            p->rec_cut = true;
            len = 0;
        } else {
            p->rec = r;
            p->rec_cap = cap;
        }
    }
    if (len)
        memcpy(p->rec + p->rec_len, data, len);
    p->field_off[p->nfields] = p->rec_len;
    p->field_len[p->nfields] = len;
    p->rec_len += len;
    p->nfields++;
}

enum {
    PGSS_QUERY,
    PGSS_CALLS,
    PGSS_TOTAL,
    PGSS_MIN,
    PGSS_MAX,
    PGSS_STDDEV,
    PGSS_ROWS,
    PGSS_USER,
    PGSS_DB
};

static bool field_is(const struct hp_pglog *p, int i, const char *name)
{
    return p->field_len[i] == strlen(name) &&
           memcmp(p->rec + p->field_off[i], name, p->field_len[i]) == 0;
}

static void pgss_header(struct hp_pglog *p, int nf, int64_t line)
{
    static const char *const names[][4] = {
        {"query", NULL},
        {"calls", NULL},
        {"total_exec_time", "total_time", NULL},
        {"min_exec_time", "min_time", NULL},
        {"max_exec_time", "max_time", NULL},
        {"stddev_exec_time", "stddev_time", NULL},
        {"rows", NULL},
        {"usename", "rolname", "user", "userid"},
        {"datname", "database", "dbid", NULL},
    };
    int cols[9];
    for (int k = 0; k < 9; k++) {
        cols[k] = -1;
        for (int n = 0; n < 4 && names[k][n] && cols[k] < 0; n++)
            for (int i = 0; i < nf; i++)
                if (field_is(p, i, names[k][n])) {
                    cols[k] = i;
                    break;
                }
    }
    memcpy(p->col, cols, sizeof p->col);
    p->have_header = true;
    p->st.oid_users = cols[PGSS_USER] >= 0 && field_is(p, cols[PGSS_USER], "userid");
    p->st.oid_dbs = cols[PGSS_DB] >= 0 && field_is(p, cols[PGSS_DB], "dbid");
    if (cols[PGSS_QUERY] < 0 || cols[PGSS_CALLS] < 0 || cols[PGSS_TOTAL] < 0) {
        p->header_bad = true;
        bad(p, line,
            "a pg_stat_statements header needs query, calls and total_exec_time "
            "(or total_time)");
    }
}

/* A number of field i in [0, max] (a copy, NUL-terminated for strtod);
 * false if none. Times are ms: 1e12 ms (31 years) keeps ns sums in int64. */
static bool field_num(const struct hp_pglog *p, int i, double max, double *v)
{
    char buf[64], *end;
    if (i < 0 || p->field_len[i] == 0 || p->field_len[i] >= sizeof buf)
        return false;
    memcpy(buf, p->rec + p->field_off[i], p->field_len[i]);
    buf[p->field_len[i]] = '\0';
    *v = strtod(buf, &end);
    return *end == '\0' && *v >= 0 && *v <= max;
}

static void pgss_row(struct hp_pglog *p, int nf, int64_t line)
{
    if (p->header_bad)
        return;
    int *col = p->col;
    int need = col[PGSS_QUERY];
    for (int k = 1; k < 3; k++)
        if (col[k] > need)
            need = col[k];
    double calls, total, v;
    if (nf <= need || !field_num(p, col[PGSS_CALLS], 1e12, &calls) ||
        !field_num(p, col[PGSS_TOTAL], 1e12, &total)) {
        bad(p, line, "a pg_stat_statements row without numbers for calls and total time");
        return;
    }
    if (calls < 1)
        return; /* reset, never called */
    fields_reset(p);
    p->ev.line = line;
    p->ev.calls = (int64_t)calls;
    p->ev.query_time_ns = (int64_t)(total * 1e6);
    p->ev.min_ns = field_num(p, col[PGSS_MIN], 1e12, &v) ? (int64_t)(v * 1e6)
                                                         : p->ev.query_time_ns / p->ev.calls;
    p->ev.max_ns = field_num(p, col[PGSS_MAX], 1e12, &v) ? (int64_t)(v * 1e6)
                                                         : p->ev.query_time_ns / p->ev.calls;
    p->ev.stddev_ns = field_num(p, col[PGSS_STDDEV], 1e12, &v) ? v * 1e6 : 0;
    if (field_num(p, col[PGSS_ROWS], 1e15, &v))
        p->ev.rows_sent = (int64_t)v;
    if (col[PGSS_USER] >= 0 && col[PGSS_USER] < nf)
        copy_name(p->user, p->rec + p->field_off[col[PGSS_USER]], p->field_len[col[PGSS_USER]]);
    if (col[PGSS_DB] >= 0 && col[PGSS_DB] < nf)
        copy_name(p->db, p->rec + p->field_off[col[PGSS_DB]], p->field_len[col[PGSS_DB]]);
    p->pending = true;
    p->qlen = 0;
    p->cut = p->rec_cut;
    query_append(p, p->rec + p->field_off[col[PGSS_QUERY]], p->field_len[col[PGSS_QUERY]], false);
    p->rc = flush(p);
}

static void on_row(int c, void *ctx)
{
    (void)c;
    struct hp_pglog *p = ctx;
    int64_t line = p->row_line;
    p->row_open = false;
    int nf = p->nfields;
    p->nfields = 0;
    p->rec_len = 0;
    if (p->rc < 0)
        return;
    if (p->pgss) {
        if (!p->have_header)
            pgss_header(p, nf, line);
        else
            pgss_row(p, nf, line);
        p->rec_cut = false;
        return;
    }
    if (nf < 14) {
        bad(p, line, "a csvlog record of fewer than 14 fields");
        return;
    }
#define F(i) (p->rec + p->field_off[i]), p->field_len[i]
    fields_reset(p);
    size_t n = stamp_len(p->rec + p->field_off[0], p->rec + p->field_off[0] + p->field_len[0]);
    if (n)
        hp_sql_parse_time(p->rec + p->field_off[0], n, &p->ev.ts_s);
    copy_name(p->user, F(1));
    copy_name(p->db, F(2));
    int64_t pid = 0;
    for (size_t k = 0; k < p->field_len[3] && k < 18 && is_digit(p->rec[p->field_off[3] + k]); k++)
        pid = pid * 10 + (p->rec[p->field_off[3] + k] - '0');
    p->ev.thread_id = p->field_len[3] ? pid : -1;
    const char *host = p->rec + p->field_off[4];
    size_t hn = p->field_len[4];
    const char *colon = memchr(host, ':', hn);
    copy_name(p->host, host, colon ? (size_t)(colon - host) : hn);
    if (p->field_len[11] == 3 && memcmp(p->rec + p->field_off[11], "LOG", 3) == 0) {
        const char *m = p->rec + p->field_off[13];
        message(p, m, m + p->field_len[13], line);
        if (p->pending && nf > 14)
            detail_params(p, p->rec + p->field_off[14],
                          p->rec + p->field_off[14] + p->field_len[14]);
        p->cut |= p->rec_cut;
        p->rc = flush(p);
    }
    p->rec_cut = false;
#undef F
}

static int csv_line(struct hp_pglog *p, const char *s, size_t n, int64_t line)
{
    if (!p->row_open) {
        p->row_open = true;
        p->row_line = line;
    }
    if (csv_parse(&p->cp, s, n, on_field, on_row, p) != n ||
        csv_parse(&p->cp, "\n", 1, on_field, on_row, p) != 1) {
        bad(p, line, "malformed CSV (a quote inside an unquoted field?)");
        /* start afresh on the next line */
        csv_free(&p->cp);
        p->cp_live = csv_init(&p->cp, CSV_APPEND_NULL) == 0;
        p->nfields = 0;
        p->rec_len = 0;
        p->row_open = false;
        if (!p->cp_live)
            return -ENOMEM;
    }
    int rc = p->rc;
    p->rc = 0;
    return rc;
}

/* ---- the parser -------------------------------------------------------- */

int hp_pglog_new(const char *prefix, enum hp_pglog_mode mode, hp_sql_event_fn fn, void *ctx,
                 struct hp_pglog **out, struct hp_err *err)
{
    bool csv = mode != HP_PGLOG_STDERR;
    struct hp_pglog *p = hp_calloc(1, sizeof *p);
    if (!p)
        return hp_err_set(err, -ENOMEM, "out of memory");
    p->fn = fn;
    p->ctx = ctx;
    p->csv = csv;
    p->pgss = mode == HP_PGLOG_PGSS;
    int rc = 0;
    if (prefix && !csv)
        rc = compile_prefix(p, prefix, err);
    if (rc == 0 && csv) {
        if (csv_init(&p->cp, CSV_APPEND_NULL) != 0)
            rc = hp_err_set(err, -ENOMEM, "out of memory");
        else
            p->cp_live = true;
    }
    if (rc < 0) {
        hp_pglog_free(p);
        return rc;
    }
    fields_reset(p);
    *out = p;
    return 0;
}

void hp_pglog_free(struct hp_pglog *p)
{
    if (!p)
        return;
    if (p->cp_live)
        csv_free(&p->cp);
    hp_free(p->prefix);
    hp_free(p->q);
    hp_free(p->rec);
    hp_free(p);
}

int hp_pglog_line(struct hp_pglog *p, const char *s, size_t n)
{
    int64_t line = ++p->st.lines;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    return p->csv ? csv_line(p, s, n, line) : stderr_line(p, s, n, line);
}

int hp_pglog_finish(struct hp_pglog *p)
{
    if (p->csv) {
        if (p->row_open)
            bad(p, p->row_line, "a csvlog record cut short (an unclosed quote?)");
        return 0;
    }
    return flush(p);
}

const struct hp_slowlog_stats *hp_pglog_stats(const struct hp_pglog *p)
{
    return &p->st;
}
