#!/usr/bin/env bash
# CI's board step: boots each virtual ARM board (tools/board/up), runs the
# ARM test suites on it through the board runner (--config=board), and stops
# the board again, also when a test or the boot fails.
#
#   tools/board/ci.sh                          # both boards, all of //tests/...
#   tools/board/ci.sh --boards armv7 //tests/pipe/...
#
# Tests tagged board_incompatible (they exec host tools the busybox board
# lacks, or are shell scripts) are filtered out. Exits non-zero if a board
# does not come up or a test fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

usage() {
  echo "usage: tools/board/ci.sh [--boards 'aarch64 armv7'] [TARGET...]"
  echo "  --boards LIST  the boards to boot, in order (default: aarch64 armv7)"
  echo "  TARGET...      the test targets to run (default: //tests/...)"
}
boards=(aarch64 armv7)
targets=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --boards) read -ra boards <<< "${2:?--boards needs a list}"; shift 2 ;;
    -*) echo "tools/board/ci.sh: unknown flag '$1'" >&2; usage >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(//tests/...)
for board in "${boards[@]}"; do
  [[ $board == aarch64 || $board == armv7 ]] ||
    { echo "tools/board/ci.sh: unknown board '$board'" >&2; exit 2; }
done

running=()
stop_boards() {
  local board
  for board in "${running[@]}"; do tools/board/down "$board" || true; done
  running=()
}
trap stop_boards EXIT
trap 'exit 130' INT TERM

failures=()
for board in "${boards[@]}"; do
  started=$SECONDS
  echo "=== board $board: boot"
  running+=("$board")
  if ! env_lines=$(tools/board/up "$board"); then
    failures+=("$board: boot")
    continue
  fi
  IPCBOX_BOARD= IPCBOX_BOARD_IDENTITY= IPCBOX_BOARD_KNOWN_HOSTS=
  eval "$env_lines"
  echo "=== board $board: up after $((SECONDS - started))s at $IPCBOX_BOARD"
  tested=$SECONDS
  ./bazelw test --config="$board" --config=board --test_summary=short \
    --test_tag_filters=-board_incompatible \
    --test_env=IPCBOX_BOARD="$IPCBOX_BOARD" \
    --test_env=IPCBOX_BOARD_IDENTITY="$IPCBOX_BOARD_IDENTITY" \
    --test_env=IPCBOX_BOARD_KNOWN_HOSTS="$IPCBOX_BOARD_KNOWN_HOSTS" \
    "${targets[@]}"
  status=$?
  echo "=== board $board: tests took $((SECONDS - tested))s (exit $status)"
  [[ $status -eq 0 ]] || failures+=("$board: tests (exit $status)")
  stop_boards
  echo "=== board $board: done after $((SECONDS - started))s"
done

if [[ ${#failures[@]} -gt 0 ]]; then
  printf 'FAILED: board %s\n' "${failures[@]}"
  exit 1
fi
echo "boards: all green"
