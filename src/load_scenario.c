// SPDX-License-Identifier: MIT
/* src/load_scenario.c - `hotpath load FILE.yaml`: every scenario of the file
 * runs as its own load engine (its own threads, model and schedule), started
 * at its start delay; the figures are merged per scenario, per request name
 * and overall, for the summary, the thresholds and the result document. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_gate.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/result.h"
#include "stat/hist_result.h"
#include "core/units.h"
#include "load_common.h"
#include "load/load_doc.h"
#include "load/run.h"
#include "load/scenario.h"

struct sc_run {
    struct hp_scenario *sc;
    struct hp_load *l;
    struct hp_run_engine *e; /* its place in the run loop: started, offset_s */
};

struct state {
    struct hp_scenario_file *f;
    struct sc_run runs[HP_SCENARIO_MAX];
    struct hp_run_engine engines[HP_SCENARIO_MAX];
    int n;
    struct cli_gate *gate;
    bool tty;
    int64_t last_print_ns, last_requests;
    double secs;                /* the run so far, for rates */
    /* scratch for merged figures */
    struct hp_load_counts counts;
    struct hp_hist *corrected, *uncorrected, *lag;
    struct hp_hist *phase[HP_PHASE_COUNT]; /* whole scenarios only: none per request */
    bool any_phase;
    struct hp_metric_set set;
    struct hp_result *doc;
};

static int phases_new(struct state *st)
{
    for (int k = 0; k < HP_PHASE_COUNT; k++)
        if (hp_load_phase_hist_new(&st->phase[k]) < 0)
            return -ENOMEM;
    return 0;
}

/* Merge the figures that (key, value) selects into the scratch set. */
static const struct hp_metric_set *select_figures(void *ctx, const char *key, const char *value)
{
    struct state *st = ctx;
    bool any = false, any_lag = false;
    memset(&st->counts, 0, sizeof st->counts);
    hp_hist_reset(st->corrected);
    hp_hist_reset(st->uncorrected);
    hp_hist_reset(st->lag);
    for (int k = 0; k < HP_PHASE_COUNT; k++)
        hp_hist_reset(st->phase[k]);
    st->any_phase = false;
    for (int i = 0; i < st->n; i++) {
        struct sc_run *r = &st->runs[i];
        if (!r->e->started)
            continue;
        const struct hp_load_figures *t = hp_load_totals(r->l);
        if (strcmp(key, "check") == 0) {
            /* One check's pass rate, wherever that check name is used. */
            for (int c = 0; c < r->sc->n_checks && c < t->n_checks; c++) {
                if (strcmp(r->sc->checks[c].name, value) != 0)
                    continue;
                st->counts.checks_passed += t->check_total[c] - t->check_failed[c];
                st->counts.checks_failed += t->check_failed[c];
                any = true;
            }
            continue;
        }
        if (key[0] && strcmp(key, "scenario") != 0) {
            for (int k = 0; k < t->n_parts; k++) {
                if (!hp_scenario_request_tagged(r->sc, k, key, value))
                    continue;
                hp_load_counts_add(&st->counts, &t->parts[k].counts);
                hp_hist_add(st->corrected, t->parts[k].corrected);
                hp_hist_add(st->uncorrected, t->parts[k].uncorrected);
                any = true;
            }
            continue;
        }
        if (key[0] && strcmp(r->sc->name, value) != 0)
            continue;
        hp_load_counts_add(&st->counts, &t->counts);
        hp_hist_add(st->corrected, t->corrected);
        hp_hist_add(st->uncorrected, t->uncorrected);
        for (int k = 0; k < HP_PHASE_COUNT; k++)
            hp_hist_add(st->phase[k], t->phase[k]);
        st->any_phase = true;
        if (r->sc->cfg.open_model) {
            hp_hist_add(st->lag, t->lag);
            any_lag = true;
        }
        any = true;
    }
    if (!any)
        return NULL;
    struct hp_load_view v = {&st->counts, st->corrected, st->uncorrected,
                             any_lag ? st->lag : NULL, st->secs, 0, 0,
                             st->any_phase ? st->phase : NULL};
    hp_load_metric_set(&v, &st->set);
    return &st->set;
}

static void print_part_row(const char *label, const struct hp_load_counts *c,
                           const struct hp_hist *h, double secs)
{
    char r[32], p50[32], p95[32], p99[32], max[32];
    printf("  %-28s %9" PRId64 " %10s %9s %9s %9s %9s %7" PRId64 "\n", label, c->requests,
           hp_format_rate(secs > 0 ? (double)c->requests / secs : 0, r, sizeof r),
           hp_format_duration(hp_hist_value_at_percentile(h, 50), p50, sizeof p50),
           hp_format_duration(hp_hist_value_at_percentile(h, 95), p95, sizeof p95),
           hp_format_duration(hp_hist_value_at_percentile(h, 99), p99, sizeof p99),
           hp_format_duration(hp_hist_max(h), max, sizeof max), hp_load_error_total(c));
}

static int build_doc(const struct load_scenario_opts *o, struct state *st,
                     struct hp_result **out)
{
    struct hp_result *doc = NULL;
    int rc = hp_result_new("load", &doc);
    if (rc < 0)
        return rc;
    rc = hp_result_config_str(doc, HP_LOAD_C_SCENARIO_FILE, o->path);
    rc = rc ? rc : hp_result_config_str(doc, HP_LOAD_C_URL, st->f->base_text);
    json_t *list = json_array();
    for (int i = 0; i < st->n && list; i++) {
        const struct hp_scenario *sc = st->runs[i].sc;
        char what[200];
        hp_scenario_describe(sc, what, sizeof what);
        json_t *reqs = json_array();
        for (int k = 0; k < sc->n_requests && reqs; k++)
            json_array_append_new(reqs, json_pack("{s:s,s:f}", "name", sc->request_names[k],
                                                  "weight", sc->mix[k].weight));
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:i,s:I,s:I,s:o}", "name",
                                              sc->name, "model",
                                              sc->cfg.open_model ? "open" : "closed",
                                              "executor", what, "connections",
                                              sc->cfg.segment ? sc->cfg.whole_connections
                                                              : sc->cfg.connections,
                                              "duration_ns",
                                              (json_int_t)sc->cfg.duration_ns, "start_ns",
                                              (json_int_t)sc->start_ns, "requests", reqs));
    }
    json_t *config = json_object_get(hp_result_json(doc), "config");
    if (!list || json_object_set_new(config, HP_LOAD_C_SCENARIOS, list) < 0)
        rc = -ENOMEM;
    if (rc < 0) {
        hp_result_free(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

static int finish_doc(const struct load_scenario_opts *o, struct state *st,
                      struct hp_result *doc, struct cli_gate *gate, double secs,
                      struct hp_err *err)
{
    const struct hp_metric_set *all = select_figures(st, "", "");
    int rc = 0;
    char tag[200];
    hp_result_set_duration(doc, secs);
    if (all) {
        struct hp_load_view v = {&st->counts, st->corrected, st->uncorrected,
                                 all->lag ? st->lag : NULL, secs, 0, 0,
                                 st->any_phase ? st->phase : NULL};
        rc = hp_load_doc_totals(doc, &v);
    }
    for (int i = 0; i < st->n && rc == 0; i++) {
        struct sc_run *r = &st->runs[i];
        if (!r->e->started)
            continue;
        const struct hp_load_figures *t = hp_load_totals(r->l);
        snprintf(tag, sizeof tag, "scenario:%s", r->sc->name);
        rc = hp_load_doc_part(doc, tag, &t->counts, t->corrected, secs);
        for (int k = 0; k < t->n_parts && rc == 0; k++) {
            snprintf(tag, sizeof tag, "scenario:%s,name:%s", r->sc->name,
                     r->sc->request_names[k]);
            rc = hp_load_doc_part(doc, tag, &t->parts[k].counts, t->parts[k].corrected, secs);
            const struct hp_load_request *q = &r->sc->mix[k];
            for (int ci = 0; ci < q->n_checks && rc == 0; ci++) {
                int g = (int)(q->checks - r->sc->checks) + ci;
                snprintf(tag, sizeof tag, "check_failed{scenario:%s,name:%s,check:%s}",
                         r->sc->name, r->sc->request_names[k], q->checks[ci].name);
                rc = hp_result_metric(doc, tag, (double)t->check_failed[g], "count");
                snprintf(tag, sizeof tag, "check_total{scenario:%s,name:%s,check:%s}",
                         r->sc->name, r->sc->request_names[k], q->checks[ci].name);
                rc = rc ? rc : hp_result_metric(doc, tag, (double)t->check_total[g], "count");
            }
        }
    }
    if (rc == 0 && gate->n > 0)
        rc = cli_gate_to_doc(gate, doc);
    if (rc < 0)
        return hp_err_set(err, rc, "building the result document: %s", hp_strerror(rc));
    return hp_result_write(doc, o->json, err);
}

static int series(struct state *st, struct sc_run *r, struct hp_result *doc,
                  const struct hp_load_figures *f)
{
    char tag[160];
    double t = r->e->offset_s + f->end_s;
    bool open = r->sc->cfg.open_model;
    snprintf(tag, sizeof tag, "scenario:%s", r->sc->name);
    int rc = hp_load_doc_series(doc, f, t, open, tag);
    if (rc == 0 && st->n == 1)
        rc = hp_load_doc_series(doc, f, t, open, NULL);
    return rc;
}

static int write_summary_md(const struct load_scenario_opts *o, struct state *st,
                            struct cli_gate *gate, double secs, struct hp_err *err)
{
    char *text = NULL;
    size_t len = 0;
    char a[32], b[32], c[32];
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return hp_err_set(err, -ENOMEM, "out of memory");
    fprintf(f, "# Load test: %s\n\n%s, %d scenario%s, %.3gs.\n\n", o->path, st->f->base_text,
            st->n, st->n == 1 ? "" : "s", secs);
    fprintf(f, "| scenario | request | requests | requests/s | p50 | p95 | p99 | errors |\n"
               "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (int i = 0; i < st->n; i++) {
        struct sc_run *r = &st->runs[i];
        if (!r->e->started)
            continue;
        const struct hp_load_figures *t = hp_load_totals(r->l);
        for (int k = -1; k < t->n_parts; k++) {
            const struct hp_load_counts *cn = k < 0 ? &t->counts : &t->parts[k].counts;
            const struct hp_hist *h = k < 0 ? t->corrected : t->parts[k].corrected;
            fprintf(f, "| %s | %s | %" PRId64 " | %.1f | %s | %s | %s | %" PRId64 " |\n",
                    k < 0 ? r->sc->name : "", k < 0 ? "(all)" : r->sc->request_names[k],
                    cn->requests, secs > 0 ? (double)cn->requests / secs : 0,
                    hp_format_duration(hp_hist_value_at_percentile(h, 50), a, sizeof a),
                    hp_format_duration(hp_hist_value_at_percentile(h, 95), b, sizeof b),
                    hp_format_duration(hp_hist_value_at_percentile(h, 99), c, sizeof c),
                    hp_load_error_total(cn));
        }
    }
    return load_summary_md_finish(f, &text, &len, gate, o->summary_md, err);
}

/* The checks' pass rate, and each check that failed with its counts. */
static void print_checks(struct state *st)
{
    const struct hp_metric_set *all = select_figures(st, "", "");
    if (!all || all->checks_total == 0)
        return;
    printf("  Checks: %.4g%% passed (%" PRId64 " of %" PRId64 ")\n",
           100.0 * (double)all->checks_passed / (double)all->checks_total, all->checks_passed,
           all->checks_total);
    for (int i = 0; i < st->n; i++) {
        struct sc_run *r = &st->runs[i];
        if (!r->e->started)
            continue;
        const struct hp_load_figures *t = hp_load_totals(r->l);
        for (int k = 0; k < r->sc->n_requests; k++) {
            const struct hp_load_request *q = &r->sc->mix[k];
            for (int c = 0; c < q->n_checks; c++) {
                int g = (int)(q->checks - r->sc->checks) + c;
                if (t->check_failed[g] > 0)
                    printf("    \u2717 %s/%s: %s: %" PRId64 " of %" PRId64 " failed\n",
                           r->sc->name, r->sc->request_names[k], q->checks[c].name,
                           t->check_failed[g], t->check_total[g]);
            }
        }
    }
}

static void print_check(const struct hp_scenario_file *f, const struct cli_gate *gate)
{
    int requests = 0;
    for (int i = 0; i < f->n; i++)
        requests += f->sc[i]->n_requests;
    printf("%s: valid: %d scenario%s, %d request%s, %d threshold%s @ %s\n", f->path, f->n,
           f->n == 1 ? "" : "s", requests, requests == 1 ? "" : "s", gate->n,
           gate->n == 1 ? "" : "s", f->base_text);
    for (int i = 0; i < f->n; i++) {
        const struct hp_scenario *sc = f->sc[i];
        char what[200];
        double sum = 0;
        hp_scenario_describe(sc, what, sizeof what);
        printf("  %s: %s\n", sc->name, what);
        if (sc->has_data)
            printf("    data %s: %lld rows of %d columns, %s\n", sc->data_file,
                   (long long)sc->data.rows, sc->data.cols,
                   sc->cfg.data_pick == HP_DATA_UNIQUE   ? "each row once"
                   : sc->cfg.data_pick == HP_DATA_RANDOM ? "rows at random"
                                                         : "rows in turn");
        for (int k = 0; k < sc->n_requests; k++)
            sum += sc->mix[k].weight;
        for (int k = 0; k < sc->n_requests; k++) {
            printf("    %-28s %5.1f%%", sc->request_names[k], 100 * sc->mix[k].weight / sum);
            for (int t = 0; t < sc->n_tags[k]; t++)
                printf("%s%s=%s", t ? ", " : "  tags ", sc->tag_key[k][t], sc->tag_value[k][t]);
            printf("\n");
            for (int c = 0; c < sc->mix[k].n_checks; c++)
                printf("      check %s\n", sc->mix[k].checks[c].name);
        }
    }
    for (int i = 0; i < gate->n; i++)
        printf("  threshold %s\n", gate->thr[i].text);
}

/* Each interval of scenario i: its series in the document. */
static int on_interval(void *ctx, int i, const struct hp_load_figures *f)
{
    struct state *st = ctx;
    return st->doc ? series(st, &st->runs[i], st->doc, f) : 0;
}

/* Each turn of the loop: thresholds that stop the run, and one progress
 * line (rewritten each second) for the run so far, all scenarios. */
static bool on_tick(void *ctx, double t_s, int *rc)
{
    struct state *st = ctx;
    struct cli_gate *gate = st->gate;
    int64_t now = hp_now_ns();
    (void)rc;
    st->secs = t_s;
    if (gate->aborted_by < 0 && cli_gate_should_abort_by(gate, select_figures, st, t_s)) {
        fprintf(stderr, "%shotpath load: threshold '%s' failed at %.0fs: stopping\n",
                st->tty ? "\r\033[K" : "", gate->thr[gate->aborted_by].text, t_s);
        return true;
    }
    if (st->tty && now - st->last_print_ns >= HP_NS_PER_S) {
        const struct hp_metric_set *m = select_figures(st, "", "");
        int64_t reqs = m ? m->requests : 0;
        char rate[32], p99[32];
        fprintf(stderr, "\r\033[K[%5.1fs] %s  p99 %s  errors %" PRId64, t_s,
                hp_format_rate((double)(reqs - st->last_requests) * 1e9 /
                                   (double)(now - st->last_print_ns), rate, sizeof rate),
                hp_format_duration(m ? hp_hist_value_at_percentile(st->corrected, 99) : 0, p99,
                                   sizeof p99),
                m ? hp_load_error_total(&st->counts) : 0);
        fflush(stderr);
        st->last_print_ns = now;
        st->last_requests = reqs;
    }
    return false;
}

int load_scenarios(const struct hp_cmd *cmd, const struct load_scenario_opts *o)
{
    struct state st = {0};
    struct cli_gate gate;
    struct hp_err err = {0};
    struct hp_result *doc = NULL;
    struct hp_addr addr;
    struct hp_tls *tls = NULL;
    int rc, exit_code = HP_EXIT_OK;

    cli_gate_init(&gate);
    rc = hp_scenario_load(o->path, &st.f, &err);
    if (rc < 0)
        return cli_fail(cmd, rc, &err);
    for (int i = 0; i < st.f->n_thresholds; i++)
        gate.thr[gate.n++] = st.f->thresholds[i];
    for (int i = 0; i < o->n_thresholds; i++) {
        if (!cli_gate_add(cmd, &gate, o->thresholds[i])) {
            exit_code = HP_EXIT_USAGE;
            goto out;
        }
        char why[200];
        if (!hp_scenario_selects(st.f, &gate.thr[gate.n - 1], why, sizeof why)) {
            exit_code = cli_usage_error(cmd, "--threshold '%s': %s: %s", o->thresholds[i],
                                        o->path, why);
            goto out;
        }
    }
    if (o->check_only) {
        print_check(st.f, &gate);
        goto out;
    }
    if ((rc = hp_url_addr(&st.f->base, &addr, &err)) < 0) {
        cli_fail(cmd, rc, &err);
        exit_code = HP_EXIT_FAIL;
        goto out;
    }
    if (o->tls_given && !st.f->base.tls) {
        exit_code = cli_usage_error(cmd, "TLS options (-k, --cacert, --tls-version...) need an "
                                         "https base_url (%s has %s)", o->path, st.f->base_text);
        goto out;
    }
    /* HTTP/2 for every scenario, checked against the base URL once */
    struct hp_tls_opts tls_opts = *o->tls;
    struct hp_load_plan h2plan = {.h2 = o->h2, .streams = o->streams};
    struct hp_load_config probe;
    hp_load_config_defaults(&probe);
    if ((rc = hp_load_plan_h2(&h2plan, &st.f->base, &probe, &tls_opts, &err)) < 0) {
        exit_code = cli_usage_error(cmd, "%s: %s", o->path, err.msg);
        goto out;
    }
    /* one host, one TLS context for every scenario */
    if (st.f->base.tls && (rc = hp_load_plan_tls(&tls_opts, &st.f->base, &tls, &err)) < 0) {
        exit_code = cli_fail(cmd, rc, &err);
        goto out;
    }
    if (hp_hist_new_latency(&st.corrected) < 0 || hp_hist_new_latency(&st.uncorrected) < 0 ||
        hp_hist_new_latency(&st.lag) < 0 || phases_new(&st) < 0) {
        exit_code = cli_fail(cmd, -ENOMEM, NULL);
        goto out;
    }
    for (int i = 0; i < st.f->n; i++) {
        struct sc_run *r = &st.runs[st.n];
        r->sc = st.f->sc[i];
        struct hp_load_config *cfg = &r->sc->cfg;
        cfg->addr = addr;
        cfg->tls = tls;
        if (o->h2 != HP_H2_OFF) {
            if (cfg->pipeline > 1) {
                exit_code = cli_usage_error(cmd, "%s: scenario %s: pipeline is HTTP/1.1's; over "
                                                 "HTTP/2 -M sets the streams per connection",
                                            o->path, r->sc->name);
                goto out;
            }
            cfg->h2 = probe.h2;
            cfg->pipeline = probe.pipeline;
        }
        cfg->grace_ns = o->grace_ns >= 0 ? o->grace_ns : cfg->timeout_ns;
        cfg->connect_timeout_ns = cfg->timeout_ns;
        cfg->seed = o->seed + (uint64_t)i * 7919;
        if (o->segment) {
            if ((rc = hp_load_plan_segment(o->segment, cfg, &err)) < 0) {
                exit_code = cli_usage_error(cmd, "%s: scenario %s: %s", o->path, r->sc->name,
                                            err.msg);
                goto out;
            }
            r->sc->target_rate *= hp_segment_fraction(o->segment);
        }
        r->e = &st.engines[st.n];
        *r->e = (struct hp_run_engine){.start_ns = r->sc->start_ns};
        if ((rc = hp_load_new(cfg, &r->l, &err)) < 0) {
            snprintf(err.file, sizeof err.file, "%s", o->path);
            exit_code = cli_fail(cmd, rc, &err);
            goto out;
        }
        r->e->load = r->l;
        st.n++;
    }
    if (o->json && (rc = build_doc(o, &st, &doc)) < 0) {
        exit_code = cli_fail(cmd, rc, NULL);
        goto out;
    }

    sigset_t stop_sigs;
    load_block_stop_signals(&stop_sigs);

    printf("Running %d scenario%s from %s @ %s\n", st.n, st.n == 1 ? "" : "s", o->path,
           st.f->base_text);
    for (int i = 0; i < st.n; i++) {
        char what[200];
        hp_scenario_describe(st.runs[i].sc, what, sizeof what);
        printf("  %-12s %s\n", st.runs[i].sc->name, what);
    }
    fflush(stdout);
    st.doc = doc;
    st.gate = &gate;
    st.tty = isatty(STDERR_FILENO);
    st.last_print_ns = hp_now_ns();
    struct hp_run run = {.engines = st.engines, .n = st.n, .stop_signals = &stop_sigs,
                         .hooks = {on_interval, on_tick, &st}};
    if (load_wait_start(&stop_sigs, o->start_at_ns) < 0) {
        fprintf(stderr, "hotpath load: interrupted before --start-at: nothing was sent\n");
        exit_code = HP_EXIT_FAIL;
        goto out;
    }
    if ((rc = hp_run_go(&run, &err)) < 0)
        exit_code = cli_fail(cmd, rc, &err);
    int64_t started_wall = run.started_wall_ns;
    if (doc)
        hp_result_set_started(doc, started_wall);
    if (doc && (o->segment || o->start_at_ns > 0) &&
        (rc = hp_load_doc_segment(doc, o->segment, 0, 0, o->start_at_ns, started_wall)) < 0)
        exit_code = cli_fail(cmd, rc, NULL);
    if (st.tty)
        fprintf(stderr, "\r\033[K");
    double secs = run.elapsed_s;
    st.secs = secs;
    bool interrupted = run.interrupted;
    if (interrupted)
        printf("  (interrupted: partial results)\n");

    /* The whole run, then each scenario and its requests. */
    const struct hp_metric_set *all = select_figures(&st, "", "");
    char a[32];
    printf("  %-12s %9s %9s %9s %9s %9s %9s\n", "", "avg", "stdev", "p50", "p90", "p99", "max");
    load_print_latency_row("Latency", st.corrected);
    if (o->latency) {
        printf("\n  Detailed Percentile spectrum (ms):\n");
        hp_hist_print_spectrum(st.corrected, stdout, 5, 1e6);
        printf("\n");
    }
    printf("  %" PRId64 " requests in %.2fs, %s read\n", st.counts.requests, secs,
           hp_format_size(st.counts.bytes_read, a, sizeof a));
    if (hp_load_error_total(&st.counts)) {
        printf("  Errors:");
        for (int e = 0; e < HP_LERR_COUNT; e++)
            if (st.counts.errors[e])
                printf(" %s %" PRId64, hp_load_error_name((enum hp_load_error)e),
                       st.counts.errors[e]);
        printf("\n");
    }
    int64_t total_requests = st.counts.requests, total_errors = hp_load_error_total(&st.counts);
    printf("Requests/sec: %10.2f\n\n", secs > 0 ? (double)total_requests / secs : 0);
    printf("  %-28s %9s %10s %9s %9s %9s %9s %7s\n", "scenario / request", "requests", "rate",
           "p50", "p95", "p99", "max", "errors");
    for (int i = 0; i < st.n; i++) {
        struct sc_run *r = &st.runs[i];
        if (!r->e->started) {
            printf("  %-28s (not started)\n", r->sc->name);
            continue;
        }
        const struct hp_load_figures *t = hp_load_totals(r->l);
        double run_s = hp_load_elapsed_s(r->l);
        print_part_row(r->sc->name, &t->counts, t->corrected, run_s);
        for (int k = 0; k < t->n_parts; k++) {
            char label[80];
            snprintf(label, sizeof label, "  %s", r->sc->request_names[k]);
            print_part_row(label, &t->parts[k].counts, t->parts[k].corrected, run_s);
        }
        if (hp_load_data_exhausted(r->l))
            printf("  %-28s (stopped: every row of %s was used once)\n", "", r->sc->data_file);
    }
    (void)all;
    print_checks(&st);
    int failed = 0;
    if (gate.n > 0) {
        int stopper = gate.aborted_by;
        failed = cli_gate_judge_by(&gate, select_figures, &st);
        gate.aborted_by = stopper;
        cli_gate_print(&gate, stdout);
    }
    fflush(stdout);
    if (o->junit && (rc = cli_gate_junit(&gate, o->junit, "hotpath load", secs, started_wall,
                                         &err)) < 0)
        exit_code = cli_fail(cmd, rc, &err);
    if (o->summary_md && (rc = write_summary_md(o, &st, &gate, secs, &err)) < 0)
        exit_code = cli_fail(cmd, rc, &err);
    if (doc && (rc = finish_doc(o, &st, doc, &gate, secs, &err)) < 0)
        exit_code = cli_fail(cmd, rc, &err);
    exit_code = load_exit_status(exit_code, total_requests, total_errors, failed, gate.n);
out:
    for (int i = 0; i < st.n; i++)
        hp_load_free(st.runs[i].l);
    hp_tls_free(tls); /* after every engine that used it */
    hp_hist_free(st.corrected);
    hp_hist_free(st.uncorrected);
    hp_hist_free(st.lag);
    for (int k = 0; k < HP_PHASE_COUNT; k++)
        hp_hist_free(st.phase[k]);
    hp_result_free(doc);
    hp_scenario_free(st.f);
    return exit_code;
}
