// SPDX-License-Identifier: MIT
/* src/load_url.c - `hotpath load URL` once its flags are parsed: the plan
 * (load/plan.h), an optional wrk script, the library's run loop
 * (load/run.h) and document (load/load_doc.h), and what the terminal shows. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_gate.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/units.h"
#include "io/tls.h"
#include "load/load_doc.h"
#include "load/plan.h"
#include "load/run.h"
#include "load_common.h"

/* A Lua script: loaded and set up before anything is sent, so its errors
 * stop the run at file:line. -1 to go on, or the exit code. */
static int setup_script(const struct hp_cmd *cmd, struct load_run *run)
{
    static struct hp_script_target target;
    struct hp_load_config *cfg = &run->cfg;
    const struct hp_load_plan *p = &run->plan;

    if (!run->script_path) {
        if (run->n_script_args > 0)
            return cli_usage_error(cmd, "arguments after -- are for a script (-s FILE.lua)");
        return -1;
    }
    target = (struct hp_script_target){&run->url, p->method ? p->method : "GET", p->headers,
                                       p->n_headers, p->body, p->body_len};
    if (hp_script_new(run->script_path, &target, &run->script, &run->err) < 0 ||
        hp_script_setup(run->script, cfg->threads, &cfg->addr, run->script_args,
                        run->n_script_args, &run->err) < 0)
        return cli_fail(cmd, HP_EPARSE, &run->err);
    if (hp_load_plan_script(cfg, run->script, run->pipeline_given, &run->err) < 0)
        return cli_usage_error(cmd, "%s", run->err.msg);
    return -1;
}

/* The result document, with the request as sent: a script's own. */
static int make_doc(struct load_run *run)
{
    struct hp_load_target t = {
        .url = run->plan.url, .method = run->plan.method ? run->plan.method : "GET",
        .headers = run->plan.headers, .n_headers = run->plan.n_headers,
        .body_bytes = run->plan.body_len, .unix_socket = run->plan.unix_socket,
        .stages = run->plan.stages, .rate_per_s = run->plan.rate_per_s,
        .script = run->script_path,
    };
    char url[HP_URL_MAX + 320];
    if (run->script)
        hp_load_target_of_script(&t, run->script, run->url.authority, url, sizeof url);
    return hp_load_doc_new(&run->cfg, &t, &run->doc);
}

/* Each interval: progress, each thread's rate (wrk's Req/Sec and done()), the series, the HDR log
 * and the thresholds that may stop the run. */
static int on_interval(void *ctx, int i, const struct hp_load_figures *f)
{
    struct load_run *run = ctx;
    int rc = 0;
    (void)i;
    if (run->tty)
        load_print_progress(&run->cfg, f);
    double secs = f->end_s - f->start_s;
    /* a last interval much shorter than the others (the run's end) would be a
     * sample of a few requests over a sliver of time: left out */
    if (secs > 0 && secs * 2e9 >= (double)run->cfg.interval_ns && run->n_rates < 86400 &&
        HP_GROW(run->rates, run->cap_rates, run->n_rates + 1, 64) == 0)
        run->rates[run->n_rates++] = (double)f->counts.requests / secs / run->cfg.threads;
    if (run->doc && (rc = hp_load_doc_series(run->doc, f, f->end_s, run->cfg.open_model, NULL)) < 0)
        return rc;
    if (run->hlog &&
        ((rc = hp_hlog_write(run->hlog, NULL, f->start_s, secs, f->corrected, &run->err)) < 0 ||
         (rc = hp_hlog_write(run->hlog, "uncorrected", f->start_s, secs, f->uncorrected,
                             &run->err)) < 0))
        return rc;
    if (run->gate.n > 0 && run->gate.aborted_by < 0) {
        struct hp_metric_set m;
        hp_load_metric_set_so_far(hp_load_totals(run->l), run->cfg.open_model, f->end_s, &m);
        if (cli_gate_should_abort(&run->gate, &m, f->end_s)) {
            if (run->tty)
                fprintf(stderr, "\r\033[K");
            fprintf(stderr, "hotpath load: threshold '%s' failed at %.0fs: stopping\n",
                    run->gate.thr[run->gate.aborted_by].text, f->end_s);
            hp_load_stop(run->l);
        }
    }
    return 0;
}

/* Each turn of the loop: a monitor sample when one is due. */
static bool on_tick(void *ctx, double t_s, int *rc)
{
    struct load_run *run = ctx;
    (void)t_s;
    *rc = hp_mon_follow_tick(&run->mon, hp_now_ns(), run->doc);
    if (*rc == -ESRCH)
        fprintf(stderr, "hotpath load: the monitored process %d ended\n", run->monitor_pid);
    return *rc == -ENOMEM;
}

/* wrk's done(summary, latency, requests) for a script. Exit code. */
static int script_done(const struct hp_cmd *cmd, struct load_run *run,
                       const struct hp_load_figures *t, double elapsed)
{
    struct hp_script_summary sum;
    int exit_code = HP_EXIT_OK;
    hp_load_script_summary(&t->counts, elapsed, &sum);
    fflush(stdout);
    if (hp_script_done(run->script, &sum, t->corrected, run->rates, (int)run->n_rates,
                       &run->err) < 0)
        exit_code = cli_fail(cmd, HP_EPARSE, &run->err);
    fflush(stdout);
    if (hp_script_error(run->script)) {
        fprintf(stderr, "hotpath load: %s\n", hp_script_error(run->script));
        exit_code = HP_EXIT_FAIL;
    }
    return exit_code;
}

/* TLS: what was negotiated and how many handshakes were resumed, on the
 * terminal and in the document's config.tls. */
static int tls_summary(struct load_run *run)
{
    int64_t hs, resumed;
    hp_tls_counts(run->cfg.tls, &hs, &resumed);
    const struct hp_tls_info *ti = hp_load_tls_info(run->l);
    printf("  TLS: %s%s%s%s%s, %" PRId64 " handshakes, %" PRId64 " resumed\n",
           ti ? ti->version : "no handshake succeeded", ti ? " " : "", ti ? ti->cipher : "",
           ti && ti->alpn[0] ? ", ALPN " : "", ti ? ti->alpn : "", hs, resumed);
    if (!run->doc)
        return 0;
    json_t *o = json_pack("{s:s?, s:s?, s:s?, s:I, s:I, s:b, s:b}", "version",
                          ti ? ti->version : NULL, "cipher", ti ? ti->cipher : NULL, "alpn",
                          ti && ti->alpn[0] ? ti->alpn : NULL, "handshakes", (json_int_t)hs,
                          "resumed", (json_int_t)resumed, "verify", !run->plan.tls.insecure,
                          "resume", run->plan.tls.resume);
    json_t *config = json_object_get(hp_result_json(run->doc), "config");
    if (!o || json_object_set_new(config, "tls", o) < 0)
        return -ENOMEM;
    return 0;
}

/* After the run: the summary, thresholds, the script's done() and every
 * output file. Returns the exit code. */
static int finish(const struct hp_cmd *cmd, struct load_run *run, bool interrupted,
                  int64_t started_wall)
{
    const struct hp_load_figures *t = hp_load_totals(run->l);
    double elapsed = hp_load_elapsed_s(run->l);
    struct hp_load_view view = {&t->counts, t->corrected, t->uncorrected,
                                run->cfg.open_model ? t->lag : NULL, elapsed,
                                (double)run->cfg.duration_ns / 1e9, run->target_rate,
                                t->phase};
    int rc, exit_code = HP_EXIT_OK, failed = 0;

    if (interrupted)
        printf("  (interrupted: partial results)\n");
    load_print_summary(&run->cfg, run->target_rate, run->latency, t, elapsed, run->rates,
                       run->n_rates);
    if (run->cfg.tls && (rc = tls_summary(run)) < 0)
        exit_code = cli_fail(cmd, rc, NULL);
    const char *why = hp_load_first_error(run->l);
    if (why[0])
        fprintf(stderr, "hotpath load: the first error: %s\n", why);
    if (run->probe) {
        hp_page_probe_print(run->probe, stdout);
        if (run->doc && (rc = hp_page_probe_doc(run->probe, run->doc, NULL, 0)) < 0)
            exit_code = cli_fail(cmd, rc, NULL);
    }
    if (run->mon.mon) {
        printf("  Monitor (pid %d):\n", run->monitor_pid);
        hp_mon_summary_print(&run->mon.sum, run->monitor_pid, elapsed, "    ", stdout);
        if (run->doc && (rc = hp_mon_summary_to_doc(&run->mon.sum, run->doc)) < 0)
            exit_code = cli_fail(cmd, rc, NULL);
    }
    if (run->gate.n > 0) {
        struct hp_metric_set m;
        int stopper = run->gate.aborted_by;
        hp_load_metric_set(&view, &m);
        failed = cli_gate_judge(&run->gate, &m);
        run->gate.aborted_by = stopper;
        cli_gate_print(&run->gate, stdout);
        if (run->doc && (rc = cli_gate_to_doc(&run->gate, run->doc)) < 0)
            exit_code = cli_fail(cmd, rc, NULL);
    }
    fflush(stdout);
    if (run->script && (rc = script_done(cmd, run, t, elapsed)) != HP_EXIT_OK)
        exit_code = rc;
    if (run->junit && (rc = cli_gate_junit(&run->gate, run->junit, "hotpath load", elapsed,
                                           started_wall, &run->err)) < 0)
        exit_code = cli_fail(cmd, rc, &run->err);
    if (run->summary_md && (rc = load_write_summary_md(run->summary_md, run->shown_url, &run->cfg,
                                                       &run->gate, t, elapsed, &run->err)) < 0)
        exit_code = cli_fail(cmd, rc, &run->err);
    if (run->doc && ((rc = hp_load_doc_totals(run->doc, &view)) < 0 ||
                     (rc = hp_result_write(run->doc, run->json, &run->err)) < 0))
        exit_code = cli_fail(cmd, rc, &run->err);
    if (run->hlog) {
        rc = hp_hlog_close(run->hlog, &run->err);
        run->hlog = NULL;
        if (rc < 0)
            exit_code = cli_fail(cmd, rc, &run->err);
    }
    return load_exit_status(exit_code, t->counts.requests, hp_load_error_total(&t->counts), failed,
                            run->gate.n);
}

/* Everything up to the engine: the plan, the script, the document, the
 * engine itself. -1 to go on, or the exit code. */
static int prepare(const struct hp_cmd *cmd, struct load_run *run, char **request)
{
    int rc;
    for (int i = 0; i < run->gate.n; i++)
        if (run->gate.thr[i].tag_key[0])
            return cli_usage_error(cmd, "--threshold '%s': a single-URL test has no request "
                                        "names or scenarios to select (they come from "
                                        "scenario files)", run->thresholds[i]);
    run->cfg.grace_ns = run->grace_ns;
    rc = hp_load_plan_apply(&run->plan, &run->cfg, &run->url, request, &run->target_rate,
                            &run->err);
    if (rc == HP_EUSAGE && run->cfg.connections < run->cfg.threads)
        return cli_usage_error(cmd, "%s (-c %d)", run->err.msg, run->cfg.threads);
    if (rc < 0)
        return cli_fail(cmd, rc, &run->err) == HP_EXIT_USAGE ? HP_EXIT_USAGE : HP_EXIT_FAIL;
    if ((rc = setup_script(cmd, run)) >= 0)
        return rc;
    if (run->json && (rc = make_doc(run)) < 0)
        return cli_fail(cmd, rc, NULL);
    if ((rc = hp_load_new(&run->cfg, &run->l, &run->err)) < 0)
        return cli_fail(cmd, rc, &run->err);
    return -1;
}

int load_url(const struct hp_cmd *cmd, struct load_run *run)
{
    char *request = NULL, *shown = NULL;
    int rc, exit_code;

    if ((exit_code = prepare(cmd, run, &request)) >= 0)
        goto out;
    exit_code = HP_EXIT_OK;

    sigset_t stop_sigs;
    load_block_stop_signals(&stop_sigs);
    run->tty = isatty(STDERR_FILENO);
    /* What people and CI logs see: the URL with secrets redacted, as in the
     * document. */
    shown = hp_redact_value("url", run->plan.url);
    if (!shown) {
        exit_code = cli_fail(cmd, -ENOMEM, NULL);
        goto out;
    }
    run->shown_url = shown;
    load_print_banner(&run->cfg, shown, run->plan.stages != NULL, run->target_rate);
    if (load_wait_start(&stop_sigs, run->start_at_ns) < 0) {
        fprintf(stderr, "hotpath load: interrupted before --start-at: nothing was sent\n");
        exit_code = HP_EXIT_FAIL;
        goto out;
    }
    int64_t started_wall = hp_wall_ns();
    if (run->doc)
        hp_result_set_started(run->doc, started_wall);
    if (run->doc && (run->segmented || run->start_at_ns > 0) &&
        (rc = hp_load_doc_segment(run->doc, run->segmented ? &run->seg : NULL,
                               run->cfg.whole_connections, run->cfg.connections,
                               run->start_at_ns, started_wall)) < 0) {
        exit_code = cli_fail(cmd, rc, NULL);
        goto out;
    }
    if (run->hdr_log_path &&
        (rc = hp_hlog_open(run->hdr_log_path, started_wall, &run->hlog, &run->err)) < 0) {
        exit_code = cli_fail(cmd, rc, &run->err);
        goto out;
    }
    if (run->monitor_pid) { /* started with the load: its t is the load's */
        rc = hp_mon_follow_start(&run->mon, run->monitor_pid);
        if (rc == 0 && run->doc)
            rc = hp_result_config_int(run->doc, "monitor_pid", run->monitor_pid);
        if (rc < 0) {
            exit_code = rc == -ESRCH ? cli_usage_error(cmd, "--monitor %d: no such process",
                                                       run->monitor_pid)
                                     : cli_fail(cmd, rc, NULL);
            goto out;
        }
    }
    if (run->page_url) {
        /* the browser starts before the test, and loads beside it */
        struct hp_page_probe_opts po = {
            .insecure = run->plan.tls.insecure,
            .every_ns = run->page_every_ns > 0 ? run->page_every_ns : 5 * HP_NS_PER_S};
        hp_page_opts_defaults(&po.page, run->page_url);
        if ((rc = hp_page_probe_new(&po, &run->probe, &run->err)) < 0) {
            exit_code = cli_fail(cmd, rc, &run->err);
            goto out;
        }
    }
    struct hp_run_engine engine = {.load = run->l};
    struct hp_run r = {.engines = &engine, .n = 1, .stop_signals = &stop_sigs,
                       .hooks = {on_interval, on_tick, run}};
    if (run->probe && (rc = hp_page_probe_go(run->probe, hp_now_ns(), &run->err)) < 0) {
        exit_code = cli_fail(cmd, rc, &run->err);
        goto out;
    }
    rc = hp_run_go(&r, &run->err);
    hp_page_probe_stop(run->probe);
    if (run->tty)
        fprintf(stderr, "\r\033[K");
    if (rc < 0 && !engine.started) {
        exit_code = cli_fail(cmd, rc, &run->err);
        goto out;
    }
    exit_code = finish(cmd, run, r.interrupted, started_wall);
    if (rc < 0)
        exit_code = cli_fail(cmd, rc, &run->err);
out:
    hp_page_probe_free(run->probe);
    hp_mon_follow_stop(&run->mon);
    hp_free(run->rates);
    hp_hlog_abort(run->hlog);
    hp_load_free(run->l);
    hp_tls_free(run->cfg.tls);
    hp_script_free(run->script); /* after the workers that call it have stopped */
    hp_result_free(run->doc);
    hp_free(request);
    hp_free(shown);
    return exit_code;
}
