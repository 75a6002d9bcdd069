// SPDX-License-Identifier: MIT
/* fuzz/merge.c - hotpath merge on hostile parts: the input is two result
 * documents separated by a NUL byte (or one, merged with itself).
 * Invariants: parts that load are either merged into a document that
 * serialises, with a whole that judges every selection, or refused with a
 * message; nothing crashes or leaks. */
#include <string.h>

#include "core/alloc.h"
#include "core/result.h"
#include "fuzz.h"
#include "load/merge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, 0, size);
    size_t a_len = nul ? (size_t)(nul - text) : size;
    const char *b = nul ? nul + 1 : text;
    size_t b_len = nul ? size - a_len - 1 : size;
    struct hp_result *docs[2] = {NULL, NULL};
    const char *names[2] = {"a.json", "b.json"};
    if (hp_result_parse(text, a_len, "a.json", &docs[0], NULL) != 0 ||
        hp_result_parse(b, b_len, "b.json", &docs[1], NULL) != 0)
        goto out;
    static struct hp_load_merged m;
    struct hp_err err = {0};
    for (int n = 1; n <= 2; n++) {
        if (hp_load_merge(docs, names, n, &m, &err) == 0) {
            char *s = NULL;
            FUZZ_ASSERT(hp_result_dumps(m.doc, &s) == 0 && s);
            hp_free(s);
            FUZZ_ASSERT(hp_load_merged_select(&m, "", "") != NULL);
            (void)hp_load_merged_select(&m, "scenario", "browse");
            (void)hp_load_merged_select(&m, "name", "login");
            (void)hp_load_merged_select(&m, "check", "status is 200");
            hp_load_merged_free(&m);
        } else {
            FUZZ_ASSERT(err.msg[0] != '\0');
        }
    }
out:
    hp_result_free(docs[0]);
    hp_result_free(docs[1]);
    return 0;
}
