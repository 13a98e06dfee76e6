"""ipcbox_cc_library(): a cc_library whose headers are ipcbox/<pkg>/<file>.h.

Every library under lib/ publishes its headers as "ipcbox/<pkg>/<file>.h",
whether ipcbox is the main workspace or the external repository @ipcbox of a
product; this macro is the one place that says how:

    load("//bazel:ipcbox_cc.bzl", "ipcbox_cc_library")

    ipcbox_cc_library(
        name = "pipe",
        srcs = ["pipe.cc"],
        hdrs = ["pipe.h"],  # included as "ipcbox/pipe/pipe.h"
        deps = ["//lib/core:fd"],
    )

A target that only its own package uses (and, at most, that package's
tests) is an ipcbox_internal_library instead:

    ipcbox_internal_library(
        name = "socket_internal",
        srcs = ["internal/open_socket.cc"],
        hdrs = ["internal/open_socket.h"],
        deps = [...],
    )

Only for packages under lib/: the prefix replaces "lib", so a header of
//lib/pipe becomes ipcbox/pipe/<file>.h. The label of this file is
repository-relative, so it loads the same from @ipcbox.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

def ipcbox_cc_library(name, **kwargs):
    """A cc_library with include_prefix "ipcbox" and strip_include_prefix "/lib".

    Args:
      name: the target's name.
      **kwargs: any other cc_library attribute but the two this sets.
    """
    for attribute in ("include_prefix", "strip_include_prefix"):
        if attribute in kwargs:
            fail("ipcbox_cc_library sets %s itself; use cc_library for another layout" % attribute)
    cc_library(
        name = name,
        include_prefix = "ipcbox",
        strip_include_prefix = "/lib",
        **kwargs
    )

def ipcbox_internal_library(name, visible_to_tests = False, **kwargs):
    """An ipcbox_cc_library that only its own package may depend on.

    It sets the visibility, which is what makes a target internal: private
    to its package, or with visible_to_tests also visible to the package's
    tests, //tests/<pkg> for //lib/<pkg>, which check what the public API
    cannot show (a shared layout, a scribbled segment).

    Args:
      name: the target's name.
      visible_to_tests: whether //tests/<pkg> may depend on it too.
      **kwargs: any other ipcbox_cc_library attribute but visibility.
    """
    if "visibility" in kwargs:
        fail("ipcbox_internal_library sets visibility itself; use ipcbox_cc_library for another")
    package = native.package_name()
    if not package.startswith("lib/"):
        fail("ipcbox_internal_library is for packages under lib/, not %s" % package)
    if visible_to_tests:
        visibility = ["//tests/%s:__pkg__" % package[len("lib/"):]]
    else:
        visibility = ["//visibility:private"]
    ipcbox_cc_library(
        name = name,
        visibility = visibility,
        **kwargs
    )
