#!/usr/bin/env bash
# One channel, two architectures: an armv7 publisher (under qemu-arm) with
# x86_64 subscribers, then an x86_64 publisher with armv7 subscribers. In
# each run one subscriber never spins, so futex wake-ups cross the
# emulation boundary too. Skips (exit 0, saying so) off x86_64 or without
# qemu-arm.
#
# Usage: mixed_arch_test.sh X86_64_PEER ARMV7_PEER
set -euo pipefail
x86_peer=$1
arm_peer=$2
count=${IPCBOX_MIXED_COUNT:-20000}

if [[ $(uname -m) != x86_64 ]]; then
  echo "SKIP: the mixed-architecture test runs on an x86_64 host"
  exit 0
fi
if ! command -v qemu-arm > /dev/null; then
  echo "SKIP: no qemu-arm"
  exit 0
fi

# start KIND ARGS...: runs the KIND peer in the background, bounded.
start() {
  local kind=$1
  shift
  if [[ $kind == arm ]]; then
    timeout 300 qemu-arm -L /usr/arm-linux-gnueabihf "$arm_peer" "$@" &
  else
    timeout 300 "$x86_peer" "$@" &
  fi
  pids+=($!)
}

name=/ipcbox_mixed_arch.$$.$RANDOM
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2> /dev/null || true; done
  rm -f "/dev/shm/${name#/}"
}
trap cleanup EXIT

# run PUBLISHER_KIND SUBSCRIBER_KIND: one publisher, two subscribers.
run() {
  local pub=$1 sub=$2 failed=0
  pids=()
  start "$pub" --role=publisher --name="$name" --count="$count" \
    --subscribers=2
  start "$sub" --role=subscriber --name="$name" --count="$count"
  start "$sub" --role=subscriber --name="$name" --count="$count" --spin=0
  for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
  done
  pids=()
  rm -f "/dev/shm/${name#/}"
  if ((failed)); then
    echo "FAIL: $pub publisher, $sub subscribers"
    exit 1
  fi
  echo "ok: $pub publisher, $sub subscribers, $count samples each"
}

run arm x86
run x86 arm
