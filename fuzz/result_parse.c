// SPDX-License-Identifier: MIT
/* fuzz/result_parse.c - the result-document reader. Invariants: a document
 * that loads serialises and loads again; errors always carry a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/result.h"
#include "stat/hist_result.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hp_result *r = NULL, *again = NULL;
    struct hp_err err = {0};
    char *text = NULL;

    if (hp_result_parse((const char *)data, size, "fuzz.json", &r, &err) == 0) {
        FUZZ_ASSERT(hp_result_kind(r) != NULL);
        FUZZ_ASSERT(hp_result_dumps(r, &text) == 0);
        FUZZ_ASSERT(hp_result_parse(text, strlen(text), "again.json", &again, NULL) == 0);
        json_t *hists = json_object_get(hp_result_json(r), "histograms");
        const char *key;
        json_t *v;
        json_object_foreach(hists, key, v) {
            struct hp_hist *h = NULL;
            if (hp_result_get_histogram(r, key, &h, NULL) == 0)
                hp_hist_free(h);
        }
    } else {
        FUZZ_ASSERT(err.msg[0] != '\0');
    }
    hp_free(text);
    hp_result_free(again);
    hp_result_free(r);
    return 0;
}
