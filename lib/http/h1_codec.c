/* SPDX-License-Identifier: MIT */
/* http/h1_codec.c - HTTP/1.1 behind the codec seam (http/codec.h): the
 * response parser of http/http_resp.h, and requests sent as they are. */
#include "http/codec.h"

#include "http/http_resp.h"

struct h1 {
    struct hp_http_resp resp;
    bool head; /* every answer is to HEAD */
    const int64_t *clock;
    int64_t first_ns; /* the answer being parsed began then; 0: none yet */
};

static int h1_reset(void *st, const struct hp_codec_conf *conf)
{
    struct h1 *h = st;
    h->head = conf->head;
    h->clock = conf->clock;
    h->first_ns = 0;
    hp_resp_init(&h->resp, conf->head);
    return 0;
}

static void h1_expect(void *st, bool head)
{
    struct h1 *h = st;
    hp_resp_init(&h->resp, head);
}

static void answer_of(struct h1 *h, const struct hp_http_resp *r, struct hp_answer *a)
{
    a->first_ns = h->first_ns;
    h->first_ns = 0;
    a->status = r->status;
    a->keep_alive = r->keep_alive;
    a->chunked = r->body_kind == HP_BODY_CHUNKED;
    a->head_bytes = (uint32_t)r->head_bytes;
    a->fail = HP_ANSWER_OK;
    a->slot = -1;
    a->error = NULL;
    a->kept = NULL;
    a->kept_len = 0;
}

static int h1_feed(void *st, const char *buf, size_t len, size_t *used, struct hp_answer *a)
{
    struct h1 *h = st;
    if (h->first_ns == 0 && len > 0 && h->clock)
        h->first_ns = *h->clock;
    int rc = hp_resp_feed(&h->resp, buf, len, used);
    if (rc == HP_RESP_MORE)
        return HP_CODEC_MORE;
    if (rc == HP_RESP_EBAD) {
        a->error = h->resp.error;
        return HP_CODEC_EBAD;
    }
    answer_of(h, &h->resp, a);
    hp_resp_init(&h->resp, h->head); /* ready for the next, in order */
    return HP_CODEC_ANSWER;
}

static int h1_eof(void *st, struct hp_answer *a)
{
    struct h1 *h = st;
    if (hp_resp_idle(&h->resp))
        return HP_CODEC_MORE;
    if (hp_resp_eof(&h->resp) == HP_RESP_DONE) {
        answer_of(h, &h->resp, a);
        hp_resp_init(&h->resp, h->head);
        return HP_CODEC_ANSWER;
    }
    a->error = "the connection closed inside a response";
    return HP_CODEC_EBAD;
}

const struct hp_client_codec hp_codec_h1 = {
    .name = "http/1.1",
    .state_bytes = sizeof(struct h1),
    .streams = false,
    .reset = h1_reset,
    .fini = NULL,
    .expect = h1_expect,
    .encode = NULL,
    .feed = h1_feed,
    .eof = h1_eof,
    .room = NULL,
};
