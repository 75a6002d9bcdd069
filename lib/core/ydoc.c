// SPDX-License-Identifier: MIT
/* core/ydoc.c - see ydoc.h. */
#include "core/ydoc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"

/* Refuse nesting deeper than HP_YDOC_MAX_DEPTH before building the tree:
 * walking the events stops at the first level too deep, where loading a
 * 100,000-level file took libyaml half a minute. Syntax errors are left to
 * the load, which reports them the same way. */
static int check_depth(const char *text, size_t len, const char *name, struct hp_err *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int depth = 0, rc = 0;
    if (!yaml_parser_initialize(&parser))
        return hp_err_set(err, -ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    for (;;) {
        if (!yaml_parser_parse(&parser, &ev))
            break;
        yaml_event_type_t type = ev.type;
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (++depth > HP_YDOC_MAX_DEPTH) {
                rc = hp_err_at(err, HP_EPARSE, name, (int)ev.start_mark.line + 1,
                               (int)ev.start_mark.column + 1,
                               "nested more than %d levels deep (lists and maps in lists "
                               "and maps)", HP_YDOC_MAX_DEPTH);
                yaml_event_delete(&ev);
                break;
            }
        } else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&parser);
    return rc;
}

int hp_ydoc_parse(struct hp_ydoc *y, const char *text, size_t len, const char *name,
                  struct hp_err *err)
{
    yaml_parser_t parser;
    int rc = 0;
    memset(y, 0, sizeof *y);
    y->name = name;
    y->err = err;
    if ((rc = check_depth(text, len, name, err)) < 0)
        return rc;
    if (!yaml_parser_initialize(&parser))
        return hp_err_set(err, -ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &y->doc)) {
        rc = hp_err_at(err, HP_EPARSE, name, (int)parser.problem_mark.line + 1,
                       (int)parser.problem_mark.column + 1, "%s%s%s",
                       parser.problem ? parser.problem : "invalid YAML",
                       parser.context ? " " : "", parser.context ? parser.context : "");
    } else {
        y->loaded = true;
    }
    yaml_parser_delete(&parser);
    return rc;
}

void hp_ydoc_fini(struct hp_ydoc *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    y->loaded = false;
}

yaml_node_t *hp_ydoc_root(struct hp_ydoc *y)
{
    return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

int hp_ydoc_error(struct hp_ydoc *y, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[HP_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hp_err_at(y->err, HP_EPARSE, y->name, n ? (int)n->start_mark.line + 1 : 0,
                     n ? (int)n->start_mark.column + 1 : 0, "%s", msg);
}

const char *hp_ydoc_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *hp_ydoc_node(struct hp_ydoc *y, int id)
{
    return yaml_document_get_node(&y->doc, id);
}

yaml_node_t *hp_ydoc_get(struct hp_ydoc *y, const yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = hp_ydoc_scalar(hp_ydoc_node(y, p->key));
        if (k && strcmp(k, key) == 0)
            return hp_ydoc_node(y, p->value);
    }
    return NULL;
}

int hp_ydoc_check_keys(struct hp_ydoc *y, const yaml_node_t *map, const char *const *known,
                       int n, const char *what)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return 0;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = hp_ydoc_node(y, p->key);
        const char *key = hp_ydoc_scalar(k);
        bool ok = false;
        for (int i = 0; key && i < n; i++)
            ok |= strcmp(key, known[i]) == 0;
        if (ok)
            continue;
        const char *near = key ? hp_nearest(key, known, n) : NULL;
        if (near)
            return hp_ydoc_error(y, k, "unknown key '%s' in %s (did you mean '%s'?)",
                                 key ? key : "", what, near);
        return hp_ydoc_error(y, k, "unknown key '%s' in %s", key ? key : "", what);
    }
    return 0;
}

yaml_node_item_t *hp_ydoc_items(const yaml_node_t *list, int *n_out)
{
    if (!list || list->type != YAML_SEQUENCE_NODE) {
        *n_out = 0;
        return NULL;
    }
    *n_out = (int)(list->data.sequence.items.top - list->data.sequence.items.start);
    return list->data.sequence.items.start;
}
