#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath bisect: a repository of 16 commits of a small C program with a 20%
# slowdown planted at commit 11 is bisected to commit 11 in at most 5 steps,
# every step's verdict true to the plant; with nothing planted no commit is
# named; the last number printed and a result document's metric work as the
# measure; the user's checkout is never touched and no worktree is left;
# what cannot be bisected is refused with its reason; Ctrl-C keeps what was
# measured.
#   bisect.sh HOTPATH
set -eu
H=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v git > /dev/null || fail "git is missing (scripts/deps.sh)"
command -v cc > /dev/null || fail "cc is missing"
# runs on one CPU, the last we may use: on a VM whose CPUs differ in speed,
# runs that wander between them measure the CPU, not the commit
cpu=$(python3 -c 'import os; print(max(os.sched_getaffinity(0)))')

# repo DIR SLOW_FROM: 16 commits; from commit SLOW_FROM on (0: never) the
# loop does 20% more work. Every commit also changes notes.txt.
repo() {
    mkdir "$1"
    (
        cd "$1"
        git init -q .
        git config user.email test@example.com
        git config user.name test
        cat > prog.c <<'EOF'
#include <stdio.h>
#include "work.h"
int main(void)
{
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < WORK; i++)
        x += i;
    printf("%lu\n", (unsigned long)x);
    return 0;
}
EOF
        i=1
        while [ $i -le 16 ]; do
            w=50000000
            [ "$2" -gt 0 ] && [ $i -ge "$2" ] && w=60000000
            echo "#define WORK ${w}UL" > work.h
            echo "change $i" > notes.txt
            git add -A
            git commit -qm "commit $i"
            i=$((i + 1))
        done
    )
}
first() { git -C "$1" rev-list --reverse HEAD | head -1; }

# 1. Planted at commit 11: named in at most 5 steps; each step bad exactly
# when its commit is 11 or later; the checkout untouched, no worktree left.
repo "$t/r" 11
head_before=$(git -C "$t/r" rev-parse HEAD)
"$H" bisect -C "$t/r" --good "$(first "$t/r")" --build 'cc -O1 -o prog prog.c' --run ./prog \
    --cpu "$cpu" --json "$t/b.json" > "$t/b.out" 2> "$t/b.err" ||
    fail "bisect exit $?: $(cat "$t/b.err")"
python3 - "$t/b.json" <<'PY' || fail "planted at 11: $(cat "$t/b.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d['kind'] == 'bisect'
assert d['first_bad'] is not None and d['first_bad']['subject'] == 'commit 11', d['first_bad']
assert len(d['steps']) <= 5, [s['subject'] for s in d['steps']]
assert d['metrics']['steps']['value'] == len(d['steps']) and d['metrics']['found']['value'] == 1
for s in d['steps']:
    n = int(s['subject'].split()[1])
    assert s['verdict'] == ('bad' if n >= 11 else 'good'), s
    if s['verdict'] == 'bad':
        assert s['pvalue'] < 0.05 and 0.10 < s['shift'] < 0.30, s
assert [c['subject'] for c in d['commits']] == ['commit %d' % i for i in range(2, 17)]
assert d['good_commit']['subject'] == 'commit 1'
PY
grep -q "^first bad commit: .* commit 11$" "$t/b.out" || fail "summary: $(cat "$t/b.out")"
[ "$(git -C "$t/r" rev-parse HEAD)" = "$head_before" ] || fail "HEAD moved"
[ -z "$(git -C "$t/r" status --porcelain)" ] || fail "checkout touched: $(git -C "$t/r" status --porcelain)"
[ "$(git -C "$t/r" worktree list | wc -l)" -eq 1 ] || fail "worktrees left: $(git -C "$t/r" worktree list)"
"$H" report "$t/b.json" -o "$t/b.html" > "$t/rep.out" 2>&1 || fail "report: $(cat "$t/rep.out")"
grep -q "First bad commit: .* commit 11" "$t/b.html" || fail "report: no first bad commit"

# 2. Nothing planted: the bad commit is measured, found no worse, and no
# commit is named.
repo "$t/flat" 0
"$H" bisect -C "$t/flat" --good "$(first "$t/flat")" --build 'cc -O1 -o prog prog.c' --run ./prog \
    --cpu "$cpu" --json "$t/f.json" > "$t/f.out" 2> "$t/f.err" || fail "flat: exit $?: $(cat "$t/f.err")"
python3 - "$t/f.json" <<'PY' || fail "nothing planted: $(cat "$t/f.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d['first_bad'] is None and d['metrics']['found']['value'] == 0, d['first_bad']
assert len(d['steps']) == 1 and d['steps'][0]['verdict'] == 'good', d['steps']
PY
grep -q "^no regression" "$t/f.out" || fail "flat summary: $(cat "$t/f.out")"

# 3. Other measures: the last number printed (--metric stdout), and a metric
# of the result document the run writes to $HOTPATH_RESULT (here a rate:
# higher is better, and it drops by a third at commit 5 of 8).
mkdir "$t/s"
(
    cd "$t/s"
    git init -q .
    git config user.email test@example.com
    git config user.name test
    # a result document whose rps is 15000 / value: 150/s, then 100/s
    cat > emit.sh <<'EOF'
v=$(cat value.txt)
printf '{"schema": "hotpath.result/1", "kind": "load", "hotpath_version": "0", "started_at": "2026-12-07T00:00:00Z", "duration_s": 1, "host": {}, "config": {}, "metrics": {"rps": {"value": %s, "unit": "1/s"}}, "series": {}, "histograms": {}}\n' $((15000 / v)) > "$HOTPATH_RESULT"
EOF
    i=1
    while [ $i -le 8 ]; do
        v=100
        [ $i -ge 5 ] && v=150
        echo "$v" > value.txt
        echo "change $i" > notes.txt
        git add -A
        git commit -qm "step $i"
        i=$((i + 1))
    done
)
"$H" bisect -C "$t/s" --good "$(first "$t/s")" --build true --run 'echo "took $(cat value.txt) ms"' \
    --metric stdout --json "$t/s.json" > "$t/s.out" 2> "$t/s.err" || fail "stdout: $(cat "$t/s.err")"
grep -q "^first bad commit: .* step 5$" "$t/s.out" || fail "--metric stdout: $(cat "$t/s.out")"
"$H" bisect -C "$t/s" --good "$(first "$t/s")" --build true --run 'sh emit.sh' --metric rps \
    --better higher --runs 5 > "$t/d.out" 2> "$t/d.err" || fail "document metric: $(cat "$t/d.err")"
grep -q "^first bad commit: .* step 5$" "$t/d.out" || fail "--metric rps: $(cat "$t/d.out")"

# 4. What cannot be bisected, each with its reason.
expect() { # STATUS WORDS -- ARGS
    want=$1 words=$2
    shift 3
    rc=0
    "$H" bisect "$@" > "$t/e.out" 2>&1 || rc=$?
    [ $rc -eq "$want" ] && grep -q "$words" "$t/e.out" || fail "bisect $*: exit $rc: $(cat "$t/e.out")"
}
g=$(first "$t/r")
expect 2 "are needed" -- -C "$t/r" --good "$g" --run ./prog
expect 2 "not an ancestor" -- -C "$t/r" --good HEAD --bad "$g" --build true --run ./prog
expect 2 "no-such-rev" -- -C "$t/r" --good no-such-rev --build true --run ./prog
expect 2 "same commit" -- -C "$t/r" --good HEAD --bad HEAD --build true --run ./prog
expect 1 "does not build" -- -C "$t/r" --good "$g" --build 'echo broken >&2; exit 3' --run ./prog
expect 1 "exited 7" -- -C "$t/r" --good "$g" --build true --run 'exit 7'
[ "$(git -C "$t/r" worktree list | wc -l)" -eq 1 ] || fail "worktrees left after errors"

# 5. Ctrl-C in the middle: exit 1, the steps so far in the document, the
# worktrees gone.
"$H" bisect -C "$t/r" --good "$g" --build 'cc -O1 -o prog prog.c' --run ./prog --cpu "$cpu" \
    --json "$t/i.json" > "$t/i.out" 2> "$t/i.err" &
pid=$!
n=0
until [ -f "$t/i.err" ] && grep -q "step 2:" "$t/i.err"; do
    n=$((n + 1))
    [ $n -lt 600 ] || fail "no second step in 60 s: $(cat "$t/i.err")"
    sleep 0.1
done
kill -INT $pid
rc=0
wait $pid || rc=$?
[ $rc -eq 1 ] || fail "interrupted: exit $rc: $(cat "$t/i.err")"
python3 - "$t/i.json" <<'PY' || fail "interrupted document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d['config']['interrupted'] is True and len(d['steps']) >= 1 and d['first_bad'] is None
PY
[ "$(git -C "$t/r" worktree list | wc -l)" -eq 1 ] || fail "worktrees left after Ctrl-C"
echo "bisect: ok"
