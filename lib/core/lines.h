/* SPDX-License-Identifier: MIT */
/* core/lines.h - a text file a line at a time, however it is stored: plain,
 * gzip (zlib) or zstd (libzstd), told apart by their magic bytes, and "-" for
 * stdin (compressed or not). Memory stays constant in the file's size: one
 * block buffer, plus the one line that spans two blocks. */
#ifndef HP_CORE_LINES_H
#define HP_CORE_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define HP_LINES_BLOCK_BYTES (1024 * 1024)
#define HP_LINES_MAX_LINE_BYTES (64 * 1024 * 1024) /* a longer line is an error */

/* Called with each line, without its "\n"; the bytes are borrowed for the
 * call. A negative return stops the read and is returned. */
typedef int (*hp_line_fn)(void *ctx, const char *line, size_t len);

/* Read path line by line. 0; a negative errno with err naming the file (and
 * the line, for one over HP_LINES_MAX_LINE_BYTES or a corrupt stream); or
 * what fn returned. *bytes (may be NULL) gets the uncompressed size read. */
int hp_lines_read(const char *path, hp_line_fn fn, void *ctx, uint64_t *bytes, struct hp_err *err);

#endif
