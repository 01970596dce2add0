#!/usr/bin/env bash
# Run by `npm test`, `npm run demo` and `npm run bench`: sets up the system only when something is
# missing, then (re)builds the fixtures when their sources changed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ready=1
for tool in lldb-19 clang-19 ld64.lld-19 llvm-lipo-19 chromium; do command -v "$tool" >/dev/null 2>&1 || ready=0; done
[ -n "$(older_clang)" ] || ready=0
[ -f "$DX_CACHE/mimalloc/lib/libmimalloc.a" ] || ready=0
[ -f "$(clang-19 -print-file-name=libclang_rt.profile-$(uname -m).a 2>/dev/null || echo /nonexistent)" ] || ready=0
dpkg-query -W -f='${Status}' libc6-dbg 2>/dev/null | grep -q 'install ok installed' || ready=0 # --census reads __exit_funcs
[ "$ready" = 1 ] || bash "$DX_ROOT/scripts/setup-system.sh"
bash "$DX_ROOT/scripts/build-fixtures.sh"
