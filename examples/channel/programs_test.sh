#!/usr/bin/env bash
# The channel example's programs from the command line: sensor_publisher
# with a busy and a slow sensor_subscriber (each must account for every
# sample: received + missed = published, the last one received), and bad
# flags as usage errors (exit 2, naming the flag). Every run is bounded;
# the channel's name is removed even if a program fails.
#
# Arguments: the qemu runner, sensor_publisher, sensor_subscriber.
set -uo pipefail

runner="$PWD/$1"
publisher="$PWD/$2"
subscriber="$PWD/$3"
failures=0
name="/channel_programs_test.$$.$RANDOM"
scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/channel_programs.XXXXXX")
trap 'rm -f "/dev/shm$name"; rm -rf "$scratch"' EXIT

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

expect_usage_error() {
  local want="$1"
  shift
  local err code
  err=$(timeout 60 "$runner" "$@" 2>&1 >/dev/null)
  code=$?
  if [[ $code -ne 2 ]]; then
    fail "$(basename "$1") ${*:2}: exit $code, not 2; stderr: $err"
  elif ! grep -qF -- "$want" <<<"$err"; then
    fail "$(basename "$1") ${*:2}: stderr lacks '$want': $err"
  else
    echo "ok: $(basename "$1") ${*:2}: exit 2"
  fi
}

expect_usage_error "--policy" "$publisher" --policy=fastest
expect_usage_error "--rate_hz" "$publisher" --rate_hz=0
expect_usage_error "--subscribers" "$publisher" --subscribers=17
expect_usage_error "--mode" "$subscriber" --mode=lazy

readonly count=500
timeout 60 "$runner" "$publisher" --name="$name" --count=$count \
  --rate_hz=1000 --subscribers=2 --slots=8 --attach_timeout=30s \
  >"$scratch/pub" 2>&1 &
pub=$!
timeout 60 "$runner" "$subscriber" --name="$name" --mode=busy \
  >"$scratch/busy" 2>&1 &
busy=$!
timeout 60 "$runner" "$subscriber" --name="$name" --mode=slow --work=3ms \
  >"$scratch/slow" 2>&1 &
slow=$!
wait $pub || fail "sensor_publisher exited $?: $(cat "$scratch/pub")"
wait $busy || fail "busy sensor_subscriber exited $?: $(cat "$scratch/busy")"
wait $slow || fail "slow sensor_subscriber exited $?: $(cat "$scratch/slow")"
cat "$scratch/pub" "$scratch/busy" "$scratch/slow"

grep -q "^published $count samples" "$scratch/pub" ||
  fail "the publisher did not say it published $count samples"
for who in busy slow; do
  totals=$(grep '^totals:' "$scratch/$who")
  received=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' <<<"$totals")
  missed=$(sed -n 's/.*missed=\([0-9]*\).*/\1/p' <<<"$totals")
  last=$(sed -n 's/.*last=\([0-9]*\).*/\1/p' <<<"$totals")
  if [[ -z "$received" || $((received + missed)) -ne $count ||
        "$last" -ne $((count - 1)) ]]; then
    fail "$who: '$totals' does not account for $count samples"
  fi
done
grep -q '^slow subscriber: latency p50 ' "$scratch/slow" ||
  fail "the slow subscriber reported no latency percentiles"
[[ -e "/dev/shm$name" ]] && fail "the channel $name was left in /dev/shm"

((failures == 0)) && echo "PASS"
((failures == 0))
