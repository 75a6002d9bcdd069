// SPDX-License-Identifier: MIT
/* Unit tests for model/mva.c against PDQ's published example models
 * (tests/data/mva_pdq_published.csv, mva_multiclass_pdq_mctest.csv: PDQ's
 * printed values and exact references). */
#include <string.h>

#include "model/mva.h"
#include "model/mva_yaml.h"
#include "testutil.h"

static struct hp_mva_network closed_one(double demand, int users, double think)
{
    struct hp_mva_network net = {.n_stations = 1, .n_classes = 1};
    strcpy(net.station_name[0], "cpu");
    strcpy(net.class_name[0], "users");
    net.demand[0][0] = demand;
    net.population[0] = users;
    net.think_s[0] = think;
    return net;
}

static void mva_closed1_matches_pdq(void **state)
{
    (void)state;
    /* closed1.c: 1 FCFS node D = 0.63 s; N = 100, Z = 300 s. */
    struct hp_mva_network net = closed_one(0.63, 100, 300);
    struct hp_mva_result r;
    assert_int_equal(hp_mva_solve(&net, &r, NULL), 0);
    assert_int_equal(r.method, HP_MVA_EXACT);
    assert_close(r.throughput[0], 0.332453152876945, 1e-12, 0);
    assert_close(r.response_s[0], 0.794259686308592, 1e-12, 0);
    assert_close(r.utilisation[0] * 100, 20.9445486312476, 1e-12, 0);
    assert_close(r.queue[0][0], 0.264054136916345, 1e-12, 0);
}

static void mva_schweitzer_is_its_fixed_point(void **state)
{
    (void)state;
    /* closed.c: D = 0.1 s, N = 3, Z = 0.1 s. Exact MVA: X = 9.375, R = 0.22,
     * Q = 2.0625. Bard-Schweitzer's fixed point: X = 8.78679656, R = 0.241421356,
     * Q = 2.12132034 (PDQ's APPROX prints it to 0.01%). */
    struct hp_mva_network net = closed_one(0.1, 3, 0.1);
    struct hp_mva_result r;
    assert_int_equal(hp_mva_solve(&net, &r, NULL), 0);
    assert_close(r.throughput[0], 9.375, 1e-12, 0);
    assert_close(r.response_s[0], 0.22, 1e-12, 0);
    assert_close(r.queue[0][0], 2.0625, 1e-12, 0);
    assert_int_equal(hp_mva_solve_schweitzer(&net, &r, NULL), 0);
    assert_int_equal(r.method, HP_MVA_SCHWEITZER);
    assert_close(r.throughput[0], 8.78679656, 1e-8, 0);
    assert_close(r.response_s[0], 0.241421356, 1e-8, 0);
    assert_close(r.queue[0][0], 2.12132034, 1e-8, 0);
}

static void mva_multiclass_matches_pdq_mc_test(void **state)
{
    (void)state;
    /* mc-test.c: 3 FCFS nodes; term1 N=5 Z=20, term2 N=15 Z=30, batch N=5 Z=0. */
    static const double d[3][3] = {{0.50, 0.40, 1.20}, {0.04, 0.20, 0.05}, {0.06, 0.30, 0.06}};
    static const int users[3] = {5, 15, 5};
    static const double think[3] = {20, 30, 0};
    /* Exact references, per class: X, R; per class and node: U, Q, residence. */
    static const double X[3] = {0.198372545053251, 0.476841556768154, 2.74724556245837};
    static const double R[3] = {5.20510083014665, 1.45698982627298, 1.82000475979502};
    static const double Q[3][3] = {{0.134975875702771, 0.518396139612024, 0.379177083620185},
                                   {0.0265289346581646, 0.627678433100246, 0.0405459291969604},
                                   {0.229267577501233, 4.48936397871788, 0.281368443780891}};
    static const double Res[3][3] = {
        {0.680416111345136, 2.61324539377597, 1.91143932502554},
        {0.0556346951762496, 1.31632493894703, 0.0850301921497045},
        {0.0834536164637838, 1.63413276194377, 0.102418381387468}};
    struct hp_mva_network net = {.n_stations = 3, .n_classes = 3};
    for (int c = 0; c < 3; c++) {
        snprintf(net.class_name[c], sizeof net.class_name[c], "class%d", c);
        net.population[c] = users[c];
        net.think_s[c] = think[c];
        for (int k = 0; k < 3; k++)
            net.demand[c][k] = d[c][k];
    }
    for (int k = 0; k < 3; k++)
        snprintf(net.station_name[k], sizeof net.station_name[k], "node%d", k + 1);
    struct hp_mva_result r;
    assert_int_equal(hp_mva_solve(&net, &r, NULL), 0);
    for (int c = 0; c < 3; c++) {
        assert_close(r.throughput[c], X[c], 1e-12, 0);
        assert_close(r.response_s[c], R[c], 1e-12, 0);
        for (int k = 0; k < 3; k++) {
            assert_close(r.queue[c][k], Q[c][k], 1e-12, 0);
            assert_close(r.residence_s[c][k], Res[c][k], 1e-12, 0);
        }
    }
    /* node2's batch utilisation: 82.4173668737511%. */
    assert_close(r.throughput[2] * net.demand[2][1] * 100, 82.4173668737511, 1e-12, 0);
    /* node2 is the most utilised: 0.0793 + 0.0954 + 0.8242. */
    assert_int_equal(r.bottleneck, 1);
    assert_close(r.utilisation[1], 0.0793490180213004 + 0.0953683113536309 + 0.824173668737512,
                 1e-12, 0);
}

static void mva_open_passport_matches_pdq(void **state)
{
    (void)state;
    /* passport.c: lambda = 0.00427/s; routing p12 = .3, p13 = .7, p23 = .2,
     * p32 = .1; service 20, 600, 300, 60 s. Visits: v2 = 0.3 + 0.1 v3 and
     * v3 = 0.7 + 0.2 v2, so v2 = 0.37 / 0.98 and v3 = 0.7 + 0.2 v2; demands
     * are service times visits. */
    double v2 = 0.37 / 0.98, v3 = 0.7 + 0.2 * v2;
    struct hp_mva_network net = {.n_stations = 4, .n_classes = 1, .open = true};
    double dem[4] = {20, 600 * v2, 300 * v3, 60};
    for (int k = 0; k < 4; k++) {
        snprintf(net.station_name[k], sizeof net.station_name[k], "window%d", k + 1);
        net.demand[0][k] = dem[k];
    }
    strcpy(net.class_name[0], "applicants");
    net.arrival_per_s[0] = 0.00427;
    struct hp_mva_result r;
    assert_int_equal(hp_mva_solve(&net, &r, NULL), 0);
    assert_close(r.response_s[0], 42430.777568557, 1e-9, 0);
    assert_close(r.utilisation[2] * 100, 99.3428571428571, 1e-12, 0);
    assert_close(r.residence_s[0][1], 6924.51653150343, 1e-9, 0);
    /* One more applicant an hour and window 3 cannot keep up. */
    net.arrival_per_s[0] = 0.0046;
    struct hp_err err;
    assert_int_equal(hp_mva_solve(&net, &r, &err), HP_ERANGE);
    assert_non_null(strstr(err.msg, "unstable: station window3"));
}

static void mva_large_populations_use_schweitzer(void **state)
{
    (void)state;
    /* 5 classes of 100: 101^5 population vectors, past exact MVA's budget */
    struct hp_mva_network net = {.n_stations = 2, .n_classes = 5};
    for (int c = 0; c < 5; c++) {
        net.population[c] = 100;
        net.think_s[c] = 1;
        net.demand[c][0] = 0.002 * (c + 1);
        net.demand[c][1] = 0.001;
    }
    struct hp_mva_result r;
    assert_int_equal(hp_mva_solve(&net, &r, NULL), 0);
    assert_int_equal(r.method, HP_MVA_SCHWEITZER);
    /* Throughput bounds hold: X_c <= N_c / (Z_c + D_c), U_k < 1. */
    for (int c = 0; c < 5; c++)
        assert_true(r.throughput[c] <= 100 / (1 + net.demand[c][0] + net.demand[c][1]) + 1e-9);
    assert_true(r.utilisation[0] < 1 + 1e-9);
    /* with a multi-server station, past the budget: Seidmann's split, said */
    net.servers[0] = 4;
    assert_int_equal(hp_mva_solve(&net, &r, NULL), 0);
    assert_true(r.seidmann);
    assert_true(r.exact_ops > HP_MVA_EXACT_OPS);
}

/* Exact multi-class load-dependent MVA with one class empty is the one-class
 * recursion; with two classes of equal demands it is that of their sum
 * (the station cannot tell them apart). */
static void mva_multiclass_load_dependent_reduces_to_one_class(void **state)
{
    (void)state;
    struct hp_mva_network one = closed_one(0.3, 9, 2.0), two;
    one.n_stations = 3;
    one.servers[0] = 3;
    one.kind[1] = HP_MVA_QUEUE;
    one.demand[0][1] = 0.12;
    one.n_rates[2] = 3;
    one.rates[2][0] = 1, one.rates[2][1] = 1.6, one.rates[2][2] = 2.1;
    one.demand[0][2] = 0.2;
    struct hp_mva_result a, b;
    assert_int_equal(hp_mva_solve(&one, &a, NULL), 0);
    assert_int_equal(a.method, HP_MVA_LOAD_DEPENDENT);
    two = one;
    two.n_classes = 2;
    two.population[0] = 5;
    two.population[1] = 4;
    two.think_s[1] = 2.0;
    for (int k = 0; k < 3; k++)
        two.demand[1][k] = one.demand[0][k];
    assert_int_equal(hp_mva_solve(&two, &b, NULL), 0);
    assert_int_equal(b.method, HP_MVA_LOAD_DEPENDENT);
    assert_false(b.seidmann);
    assert_close(b.throughput[0] + b.throughput[1], a.throughput[0], 1e-12, 0);
    assert_close(b.throughput[0] / 5, b.throughput[1] / 4, 1e-12, 0);
    for (int k = 0; k < 3; k++) {
        assert_close(b.queue[0][k] + b.queue[1][k], a.queue[0][k], 1e-12, 0);
        assert_close(b.utilisation[k], a.utilisation[k], 1e-12, 0);
    }
    two.population[1] = 0; /* an empty class changes nothing */
    two.population[0] = 9;
    assert_int_equal(hp_mva_solve(&two, &b, NULL), 0);
    assert_close(b.throughput[0], a.throughput[0], 1e-12, 0);
    assert_close(b.response_s[0], a.response_s[0], 1e-12, 0);
    assert_close(b.throughput[1], 0, 0, 0);
}

/* The machine-repairman model as a birth-death chain: j requests at a
 * c-server station of demand D, the other N - j thinking for Z. Rates up
 * (N - j)/Z, down min(j, c)/D; p_j from the product of their ratios; X is
 * the service completion rate sum p_j min(j, c) / D. */
static double repairman_throughput(int n, int c, double d, double z)
{
    double p[1024], sum = 0, x = 0;
    p[0] = 1;
    for (int j = 1; j <= n; j++)
        p[j] = p[j - 1] * ((n - j + 1) / z) / ((j < c ? j : c) / d);
    for (int j = 0; j <= n; j++)
        sum += p[j];
    for (int j = 0; j <= n; j++)
        x += p[j] / sum * (j < c ? j : c) / d;
    return x;
}

static void mva_multi_server_matches_a_markov_chain(void **state)
{
    (void)state;
    struct hp_mva_network net = closed_one(2.0, 1, 5.0);
    net.servers[0] = 3;
    for (int n = 1; n <= 60; n += 7) {
        struct hp_mva_result r;
        net.population[0] = n;
        assert_int_equal(hp_mva_solve(&net, &r, NULL), 0);
        assert_int_equal(r.method, HP_MVA_LOAD_DEPENDENT);
        assert_close(r.throughput[0], repairman_throughput(n, 3, 2.0, 5.0), 1e-9, 0);
        /* Little's law on the whole loop: N = X (Z + R). */
        assert_close(r.throughput[0] * (5.0 + r.response_s[0]), n, 1e-9, 0);
    }
    /* The one-pass curve gives the same as solving each population. */
    double cx[61], cr[61];
    assert_int_equal(hp_mva_curve(&net, 60, cx, cr, NULL), 0);
    for (int n = 1; n <= 60; n += 11)
        assert_close(cx[n], repairman_throughput(n, 3, 2.0, 5.0), 1e-9, 0);
    /* Z = 0, two servers, three requests: both servers always busy. */
    struct hp_mva_network busy = closed_one(1.0, 3, 0);
    busy.servers[0] = 2;
    struct hp_mva_result r;
    assert_int_equal(hp_mva_solve(&busy, &r, NULL), 0);
    assert_close(r.throughput[0], 2, 1e-12, 0);
    assert_close(r.response_s[0], 1.5, 1e-12, 0);
    assert_close(r.utilisation[0], 1, 1e-12, 0);
}

static void mva_yaml_reads_one_and_many_classes(void **state)
{
    (void)state;
    struct hp_mva_network net;
    struct hp_err err;
    const char *one = "stations:\n  - {name: web, demand: 5ms}\n  - {name: db, service: 2ms, "
                      "visits: 4}\n  - {name: lb, type: delay, demand: 0.001}\n"
                      "workload: {users: 10, think: 1s}\n";
    assert_int_equal(hp_mva_parse(one, strlen(one), "one.yaml", &net, &err), 0);
    assert_int_equal(net.n_stations, 3);
    assert_false(net.open);
    assert_close(net.demand[0][1], 0.008, 1e-15, 0);
    assert_int_equal(net.kind[2], HP_MVA_DELAY);
    assert_int_equal(net.population[0], 10);
    const char *open = "stations: [{name: a, demand: 10ms}]\nworkload: {arrival_rate: 50/s}\n";
    assert_int_equal(hp_mva_parse(open, strlen(open), "open.yaml", &net, &err), 0);
    assert_true(net.open);
    assert_close(net.arrival_per_s[0], 50, 0, 0);
}

static void mva_yaml_errors_name_line_and_column(void **state)
{
    (void)state;
    static const struct { const char *text; int line, col; const char *says; } bad[] = {
        {"stations:\n  - {name: web, demnad: 5ms}\nworkload: {users: 1}\n", 2, 17,
         "unknown key 'demnad' in a station (did you mean 'demand'?)"},
        {"stations:\n  - {name: web, demand: fast}\nworkload: {users: 1}\n", 2, 25,
         "demand: 'fast' is not a time"},
        {"stations: [{name: a, demand: 1ms}]\nworkload: {users: 2, arrival_rate: 5}\n", 2, 36,
         "not both"},
        {"stations: [{name: a}]\nclasses:\n  - {name: c, users: 1, demands: {b: 1ms}}\n", 3,
         35, "no station 'b'"},
        {"stations: [{name: a, demand: 1ms, servers: 2.5}]\nworkload: {users: 1}\n", 1, 44,
         "expected a whole number"},
        {"stations: [{name: a, demand: 1ms}\n", 2, 1, "did not find expected"},
        {"stashions: []\n", 1, 1, "did you mean 'stations'?"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hp_mva_network net;
        struct hp_err err = {0};
        assert_true(hp_mva_parse(bad[i].text, strlen(bad[i].text), "x.yaml", &net, &err) < 0);
        if (!strstr(err.msg, bad[i].says) || err.line != bad[i].line || err.col != bad[i].col)
            fail_msg("case %zu: %d:%d '%s' (want %d:%d '%s')", i, err.line, err.col, err.msg,
                     bad[i].line, bad[i].col, bad[i].says);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mva_closed1_matches_pdq),
        cmocka_unit_test(mva_schweitzer_is_its_fixed_point),
        cmocka_unit_test(mva_multiclass_matches_pdq_mc_test),
        cmocka_unit_test(mva_open_passport_matches_pdq),
        cmocka_unit_test(mva_large_populations_use_schweitzer),
        cmocka_unit_test(mva_multi_server_matches_a_markov_chain),
        cmocka_unit_test(mva_multiclass_load_dependent_reduces_to_one_class),
        cmocka_unit_test(mva_yaml_reads_one_and_many_classes),
        cmocka_unit_test(mva_yaml_errors_name_line_and_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
