/* SPDX-License-Identifier: MIT */
/* bench/export.h - what `hotpath bench` writes: hyperfine's JSON, Markdown
 * and CSV exports (the same fields and layout, so scripts written for
 * hyperfine keep working), and hotpath's result document (kind bench) with
 * every run. */
#ifndef HP_BENCH_EXPORT_H
#define HP_BENCH_EXPORT_H

#include <stdio.h>

#include "bench/bench.h"
#include "core/result.h"

enum hp_time_unit { HP_UNIT_AUTO, HP_UNIT_MS, HP_UNIT_S };

/* Written to f; 0, or -ENOMEM / -EIO. Only results with runs count. */
int hp_bench_export_json(const struct hp_bench *b, FILE *f);
int hp_bench_export_markdown(const struct hp_bench *b, enum hp_time_unit unit, FILE *f);
int hp_bench_export_csv(const struct hp_bench *b, FILE *f);

/* The result document: config (commands, shell, runs...), metrics of each
 * command (NAME/median_s...; the first command's also without the prefix)
 * and `benchmarks`, one object per command with its figures and runs. */
int hp_bench_doc(const struct hp_bench *b, struct hp_result *doc);

/* hyperfine's duration text: "12.3 ms" below a second (or with MS), else
 * "1.234 s". */
void hp_bench_duration(double s, enum hp_time_unit unit, char *buf, size_t size);

#endif
