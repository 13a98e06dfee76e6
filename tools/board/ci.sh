#!/usr/bin/env bash
# CI's board step: boots each virtual ARM board (tools/board/up), runs the
# ARM test suites on it through the board runner (--config=board), and stops
# the board again, also when a test or the boot fails.
#
#   tools/board/ci.sh                          # both boards, all of //tests/...
#   tools/board/ci.sh --boards armv7 //tests/pipe/...
#   tools/board/ci.sh --boards armv7 --config embedded   # what ships, -Os
#
# Tests tagged board_incompatible (they exec host tools the busybox board
# lacks, or, soak_test, fail there for a reason not yet known; each says
# why in its BUILD file) and shell tests not tagged board_script (the runner
# would run those on the host; CI runs them under qemu-user) are filtered
# out. The board_script ones (tests/ipcbox) run on the board, script and all
# (IPCBOX_BOARD_SCRIPTS=1): the board has bash and the util-linux programs
# they use (tools/board/assemble), and the ARM programs they start run
# natively there. Like CI's other test steps, they must not skip for want
# of the seeds' programs (IPCBOX_REQUIRE_SEEDS=1).
#
# Each board gets a host directory of its own as its /mnt/host (up --share),
# and the runner puts each test's files there for the board to exec in place
# rather than streaming them over ssh. The runner runs each test in an IPC
# namespace of its own (busybox unshare), so the per-test System V leak
# check is on, and this script also checks the board as a whole: what is in
# /proc/sysvipc, /dev/shm, /dev/mqueue and /tmp after the run must be what
# was there before. Tests' internal deadlines are stretched by
# IPCBOX_TIME_SCALE (tests/support:time_scale): an emulated kernel is slow,
# and a loaded CI machine slower still. Exits non-zero if a board does not
# come up, a test fails or an IPC object is left on a board.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

usage() {
  echo "usage: tools/board/ci.sh [--boards 'aarch64 armv7'] [--config NAME]... [TARGET...]"
  echo "  --boards LIST  the boards to boot, in order (default: aarch64 armv7)"
  echo "  --config NAME  a .bazelrc config to build the tests with as well"
  echo "                 (embedded: -Os, no exceptions, no RTTI); repeatable"
  echo "  TARGET...      the test targets to run (default: //tests/...)"
}
boards=(aarch64 armv7)
targets=()
configs=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --boards) read -ra boards <<< "${2:?--boards needs a list}"; shift 2 ;;
    --config) configs+=("--config=${2:?--config needs a name}"); shift 2 ;;
    -*) echo "tools/board/ci.sh: unknown flag '$1'" >&2; usage >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(//tests/...)
for board in "${boards[@]}"; do
  [[ $board == aarch64 || $board == armv7 ]] ||
    { echo "tools/board/ci.sh: unknown board '$board'" >&2; exit 2; }
done

# The shell tests under the targets that stay on the host, as negative
# patterns: an explicit list of the rest would make Bazel refuse (not skip)
# a target incompatible with the board's architecture.
query_targets=$(printf ' + %s' "${targets[@]}")
query_targets=${query_targets# + }
host_scripts=$(./bazelw query --noshow_progress \
  "kind(sh_test, tests($query_targets)) except attr(tags, '\bboard_script\b', tests($query_targets))") ||
  { echo "tools/board/ci.sh: bazel query failed" >&2; exit 1; }
excluded=()
for target in $host_scripts; do excluded+=("-$target"); done

declare -A machine=([aarch64]=aarch64 [armv7]=armv7l)
# As many tests at once as the board (2 CPUs) runs: Bazel's timeout counts
# the time a test waits for a board slot, so more would time out waiting.
readonly board_jobs=2
# Bazel's timeouts by size (small, medium, large, enormous) x3: a test runs
# 3-4x slower on an emulated kernel than under qemu-user, plus its copy.
readonly board_timeouts=180,900,2700,10800
# The same factor for the tests' own deadlines (hang detection), so that
# slowness alone does not fail a test and a hang still ends before Bazel's.
readonly time_scale=3
log_dir=$(mktemp -d)

# What a run could leave on the board: System V objects (key and id),
# POSIX shared memory and queues, and anything in /tmp.
board_objects() {
  tools/board/ssh "$board" '
    for table in shm sem msg; do
      tail -n +2 /proc/sysvipc/$table | while read -r key id rest; do echo "$table $key $id"; done
    done
    ls -A /dev/shm /dev/mqueue /tmp' | sort
}

running=()
stop_boards() {
  local board
  for board in "${running[@]}"; do tools/board/down "$board" || true; done
  running=()
}
trap 'stop_boards; rm -rf "$log_dir"' EXIT
trap 'exit 130' INT TERM

failures=()
for board in "${boards[@]}"; do
  started=$SECONDS
  echo "=== board $board: boot"
  running+=("$board")
  # The runner makes and removes a directory in it per test; QEMU runs until
  # down. Under $log_dir, so that it goes on any exit.
  share=$log_dir/$board.share
  mkdir -p "$share"
  if ! env_lines=$(tools/board/up --share "$share" "$board"); then
    failures+=("$board: boot")
    stop_boards
    continue
  fi
  IPCBOX_BOARD= IPCBOX_BOARD_IDENTITY= IPCBOX_BOARD_KNOWN_HOSTS= IPCBOX_BOARD_SHARE=
  eval "$env_lines"
  echo "=== board $board: up after $((SECONDS - started))s at $IPCBOX_BOARD"
  board_objects > "$log_dir/$board.before" ||
    { failures+=("$board: cannot list its IPC objects"); stop_boards; continue; }
  tested=$SECONDS
  # --build_tests_only: the tests' binaries, not every other target under
  # the patterns (examples and seed programs only shell tests use).
  ./bazelw test --config="$board" "${configs[@]}" --config=board --test_summary=short \
    --build_tests_only --test_tag_filters=-board_incompatible \
    --local_test_jobs="$board_jobs" --test_env=IPCBOX_BOARD_JOBS="$board_jobs" \
    --test_timeout="$board_timeouts" \
    --test_env=IPCBOX_IPC_LEAK_CHECK=1 --test_env=IPCBOX_TIME_SCALE="$time_scale" \
    --test_env=IPCBOX_EXPECT_MACHINE="${machine[$board]}" \
    --test_env=IPCBOX_BOARD="$IPCBOX_BOARD" \
    --test_env=IPCBOX_BOARD_IDENTITY="$IPCBOX_BOARD_IDENTITY" \
    --test_env=IPCBOX_BOARD_KNOWN_HOSTS="$IPCBOX_BOARD_KNOWN_HOSTS" \
    --test_env=IPCBOX_BOARD_SHARE="$IPCBOX_BOARD_SHARE" \
    --test_env=IPCBOX_BOARD_SCRIPTS=1 --test_env=IPCBOX_REQUIRE_SEEDS=1 \
    -- "${targets[@]}" "${excluded[@]}"
  status=$?
  echo "=== board $board: tests took $((SECONDS - tested))s (exit $status)"
  [[ $status -eq 0 ]] || failures+=("$board: tests (exit $status)")
  board_objects > "$log_dir/$board.after" || failures+=("$board: cannot list its IPC objects")
  if ! diff "$log_dir/$board.before" "$log_dir/$board.after"; then
    failures+=("$board: IPC objects left behind (lines with > above)")
  fi
  stop_boards
  leftover=$(find "$share" -mindepth 1 -maxdepth 1)
  [[ -z $leftover ]] || failures+=("$board: left in the shared directory: $leftover")
  echo "=== board $board: done after $((SECONDS - started))s"
done

if [[ ${#failures[@]} -gt 0 ]]; then
  printf 'FAILED: board %s\n' "${failures[@]}"
  exit 1
fi
echo "boards: all green"
