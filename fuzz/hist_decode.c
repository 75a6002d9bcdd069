// SPDX-License-Identifier: MIT
/* fuzz/hist_decode.c - HdrHistogram V2 base64 decoding. Invariants: whatever
 * decodes re-encodes and decodes to an equal histogram. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "fuzz.h"
#include "stat/hist_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hp_hist *h = NULL, *back = NULL;
    char *text = NULL;
    char *in = malloc(size ? size : 1);
    memcpy(in, data, size);
    if (hp_hist_decode(in, size, &h, NULL) == 0) {
        int64_t sum = 0;
        for (int i = 0; i < h->counts_len; i++)
            sum += h->counts[i];
        FUZZ_ASSERT(sum == h->total_count);
        FUZZ_ASSERT(hp_hist_encode(h, &text) == 0);
        FUZZ_ASSERT(hp_hist_decode(text, strlen(text), &back, NULL) == 0);
        FUZZ_ASSERT(hp_hist_equal(h, back));
        (void)hp_hist_value_at_percentile(h, 99.9);
    }
    hp_free(text);
    hp_hist_free(back);
    hp_hist_free(h);
    free(in);
    return 0;
}
