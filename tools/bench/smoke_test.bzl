"""bench_smoke_test: runs a benchmark once, small, and checks its report."""

load("//bazel:ipcbox_test.bzl", "ipcbox_sh_test")

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
