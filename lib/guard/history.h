/* SPDX-License-Identifier: MIT */
/* guard/history.h - the history of results: a SQLite database of runs
 * (when, which commit, which kind of document, tags) and their metrics, one
 * value per run and metric, so that a series over time can be drawn and
 * searched for change points.
 *
 * Safe to share: WAL mode and a busy timeout let parallel CI jobs write at
 * once; each document or import is one transaction, so a writer killed
 * mid-way leaves nothing of it. The schema carries its version (meta
 * schema_version) and is migrated forward on open; a newer version than
 * this program knows is refused with both numbers. */
#ifndef HP_GUARD_HISTORY_H
#define HP_GUARD_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define HP_HISTORY_SCHEMA 1
#define HP_HISTORY_TAGS_MAX 16

struct hp_history;

struct hp_tag {
    const char *key, *value;
};

int hp_history_open(const char *path, struct hp_history **out, struct hp_err *err);
void hp_history_close(struct hp_history *h);

/* When a run happened: RFC 3339 (2026-12-07T10:00:00Z, fractions and
 * offsets allowed) or seconds since the epoch. 0 or HP_EPARSE. */
int hp_history_parse_time(const char *s, double *t_out, struct hp_err *err);

/* Store a result document: a run at its started_at (or time_s when >= 0),
 * every numeric metric. One transaction. *run_id set. */
int hp_history_add_doc(struct hp_history *h, const char *path, const char *commit, double time_s,
                       const struct hp_tag *tags, int ntags, int64_t *run_id, struct hp_err *err);

/* Import a plain series from CSV with a header: `time,metric,value` (time as
 * hp_history_parse_time reads it), or `index,value` (the index is the time,
 * the metric `metric`). A run per row; one transaction for the file.
 * *rows set. Errors name the file and line. */
int hp_history_import_csv(struct hp_history *h, const char *path, const char *metric,
                          const struct hp_tag *tags, int ntags, int64_t *rows, struct hp_err *err);

/* The importer's parser alone (fuzzed without a database): cb gets each
 * row's time (the index, for index,value files: then `index` is set),
 * metric (`metric` for index,value files) and value; a negative return
 * stops it with that code. */
typedef int (*hp_history_csv_cb)(void *ud, double t, bool index, const char *metric, double value,
                                 struct hp_err *err);
int hp_history_csv_parse(const char *text, size_t len, const char *name, const char *metric,
                         hp_history_csv_cb cb, void *ud, struct hp_err *err);

struct hp_history_point {
    int64_t run;
    double t;
    char time[40];
    char commit[48];
    double value;
    char unit[16];
};

/* The series of metric, oldest first (by time, then by run), of the runs
 * that have every tag in where. *points (hp_free) and *n set. */
int hp_history_series(struct hp_history *h, const char *metric, const struct hp_tag *where,
                      int nwhere, struct hp_history_point **points, size_t *n, struct hp_err *err);

/* Each run, oldest first: id, time, commit, kind, source, tags ("k=v,k=v"),
 * metrics held. cb returns false to stop. */
typedef bool (*hp_history_run_cb)(void *ud, int64_t id, const char *time, const char *commit,
                                  const char *kind, const char *source, const char *tags,
                                  int64_t metrics);
int hp_history_runs(struct hp_history *h, hp_history_run_cb cb, void *ud, struct hp_err *err);

/* Each (run, metric, value, unit) of the database, or of one metric,
 * oldest run first. */
typedef bool (*hp_history_value_cb)(void *ud, int64_t run, const char *time, const char *commit,
                                    const char *metric, double value, const char *unit,
                                    const char *tags);
int hp_history_values(struct hp_history *h, const char *metric, hp_history_value_cb cb, void *ud,
                      struct hp_err *err);

#endif
