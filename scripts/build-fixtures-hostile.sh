#!/usr/bin/env bash
# The hostile programs of test/fixtures/hostile (issue 12) into $DX_FIXTURES-hostile: targets that
# fight back (forge frames on /dev/tty, hunt for the nonce, leave processes, name threads with
# terminal escapes). Plain clang-19, no PGO: they attack the tool, not the exit order.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

src="$DX_ROOT/test/fixtures/hostile"
out_dir="$DX_FIXTURES-hostile"
stamp=$(cat "$src"/*.c "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)-$("$DX_CLANG" --version | head -n1 | tr -c 'a-zA-Z0-9.\n' _)
[ -f "$out_dir/.stamp" ] && [ "$(cat "$out_dir/.stamp")" = "$stamp" ] && exit 0

say "building hostile fixtures into $out_dir"
tmp="$out_dir.tmp"
rm -rf "$tmp" && mkdir -p "$tmp"
for file in "$src"/*.c; do
  name=$(basename "$file" .c)
  "$DX_CLANG" -g -O1 "$file" -lpthread -o "$tmp/$name"
done
echo "$stamp" > "$tmp/.stamp"
rm -rf "$out_dir" && mv "$tmp" "$out_dir"
