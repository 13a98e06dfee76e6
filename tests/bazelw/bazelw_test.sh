#!/usr/bin/env bash
# ./bazelw against fake Debian tools: it must pass its arguments to bazel
# when everything is installed, install what is missing as root, and
# otherwise name the missing packages and the commands that install them.
set -euo pipefail

bazelw=$PWD/$1
fakes=$(mktemp -d "${TEST_TMPDIR:-/tmp}/bazelw.XXXXXX")
trap 'rm -rf "$fakes"' EXIT
mkdir "$fakes/bin"
export FAKES=$fakes
export XDG_CACHE_HOME=$fakes/cache

# dpkg-query -W -f=FMT pkg...: "pkg=ii " for installed ones; a package is
# missing while $FAKES/missing lists it.
cat > "$fakes/bin/dpkg-query" <<'FAKE'
#!/usr/bin/env bash
shift 2
for p in "$@"; do
  grep -qxF -- "$p" "$FAKES/missing" 2>/dev/null || printf '%s=ii ' "$p"
done
FAKE
cat > "$fakes/bin/dpkg" <<'FAKE'
#!/usr/bin/env bash
case "$1" in
  --print-foreign-architectures) cat "$FAKES/architectures" ;;
  --add-architecture) echo "$2" >> "$FAKES/architectures" ;;
esac
FAKE
cat > "$fakes/bin/apt-get" <<'FAKE'
#!/usr/bin/env bash
echo "apt-get $*" >> "$FAKES/apt.log"
[[ "$1" == install && -e "$FAKES/apt_works" ]] && : > "$FAKES/missing"
exit 0
FAKE
cat > "$fakes/bin/id" <<'FAKE'
#!/usr/bin/env bash
cat "$FAKES/uid"
FAKE
cat > "$fakes/bin/bazel" <<'FAKE'
#!/usr/bin/env bash
echo "bazel called with: $*"
pwd -P > "$FAKES/bazel_pwd"
FAKE
chmod +x "$fakes/bin/"*
export PATH="$fakes/bin:$PATH"

fail() { echo "FAIL: $*"; exit 1; }
reset() {
  printf 'arm64\narmhf\n' > "$fakes/architectures"
  : > "$fakes/missing"; : > "$fakes/apt.log"; echo 0 > "$fakes/uid"
  rm -f "$fakes/apt_works"
  rm -rf "$fakes/cache"
}

# 1. Everything present: straight to bazel, arguments intact, no apt.
reset
out=$("$bazelw" test --config=armv7 '//a b/...' 2>&1)
[[ "$out" == "bazel called with: test --config=armv7 //a b/..." ]] || fail "pass-through: $out"
[[ ! -s "$fakes/apt.log" ]] || fail "apt ran although nothing was missing"

# 1b. A fresh stamp skips dpkg-query; a newer dpkg database does not.
export BAZELW_DPKG_STATUS=$fakes/dpkg_status
touch -d '1 hour ago' "$BAZELW_DPKG_STATUS"
"$bazelw" version >/dev/null
echo qemu-user > "$fakes/missing"
"$bazelw" version >/dev/null || fail "a fresh stamp did not skip the package check"
touch "$BAZELW_DPKG_STATUS"
if "$bazelw" version >/dev/null 2>&1; then fail "a stale stamp hid a missing package"; fi

# 2. Not root, packages and an architecture missing: explain, exit 1.
reset
printf 'qemu-user\nlibabsl-dev:armhf\n' > "$fakes/missing"
echo arm64 > "$fakes/architectures"
echo 1000 > "$fakes/uid"
if out=$("$bazelw" build //... 2>&1); then fail "succeeded without packages"; fi
for want in qemu-user libabsl-dev:armhf "dpkg --add-architecture armhf" \
  "apt-get update && apt-get install --no-install-recommends libabsl-dev:armhf qemu-user"; do
  grep -qF -- "$want" <<<"$out" || fail "message lacks '$want': $out"
done
grep -q "bazel called" <<<"$out" && fail "bazel ran without its packages"
[[ ! -s "$fakes/apt.log" ]] || fail "apt ran without root"

# 3. Root: adds the architecture, installs exactly what is missing, runs bazel.
reset
printf 'socat\n' > "$fakes/missing"
echo arm64 > "$fakes/architectures"
touch "$fakes/apt_works"
out=$("$bazelw" version 2>&1) || fail "install path failed: $out"
grep -q "install .*socat" "$fakes/apt.log" || fail "socat not installed: $(cat "$fakes/apt.log")"
grep -qx armhf "$fakes/architectures" || fail "armhf not added"
grep -q "bazel called with: version" <<<"$out" || fail "bazel not run after install: $out"

# 4. Root, but the install does not help (no such package): explain, exit 1.
reset
printf 'socat\n' > "$fakes/missing"
if out=$("$bazelw" version 2>&1); then fail "succeeded although socat stayed missing"; fi
grep -qF "socat" <<<"$out" || fail "message lacks socat: $out"

# 5. Bazel works on the workspace around the caller (a product that uses
# ipcbox's bazelw, e.g. examples/product), and on ipcbox from elsewhere.
reset
mkdir -p "$fakes/product/src" "$fakes/nowhere"
touch "$fakes/product/WORKSPACE"
(cd "$fakes/product/src" && "$bazelw" build //... >/dev/null) || fail "bazelw failed in a product"
[[ "$(cat "$fakes/bazel_pwd")" == "$(cd "$fakes/product/src" && pwd -P)" ]] ||
  fail "in a product workspace, bazel ran in $(cat "$fakes/bazel_pwd")"
(cd "$fakes/nowhere" && "$bazelw" build //... >/dev/null) || fail "bazelw failed outside a workspace"
[[ "$(cat "$fakes/bazel_pwd")" == "$(cd "$(dirname "$bazelw")" && pwd -P)" ]] ||
  fail "outside any workspace, bazel ran in $(cat "$fakes/bazel_pwd"), not beside bazelw"

echo "bazelw: pass-through, explain, install, failed-install and workspace paths all behave"
