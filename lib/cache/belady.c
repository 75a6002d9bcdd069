/* SPDX-License-Identifier: MIT */
/* cache/belady.c - see belady.h. The cached objects sit in a max-heap by
 * next access; a table maps each key to its heap slot, so a hit can move
 * its object to its new next access in O(log n). */
#include "cache/belady.h"

#include <errno.h>
#include <string.h>

#include "core/alloc.h"
#include "core/u64map.h"

struct item {
    uint64_t key, next;
    uint32_t size;
};

struct hp_belady {
    uint64_t cap, used;
    bool bytes, bypass;
    struct item *heap; /* max-heap by next */
    uint32_t n;
    size_t hcap;
    struct hp_u64map map; /* key -> heap slot (the map keeps its keys: slots move) */
};

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    return k ^ (k >> 33);
}

int hp_belady_next(const uint64_t *keys, uint64_t n, uint64_t *next)
{
    uint64_t size = 1024;
    while (size < n * 2)
        size *= 2;
    uint64_t *tk = hp_malloc(size * sizeof *tk), *ti = hp_malloc(size * sizeof *ti);
    if (!tk || !ti) {
        hp_free(tk);
        hp_free(ti);
        return -ENOMEM;
    }
    memset(ti, 0xff, size * sizeof *ti); /* UINT64_MAX: an empty slot */
    for (uint64_t i = n; i-- > 0;) {
        uint64_t s = mix(keys[i]) & (size - 1);
        while (ti[s] != UINT64_MAX && tk[s] != keys[i])
            s = (s + 1) & (size - 1);
        next[i] = ti[s] == UINT64_MAX ? HP_BELADY_NEVER : ti[s];
        tk[s] = keys[i];
        ti[s] = i;
    }
    hp_free(tk);
    hp_free(ti);
    return 0;
}

int hp_belady_new(uint64_t capacity, bool bytes, bool bypass, struct hp_belady **out)
{
    if (capacity == 0)
        return -EINVAL;
    struct hp_belady *b = hp_calloc(1, sizeof *b);
    if (!b)
        return -ENOMEM;
    b->cap = capacity;
    b->bytes = bytes;
    b->bypass = bypass;
    if (hp_u64map_init(&b->map) < 0) {
        hp_free(b);
        return -ENOMEM;
    }
    *out = b;
    return 0;
}

void hp_belady_free(struct hp_belady *b)
{
    if (!b)
        return;
    hp_free(b->heap);
    hp_u64map_fini(&b->map);
    hp_free(b);
}

/* ---- the heap ----------------------------------------------------------- */

static void place(struct hp_belady *b, uint32_t i, struct item it)
{
    b->heap[i] = it;
    hp_u64map_put(&b->map, it.key, i); /* present already: never allocates */
}

static void sift_up(struct hp_belady *b, uint32_t i)
{
    struct item it = b->heap[i];
    while (i > 0) {
        uint32_t up = (i - 1) / 2;
        if (b->heap[up].next >= it.next)
            break;
        place(b, i, b->heap[up]);
        i = up;
    }
    place(b, i, it);
}

static void sift_down(struct hp_belady *b, uint32_t i)
{
    struct item it = b->heap[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= b->n)
            break;
        if (c + 1 < b->n && b->heap[c + 1].next > b->heap[c].next)
            c++;
        if (b->heap[c].next <= it.next)
            break;
        place(b, i, b->heap[c]);
        i = c;
    }
    place(b, i, it);
}

static void pop_top(struct hp_belady *b)
{
    b->used -= b->bytes ? b->heap[0].size : 1;
    hp_u64map_del(&b->map, b->heap[0].key);
    struct item last = b->heap[--b->n];
    if (b->n > 0) {
        b->heap[0] = last;
        sift_down(b, 0);
    }
}

bool hp_belady_access(struct hp_belady *b, uint64_t key, uint32_t size, uint64_t next)
{
    uint32_t i = hp_u64map_get(&b->map, key);
    if (i != HP_U64MAP_NONE) {
        b->heap[i].next = next; /* it was the next access: only later now */
        sift_down(b, i);
        sift_up(b, hp_u64map_get(&b->map, key));
        return true;
    }
    uint64_t need = b->bytes ? size : 1;
    if (need > b->cap)
        return false;
    if (b->bypass) {
        if (next == HP_BELADY_NEVER)
            return false; /* never needed again: admitting it could only cost */
        /* evict the furthest while the newcomer is needed sooner than it */
        while (b->used + need > b->cap) {
            if (b->heap[0].next <= next)
                return false; /* the newcomer is the furthest: not admitted */
            pop_top(b);
        }
    } else {
        while (b->used + need > b->cap) /* every miss admitted: the furthest cached goes */
            pop_top(b);
    }
    if (HP_GROW(b->heap, b->hcap, (size_t)b->n + 1, 1024) < 0)
        return false;
    if (hp_u64map_put(&b->map, key, b->n) < 0)
        return false;
    b->heap[b->n++] = (struct item){.key = key, .next = next, .size = size};
    sift_up(b, b->n - 1);
    b->used += need;
    return false;
}
