#!/usr/bin/env bash
# Prints ipcbox's footprint table: for each mechanism, a minimal program that
# uses it (programs/<mechanism>_ipcbox.cc) against the same program written
# with system calls (programs/<mechanism>_raw.cc), for x86_64, aarch64 and
# armv7, linked statically and dynamically (Abseil and libstdc++ as Debian's
# shared objects, as an image with many daemons ships them).
#
# ipcbox's objects come from the SDK archive (//dist:sdk, --config=embedded);
# the programs are compiled and linked with that configuration's flags. Bazel
# cannot run this as `bazel run` (it builds with Bazel itself), and Bazel's
# toolchains link only statically.
#
# Usage: tools/footprint/footprint.sh [--arch=A]... [--mechanism=M]...
#          [--max-own-kib=N] [--help]
#   --arch=A          x86_64, aarch64 or armv7 (repeatable; default all three)
#   --mechanism=M     one of the mechanisms below (repeatable; default all)
#   --max-own-kib=N   exit 1 if a mechanism's own .text exceeds N KiB on armv7
# Columns (bytes of .text): own = ipcbox:: functions in the static program;
# static / raw = the whole static program and its raw twin; dynamic / raw =
# the executables alone when linked dynamically (shared objects not counted).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

readonly all_mechanisms=(pipe fifo file_lock shared_file shm mapped_file
  semaphore message_queue socket socket_server signal process)

usage() { sed -n '2,/^set -e/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

archs=() mechanisms=() max_own_kib=
for arg in "$@"; do
  case $arg in
    --help | -h) usage; exit 0 ;;
    --arch=*) archs+=("${arg#*=}") ;;
    --mechanism=*) mechanisms+=("${arg#*=}") ;;
    --max-own-kib=*) max_own_kib=${arg#*=} ;;
    *) echo "footprint: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
[[ ${#archs[@]} -gt 0 ]] || archs=(x86_64 aarch64 armv7)
[[ ${#mechanisms[@]} -gt 0 ]] || mechanisms=("${all_mechanisms[@]}")
for m in "${mechanisms[@]}"; do
  [[ " ${all_mechanisms[*]} " == *" $m "* ]] ||
    { echo "footprint: unknown mechanism '$m' (${all_mechanisms[*]})" >&2; exit 2; }
done
if [[ -n $max_own_kib && ! $max_own_kib =~ ^[0-9]+$ ]]; then
  echo "footprint: --max-own-kib wants a whole number" >&2
  exit 2
fi

# The flags the embedded config compiles ipcbox with (toolchains/linux_gcc.bzl
# opt flags, then .bazelrc's embedded ones).
readonly cxxflags=(-std=c++17 -O2 -Os -g0 -DNDEBUG -D_FORTIFY_SOURCE=2
  -ffunction-sections -fdata-sections -fno-exceptions -fno-rtti
  -fno-omit-frame-pointer -fstack-protector-strong -Wno-psabi)
readonly ldflags=(-Wl,--gc-sections -pthread)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
over=()

text_size() { "$1size" -A "$2" | awk '$1 == ".text" {print $2}'; }
# Bytes of functions in namespace ipcbox (or instantiated for its types).
own_size() {
  "$1nm" --size-sort --radix=d -C "$2" |
    awk '$2 ~ /^[tTwW]$/ && /ipcbox::/ {sum += $1} END {print sum + 0}'
}

echo "| arch | mechanism | own | static | raw static | +static | dynamic | raw dynamic | +dynamic |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for arch in "${archs[@]}"; do
  case $arch in
    x86_64) triplet=x86_64-linux-gnu prefix= config=() ;;
    aarch64) triplet=aarch64-linux-gnu prefix=aarch64-linux-gnu- config=(--config=aarch64) ;;
    armv7) triplet=arm-linux-gnueabihf prefix=arm-linux-gnueabihf- config=(--config=armv7) ;;
    *) echo "footprint: unknown arch '$arch' (x86_64, aarch64, armv7)" >&2; exit 2 ;;
  esac
  ./bazelw build --noshow_progress --config=embedded "${config[@]}" //dist:sdk >&2
  sysroot=$work/$arch
  mkdir -p "$sysroot"
  tar -xzf "$(./bazelw info --config=embedded "${config[@]}" bazel-bin 2>/dev/null)/dist/ipcbox-sdk-$arch.tar.gz" \
    -C "$sysroot"
  read -ra sdk_flags < <(env -u PKG_CONFIG_PATH -u PKG_CONFIG_SYSROOT_DIR \
    PKG_CONFIG_LIBDIR="$sysroot/lib/pkgconfig:/usr/lib/$triplet/pkgconfig" \
    pkg-config --static --cflags --libs ipcbox)
  cxx=${prefix}g++
  rpath_link=(-Wl,-rpath-link,/usr/lib/$triplet)

  for m in "${mechanisms[@]}"; do
    declare -A text=()
    for kind in ipcbox raw; do
      src=tools/footprint/programs/${m}_$kind.cc
      obj=$sysroot/${m}_$kind.o
      flags=()
      [[ $kind == raw ]] || flags=("${sdk_flags[@]}")
      "$cxx" "${cxxflags[@]}" -I"$sysroot/include" -c "$src" -o "$obj"
      "$cxx" -static "${ldflags[@]}" -o "$obj.static" "$obj" "${flags[@]}"
      "$cxx" "${ldflags[@]}" -Wl,--as-needed "${rpath_link[@]}" -o "$obj.dynamic" "$obj" "${flags[@]}"
      text[$kind.static]=$(text_size "$prefix" "$obj.static")
      text[$kind.dynamic]=$(text_size "$prefix" "$obj.dynamic")
    done
    own=$(own_size "$prefix" "$sysroot/${m}_ipcbox.o.static")
    printf '| %s | %s | %d | %d | %d | %+d | %d | %d | %+d |\n' "$arch" "$m" "$own" \
      "${text[ipcbox.static]}" "${text[raw.static]}" $((text[ipcbox.static] - text[raw.static])) \
      "${text[ipcbox.dynamic]}" "${text[raw.dynamic]}" $((text[ipcbox.dynamic] - text[raw.dynamic]))
    if [[ -n $max_own_kib && $arch == armv7 && $own -gt $((max_own_kib * 1024)) ]]; then
      over+=("$m ($own bytes)")
    fi
    unset text
  done
done

if [[ ${#over[@]} -gt 0 ]]; then
  echo "footprint: over $max_own_kib KiB of own .text on armv7: ${over[*]}" >&2
  exit 1
fi
