// SPDX-License-Identifier: MIT
/* http/http_resp.c - response parser state machine.
 *
 * status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
 * field-line  = field-name ":" OWS field-value OWS CRLF
 * Bare LF is accepted as a line end (RFC 9112 2.2). Obsolete line folding is
 * refused, as are conflicting framing fields (RFC 9112 6.3). */
#include "http/http_resp.h"

#include <string.h>
#include <strings.h>

#include "http/http_token.h"

enum {
    S_START = 0, /* expecting "HTTP/" */
    S_VERSION,   /* inside "HTTP/x.y" */
    S_VERSION_SP,
    S_STATUS,      /* three digits */
    S_REASON,      /* up to the line end */
    S_LINE_LF,     /* after CR of the status line */
    S_FIELD_START, /* at the start of a field line or the empty line */
    S_NAME,
    S_VALUE_OWS, /* whitespace before the value */
    S_VALUE,
    S_VALUE_LF, /* after CR of a field line */
    S_HEAD_LF,  /* after CR of the empty line */
    S_BODY_LENGTH,
    S_BODY_CHUNKED,
    S_BODY_CLOSE,
    S_DONE,
};

enum { F_OTHER, F_CONTENT_LENGTH, F_TRANSFER_ENCODING, F_CONNECTION };

#define VERSION_BYTES 8 /* "HTTP/1.1" */

void hp_resp_init(struct hp_http_resp *r, bool for_head)
{
    memset(r, 0, sizeof *r);
    r->content_length = -1;
    r->for_head = for_head;
}

static int fail(struct hp_http_resp *r, const char *why)
{
    r->error = why;
    return HP_RESP_EBAD;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Which framing field a name is, whatever its case. */
static int field_of(const char *name, size_t len)
{
    if (len == 14 && strncasecmp(name, "content-length", 14) == 0)
        return F_CONTENT_LENGTH;
    if (len == 17 && strncasecmp(name, "transfer-encoding", 17) == 0)
        return F_TRANSFER_ENCODING;
    if (len == 10 && strncasecmp(name, "connection", 10) == 0)
        return F_CONNECTION;
    return F_OTHER;
}

/* The list members of a Connection value (its lower-cased prefix) that
 * frame the message: "close" and "keep-alive", in one pass. Values longer
 * than the prefix are judged on the prefix: those two are short and come
 * first in practice. */
static void connection_tokens(struct hp_http_resp *r)
{
    size_t i = 0, n = r->value_len;
    while (i < n) {
        while (i < n && (r->value[i] == ' ' || r->value[i] == '\t' || r->value[i] == ','))
            i++;
        size_t start = i;
        while (i < n && r->value[i] != ',')
            i++;
        size_t end = i;
        while (end > start && (r->value[end - 1] == ' ' || r->value[end - 1] == '\t'))
            end--;
        if (end - start == 5 && memcmp(r->value + start, "close", 5) == 0)
            r->conn_close = true;
        else if (end - start == 10 && memcmp(r->value + start, "keep-alive", 10) == 0)
            r->conn_keep = true;
    }
}

/* A field line ended: act on the framing fields. */
static int field_done(struct hp_http_resp *r)
{
    switch (r->field) {
    case F_CONTENT_LENGTH:
        if (r->value_len == 0)
            return fail(r, "empty Content-Length");
        if (r->have_cl && r->remaining != (uint64_t)r->content_length)
            return fail(r, "conflicting Content-Length fields");
        r->have_cl = true;
        r->content_length = (int64_t)r->remaining;
        break;
    case F_TRANSFER_ENCODING: {
        /* trim trailing OWS */
        while (r->value_len &&
               (r->value[r->value_len - 1] == ' ' || r->value[r->value_len - 1] == '\t'))
            r->value_len--;
        if (r->value_len == 7 && memcmp(r->value, "chunked", 7) == 0)
            r->have_te = true;
        else if (r->value_len >= 9 && memcmp(r->value + r->value_len - 9, ", chunked", 9) == 0)
            r->have_te = true;
        else
            return fail(r, "Transfer-Encoding without chunked last: length unknown");
        break;
    }
    case F_CONNECTION: connection_tokens(r); break;
    default: break;
    }
    return 0;
}

/* The empty line ended the head: decide how the body is framed. */
static int head_done(struct hp_http_resp *r)
{
    if (r->status >= 100 && r->status < 200 && r->status != 101) {
        /* Interim: the real response follows. */
        int interim = r->interim + 1;
        uint64_t head_bytes = r->head_bytes;
        bool for_head = r->for_head;
        hp_resp_init(r, for_head);
        r->interim = interim;
        r->head_bytes = head_bytes;
        return 0;
    }
    if (r->have_te && r->have_cl)
        return fail(r, "both Content-Length and Transfer-Encoding");
    r->head_done = true;
    r->keep_alive = r->http10 ? (r->conn_keep && !r->conn_close) : !r->conn_close;
    if (r->for_head || r->status == 204 || r->status == 304 || r->status == 101) {
        r->body_kind = HP_BODY_NONE;
        r->state = S_DONE;
    } else if (r->have_te) {
        r->body_kind = HP_BODY_CHUNKED;
        hp_chunked_init(&r->chunk);
        r->state = S_BODY_CHUNKED;
    } else if (r->have_cl) {
        r->body_kind = HP_BODY_LENGTH;
        r->remaining = (uint64_t)r->content_length;
        r->state = r->remaining ? S_BODY_LENGTH : S_DONE;
    } else {
        r->body_kind = HP_BODY_CLOSE;
        r->keep_alive = false;
        r->state = S_BODY_CLOSE;
    }
    return 0;
}

/* Skip to the line end without looking at the bytes (a CR before the LF
 * included): 1 with *i at the LF, 0 when the buffer ended first (*i = len),
 * -1 when the head grew past its ceiling. */
static int skip_to_lf(struct hp_http_resp *r, const char *buf, size_t len, size_t *i)
{
    const char *nl = memchr(buf + *i, '\n', len - *i);
    size_t stop = nl ? (size_t)(nl - buf) : len;
    r->head_bytes += stop - *i;
    *i = stop;
    if (r->head_bytes > HP_HTTP_RESP_MAX_HEAD)
        return fail(r, "response head larger than 64 KiB");
    return nl != NULL;
}

int hp_resp_feed(struct hp_http_resp *r, const char *buf, size_t len, size_t *consumed)
{
    size_t i = 0;

    while (i < len) {
        char c = buf[i];
        switch (r->state) {
        case S_START:
        case S_VERSION:
            /* "HTTP/1." then a digit; value_len counts bytes matched. The
             * usual case, all eight bytes at hand, at once. */
            if (r->value_len == 0 && len - i >= 8 && memcmp(buf + i, "HTTP/1.", 7) == 0 &&
                buf[i + 7] >= '0' && buf[i + 7] <= '9') {
                r->http10 = buf[i + 7] == '0';
                r->state = S_VERSION_SP;
                i += 8;
                r->head_bytes += 8; /* a response's first bytes: far below the ceiling */
                continue;
            }
            if (r->value_len < 7) {
                if (c != "HTTP/1."[r->value_len])
                    return *consumed = i, fail(r, "status line does not start with HTTP/1.");
                r->value_len++;
                r->state = S_VERSION;
            } else {
                if (c < '0' || c > '9')
                    return *consumed = i, fail(r, "bad HTTP version");
                r->http10 = c == '0';
                r->value_len = 0;
                r->state = S_VERSION_SP;
            }
            break;
        case S_VERSION_SP:
            if (c != ' ')
                return *consumed = i, fail(r, "no space after the HTTP version");
            r->state = S_STATUS;
            r->status = 0;
            break;
        case S_STATUS:
            if (r->value_len < 3) {
                if (c < '0' || c > '9')
                    return *consumed = i, fail(r, "status code is not three digits");
                r->status = r->status * 10 + (c - '0');
                r->value_len++;
                break;
            }
            if (r->status < 100)
                return *consumed = i, fail(r, "status code below 100");
            r->value_len = 0;
            if (c == ' ') {
                r->state = S_REASON;
            } else if (c == '\r') {
                r->state = S_LINE_LF;
            } else if (c == '\n') {
                r->state = S_FIELD_START;
            } else {
                return *consumed = i, fail(r, "junk after the status code");
            }
            break;
        case S_REASON: {
            /* The reason phrase carries nothing a client needs. */
            int at_lf = skip_to_lf(r, buf, len, &i);
            if (at_lf < 0)
                return *consumed = i, HP_RESP_EBAD;
            if (!at_lf)
                continue;
            r->state = S_FIELD_START;
            break; /* the LF */
        }
        case S_LINE_LF:
        case S_VALUE_LF:
        case S_HEAD_LF:
            if (c != '\n')
                return *consumed = i, fail(r, "CR not followed by LF");
            if (r->state == S_LINE_LF) {
                r->state = S_FIELD_START;
            } else if (r->state == S_VALUE_LF) {
                if (field_done(r) < 0)
                    return *consumed = i, HP_RESP_EBAD;
                r->state = S_FIELD_START;
            } else {
                r->head_bytes++;
                i++;
                if (head_done(r) < 0)
                    return *consumed = i, HP_RESP_EBAD;
                if (r->state == S_DONE)
                    return *consumed = i, HP_RESP_DONE;
                continue;
            }
            break;
        case S_FIELD_START:
            if (c == '\r') {
                r->state = S_HEAD_LF;
                break;
            }
            if (c == '\n') {
                r->head_bytes++;
                i++;
                if (head_done(r) < 0)
                    return *consumed = i, HP_RESP_EBAD;
                if (r->state == S_DONE)
                    return *consumed = i, HP_RESP_DONE;
                continue;
            }
            if (c == ' ' || c == '\t')
                return *consumed = i, fail(r, "obsolete line folding");
            r->name_len = 0;
            r->value_len = 0;
            r->state = S_NAME;
            continue; /* read c as the name's first byte */
        case S_NAME: {
            /* The name's bytes in one run, without going round the switch. */
            size_t j = i;
            bool known = false; /* r->field already says which field this is */
            while (j < len && hp_http_is_tchar((unsigned char)buf[j]))
                j++;
            if (j > i) {
                size_t run = j - i;
                if (r->name_len == 0 && j < len) {
                    /* The whole name is here: classified where it lies. */
                    r->field = (uint8_t)field_of(buf + i, run);
                    known = true;
                } else {
                    /* Split across reads: keep the prefix for later. */
                    size_t have = r->name_len < sizeof r->name ? r->name_len : sizeof r->name;
                    for (size_t k = 0; k < run && have + k < sizeof r->name; k++)
                        r->name[have + k] = lower(buf[i + k]);
                }
                r->name_len = (uint8_t)(r->name_len + run > 255 ? 255 : r->name_len + run);
                r->head_bytes += run;
                i = j;
                if (r->head_bytes > HP_HTTP_RESP_MAX_HEAD)
                    return *consumed = i, fail(r, "response head larger than 64 KiB");
                if (i == len)
                    continue;
                c = buf[i];
            }
            if (c == ':') {
                if (r->name_len == 0)
                    return *consumed = i, fail(r, "empty field name");
                if (!known)
                    r->field = (uint8_t)field_of(r->name, r->name_len);
                r->remaining = 0;
                r->state = S_VALUE_OWS;
                break;
            }
            return *consumed = i, fail(r, "invalid character in a field name");
        }
        case S_VALUE_OWS:
            if (c == ' ' || c == '\t')
                break;
            r->state = S_VALUE;
            continue;
        case S_VALUE:
            if (r->field == F_OTHER) {
                /* A field that does not frame the message. */
                int at_lf = skip_to_lf(r, buf, len, &i);
                if (at_lf < 0)
                    return *consumed = i, HP_RESP_EBAD;
                if (!at_lf)
                    continue;
                r->state = S_FIELD_START;
                break; /* the LF */
            }
            if (c == '\r') {
                r->state = S_VALUE_LF;
                break;
            }
            if (c == '\n') {
                if (field_done(r) < 0)
                    return *consumed = i, HP_RESP_EBAD;
                r->state = S_FIELD_START;
                break;
            }
            if ((unsigned char)c < 0x20 && c != '\t')
                return *consumed = i, fail(r, "control character in a field value");
            if (r->field == F_CONTENT_LENGTH) {
                /* value_len: 0 before the digits, 1 in them, 2 after (OWS). */
                if (c >= '0' && c <= '9' && r->value_len < 2) {
                    if (r->remaining > (UINT64_C(1) << 59))
                        return *consumed = i, fail(r, "Content-Length too large");
                    r->remaining = r->remaining * 10 + (uint64_t)(c - '0');
                    r->value_len = 1;
                } else if ((c == ' ' || c == '\t') && r->value_len) {
                    r->value_len = 2;
                } else {
                    return *consumed = i, fail(r, "Content-Length is not a number");
                }
                break;
            }
            {
                /* This byte and the ordinary ones after it, in one run. */
                size_t j = i;
                while (j < len && ((unsigned char)buf[j] >= 0x20 || buf[j] == '\t')) {
                    if (r->value_len < sizeof r->value)
                        r->value[r->value_len++] = lower(buf[j]);
                    j++;
                }
                if (j > i + 1) {
                    r->head_bytes += j - i - 1; /* the last one is counted below */
                    i = j - 1;
                }
            }
            break;
        case S_BODY_LENGTH: {
            size_t n = len - i;
            if (n > r->remaining)
                n = (size_t)r->remaining;
            r->remaining -= n;
            r->body_bytes += n;
            i += n;
            if (r->remaining == 0) {
                r->state = S_DONE;
                return *consumed = i, HP_RESP_DONE;
            }
            continue;
        }
        case S_BODY_CHUNKED: {
            size_t used;
            const char *data;
            size_t dlen;
            int rc = hp_chunked_feed(&r->chunk, buf + i, len - i, &used, &data, &dlen);
            r->body_bytes += dlen;
            i += used;
            if (rc == HP_CHUNKED_EBAD)
                return *consumed = i, fail(r, "malformed chunked body");
            if (rc == HP_CHUNKED_DONE) {
                r->state = S_DONE;
                return *consumed = i, HP_RESP_DONE;
            }
            continue;
        }
        case S_BODY_CLOSE:
            r->body_bytes += len - i;
            i = len;
            continue;
        case S_DONE: return *consumed = i, HP_RESP_DONE;
        default: return *consumed = i, fail(r, "parser state corrupt");
        }
        i++;
        if (!r->head_done) {
            r->head_bytes++;
            if (r->head_bytes > HP_HTTP_RESP_MAX_HEAD)
                return *consumed = i, fail(r, "response head larger than 64 KiB");
        }
    }
    *consumed = i;
    return r->state == S_DONE ? HP_RESP_DONE : HP_RESP_MORE;
}

int hp_resp_eof(struct hp_http_resp *r)
{
    if (r->state == S_BODY_CLOSE) {
        r->state = S_DONE;
        return HP_RESP_DONE;
    }
    if (r->state == S_DONE)
        return HP_RESP_DONE;
    return fail(r, r->head_done ? "connection closed inside the body"
                                : "connection closed inside the head");
}
