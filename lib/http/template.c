// SPDX-License-Identifier: MIT
/* http/template.c - see template.h. */
#include "http/template.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/names.h"

static int add_seg(struct hp_template *t, uint32_t off, uint32_t len, int var)
{
    if (var < 0 && len == 0)
        return 0;
    if (t->n >= HP_TEMPLATE_MAX_SEGS)
        return -1;
    /* A literal right after a literal (after "$${") extends it. */
    if (var < 0 && t->n > 0 && t->segs[t->n - 1].var < 0 &&
        t->segs[t->n - 1].off + t->segs[t->n - 1].len == off) {
        t->segs[t->n - 1].len += len;
        return 0;
    }
    t->segs[t->n++] = (struct hp_tseg){off, len, var};
    return 0;
}

int hp_template_parse(const char *src, size_t len, const char *const *vars, int n_vars,
                      struct hp_template *out, struct hp_err *err)
{
    memset(out, 0, sizeof *out);
    out->text = hp_malloc(len + 1);
    out->segs = hp_calloc(HP_TEMPLATE_MAX_SEGS, sizeof *out->segs);
    if (!out->text || !out->segs)
        return hp_err_set(err, -ENOMEM, "out of memory");
    /* text holds the literal bytes only, in order; segments index into it. */
    size_t tlen = 0, run = 0, i = 0; /* run: where the current literal starts in text */
    while (i < len) {
        if (i + 2 < len && src[i] == '$' && src[i + 1] == '$' && src[i + 2] == '{') {
            out->text[tlen++] = '$'; /* "$${": a literal "${" */
            out->text[tlen++] = '{';
            i += 3;
            continue;
        }
        if (!(i + 1 < len && src[i] == '$' && src[i + 1] == '{')) {
            out->text[tlen++] = src[i++];
            continue;
        }
        size_t close = i + 2;
        while (close < len && src[close] != '}')
            close++;
        if (close >= len)
            return hp_err_at(err, HP_EPARSE, "", 0, (int)i + 1, "'${' is not closed by '}'");
        size_t nlen = close - (i + 2);
        int var = -1;
        for (int k = 0; k < n_vars; k++)
            if (strlen(vars[k]) == nlen && memcmp(vars[k], src + i + 2, nlen) == 0)
                var = k;
        if (var < 0) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(nlen < 63 ? nlen : 63), src + i + 2);
            const char *near = n_vars ? hp_nearest(name, vars, n_vars) : NULL;
            if (n_vars == 0)
                return hp_err_at(err, HP_EPARSE, "", 0, (int)i + 1,
                                 "unknown variable '${%s}' (no data file gives variables here)",
                                 name);
            if (near)
                return hp_err_at(err, HP_EPARSE, "", 0, (int)i + 1,
                                 "unknown variable '${%s}' (did you mean ${%s}?)", name, near);
            return hp_err_at(err, HP_EPARSE, "", 0, (int)i + 1,
                             "unknown variable '${%s}' (the data file's first column is %s)",
                             name, vars[0]);
        }
        if (add_seg(out, (uint32_t)run, (uint32_t)(tlen - run), -1) < 0 ||
            add_seg(out, 0, 0, var) < 0)
            goto too_many;
        out->has_vars = true;
        run = tlen;
        i = close + 1;
    }
    if (add_seg(out, (uint32_t)run, (uint32_t)(tlen - run), -1) < 0)
        goto too_many;
    out->literal_len = tlen;
    return 0;
too_many:
    return hp_err_set(err, HP_EPARSE, "more than %d pieces of text and variables",
                      HP_TEMPLATE_MAX_SEGS);
}

void hp_template_fini(struct hp_template *t)
{
    hp_free(t->text);
    hp_free(t->segs);
    memset(t, 0, sizeof *t);
}

size_t hp_template_length(const struct hp_template *t, const uint32_t *value_lens)
{
    size_t n = t->literal_len;
    for (int i = 0; i < t->n; i++)
        if (t->segs[i].var >= 0)
            n += value_lens[t->segs[i].var];
    return n;
}

size_t hp_template_render(const struct hp_template *t, const char *const *values,
                          const uint32_t *value_lens, char *dst)
{
    char *p = dst;
    for (int i = 0; i < t->n; i++) {
        const struct hp_tseg *s = &t->segs[i];
        if (s->var >= 0) {
            memcpy(p, values[s->var], value_lens[s->var]);
            p += value_lens[s->var];
        } else {
            memcpy(p, t->text + s->off, s->len);
            p += s->len;
        }
    }
    return (size_t)(p - dst);
}
