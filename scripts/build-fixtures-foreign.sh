#!/usr/bin/env bash
# Foreign instrumentation fixtures (test/fixtures/foreign) into $DX_FIXTURES-foreign (ignored by
# git): C code instrumented by another LLVM than the program's profile runtime, in every form the
# failure takes. Called from scripts/build-fixtures.sh; rebuilds only when a source, this script or
# a compiler changed.
#
#   rust-c14        rustc -Cprofile-generate, its #[global_allocator] in C built by clang-14
#                   -fprofile-generate: SIGSEGV mid-run in __llvm_profile_instrument_target
#   rust-c14-novp   the same C with -mllvm -disable-vp=true: SIGSEGV at exit in
#                   initializeValueProfRuntimeRecord
#   rust-c19        the C built by clang-19 -fprofile-generate: consistent (raw version 10 both)
#   rust-fixed      the C built with -fno-profile-generate: the fix; no crash
#   version-old-first  clang-19 program, the clang-14 object linked first: exit 0, "LLVM Profile
#                   Error: Runtime and instrumentation version mismatch", 0-byte profile
#   version-old-last   the clang-14 object linked last: exit 0, a profile llvm-profdata rejects
#   many-records    10,000 instrumented functions (clang-19), for the integrity check's bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

src="$DX_ROOT/test/fixtures/foreign"
dest="${DX_FIXTURES}-foreign"
old_cc=clang-14
command -v "$old_cc" >/dev/null 2>&1 || die "no clang-14 for the foreign fixtures: run scripts/setup-system.sh"
rustc_bin=$(command -v rustc || true)
[ -n "$rustc_bin" ] || { [ -x "$HOME/.cargo/bin/rustc" ] && rustc_bin="$HOME/.cargo/bin/rustc"; }
[ -n "$rustc_bin" ] || die "no rustc on PATH or in ~/.cargo/bin: the Rust fixtures need rustc with its profiler runtime (rustup's stable toolchain has it)"
# The fixture must come from a rustc whose profile runtime is there (rustup's profiler_builtins).
"$rustc_bin" --print target-libdir >/dev/null 2>&1 || die "$rustc_bin does not run"
ls "$("$rustc_bin" --print target-libdir)"/libprofiler_builtins-*.rlib >/dev/null 2>&1 \
  || die "$rustc_bin has no profiler runtime (libprofiler_builtins): -Cprofile-generate cannot link"

stamp=$(cat "$src"/* "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)-$("$rustc_bin" --version | tr -c 'a-zA-Z0-9.\n' _)-$("$DX_CLANG" --version | head -n1 | tr -c 'a-zA-Z0-9.\n' _)
[ -f "$dest/.stamp" ] && [ "$(cat "$dest/.stamp")" = "$stamp" ] && exit 0

say "building foreign-instrumentation fixtures into $dest"
out="$dest.tmp"
rm -rf "$out" && mkdir -p "$out/obj"
pgo=(-g -O1 -fprofile-generate)

# The Rust program with its C allocator built four ways (the C is linked directly, as a -sys
# crate's build script would link it).
"$old_cc" "${pgo[@]}" -c "$src/c-alloc.c" -o "$out/obj/c14.o"
"$old_cc" "${pgo[@]}" -mllvm -disable-vp=true -c "$src/c-alloc.c" -o "$out/obj/c14-novp.o"
"$DX_CLANG" "${pgo[@]}" -c "$src/c-alloc.c" -o "$out/obj/c19.o"
"$DX_CLANG" -g -O1 -fno-profile-generate -c "$src/c-alloc.c" -o "$out/obj/fixed.o"
for variant in c14 c14-novp c19 fixed; do
  # -Cprofile-generate's default folder is never used: every capture sets LLVM_PROFILE_FILE.
  "$rustc_bin" -g -O -Cprofile-generate=/tmp -C link-arg="$out/obj/$variant.o" \
    "$src/rust-main.rs" -o "$out/rust-$variant"
done

# The version-symbol pair.
"$old_cc" "${pgo[@]}" -c "$src/version-old.c" -o "$out/obj/version-old.o"
"$DX_CLANG" "${pgo[@]}" -c "$src/version-main.c" -o "$out/obj/version-main.o"
"$DX_CLANG" -fprofile-generate "$out/obj/version-old.o" "$out/obj/version-main.o" -o "$out/version-old-first"
"$DX_CLANG" -fprofile-generate "$out/obj/version-main.o" "$out/obj/version-old.o" -o "$out/version-old-last"

# Many records: 10,000 generated functions, all called once (the integrity check's bench).
python3 "$src/gen-many-records.py" 10000 > "$out/obj/many-records.c"
"$DX_CLANG" -O0 -fprofile-generate "$out/obj/many-records.c" -o "$out/many-records"

rm -rf "$out/obj"
echo "$stamp" > "$out/.stamp"
rm -rf "$dest" && mv "$out" "$dest"
say "foreign fixtures ready: $(ls "$dest" | tr '\n' ' ')"
