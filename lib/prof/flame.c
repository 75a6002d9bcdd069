// SPDX-License-Identifier: MIT
/* prof/flame.c - see flame.h. The layout is Brendan Gregg's: frames sorted
 * by name at each level (so the x axis is not time), one row per depth. */
#include "prof/flame.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <xxhash.h>

#define FRAME_H 16
#define PAD_X 10.0
#define PAD_TOP 54
#define PAD_BOTTOM 34
#define CHAR_W 6.7 /* monospace at 11px */

/* The page's script: hover, zoom, search. Frames are <g class="f"> with a
 * <title> ("name (details)"), a <rect> and a <text>. */
static const char flame_js[] =
    "(function(){\"use strict\";\n"
    "var svg=document.documentElement,W=+svg.getAttribute(\"width\"),PAD=10,FW=W-2*PAD,"
    "CW=6.7,EPS=0.02,ICICLE=svg.getAttribute(\"data-icicle\")===\"1\";\n"
    "var frames=[].slice.call(document.querySelectorAll(\"g.f\"));\n"
    "var details=document.getElementById(\"details\"),matched=document.getElementById(\"matched\"),"
    "unzoom=document.getElementById(\"unzoom\"),searchBtn=document.getElementById(\"search\");\n"
    "frames.forEach(function(g){var r=g.querySelector(\"rect\"),t=g.querySelector(\"title\")"
    ".textContent;g._r=r;g._t=g.querySelector(\"text\");g._x=+r.getAttribute(\"x\");"
    "g._w=+r.getAttribute(\"width\");g._y=+r.getAttribute(\"y\");g._fill=r.getAttribute(\"fill\");"
    "g._name=t.slice(0,t.lastIndexOf(\" (\"));});\n"
    "function label(g,w){var c=Math.floor((w-4)/CW),n=g._name;"
    "g._t.textContent=c>=n.length?n:c>=3?n.slice(0,c-2)+\"..\":\"\";}\n"
    "function place(g,x,w){g._r.setAttribute(\"x\",x.toFixed(2));"
    "g._r.setAttribute(\"width\",w.toFixed(2));g._t.setAttribute(\"x\",(x+3).toFixed(2));label(g,w)"
    ";}\n"
    "function zoom(z){var x0=z._x,w0=z._w,k=FW/w0;frames.forEach(function(g){\n"
    "var inside=g._x>=x0-EPS&&g._x+g._w<=x0+w0+EPS,below=ICICLE?g._y>=z._y:g._y<=z._y;\n"
    "if(inside&&below){place(g,PAD+(g._x-x0)*k,g._w*k);g.style.display=\"\";"
    "g.classList.remove(\"parent\");}\n"
    "else if(!below&&g._x<=x0+EPS&&g._x+g._w>=x0+w0-EPS){place(g,PAD,FW);g.style.display=\"\";"
    "g.classList.add(\"parent\");}\n"
    "else g.style.display=\"none\";});unzoom.style.display=\"\";}\n"
    "function "
    "reset(){frames.forEach(function(g){g.style.display=\"\";g.classList.remove(\"parent\");"
    "place(g,g._x,g._w);});unzoom.style.display=\"none\";}\n"
    "function search(term){var re;try{re=new RegExp(term);}catch(e){matched.textContent="
    "\"Not a regular expression: \"+term;return;}\n"
    "var ms=[];frames.forEach(function(g){if(term&&re.test(g._name)){g._r.setAttribute(\"fill\","
    "\"rgb(230,0,230)\");ms.push(g);}else g._r.setAttribute(\"fill\",g._fill);});\n"
    "ms.sort(function(a,b){return a._x-b._x||b._w-a._w;});var sum=0,end=-1;"
    "ms.forEach(function(g){if(g._x>=end-EPS){sum+=g._w;end=g._x+g._w;}});\n"
    "matched.textContent=term?\"Matched: \"+(100*sum/FW).toFixed(1)+\"% (\"+ms.length+\" "
    "frames)\":\"\";"
    "svg.setAttribute(\"data-matched\",term?(100*sum/FW).toFixed(1):\"\");"
    "searchBtn.textContent=term?\"Clear search\":\"Search\";searchBtn._on=!!term;}\n"
    "svg.addEventListener(\"click\",function(e){var g=e.target.closest(\"g.f\");if(g)zoom(g);});\n"
    "svg.addEventListener(\"mouseover\",function(e){var g=e.target.closest(\"g.f\");"
    "details.textContent=g?g.querySelector(\"title\").textContent:\" \";});\n"
    "unzoom.addEventListener(\"click\",function(e){e.stopPropagation();reset();});\n"
    "searchBtn.addEventListener(\"click\",function(e){e.stopPropagation();if(searchBtn._on)"
    "search(\"\");else{var t=prompt(\"Search for (a regular "
    "expression)\",\"\");if(t)search(t);}});\n"
    "window.addEventListener(\"keydown\",function(e){if((e.ctrlKey||e.metaKey)&&e.key===\"f\"){"
    "e.preventDefault();var t=prompt(\"Search for (a regular expression)\",\"\");if(t)search(t);}"
    "else if(e.key===\"Escape\"){reset();search(\"\");}});\n"
    "var h=location.hash.match(/^#search=(.*)$/);if(h)search(decodeURIComponent(h[1]));\n"
    "svg.setAttribute(\"data-ready\",String(frames.length));})();\n";

struct ctx {
    const struct hp_stacks *s;
    const struct hp_flame_opts *o;
    FILE *f;
    int which;
    double scale; /* pixels per count */
    double before_total, after_total, max_delta;
    int height, max_depth;
    uint64_t drawn;
};

static void xml(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
        }
    }
}

/* 1234567 as "1,234,567" */
static const char *grouped(uint64_t v, char *buf, size_t size)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v), k = 0;
    for (int i = 0; i < n && (size_t)k + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = tmp[i];
    }
    buf[k] = '\0';
    return buf;
}

/* A frame's share of the "before" samples, and the change to its share of
 * the "after" ones (a diff's colour). */
static double before_share(const struct ctx *c, const struct hp_snode *x)
{
    return c->before_total > 0 ? (double)x->total[0] / c->before_total : 0;
}

static double change(const struct ctx *c, const struct hp_snode *x)
{
    return (double)x->total[1] / c->after_total - before_share(c, x);
}

/* How deep the frames wide enough to draw go; and, for a diff, the largest
 * change of share. */
static void measure(struct ctx *c, uint32_t v)
{
    const struct hp_snode *x = &c->s->nodes[v];
    if ((double)x->total[c->which] * c->scale < c->o->min_width)
        return;
    if ((int)x->depth > c->max_depth)
        c->max_depth = (int)x->depth;
    if (c->o->diff && fabs(change(c, x)) > c->max_delta)
        c->max_delta = fabs(change(c, x));
    for (uint32_t k = x->child; k != UINT32_MAX; k = c->s->nodes[k].sibling)
        measure(c, k);
}

static void fill(const struct ctx *c, const struct hp_snode *x, const char *name, char *buf,
                 size_t size)
{
    if (c->o->diff) {
        double d = change(c, x);
        double i = c->max_delta > 0 ? fabs(d) / c->max_delta : 0;
        int v = (int)lround(225 * (1 - i));
        if (d > 0)
            snprintf(buf, size, "rgb(255,%d,%d)", v, v);
        else if (d < 0)
            snprintf(buf, size, "rgb(%d,%d,255)", v, v);
        else
            snprintf(buf, size, "rgb(225,225,225)");
        return;
    }
    /* warm colours, fixed per name */
    uint64_t h = XXH3_64bits(name, strlen(name));
    double a = (double)(h & 0xff) / 255, b = (double)((h >> 8) & 0xff) / 255;
    snprintf(buf, size, "rgb(%d,%d,%d)", 205 + (int)(50 * a), (int)(230 * b), (int)(55 * a));
}

static void frame(struct ctx *c, uint32_t v, double x0)
{
    const struct hp_snode *x = &c->s->nodes[v];
    uint64_t n = x->total[c->which];
    double w = (double)n * c->scale;
    if (w < c->o->min_width)
        return;
    const char *name = hp_stacks_name(c->s, x->name);
    int y = c->o->icicle ? PAD_TOP + (int)x->depth * FRAME_H
                         : c->height - PAD_BOTTOM - ((int)x->depth + 1) * FRAME_H;
    double total = (double)c->s->nodes[HP_STACKS_ROOT].total[c->which];
    char num[32], col[32];
    fill(c, x, name, col, sizeof col);
    fputs("<g class=\"f\"><title>", c->f);
    xml(c->f, name);
    fprintf(c->f, " (%s %s, %.2f%%", grouped(n, num, sizeof num), c->o->unit,
            total > 0 ? 100.0 * (double)n / total : 0);
    if (c->o->diff) {
        fprintf(c->f, "; was %.2f%%: %+.2f points", 100 * before_share(c, x), 100 * change(c, x));
    }
    fprintf(c->f,
            ")</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" "
            "rx=\"2\"/><text x=\"%.2f\" y=\"%d\">",
            PAD_X + x0, y, w, FRAME_H - 1, col, PAD_X + x0 + 3, y + FRAME_H - 4);
    int fit = (int)((w - 4) / CHAR_W), len = (int)strlen(name);
    if (fit >= len) {
        xml(c->f, name);
    } else if (fit >= 3) {
        char cut[512];
        snprintf(cut, sizeof cut, "%.*s..", fit - 2 < 500 ? fit - 2 : 500, name);
        xml(c->f, cut);
    }
    fputs("</text></g>\n", c->f);
    c->drawn++;
    double at = x0;
    for (uint32_t k = x->child; k != UINT32_MAX; k = c->s->nodes[k].sibling) {
        frame(c, k, at);
        at += (double)c->s->nodes[k].total[c->which] * c->scale;
    }
}

int hp_flame_svg(const struct hp_stacks *s, const struct hp_flame_opts *o, FILE *f,
                 uint64_t *frames)
{
    struct hp_flame_opts opt = *o;
    if (!opt.title)
        opt.title = opt.diff ? "Differential flame graph" : "Flame graph";
    if (!opt.unit)
        opt.unit = "samples";
    if (opt.width < 200)
        opt.width = 1200;
    if (!(opt.min_width > 0))
        opt.min_width = 0.1;
    struct ctx c = {.s = s, .o = &opt, .f = f, .which = opt.diff ? 1 : 0};
    uint64_t total = s->nodes[HP_STACKS_ROOT].total[c.which];
    c.scale = total ? ((double)opt.width - 2 * PAD_X) / (double)total : 0;
    c.before_total = (double)s->nodes[HP_STACKS_ROOT].total[0];
    c.after_total = (double)s->nodes[HP_STACKS_ROOT].total[1];
    if (total)
        measure(&c, HP_STACKS_ROOT);
    c.height = PAD_TOP + (c.max_depth + 1) * FRAME_H + PAD_BOTTOM;
    fprintf(f,
            "<?xml version=\"1.0\" standalone=\"no\"?>\n"
            "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" data-icicle=\"%d\" data-total=\"%llu\">\n"
            "<style>\n"
            "text{font-family:monospace;font-size:11px;fill:#000}\n"
            ".f{cursor:pointer}.f:hover rect{stroke:#000;stroke-width:0.6}\n"
            ".parent{opacity:0.55}\n"
            "#title{font-size:16px;text-anchor:middle;font-family:sans-serif}\n"
            "#subtitle{text-anchor:middle;fill:#555;font-family:sans-serif}\n"
            ".btn{cursor:pointer;fill:#0050a0;font-family:sans-serif;font-size:12px}\n"
            "#details,#matched{font-family:sans-serif;font-size:12px}\n"
            "</style>\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"#fdfdf8\"/>\n"
            "<text id=\"title\" x=\"%d\" y=\"22\">",
            opt.width, c.height, opt.width, c.height, opt.icicle ? 1 : 0, (unsigned long long)total,
            opt.width / 2);
    xml(f, opt.title);
    fprintf(f, "</text>\n<text id=\"subtitle\" x=\"%d\" y=\"40\">", opt.width / 2);
    if (opt.subtitle)
        xml(f, opt.subtitle);
    fprintf(
        f,
        "</text>\n<text id=\"unzoom\" class=\"btn\" x=\"10\" y=\"22\" "
        "style=\"display:none\">Reset zoom</text>\n"
        "<text id=\"search\" class=\"btn\" x=\"%d\" y=\"22\" text-anchor=\"end\">Search</text>\n"
        "<text id=\"details\" x=\"10\" y=\"%d\"> </text>\n"
        "<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"></text>\n<g id=\"frames\">\n",
        opt.width - 10, c.height - 12, opt.width - 10, c.height - 12);
    if (total)
        frame(&c, HP_STACKS_ROOT, 0);
    fprintf(f, "</g>\n<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n</svg>\n",
            flame_js);
    if (frames)
        *frames = c.drawn;
    return ferror(f) ? -EIO : 0;
}
