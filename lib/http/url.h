/* SPDX-License-Identifier: MIT */
/* http/url.h - http:// URLs as load targets, and the request bytes a load
 * test sends. */
#ifndef HP_HTTP_URL_H
#define HP_HTTP_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "io/addr.h"

#define HP_URL_MAX 2048

struct hp_url {
    char host[256];      /* without brackets for IPv6 */
    int port;            /* 80, or 443 for https, unless given */
    bool tls;            /* https:// */
    char authority[300]; /* Host header value: "host", "host:port", "[v6]:port" */
    char target[HP_URL_MAX]; /* path and query, "/" at least */
};

/* Parse "http[s]://host[:port][/path][?query]". Fragments are dropped. */
int hp_url_parse(const char *text, struct hp_url *out, struct hp_err *err);

/* Resolve the URL's host and port into a socket address. */
int hp_url_addr(const struct hp_url *url, struct hp_addr *out, struct hp_err *err);

/* Build "METHOD TARGET HTTP/1.1", Host (unless headers carry one), the
 * headers ("Name: value" each), Content-Length when body_len > 0 (or the
 * method is POST/PUT/PATCH), the empty line and the body. Returns the
 * length and sets *out (hp_free), or a negative code with err filled (a
 * header without a colon, CR or LF inside a header). */
int hp_request_build(const char *method, const struct hp_url *url, const char *const *headers,
                     int n_headers, const char *body, size_t body_len, char **out,
                     size_t *out_len, struct hp_err *err);

#endif
