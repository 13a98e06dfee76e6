#!/usr/bin/env bash
# ipcbox's producer/consumer against the seed article's own C programs
# (@seed_programs), in both directions, with the seeds' defaults: data.dat
# in the current directory.
#
# Arguments: the qemu runner, @seed_programs' status file, then the seed's
# producer and consumer, then ipcbox's producer and consumer.
set -euo pipefail

source tests/interop/seeds.sh
runfile_args runner status_file seed_producer seed_consumer producer consumer -- "$@"
require_seed_programs "$status_file"

scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/shared_file_interop.XXXXXX")
trap 'cd /; rm -rf "$scratch"' EXIT
cd "$scratch"

expected=$'Now is the winter of our discontent\nMade glorious summer by this sun of York'

fail() {
  echo "FAIL: $*"
  exit 1
}

# ipcbox's producer, the seed's consumer.
"$runner" "$producer" 2> producer.err
grep -Eq '^Process [0-9]+ has written to data file\.\.\.$' producer.err ||
  fail "ipcbox producer printed: $(cat producer.err)"
[[ "$("$runner" "$seed_consumer")" == "$expected" ]] ||
  fail "the seed's consumer did not read what ipcbox's producer wrote"
echo "ipcbox producer -> seed consumer: OK"

# The seed's producer, ipcbox's consumer.
rm -f data.dat
"$runner" "$seed_producer" 2> seed_producer.err
grep -Eq '^Process [0-9]+ has written to data file\.\.\.$' seed_producer.err ||
  fail "seed producer printed: $(cat seed_producer.err)"
"$runner" "$consumer" > ipcbox.out
"$runner" "$seed_consumer" > seed.out
cmp -s ipcbox.out seed.out ||
  fail "ipcbox's consumer prints something else than the seed's: $(diff seed.out ipcbox.out)"
[[ "$(cat ipcbox.out)" == "$expected" ]] || fail "unexpected output: $(cat ipcbox.out)"
echo "seed producer -> ipcbox consumer: OK, same bytes as the seed's consumer"

# Both producers agree on the bytes they leave in data.dat.
cp data.dat seed.dat
"$runner" "$producer" 2> /dev/null
cmp -s data.dat seed.dat || fail "the two producers write different bytes"
echo "both producers write the same $(wc -c < data.dat) bytes"

# No file: both consumers fail with exit status 255.
rm -f data.dat
set +e
"$runner" "$consumer" 2> ipcbox.err; ipcbox_status=$?
"$runner" "$seed_consumer" 2> seed.err; seed_status=$?
set -e
[[ $ipcbox_status -eq 255 && $seed_status -eq 255 ]] ||
  fail "without data.dat: ipcbox exited $ipcbox_status, the seed $seed_status"
grep -q '^open to read failed\.\.\.: No such file or directory$' ipcbox.err ||
  fail "ipcbox consumer printed: $(cat ipcbox.err)"
echo "absent data.dat: both consumers exit 255 ($(cat seed.err))"
