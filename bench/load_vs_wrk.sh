#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hotpath load vs wrk against the same nginx (1 worker pinned to CPU 1, the
# 13-byte body), the clients pinned to CPU 0 and taking turns, RUNS rounds
# per configuration. Prints a Markdown report: requests/s, requests per
# client CPU-second (utime+stime of the client from wait4's rusage), the
# ratios; syscalls per request (strace -c -f over a short run); peak RSS per
# connection (slope of max RSS from 64 to 4000 connections); and the open
# model at 80% of the closed model's capacity.
#   bench/load_vs_wrk.sh [PATH-TO-HOTPATH]   (RUNS=5 DURATION=10 by default)
set -euo pipefail
hotpath=${1:-build/src/hotpath}
for tool in wrk nginx taskset python3 strace; do
    command -v "$tool" >/dev/null || { echo "bench: $tool missing (make bench installs it)" >&2; exit 1; }
done
work=$(mktemp -d)
nginx_pid=""
cleanup() { [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
. "$(dirname "$0")/nginx.sh"
bench_nginx "$work" "$port"
cat >"$work/pipeline.lua" <<'LUA'
-- wrk's own pipelining example: 16 requests per write
init = function(args)
    local r = {}
    for i = 1, 16 do r[i] = wrk.format() end
    req = table.concat(r)
end
request = function() return req end
LUA

python3 - "$hotpath" "$port" "$work" "${RUNS:-5}" "${DURATION:-10}" <<'PY'
import os, re, resource, statistics, subprocess, sys, time
hotpath, port, work, runs, duration = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
url = "http://127.0.0.1:%s/" % port
m = statistics.median

def run(cmd):
    """Run cmd pinned to CPU 0; returns (stdout, cpu seconds, max RSS KiB)."""
    p = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0 and "requests in" not in out:
        sys.exit("bench: %s failed:\n%s" % (" ".join(cmd), out))
    return out, ru.ru_utime + ru.ru_stime, ru.ru_maxrss

def requests(out):
    return int(re.search(r"(\d+) requests in", out).group(1))

def hotpath_cmd(conns, extra=(), d=duration):
    return [hotpath, "load", "-t1", "-c%d" % conns, "-d%ds" % d] + list(extra) + [url]

def wrk_cmd(conns, extra=(), d=duration):
    return ["wrk", "-t1", "-c%d" % conns, "-d%ds" % d] + list(extra) + [url]

def compare(label, conns, hp_extra=(), wrk_extra=()):
    hp, wk = [], []
    for i in range(runs):
        for who, cmd, acc in (("hotpath", hotpath_cmd(conns, hp_extra), hp),
                              ("wrk", wrk_cmd(conns, wrk_extra), wk)):
            out, cpu, _ = run(cmd)
            n = requests(out)
            acc.append((n / duration, n / cpu))
        print("  %s round %d: hotpath %.0f req/s, wrk %.0f req/s" % (label, i + 1, hp[-1][0], wk[-1][0]),
              file=sys.stderr)
    row = (label, m(x[0] for x in hp), m(x[0] for x in wk), m(x[1] for x in hp), m(x[1] for x in wk))
    return row

print("bench: %d rounds of %ds per configuration, nginx on CPU 1, clients on CPU 0" % (runs, duration),
      file=sys.stderr)
rows = [compare("-c64", 64),
        compare("-c1000", 1000),
        compare("-c64, pipeline 16", 64, ["--pipeline", "16"], ["-s", os.path.join(work, "pipeline.lua")])]

def syscalls(cmd):
    trace = os.path.join(work, "strace.txt")
    out = subprocess.run(["strace", "-c", "-f", "-o", trace] + cmd, capture_output=True, text=True).stdout
    n = requests(out)
    total = 0
    for line in open(trace):
        f = line.split()
        if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
            total += int(f[3])
    return total / n

sc_hp = syscalls(hotpath_cmd(64, d=3))
sc_wrk = syscalls(wrk_cmd(64, d=3))

def peak_rss(cmd):
    """Peak RSS in bytes, from /proc/PID/status VmHWM sampled while it runs
    (wait4's ru_maxrss would include the forking Python's own pages)."""
    p = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    hwm = 0
    while p.poll() is None:
        try:
            for line in open("/proc/%d/status" % p.pid):
                if line.startswith("VmHWM:"):
                    hwm = max(hwm, int(line.split()[1]) * 1024)
        except OSError:
            pass
        time.sleep(0.05)
    return hwm

def rss_slope(cmdf):
    lo = peak_rss(cmdf(64, d=3))
    hi = peak_rss(cmdf(4000, d=3))
    return (hi - lo) / (4000 - 64)

rss_hp = rss_slope(lambda c, d: hotpath_cmd(c, d=d))
rss_wrk = rss_slope(lambda c, d: wrk_cmd(c, d=d))

# Open model at 80% of the closed model's capacity (the -c64 median), with
# room for 256 requests in flight.
target = 0.8 * rows[0][1]
out, _, _ = run(hotpath_cmd(256, ["--rate", "%.0f" % target, "--json", os.path.join(work, "open.json")]))
import json
doc = json.load(open(os.path.join(work, "open.json")))
sent_rate = doc["metrics"]["sent_rate_per_s"]["value"]
lag99 = doc["metrics"]["lag_p99_ns"]["value"]

print("| configuration | hotpath req/s | wrk req/s | ratio | hotpath req per CPU-s | wrk req per CPU-s | ratio |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for label, hr, wr, hc, wc in rows:
    print("| %s | %.0f | %.0f | **%.2fx** | %.0f | %.0f | **%.2fx** |" % (label, hr, wr, hr / wr, hc, wc, hc / wc))
print()
print("syscalls per request (-c64, strace -c -f, 3 s): hotpath %.2f, wrk %.2f" % (sc_hp, sc_wrk))
print("peak RSS per connection (slope 64 -> 4000 connections): hotpath %.0f bytes, wrk %.0f bytes" % (rss_hp, rss_wrk))
print("open model at 80%% of capacity: target %.0f/s, sent %.0f/s (%.2f%% off), scheduler lag p99 %.1f us"
      % (target, sent_rate, abs(sent_rate - target) / target * 100, lag99 / 1000))
PY
