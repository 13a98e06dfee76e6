#!/usr/bin/env bash
# ipcbox's memwriter/memreader against the seed article's own C programs
# (@seed_programs), both ways, with the seeds' names: the POSIX shared
# memory object /shMemEx and the semaphore "mysemaphore" (glibc's
# /dev/shm/sem.mysemaphore, which ipcbox calls "/mysemaphore").
#
# Arguments: the qemu runner, @seed_programs' status file, then the seed's
# memwriter and memreader, then ipcbox's memwriter and memreader.
set -euo pipefail

source tests/interop/seeds.sh
runfile_args runner status_file seed_writer seed_reader writer reader -- "$@"
require_seed_programs "$status_file"

scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/memwriter_interop.XXXXXX")
writer_pid=
cleanup() {
  [[ -n $writer_pid ]] && kill -9 "$writer_pid" 2>/dev/null
  # The C programs never remove the semaphore, and the C reader cannot
  # remove the memory (it calls unlink, not shm_unlink).
  rm -f /dev/shm/shMemEx /dev/shm/sem.mysemaphore
  rm -rf "$scratch"
}
trap cleanup EXIT
cd "$scratch"
# A run interrupted earlier must not leave a semaphore at 1 for this one.
rm -f /dev/shm/shMemEx /dev/shm/sem.mysemaphore

expected='This is the way the world ends...'

fail() {
  echo "FAIL: $*"
  exit 1
}

# Waits (30 s at most) until the writer has mapped the memory and said so.
await_writer() {
  local err=$1
  for _ in $(seq 300); do
    grep -q '^backing file:' "$err" && return 0
    kill -0 "$writer_pid" 2>/dev/null || fail "the writer exited early: $(cat "$err")"
    sleep 0.1
  done
  fail "the writer did not report within 30 s: $(cat "$err")"
}

# The seed's memwriter, ipcbox's memreader.
"$runner" "$seed_writer" 2> seed_writer.err &
writer_pid=$!
await_writer seed_writer.err
"$runner" "$reader" --timeout=30s > ipcbox_reader.out ||
  fail "ipcbox's memreader exited $? reading the seed's memory"
[[ "$(cat ipcbox_reader.out)" == "$expected" ]] ||
  fail "ipcbox's memreader printed: $(cat ipcbox_reader.out)"
wait "$writer_pid" || fail "the seed's memwriter exited $?"
writer_pid=
echo "seed memwriter -> ipcbox memreader: OK"

# ipcbox's memwriter, the seed's memreader (which would wait forever).
rm -f /dev/shm/sem.mysemaphore  # Left at 1 by the run above, as the seeds do.
"$runner" "$writer" --sleep_seconds=3 2> ipcbox_writer.err &
writer_pid=$!
await_writer ipcbox_writer.err
grep -Eq '^shared mem address: (0x)?[0-9a-f]+ \[0\.\.511\]$' ipcbox_writer.err ||
  fail "ipcbox's memwriter printed: $(cat ipcbox_writer.err)"
grep -q "^backing file:"$'\t\t'"/dev/shm/shMemEx$" ipcbox_writer.err ||
  fail "ipcbox's memwriter printed: $(cat ipcbox_writer.err)"
timeout 30 "$runner" "$seed_reader" > seed_reader.out ||
  fail "the seed's memreader exited $? reading ipcbox's memory"
wait "$writer_pid" || fail "ipcbox's memwriter exited $?"
writer_pid=
cmp -s seed_reader.out ipcbox_reader.out ||
  fail "the two readers print different bytes: $(od -c seed_reader.out)"
[[ ! -e /dev/shm/shMemEx && ! -e /dev/shm/sem.mysemaphore ]] ||
  fail "ipcbox's memwriter left $(ls /dev/shm)"
echo "ipcbox memwriter -> seed memreader: OK, same bytes as ipcbox's reader"
echo "ipcbox's memwriter removed the memory and the semaphore"
