// SPDX-License-Identifier: MIT
/* stat/hist.c - HdrHistogram layout, statistics and percentile iteration.
 * Written from HdrHistogram's published design; names of the layout fields
 * follow it so a reader of either can find their way in the other. */
#include "stat/hist.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"

static int64_t pow10i(int n)
{
    int64_t v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

/* Number of buckets needed so that `value` is trackable. */
static int buckets_to_cover(int64_t value, int sub_bucket_count, int unit_magnitude)
{
    int64_t smallest_untrackable = (int64_t)sub_bucket_count << unit_magnitude;
    int buckets = 1;
    while (smallest_untrackable <= value) {
        if (smallest_untrackable > INT64_MAX / 2)
            return buckets + 1;
        smallest_untrackable <<= 1;
        buckets++;
    }
    return buckets;
}

int hp_hist_new(int64_t lowest, int64_t highest, int sigfigs, struct hp_hist **out)
{
    struct hp_hist *h;

    if (lowest < 1 || sigfigs < 0 || sigfigs > 5 || highest / 2 < lowest)
        return -EINVAL;
    int64_t largest_single_unit = 2 * pow10i(sigfigs);
    int sub_bucket_count_magnitude = (int)ceil(log2((double)largest_single_unit));
    int half_mag = (sub_bucket_count_magnitude > 1 ? sub_bucket_count_magnitude : 1) - 1;
    int unit_magnitude = 63 - __builtin_clzll((uint64_t)lowest); /* floor(log2(lowest)) */
    if (unit_magnitude + half_mag > 61)
        return -EINVAL;
    int sub_bucket_count = 1 << (half_mag + 1);
    int bucket_count = buckets_to_cover(highest, sub_bucket_count, unit_magnitude);
    int counts_len = (bucket_count + 1) * (sub_bucket_count / 2);

    h = hp_calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    h->counts = hp_calloc((size_t)counts_len, sizeof *h->counts);
    if (!h->counts) {
        hp_free(h);
        return -ENOMEM;
    }
    h->lowest = lowest;
    h->highest = highest;
    h->sigfigs = sigfigs;
    h->unit_magnitude = unit_magnitude;
    h->sub_bucket_half_count_magnitude = half_mag;
    h->sub_bucket_count = sub_bucket_count;
    h->sub_bucket_half_count = sub_bucket_count / 2;
    h->sub_bucket_mask = ((int64_t)sub_bucket_count - 1) << unit_magnitude;
    h->bucket_count = bucket_count;
    h->counts_len = counts_len;
    h->min_value = INT64_MAX;
    h->max_value = 0;
    *out = h;
    return 0;
}

int hp_hist_new_latency(struct hp_hist **out)
{
    return hp_hist_new(HP_HIST_LOWEST_NS, HP_HIST_HIGHEST_NS, HP_HIST_SIGFIGS, out);
}

void hp_hist_free(struct hp_hist *h)
{
    if (!h)
        return;
    hp_free(h->counts);
    hp_free(h);
}

void hp_hist_reset(struct hp_hist *h)
{
    memset(h->counts, 0, (size_t)h->counts_len * sizeof *h->counts);
    h->total_count = 0;
    h->min_value = INT64_MAX;
    h->max_value = 0;
}

int64_t hp_hist_value_at_index(const struct hp_hist *h, int i)
{
    int bucket = (i >> h->sub_bucket_half_count_magnitude) - 1;
    int sub = (i & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;
    if (bucket < 0) {
        sub -= h->sub_bucket_half_count;
        bucket = 0;
    }
    return (int64_t)sub << (bucket + h->unit_magnitude);
}

static int64_t bucket_size_for(const struct hp_hist *h, int64_t value)
{
    int i = hp_hist__index(h, value);
    int bucket = (i >> h->sub_bucket_half_count_magnitude) - 1;
    if (bucket < 0)
        bucket = 0;
    return INT64_C(1) << (h->unit_magnitude + bucket);
}

int64_t hp_hist_lowest_equivalent(const struct hp_hist *h, int64_t value)
{
    return hp_hist_value_at_index(h, hp_hist__index(h, value));
}

int64_t hp_hist_highest_equivalent(const struct hp_hist *h, int64_t value)
{
    return hp_hist_lowest_equivalent(h, value) + bucket_size_for(h, value) - 1;
}

bool hp_hist_values_equivalent(const struct hp_hist *h, int64_t a, int64_t b)
{
    return hp_hist_lowest_equivalent(h, a) == hp_hist_lowest_equivalent(h, b);
}

static int64_t median_equivalent(const struct hp_hist *h, int64_t value)
{
    return hp_hist_lowest_equivalent(h, value) + (bucket_size_for(h, value) >> 1);
}

bool hp_hist_record_corrected(struct hp_hist *h, int64_t value, int64_t expected_interval)
{
    if (!hp_hist_record(h, value))
        return false;
    if (expected_interval <= 0 || value <= expected_interval)
        return true;
    for (int64_t missing = value - expected_interval; missing >= expected_interval;
         missing -= expected_interval)
        if (!hp_hist_record(h, missing))
            return false;
    return true;
}

static bool same_layout(const struct hp_hist *a, const struct hp_hist *b)
{
    return a->lowest == b->lowest && a->sigfigs == b->sigfigs &&
           a->counts_len == b->counts_len && a->unit_magnitude == b->unit_magnitude;
}

int hp_hist_add(struct hp_hist *dst, const struct hp_hist *src)
{
    int rc = 0;

    if (src->total_count == 0)
        return 0;
    if (same_layout(dst, src) && src->max_value <= dst->highest) {
        for (int i = 0; i < src->counts_len; i++)
            dst->counts[i] += src->counts[i];
        dst->total_count += src->total_count;
        if (src->min_value < dst->min_value)
            dst->min_value = src->min_value;
        if (src->max_value > dst->max_value)
            dst->max_value = src->max_value;
        return 0;
    }
    for (int i = 0; i < src->counts_len; i++) {
        if (src->counts[i] == 0)
            continue;
        if (!hp_hist_record_n(dst, hp_hist_value_at_index(src, i), src->counts[i]))
            rc = -ERANGE;
    }
    return rc;
}

bool hp_hist_equal(const struct hp_hist *a, const struct hp_hist *b)
{
    if (!same_layout(a, b) || a->total_count != b->total_count)
        return false;
    if (hp_hist_min(a) != hp_hist_min(b) || hp_hist_max(a) != hp_hist_max(b))
        return false;
    return memcmp(a->counts, b->counts, (size_t)a->counts_len * sizeof *a->counts) == 0;
}

int64_t hp_hist_min(const struct hp_hist *h)
{
    if (h->total_count == 0 || h->counts[0] > 0)
        return 0;
    return hp_hist_lowest_equivalent(h, h->min_value);
}

int64_t hp_hist_max(const struct hp_hist *h)
{
    if (h->max_value == 0)
        return 0;
    return hp_hist_highest_equivalent(h, h->max_value);
}

double hp_hist_mean(const struct hp_hist *h)
{
    double sum = 0.0;
    if (h->total_count == 0)
        return 0.0;
    int last = hp_hist__index(h, h->max_value);
    for (int i = 0; i <= last; i++)
        if (h->counts[i])
            sum += (double)h->counts[i] * (double)median_equivalent(h, hp_hist_value_at_index(h, i));
    return sum / (double)h->total_count;
}

double hp_hist_stddev(const struct hp_hist *h)
{
    double mean = hp_hist_mean(h), sq = 0.0;
    if (h->total_count == 0)
        return 0.0;
    int last = hp_hist__index(h, h->max_value);
    for (int i = 0; i <= last; i++) {
        if (!h->counts[i])
            continue;
        double d = (double)median_equivalent(h, hp_hist_value_at_index(h, i)) - mean;
        sq += d * d * (double)h->counts[i];
    }
    return sqrt(sq / (double)h->total_count);
}

int64_t hp_hist_value_at_percentile(const struct hp_hist *h, double percentile)
{
    double p = percentile < 100.0 ? percentile : 100.0;
    int64_t target, seen = 0;

    if (h->total_count == 0)
        return 0;
    if (p < 0.0)
        p = 0.0;
    target = (int64_t)(p / 100.0 * (double)h->total_count + 0.5);
    if (target < 1)
        target = 1;
    for (int i = 0; i < h->counts_len; i++) {
        seen += h->counts[i];
        if (seen >= target) {
            int64_t v = hp_hist_value_at_index(h, i);
            return p == 0.0 ? hp_hist_lowest_equivalent(h, v) : hp_hist_highest_equivalent(h, v);
        }
    }
    return 0;
}

int64_t hp_hist_value_at_rank(const struct hp_hist *h, int64_t rank)
{
    int64_t seen = 0;
    if (h->total_count == 0)
        return 0;
    if (rank < 1)
        rank = 1;
    for (int i = 0; i < h->counts_len; i++) {
        seen += h->counts[i];
        if (seen >= rank)
            return hp_hist_highest_equivalent(h, hp_hist_value_at_index(h, i));
    }
    return h->max_value;
}

int64_t hp_hist_count_at_value(const struct hp_hist *h, int64_t value)
{
    if (value < 0 || value > h->highest)
        return 0;
    return h->counts[hp_hist__index(h, value)];
}

void hp_hist_pct_iter_init(struct hp_hist_pct_iter *it, const struct hp_hist *h,
                           int ticks_per_half)
{
    memset(it, 0, sizeof *it);
    it->h = h;
    it->ticks_per_half = ticks_per_half > 0 ? ticks_per_half : 1;
    it->index = -1;
    it->next_percentile = 0.0;
}

/* Advance to the next non-empty bucket; false at the end of the counts. */
static bool next_bucket(struct hp_hist_pct_iter *it)
{
    const struct hp_hist *h = it->h;
    if (it->count_to_index >= h->total_count)
        return false;
    do {
        it->index++;
        if (it->index >= h->counts_len)
            return false;
    } while (h->counts[it->index] == 0);
    it->count_to_index += h->counts[it->index];
    return true;
}

bool hp_hist_pct_iter_next(struct hp_hist_pct_iter *it)
{
    const struct hp_hist *h = it->h;

    if (h->total_count == 0 || it->seen_last)
        return false;
    if (it->index >= 0 && it->count_to_index >= h->total_count) {
        /* One last step to 100% at the highest recorded value. */
        it->percentile = 100.0;
        it->value = hp_hist_max(h);
        it->cumulative_count = h->total_count;
        it->seen_last = true;
        return true;
    }
    if (it->index < 0 && !next_bucket(it))
        return false;
    for (;;) {
        double current = 100.0 * (double)it->count_to_index / (double)h->total_count;
        if (it->next_percentile <= current) {
            it->value = hp_hist_highest_equivalent(h, hp_hist_value_at_index(h, it->index));
            it->percentile = it->next_percentile;
            it->cumulative_count = it->count_to_index;
            /* Halve the distance to 100% every ticks_per_half steps. */
            double halvings = floor(log2(100.0 / (100.0 - it->next_percentile))) + 1.0;
            double ticks = it->ticks_per_half * pow(2.0, halvings);
            it->next_percentile += 100.0 / ticks;
            return true;
        }
        if (!next_bucket(it))
            return false; /* not reached: counts sum to total_count */
    }
}

int hp_hist_print_spectrum(const struct hp_hist *h, FILE *out, int ticks_per_half,
                           double value_scale)
{
    struct hp_hist_pct_iter it;

    fprintf(out, "%12s %12s %12s %12s\n\n", "Value", "Percentile", "TotalCount",
            "1/(1-Percentile)");
    hp_hist_pct_iter_init(&it, h, ticks_per_half);
    while (hp_hist_pct_iter_next(&it)) {
        double p = it.percentile / 100.0;
        if (p < 1.0)
            fprintf(out, "%12.3f %12f %12" PRId64 " %12.2f\n", (double)it.value / value_scale, p,
                    it.cumulative_count, 1.0 / (1.0 - p));
        else
            fprintf(out, "%12.3f %12f %12" PRId64 "\n", (double)it.value / value_scale, p,
                    it.cumulative_count);
    }
    fprintf(out, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", hp_hist_mean(h) / value_scale,
            hp_hist_stddev(h) / value_scale);
    fprintf(out, "#[Max     = %12.3f, Total count    = %12" PRId64 "]\n",
            (double)hp_hist_max(h) / value_scale, h->total_count);
    fprintf(out, "#[Buckets = %12d, SubBuckets     = %12d]\n", h->bucket_count,
            h->sub_bucket_count);
    return ferror(out) ? -EIO : 0;
}
