#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `hotpath history detect` on 10,000 points (target: under 1 s), pinned to
# CPU 0, RUNS rounds, the median; with OTAVA=/path/to/an/otava/checkout
# (numpy and scipy importable by python3), Apache Otava's
# compute_change_points on the same values side by side, the same change
# points expected, and the ratio of the two (whole processes: start-up,
# reading, detecting); then hotpath runs with --otava-merge, Otava's way of
# merging, so that both must give the same points.
#   bench/history_detect.sh [PATH-TO-HOTPATH]   (RUNS=5, POINTS=10000)
set -euo pipefail
hotpath=${1:-build/src/hotpath}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ten levels a thousand points long (100, 105, 110, 100...), noise +-2
awk -v n="${POINTS:-10000}" 'BEGIN { s = 3; print "index,value"; for (i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648; u = s / 2147483648 - 0.5
    printf "%d,%.4f\n", i, 100 + (int(i / 1000) % 3) * 5 + 4 * u } }' > "$work/series.csv"
"$hotpath" history import --db "$work/h.db" --metric lat "$work/series.csv" > /dev/null

python3 - "$hotpath" "$work" "${RUNS:-5}" "${OTAVA:-}" <<'PY'
import json, os, statistics, subprocess, sys, time
hotpath, work, rounds, otava = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
pin = ["taskset", "-c", "0"]
OTAVA = """
import csv, sys
sys.path.insert(0, sys.argv[1])
from otava.analysis import compute_change_points
v = [float(r[1]) for r in list(csv.reader(open(sys.argv[2])))[1:]]
cps, _ = compute_change_points(v, window_len=50, max_pvalue=0.001, min_magnitude=0.0)
print(" ".join(str(c.index) for c in cps))
"""
def run(cmd):
    t0 = time.monotonic()
    out = subprocess.run(pin + cmd, check=True, capture_output=True, text=True).stdout
    return time.monotonic() - t0, out

times = {"hotpath": [], "otava": []}
for _ in range(rounds):
    t, _ = run([hotpath, "history", "detect", "--db", work + "/h.db", "lat",
                "--json", work + "/cp.json"] + (["--otava-merge"] if otava else []))
    times["hotpath"].append(t)
    if otava:
        t, out = run(["/usr/bin/python3", "-c", OTAVA, otava, work + "/series.csv"])
        times["otava"].append(t)
ours = [c["index"] for c in json.load(open(work + "/cp.json"))["change_points"]]
m = statistics.median
print("## history detect, %d points (medians of %d rounds)\n" % (
    len(json.load(open(work + "/cp.json"))["runs"]), rounds))
print("| | wall (s) | change points |")
print("| --- | ---: | ---: |")
print("| hotpath | %.3f | %d |" % (m(times["hotpath"]), len(ours)))
if otava:
    theirs = [int(x) for x in out.split()]
    print("| Otava | %.3f | %d |" % (m(times["otava"]), len(theirs)))
    print("| ratio | %.3fx | %s |" % (m(times["hotpath"]) / m(times["otava"]),
                                    "same points" if ours == theirs else "DIFFERENT POINTS"))
print("\ntarget: under 1 s: %s" % ("met" if m(times["hotpath"]) < 1 else "NOT MET"))
PY
