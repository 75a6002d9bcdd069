// SPDX-License-Identifier: MIT
/* Unit tests for load/merge.c: parts written as `load --segment` writes
 * them (through JSON and HdrHistogram's encoding) merge into exactly what
 * one process recording every sample would report. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "load/load_doc.h"
#include "load/merge.h"
#include "stat/hist_result.h"
#include "testutil.h"

#define PARTS 3

struct part {
    struct hp_load_counts counts, tag_counts;
    struct hp_hist *corrected, *uncorrected, *lag, *tag;
};

/* A part's document, written and read back as text. */
static struct hp_result *part_doc(const struct hp_segment *seg, const struct part *p,
                                  double rate, const char *threshold)
{
    struct hp_load_config cfg;
    hp_load_config_defaults(&cfg);
    cfg.open_model = true;
    cfg.connections = (int)hp_segment_share(seg, 30);
    struct hp_load_target t = {.url = "http://127.0.0.1:8080/", .method = "GET",
                               .rate_per_s = rate};
    struct hp_result *doc = NULL, *back = NULL;
    assert_int_equal(hp_load_doc_new(&cfg, &t, &doc), 0);
    assert_int_equal(hp_load_doc_segment(doc, seg, 30, cfg.connections, 0, 0), 0);
    struct hp_load_view v = {&p->counts, p->corrected, p->uncorrected, p->lag, 10.0, 10.0,
                             rate * hp_segment_fraction(seg), NULL};
    assert_int_equal(hp_load_doc_totals(doc, &v), 0);
    assert_int_equal(hp_load_doc_part(doc, "scenario:a", &p->tag_counts, p->tag, 10.0), 0);
    if (threshold)
        assert_int_equal(hp_result_threshold(doc, threshold, true, 1, "ns"), 0);
    char *text = NULL;
    assert_int_equal(hp_result_dumps(doc, &text), 0);
    assert_int_equal(hp_result_parse(text, strlen(text), "part.json", &back, NULL), 0);
    hp_free(text);
    hp_result_free(doc);
    return back;
}

static void record(struct hp_hist *a, struct hp_hist *b, int64_t v)
{
    assert_true(hp_hist_record(a, v));
    assert_true(hp_hist_record(b, v));
}

static void merge_is_one_process_recording_everything(void **state)
{
    (void)state;
    struct hp_segment seg[PARTS];
    struct part p[PARTS];
    struct hp_hist *all, *all_unc, *all_lag, *all_tag;
    struct hp_load_counts total = {0};
    assert_int_equal(hp_hist_new_latency(&all), 0);
    assert_int_equal(hp_hist_new_latency(&all_unc), 0);
    assert_int_equal(hp_hist_new_latency(&all_lag), 0);
    assert_int_equal(hp_hist_new_latency(&all_tag), 0);
    srand(7);
    for (int i = 0; i < PARTS; i++) {
        char t[16];
        snprintf(t, sizeof t, "%d/%d", i + 1, PARTS);
        assert_int_equal(hp_segment_parse_part(t, &seg[i], NULL), 0);
        memset(&p[i], 0, sizeof p[i]);
        assert_int_equal(hp_hist_new_latency(&p[i].corrected), 0);
        assert_int_equal(hp_hist_new_latency(&p[i].uncorrected), 0);
        assert_int_equal(hp_hist_new_latency(&p[i].lag), 0);
        assert_int_equal(hp_hist_new_latency(&p[i].tag), 0);
        /* each part its own shape: the union's tail is no part's */
        int n = 20000 + 5000 * i;
        for (int k = 0; k < n; k++) {
            int64_t v = 50000 + rand() % (200000 * (i + 1));
            if (rand() % 100 < 2 * i)
                v += 80000000 + rand() % 20000000; /* a slow tail in some parts */
            record(p[i].corrected, all, v);
            record(p[i].uncorrected, all_unc, v / 2 + 1);
            record(p[i].lag, all_lag, 1000 + rand() % 50000);
            if (k % 3 == 0)
                record(p[i].tag, all_tag, v);
        }
        p[i].counts = (struct hp_load_counts){.requests = n, .sent = n + 3, .unsent = 2,
                                              .late = 10 * i, .bytes_read = 131LL * n,
                                              .bytes_written = 40LL * n, .connects = 10};
        p[i].counts.status[2] = n - 5;
        p[i].counts.status[5] = 5;
        p[i].counts.errors[HP_LERR_STATUS_5XX] = 5;
        p[i].counts.errors[HP_LERR_TIMEOUT] = i;
        p[i].tag_counts = (struct hp_load_counts){.requests = (n + 2) / 3};
        p[i].tag_counts.errors[HP_LERR_STATUS_5XX] = 1;
        p[i].tag_counts.errors[HP_LERR_TIMEOUT] = 2;
        hp_load_counts_add(&total, &p[i].counts);
    }
    struct hp_result *docs[PARTS];
    const char *names[PARTS] = {"p1.json", "p2.json", "p3.json"};
    for (int i = 0; i < PARTS; i++)
        docs[i] = part_doc(&seg[PARTS - 1 - i], &p[PARTS - 1 - i], 3000,
                           "http_req_duration: p(99)<100ms"); /* any order */
    static struct hp_load_merged m;
    struct hp_err err;
    assert_int_equal(hp_load_merge(docs, names, PARTS, &m, &err), 0);
    /* the whole's histograms are the one process's, bucket for bucket */
    assert_true(hp_hist_equal(m.corrected, all));
    assert_true(hp_hist_equal(m.uncorrected, all_unc));
    assert_true(hp_hist_equal(m.lag, all_lag));
    static const double pcts[] = {50, 90, 99, 99.9, 100};
    double v;
    static const char *const keys[] = {"latency_p50_ns", "latency_p90_ns", "latency_p99_ns",
                                       "latency_p99_9_ns", "latency_max_ns"};
    for (int k = 0; k < 5; k++) {
        assert_true(hp_result_get_metric(m.doc, keys[k], &v, NULL));
        assert_close(v, (double)hp_hist_value_at_percentile(all, pcts[k]), 0, 0);
    }
    assert_true(hp_result_get_metric(m.doc, "requests", &v, NULL));
    assert_close(v, (double)total.requests, 0, 0);
    assert_true(hp_result_get_metric(m.doc, "errors_timeout", &v, NULL));
    assert_close(v, 0 + 1 + 2, 0, 0);
    assert_true(hp_result_get_metric(m.doc, "sent", &v, NULL));
    assert_close(v, (double)total.sent, 0, 0);
    assert_true(hp_result_get_metric(m.doc, "target_rate_per_s", &v, NULL));
    assert_close(v, 3000, 1e-12, 0);
    /* the document's own histogram reads back as the same */
    struct hp_hist *back = NULL;
    assert_int_equal(hp_result_get_histogram(m.doc, "latency", &back, NULL), 0);
    assert_true(hp_hist_equal(back, all));
    hp_hist_free(back);
    /* per scenario too, and what a threshold on it selects */
    assert_int_equal(m.n_tags, 1);
    assert_true(hp_hist_equal(m.tags[0].latency, all_tag));
    const struct hp_metric_set *s = hp_load_merged_select(&m, "scenario", "a");
    assert_non_null(s);
    assert_int_equal(s->requests, (20000 + 2) / 3 + (25000 + 2) / 3 + (30000 + 2) / 3);
    assert_int_equal(s->failed, 3 * 3);       /* a 5xx and two timeouts per part */
    assert_int_equal(s->attempts, s->requests + 3 * 2); /* the timeouts left no answer */
    assert_null(hp_load_merged_select(&m, "scenario", "b"));
    assert_int_equal(m.n_thresholds, 1);
    assert_string_equal(m.thresholds[0], "http_req_duration: p(99)<100ms");
    hp_load_merged_free(&m);

    /* from files, on 1 and on 3 threads: the same document to the last
     * byte (every sum is exact, whatever order the threads fold in) */
    char dir[] = "/tmp/hp_test_merge.XXXXXX", paths[PARTS][64];
    const char *files[PARTS];
    assert_non_null(mkdtemp(dir));
    for (int i = 0; i < PARTS; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/p%d.json", dir, i);
        assert_int_equal(hp_result_write(docs[i], paths[i], &err), 0);
        files[i] = paths[i];
    }
    char *one = NULL, *three = NULL;
    assert_int_equal(hp_load_merge_files(files, PARTS, 1, &m, &err), 0);
    assert_true(hp_hist_equal(m.corrected, all));
    assert_int_equal(hp_result_dumps(m.doc, &one), 0);
    hp_load_merged_free(&m);
    for (int round = 0; round < 5; round++) {
        assert_int_equal(hp_load_merge_files(files, PARTS, 3, &m, &err), 0);
        assert_int_equal(hp_result_dumps(m.doc, &three), 0);
        /* started_at and the files' order are the same too */
        assert_string_equal(one, three);
        hp_free(three);
        hp_load_merged_free(&m);
    }
    hp_free(one);
    /* a missing file: named, on any number of threads */
    const char *gone[PARTS] = {files[0], "/tmp/hp_test_merge_no_such_part.json", files[2]};
    assert_true(hp_load_merge_files(gone, PARTS, 3, &m, &err) < 0);
    assert_non_null(strstr(err.file, "no_such_part"));
    for (int i = 0; i < PARTS; i++)
        unlink(paths[i]);
    rmdir(dir);

    /* refused: a part twice, a part missing */
    struct hp_result *twice[3] = {docs[0], docs[1], docs[1]};
    assert_int_equal(hp_load_merge(twice, names, 3, &m, &err), HP_EUSAGE);
    assert_non_null(strstr(err.msg, "both part"));
    assert_int_equal(hp_load_merge(docs, names, 2, &m, &err), HP_EUSAGE);
    assert_non_null(strstr(err.msg, "missing"));
    /* another test's part: a different rate */
    struct hp_result *other = part_doc(&seg[0], &p[0], 2500, "http_req_duration: p(99)<100ms");
    struct hp_result *mixed[3] = {other, docs[0], docs[1]};
    assert_int_equal(hp_load_merge(mixed, names, 3, &m, &err), HP_EUSAGE);
    assert_non_null(strstr(err.msg, "config.rate_per_s"));
    hp_result_free(other);
    for (int i = 0; i < PARTS; i++) {
        hp_result_free(docs[i]);
        hp_hist_free(p[i].corrected);
        hp_hist_free(p[i].uncorrected);
        hp_hist_free(p[i].lag);
        hp_hist_free(p[i].tag);
        hp_segment_free(&seg[i]);
    }
    hp_hist_free(all);
    hp_hist_free(all_unc);
    hp_hist_free(all_lag);
    hp_hist_free(all_tag);
}

/* docs/distributed.md's example: two parts of 10,000 requests, one all at
 * 10 ms, the other with 300 at 500 ms. Each part's p99 is 10 ms and 500 ms;
 * their average, what copying wrk's numbers into a spreadsheet gives, is
 * 255 ms; the whole has 1.5% of its requests at 500 ms, so its p99 is
 * 500 ms. */
static void averaging_percentiles_is_wrong(void **state)
{
    (void)state;
    struct hp_hist *a, *b, *whole;
    assert_int_equal(hp_hist_new_latency(&a), 0);
    assert_int_equal(hp_hist_new_latency(&b), 0);
    assert_int_equal(hp_hist_new_latency(&whole), 0);
    assert_true(hp_hist_record_n(a, 10000000, 10000));
    assert_true(hp_hist_record_n(b, 10000000, 9700));
    assert_true(hp_hist_record_n(b, 500000000, 300));
    assert_int_equal(hp_hist_add(whole, a), 0);
    assert_int_equal(hp_hist_add(whole, b), 0);
    double pa = (double)hp_hist_value_at_percentile(a, 99);
    double pb = (double)hp_hist_value_at_percentile(b, 99);
    double pw = (double)hp_hist_value_at_percentile(whole, 99);
    assert_true(hp_hist_values_equivalent(a, (int64_t)pa, 10000000));
    assert_true(hp_hist_values_equivalent(b, (int64_t)pb, 500000000));
    assert_true(hp_hist_values_equivalent(whole, (int64_t)pw, 500000000));
    double avg = (pa + pb) / 2;
    assert_true(avg > 254e6 && avg < 256e6); /* half the truth */
    hp_hist_free(a);
    hp_hist_free(b);
    hp_hist_free(whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merge_is_one_process_recording_everything),
        cmocka_unit_test(averaging_percentiles_is_wrong),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
