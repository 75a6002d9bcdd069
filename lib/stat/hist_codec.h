/* SPDX-License-Identifier: MIT */
/* stat/hist_codec.h - HdrHistogram's V2 compressed encoding, base64 text.
 *
 * This is the "Interval_Compressed_Histogram" column of .hlog files and the
 * histogram field of hotpath result documents: a 40-byte big-endian header
 * (cookie 0x1c849313, payload length, normalizing offset, significant digits,
 * lowest, highest, conversion ratio), then counts as ZigZag LEB128 varints
 * where a negative number n stands for -n empty buckets; deflated with zlib
 * behind an 8-byte header (cookie 0x1c849314, compressed length), and base64.
 * Documented in docs/result-format.md. */
#ifndef HP_STAT_HIST_CODEC_H
#define HP_STAT_HIST_CODEC_H

#include <stddef.h>

#include "core/err.h"
#include "stat/hist.h"

/* Ceiling on the base64 text hp_hist_decode accepts. */
#define HP_HIST_CODEC_MAX_B64 (64u * 1024 * 1024)

/* Encode h. Sets *out to a NUL-terminated base64 string (free with hp_free).
 * Returns 0 or -ENOMEM / -EIO. */
int hp_hist_encode(const struct hp_hist *h, char **out);

/* Decode base64 text of len bytes into a new histogram with the layout the
 * text names. Returns 0 and sets *out, or HP_EFORMAT / HP_EPARSE / -ENOMEM
 * with err saying what was wrong. */
int hp_hist_decode(const char *b64, size_t len, struct hp_hist **out, struct hp_err *err);

/* The uncompressed V2 payload (header + varint counts) of h, for tests that
 * compare with another implementation byte for byte. Free with hp_free. */
int hp_hist_encode_raw(const struct hp_hist *h, unsigned char **out, size_t *len);

#endif
