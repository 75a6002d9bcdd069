#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a scenario costs the load generator: hotpath load on a 5-request
# weighted scenario with one CSV variable vs a plain single-URL hotpath
# load, against the same nginx (one worker pinned to CPU 1, bench/nginx.sh),
# the client pinned to CPU 0, taking turns, RUNS rounds of DURATION seconds.
# Reports requests/s and requests per client CPU-second (utime+stime from
# wait4), medians, and their ratio (issue 4 asks >= 0.9x).
#   bench/scenario_vs_plain.sh [PATH-TO-HOTPATH]   (RUNS=5 DURATION=10)
set -euo pipefail
hotpath=${1:-build/src/hotpath}
. "$(dirname "$0")/nginx.sh"
bench_need nginx taskset python3
work=$(mktemp -d)
nginx_pid=""
trap '[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bench_nginx "$work" "$port"
runs=${RUNS:-5} duration=${DURATION:-10}

bench_mix "$work" "$port" "$duration"

PYTHONPATH="$(dirname "$0")" python3 - "$hotpath" "$port" "$work" "$runs" "$duration" <<'PY'
import os, statistics, sys
from pinned import run
hotpath, port, work, runs, duration = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
m = statistics.median

plain = [hotpath, "load", "-t1", "-c64", "-d%ds" % duration, "http://127.0.0.1:%s/" % port]
mix = [hotpath, "load", os.path.join(work, "mix.yaml")]
res = {"plain": [], "scenario": []}
for i in range(runs):
    for name, cmd in (("plain", plain), ("scenario", mix)):
        n, cpu, _, _ = run(cmd)
        res[name].append((n / duration, n / cpu))
    print("  round %d: plain %.0f req/s, scenario %.0f req/s" % (i + 1, res["plain"][-1][0],
          res["scenario"][-1][0]), file=sys.stderr)
pr, sr = m(x[0] for x in res["plain"]), m(x[0] for x in res["scenario"])
pc, scpu = m(x[1] for x in res["plain"]), m(x[1] for x in res["scenario"])
print("| run | req/s | req per client CPU-s |")
print("| --- | --- | --- |")
print("| plain `load -t1 -c64` | %.0f | %.0f |" % (pr, pc))
print("| 5-request scenario, 1 CSV variable | %.0f | %.0f |" % (sr, scpu))
print("| ratio scenario/plain | **%.2fx** | **%.2fx** |" % (sr / pr, scpu / pc))
PY
