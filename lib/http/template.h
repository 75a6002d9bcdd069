/* SPDX-License-Identifier: MIT */
/* http/template.h - text with ${name} placeholders, filled from a row of
 * values (a data file's columns) into a caller's buffer. Parsed once; the
 * render is a copy of segments, no allocation, no formatting. "$${" writes
 * a literal "${". Not a general template language: no expressions. */
#ifndef HP_HTTP_TEMPLATE_H
#define HP_HTTP_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define HP_TEMPLATE_MAX_SEGS 256

struct hp_tseg {
    uint32_t off, len; /* literal: text[off..off+len) */
    int var;           /* >= 0: the value of this variable instead */
};

struct hp_template {
    char *text;
    struct hp_tseg *segs;
    int n;
    size_t literal_len; /* bytes of literal text */
    bool has_vars;
};

/* Parse src[0..len) against the variable names vars[0..n_vars). An unknown
 * ${name}, an unclosed ${ or too many segments is HP_EPARSE with err->col
 * (1-based offset in src) and the nearest known name. Free with
 * hp_template_fini (also after a failure). */
int hp_template_parse(const char *src, size_t len, const char *const *vars, int n_vars,
                      struct hp_template *out, struct hp_err *err);
void hp_template_fini(struct hp_template *t);

/* Bytes the render takes with values of these lengths. */
size_t hp_template_length(const struct hp_template *t, const uint32_t *value_lens);
/* Render into dst (room for hp_template_length bytes); returns the length.
 * values[i] of value_lens[i] bytes is variable i. */
size_t hp_template_render(const struct hp_template *t, const char *const *values,
                          const uint32_t *value_lens, char *dst);

#endif
