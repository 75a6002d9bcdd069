/* SPDX-License-Identifier: MIT */
/* load/stages.h - load profiles as stages: "30s:100,1m:100,30s:0" ramps a
 * value (a request rate, or a number of connections) linearly from the
 * previous stage's target to each stage's target over its duration, as k6's
 * ramping executors do. The first stage ramps from 0.
 *
 * For the open model the schedule comes from the integral of the rate: the
 * n-th request (counting from 0) is due when N(t) = n, where N(t) is the
 * number of requests the profile asks for by t. A constant rate R is the
 * one-stage profile with N(t) = R t. */
#ifndef HP_LOAD_STAGES_H
#define HP_LOAD_STAGES_H

#include "core/err.h"

#define HP_STAGES_MAX 64

struct hp_stages {
    int n;
    double start_value;
    double dur_s[HP_STAGES_MAX];
    double target[HP_STAGES_MAX];
    double cum[HP_STAGES_MAX + 1]; /* N at each stage's start, and at the end */
};

/* Parse "DURATION:TARGET[,DURATION:TARGET...]". Targets are plain numbers
 * with an optional k or M (2k = 2000); rates may end in /s. */
int hp_stages_parse(const char *text, struct hp_stages *out, struct hp_err *err);
/* One stage holding value for dur_s seconds. */
void hp_stages_constant(struct hp_stages *st, double value, double dur_s);
double hp_stages_duration_s(const struct hp_stages *st);
double hp_stages_max(const struct hp_stages *st);
/* The profile's value at t_s seconds (0 before, the last target after). */
double hp_stages_value_at(const struct hp_stages *st, double t_s);
/* N(t): the integral of the value from 0 to t_s. */
double hp_stages_count_at(const struct hp_stages *st, double t_s);
/* The t at which N(t) = n, in seconds; INFINITY when the profile never gets
 * there. */
double hp_stages_time_of(const struct hp_stages *st, double n);

#endif
