"""ipcbox_cc_test() and friends: the tree's tests, each saying only what is its own.

Nearly every GoogleTest test here uses absl::Status, StatusOr, strings, time
and Span and ipcbox's status helpers; nearly every shell test runs programs
that an ARM build must start through the qemu runner. These macros add that
once, so that a test lists only what is its own:

    load("//bazel:ipcbox_test.bzl", "ipcbox_cc_test", "ipcbox_sh_test")

    ipcbox_cc_test(
        name = "fifo_test",  # srcs = ["fifo_test.cc"], size = "small"
        deps = ["//lib/fifo"],
    )

    ipcbox_sh_test(
        name = "seed_interop_test",  # srcs = ["seed_interop_test.sh"]
        seeds = True,
        programs = ["@seed_programs//:sender", "//examples/message_queue:sender"],
    )

An extra dependency costs a test nothing, so a package may share one list
of its own deps among its tests too. Not so the ones that change what a
binary does, //tests/support:ipc_leak_check, :alloc_counter and
:fault_injection (always linked), or anything carrying `defines`
(//platforms:selected_backends and the generic types on it): only the tests
that name them get them (ipcbox_alloc_test() is the alloc_counter one).
"""

load("@rules_cc//cc:defs.bzl", "cc_library", "cc_test")

# What the tests' sources include nearly everywhere.
IPCBOX_TEST_DEPS = [
    "//lib/core:errors",
    "@com_google_absl//absl/status",
    "@com_google_absl//absl/status:statusor",
    "@com_google_absl//absl/strings",
    "@com_google_absl//absl/time",
    "@com_google_absl//absl/types:span",
    "@com_google_googletest//:gtest",
]

_GTEST_MAIN = "@com_google_googletest//:gtest_main"
_QEMU_RUNNER = "//toolchains:qemu_runner"
_SEEDS = ["@seed_programs//:status.txt"]

def _own(name, deps):
    """deps, after checking that it repeats none of what the macros add."""
    for dep in deps:
        if dep in IPCBOX_TEST_DEPS or dep == _GTEST_MAIN:
            fail("%s: %s is added by //bazel:ipcbox_test.bzl" % (name, dep))
    return deps

def ipcbox_cc_test(name, srcs = None, deps = [], size = "small", gtest_main = True, **kwargs):
    """A GoogleTest cc_test with IPCBOX_TEST_DEPS (and gtest_main) added.

    Args:
      name: the test's name.
      srcs: defaults to [name + ".cc"].
      deps: the test's own dependencies; one of IPCBOX_TEST_DEPS here is an
        error, as Bazel would refuse it twice.
      size: defaults to "small", what most tests here are.
      gtest_main: False for a test that brings its own main().
      **kwargs: any other cc_test attribute.
    """
    cc_test(
        name = name,
        size = size,
        srcs = srcs if srcs != None else [name + ".cc"],
        deps = _own(name, deps) + IPCBOX_TEST_DEPS + ([_GTEST_MAIN] if gtest_main else []),
        **kwargs
    )

def ipcbox_alloc_test(name = "alloc_test", deps = [], **kwargs):
    """An ipcbox_cc_test that links //tests/support:alloc_counter.

    The counter replaces the global allocation functions, so a test of
    "this does not allocate" is a binary of its own: alloc_test.cc.

    Args:
      name: the test's name.
      deps: the test's own dependencies.
      **kwargs: as for ipcbox_cc_test.
    """
    ipcbox_cc_test(
        name = name,
        deps = deps + ["//tests/support:alloc_counter"],
        **kwargs
    )

def ipcbox_sh_test(name, programs = [], seeds = False, srcs = None, args = [], data = [], deps = [], size = "small", **kwargs):
    """An sh_test whose script gets the qemu runner, then each program's path.

    The script's arguments are the runfiles paths of //toolchains:qemu_runner
    (ARM builds run under qemu-user), with `seeds` of @seed_programs' status
    file, then of `programs` in order, then `args`.

    Args:
      name: the test's name.
      programs: labels of the programs the script runs, in argument order.
      seeds: True for a test that runs the seed articles' own programs: it
        also gets the seeds' status file and //tests/interop:seeds (skip, or
        fail under IPCBOX_REQUIRE_SEEDS=1, when a seed cannot run).
      srcs: defaults to [name + ".sh"].
      args: more arguments, after the programs.
      data: more runfiles, besides the programs.
      deps: more sh_library dependencies.
      size: defaults to "small".
      **kwargs: any other sh_test attribute.
    """
    labels = [_QEMU_RUNNER] + (_SEEDS if seeds else []) + programs
    native.sh_test(
        name = name,
        size = size,
        srcs = srcs if srcs != None else [name + ".sh"],
        args = ["$(rootpath %s)" % label for label in labels] + args,
        data = labels + data,
        deps = deps + (["//tests/interop:seeds"] if seeds else []),
        **kwargs
    )

def ipcbox_test_library(name, hdrs = None, deps = [], **kwargs):
    """A testonly, static cc_library of test helpers, with IPCBOX_TEST_DEPS.

    Linked into test executables only: linkstatic keeps Bazel from also
    building a shared object of it.

    Args:
      name: the library's name.
      hdrs: defaults to [name + ".h"].
      deps: its own dependencies, as for ipcbox_cc_test.
      **kwargs: any other cc_library attribute.
    """
    cc_library(
        name = name,
        testonly = True,
        hdrs = hdrs if hdrs != None else [name + ".h"],
        linkstatic = True,
        deps = _own(name, deps) + IPCBOX_TEST_DEPS,
        **kwargs
    )
