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
#   --mechanism=M     pipe, fifo, file_lock, shared_file, shm, mapped_file,
#                     semaphore, message_queue, socket, socket_server, signal
#                     or process (repeatable; default all)
#   --max-own-kib=N   exit 1 if a mechanism's package .text exceeds N KiB on
#                     armv7
#   --sdk-dir=DIR     take ipcbox-sdk-<arch>.tar.gz from DIR instead of building
#   --floor-breakdown also print the Status floor's static .text per archive
# Columns, bytes of .text: package = the mechanism's own objects (its
# lib/<mechanism> package) in the static program, which is what
# --max-own-kib checks; ipcbox = all of ipcbox's functions in it, with the
# mechanisms it is built on and lib/core (each function once, also where
# the compiler gave it two names); static = the whole static program, then its excess over the raw twin and
# over programs/status_floor.cc (one absl::Status, the floor under any
# ipcbox program); dynamic = the executable alone when linked dynamically
# (Abseil and libstdc++ shared objects not counted), then its excess over
# the raw twin, dynamic too.
set -euo pipefail
readonly self=$(readlink -f "${BASH_SOURCE[0]}")
cd "$(dirname "$self")/../.."

readonly all_mechanisms=(pipe fifo file_lock shared_file shm mapped_file
  semaphore message_queue socket socket_server signal process channel)

usage() { sed -n '2,/^set -e/p' "$self" | sed '$d' | sed 's/^# \{0,1\}//'; }

archs=() mechanisms=() max_own_kib= sdk_dir= floor_breakdown=
for arg in "$@"; do
  case $arg in
    --help | -h) usage; exit 0 ;;
    --arch=*) archs+=("${arg#*=}") ;;
    --mechanism=*) mechanisms+=("${arg#*=}") ;;
    --max-own-kib=*) max_own_kib=${arg#*=} ;;
    --sdk-dir=*) sdk_dir=${arg#*=} ;;
    --floor-breakdown) floor_breakdown=1 ;;
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
# A constructor's complete- and base-object names can share one body, so
# each address counts once.
ipcbox_size() {
  "$1nm" -S --size-sort --radix=d -C "$2" |
    awk '$3 ~ /^[tTwW]$/ && /ipcbox::/ && !seen[$1]++ {sum += $2} END {print sum + 0}'
}

# Bytes of .text the link map attributes to the mechanism's own package.
package_size() {  # map package
  awk -v by=package -f tools/footprint/text_by_library.awk "$1" |
    awk -v package="$2" '$2 == package {print $1; found = 1} END {if (!found) print 0}'
}

# Builds one program statically and dynamically; prints "static dynamic" .text.
build_program() {  # name source [link flags...]
  local name=$1 src=$2 obj=$sysroot/$1.o
  shift 2
  "$cxx" "${cxxflags[@]}" -I"$sysroot/include" -c "$src" -o "$obj"
  "$cxx" -static "${ldflags[@]}" -Wl,-Map,"$obj.map" -o "$obj.static" "$obj" "$@"
  "$cxx" "${ldflags[@]}" -Wl,--as-needed "${rpath_link[@]}" -o "$obj.dynamic" "$obj" "$@"
  echo "$(text_size "$prefix" "$obj.static") $(text_size "$prefix" "$obj.dynamic")"
}

echo "| arch | mechanism | package | ipcbox | static | − raw | − Status floor | dynamic | − raw |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for arch in "${archs[@]}"; do
  case $arch in
    x86_64) triplet=x86_64-linux-gnu prefix= config=() ;;
    aarch64) triplet=aarch64-linux-gnu prefix=aarch64-linux-gnu- config=(--config=aarch64) ;;
    armv7) triplet=arm-linux-gnueabihf prefix=arm-linux-gnueabihf- config=(--config=armv7) ;;
    *) echo "footprint: unknown arch '$arch' (x86_64, aarch64, armv7)" >&2; exit 2 ;;
  esac
  if [[ -n $sdk_dir ]]; then
    tarball=$sdk_dir/ipcbox-sdk-$arch.tar.gz
  else
    ./bazelw build --noshow_progress --config=embedded "${config[@]}" //dist:sdk >&2
    tarball="$(./bazelw info --config=embedded "${config[@]}" bazel-bin 2>/dev/null)/dist/ipcbox-sdk-$arch.tar.gz"
  fi
  sysroot=$work/$arch
  mkdir -p "$sysroot"
  tar -xzf "$tarball" -C "$sysroot"
  read -ra sdk_flags < <(env -u PKG_CONFIG_PATH -u PKG_CONFIG_SYSROOT_DIR \
    PKG_CONFIG_LIBDIR="$sysroot/lib/pkgconfig:/usr/lib/$triplet/pkgconfig" \
    pkg-config --static --cflags --libs ipcbox)
  cxx=${prefix}g++
  rpath_link=(-Wl,-rpath-link,/usr/lib/$triplet)

  read -r floor_static _ < <(build_program status_floor tools/footprint/programs/status_floor.cc "${sdk_flags[@]}")
  echo "| $arch | (Status floor) | 0 | 0 | $floor_static | | | | |"
  if [[ -n $floor_breakdown ]]; then
    awk -f tools/footprint/text_by_library.awk "$sysroot/status_floor.o.map" | sort -rn |
      sed "s/^/  floor $arch: /" >>"$work/breakdown"
  fi
  for m in "${mechanisms[@]}"; do
    read -r ipcbox_static ipcbox_dynamic < <(build_program "${m}_ipcbox" \
      "tools/footprint/programs/${m}_ipcbox.cc" "${sdk_flags[@]}")
    read -r raw_static raw_dynamic < <(build_program "${m}_raw" "tools/footprint/programs/${m}_raw.cc")
    own=$(package_size "$sysroot/${m}_ipcbox.o.map" "$m")
    all=$(ipcbox_size "$prefix" "$sysroot/${m}_ipcbox.o.static")
    printf '| %s | %s | %d | %d | %d | %+d | %+d | %d | %+d |\n' "$arch" "$m" "$own" \
      "$all" "$ipcbox_static" $((ipcbox_static - raw_static)) \
      $((ipcbox_static - floor_static)) "$ipcbox_dynamic" $((ipcbox_dynamic - raw_dynamic))
    if [[ -n $max_own_kib && $arch == armv7 && $own -gt $((max_own_kib * 1024)) ]]; then
      over+=("$m ($own bytes)")
    fi
  done
done

[[ -z $floor_breakdown ]] || { echo; cat "$work/breakdown"; }

if [[ ${#over[@]} -gt 0 ]]; then
  echo "footprint: over $max_own_kib KiB of own .text on armv7: ${over[*]}" >&2
  exit 1
fi
