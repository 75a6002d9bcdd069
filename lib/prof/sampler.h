/* SPDX-License-Identifier: MIT */
/* prof/sampler.h - on-CPU stack sampling with perf_event_open: every thread
 * of a running process (-p), or a command started for it and every thread
 * and child it makes. One event per CPU and thread (inherited by the
 * threads and children they start), all of a CPU's writing into one ring
 * buffer; samples carry the user and kernel callchains (frame pointers),
 * mmap and comm records say which file each address is in. Stacks are
 * counted raw while sampling and symbolised at the end (prof/symbols). */
#ifndef HP_PROF_SAMPLER_H
#define HP_PROF_SAMPLER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "prof/stacks.h"

enum hp_prof_event { HP_PROF_AUTO, HP_PROF_CPU_CLOCK, HP_PROF_CYCLES };

struct hp_prof_opts {
    int pid;             /* a running process; 0 with argv */
    char *const *argv;   /* a command to start (execvp), NULL-terminated */
    int freq;            /* samples per second per CPU-busy thread */
    int64_t duration_ns; /* 0: until the command or process ends, or *stop */
    enum hp_prof_event event;
    bool user_only; /* leave the kernel's frames out */
    /* Off-CPU instead of on-CPU: every time a thread leaves the CPU (the
     * context-switches software event, each one, with its stack) until it
     * runs again (the kernel's switch-in records), weighted by that time in
     * ns. A thread that was preempted, still runnable, gets the frame
     * "[runnable: preempted]" on top of its stack: waiting for a CPU, not
     * blocked. freq and event do not apply. */
    bool off_cpu;
    /* With pid, on the CPU: one event per CPU when allowed (root,
     * CAP_PERFMON or perf_event_paranoid <= 0), keeping the samples of the
     * process and those it starts; events on the process's threads instead
     * cost it at every context switch. per_thread forces those. */
    bool per_thread;
};

struct hp_prof_result {
    struct hp_stacks stacks; /* counts 0; the root's children are process names */
    uint64_t samples, lost, unique_stacks;
    uint64_t user_samples, user_shallow; /* samples with user frames; of those, with one only */
    char event[16];                      /* "cpu-clock" or "cycles" */
    bool kernel;                         /* kernel frames sampled */
    bool kernel_symbols;                 /* and named (kallsyms readable) */
    int64_t elapsed_ns;
    int exit_status; /* the command's, as waitpid gives it; -1 for -p */
    int threads;     /* the threads followed at the start */
    bool cpu_wide;   /* sampled by one event per CPU (see per_thread) */
    /* off_cpu: the stacks' counts are ns; the totals, blocked and runnable */
    bool off_cpu;
    uint64_t off_cpu_ns, preempted_ns, switches;
};

/* Sample until the command exits, the process ends, duration_ns passes or
 * *stop becomes nonzero (a signal handler sets it); on a stop the command is
 * sent SIGINT and waited for, and what was sampled is kept. 0, or a negative
 * errno with err saying what is needed (perf_event_paranoid, capabilities).
 * result is initialised either way: hp_prof_result_fini. */
int hp_prof_run(const struct hp_prof_opts *o, volatile sig_atomic_t *stop,
                struct hp_prof_result *result, struct hp_err *err);
void hp_prof_result_fini(struct hp_prof_result *r);

#endif
