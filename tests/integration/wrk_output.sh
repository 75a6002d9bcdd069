#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath load prints wrk's lines in wrk's format, so scripts that parse wrk's
# output keep working: the regular expressions such scripts use (below) read
# hotpath's output, and the same expressions read wrk's own on the same
# server (wrk is a test dependency), and the counts they read agree with the
# server's truth: Non-2xx or 3xx responses, Socket errors (connect, read,
# write, timeout), requests and bytes.
#   wrk_output.sh HOTPATH
set -u
hotpath=$1
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "wrk_output: $*" >&2; exit 1; }
command -v wrk >/dev/null || fail "wrk is missing (scripts/deps.sh installs Debian's wrk)"

"$hotpath" serve --listen 127.0.0.1:0 --truth "$work/truth.json" >"$work/serve.out" &
pid=$!
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
url="http://127.0.0.1:$port"
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$hotpath" load -t2 -c4 -d1 "$url/" >"$work/ok.hp" 2>&1 || fail "load / failed"
"$hotpath" load -t2 -c4 -d1 "$url/status/503" >"$work/503.hp" 2>&1
"$hotpath" load -t1 -c2 -d2 --timeout 1 "$url/delay/fixed:1500ms" >"$work/slow.hp" 2>&1
"$hotpath" load -t1 -c2 -d500ms "http://127.0.0.1:$closed/" >"$work/refused.hp" 2>&1
wrk -t2 -c4 -d1 "$url/" >"$work/ok.wrk" 2>&1 || fail "wrk failed: $(cat "$work/ok.wrk")"
wrk -t2 -c4 -d1 "$url/status/503" >"$work/503.wrk" 2>&1
wrk -t1 -c2 -d2 --timeout 1 "$url/delay/fixed:1500ms" >"$work/slow.wrk" 2>&1
kill -INT "$pid"; wait "$pid"; pid=""

python3 - "$work" <<'PY'
import json, re, sys
w = sys.argv[1]
# what wrk-parsing scripts match (wrk's own print formats)
NUM = r"([\d.]+)([a-zA-Z%]*)"
ROW = r"^\s+{}\s+" + NUM + r"\s+" + NUM + r"\s+" + NUM + r"\s+([\d.]+)%$"
pats = {
    "header": re.compile(r"^\s+Thread Stats\s+Avg\s+Stdev\s+Max\s+\+/- Stdev$", re.M),
    "latency": re.compile(ROW.format("Latency"), re.M),
    "reqsec": re.compile(ROW.format("Req/Sec"), re.M),
    "total": re.compile(r"^\s+(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read$", re.M),
    "rps": re.compile(r"^Requests/sec:\s+([\d.]+)$", re.M),
    "tps": re.compile(r"^Transfer/sec:\s+([\d.]+)(\w+)$", re.M),
    "sock": re.compile(r"^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)$", re.M),
    "non2xx": re.compile(r"^\s+Non-2xx or 3xx responses: (\d+)$", re.M),
}
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "": 1, "k": 1e3, "M": 1e6, "G": 1e9,
         "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
def fail(msg):
    sys.exit("wrk_output: " + msg)
def read(name):
    return open("%s/%s" % (w, name)).read()
def need(text, key, name):
    m = pats[key].search(text)
    if not m:
        fail("%s: no %s line in:\n%s" % (name, key, text))
    for g in m.groups():
        if g and re.fullmatch(r"[a-zA-Z]+", g) and g not in UNITS:
            fail("%s: unit %r in %s is not one of wrk's" % (name, g, key))
    return m
truth = json.load(open(w + "/truth.json"))["metrics"]
for tool in ("wrk", "hp"):
    for case in ("ok", "503", "slow"):
        t = read("%s.%s" % (case, tool))
        # nothing answered in time: wrk's latency row reads -nan%
        keys = ("header", "total", "rps", "tps") + (("latency", "reqsec") if case != "slow" else ())
        for key in keys:
            need(t, key, "%s.%s" % (case, tool))
    t = read("503.%s" % tool)
    n = int(need(t, "total", "503." + tool).group(1))
    if int(need(t, "non2xx", "503." + tool).group(1)) != n:
        fail("503.%s: every answer was a 503, Non-2xx says otherwise" % tool)
    if pats["non2xx"].search(read("ok." + tool)):
        fail("ok.%s: a Non-2xx line with none" % tool)
    s = need(read("slow." + tool), "sock", "slow." + tool)
    if int(s.group(4)) == 0:
        fail("slow.%s: a 1.5 s route under a 1 s timeout, no timeouts counted" % tool)
# the server's truth: hotpath's counts are what it answered
hp503 = int(need(read("503.hp"), "total", "503.hp").group(1))
if hp503 > truth["status_503"]["value"]:
    fail("503.hp: %d 503s read, the server sent %d (with wrk's)" % (hp503, truth["status_503"]["value"]))
s = need(read("refused.hp"), "sock", "refused.hp")
if int(s.group(1)) == 0 or int(s.group(2)) or int(s.group(3)) or int(s.group(4)):
    fail("refused.hp: %r: connect errors only expected" % (s.groups(),))
print("wrk_output: wrk's lines read alike from wrk and hotpath")
PY
