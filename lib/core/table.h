/* SPDX-License-Identifier: MIT */
/* core/table.h - text CSV tables (RFC 4180: quoted fields, "" inside
 * quotes, CRLF or LF) read with libcsv in strict mode: a header row of
 * column names, then rows of strings. The data files of load scenarios,
 * whose columns fill ${name} placeholders. Spaces around unquoted fields are
 * trimmed (libcsv's rule); quote a value to keep them. Errors name
 * file:line:col. Fuzzed in fuzz/table.c. */
#ifndef HP_CORE_TABLE_H
#define HP_CORE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define HP_TABLE_MAX_COLS 64
#define HP_TABLE_MAX_ROWS (10 * 1000 * 1000)
#define HP_TABLE_MAX_FIELD_BYTES 65535
#define HP_TABLE_MAX_BYTES (1024u * 1024 * 1024)

struct hp_table {
    int cols;
    int64_t rows;                  /* data rows, the header not counted */
    char *names[HP_TABLE_MAX_COLS];
    const char **cells;            /* rows * cols, row-major; NUL-terminated */
    uint32_t *lens;                /* rows * cols */
    uint32_t max_len[HP_TABLE_MAX_COLS];
    char *blob;                    /* the bytes the cells point into */
};

/* Parse text (len bytes) named `name` in messages. A header and at least one
 * row; every row as many fields as the header; names unique and non-empty. */
int hp_table_parse(const char *text, size_t len, const char *name, struct hp_table *out,
                   struct hp_err *err);
int hp_table_load(const char *path, struct hp_table *out, struct hp_err *err);
void hp_table_fini(struct hp_table *t); /* also after a failed parse */

#endif
