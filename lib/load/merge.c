// SPDX-License-Identifier: MIT
/* load/merge.c - see merge.h. */
#include "load/merge.h"

#include <errno.h>
#include <math.h>
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

/* The --threshold texts of a document, as one string to compare. */
static void thresholds_text(struct hp_result *doc, char *buf, size_t size)
{
    json_t *t = json_object_get(hp_result_json(doc), "thresholds"), *v;
    size_t i, len = 0;
    buf[0] = 0;
    json_array_foreach(t, i, v)
    {
        const char *s = json_string_value(json_object_get(v, "threshold"));
        if (s && len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s\n", s);
    }
}

struct part_info {
    int index, parts;
    const char *sequence, *text;
    double start_s, end_s;
};

static int check_parts(struct hp_result *const *docs, const char *const *names, int n,
                       struct part_info *pi, struct hp_err *err)
{
    static char t0[8192], ti[8192];
    for (int i = 0; i < n; i++) {
        struct hp_result *d = docs[i];
        if (strcmp(hp_result_kind(d), "load") != 0)
            return hp_err_set(err, HP_EUSAGE, "%s: a %s document, not a part of a load test",
                              names[i], hp_result_kind(d));
        json_t *seg = json_object_get(config_of(d), "segment");
        pi[i].index = (int)json_integer_value(json_object_get(seg, "index"));
        pi[i].parts = (int)json_integer_value(json_object_get(seg, "parts"));
        pi[i].sequence = json_string_value(json_object_get(seg, "sequence"));
        pi[i].text = json_string_value(json_object_get(seg, "part"));
        if (!seg || !pi[i].sequence || !pi[i].text || pi[i].parts < 1 || pi[i].index < 0 ||
            pi[i].index >= pi[i].parts)
            return hp_err_set(err, HP_EUSAGE,
                              "%s: not a part of a split test (no config.segment: run each part "
                              "with hotpath load --segment I/N)",
                              names[i]);
        json_t *st = json_object_get(hp_result_json(d), "started_at");
        double dur = json_number_value(json_object_get(hp_result_json(d), "duration_s"));
        struct hp_err e2;
        if (!json_is_string(st) || hp_parse_time(json_string_value(st), &pi[i].start_s, &e2) < 0)
            return hp_err_set(err, HP_EUSAGE, "%s: no readable started_at", names[i]);
        pi[i].end_s = pi[i].start_s + dur;
        if (i == 0)
            continue;
        if (pi[i].parts != pi[0].parts || strcmp(pi[i].sequence, pi[0].sequence) != 0)
            return hp_err_set(err, HP_EUSAGE,
                              "%s and %s split the test differently (sequence %s and %s): "
                              "parts of one test share it",
                              names[0], names[i], pi[0].sequence, pi[i].sequence);
        const char *k = config_differs(config_of(docs[0]), config_of(d));
        if (k) {
            char *a = json_dumps(json_object_get(config_of(docs[0]), k), JSON_ENCODE_ANY),
                 *b = json_dumps(json_object_get(config_of(d), k), JSON_ENCODE_ANY);
            hp_err_set(err, HP_EUSAGE,
                       "%s and %s are parts of different tests: config.%s is %.80s in one and "
                       "%.80s in the other",
                       names[0], names[i], k, a ? a : "absent", b ? b : "absent");
            free(a);
            free(b);
            return HP_EUSAGE;
        }
        thresholds_text(docs[0], t0, sizeof t0);
        thresholds_text(d, ti, sizeof ti);
        if (strcmp(t0, ti) != 0)
            return hp_err_set(err, HP_EUSAGE,
                              "%s and %s were run with different --threshold flags: the whole "
                              "is judged once, by the same thresholds",
                              names[0], names[i]);
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (pi[i].index == pi[j].index)
                return hp_err_set(err, HP_EUSAGE,
                                  "%s and %s are both part %s: each part is merged once",
                                  names[j], names[i], pi[i].text);
    if (n < pi[0].parts) {
        char missing[256] = "";
        size_t len = 0;
        int shown = 0;
        for (int idx = 0; idx < pi[0].parts && shown < 8; idx++) {
            bool have = false;
            for (int i = 0; i < n; i++)
                have |= pi[i].index == idx;
            if (!have) {
                len += (size_t)snprintf(missing + len, len < sizeof missing ? sizeof missing - len : 0,
                                        "%s%d", shown ? ", " : "", idx + 1);
                shown++;
            }
        }
        return hp_err_set(err, HP_EUSAGE,
                          "%d of the %d parts given (sequence %s): part%s %s%s missing; the "
                          "whole needs every part",
                          n, pi[0].parts, pi[0].sequence, pi[0].parts - n == 1 ? "" : "s", missing,
                          pi[0].parts - n > shown ? ", ..." : "");
    }
    return 0;
}

/* histograms by name, added up */
struct acc {
    char name[220];
    struct hp_hist *h;
};

static int add_histograms(struct hp_result *doc, const char *file, struct acc **acc, int *n,
                          size_t *cap, struct hp_err *err)
{
    json_t *hs = json_object_get(hp_result_json(doc), "histograms"), *v;
    const char *name;
    json_object_foreach(hs, name, v)
    {
        struct hp_hist *h;
        int rc = hp_result_get_histogram(doc, name, &h, err);
        if (rc < 0)
            return hp_err_set(err, HP_EUSAGE, "%s: histograms.%s: %s", file, name, err->msg);
        int i = 0;
        while (i < *n && strcmp((*acc)[i].name, name) != 0)
            i++;
        if (i == *n) {
            if (HP_GROW(*acc, *cap, (size_t)*n + 1, 16) < 0) {
                hp_hist_free(h);
                return hp_err_set(err, -ENOMEM, "out of memory");
            }
            snprintf((*acc)[i].name, sizeof (*acc)[i].name, "%s", name);
            (*acc)[i].h = h;
            (*n)++;
            continue;
        }
        rc = hp_hist_add((*acc)[i].h, h);
        hp_hist_free(h);
        if (rc < 0)
            return hp_err_set(err, HP_EUSAGE, "%s: histograms.%s does not fit the others' range",
                              file, name);
    }
    return 0;
}

/* Take the histogram called name out of acc (NULL when absent). */
static struct hp_hist *take(struct acc *acc, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (acc[i].h && strcmp(acc[i].name, name) == 0) {
            struct hp_hist *h = acc[i].h;
            acc[i].h = NULL;
            return h;
        }
    return NULL;
}

/* Series, interval by interval: rates summed, percentiles the highest. */
static int merge_series(struct hp_result *const *docs, int n, struct hp_result *out)
{
    json_t *s0 = json_object_get(hp_result_json(docs[0]), "series"), *v;
    const char *name;
    int rc = 0;
    json_object_foreach(s0, name, v)
    {
        const char *unit = json_string_value(json_object_get(v, "unit"));
        if (!unit)
            continue;
        size_t len = strlen(name);
        bool rate = strcmp(unit, "1/s") == 0 || strcmp(unit, "bytes/s") == 0;
        bool pct = strcmp(unit, "ns") == 0 && len > 3 && strstr(name, "_ns");
        if (!rate && !pct)
            continue; /* a part's own (a monitor's samples): not the whole's */
        size_t most = 0;
        for (int i = 0; i < n; i++) {
            json_t *pts = json_object_get(
                json_object_get(json_object_get(hp_result_json(docs[i]), "series"), name),
                "points");
            if (json_array_size(pts) > most)
                most = json_array_size(pts);
        }
        for (size_t k = 0; k < most && rc == 0; k++) {
            double sum = 0, top = NAN, t = 0;
            int got = 0;
            for (int i = 0; i < n; i++) {
                json_t *p = json_array_get(
                    json_object_get(
                        json_object_get(json_object_get(hp_result_json(docs[i]), "series"), name),
                        "points"),
                    k);
                if (!p)
                    continue;
                t = fmax(t, json_number_value(json_array_get(p, 0)));
                json_t *x = json_array_get(p, 1);
                if (!json_is_number(x))
                    continue;
                double val = json_number_value(x);
                sum += val;
                top = isnan(top) ? val : fmax(top, val);
                got++;
            }
            rc = hp_result_series_point(out, name, unit, t, rate ? sum : got ? top : NAN);
        }
    }
    return rc;
}

/* Metrics counted in the parts that the whole's figures did not give
 * again (a check's failures per request): summed. */
static int sum_other_counts(struct hp_result *const *docs, int n, struct hp_result *out)
{
    json_t *m0 = json_object_get(hp_result_json(docs[0]), "metrics"), *v;
    json_t *mo = json_object_get(hp_result_json(out), "metrics");
    const char *name;
    int rc = 0;
    json_object_foreach(m0, name, v)
    {
        const char *unit = json_string_value(json_object_get(v, "unit"));
        if (json_object_get(mo, name) || !unit || strcmp(unit, "count") != 0)
            continue;
        double sum = 0, x;
        for (int i = 0; i < n; i++)
            if (hp_result_get_metric(docs[i], name, &x, NULL))
                sum += x;
        if ((rc = hp_result_metric(out, name, sum, "count")) < 0)
            return rc;
    }
    return 0;
}

static int build_doc(struct hp_result *const *docs, const char *const *names, int n,
                     const struct part_info *pi, struct hp_load_merged *m, struct hp_err *err)
{
    int rc = hp_result_new("load", &m->doc);
    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    json_t *root = hp_result_json(m->doc);
    json_t *cfg = json_deep_copy(config_of(docs[0]));
    json_t *files = json_array();
    if (!cfg || !files)
        goto nomem;
    for (int i = 0; per_part[i]; i++)
        json_object_del(cfg, per_part[i]);
    for (int i = 0; i < n; i++)
        json_array_append_new(files, json_string(names[i]));
    json_t *merged = json_pack("{s:i, s:s, s:o, s:f}", "parts", pi[0].parts, "sequence",
                               pi[0].sequence, "files", files, "start_spread_s",
                               m->start_spread_s);
    if (!merged || json_object_set_new(cfg, "merged", merged) < 0 ||
        json_object_set_new(root, "config", cfg) < 0)
        goto nomem;
    hp_result_set_started(m->doc, m->started_wall_ns);
    double target = 0, x;
    for (int i = 0; i < n; i++)
        if (hp_result_get_metric(docs[i], HP_LOAD_TARGET_RATE, &x, NULL))
            target += x;
    double duration_ns = json_number_value(json_object_get(cfg, "duration_ns"));
    struct hp_load_view view = {&m->counts, m->corrected, m->uncorrected, m->lag, m->elapsed_s,
                                duration_ns / 1e9, target, m->phase[0] ? m->phase : NULL};
    rc = hp_load_doc_totals(m->doc, &view);
    for (int i = 0; rc == 0 && i < m->n_tags; i++)
        rc = hp_load_doc_part(m->doc, m->tags[i].tag, &m->tags[i].counts, m->tags[i].latency,
                              m->elapsed_s);
    rc = rc ? rc : sum_other_counts(docs, n, m->doc);
    rc = rc ? rc : merge_series(docs, n, m->doc);
    /* the verdicts are the whole's, judged again by the caller */
    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    return 0;
nomem:
    json_decref(cfg);
    json_decref(files);
    return hp_err_set(err, -ENOMEM, "out of memory");
}

int hp_load_merge(struct hp_result *const *docs, const char *const *names, int n,
                  struct hp_load_merged *m, struct hp_err *err)
{
    memset(m, 0, sizeof *m);
    if (n < 1)
        return hp_err_set(err, HP_EUSAGE, "no parts to merge");
    struct part_info *pi = hp_calloc((size_t)n, sizeof *pi);
    struct acc *acc = NULL;
    int n_acc = 0, rc;
    size_t cap = 0;
    if (!pi)
        return hp_err_set(err, -ENOMEM, "out of memory");
    if ((rc = check_parts(docs, names, n, pi, err)) < 0)
        goto out;
    m->parts = pi[0].parts;
    double first = pi[0].start_s, last = pi[0].start_s, end = pi[0].end_s;
    for (int i = 0; i < n; i++) {
        first = fmin(first, pi[i].start_s);
        last = fmax(last, pi[i].start_s);
        end = fmax(end, pi[i].end_s);
        if (!hp_load_doc_read_counts(docs[i], NULL, &m->counts)) {
            rc = hp_err_set(err, HP_EUSAGE, "%s: no metrics.requests: not a finished part",
                            names[i]);
            goto out;
        }
        if ((rc = add_histograms(docs[i], names[i], &acc, &n_acc, &cap, err)) < 0)
            goto out;
    }
    m->start_spread_s = last - first;
    m->started_wall_ns = (int64_t)llround(first * 1e9);
    m->elapsed_s = end - first;
    const char *model = json_string_value(json_object_get(config_of(docs[0]), "model"));
    m->open_model = model && strcmp(model, "open") == 0;
    m->corrected = take(acc, n_acc, HP_LOAD_H_LATENCY);
    m->uncorrected = take(acc, n_acc, HP_LOAD_H_UNCORRECTED);
    m->lag = take(acc, n_acc, HP_LOAD_H_LAG);
    for (int k = 0; k < HP_PHASE_COUNT; k++)
        m->phase[k] = take(acc, n_acc, hp_load_phase_name((enum hp_load_phase)k));
    if (!m->corrected || !m->uncorrected) {
        rc = hp_err_set(err, HP_EUSAGE, "%s: no latency histograms: not a finished part",
                        names[0]);
        goto out;
    }
    if (m->open_model && !m->lag && (rc = hp_hist_new_latency(&m->lag)) < 0)
        goto nomem;
    for (int k = 0; k < HP_PHASE_COUNT; k++)
        if (!m->phase[k] && (m->phase[0] || k > 0)) {
            if ((rc = hp_load_phase_hist_new(&m->phase[k])) < 0)
                goto nomem;
        }
    if (!m->phase[1]) { /* none at all: leave them out */
        for (int k = 0; k < HP_PHASE_COUNT; k++) {
            hp_hist_free(m->phase[k]);
            m->phase[k] = NULL;
        }
    }
    /* tags: latency{TAG} */
    m->tags = hp_calloc(HP_MERGE_MAX_TAGS, sizeof *m->tags);
    if (!m->tags)
        goto nomem;
    size_t lat = strlen(HP_LOAD_H_LATENCY);
    for (int i = 0; i < n_acc && m->n_tags < HP_MERGE_MAX_TAGS; i++) {
        const char *nm = acc[i].name;
        size_t len = strlen(nm);
        if (!acc[i].h || strncmp(nm, HP_LOAD_H_LATENCY, lat) != 0 || nm[lat] != '{' ||
            nm[len - 1] != '}')
            continue;
        struct hp_merge_tag *t = &m->tags[m->n_tags++];
        snprintf(t->tag, sizeof t->tag, "%.*s", (int)(len - lat - 2), nm + lat + 1);
        t->latency = acc[i].h;
        acc[i].h = NULL;
        for (int d = 0; d < n; d++)
            hp_load_doc_read_counts(docs[d], t->tag, &t->counts);
    }
    json_t *thr = json_object_get(hp_result_json(docs[0]), "thresholds"), *v;
    size_t i;
    json_array_foreach(thr, i, v)
    {
        const char *s = json_string_value(json_object_get(v, "threshold"));
        if (s && m->n_thresholds < HP_MERGE_MAX_THRESHOLDS &&
            !(m->thresholds[m->n_thresholds++] = hp_strdup(s)))
            goto nomem;
    }
    if ((rc = hp_hist_new_latency(&m->sel_latency)) < 0)
        goto nomem;
    rc = build_doc(docs, names, n, pi, m, err);
    goto out;
nomem:
    rc = hp_err_set(err, -ENOMEM, "out of memory");
out:
    for (int k = 0; k < n_acc; k++)
        hp_hist_free(acc[k].h);
    hp_free(acc);
    hp_free(pi);
    if (rc < 0)
        hp_load_merged_free(m);
    return rc;
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
