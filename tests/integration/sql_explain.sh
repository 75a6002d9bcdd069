#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath sql digest --explain against a real PostgreSQL: Debian's server
# binaries, a fresh cluster in a temporary directory on a free loopback port
# (as the postgres user when run as root: initdb refuses root), a 100k-row
# table, and a stderr log of statements whose plans are known: a sequential
# scan of the large table, a sort and a hash join that spill with work_mem at
# 64kB, a 100x
# row misestimate on correlated columns, an UPDATE that the read-only
# transaction must refuse under ANALYZE (and that must not change the row),
# a prepared statement with and without its logged parameters, an entry of
# several statements (SELECT; COMMIT; UPDATE: the UPDATE must never run), a
# volatile function (pg_reload_conf(): its SIGHUP must never reach the
# server's log under --analyze) and a range filter on an indexed column
# (no index advised).
#   sql_explain.sh HOTPATH SRCDIR
set -u
hotpath=$1
fail() { echo "sql_explain: $*" >&2; exit 1; }
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] ||
    fail "PostgreSQL's server is not installed (scripts/deps.sh installs Debian's postgresql)"
command -v psql >/dev/null || fail "psql is missing (Debian's postgresql-client)"
work=$(mktemp -d)
chmod 755 "$work"
as=""
if [ "$(id -u)" = 0 ]; then
    chown postgres "$work"
    as="runuser -u postgres --"
fi
cleanup() {
    $as "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$as "$bindir/initdb" -D "$work/data" -A trust -U hp >/dev/null 2>&1 || fail "initdb failed"
$as "$bindir/pg_ctl" -D "$work/data" -w -l "$work/pg.log" \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c work_mem=64kB -c fsync=off" \
    start >/dev/null 2>&1 || { cat "$work/pg.log" >&2; fail "the server did not start"; }
url="postgresql://hp:secret@127.0.0.1:$port/postgres"
psql -q -X -v ON_ERROR_STOP=1 "$url" >/dev/null <<'SQL' || fail "setting up the tables"
CREATE TABLE big (id int PRIMARY KEY, x int, y int, note text);
INSERT INTO big SELECT g, g % 100, g % 100, md5(g::text) FROM generate_series(1, 100000) g;
CREATE TABLE small (id int PRIMARY KEY, v text);
INSERT INTO small SELECT g, 'v' FROM generate_series(1, 100) g;
ANALYZE big;
ANALYZE small;
SQL
t="2026-01-15 10:00:00.000 UTC [4242] hp@postgres LOG:  duration:"
cat >"$work/pg.stderr.log" <<LOG
$t 900.000 ms  statement: SELECT * FROM big WHERE note LIKE '%abc%'
$t 800.000 ms  statement: SELECT * FROM big WHERE x = 7 AND y = 7
$t 700.000 ms  statement: SELECT * FROM big ORDER BY note
$t 650.000 ms  statement: SELECT a.id FROM big a JOIN big b ON a.note = b.note
$t 600.000 ms  statement: UPDATE small SET v = 'w' WHERE id = 1
$t 500.000 ms  execute <unnamed>: SELECT * FROM small WHERE id = \$1
$t 1.000 ms  statement: SELECT v FROM small WHERE id = 5
$t 450.000 ms  statement: SELECT count(*) FROM small WHERE id = 3; COMMIT; UPDATE small SET v = 'hacked' WHERE id = 2
$t 440.000 ms  statement: select pg_reload_conf()
$t 430.000 ms  statement: SELECT * FROM big WHERE id > 105
$t 420.000 ms  execute <unnamed>: SELECT * FROM big WHERE id = \$1 AND note <> \$2
2026-01-15 10:00:00.000 UTC [4242] hp@postgres DETAIL:  parameters: \$1 = '7', \$2 = 'O''Brien'
$t 410.000 ms  execute <unnamed>: SELECT * FROM big WHERE x = \$1
$t 400.000 ms  statement: SELECT * FROM big WHERE id < 50 AND now() > '2000-01-01'
LOG

# Estimates only: the seq scans are flagged; spills and misestimates need ANALYZE.
"$hotpath" sql digest --explain "$url" --explain-top 20 --json "$work/plain.json" \
    "$work/pg.stderr.log" >"$work/plain.txt" || fail "digest --explain failed: $(cat "$work/plain.txt")"
# ANALYZE: real rows, the spill, the misestimate; the UPDATE refused.
"$hotpath" sql digest --explain "$url" --explain-top 20 --analyze --json "$work/an.json" \
    "$work/pg.stderr.log" >"$work/an.txt" || fail "digest --explain --analyze failed"
grep -q 'plan (seq-scan): Seq Scan on public.big (100000 rows)' "$work/plain.txt" ||
    fail "no seq-scan flag in the text report: $(grep -n 'plan\|explain' "$work/plain.txt")"
python3 - "$work/plain.json" "$work/an.json" <<'PY' || exit 1
import json, sys
def flags(path):
    d = json.load(open(sys.argv[1] if path == 0 else sys.argv[2]))
    out = {}
    for c in d["classes"]:
        e = c.get("explain")
        out[c["fingerprint"]] = (sorted(f["kind"] for f in e["flags"]) if e and e.get("plan")
                                 else e and e.get("error"))
    return d, out
def check(cond, msg):
    if not cond:
        sys.exit("sql_explain: " + msg)
plain, p = flags(0)
an, a = flags(1)
like = "SELECT * FROM big WHERE note LIKE ?"
corr = "SELECT * FROM big WHERE x = ? AND y = ?"
sort = "SELECT * FROM big ORDER BY note"
join = "SELECT a.id FROM big a JOIN big b ON a.note = b.note"
upd = "UPDATE small SET v = ? WHERE id = ?"
prep = "SELECT * FROM small WHERE id = ?"
small = "SELECT v FROM small WHERE id = ?"
check(p[like] == ["seq-scan"], "plain, LIKE: %r" % (p[like],))
check(p[corr] == ["seq-scan"], "plain, x and y: %r" % (p[corr],))
check("sort-spill" not in p[sort], "plain: a spill flagged without ANALYZE: %r" % (p[sort],))
check(isinstance(p[upd], list), "plain: EXPLAIN of an UPDATE is allowed read-only: %r" % (p[upd],))
check(p[small] == [], "plain, a lookup by key: %r" % (p[small],))
check("seq-scan" in a[like], "analyze, LIKE: %r" % (a[like],))
check("row-estimate" in a[corr], "analyze, x and y: no misestimate flagged: %r" % (a[corr],))
check("sort-spill" in a[sort], "analyze, ORDER BY note: no spill flagged: %r" % (a[sort],))
check(isinstance(a[upd], str) and "read-only" in a[upd], "analyze, UPDATE: %r" % (a[upd],))
check("hash-spill" in a[join], "analyze, a join of 100k rows in 64kB: no spill: %r" % (a[join],))
check("hash-spill" not in p[join], "plain: a hash spill without ANALYZE: %r" % (p[join],))
# a statement of both the digest's classes: the prepared one shares the lookup's class
check(isinstance(a.get(prep, a[small]), (list, str)), "prepared: %r" % (a.get(prep),))
def ex(d, fp):
    return [c["explain"] for c in d["classes"] if c["fingerprint"] == fp][0]
multi = "SELECT COUNT(*) FROM small WHERE id = ?; COMMIT; UPDATE small SET v = ? WHERE id = ?"
for d in (plain, an):
    e = ex(d, multi)
    check(not e.get("plan") and "3 statements" in e["error"], "several statements: %r" % (e,))
e = ex(an, "SELECT pg_reload_conf()")
check(e.get("plan") and e["analyze"] is False and "pg_reload_conf() is volatile" in e["note"],
      "a volatile function analysed: %r" % ({k: v for k, v in e.items() if k != "plan"},))
e = ex(an, "SELECT * FROM big WHERE id < ? AND NOW() > ?")
check(e.get("plan") and e["analyze"] is True, "a stable function not analysed: %r" % (e.get("note"),))
e = ex(plain, "SELECT * FROM big WHERE id > ?")
check([f["kind"] for f in e["flags"]] == ["seq-scan"], "id > 105: %r" % (e["flags"],))
ev = e["flags"][0]["evidence"]
check("already indexed by big_pkey (id)" in ev and "an index on" not in ev, "id > 105: %r" % ev)
e = ex(an, "SELECT * FROM big WHERE id = ? AND note <> ?")
check(e.get("plan") and e["params"] == "logged" and e["analyze"] is True,
      "logged parameters: %r" % ({k: v for k, v in e.items() if k != "plan"},))
check(e["plan"][0]["Plan"]["Actual Rows"] == 1, "logged parameters: id 7 is one row")
e = ex(an, "SELECT * FROM big WHERE x = ?")
check(e.get("plan") and e["params"] == "generic" and e["analyze"] is False and
      "generic plan" in e["note"], "no parameters logged: %r" % ({k: v for k, v in e.items() if k != "plan"},))
check(e["flags"] and e["flags"][0]["kind"] == "seq-scan", "generic plan of x = $1: %r" % (e["flags"],))
for d in (plain, an):
    check(d["config"]["explain"].startswith("postgresql://hp:") and
          "secret" not in d["config"]["explain"],
          "the password is not redacted: %r" % d["config"]["explain"])
check(an["config"]["analyze"] is True, "config.analyze")
ex = [c["explain"] for c in an["classes"] if c["fingerprint"] == sort][0]
check(ex["execution_ms"] > 0 and ex["total_cost"] > 0, "analyze: no time or cost")
PY
grep -q secret "$work/plain.txt" "$work/an.txt" "$work/plain.json" "$work/an.json" &&
    fail "the password appears in the output"
# The UPDATEs never happened, nor did the reload.
[ "$(psql -X -A -t "$url" -c 'SELECT v FROM small WHERE id = 1')" = v ] ||
    fail "the UPDATE under EXPLAIN ANALYZE changed the row"
[ "$(psql -X -A -t "$url" -c 'SELECT v FROM small WHERE id = 2')" = v ] ||
    fail "the UPDATE after a COMMIT in one entry changed the row"
grep -q 'SIGHUP' "$work/pg.log" && fail "pg_reload_conf() ran under --analyze"
grep -q 'no transaction in progress' "$work/plain.txt" "$work/an.txt" &&
    fail "the server's notice leaked"
# A pg_stat_statements export with OIDs only: said so, and named once a
# server is asked.
dbid=$(psql -X -A -t "$url" -c "SELECT oid FROM pg_database WHERE datname = 'postgres'")
userid=$(psql -X -A -t "$url" -c "SELECT oid FROM pg_roles WHERE rolname = 'hp'")
printf 'userid,dbid,query,calls,total_exec_time\n%s,%s,"SELECT v FROM small WHERE id = $1",10,5.5\n' \
    "$userid" "$dbid" >"$work/pgss.csv"
"$hotpath" sql digest "$work/pgss.csv" >"$work/oids.txt" || fail "digest of pgss.csv failed"
grep -q '^# databases and users are OIDs' "$work/oids.txt" || fail "OIDs not said: $(cat "$work/oids.txt")"
grep -q "databases: $dbid" "$work/oids.txt" || fail "no database OID: $(cat "$work/oids.txt")"
"$hotpath" sql digest --explain "$url" --json "$work/names.json" "$work/pgss.csv" \
    >"$work/names.txt" || fail "digest --explain of pgss.csv failed"
grep -q 'OIDs' "$work/names.txt" && fail "OIDs said after they were looked up"
grep -q 'databases: postgres' "$work/names.txt" && grep -q 'users: hp' "$work/names.txt" ||
    fail "the OIDs were not named: $(grep -n 'databases\|users' "$work/names.txt")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["classes"][0]["explain"]; sys.exit(0 if e["params"]=="generic" and e.get("plan") else "pgss: %r" % e)' "$work/names.json" ||
    fail "the \$1 of a pg_stat_statements row is not explained by its generic plan"

# Nobody there: the digest is printed, the failure said, exit 1.
"$hotpath" sql digest --explain "postgresql://hp:secret@127.0.0.1:1/postgres" \
    "$work/pg.stderr.log" >"$work/down.txt" 2>"$work/down.err"
[ $? = 1 ] || fail "an unreachable server did not exit 1"
grep -q '^# Profile' "$work/down.txt" || fail "the digest was lost with the server"
grep -q 'cannot connect' "$work/down.err" || fail "no reason given: $(cat "$work/down.err")"
grep -q secret "$work/down.err" && fail "the password appears in the error"
echo "sql_explain: plans checked on PostgreSQL $("$bindir/postgres" -V | awk '{print $3}')"
