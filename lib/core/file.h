/* SPDX-License-Identifier: MIT */
/* core/file.h - whole-file reads with a ceiling, and atomic writes.
 * Every file hotpath writes goes through hp_file_write_atomic(): a reader
 * never sees half a document, even if hotpath is killed mid-write. */
#ifndef HP_CORE_FILE_H
#define HP_CORE_FILE_H

#include <stddef.h>

#include "core/err.h"

/* Read all of path ("-" is stdin) into a NUL-terminated buffer of at most
 * max_bytes. Sets *out (free with hp_free) and *len (may be NULL).
 * Errors: negative errno, or -EFBIG when the file is larger than max_bytes. */
int hp_file_read(const char *path, size_t max_bytes, char **out, size_t *len,
                 struct hp_err *err);

/* Write len bytes to path atomically: a temporary file in the same directory,
 * fsync, then rename over path. "-" writes to stdout (not atomic). */
int hp_file_write_atomic(const char *path, const void *data, size_t len, struct hp_err *err);

/* Raise this process's open-file limit (RLIMIT_NOFILE) towards want, as far
 * as the hard limit allows. Returns the soft limit now in force. */
long hp_fd_limit_raise(long want);

#endif
