#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath report on a one-hour run (bench/hour_doc.py: 3600 points per
# series, 10 request names): wall time, median of 7 runs, pinned to one CPU,
# for the results page and the test report, HTML and Markdown; and the page's
# size. The issue's budget: under 1 s and under 2 MB. No other tool renders
# these documents, so the ratio reported is budget / measured.
#   bench/report_hour.sh HOTPATH
set -eu
hotpath=${1:-build/src/hotpath}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$hotpath" serve --listen 127.0.0.1:0 --threads 1 >"$work/serve.out" &
pid=$!
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
"$hotpath" load -t 1 -c 8 -d 2s --rate 1000 --json "$work/t.json" "http://127.0.0.1:$port/" >/dev/null
python3 "$here/hour_doc.py" "$work/t.json" "$work/hour.json"
echo "report of a one-hour run ($(wc -c <"$work/hour.json") bytes of JSON), median of 7 runs:"
for as in results test-report; do
    for ext in html md; do
        python3 - "$hotpath" "$as" "$work/hour.json" "$work/out-$as.$ext" <<'PY'
import statistics, subprocess, sys, time
hp, kind, doc, out = sys.argv[1:]
times = []
for _ in range(7):
    t0 = time.perf_counter()
    subprocess.run(["taskset", "-c", "0", hp, "report", "--as", kind, doc, "-o", out], check=True)
    times.append(time.perf_counter() - t0)
med = statistics.median(times)
print("  --as %-12s -o %-4s %6.3f s   (budget 1 s: %.1fx under)" % (kind, out.rsplit(".", 1)[1], med, 1 / med))
PY
    done
done
for as in results test-report; do
    size=$(wc -c <"$work/out-$as.html")
    echo "  --as $as HTML: $size bytes (budget 2 MB: $(python3 -c "print('%.1f' % (2*1024*1024/$size))")x under)"
done
if command -v chromium >/dev/null; then
    echo "  in headless Chromium (page parsed, charts drawn, hover script run):"
    for as in results test-report; do
        python3 "$here/../tests/integration/report_dom.py" chromium "$work/out-$as.html" \
            "$work/$as.png" | sed 's/^report_dom: /    /'
    done
fi
