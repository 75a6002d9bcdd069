# SPDX-License-Identifier: MIT
# Sourced by the shell integration tests: hotpath serve with --truth in
# $work, on a free loopback port. Needs $hotpath and $work.
#   serve [SERVE_FLAGS...]   start a fresh one (sets pid and port)
#   serve_to TRUTH [FLAGS]   the same, its truth file at TRUTH (one per phase)
#   stop                     SIGINT it and wait: the truth file is written
#   soon SECONDS             that long from now, RFC 3339 (for --start-at)
#   truth METRIC             a count from the truth file (0 when absent)
#   metric FILE METRIC       a count from any result document (0 when absent)
serve() {
    [ -n "${pid:-}" ] && { kill -INT "$pid"; wait "$pid"; pid=""; }
    rm -f "$work/truth.json"
    serve_to "$work/truth.json" "$@"
}
serve_to() {
    [ -n "${pid:-}" ] && { kill -INT "$pid"; wait "$pid"; pid=""; }
    rm -f "$work/serve.out"
    truth_file=$1
    shift
    "$hotpath" serve --listen 127.0.0.1:0 --truth "$truth_file" "$@" >"$work/serve.out" 2>&1 &
    pid=$!
    for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
    port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
}
soon() {
    python3 -c "import datetime,sys; t=datetime.datetime.now(datetime.timezone.utc)+datetime.timedelta(seconds=float(sys.argv[1])); print(t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]+'Z')" "$1"
}
stop() { kill -INT "$pid"; wait "$pid"; pid=""; }
metric() {
    python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['metrics']; print(int(m.get(sys.argv[2], {'value': 0})['value']))" \
        "$1" "$2"
}
truth() { metric "$work/truth.json" "$1"; }
