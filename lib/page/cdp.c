// SPDX-License-Identifier: MIT
/* page/cdp.c - see cdp.h. */
#include "page/cdp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

void hp_cdp_reader_init(struct hp_cdp_reader *r, size_t max)
{
    memset(r, 0, sizeof *r);
    r->max = max ? max : HP_CDP_MAX_MESSAGE;
}

void hp_cdp_reader_fini(struct hp_cdp_reader *r)
{
    hp_free(r->buf);
    memset(r, 0, sizeof *r);
}

int hp_cdp_reader_feed(struct hp_cdp_reader *r, const void *data, size_t n)
{
    if (n == 0)
        return 0;
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n)
            cap *= 2;
        char *b = hp_realloc(r->buf, cap);
        if (!b)
            return -ENOMEM;
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, data, n);
    r->len += n;
    return 0;
}

/* Drop the first n bytes held. */
static void consume(struct hp_cdp_reader *r, size_t n)
{
    memmove(r->buf, r->buf + n, r->len - n);
    r->len -= n;
    r->offset += n;
    r->scanned = 0;
}

int hp_cdp_reader_next(struct hp_cdp_reader *r, json_t **msg, struct hp_err *err)
{
    *msg = NULL;
    const char *nul = r->len > r->scanned ? memchr(r->buf + r->scanned, '\0', r->len - r->scanned)
                                          : NULL;
    if (!nul) {
        r->scanned = r->len;
        if (r->len > r->max)
            return hp_err_set(err, -E2BIG, "DevTools pipe: a message at byte %llu runs past %zu "
                              "bytes without its end", (unsigned long long)r->offset, r->max);
        return 0;
    }
    size_t n = (size_t)(nul - r->buf);
    uint64_t at = r->offset;
    if (n > r->max) {
        consume(r, n + 1);
        return hp_err_set(err, HP_EPARSE, "DevTools pipe: the message at byte %llu is %zu bytes, "
                          "over the %zu allowed", (unsigned long long)at, n, r->max);
    }
    json_error_t jerr;
    json_t *j = json_loadb(r->buf, n, JSON_REJECT_DUPLICATES, &jerr);
    consume(r, n + 1);
    if (!j)
        return hp_err_set(err, HP_EPARSE, "DevTools pipe: the message at byte %llu: %s "
                          "(at its byte %d)", (unsigned long long)at, jerr.text, jerr.position);
    if (!json_is_object(j)) {
        json_decref(j);
        return hp_err_set(err, HP_EPARSE, "DevTools pipe: the message at byte %llu is not a "
                          "JSON object", (unsigned long long)at);
    }
    r->messages++;
    *msg = j;
    return 1;
}

enum hp_cdp_kind hp_cdp_kind(json_t *msg, int64_t *id)
{
    json_t *jid = json_object_get(msg, "id");
    if (jid) {
        if (!json_is_integer(jid) || json_integer_value(jid) < 0)
            return HP_CDP_INVALID;
        json_t *res = json_object_get(msg, "result"), *e = json_object_get(msg, "error");
        if ((res != NULL) == (e != NULL))
            return HP_CDP_INVALID; /* one of them, exactly */
        if (id)
            *id = json_integer_value(jid);
        if (e)
            return json_is_object(e) ? HP_CDP_ERROR : HP_CDP_INVALID;
        return json_is_object(res) ? HP_CDP_RESPONSE : HP_CDP_INVALID;
    }
    json_t *m = json_object_get(msg, "method"), *p = json_object_get(msg, "params");
    if (!json_is_string(m) || (p && !json_is_object(p)))
        return HP_CDP_INVALID;
    return HP_CDP_EVENT;
}

int hp_cdp_command(int64_t id, const char *method, json_t *params, const char *session,
                   char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    json_t *o = json_pack("{s:I, s:s}", "id", (json_int_t)id, "method", method);
    if (!o)
        return -ENOMEM;
    if ((params && json_object_set(o, "params", params) < 0) ||
        (session && json_object_set_new(o, "sessionId", json_string(session)) < 0)) {
        json_decref(o);
        return -ENOMEM;
    }
    size_t n = json_dumpb(o, NULL, 0, JSON_COMPACT);
    char *b = n ? hp_malloc(n + 1) : NULL;
    if (!b || json_dumpb(o, b, n, JSON_COMPACT) != n) {
        json_decref(o);
        hp_free(b);
        return -ENOMEM;
    }
    json_decref(o);
    b[n] = '\0'; /* the NUL ends the message on the pipe */
    *out = b;
    *len = n + 1;
    return 0;
}
