/* SPDX-License-Identifier: MIT */
/* cache/belady.h - Belady's offline optimum (MIN, 1966). Two variants:
 *   belady         every miss is admitted; with the cache full, the cached
 *                  object next needed furthest in the future leaves, until
 *                  the new one fits. Exactly libCacheSim's Belady.c (the same
 *                  heap, so the same choice among objects never needed
 *                  again): the optimum of caches that admit every miss, as
 *                  every policy here does, so their lower bound.
 *   belady-bypass  the new object competes too: if it is needed furthest
 *                  (or never again) it is not admitted. The optimum when a
 *                  cache may decline to admit, below plain belady.
 * It needs each request's next access time: hp_belady_next() finds them in
 * one backward pass over a trace held in memory. With capacity in objects
 * each is optimal; in bytes the same rule (evict furthest until the object
 * fits) is the customary approximation, not an optimum. Not thread-safe. */
#ifndef HP_CACHE_BELADY_H
#define HP_CACHE_BELADY_H

#include <stdbool.h>
#include <stdint.h>

#define HP_BELADY_NEVER UINT64_MAX /* not requested again */

/* next[i] = the index of the next request of keys[i] after i, or
 * HP_BELADY_NEVER. 0 or -ENOMEM. */
int hp_belady_next(const uint64_t *keys, uint64_t n, uint64_t *next);

struct hp_belady;

/* 0, -EINVAL, -ENOMEM */
int hp_belady_new(uint64_t capacity, bool bytes, bool bypass, struct hp_belady **out);
void hp_belady_free(struct hp_belady *b);                                 /* NULL is fine */
/* Request i (in order) of key, needed next at `next`: true on a hit. */
bool hp_belady_access(struct hp_belady *b, uint64_t key, uint32_t size, uint64_t next);

#endif
