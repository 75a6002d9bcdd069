#!/bin/sh
# SPDX-License-Identifier: MIT
# make perf's guard (bench/perf_guard.sh) on made-up histories: a ratio that
# falls by 18% in the newest three runs fails it (exit 99) with the change
# point's commit named; a steady history passes; a fall older than the
# newest five runs passes (it was seen when it happened); the trend report
# is written either way.
#   perf_guard.sh HOTPATH SOURCE_ROOT
set -eu
H=$1
G=$2/bench/perf_guard.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# history DIR N DROP_FROM: N perf documents; load_vs_wrk near 1.10 (+-1%,
# a fixed pattern) until run DROP_FROM (0: never), 0.90 from it; sql_vs_pt
# near 30 throughout. Commits are made-up SHAs: run i is (i in hex) * 40.
history() {
    mkdir -p "$1"
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d, n, drop = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
wiggle = [0.004, -0.007, 0.009, -0.002, 0.006, -0.009, 0.001, -0.004, 0.008, -0.006]
for i in range(1, n + 1):
    w = wiggle[i % len(wiggle)]
    lw = (0.90 if drop and i >= drop else 1.10) * (1 + w)
    doc = {"schema": "hotpath.result/1", "kind": "perf", "hotpath_version": "0.1.0",
           "started_at": "2026-11-%02dT12:00:00.000Z" % i, "duration_s": 90.0,
           "host": {"hostname": "ci", "cpus": 2, "kernel": "6", "os": "Linux", "arch": "x86_64"},
           "config": {"commit": ("%x" % i) * 40 if i < 16 else ("%x" % i)[-1] * 40, "runs": 3},
           "metrics": {"load_vs_wrk": {"value": round(lw, 4), "unit": "x"},
                       "sql_vs_pt": {"value": round(30 * (1 - w), 3), "unit": "x"}},
           "series": {}, "histograms": {}}
    json.dump(doc, open("%s/run%02d.json" % (d, i), "w"))
PY
}

# 1. The newest three runs fall: exit 99, naming run 13's commit (d...d).
history "$t/fall" 15 13
rc=0
"$G" "$H" "$t/fall" "$t/docs1" > "$t/o" 2> "$t/e" || rc=$?
[ $rc -eq 99 ] || fail "a fall in the newest runs: exit $rc: $(cat "$t/e")"
grep -q "load_vs_wrk: the newest 3 points start a regression at index 12 (2026-11-13.*commit dddddddd" "$t/e" ||
    fail "the change point is not named: $(cat "$t/e")"
! grep -q "sql_vs_pt: the newest" "$t/e" || fail "sql_vs_pt did not change: $(cat "$t/e")"
grep -q "History of load.*vs.*wrk" "$t/docs1/trend.md" && grep -q "History of sql.*vs.*pt" "$t/docs1/trend.md" ||
    fail "trend report"
ls "$t/docs1"/trend-chart*-history.svg > "$t/svgs" || fail "no trend charts"
[ "$(wc -l < "$t/svgs")" -eq 2 ] || fail "charts: $(cat "$t/svgs")"

# 2. Steady: exit 0.
history "$t/steady" 15 0
"$G" "$H" "$t/steady" "$t/docs2" > "$t/o" 2> "$t/e" || fail "steady: exit $?: $(cat "$t/e")"

# 3. A fall ten runs ago: seen then, not failed on now.
history "$t/old" 20 11
"$G" "$H" "$t/old" "$t/docs3" > "$t/o" 2> "$t/e" || fail "an old fall: exit $?: $(cat "$t/e")"
grep -q "regression" "$t/docs3/trend.md" || fail "the old fall is not in the report"
echo "perf guard: ok"
