// SPDX-License-Identifier: MIT
/* core/table.c - see table.h. libcsv calls back per field and per row end;
 * fields are appended to one growing blob (offsets, since it moves), and
 * the cells become pointers once the whole file is in. */
#include "core/table.h"

#include <csv.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"
#include "core/file.h"

struct builder {
    const char *name;
    struct hp_table *t;
    char *blob;
    size_t blob_len, blob_cap;
    size_t *offs;            /* per cell: offset into blob */
    uint32_t *lens;
    size_t n_cells, cap_cells, cap_lens;
    int field;               /* fields in the current row */
    int64_t line;            /* of the current row, 1-based */
    int rc;
    struct hp_err *err;
};

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 1024;
    while (n < need)
        n *= 2;
    void *q = hp_realloc(*p, n * size);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

static void on_field(void *s, size_t len, void *data)
{
    struct builder *b = data;
    if (b->rc)
        return;
    if (len > HP_TABLE_MAX_FIELD_BYTES) {
        b->rc = hp_err_at(b->err, HP_ERANGE, b->name, (int)b->line, 0,
                          "a field of %zu bytes (at most %d)", len, HP_TABLE_MAX_FIELD_BYTES);
        return;
    }
    if (b->field >= HP_TABLE_MAX_COLS) {
        b->rc = hp_err_at(b->err, HP_ERANGE, b->name, (int)b->line, 0,
                          "more than %d columns", HP_TABLE_MAX_COLS);
        return;
    }
    if (!grow((void **)&b->blob, &b->blob_cap, b->blob_len + len + 1, 1) ||
        !grow((void **)&b->offs, &b->cap_cells, b->n_cells + 1, sizeof *b->offs) ||
        !grow((void **)&b->lens, &b->cap_lens, b->n_cells + 1, sizeof *b->lens)) {
        b->rc = hp_err_set(b->err, -ENOMEM, "out of memory");
        return;
    }
    if (len)
        memcpy(b->blob + b->blob_len, s, len);
    b->blob[b->blob_len + len] = '\0';
    b->offs[b->n_cells] = b->blob_len;
    b->lens[b->n_cells] = (uint32_t)len;
    b->n_cells++;
    b->blob_len += len + 1;
    b->field++;
}

static void on_row(int c, void *data)
{
    struct builder *b = data;
    (void)c;
    if (b->rc)
        return;
    struct hp_table *t = b->t;
    if (t->cols == 0) {
        t->cols = b->field;
    } else if (b->field != t->cols) {
        b->rc = hp_err_at(b->err, HP_EPARSE, b->name, (int)b->line, 0,
                          "%d fields, but the header has %d columns", b->field, t->cols);
        return;
    } else {
        t->rows++;
        if (t->rows > HP_TABLE_MAX_ROWS) {
            b->rc = hp_err_at(b->err, HP_ERANGE, b->name, (int)b->line, 0,
                              "more than %d rows", HP_TABLE_MAX_ROWS);
            return;
        }
    }
    b->field = 0;
}

/* Line and column of byte offset pos in text. */
static void locate(const char *text, size_t pos, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int hp_table_parse(const char *text, size_t len, const char *name, struct hp_table *out,
                   struct hp_err *err)
{
    struct csv_parser p;
    struct builder b = {.name = name, .t = out, .err = err, .line = 1};
    memset(out, 0, sizeof *out);
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return hp_err_set(err, -ENOMEM, "out of memory");
    /* Feed line by line so that errors know their line. */
    size_t pos = 0;
    while (pos < len && b.rc == 0) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        size_t used = csv_parse(&p, text + pos, end - pos, on_field, on_row, &b);
        if (used != end - pos && b.rc == 0) {
            int line, col;
            locate(text, pos + used, &line, &col);
            b.rc = hp_err_at(err, HP_EPARSE, name, line, col, "%s (a quote inside an unquoted "
                             "field, or text after a closing quote)", csv_strerror(csv_error(&p)));
        }
        pos = end;
        b.line++;
    }
    if (b.rc == 0 && csv_fini(&p, on_field, on_row, &b) != 0 && b.rc == 0) {
        int line, col;
        locate(text, len, &line, &col);
        b.rc = hp_err_at(err, HP_EPARSE, name, line, col, "a quoted field is not closed");
    }
    csv_free(&p);
    int rc = b.rc;
    if (rc == 0 && out->cols == 0)
        rc = hp_err_at(err, HP_EPARSE, name, 1, 1, "empty: expected a header row of column "
                       "names and at least one row");
    else if (rc == 0 && out->rows == 0)
        rc = hp_err_at(err, HP_EPARSE, name, 2, 1, "no rows after the header");
    for (int c = 0; rc == 0 && c < out->cols; c++) {
        const char *n = b.blob + b.offs[c];
        if (!*n)
            rc = hp_err_at(err, HP_EPARSE, name, 1, 0, "column %d has no name", c + 1);
        for (int k = 0; rc == 0 && k < c; k++)
            if (strcmp(n, b.blob + b.offs[k]) == 0)
                rc = hp_err_at(err, HP_EPARSE, name, 1, 0, "column '%s' appears twice", n);
    }
    if (rc == 0) {
        size_t cells = (size_t)out->rows * (size_t)out->cols;
        out->cells = hp_malloc((cells ? cells : 1) * sizeof *out->cells);
        out->lens = hp_malloc((cells ? cells : 1) * sizeof *out->lens);
        if (!out->cells || !out->lens)
            rc = hp_err_set(err, -ENOMEM, "out of memory");
    }
    if (rc == 0) {
        for (int c = 0; c < out->cols && rc == 0; c++)
            if (!(out->names[c] = hp_strdup(b.blob + b.offs[c])))
                rc = hp_err_set(err, -ENOMEM, "out of memory");
        size_t cells = (size_t)out->rows * (size_t)out->cols;
        for (size_t i = 0; rc == 0 && i < cells; i++) {
            size_t k = i + (size_t)out->cols;
            out->cells[i] = b.blob + b.offs[k];
            out->lens[i] = b.lens[k];
            int c = (int)(i % (size_t)out->cols);
            if (b.lens[k] > out->max_len[c])
                out->max_len[c] = b.lens[k];
        }
    }
    out->blob = b.blob; /* owned by the table from here, freed by fini */
    hp_free(b.offs);
    hp_free(b.lens);
    if (rc < 0)
        hp_table_fini(out);
    return rc;
}

int hp_table_load(const char *path, struct hp_table *out, struct hp_err *err)
{
    char *text = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    int rc = hp_file_read(path, HP_TABLE_MAX_BYTES, &text, &len, err);
    if (rc == 0)
        rc = hp_table_parse(text, len, path, out, err);
    hp_free(text);
    return rc;
}

void hp_table_fini(struct hp_table *t)
{
    for (int c = 0; c < HP_TABLE_MAX_COLS; c++)
        hp_free(t->names[c]);
    hp_free(t->cells);
    hp_free(t->lens);
    hp_free(t->blob);
    memset(t, 0, sizeof *t);
}
