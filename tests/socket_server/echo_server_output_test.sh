#!/usr/bin/env bash
# The concurrent_echo_server's logging never blocks or kills its loop:
#  1. `concurrent_echo_server | head -n1`: the reader of stdout goes after
#     the first line; the server must go on serving (no death by SIGPIPE,
#     exit 141) and exit 0 on SIGTERM.
#  2. A stdout that nobody drains (a FIFO we hold open and fill, never
#     read): clients must still be served, and SIGTERM must still stop it.
#
# Every wait is bounded; the server is killed on any failure (trap).
#
# Arguments: the qemu runner, the server binary (runfiles paths).
set -euo pipefail

runfiles=$PWD
runner="$runfiles/$1"
server="$runfiles/$2"

scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/echo_server_output.XXXXXX")
server_pid=""
cleanup() {
  exec 3<&- 5<&- 2>/dev/null || true
  if [[ -n $server_pid ]]; then
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  [[ -s $scratch/pid ]] && kill -9 "$(cat "$scratch/pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
cd "$scratch"

fail() {
  echo "FAIL: $*"
  exit 1
}

# echo_once <port> <text>: one client, one line echoed, within 30 s.
echo_once() {
  exec 3<>"/dev/tcp/127.0.0.1/$1" || fail "cannot connect to port $1"
  printf '%s\n' "$2" >&3
  local echoed=""
  IFS= read -r -t 30 echoed <&3 || fail "no echo of '$2' within 30 s"
  [[ $echoed == "$2" ]] || fail "echoed '$echoed' for '$2'"
  exec 3<&-
}

# wait_gone <pid>: until the process has ended (60 s).
wait_gone() {
  for _ in $(seq 1200); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.05
  done
  fail "process $1 still runs 60 s after SIGTERM"
}

port_of() {
  sed -n 's/^concurrent_echo_server: listening on 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' "$1"
}

# ---- 1. stdout's reader goes after one line ---------------------------------
( "$runner" "$server" --host=127.0.0.1 --port=0 --log_connections 2>server.err &
  echo $! > pid
  code=0
  wait $! || code=$?
  echo "$code" > rc ) | head -n1 > first.txt &

for _ in $(seq 1200); do
  [[ -s first.txt ]] && break
  sleep 0.05
done
port=$(port_of first.txt)
[[ -n $port ]] || fail "no listening line: '$(cat first.txt)'"
# head has exited: stdout has no reader any more.
for i in 1 2 3; do echo_once "$port" "after head, client $i"; done
kill -TERM "$(cat pid)"
for _ in $(seq 1200); do
  [[ -s rc ]] && break
  sleep 0.05
done
[[ -s rc ]] || fail "the server did not stop within 60 s of SIGTERM"
[[ $(cat rc) == 0 ]] ||
  fail "the server exited with $(cat rc) (141: killed by SIGPIPE)"
echo "ok: | head -n1: 3 clients served after stdout's reader left, exit 0"
: > pid

# ---- 2. stdout nobody drains ------------------------------------------------
mkfifo out.fifo
exec 5<>out.fifo  # a reader that never reads (keeps writes from failing)
"$runner" "$server" --host=127.0.0.1 --port=0 --log_connections > out.fifo 2>server2.err &
server_pid=$!
line=""
IFS= read -r -t 60 -u 5 line || fail "no listening line within 60 s"
printf '%s\n' "$line" > listening.txt
port=$(port_of listening.txt)
[[ -n $port ]] || fail "no port in '$line'"
# Fill the pipe to the brim (64 KiB, its default capacity).
head -c 65536 /dev/zero >&5
for i in $(seq 20); do echo_once "$port" "undrained, client $i"; done
kill -TERM "$server_pid"
wait_gone "$server_pid"
code=0
wait "$server_pid" || code=$?
server_pid=""
[[ $code -eq 0 ]] || fail "the server exited with $code after SIGTERM"
echo "ok: undrained stdout: 20 clients served, SIGTERM stopped it, exit 0"
