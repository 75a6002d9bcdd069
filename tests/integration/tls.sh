#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath load over TLS against nginx (started here on free loopback ports
# with certificates made here by openssl): requests counted exactly as
# nginx logged them, what was negotiated in the document, session
# resumption, and the certificate checks: an unknown CA, an expired
# certificate and another host's name are each refused with OpenSSL's
# reason and counted as tls_handshake errors; -k accepts them all; TLS
# options on an http:// URL are a usage error.
#   tls.sh HOTPATH
set -u
here=$(cd "$(dirname "$0")" && pwd)
hotpath=$1
work=$(mktemp -d)
chmod 755 "$work"
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "tls: $*" >&2; exit 1; }
command -v nginx >/dev/null || fail "nginx is missing (scripts/deps.sh installs nginx-light)"
command -v openssl >/dev/null || fail "openssl is missing (scripts/deps.sh installs it)"

# A CA, and certificates it signed: for localhost and 127.0.0.1 (good),
# the same names but expired in 2020, and another host's name.
cd "$work" || exit 1
cat >ca.cnf <<'CNF'
[ ca ]
default_ca = hp
[ hp ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
CNF
touch index.txt
echo 01 >serial
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
    -days 2 -subj "/CN=hotpath test CA" 2>/dev/null || fail "making the CA"
cert() { # name, subjectAltName, not before, not after
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
        -out "$1.csr" -subj "/CN=$1" -addext "subjectAltName=$2" 2>/dev/null &&
        openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in "$1.csr" -out "$1.pem" \
            -startdate "$3" -enddate "$4" >/dev/null 2>&1 || fail "making $1's certificate"
}
cert good "DNS:localhost,IP:127.0.0.1" 20250101000000Z 20400101000000Z
cert expired "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20200102000000Z
cert other "DNS:other.example" 20250101000000Z 20400101000000Z

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
good=$(free_port) expired=$(free_port) other=$(free_port)
server() { # port, certificate name
    cat <<CONF
  server {
    listen 127.0.0.1:$1 ssl;
    ssl_certificate $work/$2.pem;
    ssl_certificate_key $work/$2.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    access_log $work/$2.log;
    location / { return 200 "hello\n"; }
  }
CONF
}
{
    echo "worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/error.log;"
    echo "events { worker_connections 1024; }"
    echo "http {"
    server "$good" good
    server "$expired" expired
    server "$other" other
    echo "}"
} >nginx.conf
nginx -c "$work/nginx.conf" -e "$work/error.log" &
pid=$!
for _ in $(seq 50); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2)" \
        "$good" 2>/dev/null && break
    sleep 0.1
done
lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
requests() { sed -nE 's/^ *([0-9]+) requests in.*/\1/p' out; }

# Trusting the CA: every request answered, as nginx logged them.
"$hotpath" load -t1 -c4 -d1 --cacert ca.pem --json good.json "https://127.0.0.1:$good/" \
    >out 2>&1 || fail "a certificate the CA signed was refused: $(cat out)"
n=$(requests)
[ "$n" -gt 0 ] && [ "$n" = "$(lines good.log)" ] ||
    fail "$n requests read, nginx logged $(lines good.log)"
python3 - good.json <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
t = d["config"]["tls"]
if t["version"] not in ("TLSv1.2", "TLSv1.3") or not t["cipher"] or t["handshakes"] < 4:
    sys.exit("tls: config.tls %r" % t)
# no key material: no PEM block anywhere, no key named in the config (the
# whole document's base64 histograms spell "key" now and then by chance)
if (t["verify"] is not True or "PRIVATE KEY" in json.dumps(d) or
        "key" in json.dumps(d["config"]).lower().replace("keep", "")):
    sys.exit("tls: config.tls %r (or a key in the document)" % t)
if d["metrics"].get("errors", {"value": 0})["value"] != 0:
    sys.exit("tls: errors in a clean run: %r" % d["metrics"]["errors"])
PY
# localhost is in the certificate too; --servername checks another name.
"$hotpath" load -t1 -c1 -d300ms --cacert ca.pem "https://localhost:$good/" >out 2>&1 ||
    fail "https://localhost: $(cat out)"
"$hotpath" load -t1 -c1 -d300ms --cacert ca.pem --servername other.example \
    "https://127.0.0.1:$good/" >out 2>&1 && fail "--servername other.example was accepted"
grep -qi "hostname mismatch" out || fail "--servername: no reason: $(cat out)"

# Refused, each with its reason, counted as tls_handshake; nothing answered.
refused() { # host:port, what OpenSSL says, the CA flag or nothing
    before=$(lines "$2.log")
    # shellcheck disable=SC2086
    "$hotpath" load -t1 -c2 -d300ms $4 "https://$1/" >out 2>&1
    status=$?
    [ $status = 1 ] || fail "$2: exit $status: $(cat out)"
    grep -qi "the first error: .*$3" out || fail "$2: no '$3': $(cat out)"
    grep -q "Errors: tls_handshake [1-9]" out || fail "$2: not counted: $(cat out)"
    [ "$(requests)" = 0 ] && [ "$(lines "$2.log")" = "$before" ] || fail "$2: requests were sent"
}
refused "127.0.0.1:$good" good "unable to get local issuer certificate" ""
refused "127.0.0.1:$expired" expired "certificate has expired" "--cacert ca.pem"
refused "localhost:$other" other "hostname mismatch" "--cacert ca.pem"
# -k: no checks, every one of them answers.
for p in "$good" "$expired" "$other"; do
    "$hotpath" load -k -t1 -c2 -d300ms "https://127.0.0.1:$p/" >out 2>&1 ||
        fail "-k on port $p: $(cat out)"
done

# A new connection per request, resuming sessions: handshakes are resumed.
"$hotpath" load -t1 -c2 -d500ms --cacert ca.pem --new-conn-per-request --tls-resume \
    --tls-version 1.3 --json resume.json "https://127.0.0.1:$good/" >out 2>&1 ||
    fail "--tls-resume: $(cat out)"
python3 - resume.json <<'PY' || exit 1
import json, sys
t = json.load(open(sys.argv[1]))["config"]["tls"]
n = json.load(open(sys.argv[1]))["metrics"]["requests"]["value"]
if t["version"] != "TLSv1.3" or t["handshakes"] < n or t["resumed"] < t["handshakes"] // 2:
    sys.exit("tls: --new-conn-per-request --tls-resume: %r for %d requests" % (t, n))
PY

kill "$pid"
wait "$pid" 2>/dev/null
pid=""

# hotpath serve over TLS: its own throw-away certificate (-k), and the CA's
# (--cacert): what load read is exactly what serve's truth counted.
. "$here/serve_lib.sh"
serve --tls-self-signed
grep -q "^listening on https://" serve.out && grep -Eq "SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$" serve.out ||
    fail "serve --tls-self-signed: $(cat serve.out)"
"$hotpath" load -k -t2 -c4 -d1 "https://127.0.0.1:$port/" >out 2>&1 || fail "load -k: $(cat out)"
n=$(requests)
# a scenario file with an https base_url, and a wrk script that sees the scheme
printf 'base_url: https://127.0.0.1:%s\nscenarios:\n  s:\n    executor: closed\n    connections: 2\n    duration: 500ms\n    requests:\n      - path: /bytes/100\n' \
    "$port" >tls.yaml
"$hotpath" load -k tls.yaml >out 2>&1 || fail "an https scenario file: $(cat out)"
n=$((n + $(requests)))
printf 'function init() if wrk.scheme ~= "https" then error("scheme " .. wrk.scheme) end end\n' >scheme.lua
"$hotpath" load -k -t1 -c1 -d200ms -s scheme.lua "https://127.0.0.1:$port/" >out 2>&1 ||
    fail "wrk.scheme over https: $(cat out)"
n=$((n + $(requests)))
# 300 connections on one thread: at most 256 handshakes at once (the rest
# wait for one to end), and every connection gets its turn; the connect
# and request timeouts are long, as a busy machine's server may take its
# time with 256 (the default 2 s request timeout failed 13 answers once).
"$hotpath" load -k -t1 -c300 -d2 --connect-timeout 20s --timeout 20s --json many.json \
    "https://127.0.0.1:$port/" >out 2>&1 || fail "300 TLS connections: $(cat out)"
n=$((n + $(requests)))
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d["config"]["tls"]; e=d["metrics"].get("errors", {"value": 0})["value"]; sys.exit(0 if t["handshakes"] == 300 and e == 0 else "300 connections: %r, %d errors" % (t, e))' many.json ||
    fail "not every connection was made"
"$hotpath" load -t1 -c1 -d300ms "https://127.0.0.1:$port/" >out 2>&1 && fail "a self-signed certificate was trusted"
grep -q "self-signed certificate" out || fail "no reason for the self-signed one: $(cat out)"
stop
[ "$n" -gt 0 ] && [ "$(truth requests)" = "$n" ] || fail "serve answered $(truth requests), load read $n"
[ "$(truth tls_handshakes)" -ge 4 ] && [ "$(truth tls_failures)" -ge 1 ] ||
    fail "serve's truth: $(truth tls_handshakes) handshakes, $(truth tls_failures) failures"
serve --tls-self-signed
"$hotpath" sweep -k --levels 1,2 --warmup 200ms --measure 300ms --json sweep.json \
    "https://127.0.0.1:$port/" >out 2>&1 || fail "sweep over https: $(cat out)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); p=d["series"]["throughput_per_s"]["points"]; sys.exit(0 if len(p) == 2 and all(x[1] > 0 for x in p) else "sweep: %r" % p)' sweep.json ||
    fail "sweep over https measured nothing"
stop
serve --tls "$work/good.pem:$work/good.key"
"$hotpath" load -t1 -c2 -d500ms --cacert ca.pem --tls-version 1.2 --new-conn-per-request \
    --tls-resume --json serve.json "https://localhost:$port/" >out 2>&1 ||
    fail "serve --tls: $(cat out)"
n=$(requests)
stop
[ "$n" -gt 0 ] && [ "$(truth requests)" = "$n" ] || fail "serve --tls answered $(truth requests), load read $n"
python3 - serve.json <<'PY' || exit 1
import json, sys
t = json.load(open(sys.argv[1]))["config"]["tls"]
if t["version"] != "TLSv1.2" or t["resumed"] < t["handshakes"] // 2:
    sys.exit("tls: serve --tls, 1.2 resumed: %r" % t)
PY

# A peer that accepts and then never answers the ClientHello: the connect
# timeout ends each try, counted as connect_timeout; the run ends on time.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' >silent.port &
silent=$!
for _ in $(seq 50); do [ -s silent.port ] && break; sleep 0.1; done
timeout 30 "$hotpath" load -k -t1 -c2 -d1 --connect-timeout 300ms "https://127.0.0.1:$(cat silent.port)/" \
    >out 2>&1
status=$?
kill $silent
[ $status = 1 ] || fail "a silent TLS peer: exit $status: $(cat out)"
grep -q "Errors: connect_timeout [1-9]" out || fail "a silent TLS peer: no connect timeouts: $(cat out)"

# TLS options on an http:// URL, and an unknown --tls-version: usage errors.
"$hotpath" load -k -d1 "http://127.0.0.1:1/" >out 2>&1
[ $? = 2 ] && grep -q "need an https:// URL" out || fail "-k on http://: $(cat out)"
"$hotpath" load --tls-version 1.1 -d1 "https://127.0.0.1:1/" >out 2>&1
[ $? = 2 ] || fail "--tls-version 1.1 accepted"
echo "tls: checked against nginx and hotpath serve"
