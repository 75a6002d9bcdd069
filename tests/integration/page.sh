#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath page against `hotpath serve`'s page routes, whose figures are
# planted (serve/page.h), each judged by the result document:
#  - the largest contentful paint is the hero image, painted no earlier than
#    TTFB + its delay and after it arrived; (the browser's own lag taken out
#    by a second delay) 300 ms more delay moves the median LCP by 300 ms,
#    within 100 ms (Chromium's paint after the image arrives varies by
#    25-200 ms a run on a busy 2-core machine);
#  - CLS within 0.01 of the planted shift;
#  - TBT within 20 ms of the planted long task less 50 ms;
#  - the waterfall has every planted asset, requested in order, each waiting
#    about its delay; serve's truth counts every request the browser made;
#  - cold runs connect again (serve counts a connection per run at least);
#  - a click's INP covers its 150 ms handler; a 3g profile adds its 300 ms
#    to TTFB, and its round trip and transfer time to the LCP;
#  - the HAR has every field HAR 1.2 requires;
#  - a failed threshold is exit 99; a refused URL, a page that does not
#    load in time, a browser killed mid-run and an unknown certificate
#    authority are each one clear error and exit 1, the runs before kept;
#    -k accepts the certificate; no browser process is left behind;
#  - load --page: page loads while the protocol load runs, in its document
#    (series page_lcp...) and its report; sweep --page the same at every
#    level, by level.
# Skipped (77) when no Chromium is installed.
# And the report of a page document: HTML opened in Chromium, Markdown with
# its waterfall beside it; `compare` reads each run as a sample.
#   page.sh HOTPATH SRCDIR
set -u
hotpath=$1
src=$2
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
"$hotpath" page -q -n 5 --json "$work/a.json" --har "$work/a.har" \
    "$base/page?lcp=300ms&cls=0.1&longtask=200ms&assets=50ms,100ms,150ms" \
    >"$work/a.out" 2>"$work/a.err" || { cat "$work/a.out" "$work/a.err"; fail "page failed"; }
for d in 300 600; do
    "$hotpath" page -q -n 7 --json "$work/l$d.json" "$base/page?lcp=${d}ms" \
        >"$work/l$d.out" 2>"$work/l$d.err" || { cat "$work/l$d.out" "$work/l$d.err"; fail "page failed"; }
done
# repeat views: after the first run the images come from the cache and the
# connection is kept
"$hotpath" page -q -n 3 --warm --json "$work/warm.json" "$base/page?lcp=100ms&assets=10ms" \
    >"$work/warm.out" 2>&1 || { cat "$work/warm.out"; fail "page --warm failed"; }
# a click's interaction to next paint: its handler runs 150 ms
"$hotpath" page -q -n 2 --json "$work/inp.json" --click '#hp-button' "$base/page?inp=150ms" \
    >"$work/inp.out" 2>&1 || { cat "$work/inp.out"; fail "page --click failed"; }
# a 3g network: 300 ms more a round trip, the hero's 45 KB at 1.6 Mbit/s
"$hotpath" page -q -n 2 --json "$work/3g.json" --network 3g "$base/page?lcp=100ms" \
    >"$work/3g.out" 2>&1 || { cat "$work/3g.out"; fail "page --network 3g failed"; }
"$hotpath" page -q -n 2 --json "$work/fast.json" "$base/page?lcp=100ms" \
    >"$work/fast.out" 2>&1 || { cat "$work/fast.out"; fail "page failed"; }
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
    assert assets[0]["end_ms"] < assets[2]["end_ms"], "asset-3 (150 ms) came before asset-1 (50 ms)"
    for q, d in zip(assets, (50, 100, 150)):
        wait = q["phases_ms"]["wait"]
        # never less than planted on the wire (the browser's own send-end
        # mark can land late on a busy machine, shortening "wait"), more
        # only by what a busy machine adds
        took = q["end_ms"] - q["start_ms"]
        assert took >= d - 10 and wait < d + 150, f"{q['url']}: {took} ms, waited {wait} ms for {d}"
        assert q["status"] == 200 and q["end_ms"] > q["start_ms"]
for d in (l300, l600):
    for r in d["page"]["runs"]:
        assert r["lcp_element"] == "img#hero", r["lcp_element"]
        assert r["by_type"]["Image"]["requests"] >= 1 and r["by_type"]["Document"]["requests"] == 1
        hero = [q for q in r["requests"] if "/page/hero.bmp" in q["url"]][0]
        # painted after it arrived, and within what a busy 2-core machine takes to paint
        assert hero["end_ms"] <= r["lcp_ms"] <= hero["end_ms"] + 400, (hero["end_ms"], r["lcp_ms"])
lcp_a = statistics.median(r["lcp_ms"] - r["ttfb_ms"] for r in l300["page"]["runs"])
lcp_b = statistics.median(r["lcp_ms"] - r["ttfb_ms"] for r in l600["page"]["runs"])
def lag(d):
    return [(round(r["ttfb_ms"]), round(r["lcp_ms"])) for r in d["page"]["runs"]]
assert abs((lcp_b - lcp_a) - 300) <= 100, \
    f"LCP moved {lcp_b - lcp_a} ms for 300 ms more delay: (TTFB, LCP) {lag(l300)} and {lag(l600)}"
# every request the browser made reached serve (and nothing else did)
docs = [a, l300, l600] + [json.load(open(f"{w}/{n}.json")) for n in ("inp", "3g", "fast")]
warm = json.load(open(w + "/warm.json"))["page"]["runs"]
assert warm[0]["cold"] is True and warm[1]["cold"] is False
for r in warm[1:]:
    imgs = [q for q in r["requests"] if q["type"] == "Image" and "/page/" in q["url"]]
    assert imgs and all(q["from_cache"] for q in imgs), [(q["url"], q["from_cache"]) for q in imgs]
    doc = r["requests"][0]
    assert doc["phases_ms"]["connect"] == -1, doc["phases_ms"]
cached = sum(1 for r in warm[1:] for q in r["requests"] if q["from_cache"])
made = sum(len(r["requests"]) for d in docs for r in d["page"]["runs"])
made += sum(len(r["requests"]) for r in warm) - cached  # cache hits never reach serve
served = int(t["requests"]["value"])
assert served == made, f"serve answered {served}, the waterfalls hold {made}"
conns = int(t["connections"]["value"])
assert conns >= 25, f"{conns} connections for 25 cold runs"
assert json.load(open(w + "/warm.json"))["config"]["warm"] is True
inp = docs[3]["page"]["runs"]
for r in inp:
    assert r["inp_ms"] is not None and 140 <= r["inp_ms"] <= 400, f"INP {r['inp_ms']} for 150 ms"
slow, fast = docs[4]["page"]["runs"], docs[5]["page"]["runs"]
t3 = statistics.median(r["ttfb_ms"] for r in slow)
tf = statistics.median(r["ttfb_ms"] for r in fast)
assert t3 - tf >= 280, f"3g TTFB {t3} against {tf}: not 300 ms more"
hero = 45062 * 8 / 1.6e6 * 1000  # ms to bring the hero at 1.6 Mbit/s
for r in slow:
    assert r["lcp_ms"] - r["ttfb_ms"] >= 100 + 300 + 0.9 * hero, f"3g LCP {r['lcp_ms']}, TTFB {r['ttfb_ms']}"
# HAR 1.2: the fields its specification requires, in their types
har = json.load(open(w + "/a.har"))["log"]
assert har["version"] == "1.2" and har["creator"]["name"] == "hotpath"
assert len(har["pages"]) == 5
for p in har["pages"]:
    assert p["id"] and p["title"] and p["startedDateTime"].endswith("Z")
    assert isinstance(p["pageTimings"]["onLoad"], (int, float))
assert len(har["entries"]) == sum(len(r["requests"]) for r in runs)
for e in har["entries"]:
    assert e["pageref"] in {p["id"] for p in har["pages"]}
    rq, rs, tm = e["request"], e["response"], e["timings"]
    for k in ("method", "url", "httpVersion"):
        assert isinstance(rq[k], str) and rq[k], k
    for k in ("cookies", "headers", "queryString"):
        assert isinstance(rq[k], list), k
    assert all(set(h) == {"name", "value"} for h in rq["headers"] + rs["headers"])
    assert isinstance(rq["headersSize"], int) and isinstance(rq["bodySize"], int)
    assert isinstance(rs["status"], int) and isinstance(rs["statusText"], str)
    assert isinstance(rs["content"]["size"], int) and isinstance(rs["content"]["mimeType"], str)
    assert isinstance(rs["redirectURL"], str) and isinstance(rs["bodySize"], int)
    assert e["cache"] == {}
    for k in ("send", "wait", "receive"):
        assert tm[k] >= 0, (k, tm[k])
    for k in ("blocked", "dns", "connect", "ssl"):
        assert tm[k] >= 0 or tm[k] == -1, (k, tm[k])
    total = sum(tm[k] for k in ("blocked", "dns", "connect", "send", "wait", "receive") if tm[k] > 0)
    assert abs(e["time"] - total) < 0.01, (e["time"], total)
hero_entries = [e for e in har["entries"] if "hero.bmp" in e["request"]["url"]]
assert hero_entries and hero_entries[0]["response"]["content"]["mimeType"] == "image/bmp"
assert {"name": "delay", "value": "300ms"} in hero_entries[0]["request"]["queryString"]
assert a["metrics"]["cls"]["unit"] == "score"
assert a["metrics"]["lcp"]["unit"] == "ns"
PY

# the report: vitals with their bands, the waterfall, opened as a reader would
"$hotpath" report "$work/a.json" -o "$work/a.html" || fail "report (html)"
for part in "What visitors see" "img#hero" "Waterfall" "asset-3.svg" "Rating"; do
    grep -q "$part" "$work/a.html" || fail "a.html has no '$part'"
done
python3 "$src/tests/integration/report_dom.py" "$(command -v chromium)" "$work/a.html" \
    "$work/a.png" || exit 1
mkdir -p "$work/md"
"$hotpath" report "$work/a.json" -o "$work/md/a.md" || fail "report (md)"
grep -q "a-chart[0-9]*-waterfall.svg" "$work/md/a.md" || fail "a.md: no waterfall"
for svg in $(grep -o '([a-z0-9-]*\.svg)' "$work/md/a.md" | tr -d '()' | sort -u); do
    [ -s "$work/md/$svg" ] || fail "a.md links $svg, which is missing"
done
# compare: every run a sample; 300 ms more delay is a significant LCP change
"$hotpath" compare "$work/l300.json" "$work/l600.json" >"$work/cmp.out" 2>&1
grep -E '^ *page +lcp ' "$work/cmp.out" | grep -q '+' || { cat "$work/cmp.out"; fail "compare: no LCP row"; }

# load --page: page loads beside the protocol load, in its document and report
serve_to "$work/truth-load.json"
base="http://127.0.0.1:$port"
"$hotpath" load -t 1 -c 4 -d 4s --page "$base/page?lcp=100ms" --page-every 1s \
    --json "$work/load.json" "$base/" >"$work/load.out" 2>&1 || { cat "$work/load.out"; fail "load --page"; }
grep -q 'Page loads in the browser: ' "$work/load.out" || { cat "$work/load.out"; fail "no page line"; }
python3 - "$work/load.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
m = d["metrics"]
assert m["page_loads"]["value"] >= 2, m["page_loads"]
assert m["page_failures"]["value"] == 0, d["page"].get("first_error")
pts = d["series"]["page_lcp"]["points"]
assert len(pts) == m["page_loads"]["value"] and all(0 <= t < 5 for t, _ in pts), pts
assert all(v >= 100e6 for _, v in pts), pts
assert m["requests"]["value"] > 0
for r in d["page"]["runs"]:
    assert r["lcp_element"] == "img#hero" and "t_s" in r
PY
"$hotpath" report "$work/load.json" -o "$work/load.html" || fail "report of load --page"
grep -q "What a visitor saw during the test" "$work/load.html" || fail "load report: no page loads"
# sweep --page: page loads in every level's measured run, their medians by level
"$hotpath" sweep --levels 1,8 --warmup 200ms --measure 2s -t 1 --page "$base/page?lcp=100ms" \
    --page-every 1s --json "$work/sweep.json" "$base/delay/fixed:5ms" >"$work/sweep.out" 2>&1 ||
    { cat "$work/sweep.out"; fail "sweep --page"; }
grep -q 'Page loads in the browser by level' "$work/sweep.out" || { cat "$work/sweep.out"; fail "no page table"; }
python3 - "$work/sweep.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
lcp = d["series"]["page_lcp"]["points"]
assert [x for x, _ in lcp] == [1, 8], lcp
assert all(v >= 100e6 for _, v in lcp), lcp
levels = [r["level"] for r in d["page"]["runs"]]
assert levels.count(0) >= 2 and levels.count(1) >= 2, levels
PY
"$hotpath" report "$work/sweep.json" -o "$work/sweep.html" || fail "report of sweep --page"
grep -q "What a visitor saw at each level" "$work/sweep.html" || fail "sweep report: no page loads"
stop

# a failed threshold: exit 99, and the verdict in the document
serve_to "$work/truth2.json"
base="http://127.0.0.1:$port"
"$hotpath" page -q -n 2 --json "$work/c.json" --junit "$work/c.xml" --summary-md "$work/c.md" \
    --threshold 'cls: max < 0.05' \
    --threshold 'lcp: p(75) < 30s' "$base/page?cls=0.1" >"$work/c.out" 2>&1
rc=$?
[ "$rc" -eq 99 ] || { cat "$work/c.out"; fail "a failed threshold gave $rc, not 99"; }
grep -q '✗ cls: max < 0.05' "$work/c.out" || { cat "$work/c.out"; fail "no failed verdict"; }
grep -q '✓ lcp: p(75) < 30s' "$work/c.out" || { cat "$work/c.out"; fail "no passed verdict"; }
grep -q '<testcase name="cls: max &lt; 0.05"' "$work/c.xml" && grep -q '<failure' "$work/c.xml" ||
    { cat "$work/c.xml"; fail "junit: no failed testcase"; }
grep -q '| LCP |' "$work/c.md" && grep -q 'cls: max < 0.05' "$work/c.md" ||
    { cat "$work/c.md"; fail "summary-md: no figures or verdicts"; }
python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['thresholds']; assert [x['passed'] for x in t] == [False, True], t" \
    "$work/c.json" || fail "the verdicts are not in the document"
stop

# a refused connection: one clear error, exit 1, the browser gone
"$hotpath" page -q -n 3 --json "$work/d.json" "$base/page" >"$work/d.out" 2>"$work/d.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$work/d.err"; fail "a refused URL gave $rc, not 1"; }
grep -q 'run 1: .*ERR_CONNECTION_REFUSED' "$work/d.err" || { cat "$work/d.err"; fail "no reason"; }
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert 'ERR_CONNECTION_REFUSED' in d['page']['error']" \
    "$work/d.json" || fail "the document does not say why"
# a page that does not load in time: the hero takes 10 s, the limit is 2 s
serve_to "$work/truth3.json"
base="http://127.0.0.1:$port"
"$hotpath" page -q -n 3 --timeout 2s "$base/page?lcp=10s" >"$work/e.out" 2>"$work/e.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$work/e.err"; fail "a page that never loads gave $rc, not 1"; }
grep -q 'did not finish loading in 2 s.*hero.bmp' "$work/e.err" || { cat "$work/e.err"; fail "no reason"; }

# the browser killed in the middle: the runs so far kept, exit 1
"$hotpath" page -q -n 200 --json "$work/k.json" "$base/page?lcp=100ms" >"$work/k.out" 2>"$work/k.err" &
hp=$!
for _ in $(seq 100); do
    [ "$(pgrep -P "$hp" | wc -l)" -gt 0 ] && grep -q . "$work/k.err" 2>/dev/null && break
    sleep 0.1
done
sleep 3
kill -KILL "$(pgrep -P "$hp" | head -n 1)"
wait "$hp"
rc=$?
[ "$rc" -eq 1 ] || { cat "$work/k.err"; fail "a killed browser gave $rc, not 1"; }
grep -q 'killed by signal 9' "$work/k.err" || { cat "$work/k.err"; fail "no reason for the killed browser"; }
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['page']['runs']) >= 1 and 'signal 9' in d['page']['error'], d['page'].get('error')" \
    "$work/k.json" || fail "the runs before the kill are not kept"
stop

# a certificate nobody vouches for: refused with its reason; -k accepts it
"$hotpath" serve --listen 127.0.0.1:0 --tls-self-signed >"$work/tls.out" 2>&1 &
pid=$!
for _ in $(seq 50); do [ -s "$work/tls.out" ] && break; sleep 0.1; done
tport=$(head -n 1 "$work/tls.out" | sed -E 's/.*:([0-9]+) .*/\1/')
"$hotpath" page -q -n 1 "https://127.0.0.1:$tport/page" >"$work/f.out" 2>"$work/f.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$work/f.err"; fail "an unknown CA gave $rc, not 1"; }
grep -q 'ERR_CERT_AUTHORITY_INVALID' "$work/f.err" || { cat "$work/f.err"; fail "no certificate reason"; }
"$hotpath" page -q -n 1 -k "https://127.0.0.1:$tport/page?lcp=50ms" >"$work/g.out" 2>"$work/g.err" ||
    { cat "$work/g.err"; fail "-k did not accept the certificate"; }
kill -INT "$pid"; wait "$pid"; pid=""

sleep 0.5
after=$(browsers)
[ "$after" -le "$before" ] || { pgrep -af -- '--remote-debugging-pipe' >&2; fail "browser processes left behind"; }
echo "page: ok"
