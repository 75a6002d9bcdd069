#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages hotpath needs, only those missing. Idempotent.
#   scripts/deps.sh            build + test dependencies
#   scripts/deps.sh bench      also the peers that benchmarks compare with (nginx, hyperfine)
# wrk, nginx and openssl are in the base set: tests read wrk's output and run
# its example scripts, and the TLS tests run nginx with certificates they make.
# hyperfine too: the bench test checks its exports and parameters against it.
# git: bisect works on a repository, and its test makes one.
#   scripts/deps.sh fuzz       also what the fuzzers need (clang's libFuzzer runtime)
# Not root: prints the apt-get command instead of running it.
set -eu

pkgs="build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
libcmocka-dev libjansson-dev zlib1g-dev libssl-dev libgsl-dev libhttp-parser-dev
libyaml-dev libnghttp2-dev libsqlite3-dev libcsv-dev libpcre2-dev libzstd-dev libxxhash-dev libpq-dev postgresql zstd
libluajit-5.1-dev libelf-dev python3 python3-yaml chromium fonts-dejavu-core wrk nginx-light openssl nghttp2-client
hyperfine git iproute2"
for group in "$@"; do
    case "$group" in
    bench) pkgs="$pkgs util-linux strace percona-toolkit linux-perf npm" ;;
    fuzz) ;;  # clang + libclang-rt are in the base set: make check runs the fuzzers briefly
    *) echo "deps.sh: unknown group '$group' (expected bench or fuzz)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $pkgs; do
    # npm may come with a Node.js that is not Debian's (it conflicts with it).
    [ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when an install fails without it (fresh machine, empty lists).
apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends $missing >/dev/null
}
