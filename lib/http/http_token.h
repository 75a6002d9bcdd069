/* SPDX-License-Identifier: MIT */
/* http/http_token.h - character classes of HTTP's grammar shared by the
 * request and response parsers and the request builder. */
#ifndef HP_HTTP_HTTP_TOKEN_H
#define HP_HTTP_HTTP_TOKEN_H

#include <stdbool.h>
#include <string.h>

/* tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA   (RFC 9110 5.6.2) */
static inline bool hp_http_is_tchar(unsigned char c)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c && memchr(extra, c, sizeof extra - 1) != NULL;
}

#endif
