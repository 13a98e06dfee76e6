# shellcheck shell=bash
# Sourced by the tests of the ipcbox command that start real programs
# (ipcbox_test, channel_test): ipcbox through the qemu runner, background
# programs killed on exit, bounded polling and exit-status checks. The test
# sets RUNNER and IPCBOX and defines fail <message> (what to show, then
# exit 1).
#
#   source tests/ipcbox/ipcbox_cli.sh
#   "$RUNNER" "$PROGRAM" > program.out 2>&1 &
#   pids+=("$!")
#   await "the program ready" grep -q ready program.out
#   expect_exit 2 ipcbox frob   # its output in cmd.out

# Background programs are started as "$RUNNER" program &, never through a
# function: $! must be the program itself (the runner execs it), or a
# SIGKILL would hit a subshell and leave the program running. Each one's
# pid goes in pids, killed on exit.
pids=()
kill_programs() {
  local pid
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}
trap kill_programs EXIT

ipcbox() { "$RUNNER" "$IPCBOX" "$@"; }

# await <what> <command...>: polls for at most 60 s (qemu on a loaded
# machine may take seconds to start a program).
await() {
  local what=$1 i
  shift
  for ((i = 0; i < 600; i++)); do
    if "$@" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  fail "timed out waiting for $what"
}

# expect_exit <status> <command...>: runs it, its output in cmd.out, and
# fails the test unless it exits with that status.
expect_exit() {
  local want=$1 got=0
  shift
  "$@" > cmd.out 2>&1 || got=$?
  [[ $got == "$want" ]] || { cat cmd.out; fail "exit $got, not $want: $*"; }
}
