// SPDX-License-Identifier: MIT
/* fuzz/h2_codec.c - the HTTP/2 client codec (http/h2_codec.c) against any
 * bytes a server may send. The first input byte picks how many requests
 * are in flight (1-8, one with a body), whether answers are kept (checks)
 * and the size of the pieces the rest is fed in. Invariants: every answer
 * names a slot that was sent and not yet answered; a kept answer's head
 * lies inside it; a failed stream has no status; feed() takes no more than
 * it is given; after a broken session nothing is fed again; the codec's
 * own output (acknowledgements) can always be asked for. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "http/codec.h"

#define SLOTS 8

static const char get[] = "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
static const char post[] = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int n = 1 + (data[0] & 7);
    bool keep = data[0] & 8;
    size_t step = (size_t)1 << (data[0] >> 4 & 7); /* 1..128 bytes a piece */
    data++;
    size--;

    _Alignas(16) char st[1024];
    FUZZ_ASSERT(hp_codec_h2.state_bytes <= sizeof st);
    struct hp_codec_conf conf = {.keep = keep, .slots = SLOTS};
    if (hp_codec_h2.reset(st, &conf) < 0)
        return 0;
    char reqs[1024];
    size_t len = 0;
    int slots[SLOTS];
    for (int i = 0; i < n; i++) {
        const char *r = i == 1 ? post : get;
        size_t rl = i == 1 ? sizeof post - 1 : sizeof get - 1;
        memcpy(reqs + len, r, rl);
        len += rl;
        slots[i] = SLOTS - 1 - i;
    }
    const char *wire;
    size_t wire_len;
    FUZZ_ASSERT(hp_codec_h2.encode(st, reqs, len, n, slots, &wire, &wire_len) == 0);
    FUZZ_ASSERT(wire_len > 24); /* the preface, SETTINGS and the requests' frames */
    FUZZ_ASSERT(hp_codec_h2.room(st) >= -1);

    unsigned answered = 0, sent = 0;
    for (int i = 0; i < n; i++)
        sent |= 1u << slots[i];
    bool broken = false;
    size_t pos = 0;
    while (!broken) {
        size_t chunk = size - pos < step ? size - pos : step, used;
        struct hp_answer a;
        int rc = hp_codec_h2.feed(st, (const char *)data + pos, chunk, &used, &a);
        FUZZ_ASSERT(used <= chunk);
        pos += used;
        if (rc == HP_CODEC_EBAD) {
            FUZZ_ASSERT(a.error != NULL);
            broken = true;
            break;
        }
        if (rc == HP_CODEC_ANSWER) {
            FUZZ_ASSERT(a.slot >= 0 && a.slot < SLOTS);
            FUZZ_ASSERT(sent & (1u << a.slot));
            FUZZ_ASSERT(!(answered & (1u << a.slot)));
            answered |= 1u << a.slot;
            FUZZ_ASSERT(a.fail <= HP_ANSWER_BAD);
            if (a.fail == HP_ANSWER_OK)
                FUZZ_ASSERT(a.status >= 200 && a.status <= 999);
            else
                FUZZ_ASSERT(a.status == 0);
            if (a.kept)
                FUZZ_ASSERT(a.head_bytes <= a.kept_len);
            continue;
        }
        FUZZ_ASSERT(used == chunk);
        if (pos == size)
            break;
        /* what the codec says back (SETTINGS and PING acks, window updates) */
        FUZZ_ASSERT(hp_codec_h2.encode(st, NULL, 0, 0, slots, &wire, &wire_len) == 0);
    }
    if (!broken) {
        struct hp_answer a;
        int rc;
        while ((rc = hp_codec_h2.eof(st, &a)) == HP_CODEC_ANSWER) {
            FUZZ_ASSERT(sent & (1u << a.slot) && !(answered & (1u << a.slot)));
            answered |= 1u << a.slot;
        }
        FUZZ_ASSERT(rc == HP_CODEC_MORE);
    }
    hp_codec_h2.fini(st);
    return 0;
}
