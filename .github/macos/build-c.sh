#!/usr/bin/env bash
# macOS: the C fixture (test/fixtures/exit-order.c) built with Apple clang -fprofile-generate and
# Homebrew's mimalloc, in both link orders, into OUT/profile-first and OUT/allocator-first:
#   profile-first    x.o libmimalloc.a  (clang adds the profile runtime last: mimalloc registers first)
#   allocator-first  x.o -u ___llvm_profile_runtime libclang_rt.profile_osx.a libmimalloc.a
# Homebrew's static libmimalloc.a is used when it has one, else its dylib (then both orders are
# the dylib's: its initializer runs before the executable's).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:?output folder}
mkdir -p "$out"
prefix=$(brew --prefix mimalloc)
mi="$prefix/lib/libmimalloc.a"
[ -f "$mi" ] || mi="$prefix/lib/libmimalloc.dylib"
rt=$(clang -print-file-name=libclang_rt.profile_osx.a)
[ -f "$rt" ] || { echo "no profile runtime at $rt" >&2; exit 1; }
pgo=(-g -O1 -fprofile-generate)
clang "${pgo[@]}" -c "$root/test/fixtures/exit-order.c" -o "$out/exit-order.o"
clang "${pgo[@]}" "$out/exit-order.o" "$mi" -o "$out/profile-first"
clang "${pgo[@]}" "$out/exit-order.o" -Wl,-u,___llvm_profile_runtime "$rt" "$mi" -o "$out/allocator-first"
echo "built with $(clang --version | head -n 1) and $mi: $out/profile-first $out/allocator-first"
