// SPDX-License-Identifier: MIT
/* page/page.c - see page.h. */
#include "page/page.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/result.h"

#define CALL_NS (INT64_C(10) * 1000000000) /* a command's answer, at most */
#define IDLE_AFTER_LOAD_NS (INT64_C(1) * 1000000000)

/* Installed before any of the page's own scripts: observers that keep every
 * entry the browser reports from the document's start (a buffered read later
 * would miss event timings under 104 ms and lose entries past the buffers). */
static const char observe_js[] =
    "(function () {\n"
    "  if (window.__hotpath) return;\n"
    "  var h = {lcp: [], shifts: [], longtasks: [], events: [], po: []};\n"
    "  Object.defineProperty(window, '__hotpath', {value: h});\n"
    "  function describe(n) {\n"
    "    if (!n || !n.tagName) return null;\n"
    "    var s = n.tagName.toLowerCase();\n"
    "    if (n.id) s += '#' + n.id;\n"
    "    else if (n.classList && n.classList.length) s += '.' + "
    "Array.prototype.join.call(n.classList, '.');\n"
    "    return s;\n"
    "  }\n"
    "  function on(type, fn, extra) {\n"
    "    try {\n"
    "      var po = new PerformanceObserver(function (l) { l.getEntries().forEach(fn); });\n"
    "      var o = {type: type, buffered: true};\n"
    "      for (var k in extra) o[k] = extra[k];\n"
    "      po.observe(o);\n"
    "      h.po.push([po, fn]);\n"
    "    } catch (e) {}\n"
    "  }\n"
    "  on('largest-contentful-paint', function (e) {\n"
    "    h.lcp.push({t: e.renderTime || e.loadTime || e.startTime, size: e.size,\n"
    "                element: describe(e.element), url: e.url || null, node: e.element});\n"
    "  });\n"
    "  on('layout-shift', function (e) {\n"
    "    h.shifts.push({t: e.startTime, value: e.value, input: e.hadRecentInput});\n"
    "  });\n"
    "  on('longtask', function (e) { h.longtasks.push({t: e.startTime, d: e.duration}); });\n"
    "  on('event', function (e) {\n"
    "    if (e.interactionId) h.events.push({t: e.startTime, d: e.duration, id: "
    "e.interactionId});\n"
    "  }, {durationThreshold: 16});\n"
    "})();\n";

/* After the load: let the entries of the last frames arrive, and while an
 * image in the viewport has arrived, would be larger than the LCP so far and
 * was not reported, wait for its paint (up to the settle limit), frame by
 * frame. Then everything, as one JSON text. */
static const char collect_js[] =
    "new Promise(function (resolve) {\n"
    "  var h = window.__hotpath || {lcp: [], shifts: [], longtasks: [], events: [], po: []};\n"
    "  var t0 = performance.now(), frames = 0, done = false;\n"
    "  function flush() { h.po.forEach(function (p) { p[0].takeRecords().forEach(p[1]); }); }\n"
    "  function pending() {\n"
    "    if (h.clicked && !h.events.length) return true; /* the click's entry is yet to come */\n"
    "    var last = h.lcp.length ? h.lcp[h.lcp.length - 1] : null, size = last ? last.size : 0;\n"
    "    var seen = h.lcp.map(function (e) { return e.node; });\n"
    "    var vw = document.documentElement.clientWidth, vh = "
    "document.documentElement.clientHeight;\n"
    "    for (var i = 0; i < document.images.length; i++) {\n"
    "      var im = document.images[i];\n"
    "      if (!im.complete || !im.naturalWidth || seen.indexOf(im) >= 0) continue;\n"
    "      var r = im.getBoundingClientRect();\n"
    "      var a = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0)) *\n"
    "              Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));\n"
    "      a = Math.min(a, im.naturalWidth * im.naturalHeight);\n"
    "      var cs = getComputedStyle(im);\n"
    "      if (a > size && cs.visibility !== 'hidden' && cs.opacity !== '0') return true;\n"
    "    }\n"
    "    return false;\n"
    "  }\n"
    "  function finish() {\n"
    "    if (done) return;\n"
    "    done = true;\n"
    "    flush();\n"
    "    var nav = performance.getEntriesByType('navigation')[0];\n"
    "    var fcp = performance.getEntriesByName('first-contentful-paint')[0];\n"
    "    resolve(JSON.stringify({time_origin: performance.timeOrigin, now: performance.now(),\n"
    "      nav: nav ? nav.toJSON() : null, fcp: fcp ? fcp.startTime : null,\n"
    "      lcp: h.lcp.map(function (e) { return {t: e.t, size: e.size, element: e.element, url: "
    "e.url}; }),\n"
    "      shifts: h.shifts, longtasks: h.longtasks, events: h.events}));\n"
    "  }\n"
    "  function tick() {\n"
    "    if (done) return;\n"
    "    flush();\n"
    "    frames++;\n"
    "    if (frames >= 2 && (!pending() || performance.now() - t0 > SETTLE)) { setTimeout(finish, "
    "0); return; }\n"
    "    requestAnimationFrame(tick);\n"
    "  }\n"
    "  requestAnimationFrame(tick);\n"
    "  setTimeout(finish, SETTLE + 500); /* no frames (a hidden page): do not wait forever */\n"
    "})";

struct hp_page {
    struct hp_browser *b;
    struct hp_page_opts o;
    char *ctx, *target, *session;
    char *helper, *helper_session; /* chrome://net-internals, to flush connections */
    bool flushes;
    char origin[512];
    int64_t latency_ns; /* throttling: documents are held this long (Fetch domain) */
};

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = hp_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int call(struct hp_page *p, const char *method, json_t *params, const char *session,
                json_t **res, struct hp_err *err)
{
    return hp_browser_call(p->b, method, params, session, hp_now_ns() + CALL_NS, res, err);
}

/* The origin of an http(s) URL: "https://host:port". */
static void origin_of(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    out[0] = '\0';
    if (!p)
        return;
    p += 3;
    size_t n = strcspn(p, "/?#");
    snprintf(out, size, "%.*s%.*s", (int)(p - url), url, (int)n, p);
}

/* Open a tab in the context and attach to it: *target and *session. */
static int open_tab(struct hp_page *p, const char *url, bool background, char **target,
                    char **session, struct hp_err *err)
{
    json_t *res;
    int rc = call(p, "Target.createTarget",
                  json_pack("{s:s, s:s, s:b}", "url", url, "browserContextId", p->ctx,
                            "background", background),
                  NULL, &res, err);
    if (rc < 0)
        return rc;
    *target = dup_str(json_string_value(json_object_get(res, "targetId")));
    json_decref(res);
    if (!*target)
        return hp_err_set(err, -ENOMEM, "out of memory");
    rc = call(p, "Target.attachToTarget", json_pack("{s:s, s:b}", "targetId", *target, "flatten", 1),
              NULL, &res, err);
    if (rc < 0)
        return rc;
    *session = dup_str(json_string_value(json_object_get(res, "sessionId")));
    json_decref(res);
    return *session ? 0 : hp_err_set(err, -ENOMEM, "out of memory");
}

/* Whether the helper tab has loaded its flush button (up to 3 s). */
static bool helper_ready(struct hp_page *p)
{
    int64_t until = hp_now_ns() + INT64_C(3) * 1000000000;
    while (hp_now_ns() < until) {
        json_t *res = NULL;
        struct hp_err e;
        if (call(p, "Runtime.evaluate",
                 json_pack("{s:s, s:b}", "expression",
                           "!!document.getElementById('sockets-view-flush-button')",
                           "returnByValue", 1),
                 p->helper_session, &res, &e) < 0)
            return false;
        bool ok = json_is_true(json_object_get(json_object_get(res, "result"), "value"));
        json_decref(res);
        if (ok)
            return true;
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    return false;
}

void hp_page_opts_defaults(struct hp_page_opts *o, const char *url)
{
    *o = (struct hp_page_opts){.url = url, .width = 1350, .height = 940, .scale = 1,
                               .cpu_slowdown = 1, .timeout_ns = INT64_C(30) * 1000000000,
                               .settle_ns = INT64_C(1000000000)};
}

int hp_page_open(struct hp_browser *b, const struct hp_page_opts *o, struct hp_page **out,
                 struct hp_err *err)
{
    struct hp_page *p = hp_calloc(1, sizeof *p);
    json_t *res;
    *out = NULL;
    if (!p)
        return hp_err_set(err, -ENOMEM, "out of memory");
    p->b = b;
    p->o = *o;
    origin_of(o->url, p->origin, sizeof p->origin);
    int rc = call(p, "Target.createBrowserContext", json_pack("{s:b}", "disposeOnDetach", 1), NULL,
                  &res, err);
    if (rc < 0)
        goto fail;
    p->ctx = dup_str(json_string_value(json_object_get(res, "browserContextId")));
    json_decref(res);
    if (!p->ctx) {
        rc = hp_err_set(err, -ENOMEM, "out of memory");
        goto fail;
    }
    /* The page that can close the context's idle connections: a cold run
     * must connect again. Without it, runs after the first reuse them. It
     * opens behind the measured tab: a tab in the background is not
     * painted. */
    struct hp_err herr;
    if (open_tab(p, "chrome://net-internals/#sockets", true, &p->helper, &p->helper_session,
                 &herr) == 0)
        p->flushes = helper_ready(p);
    if ((rc = open_tab(p, "about:blank", false, &p->target, &p->session, err)) < 0)
        goto fail;
    const char *s = p->session;
    if ((rc = call(p, "Page.enable", NULL, s, NULL, err)) < 0 ||
        (rc = call(p, "Network.enable", NULL, s, NULL, err)) < 0 ||
        (rc = call(p, "Page.addScriptToEvaluateOnNewDocument",
                   json_pack("{s:s}", "source", observe_js), s, NULL, err)) < 0 ||
        (rc = call(p, "Emulation.setDeviceMetricsOverride",
                   json_pack("{s:i, s:i, s:f, s:b}", "width", o->width, "height", o->height,
                             "deviceScaleFactor", o->scale > 0 ? o->scale : 1.0, "mobile",
                             o->mobile),
                   s, NULL, err)) < 0)
        goto fail;
    if (o->mobile && (rc = call(p, "Emulation.setTouchEmulationEnabled",
                                json_pack("{s:b}", "enabled", 1), s, NULL, err)) < 0)
        goto fail;
    if (o->cpu_slowdown > 1 &&
        (rc = call(p, "Emulation.setCPUThrottlingRate", json_pack("{s:f}", "rate", o->cpu_slowdown),
                   s, NULL, err)) < 0)
        goto fail;
    if (o->throttle &&
        (rc = call(p, "Network.emulateNetworkConditions",
                   json_pack("{s:b, s:f, s:f, s:f}", "offline", 0, "latency", o->latency_ms,
                             "downloadThroughput", o->down_bps / 8.0, "uploadThroughput",
                             o->up_bps / 8.0),
                   s, NULL, err)) < 0)
        goto fail;
    /* Chromium's network emulation delays subresources but not the
     * document's navigation: its round trip is added here, the document
     * held that long before it is sent. */
    if (o->throttle && o->latency_ms > 0) {
        p->latency_ns = (int64_t)(o->latency_ms * 1e6);
        if ((rc = call(p, "Fetch.enable",
                       json_pack("{s:[{s:s, s:s, s:s}]}", "patterns", "urlPattern", "*",
                                 "resourceType", "Document", "requestStage", "Request"),
                       s, NULL, err)) < 0)
            goto fail;
    }
    if ((rc = call(p, "Page.bringToFront", NULL, s, NULL, err)) < 0)
        goto fail;
    hp_browser_drain(b);
    *out = p;
    return 0;
fail:
    hp_page_close(p);
    return rc;
}

bool hp_page_flushes(const struct hp_page *p)
{
    return p->flushes;
}

void hp_page_close(struct hp_page *p)
{
    if (!p)
        return;
    struct hp_err e;
    if (p->ctx)
        call(p, "Target.disposeBrowserContext", json_pack("{s:s}", "browserContextId", p->ctx),
             NULL, NULL, &e);
    hp_free(p->ctx);
    hp_free(p->target);
    hp_free(p->session);
    hp_free(p->helper);
    hp_free(p->helper_session);
    hp_free(p);
}

/* ---- a run -------------------------------------------------------------- */

static void req_fini(struct hp_page_req *q)
{
    hp_free(q->id);
    hp_free(q->url);
    hp_free(q->method);
    hp_free(q->type);
    hp_free(q->mime);
    hp_free(q->protocol);
    hp_free(q->remote);
    hp_free(q->error);
    hp_free(q->status_text);
    json_decref(q->req_headers);
    json_decref(q->resp_headers);
}

void hp_page_run_fini(struct hp_page_run *r)
{
    for (size_t i = 0; i < r->nreqs; i++)
        req_fini(&r->reqs[i]);
    hp_free(r->reqs);
    hp_free(r->lcp_element);
    hp_free(r->lcp_url);
    memset(r, 0, sizeof *r);
}

static struct hp_page_req *find_req(struct hp_page_run *r, const char *id)
{
    for (size_t i = r->nreqs; i-- > 0;) /* the latest with the id: redirects reuse it */
        if (r->reqs[i].id && strcmp(r->reqs[i].id, id) == 0)
            return &r->reqs[i];
    return NULL;
}

/* Headers as an object with secret values replaced. */
static json_t *redacted(json_t *h)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    if (!o)
        return NULL;
    json_object_foreach(h, k, v)
    {
        const char *s = json_string_value(v);
        if (!s)
            continue;
        json_object_set_new(o, k, json_string(hp_is_secret_name(k) ? HP_REDACTED : s));
    }
    return o;
}

static double num(json_t *o, const char *k, double dflt)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static void take_response(struct hp_page_req *q, json_t *resp)
{
    q->status = (int)num(resp, "status", 0);
    hp_free(q->status_text);
    q->status_text = dup_str(json_string_value(json_object_get(resp, "statusText")));
    hp_free(q->mime);
    q->mime = dup_str(json_string_value(json_object_get(resp, "mimeType")));
    hp_free(q->protocol);
    q->protocol = dup_str(json_string_value(json_object_get(resp, "protocol")));
    const char *ip = json_string_value(json_object_get(resp, "remoteIPAddress"));
    if (ip) {
        char buf[128];
        snprintf(buf, sizeof buf, "%s:%d", ip, (int)num(resp, "remotePort", 0));
        hp_free(q->remote);
        q->remote = dup_str(buf);
    }
    q->from_cache = json_is_true(json_object_get(resp, "fromDiskCache")) ||
                    json_is_true(json_object_get(resp, "fromPrefetchCache")) ||
                    json_is_true(json_object_get(resp, "fromServiceWorker"));
    json_decref(q->resp_headers);
    q->resp_headers = redacted(json_object_get(resp, "headers"));
    json_t *t = json_object_get(resp, "timing");
    struct hp_page_timing_in *ti = &q->timing;
    ti->request_time_s = t ? num(t, "requestTime", -1) : -1;
    ti->dns_start = num(t, "dnsStart", -1);
    ti->dns_end = num(t, "dnsEnd", -1);
    ti->connect_start = num(t, "connectStart", -1);
    ti->connect_end = num(t, "connectEnd", -1);
    ti->ssl_start = num(t, "sslStart", -1);
    ti->ssl_end = num(t, "sslEnd", -1);
    ti->send_start = num(t, "sendStart", -1);
    ti->send_end = num(t, "sendEnd", -1);
    ti->headers_end = num(t, "receiveHeadersEnd", -1);
}

static int new_req(struct hp_page_run *r, json_t *p, struct hp_page_req **out)
{
    if (r->nreqs == r->capreqs) {
        size_t cap = r->capreqs ? r->capreqs * 2 : 32;
        struct hp_page_req *v = hp_realloc(r->reqs, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        r->reqs = v;
        r->capreqs = cap;
    }
    struct hp_page_req *q = &r->reqs[r->nreqs++];
    memset(q, 0, sizeof *q);
    json_t *req = json_object_get(p, "request");
    q->id = dup_str(json_string_value(json_object_get(p, "requestId")));
    q->url = dup_str(json_string_value(json_object_get(req, "url")));
    q->method = dup_str(json_string_value(json_object_get(req, "method")));
    q->type = dup_str(json_string_value(json_object_get(p, "type")) ?: "Other");
    q->req_headers = redacted(json_object_get(req, "headers"));
    q->will_send_s = num(p, "timestamp", 0);
    q->wall_s = num(p, "wallTime", 0);
    q->timing.will_send_s = q->will_send_s;
    q->timing.request_time_s = -1;
    if (!q->id || !q->url || !q->method || !q->type)
        return -ENOMEM;
    *out = q;
    return 0;
}

#define MAX_HELD 16

struct run_state {
    struct hp_page_run *r;
    const char *loader;  /* the navigation's loaderId: its document request's id */
    bool loaded, crashed;
    int in_flight;
    int64_t latency_ns;  /* documents held this long before they are sent (throttling) */
    struct {
        char id[64];
        int64_t due_ns;
    } held[MAX_HELD];    /* documents the Fetch domain paused, oldest first */
    int n_held;
};

static void finish_req(struct run_state *st, struct hp_page_req *q, json_t *p, bool failed)
{
    if (q->done)
        return;
    q->done = true;
    st->in_flight--;
    q->timing.end_s = num(p, "timestamp", q->will_send_s);
    double enc = num(p, "encodedDataLength", -1);
    if (enc >= 0)
        q->transfer = (int64_t)enc;
    /* an answer that crossed no network came from a cache (Blink's memory
     * cache says so no other way) */
    if (!failed && enc == 0 && q->status > 0)
        q->from_cache = true;
    if (failed) {
        q->failed = true;
        const char *why = json_string_value(json_object_get(p, "errorText"));
        bool canceled = json_is_true(json_object_get(p, "canceled"));
        hp_free(q->error);
        q->error = dup_str(why && *why ? why : canceled ? "canceled" : "failed");
    }
}

static int on_event(struct run_state *st, json_t *ev, const char *session)
{
    const char *m = json_string_value(json_object_get(ev, "method"));
    const char *s = json_string_value(json_object_get(ev, "sessionId"));
    json_t *p = json_object_get(ev, "params");
    if (!m || !s || strcmp(s, session) != 0)
        return 0;
    struct hp_page_run *r = st->r;
    if (strcmp(m, "Network.requestWillBeSent") == 0) {
        const char *id = json_string_value(json_object_get(p, "requestId"));
        struct hp_page_req *q = id ? find_req(r, id) : NULL;
        json_t *redir = json_object_get(p, "redirectResponse");
        if (q && redir && !q->done) { /* a redirect ends the hop before */
            take_response(q, redir);
            finish_req(st, q, p, false);
        }
        if (new_req(r, p, &q) < 0)
            return -ENOMEM;
        st->in_flight++;
    } else if (strcmp(m, "Network.responseReceived") == 0) {
        struct hp_page_req *q =
            find_req(r, json_string_value(json_object_get(p, "requestId")) ?: "");
        if (q)
            take_response(q, json_object_get(p, "response"));
    } else if (strcmp(m, "Network.dataReceived") == 0) {
        struct hp_page_req *q =
            find_req(r, json_string_value(json_object_get(p, "requestId")) ?: "");
        if (q)
            q->body += (int64_t)num(p, "dataLength", 0);
    } else if (strcmp(m, "Network.requestServedFromCache") == 0) {
        struct hp_page_req *q =
            find_req(r, json_string_value(json_object_get(p, "requestId")) ?: "");
        if (q)
            q->from_cache = true;
    } else if (strcmp(m, "Network.loadingFinished") == 0 ||
               strcmp(m, "Network.loadingFailed") == 0) {
        struct hp_page_req *q =
            find_req(r, json_string_value(json_object_get(p, "requestId")) ?: "");
        if (q)
            finish_req(st, q, p, strcmp(m, "Network.loadingFailed") == 0);
    } else if (strcmp(m, "Fetch.requestPaused") == 0) {
        const char *id = json_string_value(json_object_get(p, "requestId"));
        if (id && st->n_held < MAX_HELD) {
            snprintf(st->held[st->n_held].id, sizeof st->held[0].id, "%s", id);
            st->held[st->n_held++].due_ns = hp_now_ns() + st->latency_ns;
        }
    } else if (strcmp(m, "Page.loadEventFired") == 0) {
        st->loaded = true;
    } else if (strcmp(m, "Inspector.targetCrashed") == 0) {
        st->crashed = true;
    }
    return 0;
}

/* Events until cond holds or the deadline: 1 when it held, 0 at the
 * deadline, or an error. */
/* Send the held documents whose latency has passed. */
static int release_held(struct hp_page *p, struct run_state *st, struct hp_err *err)
{
    int64_t now = hp_now_ns();
    while (st->n_held > 0 && st->held[0].due_ns <= now) {
        int rc = call(p, "Fetch.continueRequest", json_pack("{s:s}", "requestId", st->held[0].id),
                      p->session, NULL, err);
        memmove(&st->held[0], &st->held[1], (size_t)(--st->n_held) * sizeof st->held[0]);
        if (rc < 0 && rc != HP_EFORMAT) /* a request already gone is no error */
            return rc;
    }
    return 0;
}

static int follow(struct hp_page *p, struct run_state *st, int64_t deadline,
                  bool (*cond)(const struct run_state *), struct hp_err *err)
{
    for (;;) {
        if (st->crashed)
            return hp_err_set(err, -EPIPE, "the page crashed (its renderer process died)");
        int rc = release_held(p, st, err);
        if (rc < 0)
            return rc;
        if (cond(st))
            return 1;
        json_t *ev;
        int64_t until = st->n_held > 0 && st->held[0].due_ns < deadline ? st->held[0].due_ns
                                                                          : deadline;
        rc = hp_browser_event(p->b, until, &ev, err);
        if (rc == 0 && until < deadline)
            continue; /* a held document is due */
        if (rc <= 0)
            return rc;
        rc = on_event(st, ev, p->session);
        json_decref(ev);
        if (rc < 0)
            return hp_err_set(err, rc, "out of memory");
    }
}

static bool is_loaded(const struct run_state *st)
{
    return st->loaded;
}

static bool is_idle(const struct run_state *st)
{
    return st->in_flight <= 0;
}

static int reset(struct hp_page *p, struct hp_err *err)
{
    const char *s = p->session;
    int rc;
    if ((rc = call(p, "Network.clearBrowserCache", NULL, s, NULL, err)) < 0 ||
        (rc = call(p, "Network.clearBrowserCookies", NULL, s, NULL, err)) < 0)
        return rc;
    if (p->origin[0] && (rc = call(p, "Storage.clearDataForOrigin",
                                   json_pack("{s:s, s:s}", "origin", p->origin, "storageTypes",
                                             "all"),
                                   s, NULL, err)) < 0)
        return rc;
    if (p->flushes) {
        json_t *res = NULL;
        rc = call(p, "Runtime.evaluate",
                  json_pack("{s:s, s:b}", "expression",
                            "(function () {\n"
                            "  var f = document.getElementById('sockets-view-flush-button');\n"
                            "  var d = document.getElementById('dns-view-clear-cache');\n"
                            "  if (d) d.click();\n"
                            "  if (!f) return false;\n"
                            "  f.click();\n"
                            "  return true;\n"
                            "})()",
                            "returnByValue", 1),
                  p->helper_session, &res, err);
        if (rc < 0)
            return rc;
        json_t *v = json_object_get(json_object_get(res, "result"), "value");
        p->flushes = json_is_true(v);
        json_decref(res);
    }
    return 0;
}

/* Map the Network domain's clock (s) onto the page's (ms since the
 * navigation started) through the document request: its send start is the
 * navigation entry's requestStart. */
static double clock_offset(const struct hp_page_run *r, const char *loader, json_t *nav)
{
    for (size_t i = 0; i < r->nreqs; i++) {
        const struct hp_page_req *q = &r->reqs[i];
        if (loader && strcmp(q->id, loader) == 0 && q->timing.request_time_s >= 0 &&
            q->timing.send_start >= 0 && num(nav, "requestStart", 0) > 0)
            return num(nav, "requestStart", 0) -
                   (q->timing.request_time_s * 1000.0 + q->timing.send_start);
    }
    /* no timing: the first request started at the navigation's fetchStart */
    return r->nreqs ? num(nav, "fetchStart", 0) - r->reqs[0].will_send_s * 1000.0 : 0;
}

static int read_figures(struct hp_page_run *r, json_t *v, const char *loader)
{
    json_t *nav = json_object_get(v, "nav");
    for (int k = 0; k < HP_PM_COUNT; k++)
        r->m[k] = NAN;
    r->time_origin_ms = num(v, "time_origin", 0);
    if (json_is_object(nav)) {
        r->m[HP_PM_TTFB] = num(nav, "responseStart", NAN);
        r->m[HP_PM_DCL] = num(nav, "domContentLoadedEventStart", NAN);
        r->m[HP_PM_LOAD] = num(nav, "loadEventStart", NAN);
        r->load_end = num(nav, "loadEventEnd", NAN);
    }
    r->m[HP_PM_FCP] = num(v, "fcp", NAN);
    json_t *lcp = json_object_get(v, "lcp");
    json_t *last = json_array_get(lcp, json_array_size(lcp) - 1);
    if (last) {
        r->m[HP_PM_LCP] = num(last, "t", NAN);
        r->lcp_size = num(last, "size", 0);
        r->lcp_element = dup_str(json_string_value(json_object_get(last, "element")));
        r->lcp_url = dup_str(json_string_value(json_object_get(last, "url")));
    }
    json_t *a = json_object_get(v, "shifts"), *e;
    size_t n = json_array_size(a), i;
    struct hp_page_shift *sh = hp_calloc(n ? n : 1, sizeof *sh);
    if (!sh)
        return -ENOMEM;
    json_array_foreach(a, i, e)
        sh[i] = (struct hp_page_shift){num(e, "t", 0), num(e, "value", 0),
                                       json_is_true(json_object_get(e, "input"))};
    r->m[HP_PM_CLS] = hp_page_cls(sh, n);
    r->n_shifts = (int)n;
    hp_free(sh);
    a = json_object_get(v, "longtasks");
    n = json_array_size(a);
    struct hp_page_task *lt = hp_calloc(n ? n : 1, sizeof *lt);
    if (!lt)
        return -ENOMEM;
    json_array_foreach(a, i, e)
        lt[i] = (struct hp_page_task){num(e, "t", 0), num(e, "d", 0)};
    r->m[HP_PM_TBT] = hp_page_tbt(lt, n, r->m[HP_PM_FCP], num(v, "now", NAN));
    r->n_longtasks = (int)n;
    hp_free(lt);
    a = json_object_get(v, "events");
    n = json_array_size(a);
    struct hp_page_event *evs = hp_calloc(n ? n : 1, sizeof *evs);
    if (!evs)
        return -ENOMEM;
    json_array_foreach(a, i, e)
        evs[i] = (struct hp_page_event){num(e, "t", 0), num(e, "d", 0),
                                        (long long)num(e, "id", 0)};
    r->m[HP_PM_INP] = hp_page_inp(evs, n);
    hp_free(evs);

    /* the waterfall on the page's clock */
    double off = clock_offset(r, loader, nav);
    int64_t bytes = 0;
    for (size_t k = 0; k < r->nreqs; k++) {
        struct hp_page_req *q = &r->reqs[k];
        hp_page_phases(&q->timing, &q->ph);
        q->start = q->will_send_s * 1000.0 + off;
        q->end = q->done ? q->timing.end_s * 1000.0 + off : NAN;
        bytes += q->transfer;
    }
    r->m[HP_PM_REQUESTS] = (double)r->nreqs;
    r->m[HP_PM_TRANSFER] = (double)bytes;
    return 0;
}

/* Click the element the selector names, in its middle, as a person would. */
static int click(struct hp_page *p, struct hp_err *err)
{
    char expr[1024];
    json_t *sel = json_string(p->o.click), *res = NULL;
    char *quoted = sel ? json_dumps(sel, JSON_ENCODE_ANY) : NULL;
    json_decref(sel);
    if (!quoted)
        return hp_err_set(err, -ENOMEM, "out of memory");
    snprintf(expr, sizeof expr,
             "(function () { var e = document.querySelector(%s); if (!e) return null;"
             " if (window.__hotpath) window.__hotpath.clicked = true;"
             " e.scrollIntoView({block: 'center'}); var r = e.getBoundingClientRect();"
             " return [r.left + r.width / 2, r.top + r.height / 2]; })()",
             quoted);
    hp_free(quoted);
    int rc = call(p, "Runtime.evaluate", json_pack("{s:s, s:b}", "expression", expr,
                                                   "returnByValue", 1),
                  p->session, &res, err);
    if (rc < 0)
        return rc;
    json_t *xy = json_object_get(json_object_get(res, "result"), "value");
    if (!json_is_array(xy)) {
        json_decref(res);
        return hp_err_set(err, HP_EINPUT, "--click %s: no such element on the page", p->o.click);
    }
    double x = json_number_value(json_array_get(xy, 0)), y = json_number_value(json_array_get(xy, 1));
    json_decref(res);
    static const char *const kinds[] = {"mouseMoved", "mousePressed", "mouseReleased"};
    for (int i = 0; i < 3; i++) {
        rc = call(p, "Input.dispatchMouseEvent",
                  json_pack("{s:s, s:f, s:f, s:s, s:i, s:i}", "type", kinds[i], "x", x, "y", y,
                            "button", i ? "left" : "none", "buttons", i == 1 ? 1 : 0,
                            "clickCount", i ? 1 : 0),
                  p->session, NULL, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int hp_page_run(struct hp_page *p, bool cold, struct hp_page_run *out, struct hp_err *err)
{
    memset(out, 0, sizeof *out);
    out->cold = cold;
    int64_t begin = hp_now_ns();
    int rc;
    /* The tab stays on the page between runs: going through about:blank
     * would start a new renderer process for every run (site isolation), a
     * cost no visitor pays. */
    if (cold && (rc = reset(p, err)) < 0)
        return rc;
    hp_browser_drain(p->b);

    int64_t t0 = hp_now_ns(), deadline = t0 + p->o.timeout_ns;
    json_t *res = NULL;
    struct run_state st = {.r = out, .latency_ns = p->latency_ns};
    /* The answer to Page.navigate may wait for the document, which the
     * Fetch domain holds while throttling: events are handled meanwhile. */
    int64_t nav_id;
    rc = hp_browser_send(p->b, "Page.navigate", json_pack("{s:s}", "url", p->o.url), p->session,
                         &nav_id, err);
    while (rc == 0) {
        int64_t until = st.n_held > 0 && st.held[0].due_ns < deadline ? st.held[0].due_ns
                                                                        : deadline;
        rc = hp_browser_wait(p->b, nav_id, "Page.navigate", until, &res, err);
        if (rc == 1)
            break;
        if (rc == 0 && until >= deadline)
            rc = hp_err_set(err, -ETIMEDOUT, "%s: the navigation did not start in %.0f s",
                            p->o.url, (double)p->o.timeout_ns / 1e9);
        json_t *ev;
        struct hp_err e2;
        while (rc == 2 && hp_browser_event(p->b, 0, &ev, &e2) == 1) {
            rc = on_event(&st, ev, p->session) < 0 ? hp_err_set(err, -ENOMEM, "out of memory") : 2;
            json_decref(ev);
        }
        if (rc >= 0)
            rc = release_held(p, &st, err);
    }
    if (rc < 0)
        goto fail;
    const char *why = json_string_value(json_object_get(res, "errorText"));
    if (why && *why) {
        hp_err_set(err, -EIO, "%s: %s", p->o.url, why);
        json_decref(res);
        rc = -EIO;
        goto fail;
    }
    char loader[128];
    snprintf(loader, sizeof loader, "%s",
             json_string_value(json_object_get(res, "loaderId")) ?: "");
    json_decref(res);
    st.loader = loader;
    rc = follow(p, &st, deadline, is_loaded, err);
    if (rc == 0) {
        const char *still = NULL;
        int n = 0;
        for (size_t i = 0; i < out->nreqs; i++)
            if (!out->reqs[i].done) {
                n++;
                still = still ? still : out->reqs[i].url;
            }
        char left[400] = "";
        if (still)
            snprintf(left, sizeof left, "; %d request%s still loading, first %.300s", n,
                     n == 1 ? "" : "s", still);
        rc = hp_err_set(err, -ETIMEDOUT, "%s did not finish loading in %.0f s (no load event%s)",
                        p->o.url, (double)p->o.timeout_ns / 1e9, left);
    }
    if (rc < 0)
        goto fail;
    /* the network quiet after the load (pages that poll never are) */
    int64_t idle_until = hp_now_ns() + IDLE_AFTER_LOAD_NS;
    rc = follow(p, &st, idle_until < deadline ? idle_until : deadline, is_idle, err);
    if (rc < 0)
        goto fail;
    if (p->o.click && (rc = click(p, err)) < 0)
        goto fail;

    char expr[sizeof collect_js + 64];
    char settle[32];
    snprintf(settle, sizeof settle, "%.0f", (double)p->o.settle_ns / 1e6);
    /* SETTLE in the script: the limit in ms */
    const char *at;
    size_t len = 0;
    for (const char *s = collect_js; (at = strstr(s, "SETTLE")); s = at + 6) {
        len += (size_t)snprintf(expr + len, sizeof expr - len, "%.*s%s", (int)(at - s), s, settle);
        if (!strstr(at + 6, "SETTLE")) {
            snprintf(expr + len, sizeof expr - len, "%s", at + 6);
            break;
        }
    }
    rc = hp_browser_call(p->b, "Runtime.evaluate",
                         json_pack("{s:s, s:b, s:b}", "expression", expr, "awaitPromise", 1,
                                   "returnByValue", 1),
                         p->session, deadline, &res, err);
    if (rc == -ETIMEDOUT)
        rc = hp_err_set(err, -ETIMEDOUT, "%s: its figures could not be read in %.0f s", p->o.url,
                        (double)p->o.timeout_ns / 1e9);
    if (rc < 0)
        goto fail;
    /* events that came while the figures were read */
    json_t *ev;
    struct hp_err e2;
    while (hp_browser_event(p->b, 0, &ev, &e2) == 1) {
        on_event(&st, ev, p->session);
        json_decref(ev);
    }
    const char *text = json_string_value(json_object_get(json_object_get(res, "result"), "value"));
    json_error_t jerr;
    json_t *v = text ? json_loads(text, 0, &jerr) : NULL;
    json_decref(res);
    if (!v) {
        rc = hp_err_set(err, HP_EFORMAT, "%s: the page's figures could not be read (a page that "
                                         "replaces JSON or Promise?)",
                        p->o.url);
        goto fail;
    }
    rc = read_figures(out, v, loader);
    json_decref(v);
    if (rc < 0) {
        rc = hp_err_set(err, rc, "out of memory");
        goto fail;
    }
    out->wall_ms = (double)(hp_now_ns() - begin) / 1e6; /* the reset included */
    return 0;
fail:
    hp_page_run_fini(out);
    return rc;
}

static json_t *ms_or_null(double v)
{
    return hp_json_number(v);
}

json_t *hp_page_run_json(const struct hp_page_run *r)
{
    json_t *o = json_object(), *reqs = json_array();
    if (!o || !reqs) {
        json_decref(o);
        json_decref(reqs);
        return NULL;
    }
    for (int k = 0; k < HP_PM_COUNT; k++) {
        char key[48];
        const char *unit = hp_page_metric_unit((enum hp_page_metric)k);
        snprintf(key, sizeof key, "%s%s", hp_page_metric_name((enum hp_page_metric)k),
                 strcmp(unit, "ms") == 0 ? "_ms" : k == HP_PM_REQUESTS ? "_count" : "");
        json_object_set_new(o, key, ms_or_null(r->m[k]));
    }
    json_object_set_new(o, "load_end_ms", ms_or_null(r->load_end));
    json_object_set_new(o, "cold", json_boolean(r->cold));
    json_object_set_new(o, "lcp_element", r->lcp_element ? json_string(r->lcp_element) : json_null());
    json_object_set_new(o, "lcp_url", r->lcp_url ? json_string(r->lcp_url) : json_null());
    json_object_set_new(o, "lcp_size", json_real(r->lcp_size));
    json_object_set_new(o, "layout_shifts", json_integer(r->n_shifts));
    json_object_set_new(o, "long_tasks", json_integer(r->n_longtasks));
    json_object_set_new(o, "wall_ms", json_real(r->wall_ms));
    json_object_set_new(o, "time_origin_ms", json_real(r->time_origin_ms));
    for (size_t i = 0; i < r->nreqs; i++) {
        const struct hp_page_req *q = &r->reqs[i];
        char *url = hp_redact_value("url", q->url);
        json_t *e = json_pack("{s:s, s:s, s:i, s:s, s:s*, s:s*, s:o, s:o, s:I, s:I, s:b}", "url",
                              url ? url : "", "method", q->method, "status", q->status, "type",
                              q->type, "mime", q->mime, "protocol", q->protocol, "start_ms",
                              ms_or_null(q->start), "end_ms", ms_or_null(q->end), "transfer_bytes",
                              (json_int_t)q->transfer, "body_bytes", (json_int_t)q->body,
                              "from_cache", q->from_cache);
        hp_free(url);
        if (!e)
            continue;
        static const char *const names[] = {"blocked", "dns", "connect", "ssl",
                                            "send",    "wait", "receive"};
        const double *ph = &q->ph.blocked;
        json_t *t = json_object();
        for (int k = 0; k < 7; k++)
            json_object_set_new(t, names[k], json_real(ph[k]));
        json_object_set_new(e, "phases_ms", t);
        if (q->failed)
            json_object_set_new(e, "error", json_string(q->error ? q->error : "failed"));
        if (q->remote)
            json_object_set_new(e, "remote", json_string(q->remote));
        json_array_append_new(reqs, e);
    }
    json_object_set_new(o, "requests", reqs);
    /* requests and bytes by type (Document, Image, Script...) */
    json_t *by = json_object();
    for (size_t i = 0; i < r->nreqs && by; i++) {
        const struct hp_page_req *q = &r->reqs[i];
        json_t *t = json_object_get(by, q->type);
        if (!t) {
            t = json_pack("{s:I, s:I}", "requests", (json_int_t)0, "transfer_bytes", (json_int_t)0);
            if (!t || json_object_set_new(by, q->type, t) < 0)
                continue;
        }
        json_object_set_new(t, "requests",
                            json_integer(json_integer_value(json_object_get(t, "requests")) + 1));
        json_object_set_new(t, "transfer_bytes",
                            json_integer(json_integer_value(json_object_get(t, "transfer_bytes")) +
                                         q->transfer));
    }
    if (by)
        json_object_set_new(o, "by_type", by);
    return o;
}

int hp_page_take(struct hp_page_run *r, json_t *const *events, size_t n, const char *session,
                 json_t *figures, const char *loader)
{
    struct run_state st = {.r = r, .loader = loader};
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < n; i++)
        if (on_event(&st, events[i], session) < 0)
            goto nomem;
    if (read_figures(r, figures, loader) < 0)
        goto nomem;
    return 0;
nomem:
    hp_page_run_fini(r);
    return -ENOMEM;
}
