// SPDX-License-Identifier: MIT
/* Unit tests for model/queue.c: textbook values derived in the comments,
 * and a simulation (FCFS, each arrival to the earliest free server) for the
 * M/M/c response-time percentiles and the Pollaczek-Khinchine means. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "model/queue.h"
#include "stat/stats.h"
#include "testutil.h"

static struct hp_queue_result solve(struct hp_queue q)
{
    struct hp_queue_result r;
    struct hp_err err;
    if (hp_queue_solve(&q, &r, &err) != 0)
        fail_msg("%s", err.msg);
    return r;
}

static void queue_mm1_textbook(void **state)
{
    (void)state;
    /* lambda 8/s, S 0.1 s (mu 10/s): rho 0.8; W = S/(1-rho) = 0.5 s;
     * Wq = rho S/(1-rho) = 0.4 s; L = rho/(1-rho) = 4; Lq = rho^2/(1-rho) = 3.2;
     * R is exponential with rate mu - lambda = 2/s: p99 = ln(100)/2. */
    struct hp_queue q = {HP_QUEUE_MM1, 8, 0.1, 1, 0};
    struct hp_queue_result r = solve(q);
    assert_close(r.utilisation, 0.8, 1e-12, 0);
    assert_close(r.p_wait, 0.8, 1e-12, 0);
    assert_close(r.mean_response_s, 0.5, 1e-12, 0);
    assert_close(r.mean_wait_s, 0.4, 1e-12, 0);
    assert_close(r.mean_in_system, 4, 1e-12, 0);
    assert_close(r.mean_queue, 3.2, 1e-12, 0);
    assert_close(hp_queue_response_percentile(&q, &r, 0.99), log(100) / 2, 1e-9, 0);
    assert_close(hp_queue_response_percentile(&q, &r, 0.5), log(2) / 2, 1e-9, 0);
}

static void queue_erlang_b_and_c(void **state)
{
    (void)state;
    /* M/M/2, a = 1 Erlang: B(2,1) = (1/2)/(1 + 1 + 1/2) = 0.2;
     * C = c B / (c - a (1 - B)) = 0.4 / 1.2 = 1/3; Wq = C S / (c - a) = S/3. */
    struct hp_queue q = {HP_QUEUE_MMC, 1, 1, 2, 0};
    struct hp_queue_result r = solve(q);
    assert_close(r.erlang_b, 0.2, 1e-12, 0);
    assert_close(r.p_wait, 1.0 / 3, 1e-12, 0);
    assert_close(r.mean_wait_s, 1.0 / 3, 1e-12, 0);
    /* The classic table value: B(10, 5) = 0.018385. */
    struct hp_queue big = {HP_QUEUE_MMC, 5, 1, 10, 0};
    assert_close(solve(big).erlang_b, 0.0183846, 1e-5, 0);
}

static void queue_refuses_unstable_systems(void **state)
{
    (void)state;
    struct hp_queue q = {HP_QUEUE_MM1, 12.5, 0.1, 1, 0};
    struct hp_queue_result r;
    struct hp_err err;
    assert_int_equal(hp_queue_solve(&q, &r, &err), HP_ERANGE);
    assert_non_null(strstr(err.msg, "unstable: utilisation 1.25"));
    assert_non_null(strstr(err.msg, "by 25%"));
}

/* FCFS c-server queue, Poisson arrivals; service from `draw`. */
static void simulate(struct hp_queue q, int n, double *resp, double *mean_wait)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    double *free_at = calloc((size_t)q.servers, sizeof *free_at), t = 0, wait = 0;
    for (int i = 0; i < n; i++) {
        t += gsl_ran_exponential(rng, 1 / q.arrival_per_s);
        int best = 0;
        for (int k = 1; k < q.servers; k++)
            if (free_at[k] < free_at[best])
                best = k;
        double start = t > free_at[best] ? t : free_at[best];
        double svc = q.kind == HP_QUEUE_MD1 ? q.service_s
                     : q.kind == HP_QUEUE_MG1
                         ? gsl_ran_gamma(rng, 1 / q.scv, q.service_s * q.scv)
                         : gsl_ran_exponential(rng, q.service_s);
        free_at[best] = start + svc;
        resp[i] = start + svc - t;
        wait += start - t;
    }
    *mean_wait = wait / n;
    free(free_at);
    gsl_rng_free(rng);
}

static void queue_mmc_percentiles_match_simulation(void **state)
{
    (void)state;
    enum { N = 400000 };
    double *resp = malloc(N * sizeof *resp), wait;
    struct hp_queue q = {HP_QUEUE_MMC, 30, 0.1, 4, 0}; /* rho 0.75 */
    struct hp_queue_result r = solve(q);
    simulate(q, N, resp, &wait);
    assert_close(wait, r.mean_wait_s, 0.05, 0);
    for (double p = 0.5; p < 0.9995; p = 1 - (1 - p) / 2) {
        double want = hp_quantile(resp, N, p);
        assert_close(hp_queue_response_percentile(&q, &r, p), want, 0.03, 0);
    }
    free(resp);
}

static void queue_pollaczek_khinchine_matches_simulation(void **state)
{
    (void)state;
    enum { N = 400000 };
    double *resp = malloc(N * sizeof *resp), wait;
    /* M/D/1, rho 0.5, S 1: Wq = rho S / (2 (1 - rho)) = 0.5. */
    struct hp_queue d = {HP_QUEUE_MD1, 0.5, 1, 1, 0};
    struct hp_queue_result r = solve(d);
    assert_close(r.mean_wait_s, 0.5, 1e-12, 0);
    assert_false(r.percentiles_exact);
    simulate(d, N, resp, &wait);
    assert_close(wait, 0.5, 0.05, 0);
    /* M/G/1 with gamma service, cs^2 = 2: Wq = rho S (1 + 2) / (2 (1 - rho)). */
    struct hp_queue g = {HP_QUEUE_MG1, 0.7, 1, 1, 2};
    r = solve(g);
    assert_close(r.mean_wait_s, 0.7 * 3 / (2 * 0.3), 1e-12, 0);
    simulate(g, N, resp, &wait);
    assert_close(wait, r.mean_wait_s, 0.1, 0);
    /* The approximate p99 lands within 25% of the simulated one here. */
    assert_close(hp_queue_response_percentile(&g, &r, 0.99), hp_quantile(resp, N, 0.99), 0.25, 0);
    free(resp);
}

static void queue_servers_for_targets(void **state)
{
    (void)state;
    struct hp_queue q = {HP_QUEUE_MMC, 100, 0.05, 1, 0}; /* a = 5 Erlangs */
    struct hp_err err;
    int c;
    assert_int_equal(hp_queue_servers_for_response(&q, 0.99, 0.3, &c, &err), 0);
    /* c is the fewest: c - 1 misses the target, c meets it. */
    struct hp_queue t = q;
    t.servers = c;
    struct hp_queue_result r = solve(t);
    assert_true(hp_queue_response_percentile(&t, &r, 0.99) <= 0.3);
    t.servers = c - 1;
    if (c - 1 > 5) {
        r = solve(t);
        assert_true(hp_queue_response_percentile(&t, &r, 0.99) > 0.3);
    }
    assert_int_equal(hp_queue_servers_for_wait(&q, 0.01, &c, &err), 0);
    t.servers = c;
    assert_true(solve(t).p_wait <= 0.01);
    t.servers = c - 1;
    assert_true(solve(t).p_wait > 0.01);
    /* Below the service time's own p99 (ln(100) * 0.05 = 0.23 s): impossible. */
    assert_int_equal(hp_queue_servers_for_response(&q, 0.99, 0.2, &c, &err), HP_ERANGE);
    assert_non_null(strstr(err.msg, "service time alone"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queue_mm1_textbook),
        cmocka_unit_test(queue_erlang_b_and_c),
        cmocka_unit_test(queue_refuses_unstable_systems),
        cmocka_unit_test(queue_mmc_percentiles_match_simulation),
        cmocka_unit_test(queue_pollaczek_khinchine_matches_simulation),
        cmocka_unit_test(queue_servers_for_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
