#!/usr/bin/env bash
# Checks how lib/ is layered, from Bazel's dependency graph (every select()
# branch, not only the one a build takes):
#   - lib/core depends on no mechanism;
#   - a mechanism (lib/<pkg>) depends directly on lib/core and on the
#     mechanisms BUILT_ON below declares for it, nothing else of lib/;
#   - no mechanism depends on lib/core:unique_name (the test-name generator);
#   - lib/ depends on nothing in examples/, tools/ or tests/;
#   - no public header of lib/ (one not under internal/) includes an
#     internal/ header, which would make it part of the public API.
# Prints each offending edge or include and exits 1 if there is one. Used
# by .ci/run.
#
# Usage: tools/check_layering.sh
set -euo pipefail
readonly self=$(readlink -f "${BASH_SOURCE[0]}")
cd "$(dirname "$self")/.."

if [[ ${1:-} == --help ]]; then
  sed -n '2,14p' "$self" | sed 's/^# \{0,1\}//'
  exit 0
fi
[[ $# -eq 0 ]] || { echo "check_layering: no arguments expected (see --help)" >&2; exit 2; }

# The one place where a mechanism is declared to be built on another. A new
# package of lib/ must be added here; a new edge between mechanisms must be
# added here first, with the reason.
declare -A BUILT_ON=(
  [core]=""
  [channel]="shm"            # issue 13: on lib/core and lib/shm only
  [fifo]="pipe"              # a FIFO's ends are PipeReader and PipeWriter
  [file_lock]=""
  [mapped_file]=""
  [message_queue]=""
  [pipe]=""
  [process]="pipe signal"    # child stdio over pipes; signals for shutdown
  [semaphore]="shm"          # RecoverableSemaphore keeps its state in shm
  [shared_file]="file_lock"  # the writer and reader take fcntl locks
  [shm]="mapped_file"        # a POSIX object is mapped through Mapping
  [signal]="pipe"            # SignalPipe is a self-pipe
  [socket]=""
  [socket_server]="pipe socket"  # LineLog's ScopedSigpipeBlock; the listener
)

# Every direct edge out of lib/, one "from -> to" per line.
edges=$(./bazelw query --noshow_progress --output=graph --nograph:factored \
  'deps(//lib/..., 1)' 2>/dev/null |
  sed -n 's/^ *"\([^"]*\)" -> "\([^"]*\)".*/\1 \2/p') || {
  echo "check_layering: bazel query failed" >&2
  exit 1
}
[[ -n $edges ]] || { echo "check_layering: the query found no edges" >&2; exit 1; }

failed=0
# What lib/ reaches through anything (a helper target outside lib/ too).
leaks=$(./bazelw query --noshow_progress \
  'deps(//lib/...) intersect (//examples/... + //tools/... + //tests/...)' 2>/dev/null) || {
  echo "check_layering: bazel query failed" >&2
  exit 1
}
if [[ -n $leaks ]]; then
  echo "lib/ depends on examples/, tools/ or tests/:"
  echo "$leaks"
  failed=1
fi
declare -A unknown=()
while read -r from to; do
  [[ $from == //lib/* ]] || continue
  from_pkg=${from#//lib/}; from_pkg=${from_pkg%%[:/]*}
  [[ $to == //lib/* ]] || continue
  to_pkg=${to#//lib/}; to_pkg=${to_pkg%%[:/]*}
  [[ $to_pkg == "$from_pkg" ]] && continue
  if [[ ! -v BUILT_ON[$from_pkg] ]]; then
    unknown[$from_pkg]=1
    continue
  fi
  if [[ $to_pkg == core ]]; then
    if [[ $to == //lib/core:unique_name ]]; then
      echo "a mechanism depends on the test-name generator: $from -> $to"
      failed=1
    fi
    continue
  fi
  if [[ " ${BUILT_ON[$from_pkg]} " != *" $to_pkg "* ]]; then
    echo "lib/$from_pkg is not declared to be built on lib/$to_pkg: $from -> $to"
    failed=1
  fi
done <<<"$edges"

# A public header must not include an internal/ one: that would make the
# internal header part of the API (and the SDK would have to ship it).
while IFS=: read -r header line include; do
  echo "a public header includes an internal one: $header:$line: $include"
  failed=1
done < <(find lib -name '*.h' -not -path '*/internal/*' -print0 | sort -z |
  xargs -0 grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^">]*/internal/' || true)

for pkg in "${!unknown[@]}"; do
  echo "lib/$pkg depends on other packages of lib/ but is not in BUILT_ON ($self)"
  failed=1
done
if [[ $failed -eq 0 ]]; then
  echo "layering: ok ($(wc -l <<<"$edges") edges out of lib/)"
fi
exit $failed
