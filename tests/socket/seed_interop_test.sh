#!/usr/bin/env bash
# ipcbox's socket_server and socket_client against the seed article's own C
# programs (@seed_programs), both ways, on the seed's port 9876 and host
# "localhost" (the C programs have them built in). Each pairing must print
# what the article shows. If port 9876 is taken (another run of this test,
# or anything else), the test skips, saying so, rather than fight over it
# (or fails, under IPCBOX_REQUIRE_SEEDS=1: see tests/interop/seeds.sh).
#
# Arguments: the qemu runner, @seed_programs' status file, then the seed's
# socket_server and socket_client and ipcbox's (runfiles paths).
set -euo pipefail

runfiles=$PWD
runner="$runfiles/$1"
status="$runfiles/$2"
seed_server="$runfiles/$3"
seed_client="$runfiles/$4"
ipcbox_server="$runfiles/$5"
ipcbox_client="$runfiles/$6"

source tests/interop/seeds.sh
require_seed_programs "$status"

scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/socket_interop.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill -9 "$server_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
cd "$scratch"

listening='Listening on port 9876 for clients...'
printf '%s\n' 'War and Peace' 'Pride and Prejudice' 'The Sound and the Fury' \
  > expected_server.txt
{
  echo 'Connect to server, about to write some stuff...'
  cat expected_server.txt
  echo 'Client done, about to exit...'
} > expected_client.txt

fail() { echo "FAIL: $*"; for f in *.out *.err; do echo "--- $f:"; cat "$f"; done; exit 1; }

check() {  # check <what> <expected file> <actual file>
  if ! cmp -s "$2" "$3"; then
    echo "FAIL: $1"
    diff -u "$2" "$3" || true
    exit 1
  fi
}

# start_server <name> <program> [args...]: runs it in the background and
# waits (bounded) until it says it is listening.
start_server() {
  local name=$1
  shift
  # Truncate before starting: the background redirections may happen after
  # the first look below, which must not see the previous server's lines.
  : > server.out
  : > server.err
  "$runner" "$@" > server.out 2> server.err &
  server_pid=$!
  for _ in $(seq 600); do  # 30 s: qemu starts slowly on a busy machine
    grep -qF "$listening" server.err && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" || true
      server_pid=""
      if grep -q 'Address already in use' server.err; then
        skip_test "port 9876 is in use here ($name could not bind it)"
      fi
      fail "$name exited before listening"
    fi
    sleep 0.05
  done
  fail "$name did not start listening within 30 s"
}

# stop_server <exit code wanted, or "kill">
stop_server() {
  if [[ $1 == kill ]]; then
    kill "$server_pid"
    wait "$server_pid" || true
  else
    local code=0
    for _ in $(seq 600); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.05
    done
    wait "$server_pid" || code=$?
    [[ $code -eq $1 ]] || fail "the server exited with $code, expected $1"
  fi
  server_pid=""
}

run_client() {  # run_client <name> <program>
  timeout 60 "$runner" "$2" > client.out 2> client.err || fail "$1 failed ($?)"
}

# 1. The seed's server, ipcbox's client.
start_server "the seed's socket_server" "$seed_server"
run_client "ipcbox socket_client" "$ipcbox_client"
check "ipcbox client -> seed server: client output" expected_client.txt client.out
stop_server kill  # the seed's server runs forever; its stdout is block-buffered
echo "ok: ipcbox socket_client -> seed socket_server"

# 2. ipcbox's server, the seed's client.
start_server "ipcbox socket_server" "$ipcbox_server" --max_clients=1
run_client "the seed's socket_client" "$seed_client"
check "seed client -> ipcbox server: client output" expected_client.txt client.out
stop_server 0
check "seed client -> ipcbox server: server output" expected_server.txt server.out
echo "$listening" > expected_server_err.txt
check "ipcbox server's stderr" expected_server_err.txt server.err
echo "ok: seed socket_client -> ipcbox socket_server"

# 3. Both ipcbox, on the seed's values.
start_server "ipcbox socket_server" "$ipcbox_server" --once
run_client "ipcbox socket_client" "$ipcbox_client"
check "ipcbox client -> ipcbox server: client output" expected_client.txt client.out
stop_server 0
check "ipcbox client -> ipcbox server: server output" expected_server.txt server.out
echo "ok: ipcbox socket_client -> ipcbox socket_server"
