/* SPDX-License-Identifier: MIT */
/* cache/policy.c - see policy.h. Objects are nodes in one array (indices,
 * not pointers, so it can grow), on one doubly linked list from the newest
 * (head) to the oldest (tail), found through core/u64map (open addressing,
 * node indices with linear probing and backward-shift deletion (no
 * tombstones, so long traces do not slow it down). */
#include "cache/policy.h"

#include <errno.h>
#include <string.h>

#include "core/alloc.h"
#include "core/u64map.h"

#define NIL UINT32_MAX
#define MAX_NODES (UINT32_MAX - 1)

struct node {
    uint64_t key;
    uint32_t size;
    uint32_t prev; /* toward the head: newer */
    uint32_t next; /* toward the tail: older; or the next free node */
    uint8_t bit;   /* CLOCK's reference bit, SIEVE's visited, S3-FIFO's frequency (0-3) */
    uint8_t q;     /* the list it is on: MAIN, SMALL or GHOST */
};

/* S3-FIFO's three queues; every other policy has MAIN only. */
enum { MAIN, SMALL, GHOST, NLISTS };

struct list {
    uint32_t head, tail;
    uint64_t used; /* objects or bytes on it */
};

struct hp_cache {
    enum hp_cache_policy policy;
    bool bytes;
    uint64_t cap, used, nobj;
    struct node *nodes;
    uint32_t ncap, nmade, free_head;
    struct hp_u64map map; /* key -> node index */
    struct list l[NLISTS];
    uint32_t hand;
    uint64_t small_cap, ghost_cap; /* S3-FIFO: 10% of the capacity, and the rest */
    /* LFU: per node (parallel to nodes) its count, last use and heap slot; a
     * min-heap of node indices by (count, last use) */
    struct lfu {
        uint32_t count, slot;
        uint64_t last;
    } * lfu;
    uint32_t *heap, nheap;
    uint64_t clock;
};

static const char *const names[] = {"lru", "fifo", "clock", "sieve", "s3fifo", "2q", "lfu"};

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
    for (int q = 0; q < NLISTS; q++)
        c->l[q].head = c->l[q].tail = NIL;
    c->hand = c->free_head = NIL;
    if (policy == HP_CACHE_2Q) { /* Kin 25%, Kout 50% (Johnson and Shasha's advice) */
        c->small_cap = capacity / 4 ? capacity / 4 : 1;
        c->ghost_cap = capacity / 2 ? capacity / 2 : 1;
    } else {
        c->small_cap = capacity / 10 ? capacity / 10 : 1;
        c->ghost_cap = capacity - c->small_cap ? capacity - c->small_cap : 1;
    }
    if (hp_u64map_init(&c->map) < 0) {
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
    hp_free(c->lfu);
    hp_free(c->heap);
    hp_u64map_fini(&c->map);
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

/* ---- the list ---------------------------------------------------------- */

static void unlink_node(struct hp_cache *c, uint32_t i)
{
    struct node *n = &c->nodes[i];
    struct list *l = &c->l[n->q];
    if (n->prev != NIL)
        c->nodes[n->prev].next = n->next;
    else
        l->head = n->next;
    if (n->next != NIL)
        c->nodes[n->next].prev = n->prev;
    else
        l->tail = n->prev;
    l->used -= c->bytes ? n->size : 1;
}

static void push_front(struct hp_cache *c, uint32_t i, int q)
{
    struct node *n = &c->nodes[i];
    struct list *l = &c->l[q];
    n->q = (uint8_t)q;
    n->prev = NIL;
    n->next = l->head;
    if (l->head != NIL)
        c->nodes[l->head].prev = i;
    l->head = i;
    if (l->tail == NIL)
        l->tail = i;
    l->used += c->bytes ? n->size : 1;
}

/* Drop node v: out of its list and the table, onto the free list. */
static void drop(struct hp_cache *c, uint32_t v)
{
    hp_u64map_del(&c->map, c->nodes[v].key);
    unlink_node(c, v);
    c->nodes[v].next = c->free_head;
    c->free_head = v;
}

/* S3-FIFO's ghost: the keys recently evicted from the small queue. */
static void ghost_trim(struct hp_cache *c)
{
    while (c->l[GHOST].used > c->ghost_cap)
        drop(c, c->l[GHOST].tail);
}

/* S3-FIFO (Yang et al., SOSP 2023, Algorithm 1): evict from the small
 * queue while it holds its 10% or more, else from the main one. */
static void evict_s3fifo(struct hp_cache *c)
{
    if (c->l[SMALL].used >= c->small_cap || c->l[MAIN].tail == NIL) {
        while (c->l[SMALL].tail != NIL) {
            uint32_t t = c->l[SMALL].tail;
            unlink_node(c, t);
            if (c->nodes[t].bit > 1) { /* read twice or more while small: promoted, its
                                        * frequency kept */
                push_front(c, t, MAIN);
                continue;
            }
            c->used -= c->bytes ? c->nodes[t].size : 1;
            c->nobj--;
            push_front(c, t, GHOST); /* the node stays as its key's ghost */
            ghost_trim(c);
            return;
        }
    }
    while (c->l[MAIN].tail != NIL) {
        uint32_t t = c->l[MAIN].tail;
        if (c->nodes[t].bit > 0) { /* FIFO with reinsertion, frequency spent */
            c->nodes[t].bit--;
            unlink_node(c, t);
            push_front(c, t, MAIN);
            continue;
        }
        c->used -= c->bytes ? c->nodes[t].size : 1;
        c->nobj--;
        drop(c, t);
        return;
    }
}

/* 2Q (Johnson and Shasha, VLDB 1994, "full version"): while A1in holds
 * more than Kin, its oldest goes and its key joins A1out; else Am's least
 * recently used goes, without a ghost. */
static void evict_2q(struct hp_cache *c)
{
    uint32_t t;
    if (c->l[SMALL].used > c->small_cap || c->l[MAIN].tail == NIL) {
        t = c->l[SMALL].tail;
        unlink_node(c, t);
        c->used -= c->bytes ? c->nodes[t].size : 1;
        c->nobj--;
        push_front(c, t, GHOST);
        ghost_trim(c);
        return;
    }
    t = c->l[MAIN].tail;
    c->used -= c->bytes ? c->nodes[t].size : 1;
    c->nobj--;
    drop(c, t);
}

/* ---- LFU: a min-heap by (count, last use) ----------------------------- */

static bool lfu_less(const struct hp_cache *c, uint32_t a, uint32_t b)
{
    const struct lfu *x = &c->lfu[a], *y = &c->lfu[b];
    return x->count != y->count ? x->count < y->count : x->last < y->last;
}

static void lfu_set(struct hp_cache *c, uint32_t slot, uint32_t node)
{
    c->heap[slot] = node;
    c->lfu[node].slot = slot;
}

static void lfu_up(struct hp_cache *c, uint32_t slot)
{
    uint32_t node = c->heap[slot];
    while (slot > 0) {
        uint32_t up = (slot - 1) / 2;
        if (!lfu_less(c, node, c->heap[up]))
            break;
        lfu_set(c, slot, c->heap[up]);
        slot = up;
    }
    lfu_set(c, slot, node);
}

static void lfu_down(struct hp_cache *c, uint32_t slot)
{
    uint32_t node = c->heap[slot];
    for (;;) {
        uint32_t k = 2 * slot + 1;
        if (k >= c->nheap)
            break;
        if (k + 1 < c->nheap && lfu_less(c, c->heap[k + 1], c->heap[k]))
            k++;
        if (!lfu_less(c, c->heap[k], node))
            break;
        lfu_set(c, slot, c->heap[k]);
        slot = k;
    }
    lfu_set(c, slot, node);
}

static void evict_one(struct hp_cache *c)
{
    if (c->policy == HP_CACHE_LFU) { /* the least used; of those, the least recently */
        uint32_t v = c->heap[0];
        if (--c->nheap > 0) {
            lfu_set(c, 0, c->heap[c->nheap]);
            lfu_down(c, 0);
        }
        c->used -= c->bytes ? c->nodes[v].size : 1;
        c->nobj--;
        drop(c, v);
        return;
    }
    if (c->policy == HP_CACHE_S3FIFO) {
        evict_s3fifo(c);
        return;
    }
    if (c->policy == HP_CACHE_2Q) {
        evict_2q(c);
        return;
    }
    uint32_t v = c->l[MAIN].tail;
    if (c->policy == HP_CACHE_CLOCK) {
        while (c->nodes[v].bit) { /* second chance: to the front, bit cleared */
            c->nodes[v].bit = 0;
            unlink_node(c, v);
            push_front(c, v, MAIN);
            v = c->l[MAIN].tail;
        }
    } else if (c->policy == HP_CACHE_SIEVE) {
        v = c->hand != NIL ? c->hand : c->l[MAIN].tail;
        while (c->nodes[v].bit) {
            c->nodes[v].bit = 0;
            v = c->nodes[v].prev != NIL ? c->nodes[v].prev : c->l[MAIN].tail;
        }
        c->hand = c->nodes[v].prev; /* NIL: start again from the tail */
    }
    c->used -= c->bytes ? c->nodes[v].size : 1;
    c->nobj--;
    drop(c, v);
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
        if (c->policy == HP_CACHE_LFU) {
            struct lfu *l = hp_realloc(c->lfu, (size_t)cap * sizeof *l);
            if (!l)
                return NIL;
            c->lfu = l;
            uint32_t *h = hp_realloc(c->heap, (size_t)cap * sizeof *h);
            if (!h)
                return NIL;
            c->heap = h;
        }
        c->ncap = cap;
    }
    return c->nmade++;
}

bool hp_cache_access(struct hp_cache *c, uint64_t key, uint32_t size)
{
    uint64_t need = c->bytes ? size : 1;
    uint32_t i = hp_u64map_get(&c->map, key);
    bool ghost = false;
    if (i != NIL && c->nodes[i].q != GHOST) {
        if (c->policy == HP_CACHE_LRU || (c->policy == HP_CACHE_2Q && c->nodes[i].q == MAIN)) {
            unlink_node(c, i); /* 2Q: Am is an LRU; A1in hits change nothing */
            push_front(c, i, MAIN);
        } else if (c->policy == HP_CACHE_LFU) {
            c->lfu[i].count++;
            c->lfu[i].last = ++c->clock;
            lfu_down(c, c->lfu[i].slot);
        } else if (c->policy == HP_CACHE_S3FIFO) {
            if (c->nodes[i].bit < 3)
                c->nodes[i].bit++;
        } else if (c->policy == HP_CACHE_CLOCK || c->policy == HP_CACHE_SIEVE) {
            c->nodes[i].bit = 1;
        }
        return true;
    }
    if (need > c->cap)
        return false; /* larger than the whole cache: never admitted */
    if (i != NIL) {   /* a ghost: S3-FIFO and 2Q admit it to the main queue */
        drop(c, i);
        ghost = true;
    }
    while (c->used + need > c->cap)
        evict_one(c);
    i = new_node(c);
    if (i == NIL)
        return false;
    if (hp_u64map_put(&c->map, key, i) < 0) { /* no room to find it: not admitted */
        c->nodes[i].next = c->free_head;
        c->free_head = i;
        return false;
    }
    c->nodes[i] = (struct node){.key = key, .size = size, .bit = 0};
    bool queued = c->policy == HP_CACHE_S3FIFO || c->policy == HP_CACHE_2Q;
    push_front(c, i, queued && !ghost ? SMALL : MAIN);
    if (c->policy == HP_CACHE_LFU) {
        c->lfu[i] = (struct lfu){.count = 1, .last = ++c->clock};
        lfu_set(c, c->nheap++, i);
        lfu_up(c, c->nheap - 1);
    }
    c->used += need;
    c->nobj++;
    return false;
}
