#!/usr/bin/env bash
# Checks the SDK archive the way a non-Bazel product uses it: builds
# //dist:sdk for x86_64 and armv7 (--config=embedded, the objects CI's
# embedded build step compiles), unpacks each into a temporary sysroot and
# builds dist/sdk_check_main.cc with plain g++ / arm-linux-gnueabihf-g++ and
# `pkg-config --static --cflags --libs ipcbox`, then runs it (armv7 under
# qemu-arm). Exits non-zero if any of that fails.
#
# Usage: dist/check_sdk.sh [ARCH...]   (default: x86_64 armv7)
set -euo pipefail
readonly self=$(readlink -f "${BASH_SOURCE[0]}")
cd "$(dirname "$self")/.."

if [[ ${1:-} == --help ]]; then
  sed -n '2,9p' "$self" | sed 's/^# \{0,1\}//'
  exit 0
fi
archs=("$@")
[[ ${#archs[@]} -gt 0 ]] || archs=(x86_64 armv7)
for arch in "${archs[@]}"; do
  case $arch in
    x86_64 | aarch64 | armv7) ;;
    *) echo "check_sdk: unknown architecture '$arch' (x86_64, aarch64, armv7)" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

check_arch() {
  # The lock backend is each platform's default (platforms/BUILD.bazel).
  local arch=$1 config=(--config=embedded) triplet cxx run=() backend=ofd
  case $arch in
    x86_64) triplet=x86_64-linux-gnu cxx=g++ ;;
    aarch64) triplet=aarch64-linux-gnu cxx=aarch64-linux-gnu-g++ config+=(--config=aarch64)
      run=(qemu-aarch64) ;;
    armv7) triplet=arm-linux-gnueabihf cxx=arm-linux-gnueabihf-g++ config+=(--config=armv7)
      run=(qemu-arm) backend=fcntl ;;
    *) echo "check_sdk: unknown architecture '$arch' (x86_64, aarch64, armv7)" >&2; exit 2 ;;
  esac

  ./bazelw build --noshow_progress "${config[@]}" //dist:sdk || return 1
  local tarball
  tarball="$(./bazelw info "${config[@]}" bazel-bin 2>/dev/null)/dist/ipcbox-sdk-$arch.tar.gz"
  local sysroot=$work/$arch
  mkdir -p "$sysroot"
  tar -xzf "$tarball" -C "$sysroot"

  # What the archive must hold: headers in the ipcbox/<pkg>/ layout, only
  # ipcbox's own objects, the .pc file.
  [[ -f $sysroot/include/ipcbox/pipe/pipe.h && -f $sysroot/include/ipcbox/socket_server/concurrent_server.h ]] ||
    { echo "check_sdk: headers missing from include/ipcbox/" >&2; return 1; }
  # No internal header ships: a public header that includes one makes it
  # API (tools/check_layering.sh refuses that in lib/).
  local internal
  internal=$(cd "$sysroot/include" && find . -path '*/internal/*' -type f)
  if [[ -n $internal ]]; then
    echo "check_sdk: the archive ships internal headers:" >&2
    echo "$internal" >&2
    return 1
  fi
  [[ -s $sysroot/share/doc/ipcbox/LICENSE ]] ||
    { echo "check_sdk: share/doc/ipcbox/LICENSE missing" >&2; return 1; }
  [[ -f $sysroot/lib/libipcbox.a && -f $sysroot/lib/pkgconfig/ipcbox.pc ]] ||
    { echo "check_sdk: lib/libipcbox.a or lib/pkgconfig/ipcbox.pc missing" >&2; return 1; }
  if ar t "$sysroot/lib/libipcbox.a" | grep -v '^lib_'; then
    echo "check_sdk: libipcbox.a holds objects that are not ipcbox's (above)" >&2
    return 1
  fi

  # PKG_CONFIG_LIBDIR replaces pkg-config's default search path, so only the
  # SDK's and the target architecture's Abseil modules are found.
  local flags
  flags=$(env -u PKG_CONFIG_PATH -u PKG_CONFIG_SYSROOT_DIR \
    PKG_CONFIG_LIBDIR="$sysroot/lib/pkgconfig:/usr/lib/$triplet/pkgconfig" \
    pkg-config --static --cflags --libs ipcbox) || return 1
  echo "pkg-config --static --cflags --libs ipcbox ($arch): $flags"
  [[ " $flags " == *" -labsl_status "* ]] ||
    { echo "check_sdk: Abseil is missing from the static link line" >&2; return 1; }
  if [[ $arch != x86_64 && $flags == *x86_64-linux-gnu* ]]; then
    echo "check_sdk: the host's Abseil leaked into the $arch link line" >&2
    return 1
  fi

  # shellcheck disable=SC2086  # pkg-config output is a list of words
  "$cxx" -std=c++17 -static -o "$sysroot/sdk_check" dist/sdk_check_main.cc $flags || return 1
  local output
  output=$("${run[@]}" "$sysroot/sdk_check") || { echo "$output"; return 1; }
  echo "$output"
  [[ $output == "ok: hello from the ipcbox SDK (lock backend $backend)" ]]
}

# The SDK is all of lib/: a library added there and not to //dist:sdk's deps
# (or reached only through a select() branch this build does not take) would
# be missing from libipcbox.a. Targets tagged not_shipped are compile-time
# checks (each concept's contract applied to every backend).
missing=$(./bazelw cquery --noshow_progress --config=embedded \
  'kind(cc_library, //lib/...) except attr(tags, "\bnot_shipped\b", //lib/...) except deps(//dist:sdk)' 2>/dev/null)
if [[ -n $missing ]]; then
  echo "check_sdk: //dist:sdk does not include these libraries:" >&2
  echo "$missing" >&2
  failed=1
fi

for arch in "${archs[@]}"; do
  echo "--- SDK $arch"
  if check_arch "$arch"; then
    echo "SDK $arch: ok"
  else
    echo "SDK $arch: FAILED"
    failed=1
  fi
done
exit $failed
