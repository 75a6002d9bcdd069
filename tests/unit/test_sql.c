// SPDX-License-Identifier: MIT
/* tests/unit/test_sql.c - fingerprints, the MySQL slow-log parser, the
 * digest's classes and percentiles, and the compressed line reader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "testutil.h"

#include "core/lines.h"
#include "sql/digest.h"
#include "sql/explain.h"
#include "sql/fingerprint.h"
#include "sql/hints.h"
#include "sql/pglog.h"
#include "sql/reader.h"
#include "sql/slowlog.h"

static const char *data_dir;

/* ---- fingerprints ------------------------------------------------------ */

static size_t unescape(const char *s, char *out)
{
    size_t n = 0;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            out[n++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
    return n;
}

static void sql_fingerprints_match_the_table(void **state)
{
    (void)state;
    char path[512], line[4096], in[4096], fp[4096], again[4096];
    snprintf(path, sizeof path, "%s/sql/fingerprints.tsv", data_dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int cases = 0, failed = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        assert_non_null(t2);
        *t1 = *t2 = '\0';
        /* "mysql", "postgresql", either with "+keep" (HP_SQL_FP_KEEP_NUMBERED) */
        enum hp_sql_dialect d = strncmp(line, "postgresql", 10) == 0 ? HP_SQL_POSTGRESQL : HP_SQL_MYSQL;
        unsigned flags = strstr(line, "+keep") ? HP_SQL_FP_KEEP_NUMBERED : 0;
        size_t n = unescape(t1 + 1, in);
        bool cut = true;
        size_t m = hp_sql_fingerprint(in, n, d, flags, fp, sizeof fp, &cut);
        assert_false(cut);
        assert_int_equal(m, strlen(fp));
        if (strcmp(fp, t2 + 1) != 0) {
            fprintf(stderr, "%s: [%s]\n  got      [%s]\n  expected [%s]\n", line, t1 + 1, fp,
                    t2 + 1);
            failed++;
        }
        /* a fingerprint is its own fingerprint */
        hp_sql_fingerprint(fp, m, d, flags, again, sizeof again, NULL);
        assert_string_equal(again, fp);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 30);
    assert_int_equal(failed, 0);
}

/* --fingerprint pt against pt-fingerprint's own output (the table is made
 * by tests/data/sql/make_pt_fingerprints.py with Debian's percona-toolkit). */
static void sql_pt_fingerprints_match_percona_toolkit(void **state)
{
    (void)state;
    char path[512], line[4096], in[4096], fp[4096], want[4096];
    snprintf(path, sizeof path, "%s/sql/pt_fingerprints.tsv", data_dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int cases = 0, failed = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        size_t n = unescape(line, in);
        unescape(tab + 1, want);
        bool cut = true;
        int m = hp_sql_fingerprint_pt(in, n, fp, sizeof fp, &cut);
        assert_false(cut);
        assert_int_equal(m, (int)strlen(fp));
        if (strcmp(fp, want) != 0) {
            fprintf(stderr, "[%s]\n  got      [%s]\n  expected [%s]\n", line, fp, want);
            failed++;
        }
        cases++;
    }
    fclose(f);
    assert_true(cases >= 40);
    assert_int_equal(failed, 0);
}

static void sql_fingerprint_cuts_what_does_not_fit(void **state)
{
    (void)state;
    char out[32];
    const char *q = "SELECT aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd FROM t";
    bool cut = false;
    size_t n = hp_sql_fingerprint(q, strlen(q), HP_SQL_MYSQL, 0, out, sizeof out, &cut);
    assert_true(cut);
    assert_int_equal(n, sizeof out - 1);
    assert_int_equal(strlen(out), n);
    assert_memory_equal(out, "SELECT aaaaaaaaaa, bbbbbbbbbb", 28);
    assert_string_equal(out + n - 3, "...");
    /* exactly fitting is not cut */
    n = hp_sql_fingerprint("SELECT 1", 8, HP_SQL_MYSQL, 0, out, 11, &cut);
    assert_false(cut);
    assert_string_equal(out, "SELECT ?");
}

/* ---- the slow log ------------------------------------------------------ */

struct got {
    int n;
    struct hp_sql_event ev[16];
    char query[16][512], db[16][64], user[16][64], host[16][64], params[16][128];
};

static int collect(void *ctx, const struct hp_sql_event *ev)
{
    struct got *g = ctx;
    if (g->n == 16)
        return -1;
    g->ev[g->n] = *ev;
    snprintf(g->query[g->n], sizeof g->query[0], "%.*s", (int)ev->query_len, ev->query);
    snprintf(g->db[g->n], sizeof g->db[0], "%s", ev->db);
    snprintf(g->user[g->n], sizeof g->user[0], "%s", ev->user);
    snprintf(g->host[g->n], sizeof g->host[0], "%s", ev->host);
    snprintf(g->params[g->n], sizeof g->params[0], "%.*s", (int)ev->params_len,
             ev->params ? ev->params : "");
    g->n++;
    return 0;
}

/* Feed text (lines split at "\n") to a new parser; returns its stats. */
static struct hp_slowlog_stats parse_text(const char *text, struct got *g)
{
    struct hp_slowlog *p = NULL;
    assert_int_equal(hp_slowlog_new(collect, g, &p), 0);
    for (const char *s = text; *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        assert_int_equal(hp_slowlog_line(p, s, n), 0);
        s += n + (nl != NULL);
    }
    assert_int_equal(hp_slowlog_finish(p), 0);
    struct hp_slowlog_stats st = *hp_slowlog_stats(p);
    hp_slowlog_free(p);
    return st;
}

static int on_line(void *ctx, const char *line, size_t len)
{
    return hp_slowlog_line(ctx, line, len);
}

static void slowlog_reads_a_mysql8_log(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/sql/mysql8.log", data_dir);
    struct got g = {0};
    struct hp_slowlog *p = NULL;
    struct hp_err err;
    assert_int_equal(hp_slowlog_new(collect, &g, &p), 0);
    assert_int_equal(hp_lines_read(path, on_line, p, NULL, &err), 0);
    assert_int_equal(hp_slowlog_finish(p), 0);
    const struct hp_slowlog_stats *st = hp_slowlog_stats(p);
    assert_int_equal(st->bad, 0); /* the banner is not an error */
    assert_int_equal(st->events, 5);
    assert_int_equal(g.n, 5);
    hp_slowlog_free(p);

    assert_int_equal(g.ev[0].query_time_ns, 2000000);
    assert_int_equal(g.ev[0].lock_time_ns, 10000);
    assert_int_equal(g.ev[0].rows_sent, 1);
    assert_int_equal(g.ev[0].rows_examined, 1);
    assert_int_equal(g.ev[0].ts_s, 1768471200);
    assert_int_equal(g.ev[0].thread_id, 12);
    assert_int_equal(g.ev[0].line, 4);
    assert_string_equal(g.user[0], "app");
    assert_string_equal(g.host[0], "web1");
    assert_string_equal(g.db[0], "shop");
    assert_string_equal(g.query[0], "SELECT * FROM orders WHERE id = 42;");
    /* the database carries over until the next "use" */
    assert_string_equal(g.db[1], "shop");
    /* no host name: the address; a statement over five lines, comment kept */
    assert_string_equal(g.host[2], "10.0.0.9");
    assert_string_equal(g.user[2], "report");
    assert_int_equal(g.ev[2].query_time_ns, 1500000000);
    assert_int_equal(g.ev[2].rows_examined, 500000);
    assert_non_null(strstr(g.query[2], "-- last month\n GROUP BY"));
    assert_int_equal(g.query[2][strlen(g.query[2]) - 1], ';');
    assert_string_equal(g.query[4], "administrator command: Quit");
}

static void slowlog_reads_mariadb_and_old_mysql_headers(void **state)
{
    (void)state;
    struct got g = {0};
    struct hp_slowlog_stats st =
        parse_text("# Time: 260115  9:05:01\n"
                   "# User@Host: root[root] @ localhost []\n"
                   "# Thread_id: 7  Schema: shop  QC_hit: No\n"
                   "# Query_time: 0.5  Lock_time: 0.000123  Rows_sent: 3  Rows_examined: 30\n"
                   "# Rows_affected: 0  Bytes_sent: 56\n"
                   "SELECT 1;\n"
                   "# User@Host: root[root] @ localhost []\n"
                   "# Thread_id: 8  Schema: crm  QC_hit: No\n"
                   "# Query_time: 1.000001  Lock_time: 0  Rows_sent: 0  Rows_examined: 0\n"
                   "SET timestamp=1768470000;\n"
                   "UPDATE t\r\n"
                   "   SET a = 1;\r\n",
                   &g);
    assert_int_equal(st.bad, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.db[0], "shop");
    assert_int_equal(g.ev[0].thread_id, 7);
    assert_int_equal(g.ev[0].ts_s, 1768467901); /* 2026-01-15 09:05:01 */
    assert_int_equal(g.ev[0].lock_time_ns, 123000);
    assert_string_equal(g.host[0], "localhost");
    /* # Time is written only when it changes: the second entry keeps it,
     * but its SET timestamp says better */
    assert_string_equal(g.db[1], "crm");
    assert_int_equal(g.ev[1].ts_s, 1768470000);
    assert_int_equal(g.ev[1].query_time_ns, 1000001000);
    assert_string_equal(g.query[1], "UPDATE t\n   SET a = 1;");
}

static void slowlog_counts_what_it_cannot_read(void **state)
{
    (void)state;
    struct got g = {0};
    struct hp_slowlog_stats st =
        parse_text("garbage before any entry\n"         /* 1 */
                   "# Query_time: abc  Lock_time: 0\n"  /* 2: not a number */
                   "SELECT 1;\n"                        /* 3: and no time: bad entry */
                   "# Time: yesterday\n"                /* 4 */
                   "# Query_time: 0.1  Lock_time: 0\n"  /* 5 */
                   "SELECT 2\n"                         /* 6 */
                   "# a comment inside the statement\n" /* 7: kept */
                   "FROM t;\n"                          /* 8 */
                   "# Query_time: 0.2  Lock_time: 0\n"  /* 9: an entry without a statement */
                   "# Query_time: 0.3  Lock_time: 0\n"  /* 10 */
                   "SELECT 3;\n",
                   &g);
    assert_int_equal(st.lines, 11);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.query[0], "SELECT 2\n# a comment inside the statement\nFROM t;");
    assert_int_equal(g.ev[0].line, 4);
    assert_int_equal(g.ev[0].ts_s, -1);
    assert_string_equal(g.query[1], "SELECT 3;");
    assert_int_equal(st.bad, 5);
    assert_int_equal(st.first_bad[0].line, 1);
    assert_non_null(strstr(st.first_bad[0].why, "outside"));
    assert_int_equal(st.first_bad[1].line, 2);
    assert_int_equal(st.first_bad[2].line, 2); /* that entry had no usable time */
    assert_int_equal(st.first_bad[3].line, 4);
    assert_int_equal(st.first_bad[4].line, 9);
    assert_non_null(strstr(st.first_bad[4].why, "without a statement"));
}

static void slowlog_parses_seconds(void **state)
{
    (void)state;
    int64_t ns;
    assert_true(hp_sql_parse_seconds("0.001234", 8, &ns));
    assert_int_equal(ns, 1234000);
    assert_true(hp_sql_parse_seconds("12", 2, &ns));
    assert_int_equal(ns, 12000000000);
    assert_true(hp_sql_parse_seconds("1.0000000019", 12, &ns)); /* past ns: dropped */
    assert_int_equal(ns, 1000000001);
    assert_true(hp_sql_parse_seconds(".5", 2, &ns));
    assert_int_equal(ns, 500000000);
    assert_false(hp_sql_parse_seconds("", 0, &ns));
    assert_false(hp_sql_parse_seconds("1e-3", 4, &ns));
    assert_false(hp_sql_parse_seconds("-1", 2, &ns));
    assert_false(hp_sql_parse_seconds("99999999999999999999", 20, &ns));
}

/* ---- PostgreSQL -------------------------------------------------------- */

static int reader_line(void *ctx, const char *line, size_t len)
{
    return hp_sql_reader_line(ctx, line, len);
}

/* Read a file of tests/data/sql through a reader of the given format. */
static struct hp_slowlog_stats read_log(const char *name, enum hp_sql_format f, const char *prefix,
                                        struct got *g, enum hp_sql_format *detected)
{
    char path[512];
    snprintf(path, sizeof path, "%s/sql/%s", data_dir, name);
    struct hp_sql_reader *r = NULL;
    struct hp_err err;
    assert_int_equal(hp_sql_reader_new(f, prefix, collect, g, &r, &err), 0);
    assert_int_equal(hp_lines_read(path, reader_line, r, NULL, &err), 0);
    assert_int_equal(hp_sql_reader_finish(r), 0);
    struct hp_slowlog_stats st = *hp_sql_reader_stats(r);
    *detected = hp_sql_reader_format(r);
    hp_sql_reader_free(r);
    return st;
}

static void check_pg_events(const struct got *g)
{
    assert_int_equal(g->n, 3);
    assert_int_equal(g->ev[0].query_time_ns, 12345000);
    assert_int_equal(g->ev[0].ts_s, 1768471200);
    assert_int_equal(g->ev[0].thread_id, 12345);
    assert_int_equal(g->ev[0].dialect, HP_SQL_POSTGRESQL);
    assert_int_equal(g->ev[0].lock_time_ns, -1);
    assert_int_equal(g->ev[0].rows_examined, -1);
    assert_string_equal(g->user[0], "app");
    assert_string_equal(g->db[0], "shop");
    assert_string_equal(g->query[0], "SELECT * FROM orders WHERE id = 42");
    /* parse and bind are skipped: the execute counts once */
    assert_int_equal(g->ev[1].query_time_ns, 1500000);
    assert_string_equal(g->query[1], "SELECT * FROM orders WHERE id = $1");
    assert_string_equal(g->params[1], "$1 = '43'"); /* its DETAIL line */
    assert_null(g->ev[0].params);
    assert_int_equal(g->ev[2].query_time_ns, 1500000000);
    assert_string_equal(g->user[2], "report");
    assert_string_equal(g->db[2], "analytics");
    assert_int_equal(g->ev[2].line, 7);
    assert_non_null(strstr(g->query[2], "SUM(total)\n  FROM orders\n WHERE"));
}

static void pglog_reads_stderr_logs_with_or_without_the_prefix(void **state)
{
    (void)state;
    struct got g = {0};
    enum hp_sql_format f;
    struct hp_slowlog_stats st = read_log("postgresql.log", HP_SQL_AUTO, NULL, &g, &f);
    assert_int_equal(f, HP_SQL_PG_STDERR);
    assert_int_equal(st.bad, 0);
    check_pg_events(&g);
    memset(&g, 0, sizeof g);
    st = read_log("postgresql.log", HP_SQL_PG_STDERR, "%m [%p] %q%u@%d ", &g, &f);
    assert_int_equal(st.bad, 0); /* the checkpointer's line stops at %q */
    check_pg_events(&g);
    memset(&g, 0, sizeof g);
    st = read_log("postgresql-pgbadger-prefix.log", HP_SQL_AUTO, NULL, &g, &f);
    assert_int_equal(st.bad, 0);
    check_pg_events(&g);
    assert_string_equal(g.host[0], "10.0.0.1");
    memset(&g, 0, sizeof g);
    st = read_log("postgresql-pgbadger-prefix.log", HP_SQL_AUTO,
                  "%t [%p]: user=%u,db=%d,app=%a,client=%h ", &g, &f);
    assert_int_equal(st.bad, 0);
    check_pg_events(&g);
    /* a prefix the lines do not have: every prefixed line is named */
    memset(&g, 0, sizeof g);
    st = read_log("postgresql.log", HP_SQL_AUTO, "%t <%p> ", &g, &f);
    assert_int_equal(g.n, 0);
    assert_int_equal(st.bad, 8); /* 11 lines, 3 of them a statement's tab-led continuation */
    assert_int_equal(st.first_bad[0].line, 1);
    assert_non_null(strstr(st.first_bad[0].why, "log_line_prefix"));
}

static void pglog_reads_csvlog(void **state)
{
    (void)state;
    struct got g = {0};
    enum hp_sql_format f;
    struct hp_slowlog_stats st = read_log("postgresql.csv", HP_SQL_AUTO, NULL, &g, &f);
    assert_int_equal(f, HP_SQL_PG_CSV);
    assert_int_equal(st.bad, 0);
    assert_int_equal(st.lines, 6);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.ev[0].query_time_ns, 12345000);
    assert_int_equal(g.ev[0].thread_id, 12345);
    assert_string_equal(g.host[0], "10.0.0.5");
    assert_string_equal(g.user[1], "report");
    assert_int_equal(g.ev[1].line, 2);
    /* the quoted newlines and the doubled quotes of CSV */
    assert_string_equal(g.query[1], "SELECT customer_id, SUM(total)\n  FROM orders\n WHERE "
                                    "created_at > '2026-01-01' AND note = \"x\"\n GROUP BY "
                                    "customer_id");
}

static void pglog_reads_pg_stat_statements_exports(void **state)
{
    (void)state;
    struct got g = {0};
    enum hp_sql_format f;
    struct hp_slowlog_stats st = read_log("pg_stat_statements.csv", HP_SQL_AUTO, NULL, &g, &f);
    assert_int_equal(f, HP_SQL_PGSS);
    assert_int_equal(st.bad, 0);
    assert_int_equal(g.n, 4); /* the row of 0 calls is no statement */
    assert_int_equal(g.ev[0].calls, 1000);
    assert_int_equal(g.ev[0].query_time_ns, 2500500000);
    assert_int_equal(g.ev[0].min_ns, 500000);
    assert_int_equal(g.ev[0].max_ns, 40250000);
    assert_close(g.ev[0].stddev_ns, 1.5e6, 1e-12, 0);
    assert_int_equal(g.ev[0].rows_sent, 1000);
    assert_int_equal(g.ev[0].line, 2);
    assert_string_equal(g.user[0], "app");
    assert_string_equal(g.db[0], "shop");
    assert_string_equal(g.query[2], "UPDATE carts\n   SET qty = qty + $1\n WHERE id = $2");
    assert_int_equal(g.ev[3].line, 7);

    /* Two rows of one class (IN lists of 3 and 2) merge exactly: groups of
     * {n 1000, mean 2.5005 ms, sd 1.5 ms} and {n 10, mean 10 ms, sd 4 ms}. */
    struct hp_sql_digest *d;
    assert_int_equal(hp_sql_digest_new(&d), 0);
    struct hp_sql_event b = g.ev[1];
    b.query = "SELECT * FROM orders WHERE id IN ($1, $2)", b.query_len = strlen(b.query);
    b.db = "shop", b.user = "app", b.host = "";
    assert_int_equal(hp_sql_digest_add(d, &b), 0);
    struct hp_sql_class *const *cls;
    assert_int_equal(hp_sql_digest_sorted(d, HP_SQL_BY_TIME, &cls), 1);
    assert_int_equal(cls[0]->calls, 10);
    assert_int_equal(hp_sql_class_percentile(cls[0], 99), -1); /* no distribution */
    struct hp_hist *h = NULL;
    assert_int_equal(hp_sql_class_hist(cls[0], &h), -ENODATA);
    b.query = "SELECT * FROM orders WHERE id IN ($1, $2, $3, $4)";
    b.query_len = strlen(b.query);
    b.calls = 30, b.query_time_ns = 30 * 20000000, b.stddev_ns = 2e6;
    b.min_ns = 15000000, b.max_ns = 25000000;
    assert_int_equal(hp_sql_digest_add(d, &b), 0);
    assert_int_equal(hp_sql_digest_sorted(d, HP_SQL_BY_TIME, &cls), 1);
    /* 10 at mean 10 ms, sd 4 ms and 30 at mean 20 ms, sd 2 ms: mean 17.5 ms;
     * sum of squares 10*16 + 30*4 + 10*30/40*(10)^2 = 1030 ms^2 */
    assert_int_equal(cls[0]->calls, 40);
    assert_close(cls[0]->mean_ns, 17.5e6, 1e-12, 0);
    assert_close(cls[0]->m2, 1030e12, 1e-9, 0);
    assert_int_equal(cls[0]->min_ns, 5000000);
    assert_int_equal(cls[0]->max_ns, 25000000);
    assert_int_equal(cls[0]->aggregated, 40);
    hp_sql_digest_free(d);

    /* a header without calls: said once, nothing read */
    struct hp_sql_reader *r = NULL;
    struct hp_err err;
    memset(&g, 0, sizeof g);
    assert_int_equal(hp_sql_reader_new(HP_SQL_PGSS, NULL, collect, &g, &r, &err), 0);
    const char *hdr = "query,total_exec_time", *row = "\"SELECT 1\",5";
    assert_int_equal(hp_sql_reader_line(r, hdr, strlen(hdr)), 0);
    assert_int_equal(hp_sql_reader_line(r, row, strlen(row)), 0);
    assert_int_equal(hp_sql_reader_finish(r), 0);
    assert_int_equal(g.n, 0);
    assert_int_equal(hp_sql_reader_stats(r)->bad, 1);
    assert_non_null(strstr(hp_sql_reader_stats(r)->first_bad[0].why, "calls"));
    hp_sql_reader_free(r);
}

static void pglog_refuses_an_unknown_prefix_escape(void **state)
{
    (void)state;
    struct hp_sql_reader *r = NULL;
    struct hp_err err = {0};
    assert_int_equal(hp_sql_reader_new(HP_SQL_AUTO, "%m %z ", collect, NULL, &r, &err), -EINVAL);
    assert_null(r);
    assert_non_null(strstr(err.msg, "%z"));
    assert_int_equal(hp_sql_format_parse("postgresql-csv"), HP_SQL_PG_CSV);
    assert_int_equal(hp_sql_format_parse("pg"), -1);
}

static void reader_tells_formats_apart(void **state)
{
    (void)state;
    struct got g = {0};
    enum hp_sql_format f;
    read_log("mysql8.log", HP_SQL_AUTO, NULL, &g, &f);
    assert_int_equal(f, HP_SQL_MYSQL_SLOW);
    assert_int_equal(g.n, 5);
    /* nothing recognisable: read as a slow log, every line named */
    struct hp_sql_reader *r = NULL;
    struct hp_err err;
    assert_int_equal(hp_sql_reader_new(HP_SQL_AUTO, NULL, collect, &g, &r, &err), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(hp_sql_reader_line(r, "hello", 5), 0);
    assert_int_equal(hp_sql_reader_format(r), HP_SQL_AUTO);
    assert_int_equal(hp_sql_reader_finish(r), 0);
    assert_int_equal(hp_sql_reader_format(r), HP_SQL_MYSQL_SLOW);
    assert_int_equal(hp_sql_reader_stats(r)->bad, 3);
    hp_sql_reader_free(r);
}

/* ---- the digest -------------------------------------------------------- */

static struct hp_sql_event event(const char *q, int64_t ns, const char *db, int64_t ts)
{
    return (struct hp_sql_event){.query = q,
                                 .query_len = strlen(q),
                                 .query_time_ns = ns,
                                 .lock_time_ns = 1000,
                                 .rows_sent = 1,
                                 .rows_examined = 10,
                                 .ts_s = ts,
                                 .thread_id = 1,
                                 .db = db,
                                 .user = "app",
                                 .host = "h",
                                 .line = 1};
}

static void digest_groups_by_fingerprint_and_ranks(void **state)
{
    (void)state;
    struct hp_sql_digest *d;
    assert_int_equal(hp_sql_digest_new(&d), 0);
    struct hp_sql_event evs[] = {
        event("SELECT * FROM t WHERE id=1", 1000000, "a", 100),
        event("select * from t where id = 2", 3000000, "b", 50),
        event("SELECT * FROM t WHERE id = 3 -- again", 2000000, "a", 200),
        event("UPDATE t SET x = 1 WHERE id = 9", 50000000, "a", 150),
        event("DELETE FROM t WHERE id IN (1,2,3)", 100000, "a", 120),
        event("DELETE FROM t WHERE id IN (4)", 100000, "a", 121),
    };
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        assert_int_equal(hp_sql_digest_add(d, &evs[i]), 0);
    assert_int_equal(hp_sql_digest_calls(d), 6);
    assert_int_equal(hp_sql_digest_time_ns(d), 56200000);
    int64_t first, last;
    hp_sql_digest_span(d, &first, &last);
    assert_int_equal(first, 50);
    assert_int_equal(last, 200);

    struct hp_sql_class *const *c;
    assert_int_equal(hp_sql_digest_sorted(d, HP_SQL_BY_TIME, &c), 3);
    assert_string_equal(c[0]->fingerprint, "UPDATE t SET x = ? WHERE id = ?");
    assert_string_equal(c[1]->fingerprint, "SELECT * FROM t WHERE id = ?");
    assert_int_equal(c[1]->calls, 3);
    assert_int_equal(c[1]->time_ns, 6000000);
    assert_int_equal(c[1]->min_ns, 1000000);
    assert_int_equal(c[1]->max_ns, 3000000);
    assert_close(c[1]->mean_ns, 2000000, 1e-12, 0);
    assert_int_equal(c[1]->first_ts_s, 50);
    assert_int_equal(c[1]->last_ts_s, 200);
    assert_int_equal(c[1]->lock_ns, 3000);
    assert_int_equal(c[1]->rows_examined, 30);
    /* variance 1e-6 s^2 over mean 2e-3 s */
    assert_close(hp_sql_class_vm(c[1]), 1e-6 / 2e-3, 1e-9, 0);
    /* the slowest sample, literals and all */
    assert_string_equal(c[1]->sample, "select * from t where id = 2");
    assert_string_equal(c[1]->sample_db, "b");
    assert_string_equal(c[1]->dbs[0].name, "a");
    assert_int_equal(c[1]->dbs[0].calls, 2);
    assert_string_equal(c[1]->dbs[1].name, "b");
    assert_string_equal(c[2]->fingerprint, "DELETE FROM t WHERE id IN (...)");
    assert_int_equal(c[2]->calls, 2);

    assert_int_equal(hp_sql_digest_sorted(d, HP_SQL_BY_CALLS, &c), 3);
    assert_int_equal(c[0]->calls, 3);
    assert_int_equal(c[1]->calls, 2);
    assert_int_equal(hp_sql_digest_sorted(d, HP_SQL_BY_MEAN, &c), 3);
    assert_string_equal(c[0]->fingerprint, "UPDATE t SET x = ? WHERE id = ?");
    assert_int_equal(hp_sql_order_parse("p99"), HP_SQL_BY_P99);
    assert_int_equal(hp_sql_order_parse("rows"), -1);
    hp_sql_digest_free(d);
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank over all the values, the definition the digest uses, counted
 * in whole numbers: the smallest k with 100 k >= p n (p is whole here). */
static int64_t rank_of(const int64_t *sorted, int n, double p)
{
    int k = 1;
    while (k < n && 100 * k < (int)p * n)
        k++;
    return sorted[k - 1];
}

static void digest_percentiles_are_exact_then_within_a_tenth_of_a_percent(void **state)
{
    (void)state;
    static int64_t v[5000], sorted[5000];
    struct hp_sql_digest *d;
    assert_int_equal(hp_sql_digest_new(&d), 0);
    srand(7);
    struct hp_sql_class *const *c;
    for (int i = 0; i < 5000; i++) {
        /* 10 us to ~10 s, log-spread */
        v[i] = (int64_t)(1e4 * pow(10, 6.0 * rand() / (double)RAND_MAX));
        struct hp_sql_event ev = event("SELECT 1", v[i], "", -1);
        assert_int_equal(hp_sql_digest_add(d, &ev), 0);
        int n = i + 1;
        /* 100, 5000: p n is whole; 27, 201, 1013, 4999: the rank is p n
         * rounded up, where rounding to the nearest would be one short */
        if (n == 27 || n == 100 || n == 201 || n == HP_SQL_EXACT_VALUES || n == 1013 ||
            n == 4999 || n == 5000) {
            memcpy(sorted, v, (size_t)n * sizeof *v);
            qsort(sorted, (size_t)n, sizeof *sorted, cmp64);
            assert_int_equal(hp_sql_digest_sorted(d, HP_SQL_BY_TIME, &c), 1);
            static const double ps[] = {50, 95, 99, 100};
            for (int k = 0; k < 4; k++) {
                double want = (double)rank_of(sorted, n, ps[k]);
                double got = (double)hp_sql_class_percentile(c[0], ps[k]);
                if (n <= HP_SQL_EXACT_VALUES)
                    assert_close(got, want, 0, 0); /* exact */
                else
                    assert_close(got, want, 1e-3, 0); /* HdrHistogram, 3 digits */
            }
        }
    }
    assert_non_null(c[0]->hist);
    struct hp_hist *h = NULL;
    assert_int_equal(hp_sql_class_hist(c[0], &h), 0);
    assert_int_equal(h->total_count, 5000);
    hp_hist_free(h);
    hp_sql_digest_free(d);
}

static void digest_series_are_per_minute_until_the_log_is_long(void **state)
{
    (void)state;
    struct hp_sql_digest *d;
    assert_int_equal(hp_sql_digest_new(&d), 0);
    int64_t origin, width;
    int nb;
    assert_false(hp_sql_digest_series(d, &origin, &width, &nb));
    /* 10:00:30, then one statement a minute for 239 more minutes */
    int64_t t0 = 1768471230;
    for (int m = 0; m < 240; m++) {
        struct hp_sql_event ev = event("SELECT 1", 1000000 * (m + 1), "", t0 + 60 * m);
        assert_int_equal(hp_sql_digest_add(d, &ev), 0);
    }
    assert_true(hp_sql_digest_series(d, &origin, &width, &nb));
    assert_int_equal(origin, 1768471200); /* the minute it started in */
    assert_int_equal(width, 60);
    assert_int_equal(nb, 240);
    struct hp_sql_class *const *c;
    assert_int_equal(hp_sql_digest_sorted(d, HP_SQL_BY_TIME, &c), 1);
    assert_int_equal(c[0]->series[0].calls, 1);
    assert_int_equal(c[0]->series[239].time_ns, 240000000);
    /* one more, past four hours: buckets of two minutes, sums kept */
    struct hp_sql_event ev = event("SELECT 2 FROM t", 5, "", t0 + 60 * 240);
    assert_int_equal(hp_sql_digest_add(d, &ev), 0);
    assert_true(hp_sql_digest_series(d, &origin, &width, &nb));
    assert_int_equal(width, 120);
    assert_int_equal(nb, 121);
    assert_int_equal(hp_sql_digest_sorted(d, HP_SQL_BY_TIME, &c), 2);
    assert_int_equal(c[0]->series[0].calls, 2);
    assert_int_equal(c[0]->series[0].time_ns, 3000000);
    assert_int_equal(c[0]->series[119].time_ns, 239000000 + 240000000);
    assert_int_equal(c[1]->series[120].calls, 1);
    int64_t sum = 0;
    for (int k = 0; k < HP_SQL_SERIES_BUCKETS; k++)
        sum += c[0]->series[k].calls;
    assert_int_equal(sum, 240);
    hp_sql_digest_free(d);
}

static int digest_some(void)
{
    struct hp_sql_digest *d = NULL;
    int rc = hp_sql_digest_new(&d);
    char q[64];
    for (int i = 0; i < 600 && rc == 0; i++) {
        snprintf(q, sizeof q, "SELECT c%d FROM t WHERE id = %d", i % 7, i);
        struct hp_sql_event ev = event(q, 1000 + i, i % 2 ? "a" : "b", i);
        rc = hp_sql_digest_add(d, &ev);
    }
    struct hp_sql_class *const *c = NULL;
    if (rc == 0 && hp_sql_digest_sorted(d, HP_SQL_BY_P99, &c) != 7)
        rc = c ? -EINVAL : -ENOMEM;
    hp_sql_digest_free(d);
    return rc;
}

static void digest_alloc_failures_leak_nothing(void **state)
{
    (void)state;
    ALLOC_SWEEP(digest_some());
}

/* ---- hints ------------------------------------------------------------- */

/* The hint kinds one statement's class gets ("" when none), joined by ",". */
static void hints_of(const char *q, int64_t examined, int64_t sent, int calls_in_a_second,
                     char *out, size_t size)
{
    struct hp_sql_digest *d;
    assert_int_equal(hp_sql_digest_new(&d), 0);
    for (int i = 0; i < (calls_in_a_second ? calls_in_a_second : 1); i++) {
        struct hp_sql_event ev = event(q, 1000000, "db", 1768471200);
        ev.rows_examined = examined;
        ev.rows_sent = sent;
        ev.thread_id = 42;
        assert_int_equal(hp_sql_digest_add(d, &ev), 0);
    }
    struct hp_sql_class *const *c;
    assert_int_equal(hp_sql_digest_sorted(d, HP_SQL_BY_TIME, &c), 1);
    struct hp_sql_hint h[HP_SQL_MAX_HINTS];
    int n = hp_sql_hints(c[0], h, HP_SQL_MAX_HINTS);
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        assert_true(h[i].evidence[0] != '\0');
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "", h[i].kind);
    }
    hp_sql_digest_free(d);
}

static void hints_name_what_to_look_at(void **state)
{
    (void)state;
    char k[256];
    hints_of("SELECT id FROM t WHERE a = 1", 50000, 10, 0, k, sizeof k);
    assert_string_equal(k, "index");
    hints_of("SELECT id FROM t WHERE a = 1", 500, 1, 0, k, sizeof k); /* too few to matter */
    assert_string_equal(k, "");
    hints_of("SELECT id FROM t WHERE a = 1", 50000, 5000, 0, k, sizeof k); /* sends most */
    assert_string_equal(k, "");
    hints_of("SELECT id FROM t WHERE name LIKE '%bob%'", 1, 1, 0, k, sizeof k);
    assert_string_equal(k, "like-leading-wildcard");
    hints_of("SELECT id FROM t WHERE name LIKE 'bob%'", 1, 1, 0, k, sizeof k);
    assert_string_equal(k, "");
    hints_of("SELECT id FROM t WHERE DATE(created_at) = '2026-01-01'", 1, 1, 0, k, sizeof k);
    assert_string_equal(k, "function-on-column");
    hints_of("SELECT id FROM t WHERE created_at >= DATE(?) AND COUNT(*) > 1", 1, 1, 0, k, sizeof k);
    assert_string_equal(k, "");
    hints_of("SELECT id FROM t WHERE a = 1 OR b = 2", 1, 1, 0, k, sizeof k);
    assert_string_equal(k, "or-across-columns");
    hints_of("SELECT id FROM t WHERE (a = 1 OR a = 2) AND c = 3", 1, 1, 0, k, sizeof k);
    assert_string_equal(k, "");
    hints_of("select * from t where id = 1", 1, 1, 0, k, sizeof k);
    assert_string_equal(k, "select-star");
    hints_of("SELECT id FROM t ORDER BY rand() LIMIT 1", 1, 1, 0, k, sizeof k);
    assert_string_equal(k, "order-by-rand");
    hints_of("SELECT id FROM t WHERE id = 7", 1, 1, HP_SQL_HINT_BURST_MIN, k, sizeof k);
    assert_string_equal(k, "n-plus-one");
    hints_of("SELECT id FROM t WHERE id = 7", 1, 1, HP_SQL_HINT_BURST_MIN - 1, k, sizeof k);
    assert_string_equal(k, "");
    hints_of("SELECT * FROM t WHERE LOWER(email) = 'x' OR name LIKE '%y'", 90000, 1, 0, k,
             sizeof k);
    assert_string_equal(k, "index,like-leading-wildcard,function-on-column,or-across-columns,"
                           "select-star");
}

/* ---- EXPLAIN plans ------------------------------------------------------ */

static void shape_counts_statements_placeholders_and_calls(void **state)
{
    (void)state;
    struct hp_sql_shape sh;
    char calls[4][HP_SQL_NAME_LEN];
    const char *q = "SELECT count(*) FROM t WHERE a = $2 AND b = ';' -- ; x\n"
                    "AND c = $$;$$ /* ; */ AND d = s.Lower($1); ";
    hp_sql_shape(q, strlen(q), HP_SQL_POSTGRESQL, &sh, calls, 4);
    assert_int_equal(sh.statements, 1);
    assert_int_equal(sh.max_param, 2);
    assert_int_equal(sh.ncalls, 2);
    assert_string_equal(calls[0], "count");
    assert_string_equal(calls[1], "lower");
    q = "SELECT 1; COMMIT; UPDATE t SET v = 'x;y' WHERE id = 2";
    hp_sql_shape(q, strlen(q), HP_SQL_POSTGRESQL, &sh, calls, 4);
    assert_int_equal(sh.statements, 3);
    q = "SELECT \"My Func\"(x), pg_reload_conf () FROM t WHERE n = 'O\\'Brien; x'";
    hp_sql_shape(q, strlen(q), HP_SQL_POSTGRESQL, &sh, calls, 4);
    assert_int_equal(sh.statements, 1); /* the ; is inside O\'Brien's string */
    assert_int_equal(sh.ncalls, 2);
    assert_string_equal(calls[0], "My Func");
    assert_string_equal(calls[1], "pg_reload_conf");
    q = "SELECT f(1), g(2), h(3), i(4), j(5)";
    hp_sql_shape(q, strlen(q), HP_SQL_MYSQL, &sh, calls, 4);
    assert_int_equal(sh.ncalls, 5); /* counted, four kept */
    assert_string_equal(calls[3], "i");
    hp_sql_shape("", 0, HP_SQL_MYSQL, &sh, calls, 4);
    assert_int_equal(sh.statements, 0);
}

static void params_split_reads_the_detail_line(void **state)
{
    (void)state;
    const char *p = "$1 = '7', $2 = NULL, $3 = 'O''Brien, $4 = x'";
    char buf[64];
    const char *v[4];
    assert_int_equal(hp_sql_params_split(p, buf, v, 4), 3);
    assert_string_equal(v[0], "7");
    assert_null(v[1]);
    assert_string_equal(v[2], "O'Brien, $4 = x");
    assert_int_equal(hp_sql_params_split("$2 = '1'", buf, v, 4), -1);   /* $1 missing */
    assert_int_equal(hp_sql_params_split("$1 = '1", buf, v, 4), -1);    /* unterminated */
    assert_int_equal(hp_sql_params_split("$5 = '1'", buf, v, 4), -1);   /* beyond max */
    assert_int_equal(hp_sql_params_split("$1 = 1", buf, v, 4), -1);     /* not a literal */
    assert_int_equal(hp_sql_params_split("$1 = '1';", buf, v, 4), -1);  /* trailing bytes */
    assert_int_equal(hp_sql_params_split("", buf, v, 4), 0);
}

static int64_t fake_rows(void *ctx, const char *schema, const char *table)
{
    (void)ctx;
    (void)schema;
    return strcmp(table, "big") == 0 ? 250000 : strcmp(table, "small") == 0 ? 100 : -1;
}

static bool fake_index(void *ctx, const char *schema, const char *table, const char *filter,
                       char *index, size_t size)
{
    (void)ctx;
    (void)schema;
    if (strcmp(table, "big") != 0 || !strstr(filter, "note"))
        return false;
    snprintf(index, size, "big_note_idx (note)");
    return true;
}

static void explain_flags_what_a_plan_says(void **state)
{
    (void)state;
    const char *text =
        "[{\"Plan\": {\"Node Type\": \"Hash Join\", \"Total Cost\": 4321.5, "
        "\"Plan Rows\": 10, \"Actual Rows\": 1000, \"Actual Loops\": 1, \"Plans\": ["
        "{\"Node Type\": \"Seq Scan\", \"Relation Name\": \"big\", \"Schema\": \"public\", "
        "\"Filter\": \"(note ~~ '%abc%'::text)\", \"Plan Rows\": 5, \"Actual Rows\": 7, "
        "\"Actual Loops\": 1},"
        "{\"Node Type\": \"Hash\", \"Hash Batches\": 4, \"Original Hash Batches\": 1, "
        "\"Peak Memory Usage\": 4096, \"Plan Rows\": 100, \"Actual Rows\": 100, "
        "\"Actual Loops\": 1, \"Plans\": ["
        "  {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"small\", \"Plan Rows\": 100},"
        "  {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"fresh\", \"Plan Rows\": 20000},"
        "  {\"Node Type\": \"Sort\", \"Sort Method\": \"external merge\", "
        "   \"Sort Space Type\": \"Disk\", \"Sort Space Used\": 8200}]}]}, "
        "\"Execution Time\": 12.5}]";
    json_error_t je;
    json_t *plan = json_loads(text, 0, &je);
    assert_non_null(plan);
    struct hp_sql_explain ex;
    memset(&ex, 0, sizeof ex);
    struct hp_sql_catalog cat = {.rows_of = fake_rows};
    hp_sql_plan_flags(plan, &cat, &ex);
    assert_close(ex.total_cost, 4321.5, 0, 0);
    assert_close(ex.actual_ms, 12.5, 0, 0);
    char kinds[256] = "";
    for (int i = 0; i < ex.nflags; i++) {
        strcat(kinds, ex.flags[i].kind);
        strcat(kinds, ",");
    }
    /* the join's 100x misestimate, big's scan (not small's), the hash's
     * batches, fresh's scan (never analysed: the planner's 20000 rows), the
     * sort's spill; the scan of big estimated 5 and got 7: no misestimate */
    assert_string_equal(kinds, "row-estimate,seq-scan,hash-spill,seq-scan,sort-spill,");
    assert_non_null(strstr(ex.flags[0].evidence, "estimated 10 rows, got 1000 (100x more)"));
    assert_non_null(strstr(ex.flags[1].evidence, "Seq Scan on public.big (250000 rows)"));
    assert_non_null(strstr(ex.flags[1].evidence, "%abc%"));
    assert_non_null(strstr(ex.flags[2].evidence, "4 batches"));
    assert_non_null(strstr(ex.flags[3].evidence, "fresh (20000 rows)"));
    assert_non_null(strstr(ex.flags[4].evidence, "8200 kB"));
    assert_non_null(strstr(ex.flags[1].evidence, "an index on the filtered columns"));
    /* an index already leads with the filtered column: none is advised */
    memset(&ex, 0, sizeof ex);
    cat.index_for = fake_index;
    hp_sql_plan_flags(plan, &cat, &ex);
    assert_string_equal(ex.flags[1].kind, "seq-scan");
    assert_non_null(strstr(ex.flags[1].evidence, "already indexed by big_note_idx (note)"));
    assert_null(strstr(ex.flags[1].evidence, "an index on"));
    json_decref(plan);
}

/* ---- compressed input -------------------------------------------------- */

struct lines_got {
    int n;
    size_t total;
    char first[64], last[64];
    size_t longest;
};

static int count_line(void *ctx, const char *line, size_t len)
{
    struct lines_got *g = ctx;
    if (g->n == 0)
        snprintf(g->first, sizeof g->first, "%.*s", (int)(len < 63 ? len : 63), line);
    snprintf(g->last, sizeof g->last, "%.*s", (int)(len < 63 ? len : 63), line);
    if (len > g->longest)
        g->longest = len;
    g->total += len;
    g->n++;
    return 0;
}

static void lines_reads_plain_gzip_and_zstd_alike(void **state)
{
    (void)state;
    /* 3 short lines, one of 3 MB (over the 1 MB block), a last one without "\n" */
    size_t big = 3 * 1024 * 1024, len = 0;
    char *text = malloc(big + 100);
    assert_non_null(text);
    len += (size_t)sprintf(text, "first\nsecond\r\n\n");
    memset(text + len, 'x', big);
    len += big;
    len += (size_t)sprintf(text + len, "\nlast");
    char dir[] = "/tmp/hp_test_sql.XXXXXX", plain[64], gz[64], zst[64], cut[64];
    assert_non_null(mkdtemp(dir));
    snprintf(plain, sizeof plain, "%s/a.log", dir);
    snprintf(gz, sizeof gz, "%s/a.log.gz", dir);
    snprintf(zst, sizeof zst, "%s/a.log.zst", dir);
    snprintf(cut, sizeof cut, "%s/cut.gz", dir);
    write_file(plain, text, len);
    /* gzip: two members, as `cat a.gz b.gz` makes */
    gzFile g = gzopen(gz, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, text, 10), 10);
    gzclose(g);
    g = gzopen(gz, "ab");
    assert_int_equal(gzwrite(g, text + 10, (unsigned)(len - 10)), (int)(len - 10));
    gzclose(g);
    size_t zcap = ZSTD_compressBound(len);
    char *z = malloc(zcap);
    size_t zlen = ZSTD_compress(z, zcap, text, len, 3);
    assert_false(ZSTD_isError(zlen));
    write_file(zst, z, zlen);
    const char *paths[] = {plain, gz, zst};
    for (int i = 0; i < 3; i++) {
        struct lines_got got = {0};
        struct hp_err err;
        uint64_t bytes = 0;
        assert_int_equal(hp_lines_read(paths[i], count_line, &got, &bytes, &err), 0);
        assert_int_equal(bytes, len);
        assert_int_equal(got.n, 5);
        assert_string_equal(got.first, "first");
        assert_string_equal(got.last, "last");
        assert_int_equal(got.longest, big);
        assert_int_equal(got.total, len - 4); /* the four "\n" */
    }
    /* a gzip file cut short is an error that names the file */
    FILE *f = fopen(gz, "rb");
    char *buf = malloc(zcap + len);
    size_t n = fread(buf, 1, zcap + len, f);
    fclose(f);
    write_file(cut, buf, n / 2);
    struct lines_got got = {0};
    struct hp_err err = {0};
    assert_int_equal(hp_lines_read(cut, count_line, &got, NULL, &err), -EBADMSG);
    assert_string_equal(err.file, cut);
    assert_non_null(strstr(err.msg, "corrupt"));
    assert_int_equal(hp_lines_read("/nonexistent/x.log", count_line, &got, NULL, &err), HP_EINPUT);
    unlink(plain);
    unlink(gz);
    unlink(zst);
    unlink(cut);
    rmdir(dir);
    free(buf);
    free(z);
    free(text);
}

int main(int argc, char **argv)
{
    data_dir = argc > 1 ? argv[1] : "tests/data";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sql_fingerprints_match_the_table),
        cmocka_unit_test(sql_pt_fingerprints_match_percona_toolkit),
        cmocka_unit_test(sql_fingerprint_cuts_what_does_not_fit),
        cmocka_unit_test(slowlog_reads_a_mysql8_log),
        cmocka_unit_test(slowlog_reads_mariadb_and_old_mysql_headers),
        cmocka_unit_test(slowlog_counts_what_it_cannot_read),
        cmocka_unit_test(slowlog_parses_seconds),
        cmocka_unit_test(pglog_reads_stderr_logs_with_or_without_the_prefix),
        cmocka_unit_test(pglog_reads_csvlog),
        cmocka_unit_test(pglog_reads_pg_stat_statements_exports),
        cmocka_unit_test(pglog_refuses_an_unknown_prefix_escape),
        cmocka_unit_test(reader_tells_formats_apart),
        cmocka_unit_test(digest_groups_by_fingerprint_and_ranks),
        cmocka_unit_test(digest_percentiles_are_exact_then_within_a_tenth_of_a_percent),
        cmocka_unit_test(digest_series_are_per_minute_until_the_log_is_long),
        cmocka_unit_test(digest_alloc_failures_leak_nothing),
        cmocka_unit_test(hints_name_what_to_look_at),
        cmocka_unit_test(explain_flags_what_a_plan_says),
        cmocka_unit_test(shape_counts_statements_placeholders_and_calls),
        cmocka_unit_test(params_split_reads_the_detail_line),
        cmocka_unit_test(lines_reads_plain_gzip_and_zstd_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
