/* SPDX-License-Identifier: MIT */
/* serve/page.h - the page routes of `hotpath serve`: an HTML page whose
 * browser-side figures are known in advance, the ground truth of
 * `hotpath page`.
 *
 *   /page?lcp=D&cls=S&shift_at=D&longtask=D&inp=D&assets=D1,D2,...&ttfb=D
 *
 * ttfb delays the HTML itself (server side). The rest is read by the page's
 * own script:
 *   lcp=D       an 800x450 image (/page/hero.bmp) answered after D: the
 *               largest contentful paint, at TTFB + D and a frame;
 *   cls=S       a block at the end of the page pushed down, shift_at (100ms)
 *               after the page's script ran, by as much as makes one layout
 *               shift of score S in the viewport the page has (the script
 *               solves for it);
 *   longtask=D  one task of D on the main thread after the first
 *               contentful paint: a total blocking time of D - 50ms;
 *   inp=D       a button (#hp-button) whose click handler runs for D;
 *   assets=...  one 16x16 image per delay, /page/asset-K.svg, in order.
 * The page holds its load event until every planted event has happened
 * (hidden images from /page/hold.svg answered when due), so a browser that
 * measures at the load event sees them all.
 *
 * The images are in the page's markup, so the browser asks for them as soon
 * as the HTML arrives. Any /page/NAME.EXT answers a small static body typed
 * by its extension (.svg, .css, .js, .html, else text) after ?delay=D.
 * Durations take units (250ms, 1s) or a distribution as /delay/ does
 * (exp:5ms). The page's HTML is made per request; assets are static and
 * may be cached an hour (a repeat view finds them). */
#ifndef HP_SERVE_PAGE_H
#define HP_SERVE_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stat/dist.h"

#define HP_SERVE_PAGE_MAX_QUERY 2048 /* a parameter's value, decoded */
#define HP_SERVE_PAGE_MAX_ASSETS 100

struct hp_serve_page {
    char *owned;       /* the page's HTML, made for its query (hp_free); NULL for assets */
    const char *body;  /* owned, or a static body */
    size_t body_len;
    const char *ctype; /* Content-Type value */
    bool has_delay;
    struct hp_dist delay; /* ?delay= (assets) or ?ttfb= (the page) */
};

/* path[0..len) begins "/page" (the caller checked); query[0..qlen) is what
 * follows '?', or empty. 1 with *out filled and *asset set for anything but
 * the page itself; 0 when the path is not a page route ("/pages"); -1 when
 * a planted value is not valid (a 400); -ENOMEM. */
int hp_serve_page_route(const char *path, size_t len, const char *query, size_t qlen,
                         struct hp_serve_page *out, bool *asset);

#endif
