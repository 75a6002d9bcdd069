// SPDX-License-Identifier: MIT
/* report/svg.c - see svg.h. */
#include "report/svg.h"

#include <math.h>
#include <string.h>

#define W HP_SVG_WIDTH
#define PLOT_H 230
#define ML 72.0
#define MR 24.0
#define MB 46.0
#define NINES_MAX 7.0 /* 99.99999% */
#define POINTS_MAX 400 /* series with more points are drawn as lines only */

const char hp_svg_css[] =
    ".hp-chart{font:12px system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg,#1d1d1f);"
    "max-width:100%;height:auto}\n"
    ".hp-chart text{fill:currentColor}\n"
    ".hp-chart .title{font-weight:600;font-size:14px}\n"
    ".hp-chart .grid{stroke:var(--grid,#e3e3e3);stroke-width:1}\n"
    ".hp-chart .axis{stroke:var(--axis,#888);stroke-width:1}\n"
    ".hp-chart polyline,.hp-chart path.step{fill:none;stroke-width:1.7;stroke-linejoin:round}\n"
    ".hp-chart .dashed polyline,.hp-chart .dashed path.step{stroke-dasharray:6 4}\n"
    ".hp-chart circle{stroke:none}\n"
    ".hp-chart .rule{stroke:var(--rule,#c0392b);stroke-width:1.3;stroke-dasharray:5 4}\n"
    ".hp-chart .rule-label{fill:var(--rule,#c0392b)}\n"
    ".hp-chart .guide{stroke:var(--axis,#888);stroke-width:1;visibility:hidden}\n"
    ".hp-chart .s0{stroke:#0072b2;fill:#0072b2}.hp-chart .s1{stroke:#e69f00;fill:#e69f00}\n"
    ".hp-chart .s2{stroke:#009e73;fill:#009e73}.hp-chart .s3{stroke:#cc79a7;fill:#cc79a7}\n"
    ".hp-chart .s4{stroke:#56b4e9;fill:#56b4e9}.hp-chart .s5{stroke:#d55e00;fill:#d55e00}\n"
    ".hp-chart .s6{stroke:#7f7f7f;fill:#7f7f7f}.hp-chart .s7{stroke:#8c6d31;fill:#8c6d31}\n"
    "@media (prefers-color-scheme:dark){.hp-chart{--fg:#e6e6e6;--grid:#3a3a3a;--axis:#9a9a9a;"
    "--rule:#ff6b5b}\n"
    ".hp-chart .s0{stroke:#4aa3df;fill:#4aa3df}.hp-chart .s7{stroke:#c9a86a;fill:#c9a86a}}\n";

void hp_xml_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(c < 0x20 && c != '\t' && c != '\n' ? '?' : c, f);
        }
    }
}

/* JSON string body (no quotes) of s. */
static void json_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else if (c == '<')
            fputs("\\u003c", f); /* never "</script>" inside the page's script */
        else
            fputc(c, f);
    }
}

struct geom {
    double x0, x1, y0, y1;     /* data range (x after the nines transform) */
    double top, bottom;        /* plot area in pixels */
    int legend_rows;
    double height;
};

static double xt(const struct hp_chart *c, double x)
{
    if (c->x_scale != HP_SCALE_NINES)
        return x;
    double q = 1 - x / 100;
    double t = q <= 0 ? NINES_MAX : -log10(q);
    return t > NINES_MAX ? NINES_MAX : t < 0 ? 0 : t;
}

static double px(const struct geom *g, double t)
{
    return ML + (t - g->x0) / (g->x1 - g->x0) * (W - ML - MR);
}

static double py(const struct geom *g, double v)
{
    return g->bottom - (v - g->y0) / (g->y1 - g->y0) * (g->bottom - g->top);
}

static double legend_width(const char *name)
{
    return 28 + 7.0 * (double)strlen(name);
}

static void layout(const struct hp_chart *c, struct geom *g)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int i = 0; i < c->n_series; i++)
        for (size_t k = 0; k < c->series[i].n; k++) {
            double x = xt(c, c->series[i].x[k]), y = c->series[i].y[k];
            xlo = fmin(xlo, x);
            xhi = fmax(xhi, x);
            ylo = fmin(ylo, y);
            yhi = fmax(yhi, y);
        }
    for (int i = 0; i < c->n_rules; i++) {
        double v = c->rules[i].value;
        if (c->rules[i].vertical) {
            xlo = fmin(xlo, xt(c, v));
            xhi = fmax(xhi, xt(c, v));
        } else {
            ylo = fmin(ylo, v);
            yhi = fmax(yhi, v);
        }
    }
    if (!isfinite(xlo)) {
        xlo = 0;
        xhi = 1;
    }
    if (!isfinite(ylo)) {
        ylo = 0;
        yhi = 1;
    }
    if (c->y_from_zero && ylo > 0)
        ylo = 0;
    if (strcmp(c->x_unit, "s") == 0 && xlo > 0)
        xlo = 0; /* time from the start of the run */
    if (c->x_scale == HP_SCALE_NINES) {
        xlo = 0;
        xhi = fmax(2, ceil(xhi - 1e-9));
    }
    if (c->n_cats > 0) { /* a slot of width 1 around each category */
        xlo = -0.5;
        xhi = c->n_cats - 0.5;
        if (ylo > 0)
            ylo = 0; /* bars stand on zero */
    }
    g->x0 = xlo;
    g->x1 = xhi > xlo ? xhi : xlo + 1;
    g->y0 = ylo;
    g->y1 = yhi > ylo ? yhi + (yhi - ylo) * 0.04 : ylo + 1;
    double w = ML;
    g->legend_rows = c->n_series > 0;
    for (int i = 0; i < c->n_series; i++) {
        double lw = legend_width(c->series[i].name);
        if (w + lw > W - MR && w > ML) {
            g->legend_rows++;
            w = ML;
        }
        w += lw;
    }
    g->top = 30 + 18.0 * g->legend_rows;
    g->bottom = g->top + PLOT_H;
    g->height = g->bottom + MB;
}

static void time_ticks(const struct geom *g, double *lo, double *hi, double *ticks, int *n)
{
    /* Long runs in whole minutes, not in odd numbers of seconds. */
    double scale = g->x1 - g->x0 > 900 ? 60 : 1;
    double a = g->x0 / scale, b = g->x1 / scale;
    int all = hp_ticks_linear(&a, &b, 6, ticks, 16);
    /* The axis ends where the run did (3.03 s, not 4): ticks past it go. */
    *n = 0;
    for (int i = 0; i < all; i++)
        if (ticks[i] * scale >= g->x0 - 1e-9 && ticks[i] * scale <= g->x1 * (1 + 1e-9))
            ticks[(*n)++] = ticks[i] * scale;
    *lo = g->x0;
    *hi = g->x1;
}

void hp_svg_chart(FILE *f, const struct hp_chart *c, bool standalone)
{
    struct geom g;
    layout(c, &g);
    double xticks[16], yticks[16];
    int nx, ny;
    if (c->n_cats > 0) {
        nx = c->n_cats;
        for (int i = 0; i < nx; i++)
            xticks[i] = i;
    } else if (c->x_scale == HP_SCALE_NINES) {
        nx = (int)g.x1 + 1;
        for (int i = 0; i < nx; i++)
            xticks[i] = i;
    } else if (strcmp(c->x_unit, "s") == 0) {
        time_ticks(&g, &g.x0, &g.x1, xticks, &nx);
    } else {
        nx = hp_ticks_linear(&g.x0, &g.x1, 7, xticks, 16);
    }
    ny = hp_ticks_linear(&g.y0, &g.y1, 5, yticks, 16);

    if (standalone)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<svg class=\"hp-chart\" id=\"%s\" ", c->id);
    if (standalone)
        fputs("xmlns=\"http://www.w3.org/2000/svg\" ", f);
    fprintf(f, "viewBox=\"0 0 %d %.0f\" width=\"%d\" height=\"%.0f\" role=\"img\" "
               "aria-label=\"", W, g.height, W, g.height);
    hp_xml_escape(f, c->title);
    fprintf(f, "\" data-points=\"%zu\" data-series=\"%d\">\n", hp_chart_points(c), c->n_series);
    if (standalone)
        fprintf(f, "<style>\n%s.hp-chart{background:#fff}\n@media (prefers-color-scheme:dark)"
                   "{.hp-chart{background:#161616}}\n</style>\n", hp_svg_css);
    fputs("<title>", f);
    hp_xml_escape(f, c->title);
    fprintf(f, "</title>\n<text class=\"title\" x=\"%.0f\" y=\"18\">", ML);
    hp_xml_escape(f, c->title);
    fputs("</text>\n", f);

    /* legend */
    double lx = ML, ly = 36;
    for (int i = 0; i < c->n_series; i++) {
        double lw = legend_width(c->series[i].name);
        if (lx + lw > W - MR && lx > ML) {
            lx = ML;
            ly += 18;
        }
        fprintf(f, "<g class=\"s%d\"><rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" "
                   "rx=\"1\"/><text x=\"%.1f\" y=\"%.1f\" stroke=\"none\">",
                i % 8, lx, ly - 6, lx + 19, ly);
        hp_xml_escape(f, c->series[i].name);
        fputs("</text></g>\n", f);
        lx += lw;
    }

    char buf[48];
    fputs("<g class=\"ticks\">\n", f);
    for (int i = 0; i < ny; i++) {
        double y = py(&g, yticks[i]);
        fprintf(f, "<line class=\"grid\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                   "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                ML, W - MR, y, y, ML - 6, y + 4, hp_report_fmt(yticks[i], c->y_unit, buf, sizeof(buf)));
    }
    for (int i = 0; i < nx; i++) {
        double x = px(&g, xticks[i]);
        if (c->n_cats > 0) { /* names under their slots, no grid line through the bars */
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, g.bottom + 16);
            hp_xml_escape(f, c->cats[i]);
            fputs("</text>\n", f);
            continue;
        }
        if (c->x_scale == HP_SCALE_NINES) {
            /* 0 -> 0%, 1 -> 90%, 2 -> 99%, 3 -> 99.9% ... */
            if (xticks[i] < 0.5)
                snprintf(buf, sizeof(buf), "0%%");
            else
                snprintf(buf, sizeof(buf), "%.*f%%", (int)xticks[i] - 2 > 0 ? (int)xticks[i] - 2 : 0,
                         100 * (1 - pow(10, -xticks[i])));
        } else {
            hp_report_fmt(xticks[i], c->x_unit, buf, sizeof(buf));
        }
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
                x, x, g.top, g.bottom, x, g.bottom + 16,
                i == nx - 1 && nx > 1 ? "end" : "middle", buf); /* the last stays inside */
    }
    fputs("</g>\n", f);
    fprintf(f, "<line class=\"axis\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", ML,
            W - MR, g.bottom, g.bottom);
    fprintf(f, "<line class=\"axis\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", ML, ML,
            g.top, g.bottom);
    fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"middle\">", ML + (W - ML - MR) / 2,
            g.bottom + 36);
    hp_xml_escape(f, c->x_label);
    fprintf(f, "</text>\n<text transform=\"translate(14 %.1f) rotate(-90)\" "
               "text-anchor=\"middle\">", (g.top + g.bottom) / 2);
    hp_xml_escape(f, c->y_label);
    fputs("</text>\n", f);

    int nbars = 0, bar = 0;
    for (int i = 0; i < c->n_series; i++)
        nbars += c->series[i].draw == HP_DRAW_BARS;
    for (int i = 0; i < c->n_series; i++) {
        const struct hp_series *s = &c->series[i];
        fprintf(f, "<g class=\"hp-s s%d%s\" data-n=\"%zu\" data-name=\"", i % 8,
                s->dashed ? " dashed" : "", s->n);
        hp_xml_escape(f, s->name);
        fputs("\">", f);
        if (s->draw == HP_DRAW_BARS) { /* side by side in 80% of each slot */
            double bw = 0.8 / nbars, off = (bar++ - (nbars - 1) / 2.0) * bw;
            double base = py(&g, g.y0 > 0 ? g.y0 : 0);
            for (size_t k = 0; k < s->n; k++) {
                double x0 = px(&g, s->x[k] + off - bw / 2), x1 = px(&g, s->x[k] + off + bw / 2);
                double y = py(&g, s->y[k]);
                fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", x0,
                        fmin(y, base), x1 - x0, fabs(base - y));
            }
            fputs("</g>\n", f);
            continue;
        }
        if (s->draw == HP_DRAW_STEP) { /* each value held over its interval */
            fputs("<path class=\"step\" d=\"", f);
            for (size_t k = 0; k < s->n; k++) {
                double x = px(&g, xt(c, s->x[k])), y = py(&g, s->y[k]);
                if (k == 0)
                    fprintf(f, "M%.1f,%.1fH%.1f", px(&g, xt(c, s->x[0] > 0 ? 0 : s->x[0])), y, x);
                else
                    fprintf(f, "V%.1fH%.1f", y, x);
            }
            fputs("\"/></g>\n", f);
            continue;
        }
        bool line = s->draw != HP_DRAW_POINTS;
        bool points = s->draw == HP_DRAW_POINTS || (s->draw == HP_DRAW_BOTH && s->n <= POINTS_MAX);
        if (line) {
            fputs("<polyline points=\"", f);
            for (size_t k = 0; k < s->n; k++)
                fprintf(f, "%s%.1f,%.1f", k ? " " : "", px(&g, xt(c, s->x[k])), py(&g, s->y[k]));
            fputs("\"/>", f);
        }
        if (points)
            for (size_t k = 0; k < s->n; k++)
                fprintf(f, "<circle r=\"3.2\" cx=\"%.1f\" cy=\"%.1f\"/>", px(&g, xt(c, s->x[k])),
                        py(&g, s->y[k]));
        fputs("</g>\n", f);
    }
    int n_vertical = 0;
    for (int i = 0; i < c->n_rules; i++) {
        const struct hp_rule *r = &c->rules[i];
        if (r->vertical) {
            double x = px(&g, xt(c, r->value));
            /* Each vertical rule's label a line below the last (a knee and a
             * peak are often a few pixels apart), and left of its rule when
             * it would run past the plot (about 6.5 px per character). */
            bool left = x + 4 + 6.5 * (double)strlen(r->label) > W - MR;
            fprintf(f, "<line class=\"rule\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                       "<text class=\"rule-label\" x=\"%.1f\" y=\"%.1f\"%s>", x, x, g.top, g.bottom,
                    left ? x - 4 : x + 4, g.top + 12 + 14 * n_vertical++,
                    left ? " text-anchor=\"end\"" : "");
        } else {
            double y = py(&g, r->value);
            fprintf(f, "<line class=\"rule\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                       "<text class=\"rule-label\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">",
                    ML, W - MR, y, y, W - MR - 4, y - 5);
        }
        hp_xml_escape(f, r->label);
        fputs("</text>\n", f);
    }
    fprintf(f, "<line class=\"guide\" x1=\"0\" x2=\"0\" y1=\"%.1f\" y2=\"%.1f\"/>\n", g.top,
            g.bottom);
    fputs("</svg>\n", f);
}

void hp_svg_chart_data(FILE *f, const struct hp_chart *c)
{
    struct geom g;
    layout(c, &g);
    double ticks[16];
    int n;
    if (c->n_cats > 0)
        ; /* the slots as laid out: no ticks to widen the axis to */
    else if (c->x_scale == HP_SCALE_LINEAR && strcmp(c->x_unit, "s") == 0)
        time_ticks(&g, &g.x0, &g.x1, ticks, &n);
    else if (c->x_scale == HP_SCALE_LINEAR)
        hp_ticks_linear(&g.x0, &g.x1, 7, ticks, 16);
    fprintf(f, "{\"w\":%d,\"l\":%.0f,\"r\":%.0f,\"t0\":%.17g,\"t1\":%.17g,\"nines\":%s,"
               "\"xu\":\"%s\",\"yu\":\"%s\",\"s\":[",
            W, ML, W - MR, g.x0, g.x1, c->x_scale == HP_SCALE_NINES ? "true" : "false", c->x_unit,
            c->y_unit);
    for (int i = 0; i < c->n_series; i++) {
        const struct hp_series *s = &c->series[i];
        fputs(i ? ",{\"n\":\"" : "{\"n\":\"", f);
        json_escape(f, s->name);
        fputs("\",\"x\":[", f);
        for (size_t k = 0; k < s->n; k++)
            fprintf(f, "%s%.10g", k ? "," : "", s->x[k]);
        fputs("],\"y\":[", f);
        for (size_t k = 0; k < s->n; k++)
            fprintf(f, "%s%.10g", k ? "," : "", s->y[k]);
        fputs("]}", f);
    }
    fputs("]", f);
    if (c->n_cats > 0) { /* the tooltip names the category, not its index */
        fputs(",\"cats\":[", f);
        for (int i = 0; i < c->n_cats; i++) {
            fputs(i ? ",\"" : "\"", f);
            json_escape(f, c->cats[i]);
            fputs("\"", f);
        }
        fputs("]", f);
    }
    fputs("}", f);
}
