#!/usr/bin/env bash
# ipcbox's shutdown and the seed's own C program (@seed_programs//:shutdown),
# both with the seed's timings (5 s, 1 s, 1 s), must print the article's
# sample run: "Parent sleeping for a time...", the child's tick lines (4 in
# the article; 4 or 5 depending on how the 5th tick races SIGTERM), the
# child's three lines for signal 15, and the parent's last line.
#
# Both run on a pseudo-terminal (script(1)), as in the article: the seed
# prints through stdio and ends its child with _exit() from the handler, so
# with stdout a pipe its child's buffered lines are lost (only the parent's
# two lines come out). ipcbox's port writes each line whole, so it is also
# checked through a plain pipe.
#
# Arguments: the qemu runner, @seed_programs' status file, the seed's
# shutdown and ipcbox's shutdown (runfiles paths).
set -euo pipefail

source tests/interop/seeds.sh

runfiles=$PWD
runner="$runfiles/$1"
status="$runfiles/$2"
seed="$runfiles/$3"
ours="$runfiles/$4"

scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/shutdown_interop.XXXXXX")
trap 'cd /; rm -rf "$scratch"' EXIT
cd "$scratch"

# Checks transcript $1 (named $2) against the article's output.
check() {
  local file=$1 name=$2
  tr -d '\r' < "$file" > "$file.lf"
  local ticks
  ticks=$(grep -cx $'\tChild just woke up, but going back to sleep.' "$file.lf" || true)
  {
    echo "Parent sleeping for a time..."
    for ((i = 0; i < ticks; i++)); do
      echo $'\tChild just woke up, but going back to sleep.'
    done
    echo $'\tChild confirming received signal: 15'
    echo $'\tChild about to terminate gracefully...'
    echo $'\tChild terminating now...'
    echo "My child terminated, about to exit myself..."
  } > expected
  if ! cmp -s expected "$file.lf"; then
    echo "FAIL: $name's output is not the article's"
    diff -u expected "$file.lf" || true
    exit 1
  fi
  if ((ticks < 3 || ticks > 6)); then
    echo "FAIL: $name ticked $ticks times in 5 s at 1 s per tick"
    exit 1
  fi
  echo "$name: the article's output, $ticks tick lines"
}

# On a terminal, as the article runs them.
run_on_pty() { script -qec "'$runner' '$1' ${2:-}" /dev/null > "$3"; }

run_on_pty "$ours" "" ours_pty.txt
check ours_pty.txt "ipcbox shutdown (terminal)"

# Through a pipe, with short sleeps: the same lines.
"$runner" "$ours" --parent_sleep=600ms --child_tick=100ms \
  --graceful_pause=20ms | cat > ours_pipe.txt
if ! grep -qx $'\tChild terminating now...' ours_pipe.txt; then
  echo "FAIL: ipcbox shutdown lost the child's lines through a pipe"
  cat ours_pipe.txt
  exit 1
fi

require_seed_programs "$status" "the seed half"
run_on_pty "$seed" "" seed_pty.txt
check seed_pty.txt "seed shutdown (terminal)"
echo "PASS"
