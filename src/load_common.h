/* SPDX-License-Identifier: MIT */
/* src/load_common.h - what `hotpath load` shares between single-URL tests
 * (cmd_load.c) and scenario files (load_scenario.c). */
#ifndef HP_LOAD_COMMON_H
#define HP_LOAD_COMMON_H

#include <signal.h>

#include "cmds.h"
#include "cli_gate.h"
#include "http/url.h"
#include "io/tls.h"
#include "load/plan.h"
#include "stat/hlog.h"
#include "sys/monitor.h"
#include "page/probe.h"
#include "load/load.h"
#include "stat/threshold.h"

/* Block SIGINT and SIGTERM in every thread made from here on (the caller
 * waits for them with sigtimedwait on *set) and ignore SIGPIPE. */
void load_block_stop_signals(sigset_t *set);
/* The exit status once the outputs are written: exit_code when it already
 * says the run failed; else 1 when no request was answered and errors
 * were counted, 99 when `failed` of n thresholds failed (saying so). */
int load_exit_status(int exit_code, int64_t answered, int64_t errors, int failed, int n);
/* "    LABEL   avg stdev p50 p90 p99 max" */
void load_print_latency_row(const char *label, const struct hp_hist *h);
/* "Running 10s test @ URL" and the threads, connections and model. */
void load_print_banner(const struct hp_load_config *cfg, const char *url, bool stages,
                       double target_rate);
/* One progress line on stderr (a terminal), rewritten each interval. */
void load_print_progress(const struct hp_load_config *cfg, const struct hp_load_figures *f);
/* wrk's summary and hotpath's figures; rates over elapsed (measured) seconds. */
void load_print_summary(const struct hp_load_config *cfg, double target_rate, bool latency,
                        const struct hp_load_figures *t, double elapsed, const double *rates,
                        size_t n_rates);
/* The thresholds and how the run ended, then close the memstream f (over
 * *text, *len) and write it to path; frees *text. */
int load_summary_md_finish(FILE *f, char **text, size_t *len, const struct cli_gate *gate,
                           const char *path, struct hp_err *err);
/* --summary-md of a single-URL run, written atomically to path. */
int load_write_summary_md(const char *path, const char *url, const struct hp_load_config *cfg,
                          const struct cli_gate *gate, const struct hp_load_figures *t, double secs,
                          struct hp_err *err);

#define MAX_HEADERS 64
#define MAX_SCRIPT_ARGS 64

/* `hotpath load`'s command line (cmd_load.c parses it) and, for a URL,
 * the run's state (load_url.c). */
struct load_run {
    struct hp_load_plan plan;
    struct hp_load_config cfg;
    struct hp_url url;
    double target_rate;
    const char *headers[MAX_HEADERS];
    char *body;
    const char *json, *hdr_log_path, *junit, *summary_md, *script_path;
    const char *shown_url; /* the URL as printed: secrets redacted */
    const char *engine_flag; /* the first flag that a scenario file sets itself */
    const char *thresholds[CLI_GATE_MAX];
    int n_thresholds;
    /* a part of a split test: --segment or --execution-segment(-sequence) */
    const char *segment_text, *exec_segment, *exec_sequence, *start_at_text;
    struct hp_segment seg;
    bool segmented;
    int64_t start_at_ns; /* --start-at, wall clock; 0: now */
    struct hp_addr *sources;  /* --source-addrs */
    const char *script_args[MAX_SCRIPT_ARGS];
    int n_script_args;
    bool latency, check_only, pipeline_given, tty;
    int64_t grace_ns;
    struct cli_gate gate;
    struct hp_script *script;
    struct hp_load *l;
    struct hp_result *doc;
    struct hp_hlog *hlog;
    double *rates; /* per interval, each thread's requests/s (wrk's done() takes them) */
    size_t n_rates, cap_rates;
    int monitor_pid;
    struct hp_mon_follow mon;
    const char *page_url;        /* --page: loaded in a browser while the test runs */
    int64_t page_every_ns;
    struct hp_page_probe *probe;
    struct hp_err err;
};

/* --start-at: wait until the wall clock reads at_ns (0: do not wait),
 * returning early with -EINTR when a stop signal in set comes. Says so
 * on stderr when the time is already past by more than a second. */
int load_wait_start(const sigset_t *set, int64_t at_ns);
/* The single-URL form: run what run's flags ask. Returns the exit code. */
int load_url(const struct hp_cmd *cmd, struct load_run *run);

/* The scenario-file form of `hotpath load`: FILE instead of a URL. */
struct load_scenario_opts {
    const char *path;
    bool check_only;          /* --check: validate, print what would run, send nothing */
    bool latency;
    const char *json, *junit, *summary_md;
    const char *const *thresholds; /* --threshold texts */
    int n_thresholds;
    int64_t grace_ns;         /* -1: each scenario's timeout */
    uint64_t seed;
    const struct hp_tls_opts *tls; /* an https base_url's TLS choices (-k, --cacert...) */
    bool tls_given;
    enum hp_load_h2 h2; /* --h2, --h2=prefer, --h2c */
    int streams;        /* -M */
    const struct hp_segment *segment; /* --segment: this part's; NULL: the whole test */
    int64_t start_at_ns;              /* --start-at (wall clock), 0: now */
};
int load_scenarios(const struct hp_cmd *cmd, const struct load_scenario_opts *o);

#endif
