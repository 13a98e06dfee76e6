"""ipcbox_generic_library(): a mechanism's generic type and its contract.

A mechanism such as lib/semaphore has one library per backend (:posix,
:sysv), named after the values of the //platforms setting that chooses
between them. Besides those, it has a generic library whose type is the
backend the build settings pick, and a contract (a header of compile-time
checks) that every backend keeps. One call declares both:

    load("//bazel:ipcbox_backend.bzl", "ipcbox_generic_library")

    ipcbox_generic_library(
        name = "semaphore",  # //lib/semaphore, ipcbox::Semaphore
        hdrs = ["semaphore.h"],
        choice = "ipc_flavor",  # :posix or :sysv
        contract = "semaphore_contract.h",  # :contract and :contract_check
        contract_deps = [...],
        deps = [":options"],
    )
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

def ipcbox_generic_library(name, hdrs, choice, contract, contract_deps, deps = [], **kwargs):
    """The generic type of a mechanism, and the contract each of its backends keeps.

    Generates three targets in the calling package:
      `name`: an ipcbox_cc_library of `hdrs` that depends on `deps`,
        //platforms:selected_backends (the IPCBOX_* defines by which the
        header aliases the chosen type) and, through a select() on
        //platforms' resolved settings, on the chosen backend target only,
        so that a binary links just that one;
      :contract: an ipcbox_cc_library of the `contract` header, which a
        product may use too (it ships in the SDK);
      :contract_check: a private cc_library that compiles the contract's
        checks (`contract` with "_check.cc" for ".h": a_contract.h is
        checked by a_contract_check.cc) against every backend of `choice`,
        not only the chosen one, so that a backend that drifts from the
        contract fails `bazel build //lib/...`. It is tagged not_shipped: a
        compile-time check, not a library a product links (dist/check_sdk.sh
        leaves such targets out of the SDK).

    Args:
      name: the generic target, the package's name.
      hdrs: the header that aliases the chosen backend's type.
      choice: "ipc_flavor" (backends :posix, :sysv) or "lock_backend"
        (:fcntl, :ofd, :flock), the //platforms setting that picks one.
      contract: the contract header, "<something>_contract.h".
      contract_deps: what the contract header needs.
      deps: what `hdrs` needs besides the backend.
      **kwargs: any other ipcbox_cc_library attribute, for `name`.
    """
    backends = _backends(choice)
    if not contract.endswith("_contract.h"):
        fail("the contract header is <something>_contract.h, not %s" % contract)
    ipcbox_cc_library(
        name = name,
        hdrs = hdrs,
        deps = deps + ["//platforms:selected_backends"] + select({
            setting: [":" + backend]
            for backend, setting in backends.items()
        }),
        **kwargs
    )
    ipcbox_cc_library(
        name = "contract",
        hdrs = [contract],
        deps = contract_deps,
    )
    cc_library(
        name = "contract_check",
        srcs = [contract[:-len(".h")] + "_check.cc"],
        tags = ["not_shipped"],
        visibility = ["//visibility:private"],
        deps = [":contract"] + [":" + backend for backend in sorted(backends.keys())],
    )
