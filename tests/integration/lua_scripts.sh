#!/bin/sh
# SPDX-License-Identifier: MIT
# wrk-compatible scripts (hotpath load -s), one per part of wrk's API, of the
# kinds people write (tests/data/lua/), against `hotpath serve --truth`:
# what the script made the load test send is checked against what the
# server saw, exactly where it can be.
#   lua_scripts.sh HOTPATH SRCDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
hotpath=$1
lua="$2/tests/data/lua"
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "lua_scripts: $*" >&2; [ -f "$work/out" ] && cat "$work/out" >&2; exit 1; }

. "$here/serve_lib.sh"
run() { # run -s SCRIPT [args...]: output in $work/out, status in $status
    "$hotpath" load "$@" >"$work/out" 2>&1
    status=$?
}
requests() { sed -nE 's/^ *([0-9]+) requests in.*/\1/p' "$work/out"; }

# POST with a JSON body: every request is the same bytes, so the server's
# bytes_in is requests times that length exactly.
serve
run -t1 -c2 -d500ms -s "$lua/post_json.lua" "http://127.0.0.1:$port/status/201"
[ "$status" = 0 ] || fail "post_json exited $status"
n=$(requests); stop
[ "$(truth status_201)" = "$n" ] || fail "post_json: served $(truth status_201) 201s, sent $n"
len=$(python3 -c "import sys; p=sys.argv[1]; print(len('POST /status/201 HTTP/1.1\r\n') + len('host: 127.0.0.1:%s\r\n' % p) + len('content-type: application/json\r\n') + len('content-length: 19\r\n') + 2 + 19)" "$port")
[ "$(truth bytes_in)" = "$((n * len))" ] || fail "post_json: bytes_in $(truth bytes_in), expected $n x $len"

# The document records the request as the script sends it (POST, its body),
# not the defaults (GET, no body) the script replaced.
serve
run -t1 -c1 -d300ms -s "$lua/post_json.lua" --json "$work/post.json" "http://127.0.0.1:$port/status/201"
stop
[ "$status" = 0 ] || fail "post_json --json exited $status"
python3 - "$work/post.json" "$port" <<'PY' || fail "post_json: the document's config is not the request sent"
import json, sys
c = json.load(open(sys.argv[1]))["config"]
assert c["method"] == "POST", c["method"]
assert c["url"] == "http://127.0.0.1:%s/status/201" % sys.argv[2], c["url"]
assert c["body_bytes"] == 19, c["body_bytes"]
assert c["script"].endswith("post_json.lua"), c["script"]
PY

# An auth header from init(args): refused without its argument (before any
# load), runs with it.
serve
run -t1 -c1 -d300ms -s "$lua/auth_from_args.lua" "http://127.0.0.1:$port/"
[ "$status" = 2 ] || fail "auth without token exited $status"
grep -q "auth_from_args.lua:3: usage: -- TOKEN (in init())" "$work/out" || fail "auth: error text"
grep -q "Running" "$work/out" && fail "auth: load was sent before the script failed"
run -t1 -c1 -d300ms -s "$lua/auth_from_args.lua" "http://127.0.0.1:$port/" -- s3cret
[ "$status" = 0 ] || fail "auth with token exited $status"
stop

# Random paths: every request goes to /bytes/N.
serve
run -t2 -c4 -d500ms -s "$lua/random_paths.lua" "http://127.0.0.1:$port/"
[ "$status" = 0 ] || fail "random_paths exited $status"
n=$(requests); stop
[ "$(truth route_bytes)" = "$n" ] || fail "random_paths: $(truth route_bytes) of $n to /bytes/"

# Counting statuses in response(), summed over threads in done().
serve
run -t2 -c4 -d500ms -s "$lua/count_statuses.lua" "http://127.0.0.1:$port/" -- token
[ "$status" = 0 ] || fail "count_statuses exited $status"
stop
for code in 200 404 503; do
    got=$(sed -nE "s/^status $code: ([0-9]+)$/\1/p" "$work/out")
    [ "$got" = "$(truth status_$code)" ] || fail "count_statuses: $code counted $got, served $(truth status_$code)"
done

# Stopping a thread from response(): two threads, 100 answers each.
serve
t0=$(date +%s)
run -t2 -c4 -d20s -s "$lua/stop_thread.lua" "http://127.0.0.1:$port/"
[ "$status" = 0 ] || fail "stop_thread exited $status"
[ $(( $(date +%s) - t0 )) -lt 10 ] || fail "stop_thread: the threads did not stop"
n=$(requests); stop
[ "$n" -ge 200 ] && [ "$n" -le 204 ] || fail "stop_thread: $n answers (200 to 204 expected)"

# Pipelining by concatenating wrk.format(): three requests per write, each
# answered: the three statuses in equal numbers.
serve
run -t1 -c2 -d500ms -s "$lua/pipeline.lua" "http://127.0.0.1:$port/"
[ "$status" = 0 ] || fail "pipeline exited $status"
stop
a=$(truth status_201) b=$(truth status_202) c=$(truth status_203)
[ "$a" -gt 0 ] && [ "$a" = "$b" ] && [ "$b" = "$c" ] || fail "pipeline: 201 $a, 202 $b, 203 $c"
grep -q "pipelined" "$work/out" || fail "pipeline: not run as pipelined"

# A custom report in done(): the summary and latency objects.
serve
run -t1 -c2 -d300ms -s "$lua/report.lua" "http://127.0.0.1:$port/"
[ "$status" = 0 ] || fail "report exited $status"
n=$(requests); stop
grep -q "^report requests=$n$" "$work/out" || fail "report: summary.requests is not $n"
grep -qE "^report p99=[0-9]+$" "$work/out" || fail "report: no p99"
grep -qE "^report first=[0-9]+:[0-9]+ min=[0-9]+ max=[0-9]+$" "$work/out" || fail "report: latency(i)"

# setup(thread), thread.addr, wrk.lookup and wrk.connect.
serve
run -t2 -c2 -d300ms -s "$lua/setup_addr.lua" "http://127.0.0.1:$port/"
[ "$status" = 0 ] || fail "setup_addr exited $status"
grep -q "^setup threads=2$" "$work/out" || fail "setup_addr: setup not called per thread"
stop

# delay(): 20 ms between requests on each of 2 connections for 1 s.
serve
run -t1 -c2 -d1s -s "$lua/delay.lua" "http://127.0.0.1:$port/"
n=$(requests); stop
[ "$n" -ge 40 ] && [ "$n" -le 102 ] || fail "delay: $n requests (at most 2 x 1 s / 20 ms)"

# wrk.method = "HEAD": the answers have no body, and none is waited for.
serve
run -t1 -c2 -d300ms -s "$lua/head.lua" "http://127.0.0.1:$port/bytes/1000"
[ "$status" = 0 ] || fail "head exited $status"
grep -q "Errors:" "$work/out" && fail "head: errors"
n=$(requests); stop
[ "$n" -gt 0 ] && [ "$(truth requests)" = "$n" ] || fail "head: $n answered, $(truth requests) served"

# Errors: file and line, before load for syntax and bad globals.
serve
run -t1 -c1 -d300ms -s "$lua/syntax_error.lua" "http://127.0.0.1:$port/"
[ "$status" = 2 ] || fail "syntax_error exited $status"
grep -q "syntax_error.lua:5:" "$work/out" || fail "syntax_error: no file:line"
run -t1 -c1 -d300ms -s "$lua/not_function.lua" "http://127.0.0.1:$port/"
[ "$status" = 2 ] && grep -q "the global 'request' is a string, not a function" "$work/out" ||
    fail "not_function: status $status"
run -t1 -c1 -d300ms -s "$lua/runtime_error.lua" "http://127.0.0.1:$port/"
[ "$status" = 1 ] || fail "runtime_error exited $status"
grep -q "runtime_error.lua:6: attempt to index local 'x' (a nil value) (in response())" "$work/out" ||
    fail "runtime_error: no file:line"
stop

# A request() that never returns after its 50th call: stopped at the end of
# the test (and the grace period), named with file:line, and what was
# measured is kept: 2 threads x 50 calls, less the one that, as in wrk, counts
# the pipeline depth on thread 0 before the run: 99 requests, as the server
# counted them.
serve
timeout 60 "$hotpath" load -t2 -c2 -d1 -s "$lua/hangs.lua" "http://127.0.0.1:$port/" \
    >"$work/out" 2>&1
status=$?
[ "$status" = 124 ] && fail "hangs: the load test hung"
[ "$status" = 1 ] || fail "hangs exited $status"
grep -q "hangs.lua:7: stopped: still running at the end of the test (in request())" "$work/out" ||
    fail "hangs: no file:line"
n=$(requests); stop
[ "$n" = 99 ] && [ "$(truth requests)" = 99 ] ||
    fail "hangs: $n requests read, $(truth requests) served, 99 expected"
# ... and at Ctrl-C, in a 30 s test.
serve
timeout 60 "$hotpath" load -t2 -c2 -d30 -s "$lua/hangs.lua" "http://127.0.0.1:$port/" \
    >"$work/out" 2>&1 &
lp=$!
sleep 1
kill -INT $lp
wait $lp
status=$?
[ "$status" = 124 ] && fail "hangs: Ctrl-C did not stop it"
[ "$status" = 1 ] || fail "hangs after Ctrl-C exited $status"
grep -q "hangs.lua:7: stopped: still running after the stop request" "$work/out" ||
    fail "hangs after Ctrl-C: no file:line"
n=$(requests); stop
[ "$n" = 99 ] || fail "hangs after Ctrl-C: $n requests read, 99 expected"
echo "lua_scripts: ok"
