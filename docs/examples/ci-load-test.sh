#!/bin/sh
# SPDX-License-Identifier: MIT
# The load-test step of a CI job (docs/ci.md): validate the scenario, run
# it, and leave what CI systems read in OUT_DIR: junit.xml (test reports),
# summary.md (a job page), result.json (hotpath.result/1, for later
# `hotpath compare` and reports). The exit status is hotpath's: 0 pass,
# 99 a threshold failed (slow), 1 the run failed (broken), 2 bad input.
#   ci-load-test.sh SCENARIO.yaml OUT_DIR [HOTPATH]
set -u
scenario=$1
out=$2
hotpath=${3:-hotpath}
mkdir -p "$out"
"$hotpath" load --check "$scenario" || exit $?
"$hotpath" load "$scenario" --json "$out/result.json" --junit "$out/junit.xml" \
    --summary-md "$out/summary.md"
