// SPDX-License-Identifier: MIT
/* Unit tests of net/scenario: what a file turns into (executors, stages,
 * inherited headers, the rendered request bytes), and that a failed
 * allocation anywhere leaves nothing behind. */
#include <string.h>

#include "core/clock.h"
#include "load/scenario.h"
#include "testutil.h"

static const char *shop =
    "base_url: http://127.0.0.1:8080\n"
    "headers: {Accept: application/json, X-Env: test}\n"
    "timeout: 5s\n"
    "scenarios:\n"
    "  browse:\n"
    "    executor: ramping-vus\n"
    "    stages:\n"
    "      - {duration: 10s, target: 20}\n"
    "      - {duration: 20s, target: 20}\n"
    "    think: uniform:1s:3s\n"
    "    requests:\n"
    "      - name: home\n"
    "        path: /\n"
    "        headers: {X-Env: prod}\n"
    "        weight: 3\n"
    "      - method: POST\n"
    "        path: /login\n"
    "        body: '{\"u\": 1}'\n"
    "        checks: [{status: 2xx}, {body_contains: ok}]\n"
    "  buy:\n"
    "    executor: constant-arrival-rate\n"
    "    rate: 2k/s\n"
    "    duration: 1m\n"
    "    start: 30s\n"
    "    arrival: poisson\n"
    "    requests:\n"
    "      - {path: /cart, tags: {kind: api}}\n"
    "thresholds:\n"
    "  http_req_duration{kind:api}: ['p(99) < 1s']\n";

static size_t render(const struct hp_scenario *sc, int k, char *out)
{
    const struct hp_load_request *q = &sc->mix[k];
    size_t n = hp_template_render(q->head, NULL, NULL, out);
    if (q->wants_length)
        n += (size_t)sprintf(out + n, "Content-Length: %zu\r\n",
                             hp_template_length(q->body, NULL));
    n += (size_t)sprintf(out + n, "\r\n");
    n += hp_template_render(q->body, NULL, NULL, out + n);
    out[n] = '\0';
    return n;
}

static void scenario_reads_executors_and_requests(void **state)
{
    (void)state;
    struct hp_scenario_file *f;
    struct hp_err err = {0};
    assert_int_equal(hp_scenario_parse(shop, strlen(shop), "shop.yaml", &f, &err), 0);
    assert_int_equal(f->n, 2);
    const struct hp_scenario *b = f->sc[0], *y = f->sc[1];
    assert_string_equal(b->name, "browse");
    assert_false(b->cfg.open_model);
    assert_true(b->cfg.ramp_connections);
    assert_int_equal(b->cfg.connections, 20);
    assert_int_equal(b->cfg.duration_ns, 30 * HP_NS_PER_S);
    assert_int_equal(b->cfg.timeout_ns, 5 * HP_NS_PER_S); /* inherited */
    assert_true(b->cfg.think);
    assert_int_equal(b->n_requests, 2);
    assert_string_equal(b->request_names[1], "POST /login");
    assert_close(b->mix[0].weight, 3, 0, 0);
    assert_int_equal(b->mix[1].n_checks, 2);
    char out[512];
    render(b, 0, out);
    /* The request's X-Env replaces the file's; Host comes from base_url. */
    assert_string_equal(out, "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                             "Accept: application/json\r\nX-Env: prod\r\n\r\n");
    render(b, 1, out);
    assert_string_equal(out, "POST /login HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                             "Accept: application/json\r\nX-Env: test\r\n"
                             "Content-Length: 8\r\n\r\n{\"u\": 1}");
    assert_true(y->cfg.open_model);
    assert_true(y->cfg.poisson);
    assert_close(y->target_rate, 2000, 1e-9, 0);
    assert_int_equal(y->start_ns, 30 * HP_NS_PER_S);
    assert_int_equal(y->cfg.connections, 100); /* the open model's default cap */
    assert_int_equal(f->n_thresholds, 1);
    assert_string_equal(f->thresholds[0].tag_key, "kind");
    hp_scenario_free(f);
}

static int parse_and_free(void)
{
    struct hp_scenario_file *f = NULL;
    int rc = hp_scenario_parse(shop, strlen(shop), "shop.yaml", &f, NULL);
    hp_scenario_free(f);
    return rc;
}

static void scenario_survives_failed_allocations(void **state)
{
    (void)state;
    ALLOC_SWEEP(parse_and_free());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scenario_reads_executors_and_requests),
        cmocka_unit_test(scenario_survives_failed_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
