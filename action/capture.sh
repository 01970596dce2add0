#!/usr/bin/env bash
# The action's capture step (action.yml): `debug-exit capture --summary` of the program, with the
# JSON and HTML reports and the recording in one folder for upload-artifact. The inputs arrive as
# environment variables (never spliced into this script's text): DX_PROGRAM, DX_ARGS and DX_ENV
# (one argument / KEY=VALUE a line), DX_EXPECT, DX_EXPERIMENT, DX_REPEAT, DX_LLDB, DX_PROFILE_DIR,
# DX_OUT (the folder). Writes the step outputs to $GITHUB_OUTPUT and always exits 0: the job is
# gated by a later step, after the upload, with the exit code it prints as `exit-code`.
# Works with macOS's bash 3.2 (no mapfile, no empty arrays under set -u).
set -o pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${DX_OUT:?DX_OUT: the output folder}
mkdir -p "$out"

argv=(capture --summary --out "json=$out/report.json" --record "$out/session.cast")
repeat=${DX_REPEAT:-1}
[ -n "$repeat" ] || repeat=1
if [ "$repeat" = 1 ]; then argv+=(--out "html=$out/report.html"); else argv+=(--repeat "$repeat"); fi
[ -z "${DX_LLDB:-}" ] || argv+=(--lldb "$DX_LLDB")
[ -z "${DX_EXPECT:-}" ] || argv+=(--expect "$DX_EXPECT")
[ -z "${DX_EXPERIMENT:-}" ] || argv+=(--experiment "$DX_EXPERIMENT")
if [ -n "${DX_PROFILE_DIR:-}" ]; then
  # A fresh folder: a stale profile there would make the writer skip, and the crash vanish.
  rm -rf "$DX_PROFILE_DIR" && mkdir -p "$DX_PROFILE_DIR"
  argv+=(--env "LLVM_PROFILE_FILE=$DX_PROFILE_DIR/%p.profraw")
fi
while IFS= read -r line; do
  [ -z "$line" ] || argv+=(--env "$line")
done <<< "${DX_ENV:-}"
program_args=()
while IFS= read -r line; do
  [ -z "$line" ] || program_args+=("$line")
done <<< "${DX_ARGS:-}"

status=0
"${DX_BIN:-debug-exit}" "${argv[@]}" -- "${DX_PROGRAM:?DX_PROGRAM: the program to capture}" ${program_args[@]+"${program_args[@]}"} > "$out/report.txt" || status=$?
cat "$out/report.txt"

{
  node "$here/outputs.js" "$out/report.json"
  echo "report-json=$out/report.json"
  echo "exit-code=$status"
} >> "${GITHUB_OUTPUT:-/dev/stdout}"
exit 0
