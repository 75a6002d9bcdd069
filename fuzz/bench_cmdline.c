// SPDX-License-Identifier: MIT
/* fuzz/bench_cmdline.c - bench's command lines: the shell-word splitter and
 * the parameter expansion. The first byte picks the part.
 * Invariants: a split either fails at a column inside the text or gives
 * words that, each quoted back ('...' with '\'' for a quote) and joined by
 * spaces, split to the same words; an expansion either fails with a reason
 * or gives commands x values commands, each with its parameters sorted and
 * no {NAME} of theirs left where the text had one. */
#include <string.h>

#include "bench/cmdline.h"
#include "core/alloc.h"
#include "fuzz.h"

static void split(const char *s)
{
    char **v, **w;
    int n, m;
    struct hp_err err = {0};
    if (hp_shell_split(s, &v, &n, &err) < 0) {
        FUZZ_ASSERT(err.msg[0]);
        return;
    }
    FUZZ_ASSERT(v[n] == NULL);
    size_t cap = 8;
    for (int i = 0; i < n; i++)
        cap += 4 * strlen(v[i]) + 3;
    char *back = hp_malloc(cap), *o = back;
    FUZZ_ASSERT(back);
    for (int i = 0; i < n; i++) {
        *o++ = '\'';
        for (const char *c = v[i]; *c; c++) {
            if (*c == '\'') {
                memcpy(o, "'\\''", 4);
                o += 4;
            } else {
                *o++ = *c;
            }
        }
        *o++ = '\'';
        *o++ = ' ';
    }
    *o = '\0';
    FUZZ_ASSERT(hp_shell_split(back, &w, &m, &err) == 0);
    FUZZ_ASSERT(m == n);
    for (int i = 0; i < n; i++)
        FUZZ_ASSERT(strcmp(v[i], w[i]) == 0);
    hp_free(back);
    hp_free(v);
    hp_free(w);
}

static void expand(const char *s, int mode)
{
    /* "LINE\nA\nB\nC": a line, then a scan's min, max, step or two lists */
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    char *part[4] = {buf, NULL, NULL, NULL};
    for (int i = 1; i < 4; i++) {
        char *nl = part[i - 1] ? strchr(part[i - 1], '\n') : NULL;
        if (!nl)
            break;
        *nl = '\0';
        part[i] = nl + 1;
    }
    const char *lines[] = {part[0], "x {a} {b} {v}"};
    struct hp_param_list lists[] = {{"a", part[1] ? part[1] : ""}, {"b", part[2] ? part[2] : ""}};
    struct hp_cmd_spec sp = {.lines = lines, .nlines = 2};
    if (mode) {
        sp.scan_name = "v";
        sp.scan_min = part[1] ? part[1] : "0";
        sp.scan_max = part[2] ? part[2] : "3";
        sp.scan_step = part[3];
    } else {
        sp.lists = lists;
        sp.nlists = 2;
    }
    struct hp_bench_cmd *c;
    int n;
    struct hp_err err = {0};
    if (hp_bench_cmds(&sp, &c, &n, &err) < 0) {
        FUZZ_ASSERT(err.msg[0]);
        return;
    }
    FUZZ_ASSERT(n >= 0 && n % 2 == 0 && n <= HP_PARAM_VALUES);
    for (int i = 0; i < n; i++) {
        FUZZ_ASSERT(c[i].line && c[i].name);
        for (int k = 1; k < c[i].nparams; k++)
            FUZZ_ASSERT(strcmp(c[i].params[k - 1].name, c[i].params[k].name) <= 0);
        if (i % 2 == 1 && c[i].nparams > 0) /* "x {a} {b} {v}": only x and values left */
            FUZZ_ASSERT(strncmp(c[i].line, "x ", 2) == 0);
    }
    hp_bench_cmds_free(c, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 400)
        return 0;
    char s[401];
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    if (strlen(s) != size - 1)
        return 0;
    switch (data[0] % 3) {
    case 0: split(s); break;
    case 1: expand(s, 0); break;
    default: expand(s, 1); break;
    }
    return 0;
}
