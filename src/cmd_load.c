// SPDX-License-Identifier: MIT
/* src/cmd_load.c - `hotpath load`: its flags, then a URL's run (load_url.c)
 * or a scenario file's (load_scenario.c). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_gate.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/result.h"
#include "core/units.h"
#include "load_common.h"

#define MAX_BODY_BYTES (16u * 1024 * 1024)

/* The flags up to O_MODEL set what a scenario file sets itself. */
enum { O_CONNECTIONS = 1, O_THREADS, O_DURATION, O_HEADER, O_TIMEOUT, O_METHOD, O_BODY, O_UNIX,
       O_PIPELINE, O_RPC, O_RATE, O_ARRIVAL, O_CONNECT_TIMEOUT, O_HDR_LOG, O_STAGES, O_MODEL,
       O_LATENCY, O_GRACE, O_JSON, O_SEED, O_THRESHOLD, O_JUNIT, O_SUMMARY_MD, O_CHECK, O_SCRIPT,
       O_MONITOR, O_REDACT, O_TLS_RESUME, O_NEW_CONN, O_H2, O_H2C, O_STREAMS, O_SEGMENT,
       O_EXEC_SEGMENT, O_EXEC_SEQUENCE, O_START_AT, O_SOURCE_ADDRS, O_CONNECT_RATE,
       O_REQUEST_EVERY, O_PAGE, O_PAGE_EVERY,
       O_TLS /* CLI_TLS_COUNT ids from here */ };

static const struct cli_opt load_opts[] = {
    {O_CONNECTIONS, "connections", 'c', "N",
     "Connections to keep open (closed model), or the cap on requests in flight (open model); "
     "1k is 1000. Default 10."},
    {O_THREADS, "threads", 't', "N",
     "Worker threads, each with its own event loop. Default 2 (1 with -c 1)."},
    {O_DURATION, "duration", 'd', "DURATION",
     "How long to send, e.g. 30s, 2m (a bare number is seconds, as in wrk). Default 10s."},
    {O_HEADER, "header", 'H', "'NAME: VALUE'",
     "Add a header to every request (repeatable). A Host header replaces the URL's."},
    {O_LATENCY, "latency", 0, NULL,
     "Print the latency percentiles and the full percentile spectrum."},
    {O_TIMEOUT, "timeout", 0, "DURATION",
     "A request unanswered this long is an error and is recorded at this latency. Default 2s."},
    {O_METHOD, "method", 'm', "METHOD", "Request method. Default GET."},
    {O_BODY, "body", 0, "TEXT|@FILE", "Request body, inline or read from FILE."},
    {O_UNIX, "unix-socket", 0, "PATH",
     "Connect to this unix socket instead of the URL's host (the URL still gives Host and path)."},
    {O_PIPELINE, "pipeline", 0, "N",
     "HTTP/1.1: requests in flight per connection (pipelining). Default 1."},
    {O_H2, "h2", 0, "[=prefer]",
     "https: speak HTTP/2, agreed in the TLS handshake (ALPN); a server that does not agree "
     "fails the connection (tls_handshake). --h2=prefer falls back to HTTP/1.1 on it."},
    {O_H2C, "h2c", 0, NULL, "http: speak HTTP/2 over plain TCP with prior knowledge."},
    {O_STREAMS, "max-concurrent-streams", 'M', "N",
     "HTTP/2: requests in flight per connection, each its own stream (h2load's -m); the "
     "server's SETTINGS_MAX_CONCURRENT_STREAMS lowers it. Closed model: N streams are kept "
     "busy; open model: a request goes on any connection with a free stream, and one that "
     "finds none waits, timed from its schedule. Default 1."},
    {O_RPC, "requests-per-conn", 0, "N",
     "Close and reconnect after N answers on a connection (0: keep alive forever). Default 0."},
    {O_RATE, "rate", 'R', "RATE",
     "Open model: send RATE requests per second in total on a fixed schedule (e.g. 2000, 2k/s), "
     "whatever the answers; latency is measured from the schedule. Without it, the closed model."},
    {O_STAGES, "stages", 0, "D:N,...",
     "A load profile, e.g. 30s:100,1m:100,30s:0: each stage ramps linearly from the previous "
     "target (0 at first) to its own over its duration. Closed model: N is connections (-c "
     "defaults to the largest). Open model (--model open): N is requests per second. Sets the "
     "duration."},
    {O_MODEL, "model", 0, "closed|open",
     "The load model. Default closed, or open when --rate is given."},
    {O_ARRIVAL, "arrival", 0, "constant|poisson",
     "Open model: evenly spaced requests or Poisson arrivals. Default constant."},
    {O_GRACE, "grace", 0, "DURATION",
     "After the end (or Ctrl-C), wait this long for answers in flight. Default: the timeout."},
    {O_CONNECT_TIMEOUT, "connect-timeout", 0, "DURATION", "Default: the request timeout."},
    {O_JSON, "json", 0, "FILE", "Write the result document (hotpath.result/1) to FILE."},
    {O_HDR_LOG, "hdr-log", 0, "FILE",
     "Write each second's latency histogram to FILE in HdrHistogram's interval log format "
     "(from the schedule untagged, from the send as Tag=uncorrected)."},
    {O_THRESHOLD, "threshold", 0, "'METRIC: AGG OP VALUE'",
     "A pass/fail criterion, k6's way (repeatable): 'http_req_duration: p(99) < 300ms', "
     "'http_req_failed: rate < 1%', 'http_reqs: rate > 500'. Metrics: http_req_duration "
     "(from the schedule), http_req_duration_uncorrected (from the send), scheduler_lag, "
     "and where each request's time went, k6's phases: http_req_blocked, "
     "http_req_connecting, http_req_tls_handshaking, http_req_sending, http_req_waiting, "
     "http_req_receiving (avg min max med p(N)); http_req_failed (rate); http_reqs, data_received, data_sent "
     "(count, rate). Add ', abort_on_fail' or ', abort_on_fail=30s' to stop the run as soon "
     "as it fails (not before the delay). Any failure: exit status 99."},
    {O_JUNIT, "junit", 0, "FILE",
     "Write the thresholds as a JUnit XML report (one testcase each) for CI test reporters."},
    {O_SUMMARY_MD, "summary-md", 0, "FILE",
     "Write a Markdown summary (figures and thresholds) for a CI job page."},
    {O_SCRIPT, "script", 's', "FILE.lua",
     "A wrk script (LuaJIT): setup(thread), init(args), request(), response(status, headers, "
     "body), delay(), done(summary, latency, requests) and the wrk table, as wrk runs them. "
     "Arguments after -- go to init(args). See docs/scripting.md."},
    {O_CHECK, "check", 0, NULL,
     "With a scenario file: validate it (and its data and body files), print what would run, "
     "send nothing."},
    {O_SEED, "seed", 0, "N", "Seed of Poisson arrivals and random picks. Default 1."},
    {O_REDACT, "redact", 0, "NAME",
     "Also treat query parameters and headers called NAME as secrets (repeatable): their "
     "values are shown as [redacted] in the terminal, the document and the summaries, like "
     "those of Authorization, Cookie, token, key, sig, secret, password, session, credential "
     "and the cloud signing parameters."},
    CLI_TLS_OPTS(O_TLS),
    {O_TLS_RESUME, "tls-resume", 0, NULL,
     "https: resume TLS sessions (tickets and session IDs) on new connections."},
    {O_NEW_CONN, "new-conn-per-request", 0, NULL,
     "A new connection (and TLS handshake) for every request, as k6's noConnectionReuse: "
     "--requests-per-conn 1."},
    {O_SEGMENT, "segment", 0, "I/N|auto[/N]",
     "Run part I of N of the test (1 <= I <= N), to split it over processes or machines and "
     "join the parts' documents with hotpath merge: the open model sends every N-th arrival of "
     "the whole schedule (dealt out, not cut into blocks), the closed model holds its share of "
     "-c and of each stage, unique data rows are dealt out like arrivals; -c, --rate and "
     "--stages stay the whole test's. auto takes I from the scheduler: JOB_COMPLETION_INDEX "
     "(Kubernetes Indexed Job; give N as auto/N), SLURM_ARRAY_TASK_ID and "
     "SLURM_ARRAY_TASK_COUNT (Slurm job array), NOMAD_ALLOC_INDEX (Nomad; auto/N)."},
    {O_EXEC_SEGMENT, "execution-segment", 0, "A:B",
     "k6's form of --segment: the share of the whole test from A to B (fractions 1/4:2/4, "
     "decimals 0.25:0.5 or percents 25%:50%)."},
    {O_EXEC_SEQUENCE, "execution-segment-sequence", 0, "0,A,B,...,1",
     "k6's: every part's boundaries, so uneven parts deal out the arrivals together (default "
     "0,A,B,1)."},
    {O_START_AT, "start-at", 0, "TIME",
     "Wait until this wall-clock time (RFC 3339, 2026-12-07T10:00:00Z, or seconds since the "
     "epoch) before starting, so the parts of a split test start together; the document "
     "records how late the start was."},
    {O_SOURCE_ADDRS, "source-addrs", 0, "A-B|A,B,...",
     "Connect from these local addresses in turn (127.0.0.2-127.0.0.200, or a list; IPv6 in "
     "a list): one source address reaches one target on at most ~28k ephemeral ports, so "
     "100,000 connections need four or more. On Linux all of 127.0.0.0/8 is local."},
    {O_CONNECT_RATE, "connect-rate", 0, "RATE",
     "Open at most RATE connections per second (e.g. 2000, 5k/s), in turn, instead of all at "
     "once: a burst of SYNs overflows the server's listen queue and is not the test."},
    {O_REQUEST_EVERY, "request-every", 0, "DURATION",
     "Closed model: each connection sends one request every DURATION (the connections' first "
     "requests spread evenly over the first interval), like many mostly idle clients; a "
     "request due while the last is unanswered goes when it returns, timed from when it was "
     "due. With -c 100k and 10s: 10,000 requests per second."},
    {O_MONITOR, "monitor", 0, "PID",
     "Record USE-method samples of the machine and of process PID (the server under test) "
     "every second alongside the test, as hotpath monitor does; the summary names the "
     "resource that saturated first, and --json gets the series."},
    {O_PAGE, "page", 0, "URL",
     "Load URL in headless Chromium every --page-every while the test runs, as `hotpath page` "
     "does (cold, 1350x940): the summary gives the median LCP and TTFB a visitor saw under "
     "this load, and --json the series page_lcp, page_ttfb, page_fcp, page_cls and every "
     "load with its waterfall. The browser starts before the test."},
    {O_PAGE_EVERY, "page-every", 0, "DURATION",
     "From one page load's start to the next (default 5s)."},
    {0, NULL, 0, NULL, NULL},
};


#define AT(field) offsetof(struct load_run, field)
static const struct cli_field load_fields[] = {
    /* As wrk reads them: -c 1k, -d 30 and --timeout 2 (seconds). */
    {O_CONNECTIONS, CLI_COUNT, AT(cfg.connections), 1, 1000000},
    {O_THREADS, CLI_INT, AT(cfg.threads), 1, HP_LOAD_MAX_THREADS},
    {O_DURATION, CLI_DURATION_S, AT(cfg.duration_ns), 1, 0},
    {O_TIMEOUT, CLI_DURATION_S, AT(cfg.timeout_ns), 1, 0},
    {O_CONNECT_TIMEOUT, CLI_DURATION_S, AT(cfg.connect_timeout_ns), 0, 0},
    {O_GRACE, CLI_DURATION_S, AT(grace_ns), 0, 0},
    {O_PIPELINE, CLI_INT, AT(cfg.pipeline), 1, HP_LOAD_MAX_PIPELINE},
    {O_STREAMS, CLI_INT, AT(plan.streams), 1, HP_LOAD_MAX_PIPELINE},
    {O_RPC, CLI_INT64, AT(cfg.requests_per_conn), 0, INT64_MAX},
    {O_SEED, CLI_INT64, AT(cfg.seed), 0, INT64_MAX},
    {O_MONITOR, CLI_INT, AT(monitor_pid), 1, INT32_MAX},
    {O_PAGE, CLI_STR, AT(page_url), 0, 0},
    {O_PAGE_EVERY, CLI_DURATION, AT(page_every_ns), 1, 0},
    {O_METHOD, CLI_STR, AT(plan.method), 0, 0},
    {O_UNIX, CLI_STR, AT(plan.unix_socket), 0, 0},
    {O_STAGES, CLI_STR, AT(plan.stages), 0, 0},
    {O_HDR_LOG, CLI_STR, AT(hdr_log_path), 0, 0},
    {O_JSON, CLI_STR, AT(json), 0, 0},
    {O_SCRIPT, CLI_STR, AT(script_path), 0, 0},
    {O_JUNIT, CLI_STR, AT(junit), 0, 0},
    {O_SUMMARY_MD, CLI_STR, AT(summary_md), 0, 0},
    {O_SEGMENT, CLI_STR, AT(segment_text), 0, 0},
    {O_REQUEST_EVERY, CLI_DURATION_S, AT(cfg.request_every_ns), 1, 0},
    {O_EXEC_SEGMENT, CLI_STR, AT(exec_segment), 0, 0},
    {O_EXEC_SEQUENCE, CLI_STR, AT(exec_sequence), 0, 0},
    {O_START_AT, CLI_STR, AT(start_at_text), 0, 0},
    {O_LATENCY, CLI_FLAG, AT(latency), 0, 0},
    {O_CHECK, CLI_FLAG, AT(check_only), 0, 0},
    {O_TLS_RESUME, CLI_FLAG, AT(plan.tls.resume), 0, 0},
    {0, 0, 0, 0, 0},
};

/* The flags into run; -1 to go on, or the exit code. */
static int parse_args(const struct hp_cmd *cmd, int argc, char **argv, struct load_run *run)
{
    struct hp_load_plan *p = &run->plan;
    struct cli_parser cp;
    struct hp_err e2;
    const char *v;
    int id, rc;

    cli_init(&cp, cmd, argc, argv);
    while ((id = cli_next(&cp, &v)) != CLI_DONE) {
        for (const struct cli_opt *o = load_opts; !run->engine_flag && o->name; o++)
            if (o->id == id && id <= O_MODEL)
                run->engine_flag = o->name;
        p->connections_given |= id == O_CONNECTIONS;
        p->tls_given |= id == O_TLS_RESUME || (id >= O_TLS && id < O_TLS + CLI_TLS_COUNT);
        if ((rc = cli_tls_store(cmd, id, O_TLS, v, &p->tls)) != 0) {
            if (rc < 0)
                return HP_EXIT_USAGE;
            continue;
        }
        p->duration_given |= id == O_DURATION;
        run->pipeline_given |= id == O_PIPELINE;
        p->pipeline_given |= id == O_PIPELINE;
        if ((rc = cli_store(cmd, load_fields, id, v, run)) != 0) {
            if (rc < 0)
                return HP_EXIT_USAGE;
            continue;
        }
        switch (id) {
        case CLI_ERROR:
            return HP_EXIT_USAGE;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (p->url && cp.only_positional) { /* after --: the script's */
                if (run->n_script_args >= MAX_SCRIPT_ARGS)
                    return cli_usage_error(cmd, "at most %d arguments after --",
                                           MAX_SCRIPT_ARGS);
                run->script_args[run->n_script_args++] = v;
            } else if (p->url) {
                return cli_usage_error(cmd, "unexpected argument '%s' (one URL only)", v);
            } else {
                p->url = v;
            }
            break;
        case O_HEADER:
            if (p->n_headers >= MAX_HEADERS)
                return cli_usage_error(cmd, "--header: at most %d headers", MAX_HEADERS);
            run->headers[p->n_headers++] = v;
            break;
        case O_BODY:
            hp_free(run->body);
            run->body = NULL;
            rc = v[0] == '@' ? hp_file_read(v + 1, MAX_BODY_BYTES, &run->body, &p->body_len, &e2)
                 : (run->body = hp_strdup(v)) ? 0
                                              : -ENOMEM;
            if (rc < 0)
                return cli_fail(cmd, rc, v[0] == '@' ? &e2 : NULL);
            if (v[0] != '@')
                p->body_len = strlen(v);
            p->body = run->body;
            break;
        case O_RATE:
            if (hp_parse_rate(v, &p->rate_per_s, &e2) < 0)
                return cli_usage_error(cmd, "--rate: %s", e2.msg);
            if (p->rate_per_s <= 0)
                return cli_usage_error(cmd, "--rate: must be above 0");
            break;
        case O_MODEL:
            if (strcmp(v, "open") != 0 && strcmp(v, "closed") != 0)
                return cli_usage_error(cmd, "--model: '%s' (expected closed or open)", v);
            p->model = v[0] == 'o' ? HP_MODEL_OPEN : HP_MODEL_CLOSED;
            break;
        case O_ARRIVAL:
            if (strcmp(v, "poisson") != 0 && strcmp(v, "constant") != 0)
                return cli_usage_error(cmd, "--arrival: '%s' (expected constant or poisson)", v);
            run->cfg.poisson = v[0] == 'p';
            break;
        case O_NEW_CONN:
            run->cfg.requests_per_conn = 1;
            break;
        case O_H2:
            if (v && strcmp(v, "prefer") != 0)
                return cli_usage_error(cmd, "--h2=%s: the only choice is --h2=prefer", v);
            if (p->h2 == HP_H2C)
                return cli_usage_error(cmd, "--h2 and --h2c: one of them (https takes --h2)");
            p->h2 = v ? HP_H2_PREFER : HP_H2_ALPN;
            break;
        case O_H2C:
            if (p->h2 != HP_H2_OFF && p->h2 != HP_H2C)
                return cli_usage_error(cmd, "--h2 and --h2c: one of them (https takes --h2)");
            p->h2 = HP_H2C;
            break;
        case O_SOURCE_ADDRS:
            hp_free(run->sources);
            if (hp_addr_parse_sources(v, &run->sources, &run->cfg.n_sources, &e2) < 0)
                return cli_usage_error(cmd, "%s", e2.msg);
            run->cfg.sources = run->sources;
            break;
        case O_CONNECT_RATE:
            if (hp_parse_rate(v, &run->cfg.connect_rate, &e2) < 0 || !(run->cfg.connect_rate > 0))
                return cli_usage_error(cmd, "--connect-rate: '%s' is not a rate above 0", v);
            break;
        case O_REDACT:
            if (hp_redact_add(v) < 0)
                return cli_usage_error(cmd, "--redact: at most 32 names of up to 63 bytes");
            break;
        case O_THRESHOLD:
            if (run->n_thresholds < CLI_GATE_MAX)
                run->thresholds[run->n_thresholds++] = v;
            if (!cli_gate_add(cmd, &run->gate, v))
                return HP_EXIT_USAGE;
            break;
        }
    }
    return -1;
}

/* The first of the flags a scenario file does not take yet, or NULL. */
static const char *machine_flag(const struct hp_load_config *cfg)
{
    return cfg->n_sources > 0       ? "source-addrs"
           : cfg->connect_rate > 0  ? "connect-rate"
           : cfg->request_every_ns ? "request-every"
                                    : NULL;
}

static const char *env(const char *name)
{
    return getenv(name);
}

/* --segment, --execution-segment(-sequence) and --start-at into run. -1 to
 * go on, or the exit code. */
static int resolve_segment(const struct hp_cmd *cmd, struct load_run *run)
{
    struct hp_err e;
    int rc = 0;
    if (run->start_at_text) {
        double t;
        if (hp_parse_time(run->start_at_text, &t, &e) < 0)
            return cli_usage_error(cmd, "--start-at %s", e.msg);
        run->start_at_ns = (int64_t)(t * 1e9);
    }
    if (run->segment_text && run->exec_segment)
        return cli_usage_error(cmd, "--segment and --execution-segment: give one");
    if (run->exec_sequence && !run->exec_segment)
        return cli_usage_error(cmd, "--execution-segment-sequence needs --execution-segment");
    if (run->exec_segment) {
        rc = hp_segment_parse_k6(run->exec_segment, run->exec_sequence, &run->seg, &e);
    } else if (run->segment_text && strncmp(run->segment_text, "auto", 4) == 0) {
        long n = 0;
        const char *t = run->segment_text + 4;
        if (*t == '/') {
            char *end;
            n = strtol(t + 1, &end, 10);
            if (end == t + 1 || *end || n < 1 || n > HP_SEGMENT_MAX_PARTS)
                return cli_usage_error(cmd, "--segment %s: expected auto or auto/N (N parts, "
                                            "1-%d)",
                                       run->segment_text, HP_SEGMENT_MAX_PARTS);
        } else if (*t) {
            return cli_usage_error(cmd, "--segment %s: expected auto or auto/N",
                                   run->segment_text);
        }
        rc = hp_segment_auto((int)n, env, &run->seg, &e);
    } else if (run->segment_text) {
        rc = hp_segment_parse_part(run->segment_text, &run->seg, &e);
    } else {
        return -1;
    }
    if (rc < 0)
        return rc == HP_EUSAGE ? cli_usage_error(cmd, "%s", e.msg) : cli_fail(cmd, rc, &e);
    run->segmented = true;
    run->plan.segment = &run->seg;
    return -1;
}

static int run_load(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct load_run run = {.grace_ns = -1};
    int exit_code;

    hp_load_config_defaults(&run.cfg);
    run.cfg.grace_ns = -1;
    run.plan.headers = run.headers;
    cli_gate_init(&run.gate);
    if ((exit_code = parse_args(cmd, argc, argv, &run)) >= 0 ||
        (exit_code = resolve_segment(cmd, &run)) >= 0)
        goto out;
    exit_code = HP_EXIT_OK;
    if (!run.plan.url) {
        exit_code = cli_usage_error(cmd, "a URL or a scenario file is needed (e.g. hotpath load "
                                         "http://127.0.0.1:8080/)");
        goto out;
    }
    if (!strstr(run.plan.url, "://")) {
        /* A scenario file: it sets the target, the executors and the requests. */
        struct load_scenario_opts so = {
            .path = run.plan.url, .check_only = run.check_only, .latency = run.latency,
            .json = run.json, .junit = run.junit, .summary_md = run.summary_md,
            .thresholds = run.thresholds, .n_thresholds = run.n_thresholds,
            .grace_ns = run.grace_ns, .seed = run.cfg.seed, .tls = &run.plan.tls,
            .tls_given = run.plan.tls_given, .h2 = run.plan.h2, .streams = run.plan.streams,
            .segment = run.segmented ? &run.seg : NULL, .start_at_ns = run.start_at_ns,
        };
        exit_code = run.page_url
                        ? cli_usage_error(cmd, "--page is for a single URL's test: a scenario "
                                               "file's executors do not take it yet")
                    : run.engine_flag
                        ? cli_usage_error(cmd, "--%s: a scenario file sets connections, rates, "
                                               "durations and requests itself (write them in %s)",
                                          run.engine_flag, run.plan.url)
                    : machine_flag(&run.cfg)
                        ? cli_usage_error(cmd, "--%s is for a single URL's test: a scenario "
                                               "file's executors do not take it yet",
                                          machine_flag(&run.cfg))
                        : load_scenarios(cmd, &so);
        goto out;
    }
    if (run.check_only) {
        exit_code = cli_usage_error(cmd, "--check validates a scenario file, not a URL");
        goto out;
    }
    exit_code = load_url(cmd, &run);
out:
    hp_segment_free(&run.seg);
    hp_free(run.sources);
    hp_free(run.body);
    return exit_code;
}

const struct hp_cmd hp_cmd_load = {
    .name = "load",
    .summary = "HTTP load test (HTTP/1.1, TLS, HTTP/2), closed or open model, with latency you "
               "can trust.",
    .usage = "load [options] URL",
    .description =
        "Sends HTTP/1.1 requests (or HTTP/2 with --h2 or --h2c, TLS for https://) to URL from -t "
        "worker threads over -c connections and reports "
        "throughput, latency percentiles and errors, like wrk; every latency lands in a "
        "full-resolution HdrHistogram (1 ns to 1 h, 3 significant digits). Beside its own "
        "table it prints wrk's lines in wrk's format (Thread Stats, Latency and Req/Sec with "
        "+/- Stdev, N requests in, Socket errors, Non-2xx or 3xx responses, Requests/sec, "
        "Transfer/sec), so scripts that parse wrk's output keep working.\n\n"
        "Closed model (default): each connection sends its next request when the previous "
        "answer arrives, so a server that stalls also slows the requests down and hides its "
        "own latency (coordinated omission). Open model (--rate): requests follow a fixed "
        "schedule whatever the answers; latency is measured from when each request should "
        "have been sent, and, separately, from when it was sent. A request that finds all -c "
        "connections busy waits, is sent late and still counts from its schedule: nothing is "
        "dropped. The scheduler's own lag has its own histogram, with a warning when its p99 "
        "passes 1ms.\n\n"
        "Errors are counted by class and never stop the run: connect_refused, "
        "connect_timeout, connect_error, reset, read_error, write_error, timeout (recorded at "
        "the timeout), malformed, status_4xx, status_5xx, tls_handshake, and over HTTP/2 "
        "h2_rst_stream (the server reset the stream) and h2_goaway (its GOAWAY with an error "
        "left the stream out; streams a graceful GOAWAY left out are sent again, not errors). "
        "Ctrl-C stops "
        "sending, waits --grace for answers in flight and reports what was measured. Exit "
        "status 1 when no request was answered.",
    .opts = load_opts,
    .examples = "  hotpath load -t2 -c64 -d30s --latency http://127.0.0.1:8080/\n"
                "  hotpath load --rate 2k/s -c 200 -d 1m --json run.json http://127.0.0.1:8080/\n"
                "  hotpath load -m POST --body @order.json -H 'Content-Type: application/json' "
                "http://127.0.0.1:8080/orders\n"
                "  hotpath load --h2 -c 64 -M 10 -d 30s https://api.example.com/health\n",
    .run = run_load,
};
