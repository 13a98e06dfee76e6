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
