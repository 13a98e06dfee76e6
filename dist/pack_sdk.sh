#!/usr/bin/env bash
# Packs the ipcbox SDK tarball (called by the ipcbox_sdk rule, dist/sdk.bzl).
# Usage: pack_sdk.sh OUT AR NM PC_TEMPLATE VERSION ARCH ABSEIL_MODULES LICENSE
#          --defines DEFINE... --public HEADER... --internal HEADER...
#          --objects OBJECT...
set -euo pipefail

out=$1 ar=$2 nm=$3 pc_template=$4 version=$5 arch=$6 abseil_modules=$7 license=$8
shift 8
defines=() public=() internal=() objects=() list=
for arg in "$@"; do
  case $arg in
    --defines | --public | --internal | --objects) list=${arg#--} ;;
    *) eval "$list+=(\"\$arg\")" ;;
  esac
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/include" "$stage/lib/pkgconfig" "$stage/objects"

# lib/<pkg>/<file>.h is included as "ipcbox/<pkg>/<file>.h", platforms/ as it is.
install_header() {
  case $1 in
    lib/*) install -D -m 644 "$1" "$stage/include/ipcbox/${1#lib/}" ;;
    platforms/*) install -D -m 644 "$1" "$stage/include/$1" ;;
    *) echo "pack_sdk: a header outside lib/ and platforms/: $1" >&2; exit 1 ;;
  esac
}
for h in "${public[@]}"; do install_header "$h"; done

# The backend settings are defines in a Bazel build; here they are written
# into the header that reads them, so every includer sees the archive's.
backends=$stage/include/platforms/selected_backends.h
if [[ ! -f $backends || ${#defines[@]} -eq 0 ]]; then
  echo "pack_sdk: no platforms/selected_backends.h or no backend defines" >&2
  exit 1
fi
{
  echo "// The backends libipcbox.a was built with (ipcbox SDK, $arch)."
  for d in "${defines[@]}"; do
    echo "#define ${d%%=*} ${d#*=}"
  done
  echo
  cat "$backends"
} >"$backends.new"
mv "$backends.new" "$backends"

# Internal headers ship only when a shipped header includes them.
declare -A internal_by_name=()
for h in "${internal[@]}"; do internal_by_name["ipcbox/${h#lib/}"]=$h; done
while :; do
  added=0
  while read -r name; do
    [[ -f $stage/include/$name ]] && continue
    # Headers of backends not selected for this build (file_lock.h names
    # all three under #if) are not in the deps; check_sdk.sh compiles
    # against what is shipped.
    [[ -n ${internal_by_name[$name]:-} ]] || continue
    install_header "${internal_by_name[$name]}"
    added=1
  done < <(grep -rhoE '^#include "(ipcbox|platforms)/[^"]+"' "$stage/include" | sed -E 's/.*"(.*)"/\1/' | sort -u)
  [[ $added == 1 ]] || break
done

# Object files from different packages may share a base name (ar would keep
# only one of them), so each is renamed after its path.
for o in "${objects[@]}"; do
  name=${o#*/bin/}
  cp "$o" "$stage/objects/${name//\//_}"
done
# Two objects defining the same strong symbol would link or not depending on
# which the linker pulls first: refuse to pack them.
duplicates=$("$nm" --defined-only --extern-only "$stage"/objects/*.o 2>/dev/null |
  awk '$2 ~ /^[TDBRS]$/ {print $3}' | sort | uniq -d)
if [[ -n $duplicates ]]; then
  echo "pack_sdk: symbols defined by more than one object:" >&2
  echo "$duplicates" >&2
  exit 1
fi
(cd "$stage/objects" && "$ar" rcsD "$stage/lib/libipcbox.a" $(ls))
rm -rf "$stage/objects"

install -D -m 644 "$license" "$stage/share/doc/ipcbox/LICENSE"

sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" \
  -e "s|@ABSEIL_MODULES@|$abseil_modules|" "$pc_template" >"$stage/lib/pkgconfig/ipcbox.pc"

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$stage" \
  -cf - include lib share | gzip -n >"$out"
