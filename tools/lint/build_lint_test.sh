#!/usr/bin/env bash
# build_lint.py against planted violations: each rule must be reported at
# its line, clean files must pass, and --fix must sort what it can.
set -uo pipefail

lint=$PWD/$1
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/build_lint.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
failed() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Each case below is "### NAME FILE [RULE LINE]..." and the file's text:
# the lint of FILE must exit 1 and report each RULE at its LINE, or exit 0
# when the case names no rule.
split_cases() {
  awk '/^### / { file = $2 "/" $3; system("mkdir -p " $2); print substr($0, 5) > "cases"; next }
       { print > file }'
}
split_cases <<'CASES'
### clean BUILD.bazel
load("@rules_cc//cc:defs.bzl", "cc_library")
load("//bazel:m.bzl", "m")

cc_library(
    name = "a",
    srcs = ["a.cc", "b.cc"],
    hdrs = ["a.h"],
    copts = ['-DQ="x"'],
    deps = [
        ":b",
        "//lib/core",
        "//lib/core:fd",
        "//lib/core/internal:x",
        "@com_google_absl//absl/status",
        # After a comment, a new run.
        "//a:z",
    ] + ["//z", "@a//:b"],
)

m(name = "b", **{})
### workspace WORKSPACE
workspace(name = "w")

load("//:x.bzl", "x")

x()
### load_on_top BUILD.bazel load-on-top 3
package(default_visibility = ["//visibility:public"])

load("@rules_cc//cc:defs.bzl", "cc_library")

cc_library(name = "a")
### unused_load BUILD.bazel unused-load 1
load("@rules_cc//cc:defs.bzl", "cc_library", "cc_test")

cc_library(name = "a")
### name_first BUILD.bazel name-first 1 unsorted 2 unsorted 3 unsorted 4
cc_library(
    srcs = ["b.cc", "a.cc"],
    hdrs = ["//lib/core/internal:x", "//lib/core:fd"],
    deps = ["//a"] + TEST_DEPS + ["//b", "//a"],
    name = "a",
)
### repository BUILD.bazel unsorted 3
cc_library(
    name = "a",
    deps = ["@com_google_absl//absl/status", "//lib/core:fd"],
)
### phases BUILD.bazel unsorted 4 duplicate 8 indent 12 indent 13
cc_library(
    name = "a",
    deps = [
        "//lib/core:fd",
        ":local",
    ],
    srcs = [
        "a.cc",
        "a.cc",
    ],
    hdrs = [
      "a.h",
	"b.h",
    ],
)
### commas BUILD.bazel trailing-comma 5 trailing-comma 7 quotes 9
cc_library(
    name = "a",
    srcs = [
        "a.cc",
        "b.cc"
    ],
    hdrs = ["a.h"]
)
x = 'single'
### syntax BUILD.bazel parse 1
cc_library(
    name = "a",
### fix BUILD.bazel
cc_library(
    name = "a",
    srcs = ["b.cc", "a.cc"],
    deps = [
        "@z//:z",
        "//lib/core:fd",  # why
        ":local",
        "//lib/core:fd",  # why
    ],
)
CASES

while read -r name file expected; do
  out=$(python3 "$lint" "$name/$file" 2>&1); status=$?
  [[ $name == fix ]] && continue
  if [[ -z $expected ]]; then
    [[ $status -eq 0 ]] || failed "expected no problems in $name, got exit $status: $out"
    continue
  fi
  [[ $status -eq 1 ]] || failed "expected exit 1 for $name, got $status: $out"
  set -- $expected
  while [[ $# -ge 2 ]]; do
    grep -qx "$name/$file:$2: $1: .*" <<<"$out" || failed "expected '$name/$file:$2: $1' in: $out"
    shift 2
  done
done < cases

# --fix sorts and deduplicates, one item a line or all on one line.
python3 "$lint" --fix fix/BUILD.bazel >/dev/null
cat > fix/expected <<'X'
cc_library(
    name = "a",
    srcs = ["a.cc", "b.cc"],
    deps = [
        ":local",
        "//lib/core:fd",  # why
        "@z//:z",
    ],
)
X
diff -u fix/expected fix/BUILD.bazel || failed "--fix did not sort and deduplicate as expected"
python3 "$lint" fix/BUILD.bazel || failed "problems left after --fix"

python3 "$lint" --help >/dev/null || failed "--help"
python3 "$lint" --nonsense >/dev/null 2>&1
[[ $? -eq 2 ]] || failed "an unknown flag must exit 2"

[[ $failures -eq 0 ]] && echo PASS || { echo "$failures failure(s)"; exit 1; }
