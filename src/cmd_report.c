// SPDX-License-Identifier: MIT
/* src/cmd_report.c - `hotpath report`: HTML and Markdown deliverables from
 * result documents (and the test strategy from a scenario file). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/result.h"
#include "hotpath_version.h"
#include "load/scenario.h"
#include "report/build.h"
#include "report/render.h"
#include "model/mva_yaml.h"
#include "report/architecture.h"
#include "report/strategy.h"

enum { O_OUTPUT = 1, O_AS, O_TITLE };

static const struct cli_opt report_opts[] = {
    {O_OUTPUT, "output", 'o', "FILE",
     "Where to write: FILE.html (one self-contained page) or FILE.md (Markdown, with each chart "
     "as FILE-chartN-NAME.svg beside it)."},
    {O_AS, "as", 0, "KIND",
     "results (default: every document's sections, then comparisons), test-report (the "
     "Performance Test Report of load and sweep results: summary and verdict, goals and SLOs, "
     "scenarios, results, verdicts, environment), capacity-plan (from plan, sweep and model "
     "results: summary, measured capacity, scalability model, forecast and fleet, assumptions), "
     "rca (the Root-Cause Analysis of diagnose results: the answer, where the service stops, "
     "what saturates first, where the time goes with differential flame graphs, what to try, "
     "resource use, method and overhead), "
     "test-strategy (from one scenario file: objectives, scenarios and load profiles, SLOs, "
     "environments, CI gates, tools), or architecture-review (from one architecture file, the "
     "YAML of model mva with objective: {response: 200ms}: each station's demand and "
     "utilisation, the bottleneck and bounds, where the objective breaks, and the what-ifs "
     "ranked by how far they move it)."},
    {O_TITLE, "title", 0, "TEXT", "The report's title instead of the kind's own."},
    {0, NULL, 0, NULL, NULL},
};

#define MAX_INPUTS 64

static int run_report(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    cli_init(&p, cmd, argc, argv);
    const char *output = NULL, *as_text = "results", *title = NULL, *v;
    const char *files[MAX_INPUTS];
    int n = 0, id;
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR:
            return HP_EXIT_USAGE;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (n == MAX_INPUTS)
                return cli_usage_error(cmd, "at most %d inputs in one report", MAX_INPUTS);
            files[n++] = v;
            break;
        case O_OUTPUT:
            output = v;
            break;
        case O_AS:
            as_text = v;
            break;
        case O_TITLE:
            title = v;
            break;
        }
    }
    bool strategy = strcmp(as_text, "test-strategy") == 0;
    bool arch = strcmp(as_text, "architecture-review") == 0;
    int as = hp_report_as_parse(as_text);
    if (!strategy && !arch && as < 0)
        return cli_usage_error(cmd, "--as %s: expected results, test-report, capacity-plan, "
                                    "rca, test-strategy or architecture-review", as_text);
    if (!output)
        return cli_usage_error(cmd, "-o FILE.html or -o FILE.md is needed");
    bool html = cli_ends_with(output, ".html") || cli_ends_with(output, ".htm");
    if (!html && !cli_ends_with(output, ".md"))
        return cli_usage_error(cmd, "-o %s: the name must end in .html or .md (which says the "
                                    "format)", output);
    if (n == 0)
        return cli_usage_error(cmd, strategy ? "a scenario file is needed (e.g. hotpath report "
                                               "--as test-strategy load.yaml -o strategy.html)"
                                             : "at least one result document is needed (e.g. "
                                               "hotpath report run.json -o report.html)");
    if (strategy && n > 1)
        return cli_usage_error(cmd, "--as test-strategy takes one scenario file, not %d", n);
    if (arch && n > 1)
        return cli_usage_error(cmd, "--as architecture-review takes one architecture file "
                                    "(YAML, as model mva reads it), not %d", n);

    struct hp_err err = {0};
    struct hp_rdoc *doc = NULL;
    struct hp_report_input in[MAX_INPUTS];
    int loaded = 0, rc = 0;
    if (arch) {
        static struct hp_mva_network net;
        rc = hp_mva_load(files[0], &net, &err);
        if (rc == 0)
            rc = hp_report_architecture(&net, files[0], &doc, &err);
    } else if (strategy) {
        struct hp_scenario_file *sf = NULL;
        rc = hp_scenario_load(files[0], &sf, &err);
        if (rc == 0)
            rc = hp_report_strategy(sf, HP_VERSION, &doc, &err);
        hp_scenario_free(sf);
    } else {
        for (; loaded < n && rc == 0; loaded++) {
            in[loaded].name = files[loaded];
            rc = hp_result_load(files[loaded], &in[loaded].doc, &err);
            if (rc < 0)
                break;
        }
        if (rc == 0)
            rc = hp_report_build(in, (size_t)n, (enum hp_report_as)as, &doc, &err);
    }
    if (rc == 0 && title) {
        char *t = hp_strdup(title);
        if (!t) {
            rc = hp_err_set(&err, -ENOMEM, "out of memory");
        } else {
            hp_free(doc->title);
            doc->title = t;
        }
    }
    if (rc == 0) {
        char gen[128];
        snprintf(gen, sizeof gen, "Written by hotpath %s from %d input%s.", HP_VERSION, n,
                 n == 1 ? "" : "s");
        rc = html ? hp_report_write_html(doc, gen, output, &err)
                  : hp_report_write_markdown(doc, gen, output, &err);
    }
    for (int i = 0; i < loaded; i++)
        hp_result_free(in[i].doc);
    hp_rdoc_free(doc);
    if (rc < 0) {
        int code = cli_fail(cmd, rc, &err);
        return code == HP_EXIT_OK ? HP_EXIT_FAIL : code;
    }
    return HP_EXIT_OK;
}

const struct hp_cmd hp_cmd_report = {
    .name = "report",
    .summary = "Self-contained HTML and Markdown reports from result documents.",
    .usage = "report [options] -o FILE.html|FILE.md RESULT.json...",
    .description =
        "Draws result documents (load, sweep, model, serve and sql) as one self-contained HTML "
        "page, "
        "charts as inline SVG drawn by hotpath, no external fetches, readable in light and dark "
        "mode and on paper, with values on hover; or as Markdown with the charts in SVG files "
        "beside it, fit for a CI job page. A load test gets requests and errors per second, "
        "latency percentiles per second, the percentile spectrum (corrected and uncorrected) on "
        "HdrHistogram's log 'nines' axis, a per-request table and its thresholds; a sweep its "
        "throughput by concurrency with the fitted USL curve, the knee and the SLO; a capacity "
        "plan its timeline; a query digest its top classes over time and by percentile, ranked, "
        "with their hints; a cache simulation its miss-ratio curves and tiers; resource use "
        "(monitor, or load --monitor) its CPU, pressure, memory, disk, network and process "
        "charts and the first saturation; a CPU profile its functions by self and total "
        "samples. Several results of one kind are also overlaid.\n\n"
        "--as arranges the same content as a deliverable: the Performance Test Report, the "
        "Capacity Plan, or (from a scenario file) the Performance Test Strategy. A document of "
        "an unknown schema version, or one missing a field its section needs, is an error "
        "naming the file and the field (exit 2), never an empty chart.",
    .opts = report_opts,
    .examples = "  hotpath report run.json -o report.html\n"
                "  hotpath report --as test-report before.json after.json -o report.md\n"
                "  hotpath report --as capacity-plan sweep.json plan.json -o capacity.html\n"
                "  hotpath report --as rca diagnose.json -o rca.html\n"
                "  hotpath report --as test-strategy load.yaml -o strategy.html\n"
                "  hotpath report --as architecture-review shop.yaml -o review.html\n",
    .run = run_report,
};
