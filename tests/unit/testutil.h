/* SPDX-License-Identifier: MIT */
/* tests/unit/testutil.h - helpers shared by the cmocka unit tests. */
#ifndef HP_TESTUTIL_H
#define HP_TESTUTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/alloc_test.h"

/* |actual - expected| <= max(rel * |expected|, abs). cmocka's float asserts
 * round to float; this one stays in double. */
#define assert_close(actual, expected, rel, abs_) \
    assert_close_impl((actual), (expected), (rel), (abs_), #actual, __FILE__, __LINE__)

static inline void assert_close_impl(double a, double e, double rel, double abs_, const char *expr,
                                     const char *file, int line)
{
    double tol = fabs(e) * rel;
    if (tol < abs_)
        tol = abs_;
    if (!(fabs(a - e) <= tol)) {
        fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g (tolerance %.3g)\n", file, line,
                expr, a, e, tol);
        _fail(file, line);
    }
}

/* Run `body` with allocation n failing for n = 1, 2, ... until no injected
 * failure fires (then it must succeed); body returns < 0 on failure and must
 * free everything either way. Checks nothing leaks on any path. */
#define ALLOC_SWEEP(body)                                                        \
    do {                                                                         \
        for (int64_t nth_ = 1; nth_ < 100000; nth_++) {                          \
            int64_t live_ = hp_alloc_live();                                     \
            hp_alloc_fail_at(nth_, 0);                                           \
            int rc_ = (body);                                                    \
            int64_t fired_ = hp_alloc_failures();                                \
            hp_alloc_fail_at(0, 0);                                              \
            assert_int_equal(hp_alloc_live(), live_);                            \
            if (fired_ == 0) {                                                   \
                assert_true(rc_ >= 0);                                           \
                break;                                                           \
            }                                                                    \
        }                                                                        \
    } while (0)

/* Write len bytes to path, failing the test on any error. */
static inline void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

#endif
