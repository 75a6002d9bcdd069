// SPDX-License-Identifier: MIT
/* guard/samples.c - see samples.h. */
#include "guard/samples.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/file.h"
#include "core/result.h"
#include "stat/hist_codec.h"
#include "stat/hist_result.h"

void hp_sampleset_free(struct hp_sampleset *set)
{
    for (size_t i = 0; i < set->n; i++) {
        hp_free(set->s[i].name);
        hp_free(set->s[i].metric);
        hp_free(set->s[i].unit);
        hp_free(set->s[i].v);
        hp_hist_free(set->s[i].hist);
    }
    hp_free(set->s);
    memset(set, 0, sizeof *set);
}

struct hp_series *hp_sampleset_find(const struct hp_sampleset *set, const char *name,
                                    const char *metric)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->s[i].name, name) == 0 && strcmp(set->s[i].metric, metric) == 0)
            return &set->s[i];
    return NULL;
}

bool hp_sampleset_has_metric(const struct hp_sampleset *set, const char *metric)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->s[i].metric, metric) == 0)
            return true;
    return false;
}

static struct hp_series *series(struct hp_sampleset *set, const char *name, const char *metric,
                                const char *unit)
{
    struct hp_series *s = hp_sampleset_find(set, name, metric);
    if (s)
        return s;
    if (set->n == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 16;
        struct hp_series *v = hp_realloc(set->s, cap * sizeof *v);
        if (!v)
            return NULL;
        set->s = v;
        set->cap = cap;
    }
    s = &set->s[set->n];
    memset(s, 0, sizeof *s);
    s->name = hp_strdup(name);
    s->metric = hp_strdup(metric);
    s->unit = hp_strdup(unit ? unit : "");
    if (!s->name || !s->metric || !s->unit) {
        hp_free(s->name);
        hp_free(s->metric);
        hp_free(s->unit);
        return NULL;
    }
    set->n++;
    return s;
}

static int add(struct hp_series *s, double v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        double *w = hp_realloc(s->v, cap * sizeof *w);
        if (!w)
            return -ENOMEM;
        s->v = w;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    return 0;
}

static int put(struct hp_sampleset *set, const char *name, const char *metric, const char *unit,
               double v, struct hp_err *err)
{
    struct hp_series *s = series(set, name, metric, unit);
    if (!s || add(s, v) < 0)
        return hp_err_set(err, -ENOMEM, "out of memory");
    return 0;
}

/* Merge h (taken over) into the histogram of series (name, metric). */
static int put_hist(struct hp_sampleset *set, const char *name, const char *metric,
                    const char *unit, struct hp_hist *h, const char *path, const char *what,
                    struct hp_err *err)
{
    struct hp_series *s = series(set, name, metric, unit);
    if (!s) {
        hp_hist_free(h);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    if (!s->hist) {
        s->hist = h;
        return 0;
    }
    int rc = hp_hist_add(s->hist, h);
    hp_hist_free(h);
    return rc < 0 ? hp_err_at(err, HP_EFORMAT, path, 0, 0,
                              "%s has another layout than in the other files", what)
                  : 0;
}

/* ---- hotpath result documents ------------------------------------------ */

static int from_bench(json_t *root, const char *path, struct hp_sampleset *set, struct hp_err *err)
{
    json_t *all = json_object_get(root, "benchmarks"), *b;
    size_t i;
    if (!json_is_array(all))
        return hp_err_at(err, HP_EFORMAT, path, 0, 0, "a bench document without 'benchmarks'");
    json_array_foreach(all, i, b)
    {
        const char *name = json_string_value(json_object_get(b, "name"));
        json_t *runs = json_object_get(b, "runs"), *r;
        size_t k;
        if (!name || !json_is_array(runs))
            return hp_err_at(err, HP_EFORMAT, path, 0, 0, "benchmarks[%zu] needs a name and runs",
                             i);
        json_array_foreach(runs, k, r)
        {
            static const struct {
                const char *key, *metric, *unit;
            } f[] = {{"wall_s", "wall", "s"},
                     {"user_s", "user", "s"},
                     {"system_s", "system", "s"},
                     {"max_rss_bytes", "max_rss", "bytes"}};
            for (size_t m = 0; m < sizeof f / sizeof *f; m++) {
                json_t *v = json_object_get(r, f[m].key);
                if (!json_is_number(v))
                    continue;
                int rc = put(set, name, f[m].metric, f[m].unit, json_number_value(v), err);
                if (rc < 0)
                    return rc;
            }
        }
    }
    return 0;
}

/* A number field of o into series (name, metric); absent fields are skipped. */
static int field_put(struct hp_sampleset *set, json_t *o, const char *key, const char *name,
                     const char *metric, const char *unit, struct hp_err *err)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? put(set, name, metric, unit, json_number_value(v), err) : 0;
}

/* sql digest: each query class (by fingerprint), its figures, and every
 * statement's time as a histogram */
static int from_sql(json_t *root, const char *path, struct hp_sampleset *set, struct hp_err *err)
{
    json_t *classes = json_object_get(root, "classes"), *k;
    size_t i;
    json_array_foreach(classes, i, k)
    {
        const char *fp = json_string_value(json_object_get(k, "fingerprint"));
        if (!fp)
            return hp_err_at(err, HP_EFORMAT, path, 0, 0, "classes[%zu] has no fingerprint", i);
        int rc = field_put(set, k, "calls", fp, "calls", "count", err);
        rc = rc ? rc : field_put(set, k, "time_s", fp, "time_s", "s", err);
        rc = rc ? rc : field_put(set, k, "mean_ns", fp, "mean_ns", "ns", err);
        rc = rc ? rc : field_put(set, k, "p99_ns", fp, "p99_ns", "ns", err);
        rc = rc ? rc : field_put(set, k, "rows_examined", fp, "rows_examined", "count", err);
        const char *enc = json_string_value(json_object_get(k, "query_time_hdr"));
        if (rc == 0 && enc) {
            struct hp_hist *h = NULL;
            struct hp_err herr = {0};
            if (hp_hist_decode(enc, strlen(enc), &h, &herr) < 0)
                return hp_err_at(err, HP_EFORMAT, path, 0, 0, "classes[%zu].query_time_hdr: %s", i,
                                 herr.msg);
            char what[64];
            snprintf(what, sizeof what, "classes[%zu].query_time_hdr", i);
            rc = put_hist(set, fp, "query_time", "ns", h, path, what, err);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* cache sim: each policy at each size */
static int from_cache(json_t *root, struct hp_sampleset *set, struct hp_err *err)
{
    json_t *results = json_object_get(root, "results"), *r;
    size_t i;
    json_array_foreach(results, i, r)
    {
        const char *policy = json_string_value(json_object_get(r, "policy"));
        json_t *cap = json_object_get(r, "capacity");
        if (!policy || !json_is_number(cap))
            continue;
        char name[96];
        snprintf(name, sizeof name, "%s@%.0f", policy, json_number_value(cap));
        int rc = field_put(set, r, "miss_ratio", name, "miss_ratio", "ratio", err);
        rc = rc ? rc : field_put(set, r, "byte_miss_ratio", name, "byte_miss_ratio", "ratio", err);
        rc = rc ? rc : field_put(set, r, "misses", name, "misses", "count", err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* page: each run a sample of every figure (ms figures in ns, as metrics are) */
static int from_page(json_t *root, struct hp_sampleset *set, struct hp_err *err)
{
    static const struct {
        const char *key, *metric, *unit;
        double scale;
    } f[] = {
        {"ttfb_ms", "ttfb", "ns", 1e6},
        {"fcp_ms", "fcp", "ns", 1e6},
        {"lcp_ms", "lcp", "ns", 1e6},
        {"cls", "cls", "score", 1},
        {"tbt_ms", "tbt", "ns", 1e6},
        {"inp_ms", "inp", "ns", 1e6},
        {"dom_content_loaded_ms", "dom_content_loaded", "ns", 1e6},
        {"load_ms", "load", "ns", 1e6},
        {"requests_count", "requests", "count", 1},
        {"transfer_bytes", "transfer_bytes", "bytes", 1},
    };
    json_t *runs = json_object_get(json_object_get(root, "page"), "runs"), *r;
    size_t i;
    json_array_foreach(runs, i, r)
    {
        for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
            json_t *v = json_object_get(r, f[k].key);
            if (!json_is_number(v))
                continue;
            int rc = put(set, "page", f[k].metric, f[k].unit, json_number_value(v) * f[k].scale,
                         err);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static int from_doc(const char *text, size_t len, const char *path, struct hp_sampleset *set,
                    struct hp_err *err)
{
    struct hp_result *r;
    int rc = hp_result_parse(text, len, path, &r, err);
    if (rc < 0)
        return rc;
    const char *kind = hp_result_kind(r);
    json_t *root = hp_result_json(r);
    if (!set->format[0])
        snprintf(set->format, sizeof set->format, "%s", kind);
    if (strcmp(kind, "bench") == 0 || strcmp(kind, "page") == 0) {
        rc = strcmp(kind, "bench") == 0 ? from_bench(root, path, set, err)
                                        : from_page(root, set, err);
        hp_result_free(r);
        return rc;
    }
    json_t *metrics = json_object_get(root, "metrics"), *m;
    const char *key;
    json_object_foreach(metrics, key, m)
    {
        json_t *v = json_object_get(m, "value");
        const char *unit = json_string_value(json_object_get(m, "unit"));
        if (!json_is_number(v))
            continue;
        if ((rc = put(set, kind, key, unit, json_number_value(v), err)) < 0)
            break;
    }
    json_t *hists = json_object_get(root, "histograms");
    json_object_foreach(hists, key, m)
    {
        if (rc < 0)
            break;
        struct hp_hist *h = NULL;
        rc = hp_result_get_histogram(r, key, &h, err);
        if (rc < 0)
            break;
        char what[300];
        snprintf(what, sizeof what, "histogram '%s'", key);
        rc = put_hist(set, kind, key, json_string_value(json_object_get(m, "unit")), h, path, what,
                      err);
    }
    if (rc == 0 && strcmp(kind, "sql") == 0)
        rc = from_sql(root, path, set, err);
    if (rc == 0 && strcmp(kind, "cache") == 0)
        rc = from_cache(root, set, err);
    hp_result_free(r);
    return rc;
}

/* ---- hyperfine's export ------------------------------------------------- */

static int from_hyperfine(json_t *root, const char *path, struct hp_sampleset *set,
                          struct hp_err *err)
{
    json_t *results = json_object_get(root, "results"), *r;
    size_t i;
    if (!set->format[0])
        snprintf(set->format, sizeof set->format, "hyperfine");
    json_array_foreach(results, i, r)
    {
        const char *cmd = json_string_value(json_object_get(r, "command"));
        json_t *times = json_object_get(r, "times"), *t;
        size_t k;
        if (!cmd || !json_is_array(times))
            return hp_err_at(err, HP_EFORMAT, path, 0, 0,
                             "results[%zu] needs a command and its times (hyperfine "
                             "--export-json)",
                             i);
        json_array_foreach(times, k, t)
        {
            if (!json_is_number(t))
                return hp_err_at(err, HP_EFORMAT, path, 0, 0,
                                 "results[%zu].times[%zu] is not a number", i, k);
            int rc = put(set, cmd, "wall", "s", json_number_value(t), err);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/* ---- text: Go benchmarks or numbers ------------------------------------ */

static bool number(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* The next blank-separated field of line [p, end). */
static bool field(const char **p, const char *end, const char **f, size_t *len)
{
    while (*p < end && (**p == ' ' || **p == '\t'))
        (*p)++;
    if (*p >= end)
        return false;
    *f = *p;
    while (*p < end && **p != ' ' && **p != '\t')
        (*p)++;
    *len = (size_t)(*p - *f);
    return true;
}

static int from_text(const char *text, size_t len, const char *path, struct hp_sampleset *set,
                     struct hp_err *err)
{
    /* Go's format if any line starts like a benchmark result */
    bool go = false;
    for (const char *p = text; p < text + len && !go;) {
        go = (size_t)(text + len - p) > 9 && strncmp(p, "Benchmark", 9) == 0 &&
             isupper((unsigned char)p[9]);
        const char *nl = memchr(p, '\n', (size_t)(text + len - p));
        p = nl ? nl + 1 : text + len;
    }
    if (!set->format[0])
        snprintf(set->format, sizeof set->format, go ? "go" : "numbers");
    int line = 0, got = 0;
    for (const char *p = text; p < text + len;) {
        const char *nl = memchr(p, '\n', (size_t)(text + len - p));
        const char *end = nl ? nl : text + len, *ls = p;
        line++;
        if (end > p && end[-1] == '\r')
            end--;
        const char *q = p, *f;
        size_t flen;
        p = nl ? nl + 1 : text + len;
        if (!field(&q, end, &f, &flen) || *f == '#')
            continue;
        if (memchr(f, '\0', (size_t)(end - f)))
            return hp_err_at(err, HP_EPARSE, path, line, 0, "a NUL byte in a text file");
        if (go) {
            /* Go: "BenchmarkName-8  N  V unit [V unit]..."; other lines
             * (goos:, PASS, ok ...) are context, skipped */
            if (flen < 10 || strncmp(f, "Benchmark", 9) != 0 || !isupper((unsigned char)f[9]))
                continue;
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(flen - 9 < 255 ? flen - 9 : 255), f + 9);
            const char *nf;
            size_t nlen;
            double iters;
            if (!field(&q, end, &nf, &nlen) || !number(nf, nlen, &iters))
                continue; /* a benchmark's name alone (its output follows) */
            for (;;) {
                const char *vf, *uf;
                size_t vlen, ulen;
                double v;
                if (!field(&q, end, &vf, &vlen))
                    break;
                if (!number(vf, vlen, &v) || !field(&q, end, &uf, &ulen))
                    return hp_err_at(err, HP_EPARSE, path, line, (int)(vf - ls) + 1,
                                     "expected a value and its unit after the iterations");
                char unit[64];
                snprintf(unit, sizeof unit, "%.*s", (int)(ulen < 63 ? ulen : 63), uf);
                int rc = put(set, name, unit, unit, v, err);
                if (rc < 0)
                    return rc;
                got++;
            }
        } else {
            double v;
            const char *extra;
            size_t elen;
            if (!number(f, flen, &v))
                return hp_err_at(err, HP_EPARSE, path, line, (int)(f - ls) + 1,
                                 "'%.*s' is not a number (expected one number per line, or Go "
                                 "benchmark output, hyperfine's JSON or a hotpath result "
                                 "document)",
                                 (int)(flen < 40 ? flen : 40), f);
            if (field(&q, end, &extra, &elen))
                return hp_err_at(err, HP_EPARSE, path, line, (int)(extra - ls) + 1,
                                 "one number per line: '%.*s' follows it",
                                 (int)(elen < 40 ? elen : 40), extra);
            int rc = put(set, "value", "value", "", v, err);
            if (rc < 0)
                return rc;
            got++;
        }
    }
    if (got == 0)
        return hp_err_at(err, HP_EFORMAT, path, 0, 0,
                         go ? "no benchmark results (lines 'BenchmarkName N value unit')"
                            : "no numbers in it");
    return 0;
}

int hp_samples_parse(const char *text, size_t len, const char *name, struct hp_sampleset *set,
                     struct hp_err *err)
{
    const char *p = text;
    while (p < text + len && isspace((unsigned char)*p))
        p++;
    int rc;
    if (p < text + len && *p == '{') {
        json_error_t je;
        json_t *root = json_loadb(text, len, 0, &je);
        if (!root)
            return hp_err_at(err, HP_EPARSE, name, je.line, je.column, "%s", je.text);
        if (json_object_get(root, "schema"))
            rc = from_doc(text, len, name, set, err);
        else if (json_is_array(json_object_get(root, "results")))
            rc = from_hyperfine(root, name, set, err);
        else
            rc = hp_err_at(err, HP_EFORMAT, name, 0, 0,
                           "JSON that is neither a hotpath result document nor hyperfine's "
                           "export");
        json_decref(root);
    } else {
        rc = from_text(text, len, name, set, err);
    }
    if (rc == 0)
        set->files++;
    return rc;
}

int hp_samples_read(const char *path, struct hp_sampleset *set, struct hp_err *err)
{
    char *text;
    size_t len;
    int rc = hp_file_read(path, HP_SAMPLES_MAX_BYTES, &text, &len, err);
    if (rc < 0)
        return rc;
    rc = hp_samples_parse(text, len, path, set, err);
    hp_free(text);
    return rc;
}
