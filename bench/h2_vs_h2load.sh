#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# HTTP/2 over TLS 1.3: hotpath load --h2 vs h2load (both nghttp2 and
# OpenSSL 3) against the same nginx (1 worker on CPU 1, ssl http2), the
# clients on CPU 0 taking turns, RUNS rounds, medians and ratios:
#  - 64 connections with 10 streams each (h2load -c64 -m10): requests/s
#    and requests per client CPU-second (utime + stime from wait4);
#  - a new TLS connection for every request: handshakes per client
#    CPU-second (hotpath --new-conn-per-request -c16; h2load one request
#    per client, its clients made at a fixed rate).
#   bench/h2_vs_h2load.sh [PATH-TO-HOTPATH]   (RUNS=5 DURATION=5 by default)
set -euo pipefail
hotpath=${1:-build/src/hotpath}
. "$(dirname "$0")/nginx.sh"
bench_need h2load nginx taskset python3 openssl
work=$(mktemp -d)
nginx_pid=""
cleanup() { [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bench_nginx_tls "$work" "$port" http2

PYTHONPATH="$(dirname "$0")" python3 - "$hotpath" "$port" "${RUNS:-5}" "${DURATION:-5}" <<'PY'
import re, statistics, sys
from pinned import run
hotpath, port, runs, duration = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
url = "https://127.0.0.1:%s/" % port
m = statistics.median

def table(title, unit, rate, per_cpu):
    print("## %s (medians of %d rounds, %d s each)\n" % (title, runs, duration))
    print("| | %s/s | %s per client CPU-second |" % (unit, unit))
    print("| --- | ---: | ---: |")
    for name in ("hotpath", "h2load"):
        print("| %s | %.0f | %.0f |" % (name, m(rate[name]), m(per_cpu[name])))
    print("| ratio | %.2fx | %.2fx |" % (m(rate["hotpath"]) / m(rate["h2load"]),
                                         m(per_cpu["hotpath"]) / m(per_cpu["h2load"])))
    print("\nper round, %s per CPU-second: hotpath %s, h2load %s\n" % (
        unit, ", ".join("%.0f" % x for x in per_cpu["hotpath"]),
        ", ".join("%.0f" % x for x in per_cpu["h2load"])))

# 64 connections, 10 streams each
keep = {"hotpath": [hotpath, "load", "--h2", "-k", "-t1", "-c64", "-M10", "-d%ds" % duration, url],
        "h2load": ["h2load", "-t1", "-c64", "-m10", "-D%d" % duration, url]}
rate = {"hotpath": [], "h2load": []}
per_cpu = {"hotpath": [], "h2load": []}
for r in range(runs):
    for name in ("hotpath", "h2load"):
        n, cpu, _, out = run(keep[name], must_succeed=True)
        rate[name].append(n / duration)
        per_cpu[name].append(n / cpu)
table("HTTP/2, 64 connections x 10 streams, TLS 1.3", "requests", rate, per_cpu)

# A new connection (a full TLS 1.3 handshake) per request. h2load makes
# its clients at a rate (-r per 0.1 s period), each one request; the rate
# is set to what hotpath reached, so both do about the same work.
rate = {"hotpath": [], "h2load": []}
per_cpu = {"hotpath": [], "h2load": []}
for r in range(runs):
    hs_cmd = [hotpath, "load", "--h2", "-k", "-t1", "-c16", "--new-conn-per-request",
              "-d%ds" % duration, url]
    n, cpu, _, out = run(hs_cmd, must_succeed=True)
    hs = int(re.search(r"(\d+) handshakes", out).group(1))
    rate["hotpath"].append(hs / duration)
    per_cpu["hotpath"].append(hs / cpu)
    per_period = max(1, int(hs / duration / 10))
    total = per_period * 10 * duration
    n, cpu, _, out = run(["h2load", "-t1", "-c%d" % total, "-n%d" % total, "-r%d" % per_period,
                          "--rate-period=100ms", url], must_succeed=True)
    rate["h2load"].append(n / duration)
    per_cpu["h2load"].append(n / cpu)
table("A new TLS 1.3 connection per request (HTTP/2)", "handshakes", rate, per_cpu)
PY
