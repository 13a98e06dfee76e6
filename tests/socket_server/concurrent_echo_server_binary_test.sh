#!/usr/bin/env bash
# The concurrent_echo_server program itself, through its flags: started on
# 127.0.0.1 with port 0 (the kernel picks a free one, the "listening on"
# line says which), one client slot, 512-byte buffers and a refusal message
# of our own. A client (bash's /dev/tcp) gets its line echoed, a second one
# is refused with the message, then SIGTERM stops the server: exit code 0,
# the connected client closed, and the stop line with the counts.
#
# Every wait is bounded; the server is killed on any failure (trap), so the
# test leaves no process behind.
#
# Arguments: the qemu runner, the server binary (runfiles paths).
set -euo pipefail

runfiles=$PWD
runner="$runfiles/$1"
server="$runfiles/$2"

scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/echo_server_binary.XXXXXX")
server_pid=""
cleanup() {
  exec 3<&- 4<&-
  if [[ -n $server_pid ]]; then
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT
cd "$scratch"

fail() {
  echo "FAIL: $*"
  echo "--- server output:"
  cat server.out 2>/dev/null || true
  exit 1
}

# wait_for <fixed string>: until the server has printed it (60 s: qemu
# starts slowly on a busy machine), failing if the server ends first.
wait_for() {
  for _ in $(seq 1200); do
    grep -qF -- "$1" server.out && return 0
    kill -0 "$server_pid" 2>/dev/null || fail "the server ended before printing '$1'"
    sleep 0.05
  done
  fail "the server did not print '$1' within 60 s"
}

# expect_eof <fd> <who>: the next read on <fd> finds end-of-stream, within
# 30 s (read's status is 1 at end-of-file, above 128 on timeout).
expect_eof() {
  local rc=0 more=""
  IFS= read -r -t 30 -u "$1" more || rc=$?
  [[ $rc -eq 1 && -z $more ]] ||
    fail "$2: expected end-of-stream, read status $rc, data '$more'"
}

refusal='full, come back later'
: > server.out
"$runner" "$server" --host=127.0.0.1 --port=0 --max_connections=1 \
  --buffer_bytes=512 --refusal_message="$refusal"$'\n' --log_connections \
  > server.out 2>&1 &
server_pid=$!

wait_for '-byte buffers)'
port=$(sed -n 's/^concurrent_echo_server: listening on 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' server.out)
[[ -n $port && $port != 0 ]] || fail "no port in the listening line"

# Client 1: its line comes back.
exec 3<>"/dev/tcp/127.0.0.1/$port"
wait_for 'client 1 connected from 127.0.0.1:'
printf 'hello ipcbox\n' >&3
IFS= read -r -t 30 echoed <&3 || fail "no echo within 30 s"
[[ $echoed == 'hello ipcbox' ]] || fail "echoed '$echoed'"

# Client 2: over --max_connections, told so, then end-of-stream.
exec 4<>"/dev/tcp/127.0.0.1/$port"
IFS= read -r -t 30 told <&4 || fail "no refusal within 30 s"
[[ $told == "$refusal" ]] || fail "refused with '$told'"
expect_eof 4 "the refused client"
exec 4<&-

# SIGTERM: exit code 0, client 1 closed, the stop line last.
kill -TERM "$server_pid"
code=0
for _ in $(seq 1200); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.05
done
if kill -0 "$server_pid" 2>/dev/null; then
  fail "the server still runs 60 s after SIGTERM"
fi
wait "$server_pid" || code=$?
server_pid=""
[[ $code -eq 0 ]] || fail "the server exited with $code after SIGTERM"
expect_eof 3 "client 1 after the stop"
exec 3<&-

sed 's/127\.0\.0\.1:[0-9][0-9]*/127.0.0.1:PORT/g' server.out > actual.txt
cat > expected.txt <<'EOF'
concurrent_echo_server: listening on 127.0.0.1:PORT (up to 1 clients, 512-byte buffers)
client 1 connected from 127.0.0.1:PORT (1 connected)
client 1 closed: server stopping (0 connected)
stopped by SIGTERM: 1 clients served, 1 refused, 13 bytes echoed
EOF
if ! cmp -s expected.txt actual.txt; then
  diff -u expected.txt actual.txt || true
  fail "the server's output differs"
fi
echo "ok: concurrent_echo_server on port $port: echo, refusal, SIGTERM"
