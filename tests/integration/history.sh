#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath history: documents and series in, series out; two writers at once
# and a writer killed mid-import lose nothing; a newer schema is refused.
#   history.sh HOTPATH BENCH_HELPER
set -eu
H=$1
B=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
db="$t/h.db"

# 1. Documents: a run each, dated by started_at or --time, tagged; show
# reads the series back oldest first, --where picks runs by tag.
"$H" bench -N -r 3 --style none "$B spin 1" --json "$t/b1.json"
"$H" bench -N -r 3 --style none "$B spin 2" --json "$t/b2.json"
"$H" history add --db "$db" --commit aaa111 --tag branch=main --time 2026-01-02T00:00:00Z \
    "$t/b2.json" > "$t/add.out"
"$H" history add --db "$db" --commit bbb222 --tag branch=dev --time 2026-01-01T00:00:00Z \
    "$t/b1.json" >> "$t/add.out"
grep -q "^run 2: $t/b1.json" "$t/add.out" || fail "add: $(cat "$t/add.out")"
"$H" history show --db "$db" median_s > "$t/show.out"
python3 - "$t/show.out" "$t/b1.json" "$t/b2.json" <<'PY' || fail "show: $(cat "$t/show.out")"
import json, sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
m = [json.load(open(f))['metrics']['median_s']['value'] for f in sys.argv[2:]]
# oldest first: b1 (2026-01-01, run 2) before b2 (2026-01-02, run 1)
assert [r[0] for r in rows] == ['2', '1'], rows
assert rows[0][2] == 'bbb222' and rows[0][1].startswith('2026-01-01T00:00:00')
assert abs(float(rows[0][3]) - m[0]) <= 1e-9 * m[0] and abs(float(rows[1][3]) - m[1]) <= 1e-9 * m[1]
PY
"$H" history show --db "$db" median_s --where branch=main > "$t/where.out"
[ "$(grep -c aaa111 "$t/where.out")" -eq 1 ] && ! grep -q bbb222 "$t/where.out" ||
    fail "--where: $(cat "$t/where.out")"

# 2. A plain series: index,value and time,metric,value; export gives it back.
printf 'index,value\n0,10\n1,11\n2,9.5\n' > "$t/s.csv"
"$H" history import --db "$db" --metric tb "$t/s.csv" > "$t/imp.out"
grep -q "3 values" "$t/imp.out" || fail "import: $(cat "$t/imp.out")"
printf 'time,metric,value\n2026-02-01T10:00:00Z,p99_ms,12.5\n2026-02-01T10:00:00Z,rps,900\n' \
    > "$t/m.csv"
"$H" history import --db "$db" "$t/m.csv" > "$t/imp2.out"
"$H" history export --db "$db" --metric tb -o "$t/tb.csv"
python3 - "$t/tb.csv" <<'PY' || fail "export: $(cat "$t/tb.csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [float(r['value']) for r in rows] == [10, 11, 9.5], rows
assert rows[0]['time'] == '#0' and rows[0]['metric'] == 'tb'
PY
"$H" history list --db "$db" > "$t/list.out"
# the two metrics of one time are one run
[ "$(grep -c "m.csv" "$t/list.out")" -eq 1 ] || fail "list: $(cat "$t/list.out")"
printf 'index,value\n0,1\n1,one\n' > "$t/bad.csv"
if "$H" history import --db "$db" "$t/bad.csv" 2> "$t/bad.err"; then fail "a bad row"; fi
grep -q "$t/bad.csv:3:.*'one' is not a number" "$t/bad.err" || fail "bad: $(cat "$t/bad.err")"
# nothing of the bad file was kept
"$H" history export --db "$db" -o "$t/all.csv"
grep -q "bad.csv" "$t/all.csv" && fail "a failed import left rows"

# 3. Two writers at once: every run of both is there.
"$H" bench -N -r 2 --style none "$B spin 1" --json "$t/w.json"
( for i in $(seq 1 25); do "$H" history add --db "$t/par.db" --tag w=a "$t/w.json" > "$t/wa.out" || exit 1; done ) &
pa=$!
( for i in $(seq 1 25); do "$H" history add --db "$t/par.db" --tag w=b "$t/w.json" > "$t/wb.out" || exit 1; done ) &
pb=$!
wait $pa || fail "writer a failed"
wait $pb || fail "writer b failed"
n=$("$H" history list --db "$t/par.db" | grep -c "w.json")
[ "$n" -eq 50 ] || fail "two writers: $n runs of 50"

# 4. A writer killed mid-import (kill -9) leaves the database whole and
# without any of that file.
python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    f.write('index,value\n')
    for i in range(400000): f.write('%d,%d\n' % (i, i % 97))
" "$t/big.csv"
"$H" history import --db "$t/par.db" --metric big "$t/big.csv" > "$t/big.out" 2>&1 &
pk=$!
sleep 0.3
kill -9 $pk 2>/dev/null || true
st=0
wait $pk 2>/dev/null || st=$?
# killed (137): none of the file; finished first (a fast machine): all of it
want=400000
[ "$st" -eq 137 ] && want=0
python3 - "$t/par.db" "$want" <<'PY' || fail "after kill -9 (exit $st)"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
big = db.execute("SELECT count(*) FROM points WHERE metric = 'big'").fetchone()[0]
assert big == int(sys.argv[2]), big
assert db.execute('SELECT count(*) FROM runs WHERE kind = ?', ('bench',)).fetchone()[0] == 50
PY
"$H" history add --db "$t/par.db" "$t/w.json" > "$t/after.out" || fail "writing after kill -9"

# 5. A database from a newer hotpath is refused with both versions named.
python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute(\"UPDATE meta SET value = '99' WHERE key = 'schema_version'\")
db.commit()
" "$db"
if "$H" history list --db "$db" 2> "$t/ver.err"; then fail "a newer schema"; fi
grep -q "schema version 99: this hotpath knows versions up to 1" "$t/ver.err" ||
    fail "version: $(cat "$t/ver.err")"
echo "history: all checks passed"
