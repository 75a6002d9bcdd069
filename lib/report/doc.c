// SPDX-License-Identifier: MIT
/* report/doc.c - see doc.h. */
#include "report/doc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

struct hp_rdoc *hp_rdoc_new(const char *title)
{
    struct hp_rdoc *d = hp_calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->title = hp_strdup(title ? title : "hotpath report");
    if (!d->title) {
        hp_free(d);
        return NULL;
    }
    return d;
}

static void table_free(struct hp_rtable *t)
{
    if (!t)
        return;
    for (int i = 0; t->cells && i < (t->rows + 1) * t->cols; i++)
        hp_free(t->cells[i]);
    hp_free(t->cells);
    hp_free(t->right);
    hp_free(t->row_mark);
    hp_free(t);
}

static void chart_free(struct hp_chart *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_series; i++) {
        hp_free(c->series[i].name);
        hp_free(c->series[i].x);
        hp_free(c->series[i].y);
    }
    for (int i = 0; i < c->n_rules; i++)
        hp_free(c->rules[i].label);
    for (int i = 0; i < c->n_cats; i++)
        hp_free(c->cats[i]);
    hp_free(c->id);
    hp_free(c->title);
    hp_free(c->x_label);
    hp_free(c->y_label);
    hp_free(c);
}

void hp_rdoc_free(struct hp_rdoc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        hp_free(d->blocks[i].text);
        table_free(d->blocks[i].table);
        chart_free(d->blocks[i].chart);
        hp_free(d->blocks[i].id);
        hp_free(d->blocks[i].caption);
    }
    hp_free(d->blocks);
    hp_free(d->title);
    hp_free(d->subtitle);
    hp_free(d);
}

int hp_rdoc_subtitle(struct hp_rdoc *d, const char *text)
{
    char *s = hp_strdup(text);
    if (!s)
        return -ENOMEM;
    hp_free(d->subtitle);
    d->subtitle = s;
    return 0;
}

/* A new zeroed block at the end, or NULL. */
static struct hp_block *push(struct hp_rdoc *d, enum hp_block_kind kind)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        struct hp_block *b = hp_realloc(d->blocks, cap * sizeof(*b));
        if (!b)
            return NULL;
        d->blocks = b;
        d->cap = cap;
    }
    struct hp_block *b = &d->blocks[d->n];
    memset(b, 0, sizeof(*b));
    b->kind = kind;
    return b;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = hp_malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

int hp_rdoc_heading(struct hp_rdoc *d, int level, const char *text)
{
    char *s = hp_strdup(text);
    struct hp_block *b = s ? push(d, HP_B_HEADING) : NULL;
    if (!b) {
        hp_free(s);
        return -ENOMEM;
    }
    b->level = level < 2 ? 2 : level > 4 ? 4 : level;
    b->text = s;
    d->n++;
    return 0;
}

int hp_rdoc_para(struct hp_rdoc *d, enum hp_mark mark, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    struct hp_block *b = s ? push(d, HP_B_PARA) : NULL;
    if (!b) {
        hp_free(s);
        return -ENOMEM;
    }
    b->mark = mark;
    b->text = s;
    d->n++;
    return 0;
}

static struct hp_rtable *table_new(int cols)
{
    struct hp_rtable *t = hp_calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->cols = cols;
    t->cap_rows = 8;
    t->cells = hp_calloc((t->cap_rows + 1) * (size_t)cols, sizeof(char *));
    t->right = hp_calloc((size_t)cols, sizeof(bool));
    t->row_mark = hp_calloc(t->cap_rows, sizeof(enum hp_mark));
    if (!t->cells || !t->right || !t->row_mark) {
        table_free(t);
        return NULL;
    }
    return t;
}

static struct hp_rtable *push_table(struct hp_rdoc *d, enum hp_block_kind kind, int cols)
{
    struct hp_rtable *t = table_new(cols);
    struct hp_block *b = t ? push(d, kind) : NULL;
    if (!b) {
        table_free(t);
        return NULL;
    }
    b->table = t;
    d->n++;
    return t;
}

struct hp_rtable *hp_rdoc_kv_list(struct hp_rdoc *d)
{
    return push_table(d, HP_B_KV, 2);
}

struct hp_rtable *hp_rdoc_table(struct hp_rdoc *d, const char *const *header)
{
    int cols = 0;
    while (header[cols])
        cols++;
    if (cols == 0)
        return NULL;
    struct hp_rtable *t = push_table(d, HP_B_TABLE, cols);
    if (!t)
        return NULL;
    for (int c = 0; c < cols; c++) {
        size_t len = strlen(header[c]);
        t->right[c] = len > 0 && header[c][len - 1] == '>';
        t->cells[c] = hp_strndup(header[c], t->right[c] ? len - 1 : len);
        if (!t->cells[c])
            return NULL; /* the table stays in the document, freed with it */
    }
    return t;
}

int hp_rtable_row(struct hp_rtable *t, enum hp_mark mark, const char *const *cells)
{
    if ((size_t)t->rows == t->cap_rows) {
        size_t cap = t->cap_rows * 2;
        char **c = hp_realloc(t->cells, (cap + 1) * (size_t)t->cols * sizeof(char *));
        if (!c)
            return -ENOMEM;
        t->cells = c;
        enum hp_mark *m = hp_realloc(t->row_mark, cap * sizeof(*m));
        if (!m)
            return -ENOMEM;
        t->row_mark = m;
        t->cap_rows = cap;
    }
    char **row = t->cells + (size_t)(t->rows + 1) * (size_t)t->cols;
    for (int c = 0; c < t->cols; c++) {
        row[c] = hp_strdup(cells[c] ? cells[c] : "");
        if (!row[c]) {
            for (int k = 0; k < c; k++) {
                hp_free(row[k]);
                row[k] = NULL;
            }
            return -ENOMEM;
        }
    }
    t->row_mark[t->rows++] = mark;
    return 0;
}

const char *hp_rtable_cell(const struct hp_rtable *t, int row, int col)
{
    return t->cells[(size_t)(row + 1) * (size_t)t->cols + (size_t)col];
}

int hp_rdoc_kv(struct hp_rtable *t, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    if (!s)
        return -ENOMEM;
    const char *cells[2] = {key, s};
    int rc = hp_rtable_row(t, HP_MARK_NONE, cells);
    hp_free(s);
    return rc;
}

/* "chartN-slug": lower case letters, digits and dashes. */
static void make_id(struct hp_rdoc *d, const char *slug, char *id, size_t size)
{
    snprintf(id, size, "chart%d-%s", ++d->next_chart, slug);
    for (char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            *p = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : '-';
}

int hp_rdoc_svg(struct hp_rdoc *d, const char *slug, const char *caption, const char *svg,
                size_t len)
{
    char id[80];
    make_id(d, slug, id, sizeof id);
    char *text = hp_malloc(len + 1), *i = hp_strdup(id), *c = hp_strdup(caption);
    struct hp_block *b = text && i && c ? push(d, HP_B_SVG) : NULL;
    if (!b) {
        hp_free(text);
        hp_free(i);
        hp_free(c);
        return -ENOMEM;
    }
    memcpy(text, svg, len);
    text[len] = '\0';
    b->text = text;
    b->id = i;
    b->caption = c;
    d->n++;
    return 0;
}

struct hp_chart *hp_rdoc_chart(struct hp_rdoc *d, const char *slug, const char *title,
                               const char *x_label, const char *x_unit, const char *y_label,
                               const char *y_unit)
{
    struct hp_chart *c = hp_calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    char id[80];
    make_id(d, slug, id, sizeof id);
    c->id = hp_strdup(id);
    c->title = hp_strdup(title);
    c->x_label = hp_strdup(x_label);
    c->y_label = hp_strdup(y_label);
    snprintf(c->x_unit, sizeof(c->x_unit), "%s", x_unit);
    snprintf(c->y_unit, sizeof(c->y_unit), "%s", y_unit);
    c->y_from_zero = true;
    struct hp_block *b = (c->id && c->title && c->x_label && c->y_label) ? push(d, HP_B_CHART) : NULL;
    if (!b) {
        chart_free(c);
        return NULL;
    }
    b->chart = c;
    d->n++;
    return c;
}

struct hp_series *hp_chart_series(struct hp_chart *c, const char *name, enum hp_draw draw)
{
    if (c->n_series == HP_CHART_MAX_SERIES)
        return NULL;
    struct hp_series *s = &c->series[c->n_series];
    memset(s, 0, sizeof(*s));
    s->name = hp_strdup(name);
    if (!s->name)
        return NULL;
    s->draw = draw;
    c->n_series++;
    return s;
}

int hp_series_add(struct hp_series *s, double x, double y)
{
    if (!isfinite(x) || !isfinite(y))
        return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        double *nx = hp_realloc(s->x, cap * sizeof(double));
        if (!nx)
            return -ENOMEM;
        s->x = nx;
        double *ny = hp_realloc(s->y, cap * sizeof(double));
        if (!ny)
            return -ENOMEM;
        s->y = ny;
        s->cap = cap;
    }
    s->x[s->n] = x;
    s->y[s->n] = y;
    s->n++;
    return 0;
}

int hp_chart_rule(struct hp_chart *c, const char *label, double value, bool vertical)
{
    if (c->n_rules == HP_CHART_MAX_RULES || !isfinite(value))
        return 0;
    char *s = hp_strdup(label);
    if (!s)
        return -ENOMEM;
    c->rules[c->n_rules++] = (struct hp_rule){.label = s, .value = value, .vertical = vertical};
    return 0;
}

int hp_chart_category(struct hp_chart *c, const char *name)
{
    if (c->n_cats == HP_CHART_MAX_CATS)
        return 0;
    char *s = hp_strdup(name);
    if (!s)
        return -ENOMEM;
    c->cats[c->n_cats++] = s;
    return 0;
}

size_t hp_chart_points(const struct hp_chart *c)
{
    size_t n = 0;
    for (int i = 0; i < c->n_series; i++)
        n += c->series[i].n;
    return n;
}

/* v with up to 3 significant digits, no trailing zeros, and a suffix. */
static char *sig3(double v, const char *suffix, char *buf, size_t size)
{
    snprintf(buf, size, "%.3g%s", v, suffix);
    return buf;
}

char *hp_report_fmt(double v, const char *unit, char *buf, size_t size)
{
    double a = fabs(v);
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return buf;
    }
    if (strcmp(unit, "ns") == 0 || strcmp(unit, "s") == 0) {
        double ns = strcmp(unit, "s") == 0 ? v * 1e9 : v;
        a = fabs(ns);
        if (a == 0)
            return sig3(0, "s", buf, size);
        if (a < 1e3)
            return sig3(ns, "ns", buf, size);
        if (a < 1e6)
            return sig3(ns / 1e3, "us", buf, size);
        if (a < 1e9)
            return sig3(ns / 1e6, "ms", buf, size);
        if (a < 60e9 * 10)
            return sig3(ns / 1e9, "s", buf, size);
        if (a < 3600e9 * 10)
            return sig3(ns / 60e9, "min", buf, size);
        return sig3(ns / 3600e9, "h", buf, size);
    }
    if (strcmp(unit, "ratio") == 0)
        return sig3(v * 100, "%", buf, size);
    if (strcmp(unit, "pct") == 0)
        return sig3(v, "%", buf, size);
    if (strcmp(unit, "month") == 0) {
        snprintf(buf, size, "%g", v);
        return buf;
    }
    if (strcmp(unit, "bytes") == 0 || strcmp(unit, "bytes/s") == 0) {
        const char *rate = unit[5] ? "/s" : "";
        static const char *const pre[] = {"B", "KiB", "MiB", "GiB", "TiB"};
        int k = 0;
        while (a >= 1024 && k < 4) {
            a /= 1024;
            v /= 1024;
            k++;
        }
        snprintf(buf, size, "%.3g%s%s", v, pre[k], rate);
        return buf;
    }
    const char *suffix = strcmp(unit, "1/s") == 0 ? "/s" : "";
    if (a >= 1e9)
        snprintf(buf, size, "%.3gG%s", v / 1e9, suffix);
    else if (a >= 1e6)
        snprintf(buf, size, "%.3gM%s", v / 1e6, suffix);
    else if (a >= 1e3)
        snprintf(buf, size, "%.3gk%s", v / 1e3, suffix);
    else
        snprintf(buf, size, "%.3g%s", v, suffix);
    return buf;
}

int hp_ticks_linear(double *lo, double *hi, int want, double *ticks, int max)
{
    if (!(*hi > *lo)) {
        double pad = *lo == 0 ? 1 : fabs(*lo) * 0.1;
        *lo -= pad;
        *hi += pad;
    }
    if (want < 2)
        want = 2;
    double raw = (*hi - *lo) / want;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    double first = floor(*lo / step + 1e-9) * step;
    double last = ceil(*hi / step - 1e-9) * step;
    int n = 0;
    for (double t = first; t <= last + step * 1e-6 && n < max; t += step)
        ticks[n++] = fabs(t) < step * 1e-9 ? 0 : t;
    *lo = first;
    *hi = n ? ticks[n - 1] : last;
    return n;
}
