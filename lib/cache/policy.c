/* SPDX-License-Identifier: MIT */
/* cache/policy.c - see policy.h. Objects are nodes in one array (indices,
 * not pointers, so it can grow), on one doubly linked list from the newest
 * (head) to the oldest (tail), found through an open-addressing table of
 * node indices with linear probing and backward-shift deletion (no
 * tombstones, so long traces do not slow it down). */
#include "cache/policy.h"

#include <errno.h>
#include <string.h>

#include "core/alloc.h"

#define NIL UINT32_MAX
#define MAX_NODES (UINT32_MAX - 1)

struct node {
    uint64_t key;
    uint32_t size;
    uint32_t prev; /* toward the head: newer */
    uint32_t next; /* toward the tail: older; or the next free node */
    uint8_t bit;   /* CLOCK's reference bit, SIEVE's visited */
};

struct hp_cache {
    enum hp_cache_policy policy;
    bool bytes;
    uint64_t cap, used, nobj;
    struct node *nodes;
    uint32_t ncap, nmade, free_head;
    uint32_t *table; /* node index + 1; 0 is empty */
    uint32_t tsize;  /* a power of two */
    uint32_t head, tail, hand;
};

static const char *const names[] = {"lru", "fifo", "clock", "sieve"};

const char *hp_cache_policy_name(enum hp_cache_policy p)
{
    return p < HP_CACHE_NPOLICIES ? names[p] : "?";
}

int hp_cache_policy_parse(const char *name)
{
    for (int i = 0; i < HP_CACHE_NPOLICIES; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* splitmix64's finaliser: trace keys are often sequential integers. */
static inline uint32_t slot_of(const struct hp_cache *c, uint64_t key)
{
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return (uint32_t)key & (c->tsize - 1);
}

int hp_cache_new(enum hp_cache_policy policy, uint64_t capacity, bool bytes, struct hp_cache **out)
{
    if (capacity == 0 || policy >= HP_CACHE_NPOLICIES)
        return -EINVAL;
    struct hp_cache *c = hp_calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->policy = policy;
    c->bytes = bytes;
    c->cap = capacity;
    c->head = c->tail = c->hand = c->free_head = NIL;
    c->tsize = 1024;
    c->table = hp_calloc(c->tsize, sizeof *c->table);
    if (!c->table) {
        hp_free(c);
        return -ENOMEM;
    }
    *out = c;
    return 0;
}

void hp_cache_free(struct hp_cache *c)
{
    if (!c)
        return;
    hp_free(c->nodes);
    hp_free(c->table);
    hp_free(c);
}

uint64_t hp_cache_used(const struct hp_cache *c)
{
    return c->used;
}

uint64_t hp_cache_objects(const struct hp_cache *c)
{
    return c->nobj;
}

/* ---- the table --------------------------------------------------------- */

static uint32_t find(const struct hp_cache *c, uint64_t key, uint32_t *slot)
{
    uint32_t s = slot_of(c, key);
    for (uint32_t k; (k = c->table[s]) != 0; s = (s + 1) & (c->tsize - 1))
        if (c->nodes[k - 1].key == key) {
            *slot = s;
            return k - 1;
        }
    *slot = s;
    return NIL;
}

static void table_put(uint32_t *table, uint32_t tsize, const struct hp_cache *c, uint32_t i)
{
    uint32_t s = slot_of(c, c->nodes[i].key) & (tsize - 1);
    while (table[s])
        s = (s + 1) & (tsize - 1);
    table[s] = i + 1;
}

static int table_grow(struct hp_cache *c)
{
    uint32_t size = c->tsize * 2;
    uint32_t *t = hp_calloc(size, sizeof *t);
    if (!t)
        return -ENOMEM;
    uint32_t old = c->tsize;
    c->tsize = size; /* slot_of masks with the new size */
    for (uint32_t s = 0; s < old; s++)
        if (c->table[s])
            table_put(t, size, c, c->table[s] - 1);
    hp_free(c->table);
    c->table = t;
    return 0;
}

/* Remove the entry at slot s, shifting later entries of its run back. */
static void table_del(struct hp_cache *c, uint32_t s)
{
    uint32_t mask = c->tsize - 1, j = s;
    c->table[s] = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!c->table[j])
            return;
        uint32_t home = slot_of(c, c->nodes[c->table[j] - 1].key);
        /* move j back to s unless its home lies cyclically in (s, j] */
        bool stays = s <= j ? (s < home && home <= j) : (s < home || home <= j);
        if (!stays) {
            c->table[s] = c->table[j];
            c->table[j] = 0;
            s = j;
        }
    }
}

/* ---- the list ---------------------------------------------------------- */

static void unlink_node(struct hp_cache *c, uint32_t i)
{
    struct node *n = &c->nodes[i];
    if (n->prev != NIL)
        c->nodes[n->prev].next = n->next;
    else
        c->head = n->next;
    if (n->next != NIL)
        c->nodes[n->next].prev = n->prev;
    else
        c->tail = n->prev;
}

static void push_front(struct hp_cache *c, uint32_t i)
{
    struct node *n = &c->nodes[i];
    n->prev = NIL;
    n->next = c->head;
    if (c->head != NIL)
        c->nodes[c->head].prev = i;
    c->head = i;
    if (c->tail == NIL)
        c->tail = i;
}

static void evict_one(struct hp_cache *c)
{
    uint32_t v = c->tail;
    if (c->policy == HP_CACHE_CLOCK) {
        while (c->nodes[v].bit) { /* second chance: to the front, bit cleared */
            c->nodes[v].bit = 0;
            unlink_node(c, v);
            push_front(c, v);
            v = c->tail;
        }
    } else if (c->policy == HP_CACHE_SIEVE) {
        v = c->hand != NIL ? c->hand : c->tail;
        while (c->nodes[v].bit) {
            c->nodes[v].bit = 0;
            v = c->nodes[v].prev != NIL ? c->nodes[v].prev : c->tail;
        }
        c->hand = c->nodes[v].prev; /* NIL: start again from the tail */
    }
    uint32_t slot;
    find(c, c->nodes[v].key, &slot);
    table_del(c, slot);
    unlink_node(c, v);
    c->used -= c->bytes ? c->nodes[v].size : 1;
    c->nobj--;
    c->nodes[v].next = c->free_head;
    c->free_head = v;
}

static uint32_t new_node(struct hp_cache *c)
{
    if (c->free_head != NIL) {
        uint32_t i = c->free_head;
        c->free_head = c->nodes[i].next;
        return i;
    }
    if (c->nmade == c->ncap) {
        if (c->ncap >= MAX_NODES)
            return NIL;
        uint32_t cap = c->ncap ? (c->ncap > MAX_NODES / 2 ? MAX_NODES : c->ncap * 2) : 1024;
        struct node *n = hp_realloc(c->nodes, (size_t)cap * sizeof *n);
        if (!n)
            return NIL;
        c->nodes = n;
        c->ncap = cap;
    }
    return c->nmade++;
}

bool hp_cache_access(struct hp_cache *c, uint64_t key, uint32_t size)
{
    uint64_t need = c->bytes ? size : 1;
    uint32_t slot, i = find(c, key, &slot);
    if (i != NIL) {
        if (c->policy == HP_CACHE_LRU) {
            unlink_node(c, i);
            push_front(c, i);
        } else if (c->policy != HP_CACHE_FIFO) {
            c->nodes[i].bit = 1;
        }
        return true;
    }
    if (need > c->cap)
        return false; /* larger than the whole cache: never admitted */
    while (c->used + need > c->cap)
        evict_one(c);
    if ((c->nobj + 1) * 2 > c->tsize && table_grow(c) < 0)
        return false;
    i = new_node(c);
    if (i == NIL)
        return false;
    c->nodes[i] = (struct node){.key = key, .size = size, .bit = 0};
    push_front(c, i);
    table_put(c->table, c->tsize, c, i);
    c->used += need;
    c->nobj++;
    return false;
}
