#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guard half of make perf (bench/perf.sh): every run recorded in
# PERF_DIR (result documents of kind perf, each with the commit it measured)
# goes into a fresh history database, oldest first, and `history detect
# --fail-on-new --better higher` runs on each ratio. Exit 99 when the newest
# runs start a regression of one (the change point, its commit and the
# ratios before and after are printed), 0 otherwise. The trend charts that
# `report` draws, every ratio with its levels and change points, go to
# DOCS_DIR/trend.md and its SVGs.
#   bench/perf_guard.sh HOTPATH PERF_DIR DOCS_DIR
set -euo pipefail
hotpath=$1
perf_dir=$2
docs_dir=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$perf_dir/history.db" # made afresh from the documents each time (not kept in git)
rm -f "$db" "$db-wal" "$db-shm"
n=0
for f in "$perf_dir"/*.json; do
    [ -e "$f" ] || { echo "perf: no runs in $perf_dir" >&2; exit 1; }
    c=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["config"]["commit"])' "$f")
    "$hotpath" history add --db "$db" --commit "$c" "$f" > "$work/add.out"
    n=$((n + 1))
done
metrics=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["metrics"]))' "$f")
mkdir -p "$docs_dir"
status=0
docs=()
for metric in $metrics; do
    rc=0
    "$hotpath" history detect --db "$db" "$metric" --better higher --fail-on-new \
        --json "$work/$metric.json" > "$work/$metric.txt" || rc=$?
    case $rc in
    0) ;;
    99) status=99 ;;
    *) cat "$work/$metric.txt"; exit "$rc" ;;
    esac
    docs+=("$work/$metric.json")
done
"$hotpath" report "${docs[@]}" -o "$docs_dir/trend.md" > "$work/report.out"
echo "perf: $n runs in the history; trend charts in $docs_dir/trend.md" >&2
[ $status -eq 0 ] || echo "perf: a ratio fell in the newest runs: its change point is named above" >&2
exit $status
