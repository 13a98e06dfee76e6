"""ipcbox_example(), example_program(), tour_scenario(): the examples' targets.

Each example is a library with the seed program's logic, a thin program
over it and a tour scenario, all on the same few Abseil libraries:

    load("//examples:example.bzl", "example_program", "ipcbox_example", "tour_scenario")

    ipcbox_example(
        name = "fifo_channel",  # fifo_channel.cc, fifo_channel.h
        deps = ["//lib/fifo"],
    )

    example_program(
        name = "fifo_writer",  # fifo_writer_main.cc
        deps = [":fifo_channel"],
    )

    tour_scenario(deps = [":fifo_channel"])  # tour_fifo.cc, tour_fifo.h

Their targets are public, as the tests, the tour and the tools use them. An
unused dependency costs an example nothing; what each adds is listed below.
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

def ipcbox_example(name, srcs = None, hdrs = None, deps = [], visibility = ["//visibility:public"], **kwargs):
    """An example's library: cc_library with EXAMPLE_DEPS and absl::Span.

    Args:
      name: the library's name.
      srcs: defaults to [name + ".cc"].
      hdrs: defaults to the header of each source, x.h for x.cc.
      deps: the library's own dependencies.
      visibility: public unless said otherwise.
      **kwargs: any other cc_library attribute.
    """
    srcs = srcs if srcs != None else [name + ".cc"]
    cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs if hdrs != None else [source[:-len(".cc")] + ".h" for source in srcs],
        visibility = visibility,
        deps = _deps_and(deps, EXAMPLE_DEPS + ["@com_google_absl//absl/types:span"]),
        **kwargs
    )

def example_program(name, srcs = None, deps = [], visibility = ["//visibility:public"], **kwargs):
    """A program of the examples: cc_binary with PROGRAM_DEPS and EXAMPLE_DEPS.

    Args:
      name: the program's name.
      srcs: defaults to [name + "_main.cc"].
      deps: its own dependencies (the example's library).
      visibility: public unless said otherwise.
      **kwargs: any other cc_binary attribute.
    """
    cc_binary(
        name = name,
        srcs = srcs if srcs != None else [name + "_main.cc"],
        visibility = visibility,
        deps = _deps_and(deps, PROGRAM_DEPS + EXAMPLE_DEPS),
        **kwargs
    )

def tour_scenario(name = "tour_scenario", deps = [], **kwargs):
    """examples/<pkg>:tour_scenario, tour_<pkg>.cc and .h, for //examples/tour.

    Args:
      name: "tour_scenario", what //examples/tour expects.
      deps: its own dependencies; //examples/tour:scenario is added.
      **kwargs: as for ipcbox_example.
    """
    example = "tour_" + native.package_name().split("/")[-1]
    ipcbox_example(
        name = name,
        srcs = [example + ".cc"],
        deps = deps + ["//examples/tour:scenario"],
        **kwargs
    )
