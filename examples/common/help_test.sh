#!/usr/bin/env bash
# Every program's --help: exits 0, prints its usage line (the program's
# name first) and lists its own flags (given per program below), and no
# "SetProgramUsageMessage() never called". An unknown flag exits 2.
#
# Arguments: the qemu runner, then pairs <binary> <flag,flag,...>
# (runfiles paths).
set -uo pipefail

runner="$PWD/$1"
shift
failures=0
checked=0
while (($# >= 2)); do
  binary="$PWD/$1"
  flags="$2"
  shift 2
  name=$(basename "$binary")
  out=$("$runner" "$binary" --help 2>&1)
  code=$?
  problems=()
  [[ $code -eq 0 ]] || problems+=("--help exited $code")
  grep -q "SetProgramUsageMessage" <<<"$out" &&
    problems+=("says SetProgramUsageMessage() was never called")
  grep -q "^$name" <<<"$out" || problems+=("no usage line starting with '$name'")
  IFS=, read -r -a wanted <<<"$flags"
  for flag in "${wanted[@]}"; do
    grep -q -- "--$flag  " <<<"$out" || problems+=("does not list --$flag")
  done
  "$runner" "$binary" --no_such_flag_anywhere >/dev/null 2>&1
  code=$?
  [[ $code -eq 2 ]] || problems+=("an unknown flag exited $code, not 2")
  if ((${#problems[@]} > 0)); then
    echo "FAIL: $name: ${problems[*]}"
    echo "--- its --help:"
    printf '%s\n' "$out" | head -n 30
    failures=$((failures + 1))
  else
    echo "ok: $name --help (${#wanted[@]} flags checked)"
  fi
  checked=$((checked + 1))
done
echo "$checked programs checked, $failures failed"
((checked > 0 && failures == 0))
