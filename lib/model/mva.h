/* SPDX-License-Identifier: MIT */
/* model/mva.h - a service architecture as a product-form queueing network,
 * solved by Mean Value Analysis (M. Reiser and S. Lavenberg, "Mean-value
 * analysis of closed multichain queuing networks", JACM 27(2), 1980):
 * stations are queueing (FCFS; c servers) or delay (infinite servers);
 * each class of requests has a service demand D per station (visits times
 * service time per visit). Closed classes have a population N and think
 * time Z; open classes an arrival rate.
 *
 * Closed networks: exact MVA; one class at any population (the recursion
 * keeps only n - 1), several over every population vector while that stays
 * under HP_MVA_EXACT_OPS, else Bard-Schweitzer's approximation (Schweitzer
 * 1979), and the result says which. Stations with several servers or a
 * rate table are load-dependent: exact MVA with marginal queue-length
 * probabilities (Reiser and Lavenberg), for one class or several; past the
 * exact cost, multi-server stations by Seidmann's approximation (a server
 * of demand D/c and a delay of D(c-1)/c). Open
 * networks: the product-form formulas (Jackson; M/M/c at multi-server
 * stations); mixed networks (open and closed classes) by the
 * decomposition of Lazowska et al. (exact for product form). */
#ifndef HP_MODEL_MVA_H
#define HP_MODEL_MVA_H

#include <stdbool.h>

#include "core/err.h"

#define HP_MVA_MAX_STATIONS 64
#define HP_MVA_MAX_CLASSES 16
/* what exact MVA over several classes may cost before the approximations
 * take over: multiply-adds, and values held at once */
#define HP_MVA_EXACT_OPS 1e9
#define HP_MVA_EXACT_MEMORY 50000000
#define HP_MVA_MAX_RATES 64

enum hp_mva_station_kind { HP_MVA_QUEUE, HP_MVA_DELAY };
/* How to solve a closed network: auto picks exact MVA while it is
 * affordable (HP_MVA_EXACT_OPS), else Bard-Schweitzer (single-server
 * stations) or Seidmann's split (multi-server ones). */
enum hp_mva_choice { HP_MVA_AUTO, HP_MVA_FORCE_EXACT, HP_MVA_FORCE_SCHWEITZER,
                     HP_MVA_FORCE_SEIDMANN };
enum hp_mva_method { HP_MVA_EXACT, HP_MVA_SCHWEITZER, HP_MVA_OPEN, HP_MVA_LOAD_DEPENDENT,
                     HP_MVA_MIXED };

struct hp_mva_network {
    int n_stations, n_classes;
    char station_name[HP_MVA_MAX_STATIONS][64];
    enum hp_mva_station_kind kind[HP_MVA_MAX_STATIONS];
    int servers[HP_MVA_MAX_STATIONS];         /* queueing stations; 0 is read as 1 */
    /* a load-dependent queueing station given by its rate table: with j
     * requests present it serves rates[k][j-1] times as fast as with one
     * (j past the table: its last entry); n_rates 0 for none. servers: c
     * is the table 1, 2, ..., c. */
    int n_rates[HP_MVA_MAX_STATIONS];
    /* with routing: each station's visits per request, solved from the
     * probabilities (0 otherwise) */
    double visits[HP_MVA_MAX_STATIONS];
    bool routed;
    enum hp_mva_choice choice;
    double exact_ops; /* auto: exact MVA's budget (0: HP_MVA_EXACT_OPS) */
    double objective_s; /* objective: {response: T}, the response-time objective; 0 none */
    double rates[HP_MVA_MAX_STATIONS][HP_MVA_MAX_RATES];
    char class_name[HP_MVA_MAX_CLASSES][64];
    double demand[HP_MVA_MAX_CLASSES][HP_MVA_MAX_STATIONS]; /* seconds per request */
    bool open;                                /* all classes open */
    /* some classes open, the others closed (class_open says which): the
     * closed classes see each queueing station slowed by the open ones'
     * utilisation, D / (1 - U_open), and the open ones wait behind the
     * closed ones' queue (Lazowska et al., Quantitative System Performance,
     * 1984, 7.4); single-server stations only */
    bool mixed;
    bool class_open[HP_MVA_MAX_CLASSES];
    int population[HP_MVA_MAX_CLASSES];       /* closed */
    double think_s[HP_MVA_MAX_CLASSES];       /* closed */
    double arrival_per_s[HP_MVA_MAX_CLASSES]; /* open */
};

struct hp_mva_result {
    enum hp_mva_method method;
    double throughput[HP_MVA_MAX_CLASSES];                  /* X_c, per second */
    double response_s[HP_MVA_MAX_CLASSES];                  /* R_c, without think time */
    double residence_s[HP_MVA_MAX_CLASSES][HP_MVA_MAX_STATIONS];
    double queue[HP_MVA_MAX_CLASSES][HP_MVA_MAX_STATIONS];  /* Q_ck, mean number there */
    double utilisation[HP_MVA_MAX_STATIONS];                /* over all classes */
    int bottleneck;                                         /* the most utilised station */
    /* every queueing station at that utilisation (to 1e-9 relative): a tie
     * names them all */
    int n_bottlenecks;
    int bottlenecks[HP_MVA_MAX_STATIONS];
    /* what the figures are worth */
    int iterations;      /* Bard-Schweitzer's fixed point */
    bool not_converged;  /* it stopped at its limit, the change still above 1e-12 */
    bool pooled_mmc;     /* open, several classes at a multi-server station: M/M/c over the
                            classes' pooled service times, an approximation */
    double p0_clamped;   /* load-dependent: the most negative p(0) set to 0 (0: none) */
    bool seidmann;       /* multi-server stations by Seidmann's approximation */
    double exact_ops;    /* auto chose Seidmann: what exact MVA would have cost (else 0) */
};

/* The balanced-job asymptotic bounds of one closed class (Denning and
 * Buzen 1978) with D the total demand, D_max the largest demand per server
 * of a queueing station and Z the think time:
 *   X(N) <= min(N / (D + Z), 1 / D_max),  R(N) >= max(D, N D_max - Z),
 * and N* = (D + Z) / D_max, where the two throughput bounds meet. Open
 * networks: X <= 1 / D_max and R >= D. */
struct hp_mva_bounds {
    double d, dmax, z;
    double x_max, r_min, n_star; /* closed; n_star NaN when no station queues */
    bool closed;
};
void hp_mva_bounds(const struct hp_mva_network *net, struct hp_mva_bounds *b);

/* Solve net. Errors: an open network whose utilisation reaches 1 somewhere
 * (named, by how much), or invalid inputs. */
int hp_mva_solve(const struct hp_mva_network *net, struct hp_mva_result *out,
                 struct hp_err *err);
/* Force Bard-Schweitzer for a closed network (for comparison and tests). */
int hp_mva_solve_schweitzer(const struct hp_mva_network *net, struct hp_mva_result *out,
                            struct hp_err *err);

/* Whether a queueing station has several servers or a rate table: the
 * network then needs load-dependent MVA (O(N^2) in the population). */
bool hp_mva_load_dependent(const struct hp_mva_network *net);

/* One closed class: throughput x[n] and response time r[n] for every
 * population n = 0..max_n in a single pass of the recursion (x and r hold
 * max_n + 1 values). */
int hp_mva_curve(const struct hp_mva_network *net, int max_n, double *x, double *r,
                 struct hp_err *err);

#endif
