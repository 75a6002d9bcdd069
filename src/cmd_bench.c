// SPDX-License-Identifier: MIT
/* src/cmd_bench.c - `hotpath bench`: hyperfine's command benchmark, with
 * hyperfine's flags, plus interleaved runs, rusage per run and a confidence
 * interval for the median. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/cmdline.h"
#include "bench/export.h"
#include "cli.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/result.h"
#include "core/units.h"

enum {
    O_WARMUP = 1,
    O_MIN_RUNS,
    O_MAX_RUNS,
    O_RUNS,
    O_SETUP,
    O_PREPARE,
    O_CLEANUP,
    O_SCAN,
    O_STEP,
    O_LIST,
    O_SHELL,
    O_NO_SHELL,
    O_IGNORE,
    O_STYLE,
    O_UNIT,
    O_EXPORT_JSON,
    O_EXPORT_MD,
    O_EXPORT_CSV,
    O_OUTPUT,
    O_SHOW_OUTPUT,
    O_INPUT,
    O_NAME,
    O_INTERLEAVE,
    O_SEED,
    O_MIN_TIME,
    O_JSON,
};

static const struct cli_opt bench_opts[] = {
    {O_WARMUP, "warmup", 'w', "NUM",
     "Run each command NUM times before measuring it, to fill caches (not measured)."},
    {O_MIN_RUNS, "min-runs", 'm', "NUM", "At least NUM runs of each command (default 10)."},
    {O_MAX_RUNS, "max-runs", 'M', "NUM", "At most NUM runs of each command (default: no limit)."},
    {O_RUNS, "runs", 'r', "NUM",
     "Exactly NUM runs of each command. Without it, as many as fill 3 s after the first run, "
     "and at least --min-runs."},
    {O_SETUP, "setup", 's', "CMD", "Run CMD once before the runs of each command."},
    {O_PREPARE, "prepare", 'p', "CMD",
     "Run CMD before every run (warm-up runs too), not measured: clear a cache, reset a "
     "database. Once for all commands, or once per command in order."},
    {O_CLEANUP, "cleanup", 'c', "CMD", "Run CMD once after the runs of each command."},
    {O_SCAN, "parameter-scan", 'P', "VAR MIN MAX",
     "Benchmark each command once for each value of VAR from MIN to MAX (three arguments), "
     "{VAR} in the command replaced: `-P threads 1 8 'make -j {threads}'`. Whole numbers "
     "unless MIN, MAX or the step have decimals."},
    {O_STEP, "parameter-step-size", 'D', "DELTA",
     "The step of --parameter-scan (default 1; needed for decimals)."},
    {O_LIST, "parameter-list", 'L', "VAR VALUES",
     "Benchmark each command once for each of the comma-separated VALUES of VAR (two "
     "arguments; \\, is a comma in a value). Given again, every combination."},
    {O_SHELL, "shell", 'S', "SHELL",
     "The shell that runs the commands (default sh); its own start-up is measured first (50 "
     "runs) and taken out of every time. 'none': start the commands directly."},
    {O_NO_SHELL, "no-shell", 'N', NULL,
     "Start the commands without a shell (--shell=none): words split as a shell would, nothing "
     "expanded. The right choice for commands that take a few milliseconds."},
    {O_IGNORE, "ignore-failure", 'i', NULL,
     "Keep measuring when a command exits with a status other than 0 (otherwise the run "
     "stops there)."},
    {O_STYLE, "style", 0, "TYPE",
     "basic (no colours, no progress bar), full (both: the default on a terminal), nocolor, "
     "color, none (no output but errors and exports)."},
    {O_UNIT, "time-unit", 'u', "UNIT", "millisecond or second, instead of the best fit."},
    {O_EXPORT_JSON, "export-json", 0, "FILE",
     "Write hyperfine's JSON (results: command, mean, stddev, median, user, system, min, max, "
     "times, exit_codes, parameters) for the scripts that read it."},
    {O_EXPORT_MD, "export-markdown", 0, "FILE", "Write the results as hyperfine's Markdown table."},
    {O_EXPORT_CSV, "export-csv", 0, "FILE", "Write the results as hyperfine's CSV."},
    {O_OUTPUT, "output", 0, "WHERE",
     "Where the commands' output goes: null (default), pipe (read by hotpath and dropped), "
     "inherit (this terminal), or a FILE (rewritten by every run)."},
    {O_SHOW_OUTPUT, "show-output", 0, NULL,
     "The commands' output to this terminal (--output=inherit)."},
    {O_INPUT, "input", 0, "WHAT", "What the commands read: null (default) or a FILE."},
    {O_NAME, "command-name", 'n', "NAME",
     "A name for a command in the output and exports, in the order of the commands (or one, "
     "with {VAR} in it, for all the commands of a parameter scan)."},
    {O_INTERLEAVE, "interleave", 0, "[=alternate|shuffle]",
     "Run the commands in turns, one run each (alternate: always in order; shuffle: each "
     "round in a new random order), so that drift, thermal state and the noise of other work "
     "hit all of them alike. Every command gets the same number of runs."},
    {O_SEED, "seed", 0, "N", "The seed of --interleave=shuffle's order (reproducible rounds)."},
    {O_MIN_TIME, "min-benchmarking-time", 0, "SECONDS",
     "Make runs until each command has taken this long (default 3)."},
    {O_JSON, "json", 0, "FILE",
     "Write a result document (kind bench): every run's wall, user and system time, peak RSS, "
     "context switches, page faults and exit code, and each command's figures."},
    {0, NULL, 0, NULL, NULL},
};

enum style { ST_BASIC, ST_FULL, ST_NOCOLOR, ST_COLOR, ST_NONE };

struct ui {
    enum style style;
    bool bar, color;
    enum hp_time_unit unit;
    int64_t last_draw;
    int64_t t0;
    bool drawn;
    const struct hp_bench *b;
};

#define C(ui, code) ((ui)->color ? "\033[" code "m" : "")

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void bar_clear(struct ui *ui)
{
    if (ui->drawn) {
        fputs("\r\033[K", stderr);
        ui->drawn = false;
    }
}

static void on_progress(void *ud, enum hp_bench_phase ph, int64_t done, int64_t total, int cmd,
                        double mean)
{
    struct ui *ui = ud;
    (void)cmd;
    if (!ui->bar)
        return;
    int64_t now = hp_now_ns();
    if (done == 1)
        ui->t0 = now;
    if (done < total && now - ui->last_draw < 50000000)
        return;
    ui->last_draw = now;
    const char *what = ph == HP_PHASE_SHELL    ? "Measuring the shell's start-up"
                       : ph == HP_PHASE_WARMUP ? "Warm-up runs"
                       : ph == HP_PHASE_FIRST  ? "Initial time measurement"
                                               : "Current estimate:";
    char est[48] = "";
    if (ph == HP_PHASE_MEASURE && isfinite(mean))
        hp_bench_duration(mean, ui->unit, est, sizeof est);
    else if (ph == HP_PHASE_MEASURE)
        snprintf(est, sizeof est, "%s", "(interleaved)");
    int width = 30, fill = total > 0 ? (int)(width * done / total) : 0;
    char bar[3 * 30 + 1];
    size_t at = 0;
    for (int i = 0; i < width; i++)
        at += (size_t)snprintf(bar + at, sizeof bar - at, "%s", i < fill ? "█" : "░");
    double left =
        done > 0 ? (double)(now - ui->t0) / 1e9 * (double)(total - done) / (double)done : 0;
    fprintf(stderr, "\r\033[K%s %s%s%s %s %lld/%lld ETA %02d:%02d:%02d", what, C(ui, "32"), est,
            C(ui, "0"), bar, (long long)done, (long long)total, (int)(left / 3600),
            (int)fmod(left / 60, 60), (int)fmod(left, 60));
    fflush(stderr);
    ui->drawn = true;
}

static void on_start(void *ud, int i, const char *name)
{
    struct ui *ui = ud;
    if (ui->style == ST_NONE)
        return;
    bar_clear(ui);
    printf("%sBenchmark %d%s: %s\n", C(ui, "1"), i + 1, C(ui, "0"), name);
    fflush(stdout);
}

static void warn(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct ui *ui, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "  %sWarning%s: ", C(ui, "33"), C(ui, "0"));
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void on_result(void *ud, const struct hp_bench_result *r)
{
    struct ui *ui = ud;
    const struct hp_bench *b = ui->b;
    bar_clear(ui);
    if (r->failed && !b->o.ignore_failure)
        return; /* the error says it; the runs are in the exports */
    if (ui->style != ST_NONE) {
        if (b->o.interleave != HP_INTERLEAVE_NONE && b->ncmds > 1)
            printf("%sBenchmark %d%s: %s\n", C(ui, "1"), r->index + 1, C(ui, "0"), r->cmd->name);
        enum hp_time_unit u = ui->unit != HP_UNIT_AUTO ? ui->unit
                              : r->mean_s < 1.0        ? HP_UNIT_MS
                                                       : HP_UNIT_S;
        char mean[32], sd[32], mn[32], mx[32], us[32], sy[32], med[32], lo[32], hi[32];
        hp_bench_duration(r->mean_s, u, mean, sizeof mean);
        hp_bench_duration(r->min_s, u, mn, sizeof mn);
        hp_bench_duration(r->max_s, u, mx, sizeof mx);
        hp_bench_duration(r->user_s, u, us, sizeof us);
        hp_bench_duration(r->system_s, u, sy, sizeof sy);
        hp_bench_duration(r->median_s, u, med, sizeof med);
        hp_bench_duration(r->median_ci.lo, u, lo, sizeof lo);
        hp_bench_duration(r->median_ci.hi, u, hi, sizeof hi);
        if (r->nruns == 1) {
            printf("  Time (%sabs%s ≡):        %s%8s%s              [User: %s, System: %s]\n",
                   C(ui, "32;1"), C(ui, "0"), C(ui, "32;1"), mean, C(ui, "0"), us, sy);
        } else {
            hp_bench_duration(r->stddev_s, u, sd, sizeof sd);
            printf("  Time (%smean%s ± %sσ%s):     %s%8s%s ± %s%8s%s    [User: %s, System: %s]\n",
                   C(ui, "32;1"), C(ui, "0"), C(ui, "32"), C(ui, "0"), C(ui, "32;1"), mean,
                   C(ui, "0"), C(ui, "32"), sd, C(ui, "0"), us, sy);
            printf("  Range (%smin%s … %smax%s):   %s%8s%s … %s%8s%s    %lld runs%s\n", C(ui, "36"),
                   C(ui, "0"), C(ui, "35"), C(ui, "0"), C(ui, "36"), mn, C(ui, "0"), C(ui, "35"),
                   mx, C(ui, "0"), (long long)r->nruns, r->complete ? "" : " (stopped early)");
            if (r->median_ci.reached)
                printf("  Median (95%% CI):     %8s   [%s … %s]\n", med, lo, hi);
            else
                printf("  Median:              %8s   [%s … %s covers it with %.0f%% only: "
                       "6 runs reach 95%%]\n",
                       med, lo, hi, 100 * r->median_ci.coverage);
        }
        char rss[32], rmax[32];
        hp_format_size(r->rss_median, rss, sizeof rss);
        hp_format_size(r->rss_max, rmax, sizeof rmax);
        printf("  Peak RSS: %s%s (max %s)   Context switches: %.1f voluntary, %.1f involuntary   "
               "Page faults: %.0f minor, %.0f major\n",
               r->rss_at_floor ? "≤ " : "", rss, rmax, r->vcs_mean, r->ivcs_mean, r->minflt_mean,
               r->majflt_mean);
    }
    /* hyperfine's warnings, in its words where it has them; then ours */
    bool any = r->fast || r->failed || r->outliers || r->codes_vary ||
               (b->calibrated && r->shell_share > 0.2) || r->rss_at_floor;
    if (any)
        fprintf(stderr, " \n");
    if (r->fast)
        warn(ui,
             "Command took less than %.0f ms to complete. Note that the results might be "
             "inaccurate because the shell's start-up time cannot be taken out much more "
             "precisely than this. You can try to use the `-N`/`--shell=none` option to "
             "disable the shell completely.",
             HP_BENCH_MIN_EXEC_S * 1e3);
    else if (b->calibrated && r->shell_share > 0.2) {
        char sh[32];
        hp_bench_duration(b->shell.wall_s, HP_UNIT_MS, sh, sizeof sh);
        warn(ui,
             "the shell's own start-up (%s) was %.0f%% of the time measured; it is taken "
             "out, but its variation is not. Use -N/--shell=none.",
             sh, 100 * r->shell_share);
    }
    if (r->failed)
        warn(ui, "Ignoring non-zero exit code (%lld of %lld runs).", (long long)r->failed,
             (long long)r->nruns);
    if (r->codes_vary) {
        int codes[8], counts[8], n = 0;
        for (int64_t i = 0; i < r->nruns; i++) {
            int c = r->runs[i].signal ? -r->runs[i].signal : r->runs[i].exit_code, k;
            for (k = 0; k < n && codes[k] != c; k++)
                ;
            if (k == n && n < 8)
                codes[n] = c, counts[n++] = 0;
            if (k < n)
                counts[k]++;
        }
        char text[256];
        size_t at = 0;
        for (int k = 0; k < n && at < sizeof text; k++)
            at += (size_t)snprintf(text + at, sizeof text - at, "%s%s %d in %d", k ? ", " : "",
                                   codes[k] < 0 ? "signal" : "exit", abs(codes[k]), counts[k]);
        warn(ui,
             "the exit status varied between runs (%s): the runs may not have done the same "
             "work.",
             text);
    }
    if (r->slow_first) {
        char t[32];
        hp_bench_duration(r->runs[0].wall_s, HP_UNIT_AUTO, t, sizeof t);
        warn(ui,
             "The first benchmarking run for this command was significantly slower than the "
             "rest (%s). This could be caused by (filesystem) caches that were not filled "
             "until after the first run. You should consider using the '--warmup' option "
             "to fill those caches before the actual benchmark. Alternatively, use the "
             "'--prepare' option to clear the caches before each timing run.",
             t);
    } else if (r->outliers) {
        warn(ui,
             "Statistical outliers were detected (%lld of %lld runs more than 10 sigma, "
             "by the median absolute deviation, from the median). Consider re-running this "
             "benchmark on a quiet system without any interferences from other programs. It "
             "might help to use the '--warmup' or '--prepare' options.",
             (long long)r->outliers, (long long)r->nruns);
    }
    if (r->rss_at_floor) {
        char f[32];
        hp_format_size(b->rss_floor, f, sizeof f);
        warn(ui,
             "peak RSS is at most what is shown: the kernel counts a command's peak from the "
             "RSS of the process that started it (%s, %s).",
             hp_spawner_helped(b->sp) ? "hotpath-spawn" : "hotpath", f);
    }
    if (ui->style != ST_NONE) {
        printf(" \n");
        fflush(stdout);
    }
}

static void summary(struct ui *ui, const struct hp_bench *b)
{
    if (ui->style == ST_NONE)
        return;
    int *order = hp_malloc((size_t)b->ncmds * sizeof *order), n = 0;
    if (!order)
        return;
    for (int i = 0; i < b->ncmds; i++)
        if (b->results[i].nruns > 0)
            order[n++] = i;
    if (n < 2) {
        hp_free(order);
        return;
    }
    for (int i = 1; i < n; i++) /* by mean, fastest first */
        for (int j = i; j > 0 && b->results[order[j]].mean_s < b->results[order[j - 1]].mean_s;
             j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    const struct hp_bench_result *f = &b->results[order[0]];
    if (!(f->mean_s > 0)) {
        fprintf(stderr, "Note: the comparison cannot be computed: some mean times are zero.\n");
        hp_free(order);
        return;
    }
    printf("%sSummary%s\n  '%s%s%s' ran\n", C(ui, "1"), C(ui, "0"), C(ui, "36"), f->cmd->name,
           C(ui, "0"));
    for (int i = 1; i < n; i++) {
        const struct hp_bench_result *r = &b->results[order[i]];
        double ratio, sd;
        hp_bench_relative(r, f, &ratio, &sd);
        printf("%s%8.2f%s", C(ui, "32;1"), ratio, C(ui, "0"));
        if (isfinite(sd))
            printf(" ± %s%.2f%s", C(ui, "32"), sd, C(ui, "0"));
        printf(" times faster than '%s%s%s'\n", C(ui, "35"), r->cmd->name, C(ui, "0"));
    }
    fflush(stdout);
    hp_free(order);
}

enum export_kind { EX_JSON, EX_MARKDOWN, EX_CSV };

/* An export, made in memory and written atomically. */
static int export(const struct hp_cmd *cmd, const char *path, enum export_kind kind,
                  const struct hp_bench *b, enum hp_time_unit unit)
{
    char *text = NULL;
    size_t len = 0;
    struct hp_err err = {0};
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return cli_fail(cmd, -ENOMEM, NULL);
    int rc = kind == EX_JSON       ? hp_bench_export_json(b, f)
             : kind == EX_MARKDOWN ? hp_bench_export_markdown(b, unit, f)
                                   : hp_bench_export_csv(b, f);
    if (fclose(f) != 0 && rc == 0)
        rc = -ENOMEM;
    if (rc == 0)
        rc = hp_file_write_atomic(path, text, len, &err);
    else
        hp_err_set(&err, rc, "out of memory");
    free(text);
    return rc < 0 ? cli_fail(cmd, rc, &err) : 0;
}

#define MAX_CMDS 256
#define MAX_LISTS HP_PARAM_MAX

static int run_bench(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    cli_init(&p, cmd, argc, argv);
    const char *v;
    const char *lines[MAX_CMDS], *names[MAX_CMDS], *prepare[MAX_CMDS];
    struct hp_param_list lists[MAX_LISTS];
    struct hp_cmd_spec spec = {.lines = lines, .names = names, .lists = lists};
    struct hp_bench_opts o = {.min_runs = 10, .min_time_s = 3.0, .shell = "sh", .prepare = prepare};
    const char *export_json = NULL, *export_md = NULL, *export_csv = NULL, *json = NULL;
    int64_t runs = 0, x;
    bool min_set = false, max_set = false;
    int style = -1;
    struct ui ui = {.unit = HP_UNIT_AUTO};
    int id;
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (spec.nlines == MAX_CMDS)
                return cli_usage_error(cmd, "at most %d commands", MAX_CMDS);
            lines[spec.nlines++] = v;
            break;
        case O_WARMUP:
            if (!cli_int(cmd, "warmup", v, 0, INT32_MAX, &o.warmup))
                return HP_EXIT_USAGE;
            break;
        case O_MIN_RUNS:
            if (!cli_int(cmd, "min-runs", v, 2, INT32_MAX, &o.min_runs))
                return HP_EXIT_USAGE;
            min_set = true;
            break;
        case O_MAX_RUNS:
            if (!cli_int(cmd, "max-runs", v, 1, INT32_MAX, &o.max_runs))
                return HP_EXIT_USAGE;
            max_set = true;
            break;
        case O_RUNS:
            if (!cli_int(cmd, "runs", v, 1, INT32_MAX, &runs))
                return HP_EXIT_USAGE;
            break;
        case O_SETUP: o.setup = v; break;
        case O_CLEANUP: o.cleanup = v; break;
        case O_PREPARE:
            if (o.nprepare == MAX_CMDS)
                return cli_usage_error(cmd, "at most %d --prepare", MAX_CMDS);
            prepare[o.nprepare++] = v;
            break;
        case O_SCAN:
            if (spec.scan_name)
                return cli_usage_error(cmd, "--parameter-scan is given once");
            if (p.i + 2 > p.argc)
                return cli_usage_error(cmd, "--parameter-scan takes three values: VAR MIN MAX");
            spec.scan_name = v;
            spec.scan_min = p.argv[p.i++];
            spec.scan_max = p.argv[p.i++];
            break;
        case O_STEP: spec.scan_step = v; break;
        case O_LIST:
            if (spec.nlists == MAX_LISTS)
                return cli_usage_error(cmd, "at most %d --parameter-list", MAX_LISTS);
            if (p.i + 1 > p.argc)
                return cli_usage_error(cmd, "--parameter-list takes two values: VAR VALUES");
            lists[spec.nlists].name = v;
            lists[spec.nlists++].values = p.argv[p.i++];
            break;
        case O_SHELL: o.shell = strcmp(v, "none") == 0 ? NULL : v; break;
        case O_NO_SHELL: o.shell = NULL; break;
        case O_IGNORE: o.ignore_failure = true; break;
        case O_STYLE:
            style = strcmp(v, "basic") == 0     ? ST_BASIC
                    : strcmp(v, "full") == 0    ? ST_FULL
                    : strcmp(v, "nocolor") == 0 ? ST_NOCOLOR
                    : strcmp(v, "color") == 0   ? ST_COLOR
                    : strcmp(v, "none") == 0    ? ST_NONE
                                                : -2;
            if (style == -2)
                return cli_usage_error(cmd, "--style %s: basic, full, nocolor, color or none", v);
            break;
        case O_UNIT:
            if (strcmp(v, "millisecond") == 0 || strcmp(v, "ms") == 0)
                ui.unit = HP_UNIT_MS;
            else if (strcmp(v, "second") == 0 || strcmp(v, "s") == 0)
                ui.unit = HP_UNIT_S;
            else
                return cli_usage_error(cmd, "--time-unit %s: millisecond or second", v);
            break;
        case O_EXPORT_JSON: export_json = v; break;
        case O_EXPORT_MD: export_md = v; break;
        case O_EXPORT_CSV: export_csv = v; break;
        case O_OUTPUT:
            o.io.output = strcmp(v, "null") == 0      ? HP_OUT_NULL
                          : strcmp(v, "pipe") == 0    ? HP_OUT_PIPE
                          : strcmp(v, "inherit") == 0 ? HP_OUT_INHERIT
                                                      : HP_OUT_FILE;
            o.io.output_path = o.io.output == HP_OUT_FILE ? v : NULL;
            break;
        case O_SHOW_OUTPUT: o.io.output = HP_OUT_INHERIT; break;
        case O_INPUT:
            if (strcmp(v, "null") == 0) {
                o.io.input = NULL;
            } else {
                if (access(v, R_OK) != 0)
                    return cli_usage_error(cmd, "--input %s: %s", v, strerror(errno));
                o.io.input = v;
            }
            break;
        case O_NAME:
            if (spec.nnames == MAX_CMDS)
                return cli_usage_error(cmd, "at most %d --command-name", MAX_CMDS);
            names[spec.nnames++] = v;
            break;
        case O_INTERLEAVE:
            if (!v || strcmp(v, "alternate") == 0)
                o.interleave = HP_INTERLEAVE_ALTERNATE;
            else if (strcmp(v, "shuffle") == 0)
                o.interleave = HP_INTERLEAVE_SHUFFLE;
            else
                return cli_usage_error(cmd, "--interleave=%s: alternate or shuffle", v);
            break;
        case O_SEED:
            if (!cli_int(cmd, "seed", v, 0, INT64_MAX, &x))
                return HP_EXIT_USAGE;
            o.seed = (uint64_t)x;
            break;
        case O_MIN_TIME: {
            char *end;
            o.min_time_s = strtod(v, &end);
            if (*end || !(o.min_time_s > 0) || o.min_time_s > 86400)
                return cli_usage_error(cmd, "--min-benchmarking-time %s: seconds above 0", v);
            break;
        }
        case O_JSON: json = v; break;
        }
    }
    if (spec.nlines == 0)
        return cli_usage_error(cmd, "which command? e.g. hotpath bench 'sleep 0.1'");
    if (spec.scan_name && spec.nlists)
        return cli_usage_error(cmd, "--parameter-scan and --parameter-list exclude each other");
    if (spec.scan_step && !spec.scan_name)
        return cli_usage_error(cmd, "--parameter-step-size goes with --parameter-scan");
    if (runs > 0) {
        if (min_set || max_set)
            return cli_usage_error(cmd, "--runs and --min-runs/--max-runs exclude each other");
        o.min_runs = o.max_runs = runs;
    } else if (max_set && !min_set && o.max_runs < o.min_runs) {
        o.min_runs = o.max_runs; /* -M 5 alone: at most 5 */
    } else if (max_set && o.max_runs < o.min_runs) {
        return cli_usage_error(cmd, "--min-runs %lld is above --max-runs %lld",
                               (long long)o.min_runs, (long long)o.max_runs);
    }
    struct hp_err err = {0};
    struct hp_bench_cmd *cmds = NULL;
    int ncmds = 0;
    int rc = hp_bench_cmds(&spec, &cmds, &ncmds, &err);
    if (rc < 0)
        return rc == HP_EUSAGE ? cli_usage_error(cmd, "%s", err.msg) : cli_fail(cmd, rc, &err);
    if (ncmds == 0) {
        hp_bench_cmds_free(cmds, ncmds);
        return cli_usage_error(cmd, "the parameters leave no command to run");
    }
    if (o.nprepare > 1 && o.nprepare != ncmds) {
        hp_bench_cmds_free(cmds, ncmds);
        return cli_usage_error(cmd, "%d --prepare for %d commands: give one for all or one each",
                               o.nprepare, ncmds);
    }
    bool tty_out = isatty(STDOUT_FILENO), tty_err = isatty(STDERR_FILENO);
    ui.style = style >= 0 ? (enum style)style : tty_out ? ST_FULL : ST_BASIC;
    ui.color = (ui.style == ST_FULL || ui.style == ST_COLOR) && tty_out;
    ui.bar = (ui.style == ST_FULL || ui.style == ST_NOCOLOR) && tty_err;
    o.stop = &stop_flag;
    struct hp_bench *b = NULL;
    rc = hp_bench_new(&o, cmds, ncmds, &b, &err);
    if (rc < 0) {
        hp_bench_cmds_free(cmds, ncmds);
        return rc == HP_EUSAGE ? cli_usage_error(cmd, "%s", err.msg) : cli_fail(cmd, rc, &err);
    }
    ui.b = b;
    struct hp_result *doc = NULL;
    if (json && hp_result_new("bench", &doc) < 0) {
        hp_bench_free(b);
        hp_bench_cmds_free(cmds, ncmds);
        return cli_fail(cmd, -ENOMEM, NULL);
    }
    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int64_t wall0 = hp_wall_ns(), t0 = hp_now_ns();
    struct hp_bench_hooks hooks = {
        .ud = &ui, .progress = on_progress, .result = on_result, .start = on_start};
    rc = hp_bench_run(b, &hooks, &err);
    double secs = (double)(hp_now_ns() - t0) / 1e9;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    bar_clear(&ui);
    int code = HP_EXIT_OK;
    if (rc < 0) {
        code = rc == HP_EUSAGE ? cli_usage_error(cmd, "%s", err.msg) : cli_fail(cmd, rc, &err);
    } else if (b->interrupted) {
        fprintf(stderr, "hotpath bench: interrupted: what was measured is kept\n");
        code = HP_EXIT_FAIL;
    }
    if (rc == 0)
        summary(&ui, b);
    /* what was measured is written, whatever stopped the runs */
    int wrc = 0;
    if (export_json)
        wrc = wrc ? wrc : export(cmd, export_json, EX_JSON, b, ui.unit);
    if (export_md)
        wrc = wrc ? wrc : export(cmd, export_md, EX_MARKDOWN, b, ui.unit);
    if (export_csv)
        wrc = wrc ? wrc : export(cmd, export_csv, EX_CSV, b, ui.unit);
    if (doc) {
        hp_result_set_started(doc, wall0);
        hp_result_set_duration(doc, secs);
        int e2 = hp_bench_doc(b, doc);
        e2 = e2 ? hp_err_set(&err, e2, "out of memory") : hp_result_write(doc, json, &err);
        if (e2 < 0)
            wrc = cli_fail(cmd, e2, &err);
    }
    if (wrc && code == HP_EXIT_OK)
        code = wrc;
    hp_result_free(doc);
    hp_bench_free(b);
    hp_bench_cmds_free(cmds, ncmds);
    return code;
}

const struct hp_cmd hp_cmd_bench = {
    .name = "bench",
    .summary = "Time commands: hyperfine's flags, interleaved runs, peak RSS, median CI",
    .usage = "bench [options] COMMAND...",
    .description =
        "Times each COMMAND the way hyperfine does, with hyperfine's flags and their meaning: "
        "warm-up runs, then at least 10 runs and at least 3 s (-r, -m, -M change that), each "
        "through `sh -c` with the shell's own start-up measured first and taken out, or "
        "started directly with -N. It prints the mean and standard deviation, the range, user "
        "and system time, and with several commands how many times faster the fastest ran "
        "(\"1.52 ± 0.03 times faster than ...\").\n\n"
        "It adds: the median with a 95% confidence interval that assumes nothing about the "
        "distribution (order statistics: it needs 6 runs); each run's peak RSS, context "
        "switches and page faults from wait4; --interleave, which runs the commands in turns "
        "so that a machine that drifts or heats up weighs on all of them alike; and warnings "
        "for outliers (hyperfine's rule: more than 10 sigma, estimated by the median absolute "
        "deviation, from the median), for a slow first run, for exit codes that vary between "
        "runs, and for a shell start-up that is a large share of what was measured.\n\n"
        "--export-json, --export-markdown and --export-csv write hyperfine's formats; --json "
        "writes a result document (kind bench) with every run and every figure. A command that "
        "exits with a status other than 0 stops the "
        "benchmark (exit 1) unless -i is given. Ctrl-C stops after the current run: what was "
        "measured is printed and written, and the exit status is 1.",
    .opts = bench_opts,
    .examples = "  hotpath bench 'sleep 0.1'\n"
                "  hotpath bench -N --warmup 3 'grep -r TODO src' 'rg TODO src'  # which is "
                "faster\n"
                "  hotpath bench --interleave -N 'gzip -1 -k -f big' 'zstd -1 -f big'\n"
                "  hotpath bench -P threads 1 8 'make -j {threads}' --prepare 'make clean'\n"
                "  hotpath bench -L c gcc,clang '{c} -O2 -c x.c' --export-json r.json --json "
                "bench.json\n",
    .run = run_bench,
};
