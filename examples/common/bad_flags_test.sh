#!/usr/bin/env bash
# Flags that used to be accepted and misbehave are usage errors now: exit 2
# with a message that names the flag, within a bounded time.
#   socket_server --max_clients=-1      (served nobody, exited 0)
#   shutdown --grace=-1s                (SIGKILLed the child at once)
#   popen_demo --lines_file=/tmp        (a directory: exited 0, no output)
#   popen_demo --lines_file=/dev/zero   (grew memory without bound)
#
# Arguments: the qemu runner, socket_server, shutdown, popen_demo.
set -uo pipefail

runner="$PWD/$1"
socket_server="$PWD/$2"
shutdown="$PWD/$3"
popen_demo="$PWD/$4"
failures=0

# expect_usage_error <text in stderr> <program> <args...>
expect_usage_error() {
  local want="$1"
  shift
  local err code
  err=$(timeout 60 "$runner" "$@" 2>&1 >/dev/null)
  code=$?
  if [[ $code -ne 2 ]]; then
    echo "FAIL: $(basename "$1") ${*:2}: exit $code, not 2; stderr: $err"
    failures=$((failures + 1))
  elif ! grep -qF -- "$want" <<<"$err"; then
    echo "FAIL: $(basename "$1") ${*:2}: stderr lacks '$want': $err"
    failures=$((failures + 1))
  else
    echo "ok: $(basename "$1") ${*:2}: exit 2: $err"
  fi
}

expect_usage_error "--max_clients=-1" "$socket_server" --port=0 --max_clients=-1
expect_usage_error "--grace=-1s" "$shutdown" --grace=-1s
expect_usage_error "--child_tick" "$shutdown" --child_tick=-5ms
expect_usage_error "is a directory" "$popen_demo" --lines_file=/tmp
expect_usage_error "longer than" "$popen_demo" --lines_file=/dev/zero
expect_usage_error "--port" "$socket_server" --port=notanumber
((failures == 0))
