/* SPDX-License-Identifier: MIT */
/* http/http_req.h - HTTP/1.1 request-head parser (RFC 9112 sections 2-7),
 * for `hotpath serve`. Hand-written because it is on the server's hot path:
 * one pass over bytes already in the connection's buffer, no allocation, no
 * copies; the request refers into the caller's buffer. Fuzzed in
 * fuzz/http_req.c and tested against nodejs/http-parser in
 * tests/unit/test_http_req.c.
 *
 * It is strict where leniency lets requests be smuggled (conflicting
 * Content-Length, Transfer-Encoding other than chunked, obs-fold, whitespace
 * before the colon) and lenient where RFC 9112 allows (bare LF line ends,
 * empty lines before the request line). */
#ifndef HP_HTTP_HTTP_REQ_H
#define HP_HTTP_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest request head (request line + headers) accepted: beyond it, 431. */
#define HP_HTTP_MAX_HEAD 8192

enum hp_http_req_status {
    HP_HTTP_INCOMPLETE = 0,      /* need more bytes */
    HP_HTTP_EBAD = -400,         /* malformed: 400 and close */
    HP_HTTP_ETOOLARGE = -431,    /* head longer than max_head: 431 and close */
    HP_HTTP_EVERSION = -505,     /* not HTTP/1.x: 505 and close */
    HP_HTTP_ELENGTH = -4001,     /* body of unknown or conflicting length: 400 and close */
};

struct hp_http_req {
    const char *method;
    size_t method_len;
    const char *target; /* request-target as sent (origin-form usually) */
    size_t target_len;
    int version_minor;  /* HTTP/1.x */
    int n_headers;
    int64_t content_length; /* -1 when absent */
    bool chunked;           /* Transfer-Encoding: chunked */
    bool keep_alive;        /* after this request, per version and Connection */
    bool expect_continue;   /* Expect: 100-continue */
    bool head;              /* method is HEAD: response has no body */
    const char *bad_reason; /* on HP_HTTP_EBAD / ELENGTH: what was wrong, for logs */
};

/* Parse the request head at buf[0..len). Returns the head's length in bytes
 * (> 0) with *req filled, HP_HTTP_INCOMPLETE, or a negative hp_http_req_status.
 * *scan_from is an offset kept by the caller between calls on the same
 * request (start at 0) so a head arriving in pieces is not rescanned. */
int hp_http_parse_request(const char *buf, size_t len, size_t max_head, size_t *scan_from,
                          struct hp_http_req *req);

#endif
