/* SPDX-License-Identifier: MIT */
/* src/cli_gate.h - thresholds on the command line (--threshold, repeatable)
 * and what a CI job reads of them: the summary's check marks, exit status
 * 99, a JUnit file (--junit), a Markdown table (--summary-md). The parsing
 * and judging are stat/threshold.h; this is the CLI's side. */
#ifndef HP_CLI_GATE_H
#define HP_CLI_GATE_H

#include <stdbool.h>
#include <stdio.h>

#include "cmds.h"
#include "core/result.h"
#include "stat/threshold.h"

#define CLI_GATE_MAX 64

struct cli_gate {
    struct hp_threshold thr[CLI_GATE_MAX];
    struct hp_threshold_result res[CLI_GATE_MAX];
    int n;
    int aborted_by;  /* index of the threshold that stopped the run, -1: none */
};

void cli_gate_init(struct cli_gate *g);
/* Parse one --threshold; prints the error (with its column) and returns
 * false when it is not valid. */
bool cli_gate_add(const struct hp_cmd *cmd, struct cli_gate *g, const char *text);
/* What a threshold's tag selects: the figures for (key, value), or for the
 * whole run when key is "". NULL when nothing matches (no samples). */
typedef const struct hp_metric_set *(*cli_gate_lookup)(void *ctx, const char *key,
                                                       const char *value);
bool cli_gate_should_abort_by(struct cli_gate *g, cli_gate_lookup find, void *ctx, double t_s);
int cli_gate_judge_by(struct cli_gate *g, cli_gate_lookup find, void *ctx);

/* During the run, over the figures so far at t_s seconds since the start:
 * true (and aborted_by set) when an abort_on_fail threshold past its delay
 * fails. Thresholds without samples yet do not abort. */
bool cli_gate_should_abort(struct cli_gate *g, const struct hp_metric_set *m, double t_s);
/* Judge every threshold on the whole run; returns how many failed. */
int cli_gate_judge(struct cli_gate *g, const struct hp_metric_set *m);
/* "  Thresholds:" and a line per threshold with its mark and measured value. */
void cli_gate_print(const struct cli_gate *g, FILE *out);
/* A Markdown table of the verdicts. */
void cli_gate_markdown(const struct cli_gate *g, FILE *out);
/* The verdicts into doc's thresholds[]. 0 or -ENOMEM. */
int cli_gate_to_doc(const struct cli_gate *g, struct hp_result *doc);
/* One JUnit testcase per threshold. 0 or an error with err. */
int cli_gate_junit(const struct cli_gate *g, const char *path, const char *suite,
                   double time_s, int64_t started_wall_ns, struct hp_err *err);

#endif
