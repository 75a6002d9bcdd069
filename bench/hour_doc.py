#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the result document of a one-hour scenario run: 3600 points in
each per-second series (overall and for the scenario) and 10 request names,
each with its own metrics and latency histogram. The histograms are copied
from TEMPLATE (any load result with a `latency` histogram), so they are real
HdrHistogram encodings; the series follow a daily-traffic-like curve with
noise, seeded, so every run writes the same document.

  hour_doc.py TEMPLATE.json OUT.json
"""
import json
import math
import random
import sys

template = json.load(open(sys.argv[1]))
hist = template["histograms"]["latency"]
rng = random.Random(1)
seconds, names = 3600, ["req%02d" % i for i in range(10)]

doc = {k: template[k] for k in ("schema", "kind", "hotpath_version", "started_at", "host")}
doc["duration_s"] = float(seconds)
doc["config"] = {
    "scenario_file": "hour.yaml", "url": "http://127.0.0.1:8080",
    "scenarios": [{"name": "main", "model": "open",
                   "executor": "open at 1.00k/s (constant spacing), at most 200 in flight, 1h",
                   "connections": 200, "duration_ns": seconds * 10**9, "start_ns": 0,
                   "requests": [{"name": n, "weight": 1.0} for n in names]}],
}
metrics = {"requests": 3600000, "requests_per_s": 1000, "sent": 3600000, "errors": 12,
           "errors_timeout": 12, "bytes_read": 460800000, "bytes_written": 280800000}
doc["metrics"] = {k: {"value": v, "unit": "count"} for k, v in metrics.items()}
doc["metrics"]["requests_per_s"]["unit"] = "1/s"
for n in names:
    tag = "{scenario:main,name:%s}" % n
    doc["metrics"]["requests" + tag] = {"value": 360000, "unit": "count"}
    doc["metrics"]["requests_per_s" + tag] = {"value": 100, "unit": "1/s"}
    doc["metrics"]["errors" + tag] = {"value": 1, "unit": "count"}

series = {}
for base, unit in (("requests_per_s", "1/s"), ("errors_per_s", "1/s"),
                   ("latency_p50_ns", "ns"), ("latency_p99_ns", "ns"), ("latency_max_ns", "ns")):
    pts = []
    for t in range(1, seconds + 1):
        load = 1000 * (1 + 0.3 * math.sin(t / 600.0)) * (1 + rng.uniform(-0.05, 0.05))
        v = {"requests_per_s": load, "errors_per_s": rng.random() < 0.003,
             "latency_p50_ns": 2e6 * load / 1000, "latency_p99_ns": 9e6 * (load / 1000) ** 3,
             "latency_max_ns": 2e7 * (load / 1000) ** 3 * rng.uniform(1, 2)}[base]
        pts.append([float(t), round(float(v), 3)])
    series[base] = {"unit": unit, "points": pts}
    series[base + "{scenario:main}"] = {"unit": unit, "points": pts}
doc["series"] = series
doc["histograms"] = {"latency": hist, "latency_uncorrected": hist, "latency{scenario:main}": hist}
for n in names:
    doc["histograms"]["latency{scenario:main,name:%s}" % n] = hist
doc["thresholds"] = [
    {"threshold": "http_req_duration: p(99) < 300ms", "passed": True, "value": 1.2e7, "unit": "ns"},
    {"threshold": "http_req_failed: rate < 0.1%", "passed": True, "value": 3.3e-6, "unit": "ratio"},
]
json.dump(doc, open(sys.argv[2], "w"), separators=(",", ":"))
