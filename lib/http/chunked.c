// SPDX-License-Identifier: MIT
/* http/chunked.c - chunked transfer coding as a byte-at-a-time state machine,
 * except chunk data, which is passed through in spans. */
#include "http/chunked.h"

enum {
    S_SIZE,        /* hex digits of chunk-size */
    S_EXT,         /* ; chunk-ext up to the line end */
    S_SIZE_LF,     /* after CR of the size line */
    S_DATA,        /* chunk data */
    S_DATA_CR,     /* CRLF after data */
    S_DATA_LF,
    S_TRAILER,     /* at the start of a trailer line (or the final CRLF) */
    S_TRAILER_LINE,
    S_TRAILER_LF,  /* after CR of a trailer field line */
    S_END_LF,      /* after CR of the final empty line */
    S_DONE,
};

void hp_chunked_init(struct hp_chunked *c)
{
    c->state = S_SIZE;
    c->remaining = 0;
    c->line_bytes = 0;
    c->size_digits = 0;
    c->body_bytes = 0;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* After the size line: data, or the trailer when the size was 0. */
static void size_line_done(struct hp_chunked *c)
{
    c->line_bytes = 0;
    c->state = c->remaining ? S_DATA : S_TRAILER;
}

int hp_chunked_feed(struct hp_chunked *c, const char *buf, size_t len, size_t *consumed,
                    const char **data, size_t *data_len)
{
    size_t i = 0;

    *data = NULL;
    *data_len = 0;
    while (i < len) {
        char ch = buf[i];
        switch (c->state) {
        case S_SIZE: {
            int v = hexval(ch);
            if (v >= 0) {
                if (c->size_digits >= 15) /* 60 bits is plenty; no overflow */
                    goto bad;
                c->remaining = c->remaining << 4 | (uint64_t)v;
                c->size_digits++;
                break;
            }
            if (c->size_digits == 0)
                goto bad;
            if (ch == ';' || ch == ' ' || ch == '\t')
                c->state = S_EXT;
            else if (ch == '\r')
                c->state = S_SIZE_LF;
            else if (ch == '\n')
                size_line_done(c);
            else
                goto bad;
            break;
        }
        case S_EXT:
            if (++c->line_bytes > HP_CHUNKED_MAX_LINE)
                goto bad;
            if (ch == '\r')
                c->state = S_SIZE_LF;
            else if (ch == '\n')
                size_line_done(c);
            else if ((unsigned char)ch < 0x20 && ch != '\t')
                goto bad;
            break;
        case S_SIZE_LF:
            if (ch != '\n')
                goto bad;
            size_line_done(c);
            break;
        case S_DATA: {
            size_t n = len - i;
            if (n > c->remaining)
                n = (size_t)c->remaining;
            *data = buf + i;
            *data_len = n;
            c->remaining -= n;
            c->body_bytes += n;
            if (c->remaining == 0)
                c->state = S_DATA_CR;
            *consumed = i + n;
            return HP_CHUNKED_MORE;
        }
        case S_DATA_CR:
            if (ch == '\r')
                c->state = S_DATA_LF;
            else if (ch == '\n')
                c->state = S_SIZE, c->size_digits = 0;
            else
                goto bad;
            break;
        case S_DATA_LF:
            if (ch != '\n')
                goto bad;
            c->state = S_SIZE;
            c->size_digits = 0;
            break;
        case S_TRAILER:
            if (ch == '\r') {
                c->state = S_END_LF;
            } else if (ch == '\n') {
                c->state = S_DONE;
                *consumed = i + 1;
                return HP_CHUNKED_DONE;
            } else {
                c->state = S_TRAILER_LINE;
                continue; /* count this byte as part of the line */
            }
            break;
        case S_TRAILER_LINE:
            if (++c->line_bytes > HP_CHUNKED_MAX_TRAILER)
                goto bad;
            if (ch == '\r')
                c->state = S_TRAILER_LF;
            else if (ch == '\n')
                c->state = S_TRAILER;
            else if ((unsigned char)ch < 0x20 && ch != '\t')
                goto bad;
            break;
        case S_TRAILER_LF:
            if (ch != '\n')
                goto bad;
            c->state = S_TRAILER;
            break;
        case S_END_LF:
            if (ch != '\n')
                goto bad;
            c->state = S_DONE;
            *consumed = i + 1;
            return HP_CHUNKED_DONE;
        case S_DONE:
            *consumed = i;
            return HP_CHUNKED_DONE;
        default:
            goto bad;
        }
        i++;
    }
    *consumed = i;
    return c->state == S_DONE ? HP_CHUNKED_DONE : HP_CHUNKED_MORE;
bad:
    *consumed = i;
    return HP_CHUNKED_EBAD;
}
