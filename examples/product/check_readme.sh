#!/usr/bin/env bash
# Builds and runs the README's "In a Bazel workspace" example as a new user
# would: a product workspace outside the repository made only of the
# README's snippets (with /path/to/ipcbox replaced by this checkout), then
# the README's commands, each of which must print "through a pipe: hello".
# Used by .ci/run; exits non-zero if the README's example does not work.
set -euo pipefail
ipcbox=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
readme=$ipcbox/README.md

# A fixed place, so that repeated runs reuse one Bazel output base.
product=${TMPDIR:-/tmp}/ipcbox-readme-product
rm -rf "$product"
mkdir -p "$product"
trap '(cd "$product" && "$ipcbox/bazelw" shutdown >/dev/null 2>&1); rm -rf "$product"' EXIT

# The fenced block after each "<!-- product-file: NAME -->" line is NAME.
files=$(awk -v dir="$product" -v root="$ipcbox" '
  /^<!-- product-file: .* -->$/ { name = $3; next }
  name != "" && /^```/ { if (inside) { name = ""; inside = 0 } else inside = 1; next }
  inside { gsub("/path/to/ipcbox", root); print > (dir "/" name); written[name] = 1 }
  END { for (n in written) print n }' "$readme")
for wanted in WORKSPACE .bazelrc BUILD.bazel hello_pipe.cc; do
  grep -qxF "$wanted" <<<"$files" || { echo "FAIL: README has no $wanted snippet"; exit 1; }
done

commands=$(awk -v root="$ipcbox" '
  /^<!-- product-commands -->$/ { want = 1; next }
  want && /^```/ { if (inside) exit; inside = 1; next }
  inside { gsub("/path/to/ipcbox", root); sub(/ *#.*/, ""); print }' "$readme")
[[ $(grep -c . <<<"$commands") -ge 2 ]] || { echo "FAIL: README's commands not found"; exit 1; }

cd "$product"
failed=0
while read -r command; do
  echo "+ ${command#"$ipcbox"/}"
  if ! output=$(bash -c "${command/ run / run --noshow_progress }" 2>"$product.log"); then
    cat "$product.log"
    echo "FAIL: exit status $?"
    failed=1
  elif [[ $output != "through a pipe: hello" ]]; then
    echo "FAIL: printed '$output'"
    failed=1
  else
    echo "$output"
  fi
done <<<"$commands"
rm -f "$product.log"
[[ $failed -eq 0 ]] && echo "README product example: builds and runs as written"
exit $failed
