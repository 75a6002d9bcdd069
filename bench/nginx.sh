# SPDX-License-Identifier: MIT
# Sourced by the load benchmarks. bench_nginx: one nginx 1.22 worker pinned to CPU 1,
# master_process off, access_log off, keep-alive unlimited, answering every
# path with the same 13 bytes as hotpath serve's "/".
#   bench_nginx WORK_DIR PORT   (sets nginx_pid)
bench_nginx() {
    bench_nginx_conf "$1" "$2" "" ""
}

# The config both write: LISTEN_EXTRA after the port ("ssl"), SERVER_EXTRA
# inside the server block.
#   bench_nginx_conf WORK_DIR PORT LISTEN_EXTRA SERVER_EXTRA   (sets nginx_pid)
bench_nginx_conf() {
    cat >"$1/nginx.conf" <<NGX
worker_processes 1;
worker_rlimit_nofile 65536;
daemon off;
master_process off;
pid $1/nginx.pid;
error_log $1/nginx.err;
events { worker_connections 16384; }
http {
    access_log off;
    keepalive_requests 1000000000;
    server {
        listen 127.0.0.1:$2 $3 backlog=4096;
        $4
        location / { default_type text/plain; return 200 "Hello, World!"; }
    }
}
NGX
    taskset -c 1 nginx -c "$1/nginx.conf" -p "$1" &
    nginx_pid=$!
    sleep 0.5
}

# The tools a benchmark needs, or a message naming the first missing.
#   bench_need TOOL...
bench_need() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "bench: $tool missing (make bench installs it)" >&2; exit 1; }
    done
}

# The 5-request scenario with one CSV variable the scenario benchmarks run:
# WORK_DIR/mix.yaml (one thread, 64 connections, DURATION seconds) and its
# WORK_DIR/ids.csv. One thread, written out: the engine's default is 2.
#   bench_mix WORK_DIR PORT DURATION
bench_mix() {
    python3 - "$1/ids.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("id,user\n")
    for i in range(10000):
        f.write("%d,user%d\n" % (i, i))
PY
    cat >"$1/mix.yaml" <<YAML
base_url: http://127.0.0.1:$2
connections: 64
threads: 1
duration: ${3}s
data: ids.csv
requests:
  - {name: home, path: /, weight: 40}
  - {name: product, path: '/products/\${id}', weight: 25}
  - {name: search, path: /search?q=shoes, weight: 20}
  - {name: cart, path: /cart, weight: 10, headers: {X-User: '\${user}'}}
  - {name: login, method: POST, path: /login, weight: 5, body: '{"user": "\${user}"}'}
YAML
}

# bench_nginx with TLS: a throw-away P-256 certificate for 127.0.0.1, TLS
# 1.3 only (its default suite, AES-256-GCM), session tickets on; with
# "http2" as the third argument, HTTP/2 too (ALPN h2).
#   bench_nginx_tls WORK_DIR PORT [http2]   (sets nginx_pid)
bench_nginx_tls() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/key.pem" \
        -out "$1/cert.pem" -days 1 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
    bench_nginx_conf "$1" "$2" "ssl ${3:-}" "ssl_certificate $1/cert.pem; ssl_certificate_key $1/key.pem; ssl_protocols TLSv1.3;"
}
