#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hotpath serve -t1 vs nginx (1 worker, access_log off, the same 13-byte body),
# both pinned to CPU 1, wrk -t1 -c64 pinned to CPU 0. The two servers take
# turns, RUNS rounds; the medians and their ratio are printed as a Markdown
# table, with each server's CPU time per request (utime+stime from /proc
# over the wrk run, divided by the requests wrk completed).
#   bench/serve_vs_nginx.sh [PATH-TO-HOTPATH]   (RUNS=5 DURATION=10s by default)
set -euo pipefail
hotpath=${1:-build/src/hotpath}
runs=${RUNS:-5}
duration=${DURATION:-10s}
conns=${CONNS:-64}
for tool in wrk nginx taskset python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool missing (make bench installs it)" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

nginx_port=$(free_port)
cat >"$work/nginx.conf" <<NGX
worker_processes 1;
daemon off;
master_process off;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 4096; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$nginx_port;
        location = / { default_type text/plain; return 200 "Hello, World!"; }
    }
}
NGX
taskset -c 1 nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
pids+=("$nginx_pid")

taskset -c 1 "$hotpath" serve --listen 127.0.0.1:0 -t 1 --quiet >"$work/serve.out" &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
serve_port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
sleep 0.5
for port in "$nginx_port" "$serve_port"; do
    body=$(python3 -c "import urllib.request as u; print(u.urlopen('http://127.0.0.1:$port/').read().decode())")
    [ "$body" = "Hello, World!" ] || { echo "bench: server on $port answered '$body'" >&2; exit 1; }
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# One wrk run against port; prints "req_per_s cpu_us_per_request".
measure() {
    local pid=$1 port=$2 before after out rps reqs
    before=$(cpu_ticks "$pid")
    out=$(taskset -c 0 wrk -t1 -c"$conns" -d"$duration" "http://127.0.0.1:$port/")
    after=$(cpu_ticks "$pid")
    rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ {print $2}')
    reqs=$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')
    if printf '%s\n' "$out" | grep -q "Non-2xx\|Socket errors"; then
        echo "bench: errors in wrk run against $port:" >&2
        printf '%s\n' "$out" >&2
    fi
    python3 -c "print($rps, ($after - $before) / $hz / $reqs * 1e6)"
}

echo "bench: $runs rounds of wrk -t1 -c$conns -d$duration, alternating; servers on CPU 1, wrk on CPU 0" >&2
: >"$work/hotpath.txt"
: >"$work/nginx.txt"
for i in $(seq "$runs"); do
    measure "$serve_pid" "$serve_port" >>"$work/hotpath.txt"
    measure "$nginx_pid" "$nginx_port" >>"$work/nginx.txt"
    echo "  round $i: hotpath $(tail -n 1 "$work/hotpath.txt" | cut -d' ' -f1) req/s," \
         "nginx $(tail -n 1 "$work/nginx.txt" | cut -d' ' -f1) req/s" >&2
done

python3 - "$work/hotpath.txt" "$work/nginx.txt" "$runs" "$duration" "$conns" <<'PY'
import statistics, sys
def load(path):
    rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
    return [r[0] for r in rows], [r[1] for r in rows]
hp_rps, hp_cpu = load(sys.argv[1])
ng_rps, ng_cpu = load(sys.argv[2])
runs, duration, conns = sys.argv[3], sys.argv[4], sys.argv[5]
m = statistics.median
print("| server | median req/s | runs (req/s) | server CPU per request |")
print("| --- | --- | --- | --- |")
print("| hotpath serve -t1 | %.0f | %s | %.2f us |" % (m(hp_rps), ", ".join("%.0f" % x for x in hp_rps), m(hp_cpu)))
print("| nginx (1 worker) | %.0f | %s | %.2f us |" % (m(ng_rps), ", ".join("%.0f" % x for x in ng_rps), m(ng_cpu)))
print()
print("ratio hotpath/nginx: **%.2fx** requests/s (median of %s alternating runs, wrk -t1 -c%s -d%s); "
      "CPU per request %.2fx" % (m(hp_rps) / m(ng_rps), runs, conns, duration, m(hp_cpu) / m(ng_cpu)))
PY
