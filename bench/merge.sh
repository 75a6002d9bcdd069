#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hotpath merge of 64 parts, each an hour long: per-second series (3,600
# points each) and the full histograms of a real part (latency, uncorrected,
# scheduler lag, the six phases), as `load --segment I/64 -d 1h` writes them.
# The parts are made from one short real part whose series are stretched to
# an hour. No peer: k6-operator's open-source version cannot merge, and wrk
# users average by hand. Issue 23 asks for under 1 s. merge reads and folds
# the parts on as many threads as it may run on (here both CPUs).
#   bench/merge.sh [PATH-TO-HOTPATH]
set -euo pipefail
hotpath=${1:-build/src/hotpath}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
"$hotpath" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>&1 &
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
"$hotpath" load --segment 1/64 --rate 64000 -c 64 -d 3s --json "$work/real.json" \
    "http://127.0.0.1:$port/" >/dev/null
python3 - "$work" <<'PY'
import json, random, sys
w = sys.argv[1]
real = json.load(open(w + "/real.json"))
random.seed(1)
for i in range(64):
    d = json.loads(json.dumps(real))
    seg = d["config"]["segment"]
    seg["index"], seg["part"] = i, "%d/64" % (i + 1)
    for name, s in d["series"].items():
        base = [p[1] for p in s["points"] if p[1] is not None] or [0]
        s["points"] = [[t + 1.0, base[t % len(base)] * (0.9 + 0.2 * random.random())]
                       for t in range(3600)]
    d["duration_s"] = 3600.0
    json.dump(d, open("%s/part-%02d.json" % (w, i), "w"))
PY
du -sh "$work" | sed 's/\t.*//;s/^/parts on disk: /'
taskset -c 0,1 hyperfine -N --warmup 1 --runs 10 --export-json "$work/h.json" \
    "$hotpath merge -o $work/all.json $(ls "$work"/part-*.json | tr '\n' ' ')" >"$work/h.out"
"$hotpath" merge -o "$work/all.json" "$work"/part-*.json | head -n 3
python3 - "$work" <<'PY'
import json, sys
r = json.load(open(sys.argv[1] + "/h.json"))["results"][0]
print("hotpath merge, 64 parts x 1 h of per-second series: median %.0f ms, min %.0f ms "
      "(%d runs, pinned to CPUs 0-1)" % (r["median"] * 1e3, r["min"] * 1e3, len(r["times"])))
PY
