/* SPDX-License-Identifier: MIT */
/* load/segment.h - one part of a test split over several processes or
 * machines (`load --segment I/N`, k6's execution segments).
 *
 * A sequence of boundaries 0 = b0 < b1 < ... < bk = 1 (rationals) splits
 * the whole test; a part is one interval [b_j, b_j+1). The open model's
 * arrivals are dealt out, not cut into blocks: within each cycle of D
 * arrivals (D the boundaries' common denominator) every part takes its
 * share of positions, spread evenly (each position goes to the part
 * furthest behind its share so far, ties to the first), so the union of
 * the parts is the single machine's schedule and an uneven split stays
 * balanced at every moment. Equal parts (I/N) are simply every N-th
 * arrival. The closed model's connections (or a stage's target) split by
 * floor(b_j+1 C) - floor(b_j C), which sums to C over the parts.
 *
 * The part's k-th arrival is found in O(1) (one division), once per
 * arrival: the per-request path pays nothing more. */
#ifndef HP_LOAD_SEGMENT_H
#define HP_LOAD_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define HP_SEGMENT_MAX_PARTS 4096
#define HP_SEGMENT_MAX_CYCLE 1000000 /* D: the boundaries' common denominator */

struct hp_segment {
    int part;          /* j: which interval of the sequence, 0-based */
    int parts;         /* k: how many */
    int64_t cycle;     /* D */
    int64_t from, to;  /* b_j and b_j+1 in units of 1/D */
    int64_t per_cycle; /* to - from: this part's positions per cycle */
    int32_t *mine;     /* [per_cycle] those positions, ascending; NULL for equal parts */
    char text[100];    /* "2/4", or "1/4:2/4" */
    char sequence[512]; /* "0,1/4,1/2,3/4,1" */
};

/* "I/N" (part I of N equal parts, 1 <= I <= N). 0 or HP_EUSAGE with err. */
int hp_segment_parse_part(const char *text, struct hp_segment *out, struct hp_err *err);
/* k6's execution segment "a:b" (fractions 1/4, decimals 0.25 or percents
 * 25%; "a" alone means 0:a) within a sequence "0,a,b,...,1" (NULL: 0, a,
 * b, 1). 0 or HP_EUSAGE with err. */
int hp_segment_parse_k6(const char *segment, const char *sequence, struct hp_segment *out,
                        struct hp_err *err);
/* --segment auto: the index from the scheduler's environment (Kubernetes
 * Indexed Jobs' JOB_COMPLETION_INDEX, Slurm job arrays'
 * SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN with SLURM_ARRAY_TASK_COUNT,
 * Nomad's NOMAD_ALLOC_INDEX), N from `count` when > 0 (auto/N) or
 * Slurm's count. getenv_fn: getenv, or a test's. */
int hp_segment_auto(int count, const char *(*getenv_fn)(const char *), struct hp_segment *out,
                    struct hp_err *err);
void hp_segment_free(struct hp_segment *s);

/* The whole test's index of this part's k-th arrival (k >= 0). */
static inline int64_t hp_segment_index(const struct hp_segment *s, int64_t k)
{
    int64_t c = k / s->per_cycle, r = k % s->per_cycle;
    return c * s->cycle + (s->mine ? s->mine[r] : s->part);
}
/* This part's share of n (connections, a stage's target):
 * floor(to n / D) - floor(from n / D). */
int64_t hp_segment_share(const struct hp_segment *s, int64_t n);
/* This part's fraction of the whole, to - from over D. */
double hp_segment_fraction(const struct hp_segment *s);
/* Whether the whole test's index n is this part's. */
bool hp_segment_has(const struct hp_segment *s, int64_t n);

#endif
