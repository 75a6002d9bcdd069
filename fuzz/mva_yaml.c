// SPDX-License-Identifier: MIT
/* fuzz/mva_yaml.c - architecture files for `model mva`, and the solver on
 * whatever they describe (populations capped so a run stays short).
 * Invariants: errors carry a message; results are finite. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "model/mva_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hp_mva_network net;
    static struct hp_mva_result r;
    struct hp_err err = {0};
    if (size > 16384)
        return 0;
    if (hp_mva_parse((const char *)data, size, "fuzz.yaml", &net, &err) != 0) {
        FUZZ_ASSERT(err.msg[0]);
        return 0;
    }
    double vectors = 1;
    for (int c = 0; c < net.n_classes; c++) {
        if (net.population[c] > 200)
            net.population[c] = 200;
        vectors *= net.population[c] + 1;
    }
    if (vectors > 1e5)
        return 0;
    if (hp_mva_solve(&net, &r, &err) == 0)
        for (int c = 0; c < net.n_classes; c++)
            FUZZ_ASSERT(!isnan(r.throughput[c]) && r.throughput[c] >= 0);
    return 0;
}
