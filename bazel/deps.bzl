"""ipcbox_dependencies(): every external repository ipcbox needs, offline.

A product workspace that uses ipcbox declares the `ipcbox` repository and
then calls this macro; ipcbox's own WORKSPACE calls it too:

    local_repository(name = "ipcbox", path = "/path/to/ipcbox")
    load("@ipcbox//bazel:deps.bzl", "ipcbox_dependencies")
    ipcbox_dependencies()
    register_toolchains("@ipcbox//toolchains:all")

Nothing is downloaded: each repository is a Debian package's files (./bazelw
installs them) or one of the small shims under //third_party. A repository
the workspace declared before the call is left alone, so a product that
already has, say, its own @com_google_googletest keeps it.
"""

load("//third_party/absl:debian_absl.bzl", "debian_absl_repository")

def _shim_repository_impl(repository_ctx):
    # The shim is a directory of ipcbox; a label to a file in it gives its
    # path wherever ipcbox itself is (the main workspace or external/ipcbox).
    shim = repository_ctx.path(repository_ctx.attr.marker).dirname
    for entry in shim.readdir():
        if entry.basename != "WORKSPACE":
            repository_ctx.symlink(entry, entry.basename)
    repository_ctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % repository_ctx.name)

_shim_repository = repository_rule(
    implementation = _shim_repository_impl,
    attrs = {"marker": attr.label(mandatory = True, allow_single_file = True)},
    local = True,
    doc = "A repository made of one of ipcbox's shim directories.",
)

def _declare(rule, name, **kwargs):
    if not native.existing_rule(name):
        rule(name = name, **kwargs)

def ipcbox_dependencies():
    """Declares the repositories ipcbox's libraries, toolchains and tests use."""

    # Bazel 4.2.3 asks for rules_cc, rules_java and remote_coverage_tools at
    # start-up and would download them. rules_cc: Debian's bazel-rules-cc
    # (0.0.4) needs a newer @bazel_tools, so a shim of ours re-exports the
    # native rules instead.
    _declare(
        _shim_repository,
        "rules_cc",
        marker = Label("//third_party/rules_cc:BUILD.bazel"),
    )

    # rules_java: Debian's bazel-rules-java loads on 4.2.3 as it is.
    _declare(native.local_repository, "rules_java", path = "/usr/share/bazel/rules/java")

    # remote_coverage_tools: only `bazel coverage` uses it; an empty
    # stand-in keeps start-up offline.
    _declare(
        _shim_repository,
        "remote_coverage_tools",
        marker = Label("//third_party/remote_coverage_tools:BUILD.bazel"),
    )

    # From Debian's bazel-platforms and bazel-skylib.
    _declare(native.local_repository, "platforms", path = "/usr/share/bazel/tools/platforms")
    _declare(native.local_repository, "bazel_skylib", path = "/usr/share/bazel/tools/skylib")

    # Abseil from Debian's libabsl-dev: headers from /usr/include/absl,
    # static archives from /usr/lib/<triplet> for each target architecture,
    # under upstream's labels.
    _declare(debian_absl_repository, "com_google_absl")

    # GoogleTest from Debian's googletest sources, compiled for whichever
    # architecture is the target. Only ipcbox's tests use it; declaring it
    # costs a product nothing until something depends on it.
    _declare(
        native.new_local_repository,
        "com_google_googletest",
        build_file = str(Label("//third_party/googletest:googletest.BUILD")),
        path = "/usr/src/googletest",
    )
