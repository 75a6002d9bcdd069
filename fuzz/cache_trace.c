// SPDX-License-Identifier: MIT
/* fuzz/cache_trace.c - the trace readers on any bytes (through a memfd, as
 * they read files): the first byte picks oracleGeneral, CSV (with a column
 * spec) or text. Invariants: a read either succeeds or says why; sizes are
 * never 0; every request (with its TTL, or a delete) goes through every
 * policy without a crash, and no cache holds more than its capacity. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cache/mrc.h"
#include "cache/policy.h"
#include "cache/trace.h"
#include "fuzz.h"

static struct hp_cache *caches[HP_CACHE_NPOLICIES];
static struct hp_mrc *exact, *sampled;
static uint64_t capacity;

static int each(void *ctx, const struct hp_cache_req *r)
{
    (void)ctx;
    FUZZ_ASSERT(r->size > 0);
    for (int p = 0; p < HP_CACHE_NPOLICIES; p++) {
        if (r->del)
            hp_cache_remove(caches[p], r->key);
        else
            hp_cache_access_ttl(caches[p], r->key, r->size, r->time, r->ttl);
        FUZZ_ASSERT(hp_cache_used(caches[p]) <= capacity);
    }
    if (r->del)
        return 0;
    FUZZ_ASSERT(hp_mrc_access(exact, r->key, r->size) == 0);
    FUZZ_ASSERT(hp_mrc_access(sampled, r->key, r->size) == 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int fd = memfd_create("trace", 0);
    if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
        abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct hp_trace_spec spec = {.format = (enum hp_trace_format)(data[0] % 3), .delim = ','};
    static const char *const cols[] = {"time,key,size", "key", "-,size,key", "key,-,time",
                                       "time,key,size,ttl,op", "op,key,ttl,time"};
    struct hp_err err = {0};
    if (spec.format == HP_TRACE_CSV) {
        FUZZ_ASSERT(hp_trace_columns(cols[(data[0] / 3) % 6], &spec, &err) == 0);
        spec.header = data[0] & 0x40;
    }
    capacity = 1 + data[0] % 7;
    for (int p = 0; p < HP_CACHE_NPOLICIES; p++)
        if (hp_cache_new((enum hp_cache_policy)p, capacity, data[0] & 0x80, &caches[p]) < 0)
            abort();
    if (hp_mrc_new(1, 0, data[0] & 0x80, &exact) < 0 || hp_mrc_new(0.5, 3, false, &sampled) < 0)
        abort();
    uint64_t n = 0;
    int rc = hp_trace_read(path, &spec, each, NULL, &n, &err);
    /* the exact curve falls as the cache grows, and at the working set only
     * cold misses are left */
    double prev = 1.0;
    for (uint64_t cap = 1; cap < 64; cap *= 2) {
        double mr = hp_mrc_miss_ratio(exact, cap);
        FUZZ_ASSERT(mr >= 0 && mr <= prev + 1e-12);
        prev = mr;
        mr = hp_mrc_miss_ratio(sampled, cap);
        FUZZ_ASSERT(mr >= 0 && mr <= 1);
    }
    hp_mrc_free(exact);
    hp_mrc_free(sampled);
    FUZZ_ASSERT(rc == 0 || err.msg[0]);
    for (int p = 0; p < HP_CACHE_NPOLICIES; p++) {
        FUZZ_ASSERT(hp_cache_used(caches[p]) <= (uint64_t)(1 + data[0] % 7));
        hp_cache_free(caches[p]);
    }
    close(fd);
    return 0;
}
