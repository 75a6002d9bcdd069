#!/bin/sh
# SPDX-License-Identifier: MIT
# docs/ci.md's step, as documented: docs/examples/ci-load-test.sh against
# `hotpath serve`, once with thresholds that pass (exit 0, three files, a
# JUnit report that parses with no failures) and once with one that fails
# (exit 99, the failure in the report).
#   ci_example.sh HOTPATH SRCDIR
set -u
hotpath=$1
src=$2
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "ci_example: $*" >&2; exit 1; }

"$hotpath" serve --listen 127.0.0.1:0 >"$work/serve.out" &
pid=$!
for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
[ -n "$port" ] || fail "serve did not start"

scenario() { # $1: file, $2: the p(99) bound
    cat >"$1" <<YAML
base_url: http://127.0.0.1:$port
connections: 4
duration: 500ms
requests:
  - {name: home, path: /, weight: 3}
  - {name: slow, path: /delay/fixed:5ms}
thresholds:
  http_req_duration{name:slow}: ["p(99) < $2"]
  http_req_failed: ["rate < 1%"]
YAML
}

scenario "$work/pass.yaml" 1s
sh "$src/docs/examples/ci-load-test.sh" "$work/pass.yaml" "$work/pass" "$hotpath" >"$work/pass.log" 2>&1
status=$?
[ "$status" = 0 ] || { cat "$work/pass.log"; fail "passing run exited $status"; }
for f in result.json junit.xml summary.md; do
    [ -s "$work/pass/$f" ] || fail "pass: $f missing"
done
python3 - "$work/pass/junit.xml" 0 <<'PY' || fail "pass: junit.xml"
import sys, xml.etree.ElementTree as E
s = E.parse(sys.argv[1]).getroot().find("testsuite")
assert s.get("tests") == "2" and s.get("failures") == sys.argv[2], (s.get("tests"), s.get("failures"))
PY
grep -q '| ✅ pass | `http_req_duration{name:slow}: p(99) < 1s` |' "$work/pass/summary.md" ||
    fail "pass: summary.md lacks the verdict"

scenario "$work/fail.yaml" 1ms
sh "$src/docs/examples/ci-load-test.sh" "$work/fail.yaml" "$work/fail" "$hotpath" >"$work/fail.log" 2>&1
status=$?
[ "$status" = 99 ] || { cat "$work/fail.log"; fail "failing run exited $status, not 99"; }
python3 - "$work/fail/junit.xml" 1 <<'PY' || fail "fail: junit.xml"
import sys, xml.etree.ElementTree as E
s = E.parse(sys.argv[1]).getroot().find("testsuite")
assert s.get("failures") == sys.argv[2]
failed = [c.get("name") for c in s.findall("testcase") if c.find("failure") is not None]
assert failed == ["http_req_duration{name:slow}: p(99) < 1ms"], failed
PY
echo "ci_example: ok"
