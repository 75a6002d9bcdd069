/* SPDX-License-Identifier: MIT */
/* src/sweep_args.h - the load levels and the request of a sweep, as
 * `hotpath sweep` and `hotpath diagnose` both take them: the options, their
 * parsing and the load configuration they make. */
#ifndef HP_SWEEP_ARGS_H
#define HP_SWEEP_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "http/url.h"
#include "io/tls.h"
#include "load/plan.h"
#include "load/sweep.h"

#define SWEEP_MAX_HEADERS 64

struct sweep_args {
    struct hp_sweep_config sc;
    const char *url_text, *method;
    const char *headers[SWEEP_MAX_HEADERS];
    int n_headers, max;
    int64_t slo_ns;
    struct hp_tls_opts tls_opts;
    bool tls_given;
    struct hp_load_plan h2plan;
    struct hp_url url;
    char *request; /* sweep_args_free */
};

/* The options, ids from base: put SWEEP_OPTS(base) in the command's table,
 * hand every option to sweep_args_option. */
#define SWEEP_OPT_TLS 14 /* the TLS options' first id, from base */
#define SWEEP_OPT_COUNT (SWEEP_OPT_TLS + CLI_TLS_COUNT)
#define SWEEP_OPTS(b)                                                                          \
    {(b) + 0, "threads", 't', "N", "Worker threads (capped at each level's connections). Default 2."}, \
    {(b) + 1, "levels", 0, "N,N,...", "Concurrencies to measure, in order."},                 \
    {(b) + 2, "max", 0, "N",                                                                  \
     "Concurrencies 1, 2, 4... up to N (default 64) when --levels is not given."},            \
    {(b) + 3, "rates", 0, "R,R,...",                                                           \
     "Sweep the open model at these rates (e.g. 1k,2k,4k) instead of concurrencies; the USL " \
     "is fitted to the mean number in flight (Little's law)."},                               \
    {(b) + 4, "connections", 'c', "N",                                                        \
     "With --rates: the cap on requests in flight. Default 1000."},                           \
    {(b) + 5, "warmup", 0, "DURATION", "Discarded run before each level. Default 1s."},      \
    {(b) + 6, "measure", 0, "DURATION", "Measured run at each level. Default 3s."},          \
    {(b) + 7, "slo", 0, "DURATION",                                                           \
     "p99 latency objective: the knee is the highest throughput whose p99 stays under it; " \
     "a p99 over 10 times it ends the sweep."},                                               \
    {(b) + 8, "header", 'H', "'NAME: VALUE'", "Add a header to every request (repeatable)."}, \
    {(b) + 9, "method", 'm', "METHOD", "Request method. Default GET."},                       \
    {(b) + 10, "timeout", 0, "DURATION", "Request timeout. Default 2s."},                     \
    {(b) + 11, "h2", 0, "[=prefer]",                                                           \
     "https: HTTP/2, agreed in the TLS handshake (--h2=prefer: HTTP/1.1 where not)."},        \
    {(b) + 12, "h2c", 0, NULL, "http: HTTP/2 over plain TCP with prior knowledge."},          \
    {(b) + 13, "max-concurrent-streams", 'M', "N",                                            \
     "HTTP/2: streams kept busy per connection. The levels (--levels, --max) are then "       \
     "connections, and the concurrency fitted is connections x N. Default 1."},               \
    CLI_TLS_OPTS((b) + SWEEP_OPT_TLS)

void sweep_args_init(struct sweep_args *a);
/* 1: the option was the sweep's (stored); 0: not one; -1: a usage error
 * was printed. */
int sweep_args_option(const struct hp_cmd *cmd, int base, int id, const char *v,
                      struct sweep_args *a);
/* After the options: the URL parsed, the levels filled in, the request and
 * TLS made. HP_EXIT_OK, or the exit code after saying what was wrong. */
int sweep_args_finish(const struct hp_cmd *cmd, struct sweep_args *a);
void sweep_args_free(struct sweep_args *a);

#endif
