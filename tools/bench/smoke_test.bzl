"""benchmark() and bench_smoke_test(): a benchmark program and its smoke test."""

load("@rules_cc//cc:defs.bzl", "cc_binary")
load("//bazel:ipcbox_test.bzl", "ipcbox_sh_test")

# What every benchmark's source uses: the harness and the usual Abseil.
BENCHMARK_DEPS = [
    "//tools/bench:harness",
    "@com_google_absl//absl/status",
    "@com_google_absl//absl/status:statusor",
    "@com_google_absl//absl/strings",
    "@com_google_absl//absl/time",
    "@com_google_absl//absl/types:span",
]

def bench_smoke_test(name, benchmark, flags = [], **kwargs):
    """An sh_test that runs `benchmark` through bench_smoke_test.sh.

    The benchmark runs with one repetition, one layout and a hundredth of its
    operations (see the script); it must exit 0 and print a ratio for every
    case. Nothing is timed. ARM builds run through the qemu runner.

    Args:
      name: the test's name.
      benchmark: the benchmark's cc_binary label.
      flags: more flags for the benchmark; they override the script's.
      **kwargs: passed to sh_test.
    """
    ipcbox_sh_test(
        name = name,
        srcs = ["bench_smoke_test.sh"],
        programs = [benchmark],
        args = flags,
        **kwargs
    )

def benchmark(name, deps = [], smoke_test_flags = [], **kwargs):
    """The cc_binary `name` (name.cc, on BENCHMARK_DEPS) and name_smoke_test.

    A crash or a hang of the benchmark then fails `test //...` instead of
    waiting for someone to run it by hand; the smoke test is of the program,
    not a measurement.

    Args:
      name: the benchmark's name; its source is name + ".cc".
      deps: its own dependencies.
      smoke_test_flags: the smoke test's `flags` (see bench_smoke_test).
      **kwargs: any other cc_binary attribute.
    """
    for dep in deps:
        if dep in BENCHMARK_DEPS:
            fail("%s: benchmark() adds %s itself" % (name, dep))
    cc_binary(
        name = name,
        srcs = [name + ".cc"],
        deps = BENCHMARK_DEPS + deps,
        **kwargs
    )
    bench_smoke_test(
        name = name + "_smoke_test",
        benchmark = ":" + name,
        flags = smoke_test_flags,
    )
