// SPDX-License-Identifier: MIT
/* fuzz/segment.c - the segment flags (--segment I/N, --execution-segment
 * A:B, --execution-segment-sequence): the input's first line is the
 * segment, the second the sequence. Invariants: a part that parses deals
 * out ascending indices it owns, its share of n lies in 0..n, and its
 * fraction in (0, 1]; anything else is refused with a message. */
#include <string.h>

#include "fuzz.h"
#include "load/segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[600];
    if (size >= sizeof buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *seq = strchr(buf, '\n');
    if (seq)
        *seq++ = 0;
    struct hp_segment s;
    struct hp_err err = {0};
    int rc = seq ? hp_segment_parse_k6(buf, seq, &s, &err) : hp_segment_parse_part(buf, &s, &err);
    if (rc != 0) {
        FUZZ_ASSERT(err.msg[0] != '\0');
        if (!seq && hp_segment_parse_k6(buf, NULL, &s, &err) != 0)
            return 0;
        if (!seq)
            rc = 0;
    }
    if (rc != 0)
        return 0;
    double f = hp_segment_fraction(&s);
    FUZZ_ASSERT(f > 0 && f <= 1);
    int64_t prev = -1;
    for (int64_t k = 0; k < 64; k++) {
        int64_t i = hp_segment_index(&s, k);
        FUZZ_ASSERT(i > prev && hp_segment_has(&s, i));
        prev = i;
    }
    for (int64_t n = 0; n < 50; n++) {
        int64_t c = hp_segment_share(&s, n);
        FUZZ_ASSERT(c >= 0 && c <= n);
    }
    hp_segment_free(&s);
    return 0;
}
