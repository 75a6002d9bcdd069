#!/bin/sh
# SPDX-License-Identifier: MIT
# hotpath profile on a program that spends about 80% of its time in hot():
# as a command and by -p, at least 70% of the samples are attributed to
# hot() (a PIE built with frame pointers); the folded output round-trips
# through hotpath flame; the flame graph holds the function. Skipped (77)
# where the kernel refuses perf_event_open, saying why.
#   profile.sh HOTPATH BUSY
set -u
hotpath=$1
busy=$2
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "profile: $*" >&2; exit 1; }

if ! "$hotpath" profile -F 99 -d 200ms --top 0 -- "$busy" spin 0.1 >"$work/probe" 2>&1; then
    if grep -q perf_event_paranoid "$work/probe"; then
        echo "profile: skipped: $(cat "$work/probe")"
        exit 77
    fi
    cat "$work/probe"
    fail "profiling a command failed"
fi

# share of samples ending in hot, from the result document
share() {
    python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
f = {x["name"]: x for x in d["functions"]}
print("%.3f" % f.get("hot", {"self_ratio": 0})["self_ratio"])' "$1"
}

"$hotpath" profile -F 499 --json "$work/cmd.json" -o "$work/cmd.folded" -o "$work/cmd.svg" \
    -- "$busy" 80 2 >"$work/cmd.out" || fail "profile -- busy failed: $(cat "$work/cmd.out")"
s=$(share "$work/cmd.json")
python3 -c "import sys; sys.exit(0 if $s >= 0.70 else 1)" ||
    fail "hot() got $s of the samples as a command, expected at least 0.70: $(cat "$work/cmd.out")"
grep -q '<title>hot (' "$work/cmd.svg" || fail "the flame graph has no hot() frame"
"$hotpath" flame "$work/cmd.folded" --folded | cmp -s - "$work/cmd.folded" ||
    fail "the folded output does not round-trip through hotpath flame"

"$busy" 80 4 &
pid=$!
sleep 0.3
"$hotpath" profile -p "$pid" -d 1500ms -F 499 --json "$work/pid.json" >"$work/pid.out" ||
    fail "profile -p failed: $(cat "$work/pid.out")"
s2=$(share "$work/pid.json")
python3 -c "import sys; sys.exit(0 if $s2 >= 0.70 else 1)" ||
    fail "hot() got $s2 of the samples by -p, expected at least 0.70: $(cat "$work/pid.out")"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=""
echo "profile: hot() had $s of the samples as a command, $s2 by -p"

# Without privileges (as nobody): user stacks only where the sysctl allows
# them, said so; another user's process refused, saying what is needed.
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
# A process that never runs while sampled (stopped): no switch at all, an
# empty off-CPU profile, exit 0 (not a crash on nothing to pair).
sleep 30 &
stopped=$!
kill -STOP "$stopped"
"$hotpath" profile --off-cpu -p "$stopped" -d 200ms -o "$work/none.folded" >"$work/none.out" 2>&1 ||
    { kill -9 "$stopped"; fail "off-CPU profile of a stopped process: $(cat "$work/none.out")"; }
kill -9 "$stopped"
wait "$stopped" 2>/dev/null
grep -q " 0 switches off the CPU" "$work/none.out" || fail "a stopped process switched: $(cat "$work/none.out")"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && chmod 755 "$work" &&
    as_nobody test -x "$hotpath" && as_nobody test -x "$busy"; then
    if as_nobody "$hotpath" profile -F 99 --top 1 -- "$busy" spin 0.2 >"$work/nobody.out" 2>&1; then
        level=$(cat /proc/sys/kernel/perf_event_paranoid)
        if [ "$level" -ge 2 ]; then
            grep -q "kernel frames not sampled (kernel.perf_event_paranoid" "$work/nobody.out" ||
                fail "as nobody, the lost kernel frames were not explained: $(cat "$work/nobody.out")"
        fi
    else
        grep -q "kernel.perf_event_paranoid" "$work/nobody.out" ||
            fail "as nobody, the refusal does not name the sysctl: $(cat "$work/nobody.out")"
    fi
    if as_nobody "$hotpath" profile -p 1 -d 100ms >"$work/other.out" 2>&1; then
        fail "as nobody, profiling process 1 was not refused"
    fi
    grep -q "CAP_PERFMON" "$work/other.out" ||
        fail "the refusal to profile another user's process names no capability: $(cat "$work/other.out")"
    echo "profile: as nobody: $(head -c 160 "$work/other.out")"
else
    echo "profile: not checked without privileges (not root, no setpriv, or nobody cannot reach the build)"
fi
