#!/usr/bin/env bash
# Checks the product workspace as a firmware team would use it (CI runs
# this from .ci/run):
#   1. it builds with --config=embedded for x86_64, aarch64 and armv7, with
#      ipcbox as the external repository @ipcbox and ipcbox's ./bazelw;
#   2. each daemon links only the ipcbox mechanisms it depends on (nm):
#      sensord pipes and a message queue, gatewayd sockets and signals;
#   3. the x86_64 pair talks: sensord's readings reach a subscriber through
#      gatewayd, and gatewayd stops cleanly on SIGTERM.
# Exits non-zero, naming what failed, if any of that does not hold.
#
#   examples/product/check.sh [x86_64|aarch64|armv7 ...]   (default: all three)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

readonly work=$(mktemp -d)
gatewayd_pid=""
cleanup() {
  [[ -n $gatewayd_pid ]] && kill "$gatewayd_pid" 2>/dev/null
  rm -rf "$work"
  ../../bazelw shutdown 2>/dev/null  # this workspace's server is not needed again
}
trap cleanup EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# The fragment a product imports must say what ipcbox's own .bazelrc says
# (labels aside): each of its settings must be there, with // for @ipcbox//.
while read -r line; do
  grep -qxF -- "${line//@ipcbox\/\//\/\/}" ../../.bazelrc ||
    fail "bazel/ipcbox.bazelrc has '$line', ipcbox's .bazelrc does not"
done < <(grep -vE '^(#|$)' ../../bazel/ipcbox.bazelrc)

# What each mechanism's code looks like in `nm -C` output.
declare -A mechanism_symbols=(
  [pipe]='ipcbox::(Pipe[A-Za-z]*|CreatePipe|ScopedSigpipeBlock|pipe_internal)\b'
  [message_queue]='ipcbox::((posix|sysv)::MessageQueue|message_queue_internal)\b'
  [socket]='ipcbox::([A-Za-z]*Socket[A-Za-z]*|BasicListener|socket_internal)\b'
  [signal]='ipcbox::([A-Za-z]*Signal[A-Za-z]*|signal_internal)\b'
)
declare -A links=(
  [sensord]='message_queue pipe'
  [gatewayd]='signal socket'
)

# The mechanisms whose code is in a binary, sorted, space-separated.
mechanisms_in() {  # mechanisms_in <nm> <binary>
  local symbols found=()
  symbols=$("$1" -C "$2") || return 1
  for mechanism in $(printf '%s\n' "${!mechanism_symbols[@]}" | sort); do
    grep -qE "${mechanism_symbols[$mechanism]}" <<<"$symbols" && found+=("$mechanism")
  done
  echo "${found[*]}"
}

archs=("$@")
[[ ${#archs[@]} -gt 0 ]] || archs=(x86_64 aarch64 armv7)
for arch in "${archs[@]}"; do
  config=(--config=embedded)
  nm=nm
  case $arch in
    aarch64) config+=(--config=aarch64); nm=aarch64-linux-gnu-nm ;;
    armv7) config+=(--config=armv7); nm=arm-linux-gnueabihf-nm ;;
    x86_64) ;;
    *) echo "check.sh: unknown architecture '$arch'" >&2; exit 2 ;;
  esac
  if ! ../../bazelw build --noshow_progress "${config[@]}" //:sensord //:gatewayd; then
    fail "build for $arch"
    continue
  fi
  mkdir -p "$work/$arch"
  cp bazel-bin/sensord bazel-bin/gatewayd "$work/$arch/"
  for daemon in sensord gatewayd; do
    if ! have=$(mechanisms_in "$nm" "$work/$arch/$daemon"); then
      fail "$nm on $arch $daemon"
    elif [[ $have != "${links[$daemon]}" ]]; then
      fail "$arch $daemon links the code of [$have], expected only [${links[$daemon]}]"
    else
      echo "ok: $arch $daemon links only [$have]"
    fi
  done
done

# The x86_64 pair: sensord | gatewayd, and a subscriber.
bin=$work/x86_64
if [[ -x $bin/sensord && -x $bin/gatewayd ]]; then
  name="ipcbox-product-check-$$"
  "$bin/gatewayd" --socket="$name" --subscribe > "$work/received" &
  subscriber=$!
  "$bin/sensord" --readings=5 | "$bin/gatewayd" --socket="$name" 2>/dev/null
  statuses=("${PIPESTATUS[@]}")
  wait "$subscriber"
  subscriber_status=$?
  expected=$(for n in 1 2 3 4 5; do echo "reading $n $((20000 + 1500 * n))"; done)
  if [[ "${statuses[*]} $subscriber_status" != "0 0 0" ]]; then
    fail "the pair exited with sensord ${statuses[0]}, gatewayd ${statuses[1]}, subscriber $subscriber_status"
  elif [[ "$(cat "$work/received")" != "$expected" ]]; then
    fail "the subscriber received:"$'\n'"$(cat "$work/received")"
  else
    echo "ok: x86_64 pair: 5 readings went sensord -> pipe -> gatewayd -> socket -> subscriber"
  fi

  # SIGTERM while gatewayd waits for a subscriber: a clean stop, exit 0.
  "$bin/gatewayd" --socket="$name-term" < /dev/null 2> "$work/term.log" &
  gatewayd_pid=$!
  for _ in $(seq 100); do  # up to 5 s for it to listen (signals are blocked by then)
    grep -q listening "$work/term.log" && break
    sleep 0.05
  done
  kill -TERM "$gatewayd_pid"
  wait "$gatewayd_pid"
  term_status=$?
  gatewayd_pid=""
  if [[ $term_status -ne 0 ]] || ! grep -q 'SIGTERM, stopping' "$work/term.log"; then
    fail "gatewayd on SIGTERM: exit $term_status, said: $(cat "$work/term.log")"
  else
    echo "ok: x86_64 gatewayd stops cleanly on SIGTERM"
  fi
fi

if [[ $failed -ne 0 ]]; then
  echo "examples/product: FAILED"
  exit 1
fi
echo "examples/product: all checks passed"
