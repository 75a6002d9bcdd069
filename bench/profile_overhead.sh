#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Profiling overhead, side by side: a fixed amount of CPU-bound work (the
# tests' busy program, 80% in hot(), built with frame pointers) timed bare,
# under `perf record -F 999 -g` and under `hotpath profile -F 999`, each run
# pinned with the profiler to CPU 0, interleaved, median of RUNS. The
# overhead is the slowdown over bare; the ratio hotpath's over perf's.
#   bench/profile_overhead.sh [BUILD-DIR]   (RUNS=5, ROUNDS=5000)
set -euo pipefail
build=${1:-build}
hotpath=$build/src/hotpath
busy=$build/tests/integration/busy
runs=${RUNS:-5}
rounds=${ROUNDS:-5000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v perf >/dev/null || { echo "perf is not installed (linux-perf)" >&2; exit 1; }
python3 - "$hotpath" "$busy" "$work" "$runs" "$rounds" <<'PY'
import os, statistics, subprocess, sys, time
hotpath, busy, work, runs, rounds = sys.argv[1:6]
runs = int(runs)
cmds = {
    "bare": [busy, "work", rounds],
    "perf record -F 999 -g": ["perf", "record", "-q", "-F", "999", "-g", "-e", "cpu-clock",
                              "-o", os.path.join(work, "perf.data"), "--", busy, "work", rounds],
    "hotpath profile -F 999": [hotpath, "profile", "-F", "999", "--top", "0",
                               "-o", os.path.join(work, "p.folded"), "--", busy, "work", rounds],
}
times = {k: [] for k in cmds}
for _ in range(runs):
    for name, cmd in cmds.items():
        t = time.monotonic()
        subprocess.run(["taskset", "-c", "0"] + cmd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[name].append(time.monotonic() - t)
bare = statistics.median(times["bare"])
print("| run | wall s (median of %d) | overhead over bare |" % runs)
print("| --- | ---: | ---: |")
over = {}
for name in cmds:
    m = statistics.median(times[name])
    over[name] = m / bare - 1
    print("| %s | %.3f | %s |" % (name, m, "-" if name == "bare" else "%+.1f%%" % (100 * over[name])))
p, h = over["perf record -F 999 -g"], over["hotpath profile -F 999"]
print("\nhotpath's overhead %+.2f%% vs perf record's %+.2f%%: %s" %
      (100 * h, 100 * p, "no larger" if h <= p + 0.005 else "LARGER"))
PY
