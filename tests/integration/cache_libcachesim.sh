#!/bin/sh
# SPDX-License-Identifier: MIT
# cache sim's s3fifo and belady give libCacheSim's miss counts exactly, in
# objects and in bytes, on the trace tests/data/cache/libcachesim_misses.tsv
# names (libCacheSim's own counts, made by make_libcachesim.sh).
#   cache_libcachesim.sh HOTPATH SRCDIR
set -u
hotpath=$1
table=$2/tests/data/cache/libcachesim_misses.tsv
fail() { echo "cache_libcachesim: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$hotpath" cache gen --zipf 0.9 --one-hit 15% --scan 5% --objects 20000 -n 200000 --seed 7 \
    -o "$work/g.oracleGeneral" >/dev/null || fail "cache gen failed"
for unit in objects bytes; do
    sizes=$(awk -v u=$unit '!/^#/ && $2 == u && $1 == "s3fifo" {printf "%s%s", s, $3; s=","}' "$table")
    flag=""
    [ $unit = bytes ] && flag=--bytes
    "$hotpath" cache sim $flag --policies s3fifo,belady --sizes "$sizes" --json "$work/$unit.json" \
        "$work/g.oracleGeneral" >/dev/null || fail "cache sim $flag failed"
done
python3 - "$table" "$work/objects.json" "$work/bytes.json" <<'PY' || exit 1
import json, sys
want = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    pol, unit, size, misses = line.split()
    want[(pol, unit, int(size))] = int(misses)
got = {}
for path, unit in ((sys.argv[2], "objects"), (sys.argv[3], "bytes")):
    for r in json.load(open(path))["results"]:
        got[(r["policy"], unit, r["capacity"])] = r["misses"]
bad = [(k, w, got.get(k)) for k, w in sorted(want.items()) if got.get(k) != w]
for k, w, g in bad:
    print("cache_libcachesim: %s %s %d: libCacheSim %d misses, hotpath %s" % (k + (w, g)),
          file=sys.stderr)
if bad or len(want) < 14:
    sys.exit(1)
print("cache_libcachesim: %d counts equal to libCacheSim's" % len(want))
PY
