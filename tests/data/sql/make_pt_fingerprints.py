#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes pt_fingerprints.tsv: for each MySQL statement of fingerprints.tsv
# and a few of pt-query-digest's own corner cases, the fingerprint that
# percona-toolkit's pt-fingerprint gives (Debian's percona-toolkit). Run by
# hand when the cases change; the unit test compares hotpath's --fingerprint
# pt with the table.
#   tests/data/sql/make_pt_fingerprints.py > tests/data/sql/pt_fingerprints.tsv
import os, subprocess

here = os.path.dirname(os.path.abspath(__file__))
extra = [
    "SELECT /*!40001 SQL_NO_CACHE */ * FROM `orders`",
    "SELECT * FROM t /*checksum.t:1/2*/",
    "administrator command: Ping",
    "CALL sp_orders(1, 'x')",
    "use shop",
    "INSERT IGNORE INTO t (a, b) VALUES (1, 2), (3, 4), (5, 6)",
    "SELECT a FROM t WHERE b = 1 UNION SELECT a FROM t WHERE b = 1 UNION ALL SELECT a FROM t WHERE b = 1",
    "SELECT * FROM t LIMIT 10 OFFSET 20",
    "SELECT * FROM t ORDER BY a ASC, b DESC, c ASC",
    "SELECT * FROM t WHERE id = 5 -- trailing comment",
    "select md5_col, a1b2 FROM t2 WHERE x = -1.5e+3 AND y = 0xFF AND z = b'01'",
    "SELECT *\n  FROM t\n WHERE a IN ( 1 , 2 )\n   AND b = NULL",
]


def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"n": "\n", "t": "\t"}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def escape(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


queries = []
for line in open(os.path.join(here, "fingerprints.tsv")):
    if line.startswith("#") or not line.strip():
        continue
    dialect, stmt, _ = line.rstrip("\n").split("\t")
    if dialect == "mysql":
        queries.append(unescape(stmt))
queries += extra
print("# statement (\\n, \\t and \\\\ escaped)\tpt-fingerprint's fingerprint (trailing spaces kept)")
for q in queries:
    q = q.rstrip()
    if q.endswith(";"):
        q = q[:-1]  # pt-query-digest drops the statement's final ";"
    # pt-fingerprint exits 1 even when it printed the fingerprint
    r = subprocess.run(["pt-fingerprint", "--query", q], capture_output=True, text=True)
    if not r.stdout.endswith("\n"):
        raise SystemExit("pt-fingerprint failed on %r: %s" % (q, r.stderr))
    fp = r.stdout
    fp = fp[:-1] if fp.endswith("\n") else fp
    print("%s\t%s" % (escape(q), escape(fp)))
