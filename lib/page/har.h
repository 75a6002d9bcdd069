/* SPDX-License-Identifier: MIT */
/* page/har.h - runs as HAR 1.2 (the HTTP Archive format browsers' DevTools,
 * WebPageTest and HAR viewers read): one page per run, one entry per
 * request with its headers (secret values redacted), sizes and timings. */
#ifndef HP_PAGE_HAR_H
#define HP_PAGE_HAR_H

#include <jansson.h>
#include <stddef.h>

#include "page/page.h"

/* The archive of n runs; NULL on ENOMEM. creator_version is hotpath's,
 * browser the browser's product string ("Chrome/156.0..."). */
json_t *hp_page_har(const struct hp_page_run *runs, size_t n, const char *url,
                    const char *creator_version, const char *browser);

#endif
