/* SPDX-License-Identifier: MIT */
/* stat/hist.h - latency histogram with HdrHistogram's layout, so that its
 * encoded form (stat/hist_codec.h) loads in HdrHistogram's own tools.
 *
 * Values are int64_t (nanoseconds for latencies) between lowest and highest,
 * kept to `sigfigs` significant decimal digits: any value is counted in a
 * bucket no wider than value / 10^sigfigs. Recording is O(1) and never
 * allocates. Not thread-safe: one per worker, merged with hp_hist_add() at
 * each reporting interval. Layout and percentile rules follow HdrHistogram
 * (G. Tene, HdrHistogram.org; the C port by M. Barker). */
#ifndef HP_STAT_HIST_H
#define HP_STAT_HIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The latency histogram every measuring command uses: 1 ns to 1 h, 3 digits. */
#define HP_HIST_LOWEST_NS INT64_C(1)
#define HP_HIST_HIGHEST_NS (INT64_C(3600) * 1000000000)
#define HP_HIST_SIGFIGS 3

/* Fields are read-only outside stat/hist*.c. */
struct hp_hist {
    int64_t lowest;  /* lowest discernible value, >= 1 */
    int64_t highest; /* highest trackable value */
    int sigfigs;     /* 0..5 */
    int unit_magnitude;
    int sub_bucket_half_count_magnitude;
    int sub_bucket_count;
    int sub_bucket_half_count;
    int64_t sub_bucket_mask;
    int bucket_count;
    int counts_len;
    int64_t total_count;
    int64_t min_value; /* INT64_MAX when empty */
    int64_t max_value; /* 0 when empty */
    int64_t *counts;
};

/* Make a histogram for lowest..highest (lowest >= 1, highest >= 2 * lowest)
 * with sigfigs (0-5) significant digits. Returns 0 and sets *out, or -EINVAL /
 * -ENOMEM. Free with hp_hist_free(). */
int hp_hist_new(int64_t lowest, int64_t highest, int sigfigs, struct hp_hist **out);
/* hp_hist_new(HP_HIST_LOWEST_NS, HP_HIST_HIGHEST_NS, HP_HIST_SIGFIGS, out). */
int hp_hist_new_latency(struct hp_hist **out);
void hp_hist_free(struct hp_hist *h); /* NULL is fine */
void hp_hist_reset(struct hp_hist *h);

static inline int hp_hist__index(const struct hp_hist *h, int64_t v)
{
    int pow2ceiling = 64 - __builtin_clzll((uint64_t)(v | h->sub_bucket_mask));
    int bucket = pow2ceiling - h->unit_magnitude - (h->sub_bucket_half_count_magnitude + 1);
    int sub = (int)(v >> (bucket + h->unit_magnitude));
    return ((bucket + 1) << h->sub_bucket_half_count_magnitude) + (sub - h->sub_bucket_half_count);
}

/* Count value n times. false (nothing recorded) when value < 0 or value >
 * highest. */
static inline bool hp_hist_record_n(struct hp_hist *h, int64_t value, int64_t n)
{
    if (value < 0 || value > h->highest)
        return false;
    int i = hp_hist__index(h, value);
    h->counts[i] += n;
    h->total_count += n;
    if (value < h->min_value && value != 0)
        h->min_value = value;
    if (value > h->max_value)
        h->max_value = value;
    return true;
}

static inline bool hp_hist_record(struct hp_hist *h, int64_t value)
{
    return hp_hist_record_n(h, value, 1);
}

/* HdrHistogram's after-the-fact correction: when value exceeds the expected
 * interval between samples, also record value - k * interval for each k, the
 * samples a stalled closed-loop client failed to take. Prefer measuring from
 * the intended send time (the open model) to this estimate. */
bool hp_hist_record_corrected(struct hp_hist *h, int64_t value, int64_t expected_interval);

/* Add every count of src to dst. Same layout: counts add exactly. Otherwise
 * each bucket of src is recorded at its value in dst. -ERANGE when some of
 * src did not fit in dst (the rest was added). */
int hp_hist_add(struct hp_hist *dst, const struct hp_hist *src);

/* True when layout and every count are the same. */
bool hp_hist_equal(const struct hp_hist *a, const struct hp_hist *b);

int64_t hp_hist_min(const struct hp_hist *h); /* 0 when empty */
int64_t hp_hist_max(const struct hp_hist *h); /* highest equivalent of the max; 0 when empty */
double hp_hist_mean(const struct hp_hist *h); /* 0 when empty */
double hp_hist_stddev(const struct hp_hist *h);
/* The value at or below which `percentile` (0-100) of counts fall; 0 when empty. */
int64_t hp_hist_value_at_percentile(const struct hp_hist *h, double percentile);
/* The value of the rank-th smallest recorded value (1-based, clamped to
 * [1, total_count]), as its bucket's highest equivalent value: with
 * hp_nearest_rank, a nearest-rank percentile within the histogram's precision
 * (HdrHistogram's own rounds p / 100 * n to the nearest rank instead). 0 when
 * empty. */
int64_t hp_hist_value_at_rank(const struct hp_hist *h, int64_t rank);
int64_t hp_hist_count_at_value(const struct hp_hist *h, int64_t value);

/* Range of values counted in the same bucket as value. */
int64_t hp_hist_lowest_equivalent(const struct hp_hist *h, int64_t value);
int64_t hp_hist_highest_equivalent(const struct hp_hist *h, int64_t value);
bool hp_hist_values_equivalent(const struct hp_hist *h, int64_t a, int64_t b);
/* Value at the bottom of bucket index i (for codecs and iteration). */
int64_t hp_hist_value_at_index(const struct hp_hist *h, int i);

/* Iteration by percentile ticks: the percentile spectrum that wrk2 prints
 * with --latency. Ticks halve the remaining distance to 100% ticks_per_half
 * times per halving; the last step is 100%. */
struct hp_hist_pct_iter {
    const struct hp_hist *h;
    int ticks_per_half;
    int index;                /* current bucket */
    int64_t count_to_index;   /* cumulative count up to and including index */
    double next_percentile;
    bool seen_last;
    /* outputs */
    int64_t value;            /* highest equivalent value of this step */
    double percentile;        /* 0-100 */
    int64_t cumulative_count; /* counts at or below value */
};
void hp_hist_pct_iter_init(struct hp_hist_pct_iter *it, const struct hp_hist *h,
                           int ticks_per_half);
bool hp_hist_pct_iter_next(struct hp_hist_pct_iter *it);

/* HdrHistogram's classic percentile table (the one wrk2 prints), values
 * divided by value_scale (1e6 for milliseconds). Returns 0 or -EIO. */
int hp_hist_print_spectrum(const struct hp_hist *h, FILE *out, int ticks_per_half,
                           double value_scale);

#endif
