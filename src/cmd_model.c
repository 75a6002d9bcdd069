// SPDX-License-Identifier: MIT
/* src/cmd_model.c - `hotpath model usl|queue|mva|plan`: the options, shared by
 * all models so one help page describes them, and the dispatch to
 * model_<name>.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_model.h"
#include "cmds.h"
#include "core/units.h"

static const struct cli_opt model_opts[] = {
    {O_PREDICT, "predict", 0, "N,N,...", "usl: predict throughput and response time at these N."},
    {O_TARGET_X, "target-throughput", 0, "X",
     "usl: the smallest N that reaches throughput X (refused beyond the peak)."},
    {O_TARGET_R, "target-response", 0, "R",
     "usl: the N at which the response time N/X(N) reaches R (in 1/X's unit: seconds for X in "
     "requests per second)."},
    {O_SIGMA, "sigma", 0, "S",
     "usl: the model with these coefficients instead of a fit (with --kappa and --lambda, no "
     "FILE): its peak, limit, predictions and inverses."},
    {O_KAPPA, "kappa", 0, "K", "usl: the coherency coefficient of a given model (see --sigma)."},
    {O_LAMBDA, "lambda", 0, "X", "usl: X(1) of a given model, in throughput's unit (see --sigma)."},
    {O_KIND, "kind", 0, "mm1|mmc|md1|mg1",
     "queue: the model (default mm1, or mmc with --servers above 1)."},
    {O_ARRIVAL, "arrival-rate", 0, "RATE", "queue: arrivals per second (e.g. 800, 2k/s)."},
    {O_SERVICE, "service", 0, "DURATION", "queue: mean service time (e.g. 4ms)."},
    {O_SERVERS, "servers", 'c', "N", "queue: servers (M/M/c). Default 1."},
    {O_SCV, "scv", 0, "X",
     "queue mg1: squared coefficient of variation of the service time (1: exponential, 0: "
     "constant)."},
    {O_TARGET_P99, "target-p99", 0, "DURATION",
     "queue: the fewest M/M/c servers whose p99 response time is at most this."},
    {O_TARGET_WAIT, "target-wait", 0, "PCT",
     "queue: the fewest M/M/c servers whose probability of waiting is at most this."},
    {O_USERS, "users", 0, "A..B|CLASS=A..B|CLASS=N",
     "mva: throughput and response time for every population from A to B. With several "
     "classes, CLASS=A..B sweeps that class (the others stay at the file's populations; "
     "several ranges of as many points move together) and CLASS=N sets its population "
     "(repeatable)."},
    {O_METHOD, "method", 0, "auto|exact|schweitzer|seidmann",
     "mva: how to solve a closed network. auto (default): exact MVA while it costs under 1e9 "
     "operations, else Bard-Schweitzer, or Seidmann's split of multi-server stations; the "
     "others force one."},
    {O_SCALE, "scale", 0, "STATION=K",
     "mva what-if: K times the servers at STATION (repeatable)."},
    {O_CACHE, "cache", 0, "STATION=HIT",
     "mva what-if: a cache in front of STATION absorbs HIT of its visits (e.g. 0.8 or 80%)."},
    {O_DEMAND, "demand", 0, "STATION=xF|TIME",
     "mva what-if: multiply STATION's demand by F (x0.5) or set it (5ms)."},
    {O_PEAK, "peak", 0, "RATE", "plan: today's peak load (e.g. 2000/s)."},
    {O_GROWTH, "growth", 0, "PCT", "plan: compound growth per month (e.g. 5%)."},
    {O_HISTORY, "history", 0, "FILE.csv",
     "plan: month,load history to fit the growth to (linear or exponential, the better R^2)."},
    {O_FIT, "fit", 0, "linear|exp", "plan: force the history's growth model."},
    {O_CAPACITY, "capacity", 0, "RATE", "plan: what one instance carries at 100%."},
    {O_CAPACITY_USL, "capacity-usl", 0, "FILE",
     "plan: one instance's N,X measurements (CSV or a sweep result document); its capacity is "
     "the USL fit's peak throughput."},
    {O_CAPACITY_SWEEP, "capacity-sweep", 0, "FILE.json",
     "plan: one instance's capacity is the knee of this sweep result (the highest throughput "
     "within its p99 SLO)."},
    {O_SLO, "slo", 0, "DURATION",
     "plan: latency objective per instance. With --capacity-sweep the capacity is the highest "
     "throughput whose p99 stays under it; with --capacity-usl the throughput at which the "
     "mean response time N/X(N) (Little's law) reaches it, if below the peak."},
    {O_HEADROOM, "headroom", 0, "PCT", "plan: target utilisation of each instance. Default 70%."},
    {O_SPARES, "spares", 0, "N", "plan: instances on top for redundancy (N+1). Default 1."},
    {O_MONTHS, "months", 0, "N", "plan: horizon in months. Default 12."},
    {O_FLEET, "fleet", 0, "N", "plan: instances today, to find the month they run out."},
    {O_COST, "cost", 0, "AMOUNT", "plan: cost per instance per month."},
    {O_OUTPUT, "output", 'o', "FILE.md", "plan: also write the plan as a Markdown table."},
    {O_JSON, "json", 0, "FILE", "Write the model as a result document (hotpath.result/1)."},
    {0, NULL, 0, NULL, NULL},
};

/* --predict N,N,...: positive numbers. */
static int parse_list(const struct hp_cmd *cmd, const char *v, double *out, int *n)
{
    char buf[1024], *items[MAX_PREDICT];
    *n = cli_split(cmd, "predict", v, buf, sizeof buf, items, MAX_PREDICT);
    if (*n < 0)
        return -1;
    for (int i = 0; i < *n; i++)
        if (hp_parse_number(items[i], &out[i], NULL) < 0 || !(out[i] > 0)) {
            cli_usage_error(cmd, "--predict: '%s' is not a positive number", items[i]);
            return -1;
        }
    return 0;
}

static int run_model(const struct hp_cmd *cmd, int argc, char **argv)
{
    struct cli_parser p;
    const char *v, *model = NULL, *file = NULL, *json = NULL;
    double predict[MAX_PREDICT], target_x = 0, target_r = 0, given[3] = {0};
    int n_predict = 0, id, n_given = 0;
    struct hp_err err;
    struct queue_args qa = {.q = {.servers = 1, .scv = -1}};
    const char *users[MAX_USERS], *method = NULL;
    int n_users = 0;
    struct whatif whatifs[MAX_WHATIFS];
    int n_whatifs = 0;
    struct plan_args pa = {.in = {.headroom = 0.7, .spares = 1, .months = 12}};
    int64_t ns, n64;

    cli_init(&p, cmd, argc, argv);
    while ((id = cli_next(&p, &v)) != CLI_DONE) {
        switch (id) {
        case CLI_ERROR:
            return HP_EXIT_USAGE;
        case CLI_HELP:
            cli_print_help(cmd, stdout);
            return HP_EXIT_OK;
        case CLI_POSITIONAL:
            if (!model)
                model = v;
            else if (!file)
                file = v;
            else
                return cli_usage_error(cmd, "unexpected argument '%s'", v);
            break;
        case O_PREDICT:
            if (parse_list(cmd, v, predict, &n_predict) < 0)
                return HP_EXIT_USAGE;
            break;
        case O_TARGET_X:
            if (hp_parse_rate(v, &target_x, &err) < 0 || !(target_x > 0))
                return cli_usage_error(cmd, "--target-throughput: '%s' is not a positive rate", v);
            break;
        case O_TARGET_R: {
            if (hp_parse_duration(v, &ns, NULL) == 0 && ns > 0)
                target_r = (double)ns / 1e9;
            else if (hp_parse_number(v, &target_r, NULL) < 0 || !(target_r > 0))
                return cli_usage_error(cmd, "--target-response: '%s' is not a positive time", v);
            break;
        }
        case O_JSON:
            json = v;
            break;
        case O_SIGMA:
        case O_KAPPA:
        case O_LAMBDA: {
            char *end;
            double g = strtod(v, &end);
            int i = id == O_SIGMA ? 0 : id == O_KAPPA ? 1 : 2;
            if (end == v || *end || !isfinite(g) || g < 0 || (i == 2 && !(g > 0)))
                return cli_usage_error(cmd, "--%s %s: %s", i == 0 ? "sigma" : i == 1 ? "kappa" : "lambda",
                                       v, i == 2 ? "a throughput above 0" : "a coefficient, 0 or more");
            given[i] = g;
            n_given |= 1 << i;
            break;
        }
        case O_KIND:
            qa.kind = v;
            break;
        case O_USERS:
            if (n_users == MAX_USERS)
                return cli_usage_error(cmd, "--users: at most %d", MAX_USERS);
            users[n_users++] = v;
            break;
        case O_METHOD:
            method = v;
            break;
        case O_PEAK:
            if (hp_parse_rate(v, &pa.in.peak_per_s, &err) < 0)
                return cli_usage_error(cmd, "--peak: %s", err.msg);
            break;
        case O_GROWTH:
            if (!cli_percent(cmd, "growth", v, &pa.in.growth.rate))
                return HP_EXIT_USAGE;
            pa.in.growth.kind = HP_GROWTH_COMPOUND;
            pa.growth_given = true;
            break;
        case O_HISTORY:
            pa.history = v;
            break;
        case O_FIT:
            pa.fit = v;
            break;
        case O_CAPACITY:
            if (hp_parse_rate(v, &pa.in.capacity_per_s, &err) < 0)
                return cli_usage_error(cmd, "--capacity: %s", err.msg);
            break;
        case O_CAPACITY_USL:
            pa.capacity_usl = v;
            break;
        case O_CAPACITY_SWEEP:
            pa.capacity_sweep = v;
            break;
        case O_HEADROOM:
            if (!cli_percent(cmd, "headroom", v, &pa.in.headroom))
                return HP_EXIT_USAGE;
            break;
        case O_SPARES:
            if (!cli_int(cmd, "spares", v, 0, 1000, &n64))
                return HP_EXIT_USAGE;
            pa.in.spares = (int)n64;
            break;
        case O_MONTHS:
            if (!cli_int(cmd, "months", v, 1, HP_PLAN_MAX_MONTHS, &n64))
                return HP_EXIT_USAGE;
            pa.in.months = (int)n64;
            break;
        case O_FLEET:
            if (!cli_int(cmd, "fleet", v, 1, 100000000, &n64))
                return HP_EXIT_USAGE;
            pa.in.fleet_now = (int)n64;
            break;
        case O_COST:
            if (hp_parse_number(v, &pa.in.cost_per_instance, &err) < 0)
                return cli_usage_error(cmd, "--cost: %s", err.msg);
            break;
        case O_OUTPUT:
            pa.output = v;
            break;
        case O_SLO:
            if (!cli_duration(cmd, "slo", v, &pa.slo_ns))
                return HP_EXIT_USAGE;
            if (pa.slo_ns <= 0)
                return cli_usage_error(cmd, "--slo: '%s' must be above 0", v);
            break;
        case O_SCALE:
        case O_CACHE:
        case O_DEMAND:
            if (n_whatifs >= MAX_WHATIFS)
                return cli_usage_error(cmd, "at most %d what-ifs", MAX_WHATIFS);
            whatifs[n_whatifs++] = (struct whatif){id, v};
            break;
        case O_ARRIVAL:
            if (hp_parse_rate(v, &qa.q.arrival_per_s, &err) < 0)
                return cli_usage_error(cmd, "--arrival-rate: %s", err.msg);
            break;
        case O_SERVICE:
            if (!cli_duration(cmd, "service", v, &ns))
                return HP_EXIT_USAGE;
            qa.q.service_s = (double)ns / 1e9;
            break;
        case O_SERVERS:
            if (!cli_int(cmd, "servers", v, 1, 100000, &n64))
                return HP_EXIT_USAGE;
            qa.q.servers = (int)n64;
            break;
        case O_SCV:
            if (hp_parse_number(v, &qa.q.scv, &err) < 0)
                return cli_usage_error(cmd, "--scv: %s", err.msg);
            break;
        case O_TARGET_P99:
            if (!cli_duration(cmd, "target-p99", v, &ns))
                return HP_EXIT_USAGE;
            qa.target_p99_s = (double)ns / 1e9;
            break;
        case O_TARGET_WAIT:
            if (!cli_percent(cmd, "target-wait", v, &qa.target_wait))
                return HP_EXIT_USAGE;
            break;
        }
    }
    if (!model)
        return cli_usage_error(cmd, "which model? (expected usl, queue, mva or plan)");
    if (strcmp(model, "plan") == 0) {
        if (file)
            return cli_usage_error(cmd, "plan takes options only, not '%s'", file);
        pa.json = json;
        return model_run_plan(cmd, &pa);
    }
    if (strcmp(model, "mva") == 0) {
        if (!file)
            return cli_usage_error(cmd, "mva needs an architecture file (YAML)");
        return model_run_mva(cmd, file, users, n_users, method, whatifs, n_whatifs, json);
    }
    if (strcmp(model, "queue") == 0) {
        if (file)
            return cli_usage_error(cmd, "queue takes options only, not '%s'", file);
        qa.json = json;
        return model_run_queue(cmd, &qa);
    }
    if (strcmp(model, "usl") != 0) {
        const char *names[] = {"usl", "queue", "mva", "plan"};
        const char *near = hp_nearest(model, names, 4);
        if (near)
            return cli_usage_error(cmd, "unknown model '%s' (did you mean '%s'?)", model, near);
        return cli_usage_error(cmd, "unknown model '%s' (available: usl, queue, mva, plan)",
                               model);
    }
    if (n_given && n_given != 7)
        return cli_usage_error(cmd, "a given USL model needs all three of --sigma, --kappa and "
                                    "--lambda");
    if (n_given && file)
        return cli_usage_error(cmd, "usl: --sigma, --kappa and --lambda give the model; '%s' "
                                    "would fit another: one or the other",
                               file);
    if (!file && !n_given)
        return cli_usage_error(cmd, "usl needs a CSV file of N,X rows (or --sigma, --kappa and "
                                    "--lambda)");
    return model_run_usl(cmd, file, n_given ? given : NULL, predict, n_predict, target_x,
                         target_r, json);
}

const struct hp_cmd hp_cmd_model = {
    .name = "model",
    .summary = "Performance models: usl fits, queue (M/M/c...), mva networks, capacity plans.",
    .usage = "model usl|queue|mva|plan [options] [FILE]",
    .description =
        "usl fits X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1)) (N. Gunther) to a CSV of "
        "N,X rows (a header line is allowed) or to a sweep result document by nonlinear least squares with sigma, kappa >= 0 "
        "(GSL), and prints the parameters with standard errors and 95% intervals, R^2, the "
        "peak N* = sqrt((1-sigma)/kappa), the Amdahl limit lambda/sigma, predictions, and the "
        "inverse questions: N for a target throughput (refused beyond the peak) or for a target "
        "response time, from Little's law for a closed system without think time: "
        "R(N) = N/X(N). Fewer than 6 points fit with a warning; fewer than 3 distinct N, or a "
        "value at or below 0, are errors.\n\n"
        "queue solves a single station: M/M/1, M/M/c (Erlang B and C), M/D/1 and M/G/1 "
        "(Pollaczek-Khinchine, from the service time's squared coefficient of variation): "
        "utilisation, P(wait), mean wait and response, queue lengths, and response-time "
        "percentiles, exact for M/M/1 and M/M/c FCFS and approximate (said so) for the "
        "others; and the fewest M/M/c servers for a target p99 or P(wait). Utilisation of 1 "
        "or more is refused as unstable, by how much, with exit status 2.\n\n"
        "mva solves a service architecture (YAML: stations with a demand per request, and a "
        "workload of users and think time, or an arrival rate, or several classes with their "
        "own demands) as a queueing network: exact MVA for closed networks (one class at any "
        "population; several while it costs under 1e9 operations), Bard-Schweitzer's "
        "approximation beyond (said which; --method chooses), product form for open ones, and "
        "for mixed ones (open and closed classes together) the closed classes with the open "
        "ones' utilisation taken out of each station and the open ones behind their queue; per "
        "station utilisation, queue and residence time, the bottleneck (every station of a "
        "tie), and the asymptotic bounds X <= min(N/(D+Z), 1/D_max), R >= max(D, N D_max - "
        "Z) with N* = (D+Z)/D_max; what-ifs: --scale (more servers), --cache (a cache in "
        "front absorbs a share of the visits), --demand. Stations with servers: c, or with a "
        "rate table (rates: [1, 1.8, 2.4]: how many times faster with 1, 2, 3... requests "
        "present), use exact load-dependent MVA with each station's queue-length probabilities, "
        "for one closed class or several; beyond its cost a c-server station is Seidmann's "
        "approximation (a server of demand D/c and a delay of D(c-1)/c, said so), and servers: "
        "c is M/M/c in open networks. Instead of visits, routing may give where requests go next "
        "(routing: {entry: {lb: 1}, web: {app: 0.8}, app: {db: 1}}; what a row leaves short of "
        "1 leaves the system) and the stations their service time per visit: the visits are "
        "solved for you. objective: {response: 200ms} states the response time to hold, for "
        "'hotpath report --as architecture-review'. --json writes every figure per class and "
        "station.\n\n"
        "plan turns a growth forecast into instances per month: today's --peak grown by "
        "--growth (compound) or by a --history fitted linearly or exponentially (the better "
        "R^2, shown), divided by one instance's --capacity (or the peak of a USL fit of its "
        "measurements) at --headroom utilisation, plus --spares; the month today's --fleet "
        "runs out, and costs with --cost.",
    .opts = model_opts,
    .examples = "  hotpath model usl --predict 64,128 sweep.csv\n"
                "  hotpath model usl --target-throughput 10k/s --target-response 5ms sweep.csv\n"
                "  hotpath model queue --arrival-rate 800 --service 4ms --servers 4 --target-p99 20ms\n"
                "  hotpath model mva --users 1..50 shop.yaml\n"
                "  hotpath model mva --users browse=10..200 --users buy=20 shop.yaml\n"
                "  hotpath model mva --cache db=80% --scale web=2 shop.yaml\n"
                "  hotpath model plan --peak 2k/s --growth 5% --capacity 450/s --fleet 6\n",
    .run = run_model,
};
