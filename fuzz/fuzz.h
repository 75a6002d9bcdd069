/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz.h - every harness defines LLVMFuzzerTestOneInput; built with
 * libFuzzer (make fuzz) or with fuzz/replay.c as a corpus replayer that runs
 * in make check. */
#ifndef HP_FUZZ_H
#define HP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed invariant: abort so both libFuzzer and the replayer report it. */
#define FUZZ_ASSERT(cond)                                                          \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                               \
        }                                                                          \
    } while (0)

#endif
