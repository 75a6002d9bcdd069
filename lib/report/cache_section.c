// SPDX-License-Identifier: MIT
/* report/cache_section.c - see cache_section.h. Reads what `hotpath cache
 * sim --json` (also with --tiers) and `cache mrc --json` write
 * (docs/result-format.md). */
#include "report/cache_section.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/units.h"
#include "report/section_int.h"

static json_t *get(const struct hp_report_input *in, const char *key)
{
    return json_object_get(hp_result_json(in->doc), key);
}

/* Where the requests (and the bytes) were answered: a bar per tier and the
 * origin, as shares of all. */
static int tier_chart(struct hp_rdoc *d, const struct hp_report_input *in, json_t *tiers)
{
    double requests, origin, origin_bytes;
    if (!hp_result_get_metric(in->doc, "requests", &requests, NULL) ||
        !hp_result_get_metric(in->doc, "origin_requests", &origin, NULL) ||
        !hp_result_get_metric(in->doc, "origin_bytes", &origin_bytes, NULL) || requests <= 0)
        return 0;
    struct hp_chart *c = hp_rdoc_chart(d, "cache-tiers", "Where the requests were answered", "tier",
                                       "", "share of all", "ratio");
    if (!c)
        return -ENOMEM;
    c->y_from_zero = true;
    struct hp_series *sr = hp_chart_series(c, "requests", HP_DRAW_BARS);
    struct hp_series *sb = hp_chart_series(c, "bytes", HP_DRAW_BARS);
    if (!sr || !sb)
        return -ENOMEM;
    double bytes = origin_bytes;
    size_t i;
    json_t *r;
    json_array_foreach(tiers, i, r) bytes += json_number_value(json_object_get(r, "hit_bytes"));
    json_array_foreach(tiers, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "name"));
        int rc = hp_chart_category(c, name ? name : "?");
        double x = (double)c->n_cats - 1;
        rc = rc ? rc
                : hp_series_add(sr, x, json_number_value(json_object_get(r, "hits")) / requests);
        if (json_object_get(r, "hit_bytes") && bytes > 0) /* older documents lack it */
            rc = rc ? rc
                    : hp_series_add(sb, x,
                                    json_number_value(json_object_get(r, "hit_bytes")) / bytes);
        if (rc)
            return rc;
    }
    int rc = hp_chart_category(c, "origin");
    double x = (double)c->n_cats - 1;
    rc = rc ? rc : hp_series_add(sr, x, origin / requests);
    if (sb->n > 0 && bytes > 0)
        rc = rc ? rc : hp_series_add(sb, x, origin_bytes / bytes);
    return rc;
}

int hp_report_cache_section(struct hp_rdoc *d, const struct hp_report_input *in, int level,
                            struct hp_err *err)
{
    json_t *cfg = get(in, "config"), *series = get(in, "series");
    const char *unit = json_string_value(json_object_get(cfg, "capacity_unit"));
    const char *trace = json_string_value(json_object_get(cfg, "trace"));
    const char *command = json_string_value(json_object_get(cfg, "command"));
    if (!unit || !trace || !command)
        return hp_err_at(err, HP_EFORMAT, in->name, 0, 0,
                         "a cache result needs config.trace, config.command and "
                         "config.capacity_unit, which are missing");
    bool bytes = strcmp(unit, "bytes") == 0;
    const char *s = strrchr(in->name, '/');
    char title[300], a[32];
    snprintf(title, sizeof title, "Cache %s: %s",
             strcmp(command, "mrc") == 0 ? "miss-ratio curve" : "simulation", s ? s + 1 : in->name);
    TRY(hp_rdoc_heading(d, level, title));
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    TRY(hp_rdoc_kv(kv, "Trace", "%s", trace));
    double v;
    if (hp_result_get_metric(in->doc, "requests", &v, NULL))
        TRY(hp_rdoc_kv(kv, "Requests", "%s", hp_format_count(v, a, sizeof a)));
    if (hp_result_get_metric(in->doc, "objects", &v, NULL))
        TRY(hp_rdoc_kv(kv, "Objects", "%s", hp_format_count(v, a, sizeof a)));
    if (hp_result_get_metric(in->doc, "working_set_bytes", &v, NULL))
        TRY(hp_rdoc_kv(kv, "Working set", "%s", hp_format_size((int64_t)v, a, sizeof a)));
    if (hp_result_get_metric(in->doc, "mean_absolute_error", &v, NULL))
        TRY(hp_rdoc_kv(kv, "Sampling error", "%.4f mean absolute error against the exact curve",
                       v));
    TRY(hp_rdoc_kv(kv, "Capacity in", "%s", unit));

    /* every series of miss ratios: one line per policy (or exact/sampled) */
    struct hp_chart *c = NULL;
    const char *key;
    json_t *ser;
    json_object_foreach(series, key, ser)
    {
        if (strncmp(key, "miss_ratio_", 11) != 0 && strncmp(key, "lru_miss_ratio", 14) != 0)
            continue;
        json_t *pts = json_object_get(ser, "points");
        if (!json_is_array(pts) || json_array_size(pts) == 0)
            continue;
        if (!c) {
            c = hp_rdoc_chart(d, "cache-mrc", "Miss ratio by cache size", "cache size",
                              bytes ? "bytes" : "count", "miss ratio", "ratio");
            NEED(c);
            c->y_from_zero = true;
        }
        const char *name = strncmp(key, "miss_ratio_", 11) == 0 ? key + 11
                           : strcmp(key, "lru_miss_ratio") == 0 ? "lru"
                                                                : "lru (exact)";
        TRY(hp_report_add_series(c, name, pts, HP_DRAW_BOTH, 1));
    }
    json_t *tiers = get(in, "tiers");
    if (json_is_array(tiers)) { /* a layered cache: where the requests were answered */
        if (hp_result_get_metric(in->doc, "offload", &v, NULL))
            TRY(hp_rdoc_para(d, HP_MARK_NONE, "The tiers answered %.2f%% of the requests%s.",
                             100 * v, "; the rest went to the origin"));
        double mean, p99;
        if (hp_result_get_metric(in->doc, "latency_mean_ns", &mean, NULL) &&
            hp_result_get_metric(in->doc, "latency_p99_ns", &p99, NULL)) {
            char m1[32], m2[32];
            TRY(hp_rdoc_para(d, HP_MARK_NONE, "Users' latency: mean %s, p99 %s.",
                             hp_format_duration((int64_t)mean, m1, sizeof m1),
                             hp_format_duration((int64_t)p99, m2, sizeof m2)));
        }
        TRY(tier_chart(d, in, tiers));
        size_t i;
        json_t *r;
        bool ttls = false;
        json_array_foreach(tiers, i, r) ttls |= json_number_value(json_object_get(r, "ttl_s")) > 0;
        static const char *const th[] = {"Tier",       "Policy",          "Capacity>", "Requests>",
                                         "Hit ratio>", "Byte hit ratio>", "TTL>",      NULL};
        const char *const *hdr = th;
        const char *no_ttl[7];
        if (!ttls) { /* the same without the TTL column */
            memcpy(no_ttl, th, sizeof no_ttl);
            no_ttl[6] = NULL;
            hdr = no_ttl;
        }
        struct hp_rtable *t = hp_rdoc_table(d, hdr);
        NEED(t);
        json_array_foreach(tiers, i, r)
        {
            char cap[32], req[32], hr[16], bhr[16], ttl[32] = "-";
            double ttl_s = json_number_value(json_object_get(r, "ttl_s"));
            if (ttl_s > 0)
                hp_format_duration((int64_t)(ttl_s * 1e9), ttl, sizeof ttl);
            double capv = json_number_value(json_object_get(r, "capacity"));
            if (bytes && capv < 9e18)
                hp_format_size((int64_t)capv, cap, sizeof cap);
            else
                snprintf(cap, sizeof cap, "%.0f", capv);
            hp_format_count(json_number_value(json_object_get(r, "requests")), req, sizeof req);
            snprintf(hr, sizeof hr, "%.4f", json_number_value(json_object_get(r, "hit_ratio")));
            snprintf(bhr, sizeof bhr, "%.4f",
                     json_number_value(json_object_get(r, "byte_hit_ratio")));
            const char *cells[] = {json_string_value(json_object_get(r, "name")) ?: "?",
                                   json_string_value(json_object_get(r, "policy")) ?: "?",
                                   cap,
                                   req,
                                   hr,
                                   bhr,
                                   ttl};
            TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
        }
        return 0;
    }
    json_t *results = get(in, "results");
    if (!c && !json_is_array(results))
        return hp_err_at(err, HP_EFORMAT, in->name, 0, 0,
                         "a cache result needs results, series.miss_ratio_* or tiers, which "
                         "are missing");
    if (json_is_array(results)) {
        static const char *const hdr[] = {"Policy", "Capacity>", "Miss ratio>", "Byte miss ratio>",
                                          NULL};
        struct hp_rtable *t = hp_rdoc_table(d, hdr);
        NEED(t);
        size_t i;
        json_t *r;
        json_array_foreach(results, i, r)
        {
            char cap[32], mr[16], bmr[16];
            double capv = json_number_value(json_object_get(r, "capacity"));
            if (bytes && capv < 9e18)
                hp_format_size((int64_t)capv, cap, sizeof cap);
            else
                snprintf(cap, sizeof cap, "%.0f", capv);
            snprintf(mr, sizeof mr, "%.4f", json_number_value(json_object_get(r, "miss_ratio")));
            snprintf(bmr, sizeof bmr, "%.4f",
                     json_number_value(json_object_get(r, "byte_miss_ratio")));
            const char *cells[] = {json_string_value(json_object_get(r, "policy")) ?: "?", cap, mr,
                                   bmr};
            TRY(hp_rtable_row(t, HP_MARK_NONE, cells));
        }
    }
    return 0;
}
