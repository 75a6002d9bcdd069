// SPDX-License-Identifier: MIT
/* http/http_req.c - request-head parser. Grammar references are to RFC 9110
 * (fields, tokens) and RFC 9112 (message syntax). */
#include "http/http_req.h"

#include <string.h>
#include <strings.h>

#include "http/http_token.h"

/* field-vchar / SP / HTAB; obs-text (0x80-0xff) allowed (RFC 9110 5.5). */
static bool is_field_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Find the end of the head: the empty line. Returns the offset just past it,
 * or 0 when not there yet (then *scan_from says where to resume). Accepts
 * CRLF or bare LF line ends. */
static size_t find_head_end(const char *buf, size_t len, size_t *scan_from)
{
    size_t i = *scan_from;
    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        if (!nl)
            break;
        size_t at = (size_t)(nl - buf) + 1;
        if (at < len && buf[at] == '\n')
            return at + 1;
        if (at + 1 < len && buf[at] == '\r' && buf[at + 1] == '\n')
            return at + 2;
        if (at >= len || (at + 1 == len && buf[at] == '\r')) {
            *scan_from = (size_t)(nl - buf); /* the next line has not arrived */
            return 0;
        }
        i = at;
    }
    *scan_from = len;
    return 0;
}

/* Case-insensitive compare of a header name. */
static bool name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* Does the comma-separated list contain token (case-insensitive)? */
static bool list_has(const char *v, size_t len, const char *token)
{
    size_t tlen = strlen(token);
    size_t i = 0;
    while (i < len) {
        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t start = i;
        while (i < len && v[i] != ',')
            i++;
        size_t end = i;
        while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
            end--;
        if (end - start == tlen && strncasecmp(v + start, token, tlen) == 0)
            return true;
    }
    return false;
}

/* origin-form "/...", asterisk-form "*", absolute-form "scheme://...", or
 * authority-form for CONNECT (RFC 9112 3.2). */
static bool target_form_ok(const struct hp_http_req *req)
{
    const char *t = req->target;
    size_t n = req->target_len, i = 0;
    if (t[0] == '/')
        return true;
    if (n == 1 && t[0] == '*')
        return true;
    if (req->method_len == 7 && memcmp(req->method, "CONNECT", 7) == 0)
        return true;
    while (i < n && ((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
                     (i > 0 && ((t[i] >= '0' && t[i] <= '9') || t[i] == '+' || t[i] == '-' ||
                                t[i] == '.'))))
        i++;
    return i > 0 && n - i > 3 && memcmp(t + i, "://", 3) == 0;
}

static int bad(struct hp_http_req *req, int code, const char *why)
{
    req->bad_reason = why;
    return code;
}

/* Content-Length = 1*DIGIT; a list of identical values is allowed (RFC 9110 8.6). */
static int parse_content_length(const char *v, size_t len, int64_t *out)
{
    int64_t value = -1;
    size_t i = 0;
    while (i < len) {
        int64_t n = 0;
        size_t digits = 0;
        while (i < len && (v[i] == ' ' || v[i] == '\t'))
            i++;
        while (i < len && v[i] >= '0' && v[i] <= '9') {
            if (n > (INT64_MAX - 9) / 10)
                return -1;
            n = n * 10 + (v[i] - '0');
            i++;
            digits++;
        }
        while (i < len && (v[i] == ' ' || v[i] == '\t'))
            i++;
        if (digits == 0 || (i < len && v[i] != ','))
            return -1;
        if (value >= 0 && n != value)
            return -1;
        value = n;
        if (i < len) {
            i++; /* the comma: another value must follow */
            if (i == len)
                return -1;
        }
    }
    if (value < 0)
        return -1;
    *out = value;
    return 0;
}

int hp_http_parse_request(const char *buf, size_t len, size_t max_head, size_t *scan_from,
                          struct hp_http_req *req)
{
    size_t end = find_head_end(buf, len, scan_from);
    size_t p = 0;
    bool have_cl = false, have_te = false, conn_close = false, conn_keep = false;
    int hosts = 0;

    if (end == 0)
        return len >= max_head ? HP_HTTP_ETOOLARGE : HP_HTTP_INCOMPLETE;
    if (end > max_head)
        return HP_HTTP_ETOOLARGE;

    memset(req, 0, sizeof *req);
    req->content_length = -1;

    /* RFC 9112 2.2: ignore empty lines before the request line. */
    while (p < end && (buf[p] == '\r' || buf[p] == '\n')) {
        if (buf[p] == '\r' && (p + 1 >= end || buf[p + 1] != '\n'))
            return bad(req, HP_HTTP_EBAD, "stray CR before the request line");
        p += buf[p] == '\r' ? 2 : 1;
    }
    /* method SP request-target SP HTTP-version CRLF */
    req->method = buf + p;
    while (p < end && hp_http_is_tchar((unsigned char)buf[p]))
        p++;
    req->method_len = (size_t)(buf + p - req->method);
    if (req->method_len == 0 || p >= end || buf[p] != ' ')
        return bad(req, HP_HTTP_EBAD, "malformed method");
    p++;
    req->target = buf + p;
    while (p < end && (unsigned char)buf[p] > 0x20 && (unsigned char)buf[p] < 0x7f)
        p++;
    req->target_len = (size_t)(buf + p - req->target);
    if (req->target_len == 0 || p >= end || buf[p] != ' ' || !target_form_ok(req))
        return bad(req, HP_HTTP_EBAD, "malformed request-target");
    p++;
    if (end - p < 9 || memcmp(buf + p, "HTTP/", 5) != 0 || buf[p + 5] < '0' ||
        buf[p + 5] > '9' || buf[p + 6] != '.' || buf[p + 7] < '0' || buf[p + 7] > '9')
        return bad(req, HP_HTTP_EBAD, "malformed HTTP-version");
    if (buf[p + 5] != '1')
        return bad(req, HP_HTTP_EVERSION, "HTTP version other than 1.x");
    req->version_minor = buf[p + 7] - '0';
    p += 8;
    if (buf[p] == '\r')
        p++;
    if (p >= end || buf[p] != '\n')
        return bad(req, HP_HTTP_EBAD, "junk after HTTP-version");
    p++;
    req->head = req->method_len == 4 && memcmp(req->method, "HEAD", 4) == 0;

    /* *( field-line CRLF ) CRLF */
    for (;;) {
        if (buf[p] == '\n') {
            p++;
            break;
        }
        if (buf[p] == '\r') {
            if (buf[p + 1] != '\n')
                return bad(req, HP_HTTP_EBAD, "stray CR in the head");
            p += 2;
            break;
        }
        if (buf[p] == ' ' || buf[p] == '\t')
            return bad(req, HP_HTTP_EBAD, "obsolete line folding");
        const char *name = buf + p;
        while (p < end && hp_http_is_tchar((unsigned char)buf[p]))
            p++;
        size_t name_len = (size_t)(buf + p - name);
        if (name_len == 0 || buf[p] != ':')
            return bad(req, HP_HTTP_EBAD, "malformed header name");
        p++;
        while (buf[p] == ' ' || buf[p] == '\t')
            p++;
        const char *value = buf + p;
        while (p < end && is_field_char((unsigned char)buf[p]))
            p++;
        size_t vend = p;
        if (buf[p] == '\r')
            p++;
        if (buf[p] != '\n')
            return bad(req, HP_HTTP_EBAD, "invalid character in a header value");
        p++;
        while (vend > (size_t)(value - buf) && (buf[vend - 1] == ' ' || buf[vend - 1] == '\t'))
            vend--;
        size_t vlen = vend - (size_t)(value - buf);
        req->n_headers++;

        switch (name_len) {
        case 4:
            if (name_is(name, name_len, "host"))
                hosts++;
            break;
        case 6:
            if (name_is(name, name_len, "expect") && vlen == 12 &&
                strncasecmp(value, "100-continue", 12) == 0)
                req->expect_continue = true;
            break;
        case 10:
            if (name_is(name, name_len, "connection")) {
                conn_close |= list_has(value, vlen, "close");
                conn_keep |= list_has(value, vlen, "keep-alive");
            }
            break;
        case 14:
            if (name_is(name, name_len, "content-length")) {
                int64_t n;
                if (parse_content_length(value, vlen, &n) < 0 ||
                    (have_cl && n != req->content_length))
                    return bad(req, HP_HTTP_ELENGTH, "invalid or conflicting Content-Length");
                have_cl = true;
                req->content_length = n;
            }
            break;
        case 17:
            if (name_is(name, name_len, "transfer-encoding")) {
                /* Only "chunked" alone is a length we can know (RFC 9112 6.1). */
                if (have_te || vlen != 7 || strncasecmp(value, "chunked", 7) != 0)
                    return bad(req, HP_HTTP_ELENGTH,
                               "Transfer-Encoding other than chunked: body length unknown");
                have_te = true;
                req->chunked = true;
            }
            break;
        default:
            break;
        }
    }
    if (have_te && have_cl)
        return bad(req, HP_HTTP_ELENGTH, "both Content-Length and Transfer-Encoding");
    if (have_te && req->version_minor == 0)
        return bad(req, HP_HTTP_ELENGTH, "Transfer-Encoding in an HTTP/1.0 request");
    if (req->version_minor >= 1 && hosts != 1)
        return bad(req, HP_HTTP_EBAD, hosts ? "more than one Host" : "HTTP/1.1 without Host");
    req->keep_alive = req->version_minor >= 1 ? !conn_close : (conn_keep && !conn_close);
    *scan_from = 0;
    return (int)end;
}
