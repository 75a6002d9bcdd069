/* SPDX-License-Identifier: MIT */
/* report/doc.h - a report as a list of blocks (headings, paragraphs,
 * key-value lists, tables, charts) that two back-ends render: one
 * self-contained HTML page with inline SVG charts (report/html.c) and
 * Markdown with the charts as SVG files beside it (report/md.c). The
 * builders (report/build.c, report/strategy.c) only fill blocks, so both
 * outputs always hold the same content.
 *
 * Everything is copied in: callers keep nothing alive. Adders return 0 or
 * -ENOMEM; after a failure the document is still valid (and freeable). */
#ifndef HP_REPORT_DOC_H
#define HP_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>

/* HP_B_SVG: a whole SVG document of its own (a flame graph with its script):
 * in HTML an inline frame holding it, in Markdown a file beside. */
enum hp_block_kind { HP_B_HEADING, HP_B_PARA, HP_B_KV, HP_B_TABLE, HP_B_CHART, HP_B_SVG };

/* How a paragraph, a table row or a cell is marked. */
enum hp_mark { HP_MARK_NONE, HP_MARK_PASS, HP_MARK_FAIL, HP_MARK_NOTE,
               HP_MARK_CODE /* paragraphs: a command line or file text, kept verbatim */ };

/* x axes: linear, or HdrHistogram's "nines" (percentiles placed at
 * -log10(1 - p/100): 90% at 1, 99% at 2, 99.9% at 3...). */
enum hp_scale { HP_SCALE_LINEAR, HP_SCALE_NINES };

/* How a series is drawn: a line, points, or both. */
/* HP_DRAW_STEP: each point ends an interval that starts at the point before
 * (the first at 0) and holds its value over it: per-second series, drawn at
 * each interval's real length. */
enum hp_draw { HP_DRAW_LINE, HP_DRAW_POINTS, HP_DRAW_BOTH, HP_DRAW_STEP,
               HP_DRAW_BARS /* a categorical chart's: one bar per category, side by side */ };

struct hp_series {
    char *name;
    double *x, *y;
    size_t n, cap;
    enum hp_draw draw;
    bool dashed;
};

/* A reference line across the plot: horizontal at y = value (an SLO), or
 * vertical at x = value (a knee). */
struct hp_rule {
    char *label;
    double value;
    bool vertical;
};

#define HP_CHART_MAX_SERIES 24
#define HP_CHART_MAX_RULES 4
#define HP_CHART_MAX_CATS 16

/* Units are the result document's: "ns", "s", "1/s", "bytes", "count",
 * "ratio"; also "month" and "pct" (percentiles on a nines axis). */
struct hp_chart {
    char *id;    /* unique within the document; names the Markdown's SVG file */
    char *title;
    char *x_label, *y_label;
    char x_unit[8], y_unit[8];
    enum hp_scale x_scale;
    bool y_from_zero;
    int n_series;
    struct hp_series series[HP_CHART_MAX_SERIES];
    int n_rules;
    struct hp_rule rules[HP_CHART_MAX_RULES];
    /* a categorical x axis (bars): x = 0, 1, ... are these names */
    int n_cats;
    char *cats[HP_CHART_MAX_CATS];
};

struct hp_rtable {
    int cols, rows;
    char **cells;        /* (rows + 1) * cols: the header row first */
    bool *right;         /* per column: right-aligned (numbers) */
    enum hp_mark *row_mark;
    size_t cap_rows;
};

struct hp_block {
    enum hp_block_kind kind;
    int level;           /* headings: 2 (a section) to 4; the title is level 1 */
    enum hp_mark mark;   /* paragraphs */
    char *text;          /* headings, paragraphs */
    struct hp_rtable *table; /* KV (2 columns, no header) and TABLE */
    struct hp_chart *chart;
    char *id;            /* HP_B_SVG: unique in the document (text is the SVG, caption below) */
    char *caption;
};

struct hp_rdoc {
    char *title;
    char *subtitle;
    size_t n, cap;
    struct hp_block *blocks;
    int next_chart;      /* for chart ids */
};

struct hp_rdoc *hp_rdoc_new(const char *title);
void hp_rdoc_free(struct hp_rdoc *d); /* NULL is fine */
int hp_rdoc_subtitle(struct hp_rdoc *d, const char *text);

int hp_rdoc_heading(struct hp_rdoc *d, int level, const char *text);
int hp_rdoc_para(struct hp_rdoc *d, enum hp_mark mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A key-value list; fill with hp_rdoc_kv(). Returns NULL on ENOMEM. */
struct hp_rtable *hp_rdoc_kv_list(struct hp_rdoc *d);
int hp_rdoc_kv(struct hp_rtable *t, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A table with cols columns named by the NULL-terminated header; a header
 * ending in '>' (stripped) is a right-aligned column. */
struct hp_rtable *hp_rdoc_table(struct hp_rdoc *d, const char *const *header);
/* Append a row of t->cols cells (NULL: empty). */
int hp_rtable_row(struct hp_rtable *t, enum hp_mark mark, const char *const *cells);
const char *hp_rtable_cell(const struct hp_rtable *t, int row, int col); /* row -1: header */

/* A chart; id is made from the document's counter and `slug`. NULL on ENOMEM. */
struct hp_chart *hp_rdoc_chart(struct hp_rdoc *d, const char *slug, const char *title,
                               const char *x_label, const char *x_unit, const char *y_label,
                               const char *y_unit);
/* A new series (NULL when full or on ENOMEM); points with a non-finite
 * coordinate are not added. */
struct hp_series *hp_chart_series(struct hp_chart *c, const char *name, enum hp_draw draw);
int hp_series_add(struct hp_series *s, double x, double y);
int hp_chart_rule(struct hp_chart *c, const char *label, double value, bool vertical);
/* The next category of a categorical x axis (x = how many came before).
 * 0, or -ENOMEM; past HP_CHART_MAX_CATS nothing is added. */
int hp_chart_category(struct hp_chart *c, const char *name);
/* A whole SVG document (len bytes) shown as it is, with a caption; its id
 * is made like a chart's from `slug`. 0 or -ENOMEM. */
int hp_rdoc_svg(struct hp_rdoc *d, const char *slug, const char *caption, const char *svg,
                size_t len);

/* Points over all series. */
size_t hp_chart_points(const struct hp_chart *c);

/* Compact value text for axes and tooltips: 3 significant digits with the
 * unit's prefix ("2.5ms", "12k/s", "1.2%", "64KiB"; months as plain numbers). */
char *hp_report_fmt(double v, const char *unit, char *buf, size_t size);

/* "Nice" axis ticks over [lo, hi] (linear): about `want` values that are
 * 1, 2 or 5 times a power of ten, covering the range. Returns how many
 * (at most max) were written to ticks, and widens lo/hi to the outer ticks. */
int hp_ticks_linear(double *lo, double *hi, int want, double *ticks, int max);

#endif
