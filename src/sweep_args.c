// SPDX-License-Identifier: MIT
/* src/sweep_args.c - the sweep's options, shared by sweep and diagnose. */
#include "sweep_args.h"

#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/units.h"
#include "http/url.h"

void sweep_args_init(struct sweep_args *a)
{
    memset(a, 0, sizeof *a);
    hp_load_config_defaults(&a->sc.base);
    a->sc.warmup_ns = HP_NS_PER_S;
    a->sc.measure_ns = 3 * HP_NS_PER_S;
    a->sc.max_error_ratio = 0.1;
    a->sc.max_in_flight = 1000;
    a->method = "GET";
    a->max = 64;
}

/* --levels (concurrencies) or --rates into sc. */
static int parse_levels(const struct hp_cmd *cmd, const char *opt, const char *v,
                        struct hp_sweep_config *sc)
{
    char buf[512], *items[HP_SWEEP_MAX_LEVELS];
    int n = cli_split(cmd, opt, v, buf, sizeof buf, items, HP_SWEEP_MAX_LEVELS);
    if (n < 0)
        return -1;
    sc->by_rate = strcmp(opt, "rates") == 0;
    for (int i = 0; i < n; i++) {
        int64_t level;
        if (sc->by_rate) {
            if (hp_parse_rate(items[i], &sc->rates[i], NULL) < 0 || !(sc->rates[i] > 0)) {
                cli_usage_error(cmd, "--rates: '%s' is not a positive rate", items[i]);
                return -1;
            }
        } else {
            if (!cli_int(cmd, "levels", items[i], 1, 100000, &level))
                return -1;
            sc->levels[i] = (int)level;
        }
    }
    sc->n_levels = n;
    return 0;
}

int sweep_args_option(const struct hp_cmd *cmd, int base, int id, const char *v,
                      struct sweep_args *a)
{
    struct hp_sweep_config *sc = &a->sc;
    int64_t n;
    int tls = base + SWEEP_OPT_TLS;
    if (id >= tls && id < tls + CLI_TLS_COUNT) {
        int stored = cli_tls_store(cmd, id, tls, v, &a->tls_opts);
        if (stored < 0)
            return -1;
        a->tls_given = true;
        return 1;
    }
    if (id < base || id >= tls)
        return 0;
    bool ok = true;
    switch (id - base) {
    case 0:
        ok = cli_int(cmd, "threads", v, 1, HP_LOAD_MAX_THREADS, &n);
        sc->base.threads = (int)n;
        break;
    case 1: ok = parse_levels(cmd, "levels", v, sc) == 0; break;
    case 2:
        ok = cli_int(cmd, "max", v, 1, 100000, &n);
        a->max = (int)n;
        break;
    case 3: ok = parse_levels(cmd, "rates", v, sc) == 0; break;
    case 4:
        ok = cli_int(cmd, "connections", v, 1, 1000000, &n);
        sc->max_in_flight = (int)n;
        break;
    case 5: ok = cli_duration(cmd, "warmup", v, &sc->warmup_ns); break;
    case 6:
        if (!cli_duration(cmd, "measure", v, &sc->measure_ns))
            return -1;
        if (sc->measure_ns <= 0) {
            cli_usage_error(cmd, "--measure must be above 0");
            return -1;
        }
        break;
    case 7: ok = cli_duration(cmd, "slo", v, &a->slo_ns); break;
    case 8:
        if (a->n_headers >= SWEEP_MAX_HEADERS) {
            cli_usage_error(cmd, "--header: at most %d headers", SWEEP_MAX_HEADERS);
            return -1;
        }
        a->headers[a->n_headers++] = v;
        break;
    case 9: a->method = v; break;
    case 10:
        ok = cli_duration(cmd, "timeout", v, &sc->base.timeout_ns) && sc->base.timeout_ns > 0;
        break;
    case 11:
        if (v && strcmp(v, "prefer") != 0) {
            cli_usage_error(cmd, "--h2=%s: the only choice is --h2=prefer", v);
            return -1;
        }
        a->h2plan.h2 = v ? HP_H2_PREFER : HP_H2_ALPN;
        break;
    case 12: a->h2plan.h2 = HP_H2C; break;
    case 13:
        ok = cli_int(cmd, "max-concurrent-streams", v, 1, HP_LOAD_MAX_PIPELINE, &n);
        a->h2plan.streams = (int)n;
        break;
    }
    return ok ? 1 : -1;
}

int sweep_args_finish(const struct hp_cmd *cmd, struct sweep_args *a)
{
    struct hp_sweep_config *sc = &a->sc;
    struct hp_err err = {0};
    int rc;
    if (!a->url_text)
        return cli_usage_error(cmd, "a URL is needed (e.g. hotpath %s http://127.0.0.1:8080/)",
                               cmd->name);
    if (hp_url_parse(a->url_text, &a->url, &err) < 0)
        return cli_usage_error(cmd, "%s", err.msg);
    if (a->tls_given && !a->url.tls)
        return cli_usage_error(cmd, "TLS options (-k, --cacert, --tls-version...) need an "
                                    "https:// URL");
    if (hp_load_plan_h2(&a->h2plan, &a->url, &sc->base, &a->tls_opts, &err) < 0)
        return cli_usage_error(cmd, "%s", err.msg);
    if (sc->n_levels == 0)
        for (int l = 1; l <= a->max && sc->n_levels < HP_SWEEP_MAX_LEVELS; l *= 2)
            sc->levels[sc->n_levels++] = l;
    sc->slo_p99_ns = a->slo_ns;
    sc->base.grace_ns = sc->base.timeout_ns;
    sc->base.connect_timeout_ns = sc->base.timeout_ns;
    if ((rc = hp_url_addr(&a->url, &sc->base.addr, &err)) < 0)
        return cli_fail(cmd, rc, &err);
    if ((rc = hp_request_build(a->method, &a->url, a->headers, a->n_headers, NULL, 0, &a->request,
                               &sc->base.request_len, &err)) < 0)
        return cli_usage_error(cmd, "%s", err.msg);
    sc->base.request = a->request;
    sc->base.head_request = strcmp(a->method, "HEAD") == 0;
    if (a->url.tls && (rc = hp_load_plan_tls(&a->tls_opts, &a->url, &sc->base.tls, &err)) < 0)
        return cli_fail(cmd, rc, &err);
    return HP_EXIT_OK;
}

void sweep_args_free(struct sweep_args *a)
{
    hp_free(a->request);
    a->request = NULL;
    hp_tls_free(a->sc.base.tls);
    a->sc.base.tls = NULL;
}
