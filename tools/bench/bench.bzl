"""benchmark() and tool_library(): the benchmarks, and the parts of tools/."""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library")
load(":smoke_test.bzl", "bench_smoke_test")

# What every benchmark's source uses: the harness and the usual Abseil.
BENCHMARK_DEPS = [
    "//tools/bench:harness",
    "@com_google_absl//absl/status",
    "@com_google_absl//absl/status:statusor",
    "@com_google_absl//absl/strings",
    "@com_google_absl//absl/time",
    "@com_google_absl//absl/types:span",
]

def tool_library(name, srcs = None, hdrs = None, **kwargs):
    """A part of a tool (the harness, ipcbox): name.cc and name.h, static.

    Tools link statically like everything else; linkstatic keeps Bazel from
    also building a shared object of it.

    Args:
      name: the library's name.
      srcs: defaults to [name + ".cc"]; [] for a header-only part.
      hdrs: defaults to [name + ".h"].
      **kwargs: any other cc_library attribute.
    """
    cc_library(
        name = name,
        srcs = srcs if srcs != None else [name + ".cc"],
        hdrs = hdrs if hdrs != None else [name + ".h"],
        linkstatic = True,
        **kwargs
    )

def benchmark(name, deps = [], smoke_test_flags = [], **kwargs):
    """The cc_binary `name` (name.cc, on BENCHMARK_DEPS) and name_smoke_test.

    A crash or a hang of the benchmark then fails `test //...` instead of
    waiting for someone to run it by hand; the smoke test is of the program,
    not a measurement (bench_smoke_test in smoke_test.bzl).

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
