// SPDX-License-Identifier: MIT
/* Unit tests for net/http_resp.c, with a differential test against
 * nodejs/http-parser on generated responses: the same message boundaries,
 * statuses and body lengths, however the bytes are split. */
#include <gsl/gsl_rng.h>
#include <http_parser.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_resp.h"
#include "testutil.h"

struct parsed {
    int status;
    uint64_t body;
    size_t end; /* offset just past the response */
    bool keep_alive;
};

/* Parse consecutive responses in s with ours, feeding `step` bytes at a time.
 * Returns the number parsed; stops at the first error (sets *bad). */
static int ours(const char *s, size_t len, size_t step, const bool *heads, struct parsed *out,
                int max, bool *bad)
{
    struct hp_http_resp r;
    size_t pos = 0;
    int n = 0;
    *bad = false;
    hp_resp_init(&r, heads && heads[0]);
    while (pos < len && n < max) {
        size_t chunk = len - pos < step ? len - pos : step, used;
        int rc = hp_resp_feed(&r, s + pos, chunk, &used);
        pos += used;
        if (rc == HP_RESP_EBAD) {
            *bad = true;
            return n;
        }
        if (rc == HP_RESP_DONE) {
            out[n] = (struct parsed){r.status, r.body_bytes, pos, r.keep_alive};
            n++;
            hp_resp_init(&r, heads && n < max && heads[n]);
        }
    }
    if (pos == len && n < max && !hp_resp_idle(&r)) {
        if (hp_resp_eof(&r) == HP_RESP_DONE)
            out[n++] = (struct parsed){r.status, r.body_bytes, pos, r.keep_alive};
        else
            *bad = true;
    }
    return n;
}

static void resp_parses_length_chunked_and_close(void **state)
{
    (void)state;
    const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                    "HTTP/1.1 100 Continue\r\n\r\n"
                    "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "3;x=1\r\nabc\r\n0\r\nT: 1\r\n\r\n"
                    "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
                    "HTTP/1.0 200 OK\nServer: x\n\nuntil the end";
    struct parsed p[8];
    bool bad;
    for (size_t step = 1; step <= strlen(s); step += (step < 8 ? 1 : 13)) {
        int n = ours(s, strlen(s), step, NULL, p, 8, &bad);
        assert_false(bad);
        assert_int_equal(n, 4);
        assert_int_equal(p[0].status, 200);
        assert_int_equal(p[0].body, 5);
        assert_true(p[0].keep_alive);
        assert_int_equal(p[1].status, 201);
        assert_int_equal(p[1].body, 3);
        assert_int_equal(p[2].status, 204);
        assert_int_equal(p[3].status, 200);
        assert_int_equal(p[3].body, 13);
        assert_false(p[3].keep_alive);
        assert_int_equal(p[3].end, strlen(s));
    }
}

static void resp_head_and_interim(void **state)
{
    (void)state;
    const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n"
                    "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\n"
                    "Content-Length: 2\r\nConnection: close\r\n\r\nok";
    bool heads[] = {true, false};
    struct parsed p[2];
    bool bad;
    assert_int_equal(ours(s, strlen(s), 1000, heads, p, 2, &bad), 2);
    assert_false(bad);
    assert_int_equal(p[0].body, 0);
    assert_int_equal(p[1].status, 200);
    assert_int_equal(p[1].body, 2);
    assert_false(p[1].keep_alive);
}

/* Answers that have no body whatever their head says (RFC 9110 6.4.1):
 * 204 and 304 with a Content-Length, or with no framing at all (not read
 * to the close), and an answer to HEAD that announces 5 bytes. A parser that
 * read a body there would swallow the next answer's head. */
static void resp_no_body_whatever_the_head_says(void **state)
{
    (void)state;
    const char *next = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    static const struct {
        const char *head;
        bool for_head;
    } cases[] = {
        {"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", false},
        {"HTTP/1.1 204 No Content\r\n\r\n", false},
        {"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", false},
        {"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", false},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true},
        {"HTTP/1.1 200 OK\r\n\r\n", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char s[256];
        snprintf(s, sizeof s, "%s%s", cases[i].head, next);
        bool heads[] = {cases[i].for_head, false}, bad;
        struct parsed p[2];
        for (size_t step = 1; step <= strlen(s); step += step < 4 ? 1 : 7) {
            int n = ours(s, strlen(s), step, heads, p, 2, &bad);
            if (n != 2 || bad || p[0].body != 0 || p[0].end != strlen(cases[i].head) ||
                p[1].status != 200 || p[1].body != 2 || !p[0].keep_alive)
                fail_msg("case %zu, %zu bytes at a time: %d answers, first %d bytes of body "
                         "ending at %zu", i, step, n, (int)p[0].body, p[0].end);
        }
    }
}

static void resp_refuses_malformed(void **state)
{
    (void)state;
    static const char *bad_inputs[] = {
        "HTTP/2 200 OK\r\n\r\n",
        "HTTX/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZ\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", /* then EOF */
    };
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
        struct parsed p[2];
        bool bad;
        ours(bad_inputs[i], strlen(bad_inputs[i]), 1000, NULL, p, 2, &bad);
        if (!bad)
            fail_msg("case %zu accepted: %s", i, bad_inputs[i]);
    }
}

/* ---- differential ------------------------------------------------------- */

struct hpp {
    int status;
    uint64_t body;
    int done;
};

static int hpp_body(http_parser *p, const char *at, size_t len)
{
    (void)at;
    ((struct hpp *)p->data)->body += len;
    return 0;
}

static int hpp_complete(http_parser *p)
{
    struct hpp *h = p->data;
    if (p->status_code >= 100 && p->status_code < 200)
        return 0;
    h->status = (int)p->status_code;
    h->done = 1;
    http_parser_pause(p, 1);
    return 0;
}

static int hpp_headers(http_parser *p)
{
    (void)p;
    return 0;
}

static const char *const reasons[] = {"OK", "", "Not Found", "Weird  reason\twith tab"};

/* Append one generated response; returns whether its body ends at close. */
static bool gen_response(gsl_rng *rng, char *buf, size_t *len, size_t cap)
{
    static const int statuses[] = {200, 201, 204, 301, 304, 404, 500, 503, 100, 103};
    int st = statuses[gsl_rng_uniform_int(rng, 10)];
    const char *eol = gsl_rng_uniform_int(rng, 6) == 0 ? "\n" : "\r\n";
    size_t n = *len;
    if (st < 200) { /* interim, then a final one */
        n += (size_t)snprintf(buf + n, cap - n, "HTTP/1.1 %d Info%s%s", st, eol, eol);
        st = 200;
    }
    n += (size_t)snprintf(buf + n, cap - n, "HTTP/1.%d %d %s%s",
                          gsl_rng_uniform_int(rng, 8) == 0 ? 0 : 1, st,
                          reasons[gsl_rng_uniform_int(rng, 4)], eol);
    for (unsigned long k = gsl_rng_uniform_int(rng, 4); k > 0; k--)
        n += (size_t)snprintf(buf + n, cap - n, "X-Field-%lu:  value %lu %s", k,
                              gsl_rng_uniform_int(rng, 99999), eol);
    int framing = (int)gsl_rng_uniform_int(rng, 10);
    size_t body = gsl_rng_uniform_int(rng, 300);
    bool no_body = st == 204 || st == 304;
    bool close_delimited = false;
    if (framing < 6 || no_body) {
        n += (size_t)snprintf(buf + n, cap - n, "%s: %zu%s",
                              framing & 1 ? "content-length" : "Content-Length", no_body ? 0 : body, eol);
        n += (size_t)snprintf(buf + n, cap - n, "%s", eol);
        if (!no_body) {
            memset(buf + n, 'b', body);
            n += body;
        }
    } else if (framing < 9) {
        n += (size_t)snprintf(buf + n, cap - n, "Transfer-Encoding: chunked%s%s", eol, eol);
        while (body > 0) {
            size_t c = 1 + gsl_rng_uniform_int(rng, body);
            n += (size_t)snprintf(buf + n, cap - n, "%zx%s\r\n", c,
                                  gsl_rng_uniform_int(rng, 3) == 0 ? ";ext=v" : "");
            memset(buf + n, 'c', c);
            n += c;
            n += (size_t)snprintf(buf + n, cap - n, "\r\n");
            body -= c;
        }
        n += (size_t)snprintf(buf + n, cap - n, "0\r\n%s\r\n",
                              gsl_rng_uniform_int(rng, 2) ? "Trailer: x\r\n" : "");
    } else {
        n += (size_t)snprintf(buf + n, cap - n, "Connection: close%s%s", eol, eol);
        memset(buf + n, 'z', body);
        n += body;
        close_delimited = true;
    }
    *len = n;
    return close_delimited;
}

static void resp_agrees_with_http_parser(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    static http_parser_settings settings;
    settings.on_body = hpp_body;
    settings.on_message_complete = hpp_complete;
    settings.on_headers_complete = hpp_headers;
    char *buf = malloc(1 << 16);
    for (int round = 0; round < 3000; round++) {
        size_t len = 0;
        int count = 0;
        bool closes = false;
        while (count < 6 && !closes && len < 40000) {
            closes = gen_response(rng, buf, &len, 1 << 16);
            count++;
        }
        struct parsed mine[8];
        bool bad;
        size_t step = 1 + gsl_rng_uniform_int(rng, 64);
        int n = ours(buf, len, step, NULL, mine, 8, &bad);
        if (bad || n != count)
            fail_msg("round %d: ours parsed %d of %d (bad %d)\n%.*s", round, n, count, bad,
                     (int)len, buf);
        /* http-parser, pausing at each message end to learn the boundary. */
        http_parser p;
        struct hpp h;
        size_t pos = 0;
        http_parser_init(&p, HTTP_RESPONSE);
        p.data = &h;
        for (int k = 0; k < count; k++) {
            memset(&h, 0, sizeof h);
            size_t used = http_parser_execute(&p, &settings, buf + pos, len - pos);
            if (HTTP_PARSER_ERRNO(&p) == HPE_PAUSED)
                http_parser_pause(&p, 0);
            pos += used;
            if (!h.done && k == count - 1 && closes) {
                http_parser_execute(&p, &settings, NULL, 0); /* EOF */
                pos = len;
            }
            assert_true(h.done);
            assert_int_equal(h.status, mine[k].status);
            assert_int_equal(h.body, mine[k].body);
            assert_int_equal(pos, mine[k].end);
        }
    }
    free(buf);
    gsl_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resp_parses_length_chunked_and_close),
        cmocka_unit_test(resp_head_and_interim),
        cmocka_unit_test(resp_no_body_whatever_the_head_says),
        cmocka_unit_test(resp_refuses_malformed),
        cmocka_unit_test(resp_agrees_with_http_parser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
