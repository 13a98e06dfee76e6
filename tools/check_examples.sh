#!/usr/bin/env bash
# The README's first command and the ported programs, run as a user would:
# the tour must verify every scenario, and each example must print what its
# seed prints. Used by .ci/run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed=0
check() {  # check <label> <expected stdout> <bazel run args...>
  local label=$1 expected=$2
  shift 2
  local actual
  if ! actual=$(./bazelw run --noshow_progress --ui_event_filters=-info,-stdout "$@" 2>/dev/null); then
    echo "FAIL: $label exited non-zero"
    failed=1
  elif [[ "$actual" != "$expected" ]]; then
    printf 'FAIL: %s printed:\n%s\n--- expected:\n%s\n' "$label" "$actual" "$expected"
    failed=1
  else
    echo "ok: $label"
  fi
}

tour=$(./bazelw run --noshow_progress //examples:tour 2>/dev/null) || failed=1
echo "$tour"
scenarios=$(grep -c '&examples::Run' examples/tour/tour.cc)
grep -qx "tour: $scenarios of $scenarios scenarios verified" <<<"$tour" || {
  echo "FAIL: the tour did not verify all $scenarios scenarios"
  failed=1
}

check pipe_un "Nature's first green is gold" //examples:pipe_un
alp_sorted=$'Hello, world.\nMy dog has fleas.\nOne fish, two fish.\nThis is a test.\nThis program is great.'
check "popen_demo (popen)" "$alp_sorted" //examples/process:popen_demo
check "popen_demo (dup2)" "$alp_sorted" //examples/process:popen_demo -- --mode=dup2

exit $failed
