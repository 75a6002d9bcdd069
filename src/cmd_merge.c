// SPDX-License-Identifier: MIT
/* src/cmd_merge.c - `hotpath merge PART.json... -o ALL.json`: the parts of
 * a split load test (load --segment) joined into the whole test's document
 * (load/merge.h), its thresholds judged again on the whole. */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_gate.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/file.h"
#include "core/units.h"
#include "load/load_doc.h"
#include "load/merge.h"
#include "load_common.h"

enum { O_OUTPUT = 1, O_JUNIT, O_SUMMARY_MD, O_LATENCY };

#define MAX_PARTS 4096

static const struct cli_opt merge_opts[] = {
    {O_OUTPUT, "output", 'o', "FILE",
     "Write the whole test's result document here (hotpath.result/1, kind load); report, "
     "compare and history read it like any other."},
    {O_JUNIT, "junit", 0, "FILE", "Write the thresholds' verdicts on the whole as JUnit XML."},
    {O_SUMMARY_MD, "summary-md", 0, "FILE",
     "Write a Markdown summary of the whole (figures and thresholds)."},
    {O_LATENCY, "latency", 0, NULL, "Print the whole's latency percentile spectrum."},
    {0, NULL, 0, NULL, NULL},
};

static const struct hp_metric_set *lookup(void *ctx, const char *key, const char *value)
{
    return hp_load_merged_select(ctx, key, value);
}

static void print_summary(const struct hp_load_merged *m, bool latency)
{
    const struct hp_load_counts *c = &m->counts;
    char r[32], b[32];
    printf("  %d parts, started within %.0f ms of each other, %.2fs in all\n", m->parts,
           m->start_spread_s * 1e3, m->elapsed_s);
    printf("                     avg     stdev       p50       p90       p99       max\n");
    load_print_latency_row("Latency", m->corrected);
    if (m->open_model)
        load_print_latency_row("Uncorrected", m->uncorrected);
    printf("  %" PRId64 " requests in %.2fs, %s read\n", c->requests, m->elapsed_s,
           hp_format_size(c->bytes_read, b, sizeof b));
    int64_t errors = hp_load_error_total(c);
    if (errors > 0) {
        printf("  Errors: %" PRId64, errors);
        for (int e = 0; e < HP_LERR_COUNT; e++)
            if (c->errors[e] > 0)
                printf(", %s %" PRId64, hp_load_error_name((enum hp_load_error)e), c->errors[e]);
        printf("\n");
    }
    printf("Requests/sec: %s\n",
           hp_format_rate(m->elapsed_s > 0 ? (double)c->requests / m->elapsed_s : 0, r, sizeof r));
    if (m->open_model)
        printf("  sent %" PRId64 ", late %" PRId64 ", unsent %" PRId64 "\n", c->sent, c->late,
               c->unsent);
    if (latency) {
        printf("\n  Latency spectrum of the whole (from the schedule):\n");
        hp_hist_print_spectrum(m->corrected, stdout, 5, 1.0);
    }
}

static int run_merge(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    const char *v, *out = NULL, *junit = NULL, *summary_md = NULL;
    static const char *names[MAX_PARTS];
    static struct hp_load_merged m;
    static struct cli_gate gate;
    bool latency = false;
    int n = 0, id, exit_code = HP_EXIT_OK, rc;
    struct hp_err err;

    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR:
            return HP_EXIT_USAGE;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (n == MAX_PARTS)
                return cli_usage_error(cmd, "at most %d parts", MAX_PARTS);
            names[n++] = v;
            break;
        case O_OUTPUT:
            out = v;
            break;
        case O_JUNIT:
            junit = v;
            break;
        case O_SUMMARY_MD:
            summary_md = v;
            break;
        case O_LATENCY:
            latency = true;
            break;
        }
    }
    if (n == 0)
        return cli_usage_error(cmd, "which parts? (hotpath merge part-*.json -o all.json)");
    /* a part at a time per thread (64 parts of an hour are 48 MB of JSON,
     * and parsing it is most of the time): the same result as one thread */
    cpu_set_t mask;
    int cpus = sched_getaffinity(0, sizeof mask, &mask) == 0 ? CPU_COUNT(&mask) : 1;
    if ((rc = hp_load_merge_files(names, n, cpus < 1 ? 1 : cpus > 8 ? 8 : cpus, &m, &err)) < 0) {
        exit_code = cli_fail(cmd, rc == -ENOENT ? HP_EUSAGE : rc, &err);
        goto done;
    }
    printf("Merged %d part%s of %s (sequence %s)\n", n, n == 1 ? "" : "s",
           json_string_value(json_object_get(json_object_get(hp_result_json(m.doc), "config"),
                                              "url")),
           json_string_value(json_object_get(
               json_object_get(json_object_get(hp_result_json(m.doc), "config"), "merged"),
               "sequence")));
    if (m.start_spread_s > 0.1)
        fprintf(stderr,
                "hotpath merge: warning: the parts started %.0f ms apart (more than 100 ms): "
                "their intervals are joined by index, so each second of the series mixes "
                "moments that far apart; start them with --start-at\n",
                m.start_spread_s * 1e3);
    print_summary(&m, latency);
    cli_gate_init(&gate);
    for (int i = 0; i < m.n_thresholds; i++)
        if (!cli_gate_add(cmd, &gate, m.thresholds[i])) {
            exit_code = HP_EXIT_USAGE;
            goto done;
        }
    int failed = 0;
    if (gate.n > 0) {
        failed = cli_gate_judge_by(&gate, lookup, &m);
        cli_gate_print(&gate, stdout);
        if ((rc = cli_gate_to_doc(&gate, m.doc)) < 0) {
            exit_code = cli_fail(cmd, rc, NULL);
            goto done;
        }
    }
    fflush(stdout);
    if (junit && (rc = cli_gate_junit(&gate, junit, "hotpath merge", m.elapsed_s,
                                      m.started_wall_ns, &err)) < 0)
        exit_code = cli_fail(cmd, rc, &err);
    if (summary_md) {
        struct hp_load_figures t = {.counts = m.counts, .corrected = m.corrected,
                                    .uncorrected = m.uncorrected, .lag = m.lag};
        struct hp_load_config cfg;
        hp_load_config_defaults(&cfg);
        cfg.open_model = m.open_model;
        const char *url = json_string_value(
            json_object_get(json_object_get(hp_result_json(m.doc), "config"), "url"));
        if ((rc = load_write_summary_md(summary_md, url ? url : "", &cfg, &gate, &t, m.elapsed_s,
                                        &err)) < 0)
            exit_code = cli_fail(cmd, rc, &err);
    }
    if (out && (rc = hp_result_write(m.doc, out, &err)) < 0)
        exit_code = cli_fail(cmd, rc, &err);
    if (exit_code == HP_EXIT_OK)
        exit_code = load_exit_status(exit_code, m.counts.requests,
                                     hp_load_error_total(&m.counts), failed, gate.n);
done:
    hp_load_merged_free(&m);
    return exit_code;
}

const struct hp_cmd hp_cmd_merge = {
    .name = "merge",
    .summary = "Join the parts of a split load test (load --segment) into the whole's result.",
    .usage = "merge [options] PART.json...",
    .description =
        "Joins the result documents of the parts of one load test, run with hotpath load "
        "--segment I/N (or k6's --execution-segment) on several processes or machines, into "
        "the document one machine would have written. Histograms are added bucket by bucket "
        "(HdrHistogram's add), so every percentile of the whole, overall, per scenario and "
        "per request, is exact, never an average of the parts' percentiles; counts and bytes "
        "are summed; the rates are over the whole's time, from the first part's start to the "
        "last one's end. Per-second series are joined interval by interval: rates summed, and "
        "each interval's latency percentiles the highest of the parts' (an upper bound of the "
        "whole's; the whole run's are exact). The parts' --threshold flags are judged again on "
        "the whole (exit 99 when one fails, as load): a p99 that each part keeps may still "
        "fail on the union.\n\n"
        "The parts must be one test: the same flags but for the segment, the same sequence, "
        "and every part exactly once; a part missing or given twice, or another test's part, "
        "is refused (exit 2). Parts that started more than 100 ms apart get a warning "
        "(start them together with --start-at).",
    .opts = merge_opts,
    .examples = "  for i in 1 2 3 4; do hotpath load --segment $i/4 --rate 8k -c 400 -d 1m "
                "--json part-$i.json http://10.0.0.5:8080/ & done; wait\n"
                "  hotpath merge part-*.json -o all.json\n"
                "  hotpath report all.json -o all.html\n",
    .run = run_merge,
};
