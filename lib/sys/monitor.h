/* SPDX-License-Identifier: MIT */
/* sys/monitor.h - USE-method samples of the machine and, optionally, one
 * process, from /proc and /sys: for each resource its utilisation, its
 * saturation and its errors (Brendan Gregg's USE method).
 *   CPU      utilisation per CPU and overall (/proc/stat), run-queue length
 *            (procs_running), pressure (/proc/pressure/cpu "some")
 *   memory   used and available (/proc/meminfo), major faults and swapping
 *            (/proc/vmstat), pressure (/proc/pressure/memory)
 *   disks    utilisation (busy time), await, average queue, throughput
 *            (/proc/diskstats; whole disks, not partitions, loop or ram)
 *   network  throughput and drops per interface (/proc/net/dev), TCP
 *            retransmits (/proc/net/snmp)
 *   process  CPU (in cores), its busiest thread's, RSS, threads, voluntary
 *            and involuntary context switches, open file descriptors and
 *            their limit
 * Rates are over the interval between two samples; the first sample only
 * primes the counters. */
#ifndef HP_SYS_MONITOR_H
#define HP_SYS_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/result.h"

#define HP_MON_MAX_CPUS 256
#define HP_MON_MAX_DEVS 16

struct hp_mon_disk {
    char name[32];
    double util, await_ms, queue, read_bps, write_bps;
};

struct hp_mon_net {
    char name[32];
    double rx_bps, tx_bps, drops_per_s, errors_per_s;
};

struct hp_mon_point {
    double t_s; /* since the first sample */
    int ncpu;
    double cpu_util, cpu[HP_MON_MAX_CPUS];
    double runq;                     /* runnable tasks (procs_running) */
    double psi_cpu, psi_mem, psi_io; /* share of the interval with some task stalled; -1: none */
    double mem_total, mem_available; /* bytes */
    double major_faults_per_s, swap_pages_per_s;
    int ndisks, nnets;
    struct hp_mon_disk disks[HP_MON_MAX_DEVS];
    struct hp_mon_net nets[HP_MON_MAX_DEVS];
    double retrans_per_s, out_segs_per_s;
    bool proc;       /* the process's figures below are valid */
    double proc_cpu; /* cores: 1.0 is one CPU's whole time */
    double proc_rss, proc_threads, proc_vcs_per_s, proc_ivcs_per_s, proc_fds, proc_fd_limit;
    double thread_max_cpu; /* the busiest thread's CPU (of its first 256) */
    int thread_max_tid;
    char thread_max_name[16];
};

struct hp_mon;

/* pid 0: the machine only. 0, -ENOMEM, or -ESRCH (no such process). */
int hp_mon_new(int pid, struct hp_mon **out);
void hp_mon_free(struct hp_mon *m);

/* Read everything at now_ns (CLOCK_MONOTONIC). 1 with *p filled (rates over
 * the time since the last call), 0 on the first call (counters primed), or
 * -ESRCH once the process is gone (the machine's figures still filled: 1
 * is returned with p->proc false instead while any process was never set). */
int hp_mon_sample(struct hp_mon *m, int64_t now_ns, struct hp_mon_point *p);

/* The first resource of p that is saturated (or close to it), as a name
 * ("CPU", "memory", "disk sda", "network", "process CPU", "file
 * descriptors") with the evidence; false when none is. */
bool hp_mon_saturated(const struct hp_mon_point *p, char *what, size_t what_size, char *evidence,
                      size_t evidence_size);

/* Means and peaks over a run's samples, and the first saturation. */
struct hp_mon_summary {
    int n;
    double cpu_sum, cpu_max, runq_max, mem_used_max, majflt_max, disk_max, retrans_sum, drops_sum;
    char disk_max_name[32];
    double proc_cpu_sum, proc_cpu_max, rss_max, fds_max, threads_max;
    int proc_n;
    bool saturated;
    double saturated_at;
    char what[64], evidence[160];
};

void hp_mon_summary_add(struct hp_mon_summary *s, const struct hp_mon_point *p);
/* Lines starting with prefix: the means and peaks, the process's, and the
 * first resource to saturate (or that none did). pid 0: no process. */
void hp_mon_summary_print(const struct hp_mon_summary *s, int pid, double secs, const char *prefix,
                          FILE *f);
/* metrics (cpu_util_mean, cpu_util_max, mem_used_max_bytes, proc_cpu_mean,
 * proc_cpu_max, proc_rss_max_bytes) and "saturation" ({resource, at_s,
 * evidence} or null) into r. 0 or -ENOMEM. */
int hp_mon_summary_to_doc(const struct hp_mon_summary *s, struct hp_result *r);

/* Add p's figures to r's series (names in docs/result-format.md), at x =
 * p->t_s + t0_s. 0 or -ENOMEM. */
int hp_mon_record(struct hp_result *r, const struct hp_mon_point *p, double t0_s);

/* A process followed during another command's run (load --monitor): a
 * sample each second into a summary and, optionally, a document's series. */
struct hp_mon_follow {
    int pid;
    struct hp_mon *mon;
    struct hp_mon_summary sum;
    int64_t next_ns;
    bool gone; /* the process ended: no more samples */
};
/* Prime the counters now. 0, -ESRCH (no such process) or -ENOMEM. */
int hp_mon_follow_start(struct hp_mon_follow *f, int pid);
/* A sample when one is due at now_ns, into f->sum and doc (may be NULL).
 * 0; -ESRCH the first time the process is found gone; -ENOMEM. */
int hp_mon_follow_tick(struct hp_mon_follow *f, int64_t now_ns, struct hp_result *doc);
void hp_mon_follow_stop(struct hp_mon_follow *f);

#endif
