/* SPDX-License-Identifier: MIT */
/* cache/trace.h - cache access traces, a request at a time, from
 *   - libCacheSim's oracleGeneral binary records (24 bytes, little-endian:
 *     uint32 time, uint64 object id, uint32 size, int64 next access), as the
 *     public cache-trace collections publish them;
 *   - CSV with chosen columns (time, key, size; keys that are not numbers
 *     are hashed with XXH3-64), a header line skipped when asked;
 *   - plain text, one key per line (size 1);
 * each plain, gzip or zstd (core/stream.h). A malformed record stops the
 * read with the file and line (or record number) named. */
#ifndef HP_CACHE_TRACE_H
#define HP_CACHE_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct hp_cache_req {
    int64_t time; /* the trace's clock (seconds for oracleGeneral), 0 if none */
    uint64_t key;
    uint32_t size; /* bytes; 1 when the trace has no sizes */
    int64_t ttl;   /* seconds the object may be cached; 0: no limit (CSV's ttl column) */
    bool del;      /* a delete (CSV's op column: delete, del): not a request */
};

enum hp_trace_format { HP_TRACE_ORACLE, HP_TRACE_CSV, HP_TRACE_TEXT };

struct hp_trace_spec {
    enum hp_trace_format format;
    /* CSV: 1-based columns; 0 when absent (key is required) */
    int time_col, key_col, size_col, ttl_col, op_col;
    char delim;  /* ',' unless set */
    bool header; /* skip the first line */
};

#define HP_TRACE_ORACLE_BYTES 24

/* Called per request; a negative return stops the read and is returned. */
typedef int (*hp_cache_req_fn)(void *ctx, const struct hp_cache_req *r);

/* Read path ("-": stdin). 0, what fn returned, or a negative errno /
 * HP_EPARSE with err naming the file, line and what was wrong. *n (may be
 * NULL) gets the requests delivered. */
int hp_trace_read(const char *path, const struct hp_trace_spec *spec, hp_cache_req_fn fn, void *ctx,
                  uint64_t *n, struct hp_err *err);

/* "time,key,size,ttl,op" (any order, any subset with key; "-" skips a
 * column) into spec's columns. 0, or HP_EPARSE with err. An op is one of
 * memcached's (get, gets, set, add, replace, cas, append, prepend, incr,
 * decr, delete) or read, write, del: delete and del remove the object,
 * every other op is a request. */
int hp_trace_columns(const char *text, struct hp_trace_spec *spec, struct hp_err *err);

/* One oracleGeneral record into out (24 bytes). */
void hp_trace_oracle_put(const struct hp_cache_req *r, int64_t next_access, unsigned char *out);

/* A synthetic trace: `requests` requests to `objects` objects whose
 * popularity follows Zipf(alpha) (object k, 1-based, drawn with weight
 * k^-alpha), each object of a size fixed for it, drawn from size_dist with
 * mean mean_size; the same seed gives the same trace. Written atomically (a
 * temporary file renamed). */
enum hp_size_dist {
    HP_SIZE_UNIFORM,   /* uniform in 1..2*mean */
    HP_SIZE_FIXED,     /* mean */
    HP_SIZE_EXP,       /* exponential */
    HP_SIZE_LOGNORMAL, /* size_param: sigma of the log (default 1) */
    HP_SIZE_PARETO,    /* size_param: the tail index alpha > 1 (default 1.5) */
};

struct hp_trace_gen {
    double alpha;
    uint64_t objects, requests, seed;
    uint32_t mean_size;
    enum hp_size_dist size_dist;
    double size_param; /* 0: the distribution's default */
    enum hp_trace_format format;
    /* Mixed in, as shares of the requests: one-hit wonders (a new key each,
     * never requested again) and a scan (keys after the Zipf ones, one after
     * another, wrapping after `objects`, as a periodic full read does). */
    double one_hit, scan;
};

int hp_trace_generate(const struct hp_trace_gen *g, const char *path, struct hp_err *err);

/* "uniform", "fixed", "exp", "lognormal[:SIGMA]", "pareto[:ALPHA]" into g's
 * size_dist and size_param. 0, or HP_EPARSE with err. */
int hp_size_dist_parse(const char *text, struct hp_trace_gen *g, struct hp_err *err);

/* Object key's size in g's distribution (deterministic in key and seed). */
uint32_t hp_trace_gen_size(const struct hp_trace_gen *g, uint64_t key);

#endif
