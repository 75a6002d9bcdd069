#!/bin/sh
# SPDX-License-Identifier: MIT
# Every kind of output path, written by the one writer (core/file.c) that
# all of hotpath's outputs go through: a device node and a FIFO of the
# test's own are written through, never replaced; a symlink stays a link and
# its target gets the new content; "-" is stdout; a path that cannot be
# written is refused before the run (exit 2); a killed writer's temporaries
# are cleaned; a write that fails at the end keeps the bytes.
#   outputs.sh HOTPATH
set -u
hp=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "outputs: $*" >&2; exit 1; }
model() { "$hp" model queue --arrival-rate 8 --service 100ms --json "$1" >"$work/out" 2>&1; }
is_doc() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['schema'] == 'hotpath.result/1'" "$1"; }

# A regular file, then replaced: a whole document each time, nothing left beside it.
model "$work/doc.json" || fail "regular file: exit $?"
is_doc "$work/doc.json" || fail "regular file: not a document"
model "$work/doc.json" || fail "replacing: exit $?"
[ "$(ls "$work" | grep -c 'doc.json')" = 1 ] || fail "temporaries left: $(ls "$work")"

# A symlink stays a symlink; the file at the end of the chain is replaced.
echo old >"$work/run-42.json"
ln -s run-42.json "$work/latest.json"
model "$work/latest.json" || fail "symlink: exit $?"
[ -L "$work/latest.json" ] || fail "symlink: latest.json is no longer a link"
is_doc "$work/run-42.json" || fail "symlink: the target kept its old content"
# ...also a link to a file not written yet, and a chain of two.
ln -s never-written.json "$work/dangling.json"
ln -s latest.json "$work/chain.json"
model "$work/dangling.json" || fail "dangling symlink: exit $?"
[ -L "$work/dangling.json" ] && is_doc "$work/never-written.json" || fail "dangling symlink"
echo old >"$work/run-42.json"
model "$work/chain.json" || fail "chain: exit $?"
[ -L "$work/chain.json" ] && [ -L "$work/latest.json" ] && is_doc "$work/run-42.json" ||
    fail "chain of links"

# A FIFO: its reader gets the document; the FIFO is still a FIFO.
mkfifo "$work/fifo"
cat "$work/fifo" >"$work/from_fifo" &
reader=$!
model "$work/fifo" || fail "fifo: exit $?"
wait "$reader"
[ -p "$work/fifo" ] || fail "fifo: replaced by a regular file"
is_doc "$work/from_fifo" || fail "fifo: the reader did not get the document"

# A character device of our own (the machine's /dev/null's numbers, in our
# folder): written through, still a device. Needs root for mknod.
if mknod "$work/null" c 1 3 2>/dev/null; then
    model "$work/null" || fail "device: exit $?"
    [ -c "$work/null" ] || fail "device: replaced by a regular file"
fi

# "-" is stdout.
"$hp" model queue --arrival-rate 8 --service 100ms --json - >"$work/stdout.json" 2>/dev/null ||
    fail "stdout: exit $?"
python3 -c "
import json, re, sys
t = open(sys.argv[1]).read()
d, _ = json.JSONDecoder().raw_decode(t[re.search(r'\{\s*\"schema\"', t).start():])
assert d['schema'] == 'hotpath.result/1'" "$work/stdout.json" || fail "stdout: no document on stdout"

# Refused before the run, exit 2, naming the path: a missing folder, a folder.
t0=$(date +%s%N)
"$hp" load -d 5s --json "$work/missing/x.json" http://127.0.0.1:9/ >"$work/out" 2>&1
st=$?
[ "$st" = 2 ] || fail "missing folder: exit $st"
grep -q "missing/x.json" "$work/out" || fail "missing folder: message: $(cat "$work/out")"
grep -q "Running" "$work/out" && fail "missing folder: the load ran first"
[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ] || fail "missing folder: not refused at once"
"$hp" model queue --arrival-rate 8 --service 100ms --json "$work" >"$work/out" 2>&1
[ $? = 2 ] || fail "a folder as the output: exit not 2"
"$hp" serve --truth "$work/missing/t.json" >"$work/out" 2>&1
[ $? = 2 ] || fail "serve --truth in a missing folder: exit not 2"

# A killed writer's temporary (its pid no longer runs) is removed by the
# next write; one of a writer still running is left alone.
sleep 0 & dead=$!
wait "$dead"
touch "$work/doc.json.tmp.$dead.abc123" "$work/doc.json.tmp.$$.live"
model "$work/doc.json" || fail "stale: exit $?"
[ -e "$work/doc.json.tmp.$dead.abc123" ] && fail "a dead writer's temporary was left"
[ -e "$work/doc.json.tmp.$$.live" ] || fail "a live writer's temporary was removed"

# A write that fails at the end keeps the results: here the folder is made
# read-only after the check (as a full disk would fail it); as root the
# permission does not stop the write, so a folder removed mid-run stands in.
mkdir "$work/gone"
"$hp" serve --listen 127.0.0.1:0 --truth "$work/gone/t.json" >"$work/serve.out" 2>"$work/serve.err" &
spid=$!
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
rm -rf "$work/gone"
kill -INT "$spid"
wait "$spid"
st=$?
[ "$st" = 1 ] || fail "lost folder: exit $st"
kept=$(sed -nE 's/.*kept in ([^ ]+)$/\1/p' "$work/serve.err")
[ -n "$kept" ] && is_doc "$kept" || fail "lost folder: results not kept: $(cat "$work/serve.err")"
rm -f "$kept"
echo "outputs: all kinds of paths written as they should be"
