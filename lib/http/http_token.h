/* SPDX-License-Identifier: MIT */
/* http/http_token.h - character classes of HTTP's grammar shared by the
 * request and response parsers and the request builder. */
#ifndef HP_HTTP_HTTP_TOKEN_H
#define HP_HTTP_HTTP_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

/* tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA   (RFC 9110 5.6.2)
 * as a 256-bit set (bit c of word c / 64): one load and a shift per byte,
 * on the parsers' hot path. test_http_req checks it against this list. */
static inline bool hp_http_is_tchar(unsigned char c)
{
    static const uint64_t set[4] = {UINT64_C(0x03ff6cfa00000000), UINT64_C(0x57ffffffc7fffffe), 0,
                                    0};
    return (set[c >> 6] >> (c & 63)) & 1;
}

#endif
