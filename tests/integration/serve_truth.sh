# SPDX-License-Identifier: MIT
# Sourced by the integration scripts that count against hotpath serve's own
# count: serve TRUTH [FLAGS...] starts it on a free loopback port ($port,
# $pid) writing its truth file; unserve stops it (SIGTERM, so the file is
# written); soon SECONDS prints that time from now in RFC 3339. Needs
# $hotpath, $work and fail().
serve() {
    truth=$1
    shift
    "$hotpath" serve --listen 127.0.0.1:0 --truth "$truth" "$@" >"$work/serve.out" 2>&1 &
    pid=$!
    for _ in $(seq 50); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
    port=$(head -n 1 "$work/serve.out" | sed -E 's/.*:([0-9]+) .*/\1/')
    [ -n "$port" ] || fail "serve did not start: $(cat "$work/serve.out")"
}
unserve() {
    kill -TERM "$pid" && wait "$pid"
    pid=""
}
soon() {
    python3 -c "import datetime,sys; t=datetime.datetime.now(datetime.timezone.utc)+datetime.timedelta(seconds=float(sys.argv[1])); print(t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]+'Z')" "$1"
}
