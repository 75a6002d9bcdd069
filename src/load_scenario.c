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
#include "load/scenario.h"

struct sc_run {
    struct hp_scenario *sc;
    struct hp_load *l;
    bool started, finished;
    double offset_s; /* when it started, seconds since the run began */
};

struct state {
    struct hp_scenario_file *f;
    struct sc_run runs[HP_SCENARIO_MAX];
    int n;
    double secs;                /* the run so far, for rates */
    /* scratch for merged figures */
    struct hp_load_counts counts;
    struct hp_hist *corrected, *uncorrected, *lag;
    struct hp_metric_set set;
};

/* Merge the figures that (key, value) selects into the scratch set. */
static const struct hp_metric_set *select_figures(void *ctx, const char *key, const char *value)
{
    struct state *st = ctx;
    bool any = false, any_lag = false;
    memset(&st->counts, 0, sizeof st->counts);
    hp_hist_reset(st->corrected);
    hp_hist_reset(st->uncorrected);
    hp_hist_reset(st->lag);
    for (int i = 0; i < st->n; i++) {
        struct sc_run *r = &st->runs[i];
        if (!r->started)
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
        if (r->sc->cfg.open_model) {
            hp_hist_add(st->lag, t->lag);
            any_lag = true;
        }
        any = true;
    }
    if (!any)
        return NULL;
    load_metric_set(&st->counts, st->corrected, st->uncorrected, any_lag ? st->lag : NULL,
                    st->secs, &st->set);
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

/* metrics and histograms of one part of the run, tagged like k6's
 * sub-metrics: requests{scenario:browse,name:home}. */
static int doc_part(struct hp_result *doc, const char *tag, const struct hp_load_counts *c,
                    const struct hp_hist *h, double secs)
{
    char k[200];
    int rc = 0;
    static const struct { const char *name; double p; } pcts[] = {
        {"latency_p50_ns", 50}, {"latency_p95_ns", 95}, {"latency_p99_ns", 99},
        {"latency_max_ns", 100},
    };
    snprintf(k, sizeof k, "requests{%s}", tag);
    rc = rc ? rc : hp_result_metric(doc, k, (double)c->requests, "count");
    snprintf(k, sizeof k, "requests_per_s{%s}", tag);
    rc = rc ? rc : hp_result_metric(doc, k, secs > 0 ? (double)c->requests / secs : 0, "1/s");
    snprintf(k, sizeof k, "errors{%s}", tag);
    rc = rc ? rc : hp_result_metric(doc, k, (double)hp_load_error_total(c), "count");
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0] && rc == 0; i++) {
        snprintf(k, sizeof k, "%s{%s}", pcts[i].name, tag);
        rc = hp_result_metric(doc, k, (double)hp_hist_value_at_percentile(h, pcts[i].p), "ns");
    }
    if (c->checks_passed + c->checks_failed > 0) {
        snprintf(k, sizeof k, "checks_passed{%s}", tag);
        rc = rc ? rc : hp_result_metric(doc, k, (double)c->checks_passed, "count");
        snprintf(k, sizeof k, "checks_failed{%s}", tag);
        rc = rc ? rc : hp_result_metric(doc, k, (double)c->checks_failed, "count");
    }
    snprintf(k, sizeof k, "latency{%s}", tag);
    return rc ? rc : hp_result_histogram(doc, k, "ns", h);
}

static int build_doc(const struct load_scenario_opts *o, struct state *st,
                     struct hp_result **out)
{
    struct hp_result *doc = NULL;
    int rc = hp_result_new("load", &doc);
    if (rc < 0)
        return rc;
    rc = hp_result_config_str(doc, "scenario_file", o->path);
    rc = rc ? rc : hp_result_config_str(doc, "url", st->f->base_text);
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
                                              sc->cfg.connections, "duration_ns",
                                              (json_int_t)sc->cfg.duration_ns, "start_ns",
                                              (json_int_t)sc->start_ns, "requests", reqs));
    }
    json_t *config = json_object_get(hp_result_json(doc), "config");
    if (!list || json_object_set_new(config, "scenarios", list) < 0)
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
        const struct hp_load_counts *c = &st->counts;
        rc = rc ? rc : hp_result_metric(doc, "requests", (double)c->requests, "count");
        rc = rc ? rc : hp_result_metric(doc, "requests_per_s",
                                        secs > 0 ? (double)c->requests / secs : 0, "1/s");
        rc = rc ? rc : hp_result_metric(doc, "sent", (double)c->sent, "count");
        rc = rc ? rc : hp_result_metric(doc, "errors", (double)hp_load_error_total(c), "count");
        for (int e = 0; e < HP_LERR_COUNT && rc == 0; e++) {
            snprintf(tag, sizeof tag, "errors_%s", hp_load_error_name((enum hp_load_error)e));
            rc = hp_result_metric(doc, tag, (double)c->errors[e], "count");
        }
        rc = rc ? rc : hp_result_metric(doc, "checks_passed", (double)c->checks_passed, "count");
        rc = rc ? rc : hp_result_metric(doc, "checks_failed", (double)c->checks_failed, "count");
        rc = rc ? rc : hp_result_metric(doc, "bytes_read", (double)c->bytes_read, "bytes");
        rc = rc ? rc : hp_result_metric(doc, "bytes_written", (double)c->bytes_written, "bytes");
        rc = rc ? rc : hp_result_metric(doc, "latency_p50_ns",
                                        (double)hp_hist_value_at_percentile(st->corrected, 50),
                                        "ns");
        rc = rc ? rc : hp_result_metric(doc, "latency_p99_ns",
                                        (double)hp_hist_value_at_percentile(st->corrected, 99),
                                        "ns");
        rc = rc ? rc : hp_result_metric(doc, "latency_max_ns", (double)hp_hist_max(st->corrected),
                                        "ns");
        rc = rc ? rc : hp_result_histogram(doc, "latency", "ns", st->corrected);
        rc = rc ? rc : hp_result_histogram(doc, "latency_uncorrected", "ns", st->uncorrected);
    }
    for (int i = 0; i < st->n && rc == 0; i++) {
        struct sc_run *r = &st->runs[i];
        if (!r->started)
            continue;
        const struct hp_load_figures *t = hp_load_totals(r->l);
        snprintf(tag, sizeof tag, "scenario:%s", r->sc->name);
        rc = doc_part(doc, tag, &t->counts, t->corrected, secs);
        for (int k = 0; k < t->n_parts && rc == 0; k++) {
            snprintf(tag, sizeof tag, "scenario:%s,name:%s", r->sc->name,
                     r->sc->request_names[k]);
            rc = doc_part(doc, tag, &t->parts[k].counts, t->parts[k].corrected, secs);
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
    char k[160];
    double secs = f->end_s - f->start_s, t = r->offset_s + f->end_s;
    int rc = 0;
    if (secs <= 0)
        secs = 1e-9;
    struct { const char *name; const char *unit; double v; } pts[] = {
        {"requests_per_s", "1/s", (double)f->counts.requests / secs},
        {"errors_per_s", "1/s", (double)hp_load_error_total(&f->counts) / secs},
        {"latency_p50_ns", "ns", (double)hp_hist_value_at_percentile(f->corrected, 50)},
        {"latency_p99_ns", "ns", (double)hp_hist_value_at_percentile(f->corrected, 99)},
        {"latency_max_ns", "ns", (double)hp_hist_max(f->corrected)},
    };
    if (f->corrected->total_count == 0) /* no answers: no latency (null), not 0 */
        for (size_t i = 2; i < sizeof pts / sizeof pts[0]; i++)
            pts[i].v = NAN;
    for (size_t i = 0; i < sizeof pts / sizeof pts[0] && rc == 0; i++) {
        snprintf(k, sizeof k, "%s{scenario:%s}", pts[i].name, r->sc->name);
        rc = hp_result_series_point(doc, k, pts[i].unit, t, pts[i].v);
        if (rc == 0 && st->n == 1)
            rc = hp_result_series_point(doc, pts[i].name, pts[i].unit, t, pts[i].v);
    }
    return rc;
}

static int write_summary_md(const struct load_scenario_opts *o, struct state *st,
                            struct cli_gate *gate, double secs, struct hp_err *err)
{
    char *text = NULL;
    size_t len = 0;
    char a[32], b[32], c[32], d[32];
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return hp_err_set(err, -ENOMEM, "out of memory");
    fprintf(f, "# Load test: %s\n\n%s, %d scenario%s, %.3gs.\n\n", o->path, st->f->base_text,
            st->n, st->n == 1 ? "" : "s", secs);
    fprintf(f, "| scenario | request | requests | requests/s | p50 | p95 | p99 | errors |\n"
               "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (int i = 0; i < st->n; i++) {
        struct sc_run *r = &st->runs[i];
        if (!r->started)
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
    (void)d;
    cli_gate_markdown(gate, f);
    if (gate->aborted_by >= 0)
        fprintf(f, "\nStopped early: `%s` failed.\n", gate->thr[gate->aborted_by].text);
    if (fclose(f) != 0) {
        free(text);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    int rc = hp_file_write_atomic(o->summary_md, text, len, err);
    free(text);
    return rc;
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
        if (!r->started)
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

int load_scenarios(const struct hp_cmd *cmd, const struct load_scenario_opts *o)
{
    struct state st = {0};
    struct cli_gate gate;
    struct hp_err err = {0};
    struct hp_result *doc = NULL;
    struct hp_addr addr;
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
    if (hp_hist_new_latency(&st.corrected) < 0 || hp_hist_new_latency(&st.uncorrected) < 0 ||
        hp_hist_new_latency(&st.lag) < 0) {
        exit_code = cli_fail(cmd, -ENOMEM, NULL);
        goto out;
    }
    for (int i = 0; i < st.f->n; i++) {
        struct sc_run *r = &st.runs[st.n];
        r->sc = st.f->sc[i];
        struct hp_load_config *cfg = &r->sc->cfg;
        cfg->addr = addr;
        cfg->grace_ns = o->grace_ns >= 0 ? o->grace_ns : cfg->timeout_ns;
        cfg->connect_timeout_ns = cfg->timeout_ns;
        cfg->seed = o->seed + (uint64_t)i * 7919;
        if ((rc = hp_load_new(cfg, &r->l, &err)) < 0) {
            snprintf(err.file, sizeof err.file, "%s", o->path);
            exit_code = cli_fail(cmd, rc, &err);
            goto out;
        }
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
    int64_t started_wall = hp_wall_ns(), t0 = hp_now_ns();
    if (doc)
        hp_result_set_started(doc, started_wall);
    bool stopping = false, interrupted = false, tty = isatty(STDERR_FILENO);
    int64_t last_print = t0, last_requests = 0;
    for (;;) {
        int64_t now = hp_now_ns();
        st.secs = (double)(now - t0) / 1e9;
        bool all_done = true;
        for (int i = 0; i < st.n; i++) {
            struct sc_run *r = &st.runs[i];
            if (!r->started && !stopping && now - t0 >= r->sc->start_ns) {
                if ((rc = hp_load_start(r->l, &err)) < 0) {
                    exit_code = cli_fail(cmd, rc, &err);
                    stopping = true;
                } else {
                    r->started = true;
                    r->offset_s = (double)(hp_now_ns() - t0) / 1e9;
                }
            }
            if (!r->started) {
                all_done &= stopping;
                continue;
            }
            if (stopping)
                hp_load_stop(r->l);
            const struct hp_load_figures *f;
            int got;
            while (!r->finished && (got = hp_load_poll(r->l, &f)) != 0) {
                if (got < 0) {
                    r->finished = true;
                    break;
                }
                if (doc && series(&st, r, doc, f) < 0) {
                    exit_code = cli_fail(cmd, -ENOMEM, NULL);
                    stopping = true;
                }
            }
            all_done &= r->finished;
        }
        if (!stopping && gate.aborted_by < 0 &&
            cli_gate_should_abort_by(&gate, select_figures, &st, st.secs)) {
            fprintf(stderr, "hotpath load: threshold '%s' failed at %.0fs: stopping\n",
                    gate.thr[gate.aborted_by].text, st.secs);
            stopping = true;
        }
        if (all_done)
            break;
        if (tty && now - last_print >= HP_NS_PER_S) {
            /* One line, rewritten each second: the run so far, all scenarios. */
            const struct hp_metric_set *m = select_figures(&st, "", "");
            int64_t reqs = m ? m->requests : 0;
            char rate[32], p99[32];
            fprintf(stderr, "\r\033[K[%5.1fs] %s  p99 %s  errors %" PRId64, st.secs,
                    hp_format_rate((double)(reqs - last_requests) * 1e9 /
                                       (double)(now - last_print), rate, sizeof rate),
                    hp_format_duration(m ? hp_hist_value_at_percentile(st.corrected, 99) : 0,
                                       p99, sizeof p99),
                    m ? hp_load_error_total(&st.counts) : 0);
            fflush(stderr);
            last_print = now;
            last_requests = reqs;
        }
        struct timespec ts = {0, 20 * 1000000};
        int sig = sigtimedwait(&stop_sigs, NULL, &ts);
        if (sig > 0 && !interrupted) {
            interrupted = true;
            stopping = true;
        }
    }
    if (tty)
        fprintf(stderr, "\r\033[K");
    double secs = (double)(hp_now_ns() - t0) / 1e9;
    st.secs = secs;
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
        if (!r->started) {
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
    if (exit_code == HP_EXIT_OK && total_requests == 0 && total_errors > 0) {
        fprintf(stderr, "hotpath load: no request was answered (%" PRId64 " errors)\n",
                total_errors);
        exit_code = HP_EXIT_FAIL;
    }
    if (exit_code == HP_EXIT_OK && failed > 0) {
        fprintf(stderr, "hotpath load: %d of %d thresholds failed\n", failed, gate.n);
        exit_code = HP_EXIT_THRESHOLD;
    }
out:
    for (int i = 0; i < st.n; i++)
        hp_load_free(st.runs[i].l);
    hp_hist_free(st.corrected);
    hp_hist_free(st.uncorrected);
    hp_hist_free(st.lag);
    hp_result_free(doc);
    hp_scenario_free(st.f);
    return exit_code;
}
