/* SPDX-License-Identifier: MIT */
/* src/cmds.h - the commands hotpath has, one struct hp_cmd each. */
#ifndef HP_CMDS_H
#define HP_CMDS_H

#include "cli.h"

extern const struct hp_cmd hp_cmd_help;
extern const struct hp_cmd hp_cmd_bench;
extern const struct hp_cmd hp_cmd_compare;
extern const struct hp_cmd hp_cmd_history;
extern const struct hp_cmd hp_cmd_bisect;
extern const struct hp_cmd hp_cmd_version;
extern const struct hp_cmd hp_cmd_serve;
extern const struct hp_cmd hp_cmd_sweep;
extern const struct hp_cmd hp_cmd_diagnose;
extern const struct hp_cmd hp_cmd_cache;
extern const struct hp_cmd hp_cmd_flame;
extern const struct hp_cmd hp_cmd_profile;
extern const struct hp_cmd hp_cmd_job;
extern const struct hp_cmd hp_cmd_load;
extern const struct hp_cmd hp_cmd_merge;
extern const struct hp_cmd hp_cmd_model;
extern const struct hp_cmd hp_cmd_monitor;
extern const struct hp_cmd hp_cmd_page;
extern const struct hp_cmd hp_cmd_report;
extern const struct hp_cmd hp_cmd_sql;

#endif
