// SPDX-License-Identifier: MIT
/* http/check.c - see check.h. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "http/check.h"

#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "http/chunked.h"

int hp_check_set_status(struct hp_check *c, const char *spec, struct hp_err *err)
{
    const char *p = spec;
    c->n_status = 0;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        if (c->n_status >= HP_CHECK_MAX_STATUSES)
            return hp_err_set(err, HP_ERANGE, "at most %d statuses in one check",
                              HP_CHECK_MAX_STATUSES);
        int lo, hi;
        if (p[0] >= '1' && p[0] <= '5' && (p[1] == 'x' || p[1] == 'X') &&
            (p[2] == 'x' || p[2] == 'X')) {
            lo = (p[0] - '0') * 100;
            hi = lo + 99;
            p += 3;
        } else {
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p || v < 100 || v > 599)
                return hp_err_set(err, HP_EPARSE, "status '%s': expected codes from 100 to 599 "
                                                  "or classes such as 2xx, separated by commas",
                                  spec);
            lo = hi = (int)v;
            p = end;
        }
        while (*p == ' ')
            p++;
        if (*p && *p != ',')
            return hp_err_set(err, HP_EPARSE, "status '%s': expected codes such as 200 or 2xx, "
                                              "separated by commas", spec);
        c->status_lo[c->n_status] = lo;
        c->status_hi[c->n_status] = hi;
        c->n_status++;
    }
    if (c->n_status == 0)
        return hp_err_set(err, HP_EPARSE, "status: expected a code such as 200 or a class such "
                                          "as 2xx");
    c->kind = HP_CHECK_STATUS;
    return 0;
}

int hp_check_set_regex(struct hp_check *c, const char *pattern, struct hp_err *err)
{
    int code;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code,
                                   &at, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        return hp_err_at(err, HP_EPARSE, "", 0, (int)at + 1, "regex: %s", (const char *)msg);
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* when JIT is not there, it still matches */
    c->re = re;
    c->cmp = HP_CMP_MATCHES;
    return 0;
}

int hp_check_set_text(struct hp_check *c, const char *text)
{
    c->text = hp_strdup(text);
    c->text_len = strlen(text);
    return c->text ? 0 : -ENOMEM;
}

void hp_check_fini(struct hp_check *c)
{
    hp_free(c->text);
    pcre2_code_free(c->re);
    c->text = NULL;
    c->re = NULL;
}

void *hp_check_match_data(void)
{
    return pcre2_match_data_create(1, NULL);
}

void hp_check_match_data_free(void *md)
{
    pcre2_match_data_free(md);
}

static bool compare(const struct hp_check *c, const char *s, size_t len, void *md)
{
    switch (c->cmp) {
    case HP_CMP_PRESENT:
        return true;
    case HP_CMP_EQUALS:
        return len == c->text_len && memcmp(s, c->text, len) == 0;
    case HP_CMP_CONTAINS:
        return c->text_len == 0 || memmem(s, len, c->text, c->text_len) != NULL;
    case HP_CMP_MATCHES:
        /* A body that is not UTF-8 does not match, rather than fail. */
        return pcre2_match(c->re, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, md, NULL) >= 0;
    }
    return false;
}

/* The value of header `name` in head (trimmed), or NULL. */
static const char *find_header(const char *head, size_t len, const char *name, size_t *vlen)
{
    size_t nlen = strlen(name);
    const char *end = head + len;
    const char *line = memchr(head, '\n', len); /* skip the status line */
    while (line && line + 1 < end) {
        line++;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            eol = end;
        if ((size_t)(eol - line) > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0) {
            const char *v = line + nlen + 1, *ve = eol;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            *vlen = (size_t)(ve - v);
            return v;
        }
        line = eol < end ? eol : NULL;
    }
    return NULL;
}

bool hp_check_eval(const struct hp_check *c, int status, const char *head, size_t head_len,
                   const char *body, size_t body_len, void *md)
{
    switch (c->kind) {
    case HP_CHECK_STATUS:
        for (int i = 0; i < c->n_status; i++)
            if (status >= c->status_lo[i] && status <= c->status_hi[i])
                return true;
        return false;
    case HP_CHECK_HEADER: {
        size_t vlen = 0;
        const char *v = find_header(head, head_len, c->header, &vlen);
        return v && compare(c, v, vlen, md);
    }
    case HP_CHECK_BODY:
        return compare(c, body ? body : "", body_len, md);
    }
    return false;
}

void hp_check_split(char *capture, size_t len, size_t head_bytes, bool chunked,
                    const char **head, size_t *head_len, const char **body, size_t *body_len)
{
    size_t hb = head_bytes < len ? head_bytes : len;
    /* The final head starts after the last blank line before its own end. */
    size_t start = 0;
    for (size_t i = 0; hb >= 4 && i + 4 < hb; i++)
        if (memcmp(capture + i, "\r\n\r\n", 4) == 0)
            start = i + 4;
    *head = capture + start;
    *head_len = hb - start;
    char *b = capture + hb;
    size_t blen = len - hb;
    if (chunked) {
        struct hp_chunked ch;
        size_t in = 0, out = 0;
        hp_chunked_init(&ch);
        while (in < blen) {
            size_t used;
            const char *data = NULL;
            size_t dlen = 0;
            int rc = hp_chunked_feed(&ch, b + in, blen - in, &used, &data, &dlen);
            if (dlen) {
                memmove(b + out, data, dlen); /* data lies at or after b + out */
                out += dlen;
            }
            in += used;
            if (rc != HP_CHUNKED_MORE || used == 0)
                break;
        }
        blen = out;
    }
    *body = b;
    *body_len = blen;
}
