// SPDX-License-Identifier: MIT
/* tests/integration/bench_helper.c - commands of known behaviour for the
 * bench tests:
 *   bench_helper spin N [SLOW_EVERY COUNTER]  N million steps of an LCG; with
 *       a counter file, every SLOW_EVERY-th call (counted in the file) does
 *       fifty times the work
 *   bench_helper touch MIB      allocate MIB MiB and write every page
 *   bench_helper exit CODE [EVERY COUNTER]  exit CODE (every EVERY-th call
 *       only, else 0)
 *   bench_helper log FILE NAME  append NAME and a newline to FILE
 *   bench_helper cat            copy standard input to standard output */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile uint64_t sink;

/* The call's number, counted in a file (calls are one after another). */
static long bump(const char *path)
{
    long n = 0;
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%ld", &n) != 1)
            n = 0;
        fclose(f);
    }
    f = fopen(path, "w");
    if (!f)
        exit(125);
    fprintf(f, "%ld\n", ++n);
    fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "spin") == 0) {
        uint64_t n = strtoull(argv[2], NULL, 10) * 1000000;
        if (argc >= 5 && bump(argv[4]) % strtol(argv[3], NULL, 10) == 0)
            n *= 50;
        uint64_t x = 1;
        for (uint64_t i = 0; i < n; i++)
            x = x * 6364136223846793005ULL + i;
        sink = x;
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "touch") == 0) {
        size_t bytes = strtoull(argv[2], NULL, 10) << 20;
        volatile char *p = malloc(bytes);
        if (!p)
            return 1;
        for (size_t i = 0; i < bytes; i += 4096)
            p[i] = 1;
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "exit") == 0) {
        int code = atoi(argv[2]);
        if (argc >= 5 && bump(argv[4]) % strtol(argv[3], NULL, 10) != 0)
            code = 0;
        return code;
    }
    if (argc >= 4 && strcmp(argv[1], "log") == 0) {
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd < 0)
            return 1;
        dprintf(fd, "%s\n", argv[3]);
        close(fd);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "cat") == 0) {
        char buf[4096];
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0)
            if (write(1, buf, (size_t)n) != n)
                return 1;
        return 0;
    }
    fprintf(stderr, "bench_helper: spin|touch|exit|log|cat ...\n");
    return 2;
}
