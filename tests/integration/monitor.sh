#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath monitor on a busy-looping child: its CPU is within 10 points of
# 100% of one CPU and it is named as saturated; load --monitor records the
# server's samples and names a saturated resource.
#   monitor.sh HOTPATH BUSY
set -u
hotpath=$1
busy=$2
work=$(mktemp -d)
pid=""
spid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "monitor: $*" >&2; exit 1; }

# The child's own CPU time, from the kernel's accounting, and the clock: the
# truth the monitor's figure is held against. On a busy machine the child
# gets less than a CPU, and both figures say so.
ticks() { python3 -c "import sys,time; f=open('/proc/%s/stat' % sys.argv[1]).read().rsplit(')',1)[1].split(); print(int(f[11]) + int(f[12]), time.monotonic())" "$1"; }
"$busy" spin 60 &  # killed below, once measured
pid=$!
before=$(ticks "$pid")
"$hotpath" monitor -p "$pid" -i 500ms -d 2s --json "$work/m.json" >"$work/m.out" ||
    fail "monitor failed: $(cat "$work/m.out")"
after=$(ticks "$pid")
python3 - "$work/m.json" "$before" "$after" "$(getconf CLK_TCK)" <<'PY' || fail "$(cat "$work/m.out")"
import json, sys
d = json.load(open(sys.argv[1]))
t0, c0 = map(float, sys.argv[2].split())
t1, c1 = map(float, sys.argv[3].split())
hz = int(sys.argv[4])
# The monitor's 2 s lie inside [before, after]: in them the child used no
# more CPU time than in the whole span, and no less than that minus one CPU
# for the rest of the span. Tight on a quiet machine (about 1.0), honest on
# a busy one, where the child gets what the scheduler gives it.
used, span = (t1 - t0) / hz, c1 - c0
pts = d["series"]["proc_cpu"]["points"]
seen = sum(p[1] for p in pts) * 0.5  # CPU-seconds over the samples, 500 ms each
if not (used - (span - 0.5 * len(pts)) - 0.1 <= seen <= used + 0.1):
    sys.exit("the busy child used %.3f CPU-s in the monitor's %d samples, but %.3f in the "
             "%.2f s around them" % (seen, len(pts), used, span))
cpu = d["metrics"]["proc_cpu_mean"]["value"]
n = len(d["series"]["proc_cpu"]["points"])
if n < 3:
    sys.exit("%d samples of the process's CPU in 2 s at 500 ms" % n)
# The child fills a CPU: that is named, unless the whole machine is full
# (a busy CI machine), when its CPUs are the first thing to saturate.
machine = d["metrics"]["cpu_util_mean"]["value"]
machine = machine / 100 if machine > 1 else machine
want = ("process CPU", "CPU") if machine >= 0.9 else ("process CPU",)
if (d["saturation"] or {}).get("resource") not in want:
    sys.exit("saturation is %r, expected %s (machine CPU %.2f)" % (d["saturation"], " or ".join(want), machine))
print("monitor: busy child at %.3f CPUs over %d samples" % (cpu, n))
PY
kill "$pid"
wait "$pid" 2>/dev/null
pid=""

"$hotpath" serve --listen 127.0.0.1:0 --threads 1 >"$work/serve.out" &
spid=$!
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
[ -n "$port" ] || fail "serve did not start"
"$hotpath" load -t 1 -c 16 -d 2500ms --monitor "$spid" --json "$work/l.json" \
    "http://127.0.0.1:$port/" >"$work/l.out" || fail "load --monitor failed: $(cat "$work/l.out")"
grep -q "Monitor (pid $spid)" "$work/l.out" || fail "no monitor summary: $(cat "$work/l.out")"
python3 - "$work/l.json" <<'PY' || fail "$(cat "$work/l.out")"
import json, sys
d = json.load(open(sys.argv[1]))
if d["config"].get("monitor_pid") is None or "saturation" not in d:
    sys.exit("the load document lacks the monitor's config or saturation")
if len(d["series"]["proc_cpu"]["points"]) < 2:
    sys.exit("the load document has %d process CPU samples" % len(d["series"]["proc_cpu"]["points"]))
print("monitor: load --monitor saw %s" % (d["saturation"] or {}).get("resource", "no saturation"))
PY
