#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What `hotpath page` and `load --page` cost, on `hotpath serve`'s page with
# a 100 ms image (issue 22's two figures):
#  1. hotpath's own time per page load: `page -n 20`; for each run after the
#     first, the run's wall time as hotpath saw it (clearing the cache,
#     closing connections, navigating, reading the figures) less what the
#     browser reports for the load itself (loadEventEnd), median over the
#     runs; and the whole command's wall time less its first run and the
#     browser's loads, per run. Target: under 100 ms.
#  2. the browser's CPU per page load: `page -n 1` and `page -n 11` under
#     /usr/bin/time (the browser and all it starts are hotpath's children),
#     the difference over 10;
#  3. `load --page`'s cost to the protocol load: a 20 s closed load of /
#     (serve on CPU 1, load on CPU 0, the browser where it falls) with and
#     without --page (every 5 s, the default), alternating, RUNS pairs; the
#     requests/s with the page against without, median. Target: under 2%
#     lost.
#   bench/page_overhead.sh [PATH-TO-HOTPATH]   (RUNS=3)
set -euo pipefail
hotpath=${1:-build/src/hotpath}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
taskset -c 1 "$hotpath" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>&1 &
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
page="http://127.0.0.1:$port/page?lcp=100ms"
t0=$(date +%s.%N)
"$hotpath" page -q -n 20 --json "$work/page.json" "$page" >/dev/null
t1=$(date +%s.%N)
for n in 1 11; do
    /usr/bin/time -f "%U %S" -o "$work/cpu-$n" "$hotpath" page -q -n "$n" "$page" >/dev/null
done
for i in $(seq "$runs"); do
    taskset -c 0 "$hotpath" load -t 1 -c 16 -d 20s --json "$work/plain-$i.json" \
        "http://127.0.0.1:$port/" >/dev/null
    taskset -c 0 "$hotpath" load -t 1 -c 16 -d 20s --page "$page" \
        --json "$work/page-$i.json" "http://127.0.0.1:$port/" >/dev/null
done
python3 - "$work" "$runs" "$t0" "$t1" <<'PY'
import json, statistics, sys
w, runs, t0, t1 = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
d = json.load(open(w + "/page.json"))
r = d["page"]["runs"]
own = [x["wall_ms"] - x["load_end_ms"] for x in r[1:]]
total_ms = (t1 - t0) * 1000
rest = (total_ms - r[0]["wall_ms"] - sum(x["load_end_ms"] for x in r[1:])) / (len(r) - 1)
print("page -n 20: hotpath's own time per run after the first: median %.1f ms (min %.1f, max %.1f)"
      % (statistics.median(own), min(own), max(own)))
print("page -n 20: (wall %.0f ms - first run %.0f ms - browser loads) / 19 = %.1f ms a run "
      "(browser start and close included)" % (total_ms, r[0]["wall_ms"], rest))
cpu = [sum(map(float, open(f"{w}/cpu-{n}").read().split())) for n in (1, 11)]
print("browser and hotpath CPU per page load: %.3f s (page -n 11 %.2f s, -n 1 %.2f s)"
      % ((cpu[1] - cpu[0]) / 10, cpu[1], cpu[0]))
ratio = []
for i in range(1, runs + 1):
    a = json.load(open(f"{w}/plain-{i}.json"))["metrics"]["requests_per_s"]["value"]
    b = json.load(open(f"{w}/page-{i}.json"))["metrics"]
    ratio.append(b["requests_per_s"]["value"] / a)
    print("pair %d: %.0f/s alone, %.0f/s with %d page loads" % (i, a, b["requests_per_s"]["value"],
                                                              b["page_loads"]["value"]))
print("load --page: requests/s with / without, median of %d: %.3f" % (runs, statistics.median(ratio)))
PY
