#!/bin/sh
# SPDX-License-Identifier: MIT
# One CLI golden test: CASE/cmd is a shell line run with $HOTPATH and $SRCDIR
# set; CASE/status is the exit code; CASE/stdout and CASE/stderr, when
# present, must match exactly (curl's numbered test data, in folders).
#   run_case.sh HOTPATH SRCDIR CASE_DIR
set -u
HOTPATH=$1 SRCDIR=$2 case_dir=$3
export HOTPATH SRCDIR
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
sh -c "$(cat "$case_dir/cmd")" >"$out" 2>"$err"
status=$?
fail=0
want=$(cat "$case_dir/status")
if [ "$status" != "$want" ]; then
    echo "exit status $status, expected $want"
    fail=1
fi
for stream in stdout stderr; do
    [ -f "$case_dir/$stream" ] || continue
    got=$out
    [ "$stream" = stderr ] && got=$err
    if ! diff -u "$case_dir/$stream" "$got"; then
        echo "$stream differs from $case_dir/$stream"
        fail=1
    fi
done
[ "$fail" = 0 ] || { echo "--- stderr:"; cat "$err"; }
exit $fail
