// SPDX-License-Identifier: MIT
/* src/cmd_compare.c - `hotpath compare OLD NEW`: benchstat's table for
 * hotpath's documents, hyperfine's exports, Go benchmark text and plain
 * numbers, and --fail-on rules that fail a CI job (exit 99). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/file.h"
#include "core/units.h"
#include "guard/compare.h"
#include "guard/samples.h"
#include "report/junit.h"

enum { O_ALPHA = 1, O_FAIL_ON, O_SUMMARY_MD, O_JUNIT, O_METRIC };

static const struct cli_opt compare_opts[] = {
    {O_ALPHA, "alpha", 0, "A",
     "The significance level: a change counts when its p-value is below A (default 0.05)."},
    {O_FAIL_ON, "fail-on", 0, "RULE",
     "Exit 99 when a change passes RULE: '[METRIC:] STAT OP CHANGE [and significant]', STAT one "
     "of mean, median, min, max, pNN; OP >, >=, <, <=; CHANGE a signed share of the old value. "
     "'p99 > +5%', 'mean > +2% and significant', 'requests_per_s: median < -3%'. Without "
     "METRIC: wall times, latency histograms, or every series when there are neither. "
     "Significant: Mann-Whitney for mean and median, the exceedance test for pNN (more new "
     "values above the old pNN than chance gives), Kolmogorov-Smirnov for min and max. "
     "Repeatable."},
    {O_SUMMARY_MD, "summary-md", 0, "FILE", "Also write the table and the rules as Markdown."},
    {O_JUNIT, "junit", 0, "FILE", "Write the rules' verdicts as JUnit XML, a test case each."},
    {O_METRIC, "metric", 0, "NAME", "Only the series of this metric (repeatable)."},
    {0, NULL, 0, NULL, NULL},
};

/* A value in its unit, short. */
static void fmt_value(double v, const char *unit, char *buf, size_t size)
{
    char t[32];
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
    } else if (strcmp(unit, "s") == 0) {
        snprintf(buf, size, "%s", hp_format_duration((int64_t)llround(v * 1e9), t, sizeof t));
    } else if (strcmp(unit, "ns") == 0 || strcmp(unit, "ns/op") == 0) {
        snprintf(buf, size, "%s", hp_format_duration((int64_t)llround(v), t, sizeof t));
    } else if (strcmp(unit, "bytes") == 0 || strcmp(unit, "B/op") == 0) {
        snprintf(buf, size, "%s", hp_format_size((int64_t)llround(v), t, sizeof t));
    } else if (strcmp(unit, "bytes/s") == 0) {
        snprintf(buf, size, "%s/s", hp_format_size((int64_t)llround(v), t, sizeof t));
    } else if (strcmp(unit, "count") == 0) {
        snprintf(buf, size, "%s", hp_format_count(v, t, sizeof t));
    } else if (strcmp(unit, "1/s") == 0) {
        snprintf(buf, size, "%s/s", hp_format_count(v, t, sizeof t));
    } else if (strcmp(unit, "ratio") == 0) {
        snprintf(buf, size, "%.4g", v);
    } else {
        snprintf(buf, size, "%.5g%s%s", v, *unit ? " " : "", unit);
    }
}

static void fmt_side(const struct hp_cmp_side *s, const char *unit, char *buf, size_t size,
                     bool *need_ci)
{
    char v[40];
    fmt_value(s->median, unit, v, sizeof v);
    if (!s->ci_ok) {
        *need_ci = true;
        snprintf(buf, size, "%s ± ∞ ¹", v);
        return;
    }
    double half = fmax(fabs(s->ci_hi - s->median), fabs(s->median - s->ci_lo));
    double pc = s->median != 0 ? 100 * half / fabs(s->median) : 0.0;
    snprintf(buf, size, pc < 1 ? "%s ± %.1f%%" : "%s ± %.0f%%", v, pc);
}

static void fmt_change(const struct hp_cmp_row *r, char *buf, size_t size, bool *need_n)
{
    if (r->too_few) {
        *need_n = true;
        snprintf(buf, size, "~ ²");
    } else if (!r->significant) {
        snprintf(buf, size, "~");
    } else if (!isfinite(r->change)) {
        snprintf(buf, size, "(old is 0)");
    } else if (r->shift_ok) {
        snprintf(buf, size, "%+.2f%% [%+.1f%%, %+.1f%%]", 100 * r->change, 100 * r->shift_lo,
                 100 * r->shift_hi);
    } else {
        snprintf(buf, size, "%+.2f%%", 100 * r->change);
    }
}

static void fmt_n(const struct hp_cmp_row *r, char *buf, size_t size)
{
    char a[24], b[24];
    hp_format_count(r->old.n, a, sizeof a);
    hp_format_count(r->new.n, b, sizeof b);
    snprintf(buf, size, "%s+%s", a, b);
}

static void fmt_p(double p, char *buf, size_t size)
{
    if (p < 0.001)
        snprintf(buf, size, "<0.001");
    else
        snprintf(buf, size, "%.3f", p);
}

static bool wanted(const struct hp_cmp_row *r, const char *const *metrics, int nmetrics)
{
    if (nmetrics == 0)
        return true;
    for (int i = 0; i < nmetrics; i++)
        if (strcmp(metrics[i], r->metric) == 0)
            return true;
    return false;
}

/* A row the tests speak for: a histogram, or two samples or more a side. */
static bool tested(const struct hp_cmp_row *r)
{
    return r->old.s->hist || (r->old.n >= 2 && r->new.n >= 2);
}

/* Nothing to say: zeros on both sides (error counters, phases that take no
 * time on this connection). */
static bool all_zero(const struct hp_cmp_row *r)
{
    if (r->old.s->hist)
        return hp_hist_max(r->old.s->hist) == 0 && hp_hist_max(r->new.s->hist) == 0;
    return r->old.mean == 0 && r->new.mean == 0 && r->old.median == 0 && r->new.median == 0;
}

static size_t min_n_for(double alpha)
{
    for (size_t n = 1; n < 100; n++)
        if (hp_mw_min_p(n, n) <= alpha)
            return n;
    return 100;
}

#define MAX_FILES 1024
#define MAX_RULES 32

static int run_compare(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    cli_init(&p, cmd, argc, argv);
    const char *v, *old_files[MAX_FILES], *new_files[MAX_FILES], *metrics[32];
    const char *summary = NULL, *junit = NULL;
    int nold = 0, nnew = 0, nmetrics = 0, nrules = 0;
    bool dashes = false;
    double alpha = 0.05;
    struct hp_failon rules[MAX_RULES];
    int id;
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR: return HP_EXIT_USAGE;
        case CLI_HELP: cli_print_help(cmd, stdout); return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (nold + nnew >= MAX_FILES)
                return cli_usage_error(cmd, "at most %d files", MAX_FILES);
            if (p.only_positional && !dashes) {
                dashes = true; /* everything after "--" is new */
                if (nnew > 0 || nold == 0)
                    return cli_usage_error(cmd, "files before '--' are old, after it new");
            }
            if (dashes)
                new_files[nnew++] = v;
            else
                old_files[nold++] = v;
            break;
        case O_ALPHA: {
            char *end;
            alpha = strtod(v, &end);
            if (*end || !(alpha > 0 && alpha < 1))
                return cli_usage_error(cmd, "--alpha %s: a probability between 0 and 1", v);
            break;
        }
        case O_FAIL_ON: {
            struct hp_err err = {0};
            if (nrules == MAX_RULES)
                return cli_usage_error(cmd, "at most %d --fail-on", MAX_RULES);
            if (hp_failon_parse(v, &rules[nrules], &err) < 0)
                return cli_usage_error(cmd, "--fail-on '%s': column %d: %s", v, err.col, err.msg);
            nrules++;
            break;
        }
        case O_SUMMARY_MD: summary = v; break;
        case O_JUNIT: junit = v; break;
        case O_METRIC:
            if (nmetrics == 32)
                return cli_usage_error(cmd, "at most 32 --metric");
            metrics[nmetrics++] = v;
            break;
        }
    }
    if (!dashes) { /* OLD NEW */
        if (nold != 2)
            return cli_usage_error(cmd, "compare OLD NEW, or OLD... -- NEW... (%d given)", nold);
        new_files[nnew++] = old_files[--nold];
    }
    if (nold == 0 || nnew == 0)
        return cli_usage_error(cmd, "files on both sides of '--', please");
    struct hp_sampleset old = {0}, new = {0};
    struct hp_err err = {0};
    int rc = 0;
    for (int i = 0; i < nold && rc == 0; i++)
        rc = hp_samples_read(old_files[i], &old, &err);
    for (int i = 0; i < nnew && rc == 0; i++)
        rc = hp_samples_read(new_files[i], &new, &err);
    struct hp_cmp_row *rows = NULL;
    size_t n = 0, only_old = 0, only_new = 0;
    if (rc == 0)
        rc = hp_compare(&old, &new, alpha, &rows, &n, &only_old, &only_new, &err);
    if (rc < 0) {
        hp_sampleset_free(&old);
        hp_sampleset_free(&new);
        return cli_fail(cmd, rc, &err);
    }
    if (n == 0) {
        hp_free(rows);
        hp_sampleset_free(&old);
        hp_sampleset_free(&new);
        return cli_usage_error(cmd,
                               "nothing to compare: no benchmark and metric is in both (old: "
                               "%s, new: %s)",
                               old.format, new.format);
    }
    /* the table */
    printf("old: %s%s (%s)   new: %s%s (%s)\n\n", old_files[0], nold > 1 ? " ..." : "", old.format,
           new_files[0], nnew > 1 ? " ..." : "", new.format);
    int wname = 4, wmetric = 6;
    for (size_t i = 0; i < n; i++) {
        if (!wanted(&rows[i], metrics, nmetrics))
            continue;
        int a = (int)strlen(rows[i].name), b = (int)strlen(rows[i].metric);
        wname = a > wname ? (a > 48 ? 48 : a) : wname;
        wmetric = b > wmetric ? (b > 32 ? 32 : b) : wmetric;
    }
    printf("%-*s  %-*s  %-20s  %-20s  %-28s  %7s  %7s  %s\n", wname, "name", wmetric, "metric",
           "old", "new", "change (95% CI)", "p", "shape p", "n");
    bool need_ci = false, need_n = false, any_shape_only = false;
    FILE *md = NULL;
    char *md_buf = NULL;
    size_t md_len = 0;
    if (summary)
        md = open_memstream(&md_buf, &md_len);
    if (md) {
        fprintf(md, "## hotpath compare\n\nold: `%s`%s (%s), new: `%s`%s (%s)\n\n", old_files[0],
                nold > 1 ? " ..." : "", old.format, new_files[0], nnew > 1 ? " ..." : "",
                new.format);
        fprintf(md, "| name | metric | old | new | change (95%% CI) | p | shape p | n |\n"
                    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    }
    size_t singles = 0, zeros = 0;
    for (size_t i = 0; i < n; i++) {
        const struct hp_cmp_row *r = &rows[i];
        if (!wanted(r, metrics, nmetrics))
            continue;
        if (all_zero(r)) {
            zeros++;
            continue;
        }
        if (!tested(r)) {
            singles++;
            continue;
        }
        char o[64], nw[64], ch[64], pm[16], pk[24], nn[48];
        fmt_side(&r->old, r->unit, o, sizeof o, &need_ci);
        fmt_side(&r->new, r->unit, nw, sizeof nw, &need_ci);
        fmt_change(r, ch, sizeof ch, &need_n);
        fmt_p(r->mw.p, pm, sizeof pm);
        fmt_p(r->ks.p, pk, sizeof pk);

        if (r->shape && !r->significant) {
            strncat(pk, " ³", sizeof pk - strlen(pk) - 1);
            any_shape_only = true;
        }
        fmt_n(r, nn, sizeof nn);
        printf("%-*.*s  %-*.*s  %-20s  %-20s  %-28s  %7s  %7s  %s\n", wname, wname, r->name,
               wmetric, wmetric, r->metric, o, nw, ch, pm, pk, nn);
        if (md)
            fprintf(md, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r->name, r->metric, o, nw,
                    ch, pm, pk, nn);
    }
    /* benchstat's geomean: per metric with two tested series or more, the
     * geometric mean of the medians on each side and its change */
    for (size_t i = 0; i < n; i++) {
        const struct hp_cmp_row *r = &rows[i];
        if (!wanted(r, metrics, nmetrics) || all_zero(r) || !tested(r))
            continue;
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = !(tested(&rows[j]) && strcmp(rows[j].metric, r->metric) == 0);
        if (!first)
            continue;
        double lo = 0, ln = 0;
        int k = 0;
        bool positive = true;
        for (size_t j = i; j < n; j++) {
            const struct hp_cmp_row *q = &rows[j];
            if (!tested(q) || all_zero(q) || strcmp(q->metric, r->metric) != 0 ||
                !wanted(q, metrics, nmetrics))
                continue;
            positive &= q->old.median > 0 && q->new.median > 0;
            lo += log(q->old.median);
            ln += log(q->new.median);
            k++;
        }
        if (k < 2 || !positive)
            continue;
        char o[48], nw[48];
        double go = exp(lo / k), gn = exp(ln / k);
        fmt_value(go, r->unit, o, sizeof o);
        fmt_value(gn, r->unit, nw, sizeof nw);
        printf("%-*s  %-*.*s  %-20s  %-20s  %+.2f%%\n", wname, "geomean", wmetric, wmetric,
               r->metric, o, nw, 100 * (gn / go - 1));
        if (md)
            fprintf(md, "| geomean | %s | %s | %s | %+.2f%% | | | |\n", r->metric, o, nw,
                    100 * (gn / go - 1));
    }
    /* one value a side (a metric of one document each): no test, the change */
    if (singles > 0) {
        printf("\none value a side (no test):\n%-*s  %-*s  %-20s  %-20s  %s\n", wname, "name",
               wmetric, "metric", "old", "new", "change");
        if (md)
            fprintf(md, "\n| name | metric | old (one value) | new (one value) | change |\n"
                        "| --- | --- | ---: | ---: | ---: |\n");
    }
    for (size_t i = 0; i < n && singles > 0; i++) {
        const struct hp_cmp_row *r = &rows[i];
        if (!wanted(r, metrics, nmetrics) || all_zero(r) || tested(r))
            continue;
        char o[48], nw[48], ch[32];
        fmt_value(r->old.median, r->unit, o, sizeof o);
        fmt_value(r->new.median, r->unit, nw, sizeof nw);
        if (isfinite(r->change))
            snprintf(ch, sizeof ch, "%+.2f%%", 100 * r->change);
        else
            snprintf(ch, sizeof ch, "-");
        printf("%-*.*s  %-*.*s  %-20s  %-20s  %s\n", wname, wname, r->name, wmetric, wmetric,
               r->metric, o, nw, ch);
        if (md)
            fprintf(md, "| %s | %s | %s | %s | %s |\n", r->name, r->metric, o, nw, ch);
    }
    char notes[1024] = "";
    size_t at = 0;
    if (zeros && at < sizeof notes)
        at += (size_t)snprintf(notes + at, sizeof notes - at,
                               "%zu series that are zero on both sides are left out\n", zeros);
    if (need_ci)
        at += (size_t)snprintf(notes + at, sizeof notes - at,
                               "¹ need >= 6 samples for a confidence interval of the median at "
                               "level 0.95\n");
    if (need_n && at < sizeof notes)
        at += (size_t)snprintf(notes + at, sizeof notes - at,
                               "² need >= %zu samples on each side to detect a difference at "
                               "alpha level %g\n",
                               min_n_for(alpha), alpha);
    if (any_shape_only && at < sizeof notes)
        at += (size_t)snprintf(notes + at, sizeof notes - at,
                               "³ the shape changed (Kolmogorov-Smirnov) though the location did "
                               "not (Mann-Whitney): a new mode or tail, the median the same\n");
    if (only_old + only_new > 0 && at < sizeof notes)
        snprintf(notes + at, sizeof notes - at,
                 "%zu series only in the old files and %zu only in the new ones are left out\n",
                 only_old, only_new);
    if (notes[0])
        printf("\n%s", notes);
    if (md && notes[0])
        fprintf(md, "\n%s", notes);
    /* the rules */
    int code = HP_EXIT_OK;
    struct hp_junit_case *cases = hp_calloc((size_t)nrules * n + 1, sizeof *cases);
    char(*msgs)[256] = hp_calloc((size_t)nrules * n + 1, sizeof *msgs);
    char(*names)[256] = hp_calloc((size_t)nrules * n + 1, sizeof *names);
    size_t ncases = 0;
    if (nrules && (!cases || !msgs || !names))
        code = cli_fail(cmd, -ENOMEM, NULL);
    if (nrules && md)
        fprintf(md, "\n| rule | on | old | new | change | verdict |\n"
                    "| --- | --- | ---: | ---: | ---: | --- |\n");
    if (nrules && code == HP_EXIT_OK)
        printf("\n");
    for (int k = 0; k < nrules && code != HP_EXIT_USAGE && cases; k++) {
        bool applied = false;
        for (size_t i = 0; i < n; i++) {
            struct hp_failon_verdict vd;
            hp_failon_eval(&rules[k], &rows[i], &vd);
            if (!vd.applies)
                continue;
            applied = true;
            char o[40], nw[40];
            fmt_value(vd.old_value, rows[i].unit, o, sizeof o);
            fmt_value(vd.new_value, rows[i].unit, nw, sizeof nw);
            snprintf(names[ncases], sizeof names[ncases], "%s on %s %s", rules[k].text,
                     rows[i].name, rows[i].metric);
            snprintf(msgs[ncases], sizeof msgs[ncases], "%s -> %s (%+.2f%%)%s", o, nw,
                     100 * vd.change,
                     rules[k].significant ? (vd.significant ? ", significant" : ", not significant")
                                          : "");
            printf("%s  '%s' on %s %s: %s\n", vd.failed ? "FAIL" : "ok  ", rules[k].text,
                   rows[i].name, rows[i].metric, msgs[ncases]);
            if (md)
                fprintf(md, "| `%s` | %s %s | %s | %s | %+.2f%% | %s |\n", rules[k].text,
                        rows[i].name, rows[i].metric, o, nw, 100 * vd.change,
                        vd.failed ? "**failed**" : "passed");
            cases[ncases] = (struct hp_junit_case){names[ncases], !vd.failed, msgs[ncases]};
            ncases++;
            if (vd.failed)
                code = HP_EXIT_THRESHOLD;
        }
        if (!applied) {
            fprintf(stderr, "hotpath compare: --fail-on '%s' applies to no series (metrics here: ",
                    rules[k].text);
            for (size_t i = 0; i < n && i < 8; i++)
                fprintf(stderr, "%s%s", i ? ", " : "", rows[i].metric);
            fprintf(stderr, ")\n");
            code = HP_EXIT_USAGE;
        }
    }
    struct hp_err werr = {0};
    if (md) {
        fclose(md);
        if (hp_file_write_atomic(summary, md_buf, md_len, &werr) < 0 && code != HP_EXIT_USAGE)
            code = cli_fail(cmd, -EIO, &werr);
        free(md_buf);
    }
    if (junit && cases &&
        hp_junit_write(junit, "hotpath compare", "compare", 0, NULL, cases, ncases, &werr) < 0 &&
        code != HP_EXIT_USAGE)
        code = cli_fail(cmd, -EIO, &werr);
    hp_free(cases);
    hp_free(msgs);
    hp_free(names);
    hp_free(rows);
    hp_sampleset_free(&old);
    hp_sampleset_free(&new);
    return code;
}

const struct hp_cmd hp_cmd_compare = {
    .name = "compare",
    .summary = "Old against new: significant changes per metric, benchstat's way; exit 99 on a "
               "regression",
    .usage = "compare [options] OLD NEW | OLD... -- NEW...",
    .description =
        "Reads the old and the new results and compares every series that both hold: hotpath "
        "result documents (bench: each command's wall, user and system time and peak RSS, run "
        "by run; load and the other kinds: each metric, a value per document, and each "
        "histogram, merged over the documents; sql: each query class, its statements' times "
        "as a histogram; cache: each policy at each size), hyperfine's --export-json, Go benchmark "
        "output "
        "(as benchstat reads it) and plain text files with one number per line. Several files "
        "per side: `compare old/*.json -- new/*.json`.\n\n"
        "Per series, in benchstat's layout: the old and new medians with their 95% confidence "
        "intervals (order statistics; ± ∞ with fewer than 6 samples), the change of the median "
        "with the Hodges-Lehmann confidence interval of the shift, or `~` when Mann-Whitney's "
        "test does not find it significant at --alpha, the p-value, Kolmogorov-Smirnov's "
        "p-value for a change of shape (a new slow mode that leaves the median alone), and the "
        "samples on each side. When the samples are too few for any difference to reach "
        "significance (fewer than 4 and 4 at alpha 0.05), it says so. Histograms are tested on "
        "their counts, every recorded latency a sample.\n\n"
        "--fail-on rules exit 99 when a change passes its bar, with --summary-md and --junit for "
        "CI as `load`'s thresholds have.",
    .opts = compare_opts,
    .examples = "  hotpath compare base.json head.json\n"
                "  hotpath compare old/*.json -- new/*.json --fail-on 'p99 > +5%'\n"
                "  hotpath compare a.json b.json --fail-on 'mean > +2% and significant' --junit "
                "perf.xml\n"
                "  go test -bench . -count 10 > new.txt; hotpath compare old.txt new.txt\n",
    .run = run_compare,
};
