// SPDX-License-Identifier: MIT
/* http/url.c - target URLs and request bytes. */
#include "http/url.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/alloc.h"
#include "core/result.h"
#include "http/http_token.h"

static int parse_url(const char *text, const char *shown, struct hp_url *out, struct hp_err *err)
{
    const char *p;

    memset(out, 0, sizeof *out);
    if (strncasecmp(text, "https://", 8) == 0) {
        out->tls = true;
        p = text + 8;
    } else if (strncasecmp(text, "http://", 7) == 0) {
        p = text + 7;
    } else {
        return hp_err_set(err, HP_EPARSE, "'%s': expected a URL like http://host:port/path", shown);
    }
    size_t auth_len = strcspn(p, "/?#");
    if (auth_len == 0)
        return hp_err_set(err, HP_EPARSE, "'%s': no host in the URL", shown);
    if (memchr(p, '@', auth_len))
        return hp_err_set(err, HP_EPARSE,
                          "'%s': credentials in the URL are not supported "
                          "(send an Authorization header with -H)",
                          shown);
    const char *auth_end = p + auth_len, *port_at = NULL;
    if (*p == '[') {
        const char *close = memchr(p, ']', auth_len);
        if (!close)
            return hp_err_set(err, HP_EPARSE, "'%s': unclosed [ in the host", shown);
        snprintf(out->host, sizeof out->host, "%.*s", (int)(close - p - 1), p + 1);
        if (close + 1 < auth_end) {
            if (close[1] != ':')
                return hp_err_set(err, HP_EPARSE, "'%s': junk after the IPv6 address", shown);
            port_at = close + 2;
        }
    } else {
        const char *colon = memchr(p, ':', auth_len);
        size_t hlen = colon ? (size_t)(colon - p) : auth_len;
        if (hlen == 0 || hlen >= sizeof out->host)
            return hp_err_set(err, HP_EPARSE, "'%s': host name empty or too long", shown);
        snprintf(out->host, sizeof out->host, "%.*s", (int)hlen, p);
        if (colon)
            port_at = colon + 1;
    }
    out->port = out->tls ? 443 : 80;
    if (port_at) {
        char *end;
        long port = strtol(port_at, &end, 10);
        if (port_at == auth_end || end != auth_end || port < 1 || port > 65535)
            return hp_err_set(err, HP_EPARSE, "'%s': port is not a number 1-65535", shown);
        out->port = (int)port;
    }
    snprintf(out->authority, sizeof out->authority, "%.*s", (int)auth_len, p);
    const char *rest = auth_end;
    size_t tlen = strcspn(rest, "#");
    if (tlen == 0) {
        snprintf(out->target, sizeof out->target, "/");
    } else {
        if (tlen >= sizeof out->target - 1)
            return hp_err_set(err, HP_ERANGE, "'%.40s...': URL longer than %d bytes", shown,
                              HP_URL_MAX);
        snprintf(out->target, sizeof out->target, "%s%.*s", rest[0] == '?' ? "/" : "", (int)tlen,
                 rest);
    }
    for (const char *t = out->target; *t; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
            return hp_err_set(err, HP_EPARSE,
                              "'%s': the path has a space or control character (escape it as %%XX)",
                              shown);
    return 0;
}

int hp_url_parse(const char *text, struct hp_url *out, struct hp_err *err)
{
    /* Messages show the URL with its password and secret query values
     * redacted: they go to terminals and CI logs. */
    char *shown = hp_redact_value("url", text);
    int rc = parse_url(text, shown ? shown : "(the URL)", out, err);
    hp_free(shown);
    return rc;
}

int hp_url_addr(const struct hp_url *url, struct hp_addr *out, struct hp_err *err)
{
    char addr[300];
    snprintf(addr, sizeof addr, strchr(url->host, ':') ? "[%s]:%d" : "%s:%d", url->host, url->port);
    return hp_addr_parse(addr, out, err);
}

static bool has_header(const char *const *headers, int n, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < n; i++)
        if (strncasecmp(headers[i], name, len) == 0 && headers[i][len] == ':')
            return true;
    return false;
}

int hp_request_build(const char *method, const struct hp_url *url, const char *const *headers,
                     int n_headers, const char *body, size_t body_len, char **out, size_t *out_len,
                     struct hp_err *err)
{
    size_t cap = strlen(method) + strlen(url->target) + strlen(url->authority) + body_len + 128;
    for (int i = 0; i < n_headers; i++) {
        const char *h = headers[i];
        const char *colon = strchr(h, ':');
        if (!colon || colon == h)
            return hp_err_set(err, HP_EPARSE, "header '%s': expected 'Name: value'", h);
        for (const char *q = h; q < colon; q++)
            if (!hp_http_is_tchar((unsigned char)*q))
                return hp_err_set(err, HP_EPARSE, "header '%s': invalid character in the name", h);
        if (strpbrk(h, "\r\n"))
            return hp_err_set(err, HP_EPARSE, "header '%.40s': CR or LF inside a header", h);
        cap += strlen(h) + 2;
    }
    for (const char *m = method; *m; m++)
        if (!hp_http_is_tchar((unsigned char)*m))
            return hp_err_set(err, HP_EPARSE, "method '%s' is not an HTTP token", method);
    char *buf = hp_malloc(cap);
    if (!buf)
        return hp_err_set(err, -ENOMEM, "out of memory");
    size_t n = (size_t)snprintf(buf, cap, "%s %s HTTP/1.1\r\n", method, url->target);
    if (!has_header(headers, n_headers, "Host"))
        n += (size_t)snprintf(buf + n, cap - n, "Host: %s\r\n", url->authority);
    for (int i = 0; i < n_headers; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s\r\n", headers[i]);
    bool wants_length = body_len > 0 || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
                        strcmp(method, "PATCH") == 0;
    if (wants_length && !has_header(headers, n_headers, "Content-Length"))
        n += (size_t)snprintf(buf + n, cap - n, "Content-Length: %zu\r\n", body_len);
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    if (body_len)
        memcpy(buf + n, body, body_len);
    *out = buf;
    *out_len = n + body_len;
    return 0;
}
