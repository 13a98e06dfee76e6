#!/usr/bin/env bash
# Measures the hot-path parity table (tools/bench/README.md, "Parity"): for
# each case, the median ipcbox/raw time ratio on one CPU, and user-space
# instructions per operation counted by callgrind, raw and ipcbox.
#
#   ./bazelw build -c opt //tools/bench:all
#   tools/bench/parity.sh [--bin_dir=bazel-bin/tools/bench] [--repetitions=11]
#                         [--ops_scale=0.1] [--cpu=0] [--filter=REGEX]
#
# Needs valgrind (Debian package `valgrind`). Creates nothing outside a
# temporary directory, which it removes; the benchmarks remove their own
# IPC objects.
set -euo pipefail

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  echo "Flags:"
  echo "  --bin_dir=DIR      where the *_bench binaries are (bazel-bin/tools/bench)"
  echo "  --repetitions=N    timed repetitions per case (11)"
  echo "  --ops_scale=X      op-count scale under callgrind (0.1)"
  echo "  --cpu=N            the CPU everything is pinned to (0)"
  echo "  --filter=REGEX     only the rows whose case name matches"
}

bin_dir=bazel-bin/tools/bench
repetitions=11
ops_scale=0.1
cpu=0
filter=.
for arg in "$@"; do
  case "$arg" in
    --help|-h) usage; exit 0 ;;
    --bin_dir=*) bin_dir=${arg#*=} ;;
    --repetitions=*) repetitions=${arg#*=} ;;
    --ops_scale=*) ops_scale=${arg#*=} ;;
    --cpu=*) cpu=${arg#*=} ;;
    --filter=*) filter=${arg#*=} ;;
    *) echo "parity.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
[[ "$repetitions" =~ ^[1-9][0-9]*$ ]] || { echo "parity.sh: bad --repetitions" >&2; exit 2; }
[[ "$cpu" =~ ^[0-9]+$ ]] || { echo "parity.sh: bad --cpu" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "parity.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
bin_dir=$(cd "$bin_dir" && pwd)

# benchmark | --filter substring that selects exactly one case
readonly cases=(
  "pipe_bench|pipe write+read 64 B, one process"
  "pipe_bench|pipe round trip 64 B"
  "fifo_bench|FIFO throughput 16 B writes"
  "fifo_bench|FIFO throughput 4 KiB writes"
  "fifo_bench|FIFO round trip 64 B"
  "semaphore_bench|posix unnamed post+wait, one process"
  "file_lock_bench|fcntl hand-off, ipcbox LockFor"
  "shm_bench|posix set-up 4 KiB"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Inclusive Ir of the first line naming `function` in a callgrind file.
ir_of() {
  callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
    { grep -m1 "internal::$2(" || true; } | awk '{gsub(",", "", $1); print $1}'
}

printf '| %-40s | %-6s | %-11s | %-9s | %-9s | %-6s | %-9s | %-9s |\n' \
  case ratio "min - max" "raw Ir/op" "lib Ir/op" "Ir +%" "peer raw" "peer lib"
for entry in "${cases[@]}"; do
  bench=${entry%%|*}
  name=${entry#*|}
  [[ "$name" =~ $filter ]] || continue
  # Time: the harness's own median ratio, one CPU, both variants alternated.
  row=$(taskset -c "$cpu" "$bin_dir/$bench" --repetitions="$repetitions" \
          --layouts=same --filter="$name" 2>/dev/null | grep "^| $name")
  ratio=$(awk -F'|' '{gsub(/ /, "", $6); print $6}' <<<"$row")
  range=$(awk -F'|' '{gsub(/^ +| +$/, "", $7); print $7}' <<<"$row")
  # Instructions: one repetition under callgrind.
  rm -f "$work"/callgrind.out.* "$work/stderr"
  (cd "$work" && taskset -c "$cpu" valgrind --tool=callgrind \
      --log-file="$work/valgrind.%p" --collect-atstart=no \
      --toggle-collect='ipcbox::bench::internal::*' \
      "$bin_dir/$bench" --repetitions=1 --layouts=same \
      --ops_scale="$ops_scale" --filter="$name" >/dev/null 2>"$work/stderr")
  read -r timed warm < <(grep -m1 "^running: " "$work/stderr" |
    sed -E 's/.*\(([0-9]+) timed \+ ([0-9]+) warm-up.*/\1 \2/')
  parent=$work/$(cd "$work" && ls callgrind.out.* | sort -t. -k3 -n | head -1)
  raw=$(ir_of "$parent" RawBatch)
  lib=$(ir_of "$parent" IpcboxBatch)
  peer_raw=- peer_lib=-
  for f in "$work"/callgrind.out.*; do
    [[ "$f" == "$parent" ]] && continue
    v=$(ir_of "$f" RawPeer)
    if [[ -n "$v" ]]; then peer_raw=$(( v / (timed + warm) )); fi
    v=$(ir_of "$f" IpcboxPeer)
    if [[ -n "$v" ]]; then peer_lib=$(( v / (timed + warm) )); fi
  done
  raw_op=$(( raw / timed ))
  lib_op=$(( lib / timed ))
  extra=$(awk -v r="$raw" -v l="$lib" 'BEGIN { printf "%+.0f", (l / r - 1) * 100 }')
  printf '| %-40s | %-6s | %-11s | %-9s | %-9s | %-6s | %-9s | %-9s |\n' \
    "$name" "$ratio" "$range" "$raw_op" "$lib_op" "$extra" "$peer_raw" "$peer_lib"
done
