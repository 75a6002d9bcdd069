/* SPDX-License-Identifier: MIT */
/* core/result.h - the result document, hotpath's one contract between the
 * commands that measure or model and those that judge or render.
 *
 * JSON, first key "schema": "hotpath.result/1", then kind, hotpath_version,
 * started_at, duration_s, host, config, metrics, series, histograms; every
 * field is described in docs/result-format.md. Written atomically. Values in
 * config that look like secrets (Authorization headers, passwords in URLs,
 * tokens) are redacted on the way in, so no document ever holds them.
 *
 * Built on jansson; hp_result_json() exposes the tree for commands that add
 * their own sections. */
#ifndef HP_CORE_RESULT_H
#define HP_CORE_RESULT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define HP_RESULT_SCHEMA "hotpath.result/1"
#define HP_RESULT_MAX_BYTES (512u * 1024 * 1024)
#define HP_REDACTED "[redacted]"

struct hp_result;

/* A new document of `kind` ("serve", "load", "bench"...) with host facts and
 * started_at set to now. Returns 0 or -ENOMEM / -EINVAL. */
int hp_result_new(const char *kind, struct hp_result **out);
void hp_result_free(struct hp_result *r); /* NULL is fine */

void hp_result_set_started(struct hp_result *r, int64_t wall_ns);
void hp_result_set_duration(struct hp_result *r, double duration_s);

/* config: the inputs that produced the document. Strings pass through
 * hp_redact_value() with their key. Returns 0 or -ENOMEM. */
int hp_result_config_str(struct hp_result *r, const char *key, const char *value);
int hp_result_config_int(struct hp_result *r, const char *key, int64_t value);
int hp_result_config_real(struct hp_result *r, const char *key, double value);
int hp_result_config_bool(struct hp_result *r, const char *key, bool value);
/* Append "Name: value" to config.headers, the value redacted for secret names. */
int hp_result_config_header(struct hp_result *r, const char *header_line);

/* metrics.<name> = {"value": v, "unit": unit}. unit is "ns", "s", "1/s",
 * "bytes", "count", "ratio"... (docs/result-format.md). */
int hp_result_metric(struct hp_result *r, const char *name, double value, const char *unit);
/* series.<name>: append one point (t_s since start, value). */
int hp_result_series_point(struct hp_result *r, const char *name, const char *unit,
                           double t_s, double value);
/* thresholds[]: append {"threshold": text, "passed": b, "value": v or null,
 * "unit": unit}, the verdict of one pass/fail criterion. */
int hp_result_threshold(struct hp_result *r, const char *text, bool passed, double value,
                        const char *unit);
/* histograms.<name> are written and read by stat/hist_result.h (the
 * encoding is HdrHistogram's, which lives above core). */

/* Serialise and write atomically. */
int hp_result_write(const struct hp_result *r, const char *path, struct hp_err *err);
/* Serialised text (free with hp_free). */
int hp_result_dumps(const struct hp_result *r, char **out);

/* Read and validate a document: schema, kind and the types of the standard
 * sections. Unknown schema versions are HP_EFORMAT with the version named. */
int hp_result_load(const char *path, struct hp_result **out, struct hp_err *err);
/* As hp_result_load, from text; `name` is used in error messages. */
int hp_result_parse(const char *text, size_t len, const char *name, struct hp_result **out,
                    struct hp_err *err);

const char *hp_result_kind(const struct hp_result *r);
/* metrics.<name>.value; false when absent. unit may be NULL. */
bool hp_result_get_metric(const struct hp_result *r, const char *name, double *value,
                          const char **unit);
json_t *hp_result_json(struct hp_result *r); /* borrowed */

/* A number for a document: JSON has no NaN or infinity, so those are null
 * ("no value"). A new reference. */
json_t *hp_json_number(double v);

/* The value as it may be stored for `key`: HP_REDACTED for secret keys,
 * header lines with secret names, URLs with their password or secret query
 * parameters replaced. Returns a new string (hp_free) or NULL on ENOMEM. */
char *hp_redact_value(const char *key, const char *value);
/* A name whose values are secrets: known ones (Authorization, Cookie,
 * password, token, api_key...), any made of words such as key, sig,
 * token*, secret*, auth*, session*, credential*, signature* (cloud signing
 * parameters among them), and those added with hp_redact_add. */
bool hp_is_secret_name(const char *name);
/* Treat name as secret too (the CLI's --redact). 0, or -ENOSPC past 32. */
int hp_redact_add(const char *name);

#endif
