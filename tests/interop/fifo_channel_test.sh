#!/usr/bin/env bash
# ipcbox's fifo_writer and fifo_reader against the seed's own fifoWriter and
# fifoReader, both ways, as the article runs them: from one directory, the
# writer first (it makes ./fifoChannel, the reader only opens it), every
# program with its defaults (the writer's pauses included). Each pairing
# must print the article's two lines, 768000 ints and the 37682 primes
# among them (glibc's default rand() sequence, see
# examples/fifo/fifo_channel.h and tests/fifo:fifo_channel_full_run_test),
# and leave no ./fifoChannel.
#
# How long a pairing takes: the writer's 12000 pauses of 1..250 us come to
# about 4 s on x86_64 and 5 s under qemu-arm (measured with cat as the
# reader); the readers' trial division, about 3 s on x86_64 and 110 s or
# more under qemu-arm (armv7 here has no integer divide instruction, and
# qemu emulates the library calls). Hence a large test in two shards, one
# pairing each.
#
# Arguments: the qemu runner, @seed_programs' status file, then the seed's
# fifoWriter and fifoReader and ipcbox's fifo_writer and fifo_reader.
source tests/interop/interop.sh
interop_init seed_writer seed_reader ipcbox_writer ipcbox_reader -- "$@"

echo "768000 ints sent to the pipe." > expected_writer.txt
echo "Received ints: 768000, primes: 37682" > expected_reader.txt

# pair <name> <writer> <reader>
pair() {
  local name=$1 writer=$2 reader=$3 writer_pid started=$SECONDS
  rm -f ./*.out ./*.err
  run "$writer" > writer.out 2> writer.err &
  writer_pid=$!
  track "$writer_pid"
  # The seeds' reader gives up if the FIFO is not there yet.
  await "$name: the writer's ./fifoChannel" "$writer_pid" test -p fifoChannel
  run "$reader" > reader.out 2> reader.err || fail "$name: the reader exited with $?"
  finish "$name: the writer" "$writer_pid" 0
  expect_same_file expected_writer.txt writer.out "$name: the writer's output"
  expect_same_file expected_reader.txt reader.out "$name: the reader's output"
  [[ ! -e fifoChannel && ! -L fifoChannel ]] || fail "$name: ./fifoChannel was left"
  # For the record only (the writer's pauses, and qemu, set the pace).
  echo "ok: $name: $(cat reader.out) ($((SECONDS - started)) s)"
}

# One pairing per shard: under qemu-arm a reader takes minutes (below).
if in_this_shard 0; then
  pair "seed fifoWriter -> ipcbox fifo_reader" "$seed_writer" "$ipcbox_reader"
fi
if in_this_shard 1; then
  pair "ipcbox fifo_writer -> seed fifoReader" "$ipcbox_writer" "$seed_reader"
fi
