/* SPDX-License-Identifier: MIT */
/* core/timer_heap.h - binary min-heap of deadlines for an event loop.
 * Users embed struct hp_timer in their own objects; the heap holds pointers
 * and keeps each timer's index so removal is O(log n). Capacity is reserved
 * up front (hp_timer_heap_reserve) so the per-request path never allocates.
 * Not thread-safe: one per event loop. */
#ifndef HP_CORE_TIMER_HEAP_H
#define HP_CORE_TIMER_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hp_timer {
    int64_t due_ns; /* CLOCK_MONOTONIC */
    int index;      /* position in the heap, -1 when not armed */
};

struct hp_timer_heap {
    struct hp_timer **items;
    int len;
    int cap;
};

static inline void hp_timer_init(struct hp_timer *t)
{
    t->due_ns = 0;
    t->index = -1;
}

static inline bool hp_timer_armed(const struct hp_timer *t)
{
    return t->index >= 0;
}

void hp_timer_heap_init(struct hp_timer_heap *h);
void hp_timer_heap_fini(struct hp_timer_heap *h);
/* Make room for cap timers. 0 or -ENOMEM. */
int hp_timer_heap_reserve(struct hp_timer_heap *h, int cap);
/* Arm t at due_ns (re-arms if already armed). -ENOSPC when full. */
int hp_timer_heap_add(struct hp_timer_heap *h, struct hp_timer *t, int64_t due_ns);
void hp_timer_heap_remove(struct hp_timer_heap *h, struct hp_timer *t); /* unarmed: no-op */
/* Earliest timer, or NULL. */
static inline struct hp_timer *hp_timer_heap_peek(const struct hp_timer_heap *h)
{
    return h->len ? h->items[0] : NULL;
}
/* Remove and return the earliest timer due at or before now_ns, or NULL. */
struct hp_timer *hp_timer_heap_pop_due(struct hp_timer_heap *h, int64_t now_ns);

#endif
