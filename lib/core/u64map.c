/* SPDX-License-Identifier: MIT */
/* core/u64map.c - see u64map.h. */
#include "core/u64map.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"

#define FIRST_SIZE 1024

static struct hp_u64slot *slots_new(uint32_t size)
{
    struct hp_u64slot *s = hp_malloc((size_t)size * sizeof *s);
    if (s)
        for (uint32_t i = 0; i < size; i++)
            s[i].val = HP_U64MAP_NONE;
    return s;
}

int hp_u64map_init(struct hp_u64map *m)
{
    m->slots = slots_new(FIRST_SIZE);
    m->size = FIRST_SIZE;
    m->used = 0;
    return m->slots ? 0 : -ENOMEM;
}

void hp_u64map_fini(struct hp_u64map *m)
{
    hp_free(m->slots);
    m->slots = NULL;
    m->size = m->used = 0;
}

static struct hp_u64slot *slot_of(struct hp_u64map *m, uint64_t key)
{
    uint32_t s = hp_u64map_home(m, key);
    while (m->slots[s].val != HP_U64MAP_NONE && m->slots[s].key != key)
        s = (s + 1) & (m->size - 1);
    return &m->slots[s];
}

static int grow(struct hp_u64map *m)
{
    if (m->size >= (UINT32_C(1) << 31))
        return -ENOMEM;
    struct hp_u64slot *old = m->slots, *fresh = slots_new(m->size * 2);
    if (!fresh)
        return -ENOMEM;
    uint32_t n = m->size;
    m->slots = fresh;
    m->size *= 2;
    for (uint32_t i = 0; i < n; i++)
        if (old[i].val != HP_U64MAP_NONE)
            *slot_of(m, old[i].key) = old[i];
    hp_free(old);
    return 0;
}

int hp_u64map_put(struct hp_u64map *m, uint64_t key, uint32_t val)
{
    struct hp_u64slot *e = slot_of(m, key);
    if (e->val != HP_U64MAP_NONE) {
        e->val = val;
        return 0;
    }
    if ((m->used + 1) * (uint64_t)2 > m->size) {
        if (grow(m) < 0)
            return -ENOMEM;
        e = slot_of(m, key);
    }
    e->key = key;
    e->val = val;
    m->used++;
    return 0;
}

void hp_u64map_del(struct hp_u64map *m, uint64_t key)
{
    uint32_t mask = m->size - 1, s = (uint32_t)(slot_of(m, key) - m->slots), j = s;
    if (m->slots[s].val == HP_U64MAP_NONE)
        return;
    m->slots[s].val = HP_U64MAP_NONE;
    m->used--;
    for (;;) {
        j = (j + 1) & mask;
        if (m->slots[j].val == HP_U64MAP_NONE)
            return;
        uint32_t home = hp_u64map_home(m, m->slots[j].key);
        /* move j back to the hole at s unless its home lies cyclically in (s, j] */
        bool stays = s <= j ? (s < home && home <= j) : (s < home || home <= j);
        if (!stays) {
            m->slots[s] = m->slots[j];
            m->slots[j].val = HP_U64MAP_NONE;
            s = j;
        }
    }
}
