#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath diagnose against `hotpath serve` with one bottleneck planted at a
# time (the truth is known), each judged by the document it writes:
#  - CPU (--cpu-work on one thread, open model): the CPU (one thread's, or
#    the process's) is named first, and hp_serve_planted_cpu, the function
#    the work runs in, is the frame whose CPU grew most;
#  - a pool (--workers 4, 10 ms each, closed model): the pool, not the CPU,
#    with Little's law giving about 4 in service;
#  - a lock (--lock-work on two threads): lock waiting, not the CPU, the
#    off-CPU profile holding futex waits;
#  - a leak (--alloc-leak 16KiB): memory growth, at about 16 KiB a request;
#  - a healthy server at low load, started by diagnose itself (-- COMMAND):
#    "nothing saturated within the range swept", and the server stopped at
#    the end.
# Then the lock case's RCA report, as HTML (opened in Chromium when it is
# installed) and Markdown.
#   diagnose.sh HOTPATH SRCDIR
set -u
hotpath=$1
src=$2
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "diagnose: $*" >&2; exit 1; }
. "$(dirname "$0")/serve_lib.sh"
short="--warmup 300ms --measure 1s"

# diag NAME PATH SERVE_FLAGS -- DIAGNOSE_ARGS: one planted case, on PATH
diag() {
    name=$1
    path=$2
    shift 2
    flags=""
    while [ "$1" != "--" ]; do flags="$flags $1"; shift; done
    shift
    # shellcheck disable=SC2086
    serve_to "$work/$name-truth.json" $flags
    # shellcheck disable=SC2086
    "$hotpath" diagnose --pid "$pid" $short --json "$work/$name.json" "$@" \
        "http://127.0.0.1:$port$path" \
        >"$work/$name.out" 2>&1 || fail "$name: diagnose failed: $(tail -n 20 "$work/$name.out")"
    stop
}

# judge NAME PYTHON: the document as d, its diagnosis as g, findings as f
judge() {
    python3 - "$work/$1.json" "$2" <<'PY' || fail "$1: $(cat "$work/$1.out")"
import json, sys
d = json.load(open(sys.argv[1]))
g = d["diagnosis"]
f = g["findings"]
causes = [x["cause"] for x in f]
m = {k: v["value"] for k, v in d["metrics"].items()}
exec(sys.argv[2])
PY
}

diag cpu / --cpu-work fixed:1ms -- --rates 250,500,1000,2000
judge cpu '
assert causes[0] in ("thread CPU", "CPU"), causes
assert "pool" not in causes, causes
assert g["knee"] >= 1, g
assert g["grown"][0]["name"] == "hp_serve_planted_cpu", g["grown"][:3]
assert g["grown"][0]["after_cores"] > g["grown"][0]["before_cores"] + 0.1, g["grown"][0]
# both profiles and the overhead are in the document
assert d["profiles"]["knee"]["cpu_folded"] and d["profiles"]["below"]["cpu_folded"]
assert "overhead_ratio" in m and "bare_throughput_per_s" in m, sorted(m)
'

diag pool /delay/fixed:10ms --workers 4 -- --levels 1,2,4,8,16
judge pool '
assert causes[0] == "pool", causes
assert "CPU" not in causes and "thread CPU" not in causes, causes
assert 3.0 <= m["in_service"] <= 5.0, m["in_service"]
assert "Little" in f[0]["evidence"], f[0]
assert "More workers" in g["suggestions"][0]["what"], g["suggestions"][0]
'

diag lock / -t 2 --lock-work fixed:2ms -- --levels 8,16,32
judge lock '
assert causes[0] == "lock", causes
assert "CPU" not in causes and "thread CPU" not in causes, causes
assert m["off_cpu_lock_ratio"] > 0.2, m["off_cpu_lock_ratio"]
assert "futex" in d["profiles"]["knee"]["off_cpu_folded"]
'

diag leak / --alloc-leak 16KiB -- --rates 500,1000,2000
judge leak '
assert causes[0] == "memory growth", causes
assert 0.8 * 16384 <= m["rss_growth_per_request_bytes"] <= 1.5 * 16384, m
'

# healthy, started by diagnose: a free port first
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$hotpath" diagnose --rates 100,200,400 --slo 100ms --warmup 300ms --measure 2s \
    --json "$work/healthy.json" \
    "http://127.0.0.1:$port/" -- "$hotpath" serve --listen "127.0.0.1:$port" \
    --truth "$work/healthy-truth.json" >"$work/healthy.out" 2>&1 ||
    fail "healthy: diagnose failed: $(tail -n 20 "$work/healthy.out")"
judge healthy '
assert causes == ["none"], causes
assert f[0]["title"] == "nothing saturated within the range swept", f[0]
assert g["knee"] == -1
assert d["config"]["target"].endswith("127.0.0.1:'"$port"' --truth '"$work"'/healthy-truth.json"), d["config"]
'
# the server it started was stopped (SIGINT: it wrote its truth file)
[ -s "$work/healthy-truth.json" ] || fail "healthy: the started server did not end cleanly"
grep -q "Sweep further" "$work/healthy.out" || fail "healthy: $(cat "$work/healthy.out")"

# The RCA report of the lock case.
"$hotpath" report --as rca "$work/lock.json" -o "$work/rca.html" || fail "report --as rca"
for part in "Where it stops" "What saturates first" "Where the time goes" "What to try" \
    "Resource use" "Method and cost" "data:image/svg+xml;base64,"; do
    grep -q "$part" "$work/rca.html" || fail "rca.html has no '$part'"
done
mkdir -p "$work/md"
"$hotpath" report --as rca "$work/lock.json" -o "$work/md/rca.md" || fail "report --as rca (md)"
for svg in $(grep -o '([a-z0-9-]*\.svg)' "$work/md/rca.md" | tr -d '()' | sort -u); do
    [ -s "$work/md/$svg" ] || fail "rca.md links $svg, which is missing"
done
# the lock case waits: its off-CPU flame graph (its CPU one may have no sample at all)
grep -q "rca-chart[0-9]*-rca-off-flame.svg" "$work/md/rca.md" || fail "rca.md: no off-CPU flame graph"
"$hotpath" report --as rca "$work/cpu.json" -o "$work/md/cpu.md" || fail "report --as rca (cpu)"
grep -q "cpu-chart[0-9]*-rca-cpu-flame.svg" "$work/md/cpu.md" || fail "cpu.md: no CPU flame graph"
if browser=$(command -v chromium || command -v chromium-browser); then
    python3 "$src/tests/integration/report_dom.py" "$browser" "$work/rca.html" \
        "$work/rca.png" || exit 1
fi
echo "diagnose: ok"
