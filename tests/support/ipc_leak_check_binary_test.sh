#!/usr/bin/env bash
# The IPC leak check fails a whole test binary that leaves a System V object
# behind, and names it; it passes one that cleans up; it stays quiet unless
# IPCBOX_IPC_LEAK_CHECK=1. The binary is ipc_leak_check_demo, run through the
# qemu runner so that the same check holds on the ARM configs.
#
# Arguments: the qemu runner, the demo binary.
set -uo pipefail

runfiles=$PWD
runner=$runfiles/$1
demo=$runfiles/$2

scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/ipc_leak_check.XXXXXX")
created=()
# Every segment the demo reported is removed, whatever happens here.
cleanup() {
  for id in "${created[@]}"; do ipcrm -m "$id" 2>/dev/null; done
  rm -rf "$scratch"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  exit 1
}

# run_demo <name> <leak-check value or "unset"> <gtest filter>: runs the demo,
# remembers the segments it created, leaves its exit status in $status.
run_demo() {
  local name=$1 check=$2 filter=$3
  local out=$scratch/$name.out
  if [[ $check == unset ]]; then
    env -u IPCBOX_IPC_LEAK_CHECK "$runner" "$demo" --gtest_filter="$filter" \
      >"$out" 2>&1
  else
    IPCBOX_IPC_LEAK_CHECK=$check "$runner" "$demo" --gtest_filter="$filter" \
      >"$out" 2>&1
  fi
  status=$?
  local id
  for id in $(sed -n 's/^created shm id \([0-9][0-9]*\)$/\1/p' "$out"); do
    created+=("$id")
  done
}

# A leak, with the check on: the binary fails and the report names the
# segment, its key and its creator.
run_demo leak 1 LeakDemo.LeavesASegment
cat "$scratch/leak.out"
leaked=$(sed -n 's/^created shm id \([0-9][0-9]*\)$/\1/p' "$scratch/leak.out")
[[ -n $leaked ]] || fail "the demo did not create its segment"
ipcs -m | grep -Eq "^0x[0-9a-f]+ +$leaked " ||
  fail "segment $leaked is not there: nothing leaked to detect"
[[ $status -ne 0 ]] || fail "a binary that leaked segment $leaked passed"
grep -Eq "leaked System V shared memory segment id $leaked, key IPC_PRIVATE, 4096 bytes, created by pid [0-9]+" \
  "$scratch/leak.out" || fail "the failure does not name segment $leaked"
echo "leak reported: OK"

# The same leak with the check off (unset, or any value but 1): passes.
run_demo leak_unchecked unset LeakDemo.LeavesASegment
[[ $status -eq 0 ]] || fail "with the check off, the demo failed: $(cat "$scratch/leak_unchecked.out")"
run_demo leak_zero 0 LeakDemo.LeavesASegment
[[ $status -eq 0 ]] || fail "with IPCBOX_IPC_LEAK_CHECK=0, the demo failed: $(cat "$scratch/leak_zero.out")"
echo "check off unless IPCBOX_IPC_LEAK_CHECK=1: OK"

# No leak, check on: passes, and says nothing about leaks.
run_demo clean 1 LeakDemo.RemovesItsSegment
[[ $status -eq 0 ]] || fail "a binary that removed its segment failed: $(cat "$scratch/clean.out")"
! grep -q leaked "$scratch/clean.out" || fail "a clean binary reported a leak"
echo "clean binary passes: OK"
