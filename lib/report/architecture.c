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

/* Where the objective breaks, as one number: users (closed) or a rate. */
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
    return holds_to_rate(net, at, err);
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

static int whatifs(struct hp_rdoc *d, const struct hp_mva_network *net, double base,
                   bool base_beyond, struct hp_err *err)
{
    static struct hp_mva_network t;
    static struct hp_mva_result tr;
    static struct whatif w[MAX_WHATIFS];
    int n = 0;
    bool closed = one_closed(net);
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
                t.demand[0][k] /= 2;
                snprintf(w[n].what, sizeof w[n].what,
                         "Half the demand at %s (a cache with a 50%% hit ratio, or work made "
                         "twice as fast)",
                         net->station_name[k]);
            }
            int rc = break_point(&t, &w[n].at, &w[n].beyond, err);
            if (rc < 0)
                return rc;
            struct hp_err e2;
            if (closed && hp_mva_solve(&t, &tr, &e2) == 0)
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
                     "the point where the objective breaks (today: %s%.4g %s).",
                     base_beyond ? "beyond " : "", base, closed ? "users" : "requests/s"));
    static const char *const hdr[] = {"Rank>", "Change", "Objective holds to>", "Gain>",
                                      "Bottleneck after", NULL};
    struct hp_rtable *tab = hp_rdoc_table(d, hdr);
    NEED(tab);
    for (int i = 0; i < n; i++) {
        char rank[16], at[48], gain[32];
        snprintf(rank, sizeof rank, "%d", i + 1);
        snprintf(at, sizeof at, "%s%.4g %s", w[i].beyond ? "beyond " : "", w[i].at,
                 closed ? "users" : "/s");
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
                                          "%+.0f%% on today's %.4g.",
                         i + 1, w[i].what, w[i].beyond ? "beyond " : "", w[i].at,
                         closed ? "users" : "requests/s", 100 * (w[i].at / base - 1), base));
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
        GO(hp_rdoc_para(d, HP_MARK_NOTE,
                        "Where the objective breaks and the ranked what-ifs are computed for one "
                        "class; this design has %d%s.",
                        net->n_classes, net->mixed ? ", open and closed" : ""));
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
