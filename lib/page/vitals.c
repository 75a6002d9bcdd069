// SPDX-License-Identifier: MIT
/* page/vitals.c - see vitals.h. */
#include "page/vitals.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"

static const struct {
    const char *name, *unit, *k6;
} metrics[HP_PM_COUNT] = {
    [HP_PM_TTFB] = {"ttfb", "ms", "browser_web_vital_ttfb"},
    [HP_PM_FCP] = {"fcp", "ms", "browser_web_vital_fcp"},
    [HP_PM_LCP] = {"lcp", "ms", "browser_web_vital_lcp"},
    [HP_PM_CLS] = {"cls", "score", "browser_web_vital_cls"},
    [HP_PM_TBT] = {"tbt", "ms", NULL},
    [HP_PM_INP] = {"inp", "ms", "browser_web_vital_inp"},
    [HP_PM_DCL] = {"dom_content_loaded", "ms", NULL},
    [HP_PM_LOAD] = {"load", "ms", NULL},
    [HP_PM_REQUESTS] = {"requests", "count", NULL},
    [HP_PM_TRANSFER] = {"transfer_bytes", "bytes", NULL},
};

const char *hp_page_metric_name(enum hp_page_metric m)
{
    return (unsigned)m < HP_PM_COUNT ? metrics[m].name : "unknown";
}

const char *hp_page_metric_unit(enum hp_page_metric m)
{
    return (unsigned)m < HP_PM_COUNT ? metrics[m].unit : "";
}

int hp_page_metric_find(const char *name)
{
    for (int m = 0; m < HP_PM_COUNT; m++)
        if (strcmp(name, metrics[m].name) == 0 ||
            (metrics[m].k6 && strcmp(name, metrics[m].k6) == 0) ||
            (m <= HP_PM_INP && strcasecmp(name, metrics[m].name) == 0))
            return m;
    return -1;
}

static int by_time(const void *a, const void *b)
{
    double x = ((const struct hp_page_shift *)a)->t, y = ((const struct hp_page_shift *)b)->t;
    return (x > y) - (x < y);
}

double hp_page_cls(const struct hp_page_shift *s, size_t n)
{
    struct hp_page_shift *v = n ? hp_malloc(n * sizeof *v) : NULL;
    if (n && !v)
        return NAN;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!s[i].had_input && s[i].value > 0 && isfinite(s[i].value))
            v[k++] = s[i];
    if (k > 1)
        qsort(v, k, sizeof *v, by_time);
    double best = 0, sum = 0, first = 0, prev = 0;
    for (size_t i = 0; i < k; i++) {
        if (i == 0 || v[i].t - prev >= 1000.0 || v[i].t - first >= 5000.0) {
            sum = 0;
            first = v[i].t;
        }
        sum += v[i].value;
        prev = v[i].t;
        if (sum > best)
            best = sum;
    }
    hp_free(v);
    return best;
}

double hp_page_tbt(const struct hp_page_task *t, size_t n, double fcp, double end)
{
    double sum = 0;
    if (!isfinite(fcp))
        return NAN;
    for (size_t i = 0; i < n; i++) {
        double from = t[i].t + 50.0, to = t[i].t + t[i].duration;
        if (from < fcp)
            from = fcp;
        if (isfinite(end) && to > end)
            to = end;
        if (to > from)
            sum += to - from;
    }
    return sum;
}

static int by_interaction(const void *a, const void *b)
{
    long long x = ((const struct hp_page_event *)a)->interaction,
              y = ((const struct hp_page_event *)b)->interaction;
    return (x > y) - (x < y);
}

static int desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

double hp_page_inp(const struct hp_page_event *e, size_t n)
{
    struct hp_page_event *v = n ? hp_malloc(n * sizeof *v) : NULL;
    double *worst = n ? hp_malloc(n * sizeof *worst) : NULL;
    if (n && (!v || !worst)) {
        hp_free(v);
        hp_free(worst);
        return NAN;
    }
    size_t k = 0, m = 0;
    for (size_t i = 0; i < n; i++)
        if (e[i].interaction > 0)
            v[k++] = e[i];
    if (k > 1)
        qsort(v, k, sizeof *v, by_interaction);
    for (size_t i = 0; i < k;) {
        double d = 0;
        size_t j = i;
        for (; j < k && v[j].interaction == v[i].interaction; j++)
            if (v[j].duration > d)
                d = v[j].duration;
        worst[m++] = d;
        i = j;
    }
    double inp = NAN;
    if (m > 0) {
        qsort(worst, m, sizeof *worst, desc);
        size_t skip = m / 50;
        inp = worst[skip < m ? skip : m - 1];
    }
    hp_free(v);
    hp_free(worst);
    return inp;
}

static double span(double a, double b)
{
    return a >= 0 && b >= 0 && b >= a ? b - a : -1;
}

void hp_page_phases(const struct hp_page_timing_in *in, struct hp_page_phases *out)
{
    *out = (struct hp_page_phases){-1, -1, -1, -1, -1, -1, -1, -1};
    out->total = in->end_s >= in->will_send_s ? (in->end_s - in->will_send_s) * 1000.0 : 0;
    if (in->request_time_s < 0) {
        /* no timing: a cache hit or a failure; it all counts as waiting */
        out->blocked = 0;
        out->send = 0;
        out->wait = out->total;
        out->receive = 0;
        return;
    }
    double base = (in->request_time_s - in->will_send_s) * 1000.0; /* queued before requestTime */
    double first = in->dns_start >= 0       ? in->dns_start
                   : in->connect_start >= 0 ? in->connect_start
                   : in->send_start >= 0    ? in->send_start
                                            : 0;
    out->blocked = base + first > 0 ? base + first : 0;
    out->dns = span(in->dns_start, in->dns_end);
    out->connect = span(in->connect_start, in->connect_end);
    out->ssl = span(in->ssl_start, in->ssl_end);
    out->send = span(in->send_start, in->send_end);
    if (out->send < 0)
        out->send = 0;
    out->wait = span(in->send_end, in->headers_end);
    if (out->wait < 0)
        out->wait = 0;
    double headers_s = in->request_time_s + in->headers_end / 1000.0;
    out->receive = in->end_s > headers_s ? (in->end_s - headers_s) * 1000.0 : 0;
}
