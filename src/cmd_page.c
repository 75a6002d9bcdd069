// SPDX-License-Identifier: MIT
/* src/cmd_page.c - `hotpath page`: page loads in headless Chromium, with the
 * figures people judge a page by (TTFB, FCP, LCP, CLS, TBT, INP), the
 * median and its confidence interval over runs, thresholds and a result
 * document (kind page) with every run and its waterfall. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "cli_gate.h"
#include "cmds.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/result.h"
#include "core/units.h"
#include "hotpath_version.h"
#include "page/browser.h"
#include "page/har.h"
#include "page/page.h"
#include "page/vitals.h"
#include "stat/stats.h"

enum {
    O_RUNS = 1,
    O_WARM,
    O_VIEWPORT,
    O_MOBILE,
    O_CPU,
    O_NETWORK,
    O_LATENCY,
    O_DOWN,
    O_UP,
    O_CLICK,
    O_TIMEOUT,
    O_SETTLE,
    O_BROWSER,
    O_INSECURE,
    O_THRESHOLD,
    O_JUNIT,
    O_SUMMARY_MD,
    O_JSON,
    O_QUIET,
    O_HAR,
};

static const struct cli_opt page_opts[] = {
    {O_RUNS, "runs", 'n', "N", "Load the page N times (default 5)."},
    {O_WARM, "warm", 0, NULL,
     "Repeat views: after the first (cold) run, keep the cache, cookies and connections."},
    {O_VIEWPORT, "viewport", 0, "WxH",
     "The window in CSS pixels (default 1350x940, or 412x823 with --mobile)."},
    {O_MOBILE, "mobile", 0, NULL,
     "Emulate a phone: a 412x823 viewport at 1.75 device pixels a CSS pixel, touch, and the "
     "page's meta viewport honoured."},
    {O_CPU, "cpu-slowdown", 0, "N", "Run the page's main thread N times slower (4: a mid phone)."},
    {O_NETWORK, "network", 0, "PROFILE",
     "Emulate a network: 3g (300 ms round trip, 1.6 Mbit/s down, 768 kbit/s up), 4g (170 ms, 9 "
     "and 9 Mbit/s), cable (28 ms, 5 and 1 Mbit/s), or none."},
    {O_LATENCY, "latency", 0, "DURATION", "Emulated round trip added to every request."},
    {O_DOWN, "down", 0, "RATE", "Emulated download rate: 1.6Mbit, 768kbit, 10Mbit."},
    {O_UP, "up", 0, "RATE", "Emulated upload rate."},
    {O_CLICK, "click", 0, "SELECTOR",
     "After the load, click the element the CSS selector names, and measure the interaction "
     "to next paint (INP)."},
    {O_TIMEOUT, "timeout", 0, "DURATION",
     "A run that has not loaded by then fails (default 30s)."},
    {O_SETTLE, "settle", 0, "DURATION",
     "After the load, wait at most this long for an image that arrived to be painted, when it "
     "would be the largest contentful paint (default 1s)."},
    {O_BROWSER, "browser", 0, "PATH",
     "The Chromium to drive (default $HOTPATH_BROWSER, else chromium on PATH)."},
    {O_INSECURE, "insecure", 'k', NULL, "Accept any certificate (self-signed test servers)."},
    {O_THRESHOLD, "threshold", 0, "'METRIC: AGG OP VALUE'",
     "A pass/fail criterion over the runs, e.g. 'lcp: p(75) < 2500ms', 'cls: max < 0.1', "
     "'ttfb: med < 800ms' (ttfb, fcp, lcp, cls, tbt, inp, dom_content_loaded, load). "
     "Repeatable; a failed one makes the exit status 99."},
    {O_JUNIT, "junit", 0, "FILE", "Write the thresholds as a JUnit XML report."},
    {O_SUMMARY_MD, "summary-md", 0, "FILE", "Write a Markdown summary for a CI job page."},
    {O_JSON, "json", 0, "FILE",
     "Write a result document (kind page): every run's figures and waterfall, and the "
     "summary."},
    {O_HAR, "har", 0, "FILE",
     "Write the runs as HAR 1.2 (one page per run, every request with its headers, sizes "
     "and timings), which browsers' DevTools and HAR viewers open. Secret header values and "
     "query parameters are redacted."},
    {O_QUIET, "quiet", 'q', NULL, "No progress line."},
    {0, NULL, 0, NULL, NULL},
};

struct opts {
    const char *url;
    int64_t runs;
    bool warm, quiet, insecure;
    struct hp_page_opts po;
    const char *browser;
    const char *json, *junit, *summary_md, *har;
    const char *network;
    struct cli_gate gate;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* "1.6Mbit", "768kbit", "10mbps": bits a second. */
static bool parse_bits(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v > 0))
        return false;
    static const struct {
        const char *u;
        double mul;
    } units[] = {{"kbit", 1e3}, {"kbps", 1e3}, {"k", 1e3}, {"mbit", 1e6}, {"mbps", 1e6},
                 {"m", 1e6},    {"gbit", 1e9}, {"gbps", 1e9}, {"g", 1e9}, {"bit", 1}, {"bps", 1}};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strcasecmp(end, units[i].u) == 0) {
            *out = v * units[i].mul;
            return true;
        }
    return false;
}

static bool set_network(struct hp_page_opts *po, const char *name)
{
    static const struct {
        const char *name;
        double rtt_ms, down, up;
    } profiles[] = {{"3g", 300, 1.6e6, 768e3}, {"4g", 170, 9e6, 9e6}, {"cable", 28, 5e6, 1e6}};
    if (strcmp(name, "none") == 0) {
        po->throttle = false;
        return true;
    }
    for (size_t i = 0; i < sizeof profiles / sizeof *profiles; i++)
        if (strcasecmp(name, profiles[i].name) == 0) {
            po->throttle = true;
            po->latency_ms = profiles[i].rtt_ms;
            po->down_bps = profiles[i].down;
            po->up_bps = profiles[i].up;
            return true;
        }
    return false;
}

static int parse(const struct hp_cmd *cmd, int argc, char **argv, struct opts *o)
{
    struct cli_parser p;
    const char *v;
    int id;
    bool viewport = false;
    double latency = -1, down = -1, up = -1;
    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        int64_t n, ns;
        switch (id) {
        case CLI_ERROR:
            return HP_EXIT_USAGE;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            return -1;
        case CLI_POSITIONAL:
            if (o->url)
                return cli_usage_error(cmd, "one URL only (got '%s' after '%s')", v, o->url);
            o->url = v;
            break;
        case O_RUNS:
            if (!cli_int(cmd, "runs", v, 1, 10000, &o->runs))
                return HP_EXIT_USAGE;
            break;
        case O_WARM:
            o->warm = true;
            break;
        case O_VIEWPORT: {
            int w, h;
            char extra;
            if (sscanf(v, "%dx%d%c", &w, &h, &extra) != 2 || w < 100 || h < 100 || w > 10000 ||
                h > 10000)
                return cli_usage_error(cmd, "--viewport: '%s' is not WxH (100 to 10000 each, "
                                            "e.g. 1280x720)",
                                       v);
            o->po.width = w;
            o->po.height = h;
            viewport = true;
            break;
        }
        case O_MOBILE:
            o->po.mobile = true;
            break;
        case O_CPU: {
            char *end;
            double f = strtod(v, &end);
            if (end == v || *end || !(f >= 1 && f <= 100))
                return cli_usage_error(cmd, "--cpu-slowdown: '%s' is not a factor from 1 to 100",
                                       v);
            o->po.cpu_slowdown = f;
            break;
        }
        case O_NETWORK:
            o->network = v;
            if (!set_network(&o->po, v))
                return cli_usage_error(cmd, "--network: unknown profile '%s' (3g, 4g, cable or "
                                            "none)",
                                       v);
            break;
        case O_LATENCY:
            if (!cli_duration(cmd, "latency", v, &ns))
                return HP_EXIT_USAGE;
            latency = (double)ns / 1e6;
            break;
        case O_DOWN:
        case O_UP: {
            double bits;
            if (!parse_bits(v, &bits))
                return cli_usage_error(cmd, "--%s: '%s' is not a rate such as 1.6Mbit or "
                                            "768kbit",
                                       id == O_DOWN ? "down" : "up", v);
            *(id == O_DOWN ? &down : &up) = bits;
            break;
        }
        case O_CLICK:
            o->po.click = v;
            break;
        case O_TIMEOUT:
            if (!cli_duration(cmd, "timeout", v, &ns))
                return HP_EXIT_USAGE;
            if (ns <= 0)
                return cli_usage_error(cmd, "--timeout must be above 0");
            o->po.timeout_ns = ns;
            break;
        case O_SETTLE:
            if (!cli_duration(cmd, "settle", v, &ns))
                return HP_EXIT_USAGE;
            o->po.settle_ns = ns;
            break;
        case O_BROWSER:
            o->browser = v;
            break;
        case O_INSECURE:
            o->insecure = true;
            break;
        case O_THRESHOLD:
            if (!cli_gate_add(cmd, &o->gate, v))
                return HP_EXIT_USAGE;
            break;
        case O_JUNIT:
            o->junit = v;
            break;
        case O_SUMMARY_MD:
            o->summary_md = v;
            break;
        case O_JSON:
            o->json = v;
            break;
        case O_QUIET:
            o->quiet = true;
            break;
        case O_HAR:
            o->har = v;
            break;
        default:
            (void)n;
            break;
        }
    }
    if (!o->url)
        return cli_usage_error(cmd, "which page? (hotpath page URL)");
    if (strncmp(o->url, "http://", 7) != 0 && strncmp(o->url, "https://", 8) != 0 &&
        strncmp(o->url, "file://", 7) != 0)
        return cli_usage_error(cmd, "'%s' is not an http://, https:// or file:// URL", o->url);
    if (!viewport && o->po.mobile) {
        o->po.width = 412;
        o->po.height = 823;
    }
    if (o->po.mobile)
        o->po.scale = 1.75;
    if (latency >= 0 || down > 0 || up > 0) {
        o->po.throttle = true;
        if (latency >= 0)
            o->po.latency_ms = latency;
        if (down > 0)
            o->po.down_bps = down;
        if (up > 0)
            o->po.up_bps = up;
        if (!o->network) {
            if (o->po.down_bps <= 0)
                o->po.down_bps = -1; /* not limited */
            if (o->po.up_bps <= 0)
                o->po.up_bps = -1;
        }
    }
    return 0;
}

/* ---- the summary over runs ---------------------------------------------- */

struct summary {
    double med, lo, hi, min, max, mean;
    bool ci_reached;
    double coverage;
    size_t n;
    double *sorted; /* the samples, ascending (hp_free) */
    int outliers;
};

static void summarise(const struct hp_page_run *runs, size_t n, int m, struct summary *s)
{
    memset(s, 0, sizeof *s);
    s->med = s->lo = s->hi = s->min = s->max = s->mean = NAN;
    s->sorted = hp_malloc((n ? n : 1) * sizeof *s->sorted);
    if (!s->sorted)
        return;
    for (size_t i = 0; i < n; i++)
        if (isfinite(runs[i].m[m]))
            s->sorted[s->n++] = runs[i].m[m];
    if (s->n == 0)
        return;
    qsort(s->sorted, s->n, sizeof *s->sorted, hp_cmp_double);
    struct hp_median_ci ci;
    hp_median_ci_sorted(s->sorted, s->n, 0.95, &ci);
    s->med = hp_quantile_sorted(s->sorted, s->n, 0.5);
    s->lo = ci.lo;
    s->hi = ci.hi;
    s->ci_reached = ci.reached;
    s->coverage = ci.coverage;
    s->min = s->sorted[0];
    s->max = s->sorted[s->n - 1];
    double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += s->sorted[i];
    s->mean = sum / (double)s->n;
    /* outliers of times and scores only, and only where the runs vary (a
     * median absolute deviation of 0 would make any difference one) */
    double mad = NAN;
    if (s->n >= 3 && m <= HP_PM_LOAD) {
        double *v = hp_malloc(s->n * sizeof *v), *scr = hp_malloc(s->n * sizeof *scr);
        if (v && scr) {
            memcpy(v, s->sorted, s->n * sizeof *v);
            mad = hp_mad(v, s->n, scr);
        }
        hp_free(v);
        hp_free(scr);
    }
    if (mad > 0) {
        double *z = hp_malloc(s->n * sizeof *z), *scratch = hp_malloc(2 * s->n * sizeof *scratch);
        if (z && scratch) {
            hp_modified_z(s->sorted, s->n, z, scratch);
            /* hyperfine's rule, and far enough to matter: a run 1 ms off a
             * tight median is not worth a warning */
            double floor = fmax(fabs(s->med) * 0.05, m == HP_PM_CLS ? 0.01 : 10.0);
            for (size_t i = 0; i < s->n; i++)
                if (fabs(z[i]) > HP_OUTLIER_Z && fabs(s->sorted[i] - s->med) > floor)
                    s->outliers++;
        }
        hp_free(z);
        hp_free(scratch);
    }
}

static void fmt_value(int m, double v, char *buf, size_t size)
{
    const char *unit = hp_page_metric_unit((enum hp_page_metric)m);
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else if (strcmp(unit, "ms") == 0)
        hp_format_duration((int64_t)llround(v * 1e6), buf, size);
    else if (strcmp(unit, "score") == 0)
        snprintf(buf, size, "%.3f", v);
    else if (strcmp(unit, "bytes") == 0)
        hp_format_size((int64_t)llround(v), buf, size);
    else
        snprintf(buf, size, "%.0f", v);
}

static const char *const labels[HP_PM_COUNT] = {
    "TTFB", "FCP", "LCP", "CLS", "TBT", "INP", "DOMContentLoaded", "load", "requests",
    "transferred"};

static void print_summary(const struct opts *o, const char *version, const struct hp_page_run *runs,
                          size_t n, struct summary *sum)
{
    printf("page %s: %zu run%s (%s), %s, %dx%d%s%s\n", o->url, n, n == 1 ? "" : "s",
           o->warm ? "warm after the first" : "cold", version, o->po.width, o->po.height,
           o->po.mobile ? " mobile" : "", o->po.cpu_slowdown > 1 ? ", CPU slowed" : "");
    printf("  %-17s %10s  %-23s %10s %10s\n", "", "median", "95% CI", "min", "max");
    for (int m = 0; m < HP_PM_COUNT; m++) {
        struct summary *s = &sum[m];
        if (s->n == 0)
            continue;
        char med[32], lo[32], hi[32], mn[32], mx[32], ci[80];
        fmt_value(m, s->med, med, sizeof med);
        fmt_value(m, s->lo, lo, sizeof lo);
        fmt_value(m, s->hi, hi, sizeof hi);
        fmt_value(m, s->min, mn, sizeof mn);
        fmt_value(m, s->max, mx, sizeof mx);
        if (s->n < 2)
            snprintf(ci, sizeof ci, "-");
        else
            snprintf(ci, sizeof ci, "[%s, %s]%s", lo, hi, s->ci_reached ? "" : "*");
        printf("  %-17s %10s  %-23s %10s %10s\n", labels[m], med, ci, mn, mx);
    }
    /* the LCP element most runs named */
    const char *el = NULL, *url = NULL;
    for (size_t i = 0; i < n && !el; i++)
        if (runs[n - 1 - i].lcp_element) {
            el = runs[n - 1 - i].lcp_element;
            url = runs[n - 1 - i].lcp_url;
        }
    if (el)
        printf("  LCP element: %s%s%s%s\n", el, url ? " (" : "", url ? url : "", url ? ")" : "");
    bool unreached = false;
    for (int m = 0; m < HP_PM_COUNT; m++) {
        if (sum[m].n >= 2 && !sum[m].ci_reached)
            unreached = true;
        if (sum[m].outliers)
            fprintf(stderr, "hotpath page: warning: %s: %d outlier%s among %zu runs (more than "
                            "10 sigma from the median)\n",
                    labels[m], sum[m].outliers, sum[m].outliers == 1 ? "" : "s", sum[m].n);
    }
    if (unreached)
        printf("  * fewer than 6 runs: the range of all runs, which covers the median with less "
               "than 95%% confidence\n");
}

static int add_doc(struct hp_result *doc, const struct opts *o, const char *version,
                   bool flushes, const struct hp_page_run *runs, size_t n, struct summary *sum,
                   const char *error)
{
    int rc = 0;
    rc = rc ? rc : hp_result_config_str(doc, "url", o->url);
    rc = rc ? rc : hp_result_config_int(doc, "runs", o->runs);
    rc = rc ? rc : hp_result_config_bool(doc, "warm", o->warm);
    rc = rc ? rc : hp_result_config_int(doc, "viewport_width", o->po.width);
    rc = rc ? rc : hp_result_config_int(doc, "viewport_height", o->po.height);
    rc = rc ? rc : hp_result_config_bool(doc, "mobile", o->po.mobile);
    rc = rc ? rc : hp_result_config_real(doc, "cpu_slowdown", o->po.cpu_slowdown > 1 ? o->po.cpu_slowdown : 1);
    if (o->po.throttle) {
        rc = rc ? rc : hp_result_config_str(doc, "network", o->network ? o->network : "custom");
        rc = rc ? rc : hp_result_config_real(doc, "latency_ms", o->po.latency_ms);
        rc = rc ? rc : hp_result_config_real(doc, "down_bits_per_s", o->po.down_bps);
        rc = rc ? rc : hp_result_config_real(doc, "up_bits_per_s", o->po.up_bps);
    }
    if (o->po.click)
        rc = rc ? rc : hp_result_config_str(doc, "click", o->po.click);
    rc = rc ? rc : hp_result_config_str(doc, "browser", version);
    rc = rc ? rc : hp_result_config_bool(doc, "connections_flushed", flushes);
    for (int m = 0; m < HP_PM_COUNT && rc == 0; m++) {
        if (sum[m].n == 0)
            continue;
        const char *unit = hp_page_metric_unit((enum hp_page_metric)m);
        bool ms = strcmp(unit, "ms") == 0;
        double scale = ms ? 1e6 : 1; /* times in documents are ns */
        const char *u = ms ? "ns" : strcmp(unit, "score") == 0 ? "score" : unit;
        char key[64];
        const char *name = hp_page_metric_name((enum hp_page_metric)m);
        rc = hp_result_metric(doc, name, sum[m].med * scale, u);
        snprintf(key, sizeof key, "%s_ci_low", name);
        rc = rc ? rc : hp_result_metric(doc, key, sum[m].lo * scale, u);
        snprintf(key, sizeof key, "%s_ci_high", name);
        rc = rc ? rc : hp_result_metric(doc, key, sum[m].hi * scale, u);
        snprintf(key, sizeof key, "%s_min", name);
        rc = rc ? rc : hp_result_metric(doc, key, sum[m].min * scale, u);
        snprintf(key, sizeof key, "%s_max", name);
        rc = rc ? rc : hp_result_metric(doc, key, sum[m].max * scale, u);
    }
    if (rc)
        return rc;
    json_t *page = json_object(), *arr = json_array();
    if (!page || !arr) {
        json_decref(page);
        json_decref(arr);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *r = hp_page_run_json(&runs[i]);
        if (!r) {
            json_decref(page);
            json_decref(arr);
            return -ENOMEM;
        }
        json_object_set_new(r, "run", json_integer((json_int_t)i + 1));
        json_array_append_new(arr, r);
    }
    json_object_set_new(page, "runs", arr);
    if (error)
        json_object_set_new(page, "error", json_string(error));
    json_object_set_new(hp_result_json(doc), "page", page);
    return 0;
}

static int write_summary_md(const char *path, const struct opts *o, struct summary *sum,
                            const struct cli_gate *gate, struct hp_err *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return hp_err_set(err, -ENOMEM, "out of memory");
    fprintf(f, "### hotpath page %s\n\n| metric | median | min | max |\n| --- | ---: | ---: | ---: "
               "|\n",
            o->url);
    for (int m = 0; m < HP_PM_COUNT; m++) {
        if (sum[m].n == 0)
            continue;
        char med[32], mn[32], mx[32];
        fmt_value(m, sum[m].med, med, sizeof med);
        fmt_value(m, sum[m].min, mn, sizeof mn);
        fmt_value(m, sum[m].max, mx, sizeof mx);
        fprintf(f, "| %s | %s | %s | %s |\n", labels[m], med, mn, mx);
    }
    if (gate->n) {
        fprintf(f, "\n");
        cli_gate_markdown(gate, f);
    }
    fclose(f);
    int rc = hp_file_write_atomic(path, text, len, err);
    free(text);
    return rc;
}

static int run_page(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct opts o = {.runs = 5};
    hp_page_opts_defaults(&o.po, NULL);
    cli_gate_init(&o.gate);
    int rc = parse(cmd, argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? HP_EXIT_OK : rc;
    o.po.url = o.url;

    signal(SIGPIPE, SIG_IGN);
    stop_flag = 0;
    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    struct hp_err err = {0};
    struct hp_browser *b = NULL;
    struct hp_page *pg = NULL;
    struct hp_page_run *runs = hp_calloc((size_t)o.runs, sizeof *runs);
    size_t done = 0;
    int code = HP_EXIT_OK;
    char failure[HP_ERR_MSG_MAX] = "";
    bool progress = !o.quiet && isatty(STDERR_FILENO);
    int64_t wall0 = hp_wall_ns(), t0 = hp_now_ns();
    struct hp_browser_opts bo = {.path = o.browser, .insecure = o.insecure, .stop = &stop_flag};
    if (!runs) {
        code = cli_fail(cmd, -ENOMEM, NULL);
        goto out;
    }
    rc = hp_browser_launch(&bo, &b, &err);
    if (rc == 0)
        rc = hp_page_open(b, &o.po, &pg, &err);
    if (rc < 0) {
        code = cli_fail(cmd, rc, &err);
        goto out;
    }
    if (!o.warm && !hp_page_flushes(pg))
        fprintf(stderr, "hotpath page: warning: this browser's connections cannot be closed "
                        "between runs: runs after the first may reuse them (no DNS, connect "
                        "or TLS time)\n");
    for (size_t i = 0; i < (size_t)o.runs; i++) {
        if (progress)
            fprintf(stderr, "\rrun %zu/%lld ", i + 1, (long long)o.runs);
        rc = hp_page_run(pg, !o.warm || i == 0, &runs[i], &err);
        if (rc < 0) {
            snprintf(failure, sizeof failure, "run %zu: %.480s", i + 1, err.msg);
            break;
        }
        done++;
        if (progress) {
            char l[32], t[32];
            fmt_value(HP_PM_LCP, runs[i].m[HP_PM_LCP], l, sizeof l);
            fmt_value(HP_PM_TTFB, runs[i].m[HP_PM_TTFB], t, sizeof t);
            fprintf(stderr, "\rrun %zu/%lld: TTFB %s  LCP %s  CLS %.3f     ", i + 1,
                    (long long)o.runs, t, l, runs[i].m[HP_PM_CLS]);
        }
        if (!o.warm && i == 0 && !hp_page_flushes(pg))
            fprintf(stderr, "%shotpath page: warning: the browser's connections could not be "
                            "closed after run 1: later runs may reuse them\n",
                    progress ? "\n" : "");
    }
    if (progress)
        fprintf(stderr, "\r%60s\r", "");
    hp_page_close(pg);
    pg = NULL;
    char version[128];
    snprintf(version, sizeof version, "%s", hp_browser_version(b));
    hp_browser_close(b);
    b = NULL;
    double secs = (double)(hp_now_ns() - t0) / 1e9;

    if (failure[0]) {
        if (rc == -EINTR)
            fprintf(stderr, "hotpath page: interrupted after %zu run%s: what was measured is "
                            "kept\n",
                    done, done == 1 ? "" : "s");
        else
            fprintf(stderr, "hotpath page: %s%s\n", failure,
                    done ? " (the runs before it are kept)" : "");
        code = HP_EXIT_FAIL;
    }
    struct summary sum[HP_PM_COUNT];
    for (int m = 0; m < HP_PM_COUNT; m++)
        summarise(runs, done, m, &sum[m]);
    if (done > 0)
        print_summary(&o, version, runs, done, sum);

    struct hp_metric_set ms = {0};
    double *ns_samples[HP_METRIC_SAMPLES] = {0};
    for (int m = 0; m < HP_METRIC_SAMPLES; m++) {
        bool is_ms = strcmp(hp_page_metric_unit((enum hp_page_metric)m), "ms") == 0;
        ns_samples[m] = hp_malloc((sum[m].n ? sum[m].n : 1) * sizeof(double));
        if (!ns_samples[m])
            continue;
        for (size_t i = 0; i < sum[m].n; i++)
            ns_samples[m][i] = sum[m].sorted[i] * (is_ms ? 1e6 : 1);
        ms.samples[m] = ns_samples[m];
        ms.n_samples[m] = sum[m].n;
    }
    int failed = o.gate.n ? cli_gate_judge(&o.gate, &ms) : 0;
    if (o.gate.n && done > 0)
        cli_gate_print(&o.gate, stdout);
    if (failed && code == HP_EXIT_OK)
        code = HP_EXIT_THRESHOLD;

    if (o.junit && cli_gate_junit(&o.gate, o.junit, "hotpath page", secs, wall0, &err) < 0)
        code = code ? code : cli_fail(cmd, -EIO, &err);
    if (o.summary_md && write_summary_md(o.summary_md, &o, sum, &o.gate, &err) < 0)
        code = code ? code : cli_fail(cmd, -EIO, &err);
    if (o.har && done > 0) {
        json_t *har = hp_page_har(runs, done, o.url, HP_VERSION, version);
        char *text = har ? json_dumps(har, JSON_INDENT(1)) : NULL;
        json_decref(har);
        rc = text ? hp_file_write_atomic(o.har, text, strlen(text), &err)
                  : hp_err_set(&err, -ENOMEM, "out of memory");
        hp_free(text);
        if (rc < 0) {
            int c = cli_fail(cmd, rc, &err);
            code = code ? code : c;
        }
    }
    if (o.json) {
        struct hp_result *doc = NULL;
        rc = hp_result_new("page", &doc);
        if (rc == 0) {
            hp_result_set_started(doc, wall0);
            hp_result_set_duration(doc, secs);
            rc = add_doc(doc, &o, version, true, runs, done, sum, failure[0] ? failure : NULL);
        }
        if (rc == 0 && o.gate.n)
            rc = cli_gate_to_doc(&o.gate, doc);
        rc = rc ? hp_err_set(&err, rc, "out of memory") : hp_result_write(doc, o.json, &err);
        if (rc < 0) {
            int c = cli_fail(cmd, rc, &err);
            code = code ? code : c;
        }
        hp_result_free(doc);
    }
    for (int m = 0; m < HP_METRIC_SAMPLES; m++)
        hp_free(ns_samples[m]);
    for (int m = 0; m < HP_PM_COUNT; m++)
        hp_free(sum[m].sorted);
out:
    hp_page_close(pg);
    hp_browser_close(b);
    if (runs)
        for (size_t i = 0; i < done; i++)
            hp_page_run_fini(&runs[i]);
    hp_free(runs);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return code;
}

const struct hp_cmd hp_cmd_page = {
    .name = "page",
    .summary = "Page loads in headless Chromium: TTFB, FCP, LCP, CLS, TBT, INP and a waterfall",
    .usage = "page [options] URL",
    .description =
        "Loads URL in headless Chromium (Debian's chromium package), driven through the "
        "DevTools protocol over a pipe, -n times (default 5), and reports what a visitor's "
        "browser measured: time to first byte, first and largest contentful paint (and which "
        "element was largest), cumulative layout shift, total blocking time after the first "
        "paint, DOMContentLoaded and load, requests and bytes, with the median of the runs and "
        "its 95% confidence interval (order statistics: it needs 6 runs), and warnings for "
        "outliers.\n\n"
        "Each run is cold: the cache, cookies and the site's storage are cleared and the "
        "browser's connections closed, as for a first visit; --warm keeps them after the "
        "first run (repeat views). The figures come from the browser's own entries "
        "(Navigation Timing, Paint Timing, and observers for largest-contentful-paint, "
        "layout-shift, longtask and event timing installed before the page's scripts), and "
        "the waterfall from the Network domain, with each request's phases (blocked, DNS, "
        "connect, TLS, send, wait, receive) on the page's clock.\n\n"
        "A run ends at the load event, once the network has been quiet (at most 1 s more) "
        "and an image that would be the largest contentful paint has been painted (at most "
        "--settle). A run that fails (a refused connection, a certificate error, a page that "
        "does not load within --timeout, a crash) stops the measurement: the runs before it "
        "are printed and written, and the exit status is 1. Ctrl-C does the same. "
        "--threshold judges the runs' figures (exit 99 when one fails), as `load` does.\n\n"
        "`hotpath serve` has pages whose figures are known, for trying this out: "
        "/page?lcp=500ms&cls=0.1&longtask=200ms&assets=50ms,100ms.",
    .opts = page_opts,
    .examples = "  hotpath page https://example.com/\n"
                "  hotpath page -n 10 --mobile --network 4g --cpu-slowdown 4 https://example.com/\n"
                "  hotpath page --threshold 'lcp: p(75) < 2500ms' --threshold 'cls: max < 0.1' "
                "URL\n"
                "  hotpath serve & hotpath page 'http://127.0.0.1:8080/page?lcp=500ms&cls=0.1'\n",
    .run = run_page,
};
