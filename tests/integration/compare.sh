#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath compare on samples of known distributions (seeded, made here) and
# on load documents against serve with a planted slow mode:
#   compare.sh HOTPATH
set -eu
H=$1
t=$(mktemp -d)
hotpath=$H
work=$t
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# gen FILE N SEED MEAN SD [SLOW_SHARE FACTOR]: normal samples, one per line;
# the slow ones are whole-sample multiples, planted at fixed places
gen() {
    python3 -c "
import random, sys
f, n, seed, mean, sd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
share, factor = (float(sys.argv[6]), float(sys.argv[7])) if len(sys.argv) > 6 else (0, 1)
r = random.Random(seed)
v = [r.gauss(mean, sd) for _ in range(n)]
k = round(share * n)
for i in range(k):
    v[i * n // k] *= factor
open(f, 'w').write(''.join('%.6f\n' % x for x in v))
" "$@"
}

# 1. Samples from one distribution: a change is found about 5% of the time
# (alpha), over 60 pairs (benchmarks of one Go file each); never far more.
python3 - "$t/same_old.txt" "$t/same_new.txt" <<'PY'
import random, sys
for path, base in ((sys.argv[1], 0), (sys.argv[2], 1000)):
    with open(path, 'w') as f:
        for b in range(60):
            r = random.Random(base + b)
            for _ in range(20):
                f.write('BenchmarkP%d-2  1000  %.3f ns/op\n' % (b, r.gauss(100, 3)))
PY
"$H" compare "$t/same_old.txt" "$t/same_new.txt" > "$t/same.out"
rows=$(grep -c "^P[0-9]*-2 " "$t/same.out")
fp=$(grep "^P[0-9]*-2 " "$t/same.out" | grep -vc " ~ " || true)
[ "$rows" -eq 60 ] || fail "60 rows expected: $(cat "$t/same.out")"
[ "$fp" -le 9 ] || fail "$fp of 60 same-distribution pairs called different (alpha 0.05)"
echo "same distribution: $fp of 60 pairs significant"

# 2. A planted 10% shift is found, and its interval holds it.
gen "$t/old" 20 1 100 3
gen "$t/new" 20 2 110 3
"$H" compare "$t/old" "$t/new" > "$t/shift.out"
python3 - "$t/shift.out" <<'PY' || fail "the 10% shift: $(cat "$t/shift.out")"
import re, sys
line = [l for l in open(sys.argv[1]) if l.startswith('value')][0]
m = re.search(r'([+-][0-9.]+)% \[([+-][0-9.]+)%, ([+-][0-9.]+)%\]', line)
change, lo, hi = map(float, m.groups())
assert 7 < change < 13 and lo < 10 < hi, (change, lo, hi)
PY

# 3. A planted slow mode (5% of runs three times slower, the median the
# same) is found in the tail: the median rule passes, the p99 rule (with
# the exceedance test for "significant") fails.
gen "$t/base" 200 3 100 2
gen "$t/mode" 200 4 100 2 0.05 3
"$H" compare "$t/base" "$t/mode" --fail-on 'median > +5%' > "$t/mode.out" ||
    fail "median > +5% should pass with the median unchanged: $(cat "$t/mode.out")"
set +e
"$H" compare "$t/base" "$t/mode" --fail-on 'p99 > +50% and significant' > "$t/p99.out"
rc=$?
set -e
[ $rc -eq 99 ] || fail "p99 > +50% and significant: exit $rc, wanted 99"
grep -q "^FAIL  'p99 > +50% and significant' on value value" "$t/p99.out" || fail "the FAIL line"

# 4. --fail-on exits 99 exactly when it should: a +3% shift fails 'mean >
# +2%' but not 'mean > +5%'; few samples with a big change fail the plain
# rule and pass the one that wants significance.
gen "$t/o3" 30 5 100 1
gen "$t/n3" 30 6 103 1
"$H" compare "$t/o3" "$t/n3" --fail-on 'mean > +5%' > "$t/r1.out" || fail "mean > +5% on +3%"
for rule in 'mean > +2%' 'mean > +2% and significant' 'median >= +1%'; do
    set +e
    "$H" compare "$t/o3" "$t/n3" --fail-on "$rule" --junit "$t/j.xml" --summary-md "$t/s.md" \
        > "$t/r2.out"
    rc=$?
    set -e
    [ $rc -eq 99 ] || fail "'$rule' on a +3% shift: exit $rc"
    grep -q '<failure' "$t/j.xml" || fail "no JUnit failure for '$rule'"
    grep -q "\*\*failed\*\*" "$t/s.md" || fail "no failed rule in the Markdown summary"
done
"$H" compare "$t/o3" "$t/n3" --fail-on 'mean < -1%' > "$t/r3.out" || fail "mean < -1% on +3%"
printf '100\n101\n99\n' > "$t/few_old"
printf '110\n111\n109\n' > "$t/few_new"
set +e
"$H" compare "$t/few_old" "$t/few_new" --fail-on 'mean > +5%' > "$t/few.out"
rc=$?
set -e
[ $rc -eq 99 ] || fail "mean > +5% on +10% (3 samples): exit $rc"
"$H" compare "$t/few_old" "$t/few_new" --fail-on 'mean > +5% and significant' > "$t/few.out" ||
    fail "3 and 3 samples can never be significant"
grep -q "need >= 4 samples on each side to detect a difference at alpha level 0.05" \
    "$t/few.out" || fail "the too-few note: $(cat "$t/few.out")"
grep -q "± ∞ ¹" "$t/few.out" || fail "no interval with 3 samples"

# 5. Go benchmark text, as benchstat reads it.
cat > "$t/go_old.txt" <<'EOF'
goos: linux
goarch: amd64
pkg: example.com/enc
BenchmarkEncode-8   	 1000000	      1500 ns/op	     512 B/op	       2 allocs/op
BenchmarkEncode-8   	 1000000	      1510 ns/op	     512 B/op	       2 allocs/op
BenchmarkEncode-8   	 1000000	      1495 ns/op	     512 B/op	       2 allocs/op
BenchmarkEncode-8   	 1000000	      1505 ns/op	     512 B/op	       2 allocs/op
BenchmarkEncode-8   	 1000000	      1502 ns/op	     512 B/op	       2 allocs/op
BenchmarkEncode-8   	 1000000	      1498 ns/op	     512 B/op	       2 allocs/op
PASS
ok  	example.com/enc	9.1s
EOF
sed 's/15\([0-9][0-9]\) ns/12\1 ns/' "$t/go_old.txt" > "$t/go_new.txt"
"$H" compare "$t/go_old.txt" "$t/go_new.txt" > "$t/go.out"
grep -q "^Encode-8  *ns/op .*-19\.[0-9]*%" "$t/go.out" || fail "Go ns/op: $(cat "$t/go.out")"
grep -q "^Encode-8  *B/op .* ~ " "$t/go.out" || fail "Go B/op unchanged: $(cat "$t/go.out")"

# 6. Bad input names the file and line.
printf '1.5\n2.5\nthree\n' > "$t/bad"
if "$H" compare "$t/bad" "$t/a" 2> "$t/bad.err"; then fail "a word in a numbers file"; fi
grep -q "$t/bad:3:1: 'three' is not a number" "$t/bad.err" || fail "bad: $(cat "$t/bad.err")"

# 8. The worked example of benchstat's documentation (tests/data): the same
# medians, change, "~" and geomean as benchstat prints.
python3 - "$(dirname "$0")/../data/benchstat_doc_example.csv" "$t/bs_old.txt" "$t/bs_new.txt" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r['benchmark'] != 'geomean']
with open(sys.argv[2], 'w') as o, open(sys.argv[3], 'w') as n:
    for r in rows:
        for v in r['old_ns_per_op'].split(';'):
            o.write('Benchmark%s 1 %s ns/op\n' % (r['benchmark'], v))
        for v in r['new_ns_per_op'].split(';'):
            n.write('Benchmark%s 1 %s ns/op\n' % (r['benchmark'], v))
PY
"$H" compare "$t/bs_old.txt" "$t/bs_new.txt" > "$t/bs.out"
grep -q "^Encode/format=json-48  *ns/op  *1.72us ± 1%  *1.42us .* -17.20% " "$t/bs.out" &&
    grep -q "^Encode/format=gob-48  *ns/op .* ~  *0.446 " "$t/bs.out" &&
    grep -q "^geomean  *ns/op  *2.29us  *2.09us  *-8.94%" "$t/bs.out" ||
    fail "benchstat's example: $(cat "$t/bs.out")"

# 9. sql digests compare class by class (each statement's time a sample), and
# cache simulations policy by policy at each size.
"$H" sql digest "$(dirname "$0")/../data/sql/mysql8.log" --json "$t/sq1.json" > "$t/sq.out"
cp "$t/sq1.json" "$t/sq2.json"
"$H" compare "$t/sq1.json" "$t/sq2.json" > "$t/sqc.out"
grep -q "^SELECT \* FROM orders WHERE id = ?  *query_time .* ~ " "$t/sqc.out" ||
    fail "sql classes: $(cat "$t/sqc.out")"
"$H" cache gen --zipf 1.0 --objects 2000 -n 20000 --seed 7 -o "$t/z.oracleGeneral" > "$t/cg.out"
"$H" cache sim --sizes 100,400 "$t/z.oracleGeneral" --json "$t/c1.json" > "$t/cs.out"
"$H" cache sim --sizes 100,400 --policies lru,sieve "$t/z.oracleGeneral" --json "$t/c2.json" \
    > "$t/cs.out"
"$H" compare "$t/c1.json" "$t/c2.json" > "$t/cc.out"
grep -q "^lru@100  *miss_ratio " "$t/cc.out" && grep -q "^sieve@400  *miss_ratio " "$t/cc.out" ||
    fail "cache policies: $(cat "$t/cc.out")"

# 7. Load documents: the latency histograms are compared, every answer a
# sample: a planted slow mode (5% of answers 15x slower) is found. (At 3x,
# 6 ms, a busy machine's own delays could lift the old run's p99 near it.)
. "$(dirname "$0")/serve_lib.sh"
serve
"$H" load -c 8 -d 2s "http://127.0.0.1:$port/delay/fixed:2ms" --json "$t/l_old.json" > "$t/l1.out"
"$H" load -c 8 -d 2s "http://127.0.0.1:$port/delay/bimodal:5%:2ms:30ms" --json "$t/l_new.json" \
    > "$t/l2.out"
set +e
"$H" compare "$t/l_old.json" "$t/l_new.json" --fail-on 'p99 > +50% and significant' \
    --fail-on 'median > +10%' > "$t/load.out"
rc=$?
set -e
[ $rc -eq 99 ] || fail "load p99: exit $rc: $(cat "$t/load.out")"
grep -q "^FAIL  'p99 > +50% and significant' on load latency" "$t/load.out" ||
    fail "load p99 line: $(cat "$t/load.out")"
grep -q "^ok    'median > +10%' on load latency" "$t/load.out" ||
    fail "load median line: $(cat "$t/load.out")"
echo "compare: all checks passed"
