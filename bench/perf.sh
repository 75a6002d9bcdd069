#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make perf: hotpath guards itself. Runs short versions of the project's key
# benchmarks, each against its peer in the same run (pinned, taking turns,
# RUNS rounds, medians), and records every figure as a ratio in which
# higher is better for hotpath:
#   load_vs_wrk      hotpath load's requests per client CPU-second / wrk's (nginx, -c64)
#   load_vs_floor    the same / bench/floor's (the smallest client that does the work)
#   serve_vs_nginx   wrk's requests/s against hotpath serve / against nginx (one CPU each)
#   sql_vs_pt        pt-query-digest's CPU seconds / hotpath sql digest's, one slow log
#   cache_vs_cksum   cache sim's requests/s (LRU) / cksum's records/s over the same trace
#                    (no cache simulator in Debian: cksum reads the same bytes, so the
#                    ratio takes the machine's speed out)
#   flame_vs_npm     the npm flamegraph package's wall time / hotpath flame's, one perf script
# The run is one result document (kind perf) added to bench/perf/ (the
# history, as text, with the commit measured); then every document there
# goes into a fresh history database and `history detect --fail-on-new`
# runs on each ratio: a change that makes hotpath slower relative to its
# peers fails (exit 99) with the change point named. The trend charts that
# `report` draws from it are written to docs/perf/.
#   bench/perf.sh [BUILD-DIR]   (RUNS=3 DURATION=3; NPM_PREFIX as flame_vs_npm.sh;
#                                PERF_DIR=bench/perf DOCS_DIR=docs/perf)
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
hotpath=$(cd "$build" && pwd)/src/hotpath
cd "$top"
perf_dir=${PERF_DIR:-bench/perf}
docs_dir=${DOCS_DIR:-docs/perf}
. "$top/bench/nginx.sh"
bench_need wrk nginx taskset python3 pt-query-digest cksum git npm
prefix=${NPM_PREFIX:-$HOME/.cache/hotpath-bench}
if [ ! -x "$prefix/node_modules/.bin/flamegraph" ]; then
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --silent flamegraph@1.3.0
fi
work=$(mktemp -d)
nginx_pid=""
serve_pid=""
trap 'for p in $nginx_pid $serve_pid; do kill "$p" 2>>"$work/kill.err" || true; done; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bench_nginx "$work" "$port"
taskset -c 1 "$hotpath" serve --listen 127.0.0.1:0 -t 1 --quiet > "$work/serve.out" &
serve_pid=$!
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
serve_port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')

python3 "$top/bench/sql_gen.py" 50000 "$work/slow.log" 1
"$hotpath" cache gen --zipf 1.0 --objects 200000 -n 2000000 --seed 1 -o "$work/z.oracleGeneral" \
    > "$work/gen.out"
python3 "$top/bench/perf_script_gen.py" 50000 20 "$work/s.perf" 1

commit=$(git -C "$top" rev-parse HEAD)
# tracked files that differ from the commit, but for what make perf itself writes
dirty=$(git -C "$top" status --porcelain --untracked-files=no -- . ':!docs/perf' ':!bench/perf' | grep -c . || true)
mkdir -p "$perf_dir"
PYTHONPATH="$top/bench" python3 - "$hotpath" "$build" "$port" "$serve_port" "$work" \
    "${RUNS:-3}" "${DURATION:-3}" "$prefix/node_modules/.bin/flamegraph" "$commit" "$dirty" \
    "$perf_dir" <<'PY'
import datetime, json, os, platform, re, socket, statistics, subprocess, sys, time
from pinned import run
(hotpath, build, port, serve_port, work, runs, duration, npm, commit, dirty,
 perf_dir) = sys.argv[1:]
runs, duration = int(runs), int(duration)
m = statistics.median
t0 = time.time()

def cpu_of(cmd, stdin=None, stdout=None):
    """cmd on CPU 0: its CPU seconds (utime + stime) and wall seconds."""
    w = time.monotonic()
    sink = stdout or open(os.path.join(work, "run.out"), "w")
    p = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdin=stdin, stdout=sink,
                         stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit("perf: %s failed: %s" % (" ".join(cmd), p.stderr.read().decode()))
    return ru.ru_utime + ru.ru_stime, time.monotonic() - w

def rounds(name, cmds, fig):
    """Each round runs every command once, in turn; the ratio of the first
    to the second is taken per round (a round's runs are back to back, the
    machine drifts between rounds) and the median kept."""
    ratios = []
    for i in range(runs):
        vals = [fig(c) for c in cmds]
        ratios.append(vals[0] / vals[1])
        print("  %s round %d: %.3fx" % (name, i + 1, ratios[-1]), file=sys.stderr)
    return m(ratios)

url = "http://127.0.0.1:%s/" % port
d = "-d%ds" % duration
per_cpu = lambda c: (lambda r: r[0] / r[1])(run(c, must_succeed=True))
rate = lambda c: run(c, must_succeed=True)[0] / duration
figures = {}
figures["load_vs_wrk"] = rounds("load_vs_wrk", [[hotpath, "load", "-t1", "-c64", d, url],
                                                ["wrk", "-t1", "-c64", d, url]], per_cpu)
figures["load_vs_floor"] = rounds("load_vs_floor", [
    [hotpath, "load", "-t1", "-c64", d, url],
    [os.path.join(build, "bench/floor"), "127.0.0.1", port, "64", str(duration)]], per_cpu)
figures["serve_vs_nginx"] = rounds("serve_vs_nginx", [
    ["wrk", "-t1", "-c64", d, "http://127.0.0.1:%s/" % serve_port],
    ["wrk", "-t1", "-c64", d, url]], rate)
log = os.path.join(work, "slow.log")
figures["sql_vs_pt"] = 1 / rounds("sql_vs_pt", [[hotpath, "sql", "digest", log],
                                              ["pt-query-digest", log]],
                                  lambda c: cpu_of(c)[0])
trace = os.path.join(work, "z.oracleGeneral")
def cache_rate(c):
    if c[0] == "cksum":
        return 2e6 / cpu_of(c)[0]   # records/s: 24-byte records, 2M of them
    out = subprocess.run(["taskset", "-c", "0"] + c, capture_output=True, text=True, check=True).stdout
    return 2e6 / float(re.search(r"one pass: ([0-9.e+-]+)s", out).group(1))
figures["cache_vs_cksum"] = rounds("cache_vs_cksum", [
    [hotpath, "cache", "sim", "--policies", "lru", "--sizes", "20000", trace],
    ["cksum", trace]], cache_rate)
src = os.path.join(work, "s.perf")
def flame_wall(c):
    with open(src) as i, open(os.path.join(work, "f.svg"), "w") as o:
        if c[0] == npm:
            return cpu_of(c, stdin=i, stdout=o)[1]
        return cpu_of(c)[1]
figures["flame_vs_npm"] = 1 / rounds("flame_vs_npm", [
    [hotpath, "flame", src, "-o", os.path.join(work, "h.svg")], [npm, "-t", "perf"]], flame_wall)

now = datetime.datetime.now(datetime.timezone.utc)
version = subprocess.run([hotpath, "version"], capture_output=True, text=True).stdout.split()[-1]
doc = {
    "schema": "hotpath.result/1", "kind": "perf", "hotpath_version": version,
    "started_at": datetime.datetime.fromtimestamp(t0, datetime.timezone.utc)
                  .strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (int(t0 * 1000) % 1000),
    "duration_s": round(time.time() - t0, 3),
    "host": {"hostname": socket.gethostname(), "cpus": os.cpu_count(),
             "kernel": platform.release(), "os": platform.system(), "arch": platform.machine()},
    "config": {"commit": commit, "dirty_files": int(dirty), "runs": runs,
               "duration_s": duration},
    "metrics": {k: {"value": round(v, 4), "unit": "x"} for k, v in figures.items()},
    "series": {}, "histograms": {},
}
name = os.path.join(perf_dir, now.strftime("%Y%m%dT%H%M%SZ") + "-" + commit[:12] + ".json")
tmp = name + ".tmp"
with open(tmp, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
os.rename(tmp, name)
print("| ratio (higher is better for hotpath) | this run |")
print("| --- | ---: |")
for k, v in figures.items():
    print("| %s | %.3fx |" % (k, v))
print("\nrecorded in %s" % os.path.relpath(name), file=sys.stderr)
PY

bench/perf_guard.sh "$hotpath" "$perf_dir" "$docs_dir"
