#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hotpath sql digest vs pt-query-digest (Debian's percona-toolkit) on the same
# generated MySQL slow log (bench/sql_gen.py: 200,000 statements, ~61 MB),
# both pinned to CPU 0, taking turns, RUNS rounds; medians, statements per
# second and the ratio; peak RSS of each; then hotpath on a log ten times as
# long, to show its memory follows the classes, not the statements.
#   bench/sql_vs_pt.sh [PATH-TO-HOTPATH]   (RUNS=5, N=200000 by default)
set -euo pipefail
hotpath=${1:-build/src/hotpath}
for tool in pt-query-digest taskset python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool missing (make bench installs it)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=${N:-200000}
python3 "$(dirname "$0")/sql_gen.py" "$n" "$work/slow.log" 1
python3 "$(dirname "$0")/sql_gen.py" "$((n * 10))" "$work/slow10.log" 2
python3 - "$hotpath" "$work" "${RUNS:-5}" "$n" <<'PY'
import os, statistics, subprocess, sys
hotpath, work, runs, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
log = os.path.join(work, "slow.log")

def run(cmd):
    p = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit("bench: %s failed: %s" % (" ".join(cmd), p.stderr.read().decode()))
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss

hp, pt = [], []
for i in range(runs):
    hp.append(run([hotpath, "sql", "digest", log]))
    pt.append(run(["pt-query-digest", log]))
    print("  round %d: hotpath %.3f s, pt-query-digest %.2f s" % (i + 1, hp[-1][0], pt[-1][0]),
          file=sys.stderr)
m = statistics.median
h, p = m(x[0] for x in hp), m(x[0] for x in pt)
size = os.path.getsize(log) / 1e6
print("| tool | CPU s (median of %d) | statements/s | peak RSS |" % runs)
print("| --- | ---: | ---: | ---: |")
print("| hotpath sql digest | %.3f | %.0f | %.1f MB |" % (h, n / h, max(x[1] for x in hp) / 1024))
print("| pt-query-digest | %.2f | %.0f | %.1f MB |" % (p, n / p, max(x[1] for x in pt) / 1024))
print()
print("%d statements, %.1f MB; ratio hotpath/pt-query-digest: **%.1fx** statements per CPU-second"
      % (n, size, p / h))
# Differential: --fingerprint pt must give pt-query-digest's classes, ids and counts.
import json
hpj, ptj = os.path.join(work, "hp.json"), os.path.join(work, "pt.json")
subprocess.run([hotpath, "sql", "digest", "--fingerprint", "pt", "--json", hpj, log],
               stdout=subprocess.DEVNULL, check=True)
with open(ptj, "w") as f:
    subprocess.run(["pt-query-digest", "--output", "json", "--limit", "100%", log], stdout=f,
                   stderr=subprocess.DEVNULL, check=True)
a = {c["checksum"]: c["query_count"] for c in json.load(open(ptj))["classes"]}
b = {c["id"][2:]: c["calls"] for c in json.load(open(hpj))["classes"]}
same = sum(1 for k in a if b.get(k) == a[k])
print("--fingerprint pt: %d of pt-query-digest's %d classes found with the same id and count "
      "(hotpath has %d classes)" % (same, len(a), len(b)))
t10, rss10 = run([hotpath, "sql", "digest", os.path.join(work, "slow10.log")])
print("hotpath on %d statements: %.2f s, peak RSS %.1f MB (memory follows the classes)"
      % (10 * n, t10, rss10 / 1024))
PY
