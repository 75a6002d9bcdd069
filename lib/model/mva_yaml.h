/* SPDX-License-Identifier: MIT */
/* model/mva_yaml.h - a service architecture described in YAML (libyaml), read
 * into a struct hp_mva_network. docs/commands/model.md shows the format:
 *
 *   stations:                      # in the order requests meet them
 *     - name: web                  # type: queue (default) or delay
 *       demand: 5ms                # or service: 1ms with visits: 5
 *     - name: db
 *       demand: 20ms
 *   workload:                      # one class: users + think, or arrival_rate
 *     users: 100
 *     think: 1s
 *
 * or several classes, each with its own demands per station:
 *
 *   classes:
 *     - {name: browse, users: 50, think: 5s, demands: {web: 5ms, db: 10ms}}
 *     - {name: batch, users: 2, demands: {db: 200ms}}
 *
 * Times take units (5ms, 1s) or are plain seconds. Every error names
 * file:line:col; unknown keys get the nearest valid one. */
#ifndef HP_MODEL_MVA_YAML_H
#define HP_MODEL_MVA_YAML_H

#include <stddef.h>

#include "core/err.h"
#include "model/mva.h"

int hp_mva_parse(const char *text, size_t len, const char *name, struct hp_mva_network *out,
                 struct hp_err *err);
int hp_mva_load(const char *path, struct hp_mva_network *out, struct hp_err *err);

#endif
