#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hotpath bench vs hyperfine (Debian's), pinned to CPU 0, taking turns,
# RUNS rounds, medians and ratios:
#  - the tool's own time per run: `-N --runs N true` at N = 500 and 2500;
#    the slope of (the tool's wall time - the sum of the times it measured)
#    over the extra 2000 runs, so start-up costs cancel;
#  - what each measures of a fixed 5 ms command (bench/fixed_ms): the ratio
#    of the medians of their means.
#   bench/bench_vs_hyperfine.sh [PATH-TO-HOTPATH] [PATH-TO-FIXED_MS]   (RUNS=5)
set -euo pipefail
hotpath=${1:-build/src/hotpath}
fixed=${2:-$(dirname "$hotpath")/../bench/fixed_ms}
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (scripts/deps.sh bench)" >&2; exit 1; }
[ -x "$fixed" ] || { echo "bench: $fixed is missing (ninja -C build)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$hotpath" "$fixed" "${RUNS:-5}" "$work" <<'PY'
import json, statistics, subprocess, sys, time
hotpath, fixed, rounds, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
tools = {"hotpath": [hotpath, "bench"], "hyperfine": ["hyperfine"]}
m = statistics.median

def timed(tool, runs, cmd):
    out = "%s/%s.json" % (work, tool)
    t0 = time.monotonic()
    subprocess.run(["taskset", "-c", "0"] + tools[tool] +
                   ["-N", "--runs", str(runs), "--style", "none", "--export-json", out, cmd],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    r = json.load(open(out))["results"][0]
    return wall, sum(r["times"]), r["mean"]

own = {t: [] for t in tools}
fixed_mean = {t: [] for t in tools}
for _ in range(rounds):
    for t in tools:
        w1, s1, _ = timed(t, 500, "true")
        w2, s2, _ = timed(t, 2500, "true")
        own[t].append(((w2 - s2) - (w1 - s1)) / 2000)
        fixed_mean[t].append(timed(t, 200, fixed)[2])

print("## hotpath bench vs hyperfine (medians of %d rounds)\n" % rounds)
print("| | own time per run (us) | mean of a 5 ms command (ms) |")
print("| --- | ---: | ---: |")
for t in tools:
    print("| %s | %.1f | %.4f |" % (t, m(own[t]) * 1e6, m(fixed_mean[t]) * 1e3))
print("| ratio | %.2fx | %.4fx |" % (m(own["hotpath"]) / m(own["hyperfine"]),
                                      m(fixed_mean["hotpath"]) / m(fixed_mean["hyperfine"])))
print("\nper round, own us: hotpath %s; hyperfine %s" % (
    ", ".join("%.1f" % (x * 1e6) for x in own["hotpath"]),
    ", ".join("%.1f" % (x * 1e6) for x in own["hyperfine"])))
PY
