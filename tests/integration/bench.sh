#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath bench against commands of known behaviour (bench_helper) and
# against hyperfine itself (Debian's, for its export schema and its
# parameter expansion):
#   bench.sh HOTPATH BENCH_HELPER
set -eu
H=$1
B=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
py() { python3 -c "$@"; }

command -v hyperfine > "$t/which" || fail "hyperfine is not installed (scripts/deps.sh installs it)"

# 1. Known costs come out in order, and the summary says which is faster.
# Wall times order them; the 4x of the work shows in the user CPU time,
# which a machine busy with other work does not compress as it does the
# wall time (a loaded run read 11 ms and 20 ms: 1.7x).
"$H" bench -N -r 12 --style basic "$B spin 3" "$B spin 12" --export-json "$t/order.json" \
    > "$t/order.out"
py "
import json
r = json.load(open('$t/order.json'))['results']
assert r[0]['mean'] < r[1]['mean'], r
assert 2.0 < r[1]['user'] / r[0]['user'] < 8.0, (r[0]['user'], r[1]['user'])
" || fail "the means of 3 and 12 million steps are out of order"
grep -q "'$B spin 3' ran" "$t/order.out" || fail "the summary names the faster command"
grep -q "times faster than '$B spin 12'" "$t/order.out" || fail "the summary's ratio line"

# 2. Planted outliers: every 7th call does fifty times the work, which stands
# out of any spread a busy machine gives the others (at five times, a run
# beside a browser and two compilers flagged none). The three planted runs
# are flagged (others may be too: the check is that the planted ones are
# found, and the warning is printed).
"$H" bench -N -r 21 --style basic "$B spin 4 7 $t/ctr" --json "$t/out.json" \
    > "$t/out.out" 2> "$t/out.err"
py "
import json
b = json.load(open('$t/out.json'))['benchmarks'][0]
flags = [run['outlier'] for run in b['runs']]
assert len(flags) == 21
assert flags[6] and flags[13] and flags[20], flags
assert b['outliers'] >= 3
" || fail "the planted slow runs (7th, 14th, 21st) are not all flagged"
grep -q "Statistical outliers were detected" "$t/out.err" || fail "no outlier warning"

# 3. hyperfine's JSON export: the same keys and types as hyperfine's own.
hyperfine -N -r 3 --style none --export-json "$t/hf.json" "$B exit 0" -P n 1 2 "$B exit 0 {n}"
"$H" bench -N -r 3 --style none --export-json "$t/hp.json" "$B exit 0" -P n 1 2 "$B exit 0 {n}"
py "
import json
hf, hp = json.load(open('$t/hf.json')), json.load(open('$t/hp.json'))
assert list(hf) == list(hp) == ['results'], (list(hf), list(hp))
def shape(v):
    if isinstance(v, dict): return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list): return [shape(x) for x in v[:1]]
    return 'number' if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__
for a, b in zip(hf['results'], hp['results']):
    assert shape(a) == shape(b), (shape(a), shape(b))
    assert a['command'] == b['command'] and a['parameters'] == b['parameters']
    assert len(b['times']) == 3 and b['exit_codes'] == [0, 0, 0]
" || fail "the JSON export differs from hyperfine's"

# 3b. The Markdown and CSV exports: hyperfine's header, divider and columns,
# the commands in the same order, the fastest at 1.00 and the others with
# their error.
hyperfine -N -r 3 --style none --export-markdown "$t/hf.md" --export-csv "$t/hf.csv" \
    "$B exit 0" "$B cat x" 2> "$t/hf.err"
"$H" bench -N -r 3 --style none --export-markdown "$t/hp.md" --export-csv "$t/hp.csv" \
    "$B exit 0" "$B cat x" 2> "$t/hp.err"
python3 - "$t/hf.md" "$t/hp.md" "$t/hf.csv" "$t/hp.csv" <<'PY' || fail "Markdown or CSV unlike hyperfine's"
import re, sys
hf, hp = [open(f).read().splitlines() for f in sys.argv[1:3]]
assert hf[:2] == hp[:2], (hf[:2], hp[:2])
cells = lambda l: [c.strip() for c in l.strip('|').split('|')]
assert [cells(l)[0] for l in hf[2:]] == [cells(l)[0] for l in hp[2:]]
for l in hp[2:]:
    c = cells(l)
    assert re.fullmatch(r'[0-9.]+ ± [0-9.]+', c[1]) and re.fullmatch(r'[0-9.]+', c[2]), c
    assert c[4] == '1.00' or re.fullmatch(r'[0-9.]+ ± [0-9.]+', c[4]), c
assert sum(cells(l)[4] == '1.00' for l in hp[2:]) == 1
hc, pc = [open(f).read().splitlines() for f in sys.argv[3:5]]
assert hc[0] == pc[0] and len(hc) == len(pc), (hc[0], pc[0])
assert [l.split(',')[0] for l in hc] == [l.split(',')[0] for l in pc]
PY

# 4. Parameter scans and lists expand as hyperfine expands them.
for args in "-P x 0 1 -D 0.25" "-P x -3 9 -D 4" "-L a x,y -L b 1,2\\,3"; do
    # shellcheck disable=SC2086
    hyperfine -N -r 2 --style none --export-json "$t/hf.json" $args "$B exit 0 {x}{a}{b}" \
        "$B cat {x}{a}{b}" 2> "$t/hf.err" || fail "hyperfine $args: $(cat "$t/hf.err")"
    # shellcheck disable=SC2086
    "$H" bench -N -r 2 --style none --export-json "$t/hp.json" $args "$B exit 0 {x}{a}{b}" \
        "$B cat {x}{a}{b}"
    py "
import json
hf, hp = json.load(open('$t/hf.json'))['results'], json.load(open('$t/hp.json'))['results']
got = [(r['command'], r.get('parameters')) for r in hp]
want = [(r['command'], r.get('parameters')) for r in hf]
assert got == want, (got, want)
" || fail "'$args' expands unlike hyperfine"
done

# 5. Peak RSS of a command that touches 64 MiB: within 10%.
"$H" bench -N -r 5 --style none "$B touch 64" --json "$t/rss.json"
py "
import json
b = json.load(open('$t/rss.json'))['benchmarks'][0]
got = b['max_rss_median_bytes'] / 2**20
assert abs(got - 64) <= 6.4, got
assert not b['max_rss_at_floor']
" || fail "peak RSS of 64 MiB"

# 6. A failing command stops the benchmark (exit 1) and says how to go on;
# with -i it goes on, and exit codes that vary are named.
if "$H" bench -N -r 5 --style basic "$B exit 3" > "$t/fail.out" 2> "$t/fail.err"; then
    fail "a command exiting 3 should fail the benchmark"
fi
grep -q "exited with 3" "$t/fail.err" && grep -q -- "--ignore-failure" "$t/fail.err" ||
    fail "the failure message: $(cat "$t/fail.err")"
"$H" bench -N -r 6 -i --style basic "$B exit 4 2 $t/ctr2" --json "$t/vary.json" \
    > "$t/vary.out" 2> "$t/vary.err"
grep -q "exit status varied between runs (exit 0 in 3, exit 4 in 3)" "$t/vary.err" ||
    fail "varying exit codes: $(cat "$t/vary.err")"

# 7. Interleaved runs take turns; shuffled rounds hold each command once.
"$H" bench -N -r 4 --interleave --style none "$B log $t/alt a" "$B log $t/alt b"
[ "$(tr '\n' ' ' < "$t/alt")" = "a b a b a b a b " ] || fail "alternate: $(cat "$t/alt")"
"$H" bench -N -r 6 --interleave=shuffle --seed 3 --style none "$B log $t/shuf a" \
    "$B log $t/shuf b" "$B log $t/shuf c"
py "
lines = open('$t/shuf').read().split()
rounds = [sorted(lines[i:i + 3]) for i in range(0, len(lines), 3)]
assert len(lines) == 18 and all(r == ['a', 'b', 'c'] for r in rounds), lines
assert len({' '.join(lines[i:i + 3]) for i in range(3, 18, 3)}) > 1, lines
" || fail "shuffled rounds: $(tr '\n' ' ' < "$t/shuf")"

# 8. --input and --output: every run reads the file from its start; the
# output file holds the last run's output.
printf 'hello\nbench\n' > "$t/in.txt"
"$H" bench -N -r 3 --style none --input "$t/in.txt" --output "$t/out.txt" "$B cat"
cmp -s "$t/in.txt" "$t/out.txt" || fail "--input/--output"
"$H" bench -N -r 3 --style none --input "$t/in.txt" --output pipe "$B cat" ||
    fail "--output pipe"

# 9. Through the shell, its start-up is measured and recorded.
"$H" bench -r 3 --style none "exit 0" --json "$t/sh.json"
py "
import json
d = json.load(open('$t/sh.json'))
assert d['config']['shell'] == 'sh' and d['config']['shell_startup_s'] > 0
assert d['benchmarks'][0]['runs'][0]['exit_code'] == 0
" || fail "the shell's start-up"

# 10. Ctrl-C keeps what was measured: the exports hold the runs made.
"$H" bench -N -r 10000 --style none "sleep 0.02" --export-json "$t/int.json" \
    --json "$t/int_doc.json" 2> "$t/int.err" &
pid=$!
sleep 1
kill -INT $pid
if wait $pid; then fail "an interrupted benchmark exits 1"; fi
grep -q "interrupted" "$t/int.err" || fail "no word of the interruption"
py "
import json
r = json.load(open('$t/int.json'))['results'][0]
d = json.load(open('$t/int_doc.json'))
assert 3 <= len(r['times']) < 10000, len(r['times'])
assert d['config']['interrupted'] and not d['benchmarks'][0]['complete']
" || fail "the partial results"
echo "bench: all checks passed"
