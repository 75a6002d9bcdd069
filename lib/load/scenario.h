/* SPDX-License-Identifier: MIT */
/* load/scenario.h - load-test scenario files (YAML, libyaml): a base URL,
 * default headers, and named scenarios that run at the same time, each with
 * its own executor (closed: connections; open: an arrival rate; either with
 * stages), start delay, think time, data file (CSV whose columns fill
 * ${name} placeholders) and weighted requests; plus k6-style thresholds.
 * The whole file is validated before anything is sent: every error names
 * file:line:col and what was expected, unknown keys the nearest valid one.
 * The format is docs/scenarios.md. */
#ifndef HP_LOAD_SCENARIO_H
#define HP_LOAD_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/table.h"
#include "load/load.h"
#include "http/template.h"
#include "http/url.h"
#include "stat/threshold.h"

#define HP_SCENARIO_MAX 16
#define HP_SCENARIO_MAX_THRESHOLDS 64
#define HP_SCENARIO_MAX_BYTES (4u * 1024 * 1024)
#define HP_SCENARIO_NAME_MAX 64
#define HP_SCENARIO_MAX_CHECKS 256 /* per scenario, over its requests */
#define HP_SCENARIO_MAX_TAGS 8     /* per request */

struct hp_scenario {
    char name[HP_SCENARIO_NAME_MAX];
    /* Ready for hp_load_new but for cfg.addr, which the caller resolves
     * (hp_url_addr on the file's base URL); cfg.mix points into this. */
    struct hp_load_config cfg;
    int64_t start_ns;     /* start this long after the run begins */
    double target_rate;   /* open executors: requests per second on average */
    int n_requests;
    char *request_names[HP_LOAD_MAX_MIX];
    struct hp_load_request mix[HP_LOAD_MAX_MIX];
    struct hp_template heads[HP_LOAD_MAX_MIX], bodies[HP_LOAD_MAX_MIX];
    int n_checks;
    struct hp_check checks[HP_SCENARIO_MAX_CHECKS];
    int n_tags[HP_LOAD_MAX_MIX];           /* a request's own tags, for thresholds */
    char *tag_key[HP_LOAD_MAX_MIX][HP_SCENARIO_MAX_TAGS];
    char *tag_value[HP_LOAD_MAX_MIX][HP_SCENARIO_MAX_TAGS];
    bool has_data;
    struct hp_table data;
    char data_file[256];
};

struct hp_scenario_file {
    char path[256];
    char base_text[HP_URL_MAX];
    struct hp_url base;
    int n;
    struct hp_scenario *sc[HP_SCENARIO_MAX];
    int n_thresholds;
    struct hp_threshold thresholds[HP_SCENARIO_MAX_THRESHOLDS];
};

/* Read and validate path. Relative data and body files are found next to
 * it. On success *out is the caller's (hp_scenario_free); on failure err
 * says where and why, and nothing is left allocated. */
int hp_scenario_load(const char *path, struct hp_scenario_file **out, struct hp_err *err);
/* The same from text; `path` names it and anchors relative files. */
int hp_scenario_parse(const char *text, size_t len, const char *path,
                      struct hp_scenario_file **out, struct hp_err *err);
void hp_scenario_free(struct hp_scenario_file *f); /* NULL is fine */

/* Does request k of sc carry tag key=value? ("name" is its name.) */
bool hp_scenario_request_tagged(const struct hp_scenario *sc, int k, const char *key,
                                const char *value);
/* Does t's tag select anything in f? If not, why in why. Thresholds on
 * {check:...} must be on the checks metric. */
bool hp_scenario_selects(const struct hp_scenario_file *f, const struct hp_threshold *t,
                         char *why, size_t size);

/* "open at 20.0/s (constant spacing), at most 100 in flight, 4.00s, from
 * 1.00s": how sc runs, in one line. */
void hp_scenario_describe(const struct hp_scenario *sc, char *buf, size_t size);

#endif
