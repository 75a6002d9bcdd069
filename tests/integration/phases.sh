#!/bin/sh
# SPDX-License-Identifier: MIT
# Where each request's time went, k6's http_req_* phases, against hotpath
# serve over TLS: waiting holds a route's delay, receiving a large body,
# sending + waiting + receiving make up the latency from the send; a
# connection's connect and handshake count once (its first answer), 0 on
# the answers after it; blocked is 0 in the closed model and the wait for
# a connection in the open one; thresholds and --latency know the phases.
#   phases.sh HOTPATH
set -u
here=$(cd "$(dirname "$0")" && pwd)
hotpath=$1
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "phases: $*" >&2; exit 1; }
. "$here/serve_lib.sh"
cd "$work" || exit 1

# check FILE PYTHON-EXPRESSION MESSAGE: h(name) is a histogram's figures
# (count, min, mean), m(name) a metric.
check() {
    python3 - "$1" "$2" <<'PY' || fail "$3"
import json, sys
d = json.load(open(sys.argv[1]))
m = lambda k: d["metrics"][k]["value"]
def h(name):
    x = d["histograms"][name]
    return {"count": x["count"], "min": x.get("min", 0), "mean": x.get("mean", 0)}
ok = eval(sys.argv[2])
if not ok:
    print({k: v["value"] for k, v in d["metrics"].items() if k.startswith("http_req")}, file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

serve --tls-self-signed
# keep-alive, a 20 ms route: waiting carries it; 4 connections set up once
"$hotpath" load -k -t1 -c4 -d1s --latency --json ka.json \
    --threshold 'http_req_waiting: p(50) > 19ms' --threshold 'http_req_tls_handshaking: p(50) == 0' \
    "https://127.0.0.1:$port/delay/fixed:20ms" >out.txt 2>&1 || { cat out.txt; fail "keep-alive run"; }
grep -q "Where the time went" out.txt && grep -Eq "^ +tls_handshaking " out.txt ||
    { cat out.txt; fail "--latency has no phases"; }
check ka.json 'm("http_req_waiting_p50_ns") >= 20e6 and m("http_req_waiting_p50_ns") < m("latency_p99_ns")' \
    "waiting does not hold the 20 ms delay"
check ka.json 'all(h("http_req_" + p)["count"] == m("requests") for p in ("blocked", "connecting", "tls_handshaking", "sending", "waiting", "receiving"))' \
    "a phase was not recorded once per answer"
check ka.json 'm("http_req_blocked_max_ns") == 0' "blocked is not 0 in the closed model"
# four connections, each set up once: the rest of the answers had none
check ka.json 'm("http_req_tls_handshaking_p90_ns") == 0 and m("http_req_connecting_p90_ns") == 0 and m("http_req_tls_handshaking_max_ns") > 0 and m("http_req_connecting_max_ns") > 0' \
    "connect and handshake not counted once per connection"
python3 - ka.json <<'PY' || fail "sending + waiting + receiving is not the latency from the send"
import json, sys
d = json.load(open(sys.argv[1]))
m = lambda k: d["metrics"][k]["value"]
parts = m("http_req_sending_avg_ns") + m("http_req_waiting_avg_ns") + m("http_req_receiving_avg_ns")
unc = d["histograms"]["latency_uncorrected"]
# the phases' histograms keep 2 significant digits (within 1%), the latency's 3
sys.exit(0 if abs(parts - unc["mean"]) <= 0.012 * unc["mean"] else "%g vs %g" % (parts, unc["mean"]))
PY

# a new connection for every request: each answer had its own handshake
"$hotpath" load -k -t1 -c2 -d1s --new-conn-per-request --json nc.json \
    "https://127.0.0.1:$port/" >out.txt 2>&1 || { cat out.txt; fail "new connection per request"; }
check nc.json 'h("http_req_tls_handshaking")["count"] == m("requests") and h("http_req_tls_handshaking")["min"] > 0' \
    "not one handshake per request"

# a 4 MB body: receiving takes its share
"$hotpath" load -k -t1 -c1 -d1s --json big.json "https://127.0.0.1:$port/bytes/4MB" >out.txt 2>&1 ||
    { cat out.txt; fail "large bodies"; }
check big.json 'm("status_2xx") == m("requests") and m("http_req_receiving_p50_ns") > m("http_req_waiting_p50_ns")' \
    "receiving a 4 MB body took less than its first byte"

# the open model: one connection for 200/s of 20 ms answers, so requests
# wait for it: blocked is that wait
"$hotpath" load -k -t1 -c1 -R 200 -d1s --json open.json \
    "https://127.0.0.1:$port/delay/fixed:20ms" >out.txt 2>&1 || { cat out.txt; fail "open model"; }
check open.json 'm("http_req_blocked_p50_ns") > 10e6' "blocked does not hold the wait for the connection"

# a threshold on a phase fails the run (exit 99)
"$hotpath" load -k -t1 -c1 -d500ms --threshold 'http_req_waiting: p(50) < 1ms' \
    "https://127.0.0.1:$port/delay/fixed:20ms" >out.txt 2>&1
rc=$?
[ "$rc" -eq 99 ] || { cat out.txt; fail "a failed phase threshold: exit $rc"; }
stop
echo "phases: ok"
