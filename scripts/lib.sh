# Shared by the project scripts: where things are cached, and small helpers.
# Source it; it defines no behaviour of its own.
set -euo pipefail

DX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Outside git: downloaded sources and built mimalloc survive a fresh clone on the same machine.
DX_CACHE="${DEBUG_EXIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/debug-exit}"
# Compiled fixtures live in the work tree (ignored by git) so that each clone builds its own.
DX_FIXTURES="${DEBUG_EXIT_FIXTURES:-$DX_ROOT/.cache/fixtures}"
DX_CLANG="${DEBUG_EXIT_CLANG:-clang-19}"

say() { printf 'debug-exit setup: %s\n' "$*" >&2; }
die() { printf 'debug-exit setup: error: %s\n' "$*" >&2; exit 1; }

# The older clang of the mixed-version fixture: any whose raw profile version differs from clang-19's
# (LLVM 14-17 write v8, 18 v9). Prints its name, or nothing.
older_clang() {
  local v
  for v in 14 15 16 17 18; do
    if command -v "clang-$v" >/dev/null 2>&1; then echo "clang-$v"; return 0; fi
  done
  return 0
}

debian_codename() {
  . /etc/os-release 2>/dev/null || true
  echo "${VERSION_CODENAME:-bookworm}"
}
