/* SPDX-License-Identifier: MIT */
/* core/err.h - error codes and the human-readable error record.
 * Failing functions return 0 or a negative code: a negative errno (-ENOMEM,
 * -EIO...) or one of HP_E* below. When a person will read the failure, the
 * function also fills a struct hp_err passed last (may be NULL). The library
 * never prints; the CLI prints hp_err_format() once. */
#ifndef HP_CORE_ERR_H
#define HP_CORE_ERR_H

#include <stddef.h>

enum {
    HP_EBASE = 10000,
    HP_EPARSE = -(HP_EBASE + 1),    /* input does not follow its grammar */
    HP_ERANGE = -(HP_EBASE + 2),    /* a value outside what is allowed */
    HP_EFORMAT = -(HP_EBASE + 3),   /* a file of the wrong kind or version */
    HP_EUSAGE = -(HP_EBASE + 4),    /* the command line is wrong */
    HP_ETHRESHOLD = -(HP_EBASE + 5), /* a threshold, budget or regression check failed */
    HP_EINPUT = -(HP_EBASE + 6)     /* an input file cannot be opened or read (exit 2) */
};

/* Exit codes of DESIGN.md. */
enum { HP_EXIT_OK = 0, HP_EXIT_FAIL = 1, HP_EXIT_USAGE = 2, HP_EXIT_THRESHOLD = 99 };

#define HP_ERR_MSG_MAX 512
#define HP_ERR_FILE_MAX 256

struct hp_err {
    char msg[HP_ERR_MSG_MAX];   /* "what was wrong (what was expected)" */
    char file[HP_ERR_FILE_MAX]; /* "" when not about a file */
    int line;                   /* 1-based; 0 when unknown */
    int col;                    /* 1-based; 0 when unknown */
};

/* Name of any code returned by the library: negative errno or HP_E*. */
const char *hp_strerror(int code);

/* Record a message with no location. err may be NULL. Returns `code` so
 * callers can `return hp_err_set(err, -EINVAL, "...")`. */
int hp_err_set(struct hp_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record a message at file:line:col (line/col 0 when unknown). */
int hp_err_at(struct hp_err *err, int code, const char *file, int line, int col, const char *fmt,
              ...) __attribute__((format(printf, 6, 7)));
void hp_err_clear(struct hp_err *err);

/* "FILE:LINE:COL: msg", "FILE: msg" or "msg" into buf (always terminated). */
void hp_err_format(const struct hp_err *err, char *buf, size_t size);

/* Map a library code to the exit code of DESIGN.md. */
int hp_exit_code(int code);

#endif
