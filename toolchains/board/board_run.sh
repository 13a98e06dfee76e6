#!/bin/sh
# The board side of //toolchains/board:runner: runs one test inside the
# directory the runner made and filled on the board, and records how it
# ended. Plain POSIX sh, and only commands busybox provides (no timeout(1),
# whose flags differ between busybox versions): boards run busybox ash.
#
#   sh <dir>/board_run.sh            run the test described by <dir>/env
#   sh <dir>/board_run.sh --stop     kill a test that is still running
#
# <dir>/env sets the test's environment, the program (ipcbox_program), its
# arguments (set --), the time limit in seconds (ipcbox_limit) and whether
# to give the test an IPC namespace of its own (ipcbox_ipc_namespace=1).
# Written back: <dir>/pid (the test's process group), <dir>/status (its exit
# status, 128+N for a signal) and <dir>/timed_out if the limit killed it.
dir=$(cd "$(dirname "$0")" && pwd) || exit 125

kill_group() {
  # setsid made the test a process group leader; without setsid only the
  # test itself can be reached.
  kill "-$1" "-$2" 2>/dev/null || kill "-$1" "$2" 2>/dev/null
}

stop() {
  [ -f "$dir/pid" ] || return 0
  pid=$(cat "$dir/pid")
  case "$pid" in '' | *[!0-9]*) return 0 ;; esac
  kill_group TERM "$pid"
  n=0
  while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 20 ]; do
    sleep 0.1 2>/dev/null || sleep 1
    n=$((n + 1))
  done
  kill_group KILL "$pid"
}

if [ "${1:-}" = "--stop" ]; then
  [ -f "$dir/shell_pid" ] && kill -TERM "$(cat "$dir/shell_pid")" 2>/dev/null
  stop
  exit 0
fi

. "$dir/env" || exit 125
echo $$ >"$dir/shell_pid"
mkdir -p "$TEST_TMPDIR" "$TEST_UNDECLARED_OUTPUTS_DIR" || exit 125
cd "$dir/runfiles/$TEST_WORKSPACE" || exit 125

# unshare -i (when the runner found it works): an IPC namespace of the
# test's own, for the per-test leak check.
ns=""
[ "${ipcbox_ipc_namespace:-0}" = 1 ] && ns="unshare -i"
setsid=""
command -v setsid >/dev/null 2>&1 && setsid=setsid

# The watchdog polls once a second, so it never outlives the test by more
# than a second and leaves no long sleep behind on the board. It learns the
# test's pid from $dir/pid, which the test writes as it starts.
rm -f "$dir/pid"
(
  while [ ! -s "$dir/pid" ]; do sleep 0.1 2>/dev/null || sleep 1; done
  pid=$(cat "$dir/pid")
  elapsed=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$elapsed" -ge "$ipcbox_limit" ]; then
      echo "$ipcbox_limit" >"$dir/timed_out"
      stop
      exit 0
    fi
    sleep 1
    elapsed=$((elapsed + 1))
  done
) </dev/null >/dev/null 2>&1 &
watchdog=$!

# In the foreground: a command a shell runs in the background (&) starts
# with SIGINT and SIGQUIT ignored, which the test and everything it spawns
# would inherit. The inner shell writes its pid and execs setsid and
# unshare, which exec the test (setsid forks only in a group leader, and a
# foreground command here is not one), so the pid is the test's.
sh -c 'echo $$ >"$1/pid.new" && mv "$1/pid.new" "$1/pid" && shift && exec "$@"' \
  board_run "$dir" $setsid $ns "$ipcbox_program" "$@" </dev/null
status=$?
pid=$(cat "$dir/pid" 2>/dev/null)
kill "$watchdog" 2>/dev/null
# Whatever the test forked and left running goes with it.
[ -z "$pid" ] || kill_group KILL "$pid"
echo "$status" >"$dir/status"
# In a directory the host shares (9p with cache=loose), writes stay in the
# board's page cache until flushed: the host reads the status, XML and
# outputs once this returns.
[ "${ipcbox_shared:-0}" = 1 ] && sync
exit "$status"
