/* SPDX-License-Identifier: MIT */
/* core/alloc_test.h - TEST-ONLY hooks into core/alloc.c: inject allocation
 * failures and count live allocations. Never call these from product code. */
#ifndef HP_CORE_ALLOC_TEST_H
#define HP_CORE_ALLOC_TEST_H

#include <stdint.h>

/* Make the nth allocation from now (1-based) fail, and every one after it
 * while `sticky`. 0 turns injection off. */
void hp_alloc_fail_at(int64_t nth, int sticky);
/* Injected failures since the last hp_alloc_fail_at(). */
int64_t hp_alloc_failures(void);
/* Allocations made since the process started (successful ones). */
int64_t hp_alloc_count(void);
/* Allocations not yet freed. */
int64_t hp_alloc_live(void);

#endif
