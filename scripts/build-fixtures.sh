#!/usr/bin/env bash
# Compiles the C fixture programs of test/fixtures into $DX_FIXTURES (ignored by git). Each
# fixture's ground truth comes from how it is built here: link order alone decides whether
# mimalloc or the profile writer registers its atexit handler first
# (docs/ARCHITECTURE.md, "Ground truth of the fixtures").
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$DX_ROOT/scripts/build-fixtures-hostile.sh"  # issue 12's hostile programs, their own stamp

src="$DX_ROOT/test/fixtures"
mi="$DX_CACHE/mimalloc/lib/libmimalloc.a"
[ -f "$mi" ] || die "no mimalloc with symbols at $mi: run scripts/setup-system.sh"
old_cc=$(older_clang)
[ -n "$old_cc" ] || die "no clang 14-18 for the mixed-profile-versions fixture: run scripts/setup-system.sh"
rt=$("$DX_CLANG" -print-file-name="libclang_rt.profile-$(uname -m).a")
[ -f "$rt" ] || die "no profile runtime $rt: install libclang-rt-19-dev (scripts/setup-system.sh)"

bash "$DX_ROOT/scripts/build-fixtures-inspect.sh"  # inspect's fixtures: own folder, own stamp
bash "$DX_ROOT/scripts/build-fixtures-foreign.sh"  # Rust and version-symbol fixtures, own folder and stamp
# Rebuild only when a source, this script or the compilers changed.
stamp=$(cat "$src"/*.c "$src"/*.h "${BASH_SOURCE[0]}" "$mi" | sha256sum | cut -c1-16)-$("$DX_CLANG" --version | head -n1 | tr -c 'a-zA-Z0-9.\n' _)
stamp="$stamp-$(cat "$src"/perf/* "$DX_ROOT/scripts/build-fixtures-perf.sh" | sha256sum | cut -c1-8)"
[ -f "$DX_FIXTURES/.stamp" ] && [ "$(cat "$DX_FIXTURES/.stamp")" = "$stamp" ] && exit 0

say "building fixtures into $DX_FIXTURES"
out="$DX_FIXTURES.tmp"
rm -rf "$out" && mkdir -p "$out/obj"
pgo=(-g -O1 -fprofile-generate)
cc19() { "$DX_CLANG" "${pgo[@]}" "$@"; }

cc19 -c "$src/exit-order.c" -o "$out/obj/exit-order.o"
# clang appends the profile runtime after libmimalloc.a: mimalloc's constructor registers
# mi_process_done first, so (LIFO) the profile writer runs first at exit.
cc19 "$out/obj/exit-order.o" "$mi" -lpthread -o "$out/profile-first"
# The profile runtime named before libmimalloc.a: its atexit handler is registered first, so
# mi_process_done runs first at exit.
cc19 "$out/obj/exit-order.o" -Wl,-u,__llvm_profile_runtime "$rt" "$mi" -lpthread -o "$out/allocator-first"

# One object instrumented by an older clang, another raw profile layout, no mimalloc at all.
"$old_cc" "${pgo[@]}" -c "$src/mixed-lib-old.c" -o "$out/obj/mixed-lib-old.o"
cc19 -c "$src/mixed-main.c" -o "$out/obj/mixed-main.o"
cc19 "$out/obj/mixed-main.o" "$out/obj/mixed-lib-old.o" -o "$out/mixed-profile-versions"
echo "$old_cc" > "$out/mixed-profile-versions.older-clang"
# The trap: the same mixed-version objects, linked with mimalloc in the allocator-first order, so
# mi_process_done does run before the exit-time write, yet the corrupt profile data is the cause.
cc19 "$out/obj/mixed-main.o" "$out/obj/mixed-lib-old.o" -Wl,-u,__llvm_profile_runtime "$rt" "$mi" -lpthread -o "$out/mixed-allocator-first"

for name in early-write underscore-exit many-handlers forger threads-exit fork-exit noisy; do
  cc19 "$src/$name.c" "$mi" -lpthread -o "$out/$name"
done
# Never exits on its own: built like the others, so only the timeout keeps its verdict open.
cc19 "$src/loop-forever.c" "$mi" -lpthread -o "$out/loop-forever"
# Probes that cannot resolve: no PGO instrumentation, and everything stripped.
"$DX_CLANG" -g -O1 "$src/exit-order.c" "$mi" -lpthread -o "$out/no-pgo"
strip -o "$out/stripped" "$out/allocator-first"
# Argument and environment echo for injection tests: no PGO needed.
"$DX_CLANG" -g -O0 "$src/print-args.c" -o "$out/print-args"

source "$DX_ROOT/scripts/build-fixtures-perf.sh"
rm -rf "$out/obj"
echo "$stamp" > "$out/.stamp"
rm -rf "$DX_FIXTURES" && mv "$out" "$DX_FIXTURES"
say "fixtures ready: $(ls "$DX_FIXTURES" | grep -v '\.' | tr '\n' ' ')"
