#!/usr/bin/env bash
# Tests //toolchains/board:runner against a real OpenSSH sshd started here on
# 127.0.0.1, with this host as the board. Every remote command runs under
# busybox sh with only busybox applets on PATH, as on a busybox board.
# Each case runs the runner the way Bazel's --run_under does: in a runfiles
# tree, with Bazel's TEST_* variables, and checks its exit status, what it
# printed, what it fetched back, and that the board directory is left empty.
set -uo pipefail

runfiles=${TEST_SRCDIR}/${TEST_WORKSPACE}
runner=$runfiles/toolchains/board/runner
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/runner_test.XXXXXX")
failures=0
sshd_pid=""

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

stop_sshd() {
  if [[ -n "$sshd_pid" ]]; then
    kill "$sshd_pid" 2>/dev/null
    wait "$sshd_pid" 2>/dev/null
    sshd_pid=""
  fi
}
trap stop_sshd EXIT
trap 'stop_sshd; exit 1' TERM INT

for tool in /usr/sbin/sshd ssh ssh-keygen busybox flock; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (./bazelw installs it)" >&2; exit 1; }
done

# --- The board: keys, a busybox userland, sshd ------------------------------
mkdir -p "$work/sshd" "$work/busybox" "$work/board" "$work/locks" "$work/out"
ssh-keygen -q -t ed25519 -N '' -C board_host -f "$work/sshd/host_key"
ssh-keygen -q -t ed25519 -N '' -C board_user -f "$work/sshd/user_key"
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$work/sshd/stranger_key"
cp "$work/sshd/user_key.pub" "$work/sshd/authorized_keys"
for applet in $(busybox --list); do ln -s "$(command -v busybox)" "$work/busybox/$applet"; done

cat >"$work/sshd/config" <<EOF
ListenAddress 127.0.0.1
HostKey $work/sshd/host_key
AuthorizedKeysFile $work/sshd/authorized_keys
AllowUsers $(id -un)
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
MaxStartups 50
MaxSessions 50
LogLevel ERROR
# bash, the login shell here, reads ~/.bashrc when sshd starts it unless it
# is nested; a board's shell reads nothing, and so must this one.
SetEnv SHLVL=1
ForceCommand PATH=$work/busybox exec $work/busybox/sh -c "\$SSH_ORIGINAL_COMMAND"
EOF

start_sshd() {
  # sshd run by root insists on its privilege separation directory
  # /run/sshd; where it does not exist, sshd gets a private /run.
  local command=(/usr/sbin/sshd -D -e -f "$work/sshd/config" -p "$1")
  if [[ $(id -u) -eq 0 && ! -d /run/sshd ]]; then
    unshare -m sh -c 'mount -t tmpfs -o size=1m,mode=0755 ipcbox-run /run &&
      mkdir -m 0755 /run/sshd && exec "$@"' sh "${command[@]}" 2>>"$work/sshd.log" &
  else
    "${command[@]}" 2>>"$work/sshd.log" &
  fi
  sshd_pid=$!
}

port=""
for attempt in 1 2 3 4 5; do
  candidate=$((20000 + (RANDOM * 7 + attempt) % 40000))
  start_sshd "$candidate"
  for _ in $(seq 50); do
    if ! kill -0 "$sshd_pid" 2>/dev/null; then break; fi
    if ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      -o LogLevel=ERROR -i "$work/sshd/user_key" -p "$candidate" "$(id -un)@127.0.0.1" true 2>/dev/null; then
      port=$candidate
      break 2
    fi
    sleep 0.1
  done
  stop_sshd
done
if [[ -z "$port" ]]; then
  echo "FAIL: sshd did not start; its log:" >&2
  cat "$work/sshd.log" >&2
  exit 1
fi
echo "sshd (pid $sshd_pid) listens on 127.0.0.1:$port"
readonly good_board="$(id -un)@127.0.0.1:$port"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/sshd/host_key.pub")" >"$work/known_hosts"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/sshd/user_key.pub")" >"$work/wrong_known_hosts"

# --- The runfiles tree a test would have -------------------------------------
tree=$work/runfiles
mkdir -p "$tree/ipcbox/toolchains/board/testdata" "$tree/ipcbox/tests/pipe"
for file in toolchains/board/board_probe toolchains/board/testdata/probe_data.txt \
  tests/pipe/pipe_test tests/pipe/sigpipe_test tests/pipe/multiprocess_test; do
  ln -s "$runfiles/$file" "$tree/ipcbox/$file"
done
printf '#!/bin/sh\necho "a script runs on the host"\n' >"$tree/ipcbox/host_script.sh"
chmod +x "$tree/ipcbox/host_script.sh"
# With IPCBOX_BOARD_SCRIPTS=1, a script that says where it runs and reads a
# data file through its runfiles.
cat >"$tree/ipcbox/board_script.sh" <<'SCRIPT'
#!/bin/sh
echo "script in $PWD, TEST_TMPDIR $TEST_TMPDIR"
echo "data: $(cat toolchains/board/testdata/probe_data.txt)"
exit "${1:-0}"
SCRIPT
chmod +x "$tree/ipcbox/board_script.sh"

# run_runner NAME TIMEOUT PROGRAM ARGS...: runs the runner like Bazel would,
# with the board from the environment; sets $status, $out (stdout+stderr).
run_runner() {
  local name=$1 timeout=$2
  shift 2
  rm -rf "$work/out/$name"
  mkdir -p "$work/out/$name/undeclared" "$work/out/$name/tmp"
  (
    cd "$tree/ipcbox" &&
      exec env -i PATH="$PATH" HOME="$work" TMPDIR=/tmp \
        TEST_SRCDIR="$tree" TEST_WORKSPACE=ipcbox TEST_TARGET="//fake:$name" \
        TEST_TIMEOUT="$timeout" TEST_SIZE=small TEST_TMPDIR="$work/out/$name/tmp" \
        XML_OUTPUT_FILE="$work/out/$name/test.xml" \
        TEST_UNDECLARED_OUTPUTS_DIR="$work/out/$name/undeclared" \
        IPCBOX_BOARD="${board-$good_board}" IPCBOX_BOARD_IDENTITY="${identity-$work/sshd/user_key}" \
        IPCBOX_BOARD_KNOWN_HOSTS="${known_hosts-$work/known_hosts}" \
        IPCBOX_BOARD_TMPDIR="$work/board" IPCBOX_BOARD_LOCK_DIR="$work/locks" \
        IPCBOX_BOARD_JOBS="${slots:-2}" ${expect:+IPCBOX_EXPECT_MACHINE="$expect"} \
        ${scripts:+IPCBOX_BOARD_SCRIPTS="$scripts"} ${share:+IPCBOX_BOARD_SHARE="$share"} \
        "$runner" "$@"
  ) >"$work/out/$name.log" 2>&1
  status=$?
  out=$(cat "$work/out/$name.log")
}

expect_status() {
  local name=$1 want=$2
  if [[ "$status" != "$want" ]]; then
    fail "$name: exit status $status, want $want; output:"
    sed 's/^/    /' "$work/out/$name.log" >&2
  fi
}

expect_output() {
  [[ "$out" == *"$2"* ]] || fail "$1: output lacks '$2'; it is: $out"
}

expect_board_empty() {
  local left
  left=$(find "$work/board" -mindepth 1 -maxdepth 1)
  [[ -z "$left" ]] || fail "$1: left on the board: $left"
  rm -rf "$work/board"/*
}

expect_no_process() {
  # The board's processes are this host's.
  local pattern=$2
  for _ in $(seq 30); do
    pgrep -f "$pattern" >/dev/null || return 0
    sleep 0.1
  done
  fail "$1: a process is left: $(pgrep -af "$pattern")"
  pkill -KILL -f "$pattern"
}

# --- Real ipcbox tests pass, and their XML comes back -------------------------
for t in pipe_test sigpipe_test multiprocess_test; do
  run_runner "$t" 120 "tests/pipe/$t"
  expect_status "$t" 0
  expect_output "$t" "on $good_board (x86_64)"
  grep -q '<testsuites' "$work/out/$t/test.xml" 2>/dev/null || fail "$t: no XML fetched"
  grep -q 'failures="0"' "$work/out/$t/test.xml" 2>/dev/null || fail "$t: the XML reports failures"
  expect_board_empty "$t"
done

# Arguments reach the test: a filter that keeps one test.
one=$("$tree/ipcbox/tests/pipe/pipe_test" --gtest_list_tests | awk '/^[^ ]/ {s=$1} /^  / {print s $1; exit}')
run_runner filtered 60 tests/pipe/pipe_test "--gtest_filter=$one"
expect_status filtered 0
grep -q '<testsuites tests="1"' "$work/out/filtered/test.xml" 2>/dev/null ||
  fail "filtered: --gtest_filter=$one did not reach the test"
expect_board_empty filtered

# --- The environment on the board, data files, undeclared outputs -------------
run_runner env 60 toolchains/board/board_probe env
expect_status env 0
expect_output env "board_probe: running //fake:env"
[[ "$(cat "$work/out/env/undeclared/probe_output.txt" 2>/dev/null)" == "x86_64" ]] ||
  fail "env: the undeclared output did not come back"
grep -q 'board_probe' "$work/out/env/test.xml" 2>/dev/null || fail "env: XML_OUTPUT_FILE did not come back"
expect_board_empty env

# --- Failures, crashes and overruns are not hidden -----------------------------
run_runner fail 60 toolchains/board/board_probe fail
expect_status fail 1
expect_output fail "failing on purpose"
expect_board_empty fail

run_runner segv 60 toolchains/board/board_probe segv
expect_status segv 139
expect_output segv "killed by signal 11"
expect_board_empty segv

run_runner abort 60 toolchains/board/board_probe abort
expect_status abort 134
expect_board_empty abort

# TEST_TIMEOUT 6 leaves the test 3 s on the board; it wants 47.
SECONDS=0
run_runner timeout 6 toolchains/board/board_probe sleep 47
expect_status timeout 143
expect_output timeout "TIMEOUT: killed on $good_board"
((SECONDS < 30)) || fail "timeout: the runner took $SECONDS s, the test's limit was 6 s"
expect_board_empty timeout
expect_no_process timeout "board_probe sleep 47"

# --- Bazel interrupts the runner (SIGTERM): the test stops, the dir goes -------
(
  board="" identity="" known_hosts=""
  unset board identity known_hosts
  run_runner interrupted 60 toolchains/board/board_probe sleep 48
  echo "$status" >"$work/out/interrupted.status"
) &
interrupted_subshell=$!
for _ in $(seq 100); do
  ls "$work"/board/*/pid >/dev/null 2>&1 && break
  sleep 0.1
done
runner_pid=$(pgrep -f "runner toolchains/board/board_probe sleep 48" | head -1)
if [[ -z "$runner_pid" ]]; then
  fail "interrupted: the runner did not start the test"
else
  sleep 0.5
  kill -TERM "$runner_pid"
fi
wait "$interrupted_subshell"
status=$(cat "$work/out/interrupted.status")
expect_status interrupted 143
expect_board_empty interrupted
expect_no_process interrupted "board_probe sleep 48"

# --- Slots: with IPCBOX_BOARD_JOBS=1 tests on one board run one at a time ------
mkdir -p "$work/shared"
exclusive_pids=()
for i in 1 2 3; do
  (
    slots=1 run_runner "exclusive$i" 60 toolchains/board/board_probe exclusive "$work/shared"
    echo "$status" >"$work/out/exclusive$i.status"
  ) &
  exclusive_pids+=($!)
done
wait "${exclusive_pids[@]}"
for i in 1 2 3; do
  status=$(cat "$work/out/exclusive$i.status")
  expect_status "exclusive$i" 0
done
expect_board_empty exclusive

# --- A board that cannot be used is not a failing test -------------------------
board_error() {
  local name=$1 want=$2
  expect_status "$name" 125
  expect_output "$name" "BOARD ERROR ("
  expect_output "$name" "$want"
  [[ $(wc -l <"$work/out/$name.log") -eq 1 ]] || fail "$name: more than one line: $out"
}

board="$(id -un)@127.0.0.1:1" run_runner unreachable 60 toolchains/board/board_probe env
board_error unreachable "$(id -un)@127.0.0.1:1): ssh to port 1 failed"

identity="$work/sshd/stranger_key" run_runner bad_key 60 toolchains/board/board_probe env
board_error bad_key "Permission denied"

known_hosts="$work/wrong_known_hosts" run_runner bad_host_key 60 toolchains/board/board_probe env
board_error bad_host_key "Host key verification failed"

board="no-user-here" run_runner malformed 60 toolchains/board/board_probe env
board_error malformed "IPCBOX_BOARD must be user@host[:port]"

board="" run_runner unset 60 toolchains/board/board_probe env
board_error unset "set IPCBOX_BOARD="

expect=armv7l run_runner wrong_machine 60 toolchains/board/board_probe env
board_error wrong_machine "uname -m is 'x86_64', IPCBOX_EXPECT_MACHINE is 'armv7l'"
expect_board_empty wrong_machine

# --- Not an ELF binary: runs on the host, no board needed ----------------------
board="" run_runner script 60 host_script.sh
expect_status script 0
expect_output script "a script runs on the host"

# --- IPCBOX_BOARD_SCRIPTS=1: a script runs on the board, from the share -------
# The board is this host, so "on the board" shows as where it ran: in the
# runner's copy of the runfiles in the share, with the board's TEST_TMPDIR.
mkdir -p "$work/share"
scripts=1 share="$work/share:$work/share" run_runner board_script 60 board_script.sh 3
expect_status board_script 3
[[ "$out" =~ script\ in\ $work/share/ipcbox-test\.[A-Za-z0-9]+/runfiles/ipcbox,\ TEST_TMPDIR\ $work/board/ipcbox-test\.[A-Za-z0-9]+/tmp ]] ||
  fail "board_script: did not run from the share with the board's TEST_TMPDIR: $out"
expect_output board_script "data: $(cat "$runfiles/toolchains/board/testdata/probe_data.txt")"
expect_board_empty board_script
[[ -z "$(find "$work/share" -mindepth 1)" ]] || fail "board_script: left in the share: $(ls -A "$work/share")"

scripts=1 run_runner board_script_no_share 60 board_script.sh
board_error board_script_no_share "a script runs on the board only with IPCBOX_BOARD_SHARE"

expect_board_empty end
stop_sshd
if pgrep -f "sshd .*-p *$port\$" >/dev/null; then fail "sshd on port $port is still running"; fi

if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "PASS"
