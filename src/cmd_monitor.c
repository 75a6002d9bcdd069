// SPDX-License-Identifier: MIT
/* src/cmd_monitor.c - `hotpath monitor`: USE-method samples of the machine
 * (and a process) every interval, a line each, and a summary that names the
 * first resource to saturate. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmds.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/units.h"
#include "sys/monitor.h"

enum { O_PID = 1, O_INTERVAL, O_DURATION, O_JSON, O_QUIET };

static const struct cli_opt monitor_opts[] = {
    {O_PID, "pid", 'p', "PID",
     "Also follow this process: its CPU (in CPUs: 1.00 is one CPU's whole time), RSS, threads, "
     "context switches and open file descriptors. The monitor ends when it does."},
    {O_INTERVAL, "interval", 'i', "DURATION", "Time between samples (default 1s)."},
    {O_DURATION, "duration", 'd', "DURATION", "How long to watch (default: until Ctrl-C)."},
    {O_JSON, "json", 0, "FILE",
     "Write a result document (kind monitor): every figure as a series, the means and peaks, "
     "and the first saturation seen."},
    {O_QUIET, "quiet", 'q', NULL, "No line per sample: the summary only."},
    {0, NULL, 0, NULL, NULL},
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void line(const struct hp_mon_point *p, bool header, bool proc)
{
    if (header)
        printf("%7s %6s %5s %9s %7s %6s %9s %9s %8s%s\n", "time", "cpu", "runq", "mem used",
               "majf/s", "disk", "net rx/s", "net tx/s", "retr/s",
               proc ? "  proc cpu       rss threads  vcs/s ivcs/s   fds" : "");
    double rx = 0, tx = 0, disk = 0;
    for (int i = 0; i < p->nnets; i++)
        if (strcmp(p->nets[i].name, "lo") != 0 || p->nnets == 1)
            rx += p->nets[i].rx_bps, tx += p->nets[i].tx_bps;
    for (int i = 0; i < p->ndisks; i++)
        disk = p->disks[i].util > disk ? p->disks[i].util : disk;
    char a[32], b[32], c[32], d[32];
    printf("%6.1fs %5.1f%% %5.1f %9s %7.0f %5.1f%% %9s %9s %8.0f", p->t_s, 100 * p->cpu_util,
           p->runq, hp_format_size((int64_t)(p->mem_total - p->mem_available), a, sizeof a),
           p->major_faults_per_s, 100 * disk, hp_format_size((int64_t)rx, b, sizeof b),
           hp_format_size((int64_t)tx, c, sizeof c), p->retrans_per_s);
    if (p->proc)
        printf("  %8.2f %9s %7.0f %6.0f %6.0f %5.0f", p->proc_cpu,
               hp_format_size((int64_t)p->proc_rss, d, sizeof d), p->proc_threads,
               p->proc_vcs_per_s, p->proc_ivcs_per_s, p->proc_fds);
    printf("\n");
}

static int run_monitor(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    cli_init(&p, cmd, argc, argv);
    const char *v, *json = NULL;
    int64_t pid = 0, interval = 1000000000, duration = 0;
    bool quiet = false;
    int id;
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return HP_EXIT_OK;
        case CLI_POSITIONAL: return cli_usage_error(cmd, "unexpected argument '%s'", v);
        case O_PID:
            if (!cli_int(cmd, "pid", v, 1, INT32_MAX, &pid))
                return HP_EXIT_USAGE;
            break;
        case O_INTERVAL:
            if (!cli_duration(cmd, "interval", v, &interval))
                return HP_EXIT_USAGE;
            if (interval < 10000000)
                return cli_usage_error(cmd, "--interval %s: at least 10ms", v);
            break;
        case O_DURATION:
            if (!cli_duration(cmd, "duration", v, &duration))
                return HP_EXIT_USAGE;
            break;
        case O_JSON: json = v; break;
        case O_QUIET: quiet = true; break;
        }
    }
    struct hp_mon *m;
    int rc = hp_mon_new((int)pid, &m);
    if (rc == -ESRCH)
        return cli_usage_error(cmd, "-p %lld: no such process", (long long)pid);
    if (rc < 0)
        return cli_fail(cmd, rc, NULL);
    struct hp_result *doc = NULL;
    if (json && hp_result_new("monitor", &doc) < 0) {
        hp_mon_free(m);
        return cli_fail(cmd, -ENOMEM, NULL);
    }
    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int64_t wall0 = hp_wall_ns(), t0 = hp_now_ns(), next = t0;
    struct hp_mon_point pt;
    struct hp_mon_summary s = {0};
    int code = HP_EXIT_OK;
    bool gone = false;
    for (int k = 0; !stop_flag && !gone; k++) {
        rc = hp_mon_sample(m, hp_now_ns(), &pt);
        gone = rc == -ESRCH;
        if (rc == 1 || (gone && k > 0 && pt.t_s > 0)) {
            hp_mon_summary_add(&s, &pt);
            if (!quiet) {
                line(&pt, s.n == 1, pid > 0);
                fflush(stdout);
            }
            if (doc && hp_mon_record(doc, &pt, 0) < 0) {
                code = cli_fail(cmd, -ENOMEM, NULL);
                break;
            }
        }
        if (gone || (duration > 0 && hp_now_ns() - t0 >= duration))
            break;
        next += interval;
        int64_t wait = next - hp_now_ns();
        if (duration > 0 && next > t0 + duration)
            wait = t0 + duration - hp_now_ns();
        if (wait > 0) {
            struct timespec ts = {wait / 1000000000, wait % 1000000000};
            nanosleep(&ts, NULL);
        }
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    double secs = (double)(hp_now_ns() - t0) / 1e9;
    if (gone)
        printf("# process %lld ended\n", (long long)pid);
    hp_mon_summary_print(&s, (int)pid, secs, "# ", stdout);
    fflush(stdout);
    if (doc && code == HP_EXIT_OK) {
        struct hp_err err = {0};
        hp_result_set_started(doc, wall0);
        hp_result_set_duration(doc, secs);
        int e = hp_result_config_real(doc, "interval_s", (double)interval / 1e9);
        if (pid)
            e = e ? e : hp_result_config_int(doc, "pid", pid);
        e = e ? e : hp_mon_summary_to_doc(&s, doc);
        e = e ? hp_err_set(&err, e, "out of memory") : hp_result_write(doc, json, &err);
        if (e < 0)
            code = cli_fail(cmd, e, &err);
    }
    hp_result_free(doc);
    hp_mon_free(m);
    return code;
}

const struct hp_cmd hp_cmd_monitor = {
    .name = "monitor",
    .summary = "USE-method samples of CPU, memory, disks, network and a process",
    .usage = "monitor [options] [-p PID]",
    .description =
        "Samples the machine every interval from /proc and /sys, Brendan Gregg's USE method: for "
        "each resource its utilisation, saturation and errors. CPU: utilisation per CPU and "
        "overall, runnable tasks, pressure stall (PSI) where the kernel has it. Memory: used and "
        "available, major faults, swapping, pressure. Disks: busy time, average queue, await, "
        "throughput. Network: throughput and drops per interface, TCP retransmits. With -p, the "
        "process's CPU (in CPUs), RSS, threads, voluntary and involuntary context switches and "
        "open file descriptors.\n\n"
        "A line per sample, then a summary that names the first resource to saturate and the "
        "evidence: the process using all the CPUs its threads can, the machine's CPUs 90% busy "
        "or more tasks runnable than CPUs, memory under 10% available or faulting, a disk 90% "
        "busy, packets dropped or TCP retransmitting, file descriptors near their limit. `hotpath "
        "load --monitor PID` records the same alongside a load test.",
    .opts = monitor_opts,
    .examples = "  hotpath monitor -i 1s -d 60s\n"
                "  hotpath monitor -p $(pidof nginx) -d 2m --json use.json\n",
    .run = run_monitor,
};
