#!/usr/bin/env bash
# ipcbox bench --quick runs once and gives a number and a ratio for every
# mechanism. A smoke test of the program, not a measurement: nothing
# compares the numbers.
#
# Arguments: the qemu runner, ipcbox.
set -euo pipefail
# Where it ran (the virtual boards run it on their ARM kernels).
echo "machine: $(uname -m), kernel $(uname -r)"
out=$("$PWD/$1" "$PWD/$2" bench --quick --json 2> bench.err) || {
  cat bench.err
  echo "FAIL: ipcbox bench --quick failed"
  exit 1
}
echo "$out"
for mechanism in "pipe 64 B" "unix stream 64 B" "posix mq 64 B" "posix semaphore"; do
  line=$(grep -F "\"mechanism\":\"$mechanism\"" <<< "$out") || {
    echo "FAIL: no row for $mechanism"
    exit 1
  }
  grep -Eq '"ratio":[0-9]+\.[0-9]+,"error":""' <<< "$line" || {
    echo "FAIL: no ratio for $mechanism: $line"
    exit 1
  }
done
echo PASS
