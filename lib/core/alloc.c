// SPDX-License-Identifier: MIT
/* core/alloc.c - counting allocator wrappers with failure injection for tests.
 * Counters are atomics so worker threads may allocate at start-up. */
#include "core/alloc.h"

#include <errno.h>
#include <stdint.h>
#include "core/alloc_test.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Counts per thread, each written only by its own thread (a relaxed load
 * and store, no locked instruction: threads that parse documents side by
 * side, as hotpath merge's do, would otherwise fight over one cache line
 * millions of times); readers sum every thread's. A thread's block stays
 * on the list when the thread ends, so its counts stay in the sums. */
struct counts {
    _Atomic int64_t allocs, live;
    struct counts *next;
};
static struct counts *_Atomic all_counts;
static _Thread_local struct counts *my_counts;
static _Atomic int64_t fail_countdown; /* 0: off */
static _Atomic int fail_sticky;
static _Atomic int64_t n_injected;

static struct counts *mine(void)
{
    struct counts *c = my_counts;
    if (c)
        return c;
    c = calloc(1, sizeof *c);
    if (!c)
        abort(); /* 24 bytes, once per thread */
    c->next = atomic_load(&all_counts);
    while (!atomic_compare_exchange_weak(&all_counts, &c->next, c))
        ;
    return my_counts = c;
}

static void bump(_Atomic int64_t *v, int64_t d)
{
    atomic_store_explicit(v, atomic_load_explicit(v, memory_order_relaxed) + d,
                          memory_order_relaxed);
}

static int64_t sum(size_t offset)
{
    int64_t t = 0;
    for (struct counts *c = atomic_load(&all_counts); c; c = c->next)
        t += atomic_load_explicit((_Atomic int64_t *)((char *)c + offset), memory_order_relaxed);
    return t;
}

void hp_alloc_fail_at(int64_t nth, int sticky)
{
    atomic_store(&n_injected, 0);
    atomic_store(&fail_countdown, nth);
    atomic_store(&fail_sticky, sticky);
}

int64_t hp_alloc_failures(void)
{
    return atomic_load(&n_injected);
}

int64_t hp_alloc_count(void)
{
    return sum(offsetof(struct counts, allocs));
}

int64_t hp_alloc_live(void)
{
    return sum(offsetof(struct counts, live));
}

static int injected_failure(void)
{
    int64_t left = atomic_load(&fail_countdown);
    if (left <= 0)
        return 0;
    if (left == 1) {
        atomic_fetch_add(&n_injected, 1);
        if (!atomic_load(&fail_sticky))
            atomic_store(&fail_countdown, 0);
        return 1;
    }
    atomic_fetch_sub(&fail_countdown, 1);
    return 0;
}

void *hp_malloc(size_t n)
{
    if (injected_failure())
        return NULL;
    void *p = malloc(n ? n : 1);
    if (p) {
        struct counts *c = mine();
        bump(&c->allocs, 1);
        bump(&c->live, 1);
    }
    return p;
}

void *hp_calloc(size_t count, size_t size)
{
    if (injected_failure())
        return NULL;
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p) {
        struct counts *c = mine();
        bump(&c->allocs, 1);
        bump(&c->live, 1);
    }
    return p;
}

void *hp_realloc(void *p, size_t n)
{
    if (!p)
        return hp_malloc(n);
    if (injected_failure())
        return NULL;
    return realloc(p, n ? n : 1);
}

void hp_free(void *p)
{
    if (!p)
        return;
    bump(&mine()->live, -1);
    free(p);
}

char *hp_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = hp_malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *hp_strdup(const char *s)
{
    return hp_strndup(s, strlen(s));
}

void *hp_grow_to(void *p, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : (first ? first : 1);
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return p;
        n *= 2;
    }
    void *q = hp_realloc(p, n * elem);
    if (!q)
        return p;
    *cap = n;
    return q;
}
