/* SPDX-License-Identifier: MIT */
/* cache/mrc.c - see mrc.h. Each sampled object holds one mark in a Fenwick
 * tree, at the position of its last access, weighted 1 (objects) or its size
 * (bytes). An access's stack distance is the weight of the marks after its
 * own, plus its own; then its mark moves to a new last position. When the
 * positions run out they are renumbered in order, so the tree stays about
 * twice the number of objects. */
#include "cache/mrc.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/u64map.h"

#define EMPTY HP_U64MAP_NONE
#define BYTE_BUCKETS_PER_OCTAVE 64 /* byte distances kept to about 1.1% */

struct entry {
    uint64_t key;
    uint64_t hash;
    uint32_t pos; /* in the tree, 1-based */
    uint32_t size;
};

struct hp_mrc {
    bool bytes;
    double rate;        /* the share of keys sampled */
    uint64_t threshold; /* sample when hash < threshold (rate * 2^64) */
    uint64_t max_keys;  /* fixed-size SHARDS; 0 for fixed rate */
    /* objects */
    struct entry *entries;
    uint32_t nentries, cap_entries;
    struct hp_u64map map; /* key -> entry index */
    /* the tree */
    int64_t *fw;
    uint32_t *owner; /* position -> entry index, EMPTY */
    uint32_t fcap, next_pos;
    int64_t total; /* weight of all marks */
    /* fixed size: a max-heap of entry indices by hash, and the entries its
     * drops freed, reused so memory stays bounded by max_keys */
    uint32_t *heap;
    uint32_t nheap;
    uint32_t *freed;
    uint32_t nfreed;
    /* distances */
    double *hist; /* objects: by scaled distance; bytes: by log bucket */
    uint64_t nhist;
    double cold, sampled; /* scaled counts */
    uint64_t requests, sampled_requests;
    double working;
};

static uint64_t mix(uint64_t k)
{
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebULL;
    return k ^ (k >> 31);
}

int hp_mrc_new(double rate, uint64_t max_keys, bool bytes, struct hp_mrc **out)
{
    if (!(rate > 0 && rate <= 1))
        return -EINVAL;
    struct hp_mrc *m = hp_calloc(1, sizeof *m);
    if (!m)
        return -ENOMEM;
    m->bytes = bytes;
    m->rate = rate;
    m->threshold = rate >= 1 ? UINT64_MAX : (uint64_t)(rate * 18446744073709551616.0);
    m->max_keys = max_keys;
    int mrc = hp_u64map_init(&m->map);
    m->fcap = 1024;
    m->fw = hp_calloc(m->fcap + 1, sizeof *m->fw);
    m->owner = hp_malloc((m->fcap + 1) * sizeof *m->owner);
    if (mrc < 0 || !m->fw || !m->owner) {
        hp_mrc_free(m);
        return -ENOMEM;
    }
    memset(m->owner, 0xff, (m->fcap + 1) * sizeof *m->owner);
    *out = m;
    return 0;
}

void hp_mrc_free(struct hp_mrc *m)
{
    if (!m)
        return;
    hp_free(m->entries);
    hp_u64map_fini(&m->map);
    hp_free(m->fw);
    hp_free(m->owner);
    hp_free(m->heap);
    hp_free(m->freed);
    hp_free(m->hist);
    hp_free(m);
}

/* ---- the tree ---------------------------------------------------------- */

static void fw_add(struct hp_mrc *m, uint32_t pos, int64_t w)
{
    for (; pos <= m->fcap; pos += pos & -pos)
        m->fw[pos] += w;
    m->total += w;
}

static int64_t fw_prefix(const struct hp_mrc *m, uint32_t pos)
{
    int64_t s = 0;
    for (; pos > 0; pos -= pos & -pos)
        s += m->fw[pos];
    return s;
}

static int64_t weight(const struct hp_mrc *m, const struct entry *e)
{
    return m->bytes ? e->size : 1;
}

/* Renumber the marks 1..n in order, in a tree of twice that (at least the
 * old size when that is small). */
static int compact(struct hp_mrc *m)
{
    uint32_t live = 0;
    for (uint32_t p = 1; p <= m->fcap; p++)
        if (m->owner[p] != EMPTY)
            m->owner[++live] = m->owner[p];
    uint32_t cap = live * 2 > 1024 ? live * 2 : 1024;
    if (cap > m->fcap) {
        int64_t *fw = hp_realloc(m->fw, (cap + (size_t)1) * sizeof *fw);
        if (!fw)
            return -ENOMEM;
        m->fw = fw;
        uint32_t *ow = hp_realloc(m->owner, (cap + (size_t)1) * sizeof *ow);
        if (!ow)
            return -ENOMEM;
        m->owner = ow;
    }
    m->fcap = cap > m->fcap ? cap : m->fcap;
    memset(m->fw, 0, (m->fcap + (size_t)1) * sizeof *m->fw);
    for (uint32_t p = live + 1; p <= m->fcap; p++)
        m->owner[p] = EMPTY;
    m->total = 0;
    for (uint32_t p = 1; p <= live; p++) {
        struct entry *e = &m->entries[m->owner[p]];
        e->pos = p;
        fw_add(m, p, weight(m, e));
    }
    m->next_pos = live;
    return 0;
}

/* ---- fixed-size sampling: drop the largest hashes --------------------- */

static void heap_push(struct hp_mrc *m, uint32_t i)
{
    uint32_t k = m->nheap++;
    while (k > 0) {
        uint32_t up = (k - 1) / 2;
        if (m->entries[m->heap[up]].hash >= m->entries[i].hash)
            break;
        m->heap[k] = m->heap[up];
        k = up;
    }
    m->heap[k] = i;
}

static uint32_t heap_pop(struct hp_mrc *m)
{
    uint32_t top = m->heap[0], last = m->heap[--m->nheap], k = 0;
    for (;;) {
        uint32_t c = 2 * k + 1;
        if (c >= m->nheap)
            break;
        if (c + 1 < m->nheap && m->entries[m->heap[c + 1]].hash > m->entries[m->heap[c]].hash)
            c++;
        if (m->entries[m->heap[c]].hash <= m->entries[last].hash)
            break;
        m->heap[k] = m->heap[c];
        k = c;
    }
    if (m->nheap)
        m->heap[k] = last;
    return top;
}

static void drop_largest(struct hp_mrc *m)
{
    uint32_t i = heap_pop(m);
    struct entry *e = &m->entries[i];
    hp_u64map_del(&m->map, e->key);
    fw_add(m, e->pos, -weight(m, e));
    m->owner[e->pos] = EMPTY;
    m->working -= (double)weight(m, e) / m->rate;
    e->pos = 0;
    m->freed[m->nfreed++] = i;
    m->threshold = e->hash;
    m->rate = (double)e->hash / 18446744073709551616.0;
}

/* ---- distances --------------------------------------------------------- */

static uint64_t bucket_of(const struct hp_mrc *m, double d)
{
    if (!m->bytes)
        return (uint64_t)llround(d);
    if (d < 1)
        return 0;
    return (uint64_t)(log2(d) * BYTE_BUCKETS_PER_OCTAVE) + 1;
}

static int count_distance(struct hp_mrc *m, double d, double w)
{
    uint64_t b = bucket_of(m, d);
    if (b >= m->nhist) {
        uint64_t n = m->nhist ? m->nhist : 1024;
        while (n <= b)
            n *= 2;
        double *h = hp_realloc(m->hist, n * sizeof *h);
        if (!h)
            return -ENOMEM;
        memset(h + m->nhist, 0, (n - m->nhist) * sizeof *h);
        m->hist = h;
        m->nhist = n;
    }
    m->hist[b] += w;
    return 0;
}

int hp_mrc_access(struct hp_mrc *m, uint64_t key, uint32_t size)
{
    m->requests++;
    uint64_t h = mix(key);
    if (h >= m->threshold)
        return 0;
    m->sampled_requests++;
    double scale = 1 / m->rate;
    m->sampled += scale;
    uint32_t i = hp_u64map_get(&m->map, key);
    if (m->next_pos == m->fcap && compact(m) < 0)
        return -ENOMEM;
    if (i != EMPTY) {
        struct entry *e = &m->entries[i];
        int64_t after = m->total - fw_prefix(m, e->pos);
        int64_t w_old = weight(m, e);
        double d = (double)(after + (m->bytes ? size : 1));
        fw_add(m, e->pos, -w_old);
        m->owner[e->pos] = EMPTY;
        if (m->bytes)
            m->working += ((double)size - (double)e->size) * scale;
        e->size = size;
        e->pos = ++m->next_pos;
        m->owner[e->pos] = i;
        fw_add(m, e->pos, weight(m, e));
        return count_distance(m, d * scale, scale);
    }
    m->cold += scale;
    if (m->nfreed == 0 && m->nentries == m->cap_entries) {
        uint32_t cap = m->cap_entries ? m->cap_entries * 2 : 1024;
        struct entry *e = hp_realloc(m->entries, cap * sizeof *e);
        if (!e)
            return -ENOMEM;
        m->entries = e;
        m->cap_entries = cap;
        if (m->max_keys) {
            uint32_t *hp = hp_realloc(m->heap, cap * sizeof *hp);
            if (!hp)
                return -ENOMEM;
            m->heap = hp;
            uint32_t *fr = hp_realloc(m->freed, cap * sizeof *fr);
            if (!fr)
                return -ENOMEM;
            m->freed = fr;
        }
    }
    i = m->nfreed ? m->freed[m->nfreed - 1] : m->nentries;
    if (hp_u64map_put(&m->map, key, i) < 0)
        return -ENOMEM;
    if (m->nfreed)
        m->nfreed--;
    else
        m->nentries++;
    m->entries[i] = (struct entry){.key = key, .hash = h, .size = size, .pos = ++m->next_pos};
    m->owner[m->entries[i].pos] = i;
    fw_add(m, m->entries[i].pos, weight(m, &m->entries[i]));
    m->working += (double)weight(m, &m->entries[i]) * scale;
    if (m->max_keys) {
        heap_push(m, i);
        while (m->nheap > m->max_keys)
            drop_largest(m);
    }
    return 0;
}

double hp_mrc_miss_ratio(const struct hp_mrc *m, uint64_t capacity)
{
    if (m->sampled <= 0)
        return 0;
    /* SHARDS-adj: the sample should have held rate * requests; the
     * difference goes to the shortest distances (Waldspurger et al., 4.3). */
    double expected = (double)m->requests, total = m->sampled, hits = 0;
    double adj = m->rate < 1 ? expected - total : 0;
    uint64_t last = m->bytes ? (capacity ? bucket_of(m, (double)capacity) : 0) : capacity;
    if (m->bytes && capacity && bucket_of(m, (double)capacity) > 0) {
        /* a bucket counts as a hit when its lower edge is within capacity */
        double lower = exp2((double)(last - 1) / BYTE_BUCKETS_PER_OCTAVE);
        if (lower > (double)capacity)
            last--;
    }
    for (uint64_t b = 0; b <= last && b < m->nhist; b++)
        hits += m->hist[b];
    if (adj != 0 && capacity > 0) {
        hits += adj;
        total += adj;
    }
    double mr = 1 - hits / total;
    return mr < 0 ? 0 : mr > 1 ? 1 : mr;
}

uint64_t hp_mrc_requests(const struct hp_mrc *m)
{
    return m->requests;
}

double hp_mrc_working_set(const struct hp_mrc *m)
{
    return m->working;
}

double hp_mrc_rate(const struct hp_mrc *m)
{
    return m->rate;
}
