// SPDX-License-Identifier: MIT
/* src/cmd_serve.c - `hotpath serve`: option handling around net/serve.h. */
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmds.h"
#include "core/clock.h"
#include "core/result.h"
#include "stat/hist_result.h"
#include "core/units.h"
#include "io/tls.h"
#include "serve/serve.h"

enum { O_LISTEN = 1, O_THREADS, O_STALL, O_ERROR_RATE, O_TRUTH, O_DURATION, O_SEED,
       O_MAX_CONNS, O_WORKERS, O_QUIET, O_REUSE_PORT, O_HEADER_TIMEOUT, O_IDLE_TIMEOUT, O_TLS,
       O_TLS_SELF_SIGNED, O_H2, O_H2C, O_H2_STREAMS, O_CPU_WORK, O_LOCK_WORK, O_FSYNC_EVERY,
       O_FSYNC_FILE, O_ALLOC_LEAK };

static const struct cli_opt serve_opts[] = {
    {O_LISTEN, "listen", 'l', "ADDR",
     "Address to listen on: HOST:PORT, [IPv6]:PORT or unix:PATH. Port 0 picks a free port. "
     "The first line printed is the bound address. Default 127.0.0.1:8080."},
    {O_THREADS, "threads", 't', "N", "Worker threads, each with its own event loop. Default 1."},
    {O_STALL, "stall", 0, "EVERY:FOR",
     "Pause the whole server for FOR every EVERY (e.g. 5s:500ms), as a garbage-collection "
     "pause would: the situation that fools closed-loop load generators."},
    {O_ERROR_RATE, "error-rate", 0, "PCT",
     "Answer this share of requests with 500 (e.g. 2%), after the route's delay."},
    {O_TRUTH, "truth", 0, "FILE",
     "At exit, write the server-side service time of every request (an HdrHistogram) and "
     "exact counts as a result document: the ground truth to check a load test against."},
    {O_DURATION, "duration", 'd', "DURATION", "Stop after this long (default: until SIGINT or "
     "SIGTERM)."},
    {O_SEED, "seed", 0, "N", "Seed of the random delays and errors (default 1)."},
    {O_MAX_CONNS, "max-conns", 0, "N",
     "Connections held at once across threads; more are closed at accept (default 100000)."},
    {O_WORKERS, "workers", 'w', "N",
     "Serve at most N requests (HTTP/2: streams) at once per thread, like a thread pool of N; "
     "the others wait in FIFO order, so beyond N requests in the server the response time grows by queueing "
     "and throughput levels off at N / mean delay (per thread). Default: no limit (every "
     "delay runs concurrently)."},
    {O_QUIET, "quiet", 'q', NULL, "Print only the listening line, no summary at exit."},
    {O_HEADER_TIMEOUT, "header-timeout", 0, "DURATION",
     "Close a connection whose request head is not complete this long after it connected or "
     "after the head's first byte (slowloris clients). 0: never. Default 10s."},
    {O_IDLE_TIMEOUT, "idle-timeout", 0, "DURATION",
     "Close a connection that sends no request for this long (HTTP/2: with no stream open "
     "and no frame from the client, after a GOAWAY). 0: never. Default 60s."},
    {O_TLS, "tls", 0, "CERT:KEY",
     "Serve HTTPS with this certificate (chain) and key, PEM files (one file holding both "
     "may be given alone)."},
    {O_TLS_SELF_SIGNED, "tls-self-signed", 0, NULL,
     "Serve HTTPS with a throw-away EC key and a certificate for localhost, 127.0.0.1 and ::1 "
     "made in memory at start (valid a day); its SHA-256 fingerprint is printed. Clients need "
     "-k."},
    {O_H2, "h2", 0, NULL,
     "With --tls or --tls-self-signed: offer HTTP/2 in the TLS handshake (ALPN h2, then "
     "http/1.1); clients that agree speak HTTP/2, the others HTTP/1.1."},
    {O_H2C, "h2c", 0, NULL,
     "Plain TCP: a connection that opens with HTTP/2's preface (prior knowledge, as "
     "h2load and hotpath load --h2c send) speaks HTTP/2; the others HTTP/1.1."},
    {O_H2_STREAMS, "h2-max-streams", 0, "N",
     "HTTP/2: the SETTINGS_MAX_CONCURRENT_STREAMS announced to clients. Default 128."},
    {O_CPU_WORK, "cpu-work", 0, "DIST",
     "A planted CPU bottleneck: each request computes for a time drawn from DIST (fixed:2ms, "
     "exp:1ms, as /delay/DIST takes them) in hp_serve_planted_cpu, a function of its own that "
     "a profile names, on the thread that serves it."},
    {O_LOCK_WORK, "lock-work", 0, "DIST",
     "A planted lock: each request holds one process-wide mutex for a time drawn from DIST, "
     "sleeping; with -t above 1 the other threads wait for it off the CPU."},
    {O_FSYNC_EVERY, "fsync-every", 0, "N",
     "A planted disk bottleneck: every Nth request of a thread writes 4 KiB and fdatasyncs "
     "it (to a nameless file in $TMPDIR, or --fsync-file)."},
    {O_FSYNC_FILE, "fsync-file", 0, "PATH", "The file --fsync-every writes (kept)."},
    {O_ALLOC_LEAK, "alloc-leak", 0, "BYTES",
     "A planted leak: each request allocates and touches BYTES (e.g. 4KiB) and keeps them "
     "until the server stops, so its memory grows with the requests served."},
    {O_REUSE_PORT, "reuse-port", 0, NULL,
     "Share the port with servers already listening on it (SO_REUSEPORT: the kernel spreads "
     "connections over them). Without it a port in use is refused, so that no other server "
     "silently takes part of the traffic and makes --truth wrong."},
    {0, NULL, 0, NULL, NULL},
};


static int parse_stall(const struct hp_cmd *cmd, const char *v, int64_t *every, int64_t *dur)
{
    char buf[64];
    const char *colon = strchr(v, ':');
    if (!colon || (size_t)(colon - v) >= sizeof buf) {
        cli_usage_error(cmd, "--stall: '%s' (expected EVERY:FOR, e.g. 5s:500ms)", v);
        return -1;
    }
    snprintf(buf, sizeof buf, "%.*s", (int)(colon - v), v);
    if (!cli_duration(cmd, "stall", buf, every) || !cli_duration(cmd, "stall", colon + 1, dur))
        return -1;
    if (*every <= 0 || *dur <= 0 || *dur >= *every) {
        cli_usage_error(cmd, "--stall: '%s': FOR must be above 0 and shorter than EVERY", v);
        return -1;
    }
    return 0;
}

static int write_truth(const struct hp_serve *srv, const struct hp_serve_config *cfg,
                       const char *listen_text, const struct hp_serve_stats *st, int64_t wall_ns,
                       const char *path, struct hp_err *err)
{
    struct hp_result *r = NULL;
    double elapsed = hp_serve_elapsed_s(srv);
    char buf[64];
    int rc = hp_result_new("serve", &r);

    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    hp_result_set_started(r, wall_ns);
    hp_result_set_duration(r, elapsed);
    rc = hp_result_config_str(r, "listen", listen_text);
    rc = rc ? rc : hp_result_config_int(r, "threads", cfg->threads);
    rc = rc ? rc : hp_result_config_real(r, "error_rate", cfg->error_rate);
    rc = rc ? rc : hp_result_config_int(r, "stall_every_ns", cfg->stall_every_ns);
    rc = rc ? rc : hp_result_config_int(r, "stall_for_ns", cfg->stall_for_ns);
    rc = rc ? rc : hp_result_config_int(r, "seed", (int64_t)cfg->seed);
    rc = rc ? rc : hp_result_config_int(r, "workers", cfg->workers);
    rc = rc ? rc : hp_result_metric(r, "requests", (double)st->requests, "count");
    rc = rc ? rc : hp_result_metric(r, "requests_per_s",
                                    elapsed > 0 ? (double)st->requests / elapsed : 0, "1/s");
    rc = rc ? rc : hp_result_metric(r, "connections", (double)st->connections, "count");
    rc = rc ? rc : hp_result_metric(r, "connections_refused", (double)st->connections_refused,
                                    "count");
    rc = rc ? rc : hp_result_metric(r, "injected_errors", (double)st->injected_errors, "count");
    rc = rc ? rc : hp_result_metric(r, "stalls", (double)st->stalls, "count");
    rc = rc ? rc : hp_result_metric(r, "queued", (double)st->queued, "count");
    rc = rc ? rc : hp_result_metric(r, "header_timeouts", (double)st->header_timeouts, "count");
    if (cfg->tls) {
        rc = rc ? rc : hp_result_metric(r, "tls_handshakes", (double)st->tls_handshakes, "count");
        rc = rc ? rc : hp_result_metric(r, "tls_failures", (double)st->tls_failures, "count");
    }
    if (cfg->h2 || cfg->h2c) {
        rc = rc ? rc : hp_result_metric(r, "h2_connections", (double)st->h2_connections, "count");
        rc = rc ? rc : hp_result_metric(r, "h2_errors", (double)st->h2_errors, "count");
    }
    rc = rc ? rc : hp_result_metric(r, "idle_timeouts", (double)st->idle_timeouts, "count");
    const struct hp_serve_planted *pl = &cfg->planted;
    /* the planted bottlenecks as asked (the inputs), then what they did */
    if (rc == 0 && pl->cpu_on)
        rc = hp_result_config_real(r, "cpu_work_mean_ns", hp_dist_mean(&pl->cpu));
    if (rc == 0 && pl->lock_on)
        rc = hp_result_config_real(r, "lock_work_mean_ns", hp_dist_mean(&pl->lock));
    if (rc == 0 && pl->fsync_every > 0)
        rc = hp_result_config_int(r, "fsync_every", pl->fsync_every);
    if (rc == 0 && pl->leak_bytes > 0)
        rc = hp_result_config_int(r, "alloc_leak_bytes", pl->leak_bytes);
    if (rc == 0 && pl->cpu_on)
        rc = hp_result_metric(r, "planted_cpu_ns", (double)st->planted.cpu_ns, "ns");
    if (rc == 0 && pl->lock_on) {
        rc = hp_result_metric(r, "planted_lock_wait_ns", (double)st->planted.lock_wait_ns, "ns");
        rc = rc ? rc : hp_result_metric(r, "planted_lock_held_ns",
                                        (double)st->planted.lock_held_ns, "ns");
    }
    if (rc == 0 && pl->fsync_every > 0)
        rc = hp_result_metric(r, "planted_fsyncs", (double)st->planted.fsyncs, "count");
    if (rc == 0 && pl->leak_bytes > 0)
        rc = hp_result_metric(r, "planted_leaked_bytes", (double)st->planted.leaked_bytes,
                              "bytes");
    rc = rc ? rc : hp_result_metric(r, "bytes_in", (double)st->bytes_in, "bytes");
    rc = rc ? rc : hp_result_metric(r, "bytes_out", (double)st->bytes_out, "bytes");
    for (int code = 100; code < 600 && rc == 0; code++) {
        if (!st->status[code])
            continue;
        snprintf(buf, sizeof buf, "status_%d", code);
        rc = hp_result_metric(r, buf, (double)st->status[code], "count");
    }
    for (int k = 0; k < HP_ROUTE_COUNT && rc == 0; k++) {
        snprintf(buf, sizeof buf, "route_%s", hp_serve_route_name((enum hp_serve_route)k));
        rc = hp_result_metric(r, buf, (double)st->routes[k], "count");
    }
    rc = rc ? rc : hp_result_histogram(r, "service_time", "ns", st->service_ns);
    /* Each stall window at its start (seconds since the server started): how
     * long it held requests, oversleep included. */
    for (int k = 0; k < st->n_stall_windows && rc == 0; k++)
        if (st->stall_ns[k] > 0)
            rc = hp_result_series_point(r, "stall_held_ns", "ns",
                                        (double)(k + 1) * (double)cfg->stall_every_ns / 1e9,
                                        (double)st->stall_ns[k]);
    if (rc < 0)
        rc = hp_err_set(err, rc, "building the truth document: %s", hp_strerror(rc));
    else
        rc = hp_result_write(r, path, err);
    hp_result_free(r);
    return rc;
}

static void print_summary(const struct hp_serve *srv, const struct hp_serve_stats *st)
{
    char a[32], b[32], c[32], d[32];
    double elapsed = hp_serve_elapsed_s(srv);
    printf("served %" PRId64 " requests on %" PRId64 " connections in %.2fs (%s)\n",
           st->requests, st->connections, elapsed,
           hp_format_rate(elapsed > 0 ? (double)st->requests / elapsed : 0, a, sizeof a));
    if (st->requests > 0)
        printf("service time p50 %s  p99 %s  p99.9 %s  max %s\n",
               hp_format_duration(hp_hist_value_at_percentile(st->service_ns, 50), a, sizeof a),
               hp_format_duration(hp_hist_value_at_percentile(st->service_ns, 99), b, sizeof b),
               hp_format_duration(hp_hist_value_at_percentile(st->service_ns, 99.9), c, sizeof c),
               hp_format_duration(hp_hist_max(st->service_ns), d, sizeof d));
    printf("status");
    for (int code = 100; code < 600; code++)
        if (st->status[code])
            printf("  %d: %" PRId64, code, st->status[code]);
    printf("\n");
    if (st->queued)
        printf("waited for a worker: %" PRId64 " requests\n", st->queued);
    if (st->header_timeouts || st->idle_timeouts)
        printf("closed by timeouts: header %" PRId64 "  idle %" PRId64 "\n", st->header_timeouts,
               st->idle_timeouts);
    if (st->stalls || st->injected_errors || st->connections_refused)
        printf("stalls %" PRId64 "  injected errors %" PRId64 "  refused connections %" PRId64
               "\n", st->stalls, st->injected_errors, st->connections_refused);
    fflush(stdout);
}

static int run_serve(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct hp_serve_config cfg = {.threads = 1,
                                  .seed = 1,
                                  .header_timeout_ns = HP_SERVE_HEADER_TIMEOUT_NS,
                                  .idle_timeout_ns = HP_SERVE_IDLE_TIMEOUT_NS};
    const char *listen_text = "127.0.0.1:8080", *truth = NULL, *v;
    int64_t duration_ns = 0, n;
    bool quiet = false, tls_self = false;
    const char *tls_pair = NULL;
    struct hp_tls *tls = NULL;
    struct cli_parser p;
    struct hp_err err = {0};
    struct hp_serve *srv = NULL;
    struct hp_serve_stats st = {0};
    int id, rc, exit_code = HP_EXIT_OK;

    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR:
            return HP_EXIT_USAGE;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        case CLI_POSITIONAL:
            return cli_usage_error(cmd, "unexpected argument '%s' (serve takes only options)", v);
        case O_LISTEN:
            listen_text = v;
            break;
        case O_THREADS:
            if (!cli_int(cmd, "threads", v, 1, HP_SERVE_MAX_THREADS, &n))
                return HP_EXIT_USAGE;
            cfg.threads = (int)n;
            break;
        case O_STALL:
            if (parse_stall(cmd, v, &cfg.stall_every_ns, &cfg.stall_for_ns) < 0)
                return HP_EXIT_USAGE;
            break;
        case O_ERROR_RATE:
            if (!cli_percent(cmd, "error-rate", v, &cfg.error_rate))
                return HP_EXIT_USAGE;
            break;
        case O_TRUTH:
            truth = v;
            break;
        case O_DURATION:
            if (!cli_duration(cmd, "duration", v, &duration_ns))
                return HP_EXIT_USAGE;
            break;
        case O_SEED:
            if (!cli_int(cmd, "seed", v, 0, INT64_MAX, &n))
                return HP_EXIT_USAGE;
            cfg.seed = (uint64_t)n;
            break;
        case O_MAX_CONNS:
            if (!cli_int(cmd, "max-conns", v, 1, 10000000, &n))
                return HP_EXIT_USAGE;
            cfg.max_conns = (int)n;
            break;
        case O_CPU_WORK:
        case O_LOCK_WORK: {
            struct hp_err de;
            struct hp_dist *d = id == O_CPU_WORK ? &cfg.planted.cpu : &cfg.planted.lock;
            if (hp_dist_parse(v, strlen(v), d, &de) < 0)
                return cli_usage_error(cmd, "--%s %s: %s", id == O_CPU_WORK ? "cpu-work"
                                                                            : "lock-work",
                                       v, de.msg);
            if (id == O_CPU_WORK)
                cfg.planted.cpu_on = true;
            else
                cfg.planted.lock_on = true;
            break;
        }
        case O_FSYNC_EVERY:
            if (!cli_int(cmd, "fsync-every", v, 1, 1000000000, &n))
                return HP_EXIT_USAGE;
            cfg.planted.fsync_every = (int)n;
            break;
        case O_FSYNC_FILE:
            cfg.planted.fsync_path = v;
            break;
        case O_ALLOC_LEAK: {
            struct hp_err se;
            if (hp_parse_size(v, &cfg.planted.leak_bytes, &se) < 0 ||
                cfg.planted.leak_bytes < 1 || cfg.planted.leak_bytes > (INT64_C(1) << 30))
                return cli_usage_error(cmd, "--alloc-leak %s: a size from 1 byte to 1GiB", v);
            break;
        }
        case O_WORKERS:
            if (!cli_int(cmd, "workers", v, 1, 1000000, &n))
                return HP_EXIT_USAGE;
            cfg.workers = (int)n;
            break;
        case O_QUIET:
            quiet = true;
            break;
        case O_REUSE_PORT:
            cfg.reuse_port = true;
            break;
        case O_HEADER_TIMEOUT:
            if (!cli_duration(cmd, "header-timeout", v, &cfg.header_timeout_ns))
                return HP_EXIT_USAGE;
            break;
        case O_IDLE_TIMEOUT:
            if (!cli_duration(cmd, "idle-timeout", v, &cfg.idle_timeout_ns))
                return HP_EXIT_USAGE;
            break;
        case O_TLS:
            tls_pair = v;
            break;
        case O_TLS_SELF_SIGNED:
            tls_self = true;
            break;
        case O_H2:
            cfg.h2 = true;
            break;
        case O_H2C:
            cfg.h2c = true;
            break;
        case O_H2_STREAMS:
            if (!cli_int(cmd, "h2-max-streams", v, 1, 1 << 20, &n))
                return HP_EXIT_USAGE;
            cfg.h2_streams = (int)n;
            break;
        }
    }
    if (tls_pair && tls_self)
        return cli_usage_error(cmd, "--tls and --tls-self-signed: give one");
    if (cfg.h2 && !tls_pair && !tls_self)
        return cli_usage_error(cmd, "--h2 is agreed in the TLS handshake: add --tls or "
                                    "--tls-self-signed (--h2c serves HTTP/2 over plain TCP)");
    if (cfg.h2c && (tls_pair || tls_self))
        return cli_usage_error(cmd, "--h2c is HTTP/2 over plain TCP: with TLS use --h2");
    if (tls_pair || tls_self) {
        char cert[1024] = "";
        const char *key = NULL;
        if (tls_pair) {
            const char *colon = strrchr(tls_pair, ':');
            snprintf(cert, sizeof cert, "%.*s", (int)(colon ? colon - tls_pair : (long)strlen(tls_pair)),
                     tls_pair);
            key = colon ? colon + 1 : cert;
        }
        struct hp_tls_opts o = {.server = true, .self_signed = tls_self,
                                .cert = tls_pair ? cert : NULL, .key = key,
                                .alpn = cfg.h2 ? "h2,http/1.1" : NULL};
        rc = hp_tls_new(&o, &tls, &err);
        if (rc < 0)
            return cli_fail(cmd, rc, &err);
        cfg.tls = tls;
    }
    rc = hp_addr_parse(listen_text, &cfg.listen, &err);
    if (rc < 0) {
        cli_usage_error(cmd, "--listen: %s", err.msg);
        return HP_EXIT_USAGE;
    }

    /* Block the stop signals before any thread exists; wait for them below. */
    sigset_t stop_sigs;
    sigemptyset(&stop_sigs);
    sigaddset(&stop_sigs, SIGINT);
    sigaddset(&stop_sigs, SIGTERM);
    sigaddset(&stop_sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    int64_t wall_ns = hp_wall_ns();
    rc = hp_serve_new(&cfg, &srv, &err);
    if (rc < 0)
        return cli_fail(cmd, rc, &err);
    struct hp_addr bound;
    char bound_text[160];
    hp_serve_bound(srv, &bound);
    hp_addr_format(&bound, bound_text, sizeof bound_text);
    rc = hp_serve_start(srv, &err);
    if (rc < 0) {
        exit_code = cli_fail(cmd, rc, &err);
        goto out;
    }
    printf("listening on %s%s (%d thread%s)\n",
           bound.ss.ss_family == AF_UNIX ? "" : tls ? "https://" : "http://", bound_text,
           cfg.threads, cfg.threads == 1 ? "" : "s");
    if (tls_self) {
        char fp[128];
        hp_tls_fingerprint(tls, fp, sizeof fp);
        printf("self-signed certificate, SHA-256 %s\n", fp);
    }
    fflush(stdout);

    if (duration_ns > 0) {
        struct timespec ts = hp_ns_to_ts(duration_ns);
        while (sigtimedwait(&stop_sigs, NULL, &ts) < 0 && errno == EINTR)
            ;
    } else {
        int sig;
        sigwait(&stop_sigs, &sig);
    }
    hp_serve_stop(srv);
    rc = hp_serve_stats(srv, &st);
    if (rc < 0) {
        exit_code = cli_fail(cmd, rc, NULL);
        goto out;
    }
    if (!quiet)
        print_summary(srv, &st);
    if (truth) {
        rc = write_truth(srv, &cfg, bound_text, &st, wall_ns, truth, &err);
        if (rc < 0)
            exit_code = cli_fail(cmd, rc, &err);
    }
out:
    hp_hist_free(st.service_ns);
    hp_serve_free(srv);
    hp_tls_free(tls);
    return exit_code;
}

const struct hp_cmd hp_cmd_serve = {
    .name = "serve",
    .summary = "Embedded HTTP/1.1 target with known behaviour: the ground truth for load tests.",
    .usage = "serve [options]",
    .description =
        "Serves HTTP/1.1 on epoll worker threads with keep-alive and pipelining. Its routes "
        "behave as asked, so a load generator's numbers can be checked against what really "
        "happened (--truth).\n\n"
        "Routes: / answers 13 bytes (\"Hello, World!\"). /bytes/N answers N bytes (N may "
        "carry a unit: 64KiB). /status/CODE answers with that status (1xx codes send the "
        "interim response, then 200). /delay/DIST answers after a delay drawn from DIST: "
        "fixed:2ms, uniform:1ms:5ms, exp:5ms (mean), lognormal:MEDIAN:SIGMA, "
        "bimodal:P:FAST:SLOW (P is the share of SLOW answers, e.g. bimodal:1%:1ms:100ms). "
        "Delays are timers in the event loop: no thread or sleep per request.\n\n"
        "Pages whose browser figures are known, for `hotpath page`: /page answers an HTML "
        "page (after ?ttfb=DIST) that plants what its parameters ask: lcp=D (an 800x450 "
        "image answered after D: the largest contentful paint), cls=S (one layout shift of "
        "score S, shift_at=D after the script ran, 100ms by default), longtask=D (a task of D "
        "after the first contentful paint: a blocking time of D - 50ms), inp=D (a button, "
        "#hp-button, whose click handler runs for D) and assets=D1,D2,... (one small image "
        "each, answered after its delay). The page holds its load event until everything "
        "planted has happened. /page/NAME.EXT answers a small body typed by its extension "
        "(.svg, .css, .js, .html) after ?delay=DIST. Anything else "
        "is 404; malformed requests get 400, heads over 8 KiB 431, and the connection closes. "
        "Request bodies (Content-Length or chunked) are read and discarded.\n\n"
        "Stops cleanly on SIGINT or SIGTERM, printing a summary and writing --truth.",
    .opts = serve_opts,
    .examples = "  hotpath serve --listen 127.0.0.1:0 -t 2\n"
                "  hotpath serve --stall 5s:500ms --error-rate 1% --truth truth.json\n"
                "  hotpath serve --workers 8     # /delay/exp:1ms levels off at 8k/s\n"
                "  curl http://127.0.0.1:8080/delay/lognormal:2ms:0.5\n",
    .run = run_serve,
};
