/* SPDX-License-Identifier: MIT */
/* core/alloc.h - the one place hotpath allocates heap memory.
 * Thin wrappers over malloc so tests can fail the Nth allocation and count
 * what is still live (see alloc_test.h). Not for the per-request hot path:
 * nothing there allocates. */
#ifndef HP_CORE_ALLOC_H
#define HP_CORE_ALLOC_H

#include <stddef.h>

void *hp_malloc(size_t n);                 /* NULL on failure (or injected failure) */
void *hp_calloc(size_t count, size_t size);
void *hp_realloc(void *p, size_t n);       /* on failure p is untouched and still owned */
void hp_free(void *p);                     /* NULL is fine */
char *hp_strdup(const char *s);
/* p (an array of *cap elements of elem bytes) grown to hold at least need:
 * capacity doubles from `first` until it does. The array, moved or not; on
 * failure p itself, *cap untouched (so *cap < need says it failed). */
void *hp_grow_to(void *p, size_t *cap, size_t need, size_t elem, size_t first);
/* The same on an array lvalue and its size_t capacity: 0, or -ENOMEM with
 * both untouched. */
#define HP_GROW(arr, cap, need, first)                                                             \
    ((arr) = hp_grow_to((arr), &(cap), (need), sizeof *(arr), (first)),                            \
     (cap) >= (need) ? 0 : -ENOMEM)
char *hp_strndup(const char *s, size_t n);

#endif
