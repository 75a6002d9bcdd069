#!/bin/sh
# SPDX-License-Identifier: MIT
# serve's planted bottlenecks (the ground truth diagnose is tested
# against), each checked by what the server itself recorded:
#  - --cpu-work fixed:2ms on one thread: the server computed 2 ms in
#    hp_serve_planted_cpu for every request (its own account), and a CPU
#    profile of it puts that function on top;
#  - --lock-work fixed:4ms on two threads: every request held the lock 4 ms
#    and, with both threads busy, requests waited for it; an off-CPU
#    profile (profile --off-cpu) finds the threads waiting in the planted
#    work, a good share of it on the lock's futex;
#  - --fsync-every 10: one fdatasync per 10 requests of a thread;
#  - --alloc-leak 64KiB: the server kept 64 KiB per request and its
#    resident set grew by at least that much.
#   planted.sh HOTPATH
set -u
hotpath=$1
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "planted: $*" >&2; exit 1; }
. "$(dirname "$0")/serve_lib.sh"
m() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['metrics'][sys.argv[2]]['value'])" "$1" "$2"; }

# ---- CPU -----------------------------------------------------------------
serve_to "$work/cpu.json" --cpu-work fixed:2ms
"$hotpath" load -t 1 -c 4 -d 3s "http://127.0.0.1:$port/" >"$work/l1.out" 2>&1 &
lp=$!
sleep 0.5
"$hotpath" profile -p "$pid" -d 1.5s -o "$work/cpu.folded" >"$work/prof.out" 2>&1 ||
    fail "profile: $(cat "$work/prof.out")"
wait "$lp" || fail "load: $(cat "$work/l1.out")"
stop
python3 - "$work/cpu.json" "$work/cpu.folded" <<'PY' || fail "--cpu-work"
import json, sys
t = json.load(open(sys.argv[1]))["metrics"]
n, cpu = t["requests"]["value"], t["planted_cpu_ns"]["value"]
assert n > 100 and cpu >= n * 2e6, (n, cpu)  # at least 2 ms each, by the server's clock
# on-CPU samples whose stack holds the planted function: most of the server's
total = inside = 0
for line in open(sys.argv[2]):
    stack, _, count = line.rstrip().rpartition(" ")
    total += int(count)
    if "hp_serve_planted_cpu" in stack:
        inside += int(count)
assert total > 0 and inside / total > 0.5, (inside, total)
PY

# ---- a lock ----------------------------------------------------------------
serve_to "$work/lock.json" -t 2 --lock-work fixed:4ms
# 32 connections: SO_REUSEPORT spreads them over both threads (all on one:
# a chance of 2 in 2^32); an off-CPU profile of the server meanwhile
"$hotpath" load -t 2 -c 32 -d 3s "http://127.0.0.1:$port/" >"$work/l2.out" 2>&1 &
lp=$!
sleep 0.5
"$hotpath" profile --off-cpu -p "$pid" -d 1.5s -o "$work/off.folded" >"$work/off.out" 2>&1 ||
    fail "profile --off-cpu: $(cat "$work/off.out")"
wait "$lp" || fail "load: $(cat "$work/l2.out")"
stop
# where the threads waited: for the lock (the kernel's futex wait under
# pthread_mutex_lock) and in the holder's sleep, each a good share; the
# frames above libc's are lost (Debian's libc has no frame pointers)
python3 - "$work/off.folded" <<'PY' || fail "--off-cpu on the lock: $(head -c 600 "$work/off.out")"
import sys
blocked = lock = sleep = 0
for line in open(sys.argv[1]):
    stack, _, ns = line.rstrip().rpartition(" ")
    if "[runnable: preempted]" in stack:
        continue
    blocked += int(ns)
    if "lll_lock_wait" in stack or "futex_wait" in stack:
        lock += int(ns)
    elif "nanosleep" in stack:
        sleep += int(ns)
assert blocked > 0 and lock / blocked > 0.2 and sleep / blocked > 0.2, (lock, sleep, blocked)
PY
python3 - "$work/lock.json" <<'PY' || fail "--lock-work"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["metrics"]
n = t["requests"]["value"]
held, wait = t["planted_lock_held_ns"]["value"], t["planted_lock_wait_ns"]["value"]
assert n > 50 and held >= n * 4e6, (n, held)
# one lock for two busy threads: a request mostly waits for the other's hold
assert wait > 0.3 * held, (wait, held)
# the lock is the ceiling: the holds, one at a time, fit in the server's run
assert held <= d["duration_s"] * 1e9, (held, d["duration_s"])
PY

# ---- disk and memory -------------------------------------------------------
serve_to "$work/disk.json" --fsync-every 10 --alloc-leak 64KiB
before=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
"$hotpath" load -t 1 -c 2 -d 1s "http://127.0.0.1:$port/" >"$work/l3.out" 2>&1 ||
    fail "load: $(cat "$work/l3.out")"
after=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
stop
python3 - "$work/disk.json" "$before" "$after" <<'PY' || fail "--fsync-every and --alloc-leak"
import json, sys
t = json.load(open(sys.argv[1]))["metrics"]
n = t["requests"]["value"]
assert t["planted_fsyncs"]["value"] == n // 10, (t["planted_fsyncs"]["value"], n)
assert t["planted_leaked_bytes"]["value"] == n * 65536
grown = (int(sys.argv[3]) - int(sys.argv[2])) * 1024
assert grown >= 0.9 * n * 65536, (grown, n)
PY
echo "planted: ok"
