#!/usr/bin/env bash
# Builds mimalloc WITH symbols as a static library from Debian's own source package (Debian's
# libmimalloc-dev ships only a stripped shared library). The source comes through a deb-src list
# that this script writes into its own cache folder, so the system's apt configuration is untouched.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out="$DX_CACHE/mimalloc"
[ -f "$out/lib/libmimalloc.a" ] && [ -f "$out/VERSION" ] && exit 0

apt_dir="$DX_CACHE/apt"
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$DX_CACHE/src"
cat > "$apt_dir/sources.list.d/debian-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $(debian_codename)
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o "Dir::Etc::SourceParts=$apt_dir/sources.list.d" -o "Dir::Etc::SourceList=/dev/null"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Debug::NoLocking=1")

say "fetching Debian's mimalloc source package"
apt-get "${apt_opts[@]}" update -q >&2
( cd "$DX_CACHE/src" && rm -rf mimalloc* && apt-get "${apt_opts[@]}" source --download-only mimalloc >&2 )
dsc=$(ls "$DX_CACHE"/src/mimalloc_*.dsc | head -n 1)
[ -f "$dsc" ] || die "apt-get source mimalloc gave no .dsc in $DX_CACHE/src"
# Unpack with Debian's patches applied: the same source Debian builds its package from.
srcdir="$DX_CACHE/src/mimalloc-source"
dpkg-source --no-check -x "$dsc" "$srcdir" >&2

say "building libmimalloc.a with symbols from $srcdir"
tmp="$out.tmp"
rm -rf "$tmp" && mkdir -p "$tmp/lib" "$tmp/include"
# static.c includes the whole allocator; -g keeps mi_process_done & co. visible to the debugger.
"$DX_CLANG" -O2 -g -fPIC -DNDEBUG -DMI_MALLOC_OVERRIDE -w -I"$srcdir/include" \
  -c "$srcdir/src/static.c" -o "$tmp/mimalloc.o"
ar rcs "$tmp/lib/libmimalloc.a" "$tmp/mimalloc.o"
cp "$srcdir"/include/*.h "$tmp/include/"
basename "$dsc" .dsc > "$tmp/VERSION"
rm -f "$tmp/mimalloc.o"
rm -rf "$out" && mv "$tmp" "$out"
say "mimalloc $(cat "$out/VERSION") built: $out/lib/libmimalloc.a"
