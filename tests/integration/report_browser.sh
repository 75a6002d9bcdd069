#!/bin/sh
# SPDX-License-Identifier: MIT
# Every report kind, made from real runs against `hotpath serve` and opened
# in headless Chromium (report_dom.py): no console message, nothing fetched,
# every chart with its data points, hover values shown, a screenshot saved
# in OUT (the build tree). Also each as Markdown: every chart's SVG file is
# beside it and linked.
#   report_browser.sh HOTPATH SRCDIR OUT
set -u
hotpath=$1
src=$2
out=$3
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "report_browser: $*" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser) ||
    fail "chromium is not installed (scripts/deps.sh installs Debian's chromium)"
mkdir -p "$out"

"$hotpath" serve --listen 127.0.0.1:0 --threads 1 --workers 8 >"$work/serve.out" &
pid=$!
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
[ -n "$port" ] || fail "serve did not start"
url="http://127.0.0.1:$port"

cat >"$work/mix.yaml" <<YAML
base_url: $url
scenarios:
  browse:
    executor: closed
    connections: 4
    duration: 2s
    requests:
      - {name: home, path: /, weight: 3}
      - {name: search, path: "/delay/fixed:2ms"}
  checkout:
    executor: ramping-arrival-rate
    connections: 20
    stages: [{duration: 1s, target: 100}, {duration: 1s, target: 50}]
    requests:
      - {name: login, method: POST, path: /status/200, body: "{}"}
thresholds:
  http_req_duration: ["p(99) < 1s"]
  http_req_duration{name:search}: ["p(95) < 1ms"]
  http_req_failed: ["rate < 1%"]
YAML

"$hotpath" load -t 1 -c 4 -d 2s --threshold 'http_req_duration: p(99) < 1s' --monitor "$pid" \
    --json "$work/closed.json" "$url/" >/dev/null || fail "closed load"
"$hotpath" monitor -p "$pid" -i 250ms -d 1500ms -q --json "$work/use.json" >/dev/null ||
    fail "monitor"
"$hotpath" load -t 1 -c 16 -d 2s --rate 500 --json "$work/open.json" "$url/delay/fixed:1ms" \
    >/dev/null || fail "open load"
"$hotpath" load --json "$work/mix.json" "$work/mix.yaml" >/dev/null 2>&1
[ $? = 99 ] || fail "the scenario's failing threshold did not exit 99"
"$hotpath" sweep --levels 1,2,4,8,16 --warmup 100ms --measure 300ms --slo 20ms \
    --json "$work/sweep.json" "$url/delay/fixed:2ms" >/dev/null || fail "sweep"
"$hotpath" model plan --peak 10k/s --growth 5% --months 12 --capacity-sweep "$work/sweep.json" \
    --fleet 3 --json "$work/plan.json" >/dev/null || fail "plan"

# How many points a series of a document has (non-null values).
points() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(sum(1 for t, v in d["series"][sys.argv[2]]["points"] if v is not None))' "$1" "$2"
}
closed_n=$(points "$work/closed.json" requests_per_s)
open_n=$(points "$work/open.json" requests_per_s)
lat_n=$(points "$work/closed.json" latency_p99_ns)
sweep_n=$(points "$work/sweep.json" throughput_per_s)
plan_n=$(points "$work/plan.json" instances)

check() { # name, then report arguments; then "--", then expectations
    name=$1
    shift
    args=""
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do args="$args $1"; shift; done
    [ $# -gt 0 ] && shift
    # shellcheck disable=SC2086
    "$hotpath" report $args -o "$work/$name.html" || fail "$name: report failed"
    python3 "$src/tests/integration/report_dom.py" "$browser" "$work/$name.html" \
        "$out/report-$name.png" "$@" || exit 1
    mkdir -p "$work/md"
    # shellcheck disable=SC2086
    "$hotpath" report $args -o "$work/md/$name.md" || fail "$name: Markdown failed"
    charts=$(grep -c '^!\[' "$work/md/$name.md")
    [ "$charts" -gt 0 ] || fail "$name.md: no charts"
    for svg in $(sed -n 's/^!\[.*\](\(.*\.svg\))$/\1/p' "$work/md/$name.md"); do
        [ -s "$work/md/$svg" ] || fail "$name.md links $svg, which is missing"
        grep -q 'xmlns="http://www.w3.org/2000/svg"' "$work/md/$svg" || fail "$svg: not standalone"
    done
    [ "$(ls "$work/md" | grep -c "^$name-.*\.svg$")" = "$charts" ] ||
        fail "$name.md: charts and SVG files differ"
}

check results "$work/closed.json" "$work/open.json" -- \
    "throughput:requests/s=$closed_n" "compare-rate:open.json=$open_n" \
    "latency:p99=$lat_n" "use-cpu:all CPUs=$(points "$work/closed.json" cpu_util)"
grep -q 'Resource use' "$work/results.html" || fail "results: no resource use from --monitor"
check use "$work/use.json" -- "use-cpu:all CPUs=$(points "$work/use.json" cpu_util)" \
    "use-proc:process=$(points "$work/use.json" proc_cpu)"
check test-report --as test-report "$work/closed.json" "$work/open.json" "$work/mix.json" \
    "$work/sweep.json" -- "usl:measured=$sweep_n"
check capacity-plan --as capacity-plan "$work/sweep.json" "$work/plan.json" -- \
    "usl:measured=$sweep_n" "instances:instances=$plan_n"
check test-strategy --as test-strategy "$work/mix.yaml" -- \
    "profile-rate:checkout=3" "profile-connections:browse=2"

# An architecture review of a design (the YAML of model mva, with an
# objective): the response-time curve from 1 to 110 users (twice today's 50,
# past the 46 where the objective breaks, plus 10).
cat >"$work/arch.yaml" <<'YAML'
stations:
  - {name: lb, type: delay, demand: 1ms}
  - {name: web, demand: 8ms, servers: 2}
  - {name: app, demand: 6ms}
  - {name: db, demand: 12ms}
workload: {users: 50, think: 500ms}
objective: {response: 100ms}
YAML
check architecture-review --as architecture-review "$work/arch.yaml" -- \
    "architecture-response:response time (exact MVA)=110"
grep -q "up to 46 users (today 50)" "$work/architecture-review.html" ||
    fail "architecture review: the break point"
grep -q "Twice the servers at db" "$work/architecture-review.html" ||
    fail "architecture review: the ranked what-ifs"

# Several classes: the break point as a multiple of today's load, the mix
# kept (at 1.633 times: 98 and 24 users, where checkout's response time is
# 393 ms, and 406 ms with 25: model mva --users says so), and each class's
# curve at 40 loads.
cat >"$work/arch2.yaml" <<'YAML'
stations:
  - {name: lb, type: delay}
  - {name: web, servers: 4}
  - {name: db}
  - {name: cache}
classes:
  - {name: browse, users: 60, think: 2s, demands: {lb: 1ms, web: 40ms, db: 12ms, cache: 2ms}}
  - {name: checkout, users: 15, think: 5s, demands: {lb: 1ms, web: 90ms, db: 60ms, cache: 1ms}}
objective: {response: 400ms}
YAML
check architecture-review-classes --as architecture-review "$work/arch2.yaml" -- \
    "architecture-load:browse=40" "architecture-load:checkout=40"
grep -q "up to 1.633 times today's load (98 browse users, 24 checkout users" \
    "$work/md/architecture-review-classes.md" || fail "architecture review: several classes"
"$hotpath" model mva "$work/arch2.yaml" --users browse=98 --users checkout=24 |
    grep -q "checkout.*response 393ms" || fail "architecture review: 98 and 24 users"
"$hotpath" model mva "$work/arch2.yaml" --users browse=98 --users checkout=25 |
    grep -q "checkout.*response 406ms" || fail "architecture review: 98 and 25 users"

# A flame graph's own script: searching on load (#search=) marks the frames
# and gives their share, nested matches once (a;x inside a: 70%, not 130%).
printf 'main;a;x 60\nmain;b 30\nmain;a 10\n' >"$work/f.folded"
"$hotpath" flame "$work/f.folded" -o "$work/f.svg" >/dev/null || fail "flame"
"$browser" --headless=new --no-sandbox --disable-gpu --dump-dom "file://$work/f.svg#search=%5E(a%7Cx)%24" \
    2>/dev/null >"$work/f.dom"
grep -q 'data-ready="5"' "$work/f.dom" || fail "the flame graph's script did not run: $(head -c 300 "$work/f.dom")"
grep -q 'data-matched="70.0"' "$work/f.dom" ||
    fail "searching a|x did not give 70.0%: $(grep -o 'data-matched="[^"]*"' "$work/f.dom")"

# A one-hour run (3600 points per series, 10 request names): every point in
# the DOM, and the page under 2 MB (report_dom.py checks the size).
python3 "$src/bench/hour_doc.py" "$work/mix.json" "$work/hour.json" || fail "hour_doc.py"
check hour "$work/hour.json" -- "throughput:requests/s=3600" "latency:p99=3600"

# A query digest of a generated slow log (20,000 statements over ~7 minutes).
python3 "$src/bench/sql_gen.py" 20000 "$work/slow.log" 3 || fail "sql_gen.py"
"$hotpath" sql digest --json "$work/digest.json" "$work/slow.log" >/dev/null || fail "sql digest"
sql_n=$(points "$work/digest.json" top1_query_time_s)
[ "$sql_n" -gt 3 ] || fail "the digest's series has $sql_n points"
check sql "$work/digest.json" -- "sql-time:class 1=$sql_n" "sql-time:class 5=$sql_n"
grep -q 'Hint (index)' "$work/sql.html" || fail "sql: the hints are not shown"

# A cache simulation: the miss ratio by size of each policy, one point per size.
"$hotpath" cache gen --objects 2000 -n 40000 --seed 5 -o "$work/z.oracleGeneral" >/dev/null ||
    fail "cache gen"
"$hotpath" cache sim --sizes 1%,5%,10%,20%,50% --policies lru,sieve,s3fifo,belady \
    --json "$work/cache.json" "$work/z.oracleGeneral" >/dev/null || fail "cache sim"
check cache "$work/cache.json" -- "cache-mrc:sieve=5" "cache-mrc:belady=5"
# A layered cache: a bar per tier and the origin, for requests and bytes.
"$hotpath" cache sim --bytes --tiers edge:2MiB:lru:10s,shield:16MiB:wtinylfu \
    --latency edge=5ms,shield=30ms,origin=150ms --json "$work/tiers.json" \
    "$work/z.oracleGeneral" >/dev/null || fail "cache sim --tiers"
check cache-tiers "$work/tiers.json" -- "cache-tiers:requests=3" "cache-tiers:bytes=3"

# The verdicts are the documents': the scenario's failing threshold shows.
grep -q '✗ Verdict: fail' "$work/test-report.html" || fail "test report: no failing verdict"
grep -q 'http_req_duration{name:search}: p(95) &lt; 1ms' "$work/test-report.html" ||
    fail "test report: the failing threshold is not listed"
echo "report_browser: 4 report kinds, a query digest, a cache simulation, a layered cache, resource use and a one-hour run checked in $browser; screenshots in $out"
