/* SPDX-License-Identifier: MIT */
/* core/ydoc.h - a YAML file as libyaml's document tree, with the helpers
 * every hotpath YAML reader needs: errors at a node's line and column,
 * scalars, map lookups, and "unknown key (did you mean ...)" checks. */
#ifndef HP_CORE_YDOC_H
#define HP_CORE_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "core/err.h"

struct hp_ydoc {
    yaml_document_t doc;
    const char *name;     /* file name in messages; borrowed */
    struct hp_err *err;
    bool loaded;
};

/* Deepest nesting of lists and maps a file may have: hotpath's formats need
 * a handful of levels. */
#define HP_YDOC_MAX_DEPTH 64

/* Parse text as one YAML document. Syntax errors give line:col, and so
 * does nesting deeper than HP_YDOC_MAX_DEPTH (refused before loading). */
int hp_ydoc_parse(struct hp_ydoc *y, const char *text, size_t len, const char *name,
                  struct hp_err *err);
void hp_ydoc_fini(struct hp_ydoc *y);
yaml_node_t *hp_ydoc_root(struct hp_ydoc *y);

/* Fill err at node n (NULL: no position) and return HP_EPARSE. */
int hp_ydoc_error(struct hp_ydoc *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The scalar's text, or NULL for a map, a list or NULL. */
const char *hp_ydoc_scalar(const yaml_node_t *n);
/* map[key], or NULL when absent (or map is not a map). */
yaml_node_t *hp_ydoc_get(struct hp_ydoc *y, const yaml_node_t *map, const char *key);
/* Every key of map is in known[0..n); else an error at the first stranger,
 * naming the nearest known key. `what` says where ("a request"). */
int hp_ydoc_check_keys(struct hp_ydoc *y, const yaml_node_t *map, const char *const *known,
                       int n, const char *what);
/* The nodes of a list, for iteration (n_out items). NULL when not a list. */
yaml_node_item_t *hp_ydoc_items(const yaml_node_t *list, int *n_out);
yaml_node_t *hp_ydoc_node(struct hp_ydoc *y, int id);

#endif
