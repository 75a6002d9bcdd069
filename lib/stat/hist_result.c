// SPDX-License-Identifier: MIT
/* stat/hist_result.c - see hist_result.h. */
#include "stat/hist_result.h"

#include <errno.h>
#include <stdio.h>

#include "core/alloc.h"
#include "stat/hist_codec.h"

int hp_result_histogram(struct hp_result *r, const char *name, const char *unit,
                        const struct hp_hist *h)
{
    static const double pcts[] = {50, 75, 90, 95, 99, 99.9, 99.99, 99.999, 100};
    char *data = NULL;
    json_t *obj = NULL, *p = NULL;
    int rc = hp_hist_encode(h, &data);

    if (rc < 0)
        return rc;
    rc = -ENOMEM;
    p = json_object();
    if (!p)
        goto out;
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++) {
        char key[16];
        snprintf(key, sizeof key, "%g", pcts[i]);
        if (json_object_set_new(p, key, json_integer(hp_hist_value_at_percentile(h, pcts[i]))) < 0)
            goto out;
    }
    obj = json_pack("{s:s,s:I,s:I,s:I,s:f,s:f,s:O,s:{s:I,s:I,s:i},s:s,s:s}", "unit", unit, "count",
                    (json_int_t)h->total_count, "min", (json_int_t)hp_hist_min(h), "max",
                    (json_int_t)hp_hist_max(h), "mean", hp_hist_mean(h), "stddev",
                    hp_hist_stddev(h), "percentiles", p, "layout", "lowest", (json_int_t)h->lowest,
                    "highest", (json_int_t)h->highest, "sigfigs", h->sigfigs, "encoding",
                    "hdrhistogram-v2-deflate-base64", "data", data);
    if (!obj)
        goto out;
    rc = json_object_set_new(json_object_get(hp_result_json(r), "histograms"), name, obj) < 0
             ? -ENOMEM
             : 0;
    obj = NULL;
out:
    json_decref(obj);
    json_decref(p);
    hp_free(data);
    return rc;
}

int hp_result_get_histogram(const struct hp_result *r, const char *name, struct hp_hist **out,
                            struct hp_err *err)
{
    json_t *h =
        json_object_get(json_object_get(hp_result_json((struct hp_result *)r), "histograms"), name);
    json_t *data = json_object_get(h, "data");
    if (!json_is_string(data))
        return hp_err_set(err, -ENOENT, "no histogram \"%s\" in the document", name);
    return hp_hist_decode(json_string_value(data), json_string_length(data), out, err);
}
