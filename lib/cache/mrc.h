/* SPDX-License-Identifier: MIT */
/* cache/mrc.h - the LRU miss-ratio curve for every cache size in one pass:
 * Mattson et al.'s stack distances (1970), each found in O(log n) with a
 * Fenwick tree over the objects' last-access positions (renumbered when the
 * positions run out, so memory follows the objects, not the requests).
 *
 * Sampling for traces too large for that: SHARDS (Waldspurger et al., FAST
 * 2015) keeps the requests whose key hashes below a threshold; fixed rate
 * keeps a share R of the keys, fixed size at most S keys (lowering the
 * threshold as needed); distances are scaled by 1/R and the first bucket
 * corrected for the sample's size ("SHARDS-adj").
 *
 * Distances are counted in objects, or in bytes (the sizes of the distinct
 * objects met since the last access, plus the object's own): an LRU cache of
 * capacity C hits an access exactly when its distance is at most C. */
#ifndef HP_CACHE_MRC_H
#define HP_CACHE_MRC_H

#include <stdbool.h>
#include <stdint.h>

struct hp_mrc;

/* rate: 1 for exact, else SHARDS' fixed rate in (0, 1); max_keys > 0 for
 * fixed-size SHARDS (then rate is the starting rate). bytes: distances in
 * bytes. 0, -EINVAL, -ENOMEM. */
int hp_mrc_new(double rate, uint64_t max_keys, bool bytes, struct hp_mrc **out);
void hp_mrc_free(struct hp_mrc *m); /* NULL is fine */

/* One request. 0 or -ENOMEM. */
int hp_mrc_access(struct hp_mrc *m, uint64_t key, uint32_t size);

/* The miss ratio of an LRU cache of `capacity` (objects or bytes), over the
 * requests so far. */
double hp_mrc_miss_ratio(const struct hp_mrc *m, uint64_t capacity);

/* Requests seen (all, not only sampled); objects (sampled, scaled); the
 * working set (objects or bytes, scaled); the rate in use at the end. */
uint64_t hp_mrc_requests(const struct hp_mrc *m);
double hp_mrc_working_set(const struct hp_mrc *m);
double hp_mrc_rate(const struct hp_mrc *m);

#endif
