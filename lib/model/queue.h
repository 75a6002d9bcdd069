/* SPDX-License-Identifier: MIT */
/* model/queue.h - single-station queueing models: M/M/1, M/M/c (Erlang B and
 * C), M/D/1 and M/G/1 (Pollaczek-Khinchine). Times in seconds, rates per
 * second. Formulas: L. Kleinrock, "Queueing Systems" vol. 1 (1975), 3.2 and
 * 3.5 (M/M/1, M/M/c), 5.6 (M/G/1 mean value, Pollaczek-Khinchine). */
#ifndef HP_MODEL_QUEUE_H
#define HP_MODEL_QUEUE_H

#include <stdbool.h>

#include "core/err.h"

enum hp_queue_kind { HP_QUEUE_MM1, HP_QUEUE_MMC, HP_QUEUE_MD1, HP_QUEUE_MG1 };

struct hp_queue {
    enum hp_queue_kind kind;
    double arrival_per_s; /* lambda */
    double service_s;     /* mean service time S = 1/mu */
    int servers;          /* c (1 except M/M/c) */
    double scv;           /* service time's squared coefficient of variation (M/G/1) */
};

struct hp_queue_result {
    double utilisation;   /* rho = lambda S / c */
    double offered_erlangs; /* a = lambda S */
    double erlang_b;      /* M/M/c: blocking probability of the loss system M/M/c/c */
    double p_wait;        /* P(an arrival waits) */
    double mean_wait_s;   /* Wq */
    double mean_response_s; /* W = Wq + S */
    double mean_queue;    /* Lq = lambda Wq */
    double mean_in_system; /* L = lambda W */
    bool percentiles_exact; /* M/M/1, M/M/c FCFS: exact; M/D/1, M/G/1: approximation */
};

/* Solve q. HP_ERANGE with err saying by how much when utilisation >= 1
 * (unstable), or on invalid inputs. */
int hp_queue_solve(const struct hp_queue *q, struct hp_queue_result *out, struct hp_err *err);
/* Response-time percentile (p in (0, 1)) in seconds. Exact for M/M/1 and
 * M/M/c FCFS (the waiting time is 0 with probability 1 - C, else exponential
 * with rate c mu - lambda; the response adds an exponential service). For
 * M/D/1 and M/G/1: approximation (the waiting time taken as exponential
 * beyond P(wait) with the exact mean; the service at its mean). */
double hp_queue_response_percentile(const struct hp_queue *q, const struct hp_queue_result *r,
                                    double p);
/* M/M/c: the fewest servers whose p-th response percentile is at most
 * target_s (or, for hp_queue_servers_for_wait, whose P(wait) is at most
 * target). HP_ERANGE when no number of servers gets there (a target below
 * the service time's own percentile) or above 100,000 servers. */
int hp_queue_servers_for_response(const struct hp_queue *q, double p, double target_s, int *c,
                                  struct hp_err *err);
int hp_queue_servers_for_wait(const struct hp_queue *q, double target, int *c, struct hp_err *err);

#endif
