// SPDX-License-Identifier: MIT
/* Unit tests for stat/hist.c and stat/hist_codec.c. */
#include <errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "core/alloc.h"
#include "stat/hist.h"
#include "stat/hist_codec.h"
#include "testutil.h"

/* Encoded by HdrHistogram_c's test code from its standard test histograms
 * (lowest 1, highest 3,600,000,000, 3 digits): 10,000 x 1000 and 1 x
 * 100,000,000; the corrected one records the same with an expected interval
 * of 10,000. Published in HdrHistogram_py, test/test_hdrhistogram.py
 * (ENCODE_SAMPLES_HDRHISTOGRAM_C), which checks them against its decoder. */
static const char c_raw_blob[] =
    "HISTFAAAACl4nJNpmSzMwMBgyAABzFCaEURcm7yEwf4DROA8/4I5jNM7mJgAlWkH9g==";
static const char c_corrected_blob[] =
    "HISTFAAAAP94nJNpmSzMwCByigECmKE0I4i4NnkJg/0HiMB5/gVzGD8aM/3lZ7rPyTSbjektC9N7Fqa"
    "HzEzbmZi2whCEvZKRaSYj02wwiYng4tFM3lDoC2dhhwh5UyZlJlUMjClCmgpMEUUmQSZ+IBZEojFFCM"
    "vQRwUxenmZ2MGQFUqz4+CTo4I2pg4dFdQylZWJkYkZCaPyMEUIydPLjMHrssFixuB12XD0HRAwMsFJg"
    "kwilZHJHHKmjzp41MFDOjhYmFiQEUEmMWqGsvKBd8Fwd/Co/waTC9jYOMAIiSJRhLbKh5x9Q87Bo/YN"
    "bfsoM4CPhw+IIJAkxnDXN+QcTIpyAPnGh6k=";

static struct hp_hist *latency_hist(void)
{
    struct hp_hist *h = NULL;
    assert_int_equal(hp_hist_new_latency(&h), 0);
    return h;
}

static void hist_layout_matches_hdrhistogram(void **state)
{
    (void)state;
    struct hp_hist *h = NULL;
    /* HdrHistogram_py's test_basic: (1, 3.6e9, 3). */
    assert_int_equal(hp_hist_new(1, INT64_C(3600000000), 3, &h), 0);
    assert_int_equal(h->bucket_count, 22);
    assert_int_equal(h->sub_bucket_count, 2048);
    assert_int_equal(h->counts_len, 23552);
    assert_int_equal(h->unit_magnitude, 0);
    assert_int_equal(h->sub_bucket_half_count_magnitude, 10);
    /* test_highest_equivalent_value */
    assert_int_equal(hp_hist_highest_equivalent(h, 8180), 8183);
    assert_int_equal(hp_hist_highest_equivalent(h, 8191), 8191);
    assert_int_equal(hp_hist_highest_equivalent(h, 8193), 8199);
    assert_int_equal(hp_hist_highest_equivalent(h, 9995), 9999);
    assert_int_equal(hp_hist_highest_equivalent(h, 10007), 10007);
    assert_int_equal(hp_hist_highest_equivalent(h, 10008), 10015);
    hp_hist_free(h);
}

static void hist_rejects_invalid_layouts(void **state)
{
    (void)state;
    struct hp_hist *h = NULL;
    assert_int_equal(hp_hist_new(0, 1000, 3, &h), -EINVAL);
    assert_int_equal(hp_hist_new(1, 1000, 6, &h), -EINVAL);
    assert_int_equal(hp_hist_new(1, 1000, -1, &h), -EINVAL);
    assert_int_equal(hp_hist_new(100, 150, 3, &h), -EINVAL);
    assert_null(h);
}

static void hist_covers_1ns_to_1h_at_3_digits(void **state)
{
    (void)state;
    struct hp_hist *h = latency_hist();
    assert_true(hp_hist_record(h, 1));
    assert_true(hp_hist_record(h, HP_HIST_HIGHEST_NS));
    assert_false(hp_hist_record(h, HP_HIST_HIGHEST_NS * 2));
    assert_false(hp_hist_record(h, -1));
    assert_int_equal(h->total_count, 2);
    assert_int_equal(hp_hist_min(h), 1);
    assert_true(hp_hist_values_equivalent(h, hp_hist_max(h), HP_HIST_HIGHEST_NS));
    /* Every bucket is at most 1/1000 of its value wide. */
    for (int64_t v = 1000; v < HP_HIST_HIGHEST_NS; v = v * 3 + 7) {
        int64_t width = hp_hist_highest_equivalent(h, v) - hp_hist_lowest_equivalent(h, v) + 1;
        assert_true(width * 1000 <= v);
    }
    hp_hist_free(h);
}

static void hist_empty_statistics_are_zero(void **state)
{
    (void)state;
    struct hp_hist *h = latency_hist();
    assert_int_equal(hp_hist_min(h), 0);
    assert_int_equal(hp_hist_max(h), 0);
    assert_int_equal(hp_hist_value_at_percentile(h, 99.0), 0);
    assert_close(hp_hist_mean(h), 0.0, 0, 0);
    assert_close(hp_hist_stddev(h), 0.0, 0, 0);
    struct hp_hist_pct_iter it;
    hp_hist_pct_iter_init(&it, h, 5);
    assert_false(hp_hist_pct_iter_next(&it));
    hp_hist_free(h);
}

static void hist_mean_and_stddev_match_hdrhistogram(void **state)
{
    (void)state;
    struct hp_hist *h = NULL;
    assert_int_equal(hp_hist_new(1, INT64_C(3600000000), 3, &h), 0);
    /* HdrHistogram_py test_mean_stddev: 1000, 1000, 3000, 3000. */
    hp_hist_record(h, 1000);
    hp_hist_record(h, 1000);
    hp_hist_record(h, 3000);
    hp_hist_record(h, 3000);
    assert_close(hp_hist_mean(h), 2000.5, 0, 1e-9);
    assert_close(hp_hist_stddev(h), 1000.5, 0, 1e-9);
    hp_hist_free(h);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

enum dist { UNIFORM, EXPONENTIAL, LOGNORMAL, BIMODAL };

static int64_t draw(gsl_rng *rng, enum dist d)
{
    switch (d) {
    case UNIFORM:
        return 1000 + (int64_t)gsl_rng_uniform_int(rng, 50000000);
    case EXPONENTIAL:
        return 1 + (int64_t)gsl_ran_exponential(rng, 5e6);
    case LOGNORMAL:
        return 1 + (int64_t)gsl_ran_lognormal(rng, log(2e6), 1.0);
    case BIMODAL:
        return gsl_rng_uniform(rng) < 0.9 ? 200000 + (int64_t)gsl_ran_gaussian(rng, 10000)
                                          : 80000000 + (int64_t)gsl_ran_gaussian(rng, 5e6);
    }
    return 0;
}

/* Percentiles agree with the exact order statistic of the sorted samples
 * (same rank rule: round(p/100 * n), at least 1) within the histogram's
 * resolution: one part in 1000 of the value. */
static void check_percentiles_of(enum dist d)
{
    enum { N = 200000 };
    static const double pcts[] = {0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 99.999, 100};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int64_t *v = malloc(N * sizeof *v);
    struct hp_hist *h = latency_hist();

    gsl_rng_set(rng, 42 + d);
    for (int i = 0; i < N; i++) {
        v[i] = draw(rng, d);
        if (v[i] < 1)
            v[i] = 1;
        assert_true(hp_hist_record(h, v[i]));
    }
    qsort(v, N, sizeof *v, cmp_i64);
    for (size_t k = 0; k < sizeof pcts / sizeof pcts[0]; k++) {
        int64_t rank = (int64_t)(pcts[k] / 100.0 * N + 0.5);
        if (rank < 1)
            rank = 1;
        int64_t exact = v[rank - 1];
        int64_t got = hp_hist_value_at_percentile(h, pcts[k]);
        assert_close((double)got, (double)exact, 1e-3, 1.0);
        assert_true(hp_hist_values_equivalent(h, got, exact));
    }
    assert_int_equal(hp_hist_min(h), hp_hist_lowest_equivalent(h, v[0]));
    assert_int_equal(hp_hist_max(h), hp_hist_highest_equivalent(h, v[N - 1]));
    double sum = 0;
    for (int i = 0; i < N; i++)
        sum += (double)v[i];
    assert_close(hp_hist_mean(h), sum / N, 1e-3, 0);
    hp_hist_free(h);
    free(v);
    gsl_rng_free(rng);
}

static void hist_percentiles_uniform(void **state)
{
    (void)state;
    check_percentiles_of(UNIFORM);
}

static void hist_percentiles_exponential(void **state)
{
    (void)state;
    check_percentiles_of(EXPONENTIAL);
}

static void hist_percentiles_lognormal(void **state)
{
    (void)state;
    check_percentiles_of(LOGNORMAL);
}

static void hist_percentiles_bimodal(void **state)
{
    (void)state;
    check_percentiles_of(BIMODAL);
}

static void hist_merge_equals_recording_all_in_one(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    struct hp_hist *all = latency_hist(), *merged = latency_hist(), *part[4];

    for (int p = 0; p < 4; p++)
        part[p] = latency_hist();
    for (int i = 0; i < 100000; i++) {
        int64_t v = draw(rng, (enum dist)(i % 4));
        if (v < 1)
            v = 1;
        hp_hist_record(all, v);
        hp_hist_record(part[i % 4], v);
    }
    for (int p = 0; p < 4; p++) {
        assert_int_equal(hp_hist_add(merged, part[p]), 0);
        hp_hist_free(part[p]);
    }
    assert_true(hp_hist_equal(merged, all));
    assert_int_equal(hp_hist_value_at_percentile(merged, 99.9),
                     hp_hist_value_at_percentile(all, 99.9));
    /* Into a different layout: values land in their equivalent buckets. */
    struct hp_hist *coarse = NULL;
    assert_int_equal(hp_hist_new(1, HP_HIST_HIGHEST_NS, 2, &coarse), 0);
    assert_int_equal(hp_hist_add(coarse, all), 0);
    assert_int_equal(coarse->total_count, all->total_count);
    assert_close((double)hp_hist_value_at_percentile(coarse, 50),
                 (double)hp_hist_value_at_percentile(all, 50), 1e-2, 0);
    /* A layout too small for the values reports what did not fit. */
    struct hp_hist *small = NULL;
    assert_int_equal(hp_hist_new(1, 1000, 3, &small), 0);
    assert_int_equal(hp_hist_add(small, all), -ERANGE);
    hp_hist_free(small);
    hp_hist_free(coarse);
    hp_hist_free(all);
    hp_hist_free(merged);
    gsl_rng_free(rng);
}

/* A merge copies every slot, the last one too: the latency layout never
 * records in its last slot, but a small layout filled to its top does (as
 * a decoded histogram can). */
static void hist_merge_keeps_the_top_slot(void **state)
{
    (void)state;
    struct hp_hist *src = NULL, *dst = NULL;
    assert_int_equal(hp_hist_new(1, 4095, 3, &src), 0);
    assert_int_equal(hp_hist_new(1, 4095, 3, &dst), 0);
    for (int64_t v = 1; v <= 4095; v++)
        assert_true(hp_hist_record(src, v));
    assert_true(src->counts[src->counts_len - 1] > 0); /* the case is the one meant */
    assert_int_equal(hp_hist_add(dst, src), 0);
    assert_true(hp_hist_equal(dst, src));
    assert_int_equal(dst->counts[dst->counts_len - 1], src->counts[src->counts_len - 1]);
    assert_int_equal(hp_hist_max(dst), hp_hist_max(src));
    hp_hist_free(src);
    hp_hist_free(dst);
}

static void hist_reset_empties(void **state)
{
    (void)state;
    struct hp_hist *h = latency_hist(), *empty = latency_hist();
    hp_hist_record(h, 123456);
    hp_hist_reset(h);
    assert_int_equal(h->total_count, 0);
    assert_int_equal(hp_hist_value_at_percentile(h, 99.99), 0);
    assert_true(hp_hist_equal(h, empty));
    hp_hist_free(h);
    hp_hist_free(empty);
}

static void hist_corrected_backfills_missing_samples(void **state)
{
    (void)state;
    struct hp_hist *h = NULL;
    assert_int_equal(hp_hist_new(1, INT64_C(3600000000), 3, &h), 0);
    for (int i = 0; i < 10000; i++)
        hp_hist_record_corrected(h, 1000, 10000);
    hp_hist_record_corrected(h, 100000000, 10000);
    /* HdrHistogram_py check_percentiles on the corrected histogram. */
    assert_int_equal(h->total_count, 20000);
    assert_close((double)hp_hist_value_at_percentile(h, 30.0), 1000.0, 1e-3, 0);
    assert_close((double)hp_hist_value_at_percentile(h, 50.0), 1000.0, 1e-3, 0);
    assert_close((double)hp_hist_value_at_percentile(h, 75.0), 50000000.0, 1e-3, 0);
    assert_close((double)hp_hist_value_at_percentile(h, 90.0), 80000000.0, 1e-3, 0);
    assert_close((double)hp_hist_value_at_percentile(h, 99.0), 98000000.0, 1e-3, 0);
    assert_close((double)hp_hist_value_at_percentile(h, 100.0), 100000000.0, 1e-3, 0);
    hp_hist_free(h);
}

static void hist_percentile_ticks_halve_toward_100(void **state)
{
    (void)state;
    struct hp_hist *h = latency_hist();
    struct hp_hist_pct_iter it;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double last_p = -1.0;
    int steps = 0;

    for (int i = 0; i < 100000; i++)
        hp_hist_record(h, 1 + (int64_t)gsl_ran_exponential(rng, 1e6));
    hp_hist_pct_iter_init(&it, h, 5);
    while (hp_hist_pct_iter_next(&it)) {
        steps++;
        assert_true(it.percentile > last_p);
        last_p = it.percentile;
        /* The step stops at the first bucket whose cumulative count reaches
         * the percentile: the bucket before it had not. */
        int64_t in_bucket = hp_hist_count_at_value(h, it.value);
        assert_true(100.0 * (double)it.cumulative_count / (double)h->total_count >=
                    it.percentile);
        assert_true(100.0 * (double)(it.cumulative_count - in_bucket) / (double)h->total_count <
                    it.percentile || it.percentile == 0.0);
        assert_true(it.cumulative_count <= h->total_count);
    }
    assert_close(last_p, 100.0, 0, 0);
    assert_int_equal(it.value, hp_hist_max(h));
    assert_int_equal(it.cumulative_count, h->total_count);
    /* Five ticks per halving: 0, 10, ..., 50 (6), then 55..75 ... */
    assert_true(steps > 30);
    hp_hist_free(h);
    gsl_rng_free(rng);
}

static void hist_spectrum_prints_wrk2_table(void **state)
{
    (void)state;
    struct hp_hist *h = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    /* Values up to 2048 are exact at 3 digits, so the table is predictable. */
    assert_int_equal(hp_hist_new(1, 100000, 3, &h), 0);
    for (int i = 1; i <= 1000; i++)
        hp_hist_record(h, i);
    assert_int_equal(hp_hist_print_spectrum(h, f, 1, 1.0), 0);
    fclose(f);
    assert_non_null(strstr(buf, "Value   Percentile   TotalCount 1/(1-Percentile)"));
    assert_non_null(strstr(buf, "#[Max     =     1000.000, Total count    =         1000]"));
    assert_non_null(strstr(buf, "     500.000     0.500000          500         2.00"));
    free(buf);
    hp_hist_free(h);
}

static void hist_decodes_hdrhistogram_c_blobs(void **state)
{
    (void)state;
    struct hp_hist *raw = NULL, *cor = NULL;
    struct hp_err err;

    assert_int_equal(hp_hist_decode(c_raw_blob, strlen(c_raw_blob), &raw, &err), 0);
    assert_int_equal(raw->lowest, 1);
    assert_int_equal(raw->highest, INT64_C(3600000000));
    assert_int_equal(raw->sigfigs, 3);
    assert_int_equal(raw->total_count, 10001);
    assert_int_equal(hp_hist_count_at_value(raw, 1000), 10000);
    assert_int_equal(hp_hist_count_at_value(raw, 100000000), 1);
    assert_close((double)hp_hist_value_at_percentile(raw, 99.99), 1000.0, 1e-3, 0);
    assert_close((double)hp_hist_value_at_percentile(raw, 99.999), 1e8, 1e-3, 0);
    assert_true(hp_hist_values_equivalent(raw, hp_hist_min(raw), 1000));
    assert_true(hp_hist_values_equivalent(raw, hp_hist_max(raw), 100000000));

    assert_int_equal(hp_hist_decode(c_corrected_blob, strlen(c_corrected_blob), &cor, &err), 0);
    assert_int_equal(cor->total_count, 20000);
    assert_close((double)hp_hist_value_at_percentile(cor, 75.0), 5e7, 1e-3, 0);
    assert_close((double)hp_hist_value_at_percentile(cor, 99.0), 9.8e7, 1e-3, 0);

    /* Recording the same values here encodes to the same bytes as
     * HdrHistogram_c did (compared uncompressed: deflate settings may differ). */
    struct hp_hist *mine = NULL;
    assert_int_equal(hp_hist_new(1, INT64_C(3600000000), 3, &mine), 0);
    hp_hist_record_n(mine, 1000, 10000);
    hp_hist_record(mine, 100000000);
    assert_true(hp_hist_equal(mine, raw));
    unsigned char *payload = NULL;
    size_t plen = 0;
    assert_int_equal(hp_hist_encode_raw(mine, &payload, &plen), 0);
    unsigned char bin[128], theirs[256];
    int n = EVP_DecodeBlock(bin, (const unsigned char *)c_raw_blob, (int)strlen(c_raw_blob));
    assert_true(n > 8);
    uLongf tlen = sizeof theirs;
    assert_int_equal(uncompress(theirs, &tlen, bin + 8, (uLong)(n - 8 - 2)), Z_OK);
    /* Byte for byte, but for the payload length: that HdrHistogram_c wrote
     * header + counts (49) where Java and hotpath write the counts' 9. */
    assert_int_equal(tlen, plen);
    assert_memory_equal(theirs, payload, 4);
    assert_int_equal(theirs[7], 49);
    assert_int_equal(payload[7], plen - 40);
    assert_memory_equal(theirs + 8, payload + 8, plen - 8);
    hp_free(payload);
    hp_hist_free(mine);
    hp_hist_free(raw);
    hp_hist_free(cor);
}

static void hist_encode_decode_round_trips(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (int d = 0; d < 4; d++) {
        struct hp_hist *h = latency_hist(), *back = NULL;
        char *text = NULL;
        for (int i = 0; i < 50000; i++) {
            int64_t v = draw(rng, (enum dist)d);
            hp_hist_record(h, v < 1 ? 1 : v);
        }
        hp_hist_record_n(h, 7, INT64_C(1) << 40); /* counts beyond 32 bits */
        assert_int_equal(hp_hist_encode(h, &text), 0);
        assert_memory_equal(text, "HISTF", 5);
        assert_int_equal(hp_hist_decode(text, strlen(text), &back, NULL), 0);
        assert_true(hp_hist_equal(h, back));
        hp_free(text);
        hp_hist_free(back);
        hp_hist_free(h);
    }
    /* An empty histogram too. */
    struct hp_hist *e = latency_hist(), *eb = NULL;
    char *t = NULL;
    assert_int_equal(hp_hist_encode(e, &t), 0);
    assert_int_equal(hp_hist_decode(t, strlen(t), &eb, NULL), 0);
    assert_true(hp_hist_equal(e, eb));
    hp_free(t);
    hp_hist_free(e);
    hp_hist_free(eb);
    gsl_rng_free(rng);
}

static void hist_decode_rejects_bad_input(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "abc",
        "!!!!",
        "AAAAAAAAAAAA",                                      /* wrong cookie */
        "HISTFAAAACl4nJNpmSzMwMBgyAABzFCaEURcm7yEwf4DROA8",   /* truncated */
        /* compressed length 0x60 where 0x29 bytes follow */
        "HISTFAAAAGB4nJNpmSzMwMBgyAABzFCaEURcm7yEwf4DROA8/4I5jNM7mJgAlWkH9g==",
        /* one deflate byte flipped */
        "HISTFAAAACl4nJNpmSzMwMBgyAD+zFCaEURcm7yEwf4DROA8/4I5jNM7mJgAlWkH9g==",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hp_hist *h = NULL;
        struct hp_err err = {0};
        int rc = hp_hist_decode(bad[i], strlen(bad[i]), &h, &err);
        assert_true(rc < 0);
        assert_null(h);
        assert_true(strlen(err.msg) > 0);
    }
}

static int decode_once(void)
{
    struct hp_hist *h = NULL;
    int rc = hp_hist_decode(c_corrected_blob, strlen(c_corrected_blob), &h, NULL);
    hp_hist_free(h);
    return rc;
}

static int encode_once(void)
{
    struct hp_hist *h = NULL;
    char *t = NULL;
    int rc = hp_hist_new_latency(&h);
    if (rc < 0)
        return rc;
    hp_hist_record(h, 12345);
    rc = hp_hist_encode(h, &t);
    hp_free(t);
    hp_hist_free(h);
    return rc;
}

static void hist_survives_allocation_failures(void **state)
{
    (void)state;
    ALLOC_SWEEP(decode_once());
    ALLOC_SWEEP(encode_once());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hist_layout_matches_hdrhistogram),
        cmocka_unit_test(hist_rejects_invalid_layouts),
        cmocka_unit_test(hist_covers_1ns_to_1h_at_3_digits),
        cmocka_unit_test(hist_empty_statistics_are_zero),
        cmocka_unit_test(hist_mean_and_stddev_match_hdrhistogram),
        cmocka_unit_test(hist_percentiles_uniform),
        cmocka_unit_test(hist_percentiles_exponential),
        cmocka_unit_test(hist_percentiles_lognormal),
        cmocka_unit_test(hist_percentiles_bimodal),
        cmocka_unit_test(hist_merge_equals_recording_all_in_one),
        cmocka_unit_test(hist_merge_keeps_the_top_slot),
        cmocka_unit_test(hist_reset_empties),
        cmocka_unit_test(hist_corrected_backfills_missing_samples),
        cmocka_unit_test(hist_percentile_ticks_halve_toward_100),
        cmocka_unit_test(hist_spectrum_prints_wrk2_table),
        cmocka_unit_test(hist_decodes_hdrhistogram_c_blobs),
        cmocka_unit_test(hist_encode_decode_round_trips),
        cmocka_unit_test(hist_decode_rejects_bad_input),
        cmocka_unit_test(hist_survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
