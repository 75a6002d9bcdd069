// SPDX-License-Identifier: MIT
/* fuzz/sql_slowlog.c - the MySQL slow-log parser and the digest behind it,
 * on any bytes split into lines. Invariants: every statement delivered has
 * a time and a non-empty text within the ceiling; the digest counts each
 * one once; the bad-line list holds only real line numbers. */
#include <string.h>

#include "fuzz.h"
#include "sql/digest.h"
#include "sql/hints.h"
#include "sql/slowlog.h"

struct ctx {
    struct hp_sql_digest *d;
    int64_t events, lines;
};

static int on_event(void *p, const struct hp_sql_event *ev)
{
    struct ctx *c = p;
    FUZZ_ASSERT(ev->query_len > 0 && ev->query_len < HP_SQL_MAX_QUERY_BYTES);
    FUZZ_ASSERT(ev->query_time_ns >= 0);
    FUZZ_ASSERT(ev->line >= 1 && ev->line <= c->lines);
    c->events++;
    return hp_sql_digest_add(c->d, ev) == 0 ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ctx c = {0};
    struct hp_slowlog *p = NULL;
    if (hp_sql_digest_new(&c.d) < 0 || hp_slowlog_new(on_event, &c, &p) < 0)
        abort();
    const char *s = (const char *)data, *end = s + size;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        c.lines++;
        FUZZ_ASSERT(hp_slowlog_line(p, s, n) == 0);
        s += n + (nl != NULL);
    }
    FUZZ_ASSERT(hp_slowlog_finish(p) == 0);
    const struct hp_slowlog_stats *st = hp_slowlog_stats(p);
    FUZZ_ASSERT(st->events == c.events && st->lines == c.lines);
    for (int i = 0; i < HP_SQL_BAD_KEPT && i < st->bad; i++)
        FUZZ_ASSERT(st->first_bad[i].line >= 1 && st->first_bad[i].line <= c.lines);
    FUZZ_ASSERT(hp_sql_digest_calls(c.d) == c.events);
    struct hp_sql_class *const *cls;
    size_t n = hp_sql_digest_sorted(c.d, HP_SQL_BY_P99, &cls);
    int64_t calls = 0;
    for (size_t i = 0; i < n; i++) {
        calls += cls[i]->calls;
        struct hp_sql_hint h[HP_SQL_MAX_HINTS];
        int nh = hp_sql_hints(cls[i], h, HP_SQL_MAX_HINTS);
        FUZZ_ASSERT(nh >= 0 && nh <= HP_SQL_MAX_HINTS);
        for (int k = 0; k < nh; k++)
            FUZZ_ASSERT(h[k].kind && memchr(h[k].evidence, '\0', sizeof h[k].evidence));
        FUZZ_ASSERT(hp_sql_class_percentile(cls[i], 50) <= hp_sql_class_percentile(cls[i], 99) ||
                    cls[i]->hist);
    }
    FUZZ_ASSERT(calls == c.events);
    hp_slowlog_free(p);
    hp_sql_digest_free(c.d);
    return 0;
}
