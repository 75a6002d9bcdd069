#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two builds of hotpath side by side in one run, to show what a change to
# the engines costs: OLD and NEW take turns (old, new, old, new...) on each
# workload, RUNS rounds of DURATION seconds, clients pinned to CPU 0 and the
# server to CPU 1. Workloads: `load -t1 -c64` and the same with a wrk Lua
# script (tests/data/lua/random_paths.lua) and with a 5-request scenario,
# all against one nginx worker (bench/nginx.sh), in requests per client
# CPU-second (utime+stime from wait4); and `serve -t1` under `wrk -t1 -c64`
# in requests per server CPU-second (from /proc). Prints medians, NEW/OLD
# and each side's spread ((max - min) / median over the rounds): a ratio
# inside the spread is no measurable change.
#   bench/seams_ab.sh OLD-HOTPATH NEW-HOTPATH   (RUNS=5 DURATION=10)
set -euo pipefail
old=$1 new=$2
. "$(dirname "$0")/nginx.sh"
bench_need wrk nginx taskset python3
work=$(mktemp -d)
nginx_pid=""
pids=()
cleanup() { for p in "${pids[@]}" $nginx_pid; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
bench_nginx "$work" "$port"
script="$(cd "$(dirname "$0")/.." && pwd)/tests/data/lua/random_paths.lua"
runs=${RUNS:-5} duration=${DURATION:-10}

bench_mix "$work" "$port" "$duration"

# One serve -t1 per build, both on CPU 1 (nginx idles meanwhile).
for who in old new; do
    bin=$old; [ "$who" = new ] && bin=$new
    taskset -c 1 "$bin" serve --listen 127.0.0.1:0 -t 1 --quiet >"$work/serve_$who.out" &
    pids+=($!)
    echo $! >"$work/serve_$who.pid"
done
for who in old new; do
    for _ in $(seq 50); do [ -s "$work/serve_$who.out" ] && break; sleep 0.1; done
    head -n 1 "$work/serve_$who.out" | sed -E 's/.*:([0-9]+) .*/\1/' >"$work/serve_$who.port"
done

python3 - "$old" "$new" "$port" "$work" "$script" "$runs" "$duration" <<'PY'
import os, re, statistics, subprocess, sys
old, new, port, work, script, runs, duration = sys.argv[1:6] + [int(sys.argv[6]), int(sys.argv[7])]
m = statistics.median
url = "http://127.0.0.1:%s/" % port
hz = os.sysconf("SC_CLK_TCK")

def client(cmd):
    p = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    n = re.search(r"(\d+) requests in", out)
    if status != 0 or not n:
        sys.exit("bench: %s failed:\n%s" % (" ".join(cmd), out))
    return int(n.group(1)) / (ru.ru_utime + ru.ru_stime)

def ticks(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])

def served(who):
    pid = int(open(os.path.join(work, "serve_%s.pid" % who)).read())
    sport = open(os.path.join(work, "serve_%s.port" % who)).read().strip()
    before = ticks(pid)
    out = subprocess.run(["taskset", "-c", "0", "wrk", "-t1", "-c64", "-d%ds" % duration,
                          "http://127.0.0.1:%s/" % sport], capture_output=True, text=True).stdout
    cpu = (ticks(pid) - before) / hz
    return int(re.search(r"(\d+) requests in", out).group(1)) / cpu

loads = {
    "load -t1 -c64": lambda b: client([b, "load", "-t1", "-c64", "-d%ds" % duration, url]),
    "load -t1 -c64 -s random_paths.lua": lambda b: client([b, "load", "-t1", "-c64",
                                                           "-d%ds" % duration, "-s", script, url]),
    "load, 5-request scenario": lambda b: client([b, "load", os.path.join(work, "mix.yaml")]),
    "serve -t1 under wrk -c64": lambda b: served("old" if b == old else "new"),
}
print("bench: %d rounds of %ds, old and new taking turns" % (runs, duration), file=sys.stderr)
print("| workload (per CPU-second) | old | new | new/old | spread old | spread new |")
print("| --- | --- | --- | --- | --- | --- |")
for name, f in loads.items():
    o, n = [], []
    for i in range(runs):
        o.append(f(old))
        n.append(f(new))
        print("  %s round %d: old %.0f, new %.0f" % (name, i + 1, o[-1], n[-1]), file=sys.stderr)
    spread = lambda v: (max(v) - min(v)) / m(v)
    print("| %s | %.0f | %.0f | %.3fx | %.0f%% | %.0f%% |" % (name, m(o), m(n), m(n) / m(o),
          100 * spread(o), 100 * spread(n)))
PY
