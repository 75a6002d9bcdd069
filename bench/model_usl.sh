#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hotpath model usl on 10,000 points (issue 5 asks for under 100 ms), timed
# by hyperfine over the whole process: reading the CSV, the fit, the output.
# No peer is compared: R's usl package is not in Debian's archive.
#   bench/model_usl.sh [PATH-TO-HOTPATH]
set -euo pipefail
hotpath=${1:-build/src/hotpath}
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (make bench installs it)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# 10,000 points of a known USL (sigma 0.03, kappa 8e-4, lambda 1000) with 2% noise, seeded.
python3 - >"$work/usl10k.csv" <<'PY'
import random
random.seed(1)
s, k, l = 0.03, 0.0008, 1000
print("N,X")
for _ in range(10000):
    n = random.uniform(1, 200)
    print("%.4f,%.4f" % (n, l * n / (1 + s * (n - 1) + k * n * (n - 1)) * random.gauss(1, 0.02)))
PY
"$hotpath" model usl "$work/usl10k.csv" | sed -n '2,5p'
taskset -c 0 hyperfine -N --warmup 3 --runs 50 --export-json "$work/h.json" \
    "$hotpath model usl $work/usl10k.csv" >/dev/null
python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("model usl, 10,000 points: median %.1f ms (mean %.1f ms, %d runs, pinned to CPU 0)"
      % (r["median"] * 1e3, r["mean"] * 1e3, len(r["times"])))
PY
