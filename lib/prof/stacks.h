/* SPDX-License-Identifier: MIT */
/* prof/stacks.h - sampled call stacks merged into a tree: each node a frame
 * (a function name) under its caller, with the samples that passed through
 * it (total) and that ended in it (self). Two sets of counts, for a
 * differential flame graph (0: the profile, or "before"; 1: "after").
 * Fed by `hotpath profile` directly, or read from
 *   - folded stacks, Brendan Gregg's format: "root;caller;leaf COUNT" a line;
 *   - `perf script` text: a header line per sample ("comm pid ... event:"),
 *     then its frames one a line, leaf first ("addr symbol+off (dso)"), then
 *     a blank line; as stackcollapse-perf.pl folds it (the command name as
 *     the root frame, offsets dropped, "[unknown]" symbols named by their
 *     file as "[file]", only the first event the script shows).
 * Not thread-safe. */
#ifndef HP_PROF_STACKS_H
#define HP_PROF_STACKS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "core/u64map.h"

#define HP_STACKS_ROOT 0
#define HP_STACKS_MAX_DEPTH 1024 /* deeper stacks keep their outermost frames */

struct hp_snode {
    uint32_t name;                   /* an interned name (hp_stacks_name) */
    uint32_t parent, child, sibling; /* UINT32_MAX: none */
    uint32_t depth;                  /* the root's is 0 */
    uint64_t total[2], self[2];
};

struct hp_stacks {
    /* interned names: bytes in a pool, found by hash */
    char *pool;
    size_t pool_len, pool_cap;
    uint32_t *name_off, nnames;
    size_t names_cap;
    uint32_t *name_slots, name_mask; /* id + 1; 0 free */
    struct hp_snode *nodes;
    uint32_t nnodes, nodes_cap;
    struct hp_u64map kids; /* (parent << 32 | name) -> node */
    /* the last stack added and its nodes: the next one often shares a prefix */
    uint32_t last_frames[HP_STACKS_MAX_DEPTH], last_nodes[HP_STACKS_MAX_DEPTH];
    int last_n;
    /* perf script: what was skipped */
    uint64_t other_events;
    char event[64];
};

/* 0 or -ENOMEM. */
int hp_stacks_init(struct hp_stacks *s);
void hp_stacks_fini(struct hp_stacks *s);

/* The id of name (len bytes), interned; UINT32_MAX on ENOMEM. */
uint32_t hp_stacks_intern(struct hp_stacks *s, const char *name, size_t len);
static inline const char *hp_stacks_name(const struct hp_stacks *s, uint32_t id)
{
    return s->pool + s->name_off[id];
}

/* Add count samples of a stack given root first, as interned names, to
 * counts `which` (0 or 1). 0 or -ENOMEM. */
int hp_stacks_add(struct hp_stacks *s, const uint32_t *frames, int n, uint64_t count, int which);

/* Read a file of folded stacks or `perf script` output (told apart by the
 * first line that is not a comment: folded lines end in " COUNT"), plain,
 * gzip, zstd or "-" for stdin, into counts `which`. 0, or a negative errno /
 * HP_EPARSE with err naming the file and line. *perf (may be NULL) says which
 * it was. */
int hp_stacks_read(struct hp_stacks *s, const char *path, int which, bool *perf,
                   struct hp_err *err);

/* The same from memory (the fuzzers); name is what errors call it. */
int hp_stacks_parse(struct hp_stacks *s, const char *name, const char *data, size_t len, int which,
                    bool *perf, struct hp_err *err);

/* Write counts `which` as folded stacks, one line per stack that ends
 * somewhere (self > 0), in name order at each level: the same input gives the
 * same bytes. 0, or -EIO. */
int hp_stacks_write_folded(const struct hp_stacks *s, int which, FILE *f);

/* The same as text: *out (free()) of *len bytes. 0 or -ENOMEM. */
int hp_stacks_folded(const struct hp_stacks *s, int which, char **out, size_t *len);

/* Add src's counts `from` to dst's counts `to`, stack by stack (two
 * profiles into the before and after of one tree). 0 or -ENOMEM. */
int hp_stacks_merge(struct hp_stacks *dst, const struct hp_stacks *src, int from, int to);

/* Order every node's children by name (the flame graph's left to right, and
 * the folded output's order). 0 or -ENOMEM. Adding afterwards puts new
 * children first again. */
int hp_stacks_sort(struct hp_stacks *s);

#endif
