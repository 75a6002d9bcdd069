// SPDX-License-Identifier: MIT
/* tests/unit/test_cache.c - every policy against an obviously-correct
 * simulator written from its definition (arrays and linear search), hit for
 * hit, on random traces; and the trace readers round-tripping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "testutil.h"

#include "cache/belady.h"
#include "cache/mrc.h"
#include "cache/policy.h"
#include "cache/trace.h"
#include "core/err.h"

/* ---- the simple simulator ------------------------------------------------ */

#define SIMPLE_MAX 4096

/* Objects from the newest (0) to the oldest (n - 1). */
struct simple {
    enum hp_cache_policy policy;
    bool bytes;
    uint64_t cap, used;
    int n;
    uint64_t key[SIMPLE_MAX];
    uint32_t size[SIMPLE_MAX];
    int bit[SIMPLE_MAX];
    bool hand_set; /* SIEVE: the hand, as the key it rests on */
    uint64_t hand;
    /* S3-FIFO: the small queue and the ghosts, newest first, as arrays too;
     * key/size/bit above are then the main queue */
    int ns, ng;
    uint64_t skey[SIMPLE_MAX], gkey[SIMPLE_MAX];
    uint32_t ssize[SIMPLE_MAX], gsize[SIMPLE_MAX];
    int sfreq[SIMPLE_MAX];
    uint64_t sused, gused;
    /* LFU: uses and last use of the main arrays' objects */
    uint64_t count[SIMPLE_MAX], last[SIMPLE_MAX], clock;
};

static int simple_find(const struct simple *s, uint64_t key)
{
    for (int i = 0; i < s->n; i++)
        if (s->key[i] == key)
            return i;
    return -1;
}

static void simple_remove(struct simple *s, int i)
{
    s->used -= s->bytes ? s->size[i] : 1;
    memmove(s->key + i, s->key + i + 1, (size_t)(s->n - i - 1) * sizeof s->key[0]);
    memmove(s->size + i, s->size + i + 1, (size_t)(s->n - i - 1) * sizeof s->size[0]);
    memmove(s->bit + i, s->bit + i + 1, (size_t)(s->n - i - 1) * sizeof s->bit[0]);
    s->n--;
}

static void simple_insert_front(struct simple *s, uint64_t key, uint32_t size, int bit)
{
    memmove(s->key + 1, s->key, (size_t)s->n * sizeof s->key[0]);
    memmove(s->size + 1, s->size, (size_t)s->n * sizeof s->size[0]);
    memmove(s->bit + 1, s->bit, (size_t)s->n * sizeof s->bit[0]);
    s->key[0] = key;
    s->size[0] = size;
    s->bit[0] = bit;
    s->n++;
    s->used += s->bytes ? size : 1;
}

static void simple_evict(struct simple *s)
{
    int v = s->n - 1;
    if (s->policy == HP_CACHE_CLOCK) {
        while (s->bit[s->n - 1]) { /* the oldest had its second chance: to the front */
            uint64_t k = s->key[s->n - 1];
            uint32_t z = s->size[s->n - 1];
            simple_remove(s, s->n - 1);
            simple_insert_front(s, k, z, 0);
        }
        v = s->n - 1;
    } else if (s->policy == HP_CACHE_SIEVE) {
        v = s->hand_set ? simple_find(s, s->hand) : s->n - 1;
        while (s->bit[v]) { /* toward the newest, wrapping to the oldest */
            s->bit[v] = 0;
            v = v > 0 ? v - 1 : s->n - 1;
        }
        s->hand_set = v > 0;
        if (v > 0)
            s->hand = s->key[v - 1];
    }
    simple_remove(s, v);
}

static uint64_t units(const struct simple *s, uint32_t size)
{
    return s->bytes ? size : 1;
}

/* The ghosts (keys only, newest first): add one, dropping the oldest past
 * cap; take one out when it is asked for again. */
static void ghost_push(struct simple *s, uint64_t key, uint32_t size, uint64_t cap)
{
    memmove(s->gkey + 1, s->gkey, (size_t)s->ng * sizeof s->gkey[0]);
    memmove(s->gsize + 1, s->gsize, (size_t)s->ng * sizeof s->gsize[0]);
    s->gkey[0] = key;
    s->gsize[0] = size;
    s->ng++;
    s->gused += units(s, size);
    while (s->gused > cap) {
        s->gused -= units(s, s->gsize[s->ng - 1]);
        s->ng--;
    }
}

static bool ghost_take(struct simple *s, uint64_t key)
{
    for (int g = 0; g < s->ng; g++)
        if (s->gkey[g] == key) {
            s->gused -= units(s, s->gsize[g]);
            memmove(s->gkey + g, s->gkey + g + 1, (size_t)(s->ng - g - 1) * sizeof s->gkey[0]);
            memmove(s->gsize + g, s->gsize + g + 1, (size_t)(s->ng - g - 1) * sizeof s->gsize[0]);
            s->ng--;
            return true;
        }
    return false;
}

/* A new object at the small queue's head (S3-FIFO's S, 2Q's A1in). */
static void small_push(struct simple *s, uint64_t key, uint32_t size)
{
    memmove(s->skey + 1, s->skey, (size_t)s->ns * sizeof s->skey[0]);
    memmove(s->ssize + 1, s->ssize, (size_t)s->ns * sizeof s->ssize[0]);
    memmove(s->sfreq + 1, s->sfreq, (size_t)s->ns * sizeof s->sfreq[0]);
    s->skey[0] = key;
    s->ssize[0] = size;
    s->sfreq[0] = 0;
    s->ns++;
    s->sused += units(s, size);
    s->used += units(s, size);
}

/* S3-FIFO from its definition (policy.h), on arrays. */
static void s3_evict(struct simple *s)
{
    uint64_t small_cap = s->cap / 10 ? s->cap / 10 : 1;
    uint64_t ghost_cap = s->cap - small_cap ? s->cap - small_cap : 1;
    if (s->sused >= small_cap || s->n == 0) {
        while (s->ns > 0) {
            int t = s->ns - 1;
            uint64_t k = s->skey[t];
            uint32_t z = s->ssize[t];
            int f = s->sfreq[t];
            s->sused -= units(s, z);
            s->ns--;
            if (f > 1) {                /* promoted to the main queue's front, frequency kept */
                s->used -= units(s, z); /* simple_insert_front counts it again */
                simple_insert_front(s, k, z, f);
                continue;
            }
            s->used -= units(s, z);
            ghost_push(s, k, z, ghost_cap);
            return;
        }
    }
    while (s->n > 0) {
        int t = s->n - 1;
        if (s->bit[t] > 0) {
            uint64_t k = s->key[t];
            uint32_t z = s->size[t];
            int f = s->bit[t] - 1;
            simple_remove(s, t);
            simple_insert_front(s, k, z, f); /* used is unchanged: out and in */
            continue;
        }
        simple_remove(s, t);
        return;
    }
}

static bool s3_access(struct simple *s, uint64_t key, uint32_t size)
{
    for (int i = 0; i < s->ns; i++)
        if (s->skey[i] == key) {
            s->sfreq[i] += s->sfreq[i] < 3;
            return true;
        }
    int i = simple_find(s, key);
    if (i >= 0) {
        s->bit[i] += s->bit[i] < 3;
        return true;
    }
    uint64_t need = units(s, size);
    if (need > s->cap)
        return false;
    bool ghost = ghost_take(s, key);
    while (s->used + need > s->cap)
        s3_evict(s);
    if (ghost)
        simple_insert_front(s, key, size, 0); /* used grows there */
    else
        small_push(s, key, size);
    return false;
}

/* 2Q from its definition (policy.h): S is A1in, G is A1out, the main
 * arrays are Am (an LRU). */
static void q2_evict(struct simple *s)
{
    uint64_t kin = s->cap / 4 ? s->cap / 4 : 1, kout = s->cap / 2 ? s->cap / 2 : 1;
    if (s->sused > kin || s->n == 0) {
        int t = s->ns - 1;
        uint64_t k = s->skey[t];
        uint32_t z = s->ssize[t];
        s->ns--;
        s->sused -= units(s, z);
        s->used -= units(s, z);
        ghost_push(s, k, z, kout);
        return;
    }
    simple_remove(s, s->n - 1);
}

static bool q2_access(struct simple *s, uint64_t key, uint32_t size)
{
    for (int i = 0; i < s->ns; i++)
        if (s->skey[i] == key)
            return true; /* A1in: nothing moves */
    int i = simple_find(s, key);
    if (i >= 0) { /* Am: LRU */
        uint32_t z = s->size[i];
        simple_remove(s, i);
        simple_insert_front(s, key, z, 0);
        return true;
    }
    uint64_t need = units(s, size);
    if (need > s->cap)
        return false;
    bool ghost = ghost_take(s, key);
    while (s->used + need > s->cap)
        q2_evict(s);
    if (ghost)
        simple_insert_front(s, key, size, 0); /* used grows there */
    else
        small_push(s, key, size);
    return false;
}

/* LFU from its definition (policy.h): counts and last uses on arrays; the
 * smallest (count, last use) goes. */
static bool lfu_access(struct simple *s, uint64_t key, uint32_t size)
{
    int i = simple_find(s, key);
    if (i >= 0) {
        s->count[i]++;
        s->last[i] = ++s->clock;
        return true;
    }
    uint64_t need = units(s, size);
    if (need > s->cap)
        return false;
    while (s->used + need > s->cap) {
        int v = 0;
        for (int j = 1; j < s->n; j++)
            if (s->count[j] < s->count[v] ||
                (s->count[j] == s->count[v] && s->last[j] < s->last[v]))
                v = j;
        memmove(s->count + v, s->count + v + 1, (size_t)(s->n - v - 1) * sizeof s->count[0]);
        memmove(s->last + v, s->last + v + 1, (size_t)(s->n - v - 1) * sizeof s->last[0]);
        simple_remove(s, v);
    }
    memmove(s->count + 1, s->count, (size_t)s->n * sizeof s->count[0]);
    memmove(s->last + 1, s->last, (size_t)s->n * sizeof s->last[0]);
    simple_insert_front(s, key, size, 0);
    s->count[0] = 1;
    s->last[0] = ++s->clock;
    return false;
}

static bool simple_access(struct simple *s, uint64_t key, uint32_t size)
{
    if (s->policy == HP_CACHE_S3FIFO)
        return s3_access(s, key, size);
    if (s->policy == HP_CACHE_2Q)
        return q2_access(s, key, size);
    if (s->policy == HP_CACHE_LFU)
        return lfu_access(s, key, size);
    uint64_t need = s->bytes ? size : 1;
    int i = simple_find(s, key);
    if (i >= 0) {
        if (s->policy == HP_CACHE_LRU) {
            uint32_t z = s->size[i];
            simple_remove(s, i);
            simple_insert_front(s, key, z, 0);
        } else if (s->policy != HP_CACHE_FIFO) {
            s->bit[i] = 1;
        }
        return true;
    }
    if (need > s->cap)
        return false;
    while (s->used + need > s->cap)
        simple_evict(s);
    simple_insert_front(s, key, size, 0);
    return false;
}

/* ---- policies vs the simple simulator ------------------------------------ */

static uint64_t rng_state = 42;

static uint64_t next_rand(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng_state >> 33;
}

/* Skewed keys from 0..range-1: low keys are popular, as in a Zipf trace. */
static uint64_t skewed_key(uint64_t range)
{
    double u = (double)(next_rand() % 1000000) / 1e6;
    return (uint64_t)((double)range * u * u * u);
}

static void policies_match_the_simple_simulator(void **state)
{
    (void)state;
    static struct simple s;
    uint64_t hits_at[HP_CACHE_NPOLICIES] = {0};
    static const struct {
        uint64_t cap;
        bool bytes;
        uint64_t keys;
    } setups[] = {{1, false, 20},   {10, false, 200},   {64, false, 500},
                  {500, true, 200}, {5000, true, 1000}, {120, true, 50}};
    for (int p = 0; p < HP_CACHE_NPOLICIES; p++) {
        for (size_t k = 0; k < sizeof setups / sizeof setups[0]; k++) {
            struct hp_cache *c = NULL;
            assert_int_equal(hp_cache_new(p, setups[k].cap, setups[k].bytes, &c), 0);
            memset(&s, 0, sizeof s);
            s.policy = p;
            s.cap = setups[k].cap;
            s.bytes = setups[k].bytes;
            rng_state = 1000 + k;
            uint64_t hits = 0;
            for (int i = 0; i < 20000; i++) {
                uint64_t key = skewed_key(setups[k].keys) * 7919; /* spread, not sequential */
                uint32_t size = (uint32_t)(key % 97) + 1;
                bool want = simple_access(&s, key, size), got = hp_cache_access(c, key, size);
                if (want != got)
                    fail_msg("%s, capacity %llu%s: access %d (key %llu) was a %s, the simple "
                             "simulator says %s",
                             hp_cache_policy_name(p), (unsigned long long)setups[k].cap,
                             setups[k].bytes ? " bytes" : "", i, (unsigned long long)key,
                             got ? "hit" : "miss", want ? "hit" : "miss");
                hits += got;
            }
            assert_int_equal(hp_cache_used(c), s.used);
            assert_int_equal(hp_cache_objects(c), (uint64_t)(s.n + s.ns));
            assert_true(hits > 0 && hits < 20000);
            if (k == 2)
                hits_at[p] = hits;
            hp_cache_free(c);
        }
    }
    /* and they are four policies, not one: on 64 objects they all differ */
    for (int a = 0; a < HP_CACHE_NPOLICIES; a++)
        for (int b = a + 1; b < HP_CACHE_NPOLICIES; b++)
            assert_true(hits_at[a] != hits_at[b]);
}

static void policies_differ_where_they_should(void **state)
{
    (void)state;
    /* 1 2 3 1 4 1 with room for 3: LRU keeps 1 (used again), FIFO evicts it */
    static const uint64_t t[] = {1, 2, 3, 1, 4, 1};
    struct hp_cache *lru, *fifo;
    assert_int_equal(hp_cache_new(HP_CACHE_LRU, 3, false, &lru), 0);
    assert_int_equal(hp_cache_new(HP_CACHE_FIFO, 3, false, &fifo), 0);
    int lru_hits = 0, fifo_hits = 0;
    for (size_t i = 0; i < 6; i++) {
        lru_hits += hp_cache_access(lru, t[i], 1);
        fifo_hits += hp_cache_access(fifo, t[i], 1);
    }
    assert_int_equal(lru_hits, 2);
    assert_int_equal(fifo_hits, 1);
    /* an object larger than the cache is never admitted */
    struct hp_cache *b;
    assert_int_equal(hp_cache_new(HP_CACHE_SIEVE, 100, true, &b), 0);
    assert_false(hp_cache_access(b, 9, 101));
    assert_false(hp_cache_access(b, 9, 101));
    assert_int_equal(hp_cache_objects(b), 0);
    assert_false(hp_cache_access(b, 9, 100));
    assert_true(hp_cache_access(b, 9, 100));
    hp_cache_free(lru);
    hp_cache_free(fifo);
    hp_cache_free(b);
    struct hp_cache *z = NULL;
    assert_int_equal(hp_cache_new(HP_CACHE_LRU, 0, false, &z), -EINVAL);
    assert_int_equal(hp_cache_policy_parse("sieve"), HP_CACHE_SIEVE);
    assert_int_equal(hp_cache_policy_parse("arc"), -1);
}

/* Half a million distinct keys through a small table: growth and
 * backward-shift deletion keep every object findable. */
static void a_long_trace_keeps_the_table_straight(void **state)
{
    (void)state;
    struct hp_cache *c;
    assert_int_equal(hp_cache_new(HP_CACHE_LRU, 3000, false, &c), 0);
    for (uint64_t k = 0; k < 500000; k++)
        assert_false(hp_cache_access(c, k, 1));
    for (uint64_t k = 500000 - 3000; k < 500000; k++)
        assert_true(hp_cache_access(c, k, 1));
    assert_false(hp_cache_access(c, 500000 - 3001, 1));
    hp_cache_free(c);
}

/* ---- Belady ---------------------------------------------------------------- */

static void belady_is_min_and_never_worse(void **state)
{
    (void)state;
    static const uint64_t tiny[] = {1, 2, 1, 3, 2, 1};
    uint64_t nx[6];
    assert_int_equal(hp_belady_next(tiny, 6, nx), 0);
    assert_int_equal(nx[0], 2);
    assert_int_equal(nx[1], 4);
    assert_int_equal(nx[2], 5);
    assert_int_equal(nx[3], HP_BELADY_NEVER);
    assert_int_equal(nx[5], HP_BELADY_NEVER);

    enum { N = 20000 };
    static uint64_t keys[N], next[N];
    static uint64_t ck[SIMPLE_MAX], cn[SIMPLE_MAX];
    static const uint64_t caps[] = {1, 5, 30, 200};
    for (size_t k = 0; k < 4; k++) {
        rng_state = 500 + k;
        for (int i = 0; i < N; i++)
            keys[i] = skewed_key(400);
        assert_int_equal(hp_belady_next(keys, N, next), 0);
        struct hp_belady *b;
        assert_int_equal(hp_belady_new(caps[k], false, &b), 0);
        /* the simple MIN: arrays, the furthest next use leaves */
        int n = 0, simple_misses = 0, misses = 0;
        for (int i = 0; i < N; i++) {
            bool hit = hp_belady_access(b, keys[i], 1, next[i]);
            misses += !hit;
            int at = -1;
            for (int j = 0; j < n; j++)
                if (ck[j] == keys[i])
                    at = j;
            if (at >= 0) {
                cn[at] = next[i];
            } else {
                simple_misses++;
                if (next[i] != HP_BELADY_NEVER) {
                    if ((uint64_t)n < caps[k]) {
                        ck[n] = keys[i], cn[n++] = next[i];
                    } else {
                        int far = 0;
                        for (int j = 1; j < n; j++)
                            if (cn[j] > cn[far])
                                far = j;
                        if (cn[far] > next[i])
                            ck[far] = keys[i], cn[far] = next[i];
                    }
                }
            }
            assert_int_equal(hit, at >= 0);
        }
        assert_int_equal(misses, simple_misses);
        hp_belady_free(b);
        /* and no policy does better */
        for (int p = 0; p < HP_CACHE_NPOLICIES; p++) {
            struct hp_cache *c;
            assert_int_equal(hp_cache_new(p, caps[k], false, &c), 0);
            int pm = 0;
            for (int i = 0; i < N; i++)
                pm += !hp_cache_access(c, keys[i], 1);
            hp_cache_free(c);
            if (pm < misses)
                fail_msg("%s at %llu objects: %d misses, under Belady's %d",
                         hp_cache_policy_name(p), (unsigned long long)caps[k], pm, misses);
        }
    }
}

/* ---- miss-ratio curves ------------------------------------------------------ */

#define MRC_REQ 60000

static uint64_t mrc_keys[MRC_REQ];
static uint32_t mrc_sizes[MRC_REQ];

static void make_trace(uint64_t objects, uint64_t seed, int n)
{
    rng_state = seed;
    for (int i = 0; i < n; i++) {
        mrc_keys[i] = skewed_key(objects) * 104729 + 3;
        mrc_sizes[i] = (uint32_t)(mrc_keys[i] % 1000) + 1;
    }
}

static double lru_miss_ratio(uint64_t cap, bool bytes, int n)
{
    struct hp_cache *c;
    assert_int_equal(hp_cache_new(HP_CACHE_LRU, cap, bytes, &c), 0);
    int misses = 0;
    for (int i = 0; i < n; i++)
        misses += !hp_cache_access(c, mrc_keys[i], mrc_sizes[i]);
    hp_cache_free(c);
    return (double)misses / n;
}

static void mrc_equals_lru_simulation_at_every_size(void **state)
{
    (void)state;
    /* 300 objects: positions run out and are renumbered many times */
    static const uint64_t objects[] = {300, 5000};
    for (size_t k = 0; k < 2; k++) {
        make_trace(objects[k], 77 + k, MRC_REQ);
        struct hp_mrc *m;
        assert_int_equal(hp_mrc_new(1, 0, false, &m), 0);
        for (int i = 0; i < MRC_REQ; i++)
            assert_int_equal(hp_mrc_access(m, mrc_keys[i], mrc_sizes[i]), 0);
        static const uint64_t caps[] = {1, 2, 3, 7, 10, 50, 100, 299, 1000, 4000, 100000};
        for (size_t j = 0; j < sizeof caps / sizeof caps[0]; j++)
            assert_close(hp_mrc_miss_ratio(m, caps[j]), lru_miss_ratio(caps[j], false, MRC_REQ), 0,
                         1e-12);
        assert_int_equal(hp_mrc_requests(m), MRC_REQ);
        hp_mrc_free(m);
    }
    /* bytes: within the histogram's 1.1% resolution of distance */
    make_trace(3000, 5, MRC_REQ);
    struct hp_mrc *b;
    assert_int_equal(hp_mrc_new(1, 0, true, &b), 0);
    for (int i = 0; i < MRC_REQ; i++)
        assert_int_equal(hp_mrc_access(b, mrc_keys[i], mrc_sizes[i]), 0);
    static const uint64_t bcaps[] = {5000, 50000, 300000, 1000000};
    for (size_t j = 0; j < 4; j++)
        assert_close(hp_mrc_miss_ratio(b, bcaps[j]), lru_miss_ratio(bcaps[j], true, MRC_REQ), 0,
                     0.01);
    hp_mrc_free(b);
}

/* SHARDS on a skewed trace: the sampled curve against the exact one. */
static void shards_stays_close_to_exact(void **state)
{
    (void)state;
    make_trace(20000, 9, MRC_REQ);
    struct hp_mrc *exact, *rate, *fixed;
    assert_int_equal(hp_mrc_new(1, 0, false, &exact), 0);
    assert_int_equal(hp_mrc_new(0.1, 0, false, &rate), 0);
    assert_int_equal(hp_mrc_new(0.5, 500, false, &fixed), 0);
    for (int i = 0; i < MRC_REQ; i++) {
        hp_mrc_access(exact, mrc_keys[i], 1);
        hp_mrc_access(rate, mrc_keys[i], 1);
        hp_mrc_access(fixed, mrc_keys[i], 1);
    }
    double mae_rate = 0, mae_fixed = 0;
    int n = 0;
    for (uint64_t cap = 100; cap <= 20000; cap += 1000, n++) {
        double e = hp_mrc_miss_ratio(exact, cap);
        mae_rate += fabs(hp_mrc_miss_ratio(rate, cap) - e);
        mae_fixed += fabs(hp_mrc_miss_ratio(fixed, cap) - e);
    }
    mae_rate /= n;
    mae_fixed /= n;
    if (!(mae_rate <= 0.02 && mae_fixed <= 0.03))
        fail_msg("SHARDS mean absolute error: fixed rate %.4f, fixed size %.4f", mae_rate,
                 mae_fixed);
    assert_true(hp_mrc_rate(fixed) < 0.5); /* it had to lower its rate to stay at 500 keys */
    assert_close(hp_mrc_working_set(rate), hp_mrc_working_set(exact), 0.15, 0);
    hp_mrc_free(exact);
    hp_mrc_free(rate);
    hp_mrc_free(fixed);
}

static int mrc_some(void)
{
    struct hp_mrc *m = NULL;
    int rc = hp_mrc_new(0.5, 100, false, &m);
    for (uint64_t k = 0; rc == 0 && k < 5000; k++)
        rc = hp_mrc_access(m, (k * 7919) % 3000, 1);
    hp_mrc_free(m);
    return rc;
}

static void mrc_alloc_failures_leak_nothing(void **state)
{
    (void)state;
    ALLOC_SWEEP(mrc_some());
}

/* ---- traces -------------------------------------------------------------- */

struct seen {
    int n;
    struct hp_cache_req r[64];
};

static int see(void *ctx, const struct hp_cache_req *r)
{
    struct seen *s = ctx;
    if (s->n < 64)
        s->r[s->n] = *r;
    s->n++;
    return 0;
}

static void traces_round_trip(void **state)
{
    (void)state;
    char dir[] = "/tmp/hp_test_cache.XXXXXX", bin[64], zst[64], gz[64], csv[64], txt[64], cut[64];
    assert_non_null(mkdtemp(dir));
    snprintf(bin, sizeof bin, "%s/t.oracleGeneral", dir);
    snprintf(zst, sizeof zst, "%s/t.oracleGeneral.zst", dir);
    snprintf(gz, sizeof gz, "%s/t.oracleGeneral.gz", dir);
    snprintf(csv, sizeof csv, "%s/t.csv", dir);
    snprintf(txt, sizeof txt, "%s/t.txt", dir);
    snprintf(cut, sizeof cut, "%s/cut.bin", dir);
    unsigned char raw[40 * HP_TRACE_ORACLE_BYTES];
    for (int i = 0; i < 40; i++) {
        struct hp_cache_req r = {.time = 1000 + i,
                                 .key = 0xfeedface00000000ULL + (uint64_t)(i % 7),
                                 .size = (uint32_t)(100 * i + 1)};
        hp_trace_oracle_put(&r, i % 2 ? -1 : 40 + i, raw + i * HP_TRACE_ORACLE_BYTES);
    }
    write_file(bin, raw, sizeof raw);
    char z[4096];
    size_t zn = ZSTD_compress(z, sizeof z, raw, sizeof raw, 3);
    assert_false(ZSTD_isError(zn));
    write_file(zst, z, zn);
    gzFile g = gzopen(gz, "wb");
    gzwrite(g, raw, sizeof raw);
    gzclose(g);
    struct hp_trace_spec oracle = {.format = HP_TRACE_ORACLE};
    const char *bins[] = {bin, zst, gz};
    for (int k = 0; k < 3; k++) {
        struct seen s = {0};
        uint64_t n = 0;
        struct hp_err err;
        assert_int_equal(hp_trace_read(bins[k], &oracle, see, &s, &n, &err), 0);
        assert_int_equal(n, 40);
        assert_int_equal(s.r[39].time, 1039);
        assert_int_equal(s.r[39].key, 0xfeedface00000000ULL + 39 % 7);
        assert_int_equal(s.r[39].size, 3901);
    }
    /* cut inside a record: named */
    write_file(cut, raw, 5 * HP_TRACE_ORACLE_BYTES + 10);
    struct seen s = {0};
    struct hp_err err = {0};
    assert_int_equal(hp_trace_read(cut, &oracle, see, &s, NULL, &err), HP_EPARSE);
    assert_int_equal(s.n, 5);
    assert_non_null(strstr(err.msg, "record 6"));

    /* CSV with a header, columns in another order, string keys hashed */
    const char *text = "ts,obj,bytes\n"
                       "5,alpha,100\n"
                       "6, 42 ,200\r\n"
                       "\n"
                       "7,alpha,300\n";
    write_file(csv, text, strlen(text));
    struct hp_trace_spec spec = {.format = HP_TRACE_CSV, .header = true};
    assert_int_equal(hp_trace_columns("time,key,size", &spec, &err), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(hp_trace_read(csv, &spec, see, &s, NULL, &err), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.r[1].key, 42);
    assert_int_equal(s.r[1].size, 200);
    assert_int_equal(s.r[0].key, s.r[2].key); /* "alpha" twice: one object */
    assert_int_equal(s.r[2].time, 7);
    /* a bad size is named by line */
    const char *bad = "1,a,100\n2,b,lots\n";
    write_file(csv, bad, strlen(bad));
    spec.header = false;
    assert_int_equal(hp_trace_read(csv, &spec, see, &s, NULL, &err), HP_EPARSE);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "size"));
    assert_int_equal(hp_trace_columns("key,key", &spec, &err), HP_EPARSE);
    assert_int_equal(hp_trace_columns("time,size", &spec, &err), HP_EPARSE);
    assert_int_equal(hp_trace_columns("-,key", &spec, &err), 0);
    assert_int_equal(spec.key_col, 2);
    /* plain keys, one a line */
    const char *keys = "a\nb\na\n";
    write_file(txt, keys, strlen(keys));
    struct hp_trace_spec plain = {.format = HP_TRACE_TEXT};
    memset(&s, 0, sizeof s);
    assert_int_equal(hp_trace_read(txt, &plain, see, &s, NULL, &err), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.r[0].key, s.r[2].key);
    assert_true(s.r[0].key != s.r[1].key);
    assert_int_equal(s.r[1].size, 1);
    unlink(bin), unlink(zst), unlink(gz), unlink(csv), unlink(txt), unlink(cut);
    rmdir(dir);
}

static int cache_some(void)
{
    struct hp_cache *c = NULL;
    int rc = hp_cache_new(HP_CACHE_SIEVE, 3000, false, &c);
    for (uint64_t k = 0; rc == 0 && k < 5000; k++)
        hp_cache_access(c, k % 4000, 1);
    hp_cache_free(c);
    return rc;
}

static void cache_alloc_failures_leak_nothing(void **state)
{
    (void)state;
    ALLOC_SWEEP(cache_some());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policies_match_the_simple_simulator),
        cmocka_unit_test(policies_differ_where_they_should),
        cmocka_unit_test(a_long_trace_keeps_the_table_straight),
        cmocka_unit_test(belady_is_min_and_never_worse),
        cmocka_unit_test(mrc_equals_lru_simulation_at_every_size),
        cmocka_unit_test(shards_stays_close_to_exact),
        cmocka_unit_test(mrc_alloc_failures_leak_nothing),
        cmocka_unit_test(traces_round_trip),
        cmocka_unit_test(cache_alloc_failures_leak_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
