/* SPDX-License-Identifier: MIT */
/* cache/policy.h - one cache of a given capacity and eviction policy,
 * simulated: each access says hit or miss, and a miss admits the object,
 * evicting as the policy says until it fits. Capacity is in objects or in
 * bytes. The variants, exactly (docs/internals/cache.md):
 *   LRU    least recently used goes; a hit moves to the front.
 *   FIFO   first in goes; hits change nothing.
 *   CLOCK  FIFO with one reference bit (second chance): a hit sets the bit;
 *          eviction looks from the oldest, and an object with its bit set
 *          has it cleared and goes to the front instead of out.
 *   SIEVE  (Zhang et al., NSDI 2024): a hit sets "visited"; a hand moves from
 *          the oldest toward the newest, clearing visited bits and evicting
 *          the first unvisited object; it stays where it stopped and wraps.
 *   S3FIFO (Yang et al., SOSP 2023), exactly as libCacheSim's S3FIFO.c: a
 *          small FIFO of (uint64)(0.10 x capacity), a main FIFO with
 *          reinsertion holding the rest, a ghost FIFO of keys and sizes of
 *          (uint64)(0.90 x capacity). A miss forgets its ghost; an object
 *          larger than the small queue is not admitted; a ghost's object
 *          joins the main queue, any other the small one unless as large as
 *          it. The main queue evicts while over its share or the small one is
 *          empty, else the small one: frequency >= 2 moves to main (frequency
 *          0), else it goes and becomes a ghost. Main: frequency >= 1 goes
 *          back to the front with min(frequency, 3) - 1, else out.
 *   2Q     (Johnson and Shasha, VLDB 1994, the full version): A1in, a FIFO
 *          for new objects (Kin = 25% of the capacity); A1out, a FIFO of the
 *          keys A1in evicted (Kout = 50%); Am, an LRU for objects requested
 *          again after leaving A1in (a ghost's key). A hit in A1in changes
 *          nothing. While A1in holds more than Kin its oldest goes (its key to
 *          A1out), else Am's least recently used goes.
 *   LFU    the object used least often while cached goes; of those, the one
 *          used least recently (counts start at 1 on admission and are
 *          forgotten on eviction: in-cache LFU, no history).
 *   ARC    (Megiddo and Modha, FAST 2003, Figure 4, p a real number): T1
 *          and T2 cached (seen once, seen again), B1 and B2 their ghosts,
 *          T1's target p adapting on ghost hits. With capacity in bytes the
 *          same rules with sizes: a ghost hit moves p by the object's size
 *          times the ghosts' ratio, and REPLACE repeats until it fits.
 *   WTINYLFU (Einziger et al., TOS 2017, as Caffeine lays it out): a 1%
 *          LRU window, then a segmented LRU (20% probation, 80% protected)
 *          admitting the window's oldest only if a count-min sketch (4 rows,
 *          4-bit counts, halved every 10 x width accesses) says it is used
 *          more often than probation's oldest, which it then evicts.
 * An object larger than the whole cache is never admitted (a miss each time).
 * O(1) per access (W-TinyLFU's sketch ageing aside, every 10 x width
 * requests); 40-75 bytes per cached object, ghosts included. Not
 * thread-safe. */
#ifndef HP_CACHE_POLICY_H
#define HP_CACHE_POLICY_H

#include <stdbool.h>
#include <stdint.h>

enum hp_cache_policy {
    HP_CACHE_LRU,
    HP_CACHE_FIFO,
    HP_CACHE_CLOCK,
    HP_CACHE_SIEVE,
    HP_CACHE_S3FIFO,
    HP_CACHE_2Q,
    HP_CACHE_LFU,
    HP_CACHE_ARC,
    HP_CACHE_WTINYLFU,
    HP_CACHE_NPOLICIES
};

struct hp_cache;

/* capacity: objects, or bytes when `bytes`. 0, -EINVAL (capacity 0), or
 * -ENOMEM. */
int hp_cache_new(enum hp_cache_policy policy, uint64_t capacity, bool bytes, struct hp_cache **out);
void hp_cache_free(struct hp_cache *c); /* NULL is fine */

/* One access: true on a hit. A miss admits the object (size bytes; 1 when
 * capacity is in objects). -ENOMEM turns into a miss that admits nothing. */
bool hp_cache_access(struct hp_cache *c, uint64_t key, uint32_t size);

/* The same at time `now` (the trace's clock): an object admitted with
 * ttl > 0 expires at now + ttl; asked for at or after that, it is removed
 * and the access is a miss that admits it again (lazy expiry: an expired
 * object keeps its room until it is asked for or evicted). */
bool hp_cache_access_ttl(struct hp_cache *c, uint64_t key, uint32_t size, int64_t now, int64_t ttl);

/* Remove key (a delete in the trace); true if it was cached. Ghosts stay. */
bool hp_cache_remove(struct hp_cache *c, uint64_t key);

/* fn(ctx, key) for each object as it leaves the cache: evicted (its key
 * may stay as a ghost), expired or deleted. NULL stops it. */
void hp_cache_on_leave(struct hp_cache *c, void (*fn)(void *ctx, uint64_t key), void *ctx);

uint64_t hp_cache_used(const struct hp_cache *c);    /* objects or bytes held */
uint64_t hp_cache_objects(const struct hp_cache *c); /* objects held */

const char *hp_cache_policy_name(enum hp_cache_policy p); /* "lru", ... */
int hp_cache_policy_parse(const char *name);              /* a policy, or -1 */

#endif
