// SPDX-License-Identifier: MIT
/* report/render.c - see render.h. */
#include "report/render.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/alloc.h"
#include "core/file.h"
#include "report/svg.h"

static const char page_css[] =
    ":root{color-scheme:light dark;--bg:#fff;--fg:#1d1d1f;--muted:#666;--line:#ddd;"
    "--head:#f4f5f7;--pass:#1a7f37;--fail:#c0392b;--note:#8a6d00;--passbg:#e9f7ee;"
    "--failbg:#fdecea}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#161616;--fg:#e6e6e6;--muted:#a0a0a0;"
    "--line:#3a3a3a;--head:#222;--pass:#4cc26b;--fail:#ff6b5b;--note:#e0b83a;--passbg:#16301f;"
    "--failbg:#3a1d1a}}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\n"
    "main{max-width:980px;margin:0 auto;padding:24px 20px 48px}\n"
    "h1{font-size:1.7em;margin:.2em 0}h2{font-size:1.3em;margin:1.8em 0 .5em;"
    "border-bottom:1px solid var(--line);padding-bottom:.2em}h3{font-size:1.08em;margin:1.3em 0 .4em}\n"
    ".sub{color:var(--muted);margin:0 0 1em}\n"
    "nav{font-size:.92em;margin:1em 0;color:var(--muted)}nav a{color:inherit;margin-right:1em}\n"
    "p.pass,p.fail{font-weight:600;padding:.5em .8em;border-radius:6px}\n"
    "p.pass{color:var(--pass);background:var(--passbg)}p.fail{color:var(--fail);background:var(--failbg)}\n"
    "p.note{color:var(--note)}\n"
    "pre{background:var(--head);padding:.6em .8em;border-radius:6px;overflow-x:auto;"
    "font-size:.9em;white-space:pre-wrap}\n"
    "h4{font-size:1em;margin:1.1em 0 .3em}\n"
    "dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1.2em;margin:.6em 0}\n"
    "dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}\n"
    ".tbl{overflow-x:auto}table{border-collapse:collapse;margin:.6em 0;font-size:.93em}\n"
    "th,td{border:1px solid var(--line);padding:.25em .6em;text-align:left;vertical-align:top}\n"
    "th{background:var(--head)}td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr.pass td:first-child{border-left:4px solid var(--pass)}"
    "tr.fail td:first-child{border-left:4px solid var(--fail)}\n"
    "tr.fail{color:var(--fail)}\n"
    "figure.hp-fig{margin:1em 0}.hp-wrap{position:relative;display:inline-block;max-width:100%}\n"
    ".hp-tip{position:absolute;pointer-events:none;background:var(--bg);color:var(--fg);"
    "border:1px solid var(--line);border-radius:4px;padding:4px 7px;font-size:12px;"
    "white-space:nowrap;box-shadow:0 2px 6px rgba(0,0,0,.15)}\n"
    "footer{margin-top:3em;color:var(--muted);font-size:.85em}\n"
    "@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;--head:#eee}"
    ".hp-chart{--fg:#000;--grid:#ddd;--axis:#777;--rule:#c0392b}"
    "nav,.hp-tip{display:none}figure,table,dl{break-inside:avoid}"
    "h2,h3,h4{break-after:avoid}main{max-width:none;padding:0}}\n";

/* The hover script: nearest point of every series under the pointer, the
 * values formatted as the axes are. Sets data-hp-ready on <html> to the
 * number of charts it wired, which the browser test reads. */
static const char page_js[] =
    "(function(){\"use strict\";\n"
    "function p3(x,u){return Number(x.toPrecision(3))+u;}\n"
    "function fmt(v,u){var a=Math.abs(v);\n"
    "if(u===\"ns\"||u===\"s\"){var ns=u===\"s\"?v*1e9:v;a=Math.abs(ns);if(a===0)return\"0s\";"
    "if(a<1e3)return p3(ns,\"ns\");if(a<1e6)return p3(ns/1e3,\"us\");if(a<1e9)return p3(ns/1e6,\"ms\");"
    "if(a<6e11)return p3(ns/1e9,\"s\");if(a<3.6e13)return p3(ns/6e10,\"min\");return p3(ns/3.6e12,\"h\");}\n"
    "if(u===\"ratio\")return p3(v*100,\"%\");if(u===\"pct\")return p3(v,\"%\");"
    "if(u===\"month\")return\"month \"+v;\n"
    "if(u===\"bytes\"){var p=[\"B\",\"KiB\",\"MiB\",\"GiB\",\"TiB\"],k=0;while(a>=1024&&k<4){a/=1024;v/=1024;k++;}"
    "return p3(v,p[k]);}\n"
    "var s=u===\"1/s\"?\"/s\":\"\";if(a>=1e9)return p3(v/1e9,\"G\"+s);if(a>=1e6)return p3(v/1e6,\"M\"+s);"
    "if(a>=1e3)return p3(v/1e3,\"k\"+s);return p3(v,s);}\n"
    "function xt(d,x){if(!d.nines)return x;var q=1-x/100;var t=q<=0?7:-Math.log10(q);"
    "return Math.max(0,Math.min(7,t));}\n"
    "function nearest(d,xs,t){var lo=0,hi=xs.length-1;while(hi-lo>1){var m=(lo+hi)>>1;"
    "if(xt(d,xs[m])<t)lo=m;else hi=m;}"
    "return Math.abs(xt(d,xs[lo])-t)<=Math.abs(xt(d,xs[hi])-t)?lo:hi;}\n"
    "function wire(fig){var svg=fig.querySelector(\"svg\"),tip=fig.querySelector(\".hp-tip\"),"
    "guide=svg.querySelector(\".guide\"),d=JSON.parse(fig.querySelector(\"script.hp-data\").textContent);\n"
    "function hide(){tip.hidden=true;guide.style.visibility=\"hidden\";}\n"
    "svg.addEventListener(\"mouseleave\",hide);\n"
    "svg.addEventListener(\"mousemove\",function(e){var r=svg.getBoundingClientRect(),"
    "sx=(e.clientX-r.left)*d.w/r.width;if(sx<d.l||sx>d.r){hide();return;}\n"
    "var t=d.t0+(sx-d.l)/(d.r-d.l)*(d.t1-d.t0),gx=null;while(tip.firstChild)tip.removeChild(tip.firstChild);\n"
    "d.s.forEach(function(s){if(!s.x.length)return;var k=nearest(d,s.x,t);if(gx===null){gx=s.x[k];"
    "var h=document.createElement(\"b\");h.textContent=d.cats?d.cats[gx]:d.nines?p3(gx,\"%\"):fmt(gx,d.xu);"
    "tip.appendChild(h);}\n"
    "var l=document.createElement(\"div\");l.textContent=s.n+\": \"+fmt(s.y[k],d.yu);tip.appendChild(l);});\n"
    "if(gx===null){hide();return;}\n"
    "var gp=d.l+(xt(d,gx)-d.t0)/(d.t1-d.t0)*(d.r-d.l);guide.setAttribute(\"x1\",gp);"
    "guide.setAttribute(\"x2\",gp);guide.style.visibility=\"visible\";tip.hidden=false;\n"
    "var ox=e.clientX-r.left+14;if(ox+tip.offsetWidth>r.width)ox=e.clientX-r.left-14-tip.offsetWidth;"
    "tip.style.left=ox+\"px\";tip.style.top=Math.max(0,e.clientY-r.top-10)+\"px\";});}\n"
    "var figs=document.querySelectorAll(\"figure.hp-fig\");"
    "for(var i=0;i<figs.length;i++)wire(figs[i]);\n"
    "document.documentElement.setAttribute(\"data-hp-ready\",String(figs.length));\n"
    "document.documentElement.setAttribute(\"data-hp-ms\",String(Math.round(performance.now())));\n"
    /* #hp-selftest: hover the middle of every chart and count the tooltips
     * that show values (the browser test reads data-hp-hover). */
    "if(location.hash===\"#hp-selftest\"){var ok=0;for(var j=0;j<figs.length;j++){"
    "var sv=figs[j].querySelector(\"svg\"),b=sv.getBoundingClientRect(),tp=figs[j].querySelector(\".hp-tip\");"
    "sv.dispatchEvent(new MouseEvent(\"mousemove\",{clientX:b.left+b.width*0.55,"
    "clientY:b.top+b.height*0.5,bubbles:true}));"
    "if(!tp.hidden&&tp.querySelectorAll(\"div\").length>0)ok++;}"
    "document.documentElement.setAttribute(\"data-hp-hover\",String(ok));}})();\n";

static void html_table(FILE *f, const struct hp_rtable *t)
{
    fputs("<div class=\"tbl\"><table>\n<thead><tr>", f);
    for (int c = 0; c < t->cols; c++) {
        fputs(t->right[c] ? "<th class=\"r\">" : "<th>", f);
        hp_xml_escape(f, hp_rtable_cell(t, -1, c));
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (int r = 0; r < t->rows; r++) {
        enum hp_mark m = t->row_mark[r];
        fputs(m == HP_MARK_PASS ? "<tr class=\"pass\">" : m == HP_MARK_FAIL ? "<tr class=\"fail\">" : "<tr>", f);
        for (int c = 0; c < t->cols; c++) {
            fputs(t->right[c] ? "<td class=\"r\">" : "<td>", f);
            hp_xml_escape(f, hp_rtable_cell(t, r, c));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

/* A whole SVG document in an inline frame of its own, from a data: URL, so
 * that its script (a flame graph's zoom and search) runs apart from the
 * page's; as tall as the SVG says. */
static void svg_frame(FILE *f, const struct hp_block *b)
{
    int height = 600;
    const char *h = strstr(b->text, " height=\"");
    if (h && h - b->text < 2000)
        height = atoi(h + 9) > 0 ? atoi(h + 9) + 4 : height;
    size_t len = strlen(b->text);
    unsigned char *enc = hp_malloc(4 * ((len + 2) / 3) + 1);
    fputs("<figure class=\"hp-svg\">", f);
    if (enc) {
        EVP_EncodeBlock(enc, (const unsigned char *)b->text, (int)len);
        fprintf(f, "<iframe title=\"%s\" style=\"width:100%%;height:%dpx;border:0\" "
                   "src=\"data:image/svg+xml;base64,",
                b->id, height);
        fputs((const char *)enc, f);
        fputs("\"></iframe>", f);
        hp_free(enc);
    }
    fputs("<figcaption>", f);
    hp_xml_escape(f, b->caption);
    fputs("</figcaption></figure>\n", f);
}

static const char *mark_class(enum hp_mark m)
{
    return m == HP_MARK_PASS ? " class=\"pass\"" : m == HP_MARK_FAIL ? " class=\"fail\""
           : m == HP_MARK_NOTE ? " class=\"note\"" : "";
}

int hp_report_html_text(const struct hp_rdoc *d, const char *generator, char **out, size_t *len)
{
    FILE *f = open_memstream(out, len);
    if (!f)
        return -ENOMEM;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
          "<meta name=\"color-scheme\" content=\"light dark\">\n<title>", f);
    hp_xml_escape(f, d->title);
    fputs("</title>\n<style>\n", f);
    fputs(page_css, f);
    fputs(hp_svg_css, f);
    fputs("</style>\n</head>\n<body>\n<main>\n<header><h1>", f);
    hp_xml_escape(f, d->title);
    fputs("</h1>\n", f);
    if (d->subtitle) {
        fputs("<p class=\"sub\">", f);
        hp_xml_escape(f, d->subtitle);
        fputs("</p>\n", f);
    }
    int sections = 0;
    for (size_t i = 0; i < d->n; i++)
        sections += d->blocks[i].kind == HP_B_HEADING && d->blocks[i].level == 2;
    if (sections > 2) {
        fputs("<nav>", f);
        int k = 0;
        for (size_t i = 0; i < d->n; i++)
            if (d->blocks[i].kind == HP_B_HEADING && d->blocks[i].level == 2) {
                fprintf(f, "<a href=\"#s%d\">", ++k);
                hp_xml_escape(f, d->blocks[i].text);
                fputs("</a>", f);
            }
        fputs("</nav>\n", f);
    }
    fputs("</header>\n", f);
    int h2 = 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct hp_block *b = &d->blocks[i];
        switch (b->kind) {
        case HP_B_HEADING:
            if (b->level == 2)
                fprintf(f, "<h2 id=\"s%d\">", ++h2);
            else
                fprintf(f, "<h%d>", b->level);
            hp_xml_escape(f, b->text);
            fprintf(f, "</h%d>\n", b->level);
            break;
        case HP_B_PARA:
            if (b->mark == HP_MARK_CODE) {
                fputs("<pre><code>", f);
                hp_xml_escape(f, b->text);
                fputs("</code></pre>\n", f);
                break;
            }
            fprintf(f, "<p%s>", mark_class(b->mark));
            hp_xml_escape(f, b->text);
            fputs("</p>\n", f);
            break;
        case HP_B_KV:
            fputs("<dl class=\"kv\">\n", f);
            for (int r = 0; r < b->table->rows; r++) {
                fputs("<dt>", f);
                hp_xml_escape(f, hp_rtable_cell(b->table, r, 0));
                fputs("</dt><dd>", f);
                hp_xml_escape(f, hp_rtable_cell(b->table, r, 1));
                fputs("</dd>\n", f);
            }
            fputs("</dl>\n", f);
            break;
        case HP_B_TABLE:
            html_table(f, b->table);
            break;
        case HP_B_CHART:
            fputs("<figure class=\"hp-fig\"><div class=\"hp-wrap\">\n", f);
            hp_svg_chart(f, b->chart, false);
            fputs("<div class=\"hp-tip\" hidden></div></div>\n"
                  "<script type=\"application/json\" class=\"hp-data\">", f);
            hp_svg_chart_data(f, b->chart);
            fputs("</script></figure>\n", f);
            break;
        case HP_B_SVG:
            svg_frame(f, b);
            break;
        }
    }
    fputs("<footer>", f);
    hp_xml_escape(f, generator);
    fputs("</footer>\n</main>\n<script>\n", f);
    fputs(page_js, f);
    fputs("</script>\n</body>\n</html>\n", f);
    if (ferror(f)) {
        fclose(f);
        free(*out);
        *out = NULL;
        return -ENOMEM;
    }
    if (fclose(f) != 0) {
        free(*out);
        *out = NULL;
        return -ENOMEM;
    }
    return 0;
}

int hp_report_write_html(const struct hp_rdoc *d, const char *generator, const char *path,
                         struct hp_err *err)
{
    char *text = NULL;
    size_t len = 0;
    if (hp_report_html_text(d, generator, &text, &len) < 0)
        return hp_err_set(err, -ENOMEM, "out of memory");
    int rc = hp_file_write_atomic(path, text, len, err);
    free(text);
    return rc;
}

/* Markdown text: '|' and line breaks would break a table cell; characters
 * that start emphasis or links are escaped. */
static void md_escape(FILE *f, const char *s, bool cell)
{
    for (; *s; s++) {
        if (*s == '\n') {
            fputs(cell ? "<br>" : "\n", f);
        } else if (strchr("|*_`[]<>\\", *s)) {
            fputc('\\', f);
            fputc(*s, f);
        } else {
            fputc(*s, f);
        }
    }
}

/* "dir/stem.md" -> dir ("." when none) and stem. */
static void split_md_path(const char *path, char *dir, size_t dsize, char *stem, size_t ssize)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, dsize, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, dsize, ".");
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".md") == 0)
        n -= 3;
    snprintf(stem, ssize, "%.*s", (int)n, base);
}

static int write_stream(FILE *f, char **text)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(*text);
        *text = NULL;
        return -ENOMEM;
    }
    return 0;
}

int hp_report_write_markdown(const struct hp_rdoc *d, const char *generator, const char *path,
                             struct hp_err *err)
{
    char dir[1024], stem[256];
    split_md_path(path, dir, sizeof(dir), stem, sizeof(stem));
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return hp_err_set(err, -ENOMEM, "out of memory");
    fputs("# ", f);
    md_escape(f, d->title, false);
    fputs("\n\n", f);
    if (d->subtitle) {
        md_escape(f, d->subtitle, false);
        fputs("\n\n", f);
    }
    int rc = 0;
    for (size_t i = 0; i < d->n && rc == 0; i++) {
        const struct hp_block *b = &d->blocks[i];
        switch (b->kind) {
        case HP_B_HEADING:
            fprintf(f, "%.*s ", b->level, "####");
            md_escape(f, b->text, false);
            fputs("\n\n", f);
            break;
        case HP_B_PARA:
            if (b->mark == HP_MARK_CODE) {
                fprintf(f, "```\n%s\n```\n\n", b->text);
                break;
            }
            fputs(b->mark == HP_MARK_NOTE ? "> " : b->mark != HP_MARK_NONE ? "**" : "", f);
            md_escape(f, b->text, false);
            fputs(b->mark == HP_MARK_PASS || b->mark == HP_MARK_FAIL ? "**\n\n" : "\n\n", f);
            break;
        case HP_B_KV:
            for (int r = 0; r < b->table->rows; r++) {
                fputs("- **", f);
                md_escape(f, hp_rtable_cell(b->table, r, 0), true);
                fputs("**: ", f);
                md_escape(f, hp_rtable_cell(b->table, r, 1), true);
                fputs("\n", f);
            }
            fputs("\n", f);
            break;
        case HP_B_TABLE: {
            const struct hp_rtable *t = b->table;
            for (int r = -1; r < t->rows; r++) {
                fputs("|", f);
                for (int c = 0; c < t->cols; c++) {
                    fputs(" ", f);
                    md_escape(f, hp_rtable_cell(t, r, c), true);
                    fputs(" |", f);
                }
                fputs("\n", f);
                if (r == -1) {
                    fputs("|", f);
                    for (int c = 0; c < t->cols; c++)
                        fputs(t->right[c] ? " ---: |" : " --- |", f);
                    fputs("\n", f);
                }
            }
            fputs("\n", f);
            break;
        }
        case HP_B_CHART: {
            char svg_path[1400];
            snprintf(svg_path, sizeof(svg_path), "%s/%s-%s.svg", dir, stem, b->chart->id);
            char *svg = NULL;
            size_t svg_len = 0;
            FILE *s = open_memstream(&svg, &svg_len);
            if (!s) {
                rc = hp_err_set(err, -ENOMEM, "out of memory");
                break;
            }
            hp_svg_chart(s, b->chart, true);
            if (write_stream(s, &svg) < 0) {
                rc = hp_err_set(err, -ENOMEM, "out of memory");
                break;
            }
            rc = hp_file_write_atomic(svg_path, svg, svg_len, err);
            free(svg);
            fputs("![", f);
            md_escape(f, b->chart->title, false);
            fprintf(f, "](%s-%s.svg)\n\n", stem, b->chart->id);
            break;
        }
        case HP_B_SVG: {
            char svg_path[1400];
            snprintf(svg_path, sizeof(svg_path), "%s/%s-%s.svg", dir, stem, b->id);
            rc = hp_file_write_atomic(svg_path, b->text, strlen(b->text), err);
            /* the image, and a link to open it where its script runs (zoom, search) */
            fputs("[![", f);
            md_escape(f, b->caption, false);
            fprintf(f, "](%s-%s.svg)](%s-%s.svg)\n\n", stem, b->id, stem, b->id);
            md_escape(f, b->caption, false);
            fputs("\n\n", f);
            break;
        }
        }
    }
    fputs("---\n", f);
    md_escape(f, generator, false);
    fputs("\n", f);
    if (write_stream(f, &text) < 0)
        return rc ? rc : hp_err_set(err, -ENOMEM, "out of memory");
    if (rc == 0)
        rc = hp_file_write_atomic(path, text, len, err);
    free(text);
    return rc;
}
