#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make demo: the main job on the embedded target. Starts `hotpath serve` on a
# free port with a 200 ms stall every 2 s, shows it answering each kind of
# route, load-tests it twice (closed model, then open model: the same server,
# two very different p99s), stops it with SIGINT and checks the load test's
# request count against the ground truth the server wrote.
#   scripts/demo.sh PATH-TO-HOTPATH
set -euo pipefail
hotpath=${1:-build/src/hotpath}
work=$(mktemp -d)
pid2=""
trap 'kill "$pid" $pid2 2>/dev/null || true; rm -rf "$work"' EXIT

"$hotpath" serve --listen 127.0.0.1:0 --threads 2 --stall 2s:200ms --truth "$work/truth.json" \
    >"$work/out" &
pid=$!
for _ in $(seq 50); do [ -s "$work/out" ] && break; sleep 0.1; done
head -n 1 "$work/out"
port=$(head -n 1 "$work/out" | sed -E 's/.*:([0-9]+) .*/\1/')

# One request over bash's /dev/tcp (no curl needed); prints status line and body.
get() {
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET %s HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n' "$1" >&3
    local reply
    reply=$(tr -d '\r' <&3)
    exec 3<&-
    local status body
    status=$(printf '%s\n' "$reply" | head -n 1)
    body=$(printf '%s\n' "$reply" | sed '1,/^$/d' | head -c 60)
    printf '  GET %-28s -> %s  %s\n' "$1" "$status" "$(printf '%s' "$body" | tr '\n' ' ')"
}

echo "answering:"
get /
get /bytes/32
get /status/503
get /delay/fixed:20ms
get /delay/lognormal:2ms:0.5
get /no/such/route

echo
echo "closed model, like wrk: 16 connections, each waits for its answer before asking again"
"$hotpath" load -t 1 -c 16 -d 4s "http://127.0.0.1:$port/" | sed 's/^/  /'
echo
echo "open model, 2000 requests/s on a schedule, measured from when each should have been sent"
"$hotpath" load -t 1 -c 64 -d 4s --rate 2000 --json "$work/load.json" "http://127.0.0.1:$port/" \
    | sed 's/^/  /'
echo
echo "(the closed model's p99 hides the stalls: its clients stop asking while the server is"
echo " paused. The open model keeps the schedule and sees them.)"
echo

kill -INT "$pid"
wait "$pid"
stopped_output=$(sed -n '2,$p' "$work/out")

# The whole loop on a second target with a realistic latency distribution and
# a pool of 16 workers (so throughput levels off at 16 / 2.27 ms = 7k/s and
# latency grows by queueing beyond): sweep it, fit the USL, and plan capacity
# from the knee.
"$hotpath" serve --listen 127.0.0.1:0 --threads 1 --workers 16 >"$work/out2" &
pid2=$!
for _ in $(seq 50); do [ -s "$work/out2" ] && break; sleep 0.1; done
port2=$(head -n 1 "$work/out2" | sed -E 's/.*:([0-9]+) .*/\1/')
echo "sweep: a server of 16 workers, /delay/lognormal:2ms:0.5, 1 to 64 connections, p99 objective 10ms"
"$hotpath" sweep --levels 1,2,4,8,12,16,24,32,48,64 --warmup 300ms --measure 1s --slo 10ms \
    --json "$work/sweep.json" --csv "$work/sweep.csv" \
    "http://127.0.0.1:$port2/delay/lognormal:2ms:0.5" | sed 's/^/  /'
kill -INT "$pid2"
wait "$pid2" || true
report_dir=${DEMO_OUT:-build/demo}
mkdir -p "$report_dir"
echo
echo "capacity plan: today's peak 20k/s growing 8% a month, one instance = the sweep's knee"
"$hotpath" model plan --peak 20k/s --growth 8% --capacity-sweep "$work/sweep.json" --months 12 \
    --fleet 6 -o "$report_dir/capacity-plan.md" | sed 's/^/  /'
echo "  (written as Markdown to $report_dir/capacity-plan.md)"
"$hotpath" model plan --peak 20k/s --growth 8% --capacity-sweep "$work/sweep.json" --months 12 \
    --fleet 6 --json "$work/plan.json" >/dev/null
"$hotpath" report --as capacity-plan "$work/sweep.json" "$work/plan.json" -o "$report_dir/capacity-plan.html"
"$hotpath" report --as test-report "$work/load.json" "$work/sweep.json" -o "$report_dir/test-report.html"
echo "reports: $report_dir/capacity-plan.html and $report_dir/test-report.html (self-contained, open offline)"
echo
echo "the first server's own account:"
printf '%s\n' "$stopped_output" | sed 's/^/  /'
echo "ground truth written by serve (a hotpath.result/1 document):"
python3 - "$work/truth.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
print("  schema %s, kind %s, %d metrics, histogram service_time of %d requests"
      % (doc["schema"], doc["kind"], len(doc["metrics"]),
         doc["histograms"]["service_time"]["count"]))
print("  " + "  ".join("%s=%g" % (k, v["value"]) for k, v in doc["metrics"].items()
                       if k.startswith("status_")))
print("  service_time data: %s..." % doc["histograms"]["service_time"]["data"][:40])
PY
python3 - "$work/truth.json" "$work/load.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))["metrics"]
load = json.load(open(sys.argv[2]))["metrics"]
print("served in all %d requests; the open-model run answered %d of the %d it sent"
      % (truth["requests"]["value"], load["requests"]["value"], load["sent"]["value"]))
PY
