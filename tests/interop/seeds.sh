# shellcheck shell=bash
# Sourced by every test that runs a seed's own C program (through
# interop.sh, or directly): what such a test does when it cannot run its
# seed half.
#
# Without ../shared/seeds a developer's run passes, saying SKIPPED. CI sets
# IPCBOX_REQUIRE_SEEDS=1 (bazel test --test_env=IPCBOX_REQUIRE_SEEDS=1): there
# a missing seed article or a busy port fails the test, so that a run where
# no seed program ran cannot pass unnoticed.
#
#   source tests/interop/seeds.sh
#   require_seed_programs "$status_file"      # @seed_programs//:status.txt
#   skip_test "port 9876 is in use here"      # any other reason not to run

# Ends the test: passes saying SKIPPED: <reason>, or fails under
# IPCBOX_REQUIRE_SEEDS (set and not 0).
skip_test() {
  if [[ -n ${IPCBOX_REQUIRE_SEEDS:-} && ${IPCBOX_REQUIRE_SEEDS} != 0 ]]; then
    echo "FAIL: cannot run: $*"
    echo "  (IPCBOX_REQUIRE_SEEDS=${IPCBOX_REQUIRE_SEEDS}: seed interop tests must run, not skip)"
    exit 1
  fi
  echo "SKIPPED: $*"
  exit 0
}

# require_seed_programs <status file> [what is skipped]: skips the test (see
# skip_test) unless @seed_programs built the seeds' programs.
require_seed_programs() {
  if ! grep -q '^available' "$1"; then
    skip_test "${2:+$2: }the seed programs are $(cat "$1")"
  fi
}
