// SPDX-License-Identifier: MIT
/* core/units.c - human units in and out. Hand-written because no Debian
 * library parses "1m30s" or "64KiB" with errors a person can act on. */
#include "core/units.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"

/* A plain decimal number: digits, optionally '.' and digits. No sign, no
 * exponent, no whitespace: what people type. Sets *end past it. */
static bool scan_number(const char *s, double *out, const char **end)
{
    const char *p = s;
    double v = 0.0;
    int digits = 0;

    while (*p >= '0' && *p <= '9') {
        v = v * 10.0 + (*p - '0');
        p++;
        digits++;
    }
    if (*p == '.') {
        double scale = 0.1;
        p++;
        while (*p >= '0' && *p <= '9') {
            v += (*p - '0') * scale;
            scale /= 10.0;
            p++;
            digits++;
        }
    }
    if (digits == 0)
        return false;
    *out = v;
    *end = p;
    return true;
}

struct unit {
    const char *name;
    double scale;
};

/* Longest-match lookup of a unit name at the start of s. */
static const struct unit *match_unit(const struct unit *units, const char *s, size_t *len)
{
    const struct unit *best = NULL;
    size_t best_len = 0;
    for (const struct unit *u = units; u->name; u++) {
        size_t n = strlen(u->name);
        if (n > best_len && strncmp(s, u->name, n) == 0) {
            best = u;
            best_len = n;
        }
    }
    *len = best_len;
    return best;
}

static const struct unit duration_units[] = {
    {"ns", 1.0},   {"us", 1e3},   {"\xc2\xb5s", 1e3}, {"ms", 1e6},
    {"s", 1e9},    {"m", 60e9},   {"min", 60e9},      {"h", 3600e9}, {NULL, 0},
};

int hp_parse_duration(const char *s, int64_t *out_ns, struct hp_err *err)
{
    const char *p = s;
    double total = 0.0;

    if (strcmp(s, "0") == 0) {
        *out_ns = 0;
        return 0;
    }
    if (!*s)
        return hp_err_set(err, HP_EPARSE, "empty duration (expected e.g. 250ms, 30s, 1m30s)");
    while (*p) {
        double v;
        size_t ulen;
        const char *num_end;
        if (!scan_number(p, &v, &num_end))
            return hp_err_set(err, HP_EPARSE,
                              "'%s': expected a number at '%s' (durations look like 250ms, 1m30s)",
                              s, p);
        const struct unit *u = match_unit(duration_units, num_end, &ulen);
        if (!u) {
            if (!*num_end)
                return hp_err_set(err, HP_EPARSE,
                                  "'%s': missing unit (expected ns, us, ms, s, m or h, as in %ss)",
                                  s, s);
            return hp_err_set(err, HP_EPARSE,
                              "'%s': unknown unit '%s' (expected ns, us, ms, s, m or h)", s,
                              num_end);
        }
        total += v * u->scale;
        p = num_end + ulen;
    }
    if (!(total < 9.2e18))
        return hp_err_set(err, HP_ERANGE, "'%s': duration too long", s);
    *out_ns = (int64_t)llround(total);
    return 0;
}

int hp_parse_duration_bare(const char *s, int64_t bare_unit_ns, int64_t *out_ns,
                           struct hp_err *err)
{
    double v;
    const char *end;
    if (scan_number(s, &v, &end) && *end == '\0') {
        if (!(v * (double)bare_unit_ns < 9.2e18))
            return hp_err_set(err, HP_ERANGE, "'%s': duration too long", s);
        *out_ns = (int64_t)llround(v * (double)bare_unit_ns);
        return 0;
    }
    return hp_parse_duration(s, out_ns, err);
}

int hp_parse_count(const char *s, int64_t *out, struct hp_err *err)
{
    double v, scale = 1;
    const char *end;
    if (!scan_number(s, &v, &end))
        return hp_err_set(err, HP_EPARSE, "'%s' is not a whole number", s);
    if (*end == 'k' || *end == 'K')
        scale = 1e3, end++;
    else if (*end == 'M')
        scale = 1e6, end++;
    else if (*end == 'G')
        scale = 1e9, end++;
    double n = v * scale;
    if (*end || n != floor(n))
        return hp_err_set(err, HP_EPARSE, "'%s' is not a whole number (1000, 1k, 2.5k, 1M)", s);
    if (!(n < 9.2e18))
        return hp_err_set(err, HP_ERANGE, "'%s' is too large", s);
    *out = (int64_t)n;
    return 0;
}

static const struct unit size_units[] = {
    {"B", 1.0},           {"KiB", 1024.0},      {"MiB", 1048576.0},  {"GiB", 1073741824.0},
    {"TiB", 1099511627776.0}, {"kB", 1e3},      {"KB", 1e3},         {"MB", 1e6},
    {"GB", 1e9},          {"TB", 1e12},         {NULL, 0},
};

int hp_parse_size(const char *s, int64_t *out_bytes, struct hp_err *err)
{
    double v;
    const char *end;
    size_t ulen = 0;
    double scale = 1.0;

    if (!scan_number(s, &v, &end))
        return hp_err_set(err, HP_EPARSE, "'%s': expected a size such as 512, 64KiB or 10MB", s);
    if (*end) {
        const struct unit *u = match_unit(size_units, end, &ulen);
        if (!u || end[ulen]) {
            if (strchr("kKmMgGtT", end[0]) && (!end[1] || end[1] == 'i' || end[1] == 'b'))
                return hp_err_set(err, HP_EPARSE,
                                  "'%s': ambiguous unit '%s' (expected KiB, MiB, GiB for powers "
                                  "of 1024 or kB, MB, GB for powers of 1000)",
                                  s, end);
            return hp_err_set(err, HP_EPARSE,
                              "'%s': unknown unit '%s' (expected B, KiB, MiB, GiB, TiB, kB, MB, "
                              "GB or TB)",
                              s, end);
        }
        scale = u->scale;
    }
    double bytes = floor(v * scale);
    if (!(bytes < 9.2e18))
        return hp_err_set(err, HP_ERANGE, "'%s': size too large", s);
    *out_bytes = (int64_t)bytes;
    return 0;
}

static const struct unit rate_prefixes[] = {{"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {NULL, 0}};
static const struct unit per_units[] = {
    {"ms", 1e-3}, {"s", 1.0}, {"m", 60.0}, {"min", 60.0}, {"h", 3600.0}, {NULL, 0},
};

int hp_parse_rate(const char *s, double *out_per_s, struct hp_err *err)
{
    double v;
    const char *p;
    size_t len;

    if (!scan_number(s, &v, &p))
        return hp_err_set(err, HP_EPARSE, "'%s': expected a rate such as 2000, 2k/s or 100/m", s);
    const struct unit *pre = match_unit(rate_prefixes, p, &len);
    if (pre) {
        v *= pre->scale;
        p += len;
    }
    if (*p == '/') {
        const struct unit *u = match_unit(per_units, p + 1, &len);
        if (!u || p[1 + len])
            return hp_err_set(err, HP_EPARSE,
                              "'%s': unknown time unit '%s' (expected /s, /m, /h or /ms)", s,
                              p + 1);
        v /= u->scale;
    } else if (*p) {
        return hp_err_set(err, HP_EPARSE,
                          "'%s': unexpected '%s' (rates look like 2000, 2k/s or 100/m)", s, p);
    }
    *out_per_s = v;
    return 0;
}

int hp_parse_percent(const char *s, double *out_fraction, struct hp_err *err)
{
    double v;
    const char *end;

    if (!scan_number(s, &v, &end))
        return hp_err_set(err, HP_EPARSE, "'%s': expected a percentage such as 2%% or 0.5%%", s);
    if (strcmp(end, "%") == 0) {
        if (v > 100.0)
            return hp_err_set(err, HP_ERANGE, "'%s': a percentage above 100%%", s);
        *out_fraction = v / 100.0;
        return 0;
    }
    if (*end)
        return hp_err_set(err, HP_EPARSE, "'%s': unexpected '%s' (expected e.g. 2%% or 0.02)", s,
                          end);
    if (v > 1.0)
        return hp_err_set(err, HP_EPARSE,
                          "'%s': a bare number must be a fraction in [0, 1]; did you mean %s%%?",
                          s, s);
    *out_fraction = v;
    return 0;
}

int hp_parse_number(const char *s, double *out, struct hp_err *err)
{
    const char *end;
    if (!scan_number(s, out, &end) || *end)
        return hp_err_set(err, HP_EPARSE, "'%s': expected a number such as 0.5 or 12", s);
    return 0;
}

/* Print v (>= 0) with 3 significant digits and the unit. Returns false when
 * rounding carried it to 1000 so the caller can step to the next unit. */
static bool sig3(double v, const char *unit, char *buf, size_t size)
{
    int decimals = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
    if (v >= 999.5)
        return false;
    snprintf(buf, size, "%.*f%s", decimals, v, unit);
    return true;
}

char *hp_format_duration(int64_t ns, char *buf, size_t size)
{
    static const struct unit steps[] = {
        {"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {NULL, 0},
    };
    const char *sign = ns < 0 ? "-" : "";
    double v = fabs((double)ns);
    char tmp[32];

    if (ns == 0) {
        snprintf(buf, size, "0s");
        return buf;
    }
    if (v < 1000.0) {
        snprintf(buf, size, "%s%.0fns", sign, v);
        return buf;
    }
    for (const struct unit *u = steps + 1; u->name; u++) {
        if (sig3(v / u->scale, u->name, tmp, sizeof tmp)) {
            snprintf(buf, size, "%s%s", sign, tmp);
            return buf;
        }
    }
    /* 1000s and longer: minutes, then hours, still 3 significant digits;
     * "min", since "707m" reads as milli. */
    if (v < 59.95 * 60e9 && sig3(v / 60e9, "min", tmp, sizeof tmp)) {
        snprintf(buf, size, "%s%s", sign, tmp);
        return buf;
    }
    if (!sig3(v / 3600e9, "h", tmp, sizeof tmp))
        snprintf(tmp, sizeof tmp, "%.0fh", v / 3600e9);
    snprintf(buf, size, "%s%s", sign, tmp);
    return buf;
}

char *hp_format_size(int64_t bytes, char *buf, size_t size)
{
    static const char *names[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)bytes;

    if (bytes < 1024) {
        snprintf(buf, size, "%" PRId64 "B", bytes);
        return buf;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        v /= 1024.0;
        if (sig3(v, names[i], buf, size))
            return buf;
        if (v < 1024.0) { /* 999.5..1023.9 rounds to 3 digits as 1000+ */
            snprintf(buf, size, "%.0f%s", v, names[i]);
            return buf;
        }
    }
    snprintf(buf, size, "%.0fEiB", v);
    return buf;
}

char *hp_format_rate(double per_s, char *buf, size_t size)
{
    static const struct unit steps[] = {
        {"/s", 1.0}, {"k/s", 1e3}, {"M/s", 1e6}, {"G/s", 1e9}, {NULL, 0},
    };
    if (per_s < 1.0) {
        snprintf(buf, size, "%.3g/s", per_s);
        return buf;
    }
    for (const struct unit *u = steps; u->name; u++)
        if (sig3(per_s / u->scale, u->name, buf, size))
            return buf;
    snprintf(buf, size, "%.3gG/s", per_s / 1e9);
    return buf;
}

char *hp_format_count(double n, char *buf, size_t size)
{
    if (n >= 1e6)
        snprintf(buf, size, "%.3gM", n / 1e6);
    else if (n >= 1e4)
        snprintf(buf, size, "%.3gk", n / 1e3);
    else
        snprintf(buf, size, "%.0f", n);
    return buf;
}

char *hp_put_u64(char *dst, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *dst++ = tmp[--n];
    return dst;
}
