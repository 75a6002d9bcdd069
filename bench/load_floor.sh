#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hotpath load and wrk against the physical floor: bench/floor.c, the
# smallest client that does the work (epoll, one write and one read per
# request, fixed-length answers counted, no clock, no parsing). All three
# against the same nginx (one worker on CPU 1, bench/nginx.sh), pinned to
# CPU 0 and taking turns, RUNS rounds of DURATION seconds at -t1 -c64.
# Reports requests/s and requests per client CPU-second (utime+stime from
# wait4), medians, and each tool's share of the floor's requests per
# CPU-second (issue 17 asks hotpath >= 0.93x).
# OLD=PATH-TO-ANOTHER-HOTPATH adds that build as a fourth client (before and
# after a change, in the same run).
#   bench/load_floor.sh [BUILD-DIR]   (RUNS=5 DURATION=10 CONNS=64 OLD=)
set -euo pipefail
build=${1:-build}
. "$(dirname "$0")/nginx.sh"
bench_need wrk nginx taskset python3
work=$(mktemp -d)
nginx_pid=""
trap '[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bench_nginx "$work" "$port"

PYTHONPATH="$(dirname "$0")" python3 - "$build" "$port" "${RUNS:-5}" "${DURATION:-10}" "${CONNS:-64}" "${OLD:-}" <<'PY'
import os, statistics, sys
from pinned import run
build, port, runs, duration, conns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
old = sys.argv[6]
m = statistics.median
url = "http://127.0.0.1:%s/" % port
cmds = {
    "floor": [os.path.join(build, "bench/floor"), "127.0.0.1", port, str(conns), str(duration)],
    "hotpath load": [os.path.join(build, "src/hotpath"), "load", "-t1", "-c%d" % conns,
                     "-d%ds" % duration, url],
    "wrk": ["wrk", "-t1", "-c%d" % conns, "-d%ds" % duration, url],
}
if old:
    cmds["hotpath load (OLD)"] = [old, "load", "-t1", "-c%d" % conns, "-d%ds" % duration, url]

res = {k: [] for k in cmds}
print("bench: %d rounds of %ds at -t1 -c%d, nginx on CPU 1, clients on CPU 0, taking turns"
      % (runs, duration, conns), file=sys.stderr)
for i in range(runs):
    for k, cmd in cmds.items():
        n, cpu, _, _ = run(cmd, must_succeed=True)
        res[k].append((n / duration, n / cpu))
    print("  round %d: " % (i + 1) + ", ".join("%s %.0f/CPU-s" % (k, v[-1][1]) for k, v in res.items()),
          file=sys.stderr)
# The machine drifts between rounds more than the tools differ within one:
# the share is the median of each round's ratio (the runs of a round are
# back to back), besides the ratio of the medians.
floor = m(x[1] for x in res["floor"])
print("| client | requests/s | requests per client CPU-second | share of the floor's (median of rounds) | ratio of medians |")
print("| --- | --- | --- | --- | --- |")
for k, v in res.items():
    per_cpu = m(x[1] for x in v)
    paired = m(x[1] / f[1] for x, f in zip(v, res["floor"]))
    print("| %s | %.0f | %.0f | %.3fx | %.3fx |" % (k, m(x[0] for x in v), per_cpu, paired,
                                                   per_cpu / floor))
PY
