#!/usr/bin/env bash
# The fixtures of `debug-exit inspect` (static, nothing is run), built into $DX_INSPECT_FIXTURES
# (ignored by git), apart from the main fixtures so that each has its own stamp:
#   Mach-O arm64 programs cross-compiled here (they cannot run on Linux): macho-clean (all clang-19),
#     macho-mixed (macho-lib.c built by the older clang), macho-universal (macho-mixed's arm64 slice
#     and a clean x86_64 slice, by llvm-lipo). Linked by ld64.lld against a libSystem text stub.
#   ELF objects and archives: mixed-lib-old.o (older clang), mixed-main.o (clang-19),
#     libmixed-gnu.a (GNU ar, long names) and libmixed-bsd.a (BSD ar, #1/ names), libclean.a.
#   Rust: rust-mixed (rustc -Cprofile-generate linked with the older clang's object), rust-clean
#     (with clang-19's) and librustlib.rlib (an instrumented rlib).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DX_INSPECT_FIXTURES="${DEBUG_EXIT_INSPECT_FIXTURES:-$DX_FIXTURES-inspect}"
src="$DX_ROOT/test/fixtures"
old_cc=$(older_clang)
[ -n "$old_cc" ] || die "no clang 14-18 for the inspect fixtures: run scripts/setup-system.sh"
for tool in ld64.lld-19 llvm-lipo-19 llvm-ar-19; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (Debian packages lld-19, llvm-19): run scripts/setup-system.sh"
done
rustc_bin=$(command -v rustc || true)
[ -n "$rustc_bin" ] || [ ! -x "$HOME/.cargo/bin/rustc" ] || rustc_bin="$HOME/.cargo/bin/rustc"
[ -n "$rustc_bin" ] || die "rustc not found (the inspect fixtures build a -Cprofile-generate Rust program): install rustc with its profiler runtime"

stamp=$(cat "$src"/inspect/* "$src/mixed-lib-old.c" "$src/mixed-main.c" "$src/work.h" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)-$("$DX_CLANG" --version | head -n1 | tr -c 'a-zA-Z0-9.\n' _)-$("$rustc_bin" --version | tr -c 'a-zA-Z0-9.\n' _)
[ -f "$DX_INSPECT_FIXTURES/.stamp" ] && [ "$(cat "$DX_INSPECT_FIXTURES/.stamp")" = "$stamp" ] && exit 0

say "building inspect fixtures into $DX_INSPECT_FIXTURES"
# Built in place (the stamp, written last, marks it complete): the Mach-O debug maps (N_OSO) name
# the objects in obj/ by the paths they keep.
out="$DX_INSPECT_FIXTURES"
rm -rf "$out" && mkdir -p "$out/obj"
pgo=(-g -O1 -fprofile-generate)

# --- Mach-O arm64 (and one x86_64 slice), freestanding C, against a libSystem text stub.
cat > "$out/obj/libSystem.tbd" <<'TBD'
--- !tapi-tbd
tbd-version:     4
targets:         [ arm64-macos, x86_64-macos ]
install-name:    '/usr/lib/libSystem.B.dylib'
current-version: 1336
exports:
  - targets:         [ arm64-macos, x86_64-macos ]
    symbols:         [ dyld_stub_binder ]
...
TBD
macho_cc() { local cc=$1 target=$2; shift 2; "$cc" -target "$target" -ffreestanding "${pgo[@]}" -c "$@"; }
macho_ld() { local arch=$1 output=$2; shift 2; ld64.lld-19 -arch "$arch" -platform_version macos 14.0 14.0 -L"$out/obj" -lSystem -undefined dynamic_lookup -o "$output" "$@"; }
macho_cc "$DX_CLANG" arm64-apple-macos14 "$src/inspect/macho-main.c" -o "$out/obj/macho-main-arm64.o"
macho_cc "$DX_CLANG" arm64-apple-macos14 "$src/inspect/macho-lib.c" -o "$out/obj/macho-lib-arm64.o"
macho_cc "$old_cc" arm64-apple-macos14 "$src/inspect/macho-lib.c" -o "$out/obj/macho-lib-old-arm64.o"
macho_cc "$DX_CLANG" x86_64-apple-macos14 "$src/inspect/macho-main.c" -o "$out/obj/macho-main-x86_64.o"
macho_cc "$DX_CLANG" x86_64-apple-macos14 "$src/inspect/macho-lib.c" -o "$out/obj/macho-lib-x86_64.o"
link_macho() {
  local arch=$1 name=$2; shift 2
  local objs=()
  for o in "$@"; do objs+=("$out/obj/$o"); done
  macho_ld "$arch" "$out/$name" "${objs[@]}"
}
link_macho arm64 macho-clean macho-main-arm64.o macho-lib-arm64.o
link_macho arm64 macho-mixed macho-main-arm64.o macho-lib-old-arm64.o
# x86_64 loads __llvm_profile_runtime PC-relative, which a dynamic_lookup symbol cannot be: define
# the hook variable (what the Darwin profile runtime, absent on Debian, would define) in a plain object.
echo 'int __llvm_profile_runtime = 0;' > "$out/obj/runtime-hook.c"
"$DX_CLANG" -target x86_64-apple-macos14 -ffreestanding -c "$out/obj/runtime-hook.c" -o "$out/obj/runtime-hook-x86_64.o"
link_macho x86_64 macho-clean-x86_64 macho-main-x86_64.o macho-lib-x86_64.o runtime-hook-x86_64.o
llvm-lipo-19 -create "$out/macho-mixed" "$out/macho-clean-x86_64" -output "$out/macho-universal"
cp "$out/obj/macho-lib-old-arm64.o" "$out/macho-lib-old-arm64.o"

# --- ELF objects and archives (GNU and BSD long member names).
"$old_cc" "${pgo[@]}" -c "$src/mixed-lib-old.c" -o "$out/mixed-lib-old.o"
"$DX_CLANG" "${pgo[@]}" -c "$src/mixed-main.c" -o "$out/mixed-main.o"
"$DX_CLANG" "${pgo[@]}" -c "$src/mixed-lib-old.c" -o "$out/obj/mixed-lib-new.o"
cp "$out/mixed-main.o" "$out/obj/a-main-object-with-a-long-name.o"
cp "$out/mixed-lib-old.o" "$out/obj/an-old-clang-object-with-a-long-name.o"
(cd "$out/obj" && llvm-ar-19 rc --format=gnu "$out/libmixed-gnu.a" a-main-object-with-a-long-name.o an-old-clang-object-with-a-long-name.o)
(cd "$out/obj" && llvm-ar-19 rc --format=bsd "$out/libmixed-bsd.a" a-main-object-with-a-long-name.o an-old-clang-object-with-a-long-name.o)
(cd "$out/obj" && llvm-ar-19 rc --format=gnu "$out/libclean.a" a-main-object-with-a-long-name.o mixed-lib-new.o)

# --- Rust: a -Cprofile-generate program with a C object linked in, and an instrumented rlib.
rust_pgo=(-g -O -Cprofile-generate=/tmp/debug-exit-inspect-fixture-profiles)
"$rustc_bin" "${rust_pgo[@]}" -C link-arg="$out/mixed-lib-old.o" "$src/inspect/rust-main.rs" -o "$out/rust-mixed"
"$rustc_bin" "${rust_pgo[@]}" -C link-arg="$out/obj/mixed-lib-new.o" "$src/inspect/rust-main.rs" -o "$out/rust-clean"
"$rustc_bin" "${rust_pgo[@]}" --crate-type rlib --crate-name rustlib "$src/inspect/rust-lib.rs" -o "$out/librustlib.rlib"

echo "$old_cc" > "$out/older-clang"
echo "$stamp" > "$out/.stamp"
say "inspect fixtures ready: $(ls "$DX_INSPECT_FIXTURES" | grep -v '^obj$' | tr '\n' ' ')"
