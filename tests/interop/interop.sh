# Sourced by the interop tests: run an ipcbox example against a seed's own C
# program. Binaries may be ARM (--config=aarch64/armv7), so every program is
# started through the qemu runner, which runs host binaries directly.
#
#   source tests/interop/interop.sh
#   interop_init "$1" "$2"          # the runner and @seed_programs//:status.txt
#   require_seeds
#   run "$(runfile "$3")" > seed.out
#
# Every test works in its own scratch directory, removed on exit.
set -euo pipefail

readonly runfiles=$PWD

# The absolute path of a runfile given as a workspace-relative path.
runfile() { echo "$runfiles/$1"; }

interop_init() {
  RUNNER=$(runfile "$1")
  SEED_STATUS=$(runfile "$2")
  scratch=$(mktemp -d "${TEST_TMPDIR:-/tmp}/interop.XXXXXX")
  trap 'cd /; rm -rf "$scratch"' EXIT
}

# Runs a program of any architecture.
run() { "$RUNNER" "$@"; }

require_seeds() {
  if ! grep -q '^available' "$SEED_STATUS"; then
    echo "SKIPPED: the seed programs are $(cat "$SEED_STATUS")"
    exit 0
  fi
}

# Fails the test with a message and a diff of two files.
expect_same_file() {
  if ! cmp -s "$1" "$2"; then
    echo "FAIL: $3"
    diff -u "$1" "$2" || true
    exit 1
  fi
}

# Fails the test unless file $1 contains the line fragment $2.
expect_contains() {
  if ! grep -qF -- "$2" "$1"; then
    echo "FAIL: $(basename "$1") lacks: $2"
    echo "--- $(basename "$1"):"
    cat "$1"
    exit 1
  fi
}
