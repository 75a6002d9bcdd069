// SPDX-License-Identifier: MIT
/* load/segment.c - see segment.h. */
#include "load/segment.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#define MAX_BOUNDS (HP_SEGMENT_MAX_PARTS + 1)

struct frac {
    int64_t num, den;
};

static int64_t gcd(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* "1/4", "0.25", "25%", "0", "1" as a reduced fraction in [0, 1]. */
static int parse_frac(const char *s, size_t len, struct frac *out)
{
    char buf[48];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    int64_t num = 0, den = 1;
    char *p = buf, *slash = strchr(buf, '/'), *pct = strchr(buf, '%');
    if (slash) {
        char *e1, *e2;
        errno = 0;
        num = strtoll(p, &e1, 10);
        den = strtoll(slash + 1, &e2, 10);
        if (errno || e1 != slash || *e2 || slash == p || !isdigit((unsigned char)slash[1]))
            return -1;
    } else {
        if (pct && pct[1])
            return -1;
        if (pct)
            *pct = 0;
        int digits = 0;
        bool point = false;
        for (char *q = p; *q; q++) {
            if (*q == '.' && !point) {
                point = true;
                continue;
            }
            /* at most 8 digits after the point: den stays below 1e9 */
            if (!isdigit((unsigned char)*q) || num > 100000000 || digits >= 8)
                return -1;
            num = num * 10 + (*q - '0');
            if (point) {
                den *= 10;
                digits++;
            }
        }
        if (p[0] == 0 || (point && digits == 0))
            return -1;
        if (pct)
            den *= 100;
    }
    if (num < 0 || den <= 0 || num > den)
        return -1;
    int64_t g = gcd(num, den);
    out->num = g ? num / g : 0;
    out->den = g ? den / g : 1;
    return 0;
}

static int frac_cmp(struct frac a, struct frac b)
{
    /* num and den stay below 1e9 here, so the products fit */
    __int128 x = (__int128)a.num * b.den, y = (__int128)b.num * a.den;
    return (x > y) - (x < y);
}

static void frac_text(struct frac f, char *buf, size_t size)
{
    if (f.num == 0 || f.den == 1)
        snprintf(buf, size, "%lld", (long long)f.num);
    else
        snprintf(buf, size, "%lld/%lld", (long long)f.num, (long long)f.den);
}

/* The part [b[j], b[j+1]) of the sequence b[0..n-1]. */
static int build(const struct frac *b, int n, int j, struct hp_segment *out, struct hp_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t d = 1;
    for (int i = 0; i < n; i++) {
        d = d / gcd(d, b[i].den) * b[i].den;
        if (d > HP_SEGMENT_MAX_CYCLE)
            return hp_err_set(err, HP_EUSAGE,
                              "the sequence's fractions need a common denominator above %d: use "
                              "coarser ones",
                              HP_SEGMENT_MAX_CYCLE);
    }
    out->part = j;
    out->parts = n - 1;
    out->cycle = d;
    out->from = b[j].num * (d / b[j].den);
    out->to = b[j + 1].num * (d / b[j + 1].den);
    out->per_cycle = out->to - out->from;
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof out->sequence; i++) {
        char t[48];
        frac_text(b[i], t, sizeof t);
        len += (size_t)snprintf(out->sequence + len, sizeof out->sequence - len, "%s%s",
                                i ? "," : "", t);
    }
    bool equal = true;
    for (int i = 0; i < n; i++)
        equal &= b[i].num * (d / b[i].den) == i && d == n - 1;
    if (equal)
        return 0; /* part j of d equal parts: position j of each cycle */
    if ((double)d * (n - 1) > 5e7)
        return hp_err_set(err, HP_EUSAGE,
                          "a sequence of %d parts over a cycle of %lld arrivals is too fine to "
                          "deal out: use coarser fractions",
                          n - 1, (long long)d);
    /* Deal each position of the cycle to the part furthest behind its
     * share: part i's deficit after p + 1 positions is m_i (p + 1) / D -
     * a_i, compared times D. */
    int64_t *m = hp_calloc((size_t)(n - 1), sizeof *m), *a = hp_calloc((size_t)(n - 1), sizeof *a);
    out->mine = hp_malloc((size_t)out->per_cycle * sizeof *out->mine);
    if (!m || !a || !out->mine) {
        hp_free(m);
        hp_free(a);
        hp_segment_free(out);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    for (int i = 0; i + 1 < n; i++)
        m[i] = b[i + 1].num * (d / b[i + 1].den) - b[i].num * (d / b[i].den);
    int64_t got = 0;
    for (int64_t p = 0; p < d; p++) {
        int best = -1;
        int64_t best_def = 0;
        for (int i = 0; i + 1 < n; i++) {
            int64_t def = m[i] * (p + 1) - a[i] * d;
            if (best < 0 || def > best_def) {
                best = i;
                best_def = def;
            }
        }
        a[best]++;
        if (best == j)
            out->mine[got++] = (int32_t)p;
    }
    hp_free(m);
    hp_free(a);
    return 0;
}

int hp_segment_parse_part(const char *text, struct hp_segment *out, struct hp_err *err)
{
    char *end;
    errno = 0;
    long i = strtol(text, &end, 10), n;
    if (errno || end == text || *end != '/')
        goto bad;
    const char *ns = end + 1;
    n = strtol(ns, &end, 10);
    if (errno || end == ns || *end)
        goto bad;
    if (n < 1 || n > HP_SEGMENT_MAX_PARTS)
        return hp_err_set(err, HP_EUSAGE, "--segment %s: 1 to %d parts", text,
                          HP_SEGMENT_MAX_PARTS);
    if (i < 1 || i > n)
        return hp_err_set(err, HP_EUSAGE, "--segment %s: parts count from 1 to %ld", text, n);
    static struct frac b[MAX_BOUNDS];
    for (long k = 0; k <= n; k++)
        b[k] = (struct frac){k, n};
    for (long k = 0; k <= n; k++) {
        int64_t g = gcd(b[k].num, b[k].den);
        b[k] = (struct frac){g ? b[k].num / g : 0, g ? b[k].den / g : 1};
    }
    int rc = build(b, (int)n + 1, (int)i - 1, out, err);
    if (rc == 0)
        snprintf(out->text, sizeof out->text, "%ld/%ld", i, n);
    return rc;
bad:
    return hp_err_set(err, HP_EUSAGE, "--segment '%s': expected I/N (part I of N, e.g. 2/4) or "
                                      "auto",
                      text);
}

/* "a,b,c" into b[]; returns the count or -1. */
static int parse_list(const char *s, struct frac *b, int max)
{
    int n = 0;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        while (len > 0 && isspace((unsigned char)*s))
            s++, len--;
        while (len > 0 && isspace((unsigned char)s[len - 1]))
            len--;
        if (n == max || parse_frac(s, len, &b[n]) < 0)
            return -1;
        n++;
        if (!comma)
            break;
        s = comma + 1;
    }
    return n;
}

int hp_segment_parse_k6(const char *segment, const char *sequence, struct hp_segment *out,
                        struct hp_err *err)
{
    struct frac from = {0, 1}, to;
    const char *colon = strchr(segment, ':');
    if (colon ? parse_frac(segment, (size_t)(colon - segment), &from) < 0 ||
                    parse_frac(colon + 1, strlen(colon + 1), &to) < 0
              : parse_frac(segment, strlen(segment), &to) < 0)
        return hp_err_set(err, HP_EUSAGE,
                          "--execution-segment '%s': expected a:b, fractions of the whole test "
                          "between 0 and 1 (1/4:2/4, 0.25:0.5 or 25%%:50%%)",
                          segment);
    if (frac_cmp(from, to) >= 0)
        return hp_err_set(err, HP_EUSAGE, "--execution-segment '%s': its start must be below "
                                          "its end",
                          segment);
    static struct frac b[MAX_BOUNDS];
    int n;
    if (sequence) {
        n = parse_list(sequence, b, MAX_BOUNDS);
        if (n < 2)
            return hp_err_set(err, HP_EUSAGE,
                              "--execution-segment-sequence '%s': expected fractions from 0 to "
                              "1, ascending, separated by commas (0,1/4,1/2,3/4,1)",
                              sequence);
        /* k6 allows a sequence that does not start at 0 or end at 1 */
        if (b[0].num != 0) {
            if (n == MAX_BOUNDS)
                return hp_err_set(err, HP_EUSAGE, "--execution-segment-sequence: too long");
            memmove(b + 1, b, (size_t)n * sizeof *b);
            b[0] = (struct frac){0, 1};
            n++;
        }
        if (frac_cmp(b[n - 1], (struct frac){1, 1}) != 0) {
            if (n == MAX_BOUNDS)
                return hp_err_set(err, HP_EUSAGE, "--execution-segment-sequence: too long");
            b[n++] = (struct frac){1, 1};
        }
        for (int i = 0; i + 1 < n; i++)
            if (frac_cmp(b[i], b[i + 1]) >= 0)
                return hp_err_set(err, HP_EUSAGE,
                                  "--execution-segment-sequence '%s': the fractions must rise",
                                  sequence);
    } else {
        n = 0;
        b[n++] = (struct frac){0, 1};
        if (from.num != 0)
            b[n++] = from;
        b[n++] = to;
        if (frac_cmp(to, (struct frac){1, 1}) != 0)
            b[n++] = (struct frac){1, 1};
    }
    int j = -1;
    for (int i = 0; i + 1 < n; i++)
        if (frac_cmp(b[i], from) == 0 && frac_cmp(b[i + 1], to) == 0)
            j = i;
    if (j < 0)
        return hp_err_set(err, HP_EUSAGE,
                          "--execution-segment '%s' is not one step of the sequence '%s'",
                          segment, sequence ? sequence : "");
    int rc = build(b, n, j, out, err);
    if (rc == 0) {
        char a[48], z[48];
        frac_text(from, a, sizeof a);
        frac_text(to, z, sizeof z);
        snprintf(out->text, sizeof out->text, "%s:%s", a, z);
    }
    return rc;
}

static int env_int(const char *(*get)(const char *), const char *name, long *out)
{
    const char *v = get(name);
    if (!v || !*v)
        return -1;
    char *end;
    errno = 0;
    *out = strtol(v, &end, 10);
    return errno || *end || *out < 0 ? -2 : 0;
}

int hp_segment_auto(int count, const char *(*get)(const char *), struct hp_segment *out,
                    struct hp_err *err)
{
    long index, n = count, min = 0, c;
    const char *from;
    int rc;
    if ((rc = env_int(get, "JOB_COMPLETION_INDEX", &index)) != -1) {
        from = "JOB_COMPLETION_INDEX";
    } else if ((rc = env_int(get, "SLURM_ARRAY_TASK_ID", &index)) != -1) {
        from = "SLURM_ARRAY_TASK_ID";
        if (rc == 0 && env_int(get, "SLURM_ARRAY_TASK_MIN", &min) == 0)
            index -= min;
        if (rc == 0 && count == 0 && env_int(get, "SLURM_ARRAY_TASK_COUNT", &c) == 0)
            n = c;
    } else if ((rc = env_int(get, "NOMAD_ALLOC_INDEX", &index)) != -1) {
        from = "NOMAD_ALLOC_INDEX";
    } else {
        return hp_err_set(err, HP_EUSAGE,
                          "--segment auto: none of JOB_COMPLETION_INDEX (a Kubernetes Indexed "
                          "Job), SLURM_ARRAY_TASK_ID (a Slurm job array) or NOMAD_ALLOC_INDEX "
                          "(Nomad) is set");
    }
    if (rc < 0 || index < 0)
        return hp_err_set(err, HP_EUSAGE, "--segment auto: %s='%s' is not an index", from,
                          get(from));
    if (n < 1)
        return hp_err_set(err, HP_EUSAGE, "--segment auto: %s gives the index; give the number "
                                          "of parts as auto/N",
                          from);
    if (index >= n)
        return hp_err_set(err, HP_EUSAGE, "--segment auto: %s=%ld, but there are %ld parts "
                                          "(0 to %ld)",
                          from, index, n, n - 1);
    char text[64];
    snprintf(text, sizeof text, "%ld/%ld", index + 1, n);
    return hp_segment_parse_part(text, out, err);
}

void hp_segment_free(struct hp_segment *s)
{
    if (!s)
        return;
    hp_free(s->mine);
    s->mine = NULL;
}

int64_t hp_segment_share(const struct hp_segment *s, int64_t n)
{
    __int128 a = (__int128)s->to * n / s->cycle, b = (__int128)s->from * n / s->cycle;
    return (int64_t)(a - b);
}

double hp_segment_fraction(const struct hp_segment *s)
{
    return (double)s->per_cycle / (double)s->cycle;
}

bool hp_segment_has(const struct hp_segment *s, int64_t n)
{
    int64_t r = n % s->cycle;
    if (!s->mine)
        return r == s->part;
    int64_t lo = 0, hi = s->per_cycle;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (s->mine[mid] < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->per_cycle && s->mine[lo] == r;
}
