/* SPDX-License-Identifier: MIT */
/* diag/diag.h - the reasoning of `hotpath diagnose`: from a sweep's levels,
 * the resource use measured at each, and CPU and off-CPU profiles taken just
 * below the knee and at it, it answers in order
 *   1. where throughput stops growing or the latency objective breaks (the
 *      knee);
 *   2. which resource saturates first there, with its evidence (memory
 *      growth, the process's or one thread's CPU, a lock, the disk, memory
 *      pressure, the network, a full pool, or the load generator itself);
 *   3. what code the time went to at the knee compared with below it (the
 *      functions whose CPU grew);
 *   4. what to try, ranked, each tied to the figure that suggests it.
 * Pure: no I/O and no clock; the command gathers the figures, so the
 * reasoning is tested on figures made up for it. */
#ifndef HP_DIAG_DIAG_H
#define HP_DIAG_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/usl.h"
#include "prof/stacks.h"

#define HP_DIAG_MAX_LEVELS 64
#define HP_DIAG_MAX_FINDINGS 10
#define HP_DIAG_MAX_SUGGESTIONS 10
#define HP_DIAG_MAX_GROWN 20

/* One level of the sweep: its load figures and the resource use over its
 * measured run (means of the monitor's samples in that window; NaN where the
 * monitor had none). */
struct hp_diag_level {
    double level;            /* connections (or streams), or the rate asked */
    double concurrency;      /* what the USL is fitted to: level, or the mean in flight */
    double throughput_per_s, mean_ns, p99_ns, error_ratio;
    int64_t requests;
    int samples;             /* monitor samples in the window */
    double cpu_util;         /* the machine's, 0..1 */
    double runq;             /* runnable tasks */
    double proc_cpu;         /* the process's, in cores */
    double thread_max_cpu;   /* its busiest thread's, 0..1 */
    char thread_max_name[16];
    double threads, vcs_per_s, ivcs_per_s;
    double rss_first, rss_last; /* bytes: the window's first and last samples */
    double t_first, t_last;     /* their times, s */
    double majflt_per_s, swap_per_s, mem_available_ratio;
    double disk_util, disk_await_ms;
    char disk[32];
    double drops_per_s, retrans_per_s;
    double loader_cpu;       /* cores the load generator used meanwhile */
};

/* Where blocked time goes, by the frames of the stack it blocked in. */
enum hp_off_kind {
    HP_OFF_IDLE,      /* waiting for work: epoll_wait, poll, accept, a condition */
    HP_OFF_LOCK,      /* waiting for a lock: futex, pthread_mutex_lock */
    HP_OFF_IO,        /* waiting for the disk: fsync, fdatasync, io_schedule */
    HP_OFF_SLEEP,     /* a timed sleep: nanosleep */
    HP_OFF_PREEMPTED, /* runnable, waiting for a CPU */
    HP_OFF_OTHER,
    HP_OFF_KINDS
};
const char *hp_off_kind_name(enum hp_off_kind k);

/* The kind of one stack given root first (names). */
enum hp_off_kind hp_diag_off_kind(const char *const *frames, int n);

/* Sum counts `which` of an off-CPU profile's stacks (ns) by kind into
 * out[HP_OFF_KINDS]. */
void hp_diag_off_split(const struct hp_stacks *s, int which, double out[HP_OFF_KINDS]);

/* A function's CPU below the knee and at it, in cores (self samples over
 * frequency and time), and as a share of the process's samples at the knee. */
struct hp_diag_grown {
    char name[128];
    double before_cores, after_cores;
    double after_share;  /* of all samples at the knee, self */
    double total_share;  /* of all samples at the knee, with its callees */
};

/* The functions of two CPU profiles (counts 0: below, 1: at the knee, each
 * taken over secs[i] s at freq Hz) ordered by how much their self CPU grew,
 * at most max into out. The process frames (depth 1) are not functions.
 * Returns how many, or -ENOMEM. */
int hp_diag_grown(const struct hp_stacks *s, const double secs[2], int freq,
                  struct hp_diag_grown *out, int max);

enum hp_diag_cause {
    HP_CAUSE_NONE,          /* nothing saturated within the range swept */
    HP_CAUSE_MEMORY_GROWTH, /* the resident set grows with every request */
    HP_CAUSE_THREAD_CPU,    /* one thread's CPU */
    HP_CAUSE_CPU,           /* the process's or the machine's CPUs */
    HP_CAUSE_LOCK,
    HP_CAUSE_DISK,
    HP_CAUSE_MEMORY,        /* memory pressure: little available, major faults, swapping */
    HP_CAUSE_NETWORK,
    HP_CAUSE_POOL,          /* a pool of workers or connections is full: CPUs idle */
    HP_CAUSE_LOADER,        /* the load generator shares the CPUs */
    HP_CAUSE_UNKNOWN,       /* throughput stopped, no resource of the process is full */
};
/* "memory growth", "thread CPU", "CPU", "lock", ... (the document's names). */
const char *hp_diag_cause_name(enum hp_diag_cause c);

struct hp_diag_finding {
    enum hp_diag_cause cause;
    double score;       /* the order: higher first */
    char title[160];    /* one line: what saturates */
    char evidence[600]; /* the figures that say so */
};

struct hp_diag_suggestion {
    char what[200];
    char why[600];
};

enum hp_diag_knee_why { HP_KNEE_NONE, HP_KNEE_THROUGHPUT, HP_KNEE_RATE, HP_KNEE_SLO,
                        HP_KNEE_LATENCY };

struct hp_diag_input {
    const struct hp_diag_level *levels;
    int n;
    bool by_rate;
    int64_t slo_ns; /* 0: none */
    int ncpu; /* the CPUs the process may run on */
    int knee, below; /* from hp_diag_knee (the profiles were taken there); -1: none */
    /* the off-CPU profile at the knee: ns by kind over secs, and the
     * process's CPU then (cores) */
    bool off_cpu;
    double off_ns[HP_OFF_KINDS];
    double off_secs, on_cpu_cores;
    /* the CPU profiles: functions by growth */
    const struct hp_diag_grown *grown;
    int n_grown;
};

struct hp_diag_answer {
    int knee, below;
    enum hp_diag_knee_why knee_why;
    bool usl_fitted;
    struct hp_usl usl;
    double peak_n, peak_x;          /* NaN: no peak */
    double leak_bytes_per_request;  /* median over the levels; NaN: too few samples */
    double in_service;              /* Little: throughput at the knee x the lowest mean latency */
    double off_share[HP_OFF_KINDS]; /* of the thread time seen at the knee; NaN: no profile */
    int n_findings, n_suggestions;
    struct hp_diag_finding findings[HP_DIAG_MAX_FINDINGS];
    struct hp_diag_suggestion suggestions[HP_DIAG_MAX_SUGGESTIONS];
    char summary[600]; /* the answer in a few sentences */
};

/* The knee of n levels: the first where throughput stops growing (a closed
 * level's throughput grew by less than a quarter of its load's growth; an
 * open level answered under 95% of its rate), or p99 passes slo_ns, or,
 * without an objective (slo_ns 0), p99 jumps past 5 times the lowest before
 * it (and by 1 ms or more). A latency knee that the next level does not
 * repeat, throughput keeping up, was a passing stall and is not one. *below is the level before it (-1 when the knee is the first);
 * with no knee both are the last two levels and the result is -1. */
int hp_diag_knee(const struct hp_diag_level *lv, int n, bool by_rate, int64_t slo_ns, int *below,
                 enum hp_diag_knee_why *why);

/* Answer from in. 0, or HP_ERANGE when there are no levels. */
int hp_diag_analyse(const struct hp_diag_input *in, struct hp_diag_answer *out,
                    struct hp_err *err);

#endif
