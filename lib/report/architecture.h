/* SPDX-License-Identifier: MIT */
/* report/architecture.h - the Architecture Review of a design before it is
 * built, from the same YAML as `model mva`: the workload; each station's
 * demand, utilisation, queue and residence at the given load; the
 * bottleneck and the asymptotic bounds; the population (one closed class),
 * the arrival rate (one open class) or the multiple of today's load
 * (several classes, the mix kept) at which the response-time objective
 * breaks, with the response-time curves; and the what-ifs (twice the servers, half the
 * demand, at each queueing station) ranked by how far each moves that
 * point, each recommendation tied to its figure. */
#ifndef HP_REPORT_ARCHITECTURE_H
#define HP_REPORT_ARCHITECTURE_H

#include "core/err.h"
#include "model/mva.h"
#include "report/doc.h"

/* name: the file, for the title. 0, -ENOMEM, or the model's error. */
int hp_report_architecture(const struct hp_mva_network *net, const char *name,
                           struct hp_rdoc **out, struct hp_err *err);

#endif
