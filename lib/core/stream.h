/* SPDX-License-Identifier: MIT */
/* core/stream.h - the bytes of a file however it is stored: plain, gzip
 * (zlib) or zstd (libzstd), told apart by their magic bytes; "-" is stdin,
 * compressed or not. Not seekable. */
#ifndef HP_CORE_STREAM_H
#define HP_CORE_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

struct hp_stream;

/* 0, or a negative errno with err naming the file. Close with
 * hp_stream_close(). */
int hp_stream_open(const char *path, struct hp_stream **out, struct hp_err *err);
/* Up to n uncompressed bytes into buf: the count, 0 at the end, a negative
 * errno, or -EBADMSG for corrupt or cut-short compressed data. */
ssize_t hp_stream_read(struct hp_stream *s, void *buf, size_t n);
void hp_stream_close(struct hp_stream *s); /* NULL is fine */

#endif
