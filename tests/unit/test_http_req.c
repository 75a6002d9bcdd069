// SPDX-License-Identifier: MIT
/* Unit tests for net/http_req.c and net/chunked.c, with a differential test
 * against nodejs/http-parser (Debian's libhttp-parser-dev): on requests both
 * should accept they must agree on every field; on mutated requests hotpath
 * may refuse more (it is stricter by design) but never accept what
 * http-parser refuses. */
#include <gsl/gsl_rng.h>
#include <http_parser.h>
#include <stdlib.h>
#include <string.h>

#include "http/chunked.h"
#include "http/http_req.h"
#include "http/http_token.h"
#include "testutil.h"

static int parse_all(const char *s, struct hp_http_req *req)
{
    size_t scan = 0;
    return hp_http_parse_request(s, strlen(s), HP_HTTP_MAX_HEAD, &scan, req);
}

/* The tchar set (a bitmap on the hot path) is RFC 9110's list, byte for
 * byte. */
static void tchar_is_rfc9110s(void **state)
{
    (void)state;
    static const char extra[] = "!#$%&'*+-.^_`|~";
    for (int c = 0; c < 256; c++) {
        bool want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    (c != 0 && strchr(extra, c) != NULL);
        if (hp_http_is_tchar((unsigned char)c) != want)
            fail_msg("byte 0x%02x", c);
    }
}

static void req_parses_a_plain_get(void **state)
{
    (void)state;
    struct hp_http_req r;
    const char *s = "GET /bytes/10?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\nNEXT";
    assert_int_equal(parse_all(s, &r), (int)strlen(s) - 4);
    assert_int_equal(r.method_len, 3);
    assert_memory_equal(r.method, "GET", 3);
    assert_int_equal(r.target_len, 13);
    assert_memory_equal(r.target, "/bytes/10?x=1", 13);
    assert_int_equal(r.version_minor, 1);
    assert_int_equal(r.n_headers, 2);
    assert_int_equal(r.content_length, -1);
    assert_false(r.chunked);
    assert_true(r.keep_alive);
    assert_false(r.head);
}

static void req_table(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int rc; /* > 0: expect the whole input as the head */
        int64_t cl;
        bool chunked, keep_alive;
    } cases[] = {
        {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 1, -1, false, false},
        {"GET / HTTP/1.0\r\n\r\n", 1, -1, false, false},
        {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 1, -1, false, true},
        {"GET / HTTP/1.1\nHost: a\n\n", 1, -1, false, true},
        {"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 1, -1, false, true},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n", 1, 42, false, true},
        {"POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 7, 7\r\n\r\n", 1, 7, false, true},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", 1, -1, true, true},
        {"HEAD / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n", 1, -1, false,
         false},
        /* refused */
        {"GET / HTTP/1.1\r\n\r\n", HP_HTTP_EBAD, 0, 0, 0},                    /* no Host */
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", HP_HTTP_EBAD, 0, 0, 0},
        {"GET / HTTP/2.0\r\n\r\n", HP_HTTP_EVERSION, 0, 0, 0},
        {"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", HP_HTTP_EBAD, 0, 0, 0},
        {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", HP_HTTP_EBAD, 0, 0, 0},
        {"GET / FTP/1.1\r\nHost: a\r\n\r\n", HP_HTTP_EBAD, 0, 0, 0},
        {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", HP_HTTP_EBAD, 0, 0, 0},
        {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", HP_HTTP_EBAD, 0, 0, 0},
        {"GET / HTTP/1.1\r\nHost: a\r\n x\r\n\r\n", HP_HTTP_EBAD, 0, 0, 0},  /* obs-fold */
        {"GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", HP_HTTP_EBAD, 0, 0, 0},
        {"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", HP_HTTP_EBAD, 0, 0, 0},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
         HP_HTTP_ELENGTH, 0, 0, 0},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", HP_HTTP_ELENGTH, 0, 0, 0},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
         HP_HTTP_ELENGTH, 0, 0, 0},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", HP_HTTP_ELENGTH, 0, 0,
         0},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
         HP_HTTP_ELENGTH, 0, 0, 0},
        {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", HP_HTTP_ELENGTH, 0, 0, 0},
        {"GET / HTTP/1.1\r\nHost: a\r\n", HP_HTTP_INCOMPLETE, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hp_http_req r;
        int rc = parse_all(cases[i].in, &r);
        int want = cases[i].rc == 1 ? (int)strlen(cases[i].in) : cases[i].rc;
        if (rc != want)
            fail_msg("case %zu: got %d, want %d (%s)", i, rc, want,
                     rc < 0 && r.bad_reason ? r.bad_reason : "");
        if (rc > 0) {
            assert_int_equal(r.content_length, cases[i].cl);
            assert_int_equal(r.chunked, cases[i].chunked);
            assert_int_equal(r.keep_alive, cases[i].keep_alive);
        }
    }
}

static void req_head_over_limit_is_431(void **state)
{
    (void)state;
    size_t n = HP_HTTP_MAX_HEAD + 100;
    char *s = malloc(n + 1);
    struct hp_http_req r;
    size_t scan = 0;
    memcpy(s, "GET / HTTP/1.1\r\nHost: a\r\nX: ", 29);
    memset(s + 29, 'a', n - 29);
    s[n] = '\0';
    assert_int_equal(hp_http_parse_request(s, n, HP_HTTP_MAX_HEAD, &scan, &r), HP_HTTP_ETOOLARGE);
    /* A complete head just over the limit too. */
    memcpy(s + HP_HTTP_MAX_HEAD - 2, "\r\n\r\n", 4);
    scan = 0;
    assert_int_equal(hp_http_parse_request(s, n, HP_HTTP_MAX_HEAD, &scan, &r), HP_HTTP_ETOOLARGE);
    free(s);
}

static void req_parses_incrementally(void **state)
{
    (void)state;
    const char *s = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
    size_t head = strlen(s) - 3, scan = 0;
    struct hp_http_req r;
    for (size_t k = 1; k <= strlen(s); k++) {
        int rc = hp_http_parse_request(s, k, HP_HTTP_MAX_HEAD, &scan, &r);
        if (k < head)
            assert_int_equal(rc, HP_HTTP_INCOMPLETE);
        else {
            assert_int_equal(rc, (int)head);
            assert_int_equal(r.content_length, 3);
            break;
        }
    }
}

/* ---- differential against http-parser ---------------------------------- */

struct hpp_result {
    char url[512];
    size_t url_len;
    int headers_done;
    int messages;
};

static int on_url(http_parser *p, const char *at, size_t len)
{
    struct hpp_result *r = p->data;
    if (r->url_len + len < sizeof r->url) {
        memcpy(r->url + r->url_len, at, len);
        r->url_len += len;
    }
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    struct hpp_result *r = p->data;
    r->headers_done = 1;
    return 0;
}

static int on_message_complete(http_parser *p)
{
    ((struct hpp_result *)p->data)->messages++;
    return 0;
}

/* Run http-parser over the head; true when it accepted all of it. */
static bool hpp_parse(const char *s, size_t len, http_parser *p, struct hpp_result *r)
{
    static http_parser_settings settings;
    settings.on_url = on_url;
    settings.on_headers_complete = on_headers_complete;
    settings.on_message_complete = on_message_complete;
    memset(r, 0, sizeof *r);
    http_parser_init(p, HTTP_REQUEST);
    p->data = r;
    size_t n = http_parser_execute(p, &settings, s, len);
    return HTTP_PARSER_ERRNO(p) == HPE_OK && n == len && r->headers_done;
}

static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"};
static const char *const paths[] = {"/", "/bytes/64KiB", "/status/204", "/delay/exp:5ms",
                                    "/a/b?c=d&e=%20", "/x#frag", "*"};
static const char *const connection[] = {NULL, "close", "keep-alive", "Close", "upgrade, close",
                                         "Keep-Alive"};

static void build_request(gsl_rng *rng, char *buf, size_t size, bool *has_body)
{
    const char *m = methods[gsl_rng_uniform_int(rng, 7)];
    const char *path = paths[gsl_rng_uniform_int(rng, 7)];
    int minor = gsl_rng_uniform_int(rng, 4) == 0 ? 0 : 1;
    const char *conn = connection[gsl_rng_uniform_int(rng, 6)];
    const char *eol = gsl_rng_uniform_int(rng, 5) == 0 ? "\n" : "\r\n";
    int n = snprintf(buf, size, "%s %s HTTP/1.%d%s", m, path, minor, eol);
    if (minor == 1 || gsl_rng_uniform_int(rng, 2))
        n += snprintf(buf + n, size - (size_t)n, "%s: example.com%s",
                      gsl_rng_uniform_int(rng, 2) ? "Host" : "hOST", eol);
    if (conn)
        n += snprintf(buf + n, size - (size_t)n, "Connection: %s%s", conn, eol);
    *has_body = gsl_rng_uniform_int(rng, 3) == 0 && strcmp(m, "HEAD") != 0;
    if (*has_body)
        n += snprintf(buf + n, size - (size_t)n, "Content-Length:%s%lu%s",
                      gsl_rng_uniform_int(rng, 2) ? " " : "",
                      (unsigned long)gsl_rng_uniform_int(rng, 100000), eol);
    for (unsigned long k = gsl_rng_uniform_int(rng, 5); k > 0; k--)
        n += snprintf(buf + n, size - (size_t)n, "X-H%lu: v%lu \t%s", k,
                      gsl_rng_uniform_int(rng, 1000), eol);
    snprintf(buf + n, size - (size_t)n, "%s", eol);
}

static bool cl_has_tab(const char *buf)
{
    const char *cl = strstr(buf, "Content-Length:");
    return cl && memchr(cl, '\t', strcspn(cl, "\n")) != NULL;
}

static void req_agrees_with_http_parser(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    char buf[2048];
    int agreed = 0;
    for (int i = 0; i < 20000; i++) {
        bool has_body;
        struct hp_http_req r;
        http_parser p;
        struct hpp_result hr;
        size_t scan = 0;
        build_request(rng, buf, sizeof buf, &has_body);
        size_t len = strlen(buf);
        int rc = hp_http_parse_request(buf, len, HP_HTTP_MAX_HEAD, &scan, &r);
        bool theirs = hpp_parse(buf, len, &p, &hr);
        if (rc != (int)len || !theirs)
            fail_msg("both should accept: ours %d, http-parser %s (%s)\n%s", rc,
                     theirs ? "ok" : http_errno_name(HTTP_PARSER_ERRNO(&p)),
                     rc < 0 ? r.bad_reason : "", buf);
        assert_int_equal(r.method_len, strlen(http_method_str(p.method)));
        assert_memory_equal(r.method, http_method_str(p.method), r.method_len);
        assert_int_equal(r.target_len, hr.url_len);
        assert_memory_equal(r.target, hr.url, hr.url_len);
        assert_int_equal(r.version_minor, p.http_minor);
        assert_int_equal(r.keep_alive, http_should_keep_alive(&p) != 0);
        if (has_body)
            assert_int_equal(r.content_length, (int64_t)p.content_length);
        agreed++;
    }
    assert_int_equal(agreed, 20000);

    /* Mutations: flip, drop or insert bytes. Never accept what it refuses. */
    int ours_only_refused = 0;
    for (int i = 0; i < 50000; i++) {
        bool has_body;
        build_request(rng, buf, sizeof buf, &has_body);
        size_t len = strlen(buf);
        size_t at = gsl_rng_uniform_int(rng, len);
        static const char junk[] = " \t\r\n:;,\x7f\x80\x00ab/";
        switch (gsl_rng_uniform_int(rng, 3)) {
        case 0:
            buf[at] = junk[gsl_rng_uniform_int(rng, sizeof junk - 1)];
            break;
        case 1:
            memmove(buf + at, buf + at + 1, len - at);
            len--;
            break;
        default:
            memmove(buf + at + 1, buf + at, len - at + 1);
            buf[at] = junk[gsl_rng_uniform_int(rng, sizeof junk - 1)];
            len++;
        }
        struct hp_http_req r;
        http_parser p;
        struct hpp_result hr;
        size_t scan = 0;
        int rc = hp_http_parse_request(buf, len, HP_HTTP_MAX_HEAD, &scan, &r);
        if (rc <= 0)
            continue;
        bool theirs = hpp_parse(buf, (size_t)rc, &p, &hr);
        /* Deliberate difference: http-parser knows a fixed list of methods;
         * RFC 9110 9.1 allows any token, and so does hotpath. */
        if (!theirs && HTTP_PARSER_ERRNO(&p) == HPE_INVALID_METHOD)
            continue;
        /* And it refuses HTAB as whitespace around Content-Length, which
         * RFC 9110 5.6.3 (OWS) allows. */
        if (!theirs && HTTP_PARSER_ERRNO(&p) == HPE_INVALID_CONTENT_LENGTH && cl_has_tab(buf))
            continue;
        if (!theirs) {
            fail_msg("accepted what http-parser refuses (%s):\n%.*s",
                     http_errno_name(HTTP_PARSER_ERRNO(&p)), rc, buf);
        }
        if (r.keep_alive != (http_should_keep_alive(&p) != 0))
            ours_only_refused++;
    }
    (void)ours_only_refused;
    gsl_rng_free(rng);
}

/* ---- chunked ------------------------------------------------------------ */

static int feed_all(const char *s, size_t len, size_t step, char *body, size_t *body_len,
                    size_t *end)
{
    struct hp_chunked c;
    size_t pos = 0;
    int rc = HP_CHUNKED_MORE;
    hp_chunked_init(&c);
    *body_len = 0;
    while (pos < len) {
        size_t n = len - pos < step ? len - pos : step, used;
        const char *d;
        size_t dl;
        rc = hp_chunked_feed(&c, s + pos, n, &used, &d, &dl);
        memcpy(body + *body_len, d ? d : "", dl);
        *body_len += dl;
        pos += used;
        if (rc != HP_CHUNKED_MORE)
            break;
    }
    *end = pos;
    return rc;
}

static void chunked_decodes_in_any_pieces(void **state)
{
    (void)state;
    const char *s = "5;name=val\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                    "0\r\nX-Trailer: 1\r\n\r\nGET";
    for (size_t step = 1; step <= strlen(s); step++) {
        char body[64];
        size_t blen, end;
        assert_int_equal(feed_all(s, strlen(s), step, body, &blen, &end), HP_CHUNKED_DONE);
        assert_int_equal(blen, 31);
        assert_memory_equal(body, "helloabcdefghijklmnopqrstuvwxyz", 31);
        assert_int_equal(end, strlen(s) - 3);
    }
}

static void chunked_refuses_malformed(void **state)
{
    (void)state;
    static const char *bad[] = {"x\r\n", "5\r\nhelloX\r\n", "\r\n", "10000000000000000\r\n",
                                "5\rX", "0\r\nBad\x01\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[64];
        size_t blen, end;
        assert_int_equal(feed_all(bad[i], strlen(bad[i]), 100, body, &blen, &end),
                         HP_CHUNKED_EBAD);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tchar_is_rfc9110s),
        cmocka_unit_test(req_parses_a_plain_get),
        cmocka_unit_test(req_table),
        cmocka_unit_test(req_head_over_limit_is_431),
        cmocka_unit_test(req_parses_incrementally),
        cmocka_unit_test(req_agrees_with_http_parser),
        cmocka_unit_test(chunked_decodes_in_any_pieces),
        cmocka_unit_test(chunked_refuses_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
