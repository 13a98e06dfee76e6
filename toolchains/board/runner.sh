#!/usr/bin/env bash
# Runs a test binary on a board over ssh; Bazel uses this as --run_under in
# the `board` config (.bazelrc). Non-ELF programs (shell tests, host tools)
# run here on the host, as under //toolchains:qemu_runner, unless
# IPCBOX_BOARD_SCRIPTS=1: then a test that is a script (#!) runs on the board
# too, with its runfiles (the ARM programs it starts run natively there,
# through //toolchains:qemu_runner). That needs IPCBOX_BOARD_SHARE, and the
# board must have the script's interpreter and tools (the virtual boards
# have bash and the util-linux programs tests/ipcbox uses).
#
#   IPCBOX_BOARD=root@192.168.7.2 ./bazelw test --config=armv7 --config=board //tests/pipe/...
#
# Environment (passed to tests by the board config with --test_env):
#   IPCBOX_BOARD              user@host[:port] (required)
#   IPCBOX_BOARD_IDENTITY     ssh private key file
#   IPCBOX_BOARD_KNOWN_HOSTS  known_hosts file; without it any host key is
#                             accepted (boards are reflashed and change keys)
#   IPCBOX_BOARD_JOBS         tests at once on one board (default 2)
#   IPCBOX_BOARD_TMPDIR       where test directories go on the board (/tmp)
#   IPCBOX_BOARD_LOCK_DIR     host directory of the per-board slot locks
#                             (/tmp/ipcbox-board-locks; must be shared by all
#                             sandboxes, so not TEST_TMPDIR)
#   IPCBOX_EXPECT_MACHINE     if set, `uname -m` the board must report
#   IPCBOX_BOARD_SHARE        HOSTDIR:BOARDDIR, a host directory the board
#                             sees at BOARDDIR (virtio-9p on the virtual
#                             boards, NFS on a real one): the test's files are
#                             put there and run in place, not copied over ssh
#   IPCBOX_TIME_SCALE         passed on to the test (tests/support:time_scale)
#   IPCBOX_BOARD_SCRIPTS      1: scripts run on the board too (see above);
#                             not in the board config: --test_env=...=1
#
# Where the board's busybox or util-linux has `unshare` and the user may use
# it (root), each test runs in an IPC namespace of its own, as in Bazel's
# linux-sandbox, so the per-test IPC leak check stays on; elsewhere the
# runner turns it off (IPCBOX_IPC_LEAK_CHECK=0) for that test.
#
# Exit status: the test's (128+N if a signal killed it, on the board), or
# 125 with one "BOARD ERROR" line if the board could not be used.
# See README.md, "Testing on a board".
set -uo pipefail

readonly board_error_status=125
readonly board=${IPCBOX_BOARD:-}
readonly self_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail_board() {
  echo "ipcbox board runner: BOARD ERROR (${board:-IPCBOX_BOARD unset}): $*" >&2
  exit "$board_error_status"
}

[[ $# -ge 1 ]] || fail_board "usage: runner PROGRAM [ARGS...]"
program=$1
shift
[[ "$program" == */* ]] || program=./$program

elf_machine() {
  # e_machine: the little-endian 16-bit field at offset 18 of an ELF header.
  [[ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" == "177ELF" ]] || return 0
  od -An -j 18 -N 2 -t u2 "$1" | tr -d ' '
}

machine=$(elf_machine "$program")
if [[ -z "$machine" ]]; then
  [[ "${IPCBOX_BOARD_SCRIPTS:-0}" == 1 && "$(head -c 2 "$program" 2>/dev/null)" == "#!" ]] ||
    exec "$program" "$@"
  machine=script
fi
readonly machine

# --- The board: user@host[:port] ------------------------------------------
[[ -n "$board" ]] || fail_board "set IPCBOX_BOARD=user@host[:port] (see README.md, Testing on a board)"
[[ "$board" =~ ^([A-Za-z0-9._-]+)@([A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\])(:([0-9]+))?$ ]] ||
  fail_board "IPCBOX_BOARD must be user@host[:port]"
readonly target="${BASH_REMATCH[1]}@${BASH_REMATCH[2]}"
readonly port=${BASH_REMATCH[4]:-22}
readonly jobs=${IPCBOX_BOARD_JOBS:-2}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || fail_board "IPCBOX_BOARD_JOBS must be a positive number, not '$jobs'"
for file in "${IPCBOX_BOARD_IDENTITY:-}" "${IPCBOX_BOARD_KNOWN_HOSTS:-}"; do
  [[ -z "$file" || -r "$file" ]] || fail_board "cannot read $file"
done
[[ -r "$self_dir/board_run.sh" ]] || fail_board "board_run.sh is missing beside the runner"
share_host="" share_board=""
# A script's runfiles must stay visible to it: copied to the board they would
# sit under /tmp, which the shell tests in tests/ipcbox hide with a tmpfs of
# their own.
[[ "$machine" != script || -n "${IPCBOX_BOARD_SHARE:-}" ]] ||
  fail_board "a script runs on the board only with IPCBOX_BOARD_SHARE (IPCBOX_BOARD_SCRIPTS=1)"
if [[ -n "${IPCBOX_BOARD_SHARE:-}" ]]; then
  [[ "$IPCBOX_BOARD_SHARE" =~ ^(/[A-Za-z0-9._/-]*):(/[A-Za-z0-9._/-]*)$ ]] ||
    fail_board "IPCBOX_BOARD_SHARE must be HOSTDIR:BOARDDIR (absolute paths), not '$IPCBOX_BOARD_SHARE'"
  share_host=${BASH_REMATCH[1]} share_board=${BASH_REMATCH[2]}
  [[ -d "$share_host" && -w "$share_host" ]] ||
    fail_board "IPCBOX_BOARD_SHARE: $share_host is not a writable directory here"
fi

start_seconds=$SECONDS

# --- One slot of IPCBOX_BOARD_JOBS per board, held until this runner exits --
# flock(1) on slot files; the lock goes when fd 9 closes, also on SIGKILL.
# Every ssh below gets 9>&- so a lingering ssh cannot keep a slot.
lock_dir=${IPCBOX_BOARD_LOCK_DIR:-/tmp/ipcbox-board-locks}/${board//[^A-Za-z0-9._@-]/_}
mkdir -p "$lock_dir" 2>/dev/null || fail_board "cannot create the lock directory $lock_dir"
acquire_slot() {
  local waited=0 slot
  while :; do
    for ((slot = 0; slot < jobs; slot++)); do
      exec 9>>"$lock_dir/slot$slot" || fail_board "cannot open $lock_dir/slot$slot"
      flock -n 9 && return 0
      exec 9>&-
    done
    if ((waited == 0)); then
      echo "ipcbox board runner: waiting for one of $jobs slots on $board" >&2
      waited=1
    fi
    sleep 0.2
  done
}
acquire_slot

# --- One ssh connection (ControlMaster) for every step of this test ---------
# /tmp, not TMPDIR: the ssh control socket path must stay short.
local_dir=$(mktemp -d /tmp/ipcbox-board.XXXXXX) || fail_board "cannot make a host temp dir"
ssh_options=(
  -o BatchMode=yes -o ConnectTimeout=10
  -o ServerAliveInterval=5 -o ServerAliveCountMax=4
  -o ControlPath="$local_dir/ssh" -o LogLevel=ERROR -p "$port"
)
if [[ -n "${IPCBOX_BOARD_KNOWN_HOSTS:-}" ]]; then
  ssh_options+=(-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$IPCBOX_BOARD_KNOWN_HOSTS")
else
  ssh_options+=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null)
fi
if [[ -n "${IPCBOX_BOARD_IDENTITY:-}" ]]; then
  ssh_options+=(-o IdentitiesOnly=yes -i "$IPCBOX_BOARD_IDENTITY")
fi

on_board() { ssh "${ssh_options[@]}" "$target" "$@" 9>&-; }

# board_dir: the test's own directory on the board (its TEST_TMPDIR).
# run_dir: where board_run.sh, the runfiles, the status and the outputs
# are, as the board sees it: board_dir itself, or with a share the test's
# directory in it (staging, as the host sees it).
board_dir=""
run_dir=""
staging=""
cleaned=0
cleanup() {
  ((cleaned)) && return
  cleaned=1
  if [[ -n "$board_dir" ]]; then
    # Without a master (it died with an interrupted test) ssh connects anew.
    on_board "sh '$run_dir/board_run.sh' --stop 2>/dev/null; rm -rf '$board_dir'" </dev/null ||
      echo "ipcbox board runner: could not remove $board_dir on $board" >&2
  fi
  [[ -z "$staging" ]] || rm -rf "$staging"
  ssh "${ssh_options[@]}" -O exit "$target" >/dev/null 2>&1 9>&-
  rm -rf "$local_dir"
}
interrupted() {
  echo "ipcbox board runner: interrupted (signal $1); stopping the test on $board" >&2
  cleanup
  exit $((128 + $1))
}
trap cleanup EXIT
trap 'interrupted 15' TERM
trap 'interrupted 2' INT
trap 'interrupted 1' HUP

# -f: the master goes to the background once logged in; it keeps the stderr
# it was given, so that is a file rather than a pipe someone waits on.
if ! ssh -f -N -o ControlMaster=yes "${ssh_options[@]}" "$target" \
  </dev/null >/dev/null 2>"$local_dir/master.err" 9>&-; then
  fail_board "ssh to port $port failed: $(tr '\n' ' ' <"$local_dir/master.err" | sed 's/ *$//')"
fi

# --- The shared directory, if any: the test's files go there ----------------
if [[ -n "$share_host" ]]; then
  staging=$(mktemp -d "$share_host/ipcbox-test.XXXXXX") ||
    fail_board "cannot make a directory in the shared $share_host"
  cp "$self_dir/board_run.sh" "$staging/board_run.sh"
  run_dir=$share_board/${staging##*/}
fi

# --- A fresh directory on the board, what the board is, and whether it gives
# the test an IPC namespace of its own (unshare -i) -----------------------------
readonly board_tmp=${IPCBOX_BOARD_TMPDIR:-/tmp}
share_probe=""
[[ -z "$run_dir" ]] || share_probe=" && { [ -f '$run_dir/board_run.sh' ] && echo shared || echo unshared; }"
reply=$(on_board "d=\$(mktemp -d '$board_tmp/ipcbox-test.XXXXXX') && echo \"\$d\" && uname -m &&
    { unshare -i true >/dev/null 2>&1 && echo ipc_namespace || echo no_ipc_namespace; }$share_probe" \
  </dev/null 2>"$local_dir/error") ||
  fail_board "cannot make a directory in $board_tmp: $(tr '\n' ' ' <"$local_dir/error")"
candidate=$(sed -n 1p <<<"$reply")
[[ "$candidate" =~ ^/[A-Za-z0-9._/-]+$ ]] || fail_board "mktemp on the board printed '$candidate'"
board_dir=$candidate
board_machine=$(sed -n 2p <<<"$reply")
ipc_namespace=0
[[ "$(sed -n 3p <<<"$reply")" != ipc_namespace ]] || ipc_namespace=1
if [[ -n "$share_host" ]]; then
  [[ "$(sed -n 4p <<<"$reply")" == shared ]] ||
    fail_board "IPCBOX_BOARD_SHARE: the board does not see $share_host at $share_board"
else
  run_dir=$board_dir
fi

if [[ -n "${IPCBOX_EXPECT_MACHINE:-}" && "$board_machine" != "$IPCBOX_EXPECT_MACHINE" ]]; then
  fail_board "uname -m is '$board_machine', IPCBOX_EXPECT_MACHINE is '$IPCBOX_EXPECT_MACHINE'"
fi
case "$machine:$board_machine" in
  62:x86_64 | 183:aarch64 | 40:arm* | 40:aarch64 | script:*) ;;
  *) fail_board "the test is built for ELF machine $machine, the board's uname -m is '$board_machine' (wrong --config?)" ;;
esac

# --- The test's files and environment ---------------------------------------
srcdir=${TEST_SRCDIR:-${RUNFILES_DIR:-}}
[[ -n "$srcdir" && -d "$srcdir" ]] || fail_board "TEST_SRCDIR is not a directory (run this under bazel test)"
workspace=${TEST_WORKSPACE:-ipcbox}
case "$program" in
  "$srcdir"/*) board_program="$run_dir/runfiles/${program#"$srcdir"/}" ;;
  /*) fail_board "the program $program is outside TEST_SRCDIR" ;;
  *) board_program="$run_dir/runfiles/$workspace/${program#./}" ;;
esac

quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# The board gets Bazel's test variables and ipcbox's own; paths point into
# the board directory, host-only paths are left out.
limit=$((${TEST_TIMEOUT:-300} - (SECONDS - start_seconds) - 3))
((limit >= 1)) || limit=1
{
  while IFS= read -r name; do
    case "$name" in
      TEST_SRCDIR | RUNFILES_DIR | TEST_TMPDIR | TEST_UNDECLARED_OUTPUTS_DIR | XML_OUTPUT_FILE | \
        TEST_SHARD_STATUS_FILE | TEST_PREMATURE_EXIT_FILE | GTEST_OUTPUT | IPCBOX_BOARD*) continue ;;
      TEST_*_FILE | TEST_*_DIR | TEST_BINARY | GTEST_TMP_DIR) continue ;;
      TEST_* | TESTBRIDGE_* | GTEST_* | IPCBOX_* | TZ | LANG | LC_*) ;;
      *) continue ;;
    esac
    echo "export $name=$(quote "${!name}")"
  done < <(compgen -e)
  echo "export TEST_SRCDIR=$(quote "$run_dir/runfiles") RUNFILES_DIR=$(quote "$run_dir/runfiles")"
  echo "export TEST_TMPDIR=$(quote "$board_dir/tmp") TMPDIR=$(quote "$board_dir/tmp")"
  echo "export TEST_UNDECLARED_OUTPUTS_DIR=$(quote "$run_dir/outputs")"
  echo "export XML_OUTPUT_FILE=$(quote "$run_dir/test.xml") GTEST_OUTPUT=$(quote "xml:$run_dir/test.xml")"
  [[ -n "${TEST_SHARD_STATUS_FILE:-}" ]] &&
    echo "export TEST_SHARD_STATUS_FILE=$(quote "$run_dir/shard_status")"
  [[ -n "${TEST_PREMATURE_EXIT_FILE:-}" ]] &&
    echo "export TEST_PREMATURE_EXIT_FILE=$(quote "$run_dir/premature_exit")"
  # Without a namespace of its own, the leak check would blame this test
  # for every object another test or program on the board made meanwhile.
  ((ipc_namespace)) || echo "export IPCBOX_IPC_LEAK_CHECK=0"
  echo "ipcbox_ipc_namespace=$ipc_namespace"
  [[ -z "$staging" ]] || echo "ipcbox_shared=1"
  echo "ipcbox_program=$(quote "$board_program")"
  echo "ipcbox_limit=$limit"
  printf 'set --'
  for arg in "$@"; do printf ' %s' "$(quote "$arg")"; done
  echo
} >"$local_dir/env"
cp "$self_dir/board_run.sh" "$local_dir/board_run.sh"
ln -s "$srcdir" "$local_dir/runfiles"

# tar -h copies what the runfiles symlinks point at; busybox tar unpacks it.
# With a share the copy is a local one, and the board reads the files in
# place; else they stream over the ssh connection.
if [[ -n "$staging" ]]; then
  if ! error=$(tar -C "$local_dir" -chf - env runfiles | tar -C "$staging" -xf - 2>&1); then
    fail_board "copying the test to the shared $staging failed: $(echo "$error" | tr '\n' ' ')"
  fi
elif ! error=$(tar -C "$local_dir" -chf - env board_run.sh runfiles |
  on_board "cd '$board_dir' && tar -xf -" 2>&1); then
  fail_board "copying the test to $board_dir failed: $(echo "$error" | tr '\n' ' ')"
fi

echo "ipcbox board runner: ${TEST_TARGET:-$program} on $board ($board_machine) in $run_dir" >&2

# --- Run it. In the background, so that a TERM from Bazel runs the trap now
# rather than after ssh returns. ---------------------------------------------
if [[ -n "$staging" ]]; then
  # Its results are in the share already: the directory goes in the same session.
  on_board "sh '$run_dir/board_run.sh'; rm -rf '$board_dir'" </dev/null &
else
  on_board "sh '$run_dir/board_run.sh'" </dev/null &
fi
wait $! && [[ -n "$staging" ]] && board_dir=""

# --- Its status, XML and outputs come back, and the directory goes ----------
if [[ -n "$staging" ]]; then
  fetch=$staging
  [[ -z "$board_dir" ]] || { on_board "rm -rf '$board_dir'" </dev/null && board_dir=""; }
else
  fetch="$local_dir/fetched"
  mkdir "$fetch"
  if ! on_board "cd '$board_dir' && set -- status &&
      for f in timed_out test.xml outputs shard_status premature_exit; do
        [ -e \"\$f\" ] && set -- \"\$@\" \"\$f\"; done; tar -cf - \"\$@\"" </dev/null |
    tar -C "$fetch" -xf - 2>/dev/null; then
    fail_board "the connection was lost while the test ran, or it left no status in $board_dir"
  fi
  on_board "rm -rf '$board_dir'" </dev/null && board_dir=""
fi
status=$(cat "$fetch/status" 2>/dev/null)
[[ "$status" =~ ^[0-9]+$ ]] || fail_board "the test left no exit status"

if [[ -f "$fetch/test.xml" && -n "${XML_OUTPUT_FILE:-}" ]]; then
  cp "$fetch/test.xml" "$XML_OUTPUT_FILE"
fi
if [[ -d "$fetch/outputs" && -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]]; then
  mkdir -p "$TEST_UNDECLARED_OUTPUTS_DIR" && cp -R "$fetch/outputs/." "$TEST_UNDECLARED_OUTPUTS_DIR/"
fi
[[ -f "$fetch/shard_status" && -n "${TEST_SHARD_STATUS_FILE:-}" ]] && touch "$TEST_SHARD_STATUS_FILE"
[[ -f "$fetch/premature_exit" && -n "${TEST_PREMATURE_EXIT_FILE:-}" ]] && touch "$TEST_PREMATURE_EXIT_FILE"

if [[ -f "$fetch/timed_out" ]]; then
  echo "ipcbox board runner: TIMEOUT: killed on $board after $(cat "$fetch/timed_out") s (exit status $status)" >&2
  # A test that exits 0 on SIGTERM still overran.
  ((status != 0)) || status=124
elif ((status > 128)); then
  echo "ipcbox board runner: killed by signal $((status - 128)) on $board" >&2
fi
exit "$status"
