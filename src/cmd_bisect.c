// SPDX-License-Identifier: MIT
/* src/cmd_bisect.c - `hotpath bisect`: the first commit whose change makes
 * a measurement significantly worse, found by measuring (guard/bisect.h). */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmds.h"
#include "core/clock.h"
#include "core/units.h"
#include "guard/bisect.h"

enum {
    O_GOOD = 1,
    O_BAD,
    O_BUILD,
    O_RUN,
    O_METRIC,
    O_THRESHOLD,
    O_ALPHA,
    O_RUNS,
    O_MAX_RUNS,
    O_WARMUP,
    O_BETTER,
    O_REPO,
    O_WORKDIR,
    O_KEEP,
    O_PROFILE,
    O_JSON,
    O_CPU,
};

static const struct cli_opt bisect_opts[] = {
    {O_GOOD, "good", 0, "REV", "A commit that is fast (any revision git knows: a SHA, a tag)."},
    {O_BAD, "bad", 0, "REV", "A later commit that is slow (default HEAD)."},
    {O_BUILD, "build", 0, "CMD",
     "How to build a checkout: a shell command run in its worktree (make, cc -O2 -o prog "
     "prog.c). A commit whose build fails is skipped."},
    {O_RUN, "run", 0, "CMD",
     "What to measure: a shell command run in the worktree, many times. Its wall time, or see "
     "--metric."},
    {O_METRIC, "metric", 0, "NAME",
     "What of each run is compared: wall_s (default: the run command's wall time, the shell's "
     "start-up taken out), stdout (the last number it prints), or the metric NAME of the result "
     "document it writes to the file $HOTPATH_RESULT names (hotpath bench --json "
     "\"$HOTPATH_RESULT\" ..., hotpath load --json \"$HOTPATH_RESULT\" ...)."},
    {O_THRESHOLD, "threshold", 0, "PCT",
     "The smallest change that counts as a regression (default 5%)."},
    {O_ALPHA, "alpha", 0, "P", "The significance level of each step's test (default 0.05)."},
    {O_RUNS, "runs", 'r', "N", "Runs of each side per step, to begin with (default 10)."},
    {O_MAX_RUNS, "max-runs", 0, "N",
     "A step whose verdict is not clear is measured again with twice the runs, up to N a side "
     "(default 40); then the estimate decides, marked low confidence."},
    {O_WARMUP, "warmup", 'w', "N", "Runs of each side before a step's measuring (default 1)."},
    {O_BETTER, "better", 0, "lower|higher",
     "Which way is better (default lower: times; higher for throughput metrics)."},
    {O_CPU, "cpu", 0, "N",
     "Run the measured commands on CPU N only (as taskset -c N), so that runs do not wander "
     "between CPUs of different speed or load; builds still use every CPU."},
    {O_REPO, "repo", 'C', "DIR", "The git checkout (default the current folder)."},
    {O_WORKDIR, "workdir", 0, "DIR",
     "Where the two worktrees and the logs go (default a new temporary folder, removed at the "
     "end)."},
    {O_KEEP, "keep", 0, NULL, "Keep the worktrees and the logs."},
    {O_PROFILE, "profile", 0, "FILE.svg",
     "When a commit is named: profile the run command at the last good and the first bad "
     "commit and write their differential flame graph (hotpath flame --diff) to FILE.svg."},
    {O_JSON, "json", 0, "FILE",
     "Write a result document (kind bisect): every commit of the range, every step with its "
     "figures and verdict, the commit named."},
    {0, NULL, 0, NULL, NULL},
};

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void on_note(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "hotpath bisect: %s\n", msg);
}

static void on_step(void *ud, const struct hp_bisect *b, const struct hp_bisect_step *s)
{
    (void)ud;
    const struct hp_bisect_commit *cm = &b->commits[s->commit];
    printf("step %2zu  commit %3zu/%zu  %.12s  %-32.32s  ", (size_t)(s - b->steps) + 1,
           s->commit + 1, b->ncommits, cm->sha, cm->subject);
    if (s->verdict == HP_BV_SKIP)
        printf("skip: %s\n", s->why);
    else if (s->verdict == HP_BV_UNTESTED)
        printf("interrupted\n");
    else
        printf("%+6.1f%% [%+.1f%%, %+.1f%%]  p = %-8.2g  %s%s  (%d runs each)\n",
               100 * s->change, 100 * s->shift_lo, 100 * s->shift_hi, s->p,
               hp_bisect_verdict_name(s->verdict), s->low_confidence ? ", low confidence" : "",
               s->runs);
    fflush(stdout);
}

static int run_bisect(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct hp_bisect_opts o = {.bad = "HEAD",
                               .threshold = 0.05,
                               .alpha = 0.05,
                               .runs = 10,
                               .max_runs = 40,
                               .warmup = 1,
                               .cpu = -1,
                               .stop = &stop_flag};
    const char *json = NULL;
    struct cli_parser p;
    cli_init(&p, cmd, argc, argv);
    const char *v;
    int id;
    int64_t n;
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return HP_EXIT_OK;
        case CLI_POSITIONAL:
            return cli_usage_error(cmd, "'%s': bisect takes no operands (--good, --bad, --build, "
                                        "--run)",
                                   v);
        case O_GOOD: o.good = v; break;
        case O_BAD: o.bad = v; break;
        case O_BUILD: o.build = v; break;
        case O_RUN: o.run = v; break;
        case O_METRIC: o.metric = v; break;
        case O_THRESHOLD:
            if (!cli_percent(cmd, "threshold", v, &o.threshold))
                return HP_EXIT_USAGE;
            if (!(o.threshold > 0))
                return cli_usage_error(cmd, "--threshold %s: above 0", v);
            break;
        case O_ALPHA: {
            char *end;
            o.alpha = strtod(v, &end);
            if (end == v || *end || !(o.alpha > 0 && o.alpha < 1))
                return cli_usage_error(cmd, "--alpha %s: a probability between 0 and 1", v);
            break;
        }
        case O_RUNS:
            if (!cli_int(cmd, "runs", v, 3, 100000, &n))
                return HP_EXIT_USAGE;
            o.runs = (int)n;
            break;
        case O_MAX_RUNS:
            if (!cli_int(cmd, "max-runs", v, 3, 100000, &n))
                return HP_EXIT_USAGE;
            o.max_runs = (int)n;
            break;
        case O_WARMUP:
            if (!cli_int(cmd, "warmup", v, 0, 100000, &n))
                return HP_EXIT_USAGE;
            o.warmup = (int)n;
            break;
        case O_BETTER:
            if (strcmp(v, "lower") != 0 && strcmp(v, "higher") != 0)
                return cli_usage_error(cmd, "--better %s: lower or higher", v);
            o.higher_better = v[0] == 'h';
            break;
        case O_CPU:
            if (!cli_int(cmd, "cpu", v, 0, CPU_SETSIZE - 1, &n))
                return HP_EXIT_USAGE;
            o.cpu = (int)n;
            break;
        case O_REPO: o.repo = v; break;
        case O_WORKDIR: o.workdir = v; break;
        case O_KEEP: o.keep = true; break;
        case O_PROFILE:
            if (!cli_ends_with(v, ".svg"))
                return cli_usage_error(cmd, "--profile %s: FILE.svg", v);
            o.profile = true;
            o.profile_out = v;
            break;
        case O_JSON: json = v; break;
        }
    }
    if (!o.good || !o.build || !o.run)
        return cli_usage_error(cmd, "--good, --build and --run are needed (see hotpath bisect "
                                    "--help)");
    if (o.max_runs < o.runs)
        o.max_runs = o.runs;
    if (o.higher_better && (!o.metric || strcmp(o.metric, "wall_s") == 0))
        return cli_usage_error(cmd, "--better higher: wall time is better lower; name a --metric");
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return cli_fail(cmd, -errno, NULL);
    self[len] = '\0';
    o.hotpath = self;

    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int64_t wall0 = hp_wall_ns(), t0 = hp_now_ns();
    struct hp_bisect b;
    struct hp_err err = {0};
    struct hp_bisect_hooks hooks = {.note = on_note, .step = on_step};
    int rc = hp_bisect_run(&o, &hooks, &b, &err);
    double secs = (double)(hp_now_ns() - t0) / 1e9;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    int code = HP_EXIT_OK;
    if (rc < 0) {
        code = rc == HP_EUSAGE ? cli_usage_error(cmd, "%s", err.msg) : cli_fail(cmd, rc, &err);
    } else if (b.interrupted) {
        fprintf(stderr, "hotpath bisect: interrupted after %zu steps: what was measured is "
                        "kept\n",
                b.nsteps);
        code = HP_EXIT_FAIL;
    } else if (!b.regressed) {
        printf("\nno regression: the bad commit %.12s is not %g%% worse than the good one "
               "%.12s (step 1), so no commit is named\n",
               b.ncommits ? b.commits[b.ncommits - 1].sha : "?", 100 * o.threshold, b.good_sha);
    } else {
        const struct hp_bisect_commit *cm = &b.commits[b.first_bad];
        const struct hp_bisect_step *s = NULL;
        for (size_t i = 0; i < b.nsteps; i++)
            if ((long)b.steps[i].commit == b.first_bad)
                s = &b.steps[i];
        printf("\nfirst bad commit: %s %s\n", cm->sha, cm->subject);
        if (s)
            printf("  %+.1f%% on the good commit (shift %+.1f%% [%+.1f%%, %+.1f%%], p = %.2g), "
                   "found in %zu steps over %zu commits\n",
                   100 * s->change, 100 * s->shift, 100 * s->shift_lo, 100 * s->shift_hi, s->p,
                   b.nsteps, b.ncommits);
        if (b.unbuildable_range)
            printf("  or one of the commits before it that do not build (skipped)\n");
        if (b.last_good >= 0)
            printf("  last good commit: %s %s\n", b.commits[b.last_good].sha,
                   b.commits[b.last_good].subject);
        if (b.profile_svg[0])
            printf("  differential flame graph, last good to first bad: %s\n", b.profile_svg);
    }
    if (o.keep && b.workdir[0])
        fprintf(stderr, "hotpath bisect: worktrees and logs kept in %s\n", b.workdir);
    /* what was measured is written, whatever ended the search */
    if (json && b.ncommits > 0) {
        struct hp_result *doc = NULL;
        int e2 = hp_bisect_doc(&b, &o, &doc);
        if (e2 == 0) {
            hp_result_set_started(doc, wall0);
            hp_result_set_duration(doc, secs);
            e2 = hp_result_write(doc, json, &err);
        } else {
            e2 = hp_err_set(&err, e2, "out of memory");
        }
        if (e2 < 0 && code == HP_EXIT_OK)
            code = cli_fail(cmd, e2, &err);
        hp_result_free(doc);
    }
    hp_bisect_fini(&b);
    return code;
}

const struct hp_cmd hp_cmd_bisect = {
    .name = "bisect",
    .summary = "Name the commit that made it slower, by measuring each step against the good one",
    .usage = "bisect --good REV [--bad REV] --build CMD --run CMD [options]",
    .description =
        "A binary search over the commits from --good to --bad (first parents), in which each "
        "step is a measurement, not a guess. The good commit and each step's commit are checked "
        "out into two git worktrees of their own (your checkout is never touched) and built "
        "there with --build; then the run command runs in both, in alternating rounds after a "
        "warm-up, so that drift and a busy machine hit both alike.\n\n"
        "Each step is judged as 'hotpath compare' judges: Mann-Whitney's p-value and the "
        "Hodges-Lehmann shift with its 95% interval, as a share of the good commit's median. "
        "A step is bad when the change is significant (p < --alpha) and at least --threshold "
        "the worse way; good when the interval's worse end is below the threshold; otherwise "
        "it is measured again with twice the runs, up to --max-runs, and then the estimate "
        "decides (marked low confidence). A commit that does not build, or whose run command "
        "fails, is skipped as git bisect skip does.\n\n"
        "The bad commit is measured first: when it is not a regression of at least the "
        "threshold, no commit is named. Otherwise the search narrows until it names the first "
        "bad commit, with its change, interval and p-value; --profile adds a differential "
        "flame graph between the last good and the first bad commit; --json writes every step "
        "as a result document (kind bisect) that 'hotpath report' draws. Exit 0 when the "
        "search ran to its end (whether or not it named a commit), 1 when it could not, 2 for "
        "a wrong command line.",
    .opts = bisect_opts,
    .examples =
        "  hotpath bisect --good v1.4 --build 'make -j2' --run './bin/server-bench'\n"
        "  hotpath bisect --good v1.4 --bad main --build 'make' --metric median_s \\\n"
        "      --run 'hotpath bench -N --json \"$HOTPATH_RESULT\" \"./prog data.txt\"'\n"
        "  hotpath bisect --good abc123 --build 'cc -O2 -o prog prog.c' --run ./prog \\\n"
        "      --threshold 10% --profile diff.svg --json bisect.json\n",
    .run = run_bisect,
};
