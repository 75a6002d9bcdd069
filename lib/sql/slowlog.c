/* SPDX-License-Identifier: MIT */
/* sql/slowlog.c - see slowlog.h. A state machine over lines: OUT (between
 * entries, or before the first), HEAD (reading "# " lines and metadata),
 * QUERY (collecting the statement). A header line ends the statement when
 * the statement ended with ";" or when it is one that only starts entries
 * (# Time, # User@Host, # Query_time, # Thread_id); otherwise it is a
 * comment inside a statement and is kept with it. */
#include "sql/slowlog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"

enum state { S_OUT, S_HEAD, S_QUERY };

struct hp_slowlog {
    hp_sql_event_fn fn;
    void *ctx;
    enum state state;
    struct hp_slowlog_stats st;
    /* the entry being read */
    struct hp_sql_event ev;
    bool have_time; /* a Query_time line was seen */
    bool ts_set;    /* SET timestamp gave this entry its time */
    bool cut;       /* the statement was cut */
    char *q;
    size_t qlen, qcap;
    /* carried from entry to entry, as the server writes them only on change */
    int64_t time_s; /* the last # Time */
    char db[HP_SQL_NAME_MAX];
    char user[HP_SQL_NAME_MAX];
    char host[HP_SQL_NAME_MAX];
};

int hp_slowlog_new(hp_sql_event_fn fn, void *ctx, struct hp_slowlog **out)
{
    struct hp_slowlog *p = hp_calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    p->fn = fn;
    p->ctx = ctx;
    p->time_s = -1;
    *out = p;
    return 0;
}

void hp_slowlog_free(struct hp_slowlog *p)
{
    if (!p)
        return;
    hp_free(p->q);
    hp_free(p);
}

const struct hp_slowlog_stats *hp_slowlog_stats(const struct hp_slowlog *p)
{
    return &p->st;
}

static void bad(struct hp_slowlog *p, int64_t line, const char *why)
{
    if (p->st.bad < HP_SQL_BAD_KEPT) {
        struct hp_sql_bad_line *b = &p->st.first_bad[p->st.bad];
        b->line = line;
        snprintf(b->why, sizeof b->why, "%s", why);
    }
    p->st.bad++;
}

/* ---- numbers and times ------------------------------------------------- */

bool hp_sql_parse_seconds(const char *s, size_t n, int64_t *ns)
{
    size_t i = 0;
    int64_t whole = 0, frac = 0, scale = 100000000;
    if (n == 0)
        return false;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (whole > INT64_MAX / 10 / 1000000000)
            return false;
        whole = whole * 10 + (s[i] - '0');
    }
    if (i == 0 && !(i < n && s[i] == '.'))
        return false;
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            frac += (s[i] - '0') * scale;
            scale /= 10; /* digits past nanoseconds add nothing */
        }
    }
    if (i != n)
        return false;
    *ns = whole * 1000000000 + frac;
    return true;
}

static bool parse_int(const char *s, size_t n, int64_t *v)
{
    int64_t x = 0;
    if (n == 0 || n > 18)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

static bool digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] == ' ' && x == 0) /* "# Time: 230115  9:05:01" pads the hour */
            continue;
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

/* "2023-01-15T10:23:45.123456Z" (MySQL 5.7+, UTC or with an offset) or
 * "230115 10:23:45" (5.6, MariaDB: the server's local time, taken as UTC). */
/* Unix seconds of a UTC date and time (year in full). */
static int64_t civil_utc(int y, int mo, int d, int h, int mi, int sec)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    return (int64_t)timegm(&tm);
}

bool hp_sql_parse_time(const char *s, size_t n, int64_t *unix_s)
{
    int y, mo, d, h, mi, sec;
    while (n > 0 && s[0] == ' ')
        s++, n--;
    if (n >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') && s[13] == ':' &&
        s[16] == ':') {
        if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
            !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
            return false;
        size_t i = 19;
        while (i < n && (s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
            i++;
        int off = 0; /* +HH:MM or -HH:MM after the seconds */
        if (i + 6 <= n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
            int oh, om;
            if (digits(s + i + 1, 2, &oh) && digits(s + i + 4, 2, &om))
                off = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        }
        *unix_s = civil_utc(y, mo, d, h, mi, sec) - off;
        return mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
    }
    if (n >= 15 && s[6] == ' ') {
        const char *t = s + 7;
        size_t tn = n - 7;
        while (tn > 0 && t[0] == ' ' && tn > 7)
            t++, tn--;
        if (!digits(s, 2, &y) || !digits(s + 2, 2, &mo) || !digits(s + 4, 2, &d))
            return false;
        /* H:MM:SS or HH:MM:SS */
        const char *c1 = memchr(t, ':', tn);
        if (!c1 || c1 - t > 2 || (size_t)(c1 - t) + 6 > tn || c1[3] != ':')
            return false;
        if (!digits(t, (int)(c1 - t), &h) || !digits(c1 + 1, 2, &mi) || !digits(c1 + 4, 2, &sec))
            return false;
        *unix_s = civil_utc(2000 + y, mo, d, h, mi, sec);
        return mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
    }
    return false;
}

/* ---- entries ----------------------------------------------------------- */

static void copy_name(char *dst, const char *s, size_t n)
{
    if (n >= HP_SQL_NAME_MAX)
        n = HP_SQL_NAME_MAX - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void entry_reset(struct hp_slowlog *p, int64_t line)
{
    p->ev = (struct hp_sql_event){.lock_time_ns = -1,
                                  .rows_sent = -1,
                                  .rows_examined = -1,
                                  .ts_s = -1,
                                  .thread_id = -1,
                                  .line = line};
    p->have_time = p->ts_set = p->cut = false;
    p->qlen = 0;
}

static int entry_end(struct hp_slowlog *p)
{
    int rc = 0;
    /* The statement without its trailing blanks. */
    while (p->qlen > 0 && (p->q[p->qlen - 1] == '\n' || p->q[p->qlen - 1] == ' ' ||
                           p->q[p->qlen - 1] == '\t' || p->q[p->qlen - 1] == '\r'))
        p->qlen--;
    if (p->state == S_OUT)
        return 0;
    if (!p->have_time) {
        bad(p, p->ev.line, "an entry without a Query_time line");
    } else if (p->qlen == 0) {
        bad(p, p->ev.line, "an entry without a statement");
    } else {
        p->ev.query = p->q;
        p->ev.query_len = p->qlen;
        if (!p->ts_set)
            p->ev.ts_s = p->time_s;
        p->ev.db = p->db;
        p->ev.user = p->user;
        p->ev.host = p->host;
        p->st.events++;
        p->st.truncated += p->cut;
        rc = p->fn(p->ctx, &p->ev);
    }
    p->state = S_OUT;
    return rc;
}

bool hp_sql_text_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n, bool newline)
{
    size_t extra = newline && *len > 0;
    bool whole = true;
    if (*len + extra + n + 1 > HP_SQL_MAX_QUERY_BYTES) {
        whole = false;
        if (*len + extra + 1 >= HP_SQL_MAX_QUERY_BYTES)
            return false;
        n = HP_SQL_MAX_QUERY_BYTES - 1 - *len - extra;
    }
    size_t need = *len + extra + n + 1;
    if (need > *cap) {
        size_t grown = *cap ? *cap : 4096;
        while (grown < need)
            grown *= 2;
        char *b = hp_realloc(*buf, grown);
        if (!b)
            return false;
        *buf = b;
        *cap = grown;
    }
    if (extra)
        (*buf)[(*len)++] = '\n';
    memcpy(*buf + *len, s, n);
    *len += n;
    return whole;
}

static void query_append(struct hp_slowlog *p, const char *s, size_t n)
{
    if (!hp_sql_text_append(&p->q, &p->qlen, &p->qcap, s, n, true))
        p->cut = true;
}

static bool starts(const char *s, size_t n, const char *prefix)
{
    size_t m = strlen(prefix);
    return n >= m && memcmp(s, prefix, m) == 0;
}

/* "app[app] @ web1 [10.0.0.5]  Id:    12" */
static void parse_user_host(struct hp_slowlog *p, const char *s, size_t n)
{
    const char *end = s + n, *b = memchr(s, '[', n);
    const char *user_end = b ? b : end;
    while (s < user_end && *s == ' ')
        s++;
    copy_name(p->user, s, (size_t)(user_end - s));
    const char *at = memchr(s, '@', (size_t)(end - s));
    p->host[0] = '\0';
    if (at) {
        const char *h = at + 1;
        while (h < end && *h == ' ')
            h++;
        const char *he = h;
        while (he < end && *he != ' ' && *he != '[')
            he++;
        if (he > h) {
            copy_name(p->host, h, (size_t)(he - h));
        } else { /* no name: the address in brackets */
            const char *ob = memchr(he, '[', (size_t)(end - he));
            const char *cb = ob ? memchr(ob, ']', (size_t)(end - ob)) : NULL;
            if (cb)
                copy_name(p->host, ob + 1, (size_t)(cb - ob - 1));
        }
    }
    const char *id = NULL;
    for (const char *q = s; q + 3 <= end; q++)
        if (q[0] == 'I' && q[1] == 'd' && q[2] == ':') {
            id = q + 3;
            break;
        }
    if (id) {
        while (id < end && *id == ' ')
            id++;
        const char *ie = id;
        while (ie < end && *ie >= '0' && *ie <= '9')
            ie++;
        parse_int(id, (size_t)(ie - id), &p->ev.thread_id);
    }
}

/* "Key: value  Key: value ..." after "# ". false if a known key's value is
 * not a number. */
static bool parse_pairs(struct hp_slowlog *p, const char *s, size_t n)
{
    const char *end = s + n;
    bool ok = true;
    while (s < end) {
        while (s < end && *s == ' ')
            s++;
        const char *k = s;
        while (s < end && *s != ':' && *s != ' ')
            s++;
        if (s >= end || *s != ':') { /* a word without a value: skip it */
            continue;
        }
        size_t kn = (size_t)(s - k);
        s++;
        while (s < end && *s == ' ')
            s++;
        const char *v = s;
        while (s < end && *s != ' ')
            s++;
        size_t vn = (size_t)(s - v);
#define KEY(name) (kn == sizeof(name) - 1 && memcmp(k, name, kn) == 0)
        if (KEY("Query_time")) {
            ok &= hp_sql_parse_seconds(v, vn, &p->ev.query_time_ns);
            p->have_time = p->have_time || ok;
        } else if (KEY("Lock_time")) {
            ok &= hp_sql_parse_seconds(v, vn, &p->ev.lock_time_ns);
        } else if (KEY("Rows_sent")) {
            ok &= parse_int(v, vn, &p->ev.rows_sent);
        } else if (KEY("Rows_examined")) {
            ok &= parse_int(v, vn, &p->ev.rows_examined);
        } else if (KEY("Thread_id") || KEY("Id")) {
            ok &= parse_int(v, vn, &p->ev.thread_id);
        } else if (KEY("Schema")) {
            copy_name(p->db, v, vn);
        }
#undef KEY
    }
    return ok;
}

/* A "# " line: a header of the entry being read. */
static bool entry_marker(const char *s, size_t n);

static int header(struct hp_slowlog *p, const char *s, size_t n, int64_t line)
{
    /* A second Query_time (or a new # Time, # User@Host) after a Query_time
     * with no statement between: that entry is over, statement-less. */
    if (p->state == S_HEAD && p->have_time && entry_marker(s, n) && !starts(s, n, "# Thread_id:")) {
        int rc = entry_end(p);
        if (rc < 0)
            return rc;
    }
    if (p->state != S_HEAD) {
        entry_reset(p, line);
        p->state = S_HEAD;
    }
    s += 2, n -= 2;
    if (starts(s, n, "Time:")) {
        int64_t t;
        if (hp_sql_parse_time(s + 5, n - 5, &t))
            p->time_s = t;
        else
            bad(p, line, "a # Time line that is not a date and time");
    } else if (starts(s, n, "User@Host:")) {
        parse_user_host(p, s + 10, n - 10);
    } else if (starts(s, n, "administrator command:")) {
        /* COM_PING, COM_QUIT...: logged as a header, it is the statement */
        size_t m = n;
        while (m > 0 && s[m - 1] == ';')
            m--;
        query_append(p, s, m);
        p->state = S_QUERY;
    } else if (memchr(s, ':', n)) {
        if (!parse_pairs(p, s, n))
            bad(p, line, "a header value that is not a number");
    }
    return 0;
}

static bool entry_marker(const char *s, size_t n)
{
    return starts(s, n, "# Time:") || starts(s, n, "# User@Host:") ||
           starts(s, n, "# Query_time:") || starts(s, n, "# Thread_id:");
}

static bool banner(const char *s, size_t n)
{
    if (starts(s, n, "Tcp port:") || starts(s, n, "Time ") || starts(s, n, "Time\t"))
        return true;
    /* "/usr/sbin/mysqld, Version: 8.0.32 (...). started with:" */
    for (size_t i = 0; i + 10 <= n; i++)
        if (memcmp(s + i, ", Version: ", 10) == 0)
            return true;
    return false;
}

int hp_slowlog_line(struct hp_slowlog *p, const char *s, size_t n)
{
    int64_t line = ++p->st.lines;
    int rc = 0;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n >= 2 && s[0] == '#' && s[1] == ' ') {
        if (p->state == S_QUERY) {
            bool ended = p->qlen > 0 && p->q[p->qlen - 1] == ';';
            if (!ended && !entry_marker(s, n)) {
                query_append(p, s, n); /* a "# comment" inside the statement */
                return 0;
            }
            rc = entry_end(p);
            if (rc < 0)
                return rc;
        }
        return header(p, s, n, line);
    }
    switch (p->state) {
    case S_OUT:
        if (n == 0 || banner(s, n))
            return 0;
        bad(p, line, "a line outside any entry");
        return 0;
    case S_HEAD:
        if (n == 0)
            return 0;
        if (!p->ts_set && starts(s, n, "SET timestamp=")) {
            size_t e = 14;
            while (e < n && s[e] >= '0' && s[e] <= '9')
                e++;
            if (parse_int(s + 14, e - 14, &p->ev.ts_s))
                p->ts_set = true;
            else
                bad(p, line, "SET timestamp without a number");
            return 0;
        }
        if ((starts(s, n, "use ") || starts(s, n, "USE ")) && s[n - 1] == ';') {
            size_t b = 4, e = n - 1;
            if (e > b + 1 && s[b] == '`' && s[e - 1] == '`')
                b++, e--;
            copy_name(p->db, s + b, e - b);
            return 0;
        }
        p->state = S_QUERY;
        query_append(p, s, n);
        return 0;
    case S_QUERY: query_append(p, s, n); return 0;
    }
    return 0;
}

int hp_slowlog_finish(struct hp_slowlog *p)
{
    return entry_end(p);
}
