#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the libFuzzer harnesses (clang, ASan+UBSan) and run each for SECONDS,
# starting from its corpus in fuzz/corpus/NAME (copied: the repo's corpus
# only changes by hand). Crashes are kept in FUZZ_BUILD/crashes/.
#   scripts/fuzz.sh FUZZ_BUILD_DIR SECONDS [RESULTS_FILE]
# RESULTS_FILE gets one line per harness: PASS|FAIL name seconds executions
# new-units crashes. FUZZ_ONLY="csv units" runs only those harnesses;
# FUZZ_TIMEOUT (seconds, default 10) is what one input may take.
set -u
build=${1:-build-fuzz}
seconds=${2:-60}
results=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" --buildtype=debugoptimized -Dfuzz=true -Dtests=false \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args=-fno-sanitize-recover=all >/dev/null || exit 1
fi
ninja -C "$build" >/dev/null || { ninja -C "$build"; exit 1; }

status=0
mkdir -p "$build/crashes"
record() {
    [ -n "$results" ] || return 0
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$2.log")
    added=$(sed -n 's/^stat::new_units_added: *//p' "$build/$2.log")
    crashes=$(find "$build/crashes" -name "$2-*" | wc -l)
    echo "$1 $2 $seconds ${execs:-0} ${added:-0} $crashes" >>"$results"
}

for harness in "$build"/fuzz/fuzz_*; do
    [ -f "$harness" ] && [ -x "$harness" ] || continue
    name=$(basename "$harness" | sed 's/^fuzz_//')
    if [ -n "${FUZZ_ONLY:-}" ]; then
        case " $FUZZ_ONLY " in *" $name "*) ;; *) continue ;; esac
    fi
    work="$build/corpus/$name"
    mkdir -p "$work"
    [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$work/"
    dict=""
    [ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
    echo "fuzz: $name for ${seconds}s"
    if "$harness" $dict -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/crashes/$name-" "$work" \
        >"$build/$name.log" 2>&1; then
        grep -E "stat::number_of_executed_units" "$build/$name.log" | sed "s/^/  /"
        record PASS "$name"
    else
        tail -n 40 "$build/$name.log"
        record FAIL "$name"
        status=1
    fi
done
exit $status
