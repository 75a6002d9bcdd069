// SPDX-License-Identifier: MIT
/* fuzz/prof_stacks.c - the folded-stack and perf-script readers on any
 * bytes. Invariants: a read either succeeds or says why; what was read,
 * written as folded stacks and read again, writes the same bytes (the
 * folded form is canonical), with the same sample count; a flame graph of
 * it draws no more frames than the tree has. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "prof/flame.h"
#include "prof/stacks.h"

static char *folded(struct hp_stacks *s, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    FUZZ_ASSERT(f);
    FUZZ_ASSERT(hp_stacks_sort(s) == 0);
    FUZZ_ASSERT(hp_stacks_write_folded(s, 0, f) == 0);
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hp_stacks s, t;
    struct hp_err err;
    if (hp_stacks_init(&s) < 0)
        abort();
    if (hp_stacks_parse(&s, "fuzz", (const char *)data, size, 0, NULL, &err) == 0) {
        size_t n1, n2;
        char *a = folded(&s, &n1);
        if (hp_stacks_init(&t) < 0)
            abort();
        FUZZ_ASSERT(hp_stacks_parse(&t, "again", a, n1, 0, NULL, &err) == 0);
        char *b = folded(&t, &n2);
        FUZZ_ASSERT(n1 == n2 && memcmp(a, b, n1) == 0);
        FUZZ_ASSERT(s.nodes[HP_STACKS_ROOT].total[0] == t.nodes[HP_STACKS_ROOT].total[0] ||
                    n1 == 0);
        char *svg = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&svg, &len);
        uint64_t frames = 0;
        struct hp_flame_opts o = {.icicle = size & 1};
        FUZZ_ASSERT(f && hp_flame_svg(&s, &o, f, &frames) == 0);
        fclose(f);
        FUZZ_ASSERT(frames <= s.nnodes);
        free(svg);
        free(a);
        free(b);
        hp_stacks_fini(&t);
    }
    hp_stacks_fini(&s);
    return 0;
}
