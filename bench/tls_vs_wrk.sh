#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# HTTPS/1.1 keep-alive: hotpath load vs wrk (both OpenSSL 3) against the same
# nginx (1 worker on CPU 1, TLS 1.3), the clients on CPU 0 taking turns, RUNS
# rounds: requests/s and requests per client CPU-second (utime + stime from
# wait4), medians and ratios; then peak RSS per TLS connection (the slope of
# max RSS from 64 to 4000 connections, 10 s runs so that all connect).
#   bench/tls_vs_wrk.sh [PATH-TO-HOTPATH]   (RUNS=5 DURATION=5 by default)
set -euo pipefail
hotpath=${1:-build/src/hotpath}
. "$(dirname "$0")/nginx.sh"
bench_need wrk nginx taskset python3 openssl
work=$(mktemp -d)
nginx_pid=""
cleanup() { [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bench_nginx_tls "$work" "$port"

PYTHONPATH="$(dirname "$0")" python3 - "$hotpath" "$port" "${RUNS:-5}" "${DURATION:-5}" <<'PY'
import statistics, sys
from pinned import run
hotpath, port, runs, duration = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
url = "https://127.0.0.1:%s/" % port
m = statistics.median

def hp(conns, d=duration):
    return [hotpath, "load", "-k", "-t1", "-c%d" % conns, "-d%ds" % d, url]

def wrk(conns, d=duration):
    return ["wrk", "-t1", "-c%d" % conns, "-d%ds" % d, url]

rate = {"hotpath": [], "wrk": []}
per_cpu = {"hotpath": [], "wrk": []}
for r in range(runs):
    for name, cmd in (("hotpath", hp(64)), ("wrk", wrk(64))):
        n, cpu, _, _ = run(cmd)
        rate[name].append(n / duration)
        per_cpu[name].append(n / cpu)
print("## HTTPS/1.1 keep-alive, -c64, TLS 1.3 (medians of %d rounds, %d s each)\n" % (runs, duration))
print("| | requests/s | requests per client CPU-second |")
print("| --- | ---: | ---: |")
for name in ("hotpath", "wrk"):
    print("| %s | %.0f | %.0f |" % (name, m(rate[name]), m(per_cpu[name])))
print("| ratio | %.2fx | %.2fx |" % (m(rate["hotpath"]) / m(rate["wrk"]),
                                     m(per_cpu["hotpath"]) / m(per_cpu["wrk"])))
print("\nper round, requests per CPU-second: hotpath %s, wrk %s" % (
    ", ".join("%.0f" % x for x in per_cpu["hotpath"]), ", ".join("%.0f" % x for x in per_cpu["wrk"])))
# 10 s: long enough for all 4,000 handshakes (hotpath makes at most 256 at
# once) before the peak is read; hotpath's summary says how many were made.
rss = {}
for name, mk in (("hotpath", hp), ("wrk", wrk)):
    lo = run(mk(64, 10))[2]
    hi = run(mk(4000, 10))[2]
    rss[name] = (hi - lo) * 1024 / (4000 - 64)
print("\npeak RSS per TLS connection (64 to 4000 connections): hotpath %.1f KiB, wrk %.1f KiB" %
      (rss["hotpath"] / 1024, rss["wrk"] / 1024))
PY
