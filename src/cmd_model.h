/* SPDX-License-Identifier: MIT */
/* src/cmd_model.h - the models behind `hotpath model`, one file each
 * (model_usl.c, model_queue.c, model_mva.c, model_plan.c); cmd_model.c parses
 * the options and dispatches. */
#ifndef HP_CMD_MODEL_H
#define HP_CMD_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "model/plan.h"
#include "model/queue.h"

#define MAX_PREDICT 64

enum { O_PREDICT = 1, O_TARGET_X, O_TARGET_R, O_JSON, O_KIND, O_ARRIVAL, O_SERVICE, O_SERVERS,
       O_SCV, O_TARGET_P99, O_TARGET_WAIT, O_USERS, O_SCALE, O_CACHE, O_DEMAND, O_PEAK,
       O_GROWTH, O_HISTORY, O_FIT, O_CAPACITY, O_CAPACITY_USL, O_HEADROOM, O_SPARES, O_MONTHS,
       O_FLEET, O_COST, O_OUTPUT, O_CAPACITY_SWEEP, O_SLO, O_SIGMA, O_KAPPA, O_LAMBDA, O_METHOD };

#define MAX_WHATIFS 32
#define MAX_USERS 16 /* --users options */


struct queue_args {
    struct hp_queue q;
    const char *kind;
    const char *json;
    double target_p99_s;
    double target_wait;
};

struct whatif {
    int kind; /* O_SCALE, O_CACHE, O_DEMAND */
    const char *text;
};

struct plan_args {
    struct hp_plan_input in;
    bool growth_given;
    const char *history, *fit, *capacity_usl, *capacity_sweep, *output, *json;
    int64_t slo_ns;           /* latency objective per instance, 0: none */
};

/* "%.6g", or "n/a" for a value a model could not give: never NaN. */
const char *model_num(double v, char *buf, size_t size);
/* N,X points from a CSV file or a sweep result document; hp_free both. */
int model_load_points(const char *file, double **n, double **x, size_t *count, struct hp_err *err);

/* given: sigma, kappa, lambda to use instead of a fit of file's data (file
 * NULL then), or NULL. */
int model_run_usl(const struct hp_cmd *cmd, const char *file, const double *given,
                  const double *predict, int n_predict, double target_x, double target_r,
                  const char *json);
int model_run_queue(const struct hp_cmd *cmd, struct queue_args *a);
/* users: the --users options (A..B, or CLASS=A..B and CLASS=N); method:
 * --method or NULL (auto) */
int model_run_mva(const struct hp_cmd *cmd, const char *file, const char *const *users,
                  int n_users, const char *method, const struct whatif *whatifs, int n_whatifs,
                  const char *json);
int model_run_plan(const struct hp_cmd *cmd, struct plan_args *pa);

#endif
