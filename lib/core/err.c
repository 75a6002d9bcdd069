// SPDX-License-Identifier: MIT
/* core/err.c - error names and the error record. */
#include "core/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *hp_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
    case HP_EPARSE:
        return "syntax error";
    case HP_ERANGE:
        return "value out of range";
    case HP_EFORMAT:
        return "unsupported file format or version";
    case HP_EUSAGE:
        return "usage error";
    case HP_ETHRESHOLD:
        return "threshold failed";
    case HP_EINPUT:
        return "cannot read an input file";
    default:
        break;
    }
    if (code < 0 && code > -HP_EBASE)
        return strerror(-code); /* glibc: thread-safe for known codes */
    return "unknown error";
}

static int vset(struct hp_err *err, int code, const char *file, int line, int col,
                const char *fmt, va_list ap)
{
    if (!err)
        return code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->col = col;
    return code;
}

int hp_err_set(struct hp_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

int hp_err_at(struct hp_err *err, int code, const char *file, int line, int col, const char *fmt,
              ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, file, line, col, fmt, ap);
    va_end(ap);
    return code;
}

void hp_err_clear(struct hp_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

void hp_err_format(const struct hp_err *err, char *buf, size_t size)
{
    if (!err->file[0])
        snprintf(buf, size, "%s", err->msg);
    else if (err->line > 0 && err->col > 0)
        snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
    else if (err->line > 0)
        snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->msg);
    else
        snprintf(buf, size, "%s: %s", err->file, err->msg);
}

int hp_exit_code(int code)
{
    if (code >= 0)
        return HP_EXIT_OK;
    switch (code) {
    case HP_ETHRESHOLD:
        return HP_EXIT_THRESHOLD;
    case HP_EPARSE:
    case HP_ERANGE:
    case HP_EFORMAT:
    case HP_EUSAGE:
    case HP_EINPUT:
    case -EINVAL:
        return HP_EXIT_USAGE;
    default:
        return HP_EXIT_FAIL;
    }
}
