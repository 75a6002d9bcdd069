/* SPDX-License-Identifier: MIT */
/* cache/trace.c - see trace.h. Binary records are read in blocks from the
 * stream; text through core/lines, with a hand-split of the few columns a
 * trace has (no quoting: trace keys do not hold delimiters). */
#include "cache/trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <xxhash.h>

#include "core/alloc.h"
#include "core/file.h"
#include "core/lines.h"
#include "core/stream.h"

#define BLOCK_RECORDS 65536

void hp_trace_oracle_put(const struct hp_cache_req *r, int64_t next_access, unsigned char *out)
{
    uint32_t t = (uint32_t)r->time, sz = r->size;
    uint64_t k = r->key, nx = (uint64_t)next_access;
    for (int i = 0; i < 4; i++)
        out[i] = (unsigned char)(t >> (8 * i));
    for (int i = 0; i < 8; i++)
        out[4 + i] = (unsigned char)(k >> (8 * i));
    for (int i = 0; i < 4; i++)
        out[12 + i] = (unsigned char)(sz >> (8 * i));
    for (int i = 0; i < 8; i++)
        out[16 + i] = (unsigned char)(nx >> (8 * i));
}

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int read_oracle(const char *path, hp_cache_req_fn fn, void *ctx, uint64_t *count,
                       struct hp_err *err)
{
    struct hp_stream *s = NULL;
    unsigned char *buf = NULL;
    size_t have = 0;
    int rc = hp_stream_open(path, &s, err);
    if (rc < 0)
        return rc;
    buf = hp_malloc(BLOCK_RECORDS * HP_TRACE_ORACLE_BYTES);
    if (!buf) {
        rc = hp_err_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    for (;;) {
        ssize_t r = hp_stream_read(s, buf + have, BLOCK_RECORDS * HP_TRACE_ORACLE_BYTES - have);
        if (r < 0) {
            rc = hp_err_at(err, (int)r, path, 0, 0, "record %llu: %s",
                           (unsigned long long)*count + 1,
                           r == -EBADMSG ? "corrupt compressed data" : strerror((int)-r));
            goto out;
        }
        if (r == 0) {
            if (have != 0)
                rc = hp_err_at(err, HP_EPARSE, path, 0, 0,
                               "the file ends inside record %llu (%zu of its %d bytes): not an "
                               "oracleGeneral trace, or cut short",
                               (unsigned long long)*count + 1, have, HP_TRACE_ORACLE_BYTES);
            goto out;
        }
        have += (size_t)r;
        size_t whole = have / HP_TRACE_ORACLE_BYTES;
        for (size_t i = 0; i < whole; i++) {
            const unsigned char *p = buf + i * HP_TRACE_ORACLE_BYTES;
            struct hp_cache_req q = {
                .time = (int64_t)le(p, 4), .key = le(p + 4, 8), .size = (uint32_t)le(p + 12, 4)};
            if (q.size == 0)
                q.size = 1; /* some traces leave sizes out: count the object */
            rc = fn(ctx, &q);
            if (rc < 0)
                goto out;
            (*count)++;
        }
        size_t rest = have - whole * HP_TRACE_ORACLE_BYTES;
        memmove(buf, buf + whole * HP_TRACE_ORACLE_BYTES, rest);
        have = rest;
    }
out:
    hp_free(buf);
    hp_stream_close(s);
    return rc;
}

/* ---- text -------------------------------------------------------------- */

struct text_ctx {
    const struct hp_trace_spec *spec;
    const char *path;
    hp_cache_req_fn fn;
    void *ctx;
    uint64_t *count;
    int64_t line;
    struct hp_err *err;
};

/* A decimal number in [s, s+n): true and *v, or false. */
static bool number(const char *s, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    if (n == 0 || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return true;
}

/* Letters, digits and _ with a letter first: a column's name. */
static bool is_word(const char *s, size_t n)
{
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* 0: a request; 1: a delete; -1: not an op. */
static int op_kind(const char *s, size_t n)
{
    static const char *const reads[] = {"get",    "gets",    "set",  "add",  "replace", "cas",
                                        "append", "prepend", "incr", "decr", "read",    "write"};
    if ((n == 6 && strncasecmp(s, "delete", 6) == 0) || (n == 3 && strncasecmp(s, "del", 3) == 0))
        return 1;
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        if (strlen(reads[i]) == n && strncasecmp(s, reads[i], n) == 0)
            return 0;
    return -1;
}

static int text_line(void *p, const char *s, size_t n)
{
    struct text_ctx *t = p;
    const struct hp_trace_spec *sp = t->spec;
    t->line++;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (t->line == 1 && sp->header)
        return 0;
    if (n == 0)
        return 0; /* blank lines carry nothing */
    struct hp_cache_req q = {.size = 1};
    if (sp->format == HP_TRACE_TEXT) {
        q.key = XXH3_64bits(s, n);
    } else {
        char delim = sp->delim ? sp->delim : ',';
        const char *f = s, *end = s + n;
        int col = 1;
        bool have_key = false;
        while (f <= end) {
            const char *e = memchr(f, delim, (size_t)(end - f));
            if (!e)
                e = end;
            size_t len = (size_t)(e - f);
            while (len > 0 && (f[0] == ' ' || f[0] == '\t'))
                f++, len--;
            while (len > 0 && (f[len - 1] == ' ' || f[len - 1] == '\t'))
                len--;
            uint64_t v;
            if (col == sp->key_col) {
                q.key = number(f, len, &v) ? v : XXH3_64bits(f, len);
                have_key = len > 0;
            } else if (col == sp->op_col) {
                int op = op_kind(f, len);
                if (op < 0)
                    return hp_err_at(t->err, HP_EPARSE, t->path, (int)t->line, 0,
                                     "column %d ('%.*s') is not an op (get, set, delete, ...: "
                                     "see --columns)",
                                     col, (int)(len > 40 ? 40 : len), f);
                q.del = op == 1;
            } else if (col == sp->time_col || col == sp->size_col || col == sp->ttl_col) {
                if (t->line == 1 && !sp->header && len > 0 && is_word(f, len))
                    return 0; /* a header line, as `cache gen` writes: time,key,size */
                if (!number(f, len, &v) || (col == sp->size_col && v > UINT32_MAX) ||
                    (col != sp->size_col && v > INT64_MAX / 2))
                    return hp_err_at(t->err, HP_EPARSE, t->path, (int)t->line, 0,
                                     "column %d ('%.*s') is not a %s", col,
                                     (int)(len > 40 ? 40 : len), f,
                                     col == sp->time_col  ? "time (a whole number)"
                                     : col == sp->ttl_col ? "TTL in seconds (0: none)"
                                                          : "size in bytes (up to 4 GiB)");
                if (col == sp->time_col)
                    q.time = (int64_t)v;
                else if (col == sp->ttl_col)
                    q.ttl = (int64_t)v;
                else
                    q.size = v ? (uint32_t)v : 1;
            }
            col++;
            f = e + 1;
        }
        int need = sp->key_col;
        const int others[] = {sp->time_col, sp->size_col, sp->ttl_col, sp->op_col};
        for (int i = 0; i < 4; i++)
            need = others[i] > need ? others[i] : need;
        if (col - 1 < need || !have_key)
            return hp_err_at(t->err, HP_EPARSE, t->path, (int)t->line, 0,
                             "%d column%s, and the trace's columns need %d (see --columns)",
                             col - 1, col == 2 ? "" : "s", need);
    }
    int rc = t->fn(t->ctx, &q);
    if (rc == 0)
        (*t->count)++;
    return rc;
}

int hp_trace_read(const char *path, const struct hp_trace_spec *spec, hp_cache_req_fn fn, void *ctx,
                  uint64_t *n, struct hp_err *err)
{
    uint64_t count = 0;
    int rc;
    if (spec->format == HP_TRACE_ORACLE) {
        rc = read_oracle(path, fn, ctx, &count, err);
    } else if (spec->format == HP_TRACE_CSV && spec->key_col <= 0) {
        rc = hp_err_set(err, HP_EPARSE, "a CSV trace needs a key column (--columns)");
    } else {
        struct text_ctx t = {spec, path, fn, ctx, &count, 0, err};
        rc = hp_lines_read(path, text_line, &t, NULL, err);
    }
    if (n)
        *n = count;
    return rc;
}

int hp_trace_columns(const char *text, struct hp_trace_spec *spec, struct hp_err *err)
{
    spec->time_col = spec->key_col = spec->size_col = spec->ttl_col = spec->op_col = 0;
    int col = 1;
    for (const char *s = text;; col++) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int *slot = NULL;
        if (n == 4 && memcmp(s, "time", 4) == 0)
            slot = &spec->time_col;
        else if (n == 3 && memcmp(s, "key", 3) == 0)
            slot = &spec->key_col;
        else if (n == 4 && memcmp(s, "size", 4) == 0)
            slot = &spec->size_col;
        else if (n == 3 && memcmp(s, "ttl", 3) == 0)
            slot = &spec->ttl_col;
        else if (n == 2 && memcmp(s, "op", 2) == 0)
            slot = &spec->op_col;
        else if (!(n == 1 && s[0] == '-'))
            return hp_err_set(err, HP_EPARSE,
                              "--columns: '%.*s' is not time, key, size, ttl, op or - (a column "
                              "to skip)",
                              (int)(n > 40 ? 40 : n), s);
        if (slot && *slot)
            return hp_err_set(err, HP_EPARSE, "--columns: '%.*s' named twice", (int)n, s);
        if (slot)
            *slot = col;
        if (!e)
            break;
        s = e + 1;
    }
    if (!spec->key_col)
        return hp_err_set(err, HP_EPARSE, "--columns: a key column is needed (e.g. time,key,size)");
    return 0;
}

/* ---- synthetic traces -------------------------------------------------- */

static uint64_t mix64(uint64_t k)
{
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebULL;
    return k ^ (k >> 31);
}

int hp_size_dist_parse(const char *text, struct hp_trace_gen *g, struct hp_err *err)
{
    static const char *const names[] = {"uniform", "fixed", "exp", "lognormal", "pareto"};
    const char *colon = strchr(text, ':');
    size_t n = colon ? (size_t)(colon - text) : strlen(text);
    for (int d = 0; d < 5; d++) {
        if (strlen(names[d]) != n || strncmp(text, names[d], n) != 0)
            continue;
        g->size_dist = (enum hp_size_dist)d;
        g->size_param = 0;
        if (!colon)
            return 0;
        char *end;
        double v = strtod(colon + 1, &end);
        if (d == HP_SIZE_LOGNORMAL && *end == 0 && v > 0 && v <= 10)
            g->size_param = v;
        else if (d == HP_SIZE_PARETO && *end == 0 && v > 1 && v <= 100)
            g->size_param = v;
        else
            return hp_err_set(err, HP_EPARSE, "'%s': %s", text,
                              d == HP_SIZE_LOGNORMAL ? "lognormal:SIGMA needs 0 < SIGMA <= 10"
                              : d == HP_SIZE_PARETO  ? "pareto:ALPHA needs 1 < ALPHA <= 100 "
                                                       "(a finite mean)"
                                                     : "takes no parameter");
        return 0;
    }
    return hp_err_set(err, HP_EPARSE,
                      "'%s' is not uniform, fixed, exp, lognormal[:SIGMA] or "
                      "pareto[:ALPHA]",
                      text);
}

uint32_t hp_trace_gen_size(const struct hp_trace_gen *g, uint64_t key)
{
    uint64_t h = mix64(key ^ g->seed);
    double mean = g->mean_size, x;
    /* u in (0, 1): the top 53 bits, offset by half a step */
    double u = ((double)(h >> 11) + 0.5) / 9007199254740992.0;
    switch (g->size_dist) {
    case HP_SIZE_FIXED: return g->mean_size;
    case HP_SIZE_EXP: x = -mean * log1p(-u); break;
    case HP_SIZE_LOGNORMAL: {
        double sigma = g->size_param > 0 ? g->size_param : 1;
        x = exp(log(mean) - sigma * sigma / 2 + sigma * gsl_cdf_ugaussian_Pinv(u));
        break;
    }
    case HP_SIZE_PARETO: {
        double a = g->size_param > 0 ? g->size_param : 1.5;
        x = mean * (a - 1) / a / pow(1 - u, 1 / a);
        break;
    }
    default: return (uint32_t)(1 + h % (2 * (uint64_t)g->mean_size));
    }
    return x < 1 ? 1 : x > UINT32_MAX ? UINT32_MAX : (uint32_t)llround(x);
}

static int put_req(FILE *f, enum hp_trace_format format, const struct hp_cache_req *r)
{
    if (format == HP_TRACE_ORACLE) {
        unsigned char rec[HP_TRACE_ORACLE_BYTES];
        hp_trace_oracle_put(r, -1, rec);
        fwrite(rec, 1, sizeof rec, f);
    } else if (format == HP_TRACE_CSV) {
        fprintf(f, "%lld,%llu,%u\n", (long long)r->time, (unsigned long long)r->key, r->size);
    } else {
        fprintf(f, "%llu\n", (unsigned long long)r->key);
    }
    return 0;
}

int hp_trace_generate(const struct hp_trace_gen *g, const char *path, struct hp_err *err)
{
    uint64_t one_hits = 0, scan_at = 0;
    if (g->objects == 0 || g->requests == 0 || g->mean_size == 0 || !(g->one_hit >= 0) ||
        !(g->scan >= 0) || g->one_hit + g->scan > 1)
        return hp_err_set(err, -EINVAL,
                          "a trace needs objects, requests and sizes, and shares "
                          "of one-hit wonders and scans that add up to 100%% at most");
    double *cdf = hp_malloc(g->objects * sizeof *cdf);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct hp_file_out o = {.fd = -1};
    FILE *f = NULL;
    int rc = 0;
    if (!cdf || !rng) {
        rc = hp_err_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    gsl_rng_set(rng, g->seed);
    double sum = 0;
    for (uint64_t k = 0; k < g->objects; k++) {
        sum += pow((double)(k + 1), -g->alpha);
        cdf[k] = sum;
    }
    if ((rc = hp_file_out_open(&o, path, err)) < 0)
        goto out;
    int fd = dup(o.fd); /* buffered through stdio; o keeps its own to commit */
    if (fd < 0 || !(f = fdopen(fd, "wb"))) {
        if (fd >= 0)
            close(fd);
        rc = hp_err_at(err, -errno, path, 0, 0, "cannot write: %s", strerror(errno));
        goto out;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    if (g->format == HP_TRACE_CSV)
        fputs("time,key,size\n", f);
    for (uint64_t i = 0; i < g->requests; i++) {
        /* drawn only when mixing: a plain Zipf trace stays what its seed made */
        double mix_u = g->one_hit + g->scan > 0 ? gsl_rng_uniform(rng) : 1;
        if (mix_u < g->one_hit + g->scan) {
            struct hp_cache_req r = {.time = (int64_t)(i / 1000)};
            if (mix_u < g->one_hit)
                r.key = 2 * g->objects + 1 + one_hits++; /* never seen again */
            else
                r.key = g->objects + 1 + scan_at++ % g->objects;
            r.size = hp_trace_gen_size(g, r.key);
            if ((rc = put_req(f, g->format, &r)) < 0)
                goto out;
            continue;
        }
        double u = gsl_rng_uniform(rng) * sum;
        uint64_t lo = 0, hi = g->objects - 1;
        while (lo < hi) { /* the first k with cdf[k] > u */
            uint64_t mid = lo + (hi - lo) / 2;
            if (cdf[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        struct hp_cache_req r = {.time = (int64_t)(i / 1000), .key = lo + 1};
        r.size = hp_trace_gen_size(g, r.key);
        if ((rc = put_req(f, g->format, &r)) < 0)
            goto out;
    }
    if (fflush(f) != 0 || ferror(f)) {
        rc = hp_err_at(err, -EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        goto out;
    }
    if (fclose(f) != 0) {
        f = NULL;
        rc = hp_err_at(err, -EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        goto out;
    }
    f = NULL;
    rc = hp_file_out_commit(&o, err);
out:
    if (f)
        fclose(f);
    hp_file_out_abort(&o); /* nothing left after a commit */
    if (rng)
        gsl_rng_free(rng);
    hp_free(cdf);
    return rc;
}
