#!/usr/bin/env bash
# Installs what debug-exit needs on Debian 12/13 and builds mimalloc with symbols. Idempotent:
# a second run with everything present does nothing. Needs root (apt-get) the first time.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_packages() {
  local missing=() p
  # chromium: the headless browser the HTML report's tests open it in; libc6-dbg: glibc's
  # __exit_funcs and its types, for --census (the list read at exit()); python3-pytest: the
  # lldb-scripts unit tests.
  for p in lldb-19 clang-19 libclang-rt-19-dev libmimalloc-dev dpkg-dev lld-19 llvm-19 chromium libc6-dbg python3-pytest; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ -n "$(older_clang)" ] || missing+=("OLDER_CLANG")
  printf '%s\n' "${missing[@]}"
}

# The first older clang the release has (Debian 12: clang-14), with its profile runtime.
pick_older_clang_packages() {
  local v
  for v in 14 15 16 17 18; do
    if apt-cache show "clang-$v" >/dev/null 2>&1 && apt-cache show "libclang-rt-$v-dev" >/dev/null 2>&1; then
      echo "clang-$v libclang-rt-$v-dev"; return 0
    fi
  done
  die "no clang 14-18 in this release's packages: the mixed-profile-versions fixture needs one"
}

install_packages() {
  local missing
  missing=$(need_packages)
  [ -z "$missing" ] && return 0
  [ "$(id -u)" = 0 ] || die "missing packages ($(echo $missing)); run this script as root (it uses apt-get)"
  say "installing: $(echo $missing)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  local pkgs
  pkgs=$(echo "$missing" | grep -v OLDER_CLANG || true)
  if echo "$missing" | grep -q OLDER_CLANG; then pkgs="$pkgs $(pick_older_clang_packages)"; fi
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $pkgs >&2
}

install_packages
bash "$DX_ROOT/scripts/build-mimalloc.sh"
say "system ready (lldb-19, clang-19, $(older_clang), mimalloc with symbols in $DX_CACHE/mimalloc)"
