/* SPDX-License-Identifier: MIT */
/* core/units.h - parsing and printing of durations, sizes, rates and
 * percentages as people type them on a command line or in a file.
 *
 * Parsers take the whole string (no trailing junk), return 0 or HP_EPARSE /
 * HP_ERANGE and fill err with what was wrong and what was expected. Printers
 * use 3 significant digits and a unit ("1.23ms", "64.0KiB", "81.2k/s"). */
#ifndef HP_CORE_UNITS_H
#define HP_CORE_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* "250ms", "1m30s", "1.5s", "2h", "100us", "0". Units ns, us, ms, s, m, h;
 * components add up. A unit is required except for 0. */
int hp_parse_duration(const char *s, int64_t *out_ns, struct hp_err *err);
/* The same, where a bare number means bare_unit_ns each: wrk's "-d 30" is
 * seconds (HP_NS_PER_S), k6's threshold "p(95) < 200" milliseconds. */
int hp_parse_duration_bare(const char *s, int64_t bare_unit_ns, int64_t *out_ns,
                           struct hp_err *err);
/* A whole count as wrk writes it: "1000", "1k", "2.5k", "1M" (decimal). */
int hp_parse_count(const char *s, int64_t *out, struct hp_err *err);
/* "64KiB", "1.5MiB", "10MB", "512", "512B". Binary (KiB..TiB) and decimal
 * (kB..TB) prefixes; a bare number is bytes; "K"/"M" alone are refused as
 * ambiguous. Result rounded down to whole bytes. */
int hp_parse_size(const char *s, int64_t *out_bytes, struct hp_err *err);
/* "2k/s", "500/s", "100/m", "1.5k", "2000" (per second when no /unit).
 * Prefixes k, M, G are decimal; per-units ms, s, m, h. */
int hp_parse_rate(const char *s, double *out_per_s, struct hp_err *err);
/* "2%", "0.5%", or a fraction "0.02"; result is the fraction in [0, 1]. */
int hp_parse_percent(const char *s, double *out_fraction, struct hp_err *err);

/* A plain decimal number: "0.5", "12", no sign or exponent. */
int hp_parse_number(const char *s, double *out, struct hp_err *err);

/* The decimal digits of v at dst (up to 20 bytes, no NUL); returns the end.
 * For hot paths that build protocol text without snprintf. */
char *hp_put_u64(char *dst, uint64_t v);

/* Printers write into buf (>= 16 bytes is always enough) and return buf. */
char *hp_format_duration(int64_t ns, char *buf, size_t size);
char *hp_format_size(int64_t bytes, char *buf, size_t size);
char *hp_format_rate(double per_s, char *buf, size_t size);
/* A count for people: exact below 10,000, then 3 digits with k or M
 * ("9999", "12.3k", "4.5M"). */
char *hp_format_count(double n, char *buf, size_t size);

#endif
