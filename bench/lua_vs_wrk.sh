#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The same wrk Lua script with a dynamic request() (a random path per
# request, tests/data/lua/random_paths.lua) run by hotpath load -s and by
# wrk -s, against one nginx (bench/nginx.sh, CPU 1), the clients pinned to
# CPU 0 and taking turns, RUNS rounds of DURATION seconds, -t1 -c64.
# Reports requests/s and requests per client CPU-second, medians, ratios
# (issue 4 asks >= 1.0x wrk per CPU-second).
#   bench/lua_vs_wrk.sh [PATH-TO-HOTPATH]   (RUNS=5 DURATION=10)
set -euo pipefail
hotpath=${1:-build/src/hotpath}
for tool in wrk nginx taskset python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool missing (make bench installs it)" >&2; exit 1; }
done
work=$(mktemp -d)
nginx_pid=""
trap '[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
. "$(dirname "$0")/nginx.sh"
bench_nginx "$work" "$port"
script="$(cd "$(dirname "$0")/.." && pwd)/tests/data/lua/random_paths.lua"

PYTHONPATH="$(dirname "$0")" python3 - "$hotpath" "$port" "$script" "${RUNS:-5}" "${DURATION:-10}" <<'PY'
import statistics, sys
from pinned import run
hotpath, port, script, runs, duration = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
m = statistics.median
url = "http://127.0.0.1:%s/" % port

cmds = {"hotpath": [hotpath, "load", "-t1", "-c64", "-d%ds" % duration, "-s", script, url],
        "wrk": ["wrk", "-t1", "-c64", "-d%ds" % duration, "-s", script, url]}
res = {"hotpath": [], "wrk": []}
for i in range(runs):
    for name in ("hotpath", "wrk"):
        n, cpu, _, _ = run(cmds[name])
        res[name].append((n / duration, n / cpu))
    print("  round %d: hotpath %.0f req/s, wrk %.0f req/s" % (i + 1, res["hotpath"][-1][0],
          res["wrk"][-1][0]), file=sys.stderr)
hr, wr = m(x[0] for x in res["hotpath"]), m(x[0] for x in res["wrk"])
hc, wc = m(x[1] for x in res["hotpath"]), m(x[1] for x in res["wrk"])
print("| client, random_paths.lua | req/s | req per client CPU-s |")
print("| --- | --- | --- |")
print("| hotpath load -s | %.0f | %.0f |" % (hr, hc))
print("| wrk -s | %.0f | %.0f |" % (wr, wc))
print("| ratio hotpath/wrk | **%.2fx** | **%.2fx** |" % (hr / wr, hc / wc))
PY
