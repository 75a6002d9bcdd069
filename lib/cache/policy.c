/* SPDX-License-Identifier: MIT */
/* cache/policy.c - see policy.h. Objects are nodes in one array (indices,
 * not pointers, so it can grow), on doubly linked lists from the newest
 * (head) to the oldest (tail), found through an index of 8-byte slots
 * (open addressing, linear probing, backward-shift deletion: no tombstones,
 * so long traces do not slow it down). */
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
    uint8_t bit;   /* CLOCK's reference bit, SIEVE's visited, S3-FIFO's frequency (0-3) */
    uint8_t q;     /* the list it is on (below) */
};

/* The lists. LRU, FIFO, CLOCK, SIEVE and LFU use MAIN only. S3-FIFO: SMALL,
 * MAIN and GHOST; 2Q: A1in SMALL, Am MAIN, A1out GHOST; ARC: T1 SMALL, T2
 * MAIN, B1 GHOST, B2 GHOST2; W-TinyLFU: the window SMALL, probation MAIN,
 * protected PROT. Lists from GHOST on hold keys only (not cached). */
enum { MAIN, SMALL, PROT, GHOST, GHOST2, NLISTS };

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
    /* key -> node: open addressing, 8 bytes a slot (below) */
    uint64_t *slots;
    uint32_t mask, nused;
    struct list l[NLISTS];
    uint32_t hand;
    void (*on_leave)(void *ctx, uint64_t key); /* hp_cache_on_leave */
    void *leave_ctx;
    uint64_t small_cap, ghost_cap; /* S3-FIFO: 10% and 90% of the capacity; 2Q: 25%, 50% */
    double arc_p;                  /* ARC: the target size of T1 */
    /* W-TinyLFU: the main space and its protected share (S3-FIFO: the
     * main queue's 90%); a count-min sketch
     * of 4 rows of `width` saturating 4-bit counts (a byte each), halved
     * after 10 x width accesses */
    uint64_t main_cap, prot_cap;
    uint8_t *sketch;
    uint32_t width;
    uint64_t samples;
    /* TTLs (hp_cache_access_ttl): each node's expiry, 0 for never; made on
     * the first TTL */
    int64_t *exp, now, ttl;
    /* LFU: per node (parallel to nodes) its count, last use and heap slot; a
     * min-heap of node indices by (count, last use) */
    struct lfu {
        uint32_t count, slot;
        uint64_t last;
    } * lfu;
    uint32_t *heap, nheap;
    uint64_t clock;
};

static const char *const names[] = {"lru", "fifo", "clock", "sieve",   "s3fifo",
                                    "2q",  "lfu",  "arc",   "wtinylfu"};

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

/* ---- W-TinyLFU's frequency sketch ------------------------------------- */

/* splitmix64's finaliser */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Row r's counter of key: mix64(key + (r + 1) * golden) mod width. */
static uint8_t *sketch_at(const struct hp_cache *c, uint64_t key, int r)
{
    uint64_t h = mix64(key + (uint64_t)(r + 1) * 0x9e3779b97f4a7c15ULL);
    return &c->sketch[(size_t)r * c->width + (h & (c->width - 1))];
}

/* A width of the power of two at or above n (at least 16), counts cleared. */
static int sketch_resize(struct hp_cache *c, uint64_t n)
{
    uint64_t w = 16;
    while (w < n && w < (1u << 30))
        w *= 2;
    uint8_t *s = hp_calloc(4, (size_t)w);
    if (!s)
        return -ENOMEM;
    hp_free(c->sketch);
    c->sketch = s;
    c->width = (uint32_t)w;
    c->samples = 0;
    return 0;
}

static void sketch_add(struct hp_cache *c, uint64_t key)
{
    for (int r = 0; r < 4; r++) {
        uint8_t *x = sketch_at(c, key, r);
        *x += *x < 15;
    }
    if (++c->samples >= 10 * (uint64_t)c->width) { /* ageing: every count halved */
        for (size_t i = 0; i < 4 * (size_t)c->width; i++)
            c->sketch[i] >>= 1;
        c->samples /= 2;
    }
}

static unsigned sketch_freq(const struct hp_cache *c, uint64_t key)
{
    unsigned f = 15;
    for (int r = 0; r < 4; r++) {
        unsigned x = *sketch_at(c, key, r);
        f = x < f ? x : f;
    }
    return f;
}

/* ---- the index: key -> node ------------------------------------------- */

/* Open addressing with linear probing, a slot a uint64_t: the top 32 bits
 * of the key's hash (its fingerprint) over the node index + 1 (0: free).
 * The key itself is the node's: a fingerprint match is confirmed there, so
 * a slot is half of core/u64map's, which matters for ARC's and 2Q's ghosts
 * (ARC keeps up to twice the capacity in keys). The home slot is the
 * fingerprint's low bits, so growing and backward-shift deletion (no
 * tombstones) never need the key. Grows at half full. */
#define INDEX_FIRST 1024

static uint32_t fingerprint(uint64_t key)
{
    return (uint32_t)(mix64(key) >> 32);
}

static int index_init(struct hp_cache *c)
{
    c->slots = hp_calloc(INDEX_FIRST, sizeof *c->slots);
    c->mask = INDEX_FIRST - 1;
    c->nused = 0;
    return c->slots ? 0 : -ENOMEM;
}

/* The slot holding key, or the free slot where it would go. */
static uint32_t index_slot(const struct hp_cache *c, uint64_t key)
{
    uint32_t fp = fingerprint(key);
    for (uint32_t s = fp & c->mask;; s = (s + 1) & c->mask) {
        uint64_t e = c->slots[s];
        if (e == 0 || ((uint32_t)(e >> 32) == fp && c->nodes[(uint32_t)e - 1].key == key))
            return s;
    }
}

static uint32_t index_get(const struct hp_cache *c, uint64_t key)
{
    uint64_t e = c->slots[index_slot(c, key)];
    return e ? (uint32_t)e - 1 : NIL;
}

/* Add key (not present) as node i; its key is set by the caller after. */
static int index_put(struct hp_cache *c, uint64_t key, uint32_t i)
{
    if ((uint64_t)(c->nused + 1) * 2 > (uint64_t)c->mask + 1) {
        if (c->mask >= (UINT32_C(1) << 31) - 1)
            return -ENOMEM;
        uint32_t size = (c->mask + 1) * 2;
        uint64_t *fresh = hp_calloc(size, sizeof *fresh);
        if (!fresh)
            return -ENOMEM;
        for (uint32_t s = 0; s <= c->mask; s++)
            if (c->slots[s]) {
                uint32_t t = (uint32_t)(c->slots[s] >> 32) & (size - 1);
                while (fresh[t])
                    t = (t + 1) & (size - 1);
                fresh[t] = c->slots[s];
            }
        hp_free(c->slots);
        c->slots = fresh;
        c->mask = size - 1;
    }
    uint32_t fp = fingerprint(key), s = fp & c->mask;
    while (c->slots[s])
        s = (s + 1) & c->mask;
    c->slots[s] = (uint64_t)fp << 32 | ((uint64_t)i + 1);
    c->nused++;
    return 0;
}

/* Remove key (present), shifting back the entries after it that may move. */
static void index_del(struct hp_cache *c, uint64_t key)
{
    uint32_t hole = index_slot(c, key);
    if (!c->slots[hole])
        return;
    for (uint32_t s = (hole + 1) & c->mask; c->slots[s]; s = (s + 1) & c->mask) {
        uint32_t home = (uint32_t)(c->slots[s] >> 32) & c->mask;
        /* it may fill the hole unless its home lies after the hole, up to s */
        if (((s - home) & c->mask) >= ((s - hole) & c->mask)) {
            c->slots[hole] = c->slots[s];
            hole = s;
        }
    }
    c->slots[hole] = 0;
    c->nused--;
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
    for (int q = 0; q < NLISTS; q++)
        c->l[q].head = c->l[q].tail = NIL;
    c->hand = c->free_head = NIL;
    if (policy == HP_CACHE_2Q) { /* Kin 25%, Kout 50% (Johnson and Shasha's advice) */
        c->small_cap = capacity / 4 ? capacity / 4 : 1;
        c->ghost_cap = capacity / 2 ? capacity / 2 : 1;
    } else if (policy == HP_CACHE_WTINYLFU) { /* a 1% window; 80% of the rest protected */
        c->small_cap = capacity / 100 ? capacity / 100 : 1;
        c->main_cap = capacity - c->small_cap;
        c->prot_cap = c->main_cap / 10 * 8 + c->main_cap % 10 * 8 / 10;
        if (sketch_resize(c, bytes ? 1024 : capacity) < 0) {
            hp_free(c);
            return -ENOMEM;
        }
    } else if (policy == HP_CACHE_S3FIFO) { /* as libCacheSim's S3FIFO.c sizes them */
        c->small_cap = (uint64_t)((double)capacity * 0.10);
        c->main_cap = capacity - c->small_cap;
        c->ghost_cap = (uint64_t)((double)capacity * 0.90);
    }
    if (index_init(c) < 0) {
        hp_free(c);
        return -ENOMEM;
    }
    *out = c;
    return 0;
}

void hp_cache_on_leave(struct hp_cache *c, void (*fn)(void *ctx, uint64_t key), void *ctx)
{
    c->on_leave = fn;
    c->leave_ctx = ctx;
}

void hp_cache_free(struct hp_cache *c)
{
    if (!c)
        return;
    hp_free(c->nodes);
    hp_free(c->lfu);
    hp_free(c->heap);
    hp_free(c->sketch);
    hp_free(c->exp);
    hp_free(c->slots);
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
    index_del(c, c->nodes[v].key);
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

/* Take node v out of the cache for good: its room freed, no ghost kept. */
static void remove_node(struct hp_cache *c, uint32_t v)
{
    if (c->policy == HP_CACHE_LFU) { /* out of the heap: the last slot fills the hole */
        uint32_t slot = c->lfu[v].slot;
        if (--c->nheap > slot) {
            lfu_set(c, slot, c->heap[c->nheap]);
            lfu_up(c, slot);
            lfu_down(c, c->lfu[c->heap[slot]].slot);
        }
    }
    if (c->hand == v) /* SIEVE: the hand rests on its newer neighbour */
        c->hand = c->nodes[v].prev;
    c->used -= c->bytes ? c->nodes[v].size : 1;
    c->nobj--;
    if (c->on_leave)
        c->on_leave(c->leave_ctx, c->nodes[v].key);
    drop(c, v);
}

/* A cached node v leaves but its key stays, as a ghost on list q. */
static void to_ghost(struct hp_cache *c, uint32_t v, int q)
{
    if (c->on_leave)
        c->on_leave(c->leave_ctx, c->nodes[v].key);
    unlink_node(c, v);
    c->used -= c->bytes ? c->nodes[v].size : 1;
    c->nobj--;
    push_front(c, v, q);
}

/* S3-FIFO's small queue evicts: its oldest read twice or more (frequency
 * >= 2) moves to the main queue with its frequency at 0; the first that was
 * not goes, its key (and size) a ghost. Stops when one went or it is empty. */
static void evict_small(struct hp_cache *c)
{
    while (c->l[SMALL].tail != NIL) {
        uint32_t t = c->l[SMALL].tail;
        if (c->nodes[t].bit >= 2) {
            c->nodes[t].bit = 0;
            unlink_node(c, t);
            push_front(c, t, MAIN);
            continue;
        }
        uint64_t size = c->bytes ? c->nodes[t].size : 1;
        if (size > c->ghost_cap) { /* no room in the ghost queue at all: gone */
            remove_node(c, t);
            return;
        }
        while (c->l[GHOST].used + size > c->ghost_cap) /* room first, as a FIFO does */
            drop(c, c->l[GHOST].tail);
        to_ghost(c, t, GHOST); /* the node stays as its key's ghost */
        return;
    }
}

/* S3-FIFO's main queue evicts: FIFO with reinsertion, an object with
 * frequency >= 1 goes back to the front with one taken off. */
static void evict_main(struct hp_cache *c)
{
    while (c->l[MAIN].tail != NIL) {
        uint32_t t = c->l[MAIN].tail;
        if (c->nodes[t].bit > 0) {
            c->nodes[t].bit--;
            unlink_node(c, t);
            push_front(c, t, MAIN);
            continue;
        }
        remove_node(c, t);
        return;
    }
}

/* S3-FIFO exactly as libCacheSim's S3FIFO.c (the authors' code): the main
 * queue evicts while it holds more than its 90% or the small one is empty,
 * else the small one does. */
static void evict_s3fifo(struct hp_cache *c)
{
    if (c->l[MAIN].used > c->main_cap || c->l[SMALL].tail == NIL)
        evict_main(c);
    else
        evict_small(c);
}

/* 2Q (Johnson and Shasha, VLDB 1994, "full version"): while A1in holds
 * more than Kin, its oldest goes and its key joins A1out; else Am's least
 * recently used goes, without a ghost. */
static void evict_2q(struct hp_cache *c)
{
    if (c->l[SMALL].used > c->small_cap || c->l[MAIN].tail == NIL) {
        to_ghost(c, c->l[SMALL].tail, GHOST);
        ghost_trim(c);
        return;
    }
    remove_node(c, c->l[MAIN].tail);
}

static void evict_one(struct hp_cache *c)
{
    if (c->policy == HP_CACHE_LFU) { /* the least used; of those, the least recently */
        remove_node(c, c->heap[0]);
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
    remove_node(c, v);
}

/* ---- ARC (Megiddo and Modha, FAST 2003, Figure 4) ---------------------- */

/* REPLACE: T1's oldest to B1 when T1 is over its target p (or at it and the
 * request was a B2 ghost), else T2's oldest to B2. */
static void arc_replace(struct hp_cache *c, bool in_b2)
{
    double t1 = (double)c->l[SMALL].used;
    if (c->l[SMALL].tail != NIL &&
        ((in_b2 && t1 == c->arc_p) || t1 > c->arc_p || c->l[MAIN].tail == NIL))
        to_ghost(c, c->l[SMALL].tail, GHOST);
    else
        to_ghost(c, c->l[MAIN].tail, GHOST2);
}

/* Room for a miss of `need` units; q is the ghost list the key was found on
 * (GHOST is B1, GHOST2 is B2), or MAIN for a key never seen or forgotten.
 * Returns the list the newcomer joins. */
static int arc_make_room(struct hp_cache *c, int q, uint64_t need)
{
    struct list *t1 = &c->l[SMALL], *t2 = &c->l[MAIN], *b1 = &c->l[GHOST], *b2 = &c->l[GHOST2];
    double cap = (double)c->cap;
    if (q == GHOST || q == GHOST2) { /* cases II and III: p adapts, the key goes to T2 */
        struct list *mine = q == GHOST ? b1 : b2, *other = q == GHOST ? b2 : b1;
        double ratio = (double)other->used / (double)mine->used;
        double delta = (double)need * (ratio > 1 ? ratio : 1);
        c->arc_p = q == GHOST ? (c->arc_p + delta < cap ? c->arc_p + delta : cap)
                              : (c->arc_p - delta > 0 ? c->arc_p - delta : 0);
        return MAIN;
    }
    /* case IV: L1 = T1 + B1 stays within the capacity, L1 + L2 within twice */
    while (t1->used + b1->used + need > c->cap && b1->tail != NIL)
        drop(c, b1->tail);
    while (t1->used + b1->used + need > c->cap && t1->tail != NIL)
        remove_node(c, t1->tail); /* T1 alone fills it: its oldest goes, no ghost */
    while (t1->used + t2->used + b1->used + b2->used + need > 2 * c->cap && b2->tail != NIL)
        drop(c, b2->tail);
    return SMALL;
}

/* ---- W-TinyLFU --------------------------------------------------------- */

/* The window overflowed: its oldest is a candidate for the main space. It
 * goes in while there is room; else it and probation's oldest (protected's
 * when probation is empty) are weighed by the sketch, and the more frequent
 * stays: the victim is evicted and the candidate tries again, or the
 * candidate is evicted (a tie keeps the victim). */
static void tinylfu_admit(struct hp_cache *c)
{
    while (c->l[SMALL].used > c->small_cap) {
        uint32_t cand = c->l[SMALL].tail;
        uint64_t need = c->bytes ? c->nodes[cand].size : 1;
        for (;;) { /* the candidate stays the window's tail until it is placed */
            if (c->l[MAIN].used + c->l[PROT].used + need <= c->main_cap) {
                unlink_node(c, cand);
                push_front(c, cand, MAIN);
                break;
            }
            uint32_t victim = c->l[MAIN].tail != NIL ? c->l[MAIN].tail : c->l[PROT].tail;
            /* too large for the main space: evicting for it would be futile */
            if (need > c->main_cap ||
                sketch_freq(c, c->nodes[cand].key) <= sketch_freq(c, c->nodes[victim].key)) {
                remove_node(c, cand);
                break;
            }
            remove_node(c, victim);
        }
    }
}

/* A hit in probation moves to protected, whose oldest go back to probation
 * while it holds more than its 80%. */
static void tinylfu_hit(struct hp_cache *c, uint32_t i)
{
    int q = c->nodes[i].q == MAIN ? PROT : c->nodes[i].q;
    unlink_node(c, i);
    push_front(c, i, q);
    while (c->l[PROT].used > c->prot_cap) {
        uint32_t t = c->l[PROT].tail;
        unlink_node(c, t);
        push_front(c, t, MAIN);
    }
}

/* ---- nodes ------------------------------------------------------------- */

static void *grow(void *p, uint32_t cap, size_t size, bool *ok)
{
    if (!*ok)
        return p;
    void *q = hp_realloc(p, (size_t)cap * size);
    if (!q)
        *ok = false;
    return q ? q : p;
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
        bool ok = true;
        c->nodes = grow(c->nodes, cap, sizeof *c->nodes, &ok);
        if (c->policy == HP_CACHE_LFU) {
            c->lfu = grow(c->lfu, cap, sizeof *c->lfu, &ok);
            c->heap = grow(c->heap, cap, sizeof *c->heap, &ok);
        }
        if (c->exp)
            c->exp = grow(c->exp, cap, sizeof *c->exp, &ok);
        if (!ok)
            return NIL;
        c->ncap = cap;
    }
    return c->nmade++;
}

/* ---- one access -------------------------------------------------------- */

static void hit(struct hp_cache *c, uint32_t i)
{
    switch (c->policy) {
    case HP_CACHE_2Q:
        if (c->nodes[i].q != MAIN)
            break; /* A1in hits change nothing; Am is an LRU */
        /* fall through */
    case HP_CACHE_LRU:
    case HP_CACHE_ARC: /* T1 or T2: to T2's front */
        unlink_node(c, i);
        push_front(c, i, MAIN);
        break;
    case HP_CACHE_WTINYLFU: tinylfu_hit(c, i); break;
    case HP_CACHE_LFU:
        c->lfu[i].count++;
        c->lfu[i].last = ++c->clock;
        lfu_down(c, c->lfu[i].slot);
        break;
    case HP_CACHE_S3FIFO:
        if (c->nodes[i].bit < 3)
            c->nodes[i].bit++;
        break;
    case HP_CACHE_CLOCK:
    case HP_CACHE_SIEVE: c->nodes[i].bit = 1; break;
    default: break;
    }
}

static bool admit(struct hp_cache *c, uint64_t key, uint32_t size, int dest);

/* An S3-FIFO miss, as libCacheSim's: a ghost is forgotten when looked up;
 * an object larger than the small queue is never admitted (nothing
 * evicted); room is made; a ghost's object joins the main queue, any other
 * the small one unless it is as large as the small queue (then, the room
 * made, it is not admitted: libCacheSim's test is >=). */
static bool s3fifo_miss(struct hp_cache *c, uint64_t key, uint32_t size, uint32_t ghost)
{
    uint64_t need = c->bytes ? size : 1;
    if (ghost != NIL)
        drop(c, ghost);
    if (need > c->small_cap)
        return false;
    while (c->used + need > c->cap)
        evict_s3fifo(c);
    if (ghost == NIL && need >= c->small_cap)
        return false;
    return admit(c, key, size, ghost != NIL ? MAIN : SMALL);
}

bool hp_cache_access(struct hp_cache *c, uint64_t key, uint32_t size)
{
    uint64_t need = c->bytes ? size : 1;
    if (c->sketch)
        sketch_add(c, key); /* W-TinyLFU counts every request */
    uint32_t i = index_get(c, key);
    if (i != NIL && c->nodes[i].q < GHOST) {
        if (!c->exp || c->exp[i] == 0 || c->now < c->exp[i]) {
            hit(c, i);
            return true;
        }
        remove_node(c, i); /* expired: fetched again, as a miss */
        i = NIL;
    }
    if (c->policy == HP_CACHE_S3FIFO)
        return s3fifo_miss(c, key, size, i);
    if (need > c->cap)
        return false; /* larger than the whole cache: never admitted */
    int q = i != NIL ? c->nodes[i].q : MAIN;
    int dest = MAIN;
    if (c->policy == HP_CACHE_ARC) /* p adapts to the ghost before it goes */
        dest = arc_make_room(c, q, need);
    if (i != NIL) /* a ghost: 2Q admits it to the main queue, ARC to T2 */
        drop(c, i);
    if (c->policy == HP_CACHE_ARC) {
        while (c->used + need > c->cap)
            arc_replace(c, q == GHOST2);
    } else if (c->policy == HP_CACHE_WTINYLFU) {
        dest = SMALL; /* the window; it overflows into the main space below */
    } else {
        if (c->policy == HP_CACHE_2Q)
            dest = i != NIL ? MAIN : SMALL;
        while (c->used + need > c->cap)
            evict_one(c);
    }
    return admit(c, key, size, dest);
}

/* Admit key to list dest; the room is made. false (always: a miss). */
static bool admit(struct hp_cache *c, uint64_t key, uint32_t size, int dest)
{
    uint64_t need = c->bytes ? size : 1;
    uint32_t i = new_node(c);
    if (i == NIL)
        return false;
    if (index_put(c, key, i) < 0) { /* no room to find it: not admitted */
        c->nodes[i].next = c->free_head;
        c->free_head = i;
        return false;
    }
    c->nodes[i] = (struct node){.key = key, .size = size, .bit = 0};
    push_front(c, i, dest);
    if (c->policy == HP_CACHE_LFU) {
        c->lfu[i] = (struct lfu){.count = 1, .last = ++c->clock};
        lfu_set(c, c->nheap++, i);
        lfu_up(c, c->nheap - 1);
    }
    if (c->exp)
        c->exp[i] = c->ttl > 0 ? c->now + c->ttl : 0;
    c->used += need;
    c->nobj++;
    if (c->policy == HP_CACHE_WTINYLFU) {
        tinylfu_admit(c);
        if (c->nobj > c->width && sketch_resize(c, (uint64_t)c->width * 2) < 0)
            return false; /* keeps the old sketch */
    }
    return false;
}

bool hp_cache_access_ttl(struct hp_cache *c, uint64_t key, uint32_t size, int64_t now, int64_t ttl)
{
    if (ttl > 0 && !c->exp) { /* the first TTL: every node so far never expires */
        c->exp = hp_calloc(c->ncap ? c->ncap : 1, sizeof *c->exp);
        if (!c->exp)
            return false;
    }
    c->now = now;
    c->ttl = ttl;
    return hp_cache_access(c, key, size);
}

bool hp_cache_remove(struct hp_cache *c, uint64_t key)
{
    uint32_t i = index_get(c, key);
    if (i == NIL || c->nodes[i].q >= GHOST)
        return false;
    remove_node(c, i);
    return true;
}
