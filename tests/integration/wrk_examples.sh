#!/bin/sh
# SPDX-License-Identifier: MIT
# Every example script Debian's wrk package ships, unchanged, under wrk -s and
# under hotpath load -s, against hotpath serve --truth: the same checks hold
# for both tools (what each script prints, what the server saw).
#   wrk_examples.sh HOTPATH
set -u
here=$(cd "$(dirname "$0")" && pwd)
hotpath=$1
dir=/usr/share/doc/wrk/examples/scripts
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "wrk_examples: $*" >&2; exit 1; }
command -v wrk >/dev/null && [ -d "$dir" ] ||
    fail "wrk and its examples are missing (scripts/deps.sh installs Debian's wrk)"
n=$(ls "$dir"/*.lua | wc -l)
[ "$n" -ge 9 ] || fail "$n example scripts in $dir, expected wrk's 9"

. "$here/serve_lib.sh"

for script in "$dir"/*.lua; do
    name=$(basename "$script" .lua)
    for tool in wrk hotpath; do
        serve
        if [ $tool = wrk ]; then
            wrk -t2 -c4 -d1 -s "$script" "http://127.0.0.1:$port/" >"$work/out" 2>&1
        else
            "$hotpath" load -t2 -c4 -d1 -s "$script" "http://127.0.0.1:$port/" >"$work/out" 2>&1
        fi
        status=$?
        stop
        [ $status = 0 ] || fail "$name under $tool exited $status: $(cat "$work/out")"
        python3 - "$name" "$tool" "$work/out" "$work/truth.json" "$port" <<'PY' || exit 1
import json, re, sys
name, tool, out, truth, port = sys.argv[1:]
text = open(out).read()
m = json.load(open(truth))["metrics"]
served = int(m["requests"]["value"])
def val(k):
    return int(m.get(k, {"value": 0})["value"])
def fail(msg):
    sys.exit("wrk_examples: %s under %s: %s\n%s" % (name, tool, msg, text))
got = re.search(r"^\s+(\d+) requests in", text, re.M)
if not got:
    fail("no 'N requests in' line")
n = int(got.group(1))
if n == 0 or n > served:
    fail("%d requests read, the server answered %d" % (n, served))
if name == "addr":
    lines = re.findall(r"^thread addr: (\S+)$", text, re.M)
    if lines != ["127.0.0.1:%s" % port] * 2:
        fail("thread addr lines %r" % lines)
elif name in ("auth", "counter"):
    # /authenticate and /0, /1, ...: routes serve does not have, every one a 404
    if val("status_404") != served or val("status_200"):
        fail("404s %d of %d" % (val("status_404"), served))
elif name == "delay":
    # 10-50 ms before each request on each of 4 connections for 1 s
    if not 4 * 1000 / 50 * 0.5 <= n <= 4 * 1000 / 10 + 8:
        fail("%d requests with a 10-50 ms delay before each" % n)
elif name == "pipeline":
    if val("status_200") != served or served < 3:
        fail("pipelined /?foo /?bar /?baz: %d 200s of %d" % (val("status_200"), served))
elif name == "post":
    # every request is the same POST of 16 bytes: bytes in are a multiple
    per = (len("POST / HTTP/1.1\r\n") + len("host: 127.0.0.1:%s\r\n" % port) +
           len("content-type: application/x-www-form-urlencoded\r\n") +
           len("content-length: 16\r\n") + 2 + 16)
    if val("bytes_in") != served * per:
        fail("bytes_in %d for %d POSTs of %d bytes" % (val("bytes_in"), served, per))
elif name == "report":
    rows = re.findall(r"^([\d.]+)%,(\d+)$", text, re.M)
    if [r[0] for r in rows] != ["50", "90", "99", "99.999"]:
        fail("percentile rows %r" % rows)
    v = [int(r[1]) for r in rows]
    if v != sorted(v) or v[0] <= 0:
        fail("percentiles (us) not rising: %r" % v)
elif name == "setup":
    made = re.findall(r"^thread (\d) made (\d+) requests and got (\d+) responses$", text, re.M)
    created = re.findall(r"^thread (\d) created$", text, re.M)
    if sorted(created) != ["1", "2"] or sorted(t for t, _, _ in made) != ["1", "2"]:
        fail("threads created %r, reported %r" % (created, made))
    # 2 connections a thread: a request in flight on each at the end, and
    # wrk also makes one it never sends when it stops (3 seen)
    for t, req, resp in made:
        if not 0 <= int(req) - int(resp) <= 4 or int(resp) == 0:
            fail("thread %s made %s requests and got %s responses (2 connections)" % (t, req, resp))
    if abs(sum(int(r) for _, _, r in made) - n) > 4:
        fail("the threads' responses add to %d, %d requests" % (sum(int(r) for _, _, r in made), n))
elif name == "stop":
    # each of 2 threads stops at its 100th response; answers in flight land
    if not 200 <= n <= 204:
        fail("%d requests: each thread stops after 100 responses" % n)
print("wrk_examples: %s under %s: %d requests" % (name, tool, n))
PY
    done
done
