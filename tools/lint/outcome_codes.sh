#!/usr/bin/env bash
# Fails if code under lib/ makes a status with one of the three codes that
# ipcbox keeps for its expected outcomes (kUnavailable: would block,
# kDeadlineExceeded: timed out, kOutOfRange: end of stream) anywhere but in
# the functions that make those outcomes (lib/core/errors.h, errors.cc,
# end_of_stream.h). `IsWouldBlock()` & co. test the code alone, so a real
# error with such a code would pass for an outcome. See lib/core/README.md.
#
# Usage: tools/lint/outcome_codes.sh [dir]
#   dir  the tree to check (default: lib/ of this repository)
# Exits 1 and lists the lines if there is one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

dir=lib
for arg in "$@"; do
  case $arg in
    -h | --help) sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) echo "outcome_codes.sh: unknown flag $arg (see --help)" >&2; exit 2 ;;
    *) dir=$arg ;;
  esac
done
[[ -d $dir ]] || { echo "outcome_codes.sh: no directory $dir" >&2; exit 2; }

# absl's makers of those codes, its errno mapping (which yields them for
# EAGAIN, ETIMEDOUT, EOVERFLOW, ...), and the enumerators themselves.
pattern='(^|[^A-Za-z0-9_])(UnavailableError|DeadlineExceededError|OutOfRangeError|ErrnoToStatus|ErrnoToStatusCode|kUnavailable|kDeadlineExceeded|kOutOfRange)([^A-Za-z0-9_]|$)'

found=$(find "$dir" \( -name '*.h' -o -name '*.cc' \) \
    ! -path '*/core/errors.h' ! -path '*/core/errors.cc' \
    ! -path '*/core/end_of_stream.h' -print0 |
  xargs -0 -r awk -v pat="$pattern" '
    { line = $0; sub(/\/\/.*/, "", line) }   # comments may name the codes
    line ~ pat { printf "%s:%d: %s\n", FILENAME, FNR, $0 }' | sort)
if [[ -n $found ]]; then
  echo "a reserved outcome code is made outside lib/core's outcome functions"
  echo "(use WouldBlockError/TimedOutError/EndOfStreamError, or another code):"
  echo "$found"
  exit 1
fi
echo "outcome codes: only lib/core's outcome functions make them"
