/* SPDX-License-Identifier: MIT */
/* core/csv.h - numeric CSV tables (RFC 4180 without quoted fields): rows of
 * comma-separated numbers, an optional header line of names, '#' comments
 * and blank lines skipped. For measurement tables such as `N,X`; every
 * error names file:line:col and what was expected. Fuzzed in fuzz/csv.c. */
#ifndef HP_CORE_CSV_H
#define HP_CORE_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/err.h"

#define HP_CSV_MAX_COLS 16
#define HP_CSV_MAX_ROWS (10u * 1000 * 1000)

struct hp_csv {
    int cols;
    size_t rows;
    char names[HP_CSV_MAX_COLS][64]; /* "" when the file has no header */
    double *values;                  /* rows * cols, row-major */
};

/* Parse text (len bytes) named `name` in messages. Every row must have
 * `want_cols` columns (0: as many as the first row). */
int hp_csv_parse(const char *text, size_t len, const char *name, int want_cols,
                 struct hp_csv *out, struct hp_err *err);
int hp_csv_load(const char *path, int want_cols, struct hp_csv *out, struct hp_err *err);
void hp_csv_fini(struct hp_csv *csv);

/* Write one field for a CSV file: as it is, or quoted (RFC 4180) when it
 * holds a comma, a quote or a line break. */
void hp_csv_put(FILE *f, const char *field);

#endif
