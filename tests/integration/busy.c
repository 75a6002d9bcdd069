// SPDX-License-Identifier: MIT
/* tests/integration/busy.c - a CPU-bound program for the profiler and
 * monitor tests, built with frame pointers:
 *   busy 80 SECONDS    about 80% of the time in hot(), 20% in warm()
 *   busy spin SECONDS  one busy loop (100% of a CPU)
 *   busy work ROUNDS   a fixed amount of work, 80% in hot() (benchmarks time it) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile uint64_t sink;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The same work in two functions, so each holds its own samples. */
__attribute__((noinline)) static void hot(uint64_t n)
{
    uint64_t x = sink;
    for (uint64_t i = 0; i < n; i++)
        x = x * 6364136223846793005ULL + i;
    sink = x;
}

__attribute__((noinline)) static void warm(uint64_t n)
{
    uint64_t x = sink;
    for (uint64_t i = 0; i < n; i++)
        x = x * 6364136223846793005ULL + i;
    sink = x;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: busy 80|spin SECONDS, or busy work ROUNDS\n");
        return 2;
    }
    double secs = atof(argv[2]), t0 = now();
    if (strcmp(argv[1], "work") == 0) {
        long rounds = atol(argv[2]);
        for (long r = 0; r < rounds; r++) {
            hot(400000);
            warm(100000);
        }
        return 0;
    }
    if (strcmp(argv[1], "spin") == 0) {
        while (now() - t0 < secs)
            hot(100000);
        return 0;
    }
    /* how many iterations make a millisecond */
    uint64_t n = 100000;
    double a = now();
    warm(n);
    double per_ms = (double)n / ((now() - a) * 1e3);
    uint64_t ms = per_ms > 1 ? (uint64_t)per_ms : 1;
    while (now() - t0 < secs) {
        hot(4 * ms);
        warm(ms);
    }
    return 0;
}
