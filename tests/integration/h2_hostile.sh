#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath load --h2c against servers that misbehave (h2_hostile.py, one way
# each): every request sent is accounted for, in the class that says what
# happened, the counts agree with what the server did, nothing crashes, and
# the run ends on time.
#   h2_hostile.sh HOTPATH
set -u
here=$(cd "$(dirname "$0")" && pwd)
hotpath=$1
work=$(mktemp -d)
hpid=""
trap '[ -n "$hpid" ] && { kill "$hpid"; wait "$hpid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "h2_hostile: $*" >&2; exit 1; }
. "$here/serve_lib.sh" # metric
cd "$work" || exit 1

did() { # what the server did: answered, reset, streams, connections
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" counts.json "$1"
}

# hostile MODE [LOAD FLAGS...]: run 1 s of load against a server in MODE;
# leaves run.json, counts.json and out.txt; fails when the run took
# longer than the test, its timeout and a busy machine's slack allow.
hostile() {
    mode=$1
    shift
    rm -f port.txt counts.json run.json
    python3 "$here/h2_hostile.py" "$mode" "$work/counts.json" >port.txt &
    hpid=$!
    for _ in $(seq 100); do [ -s port.txt ] && break; sleep 0.1; done
    port=$(cat port.txt)
    [ -n "$port" ] || fail "$mode: the server did not start"
    start=$(date +%s)
    "$hotpath" load --h2c -t1 -c2 -M4 -d1s --timeout 500ms "$@" --json run.json \
        "http://127.0.0.1:$port/" >out.txt 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    kill -TERM "$hpid"
    wait "$hpid"
    hpid=""
    [ -s run.json ] || { cat out.txt; fail "$mode: no result document (exit $rc)"; }
    [ "$took" -le 8 ] || fail "$mode: the run took ${took}s"
    # every request sent was answered or is an error (none left over)
    sent=$(metric run.json sent) reqs=$(metric run.json requests) errs=$(metric run.json errors)
    [ "$((reqs + errs + $(metric run.json unanswered)))" -eq "$sent" ] ||
        fail "$mode: $sent sent, $reqs answered, $errs errors"
    [ "$sent" -gt 0 ] || fail "$mode: nothing sent"
}

# a baseline: what the server answered is what load counted
hostile ok
[ "$rc" -eq 0 ] && [ "$reqs" -eq "$(did answered)" ] && [ "$errs" -eq 0 ] ||
    fail "ok: $reqs answered of $(did answered), $errs errors"

# an HTTP/1.1 answer to the preface: a protocol error, every stream malformed
hostile badpreface
[ "$rc" -eq 1 ] && [ "$reqs" -eq 0 ] && [ "$(metric run.json errors_malformed)" -eq "$sent" ] ||
    fail "badpreface: exit $rc, $reqs answered, $(metric run.json errors_malformed) malformed of $sent"
grep -q "protocol error" out.txt || { cat out.txt; fail "badpreface: no reason given"; }

# a 256 KiB header: beyond what HPACK decoding takes (64 KiB a field)
hostile hugeheader
[ "$reqs" -eq 0 ] && [ "$(metric run.json errors_malformed)" -eq "$sent" ] ||
    fail "hugeheader: $reqs answered, $(metric run.json errors_malformed) malformed of $sent"

# a send window of 0 forever: POST bodies never go, each request times out
hostile window0 -m POST --body hello
[ "$reqs" -eq 0 ] && [ "$(metric run.json errors_timeout)" -eq "$sent" ] ||
    fail "window0: $reqs answered, $(metric run.json errors_timeout) timeouts of $sent"
[ "$(did streams)" -eq "$sent" ] || fail "window0: $sent sent, the server saw $(did streams)"

# RST_STREAM on every stream: each is an h2_rst_stream error, the
# connections stay
hostile rst
[ "$(metric run.json errors_h2_rst_stream)" -eq "$sent" ] && [ "$sent" -eq "$(did reset)" ] ||
    fail "rst: $(metric run.json errors_h2_rst_stream) reset of $sent, the server reset $(did reset)"
[ "$(did connections)" -eq 2 ] || fail "rst: $(did connections) connections, not 2"

# GOAWAY (ENHANCE_YOUR_CALM) after 50 streams: those it left out are
# h2_goaway errors, the 50 before it answered, and load reconnects
hostile goaway
[ "$reqs" -eq "$(did answered)" ] || fail "goaway: $reqs answered, the server $(did answered)"
[ "$(metric run.json errors_h2_goaway)" -eq "$errs" ] && [ "$errs" -gt 0 ] ||
    fail "goaway: $errs errors, $(metric run.json errors_h2_goaway) of them h2_goaway"
[ "$(metric run.json reconnects)" -gt 0 ] || fail "goaway: no reconnects"
echo "h2_hostile: ok"
