#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Opens one hotpath report in headless Chromium and checks it as a reader
would get it: no console message at all (the page logs nothing, so any is an
error), nothing fetched from outside, the hover script ran on every chart
(data-hp-ready) and shows values (data-hp-hover, from the page's
#hp-selftest), and every chart holds its data points in the DOM: each
series' data-n equals its polyline's points (a step path's steps) and its circles, and the
chart's JSON data. Optional expectations "CHART-ID-PART:SERIES=N" check a
series against the result document. Saves a screenshot.

  report_dom.py CHROMIUM REPORT.html SCREENSHOT.png [SLUG:SERIES=N...]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run"]


def fail(msg):
    print("report_dom: %s: %s" % (sys.argv[2], msg), file=sys.stderr)
    sys.exit(1)


class Dom(HTMLParser):
    """Charts, series, points, JSON data and outside references of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = {}
        self.charts = []      # {id, points, series: [{name, n, poly, circles}], data}
        self.refs = []        # src/href values
        self.chart = None
        self.series = None
        self.in_data = False
        self.data = ""
        self.figures = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.root = a
        for k in ("src", "href"):
            if k in a and a[k] is not None and tag != "svg":
                self.refs.append((tag, a[k]))
        if tag == "figure" and "hp-fig" in (a.get("class") or ""):
            self.figures += 1
        if tag == "svg" and "hp-chart" in (a.get("class") or ""):
            self.chart = {"id": a.get("id"), "points": int(a.get("data-points", -1)),
                          "nseries": int(a.get("data-series", -1)), "series": [], "data": None}
            self.charts.append(self.chart)
        elif tag == "g" and self.chart is not None and "hp-s" in (a.get("class") or "").split():
            self.series = {"name": a.get("data-name"), "n": int(a.get("data-n", -1)),
                           "poly": None, "circles": 0, "rects": 0}
            self.chart["series"].append(self.series)
        elif tag == "polyline" and self.series is not None:
            pts = (a.get("points") or "").split()
            self.series["poly"] = len(pts)
        elif tag == "path" and self.series is not None and a.get("class") == "step":
            self.series["poly"] = (a.get("d") or "").count("H")  # one step per interval
        elif tag == "circle" and self.series is not None:
            self.series["circles"] += 1
        elif tag == "rect" and self.series is not None:
            self.series["rects"] += 1
        elif tag == "script" and "hp-data" in (a.get("class") or ""):
            self.in_data = True
            self.data = ""

    def handle_endtag(self, tag):
        if tag == "g":
            self.series = None
        elif tag == "svg" and self.chart is not None:
            self.last = self.chart
            self.chart = None
        elif tag == "script" and self.in_data:
            self.in_data = False
            self.last["data"] = json.loads(self.data)

    def handle_data(self, data):
        if self.in_data:
            self.data += data


def chromium(binary, args, profile):
    return subprocess.run([binary] + FLAGS + ["--user-data-dir=" + profile] + args,
                          capture_output=True, text=True, timeout=120)


def main():
    binary, page, shot = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    expect = sys.argv[4:]
    html = open(page, encoding="utf-8").read()
    size = os.path.getsize(page)
    if size > 2 * 1024 * 1024:
        fail("%d bytes: over 2 MB" % size)
    profile = tempfile.mkdtemp(prefix="hp-chromium-")
    try:
        r = chromium(binary, ["--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                              "--dump-dom", "file://" + page + "#hp-selftest"], profile)
        console = [l for l in r.stderr.splitlines() if ":CONSOLE" in l]
        if console:
            fail("console output: " + " | ".join(console[:5]))
        if r.returncode != 0 or "<html" not in r.stdout:
            fail("chromium exited %d: %s" % (r.returncode, r.stderr[-500:]))
        dom = Dom()
        dom.feed(r.stdout)
        s = chromium(binary, ["--window-size=1100,2600", "--hide-scrollbars",
                              "--screenshot=" + os.path.abspath(shot), "file://" + page], profile)
        if s.returncode != 0 or not os.path.exists(shot):
            fail("no screenshot: " + s.stderr[-500:])
    finally:
        shutil.rmtree(profile, ignore_errors=True)

    for tag, ref in dom.refs:
        if not ref.startswith("#") and not (tag == "iframe" and ref.startswith("data:image/svg+xml;base64,")):
            fail("<%s> refers outside the page: %s" % (tag, ref))
    if re.search(r"url\((?!#)", html) or "@import" in html:
        fail("the stylesheet fetches something")
    if not dom.charts:
        fail("no charts")
    if dom.root.get("data-hp-ready") != str(dom.figures) or dom.figures != len(dom.charts):
        fail("hover script wired %s of %d charts" % (dom.root.get("data-hp-ready"), len(dom.charts)))
    if dom.root.get("data-hp-hover") != str(len(dom.charts)):
        fail("hovering showed values on %s of %d charts" % (dom.root.get("data-hp-hover"),
                                                          len(dom.charts)))
    for c in dom.charts:
        if not c["series"] or c["nseries"] != len(c["series"]):
            fail("chart %s: %d series drawn, %d declared" % (c["id"], len(c["series"]), c["nseries"]))
        total = 0
        for i, s in enumerate(c["series"]):
            if s["n"] <= 0:
                fail("chart %s, series %s: no points" % (c["id"], s["name"]))
            if s["poly"] is not None and s["poly"] != s["n"]:
                fail("chart %s, series %s: polyline has %d points, data-n %d"
                     % (c["id"], s["name"], s["poly"], s["n"]))
            if s["circles"] and s["circles"] != s["n"]:
                fail("chart %s, series %s: %d circles, data-n %d"
                     % (c["id"], s["name"], s["circles"], s["n"]))
            if s["rects"] and s["rects"] != s["n"]:
                fail("chart %s, series %s: %d bars, data-n %d"
                     % (c["id"], s["name"], s["rects"], s["n"]))
            if s["poly"] is None and not s["circles"] and not s["rects"]:
                fail("chart %s, series %s: drawn with nothing" % (c["id"], s["name"]))
            d = c["data"]["s"][i]
            if d["n"] != s["name"] or len(d["x"]) != s["n"] or len(d["y"]) != s["n"]:
                fail("chart %s, series %s: hover data disagrees with the drawing"
                     % (c["id"], s["name"]))
            total += s["n"]
        if total != c["points"]:
            fail("chart %s: %d points drawn, %d declared" % (c["id"], total, c["points"]))
    for e in expect:
        m = re.match(r"(.+?):(.+)=(\d+)$", e)
        slug, name, n = m.group(1), m.group(2), int(m.group(3))
        found = [s for c in dom.charts if slug in c["id"] for s in c["series"] if s["name"] == name]
        if not found:
            fail("no series %r in a chart %r (have: %s)" % (name, slug, [
                (c["id"], [s["name"] for s in c["series"]]) for c in dom.charts]))
        if found[0]["n"] != n:
            fail("series %r in %r: %d points, the document has %d" % (name, slug, found[0]["n"], n))
    print("report_dom: %s: %d charts, %d points, %d bytes, page ready %s ms after navigation" % (
        os.path.basename(page), len(dom.charts), sum(c["points"] for c in dom.charts), size,
        dom.root.get("data-hp-ms")))


main()
