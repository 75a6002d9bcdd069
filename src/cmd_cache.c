// SPDX-License-Identifier: MIT
/* src/cmd_cache.c - `hotpath cache sim`: replay an access trace through
 * eviction policies at several sizes in one pass; miss ratio and byte miss
 * ratio for each. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cache/belady.h"
#include "cache/mrc.h"
#include "cache/policy.h"
#include "cache/trace.h"
#include "cli.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/units.h"

enum {
    O_FORMAT = 1,
    O_COLUMNS,
    O_HEADER,
    O_DELIM,
    O_POLICIES,
    O_SIZES,
    O_BYTES,
    O_JSON,
    O_ZIPF,
    O_OBJECTS,
    O_REQUESTS,
    O_SEED,
    O_OUTPUT,
    O_OBJ_SIZE,
    O_RATE,
    O_MAX_KEYS,
    O_POINTS,
    O_COMPARE,
    O_TARGET_HIT,
    O_ONE_HIT,
    O_SCAN,
    O_TIERS,
    O_LATENCY,
    O_SIZE_DIST
};

static const struct cli_opt cache_opts[] = {
    {O_FORMAT, "format", 0, "FORMAT",
     "oracle (libCacheSim's oracleGeneral binary records), csv or text (a key a line). By "
     "default told by the name: oracleGeneral or .bin is oracle, .csv is csv, else text. Any of "
     "them may be gzip or zstd."},
    {O_COLUMNS, "columns", 0, "LIST",
     "csv: what each column holds, in order: time, key, size, ttl (seconds; 0 for none), op, "
     "or - to skip one (default time,key,size). Keys that are not numbers are hashed. An op "
     "of delete or del removes the object (from every tier); get, gets, set, add, replace, "
     "cas, append, prepend, incr, decr, read and write are requests. With TTLs an object "
     "asked for at or after its expiry is a miss (lazy expiry, as most caches do)."},
    {O_HEADER, "header", 0, NULL,
     "csv: the first line is a header (one whose time, size or ttl column is a word is skipped "
     "anyway)."},
    {O_DELIM, "delim", 0, "CHAR", "csv: the separator (default ,)."},
    {O_POLICIES, "policies", 0, "LIST",
     "Eviction policies, comma-separated: lru, fifo, clock, sieve, s3fifo, 2q, lfu, arc, "
     "wtinylfu (default: these), "
     "and belady, the offline optimum (the lower bound of caches that admit every miss, as all "
     "these do; libCacheSim's Belady exactly; it holds the trace in memory, 20 bytes a "
     "request), or belady-bypass (it may also decline to admit: lower still)."},
    {O_SIZES, "sizes", 0, "LIST",
     "Cache sizes, comma-separated: a share of the working set (10%), objects (1000), or with "
     "--bytes bytes (64MiB). Default 1%,2%,5%,10%,20%."},
    {O_BYTES, "bytes", 0, NULL,
     "Capacity in bytes, objects weighted by their size (default: capacity in objects)."},
    {O_JSON, "json", 0, "FILE", "Write the results as a result document (kind cache)."},
    {O_TIERS, "tiers", 0, "LIST",
     "sim: a layered cache instead of --sizes: NAME:SIZE:POLICY,... from the users' side "
     "(e.g. edge:1GiB:lru,shield:20GiB:s3fifo); a miss goes to the next tier, the last one's "
     "to the origin, and every tier admits what it missed. SIZE in objects, or bytes with "
     "--bytes. NAME:SIZE:POLICY:TTL caps how long the tier keeps an object (edge:1GiB:lru:5m); "
     "a ttl column in the trace sets each object's, and the smaller applies."},
    {O_LATENCY, "latency", 0, "LIST",
     "sim --tiers: what an answer costs from each tier and the origin, NAME=DURATION,... "
     "(e.g. edge=5ms,shield=30ms,origin=150ms): gives the users' mean and p99 latency."},
    {O_TARGET_HIT, "target-hit", 0, "PCT",
     "sim: instead of --sizes, find each policy's smallest cache whose hit ratio reaches PCT "
     "(e.g. 90%), to one object (or 0.1% of the bytes) by rounds of 16 sizes in one pass each."},
    {O_RATE, "rate", 0, "R",
     "mrc: SHARDS at a fixed sampling rate (0.01 or 1%): the share of keys followed. Default "
     "1, the exact curve."},
    {O_MAX_KEYS, "max-keys", 0, "N",
     "mrc: fixed-size SHARDS: follow at most N keys, lowering the rate as needed (memory "
     "bounded whatever the trace)."},
    {O_POINTS, "points", 0, "N",
     "mrc: sizes at which to print the curve, spaced evenly on a log scale up to the working "
     "set (default 20)."},
    {O_COMPARE, "compare", 0, NULL,
     "mrc: with --rate or --max-keys, also compute the exact curve and report the sampled "
     "one's mean absolute error against it."},
    {O_ZIPF, "zipf", 0, "ALPHA", "gen: popularity follows Zipf(ALPHA) (default 1.0)."},
    {O_ONE_HIT, "one-hit", 0, "PCT",
     "gen: this share of the requests goes to one-hit wonders, new keys never requested again."},
    {O_SCAN, "scan", 0, "PCT",
     "gen: this share of the requests is a scan: keys of their own, one after another, "
     "wrapping after --objects (a periodic full read)."},
    {O_OBJECTS, "objects", 0, "N", "gen: distinct objects (default 1000000)."},
    {O_REQUESTS, "requests", 'n', "N", "gen: requests (default 10000000)."},
    {O_SEED, "seed", 0, "N", "gen: the random seed (default 1): the same seed, the same trace."},
    {O_OBJ_SIZE, "object-size", 0, "SIZE",
     "gen: the mean of the objects' sizes (default 4KiB); each object's is fixed, drawn from "
     "--size-dist."},
    {O_SIZE_DIST, "size-dist", 0, "DIST",
     "gen: how sizes spread about the mean: uniform (1 byte to twice the mean, the default), "
     "fixed, exp, lognormal[:SIGMA] (the log's spread, default 1) or pareto[:ALPHA] (the tail "
     "index, above 1, default 1.5: a few huge objects)."},
    {O_OUTPUT, "output", 'o', "FILE",
     "gen: where to write; FILE.oracleGeneral (the default format), FILE.csv or FILE.txt by "
     "the name, or --format."},
    {0, NULL, 0, NULL, NULL},
};

#define MAX_SIZES 32
#define MAX_RUNS (MAX_SIZES * (HP_CACHE_NPOLICIES + 1) * 2) /* also TARGET_GRID per policy */

struct size_arg {
    double share; /* of the working set, or NAN */
    uint64_t absolute;
};

#define BELADY HP_CACHE_NPOLICIES /* a run's policy: Belady's offline optimum */
#define BELADY_BYPASS (HP_CACHE_NPOLICIES + 1) /* the same, declining to admit too */

struct run {
    int policy; /* an hp_cache_policy, or BELADY */
    uint64_t capacity;
    struct hp_cache *cache;
    struct hp_belady *belady;
    uint64_t misses, miss_bytes;
};

static const char *run_name(const struct run *u)
{
    return u->policy == BELADY          ? "belady"
           : u->policy == BELADY_BYPASS ? "belady-bypass"
                                        : hp_cache_policy_name((enum hp_cache_policy)u->policy);
}

/* The trace in memory, for Belady's next accesses: 20 bytes a request (36
 * with TTLs); deletes apart, as (request index, key), so that the next
 * accesses are requests only. */
struct loaded {
    uint64_t *keys, *next;
    uint32_t *sizes;
    int64_t *times, *ttls; /* with a ttl column only */
    uint64_t n, cap;
    bool timed;
    struct del {
        uint64_t at, key;
    } * dels;
    size_t ndels, dcap;
};

static int load(void *ctx, const struct hp_cache_req *r)
{
    struct loaded *l = ctx;
    if (r->del) {
        if (HP_GROW(l->dels, l->dcap, l->ndels + 1, 1024) < 0)
            return -ENOMEM;
        l->dels[l->ndels++] = (struct del){l->n, r->key};
        return 0;
    }
    if (l->n == l->cap) {
        uint64_t cap = l->cap ? l->cap * 2 : 1 << 20;
        uint64_t *k = hp_realloc(l->keys, cap * sizeof *k);
        if (!k)
            return -ENOMEM;
        l->keys = k;
        uint32_t *z = hp_realloc(l->sizes, cap * sizeof *z);
        if (!z)
            return -ENOMEM;
        l->sizes = z;
        if (l->timed) {
            int64_t *t = hp_realloc(l->times, cap * sizeof *t);
            if (!t)
                return -ENOMEM;
            l->times = t;
            t = hp_realloc(l->ttls, cap * sizeof *t);
            if (!t)
                return -ENOMEM;
            l->ttls = t;
        }
        l->cap = cap;
    }
    if (l->timed) {
        l->times[l->n] = r->time;
        l->ttls[l->n] = r->ttl;
    }
    l->keys[l->n] = r->key;
    l->sizes[l->n++] = r->size;
    return 0;
}

struct sim {
    struct run runs[MAX_RUNS];
    int nruns;
    bool bytes, timed; /* timed: the trace has TTLs */
    uint64_t requests, req_bytes, deletes;
    uint64_t next; /* the current request's next access, for Belady */
};

/* ---- the working set: the first pass ----------------------------------- */

struct wset {
    uint64_t *keys; /* open addressing; 0 is empty, key 0 stored as a flag */
    uint64_t size, used, bytes;
    bool zero;
};

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static int wset_add(void *ctx, const struct hp_cache_req *r)
{
    struct wset *w = ctx;
    if (r->del)
        return 0;
    if (r->key == 0) {
        if (!w->zero) {
            w->zero = true;
            w->bytes += r->size;
        }
        return 0;
    }
    if ((w->used + 1) * 2 > w->size) {
        uint64_t n = w->size ? w->size * 2 : 1 << 16;
        uint64_t *k = hp_calloc(n, sizeof *k);
        if (!k)
            return -ENOMEM;
        for (uint64_t i = 0; i < w->size; i++)
            if (w->keys[i]) {
                uint64_t s = mix(w->keys[i]) & (n - 1);
                while (k[s])
                    s = (s + 1) & (n - 1);
                k[s] = w->keys[i];
            }
        hp_free(w->keys);
        w->keys = k;
        w->size = n;
    }
    uint64_t s = mix(r->key) & (w->size - 1);
    for (; w->keys[s]; s = (s + 1) & (w->size - 1))
        if (w->keys[s] == r->key)
            return 0;
    w->keys[s] = r->key;
    w->used++;
    w->bytes += r->size;
    return 0;
}

/* ---- the simulation: the second pass ----------------------------------- */

static int simulate(void *ctx, const struct hp_cache_req *r)
{
    struct sim *s = ctx;
    if (r->del) { /* Belady needs none: it may evict anything at any time */
        s->deletes++;
        for (int i = 0; i < s->nruns; i++)
            if (s->runs[i].cache)
                hp_cache_remove(s->runs[i].cache, r->key);
        return 0;
    }
    s->requests++;
    s->req_bytes += r->size;
    for (int i = 0; i < s->nruns; i++) {
        struct run *u = &s->runs[i];
        bool hit = u->belady  ? hp_belady_access(u->belady, r->key, r->size, s->next)
                   : s->timed ? hp_cache_access_ttl(u->cache, r->key, r->size, r->time, r->ttl)
                              : hp_cache_access(u->cache, r->key, r->size);
        if (!hit) {
            u->misses++;
            u->miss_bytes += r->size;
        }
    }
    return 0;
}

static enum hp_trace_format format_of(const char *path)
{
    if (strstr(path, "oracleGeneral") || strstr(path, ".bin"))
        return HP_TRACE_ORACLE;
    if (strstr(path, ".csv"))
        return HP_TRACE_CSV;
    return HP_TRACE_TEXT;
}

/* What every cache document's config says first (docs/result-format.md). */
static int cache_config(struct hp_result *r, const char *command, const char *trace, bool bytes)
{
    int rc = hp_result_config_str(r, "command", command);
    rc = rc ? rc : hp_result_config_str(r, "trace", trace);
    return rc ? rc : hp_result_config_str(r, "capacity_unit", bytes ? "bytes" : "objects");
}

static int write_json(const char *path, const char *trace, const char *format, const struct sim *s,
                      const struct wset *w, int64_t wall0, double secs, struct hp_err *err)
{
    struct hp_result *r = NULL;
    int rc = hp_result_new("cache", &r);
    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    hp_result_set_started(r, wall0);
    hp_result_set_duration(r, secs);
    rc = cache_config(r, "sim", trace, s->bytes);
    rc = rc ? rc : hp_result_config_str(r, "format", format);
    rc = rc ? rc : hp_result_metric(r, "requests", (double)s->requests, "count");
    rc = rc ? rc : hp_result_metric(r, "requests_per_s", (double)s->requests / secs, "1/s");
    if (w->used || w->zero) {
        rc = rc ? rc : hp_result_metric(r, "objects", (double)(w->used + w->zero), "count");
        rc = rc ? rc : hp_result_metric(r, "working_set_bytes", (double)w->bytes, "bytes");
    }
    json_t *arr = json_array();
    if (!arr || json_object_set_new(hp_result_json(r), "results", arr))
        rc = rc ? rc : -ENOMEM;
    for (int i = 0; i < s->nruns && rc == 0; i++) {
        const struct run *u = &s->runs[i];
        double mr = s->requests ? (double)u->misses / (double)s->requests : 0;
        double bmr = s->req_bytes ? (double)u->miss_bytes / (double)s->req_bytes : 0;
        json_t *o = json_pack("{s:s, s:I, s:I, s:f, s:f}", "policy", run_name(u), "capacity",
                              (json_int_t)u->capacity, "misses", (json_int_t)u->misses,
                              "miss_ratio", mr, "byte_miss_ratio", bmr);
        if (!o || json_array_append_new(arr, o))
            rc = -ENOMEM;
        char name[48];
        snprintf(name, sizeof name, "miss_ratio_%s", run_name(u));
        rc = rc ? rc : hp_result_series_point(r, name, "ratio", (double)u->capacity, mr);
    }
    rc = rc == 0 ? hp_result_write(r, path, err) : hp_err_set(err, rc, "out of memory");
    hp_result_free(r);
    return rc;
}

/* What sim and mrc share: the trace, its format, and the options. */
struct cache_args {
    const char *trace, *format_text, *columns, *json, *policies, *sizes, *rate_text, *target;
    const char *tiers, *latency;
    struct hp_trace_spec spec;
    bool bytes, compare;
    int64_t max_keys, points;
};

/* Parse the options; -1 when parsing went on, else the exit code. */
static int parse_args(const struct hp_cmd *cmd, struct cli_parser *p, const char *sub,
                      struct cache_args *a)
{
    const char *v;
    int id;
    *a = (struct cache_args){.columns = "time,key,size",
                             .policies = "lru,fifo,clock,sieve,s3fifo,2q,lfu,arc,wtinylfu",
                             .sizes = "1%,2%,5%,10%,20%",
                             .spec = {.delim = ','},
                             .points = 20};
    while ((id = cli_next(p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (a->trace)
                return cli_usage_error(cmd, "one trace at a time ('%s' and '%s')", a->trace, v);
            a->trace = v;
            break;
        case O_FORMAT: a->format_text = v; break;
        case O_COLUMNS: a->columns = v; break;
        case O_HEADER: a->spec.header = true; break;
        case O_DELIM:
            if (strlen(v) != 1)
                return cli_usage_error(cmd, "--delim %s: one character", v);
            a->spec.delim = v[0];
            break;
        case O_POLICIES: a->policies = v; break;
        case O_SIZES: a->sizes = v; break;
        case O_BYTES: a->bytes = true; break;
        case O_JSON: a->json = v; break;
        case O_RATE: a->rate_text = v; break;
        case O_MAX_KEYS:
            if (!cli_int(cmd, "max-keys", v, 1, 1000000000, &a->max_keys))
                return HP_EXIT_USAGE;
            break;
        case O_POINTS:
            if (!cli_int(cmd, "points", v, 2, 10000, &a->points))
                return HP_EXIT_USAGE;
            break;
        case O_COMPARE: a->compare = true; break;
        case O_TARGET_HIT: a->target = v; break;
        case O_TIERS: a->tiers = v; break;
        case O_LATENCY: a->latency = v; break;
        }
    }
    if (!a->trace)
        return cli_usage_error(cmd, "a trace is needed: hotpath cache %s TRACE", sub);
    if (!a->format_text)
        a->spec.format = format_of(a->trace);
    else if (strcmp(a->format_text, "oracle") == 0)
        a->spec.format = HP_TRACE_ORACLE;
    else if (strcmp(a->format_text, "csv") == 0)
        a->spec.format = HP_TRACE_CSV;
    else if (strcmp(a->format_text, "text") == 0)
        a->spec.format = HP_TRACE_TEXT;
    else
        return cli_usage_error(cmd, "--format %s: expected oracle, csv or text", a->format_text);
    struct hp_err err = {0};
    if (a->spec.format == HP_TRACE_CSV && hp_trace_columns(a->columns, &a->spec, &err) < 0)
        return cli_fail(cmd, HP_EPARSE, &err);
    return -1;
}

#define TARGET_GRID 16

/* --target-hit: rounds of TARGET_GRID sizes per policy between the largest
 * size known to miss the target and the smallest known to reach it, all
 * simulated in one pass over the trace, until they are one object (or 0.1%
 * of the bytes) apart. A miss-ratio curve that is not monotonic (FIFO can
 * show Belady's anomaly) may hide a smaller size that reaches it. */
static int run_target(const struct hp_cmd *cmd, const struct cache_args *a, const int *pol, int np,
                      double target, struct hp_err *err)
{
    struct wset w = {0};
    int rc = hp_trace_read(a->trace, &a->spec, wset_add, &w, NULL, err);
    uint64_t ws = a->bytes ? w.bytes : w.used + w.zero;
    hp_free(w.keys);
    if (rc < 0)
        return cli_fail(cmd, rc, err);
    uint64_t lo[HP_CACHE_NPOLICIES * 2], hi[HP_CACHE_NPOLICIES * 2];
    double hit_at_hi[HP_CACHE_NPOLICIES * 2];
    for (int i = 0; i < np; i++)
        lo[i] = 0, hi[i] = ws ? ws : 1, hit_at_hi[i] = -1;
    static struct sim s;
    int rounds = 0;
    uint64_t requests = 0;
    for (bool more = true; more && rc == 0; rounds++) {
        memset(&s, 0, sizeof s);
        s.bytes = a->bytes;
        s.timed = a->spec.ttl_col > 0;
        more = false;
        for (int i = 0; i < np && rc == 0; i++) {
            uint64_t span = hi[i] - lo[i], close = a->bytes ? (hi[i] / 1000 ? hi[i] / 1000 : 1) : 1;
            if (span <= close && hit_at_hi[i] >= 0)
                continue;
            more = true;
            for (int k = 1; k <= TARGET_GRID && rc == 0; k++) {
                uint64_t cap = lo[i] + (span * (uint64_t)k + TARGET_GRID - 1) / TARGET_GRID;
                if (cap <= lo[i] || (k > 1 && cap == s.runs[s.nruns - 1].capacity))
                    continue;
                struct run *u = &s.runs[s.nruns];
                u->policy = pol[i];
                u->capacity = cap;
                rc = hp_cache_new((enum hp_cache_policy)pol[i], cap, a->bytes, &u->cache);
                if (rc < 0)
                    hp_err_set(err, rc, "out of memory");
                else
                    s.nruns++;
            }
        }
        if (more && rc == 0)
            rc = hp_trace_read(a->trace, &a->spec, simulate, &s, NULL, err);
        if (more)
            requests = s.requests;
        for (int r = 0; r < s.nruns; r++) {
            struct run *u = &s.runs[r];
            int i = 0;
            while (pol[i] != u->policy)
                i++;
            double hit = s.requests ? 1 - (double)u->misses / (double)s.requests : 0;
            if (rc == 0 && hit >= target && u->capacity <= hi[i]) {
                if (u->capacity < hi[i] || hit_at_hi[i] < 0)
                    hi[i] = u->capacity, hit_at_hi[i] = hit;
            } else if (rc == 0 && u->capacity > lo[i] && u->capacity < hi[i]) {
                lo[i] = u->capacity;
            }
            hp_cache_free(u->cache);
        }
        if (rounds > 64)
            break;
    }
    if (rc < 0)
        return cli_fail(cmd, rc, err);
    char c1[32], c2[32];
    printf("# the smallest cache reaching a %.4g%% hit ratio on %s (%s requests, working set "
           "%s), %d rounds\n",
           100 * target, a->trace, hp_format_count((double)requests, c1, sizeof c1),
           a->bytes ? hp_format_size((int64_t)ws, c2, sizeof c2)
                    : hp_format_count((double)ws, c2, sizeof c2),
           rounds);
    printf("%-13s %8s %8s %10s\n", "policy", "capacity", "share", "hit ratio");
    for (int i = 0; i < np; i++) {
        struct run u = {.policy = pol[i]};
        char cap[32];
        if (hit_at_hi[i] < 0) {
            printf("%-13s %8s %8s %10s  (not reached even at the whole working set)\n",
                   run_name(&u), "-", "-", "-");
            continue;
        }
        if (a->bytes)
            hp_format_size((int64_t)hi[i], cap, sizeof cap);
        else
            snprintf(cap, sizeof cap, "%llu", (unsigned long long)hi[i]);
        printf("%-13s %8s %7.3g%% %10.4f\n", run_name(&u), cap,
               ws ? 100.0 * (double)hi[i] / (double)ws : 0, hit_at_hi[i]);
    }
    return HP_EXIT_OK;
}

/* ---- tiers ---------------------------------------------------------------- */

#define MAX_TIERS 8

struct tier {
    char name[32];
    struct hp_cache *cache;
    uint64_t capacity;
    enum hp_cache_policy policy;
    uint64_t requests, hits, bytes_in, hit_bytes;
    int64_t latency_ns; /* -1: not given */
    int64_t ttl;        /* seconds; 0: none */
};

/* A latency and how many answers cost it. */
struct lat_pt {
    int64_t ns;
    uint64_t count;
};

struct layered {
    struct tier t[MAX_TIERS];
    int n;
    uint64_t requests, bytes, origin, origin_bytes;
    double mean_ns;
    int64_t p99_ns;
};

static int tier_access(void *ctx, const struct hp_cache_req *r)
{
    struct layered *l = ctx;
    if (r->del) { /* an invalidation (a purge): every tier drops it */
        for (int i = 0; i < l->n; i++)
            hp_cache_remove(l->t[i].cache, r->key);
        return 0;
    }
    l->requests++;
    l->bytes += r->size;
    for (int i = 0; i < l->n; i++) {
        struct tier *t = &l->t[i];
        t->requests++;
        t->bytes_in += r->size;
        /* the object's TTL, capped by the tier's */
        int64_t ttl = r->ttl > 0 && (t->ttl <= 0 || r->ttl < t->ttl) ? r->ttl : t->ttl;
        if (hp_cache_access_ttl(t->cache, r->key, r->size, r->time, ttl)) {
            t->hits++;
            t->hit_bytes += r->size;
            return 0;
        }
    }
    l->origin++;
    l->origin_bytes += r->size;
    return 0;
}

static int run_tiers(const struct hp_cmd *cmd, const struct cache_args *a, struct hp_err *err)
{
    static struct layered l;
    memset(&l, 0, sizeof l);
    char buf[512], *items[MAX_TIERS];
    int n = cli_split(cmd, "tiers", a->tiers, buf, sizeof buf, items, MAX_TIERS);
    if (n < 0)
        return HP_EXIT_USAGE;
    int code = HP_EXIT_OK;
    bool ttls = a->spec.ttl_col > 0;
    for (int i = 0; i < n; i++, l.n++) {
        struct tier *t = &l.t[i];
        char *size = strchr(items[i], ':'), *policy = size ? strchr(size + 1, ':') : NULL;
        char *ttl = policy ? strchr(policy + 1, ':') : NULL;
        if (!size || !policy || size == items[i]) {
            code = cli_usage_error(cmd, "--tiers: '%s' is not NAME:SIZE:POLICY[:TTL]", items[i]);
            goto out;
        }
        *size++ = '\0';
        *policy++ = '\0';
        if (ttl) {
            *ttl++ = '\0';
            int64_t ns;
            if (hp_parse_duration(ttl, &ns, NULL) < 0 || ns < 1000000000) {
                code = cli_usage_error(
                    cmd, "--tiers: %s's TTL '%s' is not a duration of 1s or more", items[i], ttl);
                goto out;
            }
            l.t[i].ttl = ns / 1000000000;
            ttls = true;
        }
        snprintf(t->name, sizeof t->name, "%s", items[i]);
        int p = hp_cache_policy_parse(policy);
        int64_t b;
        double f;
        if (p < 0) {
            code = cli_usage_error(cmd,
                                   "--tiers: %s's policy '%s' is not one of lru, fifo, "
                                   "clock, sieve, s3fifo, 2q, lfu, arc, wtinylfu",
                                   t->name, policy);
            goto out;
        }
        if (a->bytes ? hp_parse_size(size, &b, NULL) < 0 || b < 1
                     : hp_parse_number(size, &f, NULL) < 0 || f < 1 || f != floor(f)) {
            code = cli_usage_error(cmd, "--tiers: %s's size '%s' is not %s", t->name, size,
                                   a->bytes ? "a size in bytes (1GiB)" : "a number of objects");
            goto out;
        }
        t->policy = (enum hp_cache_policy)p;
        t->capacity = a->bytes ? (uint64_t)b : (uint64_t)f;
        t->latency_ns = -1;
        if (hp_cache_new(t->policy, t->capacity, a->bytes, &t->cache) < 0) {
            code = cli_fail(cmd, -ENOMEM, NULL);
            goto out;
        }
    }
    int64_t origin_ns = -1;
    if (a->latency) {
        char lbuf[512], *litems[MAX_TIERS + 1];
        int nl = cli_split(cmd, "latency", a->latency, lbuf, sizeof lbuf, litems, MAX_TIERS + 1);
        if (nl < 0) {
            code = HP_EXIT_USAGE;
            goto out;
        }
        for (int i = 0; i < nl; i++) {
            char *eq = strchr(litems[i], '=');
            int64_t ns;
            if (!eq || hp_parse_duration(eq + 1, &ns, NULL) < 0) {
                code = cli_usage_error(cmd, "--latency: '%s' is not NAME=DURATION (edge=5ms)",
                                       litems[i]);
                goto out;
            }
            *eq = '\0';
            int k = 0;
            while (k < l.n && strcmp(l.t[k].name, litems[i]) != 0)
                k++;
            if (strcmp(litems[i], "origin") == 0)
                origin_ns = ns;
            else if (k < l.n)
                l.t[k].latency_ns = ns;
            else {
                code =
                    cli_usage_error(cmd, "--latency: no tier named '%s' (nor origin)", litems[i]);
                goto out;
            }
        }
    }
    if (ttls && !(a->spec.format == HP_TRACE_ORACLE || a->spec.time_col)) {
        code = cli_usage_error(cmd, "TTLs need the requests' times: a CSV trace with a time "
                                    "column (--columns time,key,...) or an oracleGeneral one");
        goto out;
    }
    int rc = hp_trace_read(a->trace, &a->spec, tier_access, &l, NULL, err);
    if (rc < 0) {
        code = cli_fail(cmd, rc, err);
        goto out;
    }
    char c1[32], c2[32];
    printf("# %s requests (%s) from %s through %d tier%s\n",
           hp_format_count((double)l.requests, c1, sizeof c1),
           hp_format_size((int64_t)l.bytes, c2, sizeof c2), a->trace, l.n, l.n == 1 ? "" : "s");
    printf("%-10s %-8s %14s %10s %10s %12s %14s%s\n", "tier", "policy", "capacity", "requests",
           "hit ratio", "answers all", "byte hit ratio", ttls ? "  ttl" : "");
    for (int i = 0; i < l.n; i++) {
        const struct tier *t = &l.t[i];
        char cap[32];
        if (a->bytes)
            hp_format_size((int64_t)t->capacity, cap, sizeof cap);
        else
            snprintf(cap, sizeof cap, "%llu", (unsigned long long)t->capacity);
        printf("%-10s %-8s %14s %10s %10.4f %11.1f%% %14.4f", t->name,
               hp_cache_policy_name(t->policy), cap,
               hp_format_count((double)t->requests, c1, sizeof c1),
               t->requests ? (double)t->hits / (double)t->requests : 0,
               l.requests ? 100.0 * (double)t->hits / (double)l.requests : 0,
               t->bytes_in ? (double)t->hit_bytes / (double)t->bytes_in : 0);
        if (ttls)
            printf("  %s", t->ttl ? hp_format_duration(t->ttl * 1000000000, c2, sizeof c2)
                           : a->spec.ttl_col ? "trace's"
                                             : "-");
        printf("\n");
    }
    printf("origin: %s requests, %s: offload %.2f%% of requests, %.2f%% of bytes\n",
           hp_format_count((double)l.origin, c1, sizeof c1),
           hp_format_size((int64_t)l.origin_bytes, c2, sizeof c2),
           l.requests ? 100.0 * (1 - (double)l.origin / (double)l.requests) : 0,
           l.bytes ? 100.0 * (1 - (double)l.origin_bytes / (double)l.bytes) : 0);
    bool all = origin_ns >= 0;
    for (int i = 0; i < l.n; i++)
        all = all && l.t[i].latency_ns >= 0;
    if (a->latency && !all)
        printf("# --latency names some tiers but not all (and origin): no latency figures\n");
    if (all && l.requests) {
        /* an answer from tier k costs that tier's latency; the origin's, the origin's */
        double mean = 0;
        struct lat_pt pts[MAX_TIERS + 1];
        int np = 0;
        for (int i = 0; i < l.n; i++) {
            mean += (double)l.t[i].hits * (double)l.t[i].latency_ns;
            pts[np].ns = l.t[i].latency_ns, pts[np++].count = l.t[i].hits;
        }
        mean += (double)l.origin * (double)origin_ns;
        pts[np].ns = origin_ns, pts[np++].count = l.origin;
        for (int i = 1; i < np; i++) /* by latency, for the percentile */
            for (int j = i; j > 0 && pts[j].ns < pts[j - 1].ns; j--) {
                struct lat_pt tmp = pts[j];
                pts[j] = pts[j - 1];
                pts[j - 1] = tmp;
            }
        uint64_t want = (uint64_t)ceil(0.99 * (double)l.requests), seen = 0;
        int64_t p99 = pts[np - 1].ns;
        for (int i = 0; i < np; i++) {
            seen += pts[i].count;
            if (seen >= want) {
                p99 = pts[i].ns;
                break;
            }
        }
        printf("users' latency: mean %s, p99 %s\n",
               hp_format_duration((int64_t)(mean / (double)l.requests), c1, sizeof c1),
               hp_format_duration(p99, c2, sizeof c2));
        l.mean_ns = mean / (double)l.requests;
        l.p99_ns = p99;
    }
    fflush(stdout);
    if (a->json) {
        struct hp_result *r = NULL;
        int e = hp_result_new("cache", &r);
        e = e ? e : cache_config(r, "sim", a->trace, a->bytes);
        e = e ? e : hp_result_config_str(r, "tiers", a->tiers);
        e = e ? e : hp_result_metric(r, "requests", (double)l.requests, "count");
        e = e ? e : hp_result_metric(r, "origin_requests", (double)l.origin, "count");
        e = e ? e : hp_result_metric(r, "origin_bytes", (double)l.origin_bytes, "bytes");
        e = e ? e
              : hp_result_metric(r, "offload",
                                 l.requests ? 1 - (double)l.origin / (double)l.requests : 0,
                                 "ratio");
        e = e ? e
              : hp_result_metric(r, "byte_offload",
                                 l.bytes ? 1 - (double)l.origin_bytes / (double)l.bytes : 0,
                                 "ratio");
        if (l.p99_ns > 0) {
            e = e ? e : hp_result_metric(r, "latency_mean_ns", l.mean_ns, "ns");
            e = e ? e : hp_result_metric(r, "latency_p99_ns", (double)l.p99_ns, "ns");
        }
        json_t *arr = json_array();
        if (e == 0 && (!arr || json_object_set_new(hp_result_json(r), "tiers", arr)))
            e = -ENOMEM;
        for (int i = 0; i < l.n && e == 0; i++) {
            const struct tier *t = &l.t[i];
            json_t *o = json_pack(
                "{s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:I}", "name", t->name, "policy",
                hp_cache_policy_name(t->policy), "capacity", (json_int_t)t->capacity, "requests",
                (json_int_t)t->requests, "hits", (json_int_t)t->hits, "hit_bytes",
                (json_int_t)t->hit_bytes, "hit_ratio",
                t->requests ? (double)t->hits / (double)t->requests : 0.0, "byte_hit_ratio",
                t->bytes_in ? (double)t->hit_bytes / (double)t->bytes_in : 0.0, "ttl_s",
                (json_int_t)t->ttl);
            if (!o || json_array_append_new(arr, o))
                e = -ENOMEM;
        }
        e = e == 0 ? hp_result_write(r, a->json, err) : hp_err_set(err, e, "out of memory");
        hp_result_free(r);
        if (e < 0)
            code = cli_fail(cmd, -EIO, err);
    }
out:
    for (int i = 0; i < l.n; i++)
        hp_cache_free(l.t[i].cache);
    return code;
}

static int run_sim(const struct hp_cmd *cmd, struct cli_parser *p)
{
    struct cache_args a;
    int code = parse_args(cmd, p, "sim", &a);
    if (code >= 0)
        return code;
    const char *trace = a.trace, *json = a.json, *policies = a.policies, *sizes = a.sizes;
    struct hp_trace_spec spec = a.spec;
    bool bytes = a.bytes;
    struct hp_err err = {0};

    char pbuf[256], *pitems[HP_CACHE_NPOLICIES * 2];
    int np =
        cli_split(cmd, "policies", policies, pbuf, sizeof pbuf, pitems, HP_CACHE_NPOLICIES * 2);
    if (np < 0)
        return HP_EXIT_USAGE;
    int pol[HP_CACHE_NPOLICIES * 2];
    bool belady = false;
    for (int i = 0; i < np; i++) {
        pol[i] = strcmp(pitems[i], "belady") == 0          ? BELADY
                 : strcmp(pitems[i], "belady-bypass") == 0 ? BELADY_BYPASS
                                                           : hp_cache_policy_parse(pitems[i]);
        if (pol[i] < 0)
            return cli_usage_error(cmd,
                                   "--policies: '%s' is not one of lru, fifo, clock, sieve, "
                                   "s3fifo, 2q, lfu, arc, wtinylfu, belady, belady-bypass",
                                   pitems[i]);
        belady |= pol[i] == BELADY || pol[i] == BELADY_BYPASS;
    }
    if (a.tiers)
        return run_tiers(cmd, &a, &err);
    if (a.target) {
        double target;
        if (hp_parse_percent(a.target, &target, &err) < 0 || !(target > 0 && target < 1))
            return cli_usage_error(cmd, "--target-hit %s: a hit ratio above 0%% and under 100%%",
                                   a.target);
        if (belady)
            return cli_usage_error(cmd, "--target-hit does not search Belady's optimum (it "
                                        "holds the trace in memory); leave belady out");
        if (strcmp(trace, "-") == 0)
            return cli_usage_error(cmd, "--target-hit reads the trace several times: give a "
                                        "file, not stdin");
        return run_target(cmd, &a, pol, np, target, &err);
    }
    char sbuf[512], *sitems[MAX_SIZES];
    int ns = cli_split(cmd, "sizes", sizes, sbuf, sizeof sbuf, sitems, MAX_SIZES);
    if (ns < 0)
        return HP_EXIT_USAGE;
    struct size_arg sz[MAX_SIZES];
    bool relative = false;
    for (int i = 0; i < ns; i++) {
        double f;
        int64_t b;
        sz[i].share = NAN;
        if (strchr(sitems[i], '%')) {
            if (hp_parse_percent(sitems[i], &f, &err) < 0 || f <= 0)
                return cli_usage_error(cmd, "--sizes: '%s' is not a share above 0%%", sitems[i]);
            sz[i].share = f;
            relative = true;
        } else if (bytes && hp_parse_size(sitems[i], &b, &err) == 0 && b > 0) {
            sz[i].absolute = (uint64_t)b;
        } else if (!bytes && hp_parse_number(sitems[i], &f, NULL) == 0 && f >= 1 && f == floor(f)) {
            sz[i].absolute = (uint64_t)f;
        } else {
            return cli_usage_error(cmd, "--sizes: '%s' is not %s or a share (10%%)", sitems[i],
                                   bytes ? "a size in bytes (64MiB)" : "a number of objects");
        }
    }
    if (relative && strcmp(trace, "-") == 0)
        return cli_usage_error(cmd, "--sizes in %% need the working set, read in a first pass: "
                                    "give a file, or absolute sizes, for stdin");

    int64_t t0 = hp_now_ns(), wall0 = hp_wall_ns();
    struct wset w = {0};
    int rc = 0;
    if (relative)
        rc = hp_trace_read(trace, &spec, wset_add, &w, NULL, &err);
    static struct sim s;
    memset(&s, 0, sizeof s);
    s.bytes = bytes;
    s.timed = spec.ttl_col > 0;
    uint64_t ws = bytes ? w.bytes : w.used + w.zero;
    for (int i = 0; rc == 0 && i < np; i++)
        for (int k = 0; rc == 0 && k < ns; k++) {
            struct run *u = &s.runs[s.nruns];
            u->policy = pol[i];
            u->capacity =
                isnan(sz[k].share) ? sz[k].absolute : (uint64_t)ceil(sz[k].share * (double)ws);
            if (u->capacity == 0)
                u->capacity = 1;
            rc = u->policy == BELADY || u->policy == BELADY_BYPASS
                     ? hp_belady_new(u->capacity, bytes, u->policy == BELADY_BYPASS, &u->belady)
                     : hp_cache_new((enum hp_cache_policy)u->policy, u->capacity, bytes, &u->cache);
            if (rc < 0)
                hp_err_set(&err, rc, "out of memory");
            else
                s.nruns++;
        }
    int64_t t1 = hp_now_ns();
    struct loaded l = {.timed = s.timed};
    if (rc == 0 && belady) { /* the future first: the trace in memory, next accesses */
        rc = hp_trace_read(trace, &spec, load, &l, NULL, &err);
        if (rc == 0 && !(l.next = hp_malloc((l.n ? l.n : 1) * sizeof *l.next)))
            rc = hp_err_set(&err, -ENOMEM,
                            "out of memory (Belady holds the trace: 20 bytes a "
                            "request)");
        if (rc == 0)
            rc = hp_belady_next(l.keys, l.n, l.next);
        t1 = hp_now_ns();
        for (uint64_t i = 0, d = 0; rc == 0 && i < l.n; i++) {
            for (; d < l.ndels && l.dels[d].at == i; d++)
                simulate(&s, &(struct hp_cache_req){.key = l.dels[d].key, .del = true});
            struct hp_cache_req q = {.key = l.keys[i], .size = l.sizes[i]};
            if (l.timed)
                q.time = l.times[i], q.ttl = l.ttls[i];
            s.next = l.next[i];
            rc = simulate(&s, &q);
        }
    } else if (rc == 0) {
        rc = hp_trace_read(trace, &spec, simulate, &s, NULL, &err);
    }
    hp_free(l.keys);
    hp_free(l.sizes);
    hp_free(l.next);
    hp_free(l.times);
    hp_free(l.ttls);
    hp_free(l.dels);
    double secs = (double)(hp_now_ns() - t1) / 1e9;
    code = HP_EXIT_OK;
    if (rc < 0) {
        code = cli_fail(cmd, rc, &err);
        if (code == HP_EXIT_OK)
            code = HP_EXIT_FAIL;
    } else {
        static const char *const fmt_names[] = {"oracleGeneral", "csv", "text"};
        char c1[32], b[32], c[32];
        printf("# %s requests (%s) from %s (%s)",
               hp_format_count((double)s.requests, c1, sizeof c1),
               hp_format_size((int64_t)s.req_bytes, b, sizeof b), trace, fmt_names[spec.format]);
        if (relative)
            printf("; working set %s objects, %s",
                   hp_format_count((double)(w.used + w.zero), c1, sizeof c1),
                   hp_format_size((int64_t)w.bytes, c, sizeof c));
        if (s.deletes)
            printf("; %s deletes", hp_format_count((double)s.deletes, c1, sizeof c1));
        printf("\n# %d caches in one pass: %.3gs, %s requests/s\n", s.nruns, secs,
               hp_format_count(secs > 0 ? (double)s.requests / secs : 0, c1, sizeof c1));
        if (belady && (s.deletes || s.timed))
            printf("# belady sees neither TTLs nor deletes: still a lower bound, no longer the "
                   "optimum\n");
        printf("%-13s %8s %8s %12s %16s\n", "policy", "capacity", "share", "miss ratio",
               "byte miss ratio");
        for (int i = 0; i < s.nruns; i++) {
            const struct run *u = &s.runs[i];
            char cap[32], share[16] = "-";
            if (bytes)
                hp_format_size((int64_t)u->capacity, cap, sizeof cap);
            else
                snprintf(cap, sizeof cap, "%llu", (unsigned long long)u->capacity);
            if (ws > 0)
                snprintf(share, sizeof share, "%.3g%%", 100.0 * (double)u->capacity / (double)ws);
            printf("%-13s %8s %8s %12.4f %16.4f\n", run_name(u), cap, share,
                   s.requests ? (double)u->misses / (double)s.requests : 0,
                   s.req_bytes ? (double)u->miss_bytes / (double)s.req_bytes : 0);
        }
        fflush(stdout);
        if (json && write_json(json, trace, fmt_names[spec.format], &s, &w, wall0,
                               (double)(hp_now_ns() - t0) / 1e9, &err) < 0)
            code = cli_fail(cmd, -EIO, &err);
    }
    for (int i = 0; i < s.nruns; i++) {
        hp_cache_free(s.runs[i].cache);
        hp_belady_free(s.runs[i].belady);
    }
    hp_free(w.keys);
    return code;
}

/* ---- mrc ---------------------------------------------------------------- */

struct mrcs {
    struct hp_mrc *sampled, *exact;
};

static int feed_mrc(void *ctx, const struct hp_cache_req *r)
{
    struct mrcs *m = ctx;
    if (r->del)
        return 0; /* LRU's stack has no deletes: the curve leaves them out */
    int rc = hp_mrc_access(m->sampled, r->key, r->size);
    if (rc == 0 && m->exact)
        rc = hp_mrc_access(m->exact, r->key, r->size);
    return rc;
}

static int run_mrc(const struct hp_cmd *cmd, struct cli_parser *p)
{
    struct cache_args a;
    int code = parse_args(cmd, p, "mrc", &a);
    if (code >= 0)
        return code;
    double rate = 1;
    if (a.rate_text) {
        struct hp_err e;
        if ((strchr(a.rate_text, '%') ? hp_parse_percent(a.rate_text, &rate, &e)
                                      : hp_parse_number(a.rate_text, &rate, &e)) < 0 ||
            !(rate > 0 && rate <= 1))
            return cli_usage_error(cmd, "--rate %s: a share above 0 and at most 1 (or 100%%)",
                                   a.rate_text);
    }
    bool sampling = rate < 1 || a.max_keys > 0;
    if (a.compare && !sampling)
        return cli_usage_error(cmd, "--compare needs --rate or --max-keys (the exact curve is "
                                    "what it compares with)");
    struct mrcs m = {0};
    struct hp_err err = {0};
    int64_t t0 = hp_now_ns(), wall0 = hp_wall_ns();
    int rc = hp_mrc_new(rate, (uint64_t)a.max_keys, a.bytes, &m.sampled);
    if (rc == 0 && a.compare)
        rc = hp_mrc_new(1, 0, a.bytes, &m.exact);
    uint64_t n = 0;
    if (rc < 0)
        hp_err_set(&err, rc, "out of memory");
    else
        rc = hp_trace_read(a.trace, &a.spec, feed_mrc, &m, &n, &err);
    double secs = (double)(hp_now_ns() - t0) / 1e9;
    if (rc < 0) {
        code = cli_fail(cmd, rc, &err);
        goto out;
    }
    double ws = hp_mrc_working_set(m.exact ? m.exact : m.sampled);
    char a1[32], a2[32];
    printf("# LRU miss-ratio curve of %s requests from %s; working set %s %s; %s, %.3gs\n",
           hp_format_count((double)n, a1, sizeof a1), a.trace,
           a.bytes ? hp_format_size((int64_t)ws, a2, sizeof a2)
                   : hp_format_count(ws, a2, sizeof a2),
           a.bytes ? "" : "objects",
           !sampling    ? "exact (Mattson's stack distances)"
           : a.max_keys ? "SHARDS, fixed size"
                        : "SHARDS, fixed rate",
           secs);
    if (sampling)
        printf("# sampled at %.4g%% of keys at the end\n", 100 * hp_mrc_rate(m.sampled));
    printf("%14s %12s%s\n", "capacity", "miss ratio", m.exact ? "        exact" : "");
    double mae = 0;
    int np = (int)a.points;
    struct hp_result *r = NULL;
    if (a.json && hp_result_new("cache", &r) < 0)
        r = NULL;
    for (int i = 1; i <= np; i++) {
        /* log-spaced from 1 (or 1 KiB) to the working set */
        double lo = a.bytes ? 1024 : 1, hi = ws > lo ? ws : lo * 2;
        uint64_t cap = (uint64_t)ceil(lo * pow(hi / lo, (double)i / np));
        double mr = hp_mrc_miss_ratio(m.sampled, cap);
        char capt[32];
        if (a.bytes)
            hp_format_size((int64_t)cap, capt, sizeof capt);
        else
            snprintf(capt, sizeof capt, "%llu", (unsigned long long)cap);
        printf("%14s %12.4f", capt, mr);
        if (r)
            hp_result_series_point(r, "lru_miss_ratio", "ratio", (double)cap, mr);
        if (m.exact) {
            double ex = hp_mrc_miss_ratio(m.exact, cap);
            mae += fabs(mr - ex);
            printf(" %12.4f", ex);
            if (r)
                hp_result_series_point(r, "lru_miss_ratio_exact", "ratio", (double)cap, ex);
        }
        printf("\n");
    }
    if (m.exact) {
        /* SHARDS' own measure: the error over sizes evenly spaced (100 of them) up to the
         * working set, where the log-spaced table above dwells on the smallest sizes, below
         * the sample's resolution (about 1/rate objects) */
        mae = 0;
        for (int i = 1; i <= 100; i++) {
            uint64_t cap = (uint64_t)ceil(ws * i / 100.0);
            mae += fabs(hp_mrc_miss_ratio(m.sampled, cap) - hp_mrc_miss_ratio(m.exact, cap));
        }
        mae /= 100;
        printf("# mean absolute error of the sampled curve at 100 sizes evenly spaced up to the "
               "working set: %.4f\n",
               mae);
    }
    fflush(stdout);
    if (a.json) {
        int e = r ? 0 : -ENOMEM;
        e = e ? e : cache_config(r, "mrc", a.trace, a.bytes);
        e = e ? e : hp_result_config_real(r, "rate", rate);
        e = e ? e : hp_result_config_int(r, "max_keys", a.max_keys);
        e = e ? e : hp_result_metric(r, "requests", (double)n, "count");
        e = e ? e : hp_result_metric(r, "working_set", ws, a.bytes ? "bytes" : "count");
        if (m.exact)
            e = e ? e : hp_result_metric(r, "mean_absolute_error", mae, "ratio");
        if (r) {
            hp_result_set_started(r, wall0);
            hp_result_set_duration(r, secs);
        }
        e = e ? e : hp_result_write(r, a.json, &err);
        if (e < 0)
            code = cli_fail(cmd, e == -ENOMEM ? e : -EIO, &err);
    }
    hp_result_free(r);
out:
    hp_mrc_free(m.sampled);
    hp_mrc_free(m.exact);
    return code < 0 ? HP_EXIT_OK : code;
}

/* ---- gen ---------------------------------------------------------------- */

static int run_gen(const struct hp_cmd *cmd, struct cli_parser *p)
{
    const char *out = NULL, *format_text = NULL, *v, *size_dist = "uniform";
    double alpha = 1.0, one_hit = 0, scan = 0;
    int64_t objects = 1000000, requests = 10000000, seed = 1, mean = 4096;
    int id;
    while ((id = cli_next(p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return HP_EXIT_OK;
        case CLI_POSITIONAL: return cli_usage_error(cmd, "gen takes no trace, it writes one (-o)");
        case O_ZIPF:
            if (hp_parse_number(v, &alpha, NULL) < 0 || !(alpha >= 0 && alpha <= 5))
                return cli_usage_error(cmd, "--zipf %s: a number from 0 to 5", v);
            break;
        case O_OBJECTS:
            if (!cli_int(cmd, "objects", v, 1, 1000000000, &objects))
                return HP_EXIT_USAGE;
            break;
        case O_REQUESTS:
            if (!cli_int(cmd, "requests", v, 1, INT64_C(100000000000), &requests))
                return HP_EXIT_USAGE;
            break;
        case O_SEED:
            if (!cli_int(cmd, "seed", v, 0, INT64_MAX, &seed))
                return HP_EXIT_USAGE;
            break;
        case O_OBJ_SIZE: {
            struct hp_err e;
            if (hp_parse_size(v, &mean, &e) < 0 || mean < 1 || mean > (1 << 30))
                return cli_usage_error(cmd, "--object-size %s: a size from 1 byte to 1GiB", v);
            break;
        }
        case O_OUTPUT: out = v; break;
        case O_FORMAT: format_text = v; break;
        case O_SIZE_DIST: size_dist = v; break;
        case O_ONE_HIT:
        case O_SCAN: {
            struct hp_err e;
            double *share = id == O_ONE_HIT ? &one_hit : &scan;
            if (hp_parse_percent(v, share, &e) < 0)
                return cli_usage_error(cmd, "--%s %s: a share, 0%% to 100%%",
                                       id == O_ONE_HIT ? "one-hit" : "scan", v);
            break;
        }
        }
    }
    if (!out)
        return cli_usage_error(cmd, "-o FILE is needed (e.g. -o zipf.oracleGeneral)");
    enum hp_trace_format f = format_text ? (strcmp(format_text, "csv") == 0    ? HP_TRACE_CSV
                                            : strcmp(format_text, "text") == 0 ? HP_TRACE_TEXT
                                                                               : HP_TRACE_ORACLE)
                                         : (strstr(out, ".csv")   ? HP_TRACE_CSV
                                            : strstr(out, ".txt") ? HP_TRACE_TEXT
                                                                  : HP_TRACE_ORACLE);
    struct hp_trace_gen g = {.alpha = alpha,
                             .objects = (uint64_t)objects,
                             .requests = (uint64_t)requests,
                             .seed = (uint64_t)seed,
                             .mean_size = (uint32_t)mean,
                             .format = f,
                             .one_hit = one_hit,
                             .scan = scan};
    if (one_hit + scan > 1)
        return cli_usage_error(cmd, "--one-hit and --scan add up to over 100%%");
    struct hp_err err = {0};
    if (hp_size_dist_parse(size_dist, &g, &err) < 0)
        return cli_usage_error(cmd, "--size-dist: %s", err.msg);
    int rc = hp_trace_generate(&g, out, &err);
    if (rc < 0)
        return cli_fail(cmd, rc, &err);
    char a[32], b[32];
    printf("wrote %s requests over %s objects, Zipf(%.3g), to %s\n",
           hp_format_count((double)requests, a, sizeof a),
           hp_format_count((double)objects, b, sizeof b), alpha, out);
    return HP_EXIT_OK;
}

static int run_cache(const struct hp_cmd *cmd, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        cli_print_help(cmd, stdout);
        return HP_EXIT_OK;
    }
    if (argc < 2)
        return cli_usage_error(cmd, "a subcommand is needed: hotpath cache sim TRACE");
    struct cli_parser p;
    cli_init(&p, cmd, argc - 1, argv + 1);
    if (strcmp(argv[1], "sim") == 0)
        return run_sim(cmd, &p);
    if (strcmp(argv[1], "mrc") == 0)
        return run_mrc(cmd, &p);
    if (strcmp(argv[1], "gen") == 0)
        return run_gen(cmd, &p);
    return cli_usage_error(cmd, "unknown subcommand '%s' (expected sim, mrc or gen)", argv[1]);
}

const struct hp_cmd hp_cmd_cache = {
    .name = "cache",
    .summary = "Replay an access trace through eviction policies: miss ratios by size.",
    .usage = "cache sim|mrc [options] TRACE | cache gen [options] -o FILE",
    .description =
        "Reads a cache access trace (libCacheSim's oracleGeneral binary records, CSV with "
        "chosen columns, or a key a line; plain, gzip or zstd; - is stdin) and replays it, in "
        "one pass, through every chosen policy at every chosen size: LRU, FIFO, CLOCK (one "
        "reference bit, second chance), SIEVE, S3-FIFO, 2Q and LFU, and Belady's offline optimum "
        "as the "
        "lower bound. Sizes are objects, or bytes with "
        "--bytes, or "
        "shares of the working set (a first pass counts it). Prints the miss ratio and the byte "
        "miss ratio of each; --json writes them as a result document.\n\n"
        "cache mrc gives the LRU miss ratio at every size in one pass (Mattson's stack "
        "distances with a Fenwick tree), or SHARDS' sampled estimate for traces too large for "
        "that (--rate, --max-keys), with --compare its error against the exact curve.\n\n"
        "cache gen writes a seeded synthetic trace: requests to objects whose popularity "
        "follows Zipf(alpha), sizes fixed per object, in any of the formats.",
    .opts = cache_opts,
    .examples = "  hotpath cache sim wiki.oracleGeneral.zst\n"
                "  hotpath cache sim --bytes --sizes 1GiB,10GiB --policies lru,sieve trace.csv\n"
                "  hotpath cache sim --columns -,key,size --header --sizes 1%,10% cdn.csv.gz\n"
                "  hotpath cache mrc --rate 1% --compare wiki.oracleGeneral.zst\n"
                "  hotpath cache gen --zipf 0.9 --objects 1000000 -n 10000000 -o z.oracleGeneral\n",
    .run = run_cache,
};
