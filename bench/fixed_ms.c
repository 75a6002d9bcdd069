// SPDX-License-Identifier: MIT
/* bench/fixed_ms.c - a command of fixed length for bench/bench_vs_hyperfine.sh:
 * it spins until MS milliseconds (default 5) have passed on CLOCK_MONOTONIC
 * since main() began, so that what two tools measure of it differs only by
 * what each adds. */
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double end = now() + (argc > 1 ? atof(argv[1]) : 5.0) / 1e3;
    while (now() < end)
        ;
    return 0;
}
