"""ipcbox_example() and example_program(): the examples' libraries and programs.

Each example is a library with the seed program's logic, a thin program
over it and a tour scenario, all on the same few Abseil libraries:

    load("//examples:example.bzl", "example_program", "ipcbox_example")

    ipcbox_example(
        name = "fifo_channel",  # fifo_channel.cc, fifo_channel.h
        deps = ["//lib/fifo"],
    )

    example_program(
        name = "fifo_writer",
        srcs = ["fifo_writer_main.cc"],
        deps = [":fifo_channel"],
    )

    ipcbox_example(
        name = "tour_scenario",
        srcs = ["tour_fifo.cc"],
        hdrs = ["tour_fifo.h"],
        deps = [":fifo_channel", "//examples/tour:scenario"],
    )

An unused dependency costs an example nothing; what it adds is listed below.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library")

# What the examples' sources include nearly everywhere.
EXAMPLE_DEPS = [
    "@com_google_absl//absl/status",
    "@com_google_absl//absl/status:statusor",
    "@com_google_absl//absl/strings",
    "@com_google_absl//absl/time",
]

# What every program's main() uses: --help and exit 2 for usage errors.
PROGRAM_DEPS = [
    "//examples/common:program_flags",
    "@com_google_absl//absl/flags:flag",
    "@com_google_absl//absl/flags:parse",
]

def _deps_and(deps, added):
    for dep in deps:
        if dep in added:
            fail("%s is added by examples/example.bzl itself" % dep)
    return deps + added

def ipcbox_example(name, srcs = None, hdrs = None, deps = [], **kwargs):
    """An example's library: cc_library with EXAMPLE_DEPS and absl::Span.

    Args:
      name: the library's name.
      srcs: defaults to [name + ".cc"].
      hdrs: defaults to [name + ".h"].
      deps: the library's own dependencies.
      **kwargs: any other cc_library attribute.
    """
    cc_library(
        name = name,
        srcs = srcs if srcs != None else [name + ".cc"],
        hdrs = hdrs if hdrs != None else [name + ".h"],
        deps = _deps_and(deps, EXAMPLE_DEPS + ["@com_google_absl//absl/types:span"]),
        **kwargs
    )

def example_program(name, deps = [], **kwargs):
    """A program of the examples: cc_binary with PROGRAM_DEPS and EXAMPLE_DEPS.

    Args:
      name: the program's name.
      deps: its own dependencies (the example's library).
      **kwargs: any other cc_binary attribute (srcs).
    """
    cc_binary(
        name = name,
        deps = _deps_and(deps, PROGRAM_DEPS + EXAMPLE_DEPS),
        **kwargs
    )
