/* SPDX-License-Identifier: MIT */
/* report/section_int.h - private to lib/report/: the error plumbing every
 * section builder shares. Each adder returns 0 or a negative code, and a
 * builder gives up at the first one. */
#ifndef HP_REPORT_SECTION_INT_H
#define HP_REPORT_SECTION_INT_H

#include <errno.h>

/* Return the first error of expr. */
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        int try_rc_ = (expr);                                                                      \
        if (try_rc_ < 0)                                                                           \
            return try_rc_;                                                                        \
    } while (0)
/* A constructor that returns NULL only when memory ran out. */
#define NEED(p)                                                                                    \
    do {                                                                                           \
        if (!(p))                                                                                  \
            return -ENOMEM;                                                                        \
    } while (0)

#endif
