// SPDX-License-Identifier: MIT
/* core/timer_heap.c - array-backed binary heap (CLRS ch. 6) with back-indices. */
#include "core/timer_heap.h"

#include <errno.h>

#include "core/alloc.h"

void hp_timer_heap_init(struct hp_timer_heap *h)
{
    h->items = NULL;
    h->len = 0;
    h->cap = 0;
}

void hp_timer_heap_fini(struct hp_timer_heap *h)
{
    for (int i = 0; i < h->len; i++)
        h->items[i]->index = -1;
    hp_free(h->items);
    hp_timer_heap_init(h);
}

int hp_timer_heap_reserve(struct hp_timer_heap *h, int cap)
{
    if (cap <= h->cap)
        return 0;
    struct hp_timer **items = hp_realloc(h->items, (size_t)cap * sizeof *items);
    if (!items)
        return -ENOMEM;
    h->items = items;
    h->cap = cap;
    return 0;
}

static void place(struct hp_timer_heap *h, int i, struct hp_timer *t)
{
    h->items[i] = t;
    t->index = i;
}

static void sift_up(struct hp_timer_heap *h, int i)
{
    struct hp_timer *t = h->items[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (h->items[parent]->due_ns <= t->due_ns)
            break;
        place(h, i, h->items[parent]);
        i = parent;
    }
    place(h, i, t);
}

static void sift_down(struct hp_timer_heap *h, int i)
{
    struct hp_timer *t = h->items[i];
    for (;;) {
        int child = 2 * i + 1;
        if (child >= h->len)
            break;
        if (child + 1 < h->len && h->items[child + 1]->due_ns < h->items[child]->due_ns)
            child++;
        if (t->due_ns <= h->items[child]->due_ns)
            break;
        place(h, i, h->items[child]);
        i = child;
    }
    place(h, i, t);
}

int hp_timer_heap_add(struct hp_timer_heap *h, struct hp_timer *t, int64_t due_ns)
{
    if (t->index >= 0)
        hp_timer_heap_remove(h, t);
    if (h->len >= h->cap)
        return -ENOSPC;
    t->due_ns = due_ns;
    place(h, h->len++, t);
    sift_up(h, t->index);
    return 0;
}

void hp_timer_heap_remove(struct hp_timer_heap *h, struct hp_timer *t)
{
    int i = t->index;
    if (i < 0)
        return;
    t->index = -1;
    h->len--;
    if (i == h->len)
        return;
    struct hp_timer *moved = h->items[h->len];
    place(h, i, moved);
    sift_down(h, i);
    sift_up(h, moved->index);
}

struct hp_timer *hp_timer_heap_pop_due(struct hp_timer_heap *h, int64_t now_ns)
{
    if (h->len == 0 || h->items[0]->due_ns > now_ns)
        return NULL;
    struct hp_timer *t = h->items[0];
    hp_timer_heap_remove(h, t);
    return t;
}
