#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes changepoint_otava.txt, the change points Apache Otava finds in the
changepoint_*.csv series, for tests/unit/test_changepoint.c.

    OTAVA=/path/to/otava/checkout /usr/bin/python3 otava_reference.py > changepoint_otava.txt

It imports Otava's own split and merge (otava/analysis.py; numpy and scipy
needed) and runs each case twice: "otava" is Otava unchanged; "fixed" is
Otava's split with a merge that, after removing a weak point, tests again
both of its neighbours (Otava tests the point after it and the one after
that, so the point before keeps a p-value of segments that no longer exist).
The series: changepoint_tigerbeetle.csv is Otava's own test data; the others
were drawn once with random.seed(7) (see the README) and are kept as files.
"""
import csv
import os
import sys

sys.path.insert(0, os.environ["OTAVA"])
import otava.analysis as A  # noqa: E402


def merge_both(change_points, series, max_pvalue, min_magnitude):
    tester = A.TTestSignificanceTester(max_pvalue)
    while change_points:
        weakest = max(change_points, key=lambda c: c.stats.pvalue)
        if weakest.stats.pvalue < max_pvalue:
            weakest = min(change_points, key=lambda c: c.stats.change_magnitude())
            if weakest.stats.change_magnitude() > min_magnitude:
                return change_points
        k = change_points.index(weakest)
        del change_points[k]
        intervals = tester.get_intervals(change_points)
        for i in (k - 1, k):
            if 0 <= i < len(change_points):
                change_points[i] = tester.change_point(change_points[i].to_candidate(), series, intervals)
    return change_points


CASES = ["50 0.001 0", "30 0.01 0", "20 0.001 0.02", "100 0.0001 0", "10 0.05 0", "8 0.2 0.01", "365 0.001 0"]
FILES = ["changepoint_tigerbeetle.csv", "changepoint_two_shifts.csv", "changepoint_noise.csv"]
here = os.path.dirname(os.path.abspath(__file__))
for name in FILES:
    with open(os.path.join(here, name)) as f:
        rows = list(csv.reader(f))[1:]
    values = [float(r[-1]) for r in rows]
    for case in CASES:
        w, p, m = case.split()
        w, p, m = int(w), float(p), float(m)
        for mode, merge in (("otava", A.merge), ("fixed", merge_both)):
            first = p * 10 if p < 0.05 else (p * 2 if p < 0.5 else p)
            weak = A.split(values, w, first)
            print(f"case {name} {case} {mode}")
            print("weak", " ".join(str(c.index) for c in weak))
            for c in merge(weak[:], values, p, m):
                s = c.stats
                print(c.index, repr(s.mean_1), repr(s.mean_2), repr(s.std_1), repr(s.std_2), repr(s.pvalue))
            print("end")
