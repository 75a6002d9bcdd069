#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath history detect: the planted shifts and no others; Otava's merge
# point for point; --fail-on-new in a CI loop that adds one run at a time;
# the result document.
#   history_detect.sh HOTPATH DATA_DIR
set -eu
H=$1
D=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. 400 points with two planted shifts (+10% at 120, -15% at 260): those two,
# nothing else; the first is a regression (a time: lower is better), the
# second an improvement; the document holds both with their segments.
"$H" history import --db "$t/a.db" --metric median_s "$D/changepoint_two_shifts.csv" > "$t/imp.out"
"$H" history detect --db "$t/a.db" median_s --json "$t/cp.json" > "$t/det.out" ||
    fail "detect: $(cat "$t/det.out")"
python3 - "$t/cp.json" "$t/det.out" <<'PY' || fail "two shifts: $(cat "$t/det.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d['schema'] == 'hotpath.result/1' and d['kind'] == 'history', d['kind']
cps = d['change_points']
assert [c['index'] for c in cps] == [120, 260], cps
assert [c['regression'] for c in cps] == [True, False], cps
assert (cps[0]['from'], cps[0]['to'], cps[1]['from'], cps[1]['to']) == (0, 260, 120, 400)
assert abs(cps[0]['change'] - 0.10) < 0.005 and abs(cps[1]['change'] + 0.15) < 0.005, cps
assert d['metrics']['points']['value'] == 400 and d['metrics']['change_points']['value'] == 2
assert d['metrics']['regressions']['value'] == 1 and d['metrics']['new_regression']['value'] == 0
assert len(d['runs']) == 400 and len(d['series']['median_s']['points']) == 400
assert d['config']['window'] == 50 and d['config']['max_pvalue'] == 0.001
out = open(sys.argv[2]).read()
assert ' 120  #120 ' in out and 'regression' in out and 'improvement' in out, out
PY

# report draws it: the verdict, the chart and the table of change points
"$H" report "$t/cp.json" -o "$t/r.html" > "$t/rep.out" 2>&1 || fail "report: $(cat "$t/rep.out")"
grep -q "History of median_s" "$t/r.html" && grep -q "<svg" "$t/r.html" &&
    grep -q "level between change points" "$t/r.html" && grep -q ">regression<" "$t/r.html" &&
    grep -q ">improvement<" "$t/r.html" || fail "report: no history section"

# 2. Otava's merge, point for point with Otava's own output (the reference
# file tests/data/otava_reference.py wrote by running Otava's code).
"$H" history import --db "$t/tb.db" "$D/changepoint_tigerbeetle.csv" > "$t/imp.out"
for mode in otava fixed; do
    flag=
    [ "$mode" = otava ] && flag=--otava-merge
    "$H" history detect --db "$t/tb.db" value --window 30 --max-pvalue 0.01 $flag \
        --json "$t/tb-$mode.json" > "$t/tb.out"
    python3 - "$t/tb-$mode.json" "$D/changepoint_otava.txt" "$mode" <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1]))
want, on = [], False
for line in open(sys.argv[2]):
    if line.startswith('case '):
        on = line.split()[1:] == ['changepoint_tigerbeetle.csv', '30', '0.01', '0', sys.argv[3]]
    elif on and line[0].isdigit():
        f = line.split()
        want.append((int(f[0]), float(f[5])))
got = [(c['index'], c['pvalue']) for c in d['change_points']]
assert [g[0] for g in got] == [w[0] for w in want], (got, want)
assert all(abs(g[1] - w[1]) <= 1e-6 * w[1] for g, w in zip(got, want)), (got, want)
PY
        fail "tigerbeetle, $mode merge: $(cat "$t/tb.out")"
done

# 3. --fail-on-new in a CI loop: 60 runs near 100 ms, then runs near 112 ms
# added one at a time, detect after each. No failure before the shift; a
# failure within 5 runs of it, naming index 60; the job passes again once the
# shift is older than --new runs.
awk 'BEGIN { s = 7; for (i = 0; i < 90; i++) {
    s = (s * 1103515245 + 12345) % 2147483648; u = s / 2147483648 - 0.5
    v = (i < 60 ? 100 : 112) + 2 * u
    printf "%d,%.3f\n", i, v } }' > "$t/ci.csv"
first=
last99=
i=0
while IFS=, read -r idx v; do
    printf 'index,value\n%s,%s\n' "$idx" "$v" > "$t/one.csv"
    "$H" history import --db "$t/ci.db" --metric p99_ms "$t/one.csv" > "$t/imp.out"
    rc=0
    "$H" history detect --db "$t/ci.db" p99_ms --fail-on-new > "$t/ci.out" 2> "$t/ci.err" || rc=$?
    case $rc in
    0) ;;
    99)
        [ "$idx" -ge 60 ] || fail "--fail-on-new failed at run $idx, before the shift: $(cat "$t/ci.err")"
        grep -q "start a regression at index 60 " "$t/ci.err" || fail "not index 60: $(cat "$t/ci.err")"
        [ -n "$first" ] || first=$idx
        last99=$idx
        ;;
    *) fail "detect exit $rc at run $idx: $(cat "$t/ci.err")" ;;
    esac
    i=$((i + 1))
done < "$t/ci.csv"
[ -n "$first" ] || fail "--fail-on-new never failed on a +12% shift"
[ "$first" -le 64 ] || fail "--fail-on-new first failed at run $first, more than 5 runs after 60"
[ "$last99" -le 64 ] || fail "--fail-on-new still failing at run $last99 (--new 5)"

# the same history read as a rate (higher is better) has no regression
"$H" history detect --db "$t/ci.db" p99_ms --fail-on-new --new 100 --better higher > "$t/ci.out" ||
    fail "--better higher: a rise is no regression: $(cat "$t/ci.out")"
# and with --new 100 as a time it fails
rc=0
"$H" history detect --db "$t/ci.db" p99_ms --fail-on-new --new 100 > "$t/ci.out" 2> "$t/ci.err" || rc=$?
[ $rc -eq 99 ] || fail "--new 100: exit $rc"

# 4. What it refuses: no such metric; options out of range.
rc=0
"$H" history detect --db "$t/ci.db" nothing > "$t/e.out" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "no values of 'nothing'" "$t/e.out" || fail "unknown metric: $rc $(cat "$t/e.out")"
for bad in "--window 1" "--max-pvalue 0" "--max-pvalue 2" "--min-magnitude -5%" "--new 0" \
    "--better faster"; do
    rc=0
    # shellcheck disable=SC2086
    "$H" history detect --db "$t/ci.db" p99_ms $bad > "$t/e.out" 2>&1 || rc=$?
    [ $rc -eq 2 ] || fail "$bad: exit $rc: $(cat "$t/e.out")"
done
echo "history detect: ok (fail-on-new first at run $first, last at $last99)"
