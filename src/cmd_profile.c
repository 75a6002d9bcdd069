// SPDX-License-Identifier: MIT
/* src/cmd_profile.c - `hotpath profile`: sample a process's (or a
 * command's) on-CPU stacks with perf_event_open; print where the time goes,
 * write folded stacks, a flame graph and a result document. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/result.h"
#include "core/units.h"
#include "prof/flame.h"
#include "prof/sampler.h"

enum { O_PID = 1, O_FREQ, O_DURATION, O_OUTPUT, O_JSON, O_EVENT, O_USER_ONLY, O_TOP, O_OFF_CPU };

static const struct cli_opt profile_opts[] = {
    {O_PID, "pid", 'p', "PID",
     "Profile this running process: all its threads, and those it starts."},
    {O_FREQ, "freq", 'F', "HZ",
     "Samples per second of each thread on a CPU (default 99: off the beat of 100 Hz timers)."},
    {O_DURATION, "duration", 'd', "DURATION",
     "How long to sample (default: until the process or command ends, or Ctrl-C). A command "
     "still running then is sent SIGINT, and SIGKILL 5 s later."},
    {O_OUTPUT, "output", 'o', "FILE",
     "Write FILE.svg (a flame graph) or FILE.folded / FILE.txt (folded stacks); may be given "
     "more than once."},
    {O_JSON, "json", 0, "FILE",
     "Write a result document (kind profile): the settings, sample counts, the functions by "
     "self and total samples, and the heaviest stacks."},
    {O_EVENT, "event", 'e', "EVENT",
     "cpu-clock (the kernel's timer: works everywhere, virtual machines included), cycles (the "
     "CPU's counter) or auto (default: cycles when the CPU has it, else cpu-clock)."},
    {O_USER_ONLY, "user-only", 0, NULL, "Leave the kernel's frames out."},
    {O_TOP, "top", 0, "N", "Functions to list (default 15)."},
    {O_OFF_CPU, "off-cpu", 0, NULL,
     "Where the threads wait instead of where they run: every switch off the CPU with its "
     "stack (the context-switches event through perf_event_open), weighted by the time until "
     "the thread ran again. Time a preempted thread spent runnable is kept apart, under a "
     "[runnable: preempted] frame: waiting for a CPU, not blocked on a lock or I/O. The flame "
     "graph and folded stacks are then in ns."},
    {0, NULL, 0, NULL, NULL},
};

#define MAX_OUTPUTS 8

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct fn {
    uint32_t name;
    uint64_t self, total;
};

static int by_self(const void *a, const void *b)
{
    const struct fn *x = a, *y = b;
    if (x->self != y->self)
        return x->self > y->self ? -1 : 1;
    return x->total > y->total ? -1 : x->total < y->total;
}

/* Per function name: samples that ended in it (self) and that passed
 * through it, counted once however often it recurses (total). The process
 * frames (depth 1) are not functions. */
static struct fn *functions(const struct hp_stacks *s, size_t *n)
{
    struct fn *f = hp_calloc(s->nnames ? s->nnames : 1, sizeof *f);
    uint32_t *on = hp_calloc(s->nnames ? s->nnames : 1, sizeof *on);
    if (!f || !on) {
        hp_free(f);
        hp_free(on);
        return NULL;
    }
    /* depth first: a node is entered (its name's count up), its children
     * visited, then left */
    uint32_t v = s->nodes[HP_STACKS_ROOT].child;
    while (v != UINT32_MAX) {
        const struct hp_snode *x = &s->nodes[v];
        if (x->depth > 1) {
            f[x->name].self += x->self[0];
            if (on[x->name] == 0)
                f[x->name].total += x->total[0];
        }
        if (x->child != UINT32_MAX) {
            on[x->name] += x->depth > 1;
            v = x->child;
            continue;
        }
        while (v != UINT32_MAX && s->nodes[v].sibling == UINT32_MAX) {
            v = s->nodes[v].parent;
            if (v == HP_STACKS_ROOT) {
                v = UINT32_MAX;
                break;
            }
            on[s->nodes[v].name] -= s->nodes[v].depth > 1;
        }
        if (v != UINT32_MAX)
            v = s->nodes[v].sibling;
    }
    size_t k = 0;
    for (uint32_t i = 0; i < s->nnames; i++)
        if (f[i].total > 0)
            f[k++] = (struct fn){i, f[i].self, f[i].total};
    qsort(f, k, sizeof *f, by_self);
    hp_free(on);
    *n = k;
    return f;
}

static int write_output(const char *path, struct hp_prof_result *r, const char *target,
                        uint64_t *frames, struct hp_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return hp_err_set(err, -ENOMEM, "out of memory");
    int rc;
    if (cli_ends_with(path, ".folded") || cli_ends_with(path, ".txt")) {
        rc = hp_stacks_write_folded(&r->stacks, 0, mem);
    } else {
        char title[300], sub[200], a[32];
        snprintf(title, sizeof title, "%s profile: %s", r->off_cpu ? "Off-CPU" : "CPU",
                 target);
        if (r->off_cpu)
            snprintf(sub, sizeof sub, "time off the CPU (ns), %s switches over %.3g s",
                     hp_format_count((double)r->switches, a, sizeof a),
                     (double)r->elapsed_ns / 1e9);
        else
            snprintf(sub, sizeof sub, "%s %s samples over %.3g s",
                     hp_format_count((double)r->samples, a, sizeof a), r->event,
                     (double)r->elapsed_ns / 1e9);
        struct hp_flame_opts o = {.title = title, .subtitle = sub};
        rc = hp_flame_svg(&r->stacks, &o, mem, frames);
    }
    if (fclose(mem) != 0 || rc < 0) {
        free(buf);
        return hp_err_at(err, -EIO, path, 0, 0, "cannot write");
    }
    rc = hp_file_write_atomic(path, buf, len, err);
    free(buf);
    return rc;
}

static int write_json(const char *path, struct hp_prof_result *r, const char *target, int freq,
                      int64_t wall0, const struct fn *f, size_t nf, struct hp_err *err)
{
    struct hp_result *d = NULL;
    int rc = hp_result_new("profile", &d);
    if (rc < 0)
        return hp_err_set(err, rc, "out of memory");
    hp_result_set_started(d, wall0);
    hp_result_set_duration(d, (double)r->elapsed_ns / 1e9);
    rc = hp_result_config_str(d, "target", target);
    rc = rc ? rc : hp_result_config_int(d, "frequency_hz", freq);
    rc = rc ? rc : hp_result_config_str(d, "event", r->event);
    rc = rc ? rc : hp_result_config_bool(d, "kernel", r->kernel);
    rc = rc ? rc : hp_result_config_bool(d, "cpu_wide", r->cpu_wide);
    rc = rc ? rc : hp_result_metric(d, "samples", (double)r->samples, "count");
    rc = rc ? rc : hp_result_metric(d, "lost", (double)r->lost, "count");
    rc = rc ? rc : hp_result_metric(d, "stacks", (double)r->unique_stacks, "count");
    if (r->off_cpu) {
        rc = rc ? rc : hp_result_config_bool(d, "off_cpu", true);
        rc = rc ? rc : hp_result_metric(d, "off_cpu_ns", (double)r->off_cpu_ns, "ns");
        rc = rc ? rc : hp_result_metric(d, "preempted_ns", (double)r->preempted_ns, "ns");
        rc = rc ? rc : hp_result_metric(d, "switches", (double)r->switches, "count");
    }
    if (r->user_samples)
        rc = rc ? rc
                : hp_result_metric(d, "user_stacks_without_caller",
                                   (double)r->user_shallow / (double)r->user_samples, "ratio");
    json_t *fa = json_array();
    if (!fa || json_object_set_new(hp_result_json(d), "functions", fa))
        rc = rc ? rc : -ENOMEM;
    double total = (double)r->stacks.nodes[HP_STACKS_ROOT].total[0];
    for (size_t i = 0; i < nf && i < 200 && rc == 0; i++) {
        json_t *o =
            json_pack("{s:s, s:I, s:I, s:f, s:f}", "name", hp_stacks_name(&r->stacks, f[i].name),
                      "self", (json_int_t)f[i].self, "total", (json_int_t)f[i].total, "self_ratio",
                      total > 0 ? (double)f[i].self / total : 0.0, "total_ratio",
                      total > 0 ? (double)f[i].total / total : 0.0);
        if (!o || json_array_append_new(fa, o))
            rc = -ENOMEM;
    }
    /* the folded stacks themselves, as text: the flame graph can be redrawn */
    char *buf = NULL;
    size_t len = 0;
    if (rc == 0 && hp_stacks_folded(&r->stacks, 0, &buf, &len) < 0)
        rc = -ENOMEM;
    if (rc == 0 && json_object_set_new(hp_result_json(d), "folded",
                                       json_stringn(buf ? buf : "", len)))
        rc = -ENOMEM;
    free(buf);
    rc = rc == 0 ? hp_result_write(d, path, err) : hp_err_set(err, rc, "out of memory");
    hp_result_free(d);
    return rc;
}

static int run_profile(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    cli_init(&p, cmd, argc, argv);
    const char *v, *outputs[MAX_OUTPUTS], *json = NULL;
    int nout = 0, id;
    int64_t pid = 0, freq = 99, top = 15, duration = 0;
    struct hp_prof_opts o = {.event = HP_PROF_AUTO};
    char **command = NULL;
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return HP_EXIT_OK;
        case CLI_POSITIONAL:
            /* the command: this and everything after it */
            command = argv + p.i - 1;
            p.i = p.argc;
            break;
        case O_PID:
            if (!cli_int(cmd, "pid", v, 1, INT32_MAX, &pid))
                return HP_EXIT_USAGE;
            break;
        case O_FREQ:
            if (!cli_int(cmd, "freq", v, 1, 100000, &freq))
                return HP_EXIT_USAGE;
            break;
        case O_DURATION:
            if (!cli_duration(cmd, "duration", v, &duration))
                return HP_EXIT_USAGE;
            break;
        case O_OUTPUT:
            if (nout == MAX_OUTPUTS)
                return cli_usage_error(cmd, "at most %d outputs", MAX_OUTPUTS);
            if (!cli_ends_with(v, ".svg") && !cli_ends_with(v, ".folded") &&
                !cli_ends_with(v, ".txt"))
                return cli_usage_error(cmd, "-o %s: FILE.svg, FILE.folded or FILE.txt", v);
            outputs[nout++] = v;
            break;
        case O_JSON: json = v; break;
        case O_EVENT:
            if (strcmp(v, "auto") == 0)
                o.event = HP_PROF_AUTO;
            else if (strcmp(v, "cpu-clock") == 0)
                o.event = HP_PROF_CPU_CLOCK;
            else if (strcmp(v, "cycles") == 0)
                o.event = HP_PROF_CYCLES;
            else
                return cli_usage_error(cmd, "--event %s: cpu-clock, cycles or auto", v);
            break;
        case O_USER_ONLY: o.user_only = true; break;
        case O_OFF_CPU: o.off_cpu = true; break;
        case O_TOP:
            if (!cli_int(cmd, "top", v, 0, 10000, &top))
                return HP_EXIT_USAGE;
            break;
        }
    }
    if (!pid == !command)
        return cli_usage_error(cmd, pid ? "-p PID or a command, not both"
                                        : "what to profile: -p PID, or -- COMMAND [ARGS]");
    /* A process that is not there is an input error, as for monitor -p. */
    if (pid && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
        return cli_usage_error(cmd, "-p %lld: no such process", (long long)pid);
    o.pid = (int)pid;
    o.argv = command;
    o.freq = (int)freq;
    o.duration_ns = duration;
    char target[256];
    if (command) {
        cli_join_words(command, target, sizeof target);
    } else {
        snprintf(target, sizeof target, "pid %d", o.pid);
    }
    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    struct hp_prof_result r;
    struct hp_err err = {0};
    int64_t wall0 = hp_wall_ns();
    int rc = hp_prof_run(&o, &stop_flag, &r, &err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (rc < 0) {
        int code = cli_fail(cmd, rc, &err);
        hp_prof_result_fini(&r);
        return code;
    }
    char a[32], b[32], c[32];
    if (r.off_cpu)
        printf("# %s: %s switches off the CPU over %s; %s distinct stacks%s\n", target,
               hp_format_count((double)r.switches, a, sizeof a),
               hp_format_duration(r.elapsed_ns, b, sizeof b),
               hp_format_count((double)r.unique_stacks, c, sizeof c),
               stop_flag ? " (stopped)" : "");
    else
        printf("# %s: %s samples of %s at %lld Hz over %s; %s distinct stacks%s\n", target,
               hp_format_count((double)r.samples, a, sizeof a), r.event, (long long)freq,
               hp_format_duration(r.elapsed_ns, b, sizeof b),
               hp_format_count((double)r.unique_stacks, c, sizeof c),
               stop_flag ? " (stopped)" : "");
    if (r.off_cpu) {
        char x[32], y[32];
        printf("# off CPU: %s blocked and %s runnable (preempted) over %llu switches; the "
               "shares below are of that time\n",
               hp_format_duration((int64_t)r.off_cpu_ns, x, sizeof x),
               hp_format_duration((int64_t)r.preempted_ns, y, sizeof y),
               (unsigned long long)r.switches);
    }
    if (r.lost)
        printf("# %llu samples lost (the buffer filled faster than it was read): lower -F\n",
               (unsigned long long)r.lost);
    if (!r.kernel)
        printf("# kernel frames not sampled (%s)\n",
               o.user_only ? "--user-only"
                           : "kernel.perf_event_paranoid allows user stacks only; =1 or "
                             "CAP_PERFMON gives them");
    else if (!r.kernel_symbols)
        printf("# kernel frames unnamed: /proc/kallsyms shows no addresses "
               "(kernel.kptr_restrict; root or CAP_SYSLOG reads them)\n");
    size_t nf = 0;
    struct fn *f = functions(&r.stacks, &nf);
    int code = HP_EXIT_OK;
    if (!f) {
        code = cli_fail(cmd, -ENOMEM, NULL);
        goto out;
    }
    double total = (double)r.stacks.nodes[HP_STACKS_ROOT].total[0];
    if (nf > 0 && top > 0) {
        printf("%7s %7s  %s\n", "self", "total", "function");
        for (size_t i = 0; i < nf && i < (size_t)top; i++)
            printf("%6.2f%% %6.2f%%  %s\n", 100.0 * (double)f[i].self / total,
                   100.0 * (double)f[i].total / total, hp_stacks_name(&r.stacks, f[i].name));
    }
    if (r.user_samples > 0 && r.user_shallow * 5 > r.user_samples)
        printf("# %.0f%% of the samples in user code have no caller: the stacks follow frame "
               "pointers, and code built without them (-fomit-frame-pointer, the default of most "
               "distributions' libraries) loses its callers; build with "
               "-fno-omit-frame-pointer to see them\n",
               100.0 * (double)r.user_shallow / (double)r.user_samples);
    if (r.samples == 0)
        printf("# no samples: the target did not run on a CPU while sampled\n");
    fflush(stdout);
    if (hp_stacks_sort(&r.stacks) < 0) {
        code = cli_fail(cmd, -ENOMEM, NULL);
        goto out;
    }
    for (int i = 0; i < nout && code == HP_EXIT_OK; i++) {
        uint64_t frames = 0;
        if ((rc = write_output(outputs[i], &r, target, &frames, &err)) < 0)
            code = cli_fail(cmd, rc, &err);
        else if (cli_ends_with(outputs[i], ".svg"))
            printf("wrote %s (%llu frames)\n", outputs[i], (unsigned long long)frames);
        else
            printf("wrote %s\n", outputs[i]);
    }
    if (json && code == HP_EXIT_OK &&
        (rc = write_json(json, &r, target, (int)freq, wall0, f, nf, &err)) < 0)
        code = cli_fail(cmd, rc, &err);
    /* the command's failure is the run's (as for a CI job), unless we stopped it */
    if (code == HP_EXIT_OK && command && !stop_flag && duration == 0 && WIFEXITED(r.exit_status) &&
        WEXITSTATUS(r.exit_status) != 0) {
        fprintf(stderr, "hotpath profile: %s exited with status %d\n", command[0],
                WEXITSTATUS(r.exit_status));
        code = HP_EXIT_FAIL;
    } else if (code == HP_EXIT_OK && command && !stop_flag && duration == 0 &&
               WIFSIGNALED(r.exit_status)) {
        fprintf(stderr, "hotpath profile: %s was killed by signal %d\n", command[0],
                WTERMSIG(r.exit_status));
        code = HP_EXIT_FAIL;
    }
out:
    hp_free(f);
    hp_prof_result_fini(&r);
    return code;
}

const struct hp_cmd hp_cmd_profile = {
    .name = "profile",
    .summary = "Sample a process's on-CPU stacks: where the CPU time goes, as a flame graph",
    .usage = "profile [options] -p PID | -- COMMAND [ARGS]",
    .description =
        "Samples the on-CPU call stacks of every thread of a process (-p), or of a command it "
        "starts and all the threads and processes that command makes, with perf_event_open: "
        "-F times a second per thread on a CPU, user and kernel callchains. Addresses are named "
        "through the process's mappings and the ELF symbol tables of its executable and shared "
        "libraries (PIE included; a separate debug file under /usr/lib/debug/.build-id is used "
        "when installed), kernel ones through /proc/kallsyms. It prints the functions by the "
        "samples that ended in them (self) and that passed through them (total), and writes a "
        "flame graph (-o FILE.svg), folded stacks (-o FILE.folded, for hotpath flame and "
        "FlameGraph's tools) and a result document (--json).\n\n"
        "Stacks are walked by frame pointers: code built without them (most distributions' "
        "libraries, and -O2 builds unless -fno-omit-frame-pointer) still shows up where it "
        "spends time, but its callers can be missing; the summary says how many samples that "
        "touched. Sampling needs root, CAP_PERFMON or kernel.perf_event_paranoid <= 2 (user "
        "stacks) or <= 1 (kernel stacks too); when it is refused the error says which.\n\n"
        "A command that fails (exits non-zero or is killed) fails the run (exit 1), after the "
        "outputs are written; one stopped by -d or Ctrl-C does not.",
    .opts = profile_opts,
    .examples = "  hotpath profile -p 1234 -d 30s -o flame.svg\n"
                "  hotpath profile -F 999 -o cpu.folded -- ./server --port 8080\n"
                "  hotpath profile --json profile.json -o profile.svg -- make -j2\n",
    .run = run_profile,
};
