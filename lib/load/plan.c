/* SPDX-License-Identifier: MIT */
/* load/plan.c - see plan.h. */
#include "load/plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

/* The model, and the profile that drives it. */
static int apply_model(const struct hp_load_plan *p, struct hp_load_config *cfg, struct hp_err *err)
{
    if (p->model == HP_MODEL_CLOSED && p->rate_per_s > 0)
        return hp_err_set(err, HP_EUSAGE,
                          "--rate asks for the open model, --model closed for "
                          "the closed one: choose one");
    cfg->open_model =
        p->model == HP_MODEL_OPEN || (p->model == HP_MODEL_BY_RATE && p->rate_per_s > 0);
    if (p->stages) {
        struct hp_err e2;
        if (p->rate_per_s > 0)
            return hp_err_set(err, HP_EUSAGE,
                              "--rate and --stages both set the rate: use "
                              "--stages with --model open");
        if (p->duration_given)
            return hp_err_set(err, HP_EUSAGE,
                              "--duration and --stages both set the duration: "
                              "the stages add up to it");
        if (hp_stages_parse(p->stages, &cfg->stages, &e2) < 0)
            return hp_err_set(err, HP_EUSAGE, "--stages: %s", e2.msg);
        cfg->duration_ns = (int64_t)(hp_stages_duration_s(&cfg->stages) * 1e9 + 0.5);
        if (!cfg->open_model) {
            int most = (int)ceil(hp_stages_max(&cfg->stages));
            if (p->connections_given && cfg->connections < most)
                return hp_err_set(err, HP_EUSAGE, "--stages goes up to %d connections but -c is %d",
                                  most, cfg->connections);
            if (!p->connections_given)
                cfg->connections = most > cfg->threads ? most : cfg->threads;
            cfg->ramp_connections = true;
        }
    } else if (cfg->open_model) {
        if (p->rate_per_s <= 0)
            return hp_err_set(err, HP_EUSAGE, "--model open needs --rate or --stages");
        hp_stages_constant(&cfg->stages, p->rate_per_s, (double)cfg->duration_ns / 1e9);
    }
    return 0;
}

int hp_load_plan_segment(const struct hp_segment *seg, struct hp_load_config *cfg,
                         struct hp_err *err)
{
    if (!seg)
        return 0;
    int64_t c = hp_segment_share(seg, cfg->connections);
    if (c < 1 && !cfg->open_model)
        return hp_err_set(err, HP_EUSAGE,
                          "part %s gets none of the %d connections: give at least as many "
                          "connections as parts",
                          seg->text, cfg->connections);
    cfg->whole_connections = cfg->connections;
    cfg->connections = c < 1 ? 1 : (int)c;
    if (cfg->threads > cfg->connections)
        cfg->threads = cfg->connections;
    cfg->segment = seg;
    cfg->connect_rate *= hp_segment_fraction(seg); /* --connect-rate is the whole test's */
    /* each part its own random stream: Poisson parts that drew the same
     * gaps would arrive in step */
    cfg->seed += (uint64_t)seg->part * 1000003u;
    return 0;
}

int hp_load_plan_tls(const struct hp_tls_opts *o, const struct hp_url *url, struct hp_tls **out,
                     struct hp_err *err)
{
    struct hp_tls_opts named = *o;
    if (!named.servername)
        named.servername = url->host;
    return hp_tls_new(&named, out, err);
}

int hp_load_plan_h2(const struct hp_load_plan *p, const struct hp_url *url,
                    struct hp_load_config *cfg, struct hp_tls_opts *tls, struct hp_err *err)
{
    if (p->streams > 0 && p->h2 == HP_H2_OFF)
        return hp_err_set(err, HP_EUSAGE, "-M/--max-concurrent-streams is for HTTP/2: add --h2 "
                                          "(https) or --h2c (http); HTTP/1.1 has --pipeline");
    if (p->h2 == HP_H2_OFF)
        return 0;
    if (p->pipeline_given)
        return hp_err_set(err, HP_EUSAGE, "--pipeline is HTTP/1.1's: HTTP/2 keeps "
                                          "-M/--max-concurrent-streams requests in flight per "
                                          "connection");
    if (p->h2 == HP_H2C && url->tls)
        return hp_err_set(err, HP_EUSAGE, "--h2c is HTTP/2 over plain TCP: an https:// URL "
                                          "takes --h2");
    if (p->h2 != HP_H2C && !url->tls)
        return hp_err_set(err, HP_EUSAGE, "--h2 negotiates HTTP/2 in the TLS handshake: an "
                                          "http:// URL takes --h2c (prior knowledge)");
    cfg->h2 = p->h2;
    cfg->pipeline = p->streams > 0 ? p->streams : 1;
    if (tls && p->h2 != HP_H2C)
        tls->alpn = "h2,http/1.1";
    return 0;
}

int hp_load_plan_apply(const struct hp_load_plan *p, struct hp_load_config *cfg, struct hp_url *url,
                       char **request, double *target_rate_per_s, struct hp_err *err)
{
    const char *method = p->method ? p->method : "GET";
    int rc;

    *request = NULL;
    *target_rate_per_s = 0;
    if (hp_url_parse(p->url, url, err) < 0)
        return HP_EUSAGE;
    if (p->tls_given && !url->tls)
        return hp_err_set(err, HP_EUSAGE, "TLS options (-k, --cacert, --tls-version...) need "
                                          "an https:// URL");
    struct hp_tls_opts tls = p->tls;
    if ((rc = hp_load_plan_h2(p, url, cfg, &tls, err)) < 0)
        return rc;
    if ((rc = apply_model(p, cfg, err)) < 0)
        return rc;
    double secs = (double)cfg->duration_ns / 1e9;
    if (cfg->open_model)
        *target_rate_per_s = hp_stages_count_at(&cfg->stages, secs) / secs *
                             (p->segment ? hp_segment_fraction(p->segment) : 1);
    if ((rc = hp_load_plan_segment(p->segment, cfg, err)) < 0)
        return rc;
    if (cfg->grace_ns < 0)
        cfg->grace_ns = cfg->timeout_ns;
    if (cfg->connect_timeout_ns <= 0)
        cfg->connect_timeout_ns = cfg->timeout_ns;
    if ((rc = hp_load_config_check(cfg, err)) < 0)
        return HP_EUSAGE;
    if (p->unix_socket) {
        char addr[300];
        snprintf(addr, sizeof addr, "unix:%s", p->unix_socket);
        rc = hp_addr_parse(addr, &cfg->addr, err);
    } else {
        rc = hp_url_addr(url, &cfg->addr, err);
    }
    if (rc < 0)
        return rc;
    if (url->tls && (rc = hp_load_plan_tls(&tls, url, &cfg->tls, err)) < 0)
        return rc;
    if (hp_request_build(method, url, p->headers, p->n_headers, p->body, p->body_len, request,
                         &cfg->request_len, err) < 0)
        return HP_EUSAGE;
    cfg->request = *request;
    cfg->head_request = strcmp(method, "HEAD") == 0;
    return 0;
}

int hp_load_plan_script(struct hp_load_config *cfg, struct hp_script *script, bool pipeline_given,
                        struct hp_err *err)
{
    int depth = hp_script_pipeline(script);
    if (cfg->h2 != HP_H2_OFF && depth > 1)
        return hp_err_set(err, HP_EUSAGE,
                          "over HTTP/2 each request() is one stream, but this script's returns "
                          "%d requests: return one (-M sets the streams per connection)",
                          depth);
    if (cfg->h2 != HP_H2_OFF)
        depth = cfg->pipeline, pipeline_given = true;
    if (pipeline_given && depth > 1 && cfg->h2 == HP_H2_OFF)
        return hp_err_set(err, HP_EUSAGE,
                          "--pipeline and a script whose request() returns %d "
                          "requests: keep one",
                          depth);
    if (!pipeline_given)
        cfg->pipeline = depth;
    if (cfg->open_model && cfg->pipeline > 1 && cfg->h2 == HP_H2_OFF)
        return hp_err_set(err, HP_EUSAGE,
                          "the open model sends one request per arrival: "
                          "request() returns %d",
                          cfg->pipeline);
    cfg->script = script;
    cfg->head_request = hp_script_is_head(script);
    return 0;
}
