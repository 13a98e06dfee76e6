#!/usr/bin/env bash
# C++ formatting with the repository's .clang-format (Debian's clang-format,
# which ./bazelw installs), over the C and C++ files git tracks in lib/,
# tests/, examples/, tools/, dist/, toolchains/ and platforms/ (third_party/
# holds no C++ of ours).
#
#   tools/lint/format.sh --check   lists the files that differ; exit 1 if any
#   tools/lint/format.sh --fix     rewrites them in place
#
# Exit 2 on a usage error or without clang-format.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

usage() { sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
case ${1:-} in
  --check | --fix) mode=$1 ;;
  --help | -h) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
[[ $# -eq 1 ]] || { usage >&2; exit 2; }
command -v clang-format >/dev/null ||
  { echo "format.sh: clang-format is missing (apt-get install clang-format)" >&2; exit 2; }

mapfile -t files < <(git ls-files -- lib tests examples tools dist toolchains platforms |
  grep -E '\.(c|cc|cpp|h|hpp)$')

if [[ $mode == --fix ]]; then
  printf '%s\0' "${files[@]}" | xargs -0 clang-format -i
  exit 0
fi

# One clang-format process for the whole tree: --dry-run reports each place
# that would change as "FILE:LINE:COL: error: ..."; the files are what CI
# needs to say.
mapfile -t differ < <(printf '%s\0' "${files[@]}" |
  xargs -0 clang-format --dry-run -Werror 2>&1 |
  sed -nE 's/^([^:]+):[0-9]+:[0-9]+: error: .*/\1/p' | sort -u)
if [[ ${#differ[@]} -gt 0 ]]; then
  printf '%s\n' "${differ[@]}"
  echo "format.sh: ${#differ[@]} of ${#files[@]} files are not formatted as .clang-format says; run tools/lint/format.sh --fix" >&2
  exit 1
fi
