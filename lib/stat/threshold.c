// SPDX-License-Identifier: MIT
/* stat/threshold.c - parsing and judging thresholds (see threshold.h).
 * A small hand-written scanner: the grammar is one line, and every error
 * must say at which column it went wrong and what would have been right. */
#include "stat/threshold.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/names.h"
#include "core/units.h"
#include "stat/stats.h"

enum unit { U_NS, U_FRACTION, U_COUNT, U_BYTES, U_SCORE };

/* The known metrics: t->metric indexes these. */
enum {
    M_DURATION, M_DURATION_UNCORRECTED, M_LAG, M_FAILED, M_CHECKS, M_REQS, M_RECEIVED, M_SENT,
    M_PHASE, /* HP_METRIC_PHASES of them */
    M_SAMPLE = M_PHASE + HP_METRIC_PHASES, /* HP_METRIC_SAMPLES: a page's figures */
    N_METRICS = M_SAMPLE + HP_METRIC_SAMPLES
};

static const char *const metric_names[N_METRICS] = {
    "http_req_duration", "http_req_duration_uncorrected", "scheduler_lag", "http_req_failed",
    "checks", "http_reqs", "data_received", "data_sent",
    "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking", "http_req_sending",
    "http_req_waiting", "http_req_receiving",
    "ttfb", "fcp", "lcp", "cls", "tbt", "inp", "dom_content_loaded", "load",
};

/* Other names of the page's figures: k6 browser's and web-vitals'. */
static const struct {
    const char *alias;
    int metric;
} aliases[] = {
    {"browser_web_vital_ttfb", M_SAMPLE + 0}, {"browser_web_vital_fcp", M_SAMPLE + 1},
    {"browser_web_vital_lcp", M_SAMPLE + 2},  {"browser_web_vital_cls", M_SAMPLE + 3},
    {"browser_web_vital_inp", M_SAMPLE + 5},  {"TTFB", M_SAMPLE + 0},
    {"FCP", M_SAMPLE + 1},                    {"LCP", M_SAMPLE + 2},
    {"CLS", M_SAMPLE + 3},                    {"TBT", M_SAMPLE + 4},
    {"INP", M_SAMPLE + 5},
};

static const struct {
    enum hp_metric_kind kind;
    enum unit unit;
} metrics[N_METRICS] = {
    [M_DURATION] = {HP_METRIC_TREND, U_NS},
    [M_DURATION_UNCORRECTED] = {HP_METRIC_TREND, U_NS},
    [M_LAG] = {HP_METRIC_TREND, U_NS},
    [M_FAILED] = {HP_METRIC_RATE, U_FRACTION},
    [M_CHECKS] = {HP_METRIC_RATE, U_FRACTION},
    [M_REQS] = {HP_METRIC_COUNTER, U_COUNT},
    [M_RECEIVED] = {HP_METRIC_COUNTER, U_BYTES},
    [M_SENT] = {HP_METRIC_COUNTER, U_BYTES},
    [M_PHASE... M_PHASE + HP_METRIC_PHASES - 1] = {HP_METRIC_TREND, U_NS},
    [M_SAMPLE ... M_SAMPLE + 2] = {HP_METRIC_TREND, U_NS},
    [M_SAMPLE + 3] = {HP_METRIC_TREND, U_SCORE}, /* cls */
    [M_SAMPLE + 4 ... M_SAMPLE + HP_METRIC_SAMPLES - 1] = {HP_METRIC_TREND, U_NS},
};

static const char *const agg_names[] = {"avg", "min", "max", "med", "p", "rate", "count"};
static const char *const op_names[] = {"<", "<=", ">", ">=", "==", "!="};

struct scan {
    const char *s;
    size_t pos;
    int col0;              /* column of s[0] in what the user wrote, minus 1 */
    struct hp_err *err;
};

static int fail(struct scan *sc, int code, const char *fmt, const char *arg)
{
    char msg[HP_ERR_MSG_MAX];
    snprintf(msg, sizeof msg, fmt, arg ? arg : "");
    return hp_err_at(sc->err, code, "", 0, sc->col0 + (int)sc->pos + 1, "%s", msg);
}

static void skip_space(struct scan *sc)
{
    while (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t')
        sc->pos++;
}

/* [A-Za-z_][A-Za-z0-9_]* into buf; false when there is none or it is too long. */
static bool word(struct scan *sc, char *buf, size_t size)
{
    size_t n = 0;
    const char *s = sc->s + sc->pos;
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    while (isalnum((unsigned char)s[n]) || s[n] == '_')
        n++;
    if (n >= size)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    sc->pos += n;
    return true;
}

static int find_metric(const char *name)
{
    for (int i = 0; i < N_METRICS; i++)
        if (strcmp(metric_names[i], name) == 0)
            return i;
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (strcmp(aliases[i].alias, name) == 0)
            return aliases[i].metric;
    return -1;
}

static int parse_metric(struct scan *sc, struct hp_threshold *t)
{
    char name[64];
    size_t at = sc->pos;
    skip_space(sc);
    if (!word(sc, name, sizeof name))
        return fail(sc, HP_EPARSE, "expected a metric name (e.g. http_req_duration)%s", NULL);
    t->metric = find_metric(name);
    if (t->metric < 0) {
        const char *near = hp_nearest(name, metric_names, N_METRICS);
        char msg[200];
        if (near)
            snprintf(msg, sizeof msg, "unknown metric '%s' (did you mean %s?)", name, near);
        else
            snprintf(msg, sizeof msg, "unknown metric '%s' (expected one of http_req_duration, "
                     "http_req_failed, http_reqs, checks, data_received, data_sent...)", name);
        sc->pos = at;
        skip_space(sc);
        return fail(sc, HP_EPARSE, "%s", msg);
    }
    skip_space(sc);
    if (sc->s[sc->pos] != '{')
        return 0;
    sc->pos++;
    skip_space(sc);
    size_t key_at = sc->pos;
    if (!word(sc, t->tag_key, sizeof t->tag_key)) {
        sc->pos = key_at;
        return fail(sc, HP_EPARSE, "expected a tag: name, scenario, check or a request's own "
                                   "tag (as in {name:login})%s", NULL);
    }
    skip_space(sc);
    if (sc->s[sc->pos] != ':')
        return fail(sc, HP_EPARSE, "expected ':' between the tag and its value%s", NULL);
    sc->pos++;
    skip_space(sc);
    size_t start = sc->pos;
    while (sc->s[sc->pos] && sc->s[sc->pos] != '}')
        sc->pos++;
    size_t end = sc->pos;
    while (end > start && (sc->s[end - 1] == ' ' || sc->s[end - 1] == '\t'))
        end--;
    if (sc->s[sc->pos] != '}')
        return fail(sc, HP_EPARSE, "expected '}' to close the tag%s", NULL);
    if (end == start || end - start >= sizeof t->tag_value) {
        sc->pos = start;
        return fail(sc, HP_EPARSE, "expected a tag value of 1 to 127 characters%s", NULL);
    }
    memcpy(t->tag_value, sc->s + start, end - start);
    t->tag_value[end - start] = '\0';
    sc->pos++;
    return 0;
}

static bool allowed(enum hp_metric_kind kind, enum hp_threshold_agg agg)
{
    switch (kind) {
    case HP_METRIC_TREND:
        return agg <= HP_AGG_P;
    case HP_METRIC_RATE:
        return agg == HP_AGG_RATE;
    case HP_METRIC_COUNTER:
        return agg == HP_AGG_RATE || agg == HP_AGG_COUNT;
    }
    return false;
}

static const char *aggs_of(enum hp_metric_kind kind)
{
    return kind == HP_METRIC_TREND  ? "avg, min, max, med or p(N)"
           : kind == HP_METRIC_RATE ? "rate"
                                    : "count or rate";
}

/* The value token: up to a ',' or the end, trimmed. */
static int value_token(struct scan *sc, char *buf, size_t size)
{
    skip_space(sc);
    size_t start = sc->pos, end;
    while (sc->s[sc->pos] && sc->s[sc->pos] != ',')
        sc->pos++;
    end = sc->pos;
    while (end > start && isspace((unsigned char)sc->s[end - 1]))
        end--;
    if (end == start) {
        sc->pos = start;
        return fail(sc, HP_EPARSE, "expected a value to compare with%s", NULL);
    }
    if (end - start >= size) {
        sc->pos = start;
        return fail(sc, HP_ERANGE, "the value is too long%s", NULL);
    }
    memcpy(buf, sc->s + start, end - start);
    buf[end - start] = '\0';
    sc->pos = start; /* errors in the value point at its start */
    return 0;
}

static int parse_value(struct scan *sc, struct hp_threshold *t)
{
    char v[64];
    struct hp_err e;
    int rc = value_token(sc, v, sizeof v);
    size_t start = sc->pos;
    if (rc < 0)
        return rc;
    enum unit unit = metrics[t->metric].unit;
    bool per_s = t->agg == HP_AGG_RATE && metrics[t->metric].kind == HP_METRIC_COUNTER;
    if (unit == U_NS) {
        int64_t ns;
        /* A bare number is milliseconds, as k6 reads "p(95) < 200". */
        if (hp_parse_duration_bare(v, HP_NS_PER_MS, &ns, &e) < 0)
            return fail(sc, HP_EPARSE, "%.400s", e.msg);
        t->value = (double)ns;
    } else if (unit == U_FRACTION) {
        if (hp_parse_percent(v, &t->value, &e) < 0)
            return fail(sc, HP_EPARSE, "%.400s", e.msg);
    } else if (per_s && unit == U_COUNT) {
        if (hp_parse_rate(v, &t->value, &e) < 0)
            return fail(sc, HP_EPARSE, "%.400s", e.msg);
    } else if (unit == U_BYTES) {
        /* data_received: count < 10MiB, rate > 1MiB/s */
        size_t n = strlen(v);
        if (per_s && n > 2 && strcmp(v + n - 2, "/s") == 0)
            v[n - 2] = '\0';
        int64_t bytes;
        if (hp_parse_size(v, &bytes, &e) < 0)
            return fail(sc, HP_EPARSE, "%.400s", e.msg);
        t->value = (double)bytes;
    } else {
        if (hp_parse_number(v, &t->value, &e) < 0)
            return fail(sc, HP_EPARSE, "%.400s", e.msg);
    }
    sc->pos = start;
    while (sc->s[sc->pos] && sc->s[sc->pos] != ',')
        sc->pos++;
    return 0;
}

static int parse_options(struct scan *sc, struct hp_threshold *t)
{
    while (sc->s[sc->pos] == ',') {
        char opt[32];
        sc->pos++;
        skip_space(sc);
        size_t opt_at = sc->pos;
        if (!word(sc, opt, sizeof opt) || strcmp(opt, "abort_on_fail") != 0) {
            sc->pos = opt_at;
            return fail(sc, HP_EPARSE,
                        "expected abort_on_fail or abort_on_fail=DELAY after ','%s", NULL);
        }
        t->abort_on_fail = true;
        skip_space(sc);
        if (sc->s[sc->pos] == '=') {
            char d[32];
            struct hp_err e;
            sc->pos++;
            int rc = value_token(sc, d, sizeof d);
            if (rc < 0)
                return rc;
            if (hp_parse_duration(d, &t->abort_delay_ns, &e) < 0)
                return fail(sc, HP_EPARSE, "abort_on_fail=DELAY: %.400s", e.msg);
            while (sc->s[sc->pos] && sc->s[sc->pos] != ',')
                sc->pos++;
        }
        skip_space(sc);
    }
    skip_space(sc);
    if (sc->s[sc->pos] != '\0')
        return fail(sc, HP_EPARSE, "unexpected text after the threshold%s", NULL);
    return 0;
}

static int parse_expr(struct scan *sc, struct hp_threshold *t)
{
    char name[16];
    enum hp_metric_kind kind = metrics[t->metric].kind;
    skip_space(sc);
    size_t at = sc->pos;
    if (!word(sc, name, sizeof name))
        return fail(sc, HP_EPARSE, "expected an aggregation: %s", aggs_of(kind));
    int agg = -1;
    for (int i = 0; i < (int)(sizeof agg_names / sizeof agg_names[0]); i++)
        if (strcmp(agg_names[i], name) == 0)
            agg = i;
    if (agg < 0) {
        sc->pos = at;
        char msg[160];
        snprintf(msg, sizeof msg, "unknown aggregation '%s' (%s has %s)", name,
                 metric_names[t->metric], aggs_of(kind));
        return fail(sc, HP_EPARSE, "%s", msg);
    }
    t->agg = (enum hp_threshold_agg)agg;
    if (t->agg == HP_AGG_P) {
        char num[32];
        size_t n = 0;
        skip_space(sc);
        if (sc->s[sc->pos] != '(')
            return fail(sc, HP_EPARSE, "expected '(' after p, as in p(99)%s", NULL);
        sc->pos++;
        skip_space(sc);
        size_t pstart = sc->pos;
        while ((isdigit((unsigned char)sc->s[sc->pos]) || sc->s[sc->pos] == '.') && n < 31)
            num[n++] = sc->s[sc->pos++];
        num[n] = '\0';
        if (n == 0 || hp_parse_number(num, &t->percentile, NULL) < 0 || !(t->percentile > 0) ||
            t->percentile > 100) {
            sc->pos = pstart;
            return fail(sc, HP_ERANGE, "expected a percentile above 0 and at most 100, as in "
                                       "p(99.9)%s", NULL);
        }
        skip_space(sc);
        if (sc->s[sc->pos] != ')')
            return fail(sc, HP_EPARSE, "expected ')' to close p(...)%s", NULL);
        sc->pos++;
    }
    if (!allowed(kind, t->agg)) {
        sc->pos = at;
        char msg[160];
        snprintf(msg, sizeof msg, "%s has no '%s' (it has %s)", metric_names[t->metric],
                 agg_names[t->agg], aggs_of(kind));
        return fail(sc, HP_EPARSE, "%s", msg);
    }
    skip_space(sc);
    const char *s = sc->s + sc->pos;
    if (s[0] == '<' || s[0] == '>') {
        bool eq = s[1] == '=';
        t->op = s[0] == '<' ? (eq ? HP_OP_LE : HP_OP_LT) : (eq ? HP_OP_GE : HP_OP_GT);
        sc->pos += eq ? 2 : 1;
    } else if ((s[0] == '=' || s[0] == '!') && s[1] == '=') {
        t->op = s[0] == '=' ? HP_OP_EQ : HP_OP_NE;
        sc->pos += 2;
    } else {
        return fail(sc, HP_EPARSE, "expected a comparison: <, <=, >, >=, == or !=%s", NULL);
    }
    int rc = parse_value(sc, t);
    return rc < 0 ? rc : parse_options(sc, t);
}

static void normalise(struct hp_threshold *t, const char *expr)
{
    const char *m = metric_names[t->metric];
    while (*expr == ' ' || *expr == '\t')
        expr++;
    if (t->tag_key[0])
        snprintf(t->text, sizeof t->text, "%s{%s:%s}: %s", m, t->tag_key, t->tag_value, expr);
    else
        snprintf(t->text, sizeof t->text, "%s: %s", m, expr);
    size_t n = strlen(t->text);
    while (n > 0 && isspace((unsigned char)t->text[n - 1]))
        t->text[--n] = '\0';
}

int hp_threshold_parse(const char *text, struct hp_threshold *out, struct hp_err *err)
{
    struct scan sc = {.s = text, .err = err};
    memset(out, 0, sizeof *out);
    /* The normalised text adds at most one space: it must still fit. */
    if (strlen(text) > HP_THRESHOLD_TEXT_MAX - 2)
        return hp_err_at(err, HP_ERANGE, "", 0, HP_THRESHOLD_TEXT_MAX - 1,
                         "threshold too long (at most %d characters)", HP_THRESHOLD_TEXT_MAX - 2);
    int rc = parse_metric(&sc, out);
    if (rc < 0)
        return rc;
    skip_space(&sc);
    if (sc.s[sc.pos] != ':')
        return fail(&sc, HP_EPARSE, "expected ':' after the metric, as in "
                                    "'http_req_duration: p(99) < 300ms'%s", NULL);
    sc.pos++;
    size_t expr_at = sc.pos;
    rc = parse_expr(&sc, out);
    if (rc < 0)
        return rc;
    normalise(out, text + expr_at);
    return 0;
}

int hp_threshold_parse_expr(const char *metric, const char *expr, struct hp_threshold *out,
                            struct hp_err *err)
{
    char line[HP_THRESHOLD_TEXT_MAX + 8];
    struct hp_threshold t;
    int rc;
    /* One grammar: "METRIC: EXPR", with columns still counted in expr. */
    if ((size_t)snprintf(line, sizeof line, "%s: %s", metric, expr) >= sizeof line)
        return hp_err_set(err, HP_ERANGE, "threshold too long (at most %d characters)",
                          HP_THRESHOLD_TEXT_MAX);
    struct scan sc = {.s = line, .err = err};
    memset(&t, 0, sizeof t);
    rc = parse_metric(&sc, &t);
    if (rc < 0)
        return rc;
    if (line[sc.pos] != ':')
        return hp_err_set(err, HP_EPARSE, "'%s' is not a metric (expected a name such as "
                                          "http_req_duration{name:login})", metric);
    sc.pos++;
    sc.col0 = -(int)(strlen(metric) + 2); /* columns below count from expr's start */
    rc = parse_expr(&sc, &t);
    if (rc < 0)
        return rc;
    normalise(&t, expr);
    *out = t;
    return 0;
}

const char *hp_threshold_metric_name(const struct hp_threshold *t)
{
    return metric_names[t->metric];
}

enum hp_metric_kind hp_threshold_metric_kind(const struct hp_threshold *t)
{
    return metrics[t->metric].kind;
}

/* A trend over a few samples kept whole (a page's runs): exact, with the
 * percentile interpolated between order statistics (stat/stats.h). */
static bool samples_value(const struct hp_threshold *t, const double *v, size_t n, double *out)
{
    if (!v || n == 0)
        return false;
    switch (t->agg) {
    case HP_AGG_AVG: {
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += v[i];
        *out = sum / (double)n;
        break;
    }
    case HP_AGG_MIN:
        *out = v[0];
        break;
    case HP_AGG_MAX:
        *out = v[n - 1];
        break;
    case HP_AGG_MED:
        *out = hp_quantile_sorted(v, n, 0.5);
        break;
    default:
        *out = hp_quantile_sorted(v, n, t->percentile / 100.0);
        break;
    }
    return true;
}

static bool trend_value(const struct hp_threshold *t, const struct hp_hist *h, double *out)
{
    if (!h || h->total_count == 0)
        return false;
    switch (t->agg) {
    case HP_AGG_AVG:
        *out = hp_hist_mean(h);
        break;
    case HP_AGG_MIN:
        *out = (double)hp_hist_min(h);
        break;
    case HP_AGG_MAX:
        *out = (double)hp_hist_max(h);
        break;
    case HP_AGG_MED:
        *out = (double)hp_hist_value_at_percentile(h, 50);
        break;
    default:
        *out = (double)hp_hist_value_at_percentile(h, t->percentile);
        break;
    }
    return true;
}

static bool ratio(int64_t hits, int64_t total, double *out)
{
    if (total <= 0)
        return false;
    *out = (double)hits / (double)total;
    return true;
}

static bool counter(const struct hp_threshold *t, int64_t n, double secs, double *out)
{
    if (t->agg == HP_AGG_COUNT) {
        *out = (double)n;
        return true;
    }
    if (!(secs > 0))
        return false;
    *out = (double)n / secs;
    return true;
}

void hp_threshold_eval(const struct hp_threshold *t, const struct hp_metric_set *m,
                       struct hp_threshold_result *out)
{
    bool have = false;
    double v = 0;
    if (m) {
        switch (t->metric) {
        case M_DURATION:
            have = trend_value(t, m->duration, &v);
            break;
        case M_DURATION_UNCORRECTED:
            have = trend_value(t, m->duration_uncorrected, &v);
            break;
        case M_LAG:
            have = trend_value(t, m->lag, &v);
            break;
        case M_FAILED:
            have = ratio(m->failed, m->attempts, &v);
            break;
        case M_CHECKS:
            have = ratio(m->checks_passed, m->checks_total, &v);
            break;
        case M_REQS:
            have = counter(t, m->requests, m->duration_s, &v);
            break;
        case M_RECEIVED:
            have = counter(t, m->bytes_received, m->duration_s, &v);
            break;
        case M_SENT:
            have = counter(t, m->bytes_sent, m->duration_s, &v);
            break;
        default:
            if (t->metric >= M_SAMPLE)
                have = samples_value(t, m->samples[t->metric - M_SAMPLE],
                                     m->n_samples[t->metric - M_SAMPLE], &v);
            else /* a phase */
                have = trend_value(t, m->phase[t->metric - M_PHASE], &v);
            break;
        }
    }
    out->no_samples = !have;
    out->measured = have ? v : NAN;
    if (!have) {
        out->passed = false;
        return;
    }
    switch (t->op) {
    case HP_OP_LT:
        out->passed = v < t->value;
        break;
    case HP_OP_LE:
        out->passed = v <= t->value;
        break;
    case HP_OP_GT:
        out->passed = v > t->value;
        break;
    case HP_OP_GE:
        out->passed = v >= t->value;
        break;
    case HP_OP_EQ:
        out->passed = v == t->value;
        break;
    case HP_OP_NE:
        out->passed = v != t->value;
        break;
    }
}

char *hp_threshold_format_value(const struct hp_threshold *t, double v, char *buf, size_t size)
{
    bool per_s = t->agg == HP_AGG_RATE && metrics[t->metric].kind == HP_METRIC_COUNTER;
    if (!isfinite(v)) {
        snprintf(buf, size, "no samples");
        return buf;
    }
    switch (metrics[t->metric].unit) {
    case U_NS:
        return hp_format_duration((int64_t)llround(v), buf, size);
    case U_FRACTION:
        snprintf(buf, size, "%.4g%%", v * 100);
        return buf;
    case U_BYTES:
        hp_format_size((int64_t)llround(v), buf, size);
        if (per_s)
            strncat(buf, "/s", size - strlen(buf) - 1);
        return buf;
    case U_COUNT:
        if (per_s)
            return hp_format_rate(v, buf, size);
        snprintf(buf, size, "%.0f", v);
        return buf;
    case U_SCORE:
        snprintf(buf, size, "%.4g", v);
        return buf;
    }
    return buf;
}

const char *hp_threshold_op_name(enum hp_threshold_op op)
{
    return op_names[op];
}
