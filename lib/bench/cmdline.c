// SPDX-License-Identifier: MIT
/* bench/cmdline.c - see cmdline.h. */
#include "bench/cmdline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

/* ---- words ------------------------------------------------------------- */

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

int hp_shell_split(const char *line, char ***argv, int *argc, struct hp_err *err)
{
    size_t len = strlen(line);
    /* at most len / 2 + 1 words; their bytes fit in len + words */
    size_t max_words = len / 2 + 2;
    char **v = hp_malloc(max_words * sizeof *v + len + max_words);
    if (!v)
        return hp_err_set(err, -ENOMEM, "out of memory");
    char *buf = (char *)(v + max_words), *o = buf;
    int n = 0;
    const char *p = line;
    for (;;) {
        while (blank(*p))
            p++;
        if (!*p)
            break;
        if (*p == '#') { /* a comment to the end of the line */
            while (*p && *p != '\n')
                p++;
            continue;
        }
        v[n++] = o;
        while (*p && !blank(*p)) {
            if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');
                if (!q) {
                    hp_free(v);
                    return hp_err_set(err, HP_EPARSE, "column %d: a ' that is never closed",
                                      (int)(p - line) + 1);
                }
                memcpy(o, p + 1, (size_t)(q - p - 1));
                o += q - p - 1;
                p = q + 1;
            } else if (*p == '"') {
                const char *open = p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
                        if (p[1] != '\n')
                            *o++ = p[1];
                        p += 2;
                    } else {
                        *o++ = *p++;
                    }
                }
                if (!*p) {
                    hp_free(v);
                    return hp_err_set(err, HP_EPARSE, "column %d: a \" that is never closed",
                                      (int)(open - line) + 1);
                }
                p++;
            } else if (*p == '\\') {
                if (!p[1]) { /* a trailing backslash stands for itself */
                    *o++ = '\\';
                    p++;
                } else {
                    if (p[1] != '\n')
                        *o++ = p[1];
                    p += 2;
                }
            } else {
                *o++ = *p++;
            }
        }
        *o++ = '\0';
    }
    v[n] = NULL;
    *argv = v;
    *argc = n;
    return 0;
}

/* ---- parameters -------------------------------------------------------- */

char *hp_param_subst(const char *text, const struct hp_param *params, int n)
{
    size_t cap = strlen(text) + 1, len = 0;
    for (int i = 0; i < n; i++)
        cap += 8 * strlen(params[i].value) + 8;
    char *out = hp_malloc(cap);
    if (!out)
        return NULL;
    const char *p = text;
    while (*p) {
        int hit = -1;
        size_t klen = 0;
        if (*p == '{')
            for (int i = 0; i < n && hit < 0; i++) {
                size_t nl = strlen(params[i].name);
                if (strncmp(p + 1, params[i].name, nl) == 0 && p[1 + nl] == '}') {
                    hit = i;
                    klen = nl + 2;
                }
            }
        if (hit >= 0) {
            size_t vl = strlen(params[hit].value);
            if (len + vl + 1 > cap) {
                char *bigger = hp_realloc(out, (cap = 2 * cap + vl));
                if (!bigger) {
                    hp_free(out);
                    return NULL;
                }
                out = bigger;
            }
            memcpy(out + len, params[hit].value, vl);
            len += vl;
            p += klen;
        } else {
            if (len + 2 > cap) {
                char *bigger = hp_realloc(out, (cap = 2 * cap));
                if (!bigger) {
                    hp_free(out);
                    return NULL;
                }
                out = bigger;
            }
            out[len++] = *p++;
        }
    }
    out[len] = '\0';
    return out;
}

/* A decimal as rust_decimal keeps it: mantissa and scale (digits after the
 * point), so that 0 + 0.1 prints as 0.1 and 0.9 + 0.1 as 1.0. */
struct dec {
    int64_t m;
    int scale;
};

static bool parse_i32(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 10)
        return false;
    long long v = strtoll(s, NULL, 10);
    if (v < INT32_MIN || v > INT32_MAX)
        return false;
    *out = v;
    return true;
}

static bool parse_dec(const char *s, struct dec *out)
{
    const char *p = s;
    bool neg = *p == '-';
    if (*p == '+' || *p == '-')
        p++;
    int64_t m = 0;
    int scale = 0, digits = 0;
    bool point = false;
    for (; *p; p++) {
        if (*p == '.' && !point) {
            point = true;
            continue;
        }
        if (*p < '0' || *p > '9')
            return false;
        if (++digits > 18)
            return false;
        m = m * 10 + (*p - '0');
        scale += point;
    }
    if (digits == 0)
        return false;
    out->m = neg ? -m : m;
    out->scale = scale;
    return true;
}

static int64_t pow10i(int k)
{
    int64_t r = 1;
    while (k-- > 0)
        r *= 10;
    return r;
}

/* a and b at the larger scale; false past int64's reach */
static bool align(struct dec *a, struct dec *b)
{
    while (a->scale < b->scale) {
        if (a->m > INT64_MAX / 10 || a->m < INT64_MIN / 10)
            return false;
        a->m *= 10;
        a->scale++;
    }
    while (b->scale < a->scale) {
        if (b->m > INT64_MAX / 10 || b->m < INT64_MIN / 10)
            return false;
        b->m *= 10;
        b->scale++;
    }
    return true;
}

static void dec_format(struct dec d, char *buf, size_t size)
{
    if (d.scale == 0) {
        snprintf(buf, size, "%" PRId64, d.m);
        return;
    }
    int64_t p = pow10i(d.scale);
    uint64_t a = d.m < 0 ? (uint64_t)(-(d.m + 1)) + 1 : (uint64_t)d.m;
    snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64, d.m < 0 ? "-" : "", a / (uint64_t)p, d.scale,
             a % (uint64_t)p);
}

/* The values of -P as strings, hyperfine's way: whole numbers when min, max
 * and step (default 1) all read as 32-bit integers, else decimals. */
static int scan_values(const struct hp_cmd_spec *s, char ***out, int *n, struct hp_err *err)
{
    int64_t a, b, st = 1;
    char **v = NULL;
    int count = 0;
    if (parse_i32(s->scan_min, &a) && parse_i32(s->scan_max, &b) &&
        (!s->scan_step || parse_i32(s->scan_step, &st))) {
        if (b < a)
            return hp_err_set(err, HP_EUSAGE, "--parameter-scan %s %s %s: an empty range",
                              s->scan_name, s->scan_min, s->scan_max);
        if (st == 0)
            return hp_err_set(err, HP_EUSAGE, "--parameter-step-size 0: zero is not a step");
        if (st < 0 || (b - a) / st + 1 > HP_PARAM_VALUES)
            return hp_err_set(err, HP_EUSAGE, "--parameter-scan %s %s %s: more than %d values",
                              s->scan_name, s->scan_min, s->scan_max, HP_PARAM_VALUES);
        int64_t k = (b - a) / st + 1;
        v = hp_calloc((size_t)k, sizeof *v);
        if (!v)
            return hp_err_set(err, -ENOMEM, "out of memory");
        for (int64_t x = a; x <= b; x += st) {
            char buf[24];
            snprintf(buf, sizeof buf, "%" PRId64, x);
            if (!(v[count++] = hp_strdup(buf)))
                goto nomem;
        }
        *out = v;
        *n = count;
        return 0;
    }
    struct dec lo, hi, step;
    if (!parse_dec(s->scan_min, &lo) || !parse_dec(s->scan_max, &hi))
        return hp_err_set(err, HP_EUSAGE, "--parameter-scan %s %s %s: not numbers", s->scan_name,
                          s->scan_min, s->scan_max);
    if (!s->scan_step)
        return hp_err_set(err, HP_EUSAGE,
                          "--parameter-scan %s %s %s: a decimal range needs a step: "
                          "-D/--parameter-step-size DELTA",
                          s->scan_name, s->scan_min, s->scan_max);
    if (!parse_dec(s->scan_step, &step))
        return hp_err_set(err, HP_EUSAGE, "--parameter-step-size %s: not a number", s->scan_step);
    struct dec a2 = lo, b2 = hi, s2 = step;
    if (!align(&a2, &b2) || !align(&a2, &s2) || !align(&b2, &s2))
        return hp_err_set(err, HP_EUSAGE, "--parameter-scan: too many digits");
    if (b2.m < a2.m)
        return hp_err_set(err, HP_EUSAGE, "--parameter-scan %s %s %s: an empty range", s->scan_name,
                          s->scan_min, s->scan_max);
    if (s2.m <= 0)
        return hp_err_set(err, HP_EUSAGE, "--parameter-step-size %s: %s", s->scan_step,
                          s2.m == 0 ? "zero is not a step" : "must be above zero");
    int64_t span;
    if (__builtin_sub_overflow(b2.m, a2.m, &span))
        return hp_err_set(err, HP_EUSAGE, "--parameter-scan: too many digits");
    if (span / s2.m + 1 > HP_PARAM_VALUES)
        return hp_err_set(err, HP_EUSAGE, "--parameter-scan %s %s %s: more than %d values",
                          s->scan_name, s->scan_min, s->scan_max, HP_PARAM_VALUES);
    int64_t k = span / s2.m + 1;
    v = hp_calloc((size_t)k, sizeof *v);
    if (!v)
        return hp_err_set(err, -ENOMEM, "out of memory");
    /* the first value keeps min's own scale; each sum has the larger one */
    struct dec x = lo;
    for (int64_t i = 0; i < k; i++) {
        char buf[48];
        dec_format(x, buf, sizeof buf);
        if (!(v[count++] = hp_strdup(buf)))
            goto nomem;
        if (i + 1 == k)
            break; /* no step past the last: it could leave int64's reach */
        struct dec st2 = step;
        align(&x, &st2);
        x.m += st2.m;
    }
    *out = v;
    *n = count;
    return 0;
nomem:
    for (int i = 0; i < count; i++)
        hp_free(v[i]);
    hp_free(v);
    return hp_err_set(err, -ENOMEM, "out of memory");
}

/* -L's values: split at commas, \, and \\ escaped (hyperfine's tokenize). */
static int list_values(const char *s, char ***out, int *n, struct hp_err *err)
{
    int count = 1;
    for (const char *p = s; *p; p++) {
        if (*p == '\\' && (p[1] == ',' || p[1] == '\\'))
            p++;
        else if (*p == ',')
            count++;
    }
    char **v = hp_calloc((size_t)count, sizeof *v);
    char *buf = hp_malloc(strlen(s) + 1);
    if (!v || !buf) {
        hp_free(v);
        hp_free(buf);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    int k = 0;
    char *o = buf;
    for (const char *p = s;; p++) {
        if (*p == '\\' && (p[1] == ',' || p[1] == '\\')) {
            *o++ = *++p;
        } else if (*p == ',' || !*p) {
            *o = '\0';
            v[k] = hp_strdup(buf);
            if (!v[k++]) {
                for (int i = 0; i < k; i++)
                    hp_free(v[i]);
                hp_free(v);
                hp_free(buf);
                return hp_err_set(err, -ENOMEM, "out of memory");
            }
            o = buf;
            if (!*p)
                break;
        } else {
            *o++ = *p;
        }
    }
    hp_free(buf);
    *out = v;
    *n = count;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct hp_param *)a)->name, ((const struct hp_param *)b)->name);
}

void hp_bench_cmds_free(struct hp_bench_cmd *cmds, int n)
{
    if (!cmds)
        return;
    for (int i = 0; i < n; i++) {
        hp_free(cmds[i].line);
        hp_free(cmds[i].name);
        for (int j = 0; j < cmds[i].nparams; j++)
            hp_free(cmds[i].params[j].value);
    }
    hp_free(cmds);
}

int hp_bench_cmds(const struct hp_cmd_spec *spec, struct hp_bench_cmd **out, int *n,
                  struct hp_err *err)
{
    int nparams = spec->scan_name ? 1 : spec->nlists;
    if (nparams > HP_PARAM_MAX)
        return hp_err_set(err, HP_EUSAGE, "at most %d parameters", HP_PARAM_MAX);
    for (int i = 0; i < spec->nlists; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(spec->lists[i].name, spec->lists[j].name) == 0)
                return hp_err_set(err, HP_EUSAGE, "parameter '%s' is given twice",
                                  spec->lists[i].name);
    char **vals[HP_PARAM_MAX] = {0};
    int nvals[HP_PARAM_MAX] = {0};
    const char *pnames[HP_PARAM_MAX];
    int rc = 0;
    int64_t total = spec->nlines;
    for (int i = 0; i < nparams && rc == 0; i++) {
        pnames[i] = spec->scan_name ? spec->scan_name : spec->lists[i].name;
        rc = spec->scan_name ? scan_values(spec, &vals[i], &nvals[i], err)
                             : list_values(spec->lists[i].values, &vals[i], &nvals[i], err);
        if (rc == 0)
            total *= nvals[i];
        if (total > HP_PARAM_VALUES && rc == 0)
            rc = hp_err_set(err, HP_EUSAGE, "the parameters make more than %d commands",
                            HP_PARAM_VALUES);
    }
    struct hp_bench_cmd *cmds = NULL;
    int k = 0;
    if (rc == 0 && nparams == 0 && spec->nnames > spec->nlines)
        rc = hp_err_set(err, HP_EUSAGE, "%d --command-name for %d commands", spec->nnames,
                        spec->nlines);
    if (rc == 0 && nparams > 0 && spec->nnames > 1 && spec->nnames != total)
        rc = hp_err_set(err, HP_EUSAGE,
                        "%d --command-name for %lld commands: give one (with {NAME} in it) or "
                        "one for each",
                        spec->nnames, (long long)total);
    if (rc == 0 && !(cmds = hp_calloc((size_t)(total ? total : 1), sizeof *cmds)))
        rc = hp_err_set(err, -ENOMEM, "out of memory");
    /* the odometer: index[0] is the command, then each parameter */
    int index[HP_PARAM_MAX + 1] = {0};
    for (; rc == 0 && k < total; k++) {
        struct hp_bench_cmd *c = &cmds[k];
        c->nparams = nparams;
        for (int i = 0; i < nparams; i++) {
            c->params[i].name = pnames[i];
            if (!(c->params[i].value = hp_strdup(vals[i][index[i + 1]])))
                rc = -ENOMEM;
        }
        qsort(c->params, (size_t)nparams, sizeof *c->params, by_name);
        const char *line = spec->lines[index[0]];
        const char *name = nparams == 0        ? (k < spec->nnames ? spec->names[k] : NULL)
                           : spec->nnames == 0 ? NULL
                                               : spec->names[spec->nnames == 1 ? 0 : k];
        c->line = hp_param_subst(line, c->params, nparams);
        c->name =
            name ? hp_param_subst(name, c->params, nparams) : hp_strdup(c->line ? c->line : "");
        if (rc == 0 && (!c->line || !c->name))
            rc = -ENOMEM;
        if (rc < 0)
            rc = hp_err_set(err, -ENOMEM, "out of memory");
        /* a scan varies the commands fastest, then its values; so do lists */
        for (int d = 0; d <= nparams; d++) {
            int size = d == 0 ? spec->nlines : nvals[d - 1];
            if (++index[d] < size)
                break;
            index[d] = 0;
        }
    }
    for (int i = 0; i < nparams; i++) {
        for (int j = 0; j < nvals[i]; j++)
            hp_free(vals[i][j]);
        hp_free(vals[i]);
    }
    if (rc < 0) {
        hp_bench_cmds_free(cmds, k);
        return rc;
    }
    *out = cmds;
    *n = (int)total;
    return 0;
}
