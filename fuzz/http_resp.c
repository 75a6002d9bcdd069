// SPDX-License-Identifier: MIT
/* fuzz/http_resp.c - the response parser. The first input byte picks how
 * responses to HEAD are interleaved. Invariants: consumed counts stay inside
 * the input; feeding the bytes one at a time gives the same responses
 * (status, body length, end offset, keep-alive, head length) and the same
 * verdict as feeding them whole: the parser's runs over whole names and
 * values (taken when the bytes are at hand) agree with its byte-at-a-time
 * path. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http/http_resp.h"

#define MAX_RESP 64

struct outcome {
    int n;
    int status[MAX_RESP];
    uint64_t body[MAX_RESP];
    size_t end[MAX_RESP];
    bool keep[MAX_RESP];
    uint64_t head[MAX_RESP];
    int verdict; /* 0 more, 1 eof ok, -1 bad */
};

static void run(const char *buf, size_t len, size_t step, unsigned heads, struct outcome *o)
{
    struct hp_http_resp r;
    size_t pos = 0;
    memset(o, 0, sizeof *o);
    hp_resp_init(&r, heads & 1);
    while (pos < len && o->n < MAX_RESP) {
        size_t chunk = len - pos < step ? len - pos : step, used;
        int rc = hp_resp_feed(&r, buf + pos, chunk, &used);
        FUZZ_ASSERT(used <= chunk);
        pos += used;
        if (rc == HP_RESP_EBAD) {
            FUZZ_ASSERT(r.error != NULL);
            o->verdict = -1;
            return;
        }
        if (rc == HP_RESP_DONE) {
            o->status[o->n] = r.status;
            o->body[o->n] = r.body_bytes;
            o->end[o->n] = pos;
            o->keep[o->n] = r.keep_alive;
            o->head[o->n] = r.head_bytes;
            o->n++;
            FUZZ_ASSERT(r.status >= 100 && r.status <= 999);
            hp_resp_init(&r, (heads >> (o->n % 8)) & 1);
        } else {
            FUZZ_ASSERT(used == chunk);
        }
    }
    if (o->n < MAX_RESP && !hp_resp_idle(&r))
        o->verdict = hp_resp_eof(&r) == HP_RESP_DONE ? 1 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    unsigned heads = data[0];
    char *buf = malloc(size - 1 ? size - 1 : 1);
    memcpy(buf, data + 1, size - 1);
    struct outcome whole, bytes;
    run(buf, size - 1, size, heads, &whole);
    run(buf, size - 1, 1, heads, &bytes);
    FUZZ_ASSERT(whole.n == bytes.n);
    FUZZ_ASSERT(whole.verdict == bytes.verdict);
    for (int i = 0; i < whole.n; i++) {
        FUZZ_ASSERT(whole.status[i] == bytes.status[i]);
        FUZZ_ASSERT(whole.body[i] == bytes.body[i]);
        FUZZ_ASSERT(whole.end[i] == bytes.end[i]);
        FUZZ_ASSERT(whole.keep[i] == bytes.keep[i]);
        FUZZ_ASSERT(whole.head[i] == bytes.head[i]);
    }
    free(buf);
    return 0;
}
