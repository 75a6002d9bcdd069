// SPDX-License-Identifier: MIT
/* serve/page.c - the page routes: static bodies, and the page's script that
 * plants what a browser will measure (serve/page.h says what each parameter
 * plants). */
#include "serve/page.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/units.h"

/* The page: its head, then the planted elements in the markup (so the
 * browser's preload scanner asks for the images as soon as the HTML
 * arrives), then its script, which plants what must happen at run time. */
static const char page_head[] =
    "<!doctype html>\n"
    "<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>hotpath test page</title>\n"
    "<style>\n"
    "html,body{margin:0;padding:0;background:#fff;font:16px/20px sans-serif}\n"
    "h1{margin:0;padding:8px;font-size:20px;line-height:24px}\n"
    "#hero{display:block;width:800px;height:450px;max-width:100%;object-fit:contain}\n"
    "#assets{height:16px;padding:0 8px}\n"
    "#slot{height:0}\n"
    "#block{background:#dde;overflow:hidden;padding:0 8px}\n"
    ".hold{position:absolute;left:0;top:0;width:1px;height:1px;opacity:0}\n"
    "button{margin:0 8px;font:16px sans-serif}\n"
    "</style></head>\n"
    "<body>\n"
    "<h1 id=\"title\">hotpath test page</h1>\n";

/* The script runs while the body is parsed, before the first paint: the
 * CLS block's height is set before anything is drawn (no shift of its own). */
static const char page_script[] =
    "<script>\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var q = new URLSearchParams(location.search);\n"
    "  var planted = window.hotpathPlanted = {};\n"
    "  function ms(s) {\n"
    "    var m = /^\\s*([0-9.]+)\\s*(us|ms|s|m)?\\s*$/.exec(s || '');\n"
    "    if (!m) return NaN;\n"
    "    var u = {us: 0.001, ms: 1, s: 1000, m: 60000}[m[2] || 'ms'];\n"
    "    return parseFloat(m[1]) * u;\n"
    "  }\n"
    "  function busy(t) { var end = performance.now() + t; while (performance.now() < end) {} }\n"
    "  var held = 0;\n"
    "  /* an image answered after `delay` ms: the load event waits for it */\n"
    "  function hold(delay, fn) {\n"
    "    var i = new Image();\n"
    "    i.className = 'hold';\n"
    "    i.alt = '';\n"
    "    i.onload = i.onerror = fn;\n"
    "    i.src = '/page/hold-' + (++held) + '.svg?delay=' + Math.max(0, Math.round(delay)) + "
    "'ms';\n"
    "    document.body.appendChild(i);\n"
    "  }\n"
    "  if (q.get('lcp') !== null) planted.lcp_delay_ms = ms(q.get('lcp'));\n"
    "  if (q.get('assets')) planted.assets_ms = q.get('assets').split(',').map(ms);\n"
    "  var inp = q.get('inp');\n"
    "  if (inp !== null) {\n"
    "    planted.inp_ms = ms(inp);\n"
    "    document.getElementById('hp-button').addEventListener('click', function () {\n"
    "      busy(planted.inp_ms);\n"
    "      document.getElementById('hp-pressed').textContent = 'pressed';\n"
    "    });\n"
    "  }\n"
    "  var cls = q.get('cls');\n"
    "  if (cls !== null) {\n"
    "    /* The block spans the width at the end of the page; it moves down by d.\n"
    "     * Its visible part before and after, over the viewport, is the impact\n"
    "     * fraction; d over the viewport's larger side the distance fraction.\n"
    "     * Their product grows with d: bisect for the score asked. */\n"
    "    var want = parseFloat(cls), vw = document.documentElement.clientWidth,\n"
    "        vh = document.documentElement.clientHeight, block = document.getElementById('block');\n"
    "    var top = block.getBoundingClientRect().top, a = Math.max(20, Math.round(vh / 3));\n"
    "    block.style.height = a + 'px';\n"
    "    var vis = function (y0, y1) { return Math.max(0, Math.min(y1, vh) - Math.max(y0, 0)); };\n"
    "    var score = function (d) {\n"
    "      /* the union of the two visible spans: apart when d > a */\n"
    "      var both = vis(top, top + a) + vis(top + d, top + d + a) - vis(top + d, top + a);\n"
    "      return both / vh * (d / Math.max(vw, vh));\n"
    "    };\n"
    "    var lo = 0, hi = Math.max(0, vh - top);\n"
    "    for (var k = 0; k < 60; k++) {\n"
    "      var mid = (lo + hi) / 2;\n"
    "      if (score(mid) < want) lo = mid; else hi = mid;\n"
    "    }\n"
    "    planted.shift_px = hi;\n"
    "    planted.cls = score(hi);\n"
    "    var at = q.get('shift_at') !== null ? ms(q.get('shift_at')) : 100;\n"
    "    planted.shift_at_ms = at;\n"
    "    hold(at, function () {\n"
    "      document.getElementById('slot').style.height = planted.shift_px + 'px';\n"
    "    });\n"
    "  }\n"
    "  var lt = q.get('longtask');\n"
    "  if (lt !== null) {\n"
    "    planted.longtask_ms = ms(lt);\n"
    "    /* after the first contentful paint, where total blocking time counts */\n"
    "    var after_fcp = function () {\n"
    "      if (performance.getEntriesByName('first-contentful-paint').length) {\n"
    "        busy(planted.longtask_ms);\n"
    "        planted.longtask_done = true;\n"
    "      } else {\n"
    "        hold(20, after_fcp);\n"
    "      }\n"
    "    };\n"
    "    hold(20, after_fcp);\n"
    "  }\n"
    "})();\n"
    "</script>\n"
    "</body></html>\n";

/* The hero: an 800x450 bitmap of tiles in two colours (BMP, one bit a
 * pixel, 45 KB). Chromium does not take an image for the largest
 * contentful paint when it has fewer than 0.05 bits per displayed pixel (a
 * placeholder), and paints a small raster image sooner after it arrives
 * than an SVG one. Made once, the same for every request. */
#define HERO_W 800
#define HERO_H 450
#define HERO_ROW (HERO_W / 8) /* 100 bytes: a multiple of 4, as BMP rows must be */
#define HERO_HEAD (14 + 40 + 2 * 4)
#define HERO_BYTES (HERO_HEAD + HERO_ROW * HERO_H)
static unsigned char hero_bmp[HERO_BYTES];
static pthread_once_t hero_once = PTHREAD_ONCE_INIT;

static void le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void make_hero(void)
{
    unsigned char *p = hero_bmp;
    p[0] = 'B';
    p[1] = 'M';
    le32(p + 2, HERO_BYTES);
    le32(p + 10, HERO_HEAD);          /* where the pixels start */
    le32(p + 14, 40);                 /* BITMAPINFOHEADER */
    le32(p + 18, HERO_W);
    le32(p + 22, (uint32_t)-HERO_H);  /* negative: rows top-down */
    p[26] = 1;                        /* planes */
    p[28] = 1;                        /* bits a pixel */
    le32(p + 34, HERO_ROW * HERO_H);
    le32(p + 46, 2);                  /* colours in the palette */
    le32(p + 54, 0x3a6ea5);           /* blue */
    le32(p + 58, 0xf2c14e);           /* yellow */
    unsigned char *px = p + HERO_HEAD;
    for (int y = 0; y < HERO_H; y++)
        for (int c = 0; c < HERO_W; c++)
            if (((y / 50) + (c / 50)) % 2 == 0 || (c - 400) * (c - 400) + (y - 225) * (y - 225) < 150 * 150)
                px[y * HERO_ROW + c / 8] |= (unsigned char)(0x80 >> (c % 8));
}

static const char small_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"16\" height=\"16\" "
    "viewBox=\"0 0 16 16\"><rect width=\"16\" height=\"16\" fill=\"#888\"/></svg>\n";
static const char css_body[] = "/* hotpath */\n";
static const char js_body[] = "/* hotpath */\n";
static const char html_body[] = "<!doctype html><title>hotpath</title><p>hotpath</p>\n";
static const char text_body[] = "hotpath\n";

#define SET(out, b, type)                                                                          \
    do {                                                                                           \
        (out)->body = (b);                                                                         \
        (out)->body_len = sizeof(b) - 1;                                                           \
        (out)->ctype = (type);                                                                     \
    } while (0)

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The value of query parameter `key`, %XX decoded into buf: its length, or
 * -1 when absent, -2 when it does not fit or is badly encoded. */
static int query_param(const char *q, size_t qlen, const char *key, char *buf, size_t size)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < qlen;) {
        size_t end = i;
        while (end < qlen && q[end] != '&')
            end++;
        if (end - i > klen && memcmp(q + i, key, klen) == 0 && q[i + klen] == '=') {
            size_t n = 0;
            for (size_t j = i + klen + 1; j < end; j++) {
                char c = q[j];
                if (c == '%') {
                    int hi = j + 2 < end ? hexval(q[j + 1]) : -1;
                    int lo = j + 2 < end ? hexval(q[j + 2]) : -1;
                    if (hi < 0 || lo < 0)
                        return -2;
                    c = (char)(hi * 16 + lo);
                    j += 2;
                } else if (c == '+') {
                    c = ' ';
                }
                if (n + 1 >= size)
                    return -2;
                buf[n++] = c;
            }
            buf[n] = '\0';
            return (int)n;
        }
        i = end + 1;
    }
    return -1;
}

/* "250ms" (a fixed delay) or a distribution ("exp:5ms"). */
static bool parse_delay(const char *s, size_t len, struct hp_dist *out)
{
    if (memchr(s, ':', len))
        return hp_dist_parse(s, len, out, NULL) == 0;
    int64_t ns;
    if (hp_parse_duration(s, &ns, NULL) < 0 || ns < 0 || ns > HP_DIST_MAX_NS)
        return false;
    *out = (struct hp_dist){.kind = HP_DIST_FIXED, .a_ns = ns};
    return true;
}

/* A planted value as it may go into the markup: a duration or a
 * distribution, nothing an attribute would need escaped. */
static bool safe_value(const char *v, size_t n)
{
    if (n == 0 || n > 48)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == ':' || c == '%'))
            return false;
    }
    return true;
}

struct buf {
    char *p;
    size_t len, cap;
    bool bad;
};

static void add(struct buf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 8192;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = hp_realloc(b->p, cap);
        if (!p) {
            b->bad = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void adds(struct buf *b, const char *s)
{
    add(b, s, strlen(s));
}

/* The page for this query: -1 when a planted value is not valid, -ENOMEM,
 * or 0 with out->owned set. */
static int make_page(const char *query, size_t qlen, struct hp_serve_page *out)
{
    char v[HP_SERVE_PAGE_MAX_QUERY];
    struct buf b = {0};
    int n;
    adds(&b, page_head);
    if ((n = query_param(query, qlen, "lcp", v, sizeof v)) >= 0) {
        struct hp_dist d;
        if (n == -2 || !safe_value(v, (size_t)n) || !parse_delay(v, (size_t)n, &d))
            goto bad;
        adds(&b, "<img id=\"hero\" src=\"/page/hero.bmp?delay=");
        adds(&b, v);
        adds(&b, "\" width=\"800\" height=\"450\" alt=\"hero\">\n");
    } else if (n == -2) {
        goto bad;
    }
    if ((n = query_param(query, qlen, "assets", v, sizeof v)) >= 0) {
        adds(&b, "<div id=\"assets\">");
        char *save = NULL;
        int k = 0;
        for (char *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            struct hp_dist d;
            char item[160];
            if (++k > HP_SERVE_PAGE_MAX_ASSETS || !safe_value(t, strlen(t)) ||
                !parse_delay(t, strlen(t), &d))
                goto bad;
            snprintf(item, sizeof item,
                     "<img id=\"asset-%d\" src=\"/page/asset-%d.svg?delay=%s\" width=\"16\" "
                     "height=\"16\" alt=\"\">",
                     k, k, t);
            adds(&b, item);
        }
        if (k == 0)
            goto bad;
        adds(&b, "</div>\n");
    } else if (n == -2) {
        goto bad;
    }
    if ((n = query_param(query, qlen, "inp", v, sizeof v)) >= 0) {
        int64_t ns;
        if (hp_parse_duration(v, &ns, NULL) < 0)
            goto bad;
        adds(&b, "<p><button id=\"hp-button\" type=\"button\">press</button> "
                 "<span id=\"hp-pressed\">not pressed</span></p>\n");
    } else if (n == -2) {
        goto bad;
    }
    if ((n = query_param(query, qlen, "cls", v, sizeof v)) >= 0) {
        char *end;
        double score = strtod(v, &end);
        if (n == 0 || *end || !(score > 0 && score < 1))
            goto bad;
        adds(&b, "<div id=\"slot\"></div><div id=\"block\">This block moves down once: the "
                 "planted layout shift.</div>\n");
    } else if (n == -2) {
        goto bad;
    }
    static const char *const durations[] = {"longtask", "shift_at"};
    for (size_t i = 0; i < sizeof durations / sizeof *durations; i++) {
        int64_t ns;
        n = query_param(query, qlen, durations[i], v, sizeof v);
        if (n == -2 || (n >= 0 && hp_parse_duration(v, &ns, NULL) < 0))
            goto bad;
    }
    adds(&b, page_script);
    if (b.bad)
        return -ENOMEM;
    out->owned = b.p;
    out->body = b.p;
    out->body_len = b.len;
    out->ctype = "text/html; charset=utf-8";
    return 0;
bad:
    hp_free(b.p);
    return -1;
}

int hp_serve_page_route(const char *path, size_t len, const char *query, size_t qlen,
                        struct hp_serve_page *out, bool *asset)
{
    char v[HP_SERVE_PAGE_MAX_QUERY];
    const char *key;
    *out = (struct hp_serve_page){0};
    if (len == 5 || (len == 6 && path[5] == '/')) { /* "/page" or "/page/" */
        int rc = make_page(query, qlen, out);
        if (rc < 0)
            return rc == -ENOMEM ? rc : -1;
        key = "ttfb";
        *asset = false;
    } else if (len > 6 && path[5] == '/') {
        const char *name = path + 6;
        size_t n = len - 6;
        if (n == 8 && memcmp(name, "hero.bmp", 8) == 0) {
            pthread_once(&hero_once, make_hero);
            out->body = (const char *)hero_bmp;
            out->body_len = HERO_BYTES;
            out->ctype = "image/bmp";
        } else if (ends_with(name, n, ".svg"))
            SET(out, small_svg, "image/svg+xml");
        else if (ends_with(name, n, ".css"))
            SET(out, css_body, "text/css");
        else if (ends_with(name, n, ".js"))
            SET(out, js_body, "text/javascript");
        else if (ends_with(name, n, ".html"))
            SET(out, html_body, "text/html; charset=utf-8");
        else
            SET(out, text_body, "text/plain");
        key = "delay";
        *asset = true;
    } else {
        return 0;
    }
    int vl = query_param(query, qlen, key, v, sizeof v);
    if (vl == -2 || (vl >= 0 && !parse_delay(v, (size_t)vl, &out->delay))) {
        hp_free(out->owned);
        out->owned = NULL;
        return -1;
    }
    out->has_delay = vl >= 0;
    return 1;
}
