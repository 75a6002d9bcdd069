#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath page against `hotpath serve`'s page routes, whose figures are
# planted (serve/page.h), each judged by the result document:
#  - the largest contentful paint is the hero image, painted no earlier than
#    TTFB + its delay, and (the browser's own lag taken out by a second
#    delay) 300 ms more delay moves the LCP by 300 ms, within 50 ms;
#  - CLS within 0.01 of the planted shift;
#  - TBT within 20 ms of the planted long task less 50 ms;
#  - the waterfall has every planted asset, requested in order, each waiting
#    about its delay; serve's truth counts every request the browser made;
#  - cold runs connect again (serve counts a connection per run at least);
#  - a failed threshold is exit 99; a refused URL is one clear error, exit
#    1; no browser process is left behind.
# Skipped (77) when no Chromium is installed.
#   page.sh HOTPATH
set -u
hotpath=$1
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "page: $*" >&2; exit 1; }
. "$(dirname "$0")/serve_lib.sh"
if ! command -v chromium >/dev/null 2>&1 && [ -z "${HOTPATH_BROWSER:-}" ]; then
    echo "page: skipped: no chromium installed (scripts/deps.sh installs it)"
    exit 77
fi
browsers() { pgrep -f -- '--remote-debugging-pipe' | wc -l; }
before=$(browsers)

serve_to "$work/truth.json"
base="http://127.0.0.1:$port"
"$hotpath" page -q -n 5 --json "$work/a.json" \
    "$base/page?lcp=300ms&cls=0.1&longtask=200ms&assets=50ms,100ms,150ms" \
    >"$work/a.out" 2>"$work/a.err" || { cat "$work/a.out" "$work/a.err"; fail "page failed"; }
for d in 300 600; do
    "$hotpath" page -q -n 5 --json "$work/l$d.json" "$base/page?lcp=${d}ms" \
        >"$work/l$d.out" 2>"$work/l$d.err" || { cat "$work/l$d.out" "$work/l$d.err"; fail "page failed"; }
done
stop
python3 - "$work" <<'PY' || { cat "$work/a.out"; exit 1; }
import json, statistics, sys
w = sys.argv[1]
a = json.load(open(w + "/a.json"))
l300 = json.load(open(w + "/l300.json"))
l600 = json.load(open(w + "/l600.json"))
t = json.load(open(w + "/truth.json"))["metrics"]
assert a["kind"] == "page", a["kind"]
runs = a["page"]["runs"]
assert len(runs) == 5, len(runs)
for r in runs:
    el = r["lcp_element"]
    assert el == "img#hero", f"run {r['run']}: LCP element {el}"
    assert r["lcp_ms"] >= r["ttfb_ms"] + 300, f"LCP {r['lcp_ms']} before TTFB {r['ttfb_ms']} + 300"
    assert abs(r["cls"] - 0.1) <= 0.01, f"CLS {r['cls']}"
    assert abs(r["tbt_ms"] - 150) <= 20, f"TBT {r['tbt_ms']}"
    reqs = r["requests"]
    assets = [q for q in reqs if "/page/asset-" in q["url"]]
    names = [q["url"].split("/page/")[1].split(".")[0] for q in assets]
    assert names == ["asset-1", "asset-2", "asset-3"], names
    starts = [q["start_ms"] for q in assets]
    assert starts == sorted(starts), starts
    for q, d in zip(assets, (50, 100, 150)):
        wait = q["phases_ms"]["wait"]
        assert d - 10 <= wait < d + 40, f"{q['url']}: waited {wait} ms for {d}"
        assert q["status"] == 200 and q["end_ms"] > q["start_ms"]
for d in (l300, l600):
    for r in d["page"]["runs"]:
        assert r["lcp_element"] == "img#hero", r["lcp_element"]
lcp_a = statistics.median(r["lcp_ms"] - r["ttfb_ms"] for r in l300["page"]["runs"])
lcp_b = statistics.median(r["lcp_ms"] - r["ttfb_ms"] for r in l600["page"]["runs"])
assert abs((lcp_b - lcp_a) - 300) <= 50, f"LCP moved {lcp_b - lcp_a} ms for 300 ms more delay"
# every request the browser made reached serve (and nothing else did)
made = sum(len(r["requests"]) for d in (a, l300, l600) for r in d["page"]["runs"])
served = int(t["requests"]["value"])
assert served == made, f"serve answered {served}, the waterfalls hold {made}"
conns = int(t["connections"]["value"])
assert conns >= 15, f"{conns} connections for 15 cold runs"
assert a["metrics"]["cls"]["unit"] == "score"
assert a["metrics"]["lcp"]["unit"] == "ns"
PY

# a failed threshold: exit 99, and the verdict in the document
serve_to "$work/truth2.json"
base="http://127.0.0.1:$port"
"$hotpath" page -q -n 2 --json "$work/c.json" --threshold 'cls: max < 0.05' \
    --threshold 'lcp: p(75) < 30s' "$base/page?cls=0.1" >"$work/c.out" 2>&1
rc=$?
[ "$rc" -eq 99 ] || { cat "$work/c.out"; fail "a failed threshold gave $rc, not 99"; }
grep -q '✗ cls: max < 0.05' "$work/c.out" || { cat "$work/c.out"; fail "no failed verdict"; }
grep -q '✓ lcp: p(75) < 30s' "$work/c.out" || { cat "$work/c.out"; fail "no passed verdict"; }
stop

# a refused connection: one clear error, exit 1, the browser gone
"$hotpath" page -q -n 3 --json "$work/d.json" "$base/page" >"$work/d.out" 2>"$work/d.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$work/d.err"; fail "a refused URL gave $rc, not 1"; }
grep -q 'run 1: .*ERR_CONNECTION_REFUSED' "$work/d.err" || { cat "$work/d.err"; fail "no reason"; }
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert 'ERR_CONNECTION_REFUSED' in d['page']['error']" \
    "$work/d.json" || fail "the document does not say why"
sleep 0.5
after=$(browsers)
[ "$after" -le "$before" ] || { pgrep -af -- '--remote-debugging-pipe' >&2; fail "browser processes left behind"; }
echo "page: ok"
