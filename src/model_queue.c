// SPDX-License-Identifier: MIT
/* src/model_queue.c - `hotpath model queue`. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_model.h"
#include "core/alloc.h"
#include "core/csv.h"
#include "core/file.h"
#include "core/result.h"
#include "core/units.h"
#include "model/mva.h"
#include "model/mva_yaml.h"
#include "model/plan.h"
#include "model/queue.h"
#include "model/usl.h"

int model_run_queue(const struct hp_cmd *cmd, struct queue_args *a)
{
    static const struct { const char *name; enum hp_queue_kind kind; const char *title; } kinds[] = {
        {"mm1", HP_QUEUE_MM1, "M/M/1"}, {"mmc", HP_QUEUE_MMC, "M/M/c"},
        {"md1", HP_QUEUE_MD1, "M/D/1"}, {"mg1", HP_QUEUE_MG1, "M/G/1"},
    };
    struct hp_queue *q = &a->q;
    struct hp_queue_result r;
    struct hp_err err = {0};
    const char *title = NULL;
    char b1[32];

    if (!(q->arrival_per_s > 0) || !(q->service_s > 0))
        return cli_usage_error(cmd, "queue needs --arrival-rate and --service");
    if (!a->kind)
        a->kind = q->servers > 1 ? "mmc" : "mm1";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(a->kind, kinds[i].name) == 0) {
            q->kind = kinds[i].kind;
            title = kinds[i].title;
        }
    if (!title)
        return cli_usage_error(cmd, "--kind: '%s' (expected mm1, mmc, md1 or mg1)", a->kind);
    if (q->kind == HP_QUEUE_MG1 && q->scv < 0)
        return cli_usage_error(cmd, "--kind mg1 needs --scv (the service time's squared "
                                    "coefficient of variation)");
    if (hp_queue_solve(q, &r, &err) < 0)
        return cli_fail(cmd, HP_ERANGE, &err);
    printf("%s: arrivals %s, service %s, %d server%s\n", title,
           hp_format_rate(q->arrival_per_s, b1, sizeof b1),
           hp_format_duration((int64_t)(q->service_s * 1e9), (char[32]){0}, 32), q->servers,
           q->servers == 1 ? "" : "s");
    printf("  utilisation         %.4g\n", r.utilisation);
    if (q->kind == HP_QUEUE_MMC || q->kind == HP_QUEUE_MM1)
        printf("  Erlang B (loss)     %.6g\n", r.erlang_b);
    printf("  P(wait)             %.6g%s\n", r.p_wait,
           q->kind == HP_QUEUE_MMC ? "  (Erlang C)" : "");
    printf("  mean wait           %s\n", hp_format_duration((int64_t)(r.mean_wait_s * 1e9), (char[32]){0}, 32));
    printf("  mean response       %s\n", hp_format_duration((int64_t)(r.mean_response_s * 1e9), (char[32]){0}, 32));
    printf("  mean queue length   %.4g\n", r.mean_queue);
    printf("  mean in system      %.4g\n", r.mean_in_system);
    static const double pcts[] = {0.5, 0.9, 0.99, 0.999};
    printf("  response time      ");
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
        printf(" p%g %s", pcts[i] * 100,
               hp_format_duration((int64_t)(hp_queue_response_percentile(q, &r, pcts[i]) * 1e9),
                                  (char[32]){0}, 32));
    printf("\n  (%s)\n", r.percentiles_exact
                              ? "percentiles exact for FCFS"
                              : "percentiles approximate: waiting time taken as exponential "
                                "beyond P(wait) with the exact mean, service at its mean");
    int rc = HP_EXIT_OK, c;
    if (a->json) {
        struct hp_result *doc = NULL;
        int e = hp_result_new("model", &doc);
        e = e ? e : hp_result_config_str(doc, "model", "queue");
        e = e ? e : hp_result_config_str(doc, "kind", a->kind);
        e = e ? e : hp_result_config_real(doc, "arrival_per_s", q->arrival_per_s);
        e = e ? e : hp_result_config_int(doc, "service_ns", (int64_t)(q->service_s * 1e9));
        e = e ? e : hp_result_config_int(doc, "servers", q->servers);
        if (q->kind == HP_QUEUE_MG1)
            e = e ? e : hp_result_config_real(doc, "scv", q->scv);
        e = e ? e : hp_result_metric(doc, "utilisation", r.utilisation, "ratio");
        e = e ? e : hp_result_metric(doc, "p_wait", r.p_wait, "ratio");
        e = e ? e : hp_result_metric(doc, "mean_wait_ns", r.mean_wait_s * 1e9, "ns");
        e = e ? e : hp_result_metric(doc, "mean_response_ns", r.mean_response_s * 1e9, "ns");
        e = e ? e : hp_result_metric(doc, "mean_queue", r.mean_queue, "count");
        e = e ? e : hp_result_metric(doc, "mean_in_system", r.mean_in_system, "count");
        e = e ? e : hp_result_metric(doc, "response_p99_ns",
                                     hp_queue_response_percentile(q, &r, 0.99) * 1e9, "ns");
        if (e < 0)
            rc = cli_fail(cmd, e, NULL);
        else if (hp_result_write(doc, a->json, &err) < 0)
            rc = cli_fail(cmd, -EIO, &err);
        hp_result_free(doc);
    }
    if (a->target_p99_s > 0) {
        if (hp_queue_servers_for_response(q, 0.99, a->target_p99_s, &c, &err) == 0)
            printf("  p99 response <= %s needs %d M/M/c servers\n",
                   hp_format_duration((int64_t)(a->target_p99_s * 1e9), (char[32]){0}, 32), c);
        else
            rc = cli_fail(cmd, HP_ERANGE, &err);
    }
    if (a->target_wait > 0) {
        if (hp_queue_servers_for_wait(q, a->target_wait, &c, &err) == 0)
            printf("  P(wait) <= %g needs %d M/M/c servers\n", a->target_wait, c);
        else
            rc = cli_fail(cmd, HP_ERANGE, &err);
    }
    return rc;
}
