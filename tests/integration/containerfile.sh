#!/bin/sh
# SPDX-License-Identifier: MIT
# The Containerfile's runtime stage installs a Debian package for every
# shared library the built hotpath needs (readelf's NEEDED entries, mapped
# to packages by dpkg -S), so the image runs what was built; its build
# stage installs every -dev package scripts/deps.sh gives the build.
# (Building the image needs a registry and a container engine: offline,
# this checks what the build would rely on.)
#   containerfile.sh HOTPATH SRCDIR
set -u
hotpath=$1
src=$2
fail() { echo "containerfile: $*" >&2; exit 1; }
cf="$src/Containerfile"
[ -f "$cf" ] || fail "no Containerfile"
runtime=$(awk '/^FROM/ {stage++} stage == 2' "$cf")
build=$(awk '/^FROM/ {stage++} stage == 1' "$cf")
base="libc6 libstdc++6 libgcc-s1 libc6-i386"
for exe in "$hotpath" "$(dirname "$hotpath")/hotpath-spawn"; do
    for lib in $(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        # a sanitized test build's runtimes: the image's is a release build
        case "$lib" in libasan.so* | libubsan.so* | liblsan.so* | libtsan.so*) continue ;; esac
        path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|x32|aarch64/ {print $NF; exit}')
        [ -n "$path" ] || path=$lib
        pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
        [ -n "$pkg" ] || pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -n 1 | cut -d: -f1)
        [ -n "$pkg" ] || fail "$lib: no package owns it"
        case " $base " in *" $pkg "*) continue ;; esac
        echo "$runtime" | grep -qw -- "$pkg" || fail "$exe needs $lib ($pkg), which the image lacks"
    done
done
for dev in $(sed -n '/^pkgs="/,/"$/p' "$src/scripts/deps.sh" | tr -d '"' | sed 's/pkgs=//' |
    tr ' ' '\n' | grep -- '-dev$' | grep -v '^libclang-rt'); do
    echo "$build" | grep -qw -- "$dev" || fail "the build stage lacks $dev (scripts/deps.sh has it)"
done
grep -q '^COPY --from=build /out/usr/local /usr/local$' "$cf" || fail "the binary is not copied"
echo "containerfile: ok"
