// SPDX-License-Identifier: MIT
/* src/cmd_history.c - `hotpath history`: a SQLite store of results over
 * time (add, import, list, show, export) and the change points in it
 * (detect). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/csv.h"
#include "core/file.h"
#include "guard/detect.h"
#include "guard/history.h"

#include <jansson.h>

enum {
    O_DB = 1,
    O_TAG,
    O_COMMIT,
    O_TIME,
    O_METRIC,
    O_WHERE,
    O_FORMAT,
    O_OUTPUT,
    O_WINDOW,
    O_MAX_P,
    O_MIN_MAG,
    O_OTAVA,
    O_BETTER,
    O_FAIL_NEW,
    O_NEW,
    O_JSON,
};

static const struct cli_opt history_opts[] = {
    {O_DB, "db", 0, "FILE",
     "The history database (default hotpath-history.db, or $HOTPATH_HISTORY). Made when "
     "missing; SQLite in WAL mode, so parallel jobs may write at once."},
    {O_TAG, "tag", 0, "KEY=VALUE",
     "add, import: tag the runs (branch=main, host=ci-3). Repeatable."},
    {O_COMMIT, "commit", 0, "SHA", "add: the commit the documents measured."},
    {O_TIME, "time", 0, "TIME",
     "add: when the run was (RFC 3339 or seconds since the epoch), instead of the document's "
     "started_at."},
    {O_METRIC, "metric", 0, "NAME",
     "import: the metric of an index,value file (default value); export: only this metric."},
    {O_WHERE, "where", 0, "KEY=VALUE", "show, detect: only runs with this tag. Repeatable."},
    {O_FORMAT, "format", 0, "csv|json", "export: the format (default csv)."},
    {O_OUTPUT, "output", 'o', "FILE", "export: write to FILE (atomically) instead of stdout."},
    {O_WINDOW, "window", 0, "N",
     "detect: the sliding window of the split step, in points (default 50, as Otava). Shorter "
     "windows find short-lived changes and more noise."},
    {O_MAX_P, "max-pvalue", 0, "P",
     "detect: the largest p-value a change point may have (default 0.001, as Otava)."},
    {O_MIN_MAG, "min-magnitude", 0, "PCT",
     "detect: the smallest change kept, as a share of the level (5% or 0.05; default 0)."},
    {O_OTAVA, "otava-merge", 0, NULL,
     "detect: after removing a weak point, test again the two points that Otava tests (the "
     "one after and the one after that) instead of both neighbours, to reproduce Otava's "
     "output exactly."},
    {O_BETTER, "better", 0, "lower|higher",
     "detect: which way is better (default: higher for rates, units ending in /s; lower for "
     "everything else)."},
    {O_FAIL_NEW, "fail-on-new", 0, NULL,
     "detect: exit 99 when the newest points start a regression: the last change point lies "
     "in the newest --new points and its new level is worse."},
    {O_NEW, "new", 0, "N", "detect: how many of the newest points are new (default 5)."},
    {O_JSON, "json", 0, "FILE",
     "detect: write a result document (kind history: the series, each change point, the "
     "verdict) that 'hotpath report' draws."},
    {0, NULL, 0, NULL, NULL},
};

struct args {
    const char *db, *commit, *time, *metric, *format, *output, *json;
    struct hp_detect_opts det;
    bool fail_new;
    struct hp_tag tags[HP_HISTORY_TAGS_MAX], where[HP_HISTORY_TAGS_MAX];
    int ntags, nwhere;
    const char *pos[1024];
    int npos;
};

static int tag(const struct hp_cmd *cmd, const char *opt, const char *v, struct hp_tag *t, int *n)
{
    const char *eq = strchr(v, '=');
    if (!eq || eq == v)
        return cli_usage_error(cmd, "--%s %s: KEY=VALUE", opt, v);
    if (*n == HP_HISTORY_TAGS_MAX)
        return cli_usage_error(cmd, "at most %d --%s", HP_HISTORY_TAGS_MAX, opt);
    char *key = hp_strdup(v);
    if (!key)
        return cli_fail(cmd, -ENOMEM, NULL);
    key[eq - v] = '\0';
    t[*n].key = key;
    t[*n].value = key + (eq - v) + 1;
    (*n)++;
    return 0;
}

static void args_free(struct args *a)
{
    for (int i = 0; i < a->ntags; i++)
        hp_free((char *)a->tags[i].key);
    for (int i = 0; i < a->nwhere; i++)
        hp_free((char *)a->where[i].key);
}

static int parse(const struct hp_cmd *cmd, struct cli_parser *p, struct args *a)
{
    memset(a, 0, sizeof *a);
    a->db = getenv("HOTPATH_HISTORY");
    if (!a->db || !*a->db)
        a->db = "hotpath-history.db";
    a->format = "csv";
    a->det = (struct hp_detect_opts){.cp = {.window = 50, .max_p = 0.001}, .new_points = 5};
    const char *v;
    int64_t iv;
    int id, rc;
    while ((id = cli_next(p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return -1;
        case CLI_POSITIONAL:
            if (a->npos == 1024)
                return cli_usage_error(cmd, "at most 1024 files at once");
            a->pos[a->npos++] = v;
            break;
        case O_DB: a->db = v; break;
        case O_TAG:
            if ((rc = tag(cmd, "tag", v, a->tags, &a->ntags)) != 0)
                return rc;
            break;
        case O_WHERE:
            if ((rc = tag(cmd, "where", v, a->where, &a->nwhere)) != 0)
                return rc;
            break;
        case O_COMMIT: a->commit = v; break;
        case O_TIME: a->time = v; break;
        case O_METRIC: a->metric = v; break;
        case O_FORMAT:
            if (strcmp(v, "csv") != 0 && strcmp(v, "json") != 0)
                return cli_usage_error(cmd, "--format %s: csv or json", v);
            a->format = v;
            break;
        case O_OUTPUT: a->output = v; break;
        case O_WINDOW:
            if (!cli_int(cmd, "window", v, 2, HP_CP_WINDOW_MAX, &iv))
                return HP_EXIT_USAGE;
            a->det.cp.window = (size_t)iv;
            break;
        case O_MAX_P: {
            char *end;
            double pv = strtod(v, &end);
            if (end == v || *end || !(pv > 0 && pv <= 1))
                return cli_usage_error(cmd, "--max-pvalue %s: a probability above 0, at most 1",
                                       v);
            a->det.cp.max_p = pv;
            break;
        }
        case O_MIN_MAG:
            if (!cli_percent(cmd, "min-magnitude", v, &a->det.cp.min_magnitude))
                return HP_EXIT_USAGE;
            break;
        case O_OTAVA: a->det.cp.otava_merge = true; break;
        case O_BETTER:
            if (strcmp(v, "lower") != 0 && strcmp(v, "higher") != 0)
                return cli_usage_error(cmd, "--better %s: lower or higher", v);
            a->det.better = v[0] == 'l' ? HP_BETTER_LOWER : HP_BETTER_HIGHER;
            break;
        case O_FAIL_NEW: a->fail_new = true; break;
        case O_NEW:
            if (!cli_int(cmd, "new", v, 1, INT32_MAX, &iv))
                return HP_EXIT_USAGE;
            a->det.new_points = (size_t)iv;
            break;
        case O_JSON: a->json = v; break;
        }
    }
    return 0;
}

static bool print_run(void *ud, int64_t id, const char *time, const char *commit, const char *kind,
                      const char *source, const char *tags, int64_t metrics)
{
    (void)ud;
    printf("%6lld  %-24s  %-12.12s  %-8s  %5lld  %-24s  %s\n", (long long)id, time,
           *commit ? commit : "-", kind, (long long)metrics, *tags ? tags : "-", source);
    return true;
}

struct exp {
    FILE *out;
    bool json;
    bool first;
};

static bool export_value(void *ud, int64_t run, const char *time, const char *commit,
                         const char *metric, double value, const char *unit, const char *tags)
{
    struct exp *e = ud;
    if (e->json) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:f, s:s, s:s}", "run", (json_int_t)run, "time",
                              time, "commit", commit, "metric", metric, "value", value, "unit",
                              unit, "tags", tags);
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        fprintf(e->out, "%s\n  %s", e->first ? "" : ",", s ? s : "{}");
        free(s);
        json_decref(o);
    } else {
        fprintf(e->out, "%s,%lld,", time, (long long)run);
        hp_csv_put(e->out, commit);
        fputc(',', e->out);
        hp_csv_put(e->out, metric);
        fprintf(e->out, ",%.17g,", value);
        hp_csv_put(e->out, unit);
        fputc(',', e->out);
        hp_csv_put(e->out, tags);
        fputc('\n', e->out);
    }
    e->first = false;
    return true;
}

/* "29449.8", "1.25 s": a level with its unit. */
static const char *level(char *buf, size_t size, double v, const char *unit)
{
    snprintf(buf, size, "%.6g%s%s", v, *unit ? " " : "", unit);
    return buf;
}

/* `history detect METRIC`: the change points, oldest first, then the
 * verdict on the newest points. */
static int detect(const struct hp_cmd *cmd, const struct args *a, const struct hp_history_point *pts,
                  size_t n)
{
    struct hp_detect d;
    struct hp_err err = {0};
    int rc = hp_detect(pts, n, &a->det, &d, &err);
    if (rc < 0)
        return cli_fail(cmd, rc, &err);
    const char *metric = a->pos[0], *unit = pts[n - 1].unit;
    printf("%s: %zu points, %zu change point%s (window %zu, p <= %g, magnitude > %g%%%s); %s is "
           "better\n",
           metric, n, d.ncp, d.ncp == 1 ? "" : "s", a->det.cp.window, a->det.cp.max_p,
           a->det.cp.min_magnitude * 100, a->det.cp.otava_merge ? ", Otava's merge" : "",
           d.higher_better ? "higher" : "lower");
    if (d.ncp > 0) {
        printf("\n%6s  %-24s  %-12s  %16s  %16s  %8s  %9s  %s\n", "index", "time", "commit",
               "before", "after", "change", "p-value", "verdict");
        for (size_t i = 0; i < d.ncp; i++) {
            const struct hp_cp *c = &d.cps[i];
            const struct hp_history_point *p = &pts[c->index];
            char b1[48], b2[48];
            printf("%6zu  %-24s  %-12.12s  %16s  %16s  %+7.2f%%  %9.3g  %s\n", c->index, p->time,
                   p->commit[0] ? p->commit : "-", level(b1, sizeof b1, c->mean_before, unit),
                   level(b2, sizeof b2, c->mean_after, unit), c->change * 100, c->p,
                   hp_detect_worse(&d, i) ? "regression" : "improvement");
        }
        const struct hp_cp *last = &d.cps[d.ncp - 1];
        char b[48];
        printf("\nnewest level %s over the last %zu point%s (since index %zu), %+.2f%% on the "
               "level before\n",
               level(b, sizeof b, last->mean_after, unit), n - last->index,
               n - last->index == 1 ? "" : "s", last->index, last->change * 100);
    } else {
        printf("no change of level: the series' mean is the same throughout at p <= %g\n",
               a->det.cp.max_p);
    }
    int code = HP_EXIT_OK;
    if (a->json) {
        struct hp_result *doc = NULL;
        rc = hp_detect_doc(&d, &a->det, a->db, metric, a->where, a->nwhere, &doc);
        if (rc < 0)
            code = cli_fail(cmd, rc, NULL);
        else if ((rc = hp_result_write(doc, a->json, &err)) < 0)
            code = cli_fail(cmd, rc, &err);
        hp_result_free(doc);
    }
    if (code == HP_EXIT_OK && a->fail_new && d.new_regression) {
        const struct hp_cp *last = &d.cps[d.ncp - 1];
        const struct hp_history_point *p = &pts[last->index];
        char b1[48], b2[48];
        fprintf(stderr,
                "hotpath history: %s: the newest %zu point%s start a regression at index %zu "
                "(%s%s%s): %s -> %s, %+.2f%%, p = %.3g\n",
                metric, n - last->index, n - last->index == 1 ? "" : "s", last->index, p->time,
                p->commit[0] ? ", commit " : "", p->commit,
                level(b1, sizeof b1, last->mean_before, unit),
                level(b2, sizeof b2, last->mean_after, unit), last->change * 100, last->p);
        code = HP_EXIT_THRESHOLD;
    }
    hp_detect_fini(&d);
    return code;
}

static int run_history(const struct hp_cmd *cmd, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        cli_print_help(cmd, stdout);
        return HP_EXIT_OK;
    }
    if (argc < 2)
        return cli_usage_error(cmd,
                               "a subcommand is needed: add, import, list, show, export or detect");
    const char *sub = argv[1];
    if (strcmp(sub, "add") && strcmp(sub, "import") && strcmp(sub, "list") && strcmp(sub, "show") &&
        strcmp(sub, "export") && strcmp(sub, "detect"))
        return cli_usage_error(cmd,
                               "unknown subcommand '%s' (expected add, import, list, show, export "
                               "or detect)",
                               sub);
    struct cli_parser p;
    cli_init(&p, cmd, argc - 1, argv + 1);
    struct args a;
    int rc = parse(cmd, &p, &a);
    if (rc != 0) {
        args_free(&a);
        return rc < 0 ? HP_EXIT_OK : rc;
    }
    double when = -1;
    struct hp_err err = {0};
    int code = HP_EXIT_OK;
    if (a.time && hp_history_parse_time(a.time, &when, &err) < 0) {
        code = cli_usage_error(cmd, "--time %s", err.msg);
        goto out;
    }
    if ((!strcmp(sub, "add") || !strcmp(sub, "import")) && a.npos == 0) {
        code = cli_usage_error(cmd, "history %s: which file?", sub);
        goto out;
    }
    if ((!strcmp(sub, "show") || !strcmp(sub, "detect")) && a.npos != 1) {
        code = cli_usage_error(cmd, "history %s METRIC", sub);
        goto out;
    }
    if ((!strcmp(sub, "list") || !strcmp(sub, "export")) && a.npos > 0) {
        code = cli_usage_error(cmd, "history %s takes no file ('%s')", sub, a.pos[0]);
        goto out;
    }
    struct hp_history *h;
    if ((rc = hp_history_open(a.db, &h, &err)) < 0) {
        code = cli_fail(cmd, rc, &err);
        goto out;
    }
    if (!strcmp(sub, "add")) {
        for (int i = 0; i < a.npos && code == HP_EXIT_OK; i++) {
            int64_t id;
            rc = hp_history_add_doc(h, a.pos[i], a.commit, when, a.tags, a.ntags, &id, &err);
            if (rc < 0)
                code = cli_fail(cmd, rc, &err);
            else
                printf("run %lld: %s\n", (long long)id, a.pos[i]);
        }
    } else if (!strcmp(sub, "import")) {
        for (int i = 0; i < a.npos && code == HP_EXIT_OK; i++) {
            int64_t rows;
            rc = hp_history_import_csv(h, a.pos[i], a.metric, a.tags, a.ntags, &rows, &err);
            if (rc < 0)
                code = cli_fail(cmd, rc, &err);
            else
                printf("%s: %lld values\n", a.pos[i], (long long)rows);
        }
    } else if (!strcmp(sub, "list")) {
        printf("%6s  %-24s  %-12s  %-8s  %5s  %-24s  %s\n", "run", "time", "commit", "kind",
               "values", "tags", "source");
        if ((rc = hp_history_runs(h, print_run, NULL, &err)) < 0)
            code = cli_fail(cmd, rc, &err);
    } else if (!strcmp(sub, "show") || !strcmp(sub, "detect")) {
        struct hp_history_point *pts;
        size_t n;
        rc = hp_history_series(h, a.pos[0], a.where, a.nwhere, &pts, &n, &err);
        if (rc < 0) {
            code = cli_fail(cmd, rc, &err);
        } else if (n == 0) {
            code = cli_usage_error(cmd, "no values of '%s'%s (see 'hotpath history list')",
                                   a.pos[0], a.nwhere ? " in the runs with those tags" : "");
        } else if (!strcmp(sub, "detect")) {
            code = detect(cmd, &a, pts, n);
        } else {
            printf("%6s  %-24s  %-12s  %s\n", "run", "time", "commit", a.pos[0]);
            for (size_t i = 0; i < n; i++)
                printf("%6lld  %-24s  %-12.12s  %.10g\n", (long long)pts[i].run, pts[i].time,
                       pts[i].commit[0] ? pts[i].commit : "-", pts[i].value);
        }
        hp_free(pts);
    } else { /* export */
        char *buf = NULL;
        size_t len = 0;
        FILE *out = a.output ? open_memstream(&buf, &len) : stdout;
        struct exp e = {out, !strcmp(a.format, "json"), true};
        if (!out) {
            code = cli_fail(cmd, -ENOMEM, NULL);
        } else {
            if (e.json)
                fprintf(out, "[");
            else
                fprintf(out, "time,run,commit,metric,value,unit,tags\n");
            rc = hp_history_values(h, a.metric, export_value, &e, &err);
            if (e.json)
                fprintf(out, "\n]\n");
            if (rc < 0)
                code = cli_fail(cmd, rc, &err);
            if (a.output) {
                fclose(out);
                if (code == HP_EXIT_OK && hp_file_write_atomic(a.output, buf, len, &err) < 0)
                    code = cli_fail(cmd, -EIO, &err);
                free(buf);
            }
        }
    }
    hp_history_close(h);
out:
    args_free(&a);
    return code;
}

const struct hp_cmd hp_cmd_history = {
    .name = "history",
    .summary = "A store of results over time (SQLite), and the change points in it",
    .usage = "history add|import|list|show|export|detect [options] [FILE...|METRIC]",
    .description =
        "Keeps result documents' metrics over time in one SQLite database, so that a series "
        "can be read back, drawn and searched for the change that made it slower.\n\n"
        "`history add DOC...` stores each document as a run: its started_at (or --time), its "
        "kind, the --commit it measured, its --tags and every numeric metric. `history import "
        "FILE.csv` adds a plain series: a header `time,metric,value` (RFC 3339 times or seconds "
        "since the epoch) or `index,value` (the index is the time; --metric names it). `history "
        "list` shows the runs; `history show METRIC` the series, oldest first (--where "
        "tag=value to pick runs); `history export` every value as CSV or JSON.\n\n"
        "`history detect METRIC` finds where the series changed level, as Apache Otava does: "
        "E-divisive means in sliding windows (--window) finds candidate points, Student's t "
        "between the segments on either side keeps those with p <= --max-pvalue and a change "
        "above --min-magnitude. Deterministic (no permutations): the same history always gives "
        "the same points. Each point is printed with its index, time, commit, the means before "
        "and after, the change and its p-value; --json writes them as a result document that "
        "'hotpath report' draws. With --fail-on-new, exit 99 when the newest --new points start "
        "a regression, so a CI job that adds each run and then detects fails on the run that "
        "made the change visible.\n\n"
        "The database is SQLite in WAL mode with a busy timeout, so CI jobs running in "
        "parallel may add at once; each document or imported file is one transaction, so a "
        "writer killed mid-way leaves nothing of it. The schema carries its version and is "
        "migrated forward when opened.",
    .opts = history_opts,
    .examples =
        "  hotpath history add --commit $(git rev-parse HEAD) --tag branch=main bench.json\n"
        "  hotpath history import --metric p99_ms old-dashboard.csv\n"
        "  hotpath history show median_s --where branch=main\n"
        "  hotpath history export --format json -o history.json\n"
        "  hotpath history detect median_s --where branch=main --fail-on-new --json cp.json\n",
    .run = run_history,
};
