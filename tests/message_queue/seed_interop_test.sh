#!/usr/bin/env bash
# ipcbox's sender and receiver against the seed's own C programs
# (@seed_programs), in both directions, run as the article runs them: one
# after the other from a directory holding queue.h. Each pairing must print
# exactly what the article shows, and the receiver must remove the queue.
#
# Arguments: the qemu runner, @seed_programs' status file, then the seed's
# sender and receiver and ipcbox's sender and receiver (runfiles paths).
set -euo pipefail

source tests/interop/seeds.sh
runfile_args runner status seed_sender seed_receiver ipcbox_sender ipcbox_receiver -- "$@"
require_seed_programs "$status"

scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/mq_interop.XXXXXX")
cd "$scratch"
touch queue.h  # the seed's PathName: any existing file would do

# ftok("queue.h", 123), as glibc computes it: id, device and inode bits.
dev=$(stat -c %d queue.h)
ino=$(stat -c %i queue.h)
key=$(printf '0x%08x' $(((123 << 24) | ((dev & 0xff) << 16) | (ino & 0xffff))))

# Whatever happens, no queue is left behind.
trap 'ipcrm -Q "$key" 2>/dev/null || true; cd /; rm -rf "$scratch"' EXIT

cat > expected_sender.txt <<'TEXT'
msg1 sent as type 1
msg2 sent as type 1
msg3 sent as type 2
msg4 sent as type 2
msg5 sent as type 3
msg6 sent as type 3
TEXT
cat > expected_receiver.txt <<'TEXT'
msg5 received as type 3
msg1 received as type 1
msg3 received as type 2
msg2 received as type 1
msg6 received as type 3
msg4 received as type 2
TEXT

queue_listed() { ipcs -q | awk -v k="$key" '$1 == k { found = 1 } END { exit !found }'; }

check() {  # check <what> <expected file> <actual file>
  if ! cmp -s "$2" "$3"; then
    echo "FAIL: $1"
    diff -u "$2" "$3" || true
    exit 1
  fi
}

# The seed's programs pass sizeof(queuedMessage) as the message text's size,
# which is sizeof(long) more than the struct holds after the type: msgsnd()
# reads, and msgrcv() writes, that many bytes past it. Built with
# AddressSanitizer (--config=asan), they stop there. That is the seed's bug;
# the pairing is skipped, saying so, and the others still run.
skipped=0
seed_stopped_by_asan() {  # <name> <stderr file>
  if grep -q "AddressSanitizer" "$2"; then
    echo "SKIPPED: $1: the seed's program stopped at its own out-of-bounds"
    echo "  $(grep -m1 -o 'AddressSanitizer: [a-z-]*' "$2") in" \
      "$(grep -m1 -o '__interceptor_msg[a-z]*' "$2" | sed 's/__interceptor_//')()"
    ipcrm -Q "$key" 2>/dev/null || true
    skipped=$((skipped + 1))
    return 0
  fi
  return 1
}

pair() {  # pair <name> <sender> <receiver>
  if ! "$runner" "$2" > sender.out 2> sender.err; then
    seed_stopped_by_asan "$1" sender.err && return 0
    echo "FAIL: $1: the sender failed"; cat sender.err; exit 1
  fi
  check "$1: sender output" expected_sender.txt sender.out
  # The queue outlives the sender: six messages wait for the receiver.
  messages=$(ipcs -q | awk -v k="$key" '$1 == k { print $6 }')
  if [ "$messages" != 6 ]; then
    echo "FAIL: $1: ipcs -q shows '$messages' messages under $key, expected 6"
    ipcs -q
    exit 1
  fi
  if ! "$runner" "$3" > receiver.out 2> receiver.err; then
    seed_stopped_by_asan "$1" receiver.err && return 0
    echo "FAIL: $1: the receiver failed"; cat receiver.err; exit 1
  fi
  check "$1: receiver output" expected_receiver.txt receiver.out
  if queue_listed; then
    echo "FAIL: $1: the receiver left the queue $key"
    exit 1
  fi
  echo "ok: $1"
}

pair "seed sender -> ipcbox receiver" "$seed_sender" "$ipcbox_receiver"
pair "ipcbox sender -> seed receiver" "$ipcbox_sender" "$seed_receiver"
pair "ipcbox sender -> ipcbox receiver" "$ipcbox_sender" "$ipcbox_receiver"
pair "seed sender -> seed receiver" "$seed_sender" "$seed_receiver"
echo "$skipped of 4 pairings skipped"
