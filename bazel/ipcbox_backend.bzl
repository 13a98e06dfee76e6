"""Macros for a mechanism whose type has interchangeable backends.

A mechanism such as lib/semaphore has one library per backend (:posix,
:sysv), a generic library whose type is the backend the build settings pick,
and a contract (a header of compile-time checks) that every backend keeps:

    load("//bazel:ipcbox_backend.bzl", "ipcbox_contract", "ipcbox_generic_library")

    ipcbox_generic_library(
        name = "semaphore",
        hdrs = ["semaphore.h"],
        choice = "ipc_flavor",
        deps = [":options"],
    )

    ipcbox_contract(
        name = "contract",
        hdrs = ["semaphore_contract.h"],
        srcs = ["semaphore_contract_check.cc"],
        choice = "ipc_flavor",
        deps = [...],
    )

The backend targets are named after the values of the choice (:posix and
:sysv; :fcntl, :ofd and :flock), which is how both macros find them.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")
load("//bazel:ipcbox_cc.bzl", "ipcbox_cc_library")

# The backends of each choice that //platforms resolves (--//platforms:<choice>,
# "auto" included): the config_setting that holds when a backend is chosen,
# by the name of the backend's target.
_BACKENDS = {
    "ipc_flavor": {
        "posix": "//platforms:ipc_is_posix",
        "sysv": "//platforms:ipc_is_sysv",
    },
    "lock_backend": {
        "fcntl": "//platforms:lock_is_fcntl",
        "ofd": "//platforms:lock_is_ofd",
        "flock": "//platforms:lock_is_flock",
    },
}

def _backends(choice):
    if choice not in _BACKENDS:
        fail("unknown choice '%s'; one of %s" % (choice, sorted(_BACKENDS.keys())))
    return _BACKENDS[choice]

def ipcbox_generic_library(name, hdrs, choice, deps = [], **kwargs):
    """The generic type of a mechanism: the backend `choice` resolves, and only it.

    Generates an ipcbox_cc_library `name` that depends on `deps`,
    //platforms:selected_backends (the IPCBOX_* defines its header tests to
    alias the chosen type) and, through a select() on //platforms' resolved
    settings, the one backend target chosen, so a binary links only that one.

    Args:
      name: the generic target, usually the package's name.
      hdrs: the header that aliases the chosen backend's type.
      choice: "ipc_flavor" (:posix, :sysv) or "lock_backend" (:fcntl, :ofd,
        :flock), the //platforms build setting that picks the backend.
      deps: what the header needs besides the backend.
      **kwargs: any other ipcbox_cc_library attribute.
    """
    ipcbox_cc_library(
        name = name,
        hdrs = hdrs,
        deps = deps + ["//platforms:selected_backends"] + select({
            setting: [":" + backend]
            for backend, setting in _backends(choice).items()
        }),
        **kwargs
    )

def ipcbox_contract(name, hdrs, srcs, choice, deps):
    """A mechanism's contract, and its check against every backend.

    Generates two targets:
      `name`: an ipcbox_cc_library of the contract header(s), which products
        may use too (it ships in the SDK);
      `name + "_check"`: a private cc_library that compiles `srcs` (the
        static_asserts of the contract on each backend type) against every
        backend of `choice`, not only the selected one, so a backend that
        drifts from the contract fails `bazel build //lib/...`. It is tagged
        not_shipped: a compile-time check, not a library a product links
        (dist/check_sdk.sh leaves such targets out of the SDK).

    Args:
      name: the contract library, usually "contract".
      hdrs: the contract header(s).
      srcs: the check's source file(s).
      choice: as for ipcbox_generic_library; which backends to check.
      deps: what the contract header needs.
    """
    ipcbox_cc_library(
        name = name,
        hdrs = hdrs,
        deps = deps,
    )
    cc_library(
        name = name + "_check",
        srcs = srcs,
        tags = ["not_shipped"],
        visibility = ["//visibility:private"],
        deps = [":" + name] + [":" + backend for backend in sorted(_backends(choice).keys())],
    )
