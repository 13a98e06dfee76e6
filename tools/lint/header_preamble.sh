#!/usr/bin/env bash
# Fails if a header under lib/ opens with more than 30 lines of comment
# before its first declaration. A header says what its type is for and shows
# a short example; kernel tables, rejected alternatives, measurements and
# design rationale belong in the package's README.md.
#
# Usage: tools/lint/header_preamble.sh [--max=N] [--report] [header...]
#   --max=N   the limit in comment lines (default 30)
#   --report  print every header's preamble length, longest first
# Without headers, checks every *.h under lib/. Exits 1 if one is over.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

max=30
report=0
headers=()
for arg in "$@"; do
  case $arg in
    --max=*) max=${arg#--max=} ;;
    --report) report=1 ;;
    -h | --help)
      sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
      exit 0 ;;
    -*) echo "header_preamble.sh: unknown flag $arg (see --help)" >&2; exit 2 ;;
    *) headers+=("$arg") ;;
  esac
done
[[ $max =~ ^[0-9]+$ ]] || { echo "header_preamble.sh: --max needs a number" >&2; exit 2; }
if [[ ${#headers[@]} -eq 0 ]]; then
  mapfile -t headers < <(find lib -name '*.h' | sort)
fi

# The preamble is every comment line (// or /* */) before the first line
# that declares something: blank lines, preprocessor lines (guard, includes)
# and opening `namespace ... {` / `extern "C" {` lines do not end it.
lengths=$(awk '
  FNR == 1 { if (NR > 1) print n, prev; n = 0; done = 0; block = 0; prev = FILENAME }
  done { next }
  block { n++; if ($0 ~ /\*\//) block = 0; next }
  /^[ \t]*\/\*/ { n++; if ($0 !~ /\*\//) block = 1; next }
  /^[ \t]*\/\// { n++; next }
  /^[ \t]*$/ || /^[ \t]*#/ || /^[ \t]*(inline[ \t]+)?namespace[ \t]*[A-Za-z_:]*[ \t]*\{[ \t]*$/ ||
    /^[ \t]*extern "C"[ \t]*\{[ \t]*$/ { next }
  { done = 1 }
  END { if (NR > 0) print n, prev }
' "${headers[@]}")

if [[ $report -eq 1 ]]; then
  sort -rn <<<"$lengths"
fi
over=$(awk -v max="$max" '$1 > max' <<<"$lengths" | sort -rn)
if [[ -n $over ]]; then
  echo "header preamble over $max comment lines (move design notes to lib/<package>/README.md):"
  echo "$over"
  exit 1
fi
echo "header preambles: all ${#headers[@]} headers within $max comment lines"
