/* SPDX-License-Identifier: MIT */
/* exact miss counts of libCacheSim's S3FIFO and Belady on an oracleGeneral trace */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libCacheSim.h"
int main(int argc, char **argv)
{
    /* lcs_miss TRACE ALGO IGNORE_SIZE SIZE... */
    bool ignore = atoi(argv[3]);
    for (int a = 4; a < argc; a++) {
        reader_init_param_t rp;
        set_default_reader_init_params(&rp);
        rp.ignore_obj_size = ignore;
        reader_t *r = open_trace(argv[1], ORACLE_GENERAL_TRACE, &rp);
        common_cache_params_t cp = default_common_cache_params();
        cp.cache_size = strtoull(argv[a], NULL, 10);
        cp.hashpower = 20;
        cache_t *c = strcmp(argv[2], "s3fifo") == 0 ? S3FIFO_init(cp, NULL) : Belady_init(cp, NULL);
        request_t *req = new_request();
        long n = 0, miss = 0;
        while (read_one_req(r, req) == 0) {
            n++;
            if (!c->get(c, req))
                miss++;
        }
        printf("%s %s %s %ld %ld\n", argv[2], ignore ? "objects" : "bytes", argv[a], n, miss);
        free_request(req);
        c->cache_free(c);
        close_trace(r);
    }
    return 0;
}
