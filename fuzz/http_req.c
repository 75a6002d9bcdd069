// SPDX-License-Identifier: MIT
/* fuzz/http_req.c - the request-head parser and the chunked decoder.
 * Invariants: results stay inside the input; parsing a head that arrives one
 * byte at a time finds the same head as parsing it whole; the chunked decoder
 * gives the same body and end however its input is split. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http/chunked.h"
#include "http/http_req.h"

static void check_request(const char *buf, size_t len)
{
    struct hp_http_req whole, part;
    size_t scan = 0;
    int rc = hp_http_parse_request(buf, len, HP_HTTP_MAX_HEAD, &scan, &whole);
    FUZZ_ASSERT(rc <= (int)len);
    if (rc > 0) {
        FUZZ_ASSERT(whole.method >= buf && whole.method + whole.method_len <= buf + rc);
        FUZZ_ASSERT(whole.target >= buf && whole.target + whole.target_len <= buf + rc);
        FUZZ_ASSERT(whole.method_len > 0 && whole.target_len > 0);
        FUZZ_ASSERT(!(whole.chunked && whole.content_length >= 0));
    }
    /* Incremental: feed growing prefixes with the caller's scan offset. */
    scan = 0;
    for (size_t k = 1; k <= len; k++) {
        int r = hp_http_parse_request(buf, k, HP_HTTP_MAX_HEAD, &scan, &part);
        if (r == HP_HTTP_INCOMPLETE)
            continue;
        if (rc > 0 && r > 0) {
            FUZZ_ASSERT(r == rc);
            FUZZ_ASSERT(part.content_length == whole.content_length);
            FUZZ_ASSERT(part.keep_alive == whole.keep_alive);
        }
        if (rc > 0)
            FUZZ_ASSERT(r == rc); /* a complete head cannot fail on a prefix */
        break;
    }
}

static void check_chunked(const char *buf, size_t len)
{
    struct hp_chunked a, b;
    uint64_t body_a = 0, body_b = 0;
    size_t end_a = 0, end_b = 0;
    int ra = HP_CHUNKED_MORE, rb = HP_CHUNKED_MORE;
    size_t pos = 0;

    hp_chunked_init(&a);
    while (pos < len) {
        size_t used;
        const char *d;
        size_t dl;
        ra = hp_chunked_feed(&a, buf + pos, len - pos, &used, &d, &dl);
        FUZZ_ASSERT(used <= len - pos);
        if (d)
            FUZZ_ASSERT(d >= buf + pos && d + dl <= buf + pos + used);
        body_a += dl;
        pos += used;
        if (ra != HP_CHUNKED_MORE)
            break;
        if (used == 0 && !d)
            break;
    }
    end_a = pos;
    /* One byte at a time. */
    hp_chunked_init(&b);
    for (pos = 0; pos < len;) {
        size_t used;
        const char *d;
        size_t dl;
        rb = hp_chunked_feed(&b, buf + pos, 1, &used, &d, &dl);
        body_b += dl;
        pos += used;
        if (rb != HP_CHUNKED_MORE)
            break;
        if (used == 0)
            break;
    }
    end_b = pos;
    FUZZ_ASSERT(ra == rb);
    FUZZ_ASSERT(body_a == body_b);
    if (ra == HP_CHUNKED_DONE)
        FUZZ_ASSERT(end_a == end_b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    /* Copy so reads past the end are caught by ASan. */
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    check_request(buf, size);
    check_chunked(buf, size);
    free(buf);
    return 0;
}
