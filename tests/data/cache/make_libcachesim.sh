#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerate libcachesim_misses.tsv: build libCacheSim from a checkout
# (needs cmake, libglib2.0-dev, libzstd-dev), the trace with hotpath, and
# count each size's misses with libCacheSim's own S3FIFO and Belady.
#   make_libcachesim.sh LIBCACHESIM_CHECKOUT HOTPATH
set -eu
lcs=$1
hotpath=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$lcs" && mkdir -p _build && cd _build && cmake -DCMAKE_BUILD_TYPE=Release .. >/dev/null &&
    make -j2 cachesim >/dev/null)
# shellcheck disable=SC2046
gcc -O2 -o "$work/lcs_miss" "$here/lcs_miss.c" -I"$lcs/libCacheSim/include" \
    -I"$lcs/libCacheSim/include/libCacheSim" $(pkg-config --cflags glib-2.0) \
    -Wl,--start-group $(find "$lcs/_build" -name '*.a') -Wl,--end-group \
    $(pkg-config --libs glib-2.0) -lzstd -lm -lpthread -lstdc++ -ldl
"$hotpath" cache gen --zipf 0.9 --one-hit 15% --scan 5% --objects 20000 -n 200000 --seed 7 \
    -o "$work/g.oracleGeneral" >/dev/null
python3 "$here/fill_next.py" "$work/g.oracleGeneral" "$work/gn.oracleGeneral"
sed -n '/^#/p' "$here/libcachesim_misses.tsv" >"$work/out.tsv"
for a in s3fifo belady; do
    "$work/lcs_miss" "$work/gn.oracleGeneral" $a 1 20 100 1000 5000 2>/dev/null
    "$work/lcs_miss" "$work/gn.oracleGeneral" $a 0 100000 1000000 10000000 2>/dev/null
done | awk '{print $1"\t"$2"\t"$3"\t"$5}' >>"$work/out.tsv"
mv "$work/out.tsv" "$here/libcachesim_misses.tsv"
