# SPDX-License-Identifier: MIT
# Sourced by the shell integration tests: hotpath serve with --truth in
# $work, on a free loopback port. Needs $hotpath and $work.
#   serve [SERVE_FLAGS...]   start a fresh one (sets pid and port)
#   stop                     SIGINT it and wait: the truth file is written
#   truth METRIC             a count from the truth file (0 when absent)
#   metric FILE METRIC       a count from any result document (0 when absent)
serve() {
    [ -n "${pid:-}" ] && { kill -INT "$pid"; wait "$pid"; }
    rm -f "$work/truth.json" "$work/serve.out"
    "$hotpath" serve --listen 127.0.0.1:0 --truth "$work/truth.json" "$@" >"$work/serve.out" 2>&1 &
    pid=$!
    for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
    port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
}
stop() { kill -INT "$pid"; wait "$pid"; pid=""; }
metric() {
    python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['metrics']; print(int(m.get(sys.argv[2], {'value': 0})['value']))" \
        "$1" "$2"
}
truth() { metric "$work/truth.json" "$1"; }
