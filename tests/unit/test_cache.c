// SPDX-License-Identifier: MIT
/* tests/unit/test_cache.c - every policy against an obviously-correct
 * simulator written from its definition (arrays and linear search), hit for
 * hit, on random traces; and the trace readers round-tripping. */
#include <errno.h>
#include <math.h>
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
    /* ARC: T1, T2, B1, B2; W-TinyLFU: window, probation, protected */
    struct alist {
        int n;
        uint64_t key[SIMPLE_MAX];
        uint32_t size[SIMPLE_MAX];
        uint64_t used;
    } al[4];
    double p;
    uint8_t *cm; /* W-TinyLFU's sketch: 4 rows of width counts */
    uint64_t width, samples;
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

/* S3-FIFO from its definition (policy.h: libCacheSim's S3FIFO.c), on
 * arrays: S is the small queue, G the ghosts, the main arrays the main one. */
static void s3_evict(struct simple *s)
{
    uint64_t small_cap = (uint64_t)((double)s->cap * 0.10);
    uint64_t main_cap = s->cap - small_cap, ghost_cap = (uint64_t)((double)s->cap * 0.90);
    if (s->used - s->sused > main_cap || s->ns == 0) {
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
        return;
    }
    while (s->ns > 0) {
        int t = s->ns - 1;
        uint64_t k = s->skey[t];
        uint32_t z = s->ssize[t];
        int f = s->sfreq[t];
        s->sused -= units(s, z);
        s->ns--;
        s->used -= units(s, z);
        if (f >= 2) { /* to the main queue's front, its frequency at 0 */
            simple_insert_front(s, k, z, 0); /* used counted again there */
            continue;
        }
        if (units(s, z) <= ghost_cap)
            ghost_push(s, k, z, ghost_cap);
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
    uint64_t need = units(s, size), small_cap = (uint64_t)((double)s->cap * 0.10);
    bool ghost = ghost_take(s, key);
    if (need > small_cap)
        return false;
    while (s->used + need > s->cap)
        s3_evict(s);
    if (ghost)
        simple_insert_front(s, key, size, 0);
    else if (need < small_cap)
        small_push(s, key, size);
    return false;
}

/* A miss under 2Q: a ghost's key to the main queue, anything else to the
 * small one, evicting as the policy does until it fits. */
static bool queued_miss(struct simple *s, uint64_t key, uint32_t size,
                        void (*evict)(struct simple *))
{
    uint64_t need = units(s, size);
    if (need > s->cap)
        return false;
    bool ghost = ghost_take(s, key);
    while (s->used + need > s->cap)
        evict(s);
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
    return queued_miss(s, key, size, q2_evict);
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

/* ---- lists on arrays, newest first: ARC's and W-TinyLFU's ----------------- */

static int al_find(const struct alist *l, uint64_t key)
{
    for (int i = 0; i < l->n; i++)
        if (l->key[i] == key)
            return i;
    return -1;
}

static void al_take(const struct simple *s, struct alist *l, int i)
{
    l->used -= units(s, l->size[i]);
    memmove(l->key + i, l->key + i + 1, (size_t)(l->n - i - 1) * sizeof l->key[0]);
    memmove(l->size + i, l->size + i + 1, (size_t)(l->n - i - 1) * sizeof l->size[0]);
    l->n--;
}

static void al_push(const struct simple *s, struct alist *l, uint64_t key, uint32_t size)
{
    memmove(l->key + 1, l->key, (size_t)l->n * sizeof l->key[0]);
    memmove(l->size + 1, l->size, (size_t)l->n * sizeof l->size[0]);
    l->key[0] = key;
    l->size[0] = size;
    l->n++;
    l->used += units(s, size);
}

/* The oldest of `from` to the front of `to`. */
static void al_move_oldest(const struct simple *s, struct alist *from, struct alist *to)
{
    uint64_t k = from->key[from->n - 1];
    uint32_t z = from->size[from->n - 1];
    al_take(s, from, from->n - 1);
    al_push(s, to, k, z);
}

/* ARC, Megiddo and Modha's Figure 4 as printed (objects), with the sizes
 * generalisation of policy.h for bytes. */
static void arc_replace_simple(struct simple *s, bool in_b2)
{
    struct alist *t1 = &s->al[0], *t2 = &s->al[1], *b1 = &s->al[2], *b2 = &s->al[3];
    if (t1->n >= 1 && ((in_b2 && (double)t1->used == s->p) || (double)t1->used > s->p || !t2->n))
        al_move_oldest(s, t1, b1);
    else
        al_move_oldest(s, t2, b2);
}

static bool arc_access_simple(struct simple *s, uint64_t x, uint32_t size)
{
    struct alist *t1 = &s->al[0], *t2 = &s->al[1], *b1 = &s->al[2], *b2 = &s->al[3];
    uint64_t u = units(s, size), c = s->cap;
    int i;
    if ((i = al_find(t1, x)) >= 0 || (i = al_find(t2, x)) >= 0) { /* case I */
        struct alist *l = al_find(t1, x) >= 0 ? t1 : t2;
        uint32_t z = l->size[i];
        al_take(s, l, i);
        al_push(s, t2, x, z);
        return true;
    }
    if (u > c)
        return false;
    bool in_b1 = (i = al_find(b1, x)) >= 0, in_b2 = !in_b1 && (i = al_find(b2, x)) >= 0;
    if (in_b1 || in_b2) { /* cases II and III */
        double r =
            in_b1 ? (double)b2->used / (double)b1->used : (double)b1->used / (double)b2->used;
        double d = (double)u * (r > 1 ? r : 1);
        s->p =
            in_b1 ? (s->p + d < (double)c ? s->p + d : (double)c) : (s->p - d > 0 ? s->p - d : 0);
        al_take(s, in_b1 ? b1 : b2, i);
        while (t1->used + t2->used + u > c)
            arc_replace_simple(s, in_b2);
        al_push(s, t2, x, size);
        return false;
    }
    if (!s->bytes) { /* case IV, verbatim */
        if (t1->n + b1->n == (int)c) {
            if (t1->n < (int)c) {
                al_take(s, b1, b1->n - 1);
                arc_replace_simple(s, false);
            } else {
                al_take(s, t1, t1->n - 1);
            }
        } else if (t1->n + t2->n + b1->n + b2->n >= (int)c) {
            if (t1->n + t2->n + b1->n + b2->n == 2 * (int)c)
                al_take(s, b2, b2->n - 1);
            arc_replace_simple(s, false);
        }
    } else {
        while (t1->used + b1->used + u > c && b1->n)
            al_take(s, b1, b1->n - 1);
        while (t1->used + b1->used + u > c && t1->n)
            al_take(s, t1, t1->n - 1);
        while (t1->used + t2->used + b1->used + b2->used + u > 2 * c && b2->n)
            al_take(s, b2, b2->n - 1);
        while (t1->used + t2->used + u > c)
            arc_replace_simple(s, false);
    }
    al_push(s, t1, x, size);
    return false;
}

/* W-TinyLFU from policy.h and docs/internals/cache.md: the sketch's row r
 * counts key at mix(key + (r + 1) * 0x9e3779b97f4a7c15) mod width. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void cm_reset(struct simple *s, uint64_t n)
{
    s->width = 16;
    while (s->width < n)
        s->width *= 2;
    free(s->cm);
    s->cm = calloc(4, s->width);
    assert_non_null(s->cm);
    s->samples = 0;
}

static unsigned cm_freq(const struct simple *s, uint64_t key)
{
    unsigned f = 15;
    for (uint64_t r = 0; r < 4; r++) {
        unsigned x = s->cm[r * s->width + (mix(key + (r + 1) * 0x9e3779b97f4a7c15ULL) % s->width)];
        f = x < f ? x : f;
    }
    return f;
}

static bool wt_access(struct simple *s, uint64_t key, uint32_t size)
{
    struct alist *win = &s->al[0], *prob = &s->al[1], *prot = &s->al[2];
    uint64_t wcap = s->cap / 100 ? s->cap / 100 : 1, mcap = s->cap - wcap;
    uint64_t pcap = mcap * 8 / 10;
    if (!s->cm)
        cm_reset(s, s->bytes ? 1024 : s->cap);
    for (uint64_t r = 0; r < 4; r++) {
        uint8_t *x = &s->cm[r * s->width + (mix(key + (r + 1) * 0x9e3779b97f4a7c15ULL) % s->width)];
        if (*x < 15)
            (*x)++;
    }
    if (++s->samples == 10 * s->width) {
        for (uint64_t j = 0; j < 4 * s->width; j++)
            s->cm[j] /= 2;
        s->samples /= 2;
    }
    int i;
    if ((i = al_find(win, key)) >= 0 || (i = al_find(prob, key)) >= 0 ||
        (i = al_find(prot, key)) >= 0) {
        struct alist *l = al_find(win, key) >= 0 ? win : al_find(prob, key) >= 0 ? prob : prot;
        uint32_t z = l->size[i];
        al_take(s, l, i);
        al_push(s, l == win ? win : prot, key, z);
        while (prot->used > pcap)
            al_move_oldest(s, prot, prob);
        return true;
    }
    uint64_t u = units(s, size);
    if (u > s->cap)
        return false;
    al_push(s, win, key, size);
    while (win->used > wcap) {
        uint64_t ck = win->key[win->n - 1];
        uint32_t cz = win->size[win->n - 1];
        al_take(s, win, win->n - 1);
        for (;;) {
            if (prob->used + prot->used + units(s, cz) <= mcap) {
                al_push(s, prob, ck, cz);
                break;
            }
            struct alist *vl = prob->n ? prob : prot;
            if (units(s, cz) > mcap || cm_freq(s, ck) <= cm_freq(s, vl->key[vl->n - 1]))
                break; /* the candidate goes */
            al_take(s, vl, vl->n - 1);
        }
    }
    if ((uint64_t)(win->n + prob->n + prot->n) > s->width)
        cm_reset(s, s->width * 2);
    return false;
}

static bool simple_access(struct simple *s, uint64_t key, uint32_t size)
{
    if (s->policy == HP_CACHE_ARC)
        return arc_access_simple(s, key, size);
    if (s->policy == HP_CACHE_WTINYLFU)
        return wt_access(s, key, size);
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
            uint64_t used = s.used, objects = (uint64_t)(s.n + s.ns);
            if (p == HP_CACHE_ARC || p == HP_CACHE_WTINYLFU) {
                int cached = p == HP_CACHE_ARC ? 2 : 3; /* the lists holding objects */
                used = objects = 0;
                for (int l = 0; l < cached; l++)
                    used += s.al[l].used, objects += (uint64_t)s.al[l].n;
            }
            free(s.cm);
            s.cm = NULL;
            assert_int_equal(hp_cache_used(c), used);
            assert_int_equal(hp_cache_objects(c), objects);
            /* S3-FIFO under 20 objects admits nothing: libCacheSim's small
             * queue of 10% takes only objects smaller than itself */
            if (p == HP_CACHE_S3FIFO && !setups[k].bytes && setups[k].cap < 20)
                assert_int_equal(hits, 0);
            else
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

/* ---- eviction order, worked by hand ----------------------------------------- */

struct left {
    char order[64];
    int n;
};

static void on_leave(void *ctx, uint64_t key)
{
    struct left *l = ctx;
    if (l->n < (int)sizeof l->order - 1)
        l->order[l->n++] = (char)('A' + key - 1);
}

/* Replay letters (A is key 1) through a policy; the keys that left, in
 * order, and the hits as a string of h and - per request. */
static void replay(enum hp_cache_policy p, uint64_t cap, const char *trace, char *left,
                   char *hits)
{
    struct hp_cache *c;
    assert_int_equal(hp_cache_new(p, cap, false, &c), 0);
    struct left l = {.n = 0};
    hp_cache_on_leave(c, on_leave, &l);
    int i = 0;
    for (const char *t = trace; *t; t++)
        hits[i++] = hp_cache_access(c, (uint64_t)(*t - 'A' + 1), 1) ? 'h' : '-';
    hits[i] = '\0';
    l.order[l.n] = '\0';
    strcpy(left, l.order);
    hp_cache_free(c);
}

/* Each policy on ABCABDAEFBGE with room for 3, worked by hand from its
 * definition in policy.h (heads first; ' marks a bit or visited flag):
 *   LRU   ABC hit A, B: [B A C]; D evicts C; A hit [A D B]; E evicts B, F D,
 *         B A, G E, E F.
 *   FIFO  [C B A], hits change nothing: D evicts A, A B, E C, F D, B A,
 *         G E, E F.
 *   CLOCK A', B' set; D: A and B get a second chance (cleared, to the head),
 *         C goes; A' again: E clears A, takes B; F takes D, B A, G E, E F.
 *   SIEVE A', B'; D: the hand clears A, B, takes C (the head: it wraps); A';
 *         E: clears A, takes B, rests on D; F takes D, B takes E, G takes F,
 *         E takes B (A, visited once, is never reached again).
 *   LFU   counts A2 B2 C1: D evicts C; A3; E evicts D (1, older than none),
 *         F evicts E, B is still cached (a hit: B3), G evicts F, E evicts G.
 *   2Q    Kin = Kout = 1: A1in overflows, its oldest leaves each miss (A, B,
 *         C, D, E, F, B); A's second request finds its ghost and goes to Am.
 *   ARC   A, B to T2 on their hits; D: REPLACE moves T1's C to B1; E: D to
 *         B1; F: B1 full with T1, C forgotten, E to B1; G: F to B1; E is a
 *         B1 ghost: p = 1, T1 holds 1 (not more than p), so T2's LRU A goes.
 *   WTINYLFU  window 1, probation 1, protected 1; the sketch's counts are
 *         exact for keys 1-7 (each has a row of its own). A, B enter
 *         probation, then protected on their hits, pushing each other back;
 *         C (1) loses to A (2), D (1) to B (2), E to B, F (1) to A (3), G (1)
 *         to A. */
static void eviction_order_is_as_worked_by_hand(void **state)
{
    (void)state;
    static const struct {
        enum hp_cache_policy p;
        const char *left, *hits;
    } want[] = {
        {HP_CACHE_LRU, "CBDAEF", "---hh-h-----"},
        {HP_CACHE_FIFO, "ABCDAEF", "---hh-------"},
        {HP_CACHE_CLOCK, "CBDAEF", "---hh-h-----"},
        {HP_CACHE_SIEVE, "CBDEFB", "---hh-h-----"},
        {HP_CACHE_LFU, "CDEFG", "---hh-h--h--"},
        {HP_CACHE_2Q, "ABCDEFB", "---hh-------"},
        {HP_CACHE_ARC, "CDEFA", "---hh-h--h--"},
        {HP_CACHE_WTINYLFU, "CDEFG", "---hh-h--h--"},
    };
    char left[64], hits[64];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        replay(want[i].p, 3, "ABCABDAEFBGE", left, hits);
        if (strcmp(left, want[i].left) != 0 || strcmp(hits, want[i].hits) != 0)
            fail_msg("%s: left %s (hits %s), by hand %s (%s)", hp_cache_policy_name(want[i].p),
                     left, hits, want[i].left, want[i].hits);
    }
}

/* S3-FIFO needs 20 objects to admit any (libCacheSim's small queue of 10%
 * takes objects smaller than itself). Keys 1-20 read three times each fill
 * the small queue at frequency 2; 21: every one of them moves to the main
 * queue (frequency 0), which is then over its 18, so its oldest, 1, goes.
 * 2 hit (frequency 1); 22: main over 18 again, 2 goes back to the front
 * (frequency 0), 3 goes. 23: main at 18, the small queue evicts: 21 (never
 * read again) goes, a ghost. 21 again: its ghost sends it to the main queue,
 * the small queue's 22 going to make room. 24: main at 19, so 4 goes. */
static void s3fifo_eviction_order_is_as_worked_by_hand(void **state)
{
    (void)state;
    struct hp_cache *c;
    assert_int_equal(hp_cache_new(HP_CACHE_S3FIFO, 20, false, &c), 0);
    struct left l = {.n = 0};
    hp_cache_on_leave(c, on_leave, &l);
    int hits = 0;
    for (uint64_t k = 1; k <= 20; k++)
        for (int r = 0; r < 3; r++)
            hits += hp_cache_access(c, k, 1);
    assert_int_equal(hits, 40);
    assert_int_equal(l.n, 0);
    static const uint64_t rest[] = {21, 2, 22, 23, 21, 24};
    static const bool hit[] = {false, true, false, false, false, false};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        assert_int_equal(hp_cache_access(c, rest[i], 1), hit[i]);
    l.order[l.n] = '\0';
    /* keys 1, 3, 21, 22, 4 as letters A.. */
    assert_int_equal(l.n, 5);
    assert_int_equal(l.order[0], 'A' + 0);
    assert_int_equal(l.order[1], 'A' + 2);
    assert_int_equal(l.order[2], 'A' + 20);
    assert_int_equal(l.order[3], 'A' + 21);
    assert_int_equal(l.order[4], 'A' + 3);
    assert_int_equal(hp_cache_objects(c), 20);
    hp_cache_free(c);
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
    assert_int_equal(hp_cache_policy_parse("arc"), HP_CACHE_ARC);
    assert_int_equal(hp_cache_policy_parse("wtinylfu"), HP_CACHE_WTINYLFU);
    assert_int_equal(hp_cache_policy_parse("mru"), -1);
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

/* Take key out of the simple simulator's main arrays (LRU, FIFO, CLOCK,
 * SIEVE, LFU): SIEVE's hand, resting on it, moves to its newer neighbour. */
static bool simple_remove_key(struct simple *s, uint64_t key)
{
    int i = simple_find(s, key);
    if (i < 0)
        return false;
    if (s->policy == HP_CACHE_SIEVE && s->hand_set && s->hand == key) {
        s->hand_set = i > 0;
        if (i > 0)
            s->hand = s->key[i - 1];
    }
    if (s->policy == HP_CACHE_LFU) {
        memmove(s->count + i, s->count + i + 1, (size_t)(s->n - i - 1) * sizeof s->count[0]);
        memmove(s->last + i, s->last + i + 1, (size_t)(s->n - i - 1) * sizeof s->last[0]);
    }
    simple_remove(s, i);
    return true;
}

/* TTLs and deletes: exact against the simple simulator where removing is
 * simple, and for every policy never a hit on an object expired or deleted
 * since it was last admitted. */
static void ttls_expire_and_deletes_remove(void **state)
{
    (void)state;
    struct hp_cache *c;
    assert_int_equal(hp_cache_new(HP_CACHE_LRU, 10, false, &c), 0);
    assert_false(hp_cache_access_ttl(c, 1, 1, 0, 5));
    assert_true(hp_cache_access_ttl(c, 1, 1, 4, 5));
    assert_false(hp_cache_access_ttl(c, 1, 1, 5, 5)); /* expired at 0 + 5: fetched again */
    assert_true(hp_cache_access_ttl(c, 1, 1, 9, 5));  /* until 10 */
    assert_false(hp_cache_access_ttl(c, 2, 1, 9, 0)); /* no TTL: never expires */
    assert_true(hp_cache_access_ttl(c, 2, 1, 1000000, 0));
    assert_true(hp_cache_remove(c, 2));
    assert_false(hp_cache_remove(c, 2));
    assert_false(hp_cache_access(c, 2, 1));
    assert_int_equal(hp_cache_objects(c), 2);
    hp_cache_free(c);

    enum { KEYS = 300, N = 30000 };
    static int64_t live[KEYS]; /* expiry of the last admission; 0 when deleted */
    static struct simple s;
    for (int p = 0; p < HP_CACHE_NPOLICIES; p++) {
        for (int bytes = 0; bytes < 2; bytes++) {
            uint64_t cap = bytes ? 2000 : 40;
            bool exact = p == HP_CACHE_LRU || p == HP_CACHE_FIFO || p == HP_CACHE_CLOCK ||
                         p == HP_CACHE_SIEVE || p == HP_CACHE_LFU;
            assert_int_equal(hp_cache_new(p, cap, bytes, &c), 0);
            memset(&s, 0, sizeof s);
            s.policy = p;
            s.cap = cap;
            s.bytes = bytes;
            memset(live, 0, sizeof live);
            rng_state = 77 + (uint64_t)p;
            uint64_t hits = 0;
            for (int i = 0; i < N; i++) {
                int64_t now = i / 10;
                uint64_t key = skewed_key(KEYS);
                uint32_t size = (uint32_t)(key % 97) + 1;
                if (next_rand() % 50 == 0) { /* a delete */
                    bool had = hp_cache_remove(c, key);
                    assert_true(!had || live[key] != 0); /* held (expired or not) since admitted */
                    if (exact)
                        assert_int_equal(had, simple_remove_key(&s, key));
                    live[key] = 0;
                    continue;
                }
                int64_t ttl = key % 3 == 0 ? 0 : (int64_t)(key % 40) + 1;
                bool got = hp_cache_access_ttl(c, key, size, now, ttl);
                if (got && live[key] <= now)
                    fail_msg("%s: a hit on key %llu at %lld, expired or deleted at %lld",
                             hp_cache_policy_name(p), (unsigned long long)key, (long long)now,
                             (long long)live[key]);
                if (exact) {
                    if (simple_find(&s, key) >= 0 && live[key] <= now)
                        simple_remove_key(&s, key);
                    assert_int_equal(got, simple_access(&s, key, size));
                }
                if (!got)
                    live[key] = ttl ? now + ttl : INT64_MAX;
                hits += got;
                assert_true(hp_cache_used(c) <= cap);
            }
            if (exact)
                assert_int_equal(hp_cache_used(c), s.used);
            assert_true(hits > N / 10);
            free(s.cm);
            hp_cache_free(c);
        }
    }
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
        /* both variants against the simple MIN: arrays, the furthest next
         * use leaves; with bypass the newcomer competes (and one never
         * needed again is not admitted) */
        int misses_of[2];
        for (int bypass = 0; bypass < 2; bypass++) {
            struct hp_belady *b;
            assert_int_equal(hp_belady_new(caps[k], false, bypass, &b), 0);
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
                    if (bypass && next[i] == HP_BELADY_NEVER) {
                        /* not admitted */
                    } else if ((uint64_t)n < caps[k]) {
                        ck[n] = keys[i], cn[n++] = next[i];
                    } else {
                        int far = 0;
                        for (int j = 1; j < n; j++)
                            if (cn[j] > cn[far])
                                far = j;
                        if (!bypass || cn[far] > next[i])
                            ck[far] = keys[i], cn[far] = next[i];
                    }
                }
                assert_int_equal(hit, at >= 0);
            }
            assert_int_equal(misses, simple_misses);
            misses_of[bypass] = misses;
            hp_belady_free(b);
        }
        assert_true(misses_of[1] <= misses_of[0]); /* declining to admit can only help */
        int misses = misses_of[0];
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
    /* ttl and op columns; a header line of words is skipped unasked */
    const char *ops = "time,key,size,ttl,op\n"
                      "1,7,10,60,get\n"
                      "2,7,10,0,DELETE\n"
                      "3,8,10,5,set\n";
    write_file(csv, ops, strlen(ops));
    assert_int_equal(hp_trace_columns("time,key,size,ttl,op", &spec, &err), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(hp_trace_read(csv, &spec, see, &s, NULL, &err), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.r[0].ttl, 60);
    assert_false(s.r[0].del);
    assert_true(s.r[1].del);
    assert_int_equal(s.r[2].ttl, 5);
    assert_false(s.r[2].del);
    const char *badop = "1,7,10,60,get\n2,7,10,0,evict\n";
    write_file(csv, badop, strlen(badop));
    assert_int_equal(hp_trace_read(csv, &spec, see, &s, NULL, &err), HP_EPARSE);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "('evict') is not an op"));
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

/* Generated sizes follow their distribution: medians (robust even for
 * Pareto's heavy tail) over 200k objects within 3% of the formula's. */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void generated_sizes_follow_their_distribution(void **state)
{
    (void)state;
    enum { N = 200000 };
    static uint32_t z[N];
    static const struct {
        const char *dist;
        double median; /* for a mean of 1000 */
    } cases[] = {
        {"fixed", 1000},
        {"uniform", 1000},
        {"exp", 1000 * 0.69314718},          /* mean ln 2 */
        {"lognormal", 1000 * 0.60653066},    /* mean e^(-s^2/2), s = 1 */
        {"lognormal:2", 1000 * 0.13533528},  /* e^-2 */
        {"pareto", 1000.0 / 3 * 1.58740105}, /* x_m 2^(1/a): x_m = mean (a-1)/a */
        {"pareto:3", 1000.0 * 2 / 3 * 1.25992105},
    };
    struct hp_err err;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct hp_trace_gen g = {.mean_size = 1000, .seed = 3};
        assert_int_equal(hp_size_dist_parse(cases[c].dist, &g, &err), 0);
        double sum = 0;
        for (uint64_t k = 0; k < N; k++) {
            z[k] = hp_trace_gen_size(&g, k + 1);
            assert_true(z[k] >= 1);
            sum += z[k];
        }
        qsort(z, N, sizeof z[0], cmp_u32);
        double median = z[N / 2];
        if (fabs(median - cases[c].median) > 0.03 * cases[c].median)
            fail_msg("%s: median %g, expected %g", cases[c].dist, median, cases[c].median);
        if (strncmp(cases[c].dist, "pareto", 6) != 0 && fabs(sum / N - 1000) > 30)
            fail_msg("%s: mean %g, expected 1000", cases[c].dist, sum / N);
    }
    struct hp_trace_gen g = {.mean_size = 1000};
    assert_int_equal(hp_size_dist_parse("pareto:1", &g, &err), HP_EPARSE);
    assert_int_equal(hp_size_dist_parse("exp:2", &g, &err), HP_EPARSE);
    assert_int_equal(hp_size_dist_parse("zipf", &g, &err), HP_EPARSE);
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
        cmocka_unit_test(eviction_order_is_as_worked_by_hand),
        cmocka_unit_test(s3fifo_eviction_order_is_as_worked_by_hand),
        cmocka_unit_test(a_long_trace_keeps_the_table_straight),
        cmocka_unit_test(ttls_expire_and_deletes_remove),
        cmocka_unit_test(belady_is_min_and_never_worse),
        cmocka_unit_test(mrc_equals_lru_simulation_at_every_size),
        cmocka_unit_test(shards_stays_close_to_exact),
        cmocka_unit_test(mrc_alloc_failures_leak_nothing),
        cmocka_unit_test(traces_round_trip),
        cmocka_unit_test(generated_sizes_follow_their_distribution),
        cmocka_unit_test(cache_alloc_failures_leak_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
