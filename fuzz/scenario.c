// SPDX-License-Identifier: MIT
/* fuzz/scenario.c - scenario files (net/scenario.h): YAML through libyaml,
 * then our validation of scenarios, requests, templates and thresholds.
 * Invariants: failure says why; success gives scenarios with 1 to 64
 * requests whose templates render within the engine's bound, and positive
 * weights. Data and body files are not found here, which is fine: those
 * paths are errors too. */
#include <string.h>

#include "core/alloc.h"
#include "fuzz.h"
#include "load/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hp_scenario_file *f = NULL;
    struct hp_err err = {0};
    if (size > 64 * 1024)
        return 0;
    if (hp_scenario_parse((const char *)data, size, "/nonexistent/fuzz.yaml", &f, &err) < 0) {
        FUZZ_ASSERT(err.msg[0]);
        FUZZ_ASSERT(f == NULL);
        return 0;
    }
    FUZZ_ASSERT(f->n >= 1 && f->n <= HP_SCENARIO_MAX);
    for (int i = 0; i < f->n; i++) {
        const struct hp_scenario *sc = f->sc[i];
        FUZZ_ASSERT(sc->n_requests >= 1 && sc->n_requests <= HP_LOAD_MAX_MIX);
        FUZZ_ASSERT(sc->cfg.n_mix == sc->n_requests);
        FUZZ_ASSERT(sc->cfg.connections >= sc->cfg.threads);
        for (int k = 0; k < sc->n_requests; k++) {
            FUZZ_ASSERT(sc->mix[k].weight > 0);
            /* No data here: templates have no variables, so they render as is. */
            char *buf = hp_malloc(sc->heads[k].literal_len + 1);
            if (buf) {
                FUZZ_ASSERT(hp_template_render(&sc->heads[k], NULL, NULL, buf) ==
                            sc->heads[k].literal_len);
                FUZZ_ASSERT(memcmp(buf + sc->heads[k].literal_len - 2, "\r\n", 2) == 0);
                hp_free(buf);
            }
        }
    }
    hp_scenario_free(f);
    return 0;
}
