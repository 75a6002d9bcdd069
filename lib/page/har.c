// SPDX-License-Identifier: MIT
/* page/har.c - see har.h. The fields are HAR 1.2's (Jan Odvarko's
 * specification, as the W3C web performance group kept it): times in ms,
 * -1 where a timing does not apply, `time` the sum of the timings that do
 * (ssl is inside connect and not added again). */
#include "page/har.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/result.h"

static json_t *name_values(json_t *obj)
{
    json_t *a = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        const char *s = json_string_value(v);
        if (s)
            json_array_append_new(a, json_pack("{s:s, s:s}", "name", k, "value", s));
    }
    return a;
}

/* The query string's name=value pairs, as written in the URL. */
static json_t *query_string(const char *url)
{
    json_t *a = json_array();
    const char *q = strchr(url, '?');
    if (!q)
        return a;
    q++;
    size_t end = strcspn(q, "#");
    for (size_t i = 0; i < end;) {
        size_t n = strcspn(q + i, "&#");
        if (n > end - i)
            n = end - i;
        const char *eq = memchr(q + i, '=', n);
        size_t kl = eq ? (size_t)(eq - (q + i)) : n;
        json_t *name = json_stringn(q + i, kl);
        json_t *val = eq ? json_stringn(eq + 1, n - kl - 1) : json_string("");
        if (name && val && n > 0)
            json_array_append_new(a, json_pack("{s:o, s:o}", "name", name, "value", val));
        else {
            json_decref(name);
            json_decref(val);
        }
        i += n + 1;
    }
    return a;
}

static const char *http_version(const char *protocol)
{
    if (!protocol)
        return "unknown";
    if (strcmp(protocol, "h2") == 0)
        return "http/2.0";
    if (strcmp(protocol, "h3") == 0)
        return "http/3.0";
    return protocol;
}

static json_t *ms(double v)
{
    return json_real(isfinite(v) ? v : -1);
}

static void iso(double epoch_ms, char *buf, size_t size)
{
    hp_format_rfc3339((int64_t)llround(epoch_ms * 1e6), buf, size);
}

json_t *hp_page_har(const struct hp_page_run *runs, size_t n, const char *url,
                    const char *creator_version, const char *browser)
{
    json_t *pages = json_array(), *entries = json_array();
    const char *slash = browser ? strchr(browser, '/') : NULL;
    json_t *log = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:o, s:o}", "version", "1.2",
                            "creator", "name", "hotpath", "version", creator_version, "browser",
                            "name", "Chromium", "version", slash ? slash + 1 : "unknown", "pages",
                            pages, "entries", entries);
    if (!log)
        return NULL;
    char *page_url = hp_redact_value("url", url);
    for (size_t i = 0; i < n; i++) {
        const struct hp_page_run *r = &runs[i];
        char id[32], when[40];
        snprintf(id, sizeof id, "page_%zu", i + 1);
        iso(r->time_origin_ms, when, sizeof when);
        json_array_append_new(
            pages, json_pack("{s:s, s:s, s:s, s:{s:o, s:o}}", "startedDateTime", when, "id", id,
                             "title", page_url ? page_url : "", "pageTimings", "onContentLoad",
                             ms(r->m[HP_PM_DCL]), "onLoad", ms(r->m[HP_PM_LOAD])));
        for (size_t k = 0; k < r->nreqs; k++) {
            const struct hp_page_req *q = &r->reqs[k];
            const struct hp_page_phases *p = &q->ph;
            double parts[] = {p->blocked, p->dns, p->connect, p->send, p->wait, p->receive};
            double total = 0;
            for (size_t j = 0; j < sizeof parts / sizeof *parts; j++)
                if (parts[j] > 0)
                    total += parts[j];
            char *u = hp_redact_value("url", q->url);
            /* the request's start on the wall clock: the page's origin plus its offset */
            iso(r->time_origin_ms + (isfinite(q->start) ? q->start : 0), when, sizeof when);
            json_t *e = json_pack(
                "{s:s, s:s, s:f, "
                "s:{s:s, s:s, s:s, s:[], s:o, s:o, s:i, s:i}, "
                "s:{s:i, s:s, s:s, s:[], s:o, s:{s:I, s:s}, s:s, s:i, s:I}, "
                "s:{}, s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o}}",
                "pageref", id, "startedDateTime", when, "time", total,
                "request", "method", q->method, "url", u ? u : "", "httpVersion",
                http_version(q->protocol), "cookies", "headers", name_values(q->req_headers),
                "queryString", query_string(u ? u : ""), "headersSize", -1, "bodySize",
                strcmp(q->method, "GET") == 0 ? 0 : -1,
                "response", "status", q->status, "statusText",
                q->status_text ? q->status_text : "", "httpVersion", http_version(q->protocol),
                "cookies", "headers", name_values(q->resp_headers), "content", "size",
                (json_int_t)q->body, "mimeType", q->mime ? q->mime : "x-unknown",
                "redirectURL", "", "headersSize", -1, "bodySize",
                (json_int_t)(q->from_cache ? 0 : q->transfer),
                "cache", "timings", "blocked", ms(p->blocked), "dns", ms(p->dns), "connect",
                ms(p->connect), "send", ms(p->send >= 0 ? p->send : 0), "wait",
                ms(p->wait >= 0 ? p->wait : 0), "receive", ms(p->receive >= 0 ? p->receive : 0),
                "ssl", ms(p->ssl));
            hp_free(u);
            if (!e)
                continue;
            if (q->remote) {
                /* "127.0.0.1:8080": HAR's serverIPAddress is the address alone */
                char ip[128];
                snprintf(ip, sizeof ip, "%s", q->remote);
                char *colon = strrchr(ip, ':');
                if (colon)
                    *colon = '\0';
                json_object_set_new(e, "serverIPAddress", json_string(ip));
            }
            if (q->failed)
                json_object_set_new(e, "_error", json_string(q->error ? q->error : "failed"));
            json_array_append_new(entries, e);
        }
    }
    hp_free(page_url);
    json_t *har = json_pack("{s:o}", "log", log);
    return har;
}
