/* SPDX-License-Identifier: MIT */
/* sql/fingerprint_pt.c - pt-query-digest's fingerprint (QueryRewriter::
 * fingerprint of percona-toolkit 3.x, default options), step for step: the
 * same Perl regular expressions, run by PCRE2 in the same order, so the
 * classes are pt-query-digest's, for people comparing the two. Its quirks
 * are kept on purpose: "id=1" and "id = 1" are two classes, "a-1" becomes
 * "a?", "t1" becomes "t?". Checked against pt-fingerprint's output in
 * tests/data/sql/pt_fingerprints.tsv. */
#include "sql/fingerprint.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

enum {
    RE_MYSQLDUMP,
    RE_TOOLKIT,
    RE_ADMIN,
    RE_CALL,
    RE_INSERT,
    RE_MLC,
    RE_OLC,
    RE_USE,
    RE_ESCQ,
    RE_DQ,
    RE_SQ,
    RE_NUM,
    RE_NUMPREFIX,
    RE_LEADWS,
    RE_NULL,
    RE_LIST,
    RE_UNION,
    RE_LIMIT,
    RE_ORDERBY,
    RE_ASC,
    RE_COUNT
};

static const struct {
    const char *re;
    uint32_t flags;
} patterns[RE_COUNT] = {
    [RE_MYSQLDUMP] = {"\\ASELECT /\\*!40001 SQL_NO_CACHE \\*/ \\* FROM `", 0},
    [RE_TOOLKIT] = {"/\\*\\w+\\.\\w+:[0-9]/[0-9]\\*/", 0},
    [RE_ADMIN] = {"\\Aadministrator command: ", 0},
    [RE_CALL] = {"\\A\\s*(call\\s+\\S+)\\(", PCRE2_CASELESS},
    [RE_INSERT] = {"\\A((?:INSERT|REPLACE)(?: IGNORE)?\\s+INTO.+?VALUES\\s*\\(.*?\\))\\s*,\\s*\\(",
                   PCRE2_CASELESS | PCRE2_DOTALL},
    [RE_MLC] = {"/\\*[^!].*?\\*/", PCRE2_DOTALL | PCRE2_MULTILINE},
    [RE_OLC] = {"(?:--|#)[^'\"\\r\\n]*(?=[\\r\\n]|\\Z)", 0},
    [RE_USE] = {"\\Ause \\S+\\Z", PCRE2_CASELESS},
    [RE_ESCQ] = {"\\\\[\"']", 0},
    [RE_DQ] = {"\".*?\"", PCRE2_DOTALL},
    [RE_SQ] = {"'.*?'", PCRE2_DOTALL},
    [RE_NUM] = {"[0-9+-][0-9a-f.xb+-]*", 0},
    [RE_NUMPREFIX] = {"[xb.+-]\\?", 0},
    [RE_LEADWS] = {"\\A\\s+", 0},
    [RE_NULL] = {"\\bnull\\b", 0},
    [RE_LIST] = {"\\b(in|values?)(?:[\\s,]*\\([\\s?,]*\\))+", 0},
    [RE_UNION] = {"\\b(select\\s.*?)(?:(\\sunion(?:\\sall)?)\\s\\1)+", 0},
    [RE_LIMIT] = {"\\blimit \\?(?:, ?\\?| offset \\?)?", 0},
    [RE_ORDERBY] = {"\\bORDER BY ", PCRE2_CASELESS},
    [RE_ASC] = {"\\G(.+?)\\s+ASC", PCRE2_CASELESS},
};

static pcre2_code *re[RE_COUNT];
static bool re_ok;
static pthread_once_t re_once = PTHREAD_ONCE_INIT;

static void compile_all(void)
{
    re_ok = true;
    for (int i = 0; i < RE_COUNT; i++) {
        int e;
        PCRE2_SIZE off;
        re[i] = pcre2_compile((PCRE2_SPTR)patterns[i].re, PCRE2_ZERO_TERMINATED, patterns[i].flags,
                              &e, &off, NULL);
        if (!re[i])
            re_ok = false;
    }
}

/* A growable text the steps rewrite in turn. */
struct text {
    char *s;
    size_t len, cap;
};

static bool matches(int k, const struct text *t, pcre2_match_data *md)
{
    return pcre2_match(re[k], (PCRE2_SPTR)t->s, t->len, 0, 0, md, NULL) >= 0;
}

/* s/re/repl/ (g when global): t->s is replaced. 0 or -ENOMEM. */
static int subst(int k, struct text *t, const char *repl, bool global)
{
    uint32_t opts = PCRE2_SUBSTITUTE_OVERFLOW_LENGTH | (global ? PCRE2_SUBSTITUTE_GLOBAL : 0);
    PCRE2_SIZE size = t->len * 2 + 64;
    for (int tries = 0; tries < 2; tries++) {
        char *out = hp_malloc(size);
        if (!out)
            return -ENOMEM;
        PCRE2_SIZE n = size;
        int rc = pcre2_substitute(re[k], (PCRE2_SPTR)t->s, t->len, 0, opts, NULL, NULL,
                                  (PCRE2_SPTR)repl, PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)out, &n);
        if (rc == PCRE2_ERROR_NOMEMORY) { /* n is the size it needs */
            hp_free(out);
            size = n + 1;
            continue;
        }
        if (rc < 0) { /* a match limit: leave the text as it is */
            hp_free(out);
            return 0;
        }
        hp_free(t->s);
        t->s = out;
        t->len = n;
        t->cap = size;
        return 0;
    }
    return 0;
}

static int set_text(struct text *t, const char *s, size_t n)
{
    char *c = hp_malloc(n + 1);
    if (!c)
        return -ENOMEM;
    memcpy(c, s, n);
    c[n] = '\0';
    hp_free(t->s);
    t->s = c;
    t->len = n;
    t->cap = n + 1;
    return 0;
}

/* The ORDER BY loop: "1 while s/\G(.+?)\s+ASC/$1/gi && pos $query" after
 * "m/\bORDER BY /gi" set pos: from there, each "\s+asc" that follows is
 * dropped, one after another (s///g resets pos, so the loop runs once). */
static int drop_asc(struct text *t, pcre2_match_data *md)
{
    if (pcre2_match(re[RE_ORDERBY], (PCRE2_SPTR)t->s, t->len, 0, 0, md, NULL) < 0)
        return 0;
    PCRE2_SIZE pos = pcre2_get_ovector_pointer(md)[1];
    char *out = hp_malloc(t->len + 1);
    if (!out)
        return -ENOMEM;
    memcpy(out, t->s, pos);
    size_t n = pos;
    while (pos < t->len &&
           pcre2_match(re[RE_ASC], (PCRE2_SPTR)t->s, t->len, pos, 0, md, NULL) >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        memcpy(out + n, t->s + ov[2], ov[3] - ov[2]); /* $1 */
        n += ov[3] - ov[2];
        if (ov[1] == pos)
            break;
        pos = ov[1];
    }
    memcpy(out + n, t->s + pos, t->len - pos);
    n += t->len - pos;
    out[n] = '\0';
    hp_free(t->s);
    t->s = out;
    t->len = n;
    t->cap = t->len + 1;
    return 0;
}

static size_t finish(const struct text *t, char *out, size_t cap, bool *truncated)
{
    size_t n = t->len < cap - 1 ? t->len : cap - 1;
    memcpy(out, t->s, n);
    out[n] = '\0';
    if (truncated)
        *truncated = n < t->len;
    return n;
}

int hp_sql_fingerprint_pt(const char *sql, size_t len, char *out, size_t cap, bool *truncated)
{
    pthread_once(&re_once, compile_all);
    if (!re_ok)
        return -ENOMEM;
    struct text t = {0};
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    int rc = md ? set_text(&t, sql, len) : -ENOMEM;
    size_t n = 0;
    if (rc < 0)
        goto out;
    if (matches(RE_MYSQLDUMP, &t, md) || matches(RE_TOOLKIT, &t, md)) {
        rc = set_text(&t, matches(RE_MYSQLDUMP, &t, md) ? "mysqldump" : "percona-toolkit",
                      matches(RE_MYSQLDUMP, &t, md) ? 9 : 15);
        goto done;
    }
    if (matches(RE_ADMIN, &t, md))
        goto done;
    if (matches(RE_CALL, &t, md)) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        rc = set_text(&t, t.s + ov[2], ov[3] - ov[2]);
        for (size_t i = 0; rc == 0 && i < t.len; i++)
            t.s[i] = (char)(t.s[i] >= 'A' && t.s[i] <= 'Z' ? t.s[i] + 32 : t.s[i]);
        goto done;
    }
    if (matches(RE_INSERT, &t, md)) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if ((rc = set_text(&t, t.s + ov[2], ov[3] - ov[2])) < 0)
            goto out;
    }
    if ((rc = subst(RE_MLC, &t, "", true)) < 0 || (rc = subst(RE_OLC, &t, "", true)) < 0)
        goto out;
    if (matches(RE_USE, &t, md)) {
        rc = subst(RE_USE, &t, "use ?", false);
        goto done;
    }
    if ((rc = subst(RE_ESCQ, &t, "", true)) < 0 || (rc = subst(RE_DQ, &t, "?", true)) < 0 ||
        (rc = subst(RE_SQ, &t, "?", true)) < 0 || (rc = subst(RE_NUM, &t, "?", true)) < 0 ||
        (rc = subst(RE_NUMPREFIX, &t, "?", true)) < 0 || (rc = subst(RE_LEADWS, &t, "", false)) < 0)
        goto out;
    if (t.len > 0 && t.s[t.len - 1] == '\n') /* chomp */
        t.s[--t.len] = '\0';
    /* tr[ \n\t\r\f][ ]s, then lc */
    size_t w = 0;
    for (size_t i = 0; i < t.len; i++) {
        char c = t.s[i];
        bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
        if (ws && w > 0 && t.s[w - 1] == ' ')
            continue; /* only whitespace writes a space: this run is squeezed */
        t.s[w++] = ws ? ' ' : (c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
    }
    t.len = w;
    t.s[w] = '\0';
    if ((rc = subst(RE_NULL, &t, "?", true)) < 0 || (rc = subst(RE_LIST, &t, "$1(?+)", true)) < 0 ||
        (rc = subst(RE_UNION, &t, "$1 /*repeat$2*/", true)) < 0 ||
        (rc = subst(RE_LIMIT, &t, "limit ?", false)) < 0 || (rc = drop_asc(&t, md)) < 0)
        goto out;
done:
    if (rc == 0)
        n = finish(&t, out, cap, truncated);
out:
    pcre2_match_data_free(md);
    hp_free(t.s);
    return rc < 0 ? rc : (int)n;
}
