#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hotpath model mva on 10 stations (two of them multi-server) for every
# population 1..1000 (issue 5 asks for under 50 ms), timed by hyperfine over
# the whole process. No peer: PDQ and JMT are not in Debian's archive.
#   bench/model_mva.sh [PATH-TO-HOTPATH]
set -euo pipefail
hotpath=${1:-build/src/hotpath}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
taskset -c 0 hyperfine -N --warmup 3 --runs 50 --export-json "$work/h.json" \
    "$hotpath model mva --users 1..1000 $here/mva_10_stations.yaml" >/dev/null
python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("model mva, 10 stations, users 1..1000: median %.1f ms (%d runs, pinned to CPU 0)"
      % (r["median"] * 1e3, len(r["times"])))
PY
