/* SPDX-License-Identifier: MIT */
/* sql/digest.c - see digest.h. Classes live in an array; an open-addressing
 * table of indexes finds them by the XXH3 hash of the fingerprint (the
 * fingerprint itself is compared too, so a hash collision cannot merge two
 * classes). */
#include "sql/digest.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/alloc.h"
#include "stat/stats.h"

#define HIST_LOWEST_NS INT64_C(1000)                  /* logs say microseconds */
#define HIST_HIGHEST_NS (INT64_C(86400) * 1000000000) /* a day */

struct hp_sql_digest {
    enum hp_sql_classes how;
    unsigned fp_flags; /* HP_SQL_FP_* */
    struct hp_sql_class *classes; /* n of cap */
    size_t n, cap;
    uint32_t *slots; /* index + 1; 0 is empty */
    size_t nslots;   /* a power of two, at least twice n */
    struct hp_sql_class **sorted;
    int64_t calls, time_ns, first_ts_s, last_ts_s;
    /* the series: origin and width in seconds, buckets in use, bytes given */
    int64_t origin_s, width_s;
    int nbuckets;
    size_t series_bytes;
    char fp[HP_SQL_FP_MAX_BYTES];
};

int hp_sql_digest_new(struct hp_sql_digest **out)
{
    struct hp_sql_digest *d = hp_calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    d->nslots = 1024;
    d->slots = hp_calloc(d->nslots, sizeof *d->slots);
    if (!d->slots) {
        hp_free(d);
        return -ENOMEM;
    }
    d->first_ts_s = d->last_ts_s = -1;
    *out = d;
    return 0;
}

void hp_sql_digest_set_fp_flags(struct hp_sql_digest *d, unsigned flags)
{
    d->fp_flags = flags;
}

unsigned hp_sql_digest_fp_flags(const struct hp_sql_digest *d)
{
    return d->fp_flags;
}

void hp_sql_digest_set_classes(struct hp_sql_digest *d, enum hp_sql_classes how)
{
    d->how = how;
}

static void class_fini(struct hp_sql_class *c)
{
    hp_free(c->series);
    hp_free(c->fingerprint);
    hp_free(c->exact);
    hp_hist_free(c->hist);
    hp_free(c->sample);
    hp_free(c->sample_params);
}

void hp_sql_digest_free(struct hp_sql_digest *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        class_fini(&d->classes[i]);
    hp_free(d->classes);
    hp_free(d->slots);
    hp_free(d->sorted);
    hp_free(d);
}

static int grow_slots(struct hp_sql_digest *d)
{
    size_t n = d->nslots * 2;
    uint32_t *s = hp_calloc(n, sizeof *s);
    if (!s)
        return -ENOMEM;
    for (size_t i = 0; i < d->n; i++) {
        size_t h = (size_t)d->classes[i].id & (n - 1);
        while (s[h])
            h = (h + 1) & (n - 1);
        s[h] = (uint32_t)i + 1;
    }
    hp_free(d->slots);
    d->slots = s;
    d->nslots = n;
    return 0;
}

/* The class of fingerprint fp (len bytes), made if new; NULL on -ENOMEM. */
static struct hp_sql_class *class_of(struct hp_sql_digest *d, const char *fp, size_t len)
{
    uint64_t id = XXH3_64bits(fp, len);
    size_t h = (size_t)id & (d->nslots - 1);
    for (uint32_t k; (k = d->slots[h]) != 0; h = (h + 1) & (d->nslots - 1)) {
        struct hp_sql_class *c = &d->classes[k - 1];
        if (c->id == id && strncmp(c->fingerprint, fp, len) == 0 && c->fingerprint[len] == '\0')
            return c;
    }
    if (d->n == UINT32_MAX - 1)
        return NULL;
    if (HP_GROW(d->classes, d->cap, (size_t)d->n + 1, 64) < 0)
        return NULL;
    char *copy = hp_malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, fp, len);
    copy[len] = '\0';
    struct hp_sql_class *c = &d->classes[d->n];
    memset(c, 0, sizeof *c);
    c->id = id;
    c->fingerprint = copy;
    if (d->how == HP_SQL_CLASSES_PT) { /* pt-query-digest's id: uc md5_hex(fingerprint) */
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        EVP_Digest(fp, len, md, &mdlen, EVP_md5(), NULL);
        char *p = c->label + 2;
        memcpy(c->label, "0x", 2);
        for (unsigned int i = 0; i < mdlen && i < 16; i++, p += 2)
            snprintf(p, 3, "%02X", md[i]);
    } else {
        snprintf(c->label, sizeof c->label, "0x%016" PRIX64, id);
    }
    c->min_ns = INT64_MAX;
    c->first_ts_s = c->last_ts_s = -1;
    c->sample_ns = -1;
    d->slots[h] = (uint32_t)d->n + 1;
    d->n++;
    if (d->n * 2 > d->nslots && grow_slots(d) < 0) {
        /* still findable: the table is only fuller than we like */
    }
    return c;
}

static int record_time(struct hp_sql_class *c, int64_t ns)
{
    if (c->hist) {
        if (ns < HIST_LOWEST_NS)
            ns = HIST_LOWEST_NS;
        hp_hist_record(c->hist, ns > HIST_HIGHEST_NS ? HIST_HIGHEST_NS : ns);
        return 0;
    }
    if (c->n_exact < HP_SQL_EXACT_VALUES) {
        if (c->n_exact == c->cap_exact) { /* most classes are rare: grow as needed */
            int cap = c->cap_exact ? c->cap_exact * 2 : 4;
            int64_t *grown = hp_realloc(c->exact, (size_t)cap * sizeof *grown);
            if (!grown)
                return -ENOMEM;
            c->exact = grown;
            c->cap_exact = cap;
        }
        c->exact[c->n_exact++] = ns;
        return 0;
    }
    int rc = hp_hist_new(HIST_LOWEST_NS, HIST_HIGHEST_NS, 3, &c->hist);
    if (rc < 0)
        return rc;
    for (int i = 0; i < c->n_exact; i++)
        record_time(c, c->exact[i]);
    hp_free(c->exact);
    c->exact = NULL;
    c->n_exact = c->cap_exact = 0;
    return record_time(c, ns);
}

static void count_name(struct hp_sql_name_count *top, int64_t *other, const char *name, int64_t k)
{
    for (int i = 0; i < HP_SQL_TOP_NAMES; i++) {
        if (top[i].calls == 0) {
            snprintf(top[i].name, sizeof top[i].name, "%s", name);
            top[i].calls = k;
            return;
        }
        if (strcmp(top[i].name, name) == 0) {
            top[i].calls += k;
            return;
        }
    }
    *other += k;
}

/* Double every class's bucket width: pairs of buckets merge. */
static void widen(struct hp_sql_digest *d)
{
    for (size_t i = 0; i < d->n; i++) {
        struct hp_sql_bucket *b = d->classes[i].series;
        if (!b)
            continue;
        for (int k = 0; k < HP_SQL_SERIES_BUCKETS / 2; k++) {
            b[k].calls = b[2 * k].calls + b[2 * k + 1].calls;
            b[k].time_ns = b[2 * k].time_ns + b[2 * k + 1].time_ns;
        }
        memset(b + HP_SQL_SERIES_BUCKETS / 2, 0, HP_SQL_SERIES_BUCKETS / 2 * sizeof *b);
    }
    d->width_s *= 2;
    d->nbuckets = (d->nbuckets + 1) / 2;
}

static void count_series(struct hp_sql_digest *d, struct hp_sql_class *c, int64_t ts_s, int64_t k,
                         int64_t ns)
{
    if (d->width_s == 0) {
        d->width_s = 60;
        d->origin_s = ts_s - ts_s % 60;
    }
    int64_t at = ts_s < d->origin_s ? 0 : (ts_s - d->origin_s) / d->width_s;
    while (at >= HP_SQL_SERIES_BUCKETS) {
        widen(d);
        at = (ts_s - d->origin_s) / d->width_s;
    }
    if (at + 1 > d->nbuckets)
        d->nbuckets = (int)at + 1;
    if (!c->series) {
        size_t bytes = HP_SQL_SERIES_BUCKETS * sizeof *c->series;
        if (d->series_bytes + bytes > HP_SQL_SERIES_BUDGET_BYTES)
            return;
        c->series = hp_calloc(HP_SQL_SERIES_BUCKETS, sizeof *c->series);
        if (!c->series)
            return; /* a class without a series, not a failed digest */
        d->series_bytes += bytes;
    }
    c->series[at].calls += k;
    c->series[at].time_ns += ns;
}

bool hp_sql_digest_series(const struct hp_sql_digest *d, int64_t *origin_s, int64_t *width_s,
                          int *n)
{
    *origin_s = d->origin_s;
    *width_s = d->width_s;
    *n = d->nbuckets;
    return d->width_s > 0;
}

/* One more call of c from thread in second ts_s. Four pairs are live at
 * once; a new pair takes the oldest one's place. */
static void count_burst(struct hp_sql_class *c, int64_t thread, int64_t ts_s)
{
    int slot = 0;
    for (int i = 0; i < 4; i++) {
        if (c->burst[i].calls > 0 && c->burst[i].thread == thread && c->burst[i].ts_s == ts_s) {
            slot = i;
            goto count;
        }
        if (c->burst[i].calls == 0 || c->burst[i].ts_s < c->burst[slot].ts_s)
            slot = i;
    }
    c->burst[slot].thread = thread;
    c->burst[slot].ts_s = ts_s;
    c->burst[slot].calls = 0;
count:
    if (++c->burst[slot].calls > c->burst_max) {
        c->burst_max = c->burst[slot].calls;
        c->burst_thread = thread;
        c->burst_ts_s = ts_s;
    }
}

static int keep_sample(struct hp_sql_class *c, const struct hp_sql_event *ev)
{
    size_t n = ev->query_len < HP_SQL_SAMPLE_MAX_BYTES ? ev->query_len : HP_SQL_SAMPLE_MAX_BYTES;
    if (n + 1 > c->sample_cap) {
        char *grown = hp_realloc(c->sample, n + 1);
        if (!grown)
            return -ENOMEM;
        c->sample = grown;
        c->sample_cap = n + 1;
    }
    char *params = NULL;
    if (ev->params) {
        params = hp_malloc(ev->params_len + 1);
        if (!params)
            return -ENOMEM;
        memcpy(params, ev->params, ev->params_len);
        params[ev->params_len] = '\0';
    }
    hp_free(c->sample_params);
    c->sample_params = params;
    memcpy(c->sample, ev->query, n);
    c->sample[n] = '\0';
    c->sample_len = n;
    c->sample_ns = ev->query_time_ns;
    c->sample_ts_s = ev->ts_s;
    snprintf(c->sample_db, sizeof c->sample_db, "%s", ev->db);
    return 0;
}

void hp_sql_digest_rename(struct hp_sql_digest *d, bool dbs, const char *from, const char *to)
{
    for (size_t i = 0; i < d->n; i++) {
        struct hp_sql_class *c = &d->classes[i];
        struct hp_sql_name_count *names = dbs ? c->dbs : c->users;
        for (int k = 0; k < HP_SQL_TOP_NAMES; k++)
            if (names[k].calls > 0 && strcmp(names[k].name, from) == 0)
                snprintf(names[k].name, sizeof names[k].name, "%s", to);
        if (dbs && strcmp(c->sample_db, from) == 0)
            snprintf(c->sample_db, sizeof c->sample_db, "%s", to);
    }
}

int hp_sql_digest_add(struct hp_sql_digest *d, const struct hp_sql_event *ev)
{
    static const char admin[] = "administrator command: ";
    size_t len;
    if (ev->query_len >= sizeof admin - 1 && memcmp(ev->query, admin, sizeof admin - 1) == 0) {
        /* Ping, Quit, Init DB: the command is the class */
        len = ev->query_len < sizeof d->fp - 1 ? ev->query_len : sizeof d->fp - 1;
        memcpy(d->fp, ev->query, len);
        d->fp[len] = '\0';
    } else if (d->how == HP_SQL_CLASSES_PT) {
        size_t n = ev->query_len; /* pt-query-digest's statement has no final ";" */
        while (n > 0 && (ev->query[n - 1] == ' ' || ev->query[n - 1] == '\n' ||
                         ev->query[n - 1] == '\t' || ev->query[n - 1] == '\r'))
            n--;
        if (n > 0 && ev->query[n - 1] == ';')
            n--;
        int k = hp_sql_fingerprint_pt(ev->query, n, d->fp, sizeof d->fp, NULL);
        if (k < 0)
            return k;
        len = (size_t)k;
    } else {
        len = hp_sql_fingerprint(ev->query, ev->query_len, ev->dialect, d->fp_flags, d->fp,
                                 sizeof d->fp, NULL);
    }
    struct hp_sql_class *c = class_of(d, d->fp, len);
    if (!c)
        return -ENOMEM;
    int64_t ns = ev->query_time_ns, k = ev->calls > 0 ? ev->calls : 1;
    if (ev->calls > 0) {
        /* totals: merge the mean and variance (Chan, Golub and LeVeque 1979) */
        double n_a = (double)c->calls, n_b = (double)k, mean_b = (double)ns / n_b;
        double delta = mean_b - c->mean_ns;
        c->mean_ns += delta * n_b / (n_a + n_b);
        c->m2 += ev->stddev_ns * ev->stddev_ns * n_b + delta * delta * n_a * n_b / (n_a + n_b);
        c->aggregated += k;
        if (ev->min_ns < c->min_ns)
            c->min_ns = ev->min_ns;
        if (ev->max_ns > c->max_ns)
            c->max_ns = ev->max_ns;
        if (ev->max_ns > c->sample_ns) {
            struct hp_sql_event slowest = *ev;
            slowest.query_time_ns = ev->max_ns;
            if (keep_sample(c, &slowest) < 0)
                return -ENOMEM;
        }
    } else {
        if (record_time(c, ns) < 0)
            return -ENOMEM;
        if (ns > c->sample_ns && keep_sample(c, ev) < 0)
            return -ENOMEM;
        if (ns < c->min_ns)
            c->min_ns = ns;
        if (ns > c->max_ns)
            c->max_ns = ns;
        double delta = (double)ns - c->mean_ns;
        c->mean_ns += delta / (double)(c->calls + 1);
        c->m2 += delta * ((double)ns - c->mean_ns);
    }
    c->calls += k;
    c->time_ns += ns;
    if (ev->lock_time_ns >= 0) {
        c->lock_ns += ev->lock_time_ns;
        c->lock_calls++;
    }
    if (ev->rows_examined >= 0 || ev->rows_sent >= 0) {
        c->rows_calls += k;
        c->examined_calls += ev->rows_examined >= 0 ? k : 0;
        c->rows_sent += ev->rows_sent > 0 ? ev->rows_sent : 0;
        c->rows_examined += ev->rows_examined > 0 ? ev->rows_examined : 0;
    }
    if (ev->ts_s >= 0) {
        if (c->first_ts_s < 0 || ev->ts_s < c->first_ts_s)
            c->first_ts_s = ev->ts_s;
        if (ev->ts_s > c->last_ts_s)
            c->last_ts_s = ev->ts_s;
        if (d->first_ts_s < 0 || ev->ts_s < d->first_ts_s)
            d->first_ts_s = ev->ts_s;
        if (ev->ts_s > d->last_ts_s)
            d->last_ts_s = ev->ts_s;
    }
    if (ev->thread_id >= 0 && ev->ts_s >= 0)
        count_burst(c, ev->thread_id, ev->ts_s);
    if (ev->ts_s >= 0)
        count_series(d, c, ev->ts_s, k, ns);
    count_name(c->dbs, &c->other_dbs, ev->db, k);
    count_name(c->users, &c->other_users, ev->user, k);
    d->calls += k;
    d->time_ns += ns;
    return 0;
}

int64_t hp_sql_digest_calls(const struct hp_sql_digest *d)
{
    return d->calls;
}

int64_t hp_sql_digest_time_ns(const struct hp_sql_digest *d)
{
    return d->time_ns;
}

void hp_sql_digest_span(const struct hp_sql_digest *d, int64_t *first_ts_s, int64_t *last_ts_s)
{
    *first_ts_s = d->first_ts_s;
    *last_ts_s = d->last_ts_s;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t hp_sql_class_percentile(const struct hp_sql_class *c, double p)
{
    if (c->aggregated > 0)
        return -1;
    /* nearest rank: the smallest value with at least p% at or below it */
    if (c->hist)
        return hp_hist_value_at_rank(c->hist, hp_nearest_rank(p, c->hist->total_count));
    if (c->n_exact == 0)
        return 0;
    int64_t v[HP_SQL_EXACT_VALUES];
    memcpy(v, c->exact, (size_t)c->n_exact * sizeof *v);
    qsort(v, (size_t)c->n_exact, sizeof *v, cmp_i64);
    return v[hp_nearest_rank(p, c->n_exact) - 1];
}

double hp_sql_class_vm(const struct hp_sql_class *c)
{
    if (c->calls < 2 || c->mean_ns <= 0)
        return 0;
    double var_s2 = c->m2 / (double)(c->calls - 1) / 1e18;
    return var_s2 / (c->mean_ns / 1e9);
}

int hp_sql_class_hist(const struct hp_sql_class *c, struct hp_hist **out)
{
    struct hp_hist *h;
    if (c->aggregated > 0)
        return -ENODATA;
    int rc = hp_hist_new(HIST_LOWEST_NS, HIST_HIGHEST_NS, 3, &h);
    if (rc < 0)
        return rc;
    if (c->hist) {
        hp_hist_add(h, c->hist);
    } else {
        for (int i = 0; i < c->n_exact; i++) {
            int64_t ns = c->exact[i] < HIST_LOWEST_NS ? HIST_LOWEST_NS : c->exact[i];
            hp_hist_record(h, ns > HIST_HIGHEST_NS ? HIST_HIGHEST_NS : ns);
        }
    }
    *out = h;
    return 0;
}

static double key(const struct hp_sql_class *c, enum hp_sql_order order)
{
    switch (order) {
    case HP_SQL_BY_CALLS: return (double)c->calls;
    case HP_SQL_BY_MEAN: return c->mean_ns;
    case HP_SQL_BY_P99: return (double)hp_sql_class_percentile(c, 99);
    case HP_SQL_BY_ROWS_EXAMINED: return (double)c->rows_examined;
    case HP_SQL_BY_TIME: break;
    }
    return (double)c->time_ns;
}

struct keyed {
    double key;
    struct hp_sql_class *c;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return (x->c->id > y->c->id) - (x->c->id < y->c->id);
}

size_t hp_sql_digest_sorted(struct hp_sql_digest *d, enum hp_sql_order order,
                            struct hp_sql_class *const **out)
{
    size_t n = d->n ? d->n : 1;
    struct keyed *k = hp_malloc(n * sizeof *k);
    hp_free(d->sorted);
    d->sorted = hp_malloc(n * sizeof *d->sorted);
    *out = NULL;
    if (!k || !d->sorted) {
        hp_free(k);
        return 0;
    }
    for (size_t i = 0; i < d->n; i++)
        k[i] = (struct keyed){key(&d->classes[i], order), &d->classes[i]};
    qsort(k, d->n, sizeof *k, cmp_keyed);
    for (size_t i = 0; i < d->n; i++)
        d->sorted[i] = k[i].c;
    hp_free(k);
    *out = d->sorted;
    return d->n;
}

int hp_sql_order_parse(const char *text)
{
    static const char *const names[] = {"time", "calls", "mean", "p99", "rows_examined"};
    for (int i = 0; i < 5; i++)
        if (strcmp(text, names[i]) == 0)
            return i;
    return -1;
}
