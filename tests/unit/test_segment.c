// SPDX-License-Identifier: MIT
/* Unit tests for load/segment.c: the parts of a split test deal out the
 * whole schedule exactly (each arrival index to one part), stay balanced
 * at every prefix, and split connections to the last one. */
#include <stdlib.h>
#include <string.h>

#include "load/segment.h"
#include "testutil.h"

#define M 5000 /* arrival indices checked */

/* Every index below M belongs to exactly one of parts[0..k-1], each
 * part's k-th arrival is its k-th index in order, and after any prefix of
 * L arrivals each part has its share of L to within one. */
static void check_partition(struct hp_segment *parts, int k)
{
    static int owner[M];
    for (int i = 0; i < M; i++)
        owner[i] = -1;
    for (int j = 0; j < k; j++) {
        int64_t prev = -1;
        for (int64_t n = 0;; n++) {
            int64_t idx = hp_segment_index(&parts[j], n);
            if (idx >= M)
                break;
            assert_true(idx > prev); /* ascending */
            prev = idx;
            assert_int_equal(owner[idx], -1);
            owner[idx] = j;
            assert_true(hp_segment_has(&parts[j], idx));
        }
    }
    int count[64] = {0};
    for (int i = 0; i < M; i++) {
        assert_true(owner[i] >= 0);
        count[owner[i]]++;
        for (int j = 0; j < k; j++) {
            double want = hp_segment_fraction(&parts[j]) * (i + 1);
            assert_true(count[j] >= want - 1 && count[j] <= want + 1);
        }
    }
}

static void segment_equal_parts_deal_every_nth(void **state)
{
    (void)state;
    struct hp_segment p[4];
    char t[16];
    for (int i = 0; i < 4; i++) {
        snprintf(t, sizeof t, "%d/4", i + 1);
        assert_int_equal(hp_segment_parse_part(t, &p[i], NULL), 0);
        assert_int_equal(hp_segment_index(&p[i], 0), i);
        assert_int_equal(hp_segment_index(&p[i], 10), 40 + i);
    }
    assert_string_equal(p[1].text, "2/4");
    assert_string_equal(p[1].sequence, "0,1/4,1/2,3/4,1");
    check_partition(p, 4);
    /* 7 connections over 3 parts: 2, 2, 3; over 4 of 4: 1 each */
    struct hp_segment q[3];
    int64_t sum = 0;
    for (int i = 0; i < 3; i++) {
        snprintf(t, sizeof t, "%d/3", i + 1);
        assert_int_equal(hp_segment_parse_part(t, &q[i], NULL), 0);
        sum += hp_segment_share(&q[i], 7);
        assert_true(hp_segment_share(&q[i], 7) >= 2);
    }
    assert_int_equal(sum, 7);
    check_partition(q, 3);
    for (int i = 0; i < 4; i++)
        assert_int_equal(hp_segment_share(&p[i], 4), 1);
}

static void segment_uneven_sequences_stay_balanced(void **state)
{
    (void)state;
    static const char *const seqs[] = {"0,1/3,1", "0,0.3,0.5,1", "0,10%,35%,90%,1",
                                       "0,1/7,2/5,1"};
    for (size_t s = 0; s < sizeof seqs / sizeof seqs[0]; s++) {
        char buf[64], *b[8];
        snprintf(buf, sizeof buf, "%s", seqs[s]);
        int n = 0;
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ","))
            b[n++] = tok;
        struct hp_segment parts[8];
        for (int j = 0; j + 1 < n; j++) {
            char seg[64];
            snprintf(seg, sizeof seg, "%s:%s", b[j], b[j + 1]);
            assert_int_equal(hp_segment_parse_k6(seg, seqs[s], &parts[j], NULL), 0);
            assert_int_equal(parts[j].parts, n - 1);
        }
        check_partition(parts, n - 1);
        int64_t sum = 0;
        for (int j = 0; j + 1 < n; j++) {
            sum += hp_segment_share(&parts[j], 1001);
            hp_segment_free(&parts[j]);
        }
        assert_int_equal(sum, 1001);
    }
    /* k6's segment alone: 0, a, b, 1 */
    struct hp_segment one;
    assert_int_equal(hp_segment_parse_k6("1/4:3/4", NULL, &one, NULL), 0);
    assert_string_equal(one.sequence, "0,1/4,3/4,1");
    assert_int_equal(one.part, 1);
    assert_true(hp_segment_fraction(&one) == 0.5);
    hp_segment_free(&one);
}

static void segment_refuses_what_cannot_be(void **state)
{
    (void)state;
    struct hp_segment s;
    struct hp_err err;
    assert_int_equal(hp_segment_parse_part("0/4", &s, &err), HP_EUSAGE);
    assert_non_null(strstr(err.msg, "count from 1"));
    assert_int_equal(hp_segment_parse_part("5/4", &s, &err), HP_EUSAGE);
    assert_int_equal(hp_segment_parse_part("two/4", &s, &err), HP_EUSAGE);
    assert_int_equal(hp_segment_parse_k6("1/2:1/4", NULL, &s, &err), HP_EUSAGE);
    assert_non_null(strstr(err.msg, "below its end"));
    assert_int_equal(hp_segment_parse_k6("1/4:1/2", "0,1/3,1", &s, &err), HP_EUSAGE);
    assert_non_null(strstr(err.msg, "not one step"));
    assert_int_equal(hp_segment_parse_k6("0:1/2", "0,1/2,1/4,1", &s, &err), HP_EUSAGE);
    assert_non_null(strstr(err.msg, "must rise"));
    assert_int_equal(hp_segment_parse_k6("0:150%", NULL, &s, &err), HP_EUSAGE);
}

static const char *const *fake_env;
static const char *fake_getenv(const char *name)
{
    for (int i = 0; fake_env[i]; i += 2)
        if (strcmp(fake_env[i], name) == 0)
            return fake_env[i + 1];
    return NULL;
}

static void segment_auto_reads_the_scheduler(void **state)
{
    (void)state;
    struct hp_segment s;
    struct hp_err err;
    static const char *const k8s[] = {"JOB_COMPLETION_INDEX", "2", NULL};
    fake_env = k8s;
    assert_int_equal(hp_segment_auto(4, fake_getenv, &s, &err), 0);
    assert_string_equal(s.text, "3/4");
    assert_int_equal(hp_segment_auto(0, fake_getenv, &s, &err), HP_EUSAGE);
    assert_non_null(strstr(err.msg, "auto/N"));
    assert_int_equal(hp_segment_auto(2, fake_getenv, &s, &err), HP_EUSAGE);
    static const char *const slurm[] = {"SLURM_ARRAY_TASK_ID", "11", "SLURM_ARRAY_TASK_MIN",
                                        "10", "SLURM_ARRAY_TASK_COUNT", "3", NULL};
    fake_env = slurm;
    assert_int_equal(hp_segment_auto(0, fake_getenv, &s, &err), 0);
    assert_string_equal(s.text, "2/3");
    static const char *const nomad[] = {"NOMAD_ALLOC_INDEX", "0", NULL};
    fake_env = nomad;
    assert_int_equal(hp_segment_auto(5, fake_getenv, &s, &err), 0);
    assert_string_equal(s.text, "1/5");
    static const char *const none[] = {NULL};
    fake_env = none;
    assert_int_equal(hp_segment_auto(5, fake_getenv, &s, &err), HP_EUSAGE);
    assert_non_null(strstr(err.msg, "JOB_COMPLETION_INDEX"));
    static const char *const bad[] = {"JOB_COMPLETION_INDEX", "x1", NULL};
    fake_env = bad;
    assert_int_equal(hp_segment_auto(5, fake_getenv, &s, &err), HP_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(segment_equal_parts_deal_every_nth),
        cmocka_unit_test(segment_uneven_sequences_stay_balanced),
        cmocka_unit_test(segment_refuses_what_cannot_be),
        cmocka_unit_test(segment_auto_reads_the_scheduler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
