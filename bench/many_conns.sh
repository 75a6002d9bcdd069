#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 100,000 concurrent keep-alive connections on this machine, each sending
# one request every 10 s (10,000 requests/s in all), every request counted
# against the servers' own counts (serve --truth).
#
# A process may hold at most 20,000 descriptors here (RLIMIT_NOFILE's hard
# limit, which root cannot raise on these machines), so the test runs as
# 6 parts of one test (load --segment I/6: 16,667 connections each; 5 parts
# of 20,000 would need 20,000 descriptors plus the process's own) against 6
# hotpath serve processes sharing one port (--reuse-port), and the parts are
# merged. Connections come from 10 source addresses (127.0.0.2-11: one
# address reaches one target on ~28k ephemeral ports) at 10,000 connects/s.
#
# Memory per connection: each process's resident set at full strength
# minus its resident set with its first few connections, over the
# connections it holds then (serve: over the connections it accepted).
#   bench/many_conns.sh [PATH-TO-HOTPATH] [CONNECTIONS] [SECONDS]
set -euo pipefail
hotpath=${1:-build/src/hotpath}
conns=${2:-100000}
secs=${3:-60}
parts=6
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for i in $(seq $parts); do
    "$hotpath" serve -t 1 --reuse-port --listen "127.0.0.1:$port" --idle-timeout 0 \
        --truth "$work/truth-$i.json" >"$work/serve-$i.out" 2>&1 &
    pids+=($!)
done
sleep 1
serve_pids=("${pids[@]}")
serve_base=0
for p in "${serve_pids[@]}"; do serve_base=$((serve_base + $(rss "$p"))); done
at=$(python3 -c "import datetime; t=datetime.datetime.now(datetime.timezone.utc)+datetime.timedelta(seconds=2); print(t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]+'Z')")
load_pids=()
for i in $(seq $parts); do
    "$hotpath" load --segment "$i/$parts" --start-at "$at" -t 1 -c "$conns" --request-every 10s \
        -d "${secs}s" --connect-rate 10k --source-addrs 127.0.0.2-127.0.0.11 --timeout 5s \
        --json "$work/part-$i.json" "http://127.0.0.1:$port/" >"$work/load-$i.out" 2>&1 &
    pids+=($!)
    load_pids+=($!)
done
sleep 2.2 # just after the start: the first connections only
early=0
for p in "${load_pids[@]}"; do early=$((early + $(rss "$p"))); done
early_conns=$(ss -Htn state established "( dport = :$port )" | wc -l)
sleep $((conns / 10000 + 6)) # every connection up
full=0
for p in "${load_pids[@]}"; do full=$((full + $(rss "$p"))); done
full_conns=$(ss -Htn state established "( dport = :$port )" | wc -l)
serve_full=0
for p in "${serve_pids[@]}"; do serve_full=$((serve_full + $(rss "$p"))); done
echo "established: $full_conns connections ($early_conns at the first sample)"
for p in "${load_pids[@]}"; do wait "$p" || true; done
for p in "${serve_pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
"$hotpath" merge -o "$work/all.json" "$work"/part-*.json | sed -n '1,12p'
python3 - "$work" "$parts" "$early" "$early_conns" "$full" "$full_conns" "$serve_base" \
    "$serve_full" <<'PY'
import json, sys
w, parts = sys.argv[1], int(sys.argv[2])
early, early_c, full, full_c, sbase, sfull = map(float, sys.argv[3:])
whole = json.load(open(w + "/all.json"))
m = whole["metrics"]
served = sum(json.load(open("%s/truth-%d.json" % (w, i)))["metrics"]["requests"]["value"]
             for i in range(1, parts + 1))
print("requests: %d answered, %d counted by the servers, %d errors; %.0f/s over %.1f s; "
      "p50 %.2f ms, p99 %.2f ms"
      % (m["requests"]["value"], served, m["errors"]["value"],
         m["requests"]["value"] / whole["duration_s"], whole["duration_s"],
         m["latency_p50_ns"]["value"] / 1e6, m["latency_p99_ns"]["value"] / 1e6))
print("client: %.0f bytes per connection (RSS %.1f MB at %d connections, %.1f MB at %d)"
      % ((full - early) * 1024 / max(full_c - early_c, 1), full / 1024, full_c, early / 1024,
         early_c))
print("serve: %.0f bytes per connection (RSS %.1f MB at %d connections, %.1f MB idle)"
      % ((sfull - sbase) * 1024 / max(full_c, 1), sfull / 1024, full_c, sbase / 1024))
PY
