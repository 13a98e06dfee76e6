# shellcheck shell=bash
# Sourced by the interop tests: run an ipcbox example against a seed's own C
# program. Binaries may be ARM (--config=aarch64/armv7), so every program is
# started through the qemu runner, which runs host binaries directly.
#
#   source tests/interop/interop.sh
#   interop_init seed_program -- "$@"   # runner, status.txt, seed_program
#   run "$seed_program" > seed.out
#
# Every test works in its own scratch directory, removed on exit, after the
# commands registered with at_exit and after killing the background
# processes registered with track.
set -euo pipefail

source tests/interop/seeds.sh

exit_commands=()
tracked_pids=()

# at_exit <command>: evaluated on exit, whatever the outcome (before the
# scratch directory goes). Use it for what a failed run would leave outside
# the scratch directory: IPC objects, named by key.
at_exit() { exit_commands+=("$1"); }

# track <pid>: a background process to kill on exit if it is still running
# (a test that fails half-way must not leave a peer blocked on a FIFO open).
track() { tracked_pids+=("$1"); }

# untrack <pid>: it was waited for.
untrack() {
  local kept=() pid
  for pid in "${tracked_pids[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  tracked_pids=("${kept[@]}")
}

interop_cleanup() {
  local pid command
  for pid in "${tracked_pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for command in "${exit_commands[@]}"; do eval "$command" || true; done
  cd /
  rm -rf "$scratch"
}

# interop_init <name...> -- "$@": takes the test's arguments (the runner,
# @seed_programs' status file, then the programs, each bound to the named
# variable as an absolute path), skips the test without the seed programs
# (see require_seeds) and enters the scratch directory.
interop_init() {
  runfile_args RUNNER SEED_STATUS "$@"
  scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/interop.XXXXXX")
  trap interop_cleanup EXIT
  require_seeds
  cd "$scratch"
}

# Runs a program of any architecture.
run() { "$RUNNER" "$@"; }

# Skips the test (or fails it, under IPCBOX_REQUIRE_SEEDS=1) without the
# seed programs.
require_seeds() { require_seed_programs "$SEED_STATUS"; }

# Fails the test, showing what the programs printed in the current
# directory (*.out and *.err).
fail() {
  echo "FAIL: $*"
  local f
  for f in *.out *.err; do
    [[ -e $f ]] || continue
    echo "--- $f:"
    cat "$f"
  done
  exit 1
}

# await <what> <pid, or ""> <command...>: polls the command until it
# succeeds; fails the test if process <pid> exits first or after 60 s. A
# bound for a hung peer, not a timing check: on a loaded machine under qemu
# a program may take seconds to start.
await() {
  local what=$1 pid=$2 i
  shift 2
  for ((i = 0; i < 1200; i++)); do
    "$@" && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      "$@" && return 0
      fail "waiting for $what: process $pid exited first"
    fi
    sleep 0.05
  done
  fail "waiting for $what: not within 60 s"
}

# finish <name> <pid> <wanted exit status>: waits for a tracked background
# process and checks its exit status.
finish() {
  local status=0
  wait "$2" || status=$?
  untrack "$2"
  [[ $status -eq $3 ]] || fail "$1 exited with status $status, expected $3"
}

# in_this_shard <n>: whether part n (0, 1, ...) of a test runs here. With
# shard_count = N in BUILD.bazel, Bazel runs N copies of the script, each
# with its own timeout, and each runs the parts its index picks; run
# unsharded, the script runs them all.
in_this_shard() {
  [[ -n ${TEST_TOTAL_SHARDS:-} ]] || return 0
  if [[ -n ${TEST_SHARD_STATUS_FILE:-} ]]; then touch "$TEST_SHARD_STATUS_FILE"; fi
  (($1 % TEST_TOTAL_SHARDS == TEST_SHARD_INDEX))
}

# Fails the test with a message and a diff of two files.
expect_same_file() {
  if ! cmp -s "$1" "$2"; then
    echo "FAIL: $3"
    diff -u "$1" "$2" || true
    exit 1
  fi
}

# Fails the test unless file $1 contains the line fragment $2.
expect_contains() {
  if ! grep -qF -- "$2" "$1"; then
    echo "FAIL: $(basename "$1") lacks: $2"
    echo "--- $(basename "$1"):"
    cat "$1"
    exit 1
  fi
}
