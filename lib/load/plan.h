/* SPDX-License-Identifier: MIT */
/* load/plan.h - what `hotpath load URL` asks for, turned into an engine
 * configuration: the target's address, the request bytes, the load model
 * and its profile (a constant rate or stages), each combination of flags
 * checked with a message that says what to change. A scenario file does the
 * same job for its own format (load/scenario.h). */
#ifndef HP_LOAD_PLAN_H
#define HP_LOAD_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "http/url.h"
#include "io/tls.h"
#include "load/load.h"

enum hp_load_model { HP_MODEL_BY_RATE, HP_MODEL_CLOSED, HP_MODEL_OPEN };

struct hp_load_plan {
    const char *url;
    const char *method;         /* "GET" when NULL */
    const char *const *headers; /* "Name: value" */
    int n_headers;
    const char *body; /* NULL: none */
    size_t body_len;
    const char *unix_socket;  /* connect here instead of the URL's host */
    double rate_per_s;        /* --rate, 0: none */
    const char *stages;       /* --stages text, NULL: none */
    enum hp_load_model model; /* BY_RATE: open when a rate is given */
    bool connections_given, duration_given;
    /* https:// URLs: the TLS choices (servername defaults to the URL's
     * host); tls_given: a TLS flag was given, which an http:// URL refuses */
    struct hp_tls_opts tls;
    bool tls_given;
    /* HTTP/2 (--h2, --h2=prefer, --h2c) and its streams per connection
     * (-M; 0: 1, as h2load's default) */
    enum hp_load_h2 h2;
    int streams;
    bool pipeline_given; /* --pipeline, which HTTP/2 refuses */
    /* one part of a split test (--segment): connections and rates below
     * are the whole test's; NULL: the whole test */
    const struct hp_segment *segment;
};

/* cfg, planned for the whole test, cut to seg's part: the connections (or
 * the open model's cap on requests in flight) to its share, at least one
 * for the open model, and the threads to no more than those, and the seed
 * to the part's own (Poisson parts must not draw the same gaps); the engine
 * deals out the arrivals and a stage's connections (cfg->segment). 0, or
 * HP_EUSAGE when the part would get no connection. */
int hp_load_plan_segment(const struct hp_segment *seg, struct hp_load_config *cfg,
                         struct hp_err *err);

/* Check the HTTP/2 choice against the URL (--h2 needs https, --h2c http)
 * and apply it: cfg->h2, the streams as cfg->pipeline, ALPN in *tls. */
int hp_load_plan_h2(const struct hp_load_plan *p, const struct hp_url *url,
                    struct hp_load_config *cfg, struct hp_tls_opts *tls, struct hp_err *err);

/* Apply p to cfg (whose other fields keep their values): parse the URL into
 * *url, check the flags' combination, set the model and its stages, resolve
 * the address and build the request (*request, the caller's to hp_free;
 * cfg->request points into it); for an https:// URL make cfg->tls (the
 * caller's to hp_tls_free). *target_rate_per_s is what the open model
 * asks on average (0 for the closed model). Returns 0; HP_EUSAGE with err
 * for a combination or value that cannot be; or the address's error
 * (-EHOSTUNREACH...) when the target cannot be reached. */
int hp_load_plan_apply(const struct hp_load_plan *p, struct hp_load_config *cfg, struct hp_url *url,
                       char **request, double *target_rate_per_s, struct hp_err *err);

/* The TLS context of an https:// URL: o's choices, its server name the
 * URL's host unless o gives one. *out is the caller's to hp_tls_free. */
int hp_load_plan_tls(const struct hp_tls_opts *o, const struct hp_url *url, struct hp_tls **out,
                     struct hp_err *err);

struct hp_script;
/* Drive cfg with a set-up wrk script: its requests, their pipeline depth
 * (request() may return several; --pipeline may not then also be given)
 * and whether they are HEAD. HP_EUSAGE with err when they cannot go
 * together (the open model sends one request per arrival). */
int hp_load_plan_script(struct hp_load_config *cfg, struct hp_script *script, bool pipeline_given,
                        struct hp_err *err);

#endif
