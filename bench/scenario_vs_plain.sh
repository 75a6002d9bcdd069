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
for tool in nginx taskset python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool missing (make bench installs it)" >&2; exit 1; }
done
work=$(mktemp -d)
nginx_pid=""
trap '[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
. "$(dirname "$0")/nginx.sh"
bench_nginx "$work" "$port"
runs=${RUNS:-5} duration=${DURATION:-10}

python3 - "$work/ids.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("id,user\n")
    for i in range(10000):
        f.write("%d,user%d\n" % (i, i))
PY
cat >"$work/mix.yaml" <<YAML
base_url: http://127.0.0.1:$port
connections: 64
duration: ${duration}s
data: ids.csv
requests:
  - {name: home, path: /, weight: 40}
  - {name: product, path: '/products/\${id}', weight: 25}
  - {name: search, path: /search?q=shoes, weight: 20}
  - {name: cart, path: /cart, weight: 10, headers: {X-User: '\${user}'}}
  - {name: login, method: POST, path: /login, weight: 5, body: '{"user": "\${user}"}'}
YAML

python3 - "$hotpath" "$port" "$work" "$runs" "$duration" <<'PY'
import os, re, statistics, subprocess, sys
hotpath, port, work, runs, duration = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
m = statistics.median

def run(cmd):
    p = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    n = re.search(r"(\d+) requests in", out)
    if not n:
        sys.exit("bench: %s failed:\n%s" % (" ".join(cmd), out))
    return int(n.group(1)), ru.ru_utime + ru.ru_stime

plain = [hotpath, "load", "-t1", "-c64", "-d%ds" % duration, "http://127.0.0.1:%s/" % port]
mix = [hotpath, "load", os.path.join(work, "mix.yaml")]
res = {"plain": [], "scenario": []}
for i in range(runs):
    for name, cmd in (("plain", plain), ("scenario", mix)):
        n, cpu = run(cmd)
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
