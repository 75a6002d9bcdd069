#!/bin/sh
# SPDX-License-Identifier: MIT
# make check: a debug build with -Wall -Wextra -Werror, ASan and UBSan; every
# test suite (unit, cli, integration, fuzz corpus replay); then each libFuzzer
# harness briefly. The last line is "N passed, N failed"; exit 1 on any failure.
#   scripts/check.sh CHECK_BUILD_DIR FUZZ_BUILD_DIR
set -u
check=${1:-build-check}
fuzz=${2:-build-fuzz}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

if [ ! -f "$check/build.ninja" ]; then
    meson setup "$check" --buildtype=debug -Dwarning_level=2 -Dwerror=true \
        -Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=all >/dev/null || exit 1
else
    # New CLI cases are folders: they appear only when Meson looks again.
    meson setup --reconfigure "$check" >/dev/null || exit 1
fi
ninja -C "$check" >/dev/null || { ninja -C "$check"; echo "0 passed, 1 failed"; exit 1; }

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=
meson test -C "$check" --print-errorlogs --num-processes 2
fuzz_results="$check/fuzz-results.txt"
: >"$fuzz_results"
CHECK_FUZZ_SECONDS=${CHECK_FUZZ_SECONDS:-10}
if [ "$CHECK_FUZZ_SECONDS" -gt 0 ]; then
    scripts/fuzz.sh "$fuzz" "$CHECK_FUZZ_SECONDS" "$fuzz_results"
fi

python3 - "$check/meson-logs/testlog.json" "$fuzz_results" <<'PY'
import json, sys
passed = failed = skipped = 0
suites = {}
with open(sys.argv[1]) as f:
    for line in f:
        t = json.loads(line)
        suite = t["name"].split(" / ")[0].split(":")[-1]
        ok = t["result"] in ("OK", "EXPECTEDFAIL")
        skip = t["result"] == "SKIP"
        s = suites.setdefault(suite, [0, 0, 0])
        s[0 if ok else 2 if skip else 1] += 1
        if not ok and not skip:
            print("FAILED: %s (%s)" % (t["name"], t["result"]))
with open(sys.argv[2]) as f:
    for line in f:
        verdict, name = line.split()[:2]
        s = suites.setdefault("fuzz-run", [0, 0, 0])
        s[0 if verdict == "PASS" else 1] += 1
        if verdict != "PASS":
            print("FAILED: fuzz run %s" % name)
for name, (p, fl, sk) in sorted(suites.items()):
    print("  %-12s %d passed, %d failed%s" % (name, p, fl, ", %d skipped" % sk if sk else ""))
    passed += p; failed += fl; skipped += sk
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or passed == 0 else 0)
PY
