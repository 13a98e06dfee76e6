#!/usr/bin/env bash
# Smoke test of one benchmark program: runs it once with the smallest
# settings the harness takes (one repetition, one layout, a scaled-down op
# count) and checks that it exits 0 and reports a ratio for every case it
# ran. Nothing here looks at the numbers: a benchmark is not a test, and
# this only proves that the program still runs to the end, on every target.
#
# Arguments (bench_smoke_test() in smoke_test.bzl passes them): the qemu
# runner, the benchmark, then flags for the benchmark, which come after the
# defaults below and so override them.
#
# No IPC object outlives the run, even one the benchmark leaves behind by
# crashing or hanging (its teardown does not run then). Where unshare(1) may
# make them, the run gets private IPC and mount namespaces with a tmpfs of
# its own on /dev/shm:
#   - System V objects and POSIX message queues live in the IPC namespace,
#     POSIX shared memory and named semaphores in that /dev/shm; whatever
#     is still in either once the benchmark has exited is a leak and fails
#     the test, and dies with the namespaces;
#   - without the namespaces, /dev/shm is the machine's, shared with tests
#     running beside this one; the benchmark's objects are found by the pid
#     in their names (UniqueName()), reported and removed. Bazel's sandbox
#     gives each test a pid namespace, so another test's pid can be the
#     same: that fallback can blame this benchmark for a neighbour's objects.
#   - FIFOs and lock files go to $TEST_TMPDIR (UniqueTempPath()), which
#     Bazel removes.
set -euo pipefail

# Re-run this script in private IPC and mount namespaces: as root directly,
# otherwise as root of a new user namespace. A probe mount proves the tmpfs
# on /dev/shm can be made. The marker stops the recursion; without the
# namespaces the test runs as it is and says so.
readonly private_namespaces="--ipc --mount --propagation private"
if [[ -z "${IPCBOX_BENCH_SMOKE_NAMESPACE:-}" ]]; then
  for isolate in "unshare $private_namespaces" \
                 "unshare --user --map-root-user $private_namespaces"; do
    if $isolate mount -t tmpfs -o size=1m probe /dev/shm 2>/dev/null; then
      IPCBOX_BENCH_SMOKE_NAMESPACE="$isolate" exec $isolate "$0" "$@"
    fi
  done
  IPCBOX_BENCH_SMOKE_NAMESPACE=none
fi
if [[ "$IPCBOX_BENCH_SMOKE_NAMESPACE" != none ]]; then
  # tmpfs takes pages only as they are written; the bound stops a runaway.
  mount -t tmpfs -o size=512m,mode=1777 ipcbox-bench-shm /dev/shm
fi

readonly runner=$1
readonly benchmark=$2
shift 2
readonly name=$(basename "$benchmark")

# The harness stops a repetition that runs past --rep_timeout (and kills its
# peer); the whole run gets a bound of its own too, below Bazel's timeout
# for a small test, so that a hang is reported with the output so far.
readonly run_limit_seconds=45
readonly flags=(--repetitions=1 --layouts=same --ops_scale=0.01
                --rep_timeout=20s "$@")

scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/bench_smoke.XXXXXX")
pid=""
failures=0

fail() {
  echo "FAIL: $name: $*"
  failures=$((failures + 1))
}

# POSIX objects of the benchmark: all of the private /dev/shm, or else
# those with the benchmark's pid in their names.
posix_leftovers() {
  if [[ "$IPCBOX_BENCH_SMOKE_NAMESPACE" != none ]]; then
    find /dev/shm -mindepth 1 -maxdepth 1 2>/dev/null || true
    return 0
  fi
  [[ -n "$pid" ]] || return 0
  find /dev/shm -maxdepth 1 -name "*.$pid.*" 2>/dev/null || true
}

cleanup() {
  local leftover
  for leftover in $(posix_leftovers); do rm -f -- "$leftover"; done
  rm -rf -- "$scratch"
}
trap cleanup EXIT

start=$(date +%s%N)
# A session of its own (setsid execs in place: the pid stays the
# benchmark's) so that a kill reaches its peers and children too.
setsid -w "$runner" "$benchmark" "${flags[@]}" >"$scratch/out" 2>"$scratch/err" &
pid=$!
sleep "$run_limit_seconds" &
sleeper=$!
# `wait -n -p` (bash 5.1) returns with whichever ends first.
ended=""
set +e
wait -n -p ended "$pid" "$sleeper"
status=$?
set -e
if [[ "$ended" == "$sleeper" ]]; then
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  fail "still running after ${run_limit_seconds}s, killed"
  status=137
else
  kill "$sleeper" 2>/dev/null || true
  wait "$sleeper" 2>/dev/null || true
fi
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

[[ "$status" == 0 ]] || fail "exit status $status, expected 0"

# The report: a title line, then a table whose rows are
#   | case | layout | raw per op | ipcbox per op | ratio (median) | ...
# With one layout, one row per case the benchmark says it is running.
grep -q '^# .*: ipcbox vs raw system calls$' "$scratch/out" ||
  fail "no report title on stdout"
cases=$(grep -c '^running: ' "$scratch/err" || true)
rows=$(awk -F'|' '/^\|---/ { table = 1; next } table && /^\|/' \
  "$scratch/out" | wc -l)
ratios=$(awk -F'|' '
  /^\|---/ { table = 1; next }
  table && /^\|/ {
    ratio = $6
    gsub(/^ +| +$/, "", ratio)
    if (ratio ~ /^[0-9]+\.[0-9][0-9]$/) n++
  }
  END { print n + 0 }' "$scratch/out")
((cases > 0)) || fail "ran no case"
((rows == cases)) || fail "$rows report rows for $cases cases"
((ratios == rows)) || fail "$((rows - ratios)) of $rows rows have no ratio"

leaked=$(posix_leftovers)
[[ -z "$leaked" ]] || fail "left in /dev/shm: $(echo $leaked)"
if [[ "$IPCBOX_BENCH_SMOKE_NAMESPACE" == none ]]; then
  echo "note: no private IPC namespace here; System V objects not checked"
else
  # Only this run's objects are in this namespace; ipcs lists each with a
  # line that starts with its key in hex.
  sysv=$(ipcs -a | grep -c '^0x' || true)
  ((sysv == 0)) || fail "left $sysv System V objects: $(ipcs -a)"
fi

if [[ "$IPCBOX_BENCH_SMOKE_NAMESPACE" != none ]]; then
  echo "private IPC namespace: $IPCBOX_BENCH_SMOKE_NAMESPACE"
fi
if ((failures > 0)); then
  echo "--- stdout:"
  cat "$scratch/out"
  echo "--- stderr:"
  cat "$scratch/err"
  exit 1
fi
echo "PASS: $name: $cases cases, each with a ratio, in ${elapsed_ms} ms"
cat "$scratch/out"
