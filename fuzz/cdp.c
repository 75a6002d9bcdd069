// SPDX-License-Identifier: MIT
/* fuzz/cdp.c - the DevTools pipe reader on hostile bytes, fed in pieces
 * whose sizes the input's first byte picks. Invariants: every message it
 * yields is a JSON object whose kind is one of the four; a refusal has a
 * message; after -E2BIG nothing more is read; the bytes it holds never pass
 * its limit plus one piece; the same stream fed whole yields the same
 * messages in the same order. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "page/cdp.h"

#define LIMIT 4096

/* Read everything fed so far; the kinds yielded appended to kinds. */
static int drain(struct hp_cdp_reader *r, char *kinds, size_t *nk, size_t cap)
{
    for (;;) {
        json_t *m = NULL;
        struct hp_err err = {0};
        int rc = hp_cdp_reader_next(r, &m, &err);
        if (rc == 0)
            return 0;
        if (rc == 1) {
            FUZZ_ASSERT(json_is_object(m));
            enum hp_cdp_kind k = hp_cdp_kind(m, NULL);
            FUZZ_ASSERT(k >= HP_CDP_INVALID && k <= HP_CDP_EVENT);
            if (*nk < cap)
                kinds[(*nk)++] = (char)('0' + k);
            json_decref(m);
            continue;
        }
        FUZZ_ASSERT(err.msg[0] != '\0');
        if (rc == -E2BIG)
            return -1;
        FUZZ_ASSERT(rc == HP_EPARSE);
        if (*nk < cap)
            kinds[(*nk)++] = 'x';
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = 1 + data[0] % 64;
    data++;
    size--;
    static char a[1 << 16], b[1 << 16];
    size_t na = 0, nb = 0;
    struct hp_cdp_reader r;
    hp_cdp_reader_init(&r, LIMIT);
    bool lost = false;
    for (size_t at = 0; at < size && !lost; at += piece) {
        size_t n = size - at < piece ? size - at : piece;
        FUZZ_ASSERT(hp_cdp_reader_feed(&r, data + at, n) == 0);
        lost = drain(&r, a, &na, sizeof a) < 0;
        FUZZ_ASSERT(lost || r.len <= LIMIT + piece);
    }
    hp_cdp_reader_fini(&r);
    if (lost)
        return 0; /* whole, the limit may strike at another point */
    hp_cdp_reader_init(&r, LIMIT);
    FUZZ_ASSERT(hp_cdp_reader_feed(&r, data, size) == 0);
    bool lost_b = drain(&r, b, &nb, sizeof b) < 0;
    hp_cdp_reader_fini(&r);
    FUZZ_ASSERT(!lost_b && na == nb && memcmp(a, b, na) == 0);
    return 0;
}
