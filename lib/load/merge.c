// SPDX-License-Identifier: MIT
/* load/merge.c - see merge.h. */
#include "load/merge.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "load/load_doc.h"
#include "stat/hist_result.h"

/* config keys that differ between the parts of one test */
static const char *const per_part[] = {"segment", "segment_connections", "start_at", "tls",
                                       "monitor_pid", NULL};

static bool is_per_part(const char *key)
{
    for (int i = 0; per_part[i]; i++)
        if (strcmp(key, per_part[i]) == 0)
            return true;
    return false;
}

static json_t *config_of(struct hp_result *doc)
{
    return json_object_get(hp_result_json(doc), "config");
}

/* The first config key whose value differs between a and b, or NULL. */
static const char *config_differs(json_t *a, json_t *b)
{
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v)
    {
        if (!is_per_part(k) && !json_equal(v, json_object_get(b, k)))
            return k;
    }
    json_object_foreach(b, k, v)
    {
        if (!is_per_part(k) && !json_object_get(a, k))
            return k;
    }
    return NULL;
}

struct part_info {
    int pos; /* its place among the files given */
    int index, parts;
    char *sequence, *text, *name;
    double start_s, end_s;
};

/* histograms by name, added up */
struct acc {
    char name[220];
    struct hp_hist *h;
};

/* a series, interval by interval */
/* Sums are kept in fixed point, 2^-40 units, in 128 bits: exact, so the
 * parts may be folded in any order (on several threads) and the result is
 * the same to the last bit. */
#define FIX 1099511627776.0 /* 2^40 */
typedef __int128 fixsum;

static fixsum fix(double v)
{
    return (fixsum)(v * FIX); /* exact: a power of two, then truncation */
}

struct series {
    char name[220], unit[16];
    bool rate;
    double *t, *top;
    fixsum *sum;
    int *got;
    size_t n, cap;
};

struct hp_load_merger {
    struct part_info *pi;
    size_t n, cap_pi;
    json_t *config;     /* the first part's */
    char *thresholds;   /* its --threshold texts, one per line */
    struct hp_load_counts counts;
    struct acc *acc;
    size_t n_acc, cap_acc;
    struct hp_merge_tag *tags;
    int n_tags;
    struct series *series;
    size_t n_series, cap_series;
    json_t *counted;    /* other count metrics: name -> sum */
    fixsum target;
};

int hp_load_merger_new(struct hp_load_merger **out)
{
    struct hp_load_merger *mg = hp_calloc(1, sizeof *mg);
    if (!mg || !(mg->tags = hp_calloc(HP_MERGE_MAX_TAGS, sizeof *mg->tags)) ||
        !(mg->counted = json_object())) {
        hp_load_merger_free(mg);
        return -ENOMEM;
    }
    *out = mg;
    return 0;
}

void hp_load_merger_free(struct hp_load_merger *mg)
{
    if (!mg)
        return;
    for (size_t i = 0; i < mg->n; i++) {
        hp_free(mg->pi[i].sequence);
        hp_free(mg->pi[i].text);
        hp_free(mg->pi[i].name);
    }
    hp_free(mg->pi);
    json_decref(mg->config);
    hp_free(mg->thresholds);
    for (size_t i = 0; i < mg->n_acc; i++)
        hp_hist_free(mg->acc[i].h);
    hp_free(mg->acc);
    for (int i = 0; mg->tags && i < mg->n_tags; i++)
        hp_hist_free(mg->tags[i].latency);
    hp_free(mg->tags);
    for (size_t i = 0; i < mg->n_series; i++) {
        hp_free(mg->series[i].t);
        hp_free(mg->series[i].sum);
        hp_free(mg->series[i].top);
        hp_free(mg->series[i].got);
    }
    hp_free(mg->series);
    json_decref(mg->counted);
    hp_free(mg);
}

/* The --threshold texts of a document, one per line (hp_free). */
static char *thresholds_text(struct hp_result *doc)
{
    json_t *t = json_object_get(hp_result_json(doc), "thresholds"), *v;
    size_t i, len = 0;
    json_array_foreach(t, i, v)
    {
        const char *s = json_string_value(json_object_get(v, "threshold"));
        len += s ? strlen(s) + 1 : 0;
    }
    char *buf = hp_malloc(len + 1);
    if (!buf)
        return NULL;
    len = 0;
    json_array_foreach(t, i, v)
    {
        const char *s = json_string_value(json_object_get(v, "threshold"));
        if (s) {
            memcpy(buf + len, s, strlen(s));
            len += strlen(s);
            buf[len++] = '\n';
        }
    }
    buf[len] = 0;
    return buf;
}

/* Are (a, b) parts of the same test: the same split (parts, sequence),
 * thresholds and config but for the per-part keys? 0, or HP_EUSAGE with err
 * naming both and what differs. */
static int same_test(const char *a_name, int a_parts, const char *a_seq, const char *a_thr,
                     json_t *a_cfg, const char *b_name, int b_parts, const char *b_seq,
                     const char *b_thr, json_t *b_cfg, struct hp_err *err)
{
    if (a_parts != b_parts || strcmp(a_seq, b_seq) != 0)
        return hp_err_set(err, HP_EUSAGE,
                          "%s and %s split the test differently (sequence %s and %s): parts of "
                          "one test share it",
                          a_name, b_name, a_seq, b_seq);
    if (strcmp(a_thr, b_thr) != 0)
        return hp_err_set(err, HP_EUSAGE,
                          "%s and %s were run with different --threshold flags: the whole is "
                          "judged once, by the same thresholds",
                          a_name, b_name);
    const char *k = config_differs(a_cfg, b_cfg);
    if (!k)
        return 0;
    char *x = json_dumps(json_object_get(a_cfg, k), JSON_ENCODE_ANY),
         *y = json_dumps(json_object_get(b_cfg, k), JSON_ENCODE_ANY);
    int rc = hp_err_set(err, HP_EUSAGE,
                        "%s and %s are parts of different tests: config.%s is %.80s in one and "
                        "%.80s in the other",
                        a_name, b_name, k, x ? x : "absent", y ? y : "absent");
    free(x);
    free(y);
    return rc;
}

/* Is doc a part of the same test as the first? Records its place. */
static int check_part(struct hp_load_merger *mg, struct hp_result *d, const char *name, int pos,
                      struct hp_err *err)
{
    struct part_info p = {.pos = pos};
    if (strcmp(hp_result_kind(d), "load") != 0)
        return hp_err_set(err, HP_EUSAGE, "%s: a %s document, not a part of a load test", name,
                          hp_result_kind(d));
    json_t *seg = json_object_get(config_of(d), "segment");
    p.index = (int)json_integer_value(json_object_get(seg, "index"));
    p.parts = (int)json_integer_value(json_object_get(seg, "parts"));
    const char *seq = json_string_value(json_object_get(seg, "sequence"));
    const char *text = json_string_value(json_object_get(seg, "part"));
    if (!seg || !seq || !text || p.parts < 1 || p.index < 0 || p.index >= p.parts)
        return hp_err_set(err, HP_EUSAGE,
                          "%s: not a part of a split test (no config.segment: run each part "
                          "with hotpath load --segment I/N)",
                          name);
    json_t *st = json_object_get(hp_result_json(d), "started_at");
    double dur = json_number_value(json_object_get(hp_result_json(d), "duration_s"));
    struct hp_err e2;
    if (!json_is_string(st) || hp_parse_time(json_string_value(st), &p.start_s, &e2) < 0)
        return hp_err_set(err, HP_EUSAGE, "%s: no readable started_at", name);
    p.end_s = p.start_s + dur;
    char *thr = thresholds_text(d);
    if (!thr)
        return hp_err_set(err, -ENOMEM, "out of memory");
    if (mg->n > 0) {
        const struct part_info *f = &mg->pi[0];
        int rc = same_test(f->name, f->parts, f->sequence, mg->thresholds, mg->config, name,
                           p.parts, seq, thr, config_of(d), err);
        for (size_t i = 0; rc == 0 && i < mg->n; i++)
            if (mg->pi[i].index == p.index)
                rc = hp_err_set(err, HP_EUSAGE,
                                "%s and %s are both part %s: each part is merged once",
                                mg->pi[i].name, name, text);
        hp_free(thr);
        if (rc < 0)
            return rc;
    } else {
        mg->thresholds = thr;
        if (!(mg->config = json_deep_copy(config_of(d))))
            return hp_err_set(err, -ENOMEM, "out of memory");
    }
    if (HP_GROW(mg->pi, mg->cap_pi, mg->n + 1, 16) < 0)
        return hp_err_set(err, -ENOMEM, "out of memory");
    p.sequence = hp_strdup(seq);
    p.text = hp_strdup(text);
    p.name = hp_strdup(name);
    mg->pi[mg->n++] = p;
    if (!p.sequence || !p.text || !p.name)
        return hp_err_set(err, -ENOMEM, "out of memory");
    return 0;
}

static int add_histograms(struct hp_load_merger *mg, struct hp_result *doc, const char *file,
                          struct hp_err *err)
{
    json_t *hs = json_object_get(hp_result_json(doc), "histograms"), *v;
    const char *name;
    json_object_foreach(hs, name, v)
    {
        struct hp_hist *h;
        int rc = hp_result_get_histogram(doc, name, &h, err);
        if (rc < 0)
            return hp_err_set(err, HP_EUSAGE, "%s: histograms.%s: %s", file, name, err->msg);
        size_t i = 0;
        while (i < mg->n_acc && strcmp(mg->acc[i].name, name) != 0)
            i++;
        if (i == mg->n_acc) {
            if (HP_GROW(mg->acc, mg->cap_acc, mg->n_acc + 1, 16) < 0) {
                hp_hist_free(h);
                return hp_err_set(err, -ENOMEM, "out of memory");
            }
            snprintf(mg->acc[i].name, sizeof mg->acc[i].name, "%s", name);
            mg->acc[i].h = h;
            mg->n_acc++;
            continue;
        }
        rc = hp_hist_add(mg->acc[i].h, h);
        hp_hist_free(h);
        if (rc < 0)
            return hp_err_set(err, HP_EUSAGE, "%s: histograms.%s does not fit the others' range",
                              file, name);
    }
    return 0;
}

/* Each latency{TAG}'s counts from doc. */
static void add_tags(struct hp_load_merger *mg, struct hp_result *doc)
{
    json_t *hs = json_object_get(hp_result_json(doc), "histograms"), *v;
    const char *nm;
    size_t lat = strlen(HP_LOAD_H_LATENCY);
    json_object_foreach(hs, nm, v)
    {
        size_t len = strlen(nm);
        if (strncmp(nm, HP_LOAD_H_LATENCY, lat) != 0 || nm[lat] != '{' || nm[len - 1] != '}' ||
            len - lat - 2 >= sizeof mg->tags[0].tag)
            continue;
        char tag[sizeof mg->tags[0].tag];
        snprintf(tag, sizeof tag, "%.*s", (int)(len - lat - 2), nm + lat + 1);
        int i = 0;
        while (i < mg->n_tags && strcmp(mg->tags[i].tag, tag) != 0)
            i++;
        if (i == mg->n_tags) {
            if (mg->n_tags == HP_MERGE_MAX_TAGS)
                continue;
            snprintf(mg->tags[mg->n_tags++].tag, sizeof tag, "%s", tag);
        }
        hp_load_doc_read_counts(doc, tag, &mg->tags[i].counts);
    }
}

/* Series, interval by interval: rates summed, percentiles the highest. */
static int add_series(struct hp_load_merger *mg, struct hp_result *doc)
{
    json_t *all = json_object_get(hp_result_json(doc), "series"), *v;
    const char *name;
    json_object_foreach(all, name, v)
    {
        const char *unit = json_string_value(json_object_get(v, "unit"));
        if (!unit || strlen(name) >= sizeof mg->series[0].name)
            continue;
        bool rate = strcmp(unit, "1/s") == 0 || strcmp(unit, "bytes/s") == 0;
        bool pct = strcmp(unit, "ns") == 0 && strstr(name, "_ns");
        if (!rate && !pct)
            continue; /* a part's own (a monitor's samples): not the whole's */
        size_t i = 0;
        while (i < mg->n_series && strcmp(mg->series[i].name, name) != 0)
            i++;
        if (i == mg->n_series) {
            if (HP_GROW(mg->series, mg->cap_series, mg->n_series + 1, 16) < 0)
                return -ENOMEM;
            memset(&mg->series[i], 0, sizeof mg->series[i]);
            snprintf(mg->series[i].name, sizeof mg->series[i].name, "%s", name);
            snprintf(mg->series[i].unit, sizeof mg->series[i].unit, "%s", unit);
            mg->series[i].rate = rate;
            mg->n_series++;
        }
        struct series *s = &mg->series[i];
        json_t *pts = json_object_get(v, "points"), *p;
        size_t k;
        if (json_array_size(pts) > s->n) {
            size_t need = json_array_size(pts), cap = s->cap;
            if (need > cap) {
                cap = cap ? cap : 64;
                while (cap < need)
                    cap *= 2;
                double *t = hp_realloc(s->t, cap * sizeof *t);
                s->t = t ? t : s->t;
                fixsum *sum = hp_realloc(s->sum, cap * sizeof *sum);
                s->sum = sum ? sum : s->sum;
                double *top = hp_realloc(s->top, cap * sizeof *top);
                s->top = top ? top : s->top;
                int *got = hp_realloc(s->got, cap * sizeof *got);
                s->got = got ? got : s->got;
                if (!t || !sum || !top || !got)
                    return -ENOMEM;
                s->cap = cap;
            }
            for (size_t j = s->n; j < need; j++) {
                s->t[j] = s->sum[j] = 0;
                s->top[j] = NAN;
                s->got[j] = 0;
            }
            s->n = need;
        }
        json_array_foreach(pts, k, p)
        {
            s->t[k] = fmax(s->t[k], json_number_value(json_array_get(p, 0)));
            json_t *x = json_array_get(p, 1);
            if (!json_is_number(x))
                continue;
            double val = json_number_value(x);
            s->sum[k] += fix(val);
            s->top[k] = s->got[k] ? fmax(s->top[k], val) : val;
            s->got[k]++;
        }
    }
    return 0;
}

/* Metrics counted in the parts (a check's failures per request): summed;
 * those the whole's figures do not give again are written at the end. */
static int add_counted(struct hp_load_merger *mg, struct hp_result *doc)
{
    json_t *m = json_object_get(hp_result_json(doc), "metrics"), *v;
    const char *name;
    json_object_foreach(m, name, v)
    {
        const char *unit = json_string_value(json_object_get(v, "unit"));
        if (!unit || strcmp(unit, "count") != 0)
            continue;
        double x = json_number_value(json_object_get(v, "value"));
        json_t *sum = json_object_get(mg->counted, name);
        if (sum) {
            json_real_set(sum, json_real_value(sum) + x);
        } else if (json_object_set_new(mg->counted, name, json_real(x)) < 0) {
            return -ENOMEM;
        }
    }
    return 0;
}

static int add_at(struct hp_load_merger *mg, struct hp_result *doc, const char *name, int pos,
                  struct hp_err *err)
{
    int rc = check_part(mg, doc, name, pos, err);
    if (rc < 0)
        return rc;
    if (!hp_load_doc_read_counts(doc, NULL, &mg->counts))
        return hp_err_set(err, HP_EUSAGE, "%s: no metrics.requests: not a finished part", name);
    double x;
    if (hp_result_get_metric(doc, HP_LOAD_TARGET_RATE, &x, NULL))
        mg->target += fix(x);
    if ((rc = add_histograms(mg, doc, name, err)) < 0)
        return rc;
    add_tags(mg, doc);
    if (add_series(mg, doc) < 0 || add_counted(mg, doc) < 0)
        return hp_err_set(err, -ENOMEM, "out of memory");
    return 0;
}

int hp_load_merger_add(struct hp_load_merger *mg, struct hp_result *doc, const char *name,
                       struct hp_err *err)
{
    return add_at(mg, doc, name, (int)mg->n, err);
}

/* Fold b into a, the parts of the same test read by another thread; b is
 * freed either way. */
static int combine(struct hp_load_merger *a, struct hp_load_merger *b, struct hp_err *err)
{
    int rc = 0;
    if (a->n == 0) { /* a's thread got no part: b's become a's */
        struct hp_load_merger t = *a;
        *a = *b;
        *b = t;
    }
    if (b->n == 0)
        goto out;
    const struct part_info *fa = &a->pi[0], *fb = &b->pi[0];
    if ((rc = same_test(fa->name, fa->parts, fa->sequence, a->thresholds, a->config, fb->name,
                        fb->parts, fb->sequence, b->thresholds, b->config, err)) < 0)
        goto out;
    for (size_t i = 0; i < b->n; i++)
        for (size_t j = 0; j < a->n; j++)
            if (a->pi[j].index == b->pi[i].index) {
                const struct part_info *p = a->pi[j].pos < b->pi[i].pos ? &a->pi[j] : &b->pi[i],
                                       *q = p == &a->pi[j] ? &b->pi[i] : &a->pi[j];
                rc = hp_err_set(err, HP_EUSAGE,
                                "%s and %s are both part %s: each part is merged once", p->name,
                                q->name, q->text);
                goto out;
            }
    if (HP_GROW(a->pi, a->cap_pi, a->n + b->n, 16) < 0)
        goto nomem;
    memcpy(a->pi + a->n, b->pi, b->n * sizeof *b->pi);
    a->n += b->n;
    b->n = 0; /* the strings are a's now */
    hp_load_counts_add(&a->counts, &b->counts);
    a->target += b->target;
    for (size_t i = 0; i < b->n_acc; i++) {
        size_t j = 0;
        while (j < a->n_acc && strcmp(a->acc[j].name, b->acc[i].name) != 0)
            j++;
        if (j < a->n_acc) {
            if (hp_hist_add(a->acc[j].h, b->acc[i].h) < 0) {
                rc = hp_err_set(err, HP_EUSAGE, "histograms.%s do not fit one range",
                                b->acc[i].name);
                goto out;
            }
            continue;
        }
        if (HP_GROW(a->acc, a->cap_acc, a->n_acc + 1, 16) < 0)
            goto nomem;
        a->acc[a->n_acc++] = b->acc[i];
        b->acc[i].h = NULL;
    }
    for (int i = 0; i < b->n_tags; i++) {
        int j = 0;
        while (j < a->n_tags && strcmp(a->tags[j].tag, b->tags[i].tag) != 0)
            j++;
        if (j == a->n_tags) {
            if (a->n_tags == HP_MERGE_MAX_TAGS)
                continue;
            snprintf(a->tags[a->n_tags++].tag, sizeof a->tags[0].tag, "%s", b->tags[i].tag);
        }
        hp_load_counts_add(&a->tags[j].counts, &b->tags[i].counts);
    }
    for (size_t i = 0; i < b->n_series; i++) {
        struct series *y = &b->series[i];
        size_t j = 0;
        while (j < a->n_series && strcmp(a->series[j].name, y->name) != 0)
            j++;
        if (j == a->n_series) {
            if (HP_GROW(a->series, a->cap_series, a->n_series + 1, 16) < 0)
                goto nomem;
            a->series[a->n_series++] = *y;
            memset(y, 0, sizeof *y); /* moved */
            continue;
        }
        struct series *x = &a->series[j];
        if (y->n > x->n) { /* the longer one takes the sums */
            struct series t = *x;
            *x = *y;
            *y = t;
        }
        for (size_t kk = 0; kk < y->n; kk++) {
            x->t[kk] = fmax(x->t[kk], y->t[kk]);
            x->sum[kk] += y->sum[kk];
            if (y->got[kk])
                x->top[kk] = x->got[kk] ? fmax(x->top[kk], y->top[kk]) : y->top[kk];
            x->got[kk] += y->got[kk];
        }
    }
    json_t *v;
    const char *name;
    json_object_foreach(b->counted, name, v)
    {
        json_t *sum = json_object_get(a->counted, name);
        if (sum)
            json_real_set(sum, json_real_value(sum) + json_real_value(v));
        else if (json_object_set(a->counted, name, v) < 0)
            goto nomem;
    }
    goto out;
nomem:
    rc = hp_err_set(err, -ENOMEM, "out of memory");
out:
    hp_load_merger_free(b);
    return rc;
}

struct merge_shared {
    const char *const *names;
    int n;
    _Atomic int next;
    _Atomic bool stop;
};

struct merge_thread {
    struct merge_shared *sh;
    struct hp_load_merger *mg;
    pthread_t th;
    int rc, err_pos;
    struct hp_err err;
};

/* Take the next part, read it, fold it into this thread's merger. The
 * parts are taken in order, so when one fails every part before it has
 * been taken, and the first failure by position is the one reported. */
static void *merge_thread_main(void *arg)
{
    struct merge_thread *t = arg;
    struct merge_shared *sh = t->sh;
    for (;;) {
        if (atomic_load(&sh->stop))
            break;
        int i = atomic_fetch_add(&sh->next, 1);
        if (i >= sh->n)
            break;
        struct hp_result *doc = NULL;
        struct hp_err e = {0};
        int rc = hp_result_load(sh->names[i], &doc, &e);
        if (rc == 0) {
            rc = add_at(t->mg, doc, sh->names[i], i, &e);
            hp_result_free(doc);
        }
        if (rc < 0) {
            if (t->rc == 0 || i < t->err_pos) {
                t->rc = rc;
                t->err = e;
                t->err_pos = i;
            }
            atomic_store(&sh->stop, true);
            break;
        }
    }
    return NULL;
}

int hp_load_merge_files(const char *const *names, int n, int threads, struct hp_load_merged *out,
                        struct hp_err *err)
{
    struct merge_shared sh = {.names = names, .n = n};
    struct merge_thread t[HP_MERGE_MAX_THREADS];
    int nt = threads < 1 ? 1 : threads > HP_MERGE_MAX_THREADS ? HP_MERGE_MAX_THREADS : threads;
    if (nt > n)
        nt = n > 0 ? n : 1;
    memset(out, 0, sizeof *out);
    memset(t, 0, sizeof t);
    int started = 0, rc = 0;
    for (int i = 0; i < nt; i++) {
        t[i].sh = &sh;
        if (hp_load_merger_new(&t[i].mg) < 0) {
            rc = hp_err_set(err, -ENOMEM, "out of memory");
            nt = i;
            break;
        }
    }
    for (int i = 1; rc == 0 && i < nt; i++)
        if (pthread_create(&t[i].th, NULL, merge_thread_main, &t[i]) == 0)
            started = i;
        else
            break;
    if (rc == 0 && nt > 0)
        merge_thread_main(&t[0]); /* this thread reads too */
    for (int i = 1; i <= started; i++)
        pthread_join(t[i].th, NULL);
    int worst = -1;
    for (int i = 0; rc == 0 && i < nt; i++)
        if (t[i].rc < 0 && (worst < 0 || t[i].err_pos < t[worst].err_pos))
            worst = i;
    if (rc == 0 && worst >= 0) {
        *err = t[worst].err;
        rc = t[worst].rc;
    }
    for (int i = 1; rc == 0 && i < nt; i++) {
        rc = combine(t[0].mg, t[i].mg, err);
        t[i].mg = NULL;
    }
    for (int i = 1; i < nt; i++)
        hp_load_merger_free(t[i].mg);
    if (rc < 0 || nt == 0) {
        if (nt > 0)
            hp_load_merger_free(t[0].mg);
        return rc < 0 ? rc : hp_err_set(err, HP_EUSAGE, "no parts to merge");
    }
    return hp_load_merger_finish(t[0].mg, out, err);
}

/* Take the histogram called name out of the merger (NULL when absent). */
static struct hp_hist *take(struct hp_load_merger *mg, const char *name)
{
    for (size_t i = 0; i < mg->n_acc; i++)
        if (mg->acc[i].h && strcmp(mg->acc[i].name, name) == 0) {
            struct hp_hist *h = mg->acc[i].h;
            mg->acc[i].h = NULL;
            return h;
        }
    return NULL;
}

static int cmp_pos(const void *a, const void *b)
{
    const struct part_info *x = a, *y = b;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int missing_parts(const struct hp_load_merger *mg, struct hp_err *err)
{
    const struct part_info *f = &mg->pi[0];
    int n = (int)mg->n;
    if (n >= f->parts)
        return 0;
    char missing[256] = "";
    size_t len = 0;
    int shown = 0;
    for (int idx = 0; idx < f->parts && shown < 8; idx++) {
        bool have = false;
        for (int i = 0; i < n; i++)
            have |= mg->pi[i].index == idx;
        if (!have) {
            len += (size_t)snprintf(missing + len, len < sizeof missing ? sizeof missing - len : 0,
                                    "%s%d", shown ? ", " : "", idx + 1);
            shown++;
        }
    }
    return hp_err_set(err, HP_EUSAGE,
                      "%d of the %d parts given (sequence %s): part%s %s%s missing; the whole "
                      "needs every part",
                      n, f->parts, f->sequence, f->parts - n == 1 ? "" : "s", missing,
                      f->parts - n > shown ? ", ..." : "");
}

static int build_doc(struct hp_load_merger *mg, struct hp_load_merged *m, struct hp_err *err)
{
    int rc = hp_result_new("load", &m->doc);
    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    json_t *root = hp_result_json(m->doc);
    json_t *cfg = json_deep_copy(mg->config), *files = json_array();
    if (!cfg || !files)
        goto nomem;
    for (int i = 0; per_part[i]; i++)
        json_object_del(cfg, per_part[i]);
    for (size_t i = 0; i < mg->n; i++)
        json_array_append_new(files, json_string(mg->pi[i].name));
    json_t *merged = json_pack("{s:i, s:s, s:o, s:f}", "parts", mg->pi[0].parts, "sequence",
                               mg->pi[0].sequence, "files", files, "start_spread_s",
                               m->start_spread_s);
    files = NULL;
    if (!merged || json_object_set_new(cfg, "merged", merged) < 0 ||
        json_object_set_new(root, "config", cfg) < 0) {
        cfg = NULL;
        goto nomem;
    }
    hp_result_set_started(m->doc, m->started_wall_ns);
    double duration_ns = json_number_value(json_object_get(cfg, "duration_ns"));
    struct hp_load_view view = {&m->counts, m->corrected, m->uncorrected, m->lag, m->elapsed_s,
                                duration_ns / 1e9, (double)mg->target / FIX,
                                m->phase[0] ? m->phase : NULL};
    rc = hp_load_doc_totals(m->doc, &view);
    for (int i = 0; rc == 0 && i < m->n_tags; i++)
        rc = hp_load_doc_part(m->doc, m->tags[i].tag, &m->tags[i].counts, m->tags[i].latency,
                              m->elapsed_s);
    json_t *mo = json_object_get(root, "metrics"), *v;
    const char *name;
    json_object_foreach(mg->counted, name, v)
    {
        if (rc == 0 && !json_object_get(mo, name))
            rc = hp_result_metric(m->doc, name, json_real_value(v), "count");
    }
    for (size_t i = 0; rc == 0 && i < mg->n_series; i++) {
        const struct series *s = &mg->series[i];
        for (size_t k = 0; rc == 0 && k < s->n; k++)
            rc = hp_result_series_point(m->doc, s->name, s->unit, s->t[k],
                                        s->rate       ? (double)s->sum[k] / FIX
                                        : s->got[k] ? s->top[k]
                                                      : NAN);
    }
    /* the verdicts are the whole's, judged again by the caller */
    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    return 0;
nomem:
    json_decref(cfg);
    json_decref(files);
    return hp_err_set(err, -ENOMEM, "out of memory");
}

int hp_load_merger_finish(struct hp_load_merger *mg, struct hp_load_merged *m,
                          struct hp_err *err)
{
    int rc = 0;
    memset(m, 0, sizeof *m);
    if (mg->n == 0) {
        rc = hp_err_set(err, HP_EUSAGE, "no parts to merge");
        goto out;
    }
    qsort(mg->pi, mg->n, sizeof *mg->pi, cmp_pos); /* the order the files were given */
    if ((rc = missing_parts(mg, err)) < 0)
        goto out;
    m->parts = mg->pi[0].parts;
    m->counts = mg->counts;
    double first = mg->pi[0].start_s, last = first, end = mg->pi[0].end_s;
    for (size_t i = 0; i < mg->n; i++) {
        first = fmin(first, mg->pi[i].start_s);
        last = fmax(last, mg->pi[i].start_s);
        end = fmax(end, mg->pi[i].end_s);
    }
    m->start_spread_s = last - first;
    m->started_wall_ns = (int64_t)llround(first * 1e9);
    m->elapsed_s = end - first;
    const char *model = json_string_value(json_object_get(mg->config, "model"));
    m->open_model = model && strcmp(model, "open") == 0;
    m->corrected = take(mg, HP_LOAD_H_LATENCY);
    m->uncorrected = take(mg, HP_LOAD_H_UNCORRECTED);
    m->lag = take(mg, HP_LOAD_H_LAG);
    for (int k = 0; k < HP_PHASE_COUNT; k++)
        m->phase[k] = take(mg, hp_load_phase_name((enum hp_load_phase)k));
    if (!m->corrected || !m->uncorrected) {
        rc = hp_err_set(err, HP_EUSAGE, "%s: no latency histograms: not a finished part",
                        mg->pi[0].name);
        goto out;
    }
    if (m->open_model && !m->lag && hp_hist_new_latency(&m->lag) < 0)
        goto nomem;
    bool any_phase = false;
    for (int k = 0; k < HP_PHASE_COUNT; k++)
        any_phase |= m->phase[k] != NULL;
    for (int k = 0; any_phase && k < HP_PHASE_COUNT; k++)
        if (!m->phase[k] && hp_load_phase_hist_new(&m->phase[k]) < 0)
            goto nomem;
    /* the tags and their latency{TAG} histograms */
    m->tags = mg->tags;
    m->n_tags = mg->n_tags;
    mg->tags = NULL;
    for (int i = 0; i < m->n_tags; i++) {
        char hn[240];
        snprintf(hn, sizeof hn, "%s{%s}", HP_LOAD_H_LATENCY, m->tags[i].tag);
        m->tags[i].latency = take(mg, hn);
        if (!m->tags[i].latency && hp_hist_new_latency(&m->tags[i].latency) < 0)
            goto nomem;
    }
    for (const char *p = mg->thresholds; p && *p && m->n_thresholds < HP_MERGE_MAX_THRESHOLDS;) {
        const char *nl = strchr(p, '\n');
        if (!(m->thresholds[m->n_thresholds++] = hp_strndup(p, (size_t)(nl - p))))
            goto nomem;
        p = nl + 1;
    }
    if (hp_hist_new_latency(&m->sel_latency) < 0)
        goto nomem;
    rc = build_doc(mg, m, err);
    goto out;
nomem:
    rc = hp_err_set(err, -ENOMEM, "out of memory");
out:
    hp_load_merger_free(mg);
    if (rc < 0)
        hp_load_merged_free(m);
    return rc;
}

int hp_load_merge(struct hp_result *const *docs, const char *const *names, int n,
                  struct hp_load_merged *m, struct hp_err *err)
{
    struct hp_load_merger *mg;
    memset(m, 0, sizeof *m);
    if (hp_load_merger_new(&mg) < 0)
        return hp_err_set(err, -ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        int rc = hp_load_merger_add(mg, docs[i], names[i], err);
        if (rc < 0) {
            hp_load_merger_free(mg);
            return rc;
        }
    }
    return hp_load_merger_finish(mg, m, err);
}

void hp_load_merged_free(struct hp_load_merged *m)
{
    hp_result_free(m->doc);
    hp_hist_free(m->corrected);
    hp_hist_free(m->uncorrected);
    hp_hist_free(m->lag);
    hp_hist_free(m->sel_latency);
    for (int k = 0; k < HP_PHASE_COUNT; k++)
        hp_hist_free(m->phase[k]);
    for (int i = 0; m->tags && i < m->n_tags; i++)
        hp_hist_free(m->tags[i].latency);
    hp_free(m->tags);
    for (int i = 0; i < m->n_thresholds; i++)
        hp_free(m->thresholds[i]);
    memset(m, 0, sizeof *m);
}

/* Whether tag ("scenario:a,name:b") has the component key:value, and how
 * many components it has. */
static bool tag_has(const char *tag, const char *key, const char *value, int *parts)
{
    char want[200];
    snprintf(want, sizeof want, "%s:%s", key, value);
    size_t wl = strlen(want);
    bool found = false;
    *parts = 0;
    for (const char *p = tag; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        found |= len == wl && strncmp(p, want, wl) == 0;
        (*parts)++;
        p = comma ? comma + 1 : NULL;
    }
    return found;
}

const struct hp_metric_set *hp_load_merged_select(struct hp_load_merged *m, const char *key,
                                                  const char *value)
{
    if (!key[0]) {
        struct hp_load_view v = {&m->counts, m->corrected, m->uncorrected, m->lag, m->elapsed_s,
                                 0, 0, m->phase[0] ? m->phase : NULL};
        hp_load_metric_set(&v, &m->set);
        return &m->set;
    }
    memset(&m->sel_counts, 0, sizeof m->sel_counts);
    hp_hist_reset(m->sel_latency);
    bool any = false;
    if (strcmp(key, "check") == 0) {
        /* a check's pass rate, wherever it is used */
        json_t *mo = json_object_get(hp_result_json(m->doc), "metrics"), *v;
        const char *name;
        json_object_foreach(mo, name, v)
        {
            const char *brace = strchr(name, '{');
            int parts;
            char tag[200];
            if (!brace || name[strlen(name) - 1] != '}')
                continue;
            snprintf(tag, sizeof tag, "%.*s", (int)(strlen(brace) - 2), brace + 1);
            if (!tag_has(tag, "check", value, &parts))
                continue;
            double x = json_number_value(json_object_get(v, "value"));
            if (strncmp(name, "check_failed{", 13) == 0) {
                m->sel_counts.checks_failed += (int64_t)x;
                m->sel_counts.checks_passed -= (int64_t)x;
                any = true;
            } else if (strncmp(name, "check_total{", 12) == 0) {
                m->sel_counts.checks_passed += (int64_t)x;
                any = true;
            }
        }
    } else {
        for (int i = 0; i < m->n_tags; i++) {
            int parts;
            if (!tag_has(m->tags[i].tag, key, value, &parts))
                continue;
            /* a scenario's own figures, or each request's once */
            if ((strcmp(key, "scenario") == 0) != (parts == 1))
                continue;
            hp_load_counts_add(&m->sel_counts, &m->tags[i].counts);
            hp_hist_add(m->sel_latency, m->tags[i].latency);
            any = true;
        }
    }
    if (!any)
        return NULL;
    struct hp_load_view v = {&m->sel_counts, m->sel_latency, m->sel_latency, NULL, m->elapsed_s,
                             0, 0, NULL};
    hp_load_metric_set(&v, &m->set);
    return &m->set;
}
