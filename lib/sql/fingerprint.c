/* SPDX-License-Identifier: MIT */
/* sql/fingerprint.c - see fingerprint.h. One pass over the bytes: a token at
 * a time is classified and written, with the spacing decided by the previous
 * token. Parentheses are tracked so that a list of literals after IN or
 * VALUES can be cut back to "(...)" when it closes. */
#include "sql/fingerprint.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

/* ---- keywords ---------------------------------------------------------- */

/* Upper-cased when met unquoted: SQL's reserved words and the functions
 * people write in either case. Everything else keeps its spelling. */
static const char *const keywords[] = {
    "add",
    "all",
    "alter",
    "analyze",
    "and",
    "any",
    "as",
    "asc",
    "avg",
    "begin",
    "between",
    "bigint",
    "binary",
    "by",
    "call",
    "case",
    "cast",
    "char",
    "coalesce",
    "collate",
    "column",
    "commit",
    "concat",
    "constraint",
    "count",
    "create",
    "cross",
    "current_date",
    "current_timestamp",
    "database",
    "date",
    "date_add",
    "date_sub",
    "datetime",
    "decimal",
    "default",
    "delete",
    "desc",
    "describe",
    "distinct",
    "div",
    "do",
    "drop",
    "else",
    "end",
    "escape",
    "except",
    "exists",
    "explain",
    "extract",
    "false",
    "fetch",
    "first",
    "for",
    "force",
    "foreign",
    "from",
    "full",
    "function",
    "group",
    "group_concat",
    "having",
    "if",
    "ifnull",
    "ignore",
    "ilike",
    "in",
    "index",
    "inner",
    "insert",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "lateral",
    "left",
    "length",
    "like",
    "limit",
    "lock",
    "lower",
    "max",
    "min",
    "mod",
    "natural",
    "not",
    "now",
    "null",
    "nullif",
    "nulls",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "partition",
    "primary",
    "procedure",
    "query",
    "regexp",
    "release",
    "rename",
    "replace",
    "returning",
    "right",
    "rlike",
    "rollback",
    "row",
    "rows",
    "savepoint",
    "select",
    "set",
    "share",
    "show",
    "skip",
    "sql_calc_found_rows",
    "sql_no_cache",
    "start",
    "straight_join",
    "substr",
    "substring",
    "sum",
    "table",
    "then",
    "timestamp",
    "to",
    "transaction",
    "trim",
    "true",
    "truncate",
    "union",
    "unique",
    "unix_timestamp",
    "update",
    "upper",
    "use",
    "using",
    "values",
    "value",
    "varchar",
    "when",
    "where",
    "window",
    "with",
    "xor",
};

/* Of those, the functions: written against their "(" as calls are. */
static const char *const functions[] = {
    "any",    "avg",       "cast",     "char",           "coalesce", "concat",       "count",
    "date",   "date_add",  "date_sub", "decimal",        "extract",  "group_concat", "if",
    "ifnull", "isnull",    "left",     "length",         "lower",    "max",          "min",
    "mod",    "now",       "nullif",   "replace",        "right",    "substr",       "substring",
    "sum",    "timestamp", "trim",     "unix_timestamp", "upper",    "varchar",
};

#define KW_SLOTS 1024 /* a power of two over twice the keywords */
#define KW_MAX 24     /* longest keyword, with room */

static const char *kw_table[KW_SLOTS];
static bool kw_func[KW_SLOTS];
static uint8_t kw_len[KW_SLOTS];
static pthread_once_t kw_once = PTHREAD_ONCE_INIT;

static uint32_t kw_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static void kw_build(void)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
        uint32_t h = kw_hash(keywords[i], strlen(keywords[i])) & (KW_SLOTS - 1);
        while (kw_table[h])
            h = (h + 1) & (KW_SLOTS - 1);
        kw_table[h] = keywords[i];
        kw_len[h] = (uint8_t)strlen(keywords[i]);
        for (size_t k = 0; k < sizeof functions / sizeof functions[0]; k++)
            kw_func[h] |= strcmp(functions[k], keywords[i]) == 0;
    }
}

static bool is_function(const char *kw)
{
    uint32_t h = kw_hash(kw, strlen(kw)) & (KW_SLOTS - 1);
    while (kw_table[h] != kw)
        h = (h + 1) & (KW_SLOTS - 1);
    return kw_func[h];
}

static inline char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* The keyword that s[0..n) spells in any case, or NULL. One pass lowers
 * and hashes; a slot is compared only when its length is n. */
static const char *keyword(const char *s, size_t n)
{
    char low[KW_MAX];
    if (n >= KW_MAX || n < 2)
        return NULL;
    uint32_t h = 2166136261u; /* FNV-1a, as kw_hash */
    for (size_t i = 0; i < n; i++) {
        low[i] = lower(s[i]);
        h = (h ^ (uint8_t)low[i]) * 16777619u;
    }
    for (h &= KW_SLOTS - 1; kw_table[h] != NULL; h = (h + 1) & (KW_SLOTS - 1))
        if (kw_len[h] == n && memcmp(kw_table[h], low, n) == 0)
            return kw_table[h];
    return NULL;
}

/* ---- output ------------------------------------------------------------ */

/* T_ELLIPSIS is the "..." of a collapsed list: a literal that no "." binds to. */
enum tok {
    T_NONE,
    T_WORD,
    T_KEYWORD,
    T_LIT,
    T_ELLIPSIS,
    T_OP,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_DOT,
    T_SEMI
};

enum list { L_NONE, L_IN, L_VALUES };

#define MAX_DEPTH 64

struct fp {
    char *out;
    size_t cap, len;
    bool full;
    enum tok last;
    const char *last_kw; /* the keyword just written, else NULL */
    bool dot_bound;      /* the last "." was written against its left neighbour */
    bool last_cast;      /* the last token was PostgreSQL's "::" */
    bool tuple_done;     /* a VALUES tuple just collapsed: a next one may follow */
    int depth;
    struct {
        size_t open_at; /* out length just after the "(" */
        enum list list;
        bool lits_only; /* nothing but literals and commas inside so far */
        bool any_lit;
    } stack[MAX_DEPTH];
};

static void put(struct fp *f, const char *s, size_t n)
{
    if (f->full)
        return;
    if (f->len + n >= f->cap) {
        n = f->cap - 1 - f->len;
        f->full = true;
    }
    memcpy(f->out + f->len, s, n);
    f->len += n;
}

/* A "." after these is a qualifier's dot (a.b, f().x), never a number's. */
static inline bool binds_dot(enum tok last)
{
    return last == T_WORD || last == T_KEYWORD || last == T_RPAREN || last == T_LIT;
}

/* Write a token, with a space before it unless the pair binds. */
static void emit(struct fp *f, enum tok t, const char *s, size_t n)
{
    bool space = f->len > 0;
    if (f->last == T_LPAREN || (f->last == T_DOT && f->dot_bound && t != T_ELLIPSIS))
        space = false; /* "a. ..." must not read back as "a" "..." "." */
    if (t == T_RPAREN || t == T_COMMA || t == T_SEMI)
        space = false;
    if (t == T_DOT && binds_dot(f->last))
        space = false; /* a.b, f().x; but "= .5x" keeps its space */
    if (t == T_LPAREN && f->last == T_WORD)
        space = false; /* f(x), t(a, b) */
    bool cast = t == T_OP && n == 2 && s[0] == ':' && s[1] == ':';
    if ((cast && f->last != T_OP) || (f->last_cast && t != T_OP))
        space = false; /* x::int; but ": ::" stays apart, or it would read "::" ":" */
    f->last_cast = cast;
    if (t == T_LPAREN && f->last == T_KEYWORD && is_function(f->last_kw))
        space = false; /* COUNT(*), NOW() */
    if (t == T_DOT)
        f->dot_bound = binds_dot(f->last); /* a.b binds; "= . 5", "( . 5" do not */
    if (space)
        put(f, " ", 1);
    put(f, s, n);
    if (t != T_COMMA)
        f->tuple_done = false;
    /* Anything but a literal or a comma spoils the enclosing list. */
    if (f->depth > 0 && f->depth <= MAX_DEPTH && t != T_COMMA) {
        if (t == T_LIT || t == T_ELLIPSIS)
            f->stack[f->depth - 1].any_lit = true;
        else
            f->stack[f->depth - 1].lits_only = false;
    }
    f->last = t;
}

/* A quoted name, as written; its control bytes (NUL too) become spaces, as
 * a fingerprint is text. */
static void emit_quoted(struct fp *f, const char *s, size_t n)
{
    size_t at = f->len;
    emit(f, T_WORD, s, n);
    for (size_t i = at; i < f->len; i++)
        if ((unsigned char)f->out[i] < ' ' || f->out[i] == 0x7f)
            f->out[i] = ' ';
}

static void emit_keyword(struct fp *f, const char *kw)
{
    char up[KW_MAX];
    size_t n = strlen(kw);
    for (size_t i = 0; i < n; i++)
        up[i] = (char)(kw[i] >= 'a' && kw[i] <= 'z' ? kw[i] - 32 : kw[i]);
    emit(f, T_KEYWORD, up, n);
    f->last_kw = kw;
}

static void open_paren(struct fp *f)
{
    enum list list = L_NONE;
    if (f->last == T_KEYWORD && strcmp(f->last_kw, "in") == 0)
        list = L_IN;
    else if (f->last == T_KEYWORD &&
             (strcmp(f->last_kw, "values") == 0 || strcmp(f->last_kw, "value") == 0))
        list = L_VALUES;
    else if (f->last == T_COMMA && f->tuple_done && f->depth == 0)
        list = L_VALUES; /* the next row of a multi-row VALUES */
    emit(f, T_LPAREN, "(", 1);
    if (f->depth < MAX_DEPTH) {
        f->stack[f->depth].open_at = f->len;
        f->stack[f->depth].list = list;
        f->stack[f->depth].lits_only = true;
        f->stack[f->depth].any_lit = false;
    }
    f->depth++;
}

static void close_paren(struct fp *f)
{
    if (f->depth == 0) { /* unbalanced: written as it is */
        emit(f, T_RPAREN, ")", 1);
        return;
    }
    f->depth--;
    bool collapse = false, values = false;
    if (f->depth < MAX_DEPTH && !f->full) {
        collapse = f->stack[f->depth].list != L_NONE && f->stack[f->depth].lits_only &&
                   f->stack[f->depth].any_lit;
        values = f->stack[f->depth].list == L_VALUES;
        if (collapse)
            f->len = f->stack[f->depth].open_at;
    }
    if (collapse) {
        put(f, "...", 3);
        f->last = T_ELLIPSIS;
    }
    emit(f, T_RPAREN, ")", 1);
    f->tuple_done = collapse && values;
    /* Rows after the first: "(...), (...)" is written once. */
    static const char twice[] = "(...), (...)";
    if (f->tuple_done && f->len >= sizeof twice - 1 &&
        memcmp(f->out + f->len - (sizeof twice - 1), twice, sizeof twice - 1) == 0)
        f->len -= sizeof ", (...)" - 1;
    /* The enclosing list, if any, holds more than literals now. */
    if (f->depth > 0 && f->depth <= MAX_DEPTH)
        f->stack[f->depth - 1].lits_only = false;
}

/* ---- scanning ---------------------------------------------------------- */

static inline bool word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c >= 0x80;
}

static inline bool digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool hexdigit(unsigned char c)
{
    return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* End of a quoted run that starts at s[i] (the quote q), with '' doubling
 * and, when backslash is set, \ escapes. Unterminated: the end of input, and
 * *open is set. */
static size_t quoted_end(const char *s, size_t n, size_t i, char q, bool backslash, bool *open)
{
    for (i++; i < n; i++) {
        if (backslash && s[i] == '\\') {
            i++;
            continue;
        }
        if (s[i] == q) {
            if (i + 1 < n && s[i + 1] == q) {
                i++;
                continue;
            }
            return i + 1;
        }
    }
    *open = true;
    return n;
}

/* A PostgreSQL dollar-quoted string at s[i] ("$$" or "$tag$"): its end, or 0
 * when s[i] does not open one. */
static size_t dollar_end(const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && word_char((unsigned char)s[j]) && s[j] != '$' &&
           !(j == i + 1 && digit((unsigned char)s[j])))
        j++;
    if (j >= n || s[j] != '$')
        return 0;
    size_t tag = j + 1 - i; /* "$tag$" */
    for (size_t k = j + 1; k + tag <= n; k++)
        if (s[k] == '$' && memcmp(s + k, s + i, tag) == 0)
            return k + tag;
    return n;
}

/* A number at s[i]: digits, fraction, exponent; 0x.. and 0b.. too. */
static size_t number_end(const char *s, size_t n, size_t i)
{
    if (s[i] == '0' && i + 2 < n && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
        hexdigit((unsigned char)s[i + 2])) {
        i += 2;
        while (i < n && hexdigit((unsigned char)s[i]))
            i++;
        return i;
    }
    if (s[i] == '0' && i + 2 < n && (s[i + 1] == 'b' || s[i + 1] == 'B') &&
        (s[i + 2] == '0' || s[i + 2] == '1')) {
        i += 2;
        while (i < n && (s[i] == '0' || s[i] == '1'))
            i++;
        return i;
    }
    while (i < n && digit((unsigned char)s[i]))
        i++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && digit((unsigned char)s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && digit((unsigned char)s[j])) {
            i = j;
            while (i < n && digit((unsigned char)s[i]))
                i++;
        }
    }
    return i;
}

/* Operators of more than one character, longest first. */
static const char *const ops[] = {
    "<=>", "->>", "#>>", "!~*", "<=", ">=", "<>", "!=", ":=", "||", "&&", "<<",
    ">>",  "->",  "::",  "@>",  "<@", "!~", "~*", "#>", "?|", "?&", "=>"};

static size_t op_len(const char *s, size_t n, size_t i, enum hp_sql_dialect d)
{
    /* Most operators are one byte: only these can start a longer one. */
    if (i + 1 >= n || !strchr("<>-#!:|&@~?=", s[i]) || s[i] == '\0')
        return 1;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t m = strlen(ops[k]);
        if (ops[k][0] == '#' && d == HP_SQL_MYSQL)
            continue; /* a comment there */
        if (i + m <= n && memcmp(s + i, ops[k], m) == 0)
            return m;
    }
    return 1;
}

/* Past a comment that starts at s[i] ("-- " to the end of the line, MySQL's "#"
 * too, a block comment to its close or the end of the input); i when none does. */
static size_t comment_end(const char *s, size_t n, size_t i, bool mysql)
{
    char c = s[i];
    if ((c == '-' && i + 1 < n && s[i + 1] == '-' &&
         (!mysql || i + 2 >= n || (unsigned char)s[i + 2] <= ' ')) ||
        (c == '#' && mysql)) {
        while (i < n && s[i] != '\n')
            i++;
        return i;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
        for (size_t k = i + 2; k + 1 < n; k++)
            if (s[k] == '*' && s[k + 1] == '/')
                return k + 2;
        return n;
    }
    return i;
}

/* One pass; bs: a backslash escapes the next byte in '...' strings. *open is
 * set when a quoted run does not end. */
/* A name; with group, each run of digits that starts one of its "_" parts
 * is "?" (audit_log_2023 and audit_log_2024 are audit_log_?). */
static void emit_name(struct fp *f, const char *w, size_t n, bool group)
{
    char buf[256];
    if (!group || n >= sizeof buf || !memchr(w, '_', n)) {
        emit(f, T_WORD, w, n);
        return;
    }
    size_t m = 0;
    for (size_t k = 0; k < n;) {
        if (k > 0 && w[k - 1] == '_' && digit((unsigned char)w[k])) {
            while (k < n && digit((unsigned char)w[k]))
                k++;
            buf[m++] = '?';
        } else {
            buf[m++] = w[k++];
        }
    }
    emit(f, T_WORD, buf, m);
}

/* Is s[i] (after spaces) a "(": the name before it is a function's. */
static bool call_follows(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i < n && s[i] == '(';
}

static size_t fingerprint(const char *s, size_t n, enum hp_sql_dialect d, char *out, size_t cap,
                          bool *truncated, bool bs, bool *open, unsigned flags)
{
    bool group = !(flags & HP_SQL_FP_KEEP_NUMBERED);
    struct fp f = {.out = out, .cap = cap, .last = T_NONE};
    bool mysql = d == HP_SQL_MYSQL;
    size_t i = 0;
    while (i < n && !f.full) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == 0x7f) { /* whitespace, and control bytes (NUL too) with it */
            i++;
            continue;
        }
        size_t after = comment_end(s, n, i, mysql);
        if (after != i) {
            i = after;
            continue;
        }
        /* strings and quoted names */
        if (c == '\'') {
            i = quoted_end(s, n, i, '\'', bs, open);
            emit(&f, T_LIT, "?", 1);
            continue;
        }
        if (c == '"') {
            size_t e = quoted_end(s, n, i, '"', mysql, open);
            if (mysql)
                emit(&f, T_LIT, "?", 1);
            else
                emit_quoted(&f, s + i, e - i);
            i = e;
            continue;
        }
        if (c == '`') {
            size_t e = quoted_end(s, n, i, '`', false, open);
            /* `orders` is orders; but `0`, `select` and `a b` keep their quotes */
            bool plain = e >= i + 3 && s[e - 1] == '`' && !digit((unsigned char)s[i + 1]);
            for (size_t k = i + 1; plain && k < e - 1; k++)
                plain = word_char((unsigned char)s[k]);
            plain = plain && mysql && !keyword(s + i + 1, e - i - 2);
            if (plain)
                emit_name(&f, s + i + 1, e - i - 2, group && !call_follows(s, n, e));
            else
                emit_quoted(&f, s + i, e - i);
            i = e;
            continue;
        }
        if (c == '$' && !mysql) {
            if (i + 1 < n && digit((unsigned char)s[i + 1])) { /* $1 */
                i++;
                while (i < n && digit((unsigned char)s[i]))
                    i++;
                emit(&f, T_LIT, "?", 1);
                continue;
            }
            size_t e = dollar_end(s, n, i);
            if (e) {
                i = e;
                emit(&f, T_LIT, "?", 1);
                continue;
            }
        }
        /* numbers: also ".5", but not the dot of "t.5col" */
        if (digit(c) || (c == '.' && i + 1 < n && digit((unsigned char)s[i + 1]) &&
                         !binds_dot(f.last) && f.last != T_DOT)) {
            size_t e = number_end(s, n, i);
            if (e < n && word_char((unsigned char)s[e]) && s[e] != '$') {
                /* MySQL names may start with digits: "1st_table" */
                while (e < n && word_char((unsigned char)s[e]))
                    e++;
                emit(&f, T_WORD, s + i, e - i);
            } else {
                emit(&f, T_LIT, "?", 1);
            }
            i = e;
            continue;
        }
        if (word_char(c)) {
            size_t e = i;
            /* a name grouped before ("audit_log_?") reads as one again */
            while (e < n && (word_char((unsigned char)s[e]) ||
                             (group && s[e] == '?' && e > i && s[e - 1] == '_')))
                e++;
            /* N'..', X'..', B'..', E'..', _utf8mb4'..': one literal */
            if (e < n && s[e] == '\'') {
                size_t w = e - i;
                char l = lower(s[i]);
                if ((w == 1 && (l == 'n' || l == 'x' || l == 'b' || l == 'e')) || s[i] == '_') {
                    i = quoted_end(s, n, e, '\'', bs || l == 'e', open);
                    emit(&f, T_LIT, "?", 1);
                    continue;
                }
            }
            const char *kw = keyword(s + i, e - i);
            if (kw && (strcmp(kw, "true") == 0 || strcmp(kw, "false") == 0)) {
                emit(&f, T_LIT, "?", 1);
            } else if (kw && strcmp(kw, "null") == 0) {
                emit(&f, T_LIT, "NULL", 4); /* kept (IS NULL), but a value in a list */
            } else if (kw) {
                emit_keyword(&f, kw);
            } else {
                emit_name(&f, s + i, e - i, group && !call_follows(s, n, e));
            }
            i = e;
            continue;
        }
        switch (c) {
        case '(':
            open_paren(&f);
            i++;
            continue;
        case ')':
            close_paren(&f);
            i++;
            continue;
        case ',':
            emit(&f, T_COMMA, ",", 1);
            i++;
            continue;
        case '.':
            if (i + 2 < n && s[i + 1] == '.' && s[i + 2] == '.') {
                /* what a collapsed list reads: a fingerprint stays itself */
                emit(&f, T_ELLIPSIS, "...", 3);
                i += 3;
                continue;
            }
            emit(&f, T_DOT, ".", 1);
            i++;
            continue;
        case ';':
            emit(&f, T_SEMI, ";", 1);
            i++;
            continue;
        case '?':
            if (!(i + 1 < n && (s[i + 1] == '|' || s[i + 1] == '&'))) {
                emit(&f, T_LIT, "?", 1);
                i++;
                continue;
            }
            break;
        default: break;
        }
        size_t m = op_len(s, n, i, d);
        emit(&f, T_OP, s + i, m);
        i += m;
    }
    /* Trailing semicolons say nothing about the class. */
    while (!f.full && f.len > 0 && (f.out[f.len - 1] == ';' || f.out[f.len - 1] == ' '))
        f.len--;
    if (f.full && cap >= 4) {
        memcpy(f.out + cap - 4, "...", 3);
        f.len = cap - 1;
    }
    f.out[f.len] = '\0';
    if (truncated)
        *truncated = f.full;
    return f.len;
}

size_t hp_sql_fingerprint(const char *s, size_t n, enum hp_sql_dialect d, unsigned flags, char *out,
                          size_t cap, bool *truncated)
{
    pthread_once(&kw_once, kw_build);
    bool open = false;
    if (d == HP_SQL_MYSQL)
        return fingerprint(s, n, d, out, cap, truncated, true, &open, flags);
    /* PostgreSQL: a backslash is a backslash in '...' (standard_conforming_
     * strings, on since 9.1). But logs also hold 'O\'Brien' from clients that
     * escape the MySQL way (or servers with the setting off): read that way,
     * the statement's strings end where they did not, so read it so. */
    size_t len = fingerprint(s, n, d, out, cap, truncated, false, &open, flags);
    if (open && memchr(s, '\\', n)) {
        bool open_bs = false, cut = false;
        size_t len_bs = fingerprint(s, n, d, out, cap, &cut, true, &open_bs, flags);
        if (!open_bs) {
            if (truncated)
                *truncated = cut;
            return len_bs;
        }
        len = fingerprint(s, n, d, out, cap, truncated, false, &open, flags);
    }
    return len;
}

/* ---- what a statement holds ---------------------------------------------- */

static void shape(const char *s, size_t n, bool mysql, bool bs, struct hp_sql_shape *out,
                  char (*calls)[HP_SQL_NAME_LEN], int max_calls, bool *open)
{
    *out = (struct hp_sql_shape){.statements = 0};
    bool content = false; /* the current statement has a token */
    const char *name = NULL;
    size_t name_len = 0;
    bool quoted = false;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == 0x7f) {
            i++;
            continue;
        }
        size_t after = comment_end(s, n, i, mysql);
        if (after != i) {
            i = after;
            continue;
        }
        if (!content) {
            content = true;
            out->statements++;
        }
        const char *prev = name;
        size_t prev_len = name_len;
        bool prev_quoted = quoted;
        name = NULL;
        if (c == ';') {
            content = false;
            i++;
            continue;
        }
        if (c == '(') {
            if (prev && out->ncalls++ < max_calls) {
                size_t m = prev_len < HP_SQL_NAME_LEN - 1 ? prev_len : HP_SQL_NAME_LEN - 1;
                char *d = calls[out->ncalls - 1];
                for (size_t k = 0; k < m; k++)
                    d[k] = prev_quoted ? prev[k] : lower(prev[k]);
                d[m] = '\0';
            }
            i++;
            continue;
        }
        if (c == '\'') {
            i = quoted_end(s, n, i, '\'', bs, open);
            continue;
        }
        if (c == '"' || c == '`') {
            size_t e = quoted_end(s, n, i, (char)c, c == '"' && mysql, open);
            if (c == '`' || !mysql) { /* a quoted name */
                name = s + i + 1;
                name_len = e - i >= 2 ? e - i - 2 : 0;
                quoted = true;
            }
            i = e;
            continue;
        }
        if (c == '$' && !mysql) {
            if (i + 1 < n && digit((unsigned char)s[i + 1])) {
                int v = 0;
                for (i++; i < n && digit((unsigned char)s[i]); i++)
                    v = v < 100000 ? v * 10 + (s[i] - '0') : v;
                if (v > out->max_param)
                    out->max_param = v;
                continue;
            }
            size_t e = dollar_end(s, n, i);
            if (e) {
                i = e;
                continue;
            }
        }
        if (word_char(c)) {
            size_t e = i;
            while (e < n && word_char((unsigned char)s[e]))
                e++;
            if (e < n && s[e] == '\'') { /* E'..', N'..', X'..', _utf8'..' */
                size_t w = e - i;
                char l = lower(s[i]);
                if ((w == 1 && (l == 'n' || l == 'x' || l == 'b' || l == 'e')) || s[i] == '_') {
                    i = quoted_end(s, n, e, '\'', bs || l == 'e', open);
                    continue;
                }
            }
            if (!digit(c)) {
                name = s + i;
                name_len = e - i;
                quoted = false;
            }
            i = e;
            continue;
        }
        i++; /* an operator, a comma, a dot ("s.f(" calls f) */
    }
}

void hp_sql_shape(const char *s, size_t n, enum hp_sql_dialect d, struct hp_sql_shape *out,
                  char (*calls)[HP_SQL_NAME_LEN], int max_calls)
{
    bool mysql = d == HP_SQL_MYSQL, open = false;
    shape(s, n, mysql, mysql, out, calls, max_calls, &open);
    if (!mysql && open && memchr(s, '\\', n)) { /* as hp_sql_fingerprint */
        struct hp_sql_shape bs;
        bool open_bs = false;
        shape(s, n, false, true, &bs, calls, max_calls, &open_bs);
        if (!open_bs)
            *out = bs;
        else
            shape(s, n, false, false, out, calls, max_calls, &open);
    }
}
