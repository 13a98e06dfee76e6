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
#   runfile_args runner status_file seed_writer -- "$@"   # absolute paths
#   run_in_namespaces "$@"                    # re-run as root in namespaces

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

# runfile_args <name...> -- <runfile...>: sets each named variable to the
# absolute path of the runfile in the same place (Bazel passes a test its
# arguments relative to the runfiles directory, the working directory).
runfile_args() {
  local names=()
  while [[ $1 != -- ]]; do
    names+=("$1")
    shift
  done
  shift
  local name
  for name in "${names[@]}"; do
    printf -v "$name" '%s' "$PWD/$1"
    shift
  done
}

# run_in_namespaces "$@": re-runs the test script, with its arguments, in
# IPC, mount, network and pid namespaces of its own (unshare, as root), so
# that it never sees or touches the machine's objects; skips the test (see
# skip_test) where they cannot be made. Returns in the re-run, which
# IPCBOX_TEST_NAMESPACES marks.
run_in_namespaces() {
  [[ -z ${IPCBOX_TEST_NAMESPACES:-} ]] || return 0
  local unshare=(unshare --ipc --mount --net --pid --fork --mount-proc --propagation private)
  if ! "${unshare[@]}" true 2>/dev/null; then
    skip_test "cannot make IPC, mount and pid namespaces here (needs root)"
  fi
  IPCBOX_TEST_NAMESPACES=1 exec "${unshare[@]}" bash "$0" "$@"
}
