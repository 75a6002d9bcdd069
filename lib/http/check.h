/* SPDX-License-Identifier: MIT */
/* http/check.h - per-response assertions of a scenario's requests (k6's
 * check()): the status (a code, a class such as 2xx, or a list), a header's
 * presence, value (equals / contains) or a PCRE2 match on it, and the body
 * containing a text or matching a regex. Judged on the response as received:
 * the head, and the body de-chunked, up to HP_CHECK_CAPTURE_BYTES of the
 * whole response (beyond that the body is cut, said in docs/scenarios.md).
 * Compiled patterns are shared by threads; each thread brings its own match
 * data (hp_check_match_data). */
#ifndef HP_HTTP_CHECK_H
#define HP_HTTP_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define HP_CHECK_CAPTURE_BYTES (64 * 1024)
#define HP_CHECK_NAME_MAX 96
#define HP_CHECK_MAX_STATUSES 8

enum hp_check_kind { HP_CHECK_STATUS, HP_CHECK_HEADER, HP_CHECK_BODY };
enum hp_check_cmp { HP_CMP_PRESENT, HP_CMP_EQUALS, HP_CMP_CONTAINS, HP_CMP_MATCHES };

struct hp_check {
    char name[HP_CHECK_NAME_MAX];
    enum hp_check_kind kind;
    int n_status;
    int status_lo[HP_CHECK_MAX_STATUSES], status_hi[HP_CHECK_MAX_STATUSES];
    char header[64];
    enum hp_check_cmp cmp;
    char *text;                 /* equals / contains */
    size_t text_len;
    void *re;                   /* matches: pcre2_code (JIT-compiled when possible) */
};

/* "200", "2xx", or several separated by commas ("200,201,3xx"). */
int hp_check_set_status(struct hp_check *c, const char *spec, struct hp_err *err);
/* Compile pattern for HP_CMP_MATCHES; err->col is the offset PCRE2 names. */
int hp_check_set_regex(struct hp_check *c, const char *pattern, struct hp_err *err);
int hp_check_set_text(struct hp_check *c, const char *text);
void hp_check_fini(struct hp_check *c);

/* Match data for one thread's hp_check_eval calls; free with
 * hp_check_match_data_free. NULL on allocation failure. */
void *hp_check_match_data(void);
void hp_check_match_data_free(void *md);

/* Judge one response: status, head (the final head's bytes, status line
 * included) and body (de-chunked). */
bool hp_check_eval(const struct hp_check *c, int status, const char *head, size_t head_len,
                   const char *body, size_t body_len, void *md);

/* Find the final head in a captured response (after any 1xx ones) and
 * de-chunk the body in place. capture[0..len) holds the response from its
 * first byte; head_bytes is where its body starts (hp_http_resp.head_bytes).
 * Sets head/body spans; a cut capture leaves a cut body. */
void hp_check_split(char *capture, size_t len, size_t head_bytes, bool chunked,
                    const char **head, size_t *head_len, const char **body, size_t *body_len);

#endif
