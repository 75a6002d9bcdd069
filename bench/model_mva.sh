#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hotpath model mva, timed by hyperfine over the whole process, pinned:
#  - 10 stations (two of them multi-server) for every population 1..1000
#    (issue 5 asks for under 50 ms);
#  - exact MVA of one class of 10 million users at 5 stations (issue 20:
#    under 1 s);
#  - 3 classes of 50 users at 20 stations, exact over the 132,651 population
#    vectors (issue 20: under 1 s);
#  - the same with 5 of the stations multi-server: exact load-dependent MVA,
#    each station's queue-length probabilities at every vector.
# No peer: PDQ and JMT are not in Debian's archive.
#   bench/model_mva.sh [PATH-TO-HOTPATH]
set -euo pipefail
hotpath=${1:-build/src/hotpath}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/ten_million.yaml" <<'Y'
stations:
  - {name: lb, type: delay, demand: 1ms}
  - {name: web, demand: 4ms}
  - {name: app, demand: 6ms}
  - {name: db, demand: 9ms}
  - {name: disk, demand: 3ms}
workload: {users: 10000000, think: 1s}
Y
python3 - "$work/three_classes.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("stations:\n")
    for k in range(20):
        f.write("  - name: s%d\n" % k)
    f.write("classes:\n")
    for c in range(3):
        d = ", ".join("s%d: %dms" % (k, 1 + (k * 7 + c * 3) % 11) for k in range(20))
        f.write("  - {name: c%d, users: 50, think: 1s, demands: {%s}}\n" % (c, d))
# five of the twenty with 2, 4 or 8 servers
src = open(sys.argv[1]).read()
for k, c in ((0, 2), (4, 4), (8, 8), (12, 2), (16, 4)):
    src = src.replace("  - name: s%d\n" % k, "  - {name: s%d, servers: %d}\n" % (k, c), 1)
open(sys.argv[1].replace(".yaml", "_ld.yaml"), "w").write(src)
PY
taskset -c 0 hyperfine -N --warmup 3 --runs 50 --export-json "$work/h.json" \
    "$hotpath model mva --users 1..1000 $here/mva_10_stations.yaml" > "$work/h.out"
taskset -c 0 hyperfine -N --warmup 1 --runs 10 --export-json "$work/m.json" \
    "$hotpath model mva $work/ten_million.yaml" > "$work/m.out"
taskset -c 0 hyperfine -N --warmup 1 --runs 10 --export-json "$work/c.json" \
    "$hotpath model mva $work/three_classes.yaml" > "$work/c.out"
taskset -c 0 hyperfine -N --warmup 1 --runs 10 --export-json "$work/l.json" \
    "$hotpath model mva $work/three_classes_ld.yaml" > "$work/l.out"
"$hotpath" model mva "$work/ten_million.yaml" | sed -n 1p
"$hotpath" model mva "$work/three_classes.yaml" | sed -n 1p
"$hotpath" model mva "$work/three_classes_ld.yaml" | sed -n 1p
python3 - "$work" <<'PY'
import json, sys
for name, what in (("h", "10 stations, users 1..1000"),
                   ("m", "one class, 10,000,000 users, 5 stations"),
                   ("c", "3 classes x 50 users, 20 stations"),
                   ("l", "3 classes x 50 users, 20 stations, 5 multi-server")):
    r = json.load(open("%s/%s.json" % (sys.argv[1], name)))["results"][0]
    print("model mva, %s: median %.1f ms (%d runs, pinned to CPU 0)"
          % (what, r["median"] * 1e3, len(r["times"])))
PY
