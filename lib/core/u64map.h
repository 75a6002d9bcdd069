/* SPDX-License-Identifier: MIT */
/* core/u64map.h - a map from 64-bit keys to 32-bit values (indices):
 * open addressing with linear probing, keys kept in the slots, and
 * backward-shift deletion (no tombstones, so a long run of inserts and
 * deletes does not slow it down). Grows at half full. For the cache
 * simulators' hot paths: no allocation but when it grows. Not thread-safe. */
#ifndef HP_CORE_U64MAP_H
#define HP_CORE_U64MAP_H

#include <stdint.h>

#define HP_U64MAP_NONE UINT32_MAX

struct hp_u64slot {
    uint64_t key;
    uint32_t val; /* HP_U64MAP_NONE: a free slot */
};

struct hp_u64map {
    struct hp_u64slot *slots;
    uint32_t size; /* a power of two */
    uint32_t used;
};

/* 0 or -ENOMEM. */
int hp_u64map_init(struct hp_u64map *m);
void hp_u64map_fini(struct hp_u64map *m);

static inline uint32_t hp_u64map_home(const struct hp_u64map *m, uint64_t key)
{
    key ^= key >> 30; /* splitmix64's finaliser: keys are often sequential */
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return (uint32_t)key & (m->size - 1);
}

/* The value of key, or HP_U64MAP_NONE. */
static inline uint32_t hp_u64map_get(const struct hp_u64map *m, uint64_t key)
{
    for (uint32_t s = hp_u64map_home(m, key);; s = (s + 1) & (m->size - 1)) {
        const struct hp_u64slot *e = &m->slots[s];
        if (e->val == HP_U64MAP_NONE || e->key == key)
            return e->val;
    }
}

/* Set key's value (val != HP_U64MAP_NONE). 0, or -ENOMEM when growing failed
 * (nothing changed). */
int hp_u64map_put(struct hp_u64map *m, uint64_t key, uint32_t val);
/* Remove key if present. */
void hp_u64map_del(struct hp_u64map *m, uint64_t key);

#endif
