#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the library's layering (docs/internals/architecture.md): every
#include "area/x.h" in lib/ points to the same layer or one below, and no
modules (a .c with its .h) include each other in a circle. Prints each offence as
FILE:LINE: message and exits 1 when there is one."""
import os, re, sys

RANK = {"core": 0, "stat": 1, "io": 2, "http": 3,
        "load": 4, "serve": 4, "model": 4, "cache": 4, "sql": 4, "prof": 4, "sys": 4,
        "bench": 4, "guard": 4, "page": 4,
        "report": 5, "diag": 5}
# Jobs (rank 4) may use one another only where the design says so.
ALLOWED_SIDEWAYS = {("load", "model"),   # sweep fits the USL
                    ("guard", "bench")}  # bisect times runs as bench does

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
lib = os.path.join(top, "lib")
inc = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([A-Za-z0-9_]+\.h)"')
bad = 0
graph = {}
for area in sorted(os.listdir(lib)):
    d = os.path.join(lib, area)
    if not os.path.isdir(d):
        continue
    if area not in RANK:
        print(f"lib/{area}: an area with no layer (add it to scripts/layers.py and the docs)")
        bad += 1
        continue
    for name in sorted(os.listdir(d)):
        if not name.endswith((".c", ".h")):
            continue
        path = f"{area}/{name}"
        with open(os.path.join(d, name)) as f:
            for no, line in enumerate(f, 1):
                m = inc.match(line)
                if not m:
                    continue
                to_area, to_name = m.group(1), m.group(2)
                if to_area not in RANK:
                    continue
                mod = path.rsplit(".", 1)[0].replace("_int", "")
                to_mod = f"{to_area}/{to_name[:-2]}".replace("_int", "")
                if to_mod != mod:
                    graph.setdefault(mod, set()).add(to_mod)
                up = RANK[to_area] > RANK[area]
                side = (RANK[to_area] == RANK[area] and to_area != area
                        and (area, to_area) not in ALLOWED_SIDEWAYS)
                if up or side:
                    print(f"lib/{path}:{no}: includes {to_area}/{to_name}, "
                          f"{'a layer above' if up else 'a job beside'} {area}")
                    bad += 1

# Circles among modules: x.c or x.h includes y.h and y.c or y.h includes x.h.
state = {}
def visit(node, stack):
    state[node] = 1
    for nxt in sorted(graph.get(node, ())):
        if nxt in stack:
            cyc = stack[stack.index(nxt):] + [nxt]
            print("lib/%s: modules include each other: %s" % (node, " -> ".join(cyc)))
            return 1
        if state.get(nxt) is None and visit(nxt, stack + [nxt]):
            state[node] = 2
            return 1
    state[node] = 2
    return 0
for node in sorted(graph):
    if state.get(node) is None:
        bad += visit(node, [node])
sys.exit(1 if bad else 0)
