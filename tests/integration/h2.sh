#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath load over HTTP/2: against nginx (ssl http2, and http2 over plain
# TCP, started here on free loopback ports) the requests counted are those
# nginx logged, across nginx's GOAWAY after 1000 requests per connection
# without an error; against hotpath serve --tls-self-signed --h2 and --h2c
# they agree exactly with its --truth, in the closed and the open model;
# checks, scenarios and Lua scripts work unchanged; a server that does not
# agree to h2 fails the connection unless --h2=prefer; h2load agrees with
# serve's counts; wrong combinations are usage errors.
#   h2.sh HOTPATH
set -u
here=$(cd "$(dirname "$0")" && pwd)
hotpath=$1
work=$(mktemp -d)
chmod 755 "$work"
pid=""
npid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; [ -n "$npid" ] && { kill "$npid"; wait "$npid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "h2: $*" >&2; exit 1; }
. "$here/serve_lib.sh"
command -v nginx >/dev/null || fail "nginx is missing (scripts/deps.sh installs nginx-light)"
cd "$work" || exit 1

config() { # file, key
    python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['config']; v=c; [v := v[k] for k in sys.argv[2].split('.')]; print(v)" "$1" "$2"
}
errors() { metric "$1" errors; }

# ---- nginx: ssl http2 and plain http2 ------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
    -out cert.pem -days 2 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    2>/dev/null || fail "making a certificate"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tls_port=$(free_port) h2c_port=$(free_port) h1_port=$(free_port)
cat >nginx.conf <<CONF
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/error.log;
events { worker_connections 1024; }
http {
  client_body_temp_path $work;
  server {
    listen 127.0.0.1:$tls_port ssl http2;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    access_log $work/tls.log;
    location / { return 200 "hello\n"; }
  }
  server {
    listen 127.0.0.1:$h2c_port http2;
    access_log $work/h2c.log;
    location / { return 200 "hello\n"; }
  }
  server {
    listen 127.0.0.1:$h1_port ssl;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    access_log $work/h1.log;
    location / { return 200 "hello\n"; }
  }
}
CONF
nginx -c "$work/nginx.conf" -e "$work/error.log" &
npid=$!
for p in $tls_port $h2c_port $h1_port; do
    for _ in $(seq 50); do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2)" \
            "$p" 2>/dev/null && break
        sleep 0.1
    done
done

# nginx answers 1000 requests per connection, then says GOAWAY: 2 s at
# 10 streams on 4 connections passes that many times, and the streams it
# left out are sent again, never counted as errors.
"$hotpath" load --h2 -k -c 4 -M 10 -d 2s --json h2.json "https://127.0.0.1:$tls_port/" \
    >out.txt 2>&1 || { cat out.txt; fail "load --h2 against nginx"; }
grep -q "HTTP/2, 10 streams per connection" out.txt || { cat out.txt; fail "the banner names HTTP/2"; }
n=$(metric h2.json requests)
[ "$n" -gt 4000 ] || fail "only $n requests over h2"
logged=$(wc -l <tls.log)
[ "$n" -eq "$logged" ] || fail "load counted $n requests over h2, nginx logged $logged"
grep -q 'HTTP/2.0' tls.log || fail "nginx did not log HTTP/2 requests"
[ "$(errors h2.json)" -eq 0 ] || { cat out.txt; fail "errors against nginx over h2"; }
[ "$(metric h2.json reconnects)" -gt 0 ] || fail "no reconnect after nginx's GOAWAYs"
[ "$(config h2.json tls.alpn)" = h2 ] || fail "config.tls.alpn is not h2"
[ "$(config h2.json protocol)" = h2 ] || fail "config.protocol is not h2"
[ "$(config h2.json max_concurrent_streams)" = 10 ] || fail "config.max_concurrent_streams"
# the report names the protocol and draws where the time went
"$hotpath" report h2.json -o h2.html >out.txt 2>&1 || { cat out.txt; fail "report of an h2 run"; }
grep -q "HTTP/2 over TLS (h2), 10 streams per connection" h2.html || fail "the report does not name HTTP/2"
grep -Eq 'id="chart[0-9]+-phases"' h2.html || fail "the report has no phases chart"

"$hotpath" load --h2c -c 2 -M 4 -d 1s --json h2c.json "http://127.0.0.1:$h2c_port/" \
    >out.txt 2>&1 || { cat out.txt; fail "load --h2c against nginx"; }
n=$(metric h2c.json requests)
[ "$n" -gt 1000 ] && [ "$n" -eq "$(wc -l <h2c.log)" ] ||
    fail "load --h2c counted $n requests, nginx logged $(wc -l <h2c.log)"

# A server that offers only HTTP/1.1: --h2 fails every connection, saying
# why; --h2=prefer speaks HTTP/1.1 to it.
"$hotpath" load --h2 -k -c 1 -d 1s "https://127.0.0.1:$h1_port/" >out.txt 2>&1 &&
    fail "--h2 succeeded against a server without h2"
grep -q "did not agree to HTTP/2" out.txt || { cat out.txt; fail "no reason for the ALPN failure"; }
grep -q "tls_handshake" out.txt || fail "ALPN failures not counted as tls_handshake"
"$hotpath" load --h2=prefer -k -c 1 -d 1s --json prefer.json "https://127.0.0.1:$h1_port/" \
    >out.txt 2>&1 || { cat out.txt; fail "--h2=prefer against HTTP/1.1"; }
[ "$(config prefer.json tls.alpn)" = http/1.1 ] || fail "--h2=prefer: ALPN is not http/1.1"
[ "$(metric prefer.json requests)" -eq "$(wc -l <h1.log)" ] || fail "--h2=prefer: counts differ"

kill "$npid"
wait "$npid" 2>/dev/null
npid=""

# ---- hotpath serve over TLS with h2 --------------------------------------
serve --tls-self-signed --h2
"$hotpath" load --h2 -k -c 4 -M 8 -d 1s --json s.json "https://127.0.0.1:$port/bytes/300" \
    >out.txt 2>&1 || { cat out.txt; fail "load --h2 against serve"; }
"$hotpath" load --h2 -k -R 500 -c 2 -M 4 -d 1s --json so.json "https://127.0.0.1:$port/delay/fixed:5ms" \
    >out.txt 2>&1 || { cat out.txt; fail "open model over h2 against serve"; }
# The same server answers HTTP/1.1 to a client that does not ask for h2.
"$hotpath" load -k -c 2 -d 1s --json s1.json "https://127.0.0.1:$port/" >out.txt 2>&1 ||
    { cat out.txt; fail "HTTP/1.1 against serve --h2"; }
stop
total=$(($(metric s.json requests) + $(metric so.json requests) + $(metric s1.json requests)))
[ "$total" -eq "$(truth requests)" ] || fail "load counted $total requests, serve $(truth requests)"
[ "$(metric so.json requests)" -eq 500 ] || fail "open model over h2: $(metric so.json requests) of 500"
[ "$(truth h2_connections)" -eq 6 ] || fail "serve saw $(truth h2_connections) h2 connections, not 6"
[ "$(truth tls_handshakes)" -eq 8 ] || fail "serve made $(truth tls_handshakes) handshakes, not 8"
p50=$(metric so.json latency_p50_ns)
[ "$p50" -ge 5000000 ] && [ "$p50" -lt 50000000 ] || fail "a 5 ms delay measured at p50 $p50 ns"
# 300-byte bodies were all read (bytes counted on the wire, frames included)
[ "$(metric s.json bytes_read)" -gt $(($(metric s.json requests) * 300)) ] || fail "bodies not read"

# ---- h2c: checks, scenarios and scripts unchanged; h2load agrees --------
serve --h2c --error-rate 10%
cat >scn.yaml <<YAML
base_url: http://127.0.0.1:$port
scenarios:
  browse:
    executor: closed
    connections: 2
    duration: 1s
    requests:
      - path: /bytes/5
        checks:
          - status: 200
          - body_contains: xxxxx
      - path: /bytes/3000
        checks:
          - status: 200
          - body_matches: '^x{3000}$'
YAML
"$hotpath" load --h2c -M 4 --json scn.json scn.yaml >out.txt 2>&1
rc=$?
[ "$rc" -eq 0 ] || { cat out.txt; fail "a scenario over h2c (exit $rc)"; }
passed=$(metric scn.json checks_passed) failed=$(metric scn.json checks_failed)
reqs=$(metric scn.json requests)
[ "$reqs" -gt 100 ] || fail "scenario over h2c: $reqs requests"
[ "$((passed + failed))" -eq $((reqs * 2)) ] || fail "checks $passed+$failed for $reqs requests"
# 10% of answers are 500s, each failing its two checks: about 0.2 failed
# checks per request; a check that failed on every answer of one request
# (a body kept short) would make it 0.6
[ "$failed" -gt 0 ] && [ $((failed * 10)) -lt $((reqs * 4)) ] ||
    fail "checks failed $failed for $reqs requests (10% errors asked)"
cat >count.lua <<'LUA'
local seen = false
function response(status, headers, body)
  if status == 200 and body ~= "Hello, World!" then error("a 200 with body " .. body) end
  if status == 200 and not seen then
    seen = true
    local f = io.open("lua_seen.txt", "a")
    f:write(status, " ", body, "\n")
    f:close()
  end
end
LUA
"$hotpath" load --h2c -c 2 -M 3 -d 1s -s count.lua --json lua.json "http://127.0.0.1:$port/" \
    >out.txt 2>&1 || { cat out.txt; fail "a Lua script over h2c"; }
grep -q "^200 Hello, World!$" lua_seen.txt || { cat out.txt; fail "response() did not see the bodies"; }
! grep -q "a 200 with body" out.txt || { cat out.txt; fail "response() saw a wrong body"; }
# stages ramp the connections, each keeping its streams busy
"$hotpath" load --h2c -M 3 --stages 500ms:4,500ms:0 --json stages.json "http://127.0.0.1:$port/" \
    >out.txt 2>&1 || { cat out.txt; fail "stages over h2c"; }
[ "$(metric stages.json requests)" -gt 100 ] || fail "stages over h2c: $(metric stages.json requests) requests"
if command -v h2load >/dev/null; then
    h2load -n 500 -c 2 -m 5 "http://127.0.0.1:$port/" >h2load.txt 2>&1 || fail "h2load against serve --h2c"
    grep -q "500 done" h2load.txt || { cat h2load.txt; fail "h2load: not 500 done"; }
fi
stop
total=$(($(metric scn.json requests) + $(metric lua.json requests) + $(metric stages.json requests) + 500))
command -v h2load >/dev/null || total=$((total - 500))
[ "$total" -eq "$(truth requests)" ] || fail "h2c: load and h2load counted $total, serve $(truth requests)"
[ "$(truth status_500)" -gt 0 ] || fail "no injected error over h2c"

# ---- sweep over h2c: levels are connections, each keeping -M streams busy
serve --h2c
"$hotpath" sweep --h2c -M 4 --levels 1,2 --warmup 100ms --measure 500ms --json sweep.json \
    "http://127.0.0.1:$port/" >out.txt 2>&1 || { cat out.txt; fail "sweep --h2c"; }
stop
python3 - sweep.json <<'PY' || fail "sweep --h2c: the concurrencies are not connections x streams"
import json, sys
d = json.load(open(sys.argv[1]))
steps = d["series"]["throughput_per_s"]["points"] if "throughput_per_s" in d.get("series", {}) else None
levels = [p[0] for p in steps] if steps else [s["concurrency"] for s in d["config"]["steps"]]
sys.exit(0 if levels == [4, 8] else "levels %r" % levels)
PY
[ "$(truth h2_connections)" -eq "$(truth connections)" ] || fail "sweep --h2c: not every connection spoke h2"

# ---- serve --workers: streams wait for a service slot ---------------------
# 20 streams on one connection, 2 slots, 10 ms each: a stream waits for the
# nine pairs before it, so serve's own service time (parse to answer) is
# about 100 ms, however fast the machine; without the pool it would be 10.
serve --h2c --workers 2
"$hotpath" load --h2c -t1 -c1 -M 20 -d 1s --json pool.json "http://127.0.0.1:$port/delay/fixed:10ms" \
    >out.txt 2>&1 || { cat out.txt; fail "load against serve --h2c --workers"; }
stop
[ "$(truth requests)" -eq "$(metric pool.json requests)" ] || fail "--workers: counts differ"
[ "$(truth queued)" -gt 0 ] || fail "--workers: no stream queued"
python3 - "$work/truth.json" <<'PY' || fail "--workers: streams did not wait for the pool"
import json, sys
p50 = json.load(open(sys.argv[1]))["histograms"]["service_time"]["percentiles"]["50"]
sys.exit(0 if p50 >= 50e6 else "service time p50 %.3g ns" % p50)
PY

# ---- serve: an idle HTTP/2 connection is told GOAWAY and closed ----------
serve --h2c --idle-timeout 300ms
python3 - "$port" <<'PY' || fail "serve --h2c --idle-timeout: no GOAWAY and close"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
s.settimeout(5)
t0, data = time.time(), b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
at, types = 0, []
while at + 9 <= len(data):
    n = int.from_bytes(data[at:at + 3], "big")
    types.append(data[at + 3])
    at += 9 + n
sys.exit(0 if 7 in types and time.time() - t0 >= 0.25 else "frames %r after %.2fs" % (types, time.time() - t0))
PY
stop
[ "$(truth idle_timeouts)" -eq 1 ] || fail "serve counted $(truth idle_timeouts) idle timeouts, not 1"

# ---- usage errors ---------------------------------------------------------
usage() { # expected message, args...
    want=$1
    shift
    "$hotpath" load "$@" >out.txt 2>&1
    rc=$?
    [ "$rc" -eq 2 ] || { cat out.txt; fail "load $*: exit $rc, not 2"; }
    grep -q -- "$want" out.txt || { cat out.txt; fail "load $*: no '$want'"; }
}
usage "takes --h2c" --h2 -d 1s http://127.0.0.1:1/
usage "takes --h2" --h2c -d 1s https://127.0.0.1:1/
usage "is for HTTP/2" -M 4 -d 1s http://127.0.0.1:1/
usage "HTTP/1.1's" --h2c --pipeline 4 -d 1s http://127.0.0.1:1/
usage "only choice" --h2=maybe -d 1s https://127.0.0.1:1/
"$hotpath" serve --h2 -l 127.0.0.1:0 >out.txt 2>&1 && fail "serve --h2 without TLS started"
grep -q "add --tls" out.txt || { cat out.txt; fail "serve --h2 without TLS: no reason"; }
echo "h2: ok"
