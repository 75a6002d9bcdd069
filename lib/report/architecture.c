// SPDX-License-Identifier: MIT
/* report/architecture.c - see architecture.h. */
#include "report/architecture.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/units.h"
#include "report/section_int.h"

#define MAX_WHATIFS (2 * HP_MVA_MAX_STATIONS)

static bool one_closed(const struct hp_mva_network *net)
{
    return net->n_classes == 1 && !net->open && !net->mixed;
}

static bool one_open(const struct hp_mva_network *net)
{
    return net->n_classes == 1 && net->open;
}

/* How far the populations of the curve go: past where the bottleneck alone
 * makes the response time the objective, R ~ N D_max - Z, twice over. */
static long curve_end(const struct hp_mva_network *net)
{
    struct hp_mva_bounds b;
    hp_mva_bounds(net, &b);
    double n = b.dmax > 0 ? 2 * (net->objective_s + b.z) / b.dmax + 100 : 1000;
    n = fmax(n, 2.0 * net->population[0]);
    long cap = hp_mva_load_dependent(net) ? 4000 : 1000000; /* load-dependent MVA is O(N^2) */
    return n > (double)cap ? cap : (long)n;
}

/* One closed class: the most users whose response time holds the objective
 * (0: not even one; *beyond: it holds at every population computed). */
static int holds_to_users(const struct hp_mva_network *net, long *users, bool *beyond,
                          struct hp_err *err)
{
    long end = curve_end(net);
    double *x = hp_malloc((size_t)(end + 1) * sizeof *x), *r = hp_malloc((size_t)(end + 1) * sizeof *r);
    if (!x || !r) {
        hp_free(x);
        hp_free(r);
        return hp_err_set(err, -ENOMEM, "out of memory");
    }
    int rc = hp_mva_curve(net, (int)end, x, r, err);
    *users = 0;
    *beyond = false;
    if (rc == 0) {
        long n = 1;
        while (n <= end && r[n] <= net->objective_s)
            n++;
        *users = n - 1;
        *beyond = n > end;
    }
    hp_free(x);
    hp_free(r);
    return rc;
}

/* One open class: the highest arrival rate whose response time holds the
 * objective, by bisection below the bottleneck's 1 / D_max. */
static int holds_to_rate(const struct hp_mva_network *net, double *rate, struct hp_err *err)
{
    static struct hp_mva_network t;
    static struct hp_mva_result r;
    struct hp_mva_bounds b;
    hp_mva_bounds(net, &b);
    t = *net;
    double lo = 0, hi = b.dmax > 0 ? 1 / b.dmax : 1e12;
    t.arrival_per_s[0] = hi * 1e-9;
    int rc = hp_mva_solve(&t, &r, err);
    if (rc < 0)
        return rc;
    if (r.response_s[0] > net->objective_s) {
        *rate = 0;
        return 0;
    }
    for (int i = 0; i < 100; i++) {
        double mid = (lo + hi) / 2;
        t.arrival_per_s[0] = mid;
        struct hp_err e2;
        if (hp_mva_solve(&t, &r, &e2) == 0 && r.response_s[0] <= net->objective_s)
            lo = mid;
        else
            hi = mid;
    }
    *rate = lo;
    return 0;
}

/* Several classes, or open and closed ones together: today's load times
 * s with the mix kept, each closed class's users rounded (at least one)
 * and each open class's rate scaled. The search solves each candidate
 * exactly while that costs under SEARCH_OPS, approximately beyond (said). */
#define SEARCH_OPS 2e7
static bool search_approx; /* a search solution was approximate */

static void scale_load(const struct hp_mva_network *net, double s, struct hp_mva_network *t)
{
    *t = *net;
    t->exact_ops = SEARCH_OPS;
    for (int c = 0; c < net->n_classes; c++) {
        if (net->open || (net->mixed && net->class_open[c])) {
            t->arrival_per_s[c] = net->arrival_per_s[c] * s;
        } else if (net->population[c] > 0) {
            double n = fmin(fmax(1, round(net->population[c] * s)), 1e7);
            t->population[c] = (int)n;
        }
    }
}

/* Whether every class's response time holds the objective at s times
 * today's load; *worst: the class with the longest response there (-1 when
 * the network is unstable). */
static bool holds_at(const struct hp_mva_network *net, double s, int *worst)
{
    static struct hp_mva_network t;
    static struct hp_mva_result r;
    struct hp_err e;
    scale_load(net, s, &t);
    *worst = -1;
    if (hp_mva_solve(&t, &r, &e) < 0)
        return false; /* an open class past a station's capacity */
    search_approx |= r.method == HP_MVA_SCHWEITZER || r.seidmann;
    for (int c = 0; c < net->n_classes; c++)
        if (*worst < 0 || r.response_s[c] > r.response_s[*worst])
            *worst = c;
    return r.response_s[*worst] <= net->objective_s;
}

/* The largest multiple of today's load at which every class holds the
 * objective (to 1e-4), by doubling and then bisection; *first: the class
 * that misses it first; *beyond: it holds even at 1024 times. */
static double holds_to_factor(const struct hp_mva_network *net, bool *beyond, int *first)
{
    int w;
    *beyond = false;
    if (!holds_at(net, 1e-9, first))
        return 0;
    double lo = 0, hi = 1;
    while (holds_at(net, hi, &w)) {
        lo = hi;
        hi *= 2;
        if (hi > 1024) {
            *beyond = true;
            *first = -1;
            return lo;
        }
    }
    *first = w;
    while (hi - lo > 1e-4 * hi) {
        double mid = (lo + hi) / 2;
        if (holds_at(net, mid, &w)) {
            lo = mid;
        } else {
            hi = mid;
            *first = w;
        }
    }
    return lo;
}

/* Where the objective breaks, as one number: users (one closed class), a
 * rate (one open class) or a multiple of today's load (the others). */
static int break_point(const struct hp_mva_network *net, double *at, bool *beyond,
                       struct hp_err *err)
{
    *beyond = false;
    if (one_closed(net)) {
        long users = 0;
        int rc = holds_to_users(net, &users, beyond, err);
        *at = (double)users;
        return rc;
    }
    if (one_open(net))
        return holds_to_rate(net, at, err);
    int first;
    *at = holds_to_factor(net, beyond, &first);
    return 0;
}

/* The break point's unit. */
static const char *at_unit(const struct hp_mva_network *net, bool long_form)
{
    if (one_closed(net))
        return "users";
    if (one_open(net))
        return long_form ? "requests/s" : "/s";
    return long_form ? "times today's load" : "x load";
}

struct whatif {
    char what[160], why[200];
    double at;
    bool beyond;
    int bottleneck; /* after the change */
};

static int cmp_whatif(const void *a, const void *b)
{
    const struct whatif *x = a, *y = b;
    return (y->at > x->at) - (y->at < x->at);
}

static const char *dur(double s, char *buf, size_t size)
{
    return hp_format_duration((int64_t)llround(s * 1e9), buf, size);
}

static int workload(struct hp_rdoc *d, const struct hp_mva_network *net)
{
    TRY(hp_rdoc_heading(d, 2, "Workload and objective"));
    struct hp_rtable *kv = hp_rdoc_kv_list(d);
    NEED(kv);
    char a[32], b[32];
    for (int c = 0; c < net->n_classes; c++) {
        bool open = net->open || (net->mixed && net->class_open[c]);
        if (open)
            TRY(hp_rdoc_kv(kv, net->class_name[c], "open: %s arriving",
                           hp_format_rate(net->arrival_per_s[c], a, sizeof a)));
        else
            TRY(hp_rdoc_kv(kv, net->class_name[c], "closed: %d users, think time %s",
                           net->population[c], dur(net->think_s[c], b, sizeof b)));
    }
    if (net->objective_s > 0)
        TRY(hp_rdoc_kv(kv, "Objective", "response time at most %s",
                       dur(net->objective_s, a, sizeof a)));
    else
        TRY(hp_rdoc_kv(kv, "Objective", "none given (objective: {response: 200ms} in the file)"));
    return 0;
}

static int stations(struct hp_rdoc *d, const struct hp_mva_network *net,
                    const struct hp_mva_result *r)
{
    TRY(hp_rdoc_heading(d, 2, "At the given load"));
    static const char *const hdr[] = {"Station", "Type", "Demand>", "Utilisation>", "Queue>",
                                      "Residence>", NULL};
    struct hp_rtable *t = hp_rdoc_table(d, hdr);
    NEED(t);
    for (int k = 0; k < net->n_stations; k++) {
        char type[32], dem[32], u[32], q[32], res[32];
        double demand = 0, queue = 0, resid = 0;
        for (int c = 0; c < net->n_classes; c++) {
            demand += net->demand[c][k];
            queue += r->queue[c][k];
            resid += r->residence_s[c][k];
        }
        if (net->kind[k] == HP_MVA_DELAY)
            snprintf(type, sizeof type, "delay");
        else if (net->n_rates[k] > 0)
            snprintf(type, sizeof type, "load-dependent");
        else if (net->servers[k] > 1)
            snprintf(type, sizeof type, "%d servers", net->servers[k]);
        else
            snprintf(type, sizeof type, "queue");
        dur(demand, dem, sizeof dem);
        snprintf(u, sizeof u, "%.1f%%", 100 * r->utilisation[k]);
        snprintf(q, sizeof q, "%.3g", queue);
        if (net->n_classes == 1)
            dur(resid, res, sizeof res);
        else
            snprintf(res, sizeof res, "per class below");
        bool bott = false;
        for (int i = 0; i < r->n_bottlenecks; i++)
            bott |= r->bottlenecks[i] == k;
        const char *cells[] = {net->station_name[k], type, dem, u, q, res};
        TRY(hp_rtable_row(t, bott ? HP_MARK_FAIL : HP_MARK_NONE, cells));
    }
    char names[512] = "";
    size_t len = 0;
    for (int i = 0; i < r->n_bottlenecks; i++)
        len += (size_t)snprintf(names + len, len < sizeof names ? sizeof names - len : 0, "%s%s",
                                i == 0 ? "" : i + 1 == r->n_bottlenecks ? " and " : ", ",
                                net->station_name[r->bottlenecks[i]]);
    TRY(hp_rdoc_para(d, HP_MARK_NOTE, "Bottleneck: %s (%.1f%% utilised%s). It sets the ceiling "
                                      "on throughput: relieving another station moves little.",
                     names, 100 * r->utilisation[r->bottleneck],
                     r->n_bottlenecks > 1 ? ", a tie" : ""));
    for (int c = 0; c < net->n_classes; c++) {
        char x[32], rt[32];
        TRY(hp_rdoc_para(d, HP_MARK_NONE, "%s: throughput %s, response time %s.",
                         net->class_name[c], hp_format_rate(r->throughput[c], x, sizeof x),
                         dur(r->response_s[c], rt, sizeof rt)));
    }
    if (net->n_classes == 1) {
        struct hp_mva_bounds b;
        hp_mva_bounds(net, &b);
        struct hp_rtable *kv = hp_rdoc_kv_list(d);
        NEED(kv);
        char a[32], bb[32];
        TRY(hp_rdoc_kv(kv, "Throughput bound", "%s (%s)", hp_format_rate(b.x_max, a, sizeof a),
                       b.closed ? "min(N/(D+Z), 1/D_max)" : "1/D_max"));
        TRY(hp_rdoc_kv(kv, "Response-time bound", "%s (%s)", dur(b.r_min, bb, sizeof bb),
                       b.closed ? "max(D, N D_max - Z)" : "D"));
        if (b.closed && isfinite(b.n_star))
            TRY(hp_rdoc_kv(kv, "N*", "%.4g users: beyond, the bottleneck bounds throughput",
                           b.n_star));
    }
    return 0;
}

/* The response-time curve with the objective and today's population. */
static int curve_chart(struct hp_rdoc *d, const struct hp_mva_network *net, double holds)
{
    long end = curve_end(net);
    long show = (long)fmin((double)end, fmax(2 * holds, 2.0 * net->population[0]) + 10);
    double *x = hp_malloc((size_t)(show + 1) * sizeof *x), *r = hp_malloc((size_t)(show + 1) * sizeof *r);
    struct hp_err e2;
    if (!x || !r || hp_mva_curve(net, (int)show, x, r, &e2) < 0) {
        hp_free(x);
        hp_free(r);
        return x && r ? 0 : -ENOMEM;
    }
    struct hp_chart *c = hp_rdoc_chart(d, "architecture-response", "Response time by users",
                                       "users", "count", "response time", "s");
    struct hp_series *s = c ? hp_chart_series(c, "response time (exact MVA)", HP_DRAW_LINE) : NULL;
    int rc = c ? 0 : -ENOMEM;
    long step = show > 2000 ? show / 2000 : 1;
    for (long n = 1; s && rc == 0 && n <= show; n += step)
        rc = hp_series_add(s, (double)n, r[n]);
    if (rc == 0 && c)
        rc = hp_chart_rule(c, "objective", net->objective_s, false);
    if (rc == 0 && c)
        rc = hp_chart_rule(c, "today's users", net->population[0], true);
    hp_free(x);
    hp_free(r);
    return rc;
}

/* The load at s times today's: "98 browse users, 24 checkout users, 30/s
 * batch". */
static const char *load_text(const struct hp_mva_network *net, double s, char *buf, size_t size)
{
    static struct hp_mva_network t;
    scale_load(net, s, &t);
    size_t len = 0;
    buf[0] = 0;
    for (int c = 0; c < net->n_classes && len < size; c++) {
        char r[32];
        if (net->open || (net->mixed && net->class_open[c]))
            len += (size_t)snprintf(buf + len, size - len, "%s%s %s arriving", c ? ", " : "",
                                    hp_format_rate(t.arrival_per_s[c], r, sizeof r),
                                    net->class_name[c]);
        else
            len += (size_t)snprintf(buf + len, size - len, "%s%d %s users", c ? ", " : "",
                                    t.population[c], net->class_name[c]);
    }
    return buf;
}

/* Several classes: each class's response time as today's load is scaled. */
static int load_chart(struct hp_rdoc *d, const struct hp_mva_network *net, double holds,
                      bool beyond)
{
    static struct hp_mva_network t;
    static struct hp_mva_result r;
    double end = beyond ? 4 : fmax(2 * holds, 2);
    struct hp_chart *c = hp_rdoc_chart(d, "architecture-load", "Response time by load",
                                       "times today's load", "", "response time", "s");
    if (!c)
        return -ENOMEM;
    struct hp_series *s[HP_MVA_MAX_CLASSES];
    for (int k = 0; k < net->n_classes; k++)
        if (!(s[k] = hp_chart_series(c, net->class_name[k], HP_DRAW_LINE)))
            return -ENOMEM;
    int rc = 0;
    for (int i = 1; rc == 0 && i <= 40; i++) {
        double f = end * i / 40;
        struct hp_err e;
        scale_load(net, f, &t);
        if (hp_mva_solve(&t, &r, &e) < 0)
            break; /* unstable from here on */
        search_approx |= r.method == HP_MVA_SCHWEITZER || r.seidmann;
        for (int k = 0; rc == 0 && k < net->n_classes; k++)
            rc = hp_series_add(s[k], f, r.response_s[k]);
    }
    if (rc == 0)
        rc = hp_chart_rule(c, "objective", net->objective_s, false);
    if (rc == 0)
        rc = hp_chart_rule(c, "today's load", 1, true);
    return rc;
}

static int whatifs(struct hp_rdoc *d, const struct hp_mva_network *net, double base,
                   bool base_beyond, struct hp_err *err)
{
    static struct hp_mva_network t;
    static struct hp_mva_result tr;
    static struct whatif w[MAX_WHATIFS];
    int n = 0;
    for (int k = 0; k < net->n_stations; k++) {
        if (net->kind[k] != HP_MVA_QUEUE)
            continue;
        for (int kind = 0; kind < 2; kind++) {
            t = *net;
            if (kind == 0) {
                if (net->n_rates[k] > 0)
                    continue;
                int c = net->servers[k] > 1 ? net->servers[k] : 1;
                t.servers[k] = 2 * c;
                snprintf(w[n].what, sizeof w[n].what, "Twice the servers at %s (%d, not %d)",
                         net->station_name[k], 2 * c, c);
            } else {
                for (int c = 0; c < net->n_classes; c++)
                    t.demand[c][k] /= 2;
                snprintf(w[n].what, sizeof w[n].what,
                         "Half the demand at %s (a cache with a 50%% hit ratio, or work made "
                         "twice as fast)",
                         net->station_name[k]);
            }
            int rc = break_point(&t, &w[n].at, &w[n].beyond, err);
            if (rc < 0)
                return rc;
            struct hp_err e2;
            if (!one_open(net) && hp_mva_solve(&t, &tr, &e2) == 0)
                w[n].bottleneck = tr.bottleneck;
            else
                w[n].bottleneck = -1;
            n++;
        }
    }
    qsort(w, (size_t)n, sizeof w[0], cmp_whatif);
    TRY(hp_rdoc_heading(d, 2, "What to try, ranked"));
    TRY(hp_rdoc_para(d, HP_MARK_NONE,
                     "Each change alone, at each queueing station, ranked by how far it moves "
                     "the point where the objective breaks (as designed: %s%.4g %s).",
                     base_beyond ? "beyond " : "", base, at_unit(net, true)));
    static const char *const hdr[] = {"Rank>", "Change", "Objective holds to>", "Gain>",
                                      "Bottleneck after", NULL};
    struct hp_rtable *tab = hp_rdoc_table(d, hdr);
    NEED(tab);
    for (int i = 0; i < n; i++) {
        char rank[16], at[48], gain[32];
        snprintf(rank, sizeof rank, "%d", i + 1);
        snprintf(at, sizeof at, "%s%.4g %s", w[i].beyond ? "beyond " : "", w[i].at,
                 at_unit(net, false));
        if (base > 0)
            snprintf(gain, sizeof gain, "%+.0f%%", 100 * (w[i].at / base - 1));
        else
            snprintf(gain, sizeof gain, "-");
        const char *cells[] = {rank, w[i].what, at, gain,
                               w[i].bottleneck >= 0 ? net->station_name[w[i].bottleneck] : "-"};
        TRY(hp_rtable_row(tab, i < 3 && w[i].at > base ? HP_MARK_PASS : HP_MARK_NONE, cells));
    }
    for (int i = 0; i < n && i < 3; i++) {
        if (!(w[i].at > base))
            break;
        TRY(hp_rdoc_para(d, HP_MARK_PASS, "%d. %s: the objective then holds to %s%.4g %s, "
                                          "%+.0f%% on the design's %.4g.",
                         i + 1, w[i].what, w[i].beyond ? "beyond " : "", w[i].at,
                         at_unit(net, true), 100 * (w[i].at / base - 1), base));
    }
    return 0;
}

int hp_report_architecture(const struct hp_mva_network *net, const char *name,
                           struct hp_rdoc **out, struct hp_err *err)
{
    static struct hp_mva_result r;
    int rc = hp_mva_solve(net, &r, err);
    if (rc < 0)
        return rc;
    char title[300];
    const char *base = strrchr(name, '/');
    snprintf(title, sizeof title, "Architecture review: %s", base ? base + 1 : name);
    struct hp_rdoc *d = hp_rdoc_new(title);
    if (!d)
        return hp_err_set(err, -ENOMEM, "out of memory");
#define GO(expr)                                                                                   \
    do {                                                                                           \
        if (rc == 0 && (rc = (expr)) < 0 && rc == -ENOMEM)                                         \
            hp_err_set(err, rc, "out of memory");                                                  \
    } while (0)
    GO(hp_rdoc_subtitle(d, "A queueing-network model of the design (mean value analysis): "
                           "where it saturates, and what moves that point."));
    GO(workload(d, net));
    GO(stations(d, net, &r));
    if (rc == 0 && net->objective_s > 0 && (one_closed(net) || one_open(net))) {
        double at;
        bool beyond;
        GO(hp_rdoc_heading(d, 2, "Where the objective breaks"));
        GO(break_point(net, &at, &beyond, err));
        char a[32];
        if (rc == 0 && one_closed(net)) {
            GO(hp_rdoc_para(d, at >= net->population[0] ? HP_MARK_PASS : HP_MARK_FAIL,
                            "The response time stays within %s up to %s%.0f users (today %d).",
                            dur(net->objective_s, a, sizeof a), beyond ? "beyond " : "", at,
                            net->population[0]));
            GO(curve_chart(d, net, at));
        } else if (rc == 0) {
            char b[32];
            GO(hp_rdoc_para(d, at >= net->arrival_per_s[0] ? HP_MARK_PASS : HP_MARK_FAIL,
                            "The response time stays within %s up to %s arriving (today %s).",
                            dur(net->objective_s, a, sizeof a), hp_format_rate(at, b, sizeof b),
                            hp_format_rate(net->arrival_per_s[0], (char[32]){0}, 32)));
        }
        GO(whatifs(d, net, at, beyond, err));
    } else if (rc == 0 && net->objective_s > 0) {
        bool beyond;
        int first;
        char a[32];
        search_approx = false;
        double at = holds_to_factor(net, &beyond, &first);
        GO(hp_rdoc_heading(d, 2, "Where the objective breaks"));
        if (at == 0)
            GO(hp_rdoc_para(d, HP_MARK_FAIL,
                            "Even at the lightest load (one user per closed class, open classes "
                            "barely arriving) %s's response time is over %s.",
                            net->class_name[first], dur(net->objective_s, a, sizeof a)));
        else if (beyond)
            GO(hp_rdoc_para(d, HP_MARK_PASS,
                            "Every class's response time stays within %s beyond %.4g times "
                            "today's load (the mix of classes kept).",
                            dur(net->objective_s, a, sizeof a), at));
        else
            GO(hp_rdoc_para(d, at >= 1 ? HP_MARK_PASS : HP_MARK_FAIL,
                            "Every class's response time stays within %s up to %.4g times "
                            "today's load (%s; the mix of classes kept); past it, %s is the "
                            "first to miss it.",
                            dur(net->objective_s, a, sizeof a), at,
                            load_text(net, at, (char[512]){0}, 512), net->class_name[first]));
        GO(load_chart(d, net, at, beyond));
        GO(whatifs(d, net, at, beyond, err));
        if (rc == 0 && search_approx)
            GO(hp_rdoc_para(d, HP_MARK_NOTE,
                            "The search solved each candidate load exactly while that cost under "
                            "%.3g operations, and by Bard-Schweitzer's approximation (or "
                            "Seidmann's split of multi-server stations) beyond.",
                            SEARCH_OPS));
    } else if (rc == 0) {
        GO(hp_rdoc_para(d, HP_MARK_NOTE, "No objective in the file (objective: {response: "
                                         "200ms}): no break point and no ranking of what-ifs."));
    }
#undef GO
    if (rc < 0) {
        hp_rdoc_free(d);
        return rc;
    }
    *out = d;
    return 0;
}
