/* SPDX-License-Identifier: MIT */
/* page/cdp.h - the Chrome DevTools Protocol as Chromium speaks it over a
 * pipe (--remote-debugging-pipe): JSON texts, each ended by a NUL byte, the
 * browser reading ours on its fd 3 and writing its own on fd 4. Commands
 * carry an "id" and a "method" (and "params", and a "sessionId" for one
 * page's session); the browser answers each with the same "id" and a
 * "result" or an "error", and sends events ("method" and "params", no
 * "id") as they happen.
 * The reader takes bytes as they come, in any pieces, and yields whole
 * messages; a message over its limit or one that is not a JSON object is an
 * error naming where in the stream it began. */
#ifndef HP_PAGE_CDP_H
#define HP_PAGE_CDP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define HP_CDP_MAX_MESSAGE (64u << 20) /* a whole page's DOM or a large response body */

struct hp_cdp_reader {
    char *buf;
    size_t len, cap;  /* bytes held: the start of the next message and what follows */
    size_t scanned;   /* of buf[0..len) already searched for the NUL */
    size_t max;       /* a message's limit (HP_CDP_MAX_MESSAGE when 0) */
    uint64_t offset;  /* of buf[0] in the whole stream */
    uint64_t messages;
};

void hp_cdp_reader_init(struct hp_cdp_reader *r, size_t max);
void hp_cdp_reader_fini(struct hp_cdp_reader *r);

/* Append n bytes. 0 or -ENOMEM. */
int hp_cdp_reader_feed(struct hp_cdp_reader *r, const void *data, size_t n);

/* The next whole message: 1 with *msg (the caller's: json_decref), 0 when
 * none is complete yet, or HP_EPARSE with err (the message's offset in the
 * stream and what was wrong; the reader skips it, so reading may go on) or
 * -E2BIG (more than max bytes without a NUL: the stream is lost). */
int hp_cdp_reader_next(struct hp_cdp_reader *r, json_t **msg, struct hp_err *err);

enum hp_cdp_kind { HP_CDP_INVALID, HP_CDP_RESPONSE, HP_CDP_ERROR, HP_CDP_EVENT };

/* What a message is: a response (an integer "id" >= 0 and a "result"
 * object), an error answer (an "id" and an "error" object), an event (a
 * string "method" and no "id"), or none of these. *id (may be NULL) gets the
 * id of a response or error. */
enum hp_cdp_kind hp_cdp_kind(json_t *msg, int64_t *id);

/* A command as the bytes to write, NUL included: {"id", "method",
 * "params" (params may be NULL: none), "sessionId" (may be NULL)}. 0 with
 * *out (hp_free) and *len, or -ENOMEM. params is borrowed. */
int hp_cdp_command(int64_t id, const char *method, json_t *params, const char *session,
                   char **out, size_t *len);

#endif
