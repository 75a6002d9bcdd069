// SPDX-License-Identifier: MIT
/* core/csv.c - numeric CSV. Numbers are read with strtod after checking the
 * characters are a plain decimal or exponent form, so "inf", "nan" and hex
 * floats are refused rather than silently accepted. */
#include "core/csv.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/file.h"

#define MAX_FILE_BYTES (512u * 1024 * 1024)

static bool numeric_chars(const char *s, size_t n)
{
    bool digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            digit = true;
        else if (!strchr("+-.eE", c))
            return false;
    }
    return digit;
}

static int parse_number(const char *s, size_t n, double *out)
{
    char buf[64];
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if (n == 0 || n >= sizeof buf || !numeric_chars(s, n))
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int hp_csv_parse(const char *text, size_t len, const char *name, int want_cols,
                 struct hp_csv *out, struct hp_err *err)
{
    size_t cap = 0, line_no = 0, pos = 0;
    bool seen_row = false;
    int rc = 0;

    memset(out, 0, sizeof *out);
    out->cols = want_cols;
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        line_no++;
        size_t k = 0;
        while (k < n && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
            k++;
        if (k == n || line[k] == '#')
            continue;
        /* Split into fields. */
        const char *field[HP_CSV_MAX_COLS + 1];
        size_t flen[HP_CSV_MAX_COLS + 1];
        int nf = 0;
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
            if (i == n || line[i] == ',') {
                if (nf > HP_CSV_MAX_COLS) {
                    rc = hp_err_at(err, HP_EPARSE, name, (int)line_no, (int)i + 1,
                                   "more than %d columns", HP_CSV_MAX_COLS);
                    goto fail;
                }
                field[nf] = line + start;
                flen[nf] = i - start;
                nf++;
                start = i + 1;
            }
        }
        if (nf > HP_CSV_MAX_COLS) {
            rc = hp_err_at(err, HP_EPARSE, name, (int)line_no, 1, "more than %d columns",
                           HP_CSV_MAX_COLS);
            goto fail;
        }
        if (out->cols == 0)
            out->cols = nf;
        if (nf != out->cols) {
            rc = hp_err_at(err, HP_EPARSE, name, (int)line_no, 1, "%d column%s (expected %d)", nf,
                           nf == 1 ? "" : "s", out->cols);
            goto fail;
        }
        double v[HP_CSV_MAX_COLS];
        int bad = -1;
        for (int c = 0; c < nf; c++)
            if (parse_number(field[c], flen[c], &v[c]) < 0) {
                bad = c;
                break;
            }
        if (bad >= 0) {
            if (!seen_row && out->rows == 0 && !out->names[0][0]) {
                /* A header line: names, not numbers. */
                for (int c = 0; c < nf; c++)
                    snprintf(out->names[c], sizeof out->names[c], "%.*s",
                             (int)(flen[c] < 63 ? flen[c] : 63), field[c]);
                seen_row = true;
                continue;
            }
            int col = (int)(field[bad] - line) + 1;
            rc = hp_err_at(err, HP_EPARSE, name, (int)line_no, col,
                           "'%.*s' is not a number (column %d)",
                           (int)(flen[bad] < 40 ? flen[bad] : 40), field[bad], bad + 1);
            goto fail;
        }
        seen_row = true;
        if (out->rows >= HP_CSV_MAX_ROWS) {
            rc = hp_err_at(err, HP_ERANGE, name, (int)line_no, 1, "more than %u rows",
                           HP_CSV_MAX_ROWS);
            goto fail;
        }
        if (out->rows == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            double *nv = hp_realloc(out->values, ncap * (size_t)out->cols * sizeof *nv);
            if (!nv) {
                rc = hp_err_set(err, -ENOMEM, "out of memory");
                goto fail;
            }
            out->values = nv;
            cap = ncap;
        }
        memcpy(out->values + out->rows * (size_t)out->cols, v, (size_t)nf * sizeof *v);
        out->rows++;
    }
    return 0;
fail:
    hp_csv_fini(out);
    return rc;
}

int hp_csv_load(const char *path, int want_cols, struct hp_csv *out, struct hp_err *err)
{
    char *text = NULL;
    size_t len;
    int rc = hp_file_read(path, MAX_FILE_BYTES, &text, &len, err);
    if (rc < 0)
        return rc;
    rc = hp_csv_parse(text, len, path, want_cols, out, err);
    hp_free(text);
    return rc;
}

void hp_csv_fini(struct hp_csv *csv)
{
    hp_free(csv->values);
    memset(csv, 0, sizeof *csv);
}

void hp_csv_put(FILE *f, const char *field)
{
    if (!strpbrk(field, ",\"\r\n")) {
        fputs(field, f);
        return;
    }
    fputc('"', f);
    for (const char *c = field; *c; c++) {
        if (*c == '"')
            fputc('"', f);
        fputc(*c, f);
    }
    fputc('"', f);
}
