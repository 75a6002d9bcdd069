#!/bin/sh
# SPDX-License-Identifier: MIT
# Many mostly idle connections from one machine (bench/many_conns.sh holds
# 100,000; this is its small copy), against hotpath serve's own count:
#  - 2,000 connections from 4 source addresses (--source-addrs), each
#    sending a request every second (--request-every) for 3 s: every
#    connection's requests answered and counted by the server, the sockets'
#    source addresses are the four, and every request is timed from when it
#    was due (its histogram from the send is kept apart);
#  - --connect-rate 500 over 1,000 connections: the first second carries at
#    most the connections made in it (the client's own per-second count);
#  - more connections than the process may hold: refused, naming the limit
#    and --segment; the machine-level flags refused for a scenario file.
#   many_conns.sh HOTPATH
set -u
hotpath=$1
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "many_conns: $*" >&2; exit 1; }
. "$(dirname "$0")/serve_lib.sh"

serve_to "$work/t1.json"
"$hotpath" load -t 2 -c 2000 --request-every 1s -d 3s --source-addrs 127.0.0.2-127.0.0.5 \
    --json "$work/a.json" "http://127.0.0.1:$port/" >"$work/a.out" 2>&1 &
lp=$!
# the sources in use, once the connections are up (they stay up to the end)
for _ in $(seq 40); do
    sleep 0.1
    n=$(ss -Htn state established "( dport = :$port )" | wc -l)
    [ "$n" -ge 2000 ] && break
done
ss -Htn state established "( dport = :$port )" | awk '{print $3}' | sed 's/:[0-9]*$//' |
    sort -u >"$work/sources"
wait "$lp" || fail "load: $(cat "$work/a.out")"
stop
[ "$(cat "$work/sources")" = "127.0.0.2
127.0.0.3
127.0.0.4
127.0.0.5" ] || fail "source addresses: $(cat "$work/sources")"
python3 - "$work/a.json" "$work/t1.json" <<'PY' || fail "2,000 connections"
import json, sys
d, t = (json.load(open(f)) for f in sys.argv[1:])
m = d["metrics"]
req = m["requests"]["value"]
assert req == t["metrics"]["requests"]["value"], (req, t["metrics"]["requests"]["value"])
# each connection's due times, an even share of the second apart, at 0..3 s:
# three each, but one due in the last moment may find the run over
assert 5900 <= req <= 6000, req
assert m["connects"]["value"] == 2000 and m["errors"]["value"] == 0, m["connects"]
assert d["config"]["request_every_ns"] == 1000000000 and d["config"]["source_addrs"] == 4
assert d["histograms"]["latency_uncorrected"]["count"] == req
PY

serve_to "$work/t2.json"
"$hotpath" load -t 1 -c 1000 --connect-rate 500 --request-every 1s -d 3s --json "$work/b.json" \
    "http://127.0.0.1:$port/" >"$work/b.out" 2>&1 || fail "load: $(cat "$work/b.out")"
stop
python3 - "$work/b.json" "$work/t2.json" <<'PY' || fail "--connect-rate"
import json, sys
d, t = (json.load(open(f)) for f in sys.argv[1:])
first = d["series"]["requests_per_s"]["points"][0][1]
# paced, about 500 connections exist by the end of the first second, and a
# connection's first request waits for it: a burst would answer ~1000 here
assert first <= 600, first
assert d["metrics"]["connects"]["value"] == 1000
assert d["metrics"]["requests"]["value"] == t["metrics"]["requests"]["value"]
assert d["config"]["connect_rate_per_s"] == 500
PY

"$hotpath" load -c 30000 -d 1s http://127.0.0.1:1/ >"$work/c.out" 2>&1
[ $? -ne 0 ] || fail "30,000 connections in one process were accepted"
grep -q "segment" "$work/c.out" || fail "the limit message: $(cat "$work/c.out")"
printf 'base_url: http://127.0.0.1:1\nrequests:\n  - {path: /}\n' >"$work/s.yaml"
"$hotpath" load --source-addrs 127.0.0.2 "$work/s.yaml" >"$work/d.out" 2>&1
[ $? -eq 2 ] || fail "--source-addrs with a scenario file: $(cat "$work/d.out")"
echo "many_conns: ok"
