// SPDX-License-Identifier: MIT
/* model/mva_yaml.c - YAML architecture files, through libyaml's document
 * API (every node keeps its line and column for messages). */
#include "model/mva_yaml.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "core/alloc.h"
#include "core/file.h"
#include "core/names.h"
#include "core/ydoc.h"
#include "core/units.h"

#define MAX_FILE_BYTES (4u * 1024 * 1024)

struct ctx {
    struct hp_ydoc y;
};

static int at(struct ctx *x, const yaml_node_t *n, const char *fmt, const char *a, const char *b)
{
    return hp_ydoc_error(&x->y, n, fmt, a ? a : "", b ? b : "");
}

static const char *scalar(const yaml_node_t *n)
{
    return hp_ydoc_scalar(n);
}

/* Check every key of a mapping is known; suggest the nearest. */
static int check_keys(struct ctx *x, const yaml_node_t *map, const char *const *known, int n_known,
                      const char *what)
{
    return hp_ydoc_check_keys(&x->y, map, known, n_known, what);
}

static const yaml_node_t *get(struct ctx *x, const yaml_node_t *map, const char *key)
{
    return hp_ydoc_get(&x->y, map, key);
}

/* A time: "5ms", "1s", or plain seconds ("0.63"). */
static int seconds(struct ctx *x, const yaml_node_t *n, const char *what, double *out)
{
    const char *v = scalar(n);
    int64_t ns;
    if (!v)
        return at(x, n, "%s must be a time such as 5ms or 0.005%s", what, "");
    if (hp_parse_duration(v, &ns, NULL) == 0) {
        *out = (double)ns / 1e9;
        return 0;
    }
    if (hp_parse_number(v, out, NULL) == 0)
        return 0;
    return at(x, n, "%s: '%s' is not a time (expected e.g. 5ms, 1s or 0.005)", what, v);
}

static int number(struct ctx *x, const yaml_node_t *n, const char *what, double *out)
{
    const char *v = scalar(n);
    if (!v || hp_parse_number(v, out, NULL) < 0)
        return at(x, n, "%s: expected a number, not '%s'", what, v ? v : "(a list or map)");
    return 0;
}

static int find_station(const struct hp_mva_network *net, const char *name)
{
    for (int k = 0; k < net->n_stations; k++)
        if (strcmp(net->station_name[k], name) == 0)
            return k;
    return -1;
}

/* What a station gave, for routing: its service time per visit (NaN when
 * none), and whether it gave its own demand or visits. */
struct given {
    double service[HP_MVA_MAX_STATIONS];
    const yaml_node_t *fixed[HP_MVA_MAX_STATIONS]; /* its demand: or visits: node */
};

static int parse_stations(struct ctx *x, const yaml_node_t *list, struct hp_mva_network *net,
                          double *single_demand, struct given *g)
{
    static const char *const keys[] = {"name",   "type",    "demand", "service",
                                       "visits", "servers", "rates"};
    if (!list || list->type != YAML_SEQUENCE_NODE)
        return at(x, list, "'stations' must be a list of stations%s%s", "", "");
    for (yaml_node_item_t *it = list->data.sequence.items.start;
         it < list->data.sequence.items.top; it++) {
        const yaml_node_t *s = yaml_document_get_node(&x->y.doc, *it);
        int k = net->n_stations;
        if (!s || s->type != YAML_MAPPING_NODE)
            return at(x, s, "a station must be a map with a name%s%s", "", "");
        if (k >= HP_MVA_MAX_STATIONS)
            return at(x, s, "more than 64 stations%s%s", "", "");
        int rc = check_keys(x, s, keys, 7, "a station");
        if (rc < 0)
            return rc;
        const char *name = scalar(get(x, s, "name"));
        if (!name || !*name)
            return at(x, s, "a station needs a name%s%s", "", "");
        if (find_station(net, name) >= 0)
            return at(x, get(x, s, "name"), "station '%s' is defined twice%s", name, "");
        snprintf(net->station_name[k], sizeof net->station_name[k], "%s", name);
        const char *type = scalar(get(x, s, "type"));
        if (!type || strcmp(type, "queue") == 0)
            net->kind[k] = HP_MVA_QUEUE;
        else if (strcmp(type, "delay") == 0)
            net->kind[k] = HP_MVA_DELAY;
        else
            return at(x, get(x, s, "type"), "type '%s' (expected queue or delay)%s", type, "");
        const yaml_node_t *servers = get(x, s, "servers");
        if (servers) {
            double c;
            if ((rc = number(x, servers, "servers", &c)) < 0)
                return rc;
            if (c < 1 || c != floor(c) || c > 100000)
                return at(x, servers, "servers: %s: expected a whole number from 1%s",
                          scalar(servers), "");
            net->servers[k] = (int)c;
        }
        const yaml_node_t *rates = get(x, s, "rates");
        if (rates) {
            if (servers)
                return at(x, rates, "give servers or rates, not both (servers: c is the rates "
                                    "1, 2, ..., c)%s%s",
                          "", "");
            if (net->kind[k] != HP_MVA_QUEUE)
                return at(x, rates, "a delay station has no rates%s%s", "", "");
            if (rates->type != YAML_SEQUENCE_NODE ||
                rates->data.sequence.items.top == rates->data.sequence.items.start)
                return at(x, rates, "rates: a list of how many times faster the station "
                                    "serves with 1, 2, ... requests present (1, 1.8, 2.4)%s%s",
                          "", "");
            for (yaml_node_item_t *r = rates->data.sequence.items.start;
                 r < rates->data.sequence.items.top; r++) {
                const yaml_node_t *v = yaml_document_get_node(&x->y.doc, *r);
                double f;
                if (net->n_rates[k] == HP_MVA_MAX_RATES)
                    return at(x, v, "more than 64 rates%s%s", "", "");
                if ((rc = number(x, v, "rates", &f)) < 0)
                    return rc;
                if (!(f > 0))
                    return at(x, v, "rates: %s: a rate must be above 0%s", scalar(v), "");
                net->rates[k][net->n_rates[k]++] = f;
            }
        }
        double demand = NAN;
        const yaml_node_t *d = get(x, s, "demand"), *svc = get(x, s, "service"),
                          *visits = get(x, s, "visits");
        if (d && (svc || visits))
            return at(x, d, "give demand, or service and visits, not both%s%s", "", "");
        if (d && (rc = seconds(x, d, "demand", &demand)) < 0)
            return rc;
        g->service[k] = NAN;
        g->fixed[k] = d ? d : visits;
        if (svc) {
            double v = 1;
            if ((rc = seconds(x, svc, "service", &demand)) < 0)
                return rc;
            g->service[k] = demand;
            if (visits && (rc = number(x, visits, "visits", &v)) < 0)
                return rc;
            demand *= v;
        }
        if (!isnan(demand) && !(demand >= 0))
            return at(x, d ? d : svc, "a demand must be 0 or more%s%s", "", "");
        single_demand[k] = demand;
        net->n_stations++;
    }
    if (net->n_stations == 0)
        return at(x, list, "'stations' is empty%s%s", "", "");
    return 0;
}

static int parse_class(struct ctx *x, const yaml_node_t *c, struct hp_mva_network *net, int i,
                       bool *open)
{
    double v;
    int rc;
    const yaml_node_t *users = get(x, c, "users"), *rate = get(x, c, "arrival_rate"),
                      *think = get(x, c, "think");
    if (users && rate)
        return at(x, rate, "a workload has users (closed) or arrival_rate (open), not both%s%s",
                  "", "");
    if (!users && !rate)
        return at(x, c, "a workload needs users (closed, with think) or arrival_rate (open)%s%s",
                  "", "");
    *open = rate != NULL;
    if (users) {
        if ((rc = number(x, users, "users", &v)) < 0)
            return rc;
        if (v < 0 || v != floor(v) || v > 1e7)
            return at(x, users, "users must be a whole number from 0, not %s%s", scalar(users), "");
        net->population[i] = (int)v;
        net->think_s[i] = 0;
        if (think && (rc = seconds(x, think, "think", &net->think_s[i])) < 0)
            return rc;
    } else {
        struct hp_err e2;
        const char *r = scalar(rate);
        if (think)
            return at(x, think, "think time belongs to a closed workload (users)%s%s", "", "");
        if (!r || hp_parse_rate(r, &net->arrival_per_s[i], &e2) < 0)
            return at(x, rate, "arrival_rate: expected a rate such as 100/s, not '%s'%s",
                      r ? r : "(a list or map)", "");
    }
    return 0;
}

/* routing: {entry: {STATION: P, ...}, STATION: {STATION: P, ...}, ...}:
 * where requests enter, and from each station where they go next (what
 * a row leaves short of 1 leaves the system). The visits v solve
 * v = e + P^T v; each station's demand is its visits times its service. */
static int parse_routing(struct ctx *x, const yaml_node_t *r, struct hp_mva_network *net,
                         const struct given *g, double *single)
{
    int K = net->n_stations;
    double p[HP_MVA_MAX_STATIONS * HP_MVA_MAX_STATIONS] = {0}, e[HP_MVA_MAX_STATIONS] = {0};
    bool entry = false;
    if (r->type != YAML_MAPPING_NODE)
        return at(x, r, "'routing' maps entry and each station to where requests go next "
                        "({web: {db: 0.7}})%s%s",
                  "", "");
    for (yaml_node_pair_t *pr = r->data.mapping.pairs.start; pr < r->data.mapping.pairs.top;
         pr++) {
        const yaml_node_t *kn = yaml_document_get_node(&x->y.doc, pr->key),
                          *vn = yaml_document_get_node(&x->y.doc, pr->value);
        const char *from = scalar(kn);
        int i = -1;
        if (from && strcmp(from, "entry") == 0) {
            entry = true;
        } else if (!from || (i = find_station(net, from)) < 0) {
            return at(x, kn, "routing: no station '%s' (a key is entry or a station)%s",
                      from ? from : "?", "");
        }
        if (vn->type != YAML_MAPPING_NODE)
            return at(x, vn, "routing: %s: a map of next stations to probabilities%s",
                      from, "");
        double sum = 0;
        for (yaml_node_pair_t *q = vn->data.mapping.pairs.start; q < vn->data.mapping.pairs.top;
             q++) {
            const yaml_node_t *tn = yaml_document_get_node(&x->y.doc, q->key),
                              *pn = yaml_document_get_node(&x->y.doc, q->value);
            const char *to = scalar(tn);
            int j = to ? find_station(net, to) : -1;
            if (j < 0)
                return at(x, tn, "routing: no station '%s'%s", to ? to : "?", "");
            double f;
            int rc = number(x, pn, "a probability", &f);
            if (rc < 0)
                return rc;
            if (!(f >= 0 && f <= 1))
                return at(x, pn, "routing: %s: a probability from 0 to 1%s", scalar(pn), "");
            if (i < 0)
                e[j] += f;
            else
                p[i * K + j] += f;
            sum += f;
        }
        if (sum > 1 + 1e-9)
            return at(x, vn, "routing: the probabilities from %s add up to more than 1%s",
                      from, "");
        if (i < 0 && fabs(sum - 1) > 1e-9)
            return at(x, vn, "routing: the entry probabilities must add up to 1%s%s", "", "");
    }
    if (!entry)
        return at(x, r, "routing needs entry: where requests come in ({entry: {lb: 1}})%s%s", "",
                  "");
    for (int k = 0; k < K; k++) {
        if (g->fixed[k])
            return at(x, g->fixed[k],
                      "station '%s': with routing, visits are solved from it; give the service "
                      "time per visit (service), not demand or visits%s",
                      net->station_name[k], "");
        if (isnan(g->service[k]))
            return at(x, r, "station '%s' has no service time per visit, which routing needs%s",
                      net->station_name[k], "");
    }
    /* (I - P^T) v = e */
    double a[HP_MVA_MAX_STATIONS * HP_MVA_MAX_STATIONS];
    for (int i = 0; i < K; i++)
        for (int j = 0; j < K; j++)
            a[i * K + j] = (i == j) - p[j * K + i];
    gsl_matrix_view m = gsl_matrix_view_array(a, (size_t)K, (size_t)K);
    gsl_vector_view b = gsl_vector_view_array(e, (size_t)K);
    gsl_vector *v = gsl_vector_alloc((size_t)K);
    gsl_permutation *perm = gsl_permutation_alloc((size_t)K);
    if (!v || !perm) {
        gsl_vector_free(v);
        gsl_permutation_free(perm);
        return hp_err_set(x->y.err, -ENOMEM, "out of memory");
    }
    int sign;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_LU_decomp(&m.matrix, perm, &sign);
    double det = rc == GSL_SUCCESS ? gsl_linalg_LU_det(&m.matrix, sign) : 0;
    if (rc == GSL_SUCCESS && fabs(det) > 1e-12)
        rc = gsl_linalg_LU_solve(&m.matrix, perm, &b.vector, v);
    else
        rc = GSL_ESING;
    gsl_set_error_handler(old);
    for (int k = 0; rc == GSL_SUCCESS && k < K; k++) {
        double vis = gsl_vector_get(v, (size_t)k);
        if (!isfinite(vis) || vis < -1e-9) {
            rc = GSL_ESING;
            break;
        }
        net->visits[k] = vis > 0 ? vis : 0;
    }
    gsl_vector_free(v);
    gsl_permutation_free(perm);
    if (rc != GSL_SUCCESS)
        return at(x, r, "routing: requests can never leave (a loop with no way out): the "
                        "visits have no finite solution%s%s",
                  "", "");
    for (int k = 0; k < K; k++) {
        if (!(net->visits[k] > 0))
            return at(x, r, "routing: station '%s' is never visited%s", net->station_name[k],
                      "");
        single[k] = net->visits[k] * g->service[k];
    }
    net->routed = true;
    return 0;
}

static int parse_network(struct ctx *x, struct hp_mva_network *net)
{
    static const char *const top_keys[] = {"stations", "workload", "classes", "routing",
                                           "objective"};
    static const char *const workload_keys[] = {"users", "think", "arrival_rate"};
    static const char *const class_keys[] = {"name", "users", "think", "arrival_rate", "demands"};
    double single[HP_MVA_MAX_STATIONS];
    static struct given g;
    const yaml_node_t *root = yaml_document_get_root_node(&x->y.doc);
    int rc;

    memset(net, 0, sizeof *net);
    if (!root || root->type != YAML_MAPPING_NODE)
        return at(x, root, "expected a map with stations and a workload (or classes)%s%s", "", "");
    if ((rc = check_keys(x, root, top_keys, 5, "the file")) < 0)
        return rc;
    const yaml_node_t *obj = get(x, root, "objective");
    if (obj) {
        static const char *const obj_keys[] = {"response"};
        if (obj->type != YAML_MAPPING_NODE)
            return at(x, obj, "'objective' is a map: {response: 200ms}%s%s", "", "");
        if ((rc = check_keys(x, obj, obj_keys, 1, "the objective")) < 0)
            return rc;
        const yaml_node_t *resp = get(x, obj, "response");
        if (!resp)
            return at(x, obj, "the objective needs response: the response time to hold%s%s", "",
                      "");
        if ((rc = seconds(x, resp, "response", &net->objective_s)) < 0)
            return rc;
        if (!(net->objective_s > 0))
            return at(x, resp, "the response-time objective must be above 0%s%s", "", "");
    }
    if ((rc = parse_stations(x, get(x, root, "stations"), net, single, &g)) < 0)
        return rc;
    const yaml_node_t *routing = get(x, root, "routing");
    if (routing && (rc = parse_routing(x, routing, net, &g, single)) < 0)
        return rc;
    const yaml_node_t *workload = get(x, root, "workload"), *classes = get(x, root, "classes");
    if (workload && classes)
        return at(x, classes, "give one workload, or classes, not both%s%s", "", "");
    if (workload) {
        bool open;
        if (workload->type != YAML_MAPPING_NODE)
            return at(x, workload, "'workload' must be a map%s%s", "", "");
        if ((rc = check_keys(x, workload, workload_keys, 3, "the workload")) < 0)
            return rc;
        snprintf(net->class_name[0], sizeof net->class_name[0], "requests");
        net->n_classes = 1;
        if ((rc = parse_class(x, workload, net, 0, &open)) < 0)
            return rc;
        net->open = open;
        for (int k = 0; k < net->n_stations; k++) {
            if (isnan(single[k]))
                return at(x, get(x, root, "stations"),
                          "station '%s' has no demand (give demand, or service and visits)%s",
                          net->station_name[k], "");
            net->demand[0][k] = single[k];
        }
        return 0;
    }
    if (!classes || classes->type != YAML_SEQUENCE_NODE)
        return at(x, root, "expected a 'workload' map or a 'classes' list%s%s", "", "");
    for (yaml_node_item_t *it = classes->data.sequence.items.start;
         it < classes->data.sequence.items.top; it++) {
        const yaml_node_t *c = yaml_document_get_node(&x->y.doc, *it);
        int i = net->n_classes;
        bool open;
        if (!c || c->type != YAML_MAPPING_NODE)
            return at(x, c, "a class must be a map%s%s", "", "");
        if (i >= HP_MVA_MAX_CLASSES)
            return at(x, c, "more than 16 classes%s%s", "", "");
        if ((rc = check_keys(x, c, class_keys, 5, "a class")) < 0)
            return rc;
        const char *name = scalar(get(x, c, "name"));
        snprintf(net->class_name[i], sizeof net->class_name[i], "%s",
                 name && *name ? name : "class");
        if ((rc = parse_class(x, c, net, i, &open)) < 0)
            return rc;
        net->class_open[i] = open;
        /* Demands: per class, else the station's own demand. */
        for (int k = 0; k < net->n_stations; k++)
            net->demand[i][k] = isnan(single[k]) ? 0 : single[k];
        const yaml_node_t *dem = get(x, c, "demands");
        if (dem) {
            if (dem->type != YAML_MAPPING_NODE)
                return at(x, dem, "'demands' must map station names to times%s%s", "", "");
            for (yaml_node_pair_t *p = dem->data.mapping.pairs.start;
                 p < dem->data.mapping.pairs.top; p++) {
                const yaml_node_t *kn = yaml_document_get_node(&x->y.doc, p->key);
                const char *st = scalar(kn);
                int k = st ? find_station(net, st) : -1;
                if (k < 0) {
                    const char *names[HP_MVA_MAX_STATIONS];
                    for (int j = 0; j < net->n_stations; j++)
                        names[j] = net->station_name[j];
                    const char *near = st ? hp_nearest(st, names, net->n_stations) : NULL;
                    return at(x, kn, near ? "no station '%s' (did you mean '%s'?)"
                                          : "no station '%s'%s",
                              st ? st : "", near ? near : "");
                }
                if ((rc = seconds(x, yaml_document_get_node(&x->y.doc, p->value), "demand",
                                  &net->demand[i][k])) < 0)
                    return rc;
            }
        }
        net->n_classes++;
    }
    if (net->n_classes == 0)
        return at(x, classes, "'classes' is empty%s%s", "", "");
    int n_open = 0;
    for (int c = 0; c < net->n_classes; c++)
        n_open += net->class_open[c];
    net->open = n_open == net->n_classes;
    net->mixed = n_open > 0 && !net->open;
    return 0;
}

int hp_mva_parse(const char *text, size_t len, const char *name, struct hp_mva_network *out,
                 struct hp_err *err)
{
    struct ctx x;
    int rc = hp_ydoc_parse(&x.y, text, len, name, err);
    if (rc == 0)
        rc = parse_network(&x, out);
    hp_ydoc_fini(&x.y);
    return rc;
}

int hp_mva_load(const char *path, struct hp_mva_network *out, struct hp_err *err)
{
    char *text = NULL;
    size_t len;
    int rc = hp_file_read(path, MAX_FILE_BYTES, &text, &len, err);
    if (rc < 0)
        return rc;
    rc = hp_mva_parse(text, len, path, out, err);
    hp_free(text);
    return rc;
}
