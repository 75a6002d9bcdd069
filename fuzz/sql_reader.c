// SPDX-License-Identifier: MIT
/* fuzz/sql_reader.c - the query-log front on any bytes: the first byte picks
 * the format (auto, PostgreSQL stderr with or without a log_line_prefix,
 * csvlog, pg_stat_statements), the rest is split into lines. Invariants: every statement has a
 * text within the ceiling and a non-negative time; the stats count each
 * line once; bad-line numbers are real lines. */
#include <string.h>

#include "fuzz.h"
#include "sql/digest.h"
#include "sql/reader.h"

struct ctx {
    struct hp_sql_digest *d;
    int64_t events, lines, calls;
};

static int on_event(void *p, const struct hp_sql_event *ev)
{
    struct ctx *c = p;
    FUZZ_ASSERT(ev->query_len > 0 && ev->query_len < HP_SQL_MAX_QUERY_BYTES);
    FUZZ_ASSERT(ev->query_time_ns >= 0);
    FUZZ_ASSERT(ev->line >= 1 && ev->line <= c->lines);
    c->events++;
    c->calls += ev->calls > 0 ? ev->calls : 1;
    return hp_sql_digest_add(c->d, ev) == 0 ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const prefixes[] = {NULL, "%m [%p] %q%u@%d ",
                                           "%t [%p]: user=%u,db=%d,app=%a,client=%h ",
                                           "%n %r %c %l %x/%v %e %i %b %a "};
    if (size < 1)
        return 0;
    int pick = data[0] % 8;
    enum hp_sql_format f = pick < 4   ? HP_SQL_AUTO
                           : pick < 6 ? HP_SQL_PG_STDERR
                           : pick < 7 ? HP_SQL_PG_CSV
                                      : HP_SQL_PGSS;
    struct ctx c = {0};
    struct hp_sql_reader *r = NULL;
    struct hp_err err;
    if (hp_sql_digest_new(&c.d) < 0 ||
        hp_sql_reader_new(f, prefixes[pick % 4], on_event, &c, &r, &err) < 0)
        abort();
    const char *s = (const char *)data + 1, *end = (const char *)data + size;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        c.lines++;
        FUZZ_ASSERT(hp_sql_reader_line(r, s, n) == 0);
        s += n + (nl != NULL);
    }
    FUZZ_ASSERT(hp_sql_reader_finish(r) == 0);
    const struct hp_slowlog_stats *st = hp_sql_reader_stats(r);
    FUZZ_ASSERT(st->events == c.events);
    FUZZ_ASSERT(st->lines == c.lines || (c.lines == 0 && st->lines == 0));
    for (int i = 0; i < HP_SQL_BAD_KEPT && i < st->bad; i++)
        FUZZ_ASSERT(st->first_bad[i].line >= 1 && st->first_bad[i].line <= c.lines);
    FUZZ_ASSERT(hp_sql_digest_calls(c.d) == c.calls);
    hp_sql_reader_free(r);
    hp_sql_digest_free(c.d);
    return 0;
}
