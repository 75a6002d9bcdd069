# SPDX-License-Identifier: MIT
# Sourced by the load benchmarks: one nginx 1.22 worker pinned to CPU 1,
# master_process off, access_log off, keep-alive unlimited, answering every
# path with the same 13 bytes as hotpath serve's "/".
#   bench_nginx WORK_DIR PORT   (sets nginx_pid)
bench_nginx() {
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
        listen 127.0.0.1:$2 backlog=4096;
        location / { default_type text/plain; return 200 "Hello, World!"; }
    }
}
NGX
    taskset -c 1 nginx -c "$1/nginx.conf" -p "$1" &
    nginx_pid=$!
    sleep 0.5
}
